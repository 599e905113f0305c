//! One GetBackendAuth call through an in-memory transport, ours against the official SDK with
//! its HTTP client replaced by an in-memory one: build the input, serialize the request, answer
//! with the full response, parse it. Prints nanoseconds per call, the median of several runs.
//!
//! Built and run by `scripts/bench.sh` (its workspace lives under `target/bench/`). With
//! `PERCALL_ONLY=signed`, `unsigned` or `sdk`, only that client is measured (to profile it).

use std::time::Instant;

use amplifybackend_one::operation::get_backend_auth::GetBackendAuthInput;
use amplifybackend_one::AmplifyBackend;
use smithy_runtime::client::{Transport, TransportFuture};

const WARM_UP: usize = 2_000;
const RUNS: usize = 7;

/// Calls per run: 20,000, or `PERCALL_CALLS` (fewer, under a profiler that counts
/// instructions).
fn calls() -> usize {
    std::env::var("PERCALL_CALLS")
        .ok()
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(20_000)
}

/// Answers every request with the full GetBackendAuth response.
struct Memory(Vec<u8>);

impl Transport for Memory {
    fn send(&self, _request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let body = self.0.clone();
        Box::pin(async move {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(body)?)
        })
    }
}

/// Nanoseconds per call of each client, the median of `RUNS` runs of [`calls`] calls after a
/// warm-up. The clients take turns run by run, so that the machine's slow moments fall on
/// each of them alike. With `PERCALL_ONLY`, only the client it names runs (0 for the others).
fn measure(clients: &mut [(&str, &mut dyn FnMut())]) -> Vec<f64> {
    let only = std::env::var("PERCALL_ONLY").ok();
    let runs_of = |name: &str| only.as_deref().is_none_or(|only| only == name);
    for (name, call) in clients.iter_mut() {
        if runs_of(name) {
            for _ in 0..WARM_UP {
                call();
            }
        }
    }
    let calls = calls();
    let mut runs = vec![Vec::new(); clients.len()];
    for _ in 0..RUNS {
        for ((name, call), runs) in clients.iter_mut().zip(&mut runs) {
            if !runs_of(name) {
                runs.push(0.0);
                continue;
            }
            let start = Instant::now();
            for _ in 0..calls {
                call();
            }
            runs.push(start.elapsed().as_nanos() as f64 / calls as f64);
        }
    }
    runs.into_iter()
        .map(|mut runs| {
            runs.sort_by(f64::total_cmp);
            runs[RUNS / 2]
        })
        .collect()
}

/// The input of every call, built anew each time as a caller would.
fn input() -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id("d1abc")
        .backend_environment_name("staging")
        .resource_name("auth")
        .build()
        .unwrap()
}

fn main() {
    let path = std::env::args().nth(1).expect("the response fixture's path");
    let body = std::fs::read(&path).expect("the response fixture");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    // Ours as an AWS user configures it: the region's endpoint from the rules (resolved once per
    // client), every request signed with SigV4.
    let config = smithy_runtime::client::Config::from_transport(std::sync::Arc::new(Memory(body.clone())))
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ));
    let ours = amplifybackend_one::client::Client::new(&config);
    let mut signed_call = || {
        let output = runtime.block_on(ours.get_backend_auth(input())).unwrap();
        assert!(output.resource_config.is_some());
    };
    let unsigned = amplifybackend_one::client::Client::with_endpoint(
        Memory(body.clone()),
        "https://amplifybackend.us-east-1.amazonaws.com",
    );
    let mut unsigned_call = || {
        let output = runtime.block_on(unsigned.get_backend_auth(input())).unwrap();
        assert!(output.resource_config.is_some());
    };

    let response_body = body.clone();
    let http_client = aws_smithy_http_client::test_util::infallible_client_fn(move |_request| {
        http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(response_body.clone())
            .unwrap()
    });
    let config = aws_sdk_amplifybackend::Config::builder()
        .behavior_version(aws_sdk_amplifybackend::config::BehaviorVersion::latest())
        .region(aws_sdk_amplifybackend::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_amplifybackend::config::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .http_client(http_client)
        .build();
    let sdk = aws_sdk_amplifybackend::Client::from_conf(config);
    let mut sdk_call = || {
        let output = runtime
            .block_on(
                sdk.get_backend_auth()
                    .app_id("d1abc")
                    .backend_environment_name("staging")
                    .resource_name("auth")
                    .send(),
            )
            .unwrap();
        assert!(output.resource_config.is_some());
    };

    let measured = measure(&mut [
        ("sdk", &mut sdk_call),
        ("signed", &mut signed_call),
        ("unsigned", &mut unsigned_call),
    ]);
    let (sdk_ns, ours_ns, unsigned_ns) = (measured[0], measured[1], measured[2]);
    println!("| client | ns per call | ratio |\n|---|---:|---:|");
    println!("| aws-sdk-amplifybackend {} (signs with SigV4) | {sdk_ns:.0} | 1.0× |", "1.120.0");
    println!("| smithy-codegen, signing with SigV4, endpoint from the rules | {ours_ns:.0} | {:.1}× |", sdk_ns / ours_ns);
    println!("| smithy-codegen, unsigned, endpoint given | {unsigned_ns:.0} | {:.1}× |", sdk_ns / unsigned_ns);
}
