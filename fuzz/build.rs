//! Generates the fuzz service (`models/fuzz.smithy`) once per protocol the runtime serves:
//! `rest_json1.rs`, `aws_json1_0.rs`, `aws_json1_1.rs` and `rpc_v2_cbor.rs` in `OUT_DIR`.

fn main() {
    let path = "models/fuzz.smithy";
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{path}: {err}"));
    for (protocol, file) in [
        ("aws.protocols#restJson1", "rest_json1.rs"),
        ("aws.protocols#awsJson1_0", "aws_json1_0.rs"),
        ("aws.protocols#awsJson1_1", "aws_json1_1.rs"),
        ("smithy.protocols#rpcv2Cbor", "rpc_v2_cbor.rs"),
    ] {
        let name = protocol.rsplit('#').next().unwrap_or(protocol);
        let model = text
            .replace("aws.protocols#restJson1", protocol)
            .replace("@restJson1", &format!("@{name}"));
        smithy_codegen::Codegen::new()
            .model_text("fuzz.smithy", model)
            .out_file(file)
            .emit_to_out_dir()
            .unwrap_or_else(|err| panic!("{err}"));
    }
}
