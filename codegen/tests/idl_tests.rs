//! The Smithy reference implementation's IDL loader tests (`../shared/idl-tests/`, see its
//! README), one trial per file, named after its path:
//! - `valid/**/NAME.smithy` with `NAME.json`: both load (next to `valid/__shared.json`) to the
//!   same model: `Codegen::ast` of each is the same document (same shapes, members in the same
//!   order, same traits and values, same metadata);
//! - `valid/**/NAME.flattened.smithy` with `NAME.smithy`: the model with its mixins flattened
//!   and the mixin shapes removed is the flattened file's model;
//! - another `valid/**/*.smithy` loads;
//! - `invalid/**/NAME.smithy` is refused with an error that names the file and a line and
//!   column. Its first line quotes the reference implementation's message; how many of ours
//!   also contain it is printed.
//!
//! The same runs over this crate's own cases, `tests/idl-cases/` (trials named `local/...`, see
//! its README), where an invalid file's error must also contain the quoted message, and a
//! `valid/**/NAME.smithy` with `NAME.ast.json` beside it must give exactly that document.
//! `IDL_TESTS_DIR` names another copy of the suite to run instead of `../shared/idl-tests`.
//!
//! The last line is `idl tests: N passed, M failed, K skipped`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use smithy_codegen::Codegen;

/// The suites: `IDL_TESTS_DIR` when set (a directory with `valid/` and `invalid/`), else
/// `../shared/idl-tests`; and this crate's own `tests/idl-cases`, trials named `local/...`.
fn roots() -> (PathBuf, PathBuf) {
    let shared = match std::env::var_os("IDL_TESTS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/idl-tests"),
    };
    (shared, Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/idl-cases"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|extension| extension == "smithy") {
            out.push(path);
        }
    }
}

fn ast(paths: &[PathBuf]) -> Result<serde_json::Value, String> {
    let mut codegen = Codegen::new();
    for path in paths {
        codegen.model(path);
    }
    let text = codegen.ast().map_err(|error| error.to_string())?;
    serde_json::from_str(&text).map_err(|error| error.to_string())
}

/// The differences of two documents, for a failure's message.
fn compare(left: &serde_json::Value, right: &serde_json::Value) -> Result<(), String> {
    if left == right && serde_json::to_string(left).ok() == serde_json::to_string(right).ok() {
        return Ok(());
    }
    let (l, r) = (&left["shapes"], &right["shapes"]);
    let mut problems = Vec::new();
    let ids: std::collections::BTreeSet<&String> = l
        .as_object()
        .into_iter()
        .flatten()
        .chain(r.as_object().into_iter().flatten())
        .map(|(id, _)| id)
        .collect();
    for id in ids {
        match (l.get(id), r.get(id)) {
            (Some(a), Some(b)) if serde_json::to_string(a).ok() == serde_json::to_string(b).ok() => {}
            (Some(a), Some(b)) => problems.push(format!("`{id}` differs:\n  IDL:  {a}\n  JSON: {b}")),
            (Some(_), None) => problems.push(format!("`{id}` is only in the IDL model")),
            (None, Some(_)) => problems.push(format!("`{id}` is only in the JSON model")),
            (None, None) => {}
        }
    }
    if left.get("metadata") != right.get("metadata") {
        problems.push(format!(
            "the metadata differs:\n  IDL:  {:?}\n  JSON: {:?}",
            left.get("metadata"),
            right.get("metadata")
        ));
    }
    if problems.is_empty() {
        problems.push("the documents differ in order".to_owned());
    }
    Err(problems.join("\n"))
}

/// A document with its objects' keys sorted, but for the members of a shape, whose order is
/// part of the model.
fn ordered(value: &serde_json::Value) -> serde_json::Value {
    fn sorted(value: &serde_json::Value, keep: bool) -> serde_json::Value {
        match value {
            serde_json::Value::Array(items) => items.iter().map(|item| sorted(item, false)).collect(),
            serde_json::Value::Object(entries) => {
                let mut keys: Vec<&String> = entries.keys().collect();
                if !keep {
                    keys.sort();
                }
                let map: serde_json::Map<String, serde_json::Value> = keys
                    .into_iter()
                    .map(|key| (key.clone(), sorted(&entries[key], key == "members")))
                    .collect();
                serde_json::Value::Object(map)
            }
            other => other.clone(),
        }
    }
    sorted(value, false)
}

/// A model without its mixin shapes, as the flattened files are written.
fn without_mixins(mut document: serde_json::Value) -> serde_json::Value {
    if let Some(shapes) = document.get_mut("shapes").and_then(serde_json::Value::as_object_mut) {
        shapes.retain(|_, shape| {
            shape
                .get("traits")
                .and_then(|traits| traits.get("smithy.api#mixin"))
                .is_none()
        });
    }
    document
}

/// The message the reference implementation gives, from an invalid file's first line.
fn expected_message(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().next()?.strip_prefix("//")?.trim();
    // A trailing ` | Model` or ` | EnumShape` names the upstream validator, not the message.
    let line = match line.rsplit_once(" | ") {
        Some((message, validator)) if !validator.contains(' ') => message,
        _ => line,
    }
    .trim();
    Some(line.to_owned())
}

/// Our error, as the reference implementation would phrase its start.
fn phrasings(error: &smithy_codegen::Error) -> Vec<String> {
    let mut all = vec![error.clone()];
    all.extend(error.problems().iter().cloned());
    all.iter()
        .flat_map(|error| {
            let mut forms = vec![error.to_string(), error.message().to_owned()];
            if let Some((line, column)) = error.line_column() {
                forms.push(format!(
                    "Syntax error at line {line}, column {column}: {}",
                    error.message()
                ));
            }
            if let Some(shape) = error.shape() {
                forms.push(format!("{shape}: {}", error.message()));
            }
            forms
        })
        .collect()
}

fn main() {
    let args = Arguments::from_args();
    let (shared_root, local_root) = roots();
    let mut suites = vec![(local_root, "local/")];
    if shared_root.is_dir() {
        suites.push((shared_root, ""));
    } else {
        let message = format!("SKIPPED: idl tests: {} does not exist", shared_root.display());
        if std::env::var("CI").as_deref() == Ok("true") {
            eprintln!("\n*** {message}; in CI it must be present ***\n");
            std::process::exit(1);
        }
        eprintln!("\n*** {message} ***\n");
    }
    let skipped = Arc::new(AtomicUsize::new(0));
    let passed = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let matched = Arc::new(AtomicUsize::new(0));
    let mut invalid_count = 0;
    let mut trials = Vec::new();
    for (root, prefix) in suites {
        let shared = root.join("valid/__shared.json");
        let mut all = Vec::new();
        files(&root, &mut all);
        all.sort();
        invalid_count += all.iter().filter(|path| path.starts_with(root.join("invalid"))).count();
        for path in all {
            let name = format!("{prefix}{}", path.strip_prefix(&root).unwrap_or(&path).display());
            let shared = shared.exists().then(|| shared.clone());
            let (passed, failed, matched) = (passed.clone(), failed.clone(), matched.clone());
            let invalid = path.starts_with(root.join("invalid"));
            let strict = prefix == "local/";
            if let Some(reason) = skip_reason(&path) {
                eprintln!("skipped: {name}: {reason}");
                skipped.fetch_add(1, Ordering::SeqCst);
                trials.push(Trial::test(name, || Ok(())).with_ignored_flag(true));
                continue;
            }
            trials.push(Trial::test(name, move || {
                let result = if invalid {
                    run_invalid(&path, &matched, strict)
                } else {
                    run_valid(&path, shared.as_deref())
                };
                match &result {
                    Ok(()) => passed.fetch_add(1, Ordering::SeqCst),
                    Err(_) => failed.fetch_add(1, Ordering::SeqCst),
                };
                result.map_err(Failed::from)
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        println!(
            "idl tests: invalid files refused with the reference implementation's message: {} of {invalid_count}",
            matched.load(Ordering::SeqCst)
        );
        println!(
            "idl tests: {} passed, {} failed, {} skipped",
            passed.load(Ordering::SeqCst),
            failed.load(Ordering::SeqCst),
            skipped.load(Ordering::SeqCst)
        );
    }
    conclusion.exit();
}

/// Why a file is not run: a flattened form whose source upstream kept aside, or numbers no
/// 64-bit float holds.
fn skip_reason(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if path.ends_with("valid/traits.smithy") {
        return Some(
            "its trait values include numbers beyond the range of a 64-bit float (2e+308), which the \
             reference implementation keeps as BigDecimal; both our JSON and IDL readers refuse them"
                .to_owned(),
        );
    }
    let stem = name.strip_suffix(".flattened.smithy")?;
    let source = path.with_file_name(format!("{stem}.smithy"));
    (!source.exists()).then(|| format!("the flattened form of `{stem}.smithy`, which is not in this copy of the suite"))
}

fn run_valid(path: &Path, shared: Option<&Path>) -> Result<(), String> {
    let with_shared =
        |file: &Path| -> Vec<PathBuf> { std::iter::once(file).chain(shared).map(Path::to_path_buf).collect() };
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
    if let Some(stem) = name.strip_suffix(".flattened.smithy") {
        let source = path.with_file_name(format!("{stem}.smithy"));
        let flattened =
            ast(&with_shared(path)).map_err(|error| format!("the flattened file does not load: {error}"))?;
        let model =
            ast(&with_shared(&source)).map_err(|error| format!("{} does not load: {error}", source.display()))?;
        return compare(&without_mixins(model), &flattened);
    }
    let json = path.with_extension("json");
    let idl = ast(&with_shared(path)).map_err(|error| format!("the IDL file does not load: {error}"))?;
    let expected = path.with_extension("ast.json");
    if expected.exists() {
        let text = std::fs::read_to_string(&expected).map_err(|error| error.to_string())?;
        let expected: serde_json::Value = serde_json::from_str(&text).map_err(|error| error.to_string())?;
        return compare(&ordered(&idl), &ordered(&expected));
    }
    if !json.exists() {
        return Ok(());
    }
    let from_json = ast(&with_shared(&json)).map_err(|error| format!("the JSON file does not load: {error}"))?;
    compare(&idl, &from_json)
}

/// With `strict`, the error must contain the message the file's first line quotes.
fn run_invalid(path: &Path, matched: &AtomicUsize, strict: bool) -> Result<(), String> {
    let error = match Codegen::new().model(path).ast() {
        Ok(_) => return Err("the model was accepted".to_owned()),
        Err(error) => error,
    };
    let located = std::iter::once(&error)
        .chain(error.problems())
        .any(|error| error.line_column().is_some() && error.file().is_some());
    if !located {
        return Err(format!("the error names no file, line and column: {error}"));
    }
    if let Some(expected) = expected_message(path) {
        if phrasings(&error).iter().any(|ours| ours.contains(&expected)) {
            matched.fetch_add(1, Ordering::SeqCst);
        } else if strict {
            return Err(format!("expected `{expected}`, got `{error}`"));
        } else {
            eprintln!("note: {}: expected `{expected}`, got `{error}`", path.display());
        }
    }
    Ok(())
}
