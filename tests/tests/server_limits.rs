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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_idle_connections_are_closed_after_the_header_timeout_while_others_are_served() {
    let (addr, _) = start().await;
    let mut idle = Vec::new();
    for index in 0..500 {
        let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
        if index % 2 == 1 {
            // Half send part of their headers, half nothing at all.
            stream
                .write_all(format!("GET {PATH} HTTP/1.1\r\nHost: x\r\n").as_bytes())
                .await
                .expect("sent");
        }
        idle.push(stream);
    }
    still_serves(addr).await;
    // The header timeout is 300 ms: every idle connection is closed well within 3 s.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut open = 0;
    for stream in &mut idle {
        let mut buffer = [0u8; 512];
        let closed = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, stream.read(&mut buffer)).await {
                Ok(Ok(0) | Err(_)) => break true,
                Ok(Ok(_)) => continue,
                Err(_) => break false,
            }
        };
        open += usize::from(!closed);
    }
    assert_eq!(open, 0, "idle connections still open");
    still_serves(addr).await;
}

/// Answers each call after `delay`.
struct Slow(Duration);

impl AmplifyBackend for Slow {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        tokio::time::sleep(self.0).await;
        Ok(GetBackendAuthOutput::builder()
            .app_id(input.app_id.unwrap_or_default())
            .build())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_finishes_the_request_in_flight_and_then_refuses_connections() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let server = amplifybackend::server::Server::new(Slow(Duration::from_millis(500)));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(smithy_runtime::server::serve_with_shutdown(
        listener,
        server,
        limits(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    stream.write_all(good_request().as_bytes()).await.expect("sent");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    stop.send(()).expect("the server waits for the signal");
    let answer = read_all(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the request in flight is answered: {answer}"
    );
    let result = tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the server stops after draining")
        .expect("the server task did not panic");
    assert!(result.is_ok(), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_gives_up_on_requests_after_its_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let server = amplifybackend::server::Server::new(Slow(Duration::from_secs(60)));
    let limits = limits().with_shutdown_timeout(Duration::from_millis(200));
    let serving = tokio::spawn(smithy_runtime::server::serve_with_shutdown(
        listener,
        server,
        limits,
        tokio::time::sleep(Duration::from_millis(200)),
    ));
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    stream.write_all(good_request().as_bytes()).await.expect("sent");
    let result = tokio::time::timeout(Duration::from_secs(5), serving)
        .await
        .expect("the server stops after its shutdown timeout")
        .expect("the server task did not panic");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_prior_knowledge_is_served() {
    let (addr, service) = start().await;
    let stream = TcpStream::connect(addr).await.expect("the server accepts");
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("the HTTP/2 handshake succeeds");
    tokio::spawn(connection);
    for _ in 0..3 {
        let request = http::Request::post(format!("http://{addr}{PATH}"))
            .header("content-type", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from_static(
                br#"{"resourceName":"auth"}"#,
            )))
            .expect("a valid request");
        let response = sender.send_request(request).await.expect("answered");
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), http::Version::HTTP_2);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .expect("the body arrives")
            .to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("d1abc"));
    }
    assert_eq!(service.0.load(Ordering::SeqCst), 3);
}

/// An HTTP/2 connection to a server with `server`, its sender, and a receiver that fires when
/// the server closes the connection.
async fn http2_connection(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http2::SendRequest<http_body_util::Full<bytes::Bytes>>,
    tokio::sync::oneshot::Receiver<()>,
) {
    let stream = TcpStream::connect(addr).await.expect("the server accepts");
    let (sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("the HTTP/2 handshake succeeds");
    let (closed, on_close) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = connection.await;
        let _ = closed.send(());
    });
    (sender, on_close)
}

fn http2_call(addr: SocketAddr) -> http::Request<http_body_util::Full<bytes::Bytes>> {
    http::Request::post(format!("http://{addr}{PATH}"))
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from_static(
            br#"{"resourceName":"auth"}"#,
        )))
        .expect("a valid request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_idle_timeout_over_http2_and_http1() {
    let (addr, _) = start_with(limits().with_idle_timeout(Duration::from_millis(400))).await;
    let (mut sender, on_close) = http2_connection(addr).await;
    let response = sender.send_request(http2_call(addr)).await.expect("answered");
    assert_eq!(response.status(), 200);
    let answered = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), on_close)
        .await
        .expect("the server closes the idle HTTP/2 connection")
        .expect("the connection task ends");
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(350),
        "closed after {idle:?}, before the idle timeout"
    );

    // HTTP/1.1 keep-alive: the connection stays open after a response, then closes.
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let body = r#"{"resourceName":"auth"}"#;
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let started = Instant::now();
    let answer = read_all(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "closed after {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_longer_than_the_idle_timeout_is_answered() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let server = amplifybackend::server::Server::new(Slow(Duration::from_millis(1200)));
    let limits = limits().with_idle_timeout(Duration::from_millis(300));
    tokio::spawn(smithy_runtime::server::serve_with_limits(listener, server, limits));
    let (mut sender, _on_close) = http2_connection(addr).await;
    let response = tokio::time::timeout(Duration::from_secs(5), sender.send_request(http2_call(addr)))
        .await
        .expect("answered in time")
        .expect("answered, not cut off as idle");
    assert_eq!(response.status(), 200);
}

/// Run by [`the_server_keeps_serving_after_running_out_of_file_descriptors`] in a child process
/// whose open-file limit is 64, so that it can run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run in a child process with a low open-file limit"]
async fn out_of_file_descriptors_child() {
    let (addr, _) = start_with(limits().with_header_read_timeout(Duration::from_secs(30))).await;
    let mut held = Vec::new();
    let mut ran_out = false;
    for _ in 0..200 {
        match TcpStream::connect(addr).await {
            Ok(stream) => held.push(stream),
            Err(_) => {
                ran_out = true;
                break;
            }
        }
    }
    assert!(ran_out, "64 descriptors ran out ({} connections open)", held.len());
    // The server's accept fails with EMFILE while the descriptors are held.
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    still_serves(addr).await;
    println!("served after EMFILE");
}

#[test]
fn the_server_keeps_serving_after_running_out_of_file_descriptors() {
    if !cfg!(target_os = "linux") {
        eprintln!("SKIPPED: the open-file limit is lowered with the shell's `ulimit`, on Linux only");
        return;
    }
    let me = std::env::current_exe().expect("the test binary has a path");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" --exact out_of_file_descriptors_child --ignored --nocapture --test-threads 1")
        .arg(&me)
        .output()
        .expect("sh runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("served after EMFILE"), "{stdout}\n{stderr}");
}
