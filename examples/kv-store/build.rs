//! Generates the crate's code from the key-value store model on every model change.

fn main() {
    smithy_codegen::Codegen::new()
        .model("../../model/kv-store.smithy")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
