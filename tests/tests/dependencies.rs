//! What a build script that generates code compiles: the generator and the part of the runtime it
//! runs (endpoint rules, JMESPath, `@pattern` checks), not the protocols, client, server or their
//! crates, which the generated crate's own build of the runtime has.

use std::collections::BTreeSet;
use std::process::Command;

/// The packages `cargo tree` lists for `package`'s normal dependencies, as cargo resolves them
/// when it builds that package alone (a build script's build-dependencies are resolved apart).
fn dependencies(package: &str) -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "-p",
            package,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs cargo tree");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_generator_builds_only_the_runtime_it_runs() {
    let generator = dependencies("smithy-codegen");
    for needed in ["smithy-runtime", "serde_json", "regex", "fancy-regex", "regex-syntax"] {
        assert!(generator.contains(needed), "{needed} missing from {generator:?}");
    }
    // Crates only the runtime's `full` feature pulls in: HTTP, bytes, XML, hashes and
    // checksums, compression, and the transport's.
    for left_out in [
        "http",
        "bytes",
        "quick-xml",
        "sha2",
        "crc32c",
        "flate2",
        "hyper",
        "tokio",
        "rustls",
    ] {
        assert!(
            !generator.contains(left_out),
            "the generator depends on {left_out}: {generator:?}"
        );
    }
    // The runtime as generated crates use it has them.
    let runtime = dependencies("smithy-runtime");
    for full in ["http", "bytes", "quick-xml", "sha2"] {
        assert!(runtime.contains(full), "{full} missing from {runtime:?}");
    }
}
