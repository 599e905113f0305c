//! Generates, into `$OUT_DIR/services.rs`, one module per service of the AWS protocol-test
//! model whose protocol the runtime speaks (restJson1, awsJson1_0, awsJson1_1, restXml, awsQuery,
//! ec2Query), and the list of those services for the harness.
//!
//! The model is `$PROTOCOL_TESTS_MODEL` (a relative path is taken from the workspace root): a
//! JSON AST or IDL file, or a directory of them read as one model; by default the official suite
//! as published, `../shared/protocol-tests/upstream/` beside the workspace. It is read once, with
//! `smithy_codegen`'s own reader, into one JSON AST document, which the services are generated
//! from; the harness reads its cases from `$OUT_DIR/protocol-tests.json`, the same document with
//! each number that an `f64` or a 64-bit integer would not hold exactly written as a string of
//! its digits (`serde_json`'s `arbitrary_precision`, on for this script, keeps them). When the model is
//! missing the build says so loudly and there are no services; the test binary then reports the
//! run as skipped (and fails in CI).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "build_support.rs"]
mod build_support;
use build_support::{module_name, rebase};

#[path = "src/protocols.rs"]
mod protocols;

fn main() {
    println!("cargo:rerun-if-env-changed=PROTOCOL_TESTS_MODEL");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_support.rs");
    println!("cargo:rerun-if-changed=src/protocols.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let workspace_root = manifest_dir.parent().expect("the package is inside the workspace");
    let model = match std::env::var_os("PROTOCOL_TESTS_MODEL").filter(|path| !path.is_empty()) {
        Some(path) => workspace_root.join(path),
        None => workspace_root.join("../shared/protocol-tests/upstream"),
    };
    // For a directory, cargo looks at every file under it.
    println!("cargo:rerun-if-changed={}", model.display());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let source = if model.exists() {
        generate(&model, &out_dir)
    } else {
        println!(
            "cargo:warning=protocol tests SKIPPED: the model {} does not exist (set PROTOCOL_TESTS_MODEL to run them)",
            model.display()
        );
        services_file(&model, None, &[])
    };
    let path = out_dir.join("services.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(source.as_str()) {
        std::fs::write(&path, source).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}

/// One generated service.
struct Service {
    id: String,
    protocol: &'static str,
    module: String,
    code: String,
}

fn generate(model: &Path, out_dir: &Path) -> String {
    // The whole model, read once: every service is generated from this one document.
    let text = smithy_codegen::Codegen::new()
        .model(model)
        .ast()
        .unwrap_or_else(|err| panic!("cannot read the protocol-test model {}: {err}", model.display()));
    let mut document: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("the model's JSON AST is not JSON: {err}"));
    // The harness reads numbers as an f64 or a 64-bit integer: those that would lose digits that
    // way reach it as their text, which it reads for big numbers.
    inexact_numbers_as_text(&mut document);
    let cases_text = serde_json::to_string_pretty(&document).expect("a JSON value serializes");
    let ast = out_dir.join("protocol-tests.json");
    if std::fs::read_to_string(&ast).ok().as_deref() != Some(cases_text.as_str()) {
        std::fs::write(&ast, &cases_text).unwrap_or_else(|err| panic!("cannot write {}: {err}", ast.display()));
    }
    let mut found: Vec<(String, &'static str)> = document
        .get("shapes")
        .and_then(serde_json::Value::as_object)
        .map(|shapes| {
            shapes
                .iter()
                .filter(|(_, shape)| shape.get("type").and_then(serde_json::Value::as_str) == Some("service"))
                .filter_map(|(id, shape)| {
                    let (_, protocol) = protocols::protocol_of(shape.get("traits"))?;
                    protocols::IMPLEMENTED
                        .contains(&protocol)
                        .then(|| (id.clone(), protocol))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    let mut modules: Vec<String> = Vec::new();
    let services: Vec<Service> = found
        .into_iter()
        .map(|(id, protocol)| {
            let generated = smithy_codegen::Codegen::new()
                .model_text(&ast, text.as_str())
                .service(&id)
                .format(false)
                .generate()
                .and_then(|generated| generated.single_file())
                .unwrap_or_else(|err| panic!("cannot generate service `{id}` of the protocol tests: {err}"));
            let mut module = module_name(&id);
            while modules.contains(&module) {
                module.push('_');
            }
            modules.push(module.clone());
            let code = rebase(&generated, &format!("crate::services::{module}::"));
            Service {
                id,
                protocol,
                module,
                code,
            }
        })
        .collect();
    services_file(model, Some(&ast), &services)
}

/// Replaces, everywhere in `value`, each number that an `f64` or a 64-bit integer does not hold
/// exactly by a string of its digits.
fn inexact_numbers_as_text(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) => {
            let text = number.to_string();
            if !exact_as_a_primitive(&text) {
                *value = serde_json::Value::String(text);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(inexact_numbers_as_text),
        serde_json::Value::Object(members) => members.values_mut().for_each(inexact_numbers_as_text),
        _ => {}
    }
}

/// Whether the JSON number `text` is an `i64`, a `u64`, or the same number as the `f64` nearest
/// to it.
fn exact_as_a_primitive(text: &str) -> bool {
    if text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok() {
        return true;
    }
    text.parse::<f64>()
        .is_ok_and(|float| float.is_finite() && decimal(text) == decimal(&format!("{float:e}")))
}

/// A decimal number's sign, significant digits and the place of its point among them
/// (`-12.50e1`: negative, `125`, 3), zero without a sign.
fn decimal(text: &str) -> (bool, String, i64) {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.trim_start_matches('+').parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let leading = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.is_empty() {
        return (false, String::new(), 0);
    }
    let point = whole.len() as i64 + exponent - leading as i64;
    (negative, significant.to_owned(), point)
}

/// The services' source; `ast` is the model's JSON AST document, `None` when the model is missing.
fn services_file(model: &Path, ast: Option<&Path>, services: &[Service]) -> String {
    let mut out = String::new();
    let found = ast.is_some();
    let model = model.display().to_string();
    let ast = ast.map(|ast| ast.display().to_string()).unwrap_or_default();
    writeln!(
        out,
        "/// The protocol-test model the services were generated from (a file or a directory).\npub const MODEL: &str = {model:?};"
    )
    .unwrap();
    writeln!(
        out,
        "/// The model as one JSON AST document, which the cases are read from.\npub const MODEL_AST: &str = {ast:?};"
    )
    .unwrap();
    writeln!(
        out,
        "/// Whether the model was there: without it there are no cases.\npub const MODEL_FOUND: bool = {found};"
    )
    .unwrap();
    for service in services {
        writeln!(out, "/// The `{}` service.", service.id).unwrap();
        writeln!(out, "pub mod {} {{\n{}\n}}", service.module, service.code).unwrap();
    }
    out.push_str(
        "/// Every generated service, in shape-id order.\npub fn services() -> Vec<crate::Service> {\n    vec![\n",
    );
    for Service {
        id, protocol, module, ..
    } in services
    {
        writeln!(
            out,
            "        crate::Service {{ id: {id:?}, protocol: {protocol:?}, schema: &{module}::schema::SERVICE, register: |registry| {module}::operation::visit_operations(registry) }},"
        )
        .unwrap();
    }
    out.push_str("    ]\n}\n");
    out
}
