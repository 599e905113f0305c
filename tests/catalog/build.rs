//! Generates the crate's code from the catalog model on every model change.

fn main() {
    smithy_codegen::Codegen::new()
        .model("../models/catalog.json")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
