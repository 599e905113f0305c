//! What a call or a request goes through around its protocol, the same for every protocol:
//! idempotency tokens filled in, request compression and flexible checksums on the client;
//! decompression and content-coding checks on the server; response checksums; and what the AWS
//! SDKs add for particular services (API Gateway, Glacier, Machine Learning). The protocol
//! ([`Wire`](super::Wire)) only writes and reads messages.

use super::{wire, with_body};
use crate::checksum::{self, ChecksumAlgorithm, Compression, RequestChecksumCalculation, ResponseChecksumValidation};
use crate::error::UnhandledError;
use crate::memory::RequestMemory;
use crate::primitives::idempotency_token;
use crate::rejection::Rejection;
use crate::schema::{Flags, HttpBinding, OperationSchema, Schema, ServiceSchema};
use crate::shape::{Value, View};

/// An input with members filled in ([`with_tokens`]): fresh tokens in its unset
/// `@idempotencyToken` members, and Glacier's `-` account id.
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

/// Compresses the body of a request of an operation with `@requestCompression` in the first
/// encoding it names (gzip), when it is long enough, and appends the encoding to its
/// `Content-Encoding`.
pub(crate) fn compress_request(
    operation: &OperationSchema,
    request: &mut ::http::Request<Vec<u8>>,
    compression: &Compression,
) -> Result<(), UnhandledError> {
    let Some(coding) = operation.request_compression.first() else {
        return Ok(());
    };
    if compression.disabled || request.body().len() < compression.min_size {
        return Ok(());
    }
    let compressed = (coding.encode)(request.body());
    let length = compressed.len();
    *request.body_mut() = compressed;
    let headers = request.headers_mut();
    let encoding = match headers
        .get(::http::header::CONTENT_ENCODING)
        .map(|value| value.to_str())
    {
        Some(Ok(value)) if !value.trim().is_empty() => format!("{}, {}", value.trim(), coding.name),
        _ => coding.name.to_owned(),
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
    let (Some(checksum), Some(code)) = (&operation.http_checksum, operation.checksums) else {
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
    let value = ::http::HeaderValue::from_str(&code.checksum(algorithm, request.body()))
        .map_err(UnhandledError::invalid_input)?;
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
    let Some(code) = operation.checksums else {
        return Ok(());
    };
    let Some((algorithm, expected)) = (code.expected)(operation, response.headers()) else {
        return Ok(());
    };
    let actual = code.checksum(algorithm, response.body());
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
pub fn response_checksum(
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
    if !operation
        .request_compression
        .iter()
        .any(|coding| coding.name.eq_ignore_ascii_case("gzip"))
    {
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
    if !wire(service).reads_body(operation) || request.body().is_empty() {
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

/// `input` with a fresh token in each unset `@idempotencyToken` member of `schema`, and, for
/// Glacier, `-` (the caller's own account) in an `accountId` that is unset or empty, as the AWS
/// SDKs fill it.
pub(crate) fn with_tokens<'a>(service: &ServiceSchema, schema: &Schema, input: &'a dyn Value) -> WithTokens<'a> {
    let mut tokens: Vec<(usize, String)> = schema
        .members
        .iter()
        .enumerate()
        .filter(|(index, member)| member.traits.has(Flags::IDEMPOTENCY_TOKEN) && input.member(*index).is_none())
        .map(|(index, _)| (index, idempotency_token()))
        .collect();
    if service.sdk_id == Some(GLACIER) {
        if let Some(index) = schema.member_index("accountId") {
            let unset = input
                .member(index)
                .is_none_or(|value| matches!(value.view(), View::String("")));
            if unset {
                tokens.push((index, "-".to_owned()));
            }
        }
    }
    WithTokens { input, tokens }
}

/// Glacier's `sdkId`.
const GLACIER: &str = "Glacier";

/// Glacier's tree-hash header: the SHA-256 tree hash of the body, over pieces of 1 MiB.
const GLACIER_TREE_HASH: &str = "x-amz-sha256-tree-hash";

/// What the AWS SDKs add to the requests of particular services beyond their protocols, by the
/// service's `sdkId`:
/// - API Gateway: `Accept: application/json` on every request;
/// - Glacier: `X-Amz-Glacier-Version` (the service's version) on every request, and on an
///   upload whose body is in memory (an operation with a member bound to
///   `x-amz-sha256-tree-hash`), the body's `x-amz-content-sha256` and tree hash, unless the
///   request has them. A body that streams from a file or a stream is not read twice: its
///   tree hash is the caller's to give (the input's `checksum` member).
pub(crate) fn customize_request(
    service: &ServiceSchema,
    operation: &OperationSchema,
    input: &dyn Value,
    request: &mut ::http::Request<Vec<u8>>,
) -> Result<(), UnhandledError> {
    match service.sdk_id {
        Some("API Gateway") if !request.headers().contains_key(::http::header::ACCEPT) => {
            request.headers_mut().insert(
                ::http::header::ACCEPT,
                ::http::HeaderValue::from_static("application/json"),
            );
        }
        Some(GLACIER) => {
            if !request.headers().contains_key("x-amz-glacier-version") {
                let version = ::http::HeaderValue::from_str(service.version).map_err(UnhandledError::invalid_input)?;
                request.headers_mut().insert("x-amz-glacier-version", version);
            }
            let uploads = operation
                .input
                .members
                .iter()
                .any(|member| matches!(member.traits.http, Some(HttpBinding::Header(name)) if name.eq_ignore_ascii_case(GLACIER_TREE_HASH)));
            // A body that streams is not in the request yet.
            let streams = operation
                .input
                .streaming_blob()
                .and_then(|index| input.member(index))
                .and_then(Value::byte_stream)
                .is_some_and(crate::primitives::ByteStream::is_streaming);
            if uploads && !streams && !request.headers().contains_key(GLACIER_TREE_HASH) {
                use sha2::Digest as _;
                let body = request.body();
                let content: [u8; 32] = sha2::Sha256::digest(body).into();
                // A body of one piece is its own tree: its hash is the content's.
                let tree = if body.len() <= TREE_HASH_PIECE {
                    content
                } else {
                    tree_hash(body)
                };
                let (content, tree) = (crate::auth::sigv4::hex(&content), crate::auth::sigv4::hex(&tree));
                let headers = request.headers_mut();
                if !headers.contains_key("x-amz-content-sha256") {
                    let content = ::http::HeaderValue::from_str(&content).map_err(UnhandledError::invalid_input)?;
                    headers.insert("x-amz-content-sha256", content);
                }
                let tree = ::http::HeaderValue::from_str(&tree).map_err(UnhandledError::invalid_input)?;
                headers.insert(GLACIER_TREE_HASH, tree);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The endpoint an operation's input names for itself, which the AWS SDKs send it to instead of
/// the service's: Machine Learning's `Predict` goes to its `PredictEndpoint`.
pub(crate) fn input_endpoint<'a>(
    service: &ServiceSchema,
    operation: &OperationSchema,
    input: &'a dyn Value,
) -> Option<&'a str> {
    if service.sdk_id != Some("Machine Learning") || operation.name != "Predict" {
        return None;
    }
    let index = operation.input.member_index("PredictEndpoint")?;
    match input.member(index)?.view() {
        View::String(endpoint) if !endpoint.is_empty() => Some(endpoint),
        _ => None,
    }
}

/// The pieces Glacier's tree hash is made over: 1 MiB.
const TREE_HASH_PIECE: usize = 1 << 20;

/// The SHA-256 tree hash of `body` (Glacier's): the hashes of its pieces of 1 MiB, then of each
/// pair of hashes, level by level (an odd one out goes up as it is), to one.
fn tree_hash(body: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    let mut level: Vec<[u8; 32]> = if body.is_empty() {
        vec![sha2::Sha256::digest(body).into()]
    } else {
        body.chunks(TREE_HASH_PIECE)
            .map(|piece| sha2::Sha256::digest(piece).into())
            .collect()
    };
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [left, right] => {
                    let mut hasher = sha2::Sha256::new();
                    hasher.update(left);
                    hasher.update(right);
                    hasher.finalize().into()
                }
                // The odd one out (chunks are never empty).
                _ => pair.first().copied().unwrap_or_default(),
            })
            .collect();
    }
    level[0]
}

impl WithTokens<'_> {
    /// Whether a member was filled in.
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
    let Some(code) = operation.checksums else {
        return Ok(());
    };
    if operation.checksum_required && !flexible && !request.headers().contains_key("content-md5") {
        let value = ::http::HeaderValue::from_str(&code.checksum(ChecksumAlgorithm::Md5, request.body()))
            .map_err(UnhandledError::invalid_input)?;
        request.headers_mut().insert("content-md5", value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sha2::Digest as _;

    use super::{customize_request, input_endpoint, tree_hash, with_tokens};
    use crate::primitives::ByteStream;
    use crate::schema::{
        prelude, Flags, HttpBinding, Member, OperationSchema, Protocol, Schema, ServiceSchema, ShapeType, Traits,
    };
    use crate::shape::{Value, View};

    static BODY: Schema = Schema {
        traits: Traits {
            flags: Flags::STREAMING,
            ..Traits::NONE
        },
        ..Schema::new("test#Body", ShapeType::Blob)
    };
    static MEMBERS: [Member; 3] = [
        Member::new("accountId", &prelude::STRING),
        Member {
            name: "checksum",
            target: &prelude::STRING,
            traits: Traits {
                http: Some(HttpBinding::Header("x-amz-sha256-tree-hash")),
                ..Traits::NONE
            },
        },
        Member {
            name: "body",
            target: &BODY,
            traits: Traits {
                flags: Flags::STREAMING,
                http: Some(HttpBinding::Payload),
                ..Traits::NONE
            },
        },
    ];
    static UPLOAD_INPUT: Schema = Schema {
        members: &MEMBERS,
        ..Schema::new("test#UploadArchiveInput", ShapeType::Structure)
    };
    static OUTPUT: Schema = Schema::new("test#Output", ShapeType::Structure);
    static UPLOAD: OperationSchema =
        OperationSchema::new("test#UploadArchive", "UploadArchive", &UPLOAD_INPUT, &OUTPUT);

    const fn service(sdk_id: &'static str) -> ServiceSchema {
        ServiceSchema {
            sdk_id: Some(sdk_id),
            ..ServiceSchema::new(
                "test#Service",
                "2012-06-01",
                Protocol::RestJson1,
                crate::protocol::REST_JSON1,
            )
        }
    }
    static GLACIER: ServiceSchema = service("Glacier");
    static API_GATEWAY: ServiceSchema = service("API Gateway");
    static OTHER: ServiceSchema = service("Other");
    static MACHINE_LEARNING: ServiceSchema = service("Machine Learning");

    /// An upload: its account id and body.
    struct Upload(Option<String>, ByteStream);

    impl Value for Upload {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }

        fn member(&self, index: usize) -> Option<&dyn Value> {
            match index {
                0 => self.0.as_ref().map(|id| id as &dyn Value),
                2 => Some(&self.1),
                _ => None,
            }
        }
    }

    fn header<'r>(request: &'r http::Request<Vec<u8>>, name: &str) -> Option<&'r str> {
        request.headers().get(name).and_then(|value| value.to_str().ok())
    }

    #[test]
    fn glacier_uploads_in_memory_get_their_tree_hash() {
        const HELLO: &str = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
        let input = Upload(None, ByteStream::new(b"hello world".to_vec()));
        let mut request = http::Request::new(b"hello world".to_vec());
        customize_request(&GLACIER, &UPLOAD, &input, &mut request).expect("customized");
        assert_eq!(header(&request, "x-amz-glacier-version"), Some("2012-06-01"));
        assert_eq!(header(&request, "x-amz-sha256-tree-hash"), Some(HELLO));
        assert_eq!(header(&request, "x-amz-content-sha256"), Some(HELLO));

        // A tree hash the caller gave is kept.
        let mut request = http::Request::new(b"hello world".to_vec());
        request
            .headers_mut()
            .insert("x-amz-sha256-tree-hash", http::HeaderValue::from_static("given"));
        customize_request(&GLACIER, &UPLOAD, &input, &mut request).expect("customized");
        assert_eq!(header(&request, "x-amz-sha256-tree-hash"), Some("given"));
    }

    /// A body streamed from a file is not in the request: no hash of it is made up.
    #[test]
    #[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
    fn glacier_uploads_streamed_from_a_file_get_no_tree_hash() {
        let path = std::env::temp_dir().join(format!("smithy-runtime-glacier-{}", std::process::id()));
        std::fs::write(&path, b"hello world").expect("a temporary file is written");
        let input = Upload(None, ByteStream::from_path(&path).expect("the file opens"));
        let mut request = http::Request::new(Vec::new());
        customize_request(&GLACIER, &UPLOAD, &input, &mut request).expect("customized");
        let _ = std::fs::remove_file(&path);
        assert_eq!(header(&request, "x-amz-glacier-version"), Some("2012-06-01"));
        assert_eq!(header(&request, "x-amz-sha256-tree-hash"), None);
        assert_eq!(header(&request, "x-amz-content-sha256"), None);
    }

    #[test]
    fn glacier_fills_an_unset_or_empty_account_id_with_a_hyphen() {
        for (account, expected) in [(None, "-"), (Some(""), "-"), (Some("123456789012"), "123456789012")] {
            let input = Upload(account.map(str::to_owned), ByteStream::new(Vec::new()));
            let filled = with_tokens(&GLACIER, &UPLOAD_INPUT, &input);
            let account_id = filled.member(0).map(|value| value.view());
            assert!(
                matches!(account_id, Some(View::String(id)) if id == expected),
                "{account:?}"
            );
            // Other services' inputs are as given.
            let as_given = with_tokens(&OTHER, &UPLOAD_INPUT, &input);
            assert!(!as_given.filled(), "{account:?}");
        }
    }

    #[test]
    fn api_gateway_asks_for_json_and_other_services_are_left_alone() {
        let input = Upload(None, ByteStream::new(Vec::new()));
        let mut request = http::Request::new(Vec::new());
        customize_request(&API_GATEWAY, &UPLOAD, &input, &mut request).expect("customized");
        assert_eq!(header(&request, "accept"), Some("application/json"));
        let mut request = http::Request::new(b"hello world".to_vec());
        customize_request(&OTHER, &UPLOAD, &input, &mut request).expect("customized");
        assert!(request.headers().is_empty(), "{:?}", request.headers());
        // Only Machine Learning's `Predict` names its own endpoint.
        assert_eq!(input_endpoint(&MACHINE_LEARNING, &UPLOAD, &input), None);
    }

    fn sha256(parts: &[&[u8]]) -> [u8; 32] {
        let mut hasher = sha2::Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        hasher.finalize().into()
    }

    #[test]
    fn the_tree_hash_pairs_the_hashes_of_mebibyte_pieces_level_by_level() {
        const PIECE: usize = 1 << 20;
        // Under a piece, and empty: the body's own hash.
        assert_eq!(tree_hash(b"hello world"), sha256(&[b"hello world"]));
        assert_eq!(tree_hash(b""), sha256(&[b""]));
        // Three pieces and a byte: four leaves, two pairs, one root.
        let body: Vec<u8> = (0..3 * PIECE + 1).map(|n| (n % 251) as u8).collect();
        let leaves: Vec<[u8; 32]> = body.chunks(PIECE).map(|piece| sha256(&[piece])).collect();
        let left = sha256(&[&leaves[0], &leaves[1]]);
        let right = sha256(&[&leaves[2], &leaves[3]]);
        assert_eq!(tree_hash(&body), sha256(&[&left, &right]));
        // Three pieces: the third goes up a level as it is, then pairs with the first pair's.
        let body = &body[..3 * PIECE];
        let first = sha256(&[&leaves[0], &leaves[1]]);
        let third = sha256(&[&body[2 * PIECE..]]);
        assert_eq!(tree_hash(body), sha256(&[&first, &third]));
        // Exactly one piece: its hash.
        assert_eq!(tree_hash(&body[..PIECE]), leaves[0]);
    }
}
