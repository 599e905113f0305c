//! Runs every restJson1 protocol test case of the AWS protocol-test model as one trial
//! (`<service>::<request|response|malformed>::<case id>`), with libtest's command line:
//! filters, `--exact`, `--list`, `--ignored`; nextest runs it too. Cases in `skipped.txt` are
//! ignored trials. The last line is `restJson1 protocol tests: N passed, M failed, K skipped`.

use libtest_mimic::{Arguments, Failed, Trial};
use protocol_tests::{services, Skipped};

fn main() {
    let args = Arguments::from_args();
    if !services::MODEL_FOUND {
        let message = format!(
            "SKIPPED: restJson1 protocol tests: the model {} does not exist (set PROTOCOL_TESTS_MODEL)",
            services::MODEL
        );
        if std::env::var("CI").as_deref() == Ok("true") {
            eprintln!("\n*** {message}; in CI it must be present ***\n");
            std::process::exit(1);
        }
        if !args.list {
            eprintln!("\n*** {message} ***\n");
            println!("restJson1 protocol tests: 0 passed, 0 failed, 0 skipped");
        }
        return;
    }
    let skipped = Skipped::parse(include_str!("../skipped.txt"));
    let cases = protocol_tests::cases();
    if !args.list {
        for id in skipped.unused(&cases) {
            eprintln!("note: skipped.txt lists `{id}`, which is no case of the model");
        }
    }
    let trials = cases
        .iter()
        .map(|case| {
            let run = case.run;
            let trial = Trial::test(case.name(), move || run().map_err(Failed::from));
            trial.with_ignored_flag(skipped.reason(&case.id).is_some())
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if !args.list {
        println!(
            "restJson1 protocol tests: {} passed, {} failed, {} skipped",
            conclusion.num_passed, conclusion.num_failed, conclusion.num_ignored
        );
    }
    conclusion.exit();
}
