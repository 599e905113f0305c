//! The wire protocols: each operation's request and response, for a client and a server.
//!
//! The HTTP bindings and the JSON codec are shared; each protocol is a `Wire` in a module of
//! its own ([`rest_json`], [`aws_json`]) and holds what differs: where members go, media types,
//! how an error is named, how a server finds the operation of a request. The rest of the
//! runtime reaches a protocol only through `wire`; what every protocol shares (idempotency
//! tokens, compression, checksums, validation) is done here, around it.

pub mod aws_json;
pub(crate) mod http;
pub(crate) mod query;
pub(crate) mod rest;
pub mod rest_json;
pub(crate) mod rest_xml;
pub(crate) mod rpc_v2;
pub(crate) mod steps;
pub mod uri;

pub use self::steps::{ask_for_response_checksum, check_response_checksum, response_checksum, validates_response};

use std::borrow::Cow;

use ::http::HeaderMap;

use crate::checksum::RequestSettings;
use crate::codec::Side;
use crate::error::{ErrorMeta, UnhandledError};
use crate::memory::RequestMemory;
use crate::operation::{Operation, OperationError};
use crate::rejection::Rejection;
use crate::schema::{Flags, HttpBinding, OperationSchema, Protocol, Schema, ServiceSchema};
use crate::shape::{decode_structure, DecodeError, Decoder, EncodeError, Structure, Value, View};
use crate::validate::{self, Checks};

use self::http::{Message, MessageDecoder};

/// An operation on the wire: its request and response as `http` messages, for a client and for
/// a server, in its service's protocol. These are plain functions (no I/O), usable with any
/// HTTP stack.
pub trait HttpOperation: Operation {
    /// Client: the request for `input`, sent to `endpoint` (such as `https://example.com` or
    /// `http://127.0.0.1:8080/prefix`). Required members must be set; an unset idempotency
    /// token is filled in. Other constraints are the service's to judge (`validate()` checks
    /// them for callers who want to).
    fn serialize_request(input: &Self::Input, endpoint: &str) -> Result<::http::Request<Vec<u8>>, UnhandledError> {
        serialize_request(Self::SERVICE, Self::SCHEMA, input, endpoint)
    }

    /// Client: the output, or the error, that a response carries.
    fn parse_response(response: &::http::Response<Vec<u8>>) -> Result<Self::Output, Self::Error> {
        parse_response::<Self>(response)
    }

    /// Server: the input of a request routed to this operation, checked against every
    /// constraint of the model.
    fn parse_request(request: &::http::Request<Vec<u8>>) -> Result<Self::Input, Rejection> {
        parse_request::<Self>(request)
    }

    /// Server: the response for the operation's result.
    fn serialize_response(result: &Result<Self::Output, Self::Error>) -> ::http::Response<Vec<u8>> {
        serialize_response::<Self>(result)
    }
}

impl<O: Operation> HttpOperation for O {}

/// A wire protocol: how an operation's messages are written and read, and how a server finds
/// the operation a request is for.
pub(crate) trait Wire: Sync {
    /// Client: the request of `operation` for `input` (its idempotency tokens filled in), sent
    /// to `endpoint`; compression and checksums come after.
    fn request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        input: &dyn Value,
        endpoint: &str,
    ) -> Result<::http::Request<Vec<u8>>, UnhandledError>;

    /// The decoder of a message's top-level structure (an input, output or error).
    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a>;

    /// Whether a response to `operation` is an error: one whose status is not a success, by
    /// default.
    fn is_error(&self, _operation: &OperationSchema, response: &::http::Response<Vec<u8>>) -> bool {
        !response.status().is_success()
    }

    /// The body a client reads an operation's output from (the response's, unless the protocol
    /// frames it otherwise for `operation`).
    fn output_body<'a>(&self, _operation: &OperationSchema, body: &'a [u8]) -> Cow<'a, [u8]> {
        Cow::Borrowed(body)
    }

    /// What an error response names itself: its code (as sent; [`error_info`] sanitises it)
    /// and its message.
    fn error_code(&self, headers: &HeaderMap, body: &[u8]) -> ErrorNames {
        json_error_code(headers, body)
    }

    /// The body that the members of an error response of `schema` are read from, with `info`
    /// (what [`Wire::error_code`] found).
    fn error_members<'a>(&self, schema: &Schema, body: &'a [u8], info: &ErrorInfo) -> Cow<'a, [u8]>;

    /// Server: the operation a request is for, as its index in the service's operations.
    fn route(&self, service: &'static ServiceSchema, request: &::http::Request<Vec<u8>>) -> Result<usize, Rejection>;

    /// Server: checks a request routed to `operation` (its path, its media types); returns
    /// its URI label values.
    fn check_request(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        request: &::http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection>;

    /// Whether a request of `operation` carries input in its body.
    fn reads_body(&self, operation: &OperationSchema) -> bool;

    /// Server: the response for an output, to the request `request_id` (which the XML
    /// protocols name in the body).
    fn response(
        &self,
        service: &'static ServiceSchema,
        operation: &'static OperationSchema,
        output: &dyn Value,
        request_id: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError>;

    /// Server: the response for a modelled error of shape `schema`, to the request
    /// `request_id`.
    fn error_response(
        &self,
        service: &'static ServiceSchema,
        schema: &'static Schema,
        value: &dyn Value,
        request_id: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError>;

    /// The media type and body of a server's own error (of `status`, named `error_type`), with
    /// a message and, for a validation error, the violations as `(path, message)`.
    fn own_error_body(
        &self,
        status: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>);

    /// The headers every response of the protocol carries, a server's own errors too.
    fn own_error_headers(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Whether a server's own error is named in `X-Amzn-ErrorType` as well as in its body.
    fn error_type_header(&self) -> bool {
        true
    }

    /// Why the runtime cannot speak it, if it cannot.
    fn unsupported(&self) -> Option<String> {
        None
    }

    /// The codec of its event streams' payloads, if it has event streams.
    fn event_codec(&self) -> Option<&'static dyn crate::codec::Codec> {
        None
    }

    /// Whether an event stream starts with an initial message (`initial-request`,
    /// `initial-response`) that carries the input's or output's other members, as the RPC
    /// protocols do; the HTTP-binding protocols carry them in the request's or response's head.
    fn initial_messages(&self) -> bool {
        false
    }
}

/// The code that speaks a wire protocol, as a service's schema names it
/// ([`ServiceSchema::code`]): one of this module's statics, such as [`REST_JSON1`]. The rest of
/// the runtime reaches a protocol only through the schema, so a program links the code of the
/// protocols its services speak and no other.
#[derive(Clone, Copy)]
pub struct ProtocolCode(pub(crate) &'static dyn Wire);

impl std::fmt::Debug for ProtocolCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProtocolCode")
    }
}

/// `aws.protocols#restJson1`.
pub static REST_JSON1: ProtocolCode = ProtocolCode(&rest_json::RestJson1);
/// `aws.protocols#awsJson1_0`.
pub static AWS_JSON_1_0: ProtocolCode = ProtocolCode(&aws_json::AWS_JSON_1_0);
/// `aws.protocols#awsJson1_1`.
pub static AWS_JSON_1_1: ProtocolCode = ProtocolCode(&aws_json::AWS_JSON_1_1);
/// `aws.protocols#restXml`.
pub static REST_XML: ProtocolCode = ProtocolCode(&rest_xml::REST_XML);
/// `aws.protocols#restXml` with `noErrorWrapping` (S3).
pub static REST_XML_UNWRAPPED: ProtocolCode = ProtocolCode(&rest_xml::REST_XML_UNWRAPPED);
/// `aws.protocols#awsQuery`.
pub static AWS_QUERY: ProtocolCode = ProtocolCode(&query::AWS_QUERY);
/// `aws.protocols#ec2Query`.
pub static EC2_QUERY: ProtocolCode = ProtocolCode(&query::EC2_QUERY);
/// `smithy.protocols#rpcv2Json`.
pub static RPC_V2_JSON: ProtocolCode = ProtocolCode(&rpc_v2::RPC_V2_JSON);
/// `smithy.protocols#rpcv2Cbor`.
pub static RPC_V2_CBOR: ProtocolCode = ProtocolCode(&rpc_v2::RPC_V2_CBOR);
/// A protocol the runtime does not speak ([`Protocol::Other`]): calls fail with an error that
/// names it, and servers refuse every request.
pub static UNSPOKEN: ProtocolCode = ProtocolCode(&Unsupported("none"));

/// The [`Wire`] of a service: the code its schema names, unless its protocol is one the
/// runtime does not speak.
pub(crate) fn wire(service: &ServiceSchema) -> WireOf {
    match service.protocol {
        Protocol::Other(id) => WireOf::Unsupported(Unsupported(id)),
        _ => WireOf::Spoken(service.code.0),
    }
}

/// A protocol's [`Wire`], as [`wire`] finds it.
pub(crate) enum WireOf {
    Spoken(&'static dyn Wire),
    Unsupported(Unsupported),
}

impl std::ops::Deref for WireOf {
    type Target = dyn Wire;

    fn deref(&self) -> &(dyn Wire + 'static) {
        match self {
            WireOf::Spoken(wire) => *wire,
            WireOf::Unsupported(unsupported) => unsupported,
        }
    }
}

/// A protocol this runtime does not speak, by its trait's shape id: clients fail with an error
/// naming it, servers refuse every request.
pub(crate) struct Unsupported(&'static str);

impl Wire for Unsupported {
    fn request(
        &self,
        _: &'static ServiceSchema,
        _: &'static OperationSchema,
        _: &dyn Value,
        _: &str,
    ) -> Result<::http::Request<Vec<u8>>, UnhandledError> {
        Err(UnhandledError::invalid_input(unsupported(self.0)))
    }

    fn decoder<'a>(&self, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
        MessageDecoder::new(
            message,
            side,
            self::http::Framing::HttpBindings,
            &crate::codec::json::JSON,
        )
    }

    fn error_members<'a>(&self, _: &Schema, body: &'a [u8], _: &ErrorInfo) -> Cow<'a, [u8]> {
        Cow::Borrowed(body)
    }

    fn route(&self, _: &'static ServiceSchema, _: &::http::Request<Vec<u8>>) -> Result<usize, Rejection> {
        Err(Rejection::unknown_operation())
    }

    fn check_request(
        &self,
        _: &'static ServiceSchema,
        _: &'static OperationSchema,
        _: &::http::Request<Vec<u8>>,
    ) -> Result<Vec<(&'static str, String)>, Rejection> {
        Err(Rejection::unknown_operation())
    }

    fn reads_body(&self, _: &OperationSchema) -> bool {
        true
    }

    fn response(
        &self,
        _: &'static ServiceSchema,
        _: &'static OperationSchema,
        _: &dyn Value,
        _: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError> {
        Err(EncodeError::new(unsupported(self.0)))
    }

    fn error_response(
        &self,
        _: &'static ServiceSchema,
        _: &'static Schema,
        _: &dyn Value,
        _: Option<&str>,
    ) -> Result<::http::Response<Vec<u8>>, EncodeError> {
        Err(EncodeError::new(unsupported(self.0)))
    }

    fn own_error_body(
        &self,
        _: u16,
        error_type: &str,
        message: Option<&str>,
        fields: Option<&[(String, String)]>,
    ) -> (&'static str, Vec<u8>) {
        ("application/json", json_error_body(None, error_type, message, fields))
    }

    fn unsupported(&self) -> Option<String> {
        Some(unsupported(self.0))
    }
}

/// Whether a structure schema stands for `smithy.api#Unit`: no input or output at all.
fn is_unit(schema: &Schema) -> bool {
    schema.id == "smithy.api#Unit"
}

/// Client: the request of an operation for `input`, sent to `endpoint`, compressed and with
/// checksums as the default [`RequestSettings`] say.
pub fn serialize_request(
    service: &'static ServiceSchema,
    operation: &'static OperationSchema,
    input: &dyn Value,
    endpoint: &str,
) -> Result<::http::Request<Vec<u8>>, UnhandledError> {
    serialize_request_with(service, operation, input, endpoint, &RequestSettings::default())
}

/// Client: the request of an operation for `input`, sent to `endpoint`: the protocol's request,
/// its body compressed (`@requestCompression`), then its checksum added (`httpChecksum`, or
/// `Content-MD5` for `@httpChecksumRequired`) as `settings` say.
pub fn serialize_request_with(
    service: &'static ServiceSchema,
    operation: &'static OperationSchema,
    input: &dyn Value,
    endpoint: &str,
    settings: &RequestSettings,
) -> Result<::http::Request<Vec<u8>>, UnhandledError> {
    let schema = operation.input;
    let missing = validate::missing_required(input, schema);
    if !missing.is_empty() {
        return Err(UnhandledError::invalid_input(validate::ValidationError::new(missing)));
    }
    let filled = steps::with_tokens(service, schema, input);
    let input: &dyn Value = if filled.filled() { &filled } else { input };
    let endpoint = steps::input_endpoint(service, operation, input).unwrap_or(endpoint);
    let mut request = wire(service).request(service, operation, input, endpoint)?;
    steps::customize_request(service, operation, input, &mut request)?;
    steps::compress_request(operation, &mut request, &settings.compression)?;
    steps::add_request_checksum(operation, input, &mut request, settings.checksum_calculation)?;
    steps::add_content_md5(operation, &mut request)?;
    Ok(request)
}

/// An empty request with room for the headers a signed call ends up with (the protocol's, the
/// SDK's invocation and user-agent headers, then signing's), so that the map is made once.
pub(crate) fn new_request() -> ::http::Request<Vec<u8>> {
    let mut request = ::http::Request::new(Vec::new());
    request.headers_mut().reserve(12);
    request
}

/// Why a service of another protocol cannot be called.
fn unsupported(id: &str) -> String {
    format!(
        "the protocol `{id}` is not supported by smithy-runtime {}",
        crate::VERSION
    )
}

/// The decoder of a message's top-level structure in `service`'s protocol.
fn message_decoder<'a>(service: &ServiceSchema, message: Message<'a>, side: Side) -> MessageDecoder<'a> {
    wire(service).decoder(message, side)
}

/// What an error response says of itself: its code, message and, for `awsQueryCompatible`
/// services, the code of the `x-amzn-query-error` header.
pub(crate) struct ErrorInfo {
    pub code: Option<String>,
    pub message: Option<String>,
    pub query_code: Option<String>,
    /// The id the service gave the request: from `x-amzn-RequestId` or `x-amz-request-id`, else
    /// from the body.
    pub request_id: Option<String>,
}

/// What an error response's body names: its code (as sent), its message, and for the XML
/// protocols the request's id.
#[derive(Debug, Default)]
pub(crate) struct ErrorNames {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

/// What an error response says of itself in `service`'s protocol, its code sanitised: what
/// comes before a `:` (a URL), after a `#` (a namespace). A response without a body (the answer
/// to a `HEAD`) names its error by its status's reason phrase: a `404` is `NotFound`, as S3's
/// HeadObject and HeadBucket model it, a `412` `PreconditionFailed`.
pub(crate) fn error_info(service: &ServiceSchema, response: &::http::Response<Vec<u8>>) -> ErrorInfo {
    let (headers, body) = (response.headers(), response.body());
    let names = wire(service).error_code(headers, body);
    let message = names.message;
    let code = names
        .code
        .and_then(|raw| {
            let code = raw.split(':').next().unwrap_or_default();
            let code = code.rsplit('#').next().unwrap_or_default().trim();
            (!code.is_empty()).then(|| code.to_owned())
        })
        .or_else(|| {
            let reason = response.status().canonical_reason()?;
            body.trim_ascii()
                .is_empty()
                .then(|| reason.chars().filter(char::is_ascii_alphanumeric).collect())
        });
    let query_code = service
        .query_compatible
        .then(|| headers.get("x-amzn-query-error")?.to_str().ok())
        .flatten()
        .and_then(|value| value.split(';').next())
        .map(|code| code.trim().to_owned())
        .filter(|code| !code.is_empty());
    let request_id = ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .or(names.request_id);
    ErrorInfo {
        code,
        message,
        query_code,
        request_id,
    }
}

/// The code of a JSON protocol's error response, from `X-Amzn-Errortype`, else the body's
/// `code` or `__type`; and its message, from the body's `message`, `Message` or `errorMessage`.
fn json_error_code(headers: &HeaderMap, body: &[u8]) -> ErrorNames {
    let object: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(body).ok();
    let text = |key: &str| object.as_ref()?.get(key)?.as_str().map(str::to_owned);
    let code = headers
        .get("x-amzn-errortype")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| text("code"))
        .or_else(|| text("__type"));
    let message = ["message", "Message", "errorMessage"].iter().find_map(|key| text(key));
    ErrorNames {
        code,
        message,
        request_id: None,
    }
}

/// Client: the output, or the error, that a response carries.
pub fn parse_response<O: Operation>(response: &::http::Response<Vec<u8>>) -> Result<O::Output, O::Error> {
    let mut output = None;
    let mut error = None;
    let read = read_response(
        O::SERVICE,
        O::SCHEMA,
        response,
        &mut |decoder| {
            output = Some(decode_structure::<O::Output>(decoder)?);
            Ok(())
        },
        &mut |index, decoder, meta| {
            error = Some(O::Error::decode_error(index, decoder, meta)?);
            Ok(())
        },
    );
    match (read, output, error) {
        (Err(unhandled), _, _) => Err(unhandled.into()),
        (Ok(()), Some(output), _) => Ok(output),
        (Ok(()), None, Some(error)) => Err(error),
        (Ok(()), None, None) => Err(UnhandledError::invalid_response(
            response.status().as_u16(),
            "the response was read as neither an output nor an error",
        )
        .into()),
    }
}

/// Decodes the modelled error at an index of an operation's errors (see [`read_response`]).
type ReadError<'a> = dyn FnMut(usize, &mut dyn Decoder, ErrorMeta) -> Result<(), DecodeError> + 'a;

/// What [`parse_response`] does that does not depend on the operation's types, compiled once
/// rather than once per operation: reads a response to `operation` with `output`, which decodes
/// the output, or with `error`, which decodes the modelled error at an index of the operation's
/// errors; an error response that names none of them, or that cannot be read, is the
/// [`UnhandledError`] returned.
fn read_response(
    service: &'static ServiceSchema,
    operation: &'static OperationSchema,
    response: &::http::Response<Vec<u8>>,
    output: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    error: &mut ReadError<'_>,
) -> Result<(), UnhandledError> {
    let status = response.status().as_u16();
    if let Some(unsupported) = wire(service).unsupported() {
        return Err(UnhandledError::invalid_response(status, unsupported));
    }
    let message = || Message {
        headers: response.headers(),
        body: response.body(),
        status: Some(status),
        labels: Vec::new(),
        query: Vec::new(),
    };
    if !wire(service).is_error(operation, response) {
        let body = wire(service).output_body(operation, response.body());
        let message = Message {
            body: &body,
            ..message()
        };
        let mut decoder = message_decoder(service, message, Side::Client);
        return output(&mut decoder).map_err(|error| UnhandledError::invalid_response(status, error));
    }
    let info = error_info(service, response);
    let index = info
        .code
        .as_deref()
        .and_then(|code| operation.errors.iter().position(|error| error_named(error, code)));
    let Some(index) = index else {
        let mut error = UnhandledError::new(status);
        if let Some(code) = info.query_code.or(info.code) {
            error = error.with_code(code);
        }
        if let Some(message) = info.message {
            error = error.with_message(message);
        }
        if let Some(request_id) = info.request_id {
            error = error.with_request_id(request_id);
        }
        return Err(error);
    };
    let meta = ErrorMeta::new(status, info.query_code.clone().or_else(|| info.code.clone()))
        .with_message(info.message.clone())
        .with_request_id(info.request_id.clone());
    let body = match operation.errors.get(index) {
        Some(schema) => wire(service).error_members(schema, response.body(), &info),
        None => Cow::Borrowed(response.body().as_slice()),
    };
    let message = || Message {
        body: &body,
        ..message()
    };
    let mut decoder = message_decoder(service, message(), Side::Client);
    if error(index, &mut decoder, meta.clone()).is_ok() {
        return Ok(());
    }
    // The code names the error even when its body cannot be read: the error, members unset.
    let empty = Message { body: b"", ..message() };
    let mut decoder = message_decoder(service, empty, Side::Client);
    error(index, &mut decoder, meta).map_err(|error| UnhandledError::invalid_response(status, error))
}

/// Whether `code`, an error response's, names the error `schema`: its name, or the code of its
/// `@awsQueryError`.
fn error_named(schema: &Schema, code: &str) -> bool {
    schema.name() == code
        || schema
            .traits
            .query_error
            .is_some_and(|(query_code, _)| query_code == code)
}

/// An error's JSON body with its message under the key of the error's message member (a string
/// member named `message` in any case, in the body; its `@jsonName` when `json_names`) when the
/// body has it under another of the keys services use (`message`, `Message`, `errorMessage`);
/// else the body as it is.
pub(crate) fn with_message_key<'a>(
    schema: &Schema,
    body: &'a [u8],
    message: Option<&str>,
    json_names: bool,
) -> Cow<'a, [u8]> {
    let key = schema
        .members
        .iter()
        .find(|member| {
            member.name.eq_ignore_ascii_case("message")
                && member.traits.http.is_none()
                && matches!(member.target.shape_type, crate::schema::ShapeType::String)
        })
        .map(|member| member.json_key(json_names));
    let (Some(key), Some(message)) = (key, message) else {
        return Cow::Borrowed(body);
    };
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body) {
        Ok(mut object) if !object.contains_key(key) => {
            object.insert(key.to_owned(), message.into());
            serde_json::to_vec(&object).map_or(Cow::Borrowed(body), Cow::Owned)
        }
        _ => Cow::Borrowed(body),
    }
}

/// Server: the input of a request routed to operation `O`.
pub fn parse_request<O: Operation>(request: &::http::Request<Vec<u8>>) -> Result<O::Input, Rejection> {
    let service = O::SERVICE;
    let operation = O::SCHEMA;
    // At most one coding is taken off: the `gzip` a client of `@requestCompression` added last.
    let decompressed = steps::decompress_request(operation, request)?;
    let request = decompressed.as_ref().unwrap_or(request);
    steps::check_content_encoding(service, operation, request)?;
    let labels = wire(service).check_request(service, operation, request)?;
    let query = uri::parse_query(request.uri().query())
        .ok_or_else(|| Rejection::serialization("the query string is not valid"))?;
    let message = Message {
        headers: request.headers(),
        body: request.body(),
        status: None,
        labels,
        query,
    };
    let memory = request.extensions().get::<RequestMemory>();
    let mut decoder = message_decoder(service, message, Side::Server).with_memory(memory);
    let mut input = decode_structure::<O::Input>(&mut decoder).map_err(|error| {
        if error.is_over_budget() {
            Rejection::unavailable(error.to_string())
        } else {
            Rejection::serialization(error.to_string())
        }
    })?;
    input.apply_defaults();
    let missing = decoder.take_missing();
    if !missing.is_empty() {
        return Err(Rejection::validation(missing));
    }
    match validate::validate_within(&input, operation.input, Checks::Server, memory) {
        Ok(()) => Ok(input),
        Err(validate::Refusal::Invalid(error)) => Err(Rejection::from(error)),
        Err(validate::Refusal::OverBudget(bytes)) => Err(Rejection::unavailable(format!(
            "the server has no memory left for {bytes} more bytes to check this request; retry later"
        ))),
    }
}

/// A copy of `request` (method, URI, version, headers) with another body.
pub(crate) fn with_body(request: &::http::Request<Vec<u8>>, body: Vec<u8>) -> ::http::Request<Vec<u8>> {
    let mut copy = ::http::Request::new(body);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Server: the response for an operation's result. An error the model does not describe,
/// and a result that cannot be written, are answered with a generic message: their details
/// are logged (see [`serialize_response_with_id`]), never sent.
pub fn serialize_response<O: Operation>(result: &Result<O::Output, O::Error>) -> ::http::Response<Vec<u8>> {
    serialize_response_with_id::<O>(result, None)
}

/// Server: the response for an operation's result, for the request `request_id`. An error
/// the model does not describe keeps its status and (when it is a plain error name) its code,
/// but its message, which may hold what only the service should see (paths, credentials,
/// another service's answer), is replaced with a generic one naming the request id; the
/// details are logged with the id (as a `tracing` error event, with the `tracing` feature).
pub fn serialize_response_with_id<O: Operation>(
    result: &Result<O::Output, O::Error>,
    request_id: Option<&str>,
) -> ::http::Response<Vec<u8>> {
    let service = O::SERVICE;
    let operation = O::SCHEMA;
    let wire = wire(service);
    let response = match result {
        Ok(output) => wire.response(service, operation, output, request_id),
        Err(error) => match error.error_value() {
            Ok((index, value)) => match operation.errors.get(index) {
                Some(schema) => wire.error_response(service, schema, value, request_id),
                None => Err(crate::shape::EncodeError::new(
                    "an error index out of the operation's errors",
                )),
            },
            Err(unhandled) => Ok(unhandled_response(service, unhandled, request_id)),
        },
    };
    response.unwrap_or_else(|error| {
        report_internal(request_id, operation.id, &error);
        internal_error(service, request_id)
    })
}

/// The status code of a modelled error: its `@httpError`, else 400 for the client's fault and
/// 500 for the service's.
pub(crate) fn error_status(schema: &Schema) -> u16 {
    schema
        .traits
        .http_error
        .unwrap_or(if schema.traits.has(Flags::SERVER_ERROR) {
            500
        } else {
            400
        })
}

/// The status code of a successful response: the `@httpResponseCode` member's value, else the
/// `@http` trait's code.
pub(crate) fn success_status(operation: &OperationSchema, output: &dyn Value) -> u16 {
    let bound = operation
        .output
        .members
        .iter()
        .position(|member| member.traits.http == Some(HttpBinding::ResponseCode))
        .and_then(|index| output.member(index))
        .and_then(|value| match value.view() {
            View::Integer(code) => u16::try_from(code).ok(),
            _ => None,
        });
    bound.unwrap_or_else(|| operation.http.as_ref().map_or(200, |http| http.code))
}

/// A response, or a bare 500 when the parts do not make one.
pub(crate) fn response(builder: ::http::response::Builder, body: Vec<u8>) -> ::http::Response<Vec<u8>> {
    builder.body(body).unwrap_or_else(|error| {
        let mut response = ::http::Response::new(format!("{{\"message\":\"{error}\"}}").into_bytes());
        *response.status_mut() = ::http::StatusCode::INTERNAL_SERVER_ERROR;
        response
            .headers_mut()
            .insert("x-amzn-errortype", ::http::HeaderValue::from_static("InternalFailure"));
        response
    })
}

/// Server: checks that a request's `Content-Type`, when it has one, is `expected` (parameters
/// aside), for the protocols whose requests all have one media type.
pub(crate) fn check_content_type(request: &::http::Request<Vec<u8>>, expected: &str) -> Result<(), Rejection> {
    if let Some(found) = request.headers().get(::http::header::CONTENT_TYPE) {
        let found = found.to_str().unwrap_or_default();
        let media_type = found.split(';').next().unwrap_or_default().trim();
        if !media_type.eq_ignore_ascii_case(expected) {
            return Err(Rejection::unsupported_media_type(format!(
                "`Content-Type: {found}` is not {expected}"
            )));
        }
    }
    Ok(())
}

/// Sets `Content-Type` (unless a header member set it) and `Content-Length`.
pub(crate) fn content_headers(headers: &mut HeaderMap, content_type: &str, length: usize) {
    if !headers.contains_key(::http::header::CONTENT_TYPE) {
        if let Ok(value) = ::http::HeaderValue::from_str(content_type) {
            headers.insert(::http::header::CONTENT_TYPE, value);
        }
    }
    headers.insert(::http::header::CONTENT_LENGTH, ::http::HeaderValue::from(length));
}

/// The media type and body of a server's own error in `service`'s protocol.
pub(crate) fn error_body(
    service: &ServiceSchema,
    status: u16,
    error_type: &str,
    message: Option<&str>,
    fields: Option<&[(String, String)]>,
) -> (&'static str, Vec<u8>) {
    wire(service).own_error_body(status, error_type, message, fields)
}

/// The JSON body of a server's own error: `{"message": ...}`, with the error's name under
/// `type_key` (the awsJson protocols' `__type`), and for validation errors the `fieldList`.
pub(crate) fn json_error_body(
    type_key: Option<&str>,
    error_type: &str,
    message: Option<&str>,
    fields: Option<&[(String, String)]>,
) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    if let Some(key) = type_key {
        body.insert(key.to_owned(), error_type.into());
    }
    if let Some(message) = message {
        body.insert("message".to_owned(), message.into());
    }
    if let Some(fields) = fields {
        let fields = fields
            .iter()
            .map(|(path, message)| serde_json::json!({ "path": path, "message": message }))
            .collect();
        body.insert("fieldList".to_owned(), serde_json::Value::Array(fields));
    }
    serde_json::Value::Object(body).to_string().into_bytes()
}

/// A server's own error response: the status, the error type and a JSON body.
pub(crate) fn own_error_response(
    service: &ServiceSchema,
    status: u16,
    error_type: &str,
    message: Option<&str>,
    fields: Option<&[(String, String)]>,
) -> ::http::Response<Vec<u8>> {
    let (content_type, body) = error_body(service, status, error_type, message, fields);
    let mut builder = ::http::Response::builder()
        .status(status)
        .header(::http::header::CONTENT_TYPE, content_type)
        .header(::http::header::CONTENT_LENGTH, body.len());
    let wire = wire(service);
    if wire.error_type_header() {
        builder = builder.header("x-amzn-errortype", error_type);
    }
    for (name, value) in wire.own_error_headers() {
        builder = builder.header(*name, *value);
    }
    response(builder, body)
}

/// The error response for an error the model does not describe: its status (a 500 when it
/// has none of an error), its code when the service set one that is a plain name, and a
/// generic message; the details are logged.
pub(crate) fn unhandled_response(
    service: &ServiceSchema,
    error: &UnhandledError,
    request_id: Option<&str>,
) -> ::http::Response<Vec<u8>> {
    let status = match error.status() {
        status @ 400..=599 => status,
        _ => 500,
    };
    let code = error
        .code()
        .filter(|code| {
            error.kind() == crate::error::UnhandledKind::Service
                && !code.is_empty()
                && code.len() <= 64
                && code
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'))
        })
        .unwrap_or("InternalFailure");
    report_internal(request_id, code, error);
    own_error_response(service, status, code, Some(&generic_message(status, request_id)), None)
}

/// A 500 response for a result that could not be written.
pub(crate) fn internal_error(service: &ServiceSchema, request_id: Option<&str>) -> ::http::Response<Vec<u8>> {
    own_error_response(
        service,
        500,
        "InternalFailure",
        Some(&generic_message(500, request_id)),
        None,
    )
}

/// What a caller is told of an error the model does not describe.
fn generic_message(status: u16, request_id: Option<&str>) -> String {
    let what = if status >= 500 {
        "An internal error occurred"
    } else {
        "The request failed"
    };
    match request_id {
        Some(id) => format!("{what} (request id {id})."),
        None => format!("{what}."),
    }
}

/// Logs the details of an error that is not sent to the caller.
#[allow(unused_variables)]
pub(crate) fn report_internal(request_id: Option<&str>, what: &str, error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::error!(request_id = request_id.unwrap_or("-"), what, error = %error, "the service answered with an internal error");
}
