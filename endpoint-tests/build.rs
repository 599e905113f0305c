//! Generates, into `$OUT_DIR/clients.rs`, one module per service of the models in
//! `$ENDPOINT_TESTS_MODELS` (default `../shared/models/aws` and `../shared/models/aws-popular`)
//! whose endpoint test cases call operations (`operationInputs`), with those operations only,
//! and the list of them for the harness: those cases go through the generated clients.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "../protocol-tests/build_support.rs"]
mod build_support;
use build_support::{module_name, rebase};

fn main() {
    println!("cargo:rerun-if-env-changed=ENDPOINT_TESTS_MODELS");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../protocol-tests/build_support.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("the package is inside the workspace");
    let dirs: Vec<PathBuf> = match std::env::var("ENDPOINT_TESTS_MODELS") {
        Ok(value) if !value.trim().is_empty() => value
            .split(':')
            .filter(|part| !part.is_empty())
            .map(|part| root.join(part))
            .collect(),
        _ => ["../shared/models/aws", "../shared/models/aws-popular"]
            .iter()
            .map(|dir| root.join(dir))
            .collect(),
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        let Ok(entries) = std::fs::read_dir(dir) else {
            println!(
                "cargo:warning=endpoint tests through generated clients SKIPPED: {} does not exist",
                dir.display()
            );
            continue;
        };
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "json")),
        );
    }
    files.sort();
    let mut out = String::new();
    let mut registry = String::new();
    let mut modules: Vec<String> = Vec::new();
    for file in &files {
        for (service, operations) in called_operations(file) {
            let mut codegen = smithy_codegen::Codegen::new();
            codegen.model(file).service(&service).format(false);
            for operation in &operations {
                codegen.operation(operation);
            }
            let code = codegen
                .generate()
                .and_then(|generated| generated.single_file())
                .unwrap_or_else(|err| panic!("cannot generate `{service}` of {}: {err}", file.display()));
            let mut module = module_name(&service);
            while modules.contains(&module) {
                module.push('_');
            }
            modules.push(module.clone());
            let code = rebase(&code, &format!("crate::clients::{module}::"));
            writeln!(out, "/// `{service}`: {}.", operations.join(", ")).unwrap();
            writeln!(out, "#[allow(clippy::all, unused)]\npub mod {module} {{\n{code}\n}}").unwrap();
            writeln!(registry, "    {module}::operation::visit_operations(registry);").unwrap();
        }
    }
    writeln!(
        out,
        "/// Tells `registry` every generated operation.\npub fn visit(registry: &mut crate::Registry) {{\n    let _ = &registry;\n{registry}}}"
    )
    .unwrap();
    let path = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("clients.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(out.as_str()) {
        std::fs::write(&path, out).unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}

/// The services of `file` with endpoint test cases that call operations, and those operations.
fn called_operations(file: &Path) -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|err| panic!("cannot read {}: {err}", file.display()));
    let document: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|err| panic!("{} is not JSON: {err}", file.display()));
    let Some(shapes) = document.get("shapes").and_then(serde_json::Value::as_object) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (id, shape) in shapes {
        let cases = shape
            .pointer("/traits/smithy.rules#endpointTests/testCases")
            .and_then(serde_json::Value::as_array);
        let mut operations: Vec<String> = cases
            .into_iter()
            .flatten()
            .filter_map(|case| case.get("operationInputs")?.as_array())
            .flatten()
            .filter_map(|input| Some(input.get("operationName")?.as_str()?.to_owned()))
            .collect();
        operations.sort();
        operations.dedup();
        if !operations.is_empty() {
            found.push((id.clone(), operations));
        }
    }
    found.sort();
    found
}
