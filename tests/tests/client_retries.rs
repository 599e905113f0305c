//! The client's retries, timeouts and limits, against loopback servers that misbehave on cue:
//! `503` then `200`, `429 ThrottlingException` again and again, a modelled error that is not
//! retryable, a connection reset, a response that never ends, headers that never come, a body
//! over the limit. Each test checks the attempts the server saw, the backoffs the client chose
//! (through a [`Sleep`] that records them and returns at once) and the kind of the error.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amplifybackend::client::{
    Client, Config, HyperTransport, RetryConfig, Sleep, SleepFuture, TimeoutConfig, TransportFailure,
    TransportFailureKind,
};
use amplifybackend::error::UnhandledKind;
use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput};
use amplifybackend::AmplifyBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the scripted server does with one request.
#[derive(Clone)]
enum Answer {
    /// A whole response: status, extra headers, body.
    Respond(u16, &'static [(&'static str, &'static str)], &'static str),
    /// Resets the connection (RST) without answering.
    Reset,
    /// Sends headers and part of a body, then nothing more.
    Stall,
    /// Sends nothing at all.
    Silent,
    /// A chunked body that never ends.
    Endless,
    /// Declares a body of this many bytes and sends it.
    Large(usize),
}

const OK_BODY: &str = r#"{"appId":"d1abc","backendEnvironmentName":"staging"}"#;
const OK: Answer = Answer::Respond(200, &[], OK_BODY);

/// A request as the server read it: its headers, lower-cased names.
#[derive(Debug, Clone)]
struct Seen {
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A server that answers its n-th request with the n-th answer (the last one repeats), one
/// request per connection.
struct Scripted {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    async fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
        let addr = listener.local_addr().expect("the listener has an address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let record = record.clone();
                let answers = answers.clone();
                tokio::spawn(async move {
                    let _ = serve_one(stream, &record, &answers).await;
                });
            }
        });
        Self { addr, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("no thread panicked").clone()
    }

    fn attempts(&self) -> usize {
        self.seen().len()
    }
}

async fn serve_one(mut stream: TcpStream, record: &Mutex<Vec<Seen>>, answers: &[Answer]) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + 4 + length {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let answer = {
        let mut seen = record.lock().expect("no thread panicked");
        seen.push(Seen { headers });
        answers[(seen.len() - 1).min(answers.len() - 1)].clone()
    };
    match answer {
        Answer::Respond(status, extra, body) => {
            let mut response = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in extra {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("\r\n");
            response.push_str(body);
            stream.write_all(response.as_bytes()).await?;
            stream.shutdown().await?;
        }
        Answer::Reset => {
            // SO_LINGER of zero: closing sends RST rather than FIN, and does not block (the
            // deprecation warns of a positive linger, which does).
            #[allow(deprecated)]
            stream.set_linger(Some(Duration::ZERO))?;
            drop(stream);
        }
        Answer::Stall => {
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"appId\"",
                )
                .await?;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Answer::Silent => tokio::time::sleep(Duration::from_secs(30)).await,
        Answer::Endless => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await?;
            let piece = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
            loop {
                stream.write_all(piece.as_bytes()).await?;
            }
        }
        Answer::Large(bytes) => {
            stream
                .write_all(
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes}\r\n\r\n")
                        .as_bytes(),
                )
                .await?;
            let piece = vec![b' '; 0x10000];
            let mut sent = 0;
            while sent < bytes {
                let part = piece.len().min(bytes - sent);
                stream.write_all(&piece[..part]).await?;
                sent += part;
            }
        }
    }
    Ok(())
}

/// A sleep that returns at once and records every wait it was asked for.
#[derive(Debug, Default, Clone)]
struct RecordingSleep(Arc<Mutex<Vec<Duration>>>);

impl RecordingSleep {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().expect("no thread panicked").clone()
    }
}

impl Sleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().expect("no thread panicked").push(duration);
        Box::pin(std::future::ready(()))
    }
}

fn input() -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id("d1abc")
        .backend_environment_name("staging")
        .resource_name("auth")
        .build()
        .expect("every required member is set")
}

/// A client of `server` whose backoffs are recorded (and not waited), without jitter, so each
/// backoff is its ceiling: 1 s, then 2 s. Timeouts come from the transport, which `sleep` does
/// not drive.
fn client(server: &Scripted, transport: HyperTransport, sleep: &RecordingSleep) -> Client {
    let config = Config::new(transport, format!("http://{}", server.addr))
        .with_retry(RetryConfig::standard().without_jitter())
        .with_timeouts(TimeoutConfig::disabled())
        .with_sleep(sleep.clone());
    Client::new(&config)
}

fn unhandled(error: GetBackendAuthError) -> amplifybackend::error::UnhandledError {
    match error {
        GetBackendAuthError::Unhandled(error) => error,
        other => panic!("expected an unhandled error, got {other:?}"),
    }
}

/// The kind of transport failure behind an error.
fn failure_kind(error: &amplifybackend::error::UnhandledError) -> Option<TransportFailureKind> {
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        if let Some(failure) = inner.downcast_ref::<TransportFailure>() {
            return Some(failure.kind());
        }
        cause = inner.source();
    }
    None
}

async fn timed<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .expect("the call finished in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_then_a_200_succeeds_on_the_second_attempt_with_the_same_invocation_id() {
    let server = Scripted::start(vec![Answer::Respond(503, &[], r#"{"message":"busy"}"#), OK]).await;
    let sleep = RecordingSleep::default();
    let output = timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(output.app_id.as_deref(), Some("d1abc"));
    assert_eq!(sleep.waits(), [Duration::from_secs(1)]);

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(seen[1].header("amz-sdk-request"), Some("attempt=2; max=3"));
    let id = seen[0]
        .header("amz-sdk-invocation-id")
        .expect("an invocation id is sent");
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(seen[1].header("amz-sdk-invocation-id"), Some(id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_three_times_makes_three_attempts_with_doubling_backoffs() {
    let throttled = Answer::Respond(
        429,
        &[("x-amzn-errortype", "ThrottlingException")],
        r#"{"message":"slow down"}"#,
    );
    let server = Scripted::start(vec![throttled]).await;
    let sleep = RecordingSleep::default();
    let error = timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect_err("every attempt is throttled");
    let error = unhandled(error);
    assert_eq!(
        (error.kind(), error.status(), error.code()),
        (UnhandledKind::Service, 429, Some("ThrottlingException"))
    );
    assert_eq!(server.attempts(), 3);
    assert_eq!(sleep.waits(), [Duration::from_secs(1), Duration::from_secs(2)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modelled_error_that_is_not_retryable_is_not_retried() {
    let server = Scripted::start(vec![Answer::Respond(
        400,
        &[("x-amzn-errortype", "BadRequestException")],
        r#"{"message":"no"}"#,
    )])
    .await;
    let sleep = RecordingSleep::default();
    let error = timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect_err("the service refuses");
    assert!(
        matches!(error, GetBackendAuthError::BadRequestException(_)),
        "{error:?}"
    );
    assert_eq!(server.attempts(), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modelled_throttling_error_is_retried_and_then_returned_as_modelled() {
    let server = Scripted::start(vec![Answer::Respond(
        429,
        &[("x-amzn-errortype", "TooManyRequestsException")],
        r#"{"message":"later"}"#,
    )])
    .await;
    let sleep = RecordingSleep::default();
    let error = timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect_err("always throttled");
    assert!(
        matches!(error, GetBackendAuthError::TooManyRequestsException(_)),
        "{error:?}"
    );
    assert_eq!(server.attempts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_header_sets_the_backoff_within_the_cap() {
    let server = Scripted::start(vec![
        Answer::Respond(503, &[("x-amz-retry-after", "1500")], "{}"),
        Answer::Respond(503, &[("x-amz-retry-after", "999999")], "{}"),
        OK,
    ])
    .await;
    let sleep = RecordingSleep::default();
    timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect("the third attempt succeeds");
    assert_eq!(sleep.waits(), [Duration::from_millis(1500), Duration::from_secs(20)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_is_retried() {
    let server = Scripted::start(vec![Answer::Reset, OK]).await;
    let sleep = RecordingSleep::default();
    timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(server.attempts(), 2);
    assert_eq!(sleep.waits(), [Duration::from_secs(1)]);

    let server = Scripted::start(vec![Answer::Reset]).await;
    let sleep = RecordingSleep::default();
    let error = timed(client(&server, HyperTransport::new(), &sleep).get_backend_auth(input()))
        .await
        .expect_err("every connection is reset");
    let error = unhandled(error);
    assert_eq!(error.kind(), UnhandledKind::Transport, "{error}");
    assert_eq!(failure_kind(&error), Some(TransportFailureKind::Io), "{error}");
    assert_eq!(server.attempts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_retried_and_fails_as_a_connect_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    drop(listener);
    let sleep = RecordingSleep::default();
    let config = Config::new(HyperTransport::new(), format!("http://{addr}"))
        .with_retry(RetryConfig::standard().without_jitter())
        .with_timeouts(TimeoutConfig::disabled())
        .with_sleep(sleep.clone());
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("nothing listens");
    let error = unhandled(error);
    assert_eq!(failure_kind(&error), Some(TransportFailureKind::Connect), "{error}");
    assert_eq!(sleep.waits(), [Duration::from_secs(1), Duration::from_secs(2)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_is_cut_off_by_the_read_timeout_and_retried() {
    let server = Scripted::start(vec![Answer::Stall, OK]).await;
    let sleep = RecordingSleep::default();
    let transport = HyperTransport::builder()
        .read_timeout(Duration::from_millis(200))
        .build()
        .expect("the default roots load");
    let started = Instant::now();
    timed(client(&server, transport.clone(), &sleep).get_backend_auth(input()))
        .await
        .expect("the second attempt succeeds");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.attempts(), 2);

    let server = Scripted::start(vec![Answer::Stall]).await;
    let sleep = RecordingSleep::default();
    let error = timed(client(&server, transport, &sleep).get_backend_auth(input()))
        .await
        .expect_err("the body never completes");
    let error = unhandled(error);
    assert_eq!(error.kind(), UnhandledKind::Timeout, "{error}");
    assert_eq!(failure_kind(&error), Some(TransportFailureKind::Timeout), "{error}");
    assert_eq!(server.attempts(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_attempt_timeout_ends_an_attempt_that_gets_no_answer() {
    let server = Scripted::start(vec![Answer::Silent]).await;
    // tokio's timer drives the timeout; retries are off, so there is one attempt.
    let config = Config::new(HyperTransport::new(), format!("http://{}", server.addr))
        .with_retry(RetryConfig::disabled())
        .with_timeouts(TimeoutConfig::default().with_attempt_timeout(Some(Duration::from_millis(300))));
    let started = Instant::now();
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("no answer comes");
    let elapsed = started.elapsed();
    let error = unhandled(error);
    assert_eq!(error.kind(), UnhandledKind::Timeout, "{error}");
    assert!(error.to_string().contains("attempt timeout"), "{error}");
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert_eq!(server.attempts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operation_timeout_bounds_every_attempt_and_backoff_together() {
    let server = Scripted::start(vec![Answer::Respond(503, &[], "{}")]).await;
    let config = Config::new(HyperTransport::new(), format!("http://{}", server.addr))
        .with_retry(RetryConfig::standard().with_max_attempts(10).without_jitter())
        .with_timeouts(TimeoutConfig::default().with_operation_timeout(Some(Duration::from_millis(500))));
    let started = Instant::now();
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("the service stays down");
    let elapsed = started.elapsed();
    let error = unhandled(error);
    assert_eq!(error.kind(), UnhandledKind::Timeout, "{error}");
    assert!(error.to_string().contains("operation timeout"), "{error}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    // The first backoff (1 s) outlasts the call's 500 ms.
    assert_eq!(server.attempts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_fails_without_retrying_and_without_reading_it_all() {
    let transport = HyperTransport::builder()
        .max_response_bytes(64 * 1024)
        .build()
        .expect("the default roots load");
    for answer in [Answer::Large(1024 * 1024), Answer::Endless] {
        let server = Scripted::start(vec![answer]).await;
        let sleep = RecordingSleep::default();
        let error = timed(client(&server, transport.clone(), &sleep).get_backend_auth(input()))
            .await
            .expect_err("the body is too large");
        let error = unhandled(error);
        assert_eq!(error.kind(), UnhandledKind::Transport, "{error}");
        assert_eq!(
            failure_kind(&error),
            Some(TransportFailureKind::ResponseTooLarge),
            "{error}"
        );
        assert_eq!(server.attempts(), 1);
        assert!(sleep.waits().is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retry_quota_stops_retries_when_the_service_keeps_failing() {
    let server = Scripted::start(vec![Answer::Respond(503, &[], "{}")]).await;
    let sleep = RecordingSleep::default();
    let client = client(&server, HyperTransport::new(), &sleep);
    for _ in 0..60 {
        let error = timed(client.get_backend_auth(input())).await.expect_err("always 503");
        assert_eq!(unhandled(error).status(), 503);
    }
    // 500 tokens pay for 100 retries at 5 each; the 10 calls after that make one attempt.
    assert_eq!(sleep.waits().len(), 100);
    assert_eq!(server.attempts(), 60 + 100);

    // Another client of the same configuration has its own quota.
    let other = Client::new(
        &Config::new(HyperTransport::new(), format!("http://{}", server.addr))
            .with_retry(RetryConfig::standard().without_jitter())
            .with_timeouts(TimeoutConfig::disabled())
            .with_sleep(sleep.clone()),
    );
    timed(other.get_backend_auth(input())).await.expect_err("always 503");
    assert_eq!(sleep.waits().len(), 102);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_can_be_turned_off() {
    let server = Scripted::start(vec![Answer::Respond(503, &[], "{}")]).await;
    let sleep = RecordingSleep::default();
    let config = Config::new(HyperTransport::new(), format!("http://{}", server.addr))
        .with_retry(RetryConfig::disabled())
        .with_timeouts(TimeoutConfig::disabled())
        .with_sleep(sleep.clone());
    let error = timed(Client::new(&config).get_backend_auth(input()))
        .await
        .expect_err("503");
    assert_eq!(unhandled(error).status(), 503);
    assert_eq!(server.attempts(), 1);
    assert_eq!(server.seen()[0].header("amz-sdk-request"), Some("attempt=1; max=1"));
}

/// A server that reads a request body of `length` bytes slowly but steadily, `rate` bytes a
/// second, then answers 200 with the milliseconds the upload took.
async fn slow_reader(length: usize, rate: usize) -> SocketAddr {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(64 * 1024).expect("a receive buffer size");
    socket
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("a loopback port is free");
    let listener = socket.listen(8).expect("listening");
    let addr = listener.local_addr().expect("the listener has an address");
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let started = Instant::now();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
            if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let mut buffer = vec![0u8; 16 * 1024];
        let mut read = 0;
        while read < length {
            let want = buffer.len().min(length - read);
            match stream.read(&mut buffer[..want]).await {
                Ok(0) | Err(_) => return,
                Ok(count) => read += count,
            }
            // Keep to the rate on average, whatever the timer's granularity.
            let due = started + Duration::from_secs_f64(read as f64 / rate as f64);
            tokio::time::sleep_until(due.into()).await;
        }
        let body = format!("{}", started.elapsed().as_millis());
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_steady_upload_outlasts_the_read_timeout() {
    use smithy_runtime::client::Transport;
    // 24 MiB at 12 MiB/s: two seconds, more than twice the read timeout. (The kernel's socket
    // buffers, at most 4 MiB here, drain in a third of a second after the last byte is
    // handed over.)
    let length = 24 * 1024 * 1024;
    let addr = slow_reader(length, 12 * 1024 * 1024).await;
    let transport = HyperTransport::builder()
        .read_timeout(Duration::from_millis(800))
        .build()
        .expect("the default roots load");
    let request = http::Request::put(format!("http://{addr}/upload"))
        .body(vec![b'x'; length])
        .expect("a valid request");
    let response = timed(transport.send(request)).await.expect("the upload keeps moving");
    assert_eq!(response.status(), 200);
    let took: u64 = String::from_utf8_lossy(response.body()).parse().expect("milliseconds");
    assert!(took > 1600, "the upload took {took} ms, not twice the read timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_byte_of_the_response_is_awaited_for_the_read_timeout_after_the_upload() {
    use smithy_runtime::client::Transport;
    // The server reads the whole request, then never answers.
    let server = Scripted::start(vec![Answer::Silent]).await;
    let transport = HyperTransport::builder()
        .read_timeout(Duration::from_millis(300))
        .build()
        .expect("the default roots load");
    let request = http::Request::put(format!("http://{}/upload", server.addr))
        .body(vec![b'x'; 256 * 1024])
        .expect("a valid request");
    let started = Instant::now();
    let error = timed(transport.send(request)).await.expect_err("no answer comes");
    let elapsed = started.elapsed();
    let failure = error.downcast_ref::<TransportFailure>().expect("a transport failure");
    assert_eq!(failure.kind(), TransportFailureKind::Timeout, "{error}");
    assert!(error.to_string().contains("after the request was sent"), "{error}");
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert_eq!(server.attempts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_is_not_made_in_time_fails_as_a_connect_timeout() {
    use smithy_runtime::client::Transport;
    // A listener that never accepts: the kernel completes the TCP handshake, and no answer to
    // the TLS handshake ever comes.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(300))
        .read_timeout(Duration::from_secs(20))
        .build()
        .expect("the default roots load");
    let request = http::Request::get(format!("https://localhost:{}/", addr.port()))
        .body(Vec::new())
        .expect("a valid request");
    let started = Instant::now();
    let error = timed(transport.send(request))
        .await
        .expect_err("the handshake never ends");
    let failure = error.downcast_ref::<TransportFailure>().expect("a transport failure");
    assert_eq!(failure.kind(), TransportFailureKind::Connect, "{error}");
    assert!(error.to_string().contains("connect timeout"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    drop(listener);
}

/// A server that answers each request with what `answer` makes of its headers, one request
/// per connection, recording the requests.
async fn programmable(answer: impl Fn(&Seen) -> String + Send + Sync + 'static) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let record = record.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buffer.windows(4).any(|window| window == b"\r\n\r\n") && buffer.len() < 65_536 {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                    }
                }
                let head = String::from_utf8_lossy(&buffer).into_owned();
                let headers = head
                    .lines()
                    .skip(1)
                    .take_while(|line| !line.is_empty())
                    .filter_map(|line| line.split_once(':'))
                    .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
                    .collect();
                let request = Seen { headers };
                let response = answer(&request);
                record.lock().expect("no thread panicked").push(request);
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (addr, seen)
}

/// A raw HTTP/1.1 response with a `Date` header, and an error type when `error` is set.
fn raw_response(status: u16, date: i64, error: Option<&str>) -> String {
    let date = smithy_runtime::primitives::DateTime::from_secs(date).to_http_date();
    let (body, error) = match error {
        Some(code) => (
            format!(r#"{{"message":"{code}"}}"#),
            format!("X-Amzn-Errortype: {code}\r\n"),
        ),
        None => (OK_BODY.to_owned(), String::new()),
    };
    format!(
        "HTTP/1.1 {status} X\r\nDate: {date}\r\n{error}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Seconds since the epoch of an `x-amz-date` (`20130524T000000Z`).
fn amz_date_secs(value: &str) -> Option<i64> {
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        value.get(0..4)?,
        value.get(4..6)?,
        value.get(6..8)?,
        value.get(9..11)?,
        value.get(11..13)?,
        value.get(13..15)?
    );
    Some(smithy_runtime::primitives::DateTime::parse_date_time(&iso)?.secs())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

/// A server whose clock is `offset` seconds from this host's; it refuses requests signed more
/// than a minute from its time with `code`.
async fn skewed_service(offset: i64, code: &'static str) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    programmable(move |request| {
        let server_now = now_secs() + offset;
        let signed = request.header("x-amz-date").and_then(amz_date_secs);
        match signed {
            Some(signed) if (signed - server_now).abs() <= 60 => raw_response(200, server_now, None),
            _ => raw_response(403, server_now, Some(code)),
        }
    })
    .await
}

fn signed_client(addr: SocketAddr, credentials: impl smithy_runtime::auth::ProvideCredentials) -> Client {
    let config = Config::new(HyperTransport::new(), format!("http://{addr}"))
        .with_region("us-east-1")
        .with_credentials(credentials)
        .with_retry(RetryConfig::standard().without_jitter())
        .with_sleep(RecordingSleep::default());
    Client::new(&config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_five_minutes_off_is_corrected_from_the_date_header_and_the_call_retried_once() {
    use smithy_runtime::auth::Credentials;
    for code in [
        "InvalidSignatureException",
        "RequestTimeTooSkewed",
        "SignatureDoesNotMatch",
        "RequestExpired",
    ] {
        for offset in [300, -300] {
            let (addr, seen) = skewed_service(offset, code).await;
            let client = signed_client(addr, Credentials::from_keys("AKIDEXAMPLE", "secret"));
            timed(client.get_backend_auth(input()))
                .await
                .unwrap_or_else(|error| panic!("{code} {offset}: {error}"));
            assert_eq!(seen.lock().expect("no thread panicked").len(), 2, "{code} {offset}");
            // The offset is kept for the client's next calls: they are signed right at once.
            timed(client.get_backend_auth(input()))
                .await
                .expect("the clock is known");
            let seen = seen.lock().expect("no thread panicked").clone();
            assert_eq!(seen.len(), 3, "{code} {offset}");
            let signed = seen[2].header("x-amz-date").and_then(amz_date_secs).expect("signed");
            assert!((signed - (now_secs() + offset)).abs() <= 5, "{signed} {offset}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signature_error_with_the_clock_right_is_not_retried() {
    use smithy_runtime::auth::Credentials;
    let (addr, seen) = programmable(|_| raw_response(403, now_secs(), Some("InvalidSignatureException"))).await;
    let client = signed_client(addr, Credentials::from_keys("AKIDEXAMPLE", "secret"));
    let error = timed(client.get_backend_auth(input()))
        .await
        .expect_err("the signature is refused");
    assert!(error.to_string().contains("InvalidSignatureException"), "{error}");
    assert_eq!(seen.lock().expect("no thread panicked").len(), 1);
}

/// Gives `AKID1`, `AKID2`, ... each time it is asked, each valid for an hour.
#[derive(Debug, Default)]
struct Numbered(std::sync::atomic::AtomicUsize);

impl smithy_runtime::auth::ProvideCredentials for Numbered {
    fn provide_credentials(&self) -> smithy_runtime::auth::CredentialsFuture<'_> {
        let number = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let credentials = smithy_runtime::auth::Credentials::new(
            format!("AKID{number}"),
            "secret",
            Some("token".to_owned()),
            Some(std::time::SystemTime::now() + Duration::from_secs(3600)),
            "numbered",
        );
        Box::pin(std::future::ready(Ok(credentials)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_replaced_once_and_the_call_retried() {
    for code in ["ExpiredToken", "ExpiredTokenException"] {
        // The service has revoked the first credentials though they have not expired yet.
        let (addr, seen) = programmable(move |request| {
            let first = request
                .header("authorization")
                .is_some_and(|value| value.contains("Credential=AKID1/"));
            raw_response(if first { 400 } else { 200 }, now_secs(), first.then_some(code))
        })
        .await;
        let provider = Arc::new(smithy_runtime::credentials::CachingProvider::new(Numbered::default()));
        let client = signed_client(addr, provider.clone());
        timed(client.get_backend_auth(input()))
            .await
            .expect("fresh credentials pass");
        let seen = seen.lock().expect("no thread panicked").clone();
        assert_eq!(seen.len(), 2, "{code}");
        assert!(seen[1]
            .header("authorization")
            .is_some_and(|value| value.contains("Credential=AKID2/")));
        // The cache holds the fresh credentials for later calls.
        let kept = timed(smithy_runtime::auth::ProvideCredentials::provide_credentials(&provider))
            .await
            .expect("kept");
        assert_eq!(kept.access_key_id(), "AKID2");
    }

    // Credentials that stay the same are not tried again.
    let (addr, seen) = programmable(|_| raw_response(400, now_secs(), Some("ExpiredToken"))).await;
    let client = signed_client(addr, smithy_runtime::auth::Credentials::from_keys("AKID", "secret"));
    timed(client.get_backend_auth(input()))
        .await
        .expect_err("the token stays expired");
    assert_eq!(seen.lock().expect("no thread panicked").len(), 1);
}
