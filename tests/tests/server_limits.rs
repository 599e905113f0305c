//! The ready server's limits, against clients that misbehave on purpose over raw TCP: a body
//! larger than the limit (declared, with `Expect: 100-continue`, or chunked), headers sent too
//! slowly, a body sent too slowly. None of them reaches the service implementation, and the
//! server keeps answering others.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput};
use amplifybackend::AmplifyBackend;
use smithy_runtime::server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Counts the calls that reach it.
#[derive(Default)]
struct Counting(AtomicUsize);

impl AmplifyBackend for Counting {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(GetBackendAuthOutput::builder()
            .app_id(input.app_id.unwrap_or_default())
            .build())
    }
}

/// Small limits, so that the tests take little time and memory.
fn limits() -> Limits {
    Limits::default()
        .with_max_body_bytes(1024)
        .with_header_read_timeout(Duration::from_millis(300))
        .with_body_read_timeout(Duration::from_millis(300))
}

async fn start() -> (SocketAddr, Arc<Counting>) {
    start_with(limits()).await
}

async fn start_with(limits: Limits) -> (SocketAddr, Arc<Counting>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let service = Arc::new(Counting::default());
    let server = amplifybackend::server::Server::from_arc(service.clone());
    tokio::spawn(async move {
        let result = smithy_runtime::server::serve_with_limits(listener, server, limits).await;
        panic!("the server stopped: {result:?}");
    });
    (addr, service)
}

/// Everything the server sends until it closes the connection or 5 seconds pass.
async fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(read)) => out.extend_from_slice(&buffer[..read]),
            Err(_) if !out.is_empty() => break,
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

const PATH: &str = "/backend/d1abc/auth/staging/details";

/// A well-formed call, closing the connection after it.
fn good_request() -> String {
    let body = r#"{"resourceName":"auth"}"#;
    format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A well-formed call still gets through.
async fn still_serves(addr: SocketAddr) {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    stream.write_all(good_request().as_bytes()).await.expect("sent");
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_body_over_the_limit_is_refused_before_it_is_read_and_without_100_continue() {
    let (addr, service) = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\nExpect: 100-continue\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert!(answer.contains("PayloadTooLargeException"), "{answer}");
    assert_eq!(service.0.load(Ordering::SeqCst), 0);
    still_serves(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    let (addr, service) = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let head = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("sent");
    let chunk = format!("400\r\n{}\r\n", "x".repeat(1024));
    // Two chunks of 1 KiB pass the 1 KiB limit; the server must not wait for the rest.
    for _ in 0..2 {
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(service.0.load(Ordering::SeqCst), 0);
    still_serves(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_too_slowly_close_the_connection() {
    let (addr, service) = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let started = Instant::now();
    // A byte every 100 ms: the headers would take seconds.
    let mut closed = false;
    for byte in format!("POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Slow: {}\r\n", "y".repeat(40)).bytes() {
        if stream.write_all(&[byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut buffer = [0u8; 256];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(1), stream.read(&mut buffer)).await {
            closed = true;
            break;
        }
        if started.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    assert!(closed, "the connection is closed after the header read timeout");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(service.0.load(Ordering::SeqCst), 0);
    still_serves(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_shorter_than_its_length_is_answered_408_in_time() {
    let (addr, service) = start().await;
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"resourceName\""
    );
    let started = Instant::now();
    stream.write_all(request.as_bytes()).await.expect("sent");
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(service.0.load(Ordering::SeqCst), 0);
    still_serves(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_until_one_closes() {
    let limits = limits()
        .with_max_connections(2)
        .with_header_read_timeout(Duration::from_secs(10));
    let (addr, _) = start_with(limits).await;
    // Two idle connections take both places.
    let first = TcpStream::connect(addr).await.expect("the server accepts");
    let _second = TcpStream::connect(addr).await.expect("the server accepts");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = TcpStream::connect(addr).await.expect("the backlog takes it");
    third.write_all(good_request().as_bytes()).await.expect("sent");
    let mut buffer = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buffer)).await;
    assert!(early.is_err(), "the third connection waits while two are open");
    drop(first);
    let answer = read_all(&mut third).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "served once a place is free: {answer}"
    );
}
