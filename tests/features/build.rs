//! Generates the crate's code from the features model on every model change.

fn main() {
    smithy_codegen::Codegen::new()
        .model("../models/features.json")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
