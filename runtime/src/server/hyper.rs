//! A ready server on hyper (feature `hyper-server`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::body::{answer, request_head, Budget, ResponseBody};
use super::{Handler, Limits};

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
                let streams = |request: &http::Request<hyper::body::Incoming>| {
                    streams.is_some_and(|streams| streams(&request_head(request)))
                };
                let response = answer(request, streams, handler, &limits, &budget).await;
                Ok::<_, std::convert::Infallible>(response.map(|body| Outgoing::new(body, in_flight)))
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
    body: ResponseBody,
    /// Whether the response counts as being written: not while it waits for its stream, which
    /// is the service's time, not the caller's.
    counted: bool,
    in_flight: InFlight,
}

impl Outgoing {
    fn new(body: ResponseBody, in_flight: InFlight) -> Self {
        let mut outgoing = Self {
            body,
            counted: false,
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
        let poll = hyper::body::Body::poll_frame(std::pin::Pin::new(&mut this.body), cx);
        match &poll {
            Poll::Pending => this.count(false),
            Poll::Ready(Some(Ok(_))) => {
                this.count(true);
                this.in_flight.0.wrote();
            }
            Poll::Ready(_) => {}
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        hyper::body::Body::is_end_stream(&self.body)
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::Body::size_hint(&self.body)
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
