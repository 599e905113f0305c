//! A ready server on hyper (feature `hyper-server`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::{Handler, Rejection};
use crate::primitives::ByteStream;

/// What the ready server lets one connection or request take, and all of them together: defaults
/// a public server in a small container (a few hundred MiB of memory, 1,024 open files) can run
/// with.
///
/// # Memory
///
/// What the server itself holds is bounded by
/// [`max_in_flight_bytes`](Self::max_in_flight_bytes) (request heads and bodies being
/// read or handled, what the protocol layer builds from them, responses being written) plus,
/// per connection, what it buffers before a request is counted: at most 64 KiB of an HTTP/1.1
/// request head, or over HTTP/2 the 128 KiB connection window (each stream's window is 64 KiB;
/// header blocks are at most 16 KiB), and a few KiB of connection state. With the defaults
/// that is 128 MiB + 896 × about 150 KiB, about 260 MiB, under the usual open-file limit of
/// 1,024; what handlers allocate beyond their input comes on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest request body read: a longer `Content-Length` is answered `413` before any of
    /// the body is read (and without `100 Continue`), and a chunked body is cut off with `413`
    /// once it passes the limit. Default 10 MiB.
    pub max_body_bytes: usize,
    /// The most request and response bytes the whole server holds at once: request heads and
    /// bodies being read or handled, what is built from them (a decompressed body, the decoded
    /// input: its lists' and maps' storage, strings, blobs and documents), and response bodies
    /// being written. A request takes its head's share when it arrives and its body's as the
    /// body is read (all of a declared `Content-Length` up front); one that cannot get it
    /// within [`body_budget_wait`](Self::body_budget_wait) is answered `503` with `Retry-After`,
    /// without calling the handler. Decompressing and decoding take their share as they go,
    /// without waiting: a request the budget has no room for then is answered `503` too.
    /// Responses are counted as they are written (they are never refused: the handler has made
    /// them), so slow readers of large responses make new requests wait rather than grow
    /// memory. Default 128 MiB: a request of the largest body whose input decodes to several
    /// times its size still fits.
    pub max_in_flight_bytes: usize,
    /// How long a request body waits for its share of
    /// [`max_in_flight_bytes`](Self::max_in_flight_bytes) before it is answered `503`.
    /// Default 1 second: under memory pressure, shedding load at once is better than queueing.
    pub body_budget_wait: Duration,
    /// How long a connection may take to send a request's headers, from its first byte (or from
    /// the connection's opening): a slower one is closed. Over HTTP/2, the first request must
    /// arrive this long after the connection opens. Default 30 seconds.
    pub header_read_timeout: Duration,
    /// How long a request's whole body may take to arrive; a slower one is answered `408`.
    /// Default 60 seconds.
    pub body_read_timeout: Duration,
    /// How long a response may go without progress (the client reading none of it) before its
    /// connection is closed. Default 30 seconds.
    pub write_timeout: Duration,
    /// How long the handler may take to answer a request whose body has arrived: past it, its
    /// future is dropped (the work it was doing stops at its next await) and the request is
    /// answered `503 ServiceUnavailableException` with `Retry-After: 1`. Default 60 seconds,
    /// above the longest long poll of AWS's APIs (20 seconds).
    pub handler_timeout: Duration,
    /// How many connections are served at once; more wait in the listener's backlog until one
    /// closes. Default: the process's open-file limit (`RLIMIT_NOFILE`, read when the limits are
    /// made) less a reserve of an eighth of it, and at least 32, for the listener, logs, files
    /// and sockets closing; at most 1,000. 896 under the usual limit of 1,024.
    pub max_connections: usize,
    /// How many requests one HTTP/2 connection may have in flight at once. Default 100.
    pub max_concurrent_streams: u32,
    /// How long a connection may stay open with no request in flight, over HTTP/1.1 (between
    /// keep-alive requests) and HTTP/2 alike; then it is closed gracefully (HTTP/2 sends
    /// `GOAWAY`), and dropped if it has not closed [`shutdown_timeout`](Self::shutdown_timeout)
    /// later. Default 60 seconds.
    pub idle_timeout: Duration,
    /// How long a graceful shutdown (of the server, or of one idle connection) waits for
    /// requests in flight before it closes their connections. Default 30 seconds.
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 10 * 1024 * 1024,
            max_in_flight_bytes: 128 * 1024 * 1024,
            body_budget_wait: Duration::from_secs(1),
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(60),
            max_connections: default_max_connections(open_file_limit()),
            max_concurrent_streams: 100,
            idle_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// The most bytes of a request's head (its line and headers) an HTTP/1.1 connection buffers; a
/// longer head is answered `431`.
const HTTP1_MAX_BUFFER: usize = 64 * 1024;
/// The HTTP/2 flow-control windows the server grants: how many body bytes a client may send
/// on one stream, and on the whole connection, before the server has read them.
const HTTP2_STREAM_WINDOW: u32 = 64 * 1024;
const HTTP2_CONNECTION_WINDOW: u32 = 128 * 1024;
/// The most response bytes queued in HTTP/2 for one stream beyond what the client's window lets
/// out.
const HTTP2_SEND_BUFFER: usize = 64 * 1024;
/// The largest HTTP/2 header block accepted, decoded.
const HTTP2_MAX_HEADER_LIST: u32 = 16 * 1024;

/// The most connections served by default.
const MAX_DEFAULT_CONNECTIONS: usize = 1000;

/// The default connection limit for a process that may open `open_files` files (`None`: no
/// limit): all but a reserve, which is an eighth of them and at least 32.
fn default_max_connections(open_files: Option<u64>) -> usize {
    let Some(open_files) = open_files else {
        return MAX_DEFAULT_CONNECTIONS;
    };
    let open_files = usize::try_from(open_files).unwrap_or(usize::MAX);
    let reserve = (open_files / 8).max(32);
    open_files.saturating_sub(reserve).clamp(1, MAX_DEFAULT_CONNECTIONS)
}

/// The process's soft limit of open files, if it has one.
#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

impl Limits {
    /// The same limits with another largest body.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The same limits with another budget of bytes in flight for the whole server (see
    /// [`max_in_flight_bytes`](Self::max_in_flight_bytes)).
    pub fn with_max_in_flight_bytes(mut self, bytes: usize) -> Self {
        self.max_in_flight_bytes = bytes;
        self
    }

    /// The former name of [`with_max_in_flight_bytes`](Self::with_max_in_flight_bytes), from
    /// when the budget counted only bodies.
    #[deprecated(note = "renamed `with_max_in_flight_bytes`: the budget now also counts what requests decode to")]
    pub fn with_max_in_flight_body_bytes(self, bytes: usize) -> Self {
        self.with_max_in_flight_bytes(bytes)
    }

    /// The same limits with another time a request body waits for the server's budget.
    pub fn with_body_budget_wait(mut self, wait: Duration) -> Self {
        self.body_budget_wait = wait;
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

    /// The same limits with another time a response may make no progress.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The same limits with another time the handler may take to answer.
    pub fn with_handler_timeout(mut self, timeout: Duration) -> Self {
        self.handler_timeout = timeout;
        self
    }

    /// The same limits with another number of connections served at once (at least one),
    /// whatever the open-file limit.
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
/// answered `400 SerializationException`, one too large `413`, one too slow `408`, one the
/// server has no memory budget for `503`, without calling `handler`. A connection that fails (a
/// client that hangs up, malformed HTTP, headers that do not arrive in time, a response it does
/// not read) ends that connection only; at most [`Limits::max_connections`] are served at once.
/// Responses to `HEAD`, and `1xx`, `204` and `304` responses, are sent without a body, as HTTP
/// requires, whatever the handler put in them. An error accepting connections, such as running
/// out of file descriptors, does not stop the server: it waits a moment and accepts again. It
/// returns only if the listener itself fails for good.
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
/// then shuts down gracefully: it stops accepting connections (and closes the listener), closes
/// idle connections, lets the requests in flight finish and closes each connection after its
/// current response (HTTP/2 sends `GOAWAY`), waiting at most [`Limits::shutdown_timeout`]; then
/// it closes every connection left, abandoning their requests, and returns `Ok`.
pub async fn serve_with_shutdown(
    listener: tokio::net::TcpListener,
    handler: impl Handler,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let handler = Arc::new(handler);
    let streams: Streams = {
        let handler = handler.clone();
        Some(Arc::new(move |request: &http::request::Parts| handler.streams(request)))
    };
    serve_fn(
        listener,
        move |request| {
            let handler = handler.clone();
            async move { handler.handle(request).await }
        },
        streams,
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
    serve_fn(listener, handler, None, Limits::default(), std::future::pending()).await
}

/// Which requests a handler takes with their bodies unread ([`Handler::streams`]).
type Streams = Option<Arc<dyn Fn(&http::request::Parts) -> bool + Send + Sync>>;

async fn serve_fn<F, Fut>(
    listener: tokio::net::TcpListener,
    handler: F,
    streams: Streams,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let budget = Arc::new(Budget::new(limits.max_in_flight_bytes));
    // A graceful shutdown is told to every connection through `draining`; a forced one, to
    // the HTTP/2 streams' tasks through `forcing`.
    let (draining, drained) = tokio::sync::watch::channel(false);
    let (forcing, forced) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let result = loop {
        while tasks.try_join_next().is_some() {}
        // A connection is accepted only when it can be served.
        let next = async {
            let permit = connections.clone().acquire_owned().await;
            (permit, listener.accept().await)
        };
        let (permit, accepted) = tokio::select! {
            () = &mut shutdown => break Ok(()),
            next = next => next,
        };
        let Ok(permit) = permit else {
            break Ok(());
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) if accept_error_is_per_connection(&error) => continue,
            Err(error) if accept_error_is_transient(&error) => {
                // Out of file descriptors or memory: connections close as their requests end,
                // so accepting works again soon.
                tokio::select! {
                    () = &mut shutdown => break Ok(()),
                    () = tokio::time::sleep(Duration::from_millis(50)) => continue,
                }
            }
            Err(error) => break Err(error),
        };
        // Small HTTP/2 frames and the ends of responses go out at once, not 40 ms later when
        // the client's delayed acknowledgement comes.
        let _ = stream.set_nodelay(true);
        let connection = Connection {
            limits,
            streams: streams.clone(),
            budget: budget.clone(),
            draining: drained.clone(),
            forced: forced.clone(),
        };
        let handler = handler.clone();
        tasks.spawn(async move {
            let _permit = permit;
            connection.serve(stream, handler).await;
        });
    };
    drop(listener);
    let _ = draining.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_timeout, drain).await.is_err() {
        let _ = forcing.send(true);
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    drop(forcing);
    result
}

/// What every connection's task shares.
struct Connection {
    limits: Limits,
    streams: Streams,
    budget: Arc<Budget>,
    draining: tokio::sync::watch::Receiver<bool>,
    forced: tokio::sync::watch::Receiver<bool>,
}

impl Connection {
    /// Serves one connection until it closes, fails, or a limit ends it.
    async fn serve<F, Fut>(mut self, mut stream: tokio::net::TcpStream, handler: F)
    where
        F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
    {
        let limits = self.limits;
        let activity = Arc::new(Activity::new());
        // A connection that sends nothing within the header timeout, or closes first, is closed.
        let Some((http2, first)) = sniff_version(&mut stream, limits.header_read_timeout).await else {
            return;
        };
        let service_activity = activity.clone();
        let budget = self.budget.clone();
        let streams = self.streams.clone();
        let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let handler = handler.clone();
            let in_flight = InFlight::new(service_activity.clone());
            let budget = budget.clone();
            let streams = streams.clone();
            async move {
                let method = request.method().clone();
                // A request whose input streams goes to the handler unread.
                let request = match streams {
                    Some(streams) if streams(&request_head(&request)) => Ok(streamed_request(request, &budget)),
                    _ => read_request(request, &limits, &budget).await,
                };
                let response = match request {
                    Ok((mut request, lease)) => {
                        // What the protocol layer builds from the request is charged to the
                        // same budget, until the handler has answered.
                        let memory = crate::memory::RequestMemory::new(budget.clone());
                        request.extensions_mut().insert(memory.clone());
                        let response = tokio::time::timeout(limits.handler_timeout, handler(request))
                            .await
                            .unwrap_or_else(|_| handler_timed_out(&limits));
                        drop(memory);
                        drop(lease);
                        response
                    }
                    Err(refused) => *refused,
                };
                let mut response = without_forbidden_body(&method, response);
                // A body that streams goes out as it comes, unless HTTP says there is none.
                let stream = response
                    .extensions_mut()
                    .remove::<super::StreamingBody>()
                    .and_then(|body| body.take())
                    .filter(|_| may_have_body(&method, response.status()));
                let (parts, body) = response.into_parts();
                let lease = budget.charge(body.len());
                Ok::<_, std::convert::Infallible>(http::Response::from_parts(
                    parts,
                    Outgoing::new(body, lease, in_flight, stream),
                ))
            }
        });
        let io = Io::new(stream, first, activity.clone(), !http2, limits.write_timeout);
        let mut builder = hyper_util::server::conn::auto::Builder::new(StreamExecutor(self.forced.clone()));
        builder = if http2 {
            builder.http2_only()
        } else {
            builder.http1_only()
        };
        // The header timeout (and the idle one between keep-alive requests) is kept below, the
        // same way for both versions: hyper's own would start at the end of each response.
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(None)
            .max_buf_size(HTTP1_MAX_BUFFER);
        builder
            .http2()
            .timer(hyper_util::rt::TokioTimer::new())
            .max_concurrent_streams(limits.max_concurrent_streams)
            .initial_stream_window_size(HTTP2_STREAM_WINDOW)
            .initial_connection_window_size(HTTP2_CONNECTION_WINDOW)
            .adaptive_window(false)
            .max_send_buf_size(HTTP2_SEND_BUFFER)
            .max_header_list_size(HTTP2_MAX_HEADER_LIST);
        let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service);
        let mut connection = std::pin::pin!(connection);
        // Once closing gracefully, the time by which the connection is dropped all the same.
        let mut closing: Option<tokio::time::Instant> = None;
        loop {
            let now = tokio::time::Instant::now();
            let wake = match activity.verdict(&limits, now) {
                Verdict::Close => break,
                Verdict::Idle => {
                    if closing.is_none() {
                        connection.as_mut().graceful_shutdown();
                        closing = Some(now + limits.shutdown_timeout);
                    }
                    None
                }
                Verdict::Until(deadline) => Some(deadline),
            };
            let wake = match (wake, closing) {
                (Some(wake), Some(closing)) => wake.min(closing),
                (wake, closing) => wake.or(closing).unwrap_or_else(|| now + Duration::from_secs(3600)),
            };
            tokio::select! {
                // A failed connection concerns its client only: it is dropped, and nothing
                // else.
                _ = connection.as_mut() => break,
                changed = self.draining.changed(), if closing.is_none() => {
                    if changed.is_err() || *self.draining.borrow() {
                        connection.as_mut().graceful_shutdown();
                        closing = Some(tokio::time::Instant::now() + limits.shutdown_timeout);
                    }
                }
                () = activity.changed.notified() => {}
                () = tokio::time::sleep_until(wake) => {
                    if closing.is_some_and(|closing| closing <= tokio::time::Instant::now()) {
                        break;
                    }
                }
            }
        }
    }
}

/// Spawns the tasks of HTTP/2 streams, which end when the server closes every connection.
#[derive(Clone)]
struct StreamExecutor(tokio::sync::watch::Receiver<bool>);

impl<F> hyper::rt::Executor<F> for StreamExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        let mut forced = self.0.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = future => {}
                _ = forced.wait_for(|forced| *forced) => {}
            }
        });
    }
}

/// What a connection's watchdog decides.
enum Verdict {
    /// Close the connection now.
    Close,
    /// The connection is idle: close it gracefully.
    Idle,
    /// Nothing to do before then.
    Until(tokio::time::Instant),
}

/// What one connection is doing, for its limits: requests in flight, the request head being
/// read, responses being written.
struct Activity {
    state: std::sync::Mutex<State>,
    /// Told when the state changes in a way that may bring a deadline nearer.
    changed: tokio::sync::Notify,
}

struct State {
    /// Requests from the head's arrival until their response is written (or abandoned).
    in_flight: usize,
    /// When the last request ended, or the connection opened.
    last: tokio::time::Instant,
    /// When the head of the next request began (its first byte, or the connection's opening),
    /// until the request reaches the service.
    head_since: Option<tokio::time::Instant>,
    /// Responses being written, and when one of them last made progress.
    writing: usize,
    wrote: tokio::time::Instant,
}

impl Activity {
    fn new() -> Self {
        let now = tokio::time::Instant::now();
        Self {
            state: std::sync::Mutex::new(State {
                in_flight: 0,
                last: now,
                head_since: Some(now),
                writing: 0,
                wrote: now,
            }),
            changed: tokio::sync::Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn verdict(&self, limits: &Limits, now: tokio::time::Instant) -> Verdict {
        let state = self.state();
        let mut until = now + Duration::from_secs(3600);
        if let Some(since) = state.head_since {
            let deadline = since + limits.header_read_timeout;
            if deadline <= now {
                return Verdict::Close;
            }
            until = until.min(deadline);
        }
        if state.writing > 0 {
            let deadline = state.wrote + limits.write_timeout;
            if deadline <= now {
                return Verdict::Close;
            }
            until = until.min(deadline);
        }
        if state.in_flight == 0 && state.head_since.is_none() {
            let deadline = state.last + limits.idle_timeout;
            if deadline <= now {
                return Verdict::Idle;
            }
            until = until.min(deadline);
        }
        Verdict::Until(until)
    }

    /// Bytes of a request head arrived (HTTP/1.1).
    fn reading(&self) {
        let mut state = self.state();
        if state.in_flight == 0 && state.head_since.is_none() {
            state.head_since = Some(tokio::time::Instant::now());
            drop(state);
            self.changed.notify_one();
        }
    }

    /// A response made progress.
    fn wrote(&self) {
        self.state().wrote = tokio::time::Instant::now();
    }
}

/// A request in flight on a connection, until it is dropped (its response written, or
/// abandoned).
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: Arc<Activity>) -> Self {
        {
            let mut state = activity.state();
            state.in_flight += 1;
            state.head_since = None;
        }
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut state = self.0.state();
            state.in_flight -= 1;
            state.last = tokio::time::Instant::now();
        }
        self.0.changed.notify_one();
    }
}

/// A response's body, handed to hyper a piece at a time (so that a response waits in memory
/// here, counted, rather than in hyper's buffers), holding its share of the server's budget
/// and its request's place on the connection until it is written or abandoned.
struct Outgoing {
    body: bytes::Bytes,
    /// The body that streams after `body` (an output's `@streaming` blob or event stream).
    stream: Option<ByteStream>,
    /// Whether the response counts as being written: not while it waits for its stream, which
    /// is the service's time, not the caller's.
    counted: bool,
    _lease: Lease,
    in_flight: InFlight,
}

/// The largest piece of a response handed to hyper at once.
const PIECE: usize = 64 * 1024;

impl Outgoing {
    fn new(body: Vec<u8>, lease: Lease, in_flight: InFlight, stream: Option<ByteStream>) -> Self {
        let mut outgoing = Self {
            body: bytes::Bytes::from(body),
            stream,
            counted: false,
            _lease: lease,
            in_flight,
        };
        outgoing.count(true);
        outgoing
    }

    /// Counts the response as being written, or not.
    fn count(&mut self, writing: bool) {
        if self.counted == writing {
            return;
        }
        self.counted = writing;
        {
            let mut state = self.in_flight.0.state();
            if writing {
                state.writing += 1;
                state.wrote = tokio::time::Instant::now();
            } else {
                state.writing -= 1;
            }
        }
        self.in_flight.0.changed.notify_one();
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        if self.counted {
            self.in_flight.0.state().writing -= 1;
        }
    }
}

impl hyper::body::Body for Outgoing {
    type Data = bytes::Bytes;
    type Error = crate::primitives::StreamError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        let this = &mut *self;
        if !this.body.is_empty() {
            let length = this.body.len().min(PIECE);
            let piece = this.body.split_to(length);
            this.in_flight.0.wrote();
            return Poll::Ready(Some(Ok(hyper::body::Frame::data(piece))));
        }
        let Some(stream) = &mut this.stream else {
            return Poll::Ready(None);
        };
        match futures_core::Stream::poll_next(std::pin::Pin::new(stream), cx) {
            Poll::Pending => {
                this.count(false);
                Poll::Pending
            }
            Poll::Ready(Some(Ok(piece))) => {
                this.count(true);
                this.in_flight.0.wrote();
                this.body = piece;
                let length = this.body.len().min(PIECE);
                Poll::Ready(Some(Ok(hyper::body::Frame::data(this.body.split_to(length)))))
            }
            // A body that fails mid-way ends the response without its end: the caller sees a
            // broken response, not a short one.
            Poll::Ready(Some(Err(error))) => {
                this.stream = None;
                Poll::Ready(Some(Err(error)))
            }
            Poll::Ready(None) => {
                this.stream = None;
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_empty() && self.stream.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match &self.stream {
            None => hyper::body::SizeHint::with_exact(self.body.len() as u64),
            Some(stream) => match stream.length() {
                Some(length) => hyper::body::SizeHint::with_exact(self.body.len() as u64 + length),
                None => hyper::body::SizeHint::default(),
            },
        }
    }
}

/// Whether a response with `status` to a request with `method` may have a body.
fn may_have_body(method: &http::Method, status: http::StatusCode) -> bool {
    !(status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED
        || method == http::Method::HEAD)
}

/// The response as HTTP lets it go out: no body (nor its length) in a `1xx`, `204` or `304`
/// response, and none in the response to a `HEAD`.
fn without_forbidden_body(method: &http::Method, mut response: http::Response<Vec<u8>>) -> http::Response<Vec<u8>> {
    let status = response.status();
    let bodiless =
        status.is_informational() || status == http::StatusCode::NO_CONTENT || status == http::StatusCode::NOT_MODIFIED;
    if bodiless {
        response.headers_mut().remove(http::header::CONTENT_LENGTH);
        response.headers_mut().remove(http::header::TRANSFER_ENCODING);
    }
    if bodiless || method == http::Method::HEAD {
        response.body_mut().clear();
        response.body_mut().shrink_to_fit();
    }
    response
}

/// The server's budget of body bytes held at once.
struct Budget {
    max: usize,
    used: std::sync::atomic::AtomicUsize,
    released: tokio::sync::Notify,
}

/// A share of the [`Budget`], given back when dropped.
struct Lease {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Budget {
    fn new(max: usize) -> Self {
        Self {
            max,
            used: std::sync::atomic::AtomicUsize::new(0),
            released: tokio::sync::Notify::new(),
        }
    }

    fn lease(self: &Arc<Self>) -> Lease {
        Lease {
            budget: self.clone(),
            bytes: 0,
        }
    }

    /// Counts `bytes` that are held already, whether or not the budget has room.
    fn charge(self: &Arc<Self>, bytes: usize) -> Lease {
        self.used.fetch_add(bytes, std::sync::atomic::Ordering::SeqCst);
        Lease {
            budget: self.clone(),
            bytes,
        }
    }

    fn try_take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |used| used.checked_add(bytes).filter(|total| *total <= self.max),
            )
            .is_ok()
    }

    /// Adds `bytes` to `lease` once the budget has room, waiting at most `wait`; `false` if it
    /// has none by then.
    async fn grow(&self, lease: &mut Lease, bytes: usize, wait: Duration) -> bool {
        if bytes > self.max {
            return false;
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let released = self.released.notified();
            let mut released = std::pin::pin!(released);
            released.as_mut().enable();
            if self.try_take(bytes) {
                lease.bytes += bytes;
                return true;
            }
            if tokio::time::timeout_at(deadline, released).await.is_err() {
                return false;
            }
        }
    }
}

impl Lease {
    /// Takes over `other`'s share.
    fn absorb(&mut self, mut other: Lease) {
        self.bytes += std::mem::take(&mut other.bytes);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.bytes > 0 {
            crate::memory::MemoryPool::give_back(&*self.budget, self.bytes);
        }
    }
}

impl crate::memory::MemoryPool for Budget {
    fn try_take(&self, bytes: usize) -> bool {
        Budget::try_take(self, bytes)
    }

    fn give_back(&self, bytes: usize) {
        self.used.fetch_sub(bytes, std::sync::atomic::Ordering::SeqCst);
        self.released.notify_waiters();
    }
}

/// The connection's socket, with the bytes read to tell its HTTP version put back in front,
/// that fails a write which makes no progress for the write timeout, and tells the connection's
/// [`Activity`] when a request head's bytes begin to arrive (over HTTP/1.1).
struct Io {
    stream: tokio::net::TcpStream,
    first: Vec<u8>,
    position: usize,
    activity: Arc<Activity>,
    heads: bool,
    write_timeout: Duration,
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl Io {
    fn new(
        stream: tokio::net::TcpStream,
        first: Vec<u8>,
        activity: Arc<Activity>,
        heads: bool,
        write_timeout: Duration,
    ) -> Self {
        Self {
            stream,
            first,
            position: 0,
            activity,
            heads,
            write_timeout,
            stalled: None,
        }
    }

    /// A write that is not ready: pending until the write timeout since the first such one
    /// passes, then an error.
    fn stall<T>(&mut self, context: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<T>> {
        let timeout = self.write_timeout;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stalled.as_mut().poll(context) {
            std::task::Poll::Ready(()) => std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("the client read nothing for {timeout:?}"),
            ))),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }

    fn progressed<T>(
        &mut self,
        context: &mut std::task::Context<'_>,
        poll: std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        match poll {
            std::task::Poll::Pending => self.stall(context),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl tokio::io::AsyncRead for Io {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
        buffer: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.position < this.first.len() {
            let rest = &this.first[this.position..];
            let length = rest.len().min(buffer.remaining());
            buffer.put_slice(&rest[..length]);
            this.position += length;
            if this.position == this.first.len() {
                this.first = Vec::new();
                this.position = 0;
            }
            if this.heads {
                this.activity.reading();
            }
            return std::task::Poll::Ready(Ok(()));
        }
        let before = buffer.filled().len();
        let poll = std::pin::Pin::new(&mut this.stream).poll_read(context, buffer);
        if this.heads && matches!(poll, std::task::Poll::Ready(Ok(()))) && buffer.filled().len() > before {
            this.activity.reading();
        }
        poll
    }
}

impl tokio::io::AsyncWrite for Io {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
        buffer: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.stream).poll_write(context, buffer);
        self.progressed(context, poll)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
        buffers: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.stream).poll_write_vectored(context, buffers);
        self.progressed(context, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let poll = std::pin::Pin::new(&mut self.stream).poll_flush(context);
        self.progressed(context, poll)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        context: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let poll = std::pin::Pin::new(&mut self.stream).poll_shutdown(context);
        self.progressed(context, poll)
    }
}

/// Whether a connection speaks HTTP/2 (it opens with the HTTP/2 preface) or HTTP/1.1, from its
/// first bytes, read within `timeout`, and those bytes; `None` when it sends nothing in time,
/// or closes before its version is known.
async fn sniff_version(stream: &mut tokio::net::TcpStream, timeout: Duration) -> Option<(bool, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let sniff = async {
        let mut first = Vec::with_capacity(1024);
        loop {
            if stream.read_buf(&mut first).await.ok()? == 0 {
                return None;
            }
            let known = first.len().min(PREFACE.len());
            if first[..known] != PREFACE[..known] {
                return Some((false, first));
            }
            if known == PREFACE.len() {
                return Some((true, first));
            }
        }
    };
    tokio::time::timeout(timeout, sniff).await.ok().flatten()
}

/// The request with its whole body, within the limits and the server's budget, and the share
/// of the budget its head and body hold; or the response that refuses it.
async fn read_request(
    request: http::Request<hyper::body::Incoming>,
    limits: &Limits,
    budget: &Arc<Budget>,
) -> Result<(http::Request<Vec<u8>>, Lease), Box<http::Response<Vec<u8>>>> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return Err(Box::new(plain_rejection(Rejection::payload_too_large(
            limits.max_body_bytes,
        ))));
    }
    let mut head = budget.lease();
    if !budget.grow(&mut head, head_size(&parts), limits.body_budget_wait).await {
        return Err(Box::new(over_budget(limits)));
    }
    let read = tokio::time::timeout(limits.body_read_timeout, read_body(body, declared, limits, budget))
        .await
        .unwrap_or_else(|_| {
            Err(Box::new(plain_rejection(Rejection::request_timeout(format!(
                "the request body did not arrive within {:?}",
                limits.body_read_timeout
            )))))
        });
    let (body, mut lease) = read?;
    lease.absorb(head);
    let mut request = http::Request::from_parts(parts, body);
    request.extensions_mut().insert(super::BodyLimit(limits.max_body_bytes));
    Ok((request, lease))
}

/// A request's head (without its body), for [`Handler::streams`].
fn request_head(request: &http::Request<hyper::body::Incoming>) -> http::request::Parts {
    let mut head = http::Request::new(());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    *head.version_mut() = request.version();
    *head.headers_mut() = request.headers().clone();
    head.into_parts().0
}

/// A request whose body streams: handed on unread, as a [`super::StreamingBody`], its pieces
/// taken as the handler reads them (HTTP's flow control holds the rest back); only its head is
/// charged to the budget. The handler's time limit bounds how long it may take.
fn streamed_request(
    request: http::Request<hyper::body::Incoming>,
    budget: &Arc<Budget>,
) -> (http::Request<Vec<u8>>, Lease) {
    let (parts, body) = request.into_parts();
    let head = budget.charge(head_size(&parts));
    let length = hyper::body::Body::size_hint(&body).exact();
    let mut request = http::Request::from_parts(parts, Vec::new());
    request
        .extensions_mut()
        .insert(super::StreamingBody::new(ByteStream::from_stream(
            IncomingPieces(body),
            length,
        )));
    (request, head)
}

/// A request body's pieces as they arrive.
struct IncomingPieces(hyper::body::Incoming);

impl futures_core::Stream for IncomingPieces {
    type Item = Result<bytes::Bytes, hyper::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        loop {
            return match hyper::body::Body::poll_frame(std::pin::Pin::new(&mut self.0), cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if !data.is_empty() => Poll::Ready(Some(Ok(data))),
                    // Trailers and empty frames carry no body bytes.
                    _ => continue,
                },
            };
        }
    }
}

/// About the bytes a request's head takes in memory: its target, and each header's name and
/// value with the overhead of a field (as HTTP/2 counts a header list's size).
fn head_size(parts: &http::request::Parts) -> usize {
    let fields: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 32)
        .sum();
    let target = parts.uri.path_and_query().map_or(0, |target| target.as_str().len())
        + parts.uri.authority().map_or(0, |authority| authority.as_str().len());
    target + fields
}

/// The least share of the budget a body grows its share by.
const BUDGET_STEP: usize = 16 * 1024;

/// Reads a body whole, taking its share of the budget before the bytes are held: all of a
/// declared length at once, a chunked body by doubling steps. The body's buffer never holds
/// more than its share.
async fn read_body(
    mut body: hyper::body::Incoming,
    declared: Option<u64>,
    limits: &Limits,
    budget: &Arc<Budget>,
) -> Result<(Vec<u8>, Lease), Box<http::Response<Vec<u8>>>> {
    let mut lease = budget.lease();
    let mut bytes = Vec::new();
    if let Some(declared) = declared.filter(|declared| *declared > 0) {
        // At most `max_body_bytes`, checked above.
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        if !budget.grow(&mut lease, declared, limits.body_budget_wait).await {
            return Err(Box::new(over_budget(limits)));
        }
        bytes.reserve_exact(declared);
    }
    while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
        let frame = frame.map_err(|error| {
            Box::new(plain_rejection(Rejection::serialization(format!(
                "the request body cannot be read: {error}"
            ))))
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let needed = bytes.len() + data.len();
        if needed > limits.max_body_bytes {
            return Err(Box::new(plain_rejection(Rejection::payload_too_large(
                limits.max_body_bytes,
            ))));
        }
        if needed > lease.bytes {
            let target = needed
                .max(lease.bytes.saturating_mul(2))
                .max(BUDGET_STEP)
                .min(limits.max_body_bytes);
            let more = target - lease.bytes;
            if !budget.grow(&mut lease, more, limits.body_budget_wait).await {
                return Err(Box::new(over_budget(limits)));
            }
            bytes.reserve_exact(lease.bytes - bytes.len());
        }
        bytes.extend_from_slice(&data);
    }
    Ok((bytes, lease))
}

/// The answer to a request its handler did not answer in time.
fn handler_timed_out(limits: &Limits) -> http::Response<Vec<u8>> {
    plain_rejection(Rejection::unavailable(format!(
        "the service did not answer within {} s; retry later",
        limits.handler_timeout.as_secs_f64()
    )))
}

/// The answer to a request whose body the server has no room for now.
fn over_budget(limits: &Limits) -> http::Response<Vec<u8>> {
    plain_rejection(Rejection::unavailable(format!(
        "the server holds its most request bytes ({}) and cannot take this body now; retry later",
        limits.max_in_flight_bytes
    )))
}

/// A rejection answered before the request reached a handler, which knows the protocol: the
/// status and error type, with a JSON message; a `503` says when to retry, as
/// [`Rejection::into_response`] does.
fn plain_rejection(rejection: Rejection) -> http::Response<Vec<u8>> {
    let status = http::StatusCode::from_u16(rejection.status()).unwrap_or(http::StatusCode::BAD_REQUEST);
    let mut response = plain_error(status, rejection.error_type(), rejection.message());
    if status == http::StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("1"));
    }
    response
}

fn plain_error(status: http::StatusCode, error_type: &str, message: &str) -> http::Response<Vec<u8>> {
    let body = serde_json::json!({ "message": message }).to_string().into_bytes();
    http::Response::builder()
        .status(status)
        .header("x-amzn-errortype", error_type)
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
