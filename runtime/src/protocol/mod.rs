//! The wire protocols: each operation's request and response, for a client and a server.
//!
//! The HTTP bindings and the JSON codec are shared; [`rest_json`] and [`aws_json`]
//! hold what differs: where members go, media types, how an error is named, how a server finds
//! the operation of a request.

pub mod aws_json;
pub(crate) mod http;
pub mod rest_json;
pub mod uri;

use std::borrow::Cow;

use ::http::HeaderMap;

use crate::checksum::{
    self, ChecksumAlgorithm, Compression, RequestChecksumCalculation, RequestSettings, ResponseChecksumValidation,
};
use crate::codec::Side;
use crate::error::{ErrorMeta, UnhandledError};
use crate::operation::{Operation, OperationError};
use crate::primitives::idempotency_token;
use crate::schema::{Flags, HttpBinding, OperationSchema, Protocol, Schema, ServiceSchema};
use crate::server::{Rejection, RequestMemory};
use crate::shape::{decode_structure, Structure, Value, View};
use crate::validate::{self, Checks};

use self::http::{Message, MessageDecoder};

/// An input whose unset `@idempotencyToken` members hold fresh tokens.
struct WithTokens<'a> {
    input: &'a dyn Value,
    tokens: Vec<(usize, String)>,
}

impl Value for WithTokens<'_> {
    fn view(&self) -> View<'_> {
        View::Structure(self)
    }

    fn member(&self, index: usize) -> Option<&dyn Value> {
        match self.tokens.iter().find(|(at, _)| *at == index) {
            Some((_, token)) => Some(token),
            None => self.input.member(index),
        }
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
    let tokens: Vec<(usize, String)> = schema
        .members
        .iter()
        .enumerate()
        .filter(|(index, member)| member.traits.has(Flags::IDEMPOTENCY_TOKEN) && input.member(*index).is_none())
        .map(|(index, _)| (index, idempotency_token()))
        .collect();
    let filled = WithTokens { input, tokens };
    let input: &dyn Value = if filled.tokens.is_empty() { input } else { &filled };
    let mut request = match service.protocol {
        Protocol::RestJson1 => rest_json::request(operation, input, endpoint),
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => aws_json::request(service, operation, input, endpoint),
        Protocol::Other(id) => Err(UnhandledError::invalid_input(unsupported(id))),
    }?;
    compress_request(operation, &mut request, &settings.compression)?;
    add_request_checksum(operation, input, &mut request, settings.checksum_calculation)?;
    let flexible = request
        .headers()
        .keys()
        .any(|name| name.as_str().starts_with("x-amz-checksum-"));
    if operation.checksum_required && !flexible && !request.headers().contains_key("content-md5") {
        use md5::Digest as _;
        let digest = crate::primitives::Blob::new(md5::Md5::digest(request.body()).to_vec()).to_base64();
        let value = ::http::HeaderValue::from_str(&digest).map_err(UnhandledError::invalid_input)?;
        request.headers_mut().insert("content-md5", value);
    }
    Ok(request)
}

/// Compresses the body of a request of an operation with `@requestCompression` in gzip, when it
/// is long enough, and appends `gzip` to its `Content-Encoding`.
fn compress_request(
    operation: &OperationSchema,
    request: &mut ::http::Request<Vec<u8>>,
    compression: &Compression,
) -> Result<(), UnhandledError> {
    if compression.disabled
        || !operation.request_compression.contains(&"gzip")
        || request.body().len() < compression.min_size
    {
        return Ok(());
    }
    let compressed = checksum::gzip(request.body());
    let length = compressed.len();
    *request.body_mut() = compressed;
    let headers = request.headers_mut();
    let encoding = match headers
        .get(::http::header::CONTENT_ENCODING)
        .map(|value| value.to_str())
    {
        Some(Ok(value)) if !value.trim().is_empty() => format!("{}, gzip", value.trim()),
        _ => "gzip".to_owned(),
    };
    let encoding = ::http::HeaderValue::from_str(&encoding).map_err(UnhandledError::invalid_input)?;
    headers.insert(::http::header::CONTENT_ENCODING, encoding);
    if headers.contains_key(::http::header::CONTENT_LENGTH) {
        headers.insert(::http::header::CONTENT_LENGTH, ::http::HeaderValue::from(length));
    }
    Ok(())
}

/// The text of a string or enum member of a structure.
fn member_text(input: &dyn Value, index: usize) -> Option<&str> {
    match input.member(index)?.view() {
        View::String(text) => Some(text),
        _ => None,
    }
}

/// Adds the `x-amz-checksum-*` header of a request of an operation with `httpChecksum`: of the
/// algorithm its input names, else CRC32 when `calculation` or the operation asks for one. A
/// checksum the caller set in a header is left as it is.
fn add_request_checksum(
    operation: &OperationSchema,
    input: &dyn Value,
    request: &mut ::http::Request<Vec<u8>>,
    calculation: RequestChecksumCalculation,
) -> Result<(), UnhandledError> {
    let Some(checksum) = &operation.http_checksum else {
        return Ok(());
    };
    if request
        .headers()
        .keys()
        .any(|name| name.as_str().starts_with("x-amz-checksum-"))
    {
        return Ok(());
    }
    let member = checksum.request_algorithm_member;
    let algorithm = match member.and_then(|index| member_text(input, index)) {
        Some(name) => ChecksumAlgorithm::from_name(name).ok_or_else(|| {
            UnhandledError::invalid_input(format!(
                "the checksum algorithm `{name}` is not supported (supported: {})",
                ChecksumAlgorithm::NAMES
            ))
        })?,
        None if checksum.request_required
            || (member.is_some() && calculation == RequestChecksumCalculation::WhenSupported) =>
        {
            // The algorithm member's header, when it has one, says which checksum was chosen.
            let header = member.and_then(|index| match operation.input.members.get(index)?.traits.http {
                Some(HttpBinding::Header(name)) => Some(name),
                _ => None,
            });
            if let Some(name) = header {
                let name = ::http::HeaderName::from_bytes(name.as_bytes()).map_err(UnhandledError::invalid_input)?;
                request
                    .headers_mut()
                    .insert(name, ::http::HeaderValue::from_static("CRC32"));
            }
            ChecksumAlgorithm::Crc32
        }
        None => return Ok(()),
    };
    let value =
        ::http::HeaderValue::from_str(&algorithm.checksum(request.body())).map_err(UnhandledError::invalid_input)?;
    request
        .headers_mut()
        .insert(::http::HeaderName::from_static(algorithm.header()), value);
    Ok(())
}

/// Whether a client checks the checksum of the response to `input`: the operation names
/// response algorithms, and `validation` or the input's validation-mode member asks for it.
pub fn validates_response(
    operation: &OperationSchema,
    input: &dyn Value,
    validation: ResponseChecksumValidation,
) -> bool {
    let Some(checksum) = &operation.http_checksum else {
        return false;
    };
    if checksum.response_algorithms.is_empty() {
        return false;
    }
    let enabled = checksum
        .request_validation_mode_member
        .and_then(|index| member_text(input, index))
        .is_some_and(|mode| mode.eq_ignore_ascii_case("ENABLED"));
    enabled || validation == ResponseChecksumValidation::WhenSupported
}

/// Checks the checksum a successful response carries: the first, in the order of
/// [`ChecksumAlgorithm::PREFERENCE`], of the operation's response algorithms that it has a
/// header for. A response with none passes, and so does the checksum of a multipart object's
/// parts (`...-3`), which is not the body's.
pub fn check_response_checksum(
    operation: &OperationSchema,
    response: &::http::Response<Vec<u8>>,
) -> Result<(), UnhandledError> {
    let Some(checksum) = &operation.http_checksum else {
        return Ok(());
    };
    let status = response.status().as_u16();
    for algorithm in ChecksumAlgorithm::PREFERENCE {
        if !checksum
            .response_algorithms
            .iter()
            .any(|name| ChecksumAlgorithm::from_name(name) == Some(algorithm))
        {
            continue;
        }
        let Some(value) = response.headers().get(algorithm.header()) else {
            continue;
        };
        let expected = value.to_str().unwrap_or_default().trim();
        if expected
            .rsplit_once('-')
            .is_some_and(|(_, parts)| !parts.is_empty() && parts.bytes().all(|byte| byte.is_ascii_digit()))
        {
            return Ok(());
        }
        let actual = algorithm.checksum(response.body());
        if actual != expected {
            return Err(UnhandledError::invalid_response(
                status,
                format!(
                    "the response body does not match its checksum: `{}` is `{expected}`, the body's {algorithm} is `{actual}`",
                    algorithm.header()
                ),
            ));
        }
        return Ok(());
    }
    Ok(())
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
    match service.protocol {
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => MessageDecoder::new(message, side, false, false),
        Protocol::RestJson1 | Protocol::Other(_) => MessageDecoder::new(message, side, true, true),
    }
}

/// What an error response says of itself: its code, message and, for `awsQueryCompatible`
/// services, the code of the `x-amzn-query-error` header.
pub(crate) struct ErrorInfo {
    pub code: Option<String>,
    pub message: Option<String>,
    pub query_code: Option<String>,
}

/// Reads an error response's code from `X-Amzn-Errortype`, else the body's `code` or `__type`,
/// sanitised: what comes before a `:` (a URL), after a `#` (a namespace).
pub(crate) fn error_info(service: &ServiceSchema, headers: &HeaderMap, body: &[u8]) -> ErrorInfo {
    let object: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(body).ok();
    let text = |key: &str| object.as_ref()?.get(key)?.as_str().map(str::to_owned);
    let raw = headers
        .get("x-amzn-errortype")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| text("code"))
        .or_else(|| text("__type"));
    let code = raw.and_then(|raw| {
        let code = raw.split(':').next().unwrap_or_default();
        let code = code.rsplit('#').next().unwrap_or_default().trim();
        (!code.is_empty()).then(|| code.to_owned())
    });
    let message = ["message", "Message", "errorMessage"].iter().find_map(|key| text(key));
    let query_code = service
        .query_compatible
        .then(|| headers.get("x-amzn-query-error")?.to_str().ok())
        .flatten()
        .and_then(|value| value.split(';').next())
        .map(|code| code.trim().to_owned())
        .filter(|code| !code.is_empty());
    ErrorInfo {
        code,
        message,
        query_code,
    }
}

/// Client: the output, or the error, that a response carries.
pub fn parse_response<O: Operation>(response: &::http::Response<Vec<u8>>) -> Result<O::Output, O::Error> {
    let service = O::SERVICE;
    let status = response.status().as_u16();
    if let Protocol::Other(id) = service.protocol {
        return Err(UnhandledError::invalid_response(status, unsupported(id)).into());
    }
    let message = || Message {
        headers: response.headers(),
        body: response.body(),
        status: Some(status),
        labels: Vec::new(),
        query: Vec::new(),
    };
    if response.status().is_success() {
        let mut decoder = message_decoder(service, message(), Side::Client);
        return decode_structure::<O::Output>(&mut decoder)
            .map_err(|error| UnhandledError::invalid_response(status, error).into());
    }
    let info = error_info(service, response.headers(), response.body());
    let index = info
        .code
        .as_deref()
        .and_then(|code| O::SCHEMA.errors.iter().position(|error| error.name() == code));
    let Some(index) = index else {
        let mut error = UnhandledError::new(status);
        if let Some(code) = info.query_code.or(info.code) {
            error = error.with_code(code);
        }
        if let Some(message) = info.message {
            error = error.with_message(message);
        }
        return Err(error.into());
    };
    let meta = ErrorMeta::new(status, info.query_code.or(info.code));
    let body = match O::SCHEMA.errors.get(index) {
        Some(schema) => with_message_key(service, schema, response.body(), info.message.as_deref()),
        None => Cow::Borrowed(response.body().as_slice()),
    };
    let message = || Message {
        body: &body,
        ..message()
    };
    let mut decoder = message_decoder(service, message(), Side::Client);
    match O::Error::decode_error(index, &mut decoder, meta.clone()) {
        Ok(error) => Err(error),
        // The code names the error even when its body cannot be read: the error, members unset.
        Err(_) => {
            let empty = Message { body: b"", ..message() };
            let mut decoder = message_decoder(service, empty, Side::Client);
            Err(O::Error::decode_error(index, &mut decoder, meta)
                .unwrap_or_else(|error| UnhandledError::invalid_response(status, error).into()))
        }
    }
}

/// An error's JSON body with its message under the key of the error's message member (a string
/// member named `message` in any case, in the body) when the body has it under another of the
/// keys services use (`message`, `Message`, `errorMessage`); else the body as it is.
fn with_message_key<'a>(
    service: &ServiceSchema,
    schema: &Schema,
    body: &'a [u8],
    message: Option<&str>,
) -> Cow<'a, [u8]> {
    let json_names = matches!(service.protocol, Protocol::RestJson1);
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
    let decompressed = decompress_request(operation, request)?;
    let request = decompressed.as_ref().unwrap_or(request);
    check_content_encoding(service, operation, request)?;
    let labels = match service.protocol {
        Protocol::RestJson1 => rest_json::check_request(operation, request)?,
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => {
            aws_json::check_request(service, request)?;
            Vec::new()
        }
        Protocol::Other(_) => return Err(Rejection::unknown_operation()),
    };
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

/// Server: a request of an operation with `@requestCompression` whose last `Content-Encoding` is
/// `gzip`, with its body decompressed (within the request's [`BodyLimit`], else 10 MiB) and
/// that one `gzip` taken off the header; `None` for any other request. Only the last coding is
/// the protocol's: the codings before it, another `gzip` too, are the input's own (a member
/// bound to `Content-Encoding`) and stay as they are.
///
/// [`BodyLimit`]: crate::server::BodyLimit
fn decompress_request(
    operation: &OperationSchema,
    request: &::http::Request<Vec<u8>>,
) -> Result<Option<::http::Request<Vec<u8>>>, Rejection> {
    if !operation.request_compression.contains(&"gzip") {
        return Ok(None);
    }
    // Several header lines are one list, in order.
    let Ok(Some(encoding)) = self::http::header(request.headers(), ::http::header::CONTENT_ENCODING.as_str()) else {
        return Ok(None);
    };
    let (rest, last) = match encoding.rsplit_once(',') {
        Some((rest, last)) => (rest.trim(), last.trim()),
        None => ("", encoding.trim()),
    };
    if !last.eq_ignore_ascii_case("gzip") {
        return Ok(None);
    }
    let limit = request
        .extensions()
        .get::<crate::server::BodyLimit>()
        .map_or(crate::server::BodyLimit::DEFAULT, |limit| limit.0);
    // The decompressed body is charged to the request's share of the server's memory as it
    // grows, before it is held.
    let memory = request.extensions().get::<RequestMemory>();
    let mut charge = |bytes: usize| memory.is_none_or(|memory| memory.charge(bytes));
    let body = checksum::gunzip_charged(request.body(), limit, &mut charge).map_err(|error| match error {
        checksum::GunzipError::TooLarge(limit) => Rejection::payload_too_large(limit),
        checksum::GunzipError::OverBudget(_) => Rejection::unavailable(error.to_string()),
        checksum::GunzipError::Invalid(_) => Rejection::serialization(error.to_string()),
    })?;
    let mut decompressed = with_body(request, body);
    let headers = decompressed.headers_mut();
    headers.remove(::http::header::CONTENT_LENGTH);
    match ::http::HeaderValue::from_str(rest) {
        Ok(value) if !rest.is_empty() => {
            headers.insert(::http::header::CONTENT_ENCODING, value);
        }
        _ => {
            headers.remove(::http::header::CONTENT_ENCODING);
        }
    }
    Ok(Some(decompressed))
}

/// Refuses (`415`) a request whose body is still in a `Content-Encoding` the server does not
/// remove, when the operation has no member bound to that header to hand the coding to the
/// service: it could only misread the body. `identity` is no coding; an operation that reads
/// no body ignores it.
fn check_content_encoding(
    service: &ServiceSchema,
    operation: &OperationSchema,
    request: &::http::Request<Vec<u8>>,
) -> Result<(), Rejection> {
    let reads_body = match service.protocol {
        Protocol::RestJson1 | Protocol::Other(_) => operation
            .input
            .members
            .iter()
            .any(|member| matches!(member.traits.http, None | Some(HttpBinding::Payload))),
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => !is_unit(operation.input),
    };
    if !reads_body || request.body().is_empty() {
        return Ok(());
    }
    let mut codings = request
        .headers()
        .get_all(::http::header::CONTENT_ENCODING)
        .iter()
        .flat_map(|value| value.as_bytes().split(|byte| *byte == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case(b"identity"));
    let Some(coding) = codings.next() else {
        return Ok(());
    };
    let modelled = operation.input.members.iter().any(|member| {
        matches!(member.traits.http, Some(HttpBinding::Header(name)) if name.eq_ignore_ascii_case("content-encoding"))
    });
    if modelled {
        return Ok(());
    }
    let coding = String::from_utf8_lossy(coding);
    let coding: String = coding.chars().take(64).collect();
    Err(Rejection::unsupported_media_type(format!(
        "the body is in the content coding `{coding}`, which this operation does not read"
    )))
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
    let response = match result {
        Ok(output) => match service.protocol {
            Protocol::RestJson1 => rest_json::response(operation, output),
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => aws_json::response(service, operation, output),
            Protocol::Other(id) => Err(crate::shape::EncodeError::new(unsupported(id))),
        },
        Err(error) => match error.error_value() {
            Ok((index, value)) => match operation.errors.get(index) {
                Some(schema) => match service.protocol {
                    Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => aws_json::error_response(service, schema, value),
                    Protocol::RestJson1 | Protocol::Other(_) => rest_json::error_response(service, schema, value),
                },
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

/// Sets `Content-Type` (unless a header member set it) and `Content-Length`.
pub(crate) fn content_headers(headers: &mut HeaderMap, content_type: &str, length: usize) {
    if !headers.contains_key(::http::header::CONTENT_TYPE) {
        if let Ok(value) = ::http::HeaderValue::from_str(content_type) {
            headers.insert(::http::header::CONTENT_TYPE, value);
        }
    }
    headers.insert(::http::header::CONTENT_LENGTH, ::http::HeaderValue::from(length));
}

/// The JSON body of a server's own error: `{"message": ...}`, with the awsJson protocols'
/// `__type`, and for validation errors the `fieldList`.
pub(crate) fn error_body(
    service: &ServiceSchema,
    error_type: &str,
    message: Option<&str>,
    fields: Option<&[(String, String)]>,
) -> (Cow<'static, str>, Vec<u8>) {
    let mut body = serde_json::Map::new();
    if matches!(service.protocol, Protocol::AwsJson1_0 | Protocol::AwsJson1_1) {
        body.insert("__type".to_owned(), error_type.into());
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
    let content_type = match service.protocol {
        Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => Cow::Borrowed(aws_json::content_type(service.protocol)),
        Protocol::RestJson1 | Protocol::Other(_) => Cow::Borrowed("application/json"),
    };
    (content_type, serde_json::Value::Object(body).to_string().into_bytes())
}

/// A server's own error response: the status, the error type and a JSON body.
pub(crate) fn own_error_response(
    service: &ServiceSchema,
    status: u16,
    error_type: &str,
    message: Option<&str>,
    fields: Option<&[(String, String)]>,
) -> ::http::Response<Vec<u8>> {
    let (content_type, body) = error_body(service, error_type, message, fields);
    let builder = ::http::Response::builder()
        .status(status)
        .header("x-amzn-errortype", error_type)
        .header(::http::header::CONTENT_TYPE, content_type.as_ref())
        .header(::http::header::CONTENT_LENGTH, body.len());
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
fn report_internal(request_id: Option<&str>, what: &str, error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::error!(request_id = request_id.unwrap_or("-"), what, error = %error, "the service answered with an internal error");
}
