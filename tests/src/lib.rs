//! Helpers shared by this package's tests (in `tests/tests/`).

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the package is inside the workspace")
        .to_path_buf()
}

/// A path inside `../shared` (the AWS models and protocol tests beside the repository), or
/// `None` after saying loudly that the test is skipped. In CI (`CI=true`) the data must be there,
/// so its absence fails the test instead.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = workspace_root().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "SKIPPED: {} not found: this test needs the shared AWS data",
        path.display()
    );
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{message}; in CI it must be present"
    );
    eprintln!("\n*** {message} ***\n");
    None
}
