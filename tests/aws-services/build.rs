//! Generates, into `$OUT_DIR/services.rs`, one module per AWS service the loopback tests call,
//! each with only the operations they call, from the published models in `../shared/models`
//! beside the workspace. When the models are missing the build says so loudly and there are
//! no modules; the tests then report themselves skipped (and fail in CI).

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "../../protocol-tests/build_support.rs"]
#[allow(dead_code)]
mod build_support;

/// Module, model file (under `../shared/models`), operations.
const SERVICES: &[(&str, &str, &[&str])] = &[
    (
        "s3",
        "aws-2026/s3.json",
        &[
            "PutObject",
            "GetObject",
            "ListObjectsV2",
            "DeleteObjects",
            "CopyObject",
            "GetBucketLocation",
            "HeadObject",
            "DeleteObject",
            "CreateBucket",
            "PutObjectTagging",
            "UploadPart",
            "CompleteMultipartUpload",
            "HeadBucket",
            "SelectObjectContent",
        ],
    ),
    // The operations of a local S3 stand-in, served by the generated server.
    (
        "s3_local",
        "aws-2026/s3.json",
        &["PutObject", "GetObject", "ListObjectsV2"],
    ),
    ("sts", "aws-2026/sts.json", &["GetCallerIdentity", "AssumeRole"]),
    ("iam", "aws-2026/iam.json", &["ListRoles", "GetRole"]),
    ("dynamodb", "aws-2026/dynamodb.json", &["DescribeTable"]),
    (
        "cloudformation",
        "aws-popular/cloudformation-2010-05-15.json",
        &["DescribeStacks"],
    ),
    ("route53", "aws-2026/route-53.json", &["ChangeResourceRecordSets"]),
    (
        "bedrock",
        "aws-2026/bedrock-runtime.json",
        &["ConverseStream", "InvokeModelWithResponseStream"],
    ),
    ("lambda", "aws-2026/lambda.json", &["InvokeWithResponseStream"]),
    ("kinesis", "aws-popular/kinesis-2013-12-02.json", &["SubscribeToShard"]),
    (
        "transcribe",
        "aws-2026/transcribe-streaming.json",
        &["StartStreamTranscription"],
    ),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let models = manifest_dir.join("../../../shared/models");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut out = String::new();
    let found = SERVICES.iter().all(|(_, file, _)| models.join(file).exists());
    writeln!(
        out,
        "/// Whether the models were there: without them there are no clients.\npub const MODELS_FOUND: bool = {found};"
    )
    .unwrap();
    if !found {
        println!(
            "cargo:warning=AWS service loopback tests SKIPPED: the models under {} are missing",
            models.display()
        );
    } else {
        for (module, file, operations) in SERVICES {
            let path = models.join(file);
            println!("cargo:rerun-if-changed={}", path.display());
            let mut codegen = smithy_codegen::Codegen::new();
            codegen.model(&path).format(false);
            for operation in *operations {
                codegen.operation(*operation);
            }
            let generated = codegen
                .generate()
                .and_then(|generated| generated.single_file())
                .unwrap_or_else(|err| panic!("cannot generate {file}: {err}"));
            let code = build_support::rebase(&generated, &format!("crate::{module}::"));
            writeln!(out, "/// The client of `{file}`.\npub mod {module} {{\n{code}\n}}").unwrap();
        }
    }
    let path = out_dir.join("services.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(out.as_str()) {
        std::fs::write(&path, out).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}
