//! A request as a server hands it to a [`Handler`](super::Handler): its body read whole within
//! the [`Limits`] and the server's budget of bytes in flight (or handed on unread when the
//! handler takes it as it streams), the handler called within its time, and the answer's body
//! as it is sent ([`ResponseBody`]). The ready server on hyper and the tower service share it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes};

use super::{Limits, Rejection};
use crate::error::BoxError;
use crate::primitives::ByteStream;

/// Answers `request` with `handler` within `limits` and `budget`: its body read whole first
/// (answered `413`, `408`, `503` or `400` without calling `handler` when it is too large, too
/// slow, has no room in the budget, or cannot be read), or handed on unread as a
/// [`StreamingBody`](super::StreamingBody) when `streams` says its operation takes it so; the
/// handler given [`Limits::handler_timeout`]. The answer carries no body where HTTP allows
/// none, and goes out with its body that streams, if the handler put one in its extensions.
pub(super) async fn answer<B, S, F, Fut>(
    request: http::Request<B>,
    streams: S,
    handler: F,
    limits: &Limits,
    budget: &Arc<Budget>,
) -> http::Response<ResponseBody>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    S: FnOnce(&http::Request<B>) -> bool,
    F: FnOnce(http::Request<Vec<u8>>) -> Fut,
    Fut: Future<Output = http::Response<Vec<u8>>>,
{
    let method = request.method().clone();
    // A request whose input streams goes to the handler unread.
    let request = if streams(&request) {
        Ok(streamed_request(request, budget))
    } else {
        read_request(request, limits, budget).await
    };
    let response = match request {
        Ok((mut request, lease)) => {
            // What the protocol layer builds from the request is charged to the same budget,
            // until the handler has answered.
            let memory = crate::memory::RequestMemory::new(budget.clone());
            request.extensions_mut().insert(memory.clone());
            let response = tokio::time::timeout(limits.handler_timeout, handler(request))
                .await
                .unwrap_or_else(|_| handler_timed_out(limits));
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
    http::Response::from_parts(parts, ResponseBody::new(body, lease, stream))
}

/// The body of a response a `HandlerService` (feature `tower`) or the ready server sends: the
/// bytes the handler wrote, 64 KiB at a time, then the body that streams (an output's
/// `@streaming` blob or event stream) when the handler put a
/// [`StreamingBody`](super::StreamingBody) in the response's extensions. It holds the
/// response's share of the server's budget of bytes in flight until it is sent or dropped.
///
/// A body that streams and fails mid-way ends with the error (the caller sees a broken
/// response, not a short one).
pub struct ResponseBody {
    body: Bytes,
    /// The body that streams after `body`.
    stream: Option<ByteStream>,
    _lease: Lease,
}

/// The largest piece of a response handed on at once.
const PIECE: usize = 64 * 1024;

impl ResponseBody {
    fn new(body: Vec<u8>, lease: Lease, stream: Option<ByteStream>) -> Self {
        Self {
            body: Bytes::from(body),
            stream,
            _lease: lease,
        }
    }
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody")
            .field("held", &self.body.len())
            .field("streams", &self.stream.is_some())
            .finish()
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = crate::primitives::StreamError;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        let this = &mut *self;
        if !this.body.is_empty() {
            let length = this.body.len().min(PIECE);
            return Poll::Ready(Some(Ok(http_body::Frame::data(this.body.split_to(length)))));
        }
        let Some(stream) = &mut this.stream else {
            return Poll::Ready(None);
        };
        match futures_core::Stream::poll_next(std::pin::Pin::new(stream), cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(piece))) => {
                this.body = piece;
                let length = this.body.len().min(PIECE);
                Poll::Ready(Some(Ok(http_body::Frame::data(this.body.split_to(length)))))
            }
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

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.stream {
            None => http_body::SizeHint::with_exact(self.body.len() as u64),
            Some(stream) => match stream.length() {
                Some(length) => http_body::SizeHint::with_exact(self.body.len() as u64 + length),
                None => http_body::SizeHint::default(),
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

/// The server's budget of bytes in flight ([`Limits::max_in_flight_bytes`]).
pub(super) struct Budget {
    max: usize,
    used: std::sync::atomic::AtomicUsize,
    released: tokio::sync::Notify,
}

/// A share of the [`Budget`], given back when dropped.
pub(super) struct Lease {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Budget {
    pub(super) fn new(max: usize) -> Self {
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

/// The request with its whole body, within the limits and the server's budget, and the share
/// of the budget its head and body hold; or the response that refuses it.
async fn read_request<B>(
    request: http::Request<B>,
    limits: &Limits,
    budget: &Arc<Budget>,
) -> Result<(http::Request<Vec<u8>>, Lease), Box<http::Response<Vec<u8>>>>
where
    B: http_body::Body,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
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

/// A request's head (without its body), for [`Handler::streams`](super::Handler::streams).
pub(super) fn request_head<B>(request: &http::Request<B>) -> http::request::Parts {
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
fn streamed_request<B>(request: http::Request<B>, budget: &Arc<Budget>) -> (http::Request<Vec<u8>>, Lease)
where
    B: http_body::Body + Send + 'static,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    let head = budget.charge(head_size(&parts));
    let length = http_body::Body::size_hint(&body).exact();
    let mut request = http::Request::from_parts(parts, Vec::new());
    request
        .extensions_mut()
        .insert(super::StreamingBody::new(ByteStream::from_stream(
            Pieces(Box::pin(body)),
            length,
        )));
    (request, head)
}

/// A request body's pieces as they arrive.
struct Pieces<B>(std::pin::Pin<Box<B>>);

impl<B: http_body::Body> futures_core::Stream for Pieces<B> {
    type Item = Result<Bytes, B::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        loop {
            return match self.0.as_mut().poll_frame(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(mut data) if data.has_remaining() => Poll::Ready(Some(Ok(data.copy_to_bytes(data.remaining())))),
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
async fn read_body<B>(
    body: B,
    declared: Option<u64>,
    limits: &Limits,
    budget: &Arc<Budget>,
) -> Result<(Vec<u8>, Lease), Box<http::Response<Vec<u8>>>>
where
    B: http_body::Body,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
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
    while let Some(frame) = next_frame(&mut body).await {
        let frame = frame.map_err(|error| {
            Box::new(plain_rejection(Rejection::serialization(format!(
                "the request body cannot be read: {error}"
            ))))
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let needed = bytes.len() + data.remaining();
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
        bytes::BufMut::put(&mut bytes, data);
    }
    Ok((bytes, lease))
}

/// A body's next frame, its error boxed (so that no future holds the body's own error type,
/// which need not be `Send`, across a wait).
async fn next_frame<B>(body: &mut std::pin::Pin<&mut B>) -> Option<Result<http_body::Frame<B::Data>, BoxError>>
where
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let frame = http_body_util::BodyExt::frame(body).await?;
    Some(frame.map_err(Into::into))
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
