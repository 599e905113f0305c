//! The server side: [`route`] finds the operation a request names, [`serve_operation`] reads its
//! input, calls the implementation and writes the result, and a [`Rejection`] answers a request
//! that cannot be served with the protocol's error. Generated crates' `server::handle` ties
//! them to their service trait; with the `hyper-server` feature, `serve` runs a [`Handler`]
//! on a TCP listener, and with the `tower` feature, a `HandlerService` makes it a
//! `tower::Service` that an axum or hyper application mounts among its own routes and
//! layers.

#[cfg(any(feature = "hyper-server", feature = "tower"))]
mod body;
#[cfg(feature = "hyper-server")]
mod hyper;
#[cfg(any(feature = "hyper-server", feature = "tower"))]
mod limits;
#[cfg(feature = "tower")]
pub mod tower;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

#[cfg(any(feature = "hyper-server", feature = "tower"))]
pub use self::body::ResponseBody;
#[cfg(feature = "hyper-server")]
pub use self::hyper::{serve, serve_with, serve_with_limits, serve_with_shutdown};
#[cfg(any(feature = "hyper-server", feature = "tower"))]
pub use self::limits::Limits;
#[cfg(feature = "tower")]
pub use self::tower::HandlerService;
use crate::operation::Operation;
use crate::primitives::ByteStream;
use crate::protocol::HttpOperation;
pub use crate::rejection::{BodyLimit, Rejection};
use crate::schema::ServiceSchema;
use crate::shape::Value;

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A body that streams, carried in the extensions of a request or response whose own body is
/// empty: a response's `@streaming` blob or event stream, which `serve` sends as it comes; a
/// request's, which `serve` hands on unread for an operation whose input streams
/// ([`Handler::streams`]).
#[derive(Clone)]
pub struct StreamingBody(Arc<Mutex<Option<ByteStream>>>);

impl StreamingBody {
    /// Carries `body`.
    pub fn new(body: ByteStream) -> Self {
        Self(Arc::new(Mutex::new(Some(body))))
    }

    /// The body, handed over (once).
    pub fn take(&self) -> Option<ByteStream> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }
}

impl std::fmt::Debug for StreamingBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamingBody")
    }
}

/// Answers requests: what a ready server runs. Generated crates' `server::Server` implements it
/// for any implementation of their service trait.
pub trait Handler: Send + Sync + 'static {
    /// The response to `request`.
    fn handle(&self, request: http::Request<Vec<u8>>) -> BoxFuture<'_, http::Response<Vec<u8>>>;

    /// Whether the request whose head is `request` goes to an operation whose input streams
    /// (a `@streaming` blob or an event stream): a ready server then hands its body on unread,
    /// as a [`StreamingBody`] in the request's extensions, rather than reading it whole within
    /// its body limit. No request streams by default; generated servers of services with such
    /// operations say which do ([`streams_request`]).
    fn streams(&self, request: &http::request::Parts) -> bool {
        let _ = request;
        false
    }
}

/// Whether a request with this head goes to an operation of `service` whose input streams.
pub fn streams_request(service: &'static ServiceSchema, request: &http::request::Parts) -> bool {
    let head = http::Request::from_parts(request.clone(), Vec::new());
    find_route(service, &head)
        .ok()
        .and_then(|index| service.operations.get(index))
        .is_some_and(|operation| operation.input.streaming_blob().is_some() || operation.input.event_stream().is_some())
}

impl Rejection {
    /// The answer in `service`'s protocol: the status, the error type, and the protocol's error
    /// body with the message (and for a validation error, the `fieldList`).
    pub fn into_response(self, service: &ServiceSchema) -> http::Response<Vec<u8>> {
        let fields = (self.error_type == "ValidationException").then_some(self.fields.as_slice());
        let mut response =
            crate::protocol::own_error_response(service, self.status, self.error_type, Some(&self.message), fields);
        if self.status == 503 {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        }
        without_forbidden_body(&mut response, self.head);
        response
    }

    /// The same rejection of a request with this method: the answer to a `HEAD` has no body.
    fn of_method(mut self, method: &http::Method) -> Self {
        self.head = method == http::Method::HEAD;
        self
    }
}

/// The operation a request is for, as its index in the service's operations: by method, path
/// and literal query for restJson1 (the most specific URI template first), by `X-Amz-Target`
/// for the awsJson protocols. The rejection of a `HEAD` request answers without a body.
pub fn route(service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
    find_route(service, request).map_err(|rejection| rejection.of_method(request.method()))
}

fn find_route(service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
    crate::protocol::wire(service).route(service, request)
}

/// Serves a request routed to operation `O`: reads the input, calls `call` with it and writes
/// its result; a request that cannot be read gets its rejection.
///
/// The future is boxed, so that a generated `handle` (which matches on the operation) costs the
/// compiler no analysis of an async state machine per operation.
pub fn serve_operation<'a, O, F, Fut>(
    request: http::Request<Vec<u8>>,
    call: F,
) -> BoxFuture<'a, http::Response<Vec<u8>>>
where
    O: Operation,
    F: FnOnce(O::Input) -> Fut + Send + 'a,
    Fut: Future<Output = Result<O::Output, O::Error>> + Send + 'a,
{
    Box::pin(async move {
        let mut request = request;
        let id = request_id(&request);
        let head = request.method() == http::Method::HEAD;
        let streamed = match stream_input(O::SERVICE, O::SCHEMA, &mut request).await {
            Ok(streamed) => streamed,
            Err(rejection) => {
                let mut response = rejection.into_response(O::SERVICE);
                without_forbidden_body(&mut response, head);
                return response;
            }
        };
        let mut response = match O::parse_request(&request) {
            Ok(input) => {
                if let Some(streamed) = streamed {
                    streamed.hand_to(O::SCHEMA, &input);
                }
                let result = call(input).await;
                let mut response = crate::protocol::serialize_response_with_id::<O>(&result, Some(&id));
                if let Ok(output) = &result {
                    if response.status().is_success() {
                        stream_output(O::SERVICE, O::SCHEMA, output, &mut response);
                    }
                }
                response
            }
            Err(rejection) => rejection.into_response(O::SERVICE),
        };
        if let Ok(value) = http::HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID, value);
        }
        without_forbidden_body(&mut response, head);
        response
    })
}

/// A request's body that streams, for its input's streaming member.
enum StreamedInput {
    Body(ByteStream),
    Events(crate::event_stream::Incoming),
}

impl StreamedInput {
    /// Gives the input (read from the request's head) its body or events.
    fn hand_to(self, operation: &'static crate::schema::OperationSchema, input: &dyn Value) {
        match self {
            StreamedInput::Body(body) => {
                if let Some(member) = operation
                    .input
                    .streaming_blob()
                    .and_then(|index| input.member(index))
                    .and_then(Value::byte_stream)
                {
                    member.replace_with(body);
                }
            }
            StreamedInput::Events(events) => {
                if let Some(stream) = operation
                    .input
                    .event_stream()
                    .and_then(|index| input.member(index))
                    .and_then(Value::events)
                {
                    stream.attach(Box::new(events));
                }
            }
        }
    }
}

/// The body that streams of a request that a ready server handed on unread (a
/// [`StreamingBody`]): the `@streaming` blob (its `aws-chunked` encoding undone, its trailing
/// checksum checked as it streams), or the events of an event stream, after an RPC protocol's
/// initial request, which becomes the request's body for the input's other members.
async fn stream_input(
    service: &'static ServiceSchema,
    operation: &'static crate::schema::OperationSchema,
    request: &mut http::Request<Vec<u8>>,
) -> Result<Option<StreamedInput>, Rejection> {
    let Some(body) = request
        .extensions()
        .get::<StreamingBody>()
        .and_then(StreamingBody::take)
    else {
        return Ok(None);
    };
    if operation.input.streaming_blob().is_some() {
        return Ok(Some(StreamedInput::Body(
            crate::auth::sigv4::streaming::decode_aws_chunked(request.headers(), body),
        )));
    }
    let Some(index) = operation.input.event_stream() else {
        return Ok(None);
    };
    let member = &operation.input.members[index];
    let mut events = crate::event_stream::Incoming::new(service, member, crate::codec::Side::Server, body);
    if crate::protocol::wire(service).initial_messages() {
        let initial = events
            .initial(crate::event_stream::INITIAL_REQUEST)
            .await
            .map_err(|error| Rejection::serialization(error.to_string()))?;
        if let Some(initial) = initial {
            *request.body_mut() = initial.into_payload();
        }
    }
    Ok(Some(StreamedInput::Events(events)))
}

/// Hands the response the output's body that streams, as a [`StreamingBody`]: its
/// `@streaming` blob's (with its length when known), or its event stream's messages (after an
/// RPC protocol's initial response, which takes the response's body), the events held in memory
/// first, then those still to come.
fn stream_output(
    service: &'static ServiceSchema,
    operation: &'static crate::schema::OperationSchema,
    output: &dyn Value,
    response: &mut http::Response<Vec<u8>>,
) {
    let blob = operation
        .output
        .streaming_blob()
        .and_then(|index| output.member(index))
        .and_then(Value::byte_stream)
        .and_then(ByteStream::take_stream);
    if let Some(body) = blob {
        match body.length() {
            Some(length) => response
                .headers_mut()
                .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(length)),
            None => response.headers_mut().remove(http::header::CONTENT_LENGTH),
        };
        response.extensions_mut().insert(StreamingBody::new(body));
        return;
    }
    let Some(index) = operation.output.event_stream() else {
        return;
    };
    let schema = operation.output.members[index].target;
    let stream = output.member(index).and_then(Value::events);
    let mut ready = Vec::new();
    if crate::protocol::wire(service).initial_messages() {
        ready.push(crate::event_stream::initial_message(
            crate::event_stream::INITIAL_RESPONSE,
            response,
        ));
    }
    if let Some(stream) = stream {
        match crate::event_stream::messages_of(service, schema, stream) {
            Ok(messages) => ready.extend(messages),
            // The caller is told no more than that the stream failed.
            Err(error) => {
                crate::protocol::report_internal(None, operation.id, &error);
                use crate::event_stream::{HeaderValue, Message};
                ready.push(
                    Message::new(Vec::new())
                        .with_header(":message-type", HeaderValue::String("error".into()))
                        .with_header(":error-code", HeaderValue::String("InternalFailure".into()))
                        .with_header(
                            ":error-message",
                            HeaderValue::String("the service could not write an event".into()),
                        ),
                );
            }
        }
    }
    let live = stream.and_then(|stream| stream.take_outgoing());
    let Ok(body) = crate::event_stream::outgoing_body(service, schema, ready, live, None) else {
        return;
    };
    response.body_mut().clear();
    let headers = response.headers_mut();
    headers.remove(http::header::CONTENT_LENGTH);
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/vnd.amazon.eventstream"),
    );
    response.extensions_mut().insert(StreamingBody::new(body));
}

/// Drops the body of a response that HTTP says has none: a `1xx`, `204` or `304`, and the
/// answer to a `HEAD` request. Such a response carries no `Content-Length` other than 0 and
/// no `Content-Type` (a `204`'s `Content-Length` is dropped: it must have none).
pub fn without_forbidden_body(response: &mut http::Response<Vec<u8>>, head: bool) {
    let status = response.status().as_u16();
    let no_content = matches!(status, 100..=199 | 204 | 304);
    if !no_content && !head {
        return;
    }
    response.body_mut().clear();
    let headers = response.headers_mut();
    headers.remove(http::header::CONTENT_TYPE);
    if no_content {
        headers.remove(http::header::CONTENT_LENGTH);
    } else {
        headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(0));
    }
}

/// The header of a response that names its request, as AWS services name it.
pub const REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-amzn-requestid");

/// The id of a request: the one its caller or a proxy in front of the server gave it
/// (`x-amzn-RequestId` or `x-amz-request-id`: up to 128 characters of visible ASCII), else a
/// fresh random one. A response carries it in `x-amzn-RequestId`, and the server's logs of an
/// error name it, so that a caller's report can be matched with them.
pub fn request_id(request: &http::Request<Vec<u8>>) -> String {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .filter_map(|name| request.headers().get(*name))
        .map(http::HeaderValue::as_bytes)
        .find(|id| !id.is_empty() && id.len() <= 128 && id.iter().all(|byte| byte.is_ascii_graphic()))
        .and_then(|id| std::str::from_utf8(id).ok())
        .map_or_else(crate::primitives::idempotency_token, str::to_owned)
}

/// The answer to a request that reached no operation, as the future `handle` returns.
pub fn refuse<'a>(service: &'static ServiceSchema, rejection: Rejection) -> BoxFuture<'a, http::Response<Vec<u8>>> {
    Box::pin(std::future::ready(rejection.into_response(service)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_answer_to_a_head_request_has_no_body() {
        let answer = || {
            http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("content-length", "2")
                .header("x-amz-meta-size", "10")
                .body(b"{}".to_vec())
                .expect("a response")
        };
        let mut head = answer();
        super::without_forbidden_body(&mut head, true);
        assert!(head.body().is_empty());
        assert_eq!(head.headers()["content-length"], "0");
        assert!(!head.headers().contains_key("content-type"));
        assert_eq!(head.headers()["x-amz-meta-size"], "10");
        let mut get = answer();
        super::without_forbidden_body(&mut get, false);
        assert_eq!(get.body().as_slice(), b"{}");
        assert_eq!(get.headers()["content-length"], "2");
    }
}
