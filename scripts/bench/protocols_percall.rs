//! One call per protocol through an in-memory transport, ours against the official crate with its
//! HTTP client replaced by an in-memory one: DynamoDB GetItem (awsJson1_0) returning an item of
//! a dozen attributes, and STS AssumeRole (awsQuery) returning a role's credentials. Both clients
//! sign with SigV4 and take the endpoint from the region through the service's rules. Each call
//! builds its input, serializes and signs the request, and parses the whole response. Prints a
//! Markdown table: microseconds per call, the median of several runs, clients taking turns run
//! by run.
//!
//! Built and run by `scripts/bench-percall.sh` (its workspace lives under
//! `target/bench-percall/`). With `PERCALL_ONLY=<client>` (`ours-dynamodb`, `sdk-dynamodb`,
//! `ours-sts`, `sdk-sts`), only that client is measured (to profile it).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use smithy_runtime::client::{Transport, TransportFuture};

const WARM_UP: usize = 2_000;
const RUNS: usize = 7;
const CALLS: usize = 10_000;
const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A GetItem response as DynamoDB writes it: one item of strings, numbers, a binary, a boolean,
/// a string set, a list and a nested map.
const GET_ITEM_RESPONSE: &str = r#"{"Item":{"pk":{"S":"customer#1842"},"sk":{"S":"order#2026-12-04#00017"},"status":{"S":"SHIPPED"},"total":{"N":"129.95"},"items":{"N":"3"},"express":{"BOOL":true},"note":{"NULL":true},"receipt":{"B":"dGhpcyBpcyBhIHJlY2VpcHQgaW4gYmluYXJ5"},"tags":{"SS":["gift","priority","fragile"]},"history":{"L":[{"S":"CREATED"},{"S":"PAID"},{"S":"SHIPPED"}]},"address":{"M":{"street":{"S":"12 Harbour Road"},"city":{"S":"Portsmouth"},"postcode":{"S":"PO1 3AX"},"country":{"S":"GB"}}},"updatedAt":{"N":"1796385600"}}}"#;

/// An AssumeRole response as STS writes it.
const ASSUME_ROLE_RESPONSE: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>deploy-bot</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/deploy/deploy-session</Arn>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:deploy-session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEMv//////////wEaCXVzLWVhc3QtMSJHMEUCIDoKK3JH9uGQE1z0sINr5M4jk+Na8KHDcCYRVjJCZEvOAiEA3OvJGtw1EcViOleS2vhs8VdCKFJQWPQrmGdeehM4IC0qmwIIdBAAGgwxMjM0NTY3ODkwMTIiDB2KfdLLKb1D97wvVCr4AfXnAR/1Cr0EvOGjS1ApMdXV9NfS+LD4oLAJQLkDfIzj2aJIvRZCKiAhPs0sAQjBT1cXcYDH6lLdJsYiW+b4A6uUR/XL6ld4Bo9UvBTTbEnBvhZ/6JdiN5wgDz9ib1lN5vdBxy5FkqzAKdhBw==</SessionToken>
      <Expiration>2026-12-04T19:44:02Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/deploy";

/// Answers every request with one body.
struct Memory(Vec<u8>, &'static str);

impl Transport for Memory {
    fn send(&self, _request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let body = self.0.clone();
        let content_type = self.1;
        Box::pin(async move {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", content_type)
                .body(body)?)
        })
    }
}

/// Nanoseconds per call of each client, the median of `RUNS` runs of `CALLS` calls after a
/// warm-up. The clients take turns run by run. With `PERCALL_ONLY`, only the client it names
/// runs (0 for the others).
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

fn ours_config(body: &str, content_type: &'static str) -> smithy_runtime::client::Config {
    smithy_runtime::client::Config::from_transport(Arc::new(Memory(body.as_bytes().to_vec(), content_type)))
        .with_region("us-east-1")
        .with_credentials(smithy_runtime::auth::Credentials::from_keys(ACCESS_KEY, SECRET_KEY))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let sdk_credentials = || aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "bench");
    let sdk_client = |body: &'static str, content_type: &'static str| {
        aws_smithy_http_client::test_util::infallible_client_fn(move |_request| {
            http::Response::builder()
                .status(200)
                .header("content-type", content_type)
                .body(body)
                .unwrap()
        })
    };

    // DynamoDB GetItem, awsJson1_0.
    let config = ours_config(GET_ITEM_RESPONSE, "application/x-amz-json-1.0");
    let ours_dynamodb = dynamodb_getitem::client::Client::new(&config);
    let mut ours_dynamodb_call = || {
        use dynamodb_getitem::service::DynamoDb20120810;
        use dynamodb_getitem::types::AttributeValue;
        let input = dynamodb_getitem::operation::get_item::GetItemInput::builder()
            .table_name("orders")
            .key(HashMap::from([
                ("pk".to_owned(), AttributeValue::S("customer#1842".to_owned())),
                ("sk".to_owned(), AttributeValue::S("order#2026-12-04#00017".to_owned())),
            ]))
            .build()
            .unwrap();
        let output = runtime.block_on(ours_dynamodb.get_item(input)).unwrap();
        assert_eq!(output.item.map(|item| item.len()), Some(12));
    };
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(sdk_credentials())
        .http_client(sdk_client(GET_ITEM_RESPONSE, "application/x-amz-json-1.0"))
        .build();
    let sdk_dynamodb = aws_sdk_dynamodb::Client::from_conf(config);
    let mut sdk_dynamodb_call = || {
        use aws_sdk_dynamodb::types::AttributeValue;
        let output = runtime
            .block_on(
                sdk_dynamodb
                    .get_item()
                    .table_name("orders")
                    .key("pk", AttributeValue::S("customer#1842".to_owned()))
                    .key("sk", AttributeValue::S("order#2026-12-04#00017".to_owned()))
                    .send(),
            )
            .unwrap();
        assert_eq!(output.item.map(|item| item.len()), Some(12));
    };

    // STS AssumeRole, awsQuery.
    let config = ours_config(ASSUME_ROLE_RESPONSE, "text/xml");
    let ours_sts = sts_assumerole::client::Client::new(&config);
    let mut ours_sts_call = || {
        use sts_assumerole::service::AwsSecurityTokenServiceV20110615;
        let input = sts_assumerole::operation::assume_role::AssumeRoleInput::builder()
            .role_arn(ROLE_ARN)
            .role_session_name("deploy-session")
            .build()
            .unwrap();
        let output = runtime.block_on(ours_sts.assume_role(input)).unwrap();
        assert_eq!(output.source_identity.as_deref(), Some("deploy-bot"));
        assert!(output.credentials.is_some());
    };
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(sdk_credentials())
        .http_client(sdk_client(ASSUME_ROLE_RESPONSE, "text/xml"))
        .build();
    let sdk_sts = aws_sdk_sts::Client::from_conf(config);
    let mut sdk_sts_call = || {
        let output = runtime
            .block_on(sdk_sts.assume_role().role_arn(ROLE_ARN).role_session_name("deploy-session").send())
            .unwrap();
        assert_eq!(output.source_identity.as_deref(), Some("deploy-bot"));
        assert!(output.credentials.is_some());
    };

    let measured = measure(&mut [
        ("sdk-dynamodb", &mut sdk_dynamodb_call),
        ("ours-dynamodb", &mut ours_dynamodb_call),
        ("sdk-sts", &mut sdk_sts_call),
        ("ours-sts", &mut ours_sts_call),
    ]);
    println!("| call | official crate µs | ours µs | ratio |\n|---|---:|---:|---:|");
    println!(
        "| DynamoDB GetItem (awsJson1_0), {} bytes | {:.1} | {:.1} | {:.1}× |",
        GET_ITEM_RESPONSE.len(),
        measured[0] / 1000.0,
        measured[1] / 1000.0,
        measured[0] / measured[1]
    );
    println!(
        "| STS AssumeRole (awsQuery), {} bytes | {:.1} | {:.1} | {:.1}× |",
        ASSUME_ROLE_RESPONSE.len(),
        measured[2] / 1000.0,
        measured[3] / 1000.0,
        measured[2] / measured[3]
    );
}
