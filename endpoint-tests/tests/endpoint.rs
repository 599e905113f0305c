//! Runs every `smithy.rules#endpointTests` case of the models in `$ENDPOINT_TESTS_MODELS` (or
//! `../shared/models/aws` and `../shared/models/aws-popular` beside the workspace) as one trial,
//! `<model file stem>::<case index>: <documentation>`, with libtest's command line: filters,
//! `--exact`, `--list`, `--ignored`; nextest runs it too. Cases in `skipped.txt` are ignored
//! trials. `aws.partition` reads the runtime's partitions data (the same as
//! `../shared/endpoints/partitions.json`), or `$ENDPOINT_TESTS_PARTITIONS`.
//!
//! A case that fails with that data but passes with the data its model's cases were written
//! against (`data/partitions.json`, see `data/README.md`) is skipped, with that reason: its
//! expectation predates the partitions data (the iso partitions gained dual-stack support after
//! the models' cases were made). The last line is `endpoint tests: N passed, M failed, K skipped`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use endpoint_tests::{Skipped, MODELS_VAR, PARTITIONS_VAR};
use libtest_mimic::{Arguments, Failed, Trial};

#[derive(Default)]
struct Tally {
    passed: AtomicUsize,
    failed: AtomicUsize,
    skipped: AtomicUsize,
    /// Skipped cases whose expectations predate the partitions data.
    stale: AtomicUsize,
    /// Operation calls checked through generated clients.
    calls: AtomicUsize,
    /// Of those, calls whose sent request was checked too.
    requests: AtomicUsize,
}

/// Checks a case: its `params` with the rules engine, then each of its `operationInputs`
/// through the generated client of its service.
fn check(case: &endpoint_tests::Case, registry: &endpoint_tests::Registry, tally: &Tally) -> Result<(), String> {
    case.check_params()?;
    for (index, input) in case.operation_inputs.iter().enumerate() {
        let sent = registry
            .check(&case.service.shape_id, input, &case.expect)
            .map_err(|error| format!("operationInputs[{index}] ({}): {error}", input.operation_name))?;
        tally.calls.fetch_add(1, Ordering::Relaxed);
        if sent {
            tally.requests.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dirs = endpoint_tests::model_dirs();
    let (present, missing): (Vec<_>, Vec<_>) = dirs.into_iter().partition(|dir| dir.is_dir());
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|dir| dir.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let what = if missing.len() == 1 {
            "directory does not exist"
        } else {
            "directories do not exist"
        };
        let message = format!("SKIPPED: endpoint tests: the model {what}: {list} (set {MODELS_VAR})");
        if std::env::var("CI").as_deref() == Ok("true") {
            eprintln!("\n*** {message}; in CI they must be present ***\n");
            std::process::exit(1);
        }
        if !args.list {
            eprintln!("\n*** {message} ***\n");
        }
    }
    let (partitions, source) =
        endpoint_tests::partitions().unwrap_or_else(|error| panic!("cannot read the partitions data: {error}"));
    if !args.list {
        eprintln!("endpoint tests: aws.partition reads {source} (set {PARTITIONS_VAR} to change it)");
    }
    let cases =
        endpoint_tests::load(&present, &partitions).unwrap_or_else(|error| panic!("cannot read the cases: {error}"));
    let (models_date, models_date_source) = endpoint_tests::models_date_partitions()
        .unwrap_or_else(|error| panic!("cannot read the partitions data of the models' date: {error}"));
    let skipped = Skipped::parse(include_str!("../skipped.txt"));
    if !args.list {
        for entry in skipped.unused(&cases) {
            eprintln!("note: skipped.txt lists `{entry}`, which is no case of the models");
        }
    }
    let tally = Arc::new(Tally::default());
    let registry = Arc::new(endpoint_tests::Registry::new());
    let trials = cases
        .into_iter()
        .filter_map(|case| {
            let name = case.name();
            if !args.filter.as_deref().is_none_or(|filter| name.contains(filter)) {
                return None;
            }
            let stale = case.check_params().is_err() && case.check_params_with(&models_date).is_ok();
            if stale {
                tally.stale.fetch_add(1, Ordering::Relaxed);
            }
            let ignored = stale || skipped.reason(&case).is_some();
            if ignored {
                tally.skipped.fetch_add(1, Ordering::Relaxed);
            }
            let tally = tally.clone();
            let registry = registry.clone();
            let trial = Trial::test(name, move || match check(&case, &registry, &tally) {
                Ok(()) => {
                    tally.passed.fetch_add(1, Ordering::Relaxed);
                    Ok(())
                }
                Err(message) => {
                    tally.failed.fetch_add(1, Ordering::Relaxed);
                    Err(Failed::from(message))
                }
            });
            Some(trial.with_ignored_flag(ignored))
        })
        .collect();
    let stale = tally.stale.load(Ordering::Relaxed);
    if stale > 0 && !args.list {
        eprintln!(
            "endpoint tests: {stale} cases skipped (ignored trials) because their expectations predate the partitions \
             data: each fails with it and passes with {models_date_source}, the data of the models' date"
        );
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        println!(
            "endpoint tests: {} operation calls of the cases went through generated clients ({} with the request they send checked)",
            tally.calls.load(Ordering::Relaxed),
            tally.requests.load(Ordering::Relaxed)
        );
        println!(
            "endpoint tests: {} passed, {} failed, {} skipped",
            tally.passed.load(Ordering::Relaxed),
            tally.failed.load(Ordering::Relaxed),
            tally.skipped.load(Ordering::Relaxed)
        );
    }
    conclusion.exit();
}
