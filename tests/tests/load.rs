//! A load test of the generated client and server together over loopback: 10,000 calls over
//! 50 connections (50 tasks sharing one client, whose pool keeps a connection per task). It
//! checks that every call succeeds and prints the latency percentiles; `scripts/load.sh` runs it
//! optimised and BENCHMARKS.md records the figures.

use std::time::{Duration, Instant};

use amplifybackend::client::{Client, HyperTransport};
use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput};
use amplifybackend::AmplifyBackend;
use tokio::net::TcpListener;

struct Echo;

impl AmplifyBackend for Echo {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        Ok(GetBackendAuthOutput::builder()
            .app_id(input.app_id)
            .backend_environment_name(input.backend_environment_name)
            .build())
    }
}

const CONNECTIONS: usize = 50;
const REQUESTS: usize = 10_000;

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_over_fifty_connections_all_succeed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    tokio::spawn(amplifybackend::server::serve(
        listener,
        amplifybackend::server::Server::new(Echo),
    ));
    let client = Client::with_endpoint(HyperTransport::new(), format!("http://{addr}"));

    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..CONNECTIONS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(REQUESTS / CONNECTIONS);
            let mut errors = Vec::new();
            for call in 0..REQUESTS / CONNECTIONS {
                let app_id = format!("app{task}x{call}");
                let input = GetBackendAuthInput::builder()
                    .app_id(&app_id)
                    .backend_environment_name("staging")
                    .resource_name("auth")
                    .build()
                    .expect("every required member is set");
                let sent = Instant::now();
                match client.get_backend_auth(input).await {
                    Ok(output) if output.app_id.as_deref() == Some(app_id.as_str()) => latencies.push(sent.elapsed()),
                    Ok(output) => errors.push(format!("answered for {:?}, not {app_id}", output.app_id)),
                    Err(error) => errors.push(error.to_string()),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::with_capacity(REQUESTS);
    let mut errors = Vec::new();
    let all = async {
        for task in tasks {
            let (mut done, mut failed) = task.await.expect("no task panicked");
            latencies.append(&mut done);
            errors.append(&mut failed);
        }
    };
    // Bounded: a stuck server or client fails the test rather than hanging it.
    tokio::time::timeout(Duration::from_secs(300), all)
        .await
        .expect("10,000 calls finish within 5 minutes");
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "load: {REQUESTS} calls over {CONNECTIONS} connections in {:.2} s ({:.0} calls/s): p50 {:?}, p99 {:?}, max {:?}, {} errors",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} calls failed, first: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(latencies.len(), REQUESTS);
}
