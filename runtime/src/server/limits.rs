//! What a server lets a request take: [`Limits`], for the ready server on hyper and for the
//! tower service alike.

use std::time::Duration;

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
///
/// # In a tower application
///
/// A `HandlerService` (feature `tower`) keeps to the limits on a request: its body's size, how
/// long it may take to arrive, the budget of bytes in flight (shared by the service's clones)
/// and the handler's time. Connections, their headers, their idle time and how long writes may
/// stall are the host server's to bound.
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
    /// and sockets closing; at most 1,000. 896 under the usual limit of 1,024. Without the
    /// `hyper-server` feature, whose server alone accepts connections, 1,000.
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
#[cfg(all(unix, feature = "hyper-server"))]
fn open_file_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(all(unix, feature = "hyper-server")))]
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
