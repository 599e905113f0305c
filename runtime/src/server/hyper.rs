//! A ready server on hyper (feature `hyper-server`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{Handler, Rejection};

/// What the ready server lets one connection or request take: defaults a public server can
/// run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest request body read: a longer `Content-Length` is answered `413` before any of
    /// the body is read (and without `100 Continue`), and a chunked body is cut off with `413`
    /// once it passes the limit. Default 10 MiB.
    pub max_body_bytes: usize,
    /// How long a connection may take to send a request's headers; a slower one (or an idle
    /// one) is closed. Default 30 seconds.
    pub header_read_timeout: Duration,
    /// How long a request's whole body may take to arrive; a slower one is answered `408`.
    /// Default 60 seconds.
    pub body_read_timeout: Duration,
    /// How many connections are served at once; more wait in the listener's backlog until one
    /// closes. Default 1,000, under the usual limit of 1,024 open files.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 10 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
            max_connections: 1000,
        }
    }
}

impl Limits {
    /// The same limits with another largest body.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The same limits with another time for a request's headers.
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// The same limits with another time for a request's body.
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// The same limits with another number of connections served at once (at least one).
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }
}

/// Serves HTTP/1.1 on `listener` with hyper, answering every request with `handler`, within the
/// default [`Limits`].
///
/// Each connection is served on its own tokio task, so this must run inside a tokio runtime.
/// A request's body is read whole before `handler` sees it; a body that cannot be read is
/// answered `400 SerializationException`, one too large `413`, one too slow `408`, without
/// calling `handler`. A connection that fails (a client that hangs up, malformed HTTP, headers
/// that do not arrive in time) ends that connection only; at most [`Limits::max_connections`]
/// are served at once. An error accepting connections, such
/// as running out of file descriptors, does not stop the server: it waits a moment and accepts
/// again. It returns only if the listener itself fails for good.
pub async fn serve(listener: tokio::net::TcpListener, handler: impl Handler) -> std::io::Result<()> {
    serve_with_limits(listener, handler, Limits::default()).await
}

/// [`serve`] within `limits`.
pub async fn serve_with_limits(
    listener: tokio::net::TcpListener,
    handler: impl Handler,
    limits: Limits,
) -> std::io::Result<()> {
    let handler = Arc::new(handler);
    serve_fn(
        listener,
        move |request| {
            let handler = handler.clone();
            async move { handler.handle(request).await }
        },
        limits,
    )
    .await
}

/// [`serve`] with a function as the handler.
pub async fn serve_with<F, Fut>(listener: tokio::net::TcpListener, handler: F) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    serve_fn(listener, handler, Limits::default()).await
}

async fn serve_fn<F, Fut>(listener: tokio::net::TcpListener, handler: F, limits: Limits) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        // A connection is accepted only when it can be served.
        let Ok(permit) = connections.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) if accept_error_is_per_connection(&error) => continue,
            Err(error) if accept_error_is_transient(&error) => {
                // Out of file descriptors or memory: connections close as their requests end,
                // so accepting works again soon.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                let handler = handler.clone();
                async move {
                    let response = match read_request(request, &limits).await {
                        Ok(request) => handler(request).await,
                        Err(rejection) => plain_rejection(rejection),
                    };
                    Ok::<_, std::convert::Infallible>(
                        response.map(|body| http_body_util::Full::new(bytes::Bytes::from(body))),
                    )
                }
            });
            // A failed connection concerns its client only: it is dropped, and nothing else.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The request with its whole body, within the limits.
async fn read_request(
    request: http::Request<hyper::body::Incoming>,
    limits: &Limits,
) -> Result<http::Request<Vec<u8>>, Rejection> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return Err(Rejection::payload_too_large(limits.max_body_bytes));
    }
    let limited = http_body_util::Limited::new(body, limits.max_body_bytes);
    let collected = tokio::time::timeout(limits.body_read_timeout, http_body_util::BodyExt::collect(limited))
        .await
        .map_err(|_| {
            Rejection::request_timeout(format!(
                "the request body did not arrive within {:?}",
                limits.body_read_timeout
            ))
        })?;
    match collected {
        Ok(body) => Ok(http::Request::from_parts(parts, Vec::from(body.to_bytes()))),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            Err(Rejection::payload_too_large(limits.max_body_bytes))
        }
        Err(error) => Err(Rejection::serialization(format!(
            "the request body cannot be read: {error}"
        ))),
    }
}

/// A rejection answered before the request reached a handler, which knows the protocol: the
/// status and error type, with a JSON message.
fn plain_rejection(rejection: Rejection) -> http::Response<Vec<u8>> {
    let body = serde_json::json!({ "message": rejection.message() })
        .to_string()
        .into_bytes();
    http::Response::builder()
        .status(rejection.status())
        .header("x-amzn-errortype", rejection.error_type())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap_or_default()
}

/// Whether an error accepting a connection concerns that connection only (it was aborted or
/// reset before it was accepted, or the call was interrupted), so the server goes on.
fn accept_error_is_per_connection(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::Interrupted
    )
}

/// Whether an error accepting connections is one of resources that come back (file
/// descriptors, memory, buffers), so the server waits and accepts again.
fn accept_error_is_transient(error: &std::io::Error) -> bool {
    // EMFILE, ENFILE, ENOBUFS (105 on Linux, 55 on the BSDs), ENOMEM.
    matches!(error.raw_os_error(), Some(23 | 24 | 105 | 12 | 55)) || error.kind() == std::io::ErrorKind::OutOfMemory
}
