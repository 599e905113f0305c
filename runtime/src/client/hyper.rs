//! A ready transport on hyper (feature `hyper-client`): HTTPS through rustls, and plain HTTP.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;

use super::{Transport, TransportError, TransportFailure, TransportFailureKind, TransportFuture};
use crate::primitives::ByteStream;
use crate::transport::StreamingFuture;

mod connections;

use connections::Connections;

type Connector = TimedConnector<HttpOrHttps>;
type HttpConnector = hyper_util::client::legacy::connect::HttpConnector;
type HttpsConnector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The most bytes reserved up front for a response body from its `Content-Length`: the rest
/// is allocated as it arrives, so a length the network claims costs nothing until it is sent.
const PREALLOCATE_LIMIT: usize = 64 * 1024;

/// The size of the pieces a request body is handed to the connection in, so that the time
/// between pieces tells whether the upload is moving.
const UPLOAD_PIECE: usize = 64 * 1024;

/// The most an HTTP/1 connection buffers of what it reads ahead of the caller (hyper's default
/// is about 400 KiB, which a download that streams fills and holds): a response body arrives in
/// pieces of at most this size. A piece still held keeps its buffer alive, so a download holds
/// a few of them at once.
const READ_BUFFER: usize = 64 * 1024;

/// The least an HTTP/1 connection may buffer of what it reads (hyper's floor).
const MIN_READ_BUFFER: usize = 8 * 1024;

/// A ready [`Transport`] on hyper, with a pool of connections. It speaks HTTPS through rustls
/// (with the `ring` crypto provider) and plain HTTP for `http://` endpoints (loopback servers,
/// tests), HTTP/1.1; with the `http2` feature, HTTP/2 as well, as the server's ALPN answer picks.
/// Cloning it is cheap and shares one connection pool, so one transport can serve the clients
/// of several services.
///
/// Servers are trusted when their certificate chains to a root of the store the cargo
/// features pick: the Mozilla roots compiled into the program (`webpki-roots`, on by default),
/// the platform's store (`native-roots`), or both; [`HyperTransportBuilder::root_certificates_pem`]
/// adds more, such as a private CA. TLS itself (the configuration rustls makes from the roots)
/// is set up for the first HTTPS connection, so a transport that only speaks plain HTTP never
/// loads it.
///
/// Its time limits watch for an exchange that stops moving, not for one that is long: a large
/// upload at a slow but steady rate succeeds however long it takes.
///
/// - connect (10 seconds): making a new connection, its TLS handshake included;
/// - read (30 seconds): the request body while it is sent (each piece must be taken by the
///   connection within it), the first byte of the response counted from the end of the
///   request body's upload (for a request without a body, from its start plus the connect
///   timeout, since a new connection may be made first), and each piece of the response body
///   after the one before;
/// - the whole exchange: none unless set with [`HyperTransportBuilder::timeout`].
///
/// A body larger than the largest read (100 MiB) fails too. Each failure is a
/// [`TransportFailure`] that says what failed.
///
/// An HTTP/1 connection is moved by the task that makes the call and then by whoever reads the
/// response's body, so each piece of a body goes from the socket to its reader without waking
/// another thread; between calls it waits in the pool. HTTP/2 connections, and the connection
/// of an event stream (whose request may still be sending while its response streams), run on
/// tasks of their own on the current tokio runtime: calls must run inside one.
#[derive(Clone)]
pub struct HyperTransport {
    connections: Connections,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_response_bytes: usize,
    min_throughput: Option<MinThroughput>,
}

impl HyperTransport {
    /// A transport with a new connection pool, trusting the roots the cargo features pick.
    /// When those give no root (no store enabled, or an empty platform store), the transport
    /// still speaks plain HTTP and every HTTPS call fails; [`HyperTransport::builder`] reports
    /// that when building instead.
    pub fn new() -> Self {
        match Self::builder().build() {
            Ok(transport) => transport,
            Err(_) => Self::builder().without_default_roots().build_unchecked(),
        }
    }

    /// A builder, to add trusted roots or change the timeouts.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder {
            default_roots: true,
            extra_roots: Vec::new(),
            timeout: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_response_bytes: 100 * 1024 * 1024,
            #[cfg(feature = "http2")]
            http2: true,
            #[cfg(feature = "http2")]
            http2_only: false,
            min_throughput: Some(MinThroughput::DEFAULT),
            read_buffer: READ_BUFFER,
        }
    }

    /// The same transport (the same pool) with a time limit for a whole request: sending it and
    /// receiving the whole response.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`HyperTransport`]: which servers it trusts and how long it waits.
#[derive(Debug, Clone)]
pub struct HyperTransportBuilder {
    default_roots: bool,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    read_timeout: Duration,
    max_response_bytes: usize,
    #[cfg(feature = "http2")]
    http2: bool,
    #[cfg(feature = "http2")]
    http2_only: bool,
    min_throughput: Option<MinThroughput>,
    read_buffer: usize,
}

impl HyperTransportBuilder {
    /// Also trusts the certificates of `pem` (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks), such as the CA of a private service. Fails when `pem` holds no certificate or
    /// a malformed one.
    pub fn root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, TransportError> {
        let mut reader = pem;
        let mut found = 0;
        for certificate in rustls_pemfile::certs(&mut reader) {
            let certificate = certificate.map_err(|err| format!("malformed PEM certificate: {err}"))?;
            self.extra_roots.push(certificate);
            found += 1;
        }
        if found == 0 {
            return Err("the PEM text holds no certificate".into());
        }
        Ok(self)
    }

    /// Also trusts this DER-encoded certificate.
    pub fn root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots
            .push(rustls::pki_types::CertificateDer::from(der.into()));
        self
    }

    /// Trusts only the certificates added to this builder, not the default root store.
    pub fn without_default_roots(mut self) -> Self {
        self.default_roots = false;
        self
    }

    /// A time limit for a whole request: sending it and receiving the whole response. Default
    /// none: the connect and read timeouts end an exchange that stops moving, and a long one
    /// that keeps moving (a large upload or download) is let finish.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time limit for making a new connection: the TCP connection and, for HTTPS, the TLS
    /// handshake. Default 10 seconds.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time limit for the exchange to move: for the connection to take the next piece of
    /// the request body, for the first byte of the response after the request body was sent,
    /// and for each piece of the response body after the one before. Default 30 seconds.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The least rate at which a response body that streams (an S3 `GetObject`'s) must keep
    /// arriving: measured over each `grace` period from the response's head, a body that
    /// brought fewer than `bytes_per_second` on average fails as stalled. It catches a body
    /// that trickles in, a byte now and then, which the read timeout alone would not; a slow
    /// start is the read timeout's to judge, so an operation whose service thinks before it
    /// sends (CopyObject, UploadPartCopy) is not failed by it. Event streams, which may be
    /// quiet, have no minimum. Default 1 byte per second over 20 seconds, as the AWS SDKs.
    pub fn min_throughput(mut self, bytes_per_second: u64, grace: Duration) -> Self {
        self.min_throughput = Some(MinThroughput {
            bytes_per_second,
            grace,
        });
        self
    }

    /// No minimum rate for response bodies that stream ([`HyperTransportBuilder::min_throughput`]);
    /// the read timeout still applies.
    pub fn no_min_throughput(mut self) -> Self {
        self.min_throughput = None;
        self
    }

    /// The largest response body read; a longer one fails the request, and no more of it is
    /// read. Default 100 MiB.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The most an HTTP/1.1 connection reads ahead of the caller, and so the largest piece a
    /// response body arrives in. Default 64 KiB; at least 8 KiB (less is taken as 8 KiB). A
    /// larger buffer reads a large download in fewer system calls and holds more memory while
    /// it streams, about three pieces (hyper's own default is about 400 KiB).
    pub fn read_buffer(mut self, bytes: usize) -> Self {
        self.read_buffer = bytes.max(MIN_READ_BUFFER);
        self
    }

    /// Offers only HTTP/1.1 to HTTPS servers (with the `http2` feature HTTP/2 is offered too by
    /// default; without it, HTTP/1.1 is all the transport speaks).
    #[cfg_attr(not(feature = "http2"), allow(unused_mut))]
    pub fn http1_only(mut self) -> Self {
        #[cfg(feature = "http2")]
        {
            self.http2 = false;
            self.http2_only = false;
        }
        self
    }

    /// Speaks only HTTP/2 (feature `http2`): to HTTPS servers as TLS negotiates it, and to plain
    /// HTTP servers with prior knowledge (h2c), such as a local stand-in of a service whose
    /// event streams go both ways at once (Transcribe Streaming). By default HTTPS servers are
    /// offered both versions and plain HTTP is HTTP/1.1.
    #[cfg(feature = "http2")]
    pub fn http2_only(mut self) -> Self {
        self.http2 = true;
        self.http2_only = true;
        self
    }

    /// The transport. Fails when no root of trust is left: the enabled stores gave no
    /// certificate and none was added.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let mut roots = rustls::RootCertStore::empty();
        if self.default_roots {
            add_default_roots(&mut roots);
        }
        for certificate in &self.extra_roots {
            roots
                .add(certificate.clone())
                .map_err(|err| format!("cannot trust the added certificate: {err}"))?;
        }
        if roots.is_empty() {
            return Err(
                "no trusted root certificates: enable the `webpki-roots` or `native-roots` feature \
                        of smithy-runtime, or add certificates with `root_certificates_pem`"
                    .into(),
            );
        }
        Ok(self.build_with(roots))
    }

    fn build_unchecked(self) -> HyperTransport {
        let mut roots = rustls::RootCertStore::empty();
        for certificate in &self.extra_roots {
            let _ = roots.add(certificate.clone());
        }
        self.build_with(roots)
    }

    fn build_with(self, roots: rustls::RootCertStore) -> HyperTransport {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        let connector = HttpOrHttps {
            http,
            https: Arc::new(std::sync::OnceLock::new()),
            roots: Arc::new(roots),
            #[cfg(feature = "http2")]
            http2: self.http2,
        };
        let connector = TimedConnector {
            inner: connector,
            timeout: self.connect_timeout,
        };
        #[cfg(feature = "http2")]
        let http2_only = self.http2_only;
        #[cfg(not(feature = "http2"))]
        let http2_only = false;
        HyperTransport {
            connections: Connections::new(connector, self.read_buffer, http2_only),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            max_response_bytes: self.max_response_bytes,
            min_throughput: self.min_throughput,
        }
    }
}

/// Adds the roots of the stores the cargo features enable.
fn add_default_roots(roots: &mut rustls::RootCertStore) {
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let found = rustls_native_certs::load_native_certs();
        for certificate in found.certs {
            let _ = roots.add(certificate);
        }
    }
    let _ = roots;
}

/// Plain HTTP connections made at once, and HTTPS ones through a TLS configuration made for the
/// first of them: a client that only speaks plain HTTP (to a local stand-in of a service, say)
/// never sets TLS up.
#[derive(Clone)]
struct HttpOrHttps {
    http: HttpConnector,
    https: Arc<std::sync::OnceLock<HttpsConnector>>,
    /// The roots the TLS configuration trusts, shared with it once it is made.
    roots: Arc<rustls::RootCertStore>,
    /// Whether HTTPS servers are offered HTTP/2 as well as HTTP/1.1.
    #[cfg(feature = "http2")]
    http2: bool,
}

impl HttpOrHttps {
    /// The HTTPS connector, made on first use.
    fn https(&self) -> HttpsConnector {
        self.https
            .get_or_init(|| {
                // rustls 0.23.48 deprecates the ring provider for its lack of post-quantum key
                // exchange; it stays the provider here for its build cost (see Cargo.toml), with
                // the classical key exchanges every AWS endpoint offers.
                #[allow(deprecated)]
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let tls = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map(|builder| builder.with_root_certificates(self.roots.clone()).with_no_client_auth());
                let tls = match tls {
                    Ok(tls) => tls,
                    // The ring provider supports the default protocol versions; this arm is not
                    // taken.
                    Err(_) => rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                };
                let builder = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(tls)
                    .https_or_http();
                #[cfg(feature = "http2")]
                if self.http2 {
                    return builder.enable_all_versions().wrap_connector(self.http.clone());
                }
                builder.enable_http1().wrap_connector(self.http.clone())
            })
            .clone()
    }
}

impl tower_service::Service<http::Uri> for HttpOrHttps {
    type Response = hyper_rustls::MaybeHttpsStream<hyper_util::rt::TokioIo<tokio::net::TcpStream>>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Both connectors are always ready: each connection is made by its own future.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        if uri.scheme() == Some(&http::uri::Scheme::HTTP) {
            let connecting = self.http.call(uri);
            return Box::pin(async move { Ok(hyper_rustls::MaybeHttpsStream::Http(connecting.await?)) });
        }
        // HTTPS, and the errors of any other scheme or of none.
        self.https().call(uri)
    }
}

/// A connector that gives up on a connection not made, TLS handshake included, within
/// `timeout`.
#[derive(Clone)]
struct TimedConnector<C> {
    inner: C,
    timeout: Duration,
}

impl<C> tower_service::Service<http::Uri> for TimedConnector<C>
where
    C: tower_service::Service<http::Uri>,
    C::Future: Send + 'static,
    C::Error: Into<TransportError>,
{
    type Response = C::Response;
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, TransportError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(format!(
                    "no connection (TLS handshake included) within the connect timeout of {timeout:?}"
                )
                .into()),
            }
        })
    }
}

/// How far the upload of a request body has come.
#[derive(Debug, Clone)]
struct UploadState {
    /// When the connection last took a piece of the body (or the request started).
    moved: Instant,
    /// Whether the connection has taken a piece yet.
    started: bool,
    /// When the connection took the last piece.
    done: Option<Instant>,
    /// The task waiting for the response, woken when the upload starts or ends (its deadline
    /// changes then).
    waiter: Option<std::task::Waker>,
}

/// A request body handed to the connection in pieces, recording when each is taken: bytes in
/// memory, or a body that streams, taken from it as the connection asks.
struct UploadBody {
    rest: bytes::Bytes,
    stream: Option<ByteStream>,
    /// The bytes left to send, when known.
    left: Option<u64>,
    state: Arc<Mutex<UploadState>>,
}

impl UploadBody {
    fn new(body: ByteStream) -> (Self, Arc<Mutex<UploadState>>) {
        let now = Instant::now();
        let state = Arc::new(Mutex::new(UploadState {
            moved: now,
            started: false,
            done: None,
            waiter: None,
        }));
        let left = body.length();
        let (rest, stream) = if body.is_streaming() {
            (bytes::Bytes::new(), Some(body))
        } else {
            (bytes::Bytes::from(body.into_inner()), None)
        };
        let body = Self {
            rest,
            stream,
            left,
            state: state.clone(),
        };
        (body, state)
    }

    /// Records that the connection took a piece (the last, when `last`), waking the task that
    /// waits for the response when the upload starts or ends.
    fn moved(&self, last: bool) {
        let now = Instant::now();
        let waiter = {
            let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let first = !state.started;
            state.moved = now;
            state.started = true;
            if last {
                state.done = Some(now);
            }
            if first || last {
                state.waiter.take()
            } else {
                None
            }
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl hyper::body::Body for UploadBody {
    type Data = bytes::Bytes;
    type Error = TransportError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        if self.rest.is_empty() {
            let Some(stream) = &mut self.stream else {
                return Poll::Ready(None);
            };
            match futures_core::Stream::poll_next(Pin::new(stream), cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    self.stream = None;
                    self.moved(true);
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(error))) => {
                    self.stream = None;
                    return Poll::Ready(Some(Err(failure(
                        TransportFailureKind::Io,
                        format!("the request body could not be read: {error}"),
                    ))));
                }
                Poll::Ready(Some(Ok(chunk))) => self.rest = chunk,
            }
        }
        let length = self.rest.len().min(UPLOAD_PIECE);
        let piece = self.rest.split_to(length);
        self.left = self.left.map(|left| left.saturating_sub(length as u64));
        let last = self.rest.is_empty() && (self.stream.is_none() || self.left == Some(0));
        self.moved(last);
        Poll::Ready(Some(Ok(hyper::body::Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && self.stream.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self.left {
            Some(left) => hyper::body::SizeHint::with_exact(left),
            None => hyper::body::SizeHint::default(),
        }
    }
}

impl Transport for HyperTransport {
    /// Sends `request`; the response's body streams, each piece within the read timeout of the
    /// one before. The time limit for a whole request ([`HyperTransportBuilder::timeout`])
    /// bounds the response's head: its body is read as long as it keeps moving.
    fn send_streaming(&self, request: http::Request<ByteStream>) -> StreamingFuture<'_> {
        // An event stream may be quiet as long as it lasts: no idle timeout.
        let quiet = request
            .extensions()
            .get::<crate::transport::EventStreamExchange>()
            .is_some();
        let read_timeout = self.read_timeout;
        let min_throughput = self.min_throughput.filter(|_| !quiet);
        let head = self.head(request, quiet);
        Box::pin(async move {
            let (parts, body) = head.await?.into_parts();
            let length = hyper::body::Body::size_hint(&body).exact();
            let pieces = Pieces {
                body,
                read_timeout,
                deadline: (!quiet).then(|| Box::pin(tokio::time::sleep(read_timeout))),
                throughput: min_throughput.map(|minimum| Throughput {
                    minimum,
                    since: tokio::time::Instant::now(),
                    bytes: 0,
                }),
            };
            Ok(http::Response::from_parts(
                parts,
                ByteStream::from_stream(pieces, length),
            ))
        })
    }

    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let (response, upload) = self.start(request.map(ByteStream::new), false);
        let (timeout, limit) = (self.timeout, self.max_response_bytes);
        let (connect_timeout, read_timeout) = (self.connect_timeout, self.read_timeout);
        Box::pin(async move {
            let exchange = async move {
                let response = response_head(response, &upload, connect_timeout, read_timeout).await?;
                let (parts, body) = response.into_parts();
                let body = read_body(body, read_timeout, limit).await?;
                Ok::<_, TransportError>(http::Response::from_parts(parts, body))
            };
            let Some(timeout) = timeout else {
                return exchange.await;
            };
            match tokio::time::timeout(timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(failure(
                    TransportFailureKind::Timeout,
                    format!("no whole response within {timeout:?}"),
                )),
            }
        })
    }
}

impl HyperTransport {
    /// Starts sending `request`: the future of its response, and how far its upload has come.
    /// With `own_task`, the connection runs on a task of its own, not moved by the reader of
    /// the response's body (see [`connections`]).
    fn start(
        &self,
        request: http::Request<ByteStream>,
        own_task: bool,
    ) -> (
        impl Future<Output = Result<http::Response<connections::Body>, TransportError>> + Send + 'static,
        Arc<Mutex<UploadState>>,
    ) {
        let (head, bytes) = request.into_parts();
        let (body, upload) = UploadBody::new(bytes);
        let response = self
            .connections
            .clone()
            .send(http::Request::from_parts(head, body), own_task);
        (response, upload)
    }

    /// Sends `request` and waits for the response's head, within the transport's time limits.
    /// With `quiet`, the request body may pause as long as it likes (an event stream).
    fn head(
        &self,
        request: http::Request<ByteStream>,
        quiet: bool,
    ) -> impl Future<Output = Result<http::Response<connections::Body>, TransportError>> + Send + 'static {
        // An event stream's request body may still be sending while its response streams, and
        // its reader may stop reading for a while: its connection moves on a task of its own.
        let (response, upload) = self.start(request, quiet);
        let read_timeout = if quiet { Duration::MAX } else { self.read_timeout };
        let (timeout, connect_timeout) = (self.timeout, self.connect_timeout);
        async move {
            let head = response_head(response, &upload, connect_timeout, read_timeout);
            let Some(timeout) = timeout else {
                return head.await;
            };
            match tokio::time::timeout(timeout, head).await {
                Ok(result) => result,
                Err(_) => Err(failure(
                    TransportFailureKind::Timeout,
                    format!("no response within {timeout:?}"),
                )),
            }
        }
    }
}

/// A response body that streams: its pieces as they arrive, each within the read timeout of
/// the one before.
struct Pieces {
    body: connections::Body,
    read_timeout: Duration,
    /// When the next piece must have come (none for an event stream).
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The rate the body must keep (none for an event stream).
    throughput: Option<Throughput>,
}

/// The least rate of a response body that streams: see [`HyperTransportBuilder::min_throughput`].
#[derive(Debug, Clone, Copy)]
struct MinThroughput {
    bytes_per_second: u64,
    grace: Duration,
}

impl MinThroughput {
    const DEFAULT: MinThroughput = MinThroughput {
        bytes_per_second: 1,
        grace: Duration::from_secs(20),
    };
}

/// What a body brought in its current period.
struct Throughput {
    minimum: MinThroughput,
    since: tokio::time::Instant,
    bytes: u64,
}

impl Throughput {
    /// Counts a piece of `bytes`; an error when a period has passed with too few.
    fn add(&mut self, bytes: usize) -> Result<(), TransportError> {
        self.bytes += bytes as u64;
        let now = tokio::time::Instant::now();
        let elapsed = now.duration_since(self.since);
        if elapsed < self.minimum.grace {
            return Ok(());
        }
        let rate = self.bytes as f64 / elapsed.as_secs_f64();
        if rate < self.minimum.bytes_per_second as f64 {
            return Err(failure(
                TransportFailureKind::Timeout,
                format!(
                    "the response body stalled: {} bytes in {elapsed:?}, below the minimum of {} bytes per second",
                    self.bytes, self.minimum.bytes_per_second
                ),
            ));
        }
        self.since = now;
        self.bytes = 0;
        Ok(())
    }
}

impl futures_core::Stream for Pieces {
    type Item = Result<bytes::Bytes, TransportError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match hyper::body::Body::poll_frame(Pin::new(&mut this.body), cx) {
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Some(Err(failure(TransportFailureKind::Io, with_causes(&error)))))
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Some(deadline) = &mut this.deadline {
                        deadline.as_mut().reset(tokio::time::Instant::now() + this.read_timeout);
                    }
                    // Trailers are not part of the body.
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            if let Some(throughput) = &mut this.throughput {
                                if let Err(error) = throughput.add(data.len()) {
                                    this.throughput = None;
                                    return Poll::Ready(Some(Err(error)));
                                }
                            }
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Poll::Pending => {
                    let Some(deadline) = &mut this.deadline else {
                        return Poll::Pending;
                    };
                    return match deadline.as_mut().poll(cx) {
                        Poll::Ready(()) => {
                            Poll::Ready(Some(Err(stalled("a piece of the response body", this.read_timeout))))
                        }
                        Poll::Pending => Poll::Pending,
                    };
                }
            }
        }
    }
}

/// The response's head, once the request is sent. The request body must keep moving: each
/// piece taken within `read_timeout` of the one before (the first within the connect timeout
/// as well, for a new connection); then the response must start within `read_timeout` of the
/// body's end (or of the request's start plus the connect timeout, for a request without a
/// body).
async fn response_head<F, B>(
    response: F,
    upload: &Mutex<UploadState>,
    connect_timeout: Duration,
    read_timeout: Duration,
) -> Result<http::Response<B>, TransportError>
where
    F: Future<Output = Result<http::Response<B>, TransportError>>,
{
    let mut response = std::pin::pin!(response);
    let lock = || upload.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        let state = {
            let state = lock();
            UploadState { waiter: None, ..*state }
        };
        let (deadline, waiting_for) = match state.done {
            Some(done) => (
                later(done, read_timeout),
                "the first byte of the response after the request was sent",
            ),
            None if state.started => (
                later(state.moved, read_timeout),
                "the connection to take more of the request body",
            ),
            None => (
                later(later(state.moved, connect_timeout), read_timeout),
                "the first byte of the response (or the start of the upload) after connecting",
            ),
        };
        let sleep = tokio::time::sleep_until(deadline);
        let mut sleep = std::pin::pin!(sleep);
        let outcome = std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = response.as_mut().poll(cx) {
                return Poll::Ready(Some(result));
            }
            {
                let mut current = lock();
                if current.started != state.started || current.done != state.done {
                    // The upload started or ended: its deadline changed.
                    return Poll::Ready(None);
                }
                current.waiter = Some(cx.waker().clone());
            }
            sleep.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match outcome {
            Some(result) => return result,
            None => {
                // The upload moved, or the deadline passed: the exchange stalled unless the
                // upload moved meanwhile.
                let now = lock().moved;
                if now == state.moved && Instant::now() >= deadline {
                    let waited = deadline.saturating_duration_since(state.moved);
                    return Err(failure(
                        TransportFailureKind::Timeout,
                        format!("waited {waited:?} for {waiting_for} (read timeout {read_timeout:?})"),
                    ));
                }
            }
        }
    }
}

/// `instant` + `duration`, or about thirty years on when that is past what the clock holds.
fn later(instant: Instant, duration: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 86_400);
    instant
        .checked_add(duration)
        .or_else(|| instant.checked_add(FAR))
        .unwrap_or(instant)
}

/// A response body, piece by piece, each within `read_timeout`, at most `limit` bytes.
async fn read_body(
    mut body: connections::Body,
    read_timeout: Duration,
    limit: usize,
) -> Result<Vec<u8>, TransportError> {
    use http_body_util::BodyExt;
    let declared = hyper::body::Body::size_hint(&body).exact();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::with_capacity(initial_capacity(declared));
    loop {
        let frame = tokio::time::timeout(read_timeout, body.frame())
            .await
            .map_err(|_| stalled("a piece of the response body", read_timeout))?;
        let Some(frame) = frame else {
            return Ok(bytes);
        };
        let frame = frame.map_err(|error| failure(TransportFailureKind::Io, with_causes(&error)))?;
        if let Ok(data) = frame.into_data() {
            let total = bytes.len().checked_add(data.len());
            if total.is_none_or(|total| total > limit) {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&data);
        }
    }
}

/// The room reserved for a body whose declared length is `declared`: the declared length is
/// the network's word, so at most [`PREALLOCATE_LIMIT`] of it.
fn initial_capacity(declared: Option<u64>) -> usize {
    declared
        .map(|length| usize::try_from(length).unwrap_or(usize::MAX))
        .map_or(0, |length| length.min(PREALLOCATE_LIMIT))
}

fn failure(kind: TransportFailureKind, message: impl Into<String>) -> TransportError {
    Box::new(TransportFailure::new(kind, message.into()))
}

fn stalled(part: &str, timeout: Duration) -> TransportError {
    failure(
        TransportFailureKind::Timeout,
        format!("{part} did not arrive within the read timeout of {timeout:?}"),
    )
}

fn too_large(limit: usize) -> TransportError {
    failure(
        TransportFailureKind::ResponseTooLarge,
        format!("the response body is larger than the {limit} bytes read"),
    )
}

/// An error with the chain of its causes in its message (`client error (Connect): dns error:
/// failed to lookup address`), since hyper's own message names only the stage that failed.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::protocol::rest_json::tests::{Nothing, POST, SERVICE};

    #[test]
    fn a_declared_length_reserves_at_most_a_small_bound() {
        assert_eq!(initial_capacity(None), 0);
        assert_eq!(initial_capacity(Some(10)), 10);
        assert_eq!(initial_capacity(Some(100 * 1024 * 1024)), PREALLOCATE_LIMIT);
        assert_eq!(initial_capacity(Some(u64::MAX)), PREALLOCATE_LIMIT);
    }

    #[test]
    fn the_default_transport_sets_no_limit_on_a_whole_exchange() {
        let transport = HyperTransport::builder().without_default_roots().build_unchecked();
        assert_eq!(transport.timeout, None);
        assert_eq!(transport.connect_timeout, Duration::from_secs(10));
        assert_eq!(transport.read_timeout, Duration::from_secs(30));
    }

    /// The head of the request the transport sends for a POST of an operation without a body,
    /// read by a bare TCP server on the loopback.
    async fn sent_head(transport: HyperTransportBuilder) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener.local_addr().expect("a bound listener has an address");
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("the client connects");
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() < 16 * 1024 {
                let read = stream.read(&mut buffer).await.expect("the request arrives");
                if read == 0 {
                    break;
                }
                head.extend_from_slice(&buffer[..read]);
            }
            let response = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
            stream.write_all(response).await.expect("the client reads the response");
            String::from_utf8_lossy(&head).into_owned()
        });
        let request = crate::protocol::serialize_request(&SERVICE, &POST, &Nothing, &format!("http://{address}"))
            .expect("the input is complete");
        let transport = transport
            .timeout(Duration::from_secs(5))
            .build()
            .expect("the transport builds");
        let response = transport.send(request).await.expect("the server answers");
        assert_eq!(response.status(), 200);
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server finishes")
            .expect("the server does not panic")
    }

    #[test]
    fn a_post_without_a_body_has_a_content_length_of_zero_on_the_wire() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts");
        let head = runtime
            .block_on(sent_head(HyperTransport::builder()))
            .to_ascii_lowercase();
        assert!(head.starts_with("post /things http/1.1\r\n"), "{head}");
        assert!(head.contains("\r\ncontent-length: 0\r\n"), "{head}");
    }

    /// Reads from `stream` into `head` until it holds a request's head; false if the stream
    /// ends first.
    pub(super) async fn read_head(stream: &mut tokio::net::TcpStream, head: &mut Vec<u8>) -> bool {
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|window| window == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return false,
                Ok(read) => head.extend_from_slice(&buffer[..read]),
            }
        }
        true
    }

    /// A loopback HTTP/1.1 server answering each request without a body with `length` bytes
    /// (in chunks when the path ends with `/chunked`; only their length to a HEAD), counting
    /// the connections it accepts; with `one_each`, it closes each connection after its first
    /// answer, without saying it will.
    async fn counting_server(length: usize, one_each: bool) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let address = listener.local_addr().expect("a bound listener has an address");
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    loop {
                        if !read_head(&mut stream, &mut head).await {
                            return;
                        }
                        let line = String::from_utf8_lossy(&head)
                            .lines()
                            .next()
                            .unwrap_or_default()
                            .to_owned();
                        head.clear();
                        let body: Vec<u8> = (0..length).map(|n| (n % 251) as u8).collect();
                        let response = if line.starts_with("HEAD ") {
                            format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\n").into_bytes()
                        } else if line.contains("/chunked ") {
                            let mut response = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                            for chunk in body.chunks(8192) {
                                response.extend(format!("{:x}\r\n", chunk.len()).bytes());
                                response.extend(chunk);
                                response.extend(b"\r\n");
                            }
                            response.extend(b"0\r\n\r\n");
                            response
                        } else {
                            let mut response =
                                format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\n\r\n").into_bytes();
                            response.extend(body);
                            response
                        };
                        if stream.write_all(&response).await.is_err() || one_each {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{address}"), accepted)
    }

    /// A transport with the default roots and a time limit of 10 seconds per exchange.
    fn transport_for_tests() -> HyperTransport {
        HyperTransport::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the transport builds")
    }

    fn get(uri: &str) -> http::Request<Vec<u8>> {
        http::Request::get(uri).body(Vec::new()).expect("the request is valid")
    }

    fn get_streaming(uri: &str) -> http::Request<ByteStream> {
        http::Request::get(uri)
            .body(ByteStream::new(Vec::new()))
            .expect("the request is valid")
    }

    /// Exchanges one after the other, whole or streamed, with a body of known length, in chunks,
    /// or none (HEAD), go on one connection: a connection is given back to the pool once its
    /// response has been read, whoever read it.
    #[test]
    fn exchanges_one_after_another_share_a_connection() {
        for flavor in ["current", "multi"] {
            let runtime = match flavor {
                "current" => tokio::runtime::Builder::new_current_thread().enable_all().build(),
                _ => tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build(),
            }
            .expect("a runtime starts");
            runtime.block_on(async {
                let (uri, accepted) = counting_server(200_000, false).await;
                let transport = transport_for_tests();
                let expected: Vec<u8> = (0..200_000).map(|n| (n % 251) as u8).collect();
                for path in ["/object", "/chunked"] {
                    let uri = format!("{uri}{path}");
                    let response = transport.send(get(&uri)).await.expect("the server answers");
                    assert_eq!(response.body(), &expected);
                    let response = transport
                        .send_streaming(get_streaming(&uri))
                        .await
                        .expect("the server answers");
                    let body = response.into_body().collect().await.expect("the body arrives");
                    assert_eq!(body, expected);
                    let head = http::Request::head(&uri)
                        .body(Vec::new())
                        .expect("the request is valid");
                    let response = transport.send(head).await.expect("the server answers");
                    assert_eq!(response.headers()["content-length"], "200000");
                    assert!(response.body().is_empty());
                }
                assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1, "{flavor}");
            });
        }
    }

    /// TLS is set up for the first HTTPS connection, not before: exchanges over plain HTTP never
    /// set it up, and a scheme other than the two fails before any connection, naming it.
    #[test]
    fn tls_is_set_up_for_the_first_https_connection() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts");
        runtime.block_on(async {
            let transport = transport_for_tests();
            let (uri, _) = counting_server(10, false).await;
            let response = transport
                .send(get(&format!("{uri}/object")))
                .await
                .expect("the server answers");
            assert_eq!(response.body().len(), 10);
            assert!(!transport.connections.tls_is_set_up());

            let failure = transport
                .send(get(&uri.replacen("http://", "ftp://", 1)))
                .await
                .expect_err("ftp is not spoken");
            assert!(failure.to_string().contains("unsupported scheme ftp"), "{failure}");

            // A plain-HTTP server spoken to with TLS: the handshake fails, after TLS was set up.
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port is free");
            let address = listener.local_addr().expect("a bound listener has an address");
            tokio::spawn(async move {
                if let Ok((mut stream, _)) = listener.accept().await {
                    let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
                }
            });
            let failure = transport
                .send(get(&format!("https://{address}/object")))
                .await
                .expect_err("the server does not speak TLS");
            let kind = failure.downcast_ref::<TransportFailure>().map(TransportFailure::kind);
            assert_eq!(kind, Some(TransportFailureKind::Tls), "{failure}");
            assert!(transport.connections.tls_is_set_up());
        });
    }

    /// A connection the server closed while it waited in the pool is not used again, and one
    /// whose body was dropped before its end is closed: the next exchange takes a new one.
    #[test]
    fn closed_and_abandoned_connections_are_replaced() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime starts");
        runtime.block_on(async {
            let transport = transport_for_tests();
            let (uri, accepted) = counting_server(10, true).await;
            let uri = format!("{uri}/object");
            for _ in 0..3 {
                let response = transport.send(get(&uri)).await.expect("the server answers");
                assert_eq!(response.body().len(), 10);
                // The server's close reaches the client.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);

            let (uri, accepted) = counting_server(4 << 20, false).await;
            let uri = format!("{uri}/object");
            let response = transport
                .send_streaming(get_streaming(&uri))
                .await
                .expect("the server answers");
            let mut body = response.into_body();
            let first = body.next_chunk().await.expect("a piece arrives").expect("it reads");
            assert!(!first.is_empty() && first.len() < 4 << 20);
            drop(body);
            let response = transport.send(get(&uri)).await.expect("the server answers");
            assert_eq!(response.body().len(), 4 << 20);
            assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
        });
    }

    /// The read buffer is set, kept at hyper's floor when asked for less (which hyper would
    /// refuse with a panic), and a transport with the smallest one still reads a response.
    #[test]
    fn the_read_buffer_is_set_and_never_below_the_floor() {
        assert_eq!(HyperTransport::builder().read_buffer, READ_BUFFER);
        assert_eq!(HyperTransport::builder().read_buffer(1 << 20).read_buffer, 1 << 20);
        assert_eq!(HyperTransport::builder().read_buffer(0).read_buffer, MIN_READ_BUFFER);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime starts");
        let head = runtime.block_on(sent_head(HyperTransport::builder().read_buffer(1)));
        assert!(
            head.to_ascii_lowercase().starts_with("post /things http/1.1\r\n"),
            "{head}"
        );
    }
}
