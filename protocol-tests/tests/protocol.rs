//! Runs every protocol test case of the protocol-test model as one trial,
//! `<service>::<kind>::<case id>`, with libtest's command line: filters, `--exact`, `--list`,
//! `--ignored`; nextest runs it too. Cases of restJson1, awsJson1_0, awsJson1_1, restXml,
//! awsQuery and ec2Query run against the generated services; the cases of the other protocols
//! (`protocol not implemented`) and those in `skipped.txt` are ignored trials. The last lines
//! are one per protocol of the suite, `<protocol> protocol tests: N passed, M failed, K
//! skipped`, then one per protocol with `eventStreamTests` cases, which are counted apart:
//! `<protocol> event stream tests: N passed, M failed, K skipped`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Failed, Trial};
use protocol_tests::protocols::PROTOCOLS;
use protocol_tests::{services, Skipped};

#[derive(Default, Clone, Copy)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

fn main() {
    let args = Arguments::from_args();
    if !services::MODEL_FOUND {
        let message = format!(
            "SKIPPED: protocol tests: the model {} does not exist (set PROTOCOL_TESTS_MODEL)",
            services::MODEL
        );
        if std::env::var("CI").as_deref() == Ok("true") {
            eprintln!("\n*** {message}; in CI it must be present ***\n");
            std::process::exit(1);
        }
        if !args.list {
            eprintln!("\n*** {message} ***\n");
            for (_, protocol) in PROTOCOLS {
                println!("{protocol} protocol tests: 0 passed, 0 failed, 0 skipped");
            }
        }
        return;
    }
    let skipped = Skipped::parse(include_str!("../skipped.txt"));
    let cases = protocol_tests::cases().unwrap_or_else(|error| panic!("cannot read the cases: {error}"));
    if !args.list {
        let plain: Vec<_> = cases.iter().map(|(case, _)| case.clone()).collect();
        for entry in skipped.unused(&plain) {
            eprintln!("note: skipped.txt lists `{entry}`, which is no case of the model");
        }
    }
    // By protocol, and whether of event streams.
    let tallies: Arc<Mutex<BTreeMap<(&'static str, bool), Tally>>> = Arc::default();
    let trials = cases
        .into_iter()
        .filter(|(case, _)| args.filter.as_deref().is_none_or(|filter| case.name().contains(filter)))
        .map(|(case, service)| {
            let ignored = case.unsupported.is_some() || skipped.reason(case.kind, &case.id).is_some();
            let protocol = (case.protocol, case.kind.is_event_stream());
            if ignored {
                tallies.lock().unwrap().entry(protocol).or_default().skipped += 1;
            }
            let tallies = tallies.clone();
            let name = case.name();
            Trial::test(name, move || {
                let result = protocol_tests::run(&case, service);
                let mut tallies = tallies.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let tally = tallies.entry(protocol).or_default();
                match result {
                    Ok(()) => {
                        tally.passed += 1;
                        Ok(())
                    }
                    Err(message) => {
                        tally.failed += 1;
                        Err(Failed::from(message))
                    }
                }
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        let tallies = tallies.lock().unwrap();
        for (_, protocol) in PROTOCOLS {
            let tally = tallies.get(&(protocol, false)).copied().unwrap_or_default();
            println!(
                "{protocol} protocol tests: {} passed, {} failed, {} skipped",
                tally.passed, tally.failed, tally.skipped
            );
        }
        for (_, protocol) in PROTOCOLS {
            if let Some(tally) = tallies.get(&(protocol, true)) {
                println!(
                    "{protocol} event stream tests: {} passed, {} failed, {} skipped",
                    tally.passed, tally.failed, tally.skipped
                );
            }
        }
    }
    conclusion.exit();
}
