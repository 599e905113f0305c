//! Generates the fuzz service (`models/fuzz.smithy`) once per protocol the runtime serves:
//! `rest_json1.rs`, `aws_json1_0.rs` and `aws_json1_1.rs` in `OUT_DIR`.

fn main() {
    let path = "models/fuzz.smithy";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    for (protocol, file) in [
        ("restJson1", "rest_json1.rs"),
        ("awsJson1_0", "aws_json1_0.rs"),
        ("awsJson1_1", "aws_json1_1.rs"),
    ] {
        smithy_codegen::Codegen::new()
            .model_text("fuzz.smithy", text.replace("restJson1", protocol))
            .out_file(file)
            .emit_to_out_dir()
            .unwrap_or_else(|err| panic!("{err}"));
    }
}
