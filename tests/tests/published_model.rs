//! The generator on the published AmplifyBackend model (31 operations), read from `../shared`:
//! the whole service gives a crate that `cargo check`s without warnings, and selecting
//! GetBackendAuth gives exactly its closure.

use std::path::{Path, PathBuf};
use std::process::Command;

const MODEL: &str = "models/aws/amplifybackend-2020-08-11.json";

/// The published model, or `None` (after saying so loudly) when `../shared` is absent outside CI.
fn published_model() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared").join(MODEL);
    if path.is_file() {
        return Some(path);
    }
    let message = format!(
        "SKIPPED: {} not found: this test needs the shared AWS models",
        path.display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}; in CI they must be present"
    );
    eprintln!("\n*** {message} ***\n");
    None
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn get_backend_auth_alone_gives_its_closure() {
    let Some(model) = published_model() else { return };
    let generated = smithy_codegen::Codegen::new()
        .model(&model)
        .operation("GetBackendAuth")
        .generate()
        .unwrap_or_else(|err| panic!("{err}"));
    // The service, the operation, its input and output, four errors and 31 nested shapes.
    assert_eq!(generated.shape_count(), 40);
    assert_eq!(generated.operation_count(), 1);
    let source = generated.single_file().unwrap();
    assert!(source.contains("pub struct GetBackendAuthInput"));
    assert!(
        !source.contains("CreateBackendApi"),
        "an unselected operation leaked into the output"
    );
}

#[test]
fn whole_published_model_compiles_without_warnings() {
    let Some(model) = published_model() else { return };
    let root = workspace_root();
    let dir = root.join("target/published-model/amplifybackend-full");
    let generated = smithy_codegen::Codegen::new()
        .model(&model)
        .generate()
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(generated.operation_count(), 31);
    generated.write_crate(&dir, "amplifybackend-full").unwrap();
    // The workspace's lock file pins serde to the version already built and downloaded.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let output = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--message-format=short"])
        .current_dir(&dir)
        // A target directory of its own: the outer cargo holds the workspace's.
        .env("CARGO_TARGET_DIR", root.join("target/published-model/target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo check failed:\n{stderr}");
    assert!(!stderr.contains("warning"), "cargo check warned:\n{stderr}");
}
