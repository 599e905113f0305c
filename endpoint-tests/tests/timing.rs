//! How long parsing a rule set and resolving an endpoint take, for amplifybackend's rule set
//! (a typical AWS one) and S3's (the largest); and, for models of 2026 that carry both, the tree
//! against the decision diagram. A measurement, not a check, so it is ignored:
//!
//! ```sh
//! cargo test -p endpoint-tests --release --test timing -- --ignored --nocapture
//! ```

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;
use smithy_runtime::endpoint::{Params, RuleSet};

/// The rule set of the first model in the model directories whose file name starts with `prefix`.
fn rule_set_json(prefix: &str) -> Option<(PathBuf, String)> {
    for dir in endpoint_tests::model_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if !path.file_name()?.to_string_lossy().starts_with(prefix) {
                continue;
            }
            let model: Value = serde_json::from_str(&std::fs::read_to_string(&path).ok()?).ok()?;
            let rule_set = model["shapes"]
                .as_object()?
                .values()
                .find_map(|shape| shape.get("traits")?.get("smithy.rules#endpointRuleSet"))?;
            return Some((path, rule_set.to_string()));
        }
    }
    None
}

fn time<T>(iterations: u32, mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..iterations / 10 {
        black_box(f());
    }
    let start = Instant::now();
    for _ in 0..iterations {
        black_box(f());
    }
    start.elapsed() / iterations
}

fn report(prefix: &str, cases: &[(&str, Params)], resolutions: u32) {
    let Some((path, json)) = rule_set_json(prefix) else {
        eprintln!("note: no {prefix} model in the model directories");
        return;
    };
    let rule_set = RuleSet::from_json(&json).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let parse = time(200, || RuleSet::from_json(black_box(&json)).is_ok());
    println!("{prefix}: rule set of {} bytes parsed in {parse:?}", json.len());
    for (what, params) in cases {
        let outcome = rule_set.resolve(params);
        let per_call = time(resolutions, || rule_set.resolve(black_box(params)));
        let shown = match &outcome {
            Ok(endpoint) => endpoint.url.clone(),
            Err(error) => format!("error: {error}"),
        };
        println!("{prefix}: {what}: {per_call:?} per resolution ({resolutions} resolutions) -> {shown}");
    }
}

#[test]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
fn resolution_time() {
    let regional = Params::new()
        .with("Region", "us-east-1")
        .with("UseFIPS", false)
        .with("UseDualStack", false);
    let fips_dual_stack = Params::new()
        .with("Region", "us-gov-west-1")
        .with("UseFIPS", true)
        .with("UseDualStack", true);
    let custom = Params::new()
        .with("Region", "us-east-1")
        .with("Endpoint", "https://example.com");
    let unknown_region = Params::new().with("Region", "xx-unknown-9");
    report(
        "amplifybackend",
        &[
            ("us-east-1", regional.clone()),
            ("us-gov-west-1 FIPS dual-stack", fips_dual_stack),
            ("custom endpoint", custom),
            ("unlisted region", unknown_region),
        ],
        100_000,
    );
    let bucket = regional.clone().with("Bucket", "my-bucket").with("Key", "a/b");
    let arn = regional
        .clone()
        .with("Bucket", "arn:aws:s3:us-east-1:123456789012:accesspoint:myendpoint");
    report(
        "s3-",
        &[("virtual-hosted bucket", bucket), ("access point ARN", arn)],
        100_000,
    );
}

#[test]
#[ignore = "a measurement: run it in release mode with --ignored --nocapture"]
fn tree_against_decision_diagram() {
    let dir = endpoint_tests::workspace_root().join("../shared/models/aws-2026");
    let regional = Params::new()
        .with("Region", "us-east-1")
        .with("UseFIPS", false)
        .with("UseDualStack", false);
    let fips = Params::new()
        .with("Region", "us-gov-west-1")
        .with("UseFIPS", true)
        .with("UseDualStack", true);
    let bucket = regional.clone().with("Bucket", "my-bucket").with("Key", "a/b");
    let arn = regional
        .clone()
        .with("Bucket", "arn:aws:s3:us-east-1:123456789012:accesspoint:myendpoint");
    for (file, cases) in [
        (
            "sts.json",
            vec![
                ("us-east-1", regional.clone()),
                ("us-gov-west-1 FIPS dual-stack", fips.clone()),
            ],
        ),
        (
            "dynamodb.json",
            vec![
                ("us-east-1", regional.clone()),
                ("us-gov-west-1 FIPS dual-stack", fips.clone()),
            ],
        ),
        (
            "s3.json",
            vec![("virtual-hosted bucket", bucket), ("access point ARN", arn)],
        ),
    ] {
        let path = dir.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("note: {} is missing", path.display());
            continue;
        };
        let model: Value = serde_json::from_str(&text).expect("the model is JSON");
        let service = model["shapes"]
            .as_object()
            .and_then(|shapes| shapes.values().find(|shape| shape["type"] == "service"))
            .expect("the model has a service");
        for form in ["smithy.rules#endpointRuleSet", "smithy.rules#endpointBdd"] {
            let json = service["traits"][form].to_string();
            let rule_set = RuleSet::from_json(&json).expect("the rules parse");
            let parse = time(200, || RuleSet::from_json(black_box(&json)).is_ok());
            println!("{file} {form}: {} bytes parsed in {parse:?}", json.len());
            let bytes = rule_set.to_bytes();
            let read = time(200, || RuleSet::from_bytes(black_box(&bytes)).is_ok());
            println!("{file} {form}: {} bytes read from bytes in {read:?}", bytes.len());
            for (what, params) in &cases {
                let outcome = rule_set.resolve(params);
                let per_call = time(100_000, || rule_set.resolve(black_box(params)));
                let shown = match &outcome {
                    Ok(endpoint) => endpoint.url.clone(),
                    Err(error) => format!("error: {error}"),
                };
                println!("{file} {form}: {what}: {per_call:?} per resolution -> {shown}");
            }
        }
    }
}
