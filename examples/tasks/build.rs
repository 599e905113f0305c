//! Generates the crate's code from the to-do list model on every model change.

fn main() {
    smithy_codegen::Codegen::new()
        .model("../../model/tasks.smithy")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
