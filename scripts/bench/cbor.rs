//! rpcv2Cbor against awsJson1_0 (the same operation, generated from one model with each
//! protocol trait) and against `aws-sdk-cloudwatch`, which speaks rpcv2Cbor: one GetMetricData
//! call whose answer holds `RESULTS` metrics of `POINTS` data points each, signed with SigV4,
//! through an in-memory transport; then the codecs alone, writing that output and reading it
//! back. Prints medians of several runs, the clients taking turns run by run.
//!
//! Built and run by `scripts/bench-cbor.sh` (its workspace lives under `target/bench-cbor/`).

use std::sync::Arc;
use std::time::Instant;

use smithy_runtime::client::{Config, Transport, TransportFuture};
use smithy_runtime::primitives::DateTime;
use smithy_runtime::protocol::HttpOperation;

const WARM_UP: usize = 10;
const RUNS: usize = 7;
const CALLS: usize = 50;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

macro_rules! output {
    ($krate:ident, $results:expr, $points:expr) => {{
        use $krate::operation::get_metric_data::GetMetricDataOutput;
        use $krate::types::{MetricDataResult, StatusCode};
        let results = (0..$results)
            .map(|n| {
                MetricDataResult::builder()
                    .id(format!("m{n}"))
                    .label(format!("CPUUtilization of i-{n:017x}"))
                    .timestamps(
                        (0..$points)
                            .map(|point| DateTime::from_secs(1_764_000_000 + 60 * point as i64))
                            .collect::<Vec<_>>(),
                    )
                    .values((0..$points).map(|point| (point as f64 * 0.37).sin() * 50.0 + 50.0).collect::<Vec<_>>())
                    .status_code(StatusCode::Complete)
                    .build()
            })
            .collect::<Vec<_>>();
        GetMetricDataOutput::builder().metric_data_results(results).build()
    }};
}

macro_rules! list_output {
    ($krate:ident, $metrics:expr) => {{
        use $krate::operation::list_metrics::ListMetricsOutput;
        use $krate::types::{Dimension, Metric};
        let metrics = (0..$metrics)
            .map(|n| {
                Metric::builder()
                    .namespace("AWS/EC2")
                    .metric_name(["CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadOps"][n % 4])
                    .dimensions(vec![
                        Dimension::builder().name("InstanceId").value(format!("i-{n:017x}")).build().unwrap(),
                        Dimension::builder().name("AutoScalingGroupName").value(format!("web-{}", n / 50)).build().unwrap(),
                    ])
                    .build()
            })
            .collect::<Vec<_>>();
        ListMetricsOutput::builder()
            .metrics(metrics)
            .next_token("eyJsYXN0IjoiaS0wMDAwMDAwMDAwMDAwMDNlNyJ9")
            .build()
    }};
}

macro_rules! input {
    ($krate:ident) => {{
        use $krate::operation::get_metric_data::GetMetricDataInput;
        use $krate::types::MetricDataQuery;
        GetMetricDataInput::builder()
            .metric_data_queries(vec![MetricDataQuery::builder()
                .id("m0")
                .expression("SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 60)")
                .build()
                .unwrap()])
            .start_time(DateTime::from_secs(1_764_000_000))
            .end_time(DateTime::from_secs(1_764_086_400))
            .build()
            .unwrap()
    }};
}

/// Answers every request with one response.
struct Memory(http::Response<Vec<u8>>);

impl Transport for Memory {
    fn send(&self, _request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let mut response = http::Response::new(self.0.body().clone());
        *response.headers_mut() = self.0.headers().clone();
        Box::pin(async move { Ok(response) })
    }
}

fn config(response: http::Response<Vec<u8>>) -> Config {
    Config::from_transport(Arc::new(Memory(response)))
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
}

/// Nanoseconds per call of each client: the median of `RUNS` runs of `CALLS` calls. With
/// `BENCH_ONLY=name` only that one runs (to profile it); the others read 1 ns.
fn measure(clients: &mut [(&str, &mut dyn FnMut())]) -> Vec<f64> {
    let only = std::env::var("BENCH_ONLY").ok();
    let runs_of = |name: &str| only.as_deref().is_none_or(|only| only == name);
    for (name, call) in clients.iter_mut() {
        if runs_of(name) {
            for _ in 0..WARM_UP {
                call();
            }
        }
    }
    let mut runs = vec![Vec::new(); clients.len()];
    for _ in 0..RUNS {
        for ((name, call), runs) in clients.iter_mut().zip(&mut runs) {
            if !runs_of(name) {
                runs.push(1.0);
                continue;
            }
            let start = Instant::now();
            for _ in 0..CALLS {
                call();
            }
            runs.push(start.elapsed().as_nanos() as f64 / CALLS as f64);
        }
    }
    runs.into_iter()
        .map(|mut runs| {
            runs.sort_by(f64::total_cmp);
            runs[RUNS / 2]
        })
        .collect()
}

fn main() {
    let results = env("RESULTS", 10);
    let points = env("POINTS", 1000);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let cbor_response = cw_cbor::operation::get_metric_data::GetMetricData::serialize_response(&Ok(output!(
        cw_cbor, results, points
    )));
    let json_response = cw_json::operation::get_metric_data::GetMetricData::serialize_response(&Ok(output!(
        cw_json, results, points
    )));
    let (cbor_bytes, json_bytes) = (cbor_response.body().len(), json_response.body().len());
    let copy = |response: &http::Response<Vec<u8>>| {
        let mut copy = http::Response::new(response.body().clone());
        *copy.headers_mut() = response.headers().clone();
        copy
    };

    use cw_cbor::GraniteServiceVersion20100801 as _;
    use cw_json::GraniteServiceVersion20100801 as _;
    let cbor_client = cw_cbor::client::Client::new(&config(copy(&cbor_response)));
    let json_client = cw_json::client::Client::new(&config(copy(&json_response)));
    let expected = results * points;
    let count = |results: Option<usize>| results.unwrap_or(0);
    let mut cbor_call = || {
        let output = runtime.block_on(cbor_client.get_metric_data(input!(cw_cbor))).unwrap();
        let values = output.metric_data_results.map(|results| results.iter().map(|result| result.values.as_ref().map_or(0, Vec::len)).sum());
        assert_eq!(count(values), expected);
    };
    let mut json_call = || {
        let output = runtime.block_on(json_client.get_metric_data(input!(cw_json))).unwrap();
        let values = output.metric_data_results.map(|results| results.iter().map(|result| result.values.as_ref().map_or(0, Vec::len)).sum());
        assert_eq!(count(values), expected);
    };

    let sdk_body = cbor_response.body().clone();
    let sdk_headers = cbor_response.headers().clone();
    let http_client = aws_smithy_http_client::test_util::infallible_client_fn(move |_request| {
        let mut response = http::Response::builder().status(200);
        for (name, value) in &sdk_headers {
            response = response.header(name, value);
        }
        response.body(sdk_body.clone()).unwrap()
    });
    let sdk_config = aws_sdk_cloudwatch::Config::builder()
        .behavior_version(aws_sdk_cloudwatch::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudwatch::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudwatch::config::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .http_client(http_client)
        .build();
    let sdk = aws_sdk_cloudwatch::Client::from_conf(sdk_config);
    let mut sdk_call = || {
        let query = aws_sdk_cloudwatch::types::MetricDataQuery::builder()
            .id("m0")
            .expression("SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 60)")
            .build();
        let output = runtime
            .block_on(
                sdk.get_metric_data()
                    .metric_data_queries(query)
                    .start_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(1_764_000_000))
                    .end_time(aws_sdk_cloudwatch::primitives::DateTime::from_secs(1_764_086_400))
                    .send(),
            )
            .unwrap();
        let values: usize = output.metric_data_results().iter().map(|result| result.values().len()).sum();
        assert_eq!(values, expected);
    };

    // ListMetrics: text rather than numbers.
    let metrics = env("METRICS", 1000);
    type CborList = cw_cbor::operation::list_metrics::ListMetrics;
    type JsonList = cw_json::operation::list_metrics::ListMetrics;
    let cbor_list = CborList::serialize_response(&Ok(list_output!(cw_cbor, metrics)));
    let json_list = JsonList::serialize_response(&Ok(list_output!(cw_json, metrics)));
    let (cbor_list_bytes, json_list_bytes) = (cbor_list.body().len(), json_list.body().len());
    let cbor_lister = cw_cbor::client::Client::new(&config(copy(&cbor_list)));
    let json_lister = cw_json::client::Client::new(&config(copy(&json_list)));
    let list_input = || cw_cbor::operation::list_metrics::ListMetricsInput::builder().namespace("AWS/EC2").build();
    let mut cbor_list_call = || {
        let output = runtime.block_on(cbor_lister.list_metrics(list_input())).unwrap();
        assert_eq!(output.metrics.map_or(0, |metrics| metrics.len()), metrics);
    };
    let mut json_list_call = || {
        let input = cw_json::operation::list_metrics::ListMetricsInput::builder().namespace("AWS/EC2").build();
        let output = runtime.block_on(json_lister.list_metrics(input)).unwrap();
        assert_eq!(output.metrics.map_or(0, |metrics| metrics.len()), metrics);
    };
    let sdk_list_body = cbor_list.body().clone();
    let sdk_list_headers = cbor_list.headers().clone();
    let list_client = aws_smithy_http_client::test_util::infallible_client_fn(move |_request| {
        let mut response = http::Response::builder().status(200);
        for (name, value) in &sdk_list_headers {
            response = response.header(name, value);
        }
        response.body(sdk_list_body.clone()).unwrap()
    });
    let sdk_lister = aws_sdk_cloudwatch::Client::from_conf(
        sdk.config().to_builder().http_client(list_client).build(),
    );
    let mut sdk_list_call = || {
        let output = runtime
            .block_on(sdk_lister.list_metrics().namespace("AWS/EC2").send())
            .unwrap();
        assert_eq!(output.metrics().len(), metrics);
    };

    let measured = measure(&mut [
        ("sdk", &mut sdk_call),
        ("cbor", &mut cbor_call),
        ("json", &mut json_call),
        ("sdk list", &mut sdk_list_call),
        ("cbor list", &mut cbor_list_call),
        ("json list", &mut json_list_call),
    ]);
    let (sdk_ns, cbor_ns, json_ns) = (measured[0], measured[1], measured[2]);
    println!(
        "GetMetricData answering {results} metrics of {points} points: {cbor_bytes} bytes of CBOR, {json_bytes} bytes of JSON.\n"
    );
    println!("| client | µs per call | against the SDK |\n|---|---:|---:|");
    println!("| aws-sdk-cloudwatch (rpcv2Cbor) | {:.0} | 1.0× |", sdk_ns / 1000.0);
    println!("| smithy-codegen, rpcv2Cbor | {:.0} | {:.1}× |", cbor_ns / 1000.0, sdk_ns / cbor_ns);
    println!("| smithy-codegen, awsJson1_0 | {:.0} | {:.1}× |", json_ns / 1000.0, sdk_ns / json_ns);
    println!("\nrpcv2Cbor is {:.2}× the speed of awsJson1_0 per call.\n", json_ns / cbor_ns);
    let (sdk_list_ns, cbor_list_ns, json_list_ns) = (measured[3], measured[4], measured[5]);
    println!(
        "ListMetrics answering {metrics} metrics of two dimensions each: {cbor_list_bytes} bytes of CBOR, {json_list_bytes} bytes of JSON.\n"
    );
    println!("| client | µs per call | against the SDK |\n|---|---:|---:|");
    println!("| aws-sdk-cloudwatch (rpcv2Cbor) | {:.0} | 1.0× |", sdk_list_ns / 1000.0);
    println!(
        "| smithy-codegen, rpcv2Cbor | {:.0} | {:.1}× |",
        cbor_list_ns / 1000.0,
        sdk_list_ns / cbor_list_ns
    );
    println!(
        "| smithy-codegen, awsJson1_0 | {:.0} | {:.1}× |",
        json_list_ns / 1000.0,
        sdk_list_ns / json_list_ns
    );
    println!("\nrpcv2Cbor is {:.2}× the speed of awsJson1_0 per call.\n", json_list_ns / cbor_list_ns);

    // The codecs alone: the server writing the output, the client reading it back.
    let cbor_output = output!(cw_cbor, results, points);
    let json_output = output!(cw_json, results, points);
    type CborOp = cw_cbor::operation::get_metric_data::GetMetricData;
    type JsonOp = cw_json::operation::get_metric_data::GetMetricData;
    let cbor_result = Ok(cbor_output);
    let json_result = Ok(json_output);
    let mut cbor_write = || {
        std::hint::black_box(CborOp::serialize_response(&cbor_result));
    };
    let mut json_write = || {
        std::hint::black_box(JsonOp::serialize_response(&json_result));
    };
    let mut cbor_read = || {
        std::hint::black_box(CborOp::parse_response(&cbor_response).unwrap());
    };
    let mut json_read = || {
        std::hint::black_box(JsonOp::parse_response(&json_response).unwrap());
    };
    let codec = measure(&mut [
        ("cbor write", &mut cbor_write),
        ("json write", &mut json_write),
        ("cbor read", &mut cbor_read),
        ("json read", &mut json_read),
    ]);
    let mb_per_s = |bytes: usize, ns: f64| bytes as f64 / ns * 1000.0;
    let values = (results * points) as f64;
    let per_s = |ns: f64| values / ns * 1e9 / 1e6;
    println!("| codec | direction | µs | MB/s | million data points/s |\n|---|---|---:|---:|---:|");
    for (name, direction, bytes, ns) in [
        ("CBOR", "write", cbor_bytes, codec[0]),
        ("JSON", "write", json_bytes, codec[1]),
        ("CBOR", "read", cbor_bytes, codec[2]),
        ("JSON", "read", json_bytes, codec[3]),
    ] {
        println!(
            "| {name} | {direction} | {:.0} | {:.0} | {:.1} |",
            ns / 1000.0,
            mb_per_s(bytes, ns),
            per_s(ns)
        );
    }
    println!(
        "\nCBOR writes {:.2}× and reads {:.2}× as fast as JSON, in {:.0}% of the bytes.",
        codec[1] / codec[0],
        codec[3] / codec[2],
        100.0 * cbor_bytes as f64 / json_bytes as f64
    );
}
