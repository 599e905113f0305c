//! The connections of a [`HyperTransport`](super::HyperTransport): made with its connector,
//! kept per scheme and authority between exchanges, and moved by the task that uses them.
//!
//! An HTTP/1 connection has no task of its own. The task that waits for a response polls the
//! connection until the response's head arrives, and whoever reads the response's body polls it
//! for each piece: a piece goes from the socket to its reader on the reader's thread, with no
//! wake-up of another thread in between (a connection on a task of its own costs two a piece,
//! which is most of the processor time of a large download). Between exchanges a connection
//! waits in the pool unpolled; taking it out polls it once, which reads the close of a server
//! that closed it meanwhile.
//!
//! A connection whose reader may stop polling while it must still move runs on a task of its own
//! instead: that of an event stream, whose request body may still be sending while its response
//! streams, and every HTTP/2 connection, which carries many exchanges at once.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use hyper::client::conn::http1;
#[cfg(feature = "http2")]
use hyper_util::client::legacy::connect::Connection as _;
use tokio::time::Instant;

use super::{failure, with_causes, Connector, UploadBody};
use crate::client::{TransportError, TransportFailureKind};

/// How long a connection may wait in the pool between exchanges.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The most connections kept waiting for each scheme and authority: as many as a busy program
/// has calls in flight, short of what a burst of calls would leave open.
const MAX_IDLE_PER_AUTHORITY: usize = 256;

type Io = hyper_rustls::MaybeHttpsStream<hyper_util::rt::TokioIo<tokio::net::TcpStream>>;

/// What sends requests on an HTTP/2 connection; its clones share the connection.
#[cfg(feature = "http2")]
type Http2 = hyper::client::conn::http2::SendRequest<UploadBody>;

/// Where a connection goes: its scheme and authority.
type Key = (http::uri::Scheme, http::uri::Authority);

/// A pool of connections, shared by the clones of a transport.
#[derive(Clone)]
pub(super) struct Connections {
    shared: Arc<Shared>,
}

struct Shared {
    connector: Connector,
    read_buffer: usize,
    #[cfg(feature = "http2")]
    http2_only: bool,
    idle: Mutex<HashMap<Key, Vec<Idle>>>,
    /// An HTTP/2 connection per scheme and authority, for every exchange to go there.
    #[cfg(feature = "http2")]
    http2: Mutex<HashMap<Key, Http2>>,
}

struct Idle {
    connection: Http1,
    since: Instant,
}

/// An HTTP/1 connection: what sends requests on it, and the connection itself, which moves
/// only when polled.
struct Http1 {
    sender: http1::SendRequest<UploadBody>,
    connection: Pin<Box<http1::Connection<Io, UploadBody>>>,
    /// Whether the connection has ended (closed or failed), after which it is not polled.
    ended: bool,
}

impl Http1 {
    /// Moves the connection as far as it can go now; whether it has ended.
    fn drive(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.ended && self.connection.as_mut().poll(cx).is_ready() {
            self.ended = true;
        }
        self.ended
    }

    /// Whether the connection can take another request. It is polled once, with a waker that
    /// does nothing, which finishes an exchange whose response was read and reads a close the
    /// server sent.
    fn reusable(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        !self.drive(&mut cx) && self.sender.is_ready()
    }
}

/// The body of a response, with the HTTP/1 connection it comes on when its reader moves that
/// connection.
pub(super) struct Body {
    body: hyper::body::Incoming,
    driver: Option<Driver>,
}

struct Driver {
    connection: Http1,
    key: Key,
    pool: Weak<Shared>,
}

impl Driver {
    /// Gives the connection back to the pool, when the pool is still there and the connection
    /// can take another request; else closes it.
    fn give_back(mut self) {
        if let Some(pool) = self.pool.upgrade() {
            if self.connection.reusable() {
                pool.put(self.key, self.connection);
            }
        }
    }
}

impl Body {
    /// Gives the connection back to the pool, the body being read whole.
    fn finish(&mut self) {
        if let Some(driver) = self.driver.take() {
            driver.give_back();
        }
    }
}

impl hyper::body::Body for Body {
    type Data = bytes::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let mut driven = false;
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => match &mut this.driver {
                    // The connection reads the next piece, or registers for the socket to wake
                    // this task when there is more to read.
                    Some(driver) if !driven => {
                        driven = true;
                        driver.connection.drive(cx);
                    }
                    _ => return Poll::Pending,
                },
                Poll::Ready(None) => {
                    this.finish();
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(error))) => {
                    this.driver = None;
                    return Poll::Ready(Some(Err(error)));
                }
                ready => return ready,
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        hyper::body::Body::is_end_stream(&self.body)
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::Body::size_hint(&self.body)
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // A reader that stops at the declared length, without asking for the end, still gives
        // the connection back; one that stops before closes it.
        if hyper::body::Body::is_end_stream(&self.body) {
            self.finish();
        }
    }
}

impl Connections {
    /// Whether TLS has been set up for an HTTPS connection yet.
    #[cfg(test)]
    pub(super) fn tls_is_set_up(&self) -> bool {
        self.shared.connector.inner.https.get().is_some()
    }

    pub(super) fn new(connector: Connector, read_buffer: usize, http2_only: bool) -> Self {
        #[cfg(not(feature = "http2"))]
        let _ = http2_only;
        Self {
            shared: Arc::new(Shared {
                connector,
                read_buffer,
                #[cfg(feature = "http2")]
                http2_only,
                idle: Mutex::default(),
                #[cfg(feature = "http2")]
                http2: Mutex::default(),
            }),
        }
    }

    /// Sends `request` (its URI absolute) and gives the response once its head has arrived.
    /// With `own_task`, the connection runs on a task of its own rather than being moved by
    /// the body's reader.
    pub(super) async fn send(
        self,
        request: http::Request<UploadBody>,
        own_task: bool,
    ) -> Result<http::Response<Body>, TransportError> {
        let uri = request.uri().clone();
        let key = key(&uri)?;
        #[cfg(feature = "http2")]
        if let Some(sender) = self.shared.http2_sender(&key) {
            return send_http2(sender, request).await;
        }
        let (connection, reused) = match self.shared.take_idle(&key) {
            Some(connection) => (connection, true),
            None => match self.connect(&key, &uri).await? {
                Connected::Http1(connection) => (connection, false),
                #[cfg(feature = "http2")]
                Connected::Http2(sender) => return send_http2(sender, request).await,
            },
        };
        self.send_on(connection, reused, (key, uri), request, own_task).await
    }

    /// Sends `request` on an HTTP/1 `connection`, taken from the pool when `reused`: if such a
    /// connection closed before the request went out, on a new connection to `uri`.
    async fn send_on(
        &self,
        mut connection: Http1,
        mut reused: bool,
        (key, uri): (Key, http::Uri),
        mut request: http::Request<UploadBody>,
        own_task: bool,
    ) -> Result<http::Response<Body>, TransportError> {
        // Taken back out if the request goes on an HTTP/2 connection after all.
        #[cfg_attr(not(feature = "http2"), allow(unused_variables))]
        let added_host = origin_form(&mut request);
        loop {
            match exchange(&mut connection, request).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    let driver = Driver {
                        connection,
                        key,
                        pool: Arc::downgrade(&self.shared),
                    };
                    let driver = if own_task {
                        tokio::spawn(run_alone(driver));
                        None
                    } else {
                        Some(driver)
                    };
                    return Ok(http::Response::from_parts(parts, Body { body, driver }));
                }
                Err(mut error) => match error.take_message() {
                    // A connection from the pool that closed before the request went out: the
                    // request was not sent, so it goes on a new connection.
                    Some(unsent) if reused => {
                        request = unsent;
                        reused = false;
                        connection = match self.connect(&key, &uri).await? {
                            Connected::Http1(connection) => connection,
                            // The server now speaks HTTP/2: the request as it was given.
                            #[cfg(feature = "http2")]
                            Connected::Http2(sender) => {
                                *request.uri_mut() = uri;
                                if added_host {
                                    request.headers_mut().remove(http::header::HOST);
                                }
                                return send_http2(sender, request).await;
                            }
                        };
                    }
                    _ => return Err(exchange_failure(&error.into_error())),
                },
            }
        }
    }

    /// A new connection to `uri`'s authority: HTTP/2 when TLS negotiates it (or the transport
    /// speaks only HTTP/2), else HTTP/1.
    async fn connect(&self, key: &Key, uri: &http::Uri) -> Result<Connected, TransportError> {
        use tower_service::Service as _;
        let mut connector = self.shared.connector.clone();
        std::future::poll_fn(|cx| connector.poll_ready(cx))
            .await
            .map_err(|error| connect_failure(&*error))?;
        let io = connector
            .call(uri.clone())
            .await
            .map_err(|error| connect_failure(&*error))?;
        #[cfg(feature = "http2")]
        if self.shared.http2_only || io.connected().is_negotiated_h2() {
            let (sender, connection) = hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .handshake(io)
                .await
                .map_err(|error| connect_failure(&error))?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            self.shared.lock_http2().insert(key.clone(), sender.clone());
            return Ok(Connected::Http2(sender));
        }
        #[cfg(not(feature = "http2"))]
        let _ = key;
        let (sender, connection) = http1::Builder::new()
            .max_buf_size(self.shared.read_buffer)
            .handshake(io)
            .await
            .map_err(|error| connect_failure(&error))?;
        Ok(Connected::Http1(Http1 {
            sender,
            connection: Box::pin(connection),
            ended: false,
        }))
    }
}

enum Connected {
    Http1(Http1),
    #[cfg(feature = "http2")]
    Http2(Http2),
}

impl Shared {
    fn lock_idle(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Vec<Idle>>> {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[cfg(feature = "http2")]
    fn lock_http2(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Http2>> {
        self.http2.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The HTTP/2 connection to `key`, while it is open.
    #[cfg(feature = "http2")]
    fn http2_sender(&self, key: &Key) -> Option<Http2> {
        let mut connections = self.lock_http2();
        match connections.get(key) {
            Some(sender) if !sender.is_closed() => Some(sender.clone()),
            Some(_) => {
                connections.remove(key);
                None
            }
            None => None,
        }
    }

    /// An idle connection to `key` that can take a request, the most recently used first.
    /// Connections idle too long, to any authority, are closed on the way.
    fn take_idle(&self, key: &Key) -> Option<Http1> {
        let now = Instant::now();
        let mut idle = self.lock_idle();
        idle.retain(|_, connections| {
            connections.retain(|entry| now.saturating_duration_since(entry.since) < IDLE_TIMEOUT);
            !connections.is_empty()
        });
        let connections = idle.get_mut(key)?;
        while let Some(entry) = connections.pop() {
            let mut connection = entry.connection;
            if connection.reusable() {
                return Some(connection);
            }
        }
        None
    }

    fn put(&self, key: Key, connection: Http1) {
        let mut idle = self.lock_idle();
        let connections = idle.entry(key).or_default();
        if connections.len() < MAX_IDLE_PER_AUTHORITY {
            connections.push(Idle {
                connection,
                since: Instant::now(),
            });
        }
    }
}

/// Sends `request` on `connection`, moving the connection until the response's head arrives.
async fn exchange(
    connection: &mut Http1,
    request: http::Request<UploadBody>,
) -> Result<http::Response<hyper::body::Incoming>, hyper::client::conn::TrySendError<http::Request<UploadBody>>> {
    let mut response = std::pin::pin!(connection.sender.try_send_request(request));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = response.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        connection.drive(cx);
        response.as_mut().poll(cx)
    })
    .await
}

/// Moves a connection on a task of its own until its exchange is over, then gives it back to
/// the pool.
async fn run_alone(mut driver: Driver) {
    let over = std::future::poll_fn(|cx| {
        if driver.connection.drive(cx) {
            return Poll::Ready(false);
        }
        // Ready for another request once the response was read whole.
        if driver.connection.sender.is_ready() {
            return Poll::Ready(true);
        }
        Poll::Pending
    })
    .await;
    if over {
        driver.give_back();
    }
}

#[cfg(feature = "http2")]
async fn send_http2(
    mut sender: Http2,
    request: http::Request<UploadBody>,
) -> Result<http::Response<Body>, TransportError> {
    sender.ready().await.map_err(|error| exchange_failure(&error))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| exchange_failure(&error))?;
    Ok(response.map(|body| Body { body, driver: None }))
}

/// The pool's key for `uri`: its scheme and authority, which an absolute URI has.
fn key(uri: &http::Uri) -> Result<Key, TransportError> {
    match (uri.scheme(), uri.authority()) {
        (Some(scheme), Some(authority)) => Ok((scheme.clone(), authority.clone())),
        _ => Err(failure(
            TransportFailureKind::Connect,
            format!("the request's URI `{uri}` names no scheme and host"),
        )),
    }
}

/// An HTTP/1 request as it goes on the wire: a `Host` header (unless it has one), and only
/// the path and query in its request line. Whether it added the `Host` header.
fn origin_form(request: &mut http::Request<UploadBody>) -> bool {
    let uri = request.uri().clone();
    let mut added_host = false;
    if let Some(host) = uri.host() {
        let default_port = match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        };
        let host = match uri.port_u16() {
            Some(port) if Some(port) != default_port => format!("{host}:{port}"),
            _ => host.to_owned(),
        };
        if let (Ok(value), false) = (
            http::HeaderValue::from_str(&host),
            request.headers().contains_key(http::header::HOST),
        ) {
            request.headers_mut().insert(http::header::HOST, value);
            added_host = true;
        }
    }
    let path = uri.path_and_query().filter(|path| path.as_str() != "/").map(|path| {
        let mut parts = http::uri::Parts::default();
        parts.path_and_query = Some(path.clone());
        http::Uri::from_parts(parts)
    });
    *request.uri_mut() = match path {
        Some(Ok(path)) => path,
        _ => http::Uri::from_static("/"),
    };
    added_host
}

/// A failure to connect: the TLS handshake's, or the connection's.
fn connect_failure(error: &(dyn std::error::Error + 'static)) -> TransportError {
    classified(error, TransportFailureKind::Connect)
}

/// A failure of an exchange on a connection.
fn exchange_failure(error: &(dyn std::error::Error + 'static)) -> TransportError {
    classified(error, TransportFailureKind::Io)
}

/// `error` as a failure of TLS when rustls is among its causes, else of `kind`.
fn classified(error: &(dyn std::error::Error + 'static), kind: TransportFailureKind) -> TransportError {
    let kind = if caused_by_tls(error) {
        TransportFailureKind::Tls
    } else {
        kind
    };
    failure(kind, with_causes(error))
}

/// Whether rustls is among `error`'s causes.
fn caused_by_tls(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(inner) = cause {
        if inner.is::<rustls::Error>() {
            return true;
        }
        // An `io::Error` leaves the error it wraps out of the chain of sources (its `source` is
        // the wrapped error's own): the chain goes on with the wrapped error, which may be
        // another `io::Error` (the TLS connector wraps the TLS stream's, which wraps rustls's).
        cause = match inner.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => inner.source(),
        };
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::TransportFailure;
    use crate::primitives::ByteStream;

    fn request(uri: &str, host: Option<&str>) -> http::Request<UploadBody> {
        let mut builder = http::Request::get(uri);
        if let Some(host) = host {
            builder = builder.header(http::header::HOST, host);
        }
        builder
            .body(UploadBody::new(ByteStream::new(Vec::new())).0)
            .expect("the request is valid")
    }

    /// An HTTP/1 request names its host in a `Host` header (with the port unless it is the
    /// scheme's own), keeps one it has, and sends only its path and query.
    #[test]
    fn a_request_goes_in_origin_form_with_its_host() {
        for (uri, given, host, path, added) in [
            (
                "https://s3.amazonaws.com/b/k%20y?tagging&x=1",
                None,
                "s3.amazonaws.com",
                "/b/k%20y?tagging&x=1",
                true,
            ),
            ("http://127.0.0.1:8080/", None, "127.0.0.1:8080", "/", true),
            ("http://127.0.0.1:8080", None, "127.0.0.1:8080", "/", true),
            ("https://example.com:443/a", None, "example.com", "/a", true),
            (
                "http://example.com:80/?list-type=2",
                None,
                "example.com",
                "/?list-type=2",
                true,
            ),
            ("https://example.com:8443/a", None, "example.com:8443", "/a", true),
            (
                "https://bucket.s3.amazonaws.com/k",
                Some("signed.example"),
                "signed.example",
                "/k",
                false,
            ),
        ] {
            let mut request = request(uri, given);
            assert_eq!(origin_form(&mut request), added, "{uri}");
            assert_eq!(request.uri().to_string(), path, "{uri}");
            assert_eq!(request.headers()[http::header::HOST], host, "{uri}");
            assert_eq!(request.headers().get_all(http::header::HOST).iter().count(), 1, "{uri}");
        }
    }

    /// A connection taken from the pool that the server closed after it was checked and before
    /// the request went out hands the request back unsent, and it goes on a new connection; on
    /// a connection just made, the same failure is the call's.
    #[test]
    fn a_request_a_pooled_connection_did_not_send_goes_on_a_new_one() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::AsyncWriteExt;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts");
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port is free");
            let address = listener.local_addr().expect("a bound listener has an address");
            let accepted = Arc::new(AtomicUsize::new(0));
            let counter = accepted.clone();
            // Every other connection, the first included, is closed at once; the others answer
            // each request with `ok`.
            tokio::spawn(async move {
                while let Ok((mut stream, _)) = listener.accept().await {
                    if counter.fetch_add(1, Ordering::SeqCst) % 2 == 0 {
                        continue;
                    }
                    tokio::spawn(async move {
                        let mut head = Vec::new();
                        while super::super::tests::read_head(&mut stream, &mut head).await {
                            head.clear();
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                            if stream.write_all(answer).await.is_err() {
                                return;
                            }
                        }
                    });
                }
            });
            let transport = super::super::HyperTransport::new();
            let connections = &transport.connections;
            let uri: http::Uri = format!("http://{address}/object").parse().expect("a valid URI");
            let key = key(&uri).expect("the URI is absolute");
            let closed = || async {
                let connected = connections.connect(&key, &uri).await.expect("the server accepts");
                // The server's close reaches the client before the request is sent.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                #[allow(irrefutable_let_patterns)]
                let Connected::Http1(connection) = connected
                else {
                    panic!("plain HTTP is HTTP/1");
                };
                connection
            };

            let response = connections
                .send_on(
                    closed().await,
                    true,
                    (key.clone(), uri.clone()),
                    request(&uri.to_string(), None),
                    false,
                )
                .await
                .expect("the request goes on a new connection");
            assert_eq!(response.status(), 200);
            let body = http_body_util::BodyExt::collect(response.into_body())
                .await
                .expect("the body arrives")
                .to_bytes();
            assert_eq!(body, "ok");
            assert_eq!(accepted.load(Ordering::SeqCst), 2);

            let Err(failure) = connections
                .send_on(
                    closed().await,
                    false,
                    (key.clone(), uri.clone()),
                    request(&uri.to_string(), None),
                    false,
                )
                .await
            else {
                panic!("a new connection that closed is not replaced");
            };
            let kind = failure.downcast_ref::<TransportFailure>().map(TransportFailure::kind);
            assert_eq!(kind, Some(TransportFailureKind::Io), "{failure}");
            assert_eq!(accepted.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn a_request_without_scheme_and_host_has_no_connection() {
        let error = key(&http::Uri::from_static("/things")).expect_err("no authority");
        assert!(
            error.to_string().contains("`/things` names no scheme and host"),
            "{error}"
        );
        let (scheme, authority) = key(&http::Uri::from_static("https://Example.com:8443/x")).expect("absolute");
        assert_eq!(scheme, http::uri::Scheme::HTTPS);
        assert_eq!(authority, "example.com:8443");
    }
}
