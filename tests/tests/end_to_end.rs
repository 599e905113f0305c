//! End to end: the generated `amplifybackend` client and server talking restJson1 over real
//! HTTP/1.1 on a loopback socket, through the `hyper-client` and `hyper-server` features.
//!
//! Each test starts `server::serve` on `127.0.0.1:0` with a recording implementation of the
//! service trait, and calls it with `client::Client` over `client::HyperTransport` (or with raw
//! HTTP/1.1 text on a `TcpStream` where the client would refuse to send the request). Pins:
//! - a response with every member set arrives intact, and the server reads exactly the input
//!   that was sent;
//! - a modelled error crosses the wire as that error, with its status;
//! - a URI label full of reserved characters reaches the implementation unchanged;
//! - a malformed JSON body is answered `400` `SerializationException` without reaching the
//!   implementation, and the client reads that answer as an unhandled error with its code;
//! - an input missing a required member is refused by the client before anything is sent;
//! - a request the server cannot route is answered `404` `UnknownOperationException`, a body
//!   that cannot be read is answered `400`, and neither a bad connection nor those stop the server;
//! - an `https://` endpoint served by a plain-HTTP server fails as a transport error (the TLS
//!   handshake fails); HTTPS itself is `aws_e2e.rs`'s.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amplifybackend::client::{Client, Config, HyperTransport, RetryConfig, Transport, TransportError, TransportFuture};
use amplifybackend::error::UnhandledKind;
use amplifybackend::operation::get_backend_auth::{
    GetBackendAuth, GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput,
};
use amplifybackend::operation::HttpOperation;
use amplifybackend::types::error::NotFoundException;
use amplifybackend::AmplifyBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long any one exchange with the test server may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The complete `GetBackendAuth` response of the reference page (every member set).
fn fixture_output() -> GetBackendAuthOutput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/get_backend_auth_response.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_json::from_str(&text).expect("the fixture deserializes into GetBackendAuthOutput")
}

fn input(app_id: &str) -> GetBackendAuthInput {
    GetBackendAuthInput::builder()
        .app_id(app_id)
        .backend_environment_name("staging")
        .resource_name("photoshareAuth")
        .build()
        .expect("every required member is set")
}

/// A service implementation that records every input it is called with and answers each call
/// with the same result.
struct TestImpl {
    answer: Result<GetBackendAuthOutput, GetBackendAuthError>,
    seen: Mutex<Vec<GetBackendAuthInput>>,
}

impl TestImpl {
    fn answering(answer: Result<GetBackendAuthOutput, GetBackendAuthError>) -> Arc<Self> {
        Arc::new(Self {
            answer,
            seen: Mutex::new(Vec::new()),
        })
    }

    fn seen(&self) -> Vec<GetBackendAuthInput> {
        self.seen
            .lock()
            .expect("no test thread panicked holding the lock")
            .clone()
    }
}

impl AmplifyBackend for TestImpl {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        self.seen
            .lock()
            .expect("no test thread panicked holding the lock")
            .push(input);
        self.answer.clone()
    }
}

/// Serves `service` on a fresh loopback port, on a task of the test's runtime; the server stops
/// with the runtime at the end of the test.
async fn start(service: Arc<TestImpl>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port is free");
    let addr = listener.local_addr().expect("the listener has an address");
    tokio::spawn(async move {
        let result = amplifybackend::server::serve(listener, amplifybackend::server::Server::from_arc(service)).await;
        panic!("the server stopped: {result:?}");
    });
    addr
}

fn client(addr: SocketAddr) -> Client {
    Client::with_endpoint(HyperTransport::new(), format!("http://{addr}"))
}

/// Runs `future`, failing the test if it takes longer than [`TIMEOUT`].
async fn timed<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .expect("the exchange finished in time")
}

/// Sends `request` (raw HTTP/1.1 text, which should ask for `Connection: close`) on a new
/// connection and reads the whole answer into a response.
async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> http::Response<Vec<u8>> {
    timed(async {
        let mut stream = TcpStream::connect(addr).await.expect("the server accepts connections");
        stream.write_all(request).await.expect("the request is written");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.expect("the answer is read");
        parse_raw_response(&answer)
    })
    .await
}

/// Reads an HTTP/1.1 response with a `Content-Length` body from its text.
fn parse_raw_response(answer: &[u8]) -> http::Response<Vec<u8>> {
    let end = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(answer)));
    let head = std::str::from_utf8(&answer[..end]).expect("the head is text");
    let body = answer[end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let mut parts = status_line.splitn(3, ' ');
    assert_eq!(parts.next(), Some("HTTP/1.1"), "status line `{status_line}`");
    let status: u16 = parts
        .next()
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status code in `{status_line}`"));
    let mut builder = http::Response::builder().status(status);
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("bad header line `{line}`"));
        builder = builder.header(name.trim(), value.trim());
    }
    let response = builder.body(body).expect("a valid response");
    if let Some(length) = response.headers().get(http::header::CONTENT_LENGTH) {
        let length: usize = length
            .to_str()
            .ok()
            .and_then(|text| text.parse().ok())
            .expect("a numeric length");
        assert_eq!(response.body().len(), length, "the whole body arrived");
    }
    response
}

/// A header's value as text (header names are case-insensitive).
fn header<'a>(response: &'a http::Response<Vec<u8>>, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().expect("the header is text"))
}

/// A transport that counts its calls and fails each one.
#[derive(Default)]
struct CountingTransport {
    calls: AtomicUsize,
}

impl Transport for CountingTransport {
    fn send(&self, _request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err(TransportError::from("the counting transport sends nothing")) })
    }
}

/// A client over a counting transport, with the transport to read its count.
fn counting_client() -> (Client, Arc<CountingTransport>) {
    let transport = Arc::new(CountingTransport::default());
    let shared: Arc<dyn Transport> = transport.clone();
    // One attempt, so that each call reaches the transport once.
    let config = Config::with_shared_transport(shared, "http://127.0.0.1:9").with_retry(RetryConfig::disabled());
    (Client::from_config(config), transport)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_full_response_arrives_intact_and_the_server_reads_the_input_sent() {
    let expected = fixture_output();
    let service = TestImpl::answering(Ok(expected.clone()));
    let addr = start(service.clone()).await;
    let sent = input("d2x8example4k1");

    let output = timed(client(addr).get_backend_auth(sent.clone()))
        .await
        .expect("the call succeeds");

    assert_eq!(output, expected);
    assert_eq!(service.seen(), vec![sent]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_reuses_its_transport_for_several_calls() {
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    let client = client(addr);

    for n in 0..3 {
        timed(client.get_backend_auth(input(&format!("app{n}"))))
            .await
            .expect("the call succeeds");
    }

    let apps: Vec<_> = service.seen().into_iter().map(|input| input.app_id).collect();
    assert_eq!(apps, ["app0", "app1", "app2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_modelled_error_arrives_as_that_error_with_its_status() {
    let not_found = NotFoundException::builder()
        .message("no backend environment `staging`")
        .resource_type("BackendEnvironment")
        .build();
    let service = TestImpl::answering(Err(GetBackendAuthError::NotFoundException(not_found.clone())));
    let addr = start(service.clone()).await;

    let error = timed(client(addr).get_backend_auth(input("d1abc")))
        .await
        .expect_err("the implementation fails");

    assert_eq!(error.status(), 404);
    match &error {
        GetBackendAuthError::NotFoundException(received) => assert_eq!(received, &not_found),
        other => panic!("expected NotFoundException, got {other:?}"),
    }
    assert_eq!(error.code(), Some("NotFoundException"));
    assert_eq!(service.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_with_reserved_characters_reaches_the_server_unchanged() {
    let app_id = "a/../b?x=1#y% z";
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    let sent = input(app_id);

    let output = timed(client(addr).get_backend_auth(sent.clone())).await;

    assert!(output.is_ok(), "the call reached GetBackendAuth: {output:?}");
    assert_eq!(service.seen(), vec![sent]);
    assert_eq!(service.seen()[0].app_id, app_id);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_json_body_is_answered_400_serialization_exception() {
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    let body = r#"{"resourceName": "photoshareAuth""#;
    let request = format!(
        "POST /backend/d1abc/auth/staging/details HTTP/1.1\r\n\
         Host: {addr}\r\n\
         Content-Type: application/json\r\n\
         Content-Length: {}\r\n\
         Connection: close\r\n\
         \r\n\
         {body}",
        body.len()
    );

    let response = raw_exchange(addr, request.as_bytes()).await;

    assert_eq!(response.status(), 400);
    assert_eq!(
        header(&response, "X-Amzn-Errortype"),
        Some("SerializationException"),
        "{response:?}"
    );
    assert!(service.seen().is_empty(), "the implementation was not called");

    let error = <GetBackendAuth as HttpOperation>::parse_response(&response).expect_err("an error response");
    match &error {
        GetBackendAuthError::Unhandled(unhandled) => {
            assert_eq!(unhandled.kind(), UnhandledKind::Service);
            assert_eq!(unhandled.status(), 400);
            assert_eq!(unhandled.code(), Some("SerializationException"));
        }
        other => panic!("expected an unhandled error, got {other:?}"),
    }
    assert_eq!(error.status(), 400);
    assert_eq!(error.code(), Some("SerializationException"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_required_member_is_refused_before_anything_is_sent() {
    // The builder refuses to build it; the serde form (the shape's JSON document) does not.
    let incomplete: GetBackendAuthInput = serde_json::from_value(serde_json::json!({
        "AppId": "d1abc",
        "BackendEnvironmentName": "staging",
    }))
    .expect("the JSON document deserializes");
    assert_eq!(incomplete.resource_name, None);
    let (client, transport) = counting_client();

    let error = timed(client.get_backend_auth(incomplete))
        .await
        .expect_err("the input is refused");

    assert_eq!(transport.calls.load(Ordering::SeqCst), 0, "nothing was sent");
    match &error {
        GetBackendAuthError::Unhandled(unhandled) => {
            assert_eq!(unhandled.kind(), UnhandledKind::InvalidInput, "{unhandled}");
            assert_eq!(unhandled.status(), 0);
        }
        other => panic!("expected an invalid-input error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_counting_transport_is_called_for_a_valid_input() {
    // The other side of the test above: the transport does see a complete input.
    let (client, transport) = counting_client();

    let error = timed(client.get_backend_auth(input("d1abc")))
        .await
        .expect_err("the transport fails");

    assert_eq!(transport.calls.load(Ordering::SeqCst), 1);
    match &error {
        GetBackendAuthError::Unhandled(unhandled) => assert_eq!(unhandled.kind(), UnhandledKind::Transport),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_route_is_answered_404_unknown_operation() {
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    let request = format!("GET /backend/d1abc HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");

    let response = raw_exchange(addr, request.as_bytes()).await;

    assert_eq!(response.status(), 404);
    assert_eq!(
        header(&response, "X-Amzn-Errortype"),
        Some("UnknownOperationException"),
        "{response:?}"
    );
    assert!(service.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_body_is_answered_400_and_the_server_goes_on() {
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    // A chunked body whose chunk size is not hexadecimal.
    let request = format!(
        "POST /backend/d1abc/auth/staging/details HTTP/1.1\r\n\
         Host: {addr}\r\n\
         Content-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\
         Connection: close\r\n\
         \r\n\
         zz\r\n{{}}\r\n0\r\n\r\n"
    );

    let response = raw_exchange(addr, request.as_bytes()).await;

    assert_eq!(response.status(), 400, "{response:?}");
    assert_eq!(
        header(&response, "X-Amzn-Errortype"),
        Some("SerializationException"),
        "{response:?}"
    );
    assert!(service.seen().is_empty());

    // A connection that sends garbage and hangs up, and one that hangs up at once, end only
    // themselves.
    timed(async {
        let mut garbage = TcpStream::connect(addr).await.expect("the server accepts connections");
        garbage
            .write_all(b"\x00\x01 not HTTP at all\r\n\r\n")
            .await
            .expect("written");
        drop(garbage);
        drop(TcpStream::connect(addr).await.expect("the server accepts connections"));
    })
    .await;
    timed(client(addr).get_backend_auth(input("d1abc")))
        .await
        .expect("the server still answers");
    assert_eq!(service.seen().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn https_to_a_plain_http_server_is_a_transport_error() {
    let service = TestImpl::answering(Ok(fixture_output()));
    let addr = start(service.clone()).await;
    let client = Client::with_endpoint(HyperTransport::new(), format!("https://{addr}"));

    let error = timed(client.get_backend_auth(input("d1abc")))
        .await
        .expect_err("the TLS handshake fails");
    assert!(service.seen().is_empty());

    match &error {
        GetBackendAuthError::Unhandled(unhandled) => assert_eq!(unhandled.kind(), UnhandledKind::Transport),
        other => panic!("expected a transport error, got {other:?}"),
    }
}
