//! What a call or a request goes through around its protocol, the same for every protocol:
//! idempotency tokens filled in, request compression and flexible checksums on the client;
//! decompression and content-coding checks on the server; response checksums. The protocol
//! ([`Wire`](super::Wire)) only writes and reads messages.

use super::{wire, with_body};
use crate::checksum::{self, ChecksumAlgorithm, Compression, RequestChecksumCalculation, ResponseChecksumValidation};
use crate::error::UnhandledError;
use crate::memory::RequestMemory;
use crate::primitives::idempotency_token;
use crate::rejection::Rejection;
use crate::schema::{Flags, HttpBinding, OperationSchema, Schema, ServiceSchema};
use crate::shape::{Value, View};

/// An input whose unset `@idempotencyToken` members hold fresh tokens.
pub(crate) struct WithTokens<'a> {
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

/// Compresses the body of a request of an operation with `@requestCompression` in gzip, when it
/// is long enough, and appends `gzip` to its `Content-Encoding`.
pub(crate) fn compress_request(
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
pub(crate) fn add_request_checksum(
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

/// Asks for the response's checksum (as clients do unless told to check only when required):
/// when the operation has a validation-mode member bound to a header that the request does not
/// set, the request sets it to `ENABLED`.
pub fn ask_for_response_checksum(operation: &OperationSchema, request: &mut ::http::Request<Vec<u8>>) {
    let Some(member) = operation
        .http_checksum
        .as_ref()
        .and_then(|checksum| checksum.request_validation_mode_member)
        .and_then(|index| operation.input.members.get(index))
    else {
        return;
    };
    if let Some(crate::schema::HttpBinding::Header(name)) = member.traits.http {
        if let Ok(name) = ::http::HeaderName::from_bytes(name.as_bytes()) {
            if !request.headers().contains_key(&name) {
                request
                    .headers_mut()
                    .insert(name, ::http::HeaderValue::from_static("ENABLED"));
            }
        }
    }
}

/// Checks the checksum a successful response carries: the first, in the order of
/// [`ChecksumAlgorithm::PREFERENCE`], of the operation's response algorithms that it has a
/// header for. A response with none passes, and so does the checksum of a multipart object's
/// parts (`...-3`), which is not the body's.
pub fn check_response_checksum(
    operation: &OperationSchema,
    response: &::http::Response<Vec<u8>>,
) -> Result<(), UnhandledError> {
    let Some((algorithm, expected)) = response_checksum(operation, response.headers()) else {
        return Ok(());
    };
    let actual = algorithm.checksum(response.body());
    if actual != expected {
        return Err(UnhandledError::invalid_response(
            response.status().as_u16(),
            format!(
                "the response body does not match its checksum: `{}` is `{expected}`, the body's {algorithm} is `{actual}`",
                algorithm.header()
            ),
        ));
    }
    Ok(())
}

/// The checksum a response's body must have, by the headers `headers` a response of
/// `operation` has: the first algorithm, in the order of [`ChecksumAlgorithm::PREFERENCE`], of
/// the operation's response algorithms that it has a header for, and the header's value.
/// `None` when there is none, or when it is the checksum of a multipart object's parts
/// (`...-3`), which is not the body's.
pub(crate) fn response_checksum(
    operation: &OperationSchema,
    headers: &::http::HeaderMap,
) -> Option<(ChecksumAlgorithm, String)> {
    let checksum = operation.http_checksum.as_ref()?;
    for algorithm in ChecksumAlgorithm::PREFERENCE {
        if !checksum
            .response_algorithms
            .iter()
            .any(|name| ChecksumAlgorithm::from_name(name) == Some(algorithm))
        {
            continue;
        }
        let Some(value) = headers.get(algorithm.header()) else {
            continue;
        };
        let expected = value.to_str().unwrap_or_default().trim();
        if expected
            .rsplit_once('-')
            .is_some_and(|(_, parts)| !parts.is_empty() && parts.bytes().all(|byte| byte.is_ascii_digit()))
        {
            return None;
        }
        return Some((algorithm, expected.to_owned()));
    }
    None
}

/// Server: a request of an operation with `@requestCompression` whose last `Content-Encoding` is
/// `gzip`, with its body decompressed (within the request's [`BodyLimit`], else 10 MiB) and
/// that one `gzip` taken off the header; `None` for any other request. Only the last coding is
/// the protocol's: the codings before it, another `gzip` too, are the input's own (a member
/// bound to `Content-Encoding`) and stay as they are.
///
/// [`BodyLimit`]: crate::rejection::BodyLimit
pub(crate) fn decompress_request(
    operation: &OperationSchema,
    request: &::http::Request<Vec<u8>>,
) -> Result<Option<::http::Request<Vec<u8>>>, Rejection> {
    if !operation.request_compression.contains(&"gzip") {
        return Ok(None);
    }
    // Several header lines are one list, in order.
    let Ok(Some(encoding)) = super::http::header(request.headers(), ::http::header::CONTENT_ENCODING.as_str()) else {
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
        .get::<crate::rejection::BodyLimit>()
        .map_or(crate::rejection::BodyLimit::DEFAULT, |limit| limit.0);
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
pub(crate) fn check_content_encoding(
    service: &ServiceSchema,
    operation: &OperationSchema,
    request: &::http::Request<Vec<u8>>,
) -> Result<(), Rejection> {
    if !wire(service.protocol).reads_body(operation) || request.body().is_empty() {
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

/// `input` with a fresh token in each unset `@idempotencyToken` member of `schema`.
pub(crate) fn with_tokens<'a>(schema: &Schema, input: &'a dyn Value) -> WithTokens<'a> {
    let tokens = schema
        .members
        .iter()
        .enumerate()
        .filter(|(index, member)| member.traits.has(Flags::IDEMPOTENCY_TOKEN) && input.member(*index).is_none())
        .map(|(index, _)| (index, idempotency_token()))
        .collect();
    WithTokens { input, tokens }
}

impl WithTokens<'_> {
    /// Whether a token was filled in.
    pub(crate) fn filled(&self) -> bool {
        !self.tokens.is_empty()
    }
}

/// Adds `Content-MD5` to a request of an operation with `@httpChecksumRequired` that has no
/// flexible checksum.
pub(crate) fn add_content_md5(
    operation: &OperationSchema,
    request: &mut ::http::Request<Vec<u8>>,
) -> Result<(), UnhandledError> {
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
    Ok(())
}
