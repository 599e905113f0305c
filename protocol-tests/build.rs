//! Generates, into `$OUT_DIR/services.rs`, one module per restJson1 service of the AWS
//! protocol-test model, each with its protocol test cases (`Codegen::protocol_tests`), and a
//! function that collects every service's cases.
//!
//! The model is `$PROTOCOL_TESTS_MODEL` (a relative path is taken from the workspace root), or
//! `../shared/protocol-tests/aws-protocol-tests.json` beside the workspace. When it is missing
//! the build says so loudly and there are no cases; the test binary then reports the run as
//! skipped (and fails in CI).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const REST_JSON1: &str = "aws.protocols#restJson1";

fn main() {
    println!("cargo:rerun-if-env-changed=PROTOCOL_TESTS_MODEL");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace_root = manifest_dir.parent().expect("the package is inside the workspace");
    let model = match std::env::var_os("PROTOCOL_TESTS_MODEL").filter(|path| !path.is_empty()) {
        Some(path) => workspace_root.join(path),
        None => workspace_root.join("../shared/protocol-tests/aws-protocol-tests.json"),
    };
    println!("cargo:rerun-if-changed={}", model.display());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = if model.is_file() {
        generate(&model)
    } else {
        println!(
            "cargo:warning=protocol tests SKIPPED: the model {} does not exist (set PROTOCOL_TESTS_MODEL to run them)",
            model.display()
        );
        services_file(&model, false, &[])
    };
    let path = out_dir.join("services.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
        std::fs::write(&path, source).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}

/// One generated service: its shape name, its module name and its code.
struct Service {
    name: String,
    module: String,
    code: String,
}

fn generate(model: &Path) -> String {
    let text = std::fs::read_to_string(model).unwrap_or_else(|err| panic!("cannot read {}: {err}", model.display()));
    let document: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{} is not JSON: {err}", model.display()));
    let mut ids: Vec<&str> = document
        .get("shapes")
        .and_then(serde_json::Value::as_object)
        .map(|shapes| {
            shapes
                .iter()
                .filter(|(_, shape)| {
                    shape.get("type").and_then(serde_json::Value::as_str) == Some("service")
                        && shape.get("traits").and_then(|traits| traits.get(REST_JSON1)).is_some()
                })
                .map(|(id, _)| id.as_str())
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    let services: Vec<Service> = ids
        .iter()
        .map(|id| {
            let generated = smithy_codegen::Codegen::new()
                .model(model)
                .service(*id)
                .protocol_tests(true)
                .format(false)
                .generate()
                .and_then(|generated| generated.single_file())
                .unwrap_or_else(|err| panic!("cannot generate the protocol tests of service `{id}`: {err}"));
            let name = id.rsplit('#').next().unwrap_or(id).to_owned();
            let module = smithy_codegen::ident::snake_case(&name);
            let code = rebase(&generated, &format!("crate::services::{module}::"));
            Service { name, module, code }
        })
        .collect();
    services_file(model, true, &services)
}

/// Rewrites the generated code's `crate::` paths (written `crate::` or, unformatted,
/// `crate ::`) to paths into the module that holds it.
fn rebase(code: &str, base: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    let mut rest = code;
    while let Some(at) = rest.find("crate") {
        let before = &rest[..at];
        let after = &rest[at + "crate".len()..];
        let starts_word = !before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let colons = after.strip_prefix("::").or_else(|| after.strip_prefix(" ::"));
        out.push_str(before);
        match colons {
            Some(tail) if starts_word => {
                out.push_str(base);
                rest = tail.trim_start_matches(' ');
            }
            _ => {
                out.push_str("crate");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn services_file(model: &Path, found: bool, services: &[Service]) -> String {
    let mut out = String::new();
    let model = model.display().to_string();
    writeln!(
        out,
        "/// The protocol-test model the cases were generated from.\npub const MODEL: &str = {model:?};"
    )
    .unwrap();
    writeln!(
        out,
        "/// Whether the model was there: without it there are no cases.\npub const MODEL_FOUND: bool = {found};"
    )
    .unwrap();
    for service in services {
        writeln!(
            out,
            "/// The `{}` service, generated with its protocol tests.",
            service.name
        )
        .unwrap();
        writeln!(out, "pub mod {} {{\n{}\n}}", service.module, service.code).unwrap();
    }
    out.push_str("/// Every service's cases, service by service.\npub fn cases() -> Vec<crate::Case> {\n");
    if services.is_empty() {
        out.push_str("    Vec::new()\n");
    } else {
        out.push_str("    let mut cases = Vec::new();\n");
        for Service { name, module, .. } in services {
            writeln!(
                out,
                "    cases.extend({module}::protocol_tests::cases().into_iter().map(|case| crate::Case {{
        service: {name:?},
        kind: match case.kind {{
            {module}::protocol_tests::CaseKind::Request => crate::CaseKind::Request,
            {module}::protocol_tests::CaseKind::Response => crate::CaseKind::Response,
            {module}::protocol_tests::CaseKind::MalformedRequest => crate::CaseKind::MalformedRequest,
        }},
        id: case.id,
        operation: case.operation,
        run: case.run,
    }}));"
            )
            .unwrap();
        }
        out.push_str("    cases\n");
    }
    out.push_str("}\n");
    out
}
