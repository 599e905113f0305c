//! Generates the crate's code from the bundled Smithy model on every model change.

fn main() {
    smithy_codegen::Codegen::new()
        .model("../model/amplifybackend.json")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
