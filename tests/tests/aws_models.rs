//! Every model under the directories `MODELS_DIRS` names (`:`-separated; by default all of
//! `../shared/models`, searched recursively for `.json` files) and every service of the AWS
//! protocol test model (`../shared/protocol-tests/aws-protocol-tests.json`) generates a crate:
//! the test prints `models: N generate, M refused` and fails on any refusal. A sample of the
//! crates then compiles without warnings and documents without rustdoc warnings: every crate of
//! `../shared/models/aws/`, `../shared/models/aws-popular/` and the protocol tests, plus
//! `MODELS_SAMPLE` (default 4) models spread over the rest; `MODELS_SAMPLE=all` compiles
//! every one. Those of the protocols the runtime speaks (restJson1, awsJson1_0, awsJson1_1,
//! restXml, awsQuery, ec2Query) get their client and server; the others their types and
//! service trait.
//!
//! The crates are written under `target/aws-models/<crate>/`, next to a `Cargo.toml` workspace
//! listing those compiled, so one `cargo check` builds them with a shared target directory
//! (`target/aws-models-target`, kept between runs) in which serde is compiled once. A model or
//! service that cannot be generated yet goes in [`EXCEPTIONS`] with the reason: it is reported and
//! skipped. Anything else that fails to generate or to compile fails the test, which lists every
//! failing crate with its first errors.

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Models (file stem, e.g. `s3-2006-03-01`) or protocol-test services (absolute shape id) that
/// cannot be generated or compiled yet, with the reason. Reported and skipped.
const EXCEPTIONS: &[(&str, &str)] = &[];

/// Error lines shown per failing crate.
const ERROR_LINES: usize = 8;

const PROTOCOL_TESTS: &str = "protocol-tests/aws-protocol-tests.json";

/// One crate to generate: a whole model file, or one service of a model with several.
struct Subject {
    /// What [`EXCEPTIONS`] names: the model's file stem or the service's shape id.
    key: String,
    crate_name: String,
    model: PathBuf,
    service: Option<String>,
    /// Compiled and documented, not only generated.
    checked: bool,
}

/// What generating one crate gave.
struct Row {
    crate_name: String,
    shapes: usize,
    operations: usize,
    lines: usize,
    millis: u128,
}

/// `../shared`, or `None` (after saying so loudly) when it is absent outside CI.
fn shared_dir() -> Option<PathBuf> {
    smithy_codegen_tests::shared("models/aws")?;
    smithy_codegen_tests::shared("models/aws-popular")?;
    smithy_codegen_tests::shared(PROTOCOL_TESTS)?;
    smithy_codegen_tests::shared("")
}

/// `amplifybackend-2020-08-11` → `amplifybackend`: the file stem without its API version.
fn model_crate_name(stem: &str) -> String {
    let bytes = stem.as_bytes();
    let dated = bytes.len() > 11
        && bytes[bytes.len() - 11..].iter().enumerate().all(|(i, b)| {
            if matches!(i, 0 | 5 | 8) {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let name = if dated { &stem[..stem.len() - 11] } else { stem };
    kebab(name)
}

/// `aws.protocoltests.restjson.validation#RestJsonValidation` → `pt-validation-restjsonvalidation`.
fn service_crate_name(id: &str) -> String {
    let (namespace, name) = id.split_once('#').expect("an absolute shape id");
    let last = namespace.rsplit('.').next().unwrap_or(namespace);
    format!("pt-{}", kebab(&format!("{last}-{name}")))
}

/// Lowercase, with every run of other characters than letters and digits made one `-`.
fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The directories of models to generate: `MODELS_DIRS`, else `../shared/models`.
fn model_dirs(shared: &Path) -> Vec<PathBuf> {
    match std::env::var("MODELS_DIRS") {
        Ok(dirs) if !dirs.trim().is_empty() => std::env::split_paths(&dirs).collect(),
        _ => vec![shared.join("models")],
    }
}

/// Every `.json` file under `dir`, recursively.
fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
}

/// How many models outside the always-checked directories are compiled: `MODELS_SAMPLE`
/// (`all`, or a number), 4 by default.
fn sample_size() -> usize {
    match std::env::var("MODELS_SAMPLE").as_deref() {
        Ok("all") => usize::MAX,
        Ok(number) if !number.trim().is_empty() => number
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("MODELS_SAMPLE is `all` or a number, not `{number}`")),
        _ => 4,
    }
}

fn subjects(shared: &Path) -> Vec<Subject> {
    let mut models = Vec::new();
    for dir in model_dirs(shared) {
        json_files(&dir, &mut models);
    }
    models.sort();
    models.dedup();
    let always_checked = ["models/aws", "models/aws-popular"].map(|dir| shared.join(dir));
    let mut subjects: Vec<Subject> = Vec::new();
    for model in models {
        let stem = model.file_stem().unwrap().to_string_lossy().into_owned();
        let mut crate_name = model_crate_name(&stem);
        // The same service from two directories (`aws/dynamodb-2012-08-10.json`,
        // `aws-2026/dynamodb.json`): the later one is named after its directory too.
        if subjects.iter().any(|subject| subject.crate_name == crate_name) {
            let dir = model.parent().and_then(Path::file_name).unwrap_or_default();
            crate_name = format!("{crate_name}-{}", kebab(&dir.to_string_lossy()));
        }
        let checked = model
            .parent()
            .is_some_and(|dir| always_checked.iter().any(|always| always == dir));
        subjects.push(Subject {
            key: stem,
            crate_name,
            checked,
            model,
            service: None,
        });
    }
    // A sample of the others, spread evenly over them in name order.
    let others: Vec<usize> = (0..subjects.len()).filter(|&i| !subjects[i].checked).collect();
    let sample = sample_size().min(others.len());
    for k in 0..sample {
        subjects[others[k * others.len() / sample]].checked = true;
    }

    let protocol_tests = shared.join(PROTOCOL_TESTS);
    let document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&protocol_tests).unwrap()).unwrap();
    let shapes = document["shapes"].as_object().expect("a JSON AST with shapes");
    let mut services: Vec<&String> = shapes
        .iter()
        .filter(|(_, shape)| shape["type"] == "service")
        .map(|(id, _)| id)
        .collect();
    services.sort();
    subjects.extend(services.into_iter().map(|id| Subject {
        key: id.clone(),
        crate_name: service_crate_name(id),
        model: protocol_tests.clone(),
        service: Some(id.clone()),
        checked: true,
    }));
    subjects
}

/// Lines of the `.rs` files under `dir`, as `find dir -name '*.rs' | xargs cat | wc -l` counts.
fn rust_lines(dir: &Path) -> usize {
    let mut lines = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            lines += rust_lines(&path);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            lines += std::fs::read_to_string(&path).unwrap().matches('\n').count();
        }
    }
    lines
}

/// Generates and writes one crate, timing both. A panic in the generator is an error too.
fn generate(subject: &Subject, dir: &Path) -> Result<Row, String> {
    let start = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut codegen = smithy_codegen::Codegen::new();
        codegen.model(&subject.model);
        if let Some(service) = &subject.service {
            codegen.service(service);
        }
        let generated = codegen.generate().map_err(|err| err.to_string())?;
        let options = smithy_codegen::CrateOptions::new(&subject.crate_name)
            .runtime_path(smithy_codegen_tests::workspace_root().join("runtime"));
        generated.write_crate(dir, &options).map_err(|err| err.to_string())?;
        Ok::<_, String>(generated)
    }));
    let millis = start.elapsed().as_millis();
    let generated = match result {
        Ok(result) => result?,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            return Err(format!("the generator panicked: {message}"));
        }
    };
    Ok(Row {
        crate_name: subject.crate_name.clone(),
        shapes: generated.shape_count(),
        operations: generated.operation_count(),
        lines: rust_lines(&dir.join("src")),
        millis,
    })
}

fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let width = rows.iter().map(|row| row.crate_name.len()).max().unwrap_or(0).max(5);
    writeln!(
        out,
        "{:<width$} {:>7} {:>10} {:>9} {:>8}",
        "crate", "shapes", "operations", "lines", "gen ms"
    )
    .unwrap();
    for row in rows {
        writeln!(
            out,
            "{:<width$} {:>7} {:>10} {:>9} {:>8}",
            row.crate_name, row.shapes, row.operations, row.lines, row.millis
        )
        .unwrap();
    }
    writeln!(
        out,
        "{:<width$} {:>7} {:>10} {:>9} {:>8}",
        format!("total ({} crates)", rows.len()),
        rows.iter().map(|row| row.shapes).sum::<usize>(),
        rows.iter().map(|row| row.operations).sum::<usize>(),
        rows.iter().map(|row| row.lines).sum::<usize>(),
        rows.iter().map(|row| row.millis).sum::<u128>(),
    )
    .unwrap();
    out
}

/// The crates that `cargo check` output says failed, with their first error lines. Short
/// messages start with the file's path, relative to the workspace root (`<crate>/src/...`).
fn failed_crates(stderr: &str, crate_names: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut failed: Vec<(String, Vec<String>)> = Vec::new();
    let mut note = |name: &str, line: Option<&str>| {
        let index = match failed.iter().position(|(failed, _)| failed == name) {
            Some(index) => index,
            None => {
                failed.push((name.to_owned(), Vec::new()));
                failed.len() - 1
            }
        };
        if let Some(line) = line {
            failed[index].1.push(line.to_owned());
        }
    };
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("error: could not compile `") {
            if let Some((name, _)) = rest.split_once('`') {
                note(name, None);
            }
            continue;
        }
        if !line.contains("error") && !line.contains("warning") {
            continue;
        }
        let owner = crate_names
            .iter()
            .find(|name| line.starts_with(&format!("{name}/")) || line.contains(&format!("/aws-models/{name}/")));
        if let Some(name) = owner {
            note(name, Some(line));
        }
    }
    failed
}

#[test]
fn every_aws_model_and_protocol_test_service_compiles_without_warnings() {
    let Some(shared) = shared_dir() else { return };
    let root = smithy_codegen_tests::workspace_root();
    let out = root.join("target/aws-models");
    let target = root.join("target/aws-models-target");
    let subjects = subjects(&shared);

    // Every exception names something that exists; every crate name is valid and unique.
    for (key, _) in EXCEPTIONS {
        assert!(
            subjects.iter().any(|subject| subject.key == *key),
            "EXCEPTIONS names `{key}`, which is neither a model nor a protocol-test service"
        );
    }
    for (i, subject) in subjects.iter().enumerate() {
        let name = &subject.crate_name;
        assert!(
            name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "`{name}` (from {}) is not a lowercase, `-`-separated crate name",
            subject.key
        );
        assert!(
            subjects[..i].iter().all(|other| other.crate_name != *name),
            "two subjects would both be crate `{name}`"
        );
    }

    // Written fresh: a crate from a model that was removed or renamed must not linger.
    if out.exists() {
        std::fs::remove_dir_all(&out).unwrap();
    }
    std::fs::create_dir_all(&out).unwrap();

    let mut rows = Vec::new();
    let mut checked = Vec::new();
    let mut generation_failures = Vec::new();
    let (mut models_generated, mut models_refused) = (0, 0);
    for subject in &subjects {
        if let Some((_, reason)) = EXCEPTIONS.iter().find(|(key, _)| *key == subject.key) {
            eprintln!("SKIPPED (in EXCEPTIONS) {}: {reason}", subject.key);
            continue;
        }
        let is_model = subject.service.is_none();
        match generate(subject, &out.join(&subject.crate_name)) {
            Ok(row) => {
                models_generated += usize::from(is_model);
                if subject.checked {
                    checked.push(row.crate_name.clone());
                }
                rows.push(row);
            }
            Err(err) => {
                models_refused += usize::from(is_model);
                generation_failures.push(format!("{} ({}): {err}", subject.crate_name, subject.key));
            }
        }
    }
    eprintln!(
        "\nGenerated crates (debug-build generator; time = generate + write_crate):\n{}",
        table(&rows)
    );
    eprintln!("models: {models_generated} generate, {models_refused} refused");
    assert!(
        generation_failures.is_empty(),
        "{} of {} models/services failed to generate (add them to EXCEPTIONS only with a reason):\n{}",
        generation_failures.len(),
        subjects.len(),
        generation_failures.join("\n")
    );

    let crate_names: Vec<&str> = checked.iter().map(String::as_str).collect();
    let members: String = crate_names.iter().map(|name| format!("    \"{name}\",\n")).collect();
    std::fs::write(
        out.join("Cargo.toml"),
        format!(
            "# Written by tests/tests/aws_models.rs: the generated crates it compiles, checked together.\n\
             [workspace]\nresolver = \"2\"\nmembers = [\n{members}]\n"
        ),
    )
    .unwrap();
    // The workspace's lock file pins the runtime's dependencies to the versions already built
    // and downloaded.
    std::fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).unwrap();

    // Compiled with warnings denied, then documented with rustdoc's warnings denied (the models'
    // HTML documentation must become clean Markdown).
    let reports: Vec<String> = [
        cargo_over_all(&out, &target, &crate_names, &["check", "--workspace"], "RUSTFLAGS"),
        cargo_over_all(
            &out,
            &target,
            &crate_names,
            &["doc", "--workspace", "--no-deps"],
            "RUSTDOCFLAGS",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    // CI reads rustdoc's warnings, not its pages (about 2 GiB of HTML): its disk is finite.
    if std::env::var_os("CI").is_some() {
        let _ = std::fs::remove_dir_all(target.join("doc"));
    }
    assert!(reports.is_empty(), "{}", reports.join("\n"));
}

/// Runs `cargo <command> --keep-going --offline` over the generated workspace with `flags_var`
/// set to `-D warnings`; returns a report of every failed crate, or `None` when all passed.
fn cargo_over_all(
    out: &Path,
    target: &Path,
    crate_names: &[&str],
    command: &[&str],
    flags_var: &str,
) -> Option<String> {
    let start = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(command)
        .args(["--keep-going", "--offline", "--message-format=short"])
        .current_dir(out)
        .env("CARGO_TARGET_DIR", target)
        .env(flags_var, "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let what = format!("cargo {}", command[0]);
    eprintln!(
        "{what} of {} crates: {} in {:.1} s",
        crate_names.len(),
        if output.status.success() { "ok" } else { "FAILED" },
        start.elapsed().as_secs_f64()
    );

    let failed = failed_crates(&stderr, crate_names);
    if output.status.success() && failed.is_empty() {
        return None;
    }
    let mut report = format!(
        "{what} failed for {} of {} crates ({}):\n",
        failed.len(),
        crate_names.len(),
        failed
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (name, lines) in &failed {
        writeln!(report, "\n{name}:").unwrap();
        for line in lines.iter().take(ERROR_LINES) {
            writeln!(report, "    {line}").unwrap();
        }
        if lines.len() > ERROR_LINES {
            writeln!(report, "    … and {} more", lines.len() - ERROR_LINES).unwrap();
        }
    }
    // A full disk fails crates at random: say how much is left.
    if let Ok(df) = Command::new("df")
        .arg("-h")
        .arg(target.parent().unwrap_or(target))
        .output()
    {
        writeln!(report, "\ndisk: {}", String::from_utf8_lossy(&df.stdout).trim()).unwrap();
    }
    if failed.is_empty() {
        // Not a crate's fault (lock file, registry, manifest): show what cargo said.
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        writeln!(report, "\ncargo's output (last lines):").unwrap();
        for line in tail.into_iter().rev() {
            writeln!(report, "    {line}").unwrap();
        }
    }
    Some(report)
}
