//! The JMESPath interpreter against the JMESPath compliance suite (jmespath/jmespath.test, as
//! smithy-lang/smithy vendors it), kept beside the workspace in `shared/jmespath`.
//!
//! Each file is a list of groups, each with a `given` document and `cases`: an `expression`
//! and either the `result` it must give or the `error` it must fail with (`syntax`,
//! `invalid-type`, `invalid-value`, `invalid-arity`, `unknown-function`). Every case of every
//! file is run. The cases of `benchmarks.json` have a `bench` key (`parse` or `full`) instead of
//! a result: they are parsed and searched, and pass when neither fails.
//!
//! Numbers are compared by value, so that `1.0` is `1`: the suite's expected results come from
//! implementations that do not tell integers from floats.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use smithy_runtime::jmespath::Expression;

/// How many cases the suite holds, so that a file that goes missing is noticed.
const CASE_COUNT: usize = 908;

#[test]
fn jmespath_compliance_suite() {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/jmespath");
    let Ok(entries) = std::fs::read_dir(&suite) else {
        let in_ci = std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0");
        let banner = "!".repeat(80);
        // Straight to stderr, past the test harness's capture.
        let _ = writeln!(
            std::io::stderr(),
            "\n{banner}\n!!! JMESPATH COMPLIANCE SUITE SKIPPED: {} is missing.\n\
             !!! The JMESPath interpreter was NOT checked against the compliance suite.\n{banner}",
            suite.display()
        );
        assert!(!in_ci, "the JMESPath compliance suite is missing and CI is set");
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    files.sort();

    let mut passed = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        let groups = match std::fs::read_to_string(file)
            .map_err(|error| error.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|error| error.to_string()))
        {
            Ok(Value::Array(groups)) => groups,
            Ok(_) => {
                failures.push(format!("{name}: not a list of groups"));
                continue;
            }
            Err(error) => {
                failures.push(format!("{name}: cannot read: {error}"));
                continue;
            }
        };
        for group in &groups {
            let given = group.get("given").unwrap_or(&Value::Null);
            let cases = group
                .get("cases")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            for case in cases {
                match run_case(given, case) {
                    Ok(()) => passed += 1,
                    Err(failure) => failures.push(format!("{name}: {failure}")),
                }
            }
        }
    }

    for failure in &failures {
        say(&format!("FAILED {failure}"));
    }
    say(&format!("jmespath tests: {passed} passed, {} failed", failures.len()));
    assert!(failures.is_empty(), "{} JMESPath cases failed", failures.len());
    assert_eq!(passed, CASE_COUNT, "the suite should hold {CASE_COUNT} cases");
}

/// Runs one case against its group's document; the failure says what was expected and got.
fn run_case(given: &Value, case: &Value) -> Result<(), String> {
    let Some(text) = case.get("expression").and_then(Value::as_str) else {
        return Err(format!("a case without an expression: {case}"));
    };
    let outcome = Expression::parse(text).and_then(|expression| expression.search(given));
    let got = match &outcome {
        Ok(value) => format!("result {value}"),
        Err(error) => format!("{} error ({error})", error.kind()),
    };
    let fail = |expected: String| Err(format!("{text:?}: expected {expected}, got {got}"));
    if let Some(expected) = case.get("error").and_then(Value::as_str) {
        match &outcome {
            Err(error) if error.kind().as_str() == expected => Ok(()),
            _ => fail(format!("{expected} error")),
        }
    } else if let Some(expected) = case.get("result") {
        match &outcome {
            Ok(value) if same(value, expected) => Ok(()),
            _ => fail(format!("result {expected}")),
        }
    } else if case.get("bench").is_some() {
        match &outcome {
            Ok(_) => Ok(()),
            Err(_) => fail("no error".to_owned()),
        }
    } else {
        Err(format!("{text:?}: the case has no result, error or bench"))
    }
}

/// JSON equality with numbers compared by value.
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => left.as_f64() == right.as_f64(),
        (Value::Array(left), Value::Array(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(left, right)| same(left, right))
        }
        (Value::Object(left), Value::Object(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .all(|(key, left)| right.get(key).is_some_and(|right| same(left, right)))
        }
        _ => left == right,
    }
}

fn say(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Every acceptor path of every waiter of the AWS models in `shared/models` parses: what the
/// generated waiters will search with.
#[test]
fn every_waiter_path_of_the_aws_models_parses() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models");
    let Ok(dirs) = std::fs::read_dir(&models) else {
        let in_ci = std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0");
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! WAITER PATHS SKIPPED: {} is missing\n",
            models.display()
        );
        assert!(!in_ci, "the models are missing and CI is set");
        return;
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in dirs.filter_map(Result::ok) {
        if let Ok(entries) = std::fs::read_dir(dir.path()) {
            files.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|path| path.extension().is_some_and(|extension| extension == "json")),
            );
        }
    }
    let (mut paths, mut failures) = (0, Vec::new());
    for file in &files {
        let Ok(model) = serde_json::from_str::<Value>(&std::fs::read_to_string(file).unwrap_or_default()) else {
            continue;
        };
        for (id, shape) in model["shapes"].as_object().into_iter().flatten() {
            let Some(waiters) = shape["traits"]["smithy.waiters#waitable"].as_object() else {
                continue;
            };
            for (name, waiter) in waiters {
                for acceptor in waiter["acceptors"].as_array().into_iter().flatten() {
                    for kind in ["output", "inputOutput"] {
                        if let Some(path) = acceptor["matcher"][kind]["path"].as_str() {
                            paths += 1;
                            if let Err(error) = Expression::parse(path) {
                                failures.push(format!("{id} {name}: `{path}`: {error}"));
                            }
                        }
                    }
                }
            }
        }
    }
    println!("waiter paths: {paths} parsed, {} failed", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
