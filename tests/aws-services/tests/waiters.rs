//! Waiters of the generated clients (`smithy.waiters#waitable`) against loopback servers that
//! move a resource through its states, one answer per request: S3 `BucketExists` and
//! `BucketNotExists` (HeadBucket, acceptors on success and on the `NotFound` error), DynamoDB
//! `TableExists` (DescribeTable, an acceptor on an output path) and IAM `RoleExists` (GetRole,
//! awsQuery's `NoSuchEntity`). The clients' timer returns at once and counts the waits asked
//! for, so that the delays the specification sets are checked without waiting them.
//!
//! Pins: each waiter succeeds on the attempt whose answer an acceptor of the success state
//! matches, retrying before it; waits start at the waiter's minimum delay; an error no acceptor
//! expects stops the waiter with that error; a resource that never gets there times out within
//! the time allowed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_services::{dynamodb, iam, s3};
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::waiter::WaiterError;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig, Sleep, SleepFuture};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A timer that returns at once and keeps the waits it was asked for.
#[derive(Debug, Default, Clone)]
struct Waits(Arc<Mutex<Vec<Duration>>>);

impl Sleep for Waits {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// Answers the `n`th request with `answers[n]` (status, extra headers, body), the last one
/// again after the end; returns the endpoint and the number of requests served.
async fn serve(answers: Vec<(u16, &'static str, String)>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let served = Arc::new(Mutex::new(0usize));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answers = answers.clone();
            let count = count.clone();
            tokio::spawn(async move {
                loop {
                    // A request: its head, then its body by its length.
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match stream.read(&mut byte).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => head.push(byte[0]),
                        }
                    }
                    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                    let length: usize = text
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let index = {
                        let mut served = count.lock().unwrap();
                        *served += 1;
                        *served - 1
                    };
                    let (status, headers, body) = &answers[index.min(answers.len() - 1)];
                    let response = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n{headers}\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (endpoint, served)
}

fn config(endpoint: &str, waits: &Waits) -> Config {
    Config::new(HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys("AKID", "SECRET"))
        .with_retry(RetryConfig::disabled())
        .with_sleep(waits.clone())
}

fn head_bucket() -> s3::operation::head_bucket::HeadBucketInput {
    s3::operation::head_bucket::HeadBucketInput::builder()
        .bucket("new-bucket")
        .build()
        .expect("the input is complete")
}

#[tokio::test]
async fn bucket_exists_retries_not_found_until_the_bucket_is_there() {
    if !aws_services::models_found() {
        return;
    }
    let not_found = (404, "", String::new());
    let (endpoint, served) = serve(vec![
        not_found.clone(),
        not_found,
        (200, "x-amz-bucket-region: us-east-1\r\n", String::new()),
    ])
    .await;
    let waits = Waits::default();
    let client = s3::client::Client::new(&config(&endpoint, &waits));
    let output = client
        .wait_until_bucket_exists(head_bucket(), Duration::from_secs(120))
        .await
        .expect("the waiter succeeds")
        .expect("with the bucket's output");
    assert_eq!(output.bucket_region.as_deref(), Some("us-east-1"));
    assert_eq!(*served.lock().unwrap(), 3);
    let waits = waits.0.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "{waits:?}");
    // BucketExists waits at least 5 seconds, the second wait at most 10.
    assert!(waits[0] == Duration::from_secs(5), "{waits:?}");
    assert!(
        waits[1] >= Duration::from_secs(5) && waits[1] <= Duration::from_secs(10),
        "{waits:?}"
    );
}

#[tokio::test]
async fn bucket_not_exists_succeeds_on_the_error_it_waits_for() {
    if !aws_services::models_found() {
        return;
    }
    let (endpoint, served) = serve(vec![(200, "", String::new()), (404, "", String::new())]).await;
    let waits = Waits::default();
    let client = s3::client::Client::new(&config(&endpoint, &waits));
    let last = client
        .wait_until_bucket_not_exists(head_bucket(), Duration::from_secs(60))
        .await
        .expect("the waiter succeeds");
    assert!(
        matches!(last, Err(s3::operation::head_bucket::HeadBucketError::NotFound(_))),
        "{last:?}"
    );
    assert_eq!(*served.lock().unwrap(), 2);
}

#[tokio::test]
async fn an_error_no_acceptor_expects_stops_the_waiter_and_time_runs_out() {
    if !aws_services::models_found() {
        return;
    }
    let (endpoint, _) = serve(vec![(403, "", String::new())]).await;
    let waits = Waits::default();
    let client = s3::client::Client::new(&config(&endpoint, &waits));
    let error = client
        .wait_until_bucket_exists(head_bucket(), Duration::from_secs(60))
        .await
        .expect_err("a 403 is no state of the bucket");
    assert!(matches!(error, WaiterError::Operation(_)), "{error:?}");

    let (endpoint, served) = serve(vec![(404, "", String::new())]).await;
    let waits = Waits::default();
    let client = s3::client::Client::new(&config(&endpoint, &waits));
    let error = client
        .wait_until_bucket_exists(head_bucket(), Duration::from_secs(60))
        .await
        .expect_err("the bucket never comes");
    let WaiterError::Timeout { attempts, waited, .. } = error else {
        panic!("expected a timeout, got {error:?}");
    };
    assert_eq!(attempts as usize, *served.lock().unwrap());
    assert!(attempts >= 3, "{attempts}");
    assert!(waited <= Duration::from_secs(61), "{waited:?}");
    let total: Duration = waits.0.lock().unwrap().iter().sum();
    assert!(total <= Duration::from_secs(60), "{total:?}");
}

#[tokio::test]
async fn table_exists_reads_the_status_from_the_output() {
    if !aws_services::models_found() {
        return;
    }
    let table = |status: &str| format!(r#"{{"Table":{{"TableName":"t","TableStatus":"{status}"}}}}"#);
    let json = "Content-Type: application/x-amz-json-1.0\r\n";
    let missing = (
        400,
        json,
        r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}"#.to_owned(),
    );
    let (endpoint, served) = serve(vec![
        missing,
        (200, json, table("CREATING")),
        (200, json, table("ACTIVE")),
    ])
    .await;
    let waits = Waits::default();
    let client = dynamodb::client::Client::new(&config(&endpoint, &waits));
    let input = dynamodb::operation::describe_table::DescribeTableInput::builder()
        .table_name("t")
        .build()
        .expect("the input is complete");
    let output = client
        .wait_until_table_exists(input, Duration::from_secs(600))
        .await
        .expect("the waiter succeeds")
        .expect("with the table's description");
    let status = output.table.and_then(|table| table.table_status);
    assert_eq!(status, Some(dynamodb::types::TableStatus::Active));
    assert_eq!(*served.lock().unwrap(), 3);
    // TableExists waits at least 20 seconds.
    assert!(waits
        .0
        .lock()
        .unwrap()
        .iter()
        .all(|wait| *wait >= Duration::from_secs(20)));
}

#[tokio::test]
async fn role_exists_retries_no_such_entity() {
    if !aws_services::models_found() {
        return;
    }
    let xml = "Content-Type: text/xml\r\n";
    let missing = (
        404,
        xml,
        r#"<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>no role</Message></Error><RequestId>r</RequestId></ErrorResponse>"#.to_owned(),
    );
    let found = (
        200,
        xml,
        r#"<GetRoleResponse><GetRoleResult><Role><Path>/</Path><RoleName>r</RoleName><RoleId>AROAEXAMPLE123456789</RoleId><Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role></GetRoleResult></GetRoleResponse>"#.to_owned(),
    );
    let (endpoint, served) = serve(vec![missing, found]).await;
    let waits = Waits::default();
    let client = iam::client::Client::new(&config(&endpoint, &waits));
    let input = iam::operation::get_role::GetRoleInput::builder()
        .role_name("r")
        .build()
        .expect("the input is complete");
    let output = client
        .wait_until_role_exists(input, Duration::from_secs(60))
        .await
        .expect("the waiter succeeds")
        .expect("with the role");
    assert_eq!(output.role.role_name, "r");
    assert_eq!(*served.lock().unwrap(), 2);
    assert_eq!(waits.0.lock().unwrap().as_slice(), [Duration::from_secs(1)]);
}
