//! The server side: [`route`] finds the operation a request names, [`serve_operation`] reads its
//! input, calls the implementation and writes the result, and a [`Rejection`] answers a request
//! that cannot be served with the protocol's error. Generated crates' `server::handle` ties
//! them to their service trait; with the `hyper-server` feature, `serve` runs a [`Handler`]
//! on a TCP listener.

#[cfg(feature = "hyper-server")]
mod hyper;

use std::future::Future;
use std::pin::Pin;

#[cfg(feature = "hyper-server")]
pub use self::hyper::{serve, serve_with, serve_with_limits, serve_with_shutdown, Limits};
use crate::operation::Operation;
use crate::protocol::HttpOperation;
pub use crate::rejection::{BodyLimit, Rejection};
use crate::schema::ServiceSchema;

/// A boxed future that can move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Answers requests: what a ready server runs. Generated crates' `server::Server` implements it
/// for any implementation of their service trait.
pub trait Handler: Send + Sync + 'static {
    /// The response to `request`.
    fn handle(&self, request: http::Request<Vec<u8>>) -> BoxFuture<'_, http::Response<Vec<u8>>>;
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
    crate::protocol::wire(service.protocol).route(service, request)
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
        let id = request_id(&request);
        let head = request.method() == http::Method::HEAD;
        let mut response = match O::parse_request(&request) {
            Ok(input) => crate::protocol::serialize_response_with_id::<O>(&call(input).await, Some(&id)),
            Err(rejection) => rejection.into_response(O::SERVICE),
        };
        if let Ok(value) = http::HeaderValue::from_str(&id) {
            response.headers_mut().insert(REQUEST_ID, value);
        }
        without_forbidden_body(&mut response, head);
        response
    })
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
