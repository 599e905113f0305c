//! One S3 ListObjectsV2 call whose response lists 1,000 keys (about 300 KB of XML), through an
//! in-memory transport: ours against `aws-sdk-s3` with its HTTP client replaced by an in-memory
//! one. Both sign with SigV4 and take the endpoint from the region through S3's endpoint rules.
//! Prints nanoseconds per call, the median of several runs, clients taking turns run by run.
//!
//! Built and run by `scripts/bench-s3.sh` (its workspace lives under `target/bench-s3/`). With
//! `PERCALL_ONLY=ours` or `sdk`, only that client is measured (to profile it).

use std::time::Instant;

use s3_three::operation::list_objects_v2::ListObjectsV2Input;
use s3_three::service::AmazonS3;
use smithy_runtime::client::{Transport, TransportFuture};

const WARM_UP: usize = 20;
const RUNS: usize = 7;
const CALLS: usize = 100;
const KEYS: usize = 1_000;

/// The ListObjectsV2 response: `KEYS` objects, as S3 writes them.
fn response() -> Vec<u8> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>my-bucket</Name><Prefix>logs/</Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>",
    );
    for n in 0..KEYS {
        xml.push_str(&format!(
            "<Contents><Key>logs/2026/12/04/app-server-{n:05}.log.gz</Key><LastModified>2026-12-04T{:02}:{:02}:{:02}.000Z</LastModified><ETag>&quot;{:032x}&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>{}</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>",
            n / 3600 % 24,
            n / 60 % 60,
            n % 60,
            n as u128 * 0x9e37_79b9_7f4a_7c15,
            1000 + n * 37,
        ));
    }
    xml.push_str("</ListBucketResult>");
    xml.into_bytes()
}

/// Answers every request with the listing.
struct Memory(Vec<u8>);

impl Transport for Memory {
    fn send(&self, _request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let body = self.0.clone();
        Box::pin(async move {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/xml")
                .body(body)?)
        })
    }
}

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
    let mut runs = vec![Vec::new(); clients.len()];
    for _ in 0..RUNS {
        for ((name, call), runs) in clients.iter_mut().zip(&mut runs) {
            if !runs_of(name) {
                runs.push(0.0);
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
    let body = response();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let config = smithy_runtime::client::Config::from_transport(std::sync::Arc::new(Memory(body.clone())))
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ));
    let ours = s3_three::client::Client::new(&config);
    let mut ours_call = || {
        let input = ListObjectsV2Input::builder().bucket("my-bucket").prefix("logs/").build().unwrap();
        let output = runtime.block_on(ours.list_objects_v2(input)).unwrap();
        assert_eq!(output.contents.map(|contents| contents.len()), Some(KEYS));
    };

    let response_body = body.clone();
    let http_client = aws_smithy_http_client::test_util::infallible_client_fn(move |_request| {
        http::Response::builder()
            .status(200)
            .header("content-type", "application/xml")
            .body(response_body.clone())
            .unwrap()
    });
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .http_client(http_client)
        .build();
    let sdk = aws_sdk_s3::Client::from_conf(config);
    let mut sdk_call = || {
        let output = runtime
            .block_on(sdk.list_objects_v2().bucket("my-bucket").prefix("logs/").send())
            .unwrap();
        assert_eq!(output.contents.map(|contents| contents.len()), Some(KEYS));
    };

    let measured = measure(&mut [("sdk", &mut sdk_call), ("ours", &mut ours_call)]);
    let (sdk_ns, ours_ns) = (measured[0], measured[1]);
    println!("Response: {} bytes, {KEYS} keys.\n", body.len());
    println!("| client | µs per call | ratio |\n|---|---:|---:|");
    println!("| aws-sdk-s3 (signs with SigV4) | {:.0} | 1.0× |", sdk_ns / 1000.0);
    println!(
        "| smithy-codegen, signing with SigV4, endpoint from the rules | {:.0} | {:.1}× |",
        ours_ns / 1000.0,
        sdk_ns / ours_ns
    );
}
