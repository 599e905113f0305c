//! AWS services as their users call them: clients generated from the published models of S3,
//! STS, IAM, CloudFormation and Route 53 call a loopback HTTP/1.1 server that records each
//! request, checks what a real service would check, and answers as the service does (bodies
//! in the shapes AWS sends). The endpoint is the loopback address, given as `SDK::Endpoint` to
//! each service's endpoint rules, and requests are signed with SigV4. Pins:
//! - S3 (restXml): PutObject's body and headers at the path the rules give (path-style, since
//!   the endpoint is an IP address); GetObject's bytes and headers, with an `Expires` that is not
//!   a date read as the text it is; ListObjectsV2 through the paginator, sending the continuation token
//!   of each page; DeleteObjects' XML body with its checksum; an error in S3's bare `<Error>`
//!   read as the modelled `NoSuchKey`; an error in a `200` response (CopyObject) read as an
//!   error; GetBucketLocation's unwrapped output; the bucket in the host (virtual-hosted) or in
//!   the path (a dotted bucket, `ForcePathStyle`) as the rules say for a region, and presigned
//!   GetObject and PutObject URLs.
//! - STS, IAM and CloudFormation (awsQuery): form-encoded `Action`, `Version` and members;
//!   outputs read from `<OperationResult>`, errors from `<ErrorResponse>`; AssumeRole's secret
//!   kept out of `Debug`.
//! - Route 53 (restXml): the XML body of ChangeResourceRecordSets in the service's namespace.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_services::{cloudformation, iam, route53, s3, sts};
use smithy_runtime::auth::Credentials;
use smithy_runtime::client::{Config, HyperTransport, RetryConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// The request target: path and query, as sent.
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(found, _)| found.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn query(&self) -> Vec<&str> {
        self.target
            .split_once('?')
            .map(|(_, query)| query.split('&').collect())
            .unwrap_or_default()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The form body's pairs, escapes left as sent.
    fn form(&self) -> Vec<String> {
        self.text().split('&').map(str::to_owned).collect()
    }
}

/// An answer: status, headers, body.
type Answer = (u16, Vec<(&'static str, String)>, Vec<u8>);

/// Serves HTTP/1.1 on `127.0.0.1:0`, answering each request with `answer`; returns the endpoint
/// and what it saw.
async fn serve(answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("the listener has an address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                        break at;
                    }
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
                let mut lines = head.split("\r\n");
                let mut request_line = lines.next().unwrap_or_default().split(' ');
                let method = request_line.next().unwrap_or_default().to_owned();
                let target = request_line.next().unwrap_or_default().to_owned();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|line| line.split_once(':'))
                    .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                    .collect();
                let length = headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, value)| value.parse::<usize>().ok())
                    .unwrap_or(0);
                let mut body = buffer[head_end + 4..].to_vec();
                while body.len() < length {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => body.extend_from_slice(&chunk[..n]),
                    }
                }
                let request = Seen {
                    method,
                    target,
                    headers,
                    body,
                };
                let (status, headers, body) = answer(&request);
                log.lock().unwrap().push(request);
                let mut response = format!(
                    "HTTP/1.1 {status} Answer\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                let mut bytes = response.into_bytes();
                bytes.extend_from_slice(&body);
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (endpoint, seen)
}

/// A configuration that signs for `us-east-1` and sends every request to `endpoint`.
fn config(endpoint: &str) -> Config {
    Config::new(HyperTransport::new(), endpoint)
        .with_region("us-east-1")
        .with_credentials(Credentials::from_keys(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ))
        .with_retry(RetryConfig::disabled())
}

/// Checks that a request is signed with SigV4 for `service` in `us-east-1`.
fn assert_signed(seen: &Seen, service: &str) {
    let authorization = seen.header("authorization").unwrap_or_default();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && authorization.contains(&format!("/us-east-1/{service}/aws4_request")),
        "{authorization}"
    );
    assert!(seen.header("x-amz-date").is_some());
}

fn xml(status: u16, body: &str) -> Answer {
    (
        status,
        vec![("Content-Type", "application/xml".to_owned())],
        body.as_bytes().to_vec(),
    )
}

const TIMEOUT: Duration = Duration::from_secs(20);

async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("the call finished in time")
}

// ---------------------------------------------------------------------------------------------
// S3

#[tokio::test]
async fn s3_put_get_and_errors() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let (endpoint, seen) = serve(|request| match (request.method.as_str(), request.path()) {
        ("PUT", _) => (200, vec![("ETag", "\"abc\"".to_owned())], Vec::new()),
        // S3 answers a HEAD of a missing key with a bare 404.
        ("HEAD", "/my-bucket/missing") => (404, vec![("x-amz-request-id", "R2".to_owned())], Vec::new()),
        ("HEAD", _) => (412, Vec::new(), Vec::new()),
        ("GET", "/my-bucket/missing") => xml(
            404,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>missing</Key><RequestId>R1</RequestId></Error>",
        ),
        ("GET", _) if request.query().contains(&"location") => xml(
            200,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>",
        ),
        ("GET", _) => (
            200,
            vec![
                ("Content-Type", "text/plain".to_owned()),
                ("ETag", "\"abc\"".to_owned()),
                ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
                ("Expires", "not a date".to_owned()),
                ("x-amz-meta-color", "blue".to_owned()),
            ],
            b"hello, world".to_vec(),
        ),
        _ => xml(500, "<Error><Code>Unexpected</Code></Error>"),
    })
    .await;
    let client = s3::client::Client::new(&config(&endpoint));

    let put = s3::operation::put_object::PutObjectInput::builder()
        .bucket("my-bucket")
        .key("dir/a b.txt")
        .content_type("text/plain")
        .body(smithy_runtime::primitives::ByteStream::new(b"hello, world".to_vec()))
        .build()
        .expect("the input is complete");
    let output = within(client.put_object(put)).await.expect("PutObject succeeds");
    assert_eq!(output.e_tag.as_deref(), Some("\"abc\""));
    {
        let seen = seen.lock().unwrap();
        let request = seen.last().unwrap();
        // The endpoint is an IP address, so the rules address the bucket by path.
        assert_eq!(request.method, "PUT");
        assert_eq!(request.path(), "/my-bucket/dir/a%20b.txt");
        assert_eq!(request.body, b"hello, world");
        assert_eq!(request.header("content-type"), Some("text/plain"));
        assert_eq!(request.header("content-length"), Some("12"));
        assert_signed(request, "s3");
        assert!(request.header("x-amz-content-sha256").is_some());
    }

    let get = s3::operation::get_object::GetObjectInput::builder()
        .bucket("my-bucket")
        .key("dir/a b.txt")
        .build()
        .expect("the input is complete");
    let mut output = within(client.get_object(get)).await.expect("GetObject succeeds");
    {
        // Clients ask for the object's checksum, to check it, unless told not to.
        let seen = seen.lock().unwrap();
        assert_eq!(seen.last().unwrap().header("x-amz-checksum-mode"), Some("ENABLED"));
    }
    // The object streams: read whole.
    let body = within(std::mem::take(&mut output.body).collect())
        .await
        .expect("the body is read");
    assert_eq!(body, b"hello, world");
    assert_eq!(output.content_type.as_deref(), Some("text/plain"));
    assert_eq!(output.e_tag.as_deref(), Some("\"abc\""));
    assert!(output.last_modified.is_some());
    // The model reads `Expires` as text, since S3 sends what it was given.
    assert_eq!(output.expires.as_deref(), Some("not a date"));
    assert_eq!(
        output
            .metadata
            .as_ref()
            .and_then(|metadata| metadata.get("color"))
            .map(String::as_str),
        Some("blue")
    );

    let missing = s3::operation::get_object::GetObjectInput::builder()
        .bucket("my-bucket")
        .key("missing")
        .build()
        .expect("the input is complete");
    match within(client.get_object(missing)).await {
        Err(s3::operation::get_object::GetObjectError::NoSuchKey(error)) => {
            assert_eq!(error.message(), Some("The specified key does not exist."));
            // S3 names the request in its `<Error>`.
            assert_eq!(error.meta.request_id(), Some("R1"));
        }
        other => panic!("expected NoSuchKey, got {other:?}"),
    }

    // A response without a body names its error by its status: `404` is S3's `NotFound`.
    let head = |key: &str| {
        s3::operation::head_object::HeadObjectInput::builder()
            .bucket("my-bucket")
            .key(key)
            .build()
            .expect("the input is complete")
    };
    match within(client.head_object(head("missing"))).await {
        Err(s3::operation::head_object::HeadObjectError::NotFound(error)) => {
            assert_eq!(error.meta.code(), Some("NotFound"));
            assert_eq!(error.meta.request_id(), Some("R2"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    // An unmodelled one keeps the status's name as its code.
    match within(client.head_object(head("changed"))).await {
        Err(s3::operation::head_object::HeadObjectError::Unhandled(error)) => {
            assert_eq!((error.status(), error.code()), (412, Some("PreconditionFailed")));
        }
        other => panic!("expected an unhandled 412, got {other:?}"),
    }

    let location = s3::operation::get_bucket_location::GetBucketLocationInput::builder()
        .bucket("my-bucket")
        .build()
        .expect("the input is complete");
    let output = within(client.get_bucket_location(location))
        .await
        .expect("GetBucketLocation succeeds");
    assert_eq!(
        output.location_constraint,
        Some(s3::types::BucketLocationConstraint::EuWest1)
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.last().unwrap().path(), "/my-bucket");
}

#[tokio::test]
async fn s3_lists_every_page_and_deletes_objects() {
    if !aws_services::models_found() {
        return;
    }
    let (endpoint, seen) = serve(|request| {
        if request.method == "POST" {
            return xml(
                200,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Deleted><Key>a.txt</Key></Deleted><Error><Key>b.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>",
            );
        }
        let second = request.query().contains(&"continuation-token=page%202");
        let body = if second {
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>my-bucket</Name><IsTruncated>false</IsTruncated><KeyCount>1</KeyCount><Contents><Key>c.txt</Key><Size>3</Size><LastModified>2026-01-02T03:04:05.000Z</LastModified><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"
        } else {
            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>my-bucket</Name><IsTruncated>true</IsTruncated><KeyCount>2</KeyCount><NextContinuationToken>page 2</NextContinuationToken><Contents><Key>a.txt</Key><Size>1</Size><ETag>&quot;e1&quot;</ETag></Contents><Contents><Key>b.txt</Key><Size>2</Size></Contents></ListBucketResult>"
        };
        xml(200, body)
    })
    .await;
    let client = s3::client::Client::new(&config(&endpoint));
    let input = s3::operation::list_objects_v2::ListObjectsV2Input::builder()
        .bucket("my-bucket")
        .build()
        .expect("the input is complete");
    let pages = within(client.list_objects_v2_paginator(input).collect())
        .await
        .expect("every page is read");
    let keys: Vec<String> = pages
        .iter()
        .flat_map(|page| page.contents.iter().flatten())
        .filter_map(|object| object.key.clone())
        .collect();
    assert_eq!(keys, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(pages[0].contents.as_ref().unwrap()[0].e_tag.as_deref(), Some("\"e1\""));
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        for request in seen.iter() {
            assert_eq!(request.method, "GET");
            assert_eq!(request.path(), "/my-bucket");
            assert!(request.query().contains(&"list-type=2"), "{}", request.target);
        }
        assert!(!seen[0].target.contains("continuation-token"));
        assert!(
            seen[1].query().contains(&"continuation-token=page%202"),
            "{}",
            seen[1].target
        );
    }

    use s3::service::AmazonS3;
    let objects = ["a.txt", "b.txt"].map(|key| {
        s3::types::ObjectIdentifier::builder()
            .key(key)
            .build()
            .expect("the identifier is complete")
    });
    let delete = s3::types::Delete::builder()
        .objects(objects.to_vec())
        .build()
        .expect("the delete is complete");
    let input = s3::operation::delete_objects::DeleteObjectsInput::builder()
        .bucket("my-bucket")
        .delete(delete)
        .build()
        .expect("the input is complete");
    let output = within(client.delete_objects(input))
        .await
        .expect("DeleteObjects succeeds");
    let deleted: Vec<_> = output
        .deleted
        .iter()
        .flatten()
        .filter_map(|object| object.key.as_deref())
        .collect();
    assert_eq!(deleted, ["a.txt"]);
    let errors = output.errors.as_ref().expect("the failed deletion is reported");
    assert_eq!(errors[0].code.as_deref(), Some("AccessDenied"));
    let seen = seen.lock().unwrap();
    let request = seen.last().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/my-bucket?delete");
    let body = request.text();
    assert!(
        body.starts_with("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"),
        "{body}"
    );
    assert!(
        body.contains("<Object><Key>a.txt</Key></Object><Object><Key>b.txt</Key></Object>"),
        "{body}"
    );
    // DeleteObjects requires a checksum of its body.
    assert!(
        request
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-md5")
                || name.to_ascii_lowercase().starts_with("x-amz-checksum-")),
        "{:?}",
        request.headers
    );
}

#[tokio::test]
async fn s3_copy_object_error_in_a_200_is_an_error() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let (endpoint, seen) = serve(|_| {
        xml(
            200,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>R2</RequestId></Error>",
        )
    })
    .await;
    let client = s3::client::Client::new(&config(&endpoint));
    let input = s3::operation::copy_object::CopyObjectInput::builder()
        .bucket("my-bucket")
        .key("copy.txt")
        .copy_source("my-bucket/a.txt")
        .build()
        .expect("the input is complete");
    let error = within(client.copy_object(input))
        .await
        .expect_err("an <Error> body is an error whatever its status");
    let error = error.as_service_error();
    assert_eq!(error.code(), Some("InternalError"));
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].path(), "/my-bucket/copy.txt");
    assert_eq!(seen[0].header("x-amz-copy-source"), Some("my-bucket/a.txt"));
}

/// Keeps the requests it is given and answers none.
#[derive(Default)]
struct Capture(Mutex<Vec<http::Request<Vec<u8>>>>);

impl smithy_runtime::client::Transport for Capture {
    fn send(&self, request: http::Request<Vec<u8>>) -> smithy_runtime::client::TransportFuture<'_> {
        self.0.lock().unwrap().push(request);
        Box::pin(async { Err(smithy_runtime::client::TransportError::from("captured")) })
    }
}

impl Capture {
    /// A configuration that sends every request here once (no retries), signed with
    /// `credentials` for `region`.
    fn config(self: &Arc<Self>, region: &str, credentials: Credentials) -> Config {
        let transport: Arc<dyn smithy_runtime::client::Transport> = self.clone();
        Config::from_transport(transport)
            .with_region(region)
            .with_credentials(credentials)
            .with_retry(RetryConfig::disabled())
    }

    /// What `each` makes of every request kept, in the order they came.
    fn seen<T>(&self, each: impl Fn(&http::Request<Vec<u8>>) -> T) -> Vec<T> {
        self.0.lock().unwrap().iter().map(each).collect()
    }
}

#[tokio::test]
async fn s3_endpoints_of_many_buckets_in_turn_are_each_bucket_s() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let capture = Arc::new(Capture::default());
    let config = capture.config(
        "eu-west-1",
        Credentials::from_keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    );
    let client = s3::client::Client::new(&config);
    // More buckets than the client keeps endpoints for, twice over, and a dotted one between:
    // each call goes to its own bucket whether its endpoint was kept or resolved again.
    let buckets: Vec<String> = (0..20)
        .map(|n| {
            if n == 7 {
                "dotted.bucket".to_owned()
            } else {
                format!("bucket-{}", n % 10)
            }
        })
        .collect();
    for bucket in &buckets {
        let input = s3::operation::get_object::GetObjectInput::builder()
            .bucket(bucket)
            .key("k")
            .build()
            .expect("the input is complete");
        let _ = within(client.get_object(input)).await;
    }
    let uris = capture.seen(|request| request.uri().to_string());
    let expected: Vec<String> = buckets
        .iter()
        .map(|bucket| match bucket.contains('.') {
            true => format!("https://s3.eu-west-1.amazonaws.com/{bucket}/k?x-id=GetObject"),
            false => format!("https://{bucket}.s3.eu-west-1.amazonaws.com/k?x-id=GetObject"),
        })
        .collect();
    assert_eq!(uris, expected);
}

#[tokio::test]
async fn dynamodb_endpoints_carry_the_credentials_account_unless_the_configuration_says_otherwise() {
    if !aws_services::models_found() {
        return;
    }
    use aws_services::dynamodb;
    use dynamodb::service::DynamoDb20120810;
    let capture = Arc::new(Capture::default());
    let config = |account: &str| {
        capture.config(
            "us-east-1",
            Credentials::from_keys("AKIDEXAMPLE", "secret").with_account_id(account),
        )
    };
    let describe = |table: &str| {
        dynamodb::operation::describe_table::DescribeTableInput::builder()
            .table_name(table)
            .build()
            .expect("the input is complete")
    };
    // Each client's calls go to its credentials' account, table after table and back, the
    // endpoints of the same parameters kept between calls.
    let first = dynamodb::client::Client::new(&config("111122223333"));
    let second = dynamodb::client::Client::new(&config("444455556666"));
    for table in ["orders", "customers", "orders"] {
        let _ = within(first.describe_table(describe(table))).await;
        let _ = within(second.describe_table(describe(table))).await;
    }
    // A table given by its ARN is addressed to the ARN's account.
    let arn = "arn:aws:dynamodb:us-east-1:777788889999:table/orders";
    let _ = within(first.describe_table(describe(arn))).await;
    // The configuration turns account endpoints off.
    let disabled = dynamodb::client::Client::new(
        &config("111122223333").with_builtin("AWS::Auth::AccountIdEndpointMode", "disabled"),
    );
    let _ = within(disabled.describe_table(describe("orders"))).await;
    let hosts = capture.seen(|request| request.uri().host().unwrap_or_default().to_owned());
    assert_eq!(
        hosts,
        [
            "111122223333.ddb.us-east-1.amazonaws.com",
            "444455556666.ddb.us-east-1.amazonaws.com",
            "111122223333.ddb.us-east-1.amazonaws.com",
            "444455556666.ddb.us-east-1.amazonaws.com",
            "111122223333.ddb.us-east-1.amazonaws.com",
            "444455556666.ddb.us-east-1.amazonaws.com",
            "777788889999.ddb.us-east-1.amazonaws.com",
            "dynamodb.us-east-1.amazonaws.com",
        ]
    );
}

#[tokio::test]
async fn s3_addresses_buckets_as_its_rules_say_and_presigns_urls() {
    if !aws_services::models_found() {
        return;
    }
    use s3::service::AmazonS3;
    let capture = Arc::new(Capture::default());
    let config = capture.config(
        "eu-west-1",
        Credentials::from_keys("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    );
    let get = |bucket: &str| {
        s3::operation::get_object::GetObjectInput::builder()
            .bucket(bucket)
            .key("dir/a.txt")
            .build()
            .expect("the input is complete")
    };
    let list = s3::operation::list_objects_v2::ListObjectsV2Input::builder()
        .bucket("my-bucket")
        .build()
        .expect("the input is complete");
    let client = s3::client::Client::new(&config);
    let _ = within(client.get_object(get("my-bucket"))).await;
    let _ = within(client.list_objects_v2(list.clone())).await;
    // A bucket name with dots would not match the certificate of a virtual host.
    let _ = within(client.get_object(get("my.dotted.bucket"))).await;
    let path_style = s3::client::Client::new(&config.clone().with_builtin("AWS::S3::ForcePathStyle", true));
    let _ = within(path_style.get_object(get("my-bucket"))).await;
    let _ = within(path_style.list_objects_v2(list)).await;
    let uris = capture.seen(|request| request.uri().to_string());
    assert_eq!(
        uris,
        [
            "https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a.txt?x-id=GetObject",
            "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2",
            "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/dir/a.txt?x-id=GetObject",
            "https://s3.eu-west-1.amazonaws.com/my-bucket/dir/a.txt?x-id=GetObject",
            "https://s3.eu-west-1.amazonaws.com/my-bucket?list-type=2",
        ]
    );

    let presigned = within(smithy_runtime::client::presign::<s3::operation::get_object::GetObject>(
        &config,
        &get("my-bucket"),
        Duration::from_secs(900),
    ))
    .await
    .expect("GetObject is presigned");
    let url = presigned.uri().to_string();
    assert!(
        url.starts_with("https://my-bucket.s3.eu-west-1.amazonaws.com/dir/a.txt?"),
        "{url}"
    );
    for part in [
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=AKIDEXAMPLE%2F",
        "%2Feu-west-1%2Fs3%2Faws4_request",
        "X-Amz-Expires=900",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=",
    ] {
        assert!(url.contains(part), "{part} in {url}");
    }
    assert!(presigned.headers().get("authorization").is_none());
    let put = s3::operation::put_object::PutObjectInput::builder()
        .bucket("my-bucket")
        .key("upload.bin")
        .build()
        .expect("the input is complete");
    let presigned = within(smithy_runtime::client::presign::<s3::operation::put_object::PutObject>(
        &config,
        &put,
        Duration::from_secs(3600),
    ))
    .await
    .expect("PutObject is presigned");
    assert_eq!(presigned.method(), "PUT");
    let url = presigned.uri().to_string();
    assert!(
        url.starts_with("https://my-bucket.s3.eu-west-1.amazonaws.com/upload.bin?"),
        "{url}"
    );
    assert!(
        url.contains("X-Amz-Expires=3600") && url.contains("X-Amz-Signature="),
        "{url}"
    );
}

// ---------------------------------------------------------------------------------------------
// awsQuery: STS, IAM, CloudFormation

#[tokio::test]
async fn sts_get_caller_identity_and_assume_role() {
    if !aws_services::models_found() {
        return;
    }
    use sts::service::AwsSecurityTokenServiceV20110615;
    let (endpoint, seen) = serve(|request| {
        let form = request.form();
        if form.contains(&"Action=GetCallerIdentity".to_owned()) {
            return xml(
                200,
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n    <UserId>AIDAEXAMPLE</UserId>\n    <Account>123456789012</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
            );
        }
        if form.iter().any(|pair| pair == "RoleSessionName=denied") {
            return xml(
                403,
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>R3</RequestId></ErrorResponse>",
            );
        }
        xml(
            200,
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:session</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>very-secret-key</SecretAccessKey><SessionToken>session-token</SessionToken><Expiration>2026-12-04T23:00:00Z</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>R4</RequestId></ResponseMetadata></AssumeRoleResponse>",
        )
    })
    .await;
    let client = sts::client::Client::new(&config(&endpoint));
    let input = sts::operation::get_caller_identity::GetCallerIdentityInput::builder().build();
    let output = within(client.get_caller_identity(input))
        .await
        .expect("GetCallerIdentity succeeds");
    assert_eq!(output.account.as_deref(), Some("123456789012"));
    assert_eq!(output.arn.as_deref(), Some("arn:aws:iam::123456789012:user/Alice"));
    {
        let seen = seen.lock().unwrap();
        let request = &seen[0];
        assert_eq!((request.method.as_str(), request.path()), ("POST", "/"));
        assert_eq!(request.text(), "Action=GetCallerIdentity&Version=2011-06-15");
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_signed(request, "sts");
    }

    let input = sts::operation::assume_role::AssumeRoleInput::builder()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("session")
        .duration_seconds(900)
        .build()
        .expect("the input is complete");
    let output = within(client.assume_role(input)).await.expect("AssumeRole succeeds");
    let credentials = output.credentials.as_ref().expect("the role's credentials");
    assert_eq!(credentials.access_key_id, "ASIAEXAMPLE");
    assert_eq!(credentials.secret_access_key, "very-secret-key");
    assert_eq!(credentials.expiration.to_date_time(), "2026-12-04T23:00:00Z");
    assert!(
        !format!("{output:?}").contains("very-secret-key"),
        "the secret stays out of Debug"
    );
    {
        let seen = seen.lock().unwrap();
        let form = seen[1].form();
        for pair in [
            "Action=AssumeRole",
            "Version=2011-06-15",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo",
            "RoleSessionName=session",
            "DurationSeconds=900",
        ] {
            assert!(form.contains(&pair.to_owned()), "{pair} in {form:?}");
        }
    }

    let input = sts::operation::assume_role::AssumeRoleInput::builder()
        .role_arn("arn:aws:iam::123456789012:role/demo")
        .role_session_name("denied")
        .build()
        .expect("the input is complete");
    let error = within(client.assume_role(input)).await.expect_err("the role is denied");
    let error = error.as_service_error();
    assert_eq!(error.code(), Some("AccessDenied"));
    assert_eq!(
        error.message(),
        Some("User is not authorized to perform: sts:AssumeRole")
    );
    assert_eq!(error.status(), 403);
    // The id beside the `<Error>` in `<ErrorResponse>`.
    assert_eq!(error.request_id(), Some("R3"));
}

#[tokio::test]
async fn iam_list_roles_and_cloudformation_describe_stacks() {
    if !aws_services::models_found() {
        return;
    }
    use cloudformation::service::CloudFormation;
    use iam::service::AwsIdentityManagementV20100508;
    let (endpoint, seen) = serve(|request| {
        if request.form().contains(&"Action=ListRoles".to_owned()) {
            return xml(
                200,
                "<ListRolesResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListRolesResult><IsTruncated>true</IsTruncated><Marker>next-marker</Marker><Roles><member><Path>/</Path><RoleName>admin</RoleName><RoleId>AROAADMIN</RoleId><Arn>arn:aws:iam::123456789012:role/admin</Arn><CreateDate>2020-01-02T03:04:05Z</CreateDate><AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration></member><member><Path>/service/</Path><RoleName>lambda</RoleName><RoleId>AROALAMBDA</RoleId><Arn>arn:aws:iam::123456789012:role/service/lambda</Arn><CreateDate>2021-01-02T03:04:05Z</CreateDate></member></Roles></ListRolesResult><ResponseMetadata><RequestId>R5</RequestId></ResponseMetadata></ListRolesResponse>",
            );
        }
        xml(
            200,
            "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>my-stack</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/my-stack/1</StackId><CreationTime>2026-11-01T10:00:00.123Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>prod</ParameterValue></member></Parameters><Outputs><member><OutputKey>Url</OutputKey><OutputValue>https://example.com</OutputValue></member></Outputs><Tags/></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>R6</RequestId></ResponseMetadata></DescribeStacksResponse>",
        )
    })
    .await;
    let iam_client = iam::client::Client::new(&config(&endpoint));
    let input = iam::operation::list_roles::ListRolesInput::builder()
        .path_prefix("/")
        .max_items(2)
        .build();
    let output = within(iam_client.list_roles(input)).await.expect("ListRoles succeeds");
    let names: Vec<&str> = output.roles.iter().map(|role| role.role_name.as_str()).collect();
    assert_eq!(names, ["admin", "lambda"]);
    assert!(output.is_truncated);
    assert_eq!(output.marker.as_deref(), Some("next-marker"));
    assert_eq!(output.roles[0].max_session_duration, Some(3600));
    {
        let seen = seen.lock().unwrap();
        let form = seen[0].form();
        assert_eq!(
            form,
            ["Action=ListRoles", "Version=2010-05-08", "PathPrefix=%2F", "MaxItems=2"]
        );
        assert_signed(&seen[0], "iam");
    }

    let cloudformation_client = cloudformation::client::Client::new(&config(&endpoint));
    let input = cloudformation::operation::describe_stacks::DescribeStacksInput::builder()
        .stack_name("my-stack")
        .build();
    let output = within(cloudformation_client.describe_stacks(input))
        .await
        .expect("DescribeStacks succeeds");
    let stacks = output.stacks.as_ref().expect("the stacks");
    assert_eq!(stacks.len(), 1);
    let stack = &stacks[0];
    assert_eq!(stack.stack_name.as_deref(), Some("my-stack"));
    assert_eq!(
        stack.stack_status,
        Some(cloudformation::types::StackStatus::UpdateComplete)
    );
    assert_eq!(
        stack.creation_time.map(|time| time.to_date_time()).as_deref(),
        Some("2026-11-01T10:00:00.123Z")
    );
    let outputs = stack.outputs.as_ref().expect("the outputs");
    assert_eq!(outputs[0].output_value.as_deref(), Some("https://example.com"));
    assert_eq!(stack.tags.as_deref(), Some(&[][..]));
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[1].form(),
        ["Action=DescribeStacks", "Version=2010-05-15", "StackName=my-stack"]
    );
    assert_signed(&seen[1], "cloudformation");
}

// ---------------------------------------------------------------------------------------------
// Route 53

#[tokio::test]
async fn route53_change_resource_record_sets() {
    if !aws_services::models_found() {
        return;
    }
    use route53::service::AwsDnsV20130401;
    let (endpoint, seen) = serve(|_| {
        xml(
            200,
            "<?xml version=\"1.0\"?>\n<ChangeResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2026-12-04T21:00:00.000Z</SubmittedAt><Comment>add www</Comment></ChangeInfo></ChangeResourceRecordSetsResponse>",
        )
    })
    .await;
    let client = route53::client::Client::new(&config(&endpoint));
    let record = route53::types::ResourceRecord::builder()
        .value("192.0.2.44")
        .build()
        .expect("the record is complete");
    let set = route53::types::ResourceRecordSet::builder()
        .name("www.example.com")
        .r#type(route53::types::RrType::A)
        .ttl(60)
        .resource_records(vec![record])
        .build()
        .expect("the record set is complete");
    let change = route53::types::Change::builder()
        .action(route53::types::ChangeAction::Upsert)
        .resource_record_set(set)
        .build()
        .expect("the change is complete");
    let batch = route53::types::ChangeBatch::builder()
        .comment("add www")
        .changes(vec![change])
        .build()
        .expect("the batch is complete");
    let input = route53::operation::change_resource_record_sets::ChangeResourceRecordSetsInput::builder()
        .hosted_zone_id("Z3M3LMPEXAMPLE")
        .change_batch(batch)
        .build()
        .expect("the input is complete");
    let output = within(client.change_resource_record_sets(input))
        .await
        .expect("ChangeResourceRecordSets succeeds");
    let info = &output.change_info;
    assert_eq!(info.id, "/change/C2682N5HXP0BZ4");
    assert_eq!(info.status, route53::types::ChangeStatus::Pending);
    let seen = seen.lock().unwrap();
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), "/2013-04-01/hostedzone/Z3M3LMPEXAMPLE/rrset");
    assert_signed(request, "route53");
    assert_eq!(
        request.text(),
        "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><ChangeBatch><Comment>add www</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.44</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
    );
}
