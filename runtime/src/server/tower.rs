//! A [`Handler`] as a [`tower_service::Service`] (feature `tower`): [`HandlerService`], which an
//! axum or hyper application mounts among its own routes, with its own layers (tracing,
//! metrics, timeouts) around it.
//!
//! ```ignore
//! use smithy_runtime::server::HandlerService;
//!
//! let kv = HandlerService::new(kv_store::server::Server::new(store));
//! let app = axum::Router::new()
//!     .route("/health", axum::routing::get(|| async { "ok" }))
//!     // awsJson1_0 and awsJson1_1 send every call to `/`; a restJson1 service would be the
//!     // router's `fallback_service`.
//!     .route("/", axum::routing::any_service(kv).layer(tower_http::trace::TraceLayer::new_for_http()));
//! axum::serve(listener, app).await?;
//! ```
//!
//! `examples/axum-mount` in this repository runs it.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::body::{answer, request_head, Budget};
use super::{BoxFuture, Handler, Limits, ResponseBody};
use crate::error::BoxError;

/// A [`Handler`] (such as a generated crate's `server::Server`) as a
/// [`tower_service::Service`] of `http` requests of any body, answered with a
/// [`ResponseBody`] that streams what the handler's answers stream.
///
/// Each request is served as the ready server (`serve`, feature `hyper-server`) serves it,
/// within the service's [`Limits`] (the defaults unless [`with_limits`](Self::with_limits) sets
/// others): its body is read whole first, and one longer than [`Limits::max_body_bytes`] is answered
/// `413 PayloadTooLargeException` (at once when its `Content-Length` says so, else once the
/// bytes read pass the limit) without calling the handler; one that does not arrive within
/// [`Limits::body_read_timeout`] `408`; one that cannot be read `400`. A request for an
/// operation whose input streams ([`Handler::streams`]) goes to the handler unread, as
/// [`StreamingBody`](super::StreamingBody). The bytes requests and responses hold are charged to
/// a budget of [`Limits::max_in_flight_bytes`] that the service's clones share (`503` with
/// `Retry-After` when it has no room), and a handler that takes longer than
/// [`Limits::handler_timeout`] is answered `503`. Connections and their timeouts are the host
/// server's to bound.
///
/// Cloning is cheap (two reference counts); the service is always ready and never fails: every
/// request is answered, refusals included. It must run inside a tokio runtime, for its timers.
pub struct HandlerService<H> {
    handler: Arc<H>,
    limits: Limits,
    budget: Arc<Budget>,
}

impl<H: Handler> HandlerService<H> {
    /// Serves `handler` within the default [`Limits`].
    pub fn new(handler: H) -> Self {
        Self::from_arc(Arc::new(handler))
    }

    /// Serves a `handler` that other code holds too.
    pub fn from_arc(handler: Arc<H>) -> Self {
        let limits = Limits::default();
        Self {
            handler,
            budget: Arc::new(Budget::new(limits.max_in_flight_bytes)),
            limits,
        }
    }

    /// The same service within `limits`, with a budget of bytes in flight of its own.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.budget = Arc::new(Budget::new(limits.max_in_flight_bytes));
        self.limits = limits;
        self
    }

    /// The limits requests are served within.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The handler that answers.
    pub fn handler(&self) -> &H {
        &self.handler
    }
}

impl<H: Handler> From<H> for HandlerService<H> {
    fn from(handler: H) -> Self {
        Self::new(handler)
    }
}

impl<H> Clone for HandlerService<H> {
    fn clone(&self) -> Self {
        Self {
            handler: self.handler.clone(),
            limits: self.limits,
            budget: self.budget.clone(),
        }
    }
}

impl<H> std::fmt::Debug for HandlerService<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerService")
            .field("handler", &std::any::type_name::<H>())
            .field("limits", &self.limits)
            .finish()
    }
}

impl<H, B> tower_service::Service<http::Request<B>> for HandlerService<H>
where
    H: Handler,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = http::Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let handler = self.handler.clone();
        let budget = self.budget.clone();
        let limits = self.limits;
        Box::pin(async move {
            let streams = |request: &http::Request<B>| handler.streams(&request_head(request));
            let handle = |request| handler.handle(request);
            Ok(answer(request, streams, handle, &limits, &budget).await)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use tower_service::Service;

    use super::HandlerService;
    use crate::primitives::ByteStream;
    use crate::server::{BoxFuture, Handler, Limits, StreamingBody};

    /// Answers with the request's body (or, for a request it takes as it streams, with the
    /// body it read from the stream), counting its calls; `x-answer: streaming` makes it
    /// answer with a body that streams, `x-answer: slow` makes it take a second.
    #[derive(Default)]
    struct Echo {
        calls: AtomicUsize,
    }

    impl Handler for Echo {
        fn handle(&self, request: http::Request<Vec<u8>>) -> BoxFuture<'_, http::Response<Vec<u8>>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                let answer = request.headers().get("x-answer").cloned();
                let streamed = request
                    .extensions()
                    .get::<StreamingBody>()
                    .and_then(StreamingBody::take);
                let body = match streamed {
                    Some(stream) => stream.collect().await.expect("the body arrives"),
                    None => request.into_body(),
                };
                let mut response = http::Response::new(body);
                match answer.as_ref().map(http::HeaderValue::as_bytes) {
                    Some(b"streaming") => {
                        let pieces = Pieces(["one ", "two ", "three"].into_iter().map(Bytes::from).collect());
                        response
                            .extensions_mut()
                            .insert(StreamingBody::new(ByteStream::from_stream(pieces, None)));
                    }
                    Some(b"slow") => tokio::time::sleep(Duration::from_secs(1)).await,
                    _ => {}
                }
                response
            })
        }

        fn streams(&self, request: &http::request::Parts) -> bool {
            request.uri.path() == "/upload"
        }
    }

    /// A body's pieces, in order.
    struct Pieces(VecDeque<Bytes>);

    impl futures_core::Stream for Pieces {
        type Item = Result<Bytes, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.pop_front().map(Ok))
        }
    }

    fn post(path: &str) -> http::request::Builder {
        http::Request::builder().method("POST").uri(path)
    }

    async fn body_of(response: http::Response<crate::server::ResponseBody>) -> Vec<u8> {
        response
            .into_body()
            .collect()
            .await
            .expect("the body is read")
            .to_bytes()
            .to_vec()
    }

    #[tokio::test]
    async fn a_request_through_the_service_reaches_the_handler_and_its_answer_comes_back() {
        let mut service = HandlerService::new(Echo::default());
        let request = post("/")
            .header("content-length", "5")
            .body(Full::new(Bytes::from_static(b"hello")))
            .unwrap();
        std::future::poll_fn(|cx| Service::<http::Request<Full<Bytes>>>::poll_ready(&mut service, cx))
            .await
            .unwrap();
        let response = service.call(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(body_of(response).await, b"hello");
        assert_eq!(service.handler().calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_oversized_body_is_refused_without_calling_the_handler() {
        let service = HandlerService::new(Echo::default()).with_limits(Limits::default().with_max_body_bytes(8));
        let long = b"far more than eight bytes";
        // Refused on its `Content-Length`, and with none, once the bytes read pass the limit.
        let declared = post("/")
            .header("content-length", long.len())
            .body(Full::new(Bytes::from_static(long)))
            .unwrap();
        let undeclared = post("/").body(Full::new(Bytes::from_static(long))).unwrap();
        for request in [declared, undeclared] {
            let response = service.clone().call(request).await.unwrap();
            assert_eq!(response.status(), 413);
            assert_eq!(response.headers()["x-amzn-errortype"], "PayloadTooLargeException");
            let body: serde_json::Value = serde_json::from_slice(&body_of(response).await).unwrap();
            assert!(body["message"].as_str().unwrap().contains("8 bytes"), "{body}");
        }
        assert_eq!(service.handler().calls.load(Ordering::SeqCst), 0);
        // A body within the limit is served.
        let short = post("/").body(Full::new(Bytes::from_static(b"short"))).unwrap();
        let response = service.clone().call(short).await.unwrap();
        assert_eq!(body_of(response).await, b"short");
        assert_eq!(service.handler().calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_answer_that_streams_goes_out_after_the_bytes_in_its_body() {
        let mut service = HandlerService::from(Echo::default());
        let request = post("/")
            .header("x-answer", "streaming")
            .body(Full::new(Bytes::from_static(b"head: ")))
            .unwrap();
        let response = service.call(request).await.unwrap();
        assert_eq!(body_of(response).await, b"head: one two three");
    }

    #[tokio::test]
    async fn a_request_whose_input_streams_reaches_the_handler_unread_whatever_its_size() {
        let service = HandlerService::new(Echo::default()).with_limits(Limits::default().with_max_body_bytes(8));
        let long = b"far more than eight bytes, taken as they come";
        let request = post("/upload").body(Full::new(Bytes::from_static(long))).unwrap();
        let response = service.clone().call(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(body_of(response).await, long);
    }

    #[tokio::test]
    async fn a_handler_past_its_time_is_answered_503() {
        let limits = Limits::default().with_handler_timeout(Duration::from_millis(20));
        let mut service = HandlerService::new(Echo::default()).with_limits(limits);
        let request = post("/")
            .header("x-answer", "slow")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = service.call(request).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
    }

    #[tokio::test]
    async fn the_answer_to_head_has_no_body() {
        let mut service = HandlerService::new(Echo::default());
        let request = http::Request::builder()
            .method("HEAD")
            .uri("/")
            .body(Full::new(Bytes::from_static(b"echoed")))
            .unwrap();
        let response = service.call(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(http_body::Body::is_end_stream(response.body()));
        assert!(body_of(response).await.is_empty());
    }
}
