//! The ready server's memory budget covers what the protocol layer builds from a request, not
//! only its bytes on the wire: a body that decompresses or decodes to more than the budget has
//! room for is answered `503` with `Retry-After`, without reaching the service, and its share
//! is given back at once.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use catalog::error::UnhandledError;
use catalog::operation::list_items::{ListItemsError, ListItemsInput, ListItemsOutput};
use catalog::operation::list_tags::{ListTagsError, ListTagsInput, ListTagsOutput};
use catalog::operation::put_document::{PutDocumentError, PutDocumentInput, PutDocumentOutput};
use catalog::operation::put_object::{PutObjectError, PutObjectInput, PutObjectOutput};
use catalog::operation::put_records::{PutRecordsError, PutRecordsInput, PutRecordsOutput};
use catalog::Catalog;
use smithy_runtime::server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Answers with the sizes of what it was given.
struct Service;

impl Catalog for Service {
    async fn list_items(&self, _: ListItemsInput) -> Result<ListItemsOutput, ListItemsError> {
        Err(UnhandledError::new(500).into())
    }

    async fn list_tags(&self, _: ListTagsInput) -> Result<ListTagsOutput, ListTagsError> {
        Err(UnhandledError::new(500).into())
    }

    async fn put_document(&self, input: PutDocumentInput) -> Result<PutDocumentOutput, PutDocumentError> {
        Ok(PutDocumentOutput::builder()
            .length(i32::try_from(input.text.len()).unwrap_or(i32::MAX))
            .build()
            .expect("every required member is set"))
    }

    async fn put_object(&self, _: PutObjectInput) -> Result<PutObjectOutput, PutObjectError> {
        Err(UnhandledError::new(500).into())
    }

    async fn put_records(&self, input: PutRecordsInput) -> Result<PutRecordsOutput, PutRecordsError> {
        let count = input.unique.as_ref().map_or(0, Vec::len);
        Ok(PutRecordsOutput::builder()
            .count(i32::try_from(count).unwrap_or(i32::MAX))
            .build())
    }
}

async fn start(limits: Limits) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let server = catalog::server::Server::new(Service);
    tokio::spawn(async move {
        let result = smithy_runtime::server::serve_with_limits(listener, server, limits).await;
        panic!("the server stopped: {result:?}");
    });
    addr
}

/// Sends one request and reads the whole answer (the server closes the connection after it).
async fn call(addr: SocketAddr, path: &str, headers: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("the head is sent");
    stream.write_all(body).await.expect("the body is sent");
    let mut answer = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut buffer = [0u8; 8192];
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(read)) => answer.extend_from_slice(&buffer[..read]),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// `{"unique":["","",...]}` with `count` empty strings: three bytes on the wire for each
/// string, which takes 24 in memory.
fn empty_strings(count: usize) -> Vec<u8> {
    let mut body = String::from(r#"{"unique":["#);
    for index in 0..count {
        if index > 0 {
            body.push(',');
        }
        body.push_str(r#""""#);
    }
    body.push_str("]}");
    body.into_bytes()
}

/// `{"unique":["0","1",...]}`: `count` different strings.
fn distinct_strings(count: usize) -> Vec<u8> {
    let items: Vec<String> = (0..count).map(|index| format!(r#""{index}""#)).collect();
    format!(r#"{{"unique":[{}]}}"#, items.join(",")).into_bytes()
}

fn status(answer: &str) -> &str {
    answer.lines().next().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_that_decodes_past_the_budget_is_answered_503_and_its_share_given_back() {
    let tight = start(Limits::default().with_max_in_flight_bytes(8 << 20)).await;
    // 1.5 MiB on the wire: a 500,000-item list of strings, about 12 MiB once decoded.
    let body = empty_strings(500_000);
    assert!(body.len() < 2 << 20);
    let answer = call(tight, "/records", "", &body).await;
    assert!(status(&answer).starts_with("HTTP/1.1 503"), "{}", status(&answer));
    assert!(answer.to_ascii_lowercase().contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("ServiceUnavailableException"), "{answer}");

    // The refused request gave its share back: a list that fits goes through, again and
    // again (a share that leaked would run the budget dry).
    for _ in 0..20 {
        let answer = call(tight, "/records", "", &distinct_strings(20_000)).await;
        assert!(status(&answer).starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains(r#""count":20000"#), "{answer}");
    }

    // With the default budget the same list is read (and its repeated items refused by
    // `@uniqueItems`).
    let roomy = start(Limits::default()).await;
    let answer = call(roomy, "/records", "", &body).await;
    assert!(status(&answer).starts_with("HTTP/1.1 400"), "{}", status(&answer));
    assert!(answer.contains("ValidationException"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_decompresses_past_the_budget_is_answered_503() {
    // 6 MiB of text, gzipped to a few KiB.
    let text = "a".repeat(6 << 20);
    let body = smithy_runtime::checksum::gzip(format!(r#"{{"text":"{text}"}}"#).as_bytes());
    assert!(body.len() < 64 << 10);

    let tight = start(Limits::default().with_max_in_flight_bytes(4 << 20)).await;
    let answer = call(tight, "/documents", "Content-Encoding: gzip\r\n", &body).await;
    assert!(status(&answer).starts_with("HTTP/1.1 503"), "{}", status(&answer));
    assert!(answer.contains("decompress"), "{answer}");

    let roomy = start(Limits::default().with_max_in_flight_bytes(64 << 20)).await;
    let answer = call(roomy, "/documents", "Content-Encoding: gzip\r\n", &body).await;
    assert!(status(&answer).starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(&format!(r#""length":{}"#, 6 << 20)), "{answer}");
}
