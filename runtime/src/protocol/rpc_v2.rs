//! `smithy.protocols#rpcv2Json` and `rpcv2Cbor`: every request is a `POST` to
//! `{prefix}/service/{Service}/operation/{Operation}` with a `Smithy-Protocol` header naming the
//! protocol, and the whole input as one document in the protocol's codec, keyed by member names
//! (HTTP binding traits do not apply); an operation without input sends no body. Errors are
//! named by the body's `__type`, the error's absolute shape id. The two differ only in their
//! codec.

use std::borrow::Cow;

use ::http::HeaderMap;

use super::http::{insert_header, write_host_prefix, Framing, Message, MessageDecoder};
use super::uri::UriBuilder;
use super::{content_headers, error_status, is_unit, with_message_key, ErrorInfo, ErrorNames, Wire};
use crate::codec::{Codec, Side};
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{OperationSchema, Schema, ServiceSchema};
use crate::shape::{EncodeError, Value};

/// The media type of event streams' requests and responses.
const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// Writes an error's members into a body, with the error's absolute shape id under `__type`.
type WriteError = fn(&mut Vec<u8>, &dyn Value, &'static Schema, &str) -> Result<(), EncodeError>;

/// The body of a server's own error: its type, message and violations as `(path, message)`.
type OwnError = fn(&str, Option<&str>, Option<&[(String, String)]>) -> Vec<u8>;

/// One of the two protocols: its `Smithy-Protocol` value and the codec of its bodies.
pub(crate) struct RpcV2 {
    /// The `Smithy-Protocol` header's value: `rpc-v2-json` or `rpc-v2-cbor`.
    header: &'static str,
    codec: &'static dyn Codec,
    /// Writes an error's members with its absolute shape id under `__type` first.
    write_error: WriteError,
    /// What an error body names: its `__type` and message.
    read_error: fn(&[u8]) -> ErrorNames,
    /// Whether a message an error body has under another key is moved to the error's own
    /// (the JSON services' `Message`); CBOR bodies are read as they are.
    message_key: bool,
    /// The body of a server's own error.
    own_error: OwnError,
    /// The headers of a server's own error: the `Smithy-Protocol` of every response.
    own_headers: &'static [(&'static str, &'static str)],
}

pub(crate) static RPC_V2_JSON: RpcV2 = RpcV2 {
    header: "rpc-v2-json",
    codec: &crate::codec::json::JSON_RPC_V2,
    write_error: json_error,
    read_error: json_error_names,
    message_key: true,
    own_error: json_own_error,
    own_headers: &[("smithy-protocol", "rpc-v2-json")],
};

pub(crate) static RPC_V2_CBOR: RpcV2 = RpcV2 {
    header: "rpc-v2-cbor",
    codec: &crate::codec::cbor::CBOR,
    write_error: crate::codec::cbor::write_structure_with_type,
    read_error: cbor_error_names,
    message_key: false,
    own_error: cbor_own_error,
    own_headers: &[("smithy-protocol", "rpc-v2-cbor")],
};

impl RpcV2 {
    /// The media type of a message whose body is the codec's, or an event stream.
    fn media_type(&self, event_stream: bool) -> &'static str {
        if event_stream {
            EVENT_STREAM
        } else {
            self.codec.media_type()
        }
    }
}

impl Wire for RpcV2 {
    fn request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<::http::Request<Vec<u8>>, UnhandledError> {
        let mut uri = UriBuilder::new(endpoint)?;
        uri.push_path(&format!("/service/{}/operation/{}", service.name(), operation.name));
        if let Some(prefix) = operation.host_prefix {
            write_host_prefix(&mut uri, prefix, operation.input, input)?;
        }
        let mut request = crate::protocol::new_request();
        *request.method_mut() = ::http::Method::POST;
        *request.uri_mut() = uri.build()?;
        let headers = request.headers_mut();
        insert_header(headers, "smithy-protocol", self.header).map_err(UnhandledError::invalid_input)?;
        let accept = self.media_type(operation.output.event_stream().is_some());
        insert_header(headers, "accept", accept).map_err(UnhandledError::invalid_input)?;
        if service.query_compatible {
            insert_header(headers, "x-amzn-query-mode", "true").map_err(UnhandledError::invalid_input)?;
        }
        // An operation without input sends no body and no media type.
        if !is_unit(operation.input) {
            let mut body = Vec::new();
            self.codec
                .write_structure(&mut body, input, operation.input, &|_| true)
                .map_err(UnhandledError::invalid_input)?;
            let media_type = self.media_type(operation.input.event_stream().is_some());
            content_headers(request.headers_mut(), media_type, body.len());
            *request.body_mut() = body;
        }
        Ok(request)
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        MessageDecoder::new(message, side, Framing::Body, self.codec)
    }

    fn error_code(&self, headers: &HeaderMap, body: &[u8]) -> ErrorNames {
        // A response of another protocol is judged by its status alone.
        let same_protocol = headers
            .get("smithy-protocol")
            .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(self.header.as_bytes()));
        if !same_protocol {
            return ErrorNames::default();
        }
        (self.read_error)(body)
    }

    fn error_members<'a>(&self, schema: &Schema, body: &'a [u8], info: &ErrorInfo) -> Cow<'a, [u8]> {
        if self.message_key {
            with_message_key(schema, body, info.message.as_deref(), false)
        } else {
            Cow::Borrowed(body)
        }
    }

    fn route(&self, service: &'static ServiceSchema, request: &::http::Request<Vec<u8>>) -> Result<usize, Rejection> {
        let claimed = request.method() == ::http::Method::POST
            && request
                .headers()
                .get("smithy-protocol")
                .is_some_and(|value| value.as_bytes() == self.header.as_bytes());
        if !claimed {
            return Err(Rejection::unknown_operation());
        }
        // Only the last four segments route; any before them are the service's prefix.
        let mut segments = request.uri().path().rsplit('/');
        let (Some(operation), Some("operation"), Some(service_name), Some("service")) =
            (segments.next(), segments.next(), segments.next(), segments.next())
        else {
            return Err(Rejection::unknown_operation());
        };
        if service_name != service.name() {
            return Err(Rejection::unknown_operation());
        }
        service
            .operations
            .iter()
            .position(|candidate| candidate.name == operation)
            .ok_or_else(Rejection::unknown_operation)
    }

    fn check_request(
        &self,
        _: &'static ServiceSchema,
        operation: &'static OperationSchema,
        request: &::http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        // A target header would route the request elsewhere behind another front end.
        for name in ["x-amz-target", "x-amzn-target"] {
            if request.headers().contains_key(name) {
                return Err(Rejection::serialization(format!(
                    "an {} request must not have an `{name}` header",
                    self.header
                )));
            }
        }
        if !is_unit(operation.input) {
            let media_type = self.media_type(operation.input.event_stream().is_some());
            super::check_content_type(request, media_type)?;
        }
        Ok(Vec::new())
    }

    fn reads_body(&self, operation: &OperationSchema) -> bool {
        !is_unit(operation.input)
    }

    fn event_codec(&self) -> Option<&'static dyn Codec> {
        Some(self.codec)
    }

    fn initial_messages(&self) -> bool {
        true
    }

    fn response(
        &self,
        _: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        _: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError> {
        let schema = operation.output;
        let mut builder = ::http::Response::builder().status(200);
        let mut body = Vec::new();
        if let Some(headers) = builder.headers_mut() {
            insert_header(headers, "smithy-protocol", self.header)?;
            // An operation without output answers with no body and no media type.
            if !is_unit(schema) {
                self.codec.write_structure(&mut body, output, schema, &|_| true)?;
                content_headers(headers, self.media_type(schema.event_stream().is_some()), body.len());
            } else {
                headers.insert(::http::header::CONTENT_LENGTH, ::http::HeaderValue::from(0));
            }
        }
        Ok(super::response(builder, body))
    }

    fn error_response(
        &self,
        service: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        _: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError> {
        let mut body = Vec::new();
        (self.write_error)(&mut body, value, schema, schema.id)?;
        let mut builder = ::http::Response::builder().status(error_status(schema));
        if let Some(headers) = builder.headers_mut() {
            insert_header(headers, "smithy-protocol", self.header)?;
            if service.query_compatible {
                insert_header(headers, "x-amzn-query-error", &super::rest_json::query_error(schema))?;
            }
            content_headers(headers, self.codec.media_type(), body.len());
        }
        Ok(super::response(builder, body))
    }

    fn own_error_body(
        &self,
        _: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        (self.codec.media_type(), (self.own_error)(error_type, message, fields))
    }

    fn own_error_headers(&self) -> &'static [(&'static str, &'static str)] {
        self.own_headers
    }

    /// The error is named in the body alone, as the rpcv2 protocols say.
    fn error_type_header(&self) -> bool {
        false
    }
}

/// The id of a server's own error as `__type` names it: an absolute shape id. The framework's
/// errors are `smithy.framework#…`; any other is given as the server named it.
fn own_error_id(error_type: &str) -> Cow<'_, str> {
    if error_type.contains('#') {
        Cow::Borrowed(error_type)
    } else {
        Cow::Owned(format!("smithy.framework#{error_type}"))
    }
}

/// A JSON error body: `{"__type": id, ...members}`.
fn json_error(out: &mut Vec<u8>, value: &dyn Value, schema: &'static Schema, id: &str) -> Result<(), EncodeError> {
    crate::codec::json::JSON_RPC_V2.write_structure_with_type(out, value, schema, id)
}

/// What a JSON error body names: its `__type` and its message (`message` or `Message`).
fn json_error_names(body: &[u8]) -> ErrorNames {
    let object: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(body).ok();
    let text = |key: &str| object.as_ref()?.get(key)?.as_str().map(str::to_owned);
    ErrorNames {
        code: text("__type"),
        message: text("message").or_else(|| text("Message")),
        request_id: None,
    }
}

/// A server's own error in JSON.
fn json_own_error(error_type: &str, message: Option<&str>, fields: Option<&[(String, String)]>) -> Vec<u8> {
    super::json_error_body(Some("__type"), &own_error_id(error_type), message, fields)
}

/// What a CBOR error body names: its `__type` and its message (`message` or `Message`).
fn cbor_error_names(body: &[u8]) -> ErrorNames {
    let text = |key: &str| crate::codec::cbor::top_level_text(body, key);
    ErrorNames {
        code: text("__type"),
        message: text("message").or_else(|| text("Message")),
        request_id: None,
    }
}

/// A server's own error in CBOR.
fn cbor_own_error(error_type: &str, message: Option<&str>, fields: Option<&[(String, String)]>) -> Vec<u8> {
    crate::codec::cbor::own_error_body(&own_error_id(error_type), message, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, protocol: &str) -> ::http::Request<Vec<u8>> {
        ::http::Request::builder()
            .method("POST")
            .uri(path)
            .header("smithy-protocol", protocol)
            .body(Vec::new())
            .unwrap()
    }

    static UNIT: Schema = Schema::new("smithy.api#Unit", crate::schema::ShapeType::Structure);
    static OPERATION: OperationSchema = OperationSchema::new("example#Op", "Op", &UNIT, &UNIT);
    static SERVICE: ServiceSchema = ServiceSchema {
        operations: &[&OPERATION],
        ..ServiceSchema::new(
            "example#Svc",
            "1",
            crate::schema::Protocol::RpcV2Json,
            crate::protocol::RPC_V2_JSON,
        )
    };

    #[test]
    fn routes_by_the_last_four_segments_and_the_protocol_header() {
        let route = |path: &str, protocol: &str| RPC_V2_JSON.route(&SERVICE, &request(path, protocol)).ok();
        assert_eq!(route("/service/Svc/operation/Op", "rpc-v2-json"), Some(0));
        assert_eq!(route("/v1/prefix/service/Svc/operation/Op", "rpc-v2-json"), Some(0));
        assert_eq!(route("/service/Svc/operation/Op", "rpc-v2-cbor"), None);
        assert_eq!(route("/service/example%23Svc/operation/Op", "rpc-v2-json"), None);
        assert_eq!(route("/service/Other/operation/Op", "rpc-v2-json"), None);
        assert_eq!(route("/service/Svc/operation/Missing", "rpc-v2-json"), None);
        assert_eq!(route("/service/Svc/operations/Op", "rpc-v2-json"), None);
        assert_eq!(route("/Svc/operation/Op", "rpc-v2-json"), None);
    }

    #[test]
    fn a_target_header_is_refused() {
        let mut request = request("/service/Svc/operation/Op", "rpc-v2-json");
        request
            .headers_mut()
            .insert("x-amz-target", ::http::HeaderValue::from_static("Svc.Op"));
        assert!(RPC_V2_JSON.check_request(&SERVICE, &OPERATION, &request).is_err());
    }

    #[test]
    fn error_bodies_name_the_absolute_shape_id() {
        assert_eq!(
            &*own_error_id("ValidationException"),
            "smithy.framework#ValidationException"
        );
        assert_eq!(&*own_error_id("a.b#C"), "a.b#C");
        let names = json_error_names(br#"{"__type":"a.b#Oops","Message":"no"}"#);
        assert_eq!(names.code.as_deref(), Some("a.b#Oops"));
        assert_eq!(names.message.as_deref(), Some("no"));
        // Another protocol's error is judged by its status alone.
        let headers = HeaderMap::new();
        assert!(RPC_V2_JSON
            .error_code(&headers, br#"{"__type":"a.b#Oops"}"#)
            .code
            .is_none());
    }
}
