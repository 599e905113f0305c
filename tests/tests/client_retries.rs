//! The client's retries, timeouts and limits, against loopback servers that misbehave on cue:
//! `503` then `200`, `429 ThrottlingException` again and again, a modelled error that is not
//! retryable, a connection reset, a response that never ends, headers that never come, a body
//! over the limit. Each test checks the attempts the server saw, the backoffs the client chose
//! (through a [`Sleep`] that records them and returns at once) and the kind of the error.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amplifybackend::client::{Client, Config, HyperTransport, RetryConfig, TimeoutConfig};
use amplifybackend::error::UnhandledKind;
use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput};
use amplifybackend::AmplifyBackend;
use smithy_runtime::client::{Sleep, SleepFuture, TransportFailure, TransportFailureKind};
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
