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
    /// How many requests one HTTP/2 connection may have in flight at once. Default 100.
    pub max_concurrent_streams: u32,
    /// How long a connection may stay open with no request in flight, over HTTP/1.1 (between
    /// keep-alive requests) and HTTP/2 alike; then it is closed gracefully (HTTP/2 sends
    /// `GOAWAY`). Default 60 seconds.
    pub idle_timeout: Duration,
    /// How long a graceful shutdown waits for requests in flight before it drops them.
    /// Default 30 seconds.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 10 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
            max_connections: 1000,
            max_concurrent_streams: 100,
            idle_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_secs(30),
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

    /// The same limits with another number of requests in flight per HTTP/2 connection.
    pub fn with_max_concurrent_streams(mut self, streams: u32) -> Self {
        self.max_concurrent_streams = streams.max(1);
        self
    }

    /// The same limits with another time a connection may stay idle.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The same limits with another time for a graceful shutdown to drain.
    pub fn with_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
}

/// Serves HTTP/1.1 and HTTP/2 (prior knowledge, as over plain TCP) on `listener` with hyper,
/// answering every request with `handler`, within the default [`Limits`], until the listener
/// fails for good. [`serve_with_shutdown`] stops on a signal.
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
    serve_with_shutdown(listener, handler, limits, std::future::pending()).await
}

/// [`serve`] within `limits` until `shutdown` completes (such as `tokio::signal::ctrl_c()`),
/// then shuts down gracefully: it stops accepting connections (and closes the listener), lets
/// the requests in flight finish and closes each connection after its current response, waiting
/// at most [`Limits::shutdown_timeout`]; then it returns `Ok`.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    handler: impl Handler,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let handler = Arc::new(handler);
    serve_fn(
        listener,
        move |request| {
            let handler = handler.clone();
            async move { handler.handle(request).await }
        },
        limits,
        shutdown,
    )
    .await
}

/// [`serve`] with a function as the handler.
pub async fn serve_with<F, Fut>(listener: tokio::net::TcpListener, handler: F) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    serve_fn(listener, handler, Limits::default(), std::future::pending()).await
}

async fn serve_fn<F, Fut>(
    listener: tokio::net::TcpListener,
    handler: F,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    // Shutdown is told to every connection through this channel; once each has finished (and
    // dropped its receiver), `closed()` completes.
    let (draining, drained) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A connection is accepted only when it can be served.
        let next = async {
            let permit = connections.clone().acquire_owned().await;
            (permit, listener.accept().await)
        };
        let (permit, accepted) = tokio::select! {
            () = &mut shutdown => break,
            next = next => next,
        };
        let Ok(permit) = permit else {
            break;
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) if accept_error_is_per_connection(&error) => continue,
            Err(error) if accept_error_is_transient(&error) => {
                // Out of file descriptors or memory: connections close as their requests end,
                // so accepting works again soon.
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(Duration::from_millis(50)) => continue,
                }
            }
            Err(error) => return Err(error),
        };
        let handler = handler.clone();
        let mut shutdown_signal = drained.clone();
        tokio::spawn(async move {
            let _permit = permit;
            // A connection that sends nothing within the header timeout is closed.
            let Some(http2) = sniff_version(&stream, limits.header_read_timeout).await else {
                return;
            };
            let activity = Arc::new(Activity::new());
            let service_activity = activity.clone();
            let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                let handler = handler.clone();
                let in_flight = InFlight::new(service_activity.clone());
                async move {
                    let response = match read_request(request, &limits).await {
                        Ok(request) => handler(request).await,
                        Err(rejection) => plain_rejection(rejection),
                    };
                    drop(in_flight);
                    Ok::<_, std::convert::Infallible>(
                        response.map(|body| http_body_util::Full::new(bytes::Bytes::from(body))),
                    )
                }
            });
            let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            builder = if http2 {
                builder.http2_only()
            } else {
                builder.http1_only()
            };
            builder
                .http1()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            builder
                .http2()
                .timer(hyper_util::rt::TokioTimer::new())
                .max_concurrent_streams(limits.max_concurrent_streams);
            let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            let mut closing = false;
            loop {
                tokio::select! {
                    // A failed connection concerns its client only: it is dropped, and nothing
                    // else.
                    _ = connection.as_mut() => break,
                    _ = shutdown_signal.changed(), if !closing => {
                        connection.as_mut().graceful_shutdown();
                        closing = true;
                    }
                    () = activity.idle_for(limits.idle_timeout), if !closing => {
                        connection.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
            drop(shutdown_signal);
        });
    }
    drop(listener);
    drop(drained);
    let _ = draining.send(true);
    let _ = tokio::time::timeout(limits.shutdown_timeout, draining.closed()).await;
    Ok(())
}

/// What one connection is doing: how many requests are in flight, and when the last ended.
struct Activity {
    in_flight: std::sync::atomic::AtomicUsize,
    last: std::sync::Mutex<tokio::time::Instant>,
}

impl Activity {
    fn new() -> Self {
        Self {
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            last: std::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    fn last(&self) -> tokio::time::Instant {
        *self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Completes once the connection has had no request in flight for `timeout`.
    async fn idle_for(&self, timeout: Duration) {
        loop {
            let deadline = self.last() + timeout;
            tokio::time::sleep_until(deadline).await;
            let idle = self.in_flight.load(std::sync::atomic::Ordering::SeqCst) == 0;
            if idle && self.last() + timeout <= tokio::time::Instant::now() {
                return;
            }
            if !idle {
                // Checked again a timeout after the requests in flight end, or now and then.
                tokio::time::sleep(timeout.min(Duration::from_secs(1))).await;
            }
        }
    }
}

/// A request in flight on a connection, until it is dropped (answered, or abandoned).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        *self.0.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = tokio::time::Instant::now();
        self.0.in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Whether a connection speaks HTTP/2 (it opens with the HTTP/2 preface) or HTTP/1.1, from its
/// first bytes, read within `timeout`; `None` when it sends nothing in time, or closes.
async fn sniff_version(stream: &tokio::net::TcpStream, timeout: Duration) -> Option<bool> {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let sniff = async {
        let mut buffer = [0u8; PREFACE.len()];
        loop {
            let read = stream.peek(&mut buffer).await.ok()?;
            if read == 0 {
                return None;
            }
            if buffer[..read] != PREFACE[..read] {
                return Some(false);
            }
            if read == PREFACE.len() {
                return Some(true);
            }
            // A part of the preface: the rest is on its way.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(timeout, sniff).await.ok().flatten()
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
        Ok(body) => {
            let mut request = http::Request::from_parts(parts, Vec::from(body.to_bytes()));
            request.extensions_mut().insert(super::BodyLimit(limits.max_body_bytes));
            Ok(request)
        }
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
