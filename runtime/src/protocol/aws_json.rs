//! `aws.protocols#awsJson1_0` and `awsJson1_1`: every request is a `POST` to `/` naming its
//! operation in `X-Amz-Target`, with the whole input as a JSON body keyed by member names (HTTP
//! binding traits and `@jsonName` do not apply); errors are named by `__type`. The two versions
//! differ in their media type and in how a server names an error (its shape id in 1.0, its
//! name in 1.1).

use super::http::{insert_header, write_host_prefix, Framing, Message, MessageDecoder};
use super::uri::UriBuilder;
use std::borrow::Cow;

use super::{content_headers, error_status, is_unit, json_error_body, with_message_key, ErrorInfo, Wire};
use crate::codec::json::{write_structure, JSON_MEMBER_NAMES};
use crate::codec::Side;
use crate::error::UnhandledError;
use crate::rejection::Rejection;
use crate::schema::{OperationSchema, Protocol, Schema, ServiceSchema};
use crate::shape::{EncodeError, Value};

/// One version of the protocol.
pub(crate) struct AwsJson {
    protocol: Protocol,
}

pub(crate) static AWS_JSON_1_0: AwsJson = AwsJson {
    protocol: Protocol::AwsJson1_0,
};
pub(crate) static AWS_JSON_1_1: AwsJson = AwsJson {
    protocol: Protocol::AwsJson1_1,
};

impl Wire for AwsJson {
    fn request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<http::Request<Vec<u8>>, UnhandledError> {
        request(service, operation, input, endpoint)
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        MessageDecoder::new(message, side, Framing::Body, &JSON_MEMBER_NAMES)
    }

    fn error_members<'a>(&self, schema: &Schema, body: &'a [u8], info: &ErrorInfo) -> Cow<'a, [u8]> {
        with_message_key(schema, body, info.message.as_deref(), false)
    }

    fn route(&self, service: &'static ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<usize, Rejection> {
        if request.method() != http::Method::POST {
            return Err(Rejection::unknown_operation());
        }
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|value| value.to_str().ok())
            .ok_or_else(Rejection::unknown_operation)?;
        let (service_name, operation) = target.split_once('.').ok_or_else(Rejection::unknown_operation)?;
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
        service: &'static ServiceSchema,
        _: &'static OperationSchema,
        request: &http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        check_request(service, request).map(|()| Vec::new())
    }

    fn reads_body(&self, operation: &OperationSchema) -> bool {
        !is_unit(operation.input)
    }

    fn event_codec(&self) -> Option<&'static dyn crate::codec::Codec> {
        Some(&JSON_MEMBER_NAMES)
    }

    fn initial_messages(&self) -> bool {
        true
    }

    fn response(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        _: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        response(service, operation, output)
    }

    fn error_response(
        &self,
        service: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        _: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, EncodeError> {
        error_response(service, schema, value)
    }

    fn own_error_body(
        &self,
        _: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        (
            content_type(self.protocol),
            json_error_body(Some("__type"), error_type, message, fields),
        )
    }
}

/// The media type of the protocol's bodies.
pub fn content_type(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
        _ => "application/x-amz-json-1.1",
    }
}

/// The `X-Amz-Target` of an operation: `Service.Operation`.
pub fn target(service: &ServiceSchema, operation: &OperationSchema) -> String {
    format!("{}.{}", service.name(), operation.name)
}

/// Client: the request of `operation` for `input`.
pub(crate) fn request(
    service: &'static ServiceSchema,
    operation: &'static OperationSchema,
    input: &dyn Value,
    endpoint: &str,
) -> Result<http::Request<Vec<u8>>, UnhandledError> {
    let mut uri = UriBuilder::new(endpoint)?;
    uri.push_path("/");
    if let Some(prefix) = operation.host_prefix {
        write_host_prefix(&mut uri, prefix, operation.input, input)?;
    }
    // Even an operation without input sends `{}`.
    let mut body = Vec::new();
    write_structure(&mut body, input, operation.input, false, &|_| true).map_err(UnhandledError::invalid_input)?;
    let mut request = crate::protocol::new_request();
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri.build()?;
    let headers = request.headers_mut();
    insert_header(headers, "x-amz-target", &target(service, operation)).map_err(UnhandledError::invalid_input)?;
    if service.query_compatible {
        insert_header(headers, "x-amzn-query-mode", "true").map_err(UnhandledError::invalid_input)?;
    }
    content_headers(headers, content_type(service.protocol), body.len());
    *request.body_mut() = body;
    Ok(request)
}

/// Server: checks a request's `Content-Type`.
pub(crate) fn check_request(service: &ServiceSchema, request: &http::Request<Vec<u8>>) -> Result<(), Rejection> {
    super::check_content_type(request, content_type(service.protocol))
}

/// Server: the response for an output; an operation without output answers with no body.
pub(crate) fn response(
    service: &ServiceSchema,
    operation: &'static OperationSchema,
    output: &dyn Value,
) -> Result<http::Response<Vec<u8>>, EncodeError> {
    let schema = operation.output;
    let mut body = Vec::new();
    if !is_unit(schema) {
        write_structure(&mut body, output, schema, false, &|_| true)?;
    }
    let mut builder = http::Response::builder().status(200);
    if let Some(headers) = builder.headers_mut() {
        // The response names the operation it answers, as the request did.
        insert_header(headers, "x-amz-target", &target(service, operation))?;
        content_headers(headers, content_type(service.protocol), body.len());
    }
    Ok(super::response(builder, body))
}

/// Server: the response for a modelled error, named in the body's `__type`.
pub(crate) fn error_response(
    service: &ServiceSchema,
    schema: &'static Schema,
    value: &dyn Value,
) -> Result<http::Response<Vec<u8>>, EncodeError> {
    let name = match service.protocol {
        Protocol::AwsJson1_0 => schema.id,
        _ => schema.name(),
    };
    let mut body = Vec::new();
    JSON_MEMBER_NAMES.write_structure_with_type(&mut body, value, schema, name)?;
    let mut builder = http::Response::builder().status(error_status(schema));
    if let Some(headers) = builder.headers_mut() {
        if service.query_compatible {
            insert_header(headers, "x-amzn-query-error", &super::rest_json::query_error(schema))?;
        }
        content_headers(headers, content_type(service.protocol), body.len());
    }
    Ok(super::response(builder, body))
}
