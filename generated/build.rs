//! Generates the crate's code from the bundled Smithy model on every model change: the JSON AST
//! by default, or the IDL form of the same model (`AMPLIFYBACKEND_MODEL=idl`), which gives the
//! same code.

fn main() {
    println!("cargo:rerun-if-env-changed=AMPLIFYBACKEND_MODEL");
    let model = match std::env::var("AMPLIFYBACKEND_MODEL").as_deref() {
        Ok("idl") => "../model/amplifybackend.smithy",
        _ => "../model/amplifybackend.json",
    };
    smithy_codegen::Codegen::new()
        .model(model)
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
