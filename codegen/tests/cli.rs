//! The `smithy-codegen` command line: writes a whole crate, rewrites only what changed, and on a
//! bad model prints the error and writes nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bundled_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/amplifybackend.json")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smithy-codegen-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn generate(model: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .arg("generate")
        .arg("--model")
        .arg(model)
        .arg("--out")
        .arg(out)
        .args(["--crate", "amplifybackend"])
        .args(extra)
        .output()
        .expect("the binary runs")
}

#[test]
fn generates_a_complete_crate_and_rewrites_only_changes() {
    let out = scratch("complete");
    let first = generate(&bundled_model(), &out, &[]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(stderr.contains("1 operations, 40 shapes,"), "{stderr}");
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    // By default the crate depends on the runtime of this checkout, by a path relative to it.
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("runtime");
    let path_line = manifest
        .lines()
        .find(|line| line.starts_with("smithy-runtime = "))
        .unwrap_or_default();
    let path = path_line
        .split("path = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("a path dependency: {manifest}"));
    assert!(Path::new(path).is_relative(), "{path}");
    assert_eq!(
        std::fs::canonicalize(out.join(path)).unwrap(),
        std::fs::canonicalize(&runtime).unwrap()
    );
    assert!(manifest.contains("name = \"amplifybackend\""), "{manifest}");
    let lib = std::fs::read_to_string(out.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub mod types;") && lib.contains("pub use crate::service::AmplifyBackend;"));
    assert!(out.join("src/operation/get_backend_auth.rs").is_file());

    // Hand-written files are kept, even one that starts like a generated file; an unchanged
    // model changes nothing.
    let looks_generated = format!("{}\n", smithy_codegen::HEADER_MARK);
    std::fs::write(out.join("src/mine.rs"), &looks_generated).unwrap();
    std::fs::write(out.join("src/handwritten.rs"), "// mine\n").unwrap();
    let second = generate(&bundled_model(), &out, &[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("0 files changed"), "{stderr}");
    assert!(out.join("src/mine.rs").exists());
    assert!(out.join("src/handwritten.rs").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_service_with_event_streams_gets_http2_by_default() {
    let out = scratch("event-streams");
    let dir = scratch("event-streams-model");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("chat.smithy");
    std::fs::write(
        &model,
        r#"$version: "2"
namespace example.chat

use aws.protocols#restJson1

@restJson1
service Chat {
    version: "2026-12-06"
    operations: [Talk]
}

@http(method: "POST", uri: "/talk")
operation Talk {
    input := {}
    output := {
        @httpPayload
        events: Events
    }
}

@streaming
union Events {
    said: Said
}

structure Said {
    text: String
}
"#,
    )
    .unwrap();
    let generated = generate(&model, &out, &[]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let manifest = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("default = [\"hyper-client\", \"http2\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("http2 = [\"smithy-runtime/http2\"]"), "{manifest}");
    // Without event streams, HTTP/2 is a feature to turn on, off by default.
    let plain = scratch("no-event-streams");
    let generated = generate(&bundled_model(), &plain, &[]);
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let manifest = std::fs::read_to_string(plain.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("default = [\"hyper-client\"]\n"), "{manifest}");
    assert!(manifest.contains("http2 = [\"smithy-runtime/http2\"]"), "{manifest}");
    for dir in [out, dir, plain] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_runtime_path_goes_into_the_manifest_relative_to_the_crate() {
    let dir = scratch("runtime-path");
    let runtime = dir.join("my checkout/runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    std::fs::write(runtime.join("Cargo.toml"), "[package]\nname = \"smithy-runtime\"\n").unwrap();
    let run = |out: &str, runtime: &Path| {
        Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
            .current_dir(&dir)
            .arg("generate")
            .arg("--model")
            .arg(bundled_model())
            .args(["--out", out, "--crate", "amplifybackend", "--runtime-path"])
            .arg(runtime)
            .output()
            .expect("the binary runs")
    };
    let manifest = |out: &str| std::fs::read_to_string(dir.join(out).join("Cargo.toml")).unwrap();

    // Relative to the current directory on the command line, relative to the crate in Cargo.toml.
    let result = run("crates/./amplifybackend", Path::new("my checkout/runtime"));
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let written = manifest("crates/amplifybackend");
    assert!(
        written.contains(r#"smithy-runtime = { version = "0.1", path = "../../my checkout/runtime" }"#),
        "{written}"
    );

    // An absolute path is written as it is.
    let result = run("absolute", &runtime);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(manifest("absolute").contains(&format!("path = \"{}\"", runtime.display())));

    // A directory without the runtime's manifest is refused before anything is written.
    let result = run("wrong", Path::new("my checkout"));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(stderr.contains("--runtime-path my checkout: cannot read"), "{stderr}");
    assert!(!dir.join("wrong").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_manifest_is_written_once_and_then_left_to_its_owner() {
    let out = scratch("kept-manifest");
    assert!(
        generate(&bundled_model(), &out, &["--runtime-git", "https://example.com/s.git"])
            .status
            .success()
    );
    let manifest = out.join("Cargo.toml");
    let first = std::fs::read_to_string(&manifest).unwrap();
    assert!(first.starts_with(smithy_codegen::KEPT_MANIFEST_MARK), "{first}");
    assert!(
        first.contains(r#"smithy-runtime = { git = "https://example.com/s.git" }"#),
        "{first}"
    );

    // The owner's edits survive regeneration, and `check` does not count them as stale.
    let edited = format!("{first}\n[dev-dependencies]\ntokio = \"1\"\n");
    std::fs::write(&manifest, &edited).unwrap();
    std::fs::remove_file(out.join("src/lib.rs")).unwrap();
    let again = generate(&bundled_model(), &out, &["--runtime-version", "0.1"]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("1 files changed"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), edited);
    assert!(out.join("src/lib.rs").is_file());
    let check = run("check", &bundled_model(), &out, &[]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // A manifest an older generator marked as its own is replaced, and so is a missing one.
    let old = "# Generated by smithy-codegen from `amplifybackend.json`. Do not edit: regenerate instead.\n";
    std::fs::write(&manifest, old).unwrap();
    assert!(generate(&bundled_model(), &out, &["--runtime-version", "0.1"])
        .status
        .success());
    let replaced = std::fs::read_to_string(&manifest).unwrap();
    assert!(replaced.contains("smithy-runtime = \"0.1\""), "{replaced}");
    std::fs::remove_file(&manifest).unwrap();
    assert!(generate(&bundled_model(), &out, &[]).status.success());
    assert!(manifest.is_file());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn bad_model_prints_the_error_and_writes_nothing() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("bad.json");
    std::fs::write(&model, "{\"smithy\": \"2.0\",\n \"shapes\": {\n").unwrap();
    let out = dir.join("out");
    let result = generate(&model, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.starts_with(&format!("error: {}:3:0: invalid JSON", model.display())),
        "{stderr}"
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_operation_is_an_error() {
    let out = scratch("unknown-op");
    let result = generate(&bundled_model(), &out, &["--operation", "DeleteEverything"]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("no operation named `DeleteEverything`"));
    assert!(!out.exists());
}

fn run(command: &str, model: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .arg(command)
        .arg("--model")
        .arg(model)
        .arg("--out")
        .arg(out)
        .args(["--crate", "amplifybackend"])
        .args(extra)
        .output()
        .expect("the binary runs")
}

/// Every file under `dir` with its contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn check_lists_stale_files_and_writes_nothing() {
    let out = scratch("check");
    // Nothing there yet: every file is stale, and nothing is written.
    let missing = run("check", &bundled_model(), &out, &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("Cargo.toml"));
    assert!(!out.exists());

    assert!(generate(&bundled_model(), &out, &[]).status.success());
    let fresh = run("check", &bundled_model(), &out, &[]);
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );
    assert!(fresh.stdout.is_empty());

    // An edited generated file is stale; a hand-written one is not the generator's concern.
    let lib = out.join("src/lib.rs");
    std::fs::write(&lib, "// edited\n").unwrap();
    std::fs::write(out.join("src/handwritten.rs"), "// mine\n").unwrap();
    let before = snapshot(&out);
    let stale = run("check", &bundled_model(), &out, &[]);
    assert_eq!(stale.status.code(), Some(1));
    let listed = String::from_utf8_lossy(&stale.stdout);
    assert_eq!(listed.trim(), lib.display().to_string());
    assert!(String::from_utf8_lossy(&stale.stderr).contains("1 files differ"));
    assert_eq!(snapshot(&out), before, "check wrote nothing");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn inspect_lists_services_operations_and_the_shapes_reached() {
    let output = Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .args(["inspect", "--model"])
        .arg(bundled_model())
        .args(["--operation", "GetBackendAuth"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("model: 40 shapes, 1 services"), "{text}");
    assert!(text.contains("1 operations, 40 shapes generated"), "{text}");
    assert!(
        text.contains("  com.amazonaws.amplifybackend#GetBackendAuth\n"),
        "{text}"
    );
    assert!(
        text.contains("com.amazonaws.amplifybackend#NotFoundException (structure)"),
        "{text}"
    );
    assert!(text.contains("structure 20"), "{text}");
}

#[test]
fn endless_input_is_refused_at_the_byte_limit_with_exit_1() {
    let out = scratch("dev-zero");
    let result = generate(Path::new("/dev/zero"), &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.starts_with("error: /dev/zero: the model file is larger than 268435456 bytes"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn models_that_once_panicked_the_generator_exit_1_with_an_error() {
    let dir = scratch("unit-operation");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("unit.json");
    std::fs::write(
        &model,
        r#"{"smithy": "2.0", "shapes": {"a#S": {"type": "service", "operations": [{"target": "smithy.api#Unit"}]}}}"#,
    )
    .unwrap();
    let out = dir.join("out");
    let result = generate(&model, &out, &[]);
    assert_eq!(
        result.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(String::from_utf8_lossy(&result.stderr).contains("smithy.api#Unit"));
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_pattern_the_runtime_cannot_check_is_a_warning_and_a_documented_gap() {
    let dir = scratch("unchecked-pattern");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("model.smithy");
    std::fs::write(
        &model,
        r#"$version: "2.0"
namespace example.gap

use aws.protocols#restJson1

@restJson1
service Gap {
    version: "2026-12-01"
    operations: [Put]
}

@http(method: "POST", uri: "/put")
operation Put {
    input := {
        /// After one or more `a`s.
        @pattern("(?<=a+)b")
        tail: String

        @pattern("^[\\p{LD}]+$")
        word: String
    }
}
"#,
    )
    .unwrap();
    let out = dir.join("out");
    let output = generate(&model, &out, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr.lines().filter(|line| line.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("example.gap#PutInput$tail") && warnings[0].contains("(?<=a+)b"),
        "{stderr}"
    );
    let code: String = snapshot(&out.join("src"))
        .into_iter()
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    // The check is left out, and the member's documentation says so; the translatable one stays.
    assert!(
        !code.contains(r#".pattern("(?<=a+)b")"#),
        "the unchecked pattern is not in the schema"
    );
    assert!(code.contains("is not checked"), "the gap is documented");
    assert!(
        code.contains(r#".pattern("^[\\p{LD}]+$")"#),
        "the Java class is checked"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
