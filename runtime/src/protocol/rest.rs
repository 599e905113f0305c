//! The protocols of HTTP bindings (restJson1, restXml): members go where their binding traits
//! say (URI labels and query, headers, status, payload), the rest form a body in the protocol's
//! [`Codec`]; a server routes on method, path and literal query. Each protocol adds how errors
//! are named and written.

use std::borrow::Cow;

use super::http::{in_body, write_bound_body, write_headers, write_host_prefix, write_uri};
use super::uri::{match_path, parse_query, UriBuilder};
use super::{content_headers, success_status};
use crate::codec::Codec;
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{Flags, HttpBinding, OperationSchema, Schema, Segment, ServiceSchema, ShapeType};
use crate::shape::{EncodeError, Value};

/// Whether a request of `operation` carries input in its body.
pub(crate) fn reads_body(operation: &OperationSchema) -> bool {
    operation
        .input
        .members
        .iter()
        .any(|member| matches!(member.traits.http, None | Some(HttpBinding::Payload)))
}

/// Server: the operation of a request, by method, path and literal query (the most specific
/// URI template first: the service's `routes` are in that order).
pub(crate) fn route(service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
    let query =
        parse_query(request.uri().query()).ok_or_else(|| Rejection::serialization("the query string is not valid"))?;
    let path = request.uri().path();
    let method = request.method().as_str();
    service
        .routes
        .iter()
        .copied()
        .find(|&index| {
            let Some(http) = service
                .operations
                .get(index)
                .and_then(|operation| operation.http.as_ref())
            else {
                return false;
            };
            http.method == method
                && match_path(path, http.path).is_some()
                && http.query.iter().all(|(key, value)| {
                    query
                        .iter()
                        .any(|(name, found)| name == key && value.is_none_or(|value| value == found))
                })
        })
        .ok_or_else(Rejection::unknown_operation)
}

/// Client: the request of `operation` for `input`.
pub(crate) fn request(
    codec: &dyn Codec,
    operation: &'static OperationSchema,
    input: &dyn Value,
    endpoint: &str,
) -> Result<http::Request<Vec<u8>>, UnhandledError> {
    let schema = operation.input;
    let http = operation
        .http
        .as_ref()
        .ok_or_else(|| UnhandledError::invalid_input(format!("operation `{}` has no `@http` trait", operation.id)))?;
    let mut uri = UriBuilder::new(endpoint)?;
    write_uri(&mut uri, http, schema, input)?;
    if let Some(prefix) = operation.host_prefix {
        write_host_prefix(&mut uri, prefix, schema, input)?;
    }
    let mut request = crate::protocol::new_request();
    *request.method_mut() = http::Method::from_bytes(http.method.as_bytes())
        .map_err(|_| UnhandledError::invalid_input(format!("`{}` is not an HTTP method", http.method)))?;
    *request.uri_mut() = uri.build()?;
    write_headers(request.headers_mut(), schema, input).map_err(UnhandledError::invalid_input)?;
    if let Some((content_type, body)) =
        write_bound_body(codec, schema, input, false).map_err(UnhandledError::invalid_input)?
    {
        content_headers(request.headers_mut(), &content_type, body.len());
        *request.body_mut() = body;
    } else if matches!(
        *request.method(),
        http::Method::POST | http::Method::PUT | http::Method::PATCH
    ) {
        // A method whose requests have a body says that this one is empty (RFC 9110, 8.6), as
        // servers and proxies that refuse a POST of unknown length expect.
        request
            .headers_mut()
            .insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(0));
    }
    Ok(request)
}

/// The media type of a request's (`response` false) or response's body in `codec`, `None` when
/// it has none; `"*/*"` for a blob payload without `@mediaType`, which may be of any type.
fn body_media_type(codec: &dyn Codec, schema: &Schema, response: bool) -> Option<Cow<'static, str>> {
    if let Some(payload) = schema
        .members
        .iter()
        .find(|member| member.traits.http == Some(HttpBinding::Payload))
    {
        let default = match payload.target.shape_type {
            ShapeType::Blob => ANY_MEDIA_TYPE,
            ShapeType::String | ShapeType::Enum => "text/plain",
            ShapeType::Union if payload.traits.has(Flags::STREAMING) || payload.target.traits.has(Flags::STREAMING) => {
                EVENT_STREAM_MEDIA_TYPE
            }
            _ => codec.media_type(),
        };
        return Some(Cow::Borrowed(payload.traits.media_type.unwrap_or(default)));
    }
    // A structure without members has an empty structure for its body (in a codec that writes
    // one), which it may leave out.
    let body = schema.members.iter().any(|member| in_body(member, response))
        || (schema.members.is_empty() && schema.id != "smithy.api#Unit" && !codec.empty_structure().is_empty());
    body.then_some(Cow::Borrowed(codec.media_type()))
}

/// The media type of an event stream's messages.
const EVENT_STREAM_MEDIA_TYPE: &str = "application/vnd.amazon.eventstream";

/// What [`body_media_type`] says of a body of any media type.
const ANY_MEDIA_TYPE: &str = "*/*";

/// Server: checks that a request is `operation`'s (its path matches) and that its media types
/// are; returns the label values.
pub(crate) fn check_request(
    codec: &dyn Codec,
    operation: &'static OperationSchema,
    request: &http::Request<Vec<u8>>,
) -> Result<Vec<(&'static str, String)>, Rejection> {
    let http = operation.http.as_ref().ok_or_else(Rejection::unknown_operation)?;
    let values = match_path(request.uri().path(), http.path).ok_or_else(Rejection::unknown_operation)?;
    let names = http.path.iter().filter_map(|segment| match segment {
        Segment::Label(name) | Segment::Greedy(name) => Some(*name),
        Segment::Literal(_) => None,
    });
    let labels = names.zip(values).collect();
    check_media_types(
        request,
        body_media_type(codec, operation.input, false).as_deref(),
        body_media_type(codec, operation.output, true).as_deref(),
    )?;
    Ok(labels)
}

/// Checks a request's `Content-Type` against the operation's (`None`: the operation reads no
/// body, so the request must not say it has one), and its `Accept` against what the operation
/// answers. A blob payload without `@mediaType` takes and answers any media type.
fn check_media_types(
    request: &http::Request<Vec<u8>>,
    content_type: Option<&str>,
    accept: Option<&str>,
) -> Result<(), Rejection> {
    let headers = request.headers();
    let found = headers.get(http::header::CONTENT_TYPE);
    match (found, content_type) {
        (_, Some(ANY_MEDIA_TYPE)) | (None, None) => {}
        // A body-less request may still say what its (empty) body would be.
        (Some(found), None) if !request.body().is_empty() => {
            return Err(Rejection::unsupported_media_type(format!(
                "`Content-Type: {}` is given, but the operation takes no body",
                String::from_utf8_lossy(found.as_bytes())
            )));
        }
        (Some(_), None) => {}
        // A request may leave out its optional body, and with it the media type.
        (None, Some(expected)) => {
            if !request.body().is_empty() {
                return Err(Rejection::unsupported_media_type(format!(
                    "the request has a body but no `Content-Type` ({expected})"
                )));
            }
        }
        (Some(found), Some(expected)) => {
            let found = found.to_str().unwrap_or_default();
            let media_type = found.split(';').next().unwrap_or_default().trim();
            if !media_type.eq_ignore_ascii_case(expected) {
                return Err(Rejection::unsupported_media_type(format!(
                    "`Content-Type: {found}` is not {expected}"
                )));
            }
        }
    }
    let accept = accept.filter(|expected| *expected != ANY_MEDIA_TYPE);
    if let (Some(expected), Some(found)) = (accept, headers.get(http::header::ACCEPT)) {
        let found = found.to_str().unwrap_or_default();
        let (kind, _) = expected.split_once('/').unwrap_or((expected, ""));
        let acceptable = found.split(',').any(|range| {
            let range = range.split(';').next().unwrap_or_default().trim();
            range == "*/*" || range.eq_ignore_ascii_case(expected) || range.eq_ignore_ascii_case(&format!("{kind}/*"))
        });
        if !acceptable {
            return Err(Rejection::not_acceptable(format!(
                "`Accept: {found}` excludes {expected}"
            )));
        }
    }
    Ok(())
}

/// A server's body: the payload or the body members, and the codec's empty structure (JSON's
/// `{}`, XML's empty body) when there are none but the operation has an output; with its
/// `Content-Type` and `Content-Length`.
pub(crate) fn server_body(
    codec: &dyn Codec,
    headers: &mut http::HeaderMap,
    schema: &'static Schema,
    value: &dyn Value,
) -> Result<Vec<u8>, EncodeError> {
    match write_bound_body(codec, schema, value, true)? {
        Some((content_type, body)) => {
            content_headers(headers, &content_type, body.len());
            Ok(body)
        }
        None if schema.id != "smithy.api#Unit"
            && !schema
                .members
                .iter()
                .any(|member| member.traits.http == Some(HttpBinding::Payload)) =>
        {
            let empty = codec.empty_structure();
            content_headers(headers, codec.media_type(), empty.len());
            Ok(empty.to_vec())
        }
        None => {
            headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(0));
            Ok(Vec::new())
        }
    }
}

/// Server: the response for an output.
pub(crate) fn response(
    codec: &dyn Codec,
    operation: &'static OperationSchema,
    output: &dyn Value,
) -> Result<http::Response<Vec<u8>>, EncodeError> {
    let schema = operation.output;
    let mut headers = http::HeaderMap::new();
    write_headers(&mut headers, schema, output)?;
    let body = server_body(codec, &mut headers, schema, output)?;
    Ok(finish(success_status(operation, output), headers, body))
}

/// A response of `status` with `headers` and `body`.
pub(crate) fn finish(status: u16, headers: http::HeaderMap, body: Vec<u8>) -> http::Response<Vec<u8>> {
    let mut builder = http::Response::builder().status(status);
    if let Some(target) = builder.headers_mut() {
        target.extend(headers);
    }
    super::response(builder, body)
}
