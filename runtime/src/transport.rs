//! What a client needs from an HTTP stack: a [`Transport`] sends a request and returns the
//! whole response. The client and the credential providers that call metadata services
//! (IMDS, ECS) both send through it; `client` re-exports it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::BoxError;
use crate::primitives::ByteStream;

/// What a transport fails with: any error, such as a refused connection or a timeout.
pub type TransportError = BoxError;

/// The future a [`Transport`] returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send + 'a>>;

/// Sends a request and returns the whole response: the one thing a client needs from an HTTP
/// stack. Implement it over any HTTP client, or use the `hyper-client` feature's
/// `HyperTransport`.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and waits for the whole response.
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_>;

    /// Sends `request`, whose body may stream, and returns the response once its head has
    /// arrived, its body streaming: what a client uses for an operation whose input or output
    /// streams (S3's `PutObject` of a file, `GetObject`), so that a body of any size is never
    /// held whole. By default both bodies are read whole and sent with [`Transport::send`],
    /// which suits a transport that holds bodies in memory.
    fn send_streaming(&self, request: http::Request<ByteStream>) -> StreamingFuture<'_> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?;
            let response = self.send(http::Request::from_parts(parts, body)).await?;
            Ok(response.map(ByteStream::new))
        })
    }
}

/// Marks (in its extensions) a request whose body or response's body is an event stream: either
/// side may be quiet for as long as the exchange lasts (a model thinking, a speaker pausing), so
/// a transport does not apply its idle read timeout to them; the caller ends the exchange. The
/// client's attempt and operation timeouts still bound the wait for the response's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventStreamExchange;

/// The future of [`Transport::send_streaming`]: the response, its body streaming.
pub type StreamingFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<ByteStream>, TransportError>> + Send + 'a>>;

/// A transport failure that says what failed, so that a client knows whether trying again may
/// help. Transports return it boxed as their [`TransportError`]; an error of another type
/// counts as a failure of the connection.
#[derive(Debug)]
pub struct TransportFailure {
    kind: TransportFailureKind,
    source: BoxError,
}

/// What part of an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailureKind {
    /// No connection could be made (DNS, refused, unreachable, connect timeout).
    Connect,
    /// The TLS handshake failed, such as on a certificate that is not trusted.
    Tls,
    /// The connection broke while the request was sent or the response read.
    Io,
    /// The response, or a part of it, did not come in time.
    Timeout,
    /// The response body is larger than the transport reads.
    ResponseTooLarge,
}

impl TransportFailure {
    /// A failure of `kind`, caused by `source`.
    pub fn new(kind: TransportFailureKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// What failed.
    pub fn kind(&self) -> TransportFailureKind {
        self.kind
    }
}

impl std::fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for TransportFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        (**self).send(request)
    }

    fn send_streaming(&self, request: http::Request<ByteStream>) -> StreamingFuture<'_> {
        (**self).send_streaming(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        (**self).send(request)
    }

    fn send_streaming(&self, request: http::Request<ByteStream>) -> StreamingFuture<'_> {
        (**self).send_streaming(request)
    }
}
