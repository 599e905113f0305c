//! AWS Signature Version 4: [`sign`] puts the signature in the `Authorization` header,
//! [`presign`] puts it in the query string of a URL that anyone holding it may use until it
//! expires.
//!
//! Both build the same canonical request: the method; the canonical URI (the path, with `.` and
//! `..` segments and repeated slashes removed when [`SigningSettings::normalize_uri_path`] is
//! on, each segment URI-encoded once more when [`SigningSettings::double_uri_encode`] is on);
//! the canonical query string (every name and value decoded and URI-encoded with the RFC 3986
//! unreserved set, sorted); the canonical headers (lower-case names, values trimmed with runs of
//! spaces collapsed, repeated headers joined by `,`, sorted by name); the list of signed headers;
//! and the payload hash (the hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`). The string to sign
//! names the algorithm, the time, the credential scope (`date/region/service/aws4_request`) and
//! the hash of the canonical request, and the signature is its HMAC-SHA256 under a key derived
//! from the secret access key, the date, the region and the service.
//!
//! The request's URI holds its path and query as they go on the wire, percent-encoded; with
//! [`SigningSettings::double_uri_encode`] off, the path is signed exactly as it is there.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, HOST};
use http::uri::{PathAndQuery, Uri};
use http::Request;
use sha2::{Digest, Sha256};

use super::Credentials;

pub mod streaming;

/// The algorithm this module signs with, as named in the `Authorization` header and the
/// `X-Amz-Algorithm` query parameter.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The payload hash that leaves the body out of the signature (S3 accepts it).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The longest a presigned URL may stay valid: seven days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// Headers that are never signed: the signature itself, and headers that proxies and the
/// transport add, change or drop on the way.
const UNSIGNED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
];

/// The query parameters [`presign`] sets, and `X-Amz-Content-Sha256`, which a presigned URL
/// never carries; it drops any of them that the request already carries.
const PRESIGN_PARAMS: &[&str] = &[
    "X-Amz-Content-Sha256",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
];

/// How a service wants its requests signed. The defaults suit every service but S3, which wants
/// [`SigningSettings::s3`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SigningSettings {
    /// Remove `.` and `..` segments and repeated slashes from the path before signing it.
    /// Default `true`; S3 signs the path as it is.
    pub normalize_uri_path: bool,
    /// URI-encode each path segment once more (so `%3A` on the wire is signed as `%253A`).
    /// Default `true`; S3 signs the path as it goes on the wire.
    pub double_uri_encode: bool,
    /// Add an `x-amz-content-sha256` header with the payload hash, and sign it (S3 requires it).
    /// Default `false`. Only [`sign`] adds it; a presigned URL carries no headers of its own.
    pub content_sha256_header: bool,
    /// Add the session token (`x-amz-security-token` header, or `X-Amz-Security-Token` query
    /// parameter) after signing, so that it is sent but not signed, as a few services want.
    /// Default `false`: the token is signed.
    pub omit_session_token: bool,
    /// Sign `UNSIGNED-PAYLOAD` in place of the hash of the body. Default `false`.
    pub unsigned_payload: bool,
    /// The body is sent in pieces (`aws-chunked` chunks or event-stream messages): sign the
    /// literal that says how in place of the hash of the body, and sign each piece after the
    /// request with [`streaming::ChunkSigner`]. Default `None`.
    pub streaming: Option<StreamingPayload>,
}

/// How a body sent in pieces is signed: what the request signs in place of the payload's hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamingPayload {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `aws-chunked` chunks, each signed.
    SignedChunks,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks, then trailing headers
    /// (a checksum) with their own signature.
    SignedChunksWithTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks, then trailing headers.
    UnsignedWithTrailer,
    /// `STREAMING-AWS4-HMAC-SHA256-EVENTS`: event-stream messages, each signed.
    Events,
}

impl StreamingPayload {
    /// What the request signs (and sends as `x-amz-content-sha256`) in place of the payload's
    /// hash.
    pub fn literal(self) -> &'static str {
        match self {
            StreamingPayload::SignedChunks => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            StreamingPayload::SignedChunksWithTrailer => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            StreamingPayload::UnsignedWithTrailer => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            StreamingPayload::Events => "STREAMING-AWS4-HMAC-SHA256-EVENTS",
        }
    }
}

impl SigningSettings {
    /// The settings S3 wants: the path signed as it is, once encoded, with an
    /// `x-amz-content-sha256` header.
    pub fn s3() -> Self {
        Self {
            normalize_uri_path: false,
            double_uri_encode: false,
            content_sha256_header: true,
            ..Self::default()
        }
    }

    /// S3's settings for a presigned URL: the payload is `UNSIGNED-PAYLOAD`, since whoever holds
    /// the URL sends the body (S3 refuses a presigned URL signed with the body's hash).
    pub fn s3_presigned() -> Self {
        Self {
            unsigned_payload: true,
            ..Self::s3()
        }
    }
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self {
            normalize_uri_path: true,
            double_uri_encode: true,
            content_sha256_header: false,
            omit_session_token: false,
            unsigned_payload: false,
            streaming: None,
        }
    }
}

/// What a request is signed with and for: the credentials, the region and the service name of
/// the credential scope, the signing time, and the service's [`SigningSettings`].
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// The credentials to sign with; their session token, if any, is sent with the request.
    pub credentials: &'a Credentials,
    /// The region of the credential scope, such as `us-east-1`.
    pub region: &'a str,
    /// The signing name of the service, such as `s3` or `execute-api`.
    pub service: &'a str,
    /// The time the request is signed at; AWS refuses requests signed too far from its clock.
    pub time: SystemTime,
    /// How the service wants its requests signed.
    pub settings: SigningSettings,
}

/// What signing computed, for tests and debugging. `Debug` shows the canonical request with
/// any session token redacted, and the string to sign, but not the signature (with a presigned
/// URL, the signature is what lets its holder in).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The canonical request, as hashed into the string to sign.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signature: the hex HMAC-SHA256 of the string to sign.
    pub signature: String,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("canonical_request", &redact_token(&self.canonical_request))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"** redacted **")
            .finish()
    }
}

/// `canonical_request` with the value of its `x-amz-security-token` header and of its
/// `X-Amz-Security-Token` query parameter replaced.
fn redact_token(canonical_request: &str) -> String {
    const REDACTED: &str = "**redacted**";
    let mut out = String::with_capacity(canonical_request.len());
    for (index, line) in canonical_request.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if line.starts_with("x-amz-security-token:") {
            out.push_str("x-amz-security-token:");
            out.push_str(REDACTED);
            continue;
        }
        for (index, param) in line.split('&').enumerate() {
            if index > 0 {
                out.push('&');
            }
            match param.split_once('=') {
                Some((name, _)) if name == "X-Amz-Security-Token" => {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                }
                _ => out.push_str(param),
            }
        }
    }
    out
}

/// Why a request could not be signed: a message that names the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningError {
    message: String,
}

impl SigningError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot sign the request: {}", self.message)
    }
}

impl std::error::Error for SigningError {}

/// Signs `request` in its headers: sets `x-amz-date`, `x-amz-security-token` when the
/// credentials have a session token, `x-amz-content-sha256` when
/// [`SigningSettings::content_sha256_header`] is on, `Host` (from the URI's authority) when the
/// request has none, and `Authorization`, replacing any of these the request already has.
///
/// On error the request is left as it was.
pub fn sign(request: &mut Request<Vec<u8>>, params: &SigningParams<'_>) -> Result<Signature, SigningError> {
    let settings = params.settings;
    let time = SigningTime::new(params.time)?;
    let scope = credential_scope(&time, params)?;
    let payload_hash = payload_hash(request.body(), &settings);
    let token = params.credentials.session_token();

    // The headers signing sets, before the signature, in place of any the request has.
    let mut added: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(4);
    if !request.headers().contains_key(HOST) {
        added.push((HOST, header_value(HOST.as_str(), &host_from_uri(request.uri())?)?));
    }
    added.push((
        HeaderName::from_static(X_AMZ_DATE),
        header_value(X_AMZ_DATE, &time.date_time)?,
    ));
    let token_value = token
        .map(|token| header_value(X_AMZ_SECURITY_TOKEN, token))
        .transpose()?;
    if let (Some(token_value), false) = (&token_value, settings.omit_session_token) {
        added.push((HeaderName::from_static(X_AMZ_SECURITY_TOKEN), token_value.clone()));
    }
    if settings.content_sha256_header {
        added.push((
            HeaderName::from_static(X_AMZ_CONTENT_SHA256),
            header_value(X_AMZ_CONTENT_SHA256, &payload_hash)?,
        ));
    }

    // The headers to sign: the request's, with those signing sets in place of the request's own
    // and without a session token that goes unsigned. (Authorization is never signed.)
    let dropped = |name: &HeaderName| {
        added.iter().any(|(added, _)| added == name)
            || (token_value.is_some() && settings.omit_session_token && name == X_AMZ_SECURITY_TOKEN)
    };
    let headers = request
        .headers()
        .iter()
        .filter(|(name, _)| !dropped(name))
        .chain(added.iter().map(|(name, value)| (name, value)));
    let headers = CanonicalHeaders::new(headers)?;

    let canonical_request = canonical_request(
        request.method().as_str(),
        &canonical_uri(request.uri().path(), &settings),
        &canonical_query(request.uri().query(), &[]),
        &headers,
        &payload_hash,
    );
    let signature = compute_signature(canonical_request, &time, &scope, params)?;
    let parts = [
        ALGORITHM,
        " Credential=",
        params.credentials.access_key_id(),
        "/",
        &scope,
        ", SignedHeaders=",
        &headers.signed,
        ", Signature=",
        &signature.signature,
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        authorization.push_str(part);
    }
    let authorization = header_value(AUTHORIZATION.as_str(), &authorization)?;

    let request_headers = request.headers_mut();
    for (name, value) in added {
        request_headers.insert(name, value);
    }
    if let (Some(token_value), true) = (token_value, settings.omit_session_token) {
        request_headers.insert(HeaderName::from_static(X_AMZ_SECURITY_TOKEN), token_value);
    }
    request_headers.insert(AUTHORIZATION, authorization);
    Ok(signature)
}

/// Presigns `request`: returns a copy whose URI carries the signature in its query string
/// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
/// `X-Amz-Security-Token` when the credentials have a session token, and `X-Amz-Signature`),
/// valid for `expires_in` (whole seconds, at least one, at most [`MAX_PRESIGN_EXPIRY`]).
///
/// Any of these parameters the request's query already has are dropped first, so presigning a
/// presigned request signs it anew. The request's headers are signed as they are (the host from
/// the `Host` header, or else from the URI's authority), so whoever sends the URL must send the
/// same ones; an `x-amz-content-sha256` header is dropped and not signed.
///
/// The payload hash signed is `UNSIGNED-PAYLOAD` with [`SigningSettings::unsigned_payload`] on
/// (S3 refuses a presigned URL signed with the body's hash: [`SigningSettings::s3_presigned`]),
/// and the hash of the body otherwise, as the SigV4 test suite's presigned requests expect.
pub fn presign(
    request: &Request<Vec<u8>>,
    params: &SigningParams<'_>,
    expires_in: Duration,
) -> Result<(Request<Vec<u8>>, Signature), SigningError> {
    let settings = params.settings;
    if expires_in > MAX_PRESIGN_EXPIRY {
        return Err(SigningError::new(format!(
            "a presigned URL is valid for at most 7 days ({} seconds), not {} seconds",
            MAX_PRESIGN_EXPIRY.as_secs(),
            expires_in.as_secs_f64()
        )));
    }
    if expires_in.as_secs() == 0 {
        return Err(SigningError::new(
            "a presigned URL must be valid for at least one second",
        ));
    }
    let time = SigningTime::new(params.time)?;
    let scope = credential_scope(&time, params)?;
    let payload_hash = payload_hash(request.body(), &settings);

    let host = if request.headers().contains_key(HOST) {
        None
    } else {
        Some((HOST, header_value(HOST.as_str(), &host_from_uri(request.uri())?)?))
    };
    let headers = request
        .headers()
        .iter()
        .filter(|(name, _)| *name != X_AMZ_CONTENT_SHA256)
        .chain(host.iter().map(|(name, value)| (name, value)));
    let headers = CanonicalHeaders::new(headers)?;

    // The request's own query parameters, less any that presigning sets.
    let query: Vec<&str> = request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|param| {
            let name = param.split_once('=').map_or(*param, |(name, _)| name);
            !param.is_empty()
                && !PRESIGN_PARAMS
                    .iter()
                    .any(|ours| percent_decode(name) == ours.as_bytes())
        })
        .collect();
    let query = query.join("&");

    let credential = format!("{}/{scope}", params.credentials.access_key_id());
    let expires = expires_in.as_secs().to_string();
    let mut signed_params: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", &time.date_time),
        ("X-Amz-SignedHeaders", &headers.signed),
        ("X-Amz-Expires", &expires),
    ];
    let token = params.credentials.session_token();
    if let (Some(token), false) = (token, settings.omit_session_token) {
        signed_params.push(("X-Amz-Security-Token", token));
    }

    let canonical_request = canonical_request(
        request.method().as_str(),
        &canonical_uri(request.uri().path(), &settings),
        &canonical_query(Some(&query), &signed_params),
        &headers,
        &payload_hash,
    );
    let signature = compute_signature(canonical_request, &time, &scope, params)?;

    let mut presigned_query = query;
    let mut append = |name: &str, value: &str| {
        if !presigned_query.is_empty() {
            presigned_query.push('&');
        }
        presigned_query.push_str(name);
        presigned_query.push('=');
        uri_encode(&mut presigned_query, value.as_bytes());
    };
    for (name, value) in &signed_params {
        append(name, value);
    }
    if let (Some(token), true) = (token, settings.omit_session_token) {
        append("X-Amz-Security-Token", token);
    }
    append("X-Amz-Signature", &signature.signature);

    let path_and_query = format!("{}?{presigned_query}", request.uri().path());
    let mut uri = request.uri().clone().into_parts();
    uri.path_and_query = Some(
        PathAndQuery::try_from(path_and_query)
            .map_err(|error| SigningError::new(format!("the presigned URI is not valid: {error}")))?,
    );
    let uri =
        Uri::from_parts(uri).map_err(|error| SigningError::new(format!("the presigned URI is not valid: {error}")))?;

    let mut presigned = request.clone();
    *presigned.uri_mut() = uri;
    presigned.headers_mut().remove(X_AMZ_CONTENT_SHA256);
    Ok((presigned, signature))
}

/// The signing time, formatted for the `x-amz-date` header and for the credential scope.
struct SigningTime {
    /// `YYYYMMDDTHHMMSSZ`.
    date_time: String,
    /// `YYYYMMDD`.
    date: String,
}

impl SigningTime {
    fn new(time: SystemTime) -> Result<Self, SigningError> {
        let seconds = time
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SigningError::new("the signing time is before 1970"))?
            .as_secs();
        let seconds =
            i64::try_from(seconds).map_err(|_| SigningError::new("the signing time is after the year 9999"))?;
        let (year, month, day, hour, minute, second) = crate::primitives::DateTime::from_secs(seconds).civil();
        if year > 9999 {
            return Err(SigningError::new("the signing time is after the year 9999"));
        }
        let (year, month, day) = (year as u64, u64::from(month), u64::from(day));
        let mut date = String::with_capacity(8);
        push_digits(&mut date, year, 4);
        push_digits(&mut date, month, 2);
        push_digits(&mut date, day, 2);
        let mut date_time = String::with_capacity(16);
        date_time.push_str(&date);
        date_time.push('T');
        push_digits(&mut date_time, u64::from(hour), 2);
        push_digits(&mut date_time, u64::from(minute), 2);
        push_digits(&mut date_time, u64::from(second), 2);
        date_time.push('Z');
        Ok(Self { date_time, date })
    }
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u64, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u64.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// `date/region/service/aws4_request`.
fn credential_scope(time: &SigningTime, params: &SigningParams<'_>) -> Result<String, SigningError> {
    if params.region.is_empty() {
        return Err(SigningError::new("the signing region is empty"));
    }
    if params.service.is_empty() {
        return Err(SigningError::new("the signing service name is empty"));
    }
    let mut scope = String::with_capacity(time.date.len() + params.region.len() + params.service.len() + 15);
    for part in [
        time.date.as_str(),
        "/",
        params.region,
        "/",
        params.service,
        "/aws4_request",
    ] {
        scope.push_str(part);
    }
    Ok(scope)
}

fn payload_hash(body: &[u8], settings: &SigningSettings) -> String {
    if let Some(streaming) = settings.streaming {
        streaming.literal().to_owned()
    } else if settings.unsigned_payload {
        UNSIGNED_PAYLOAD.to_owned()
    } else if body.is_empty() {
        // The hash of no bytes, which most GET, HEAD and DELETE requests sign.
        EMPTY_PAYLOAD_HASH.to_owned()
    } else {
        hex(&Sha256::digest(body))
    }
}

/// The hex SHA-256 of no bytes.
const EMPTY_PAYLOAD_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The `Host` header a client sends for `uri`: its host, and its port unless it is the scheme's
/// default.
fn host_from_uri(uri: &Uri) -> Result<String, SigningError> {
    let host = uri
        .host()
        .ok_or_else(|| SigningError::new("the request has no Host header and its URI has no authority"))?;
    let default_port = match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    Ok(match uri.port_u16() {
        Some(port) if Some(port) != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    })
}

/// `value` as the value of the header `name`. Errors name the header but do not show the value,
/// which may be a secret such as a session token.
fn header_value(name: &str, value: &str) -> Result<HeaderValue, SigningError> {
    HeaderValue::from_str(value).map_err(|_| {
        SigningError::new(format!(
            "the value of the {name} header would hold a character a header value cannot \
             (a control character such as a line break)"
        ))
    })
}

/// The canonical headers (`name:value\n` each) and the signed headers (`name;name`).
struct CanonicalHeaders {
    canonical: String,
    signed: String,
}

impl CanonicalHeaders {
    fn new<'a>(headers: impl Iterator<Item = (&'a HeaderName, &'a HeaderValue)>) -> Result<Self, SigningError> {
        let mut entries: Vec<(&str, Cow<'a, str>)> = Vec::with_capacity(8);
        for (name, value) in headers {
            let name = name.as_str();
            if UNSIGNED_HEADERS.contains(&name) {
                continue;
            }
            let value = std::str::from_utf8(value.as_bytes())
                .map_err(|_| SigningError::new(format!("the value of the {name} header is not UTF-8")))?;
            entries.push((name, canonical_header_value(value)));
        }
        // A stable sort keeps the values of a repeated header in their order.
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let mut canonical = String::with_capacity(256);
        let mut signed = String::with_capacity(64);
        let mut previous: Option<&str> = None;
        for (name, value) in &entries {
            if previous == Some(*name) {
                canonical.pop();
                canonical.push(',');
            } else {
                canonical.push_str(name);
                canonical.push(':');
                if !signed.is_empty() {
                    signed.push(';');
                }
                signed.push_str(name);
            }
            canonical.push_str(value);
            canonical.push('\n');
            previous = Some(name);
        }
        Ok(Self { canonical, signed })
    }
}

/// A header value trimmed, with each run of spaces and tabs inside it made one space.
fn canonical_header_value(value: &str) -> Cow<'_, str> {
    let trimmed = value.trim_matches([' ', '\t']);
    let canonical = !trimmed.contains('\t') && !trimmed.contains("  ");
    if canonical {
        return Cow::Borrowed(trimmed);
    }
    let mut out = String::with_capacity(value.len());
    for word in value.split([' ', '\t']).filter(|word| !word.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

fn canonical_request(method: &str, uri: &str, query: &str, headers: &CanonicalHeaders, payload_hash: &str) -> String {
    let parts = [
        method,
        "\n",
        uri,
        "\n",
        query,
        "\n",
        &headers.canonical,
        "\n",
        &headers.signed,
        "\n",
        payload_hash,
    ];
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

fn compute_signature(
    canonical_request: String,
    time: &SigningTime,
    scope: &str,
    params: &SigningParams<'_>,
) -> Result<Signature, SigningError> {
    let hash = hex(&Sha256::digest(canonical_request.as_bytes()));
    let parts = [ALGORITHM, "\n", &time.date_time, "\n", scope, "\n", &hash];
    let mut string_to_sign = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        string_to_sign.push_str(part);
    }
    let key = signing_key(
        params.credentials.secret_access_key(),
        &time.date,
        params.region,
        params.service,
    )?;
    let mut mac = key;
    mac.update(string_to_sign.as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    Ok(Signature {
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// A derived signing key, kept for the next signature with the same secret, date, region and
/// service (the key changes daily): deriving it takes four HMACs, more than the rest of a
/// signature. The key is overwritten with zeros when it leaves the cache. The secret itself is
/// not kept, only its SHA-256.
struct CachedKey {
    secret_hash: [u8; 32],
    date: String,
    region: String,
    service: String,
    key: zeroize::Zeroizing<[u8; 32]>,
}

/// The last keys derived, most recent last; a program that signs for a few services and regions
/// finds its keys here.
static SIGNING_KEYS: std::sync::Mutex<Vec<CachedKey>> = std::sync::Mutex::new(Vec::new());

/// How many derived keys [`SIGNING_KEYS`] keeps.
const CACHED_KEYS: usize = 8;

/// An HMAC keyed with the signing key for `secret` on `date` (`YYYYMMDD`) in `region` for
/// `service`.
fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Result<Hmac<Sha256>, SigningError> {
    let secret_hash: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    let found = |cached: &CachedKey| {
        cached.secret_hash == secret_hash && cached.date == date && cached.region == region && cached.service == service
    };
    if let Ok(keys) = SIGNING_KEYS.lock() {
        if let Some(cached) = keys.iter().rev().find(|cached| found(cached)) {
            return keyed(&cached.key[..]);
        }
    }
    // Every step's key, and the secret with its prefix, are overwritten when dropped.
    let mut prefixed = zeroize::Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    prefixed.extend_from_slice(b"AWS4");
    prefixed.extend_from_slice(secret.as_bytes());
    let key = zeroize::Zeroizing::new(hmac_sha256(&prefixed, date.as_bytes())?);
    let key = zeroize::Zeroizing::new(hmac_sha256(&key[..], region.as_bytes())?);
    let key = zeroize::Zeroizing::new(hmac_sha256(&key[..], service.as_bytes())?);
    let key = zeroize::Zeroizing::new(hmac_sha256(&key[..], b"aws4_request")?);
    let mac = keyed(&key[..])?;
    if let Ok(mut keys) = SIGNING_KEYS.lock() {
        if keys.len() >= CACHED_KEYS {
            keys.remove(0);
        }
        keys.push(CachedKey {
            secret_hash,
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            key,
        });
    }
    Ok(mac)
}

impl zeroize::ZeroizeOnDrop for CachedKey {}

/// An HMAC-SHA256 keyed with `key`.
fn keyed(key: &[u8]) -> Result<Hmac<Sha256>, SigningError> {
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .map_err(|error| SigningError::new(format!("cannot key HMAC-SHA256: {error}")))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Result<[u8; 32], SigningError> {
    // HMAC takes keys of any length; the error is unreachable.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .map_err(|error| SigningError::new(format!("cannot key HMAC-SHA256: {error}")))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().into())
}

/// The canonical URI: the path, normalised if the settings say so, each segment encoded once
/// more if they say so.
fn canonical_uri(path: &str, settings: &SigningSettings) -> String {
    let path = if path.is_empty() { "/" } else { path };
    if is_canonical_path(path) {
        return path.to_owned();
    }
    encoded_uri(path, settings)
}

/// The canonical URI of `path` (not empty), normalized and encoded as `settings` say.
fn encoded_uri(path: &str, settings: &SigningSettings) -> String {
    let path = if settings.normalize_uri_path {
        Cow::Owned(normalize_path(path))
    } else {
        Cow::Borrowed(path)
    };
    if !settings.double_uri_encode {
        return path.into_owned();
    }
    let mut out = String::with_capacity(path.len());
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        uri_encode(&mut out, segment.as_bytes());
    }
    out
}

/// Whether `path` is its own canonical form whatever the settings: it starts with `/`, has no
/// empty, `.` or `..` segment for normalizing to remove, and only characters that encoding
/// leaves as they are.
fn is_canonical_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/'))
        && !path.contains("//")
        && !path[1..].split('/').any(|segment| segment == "." || segment == "..")
}

/// `path` with its `.` and `..` segments resolved (RFC 3986 section 5.2.4) and empty segments
/// (repeated slashes) dropped; it starts with `/`, and ends with one when `path` does or when
/// its last segment is `.` or `..`.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for segment in path.split('/') {
        match segment {
            "" | "." => trailing_slash = true,
            ".." => {
                segments.pop();
                trailing_slash = true;
            }
            segment => {
                segments.push(segment);
                trailing_slash = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if trailing_slash || segments.is_empty() {
        out.push('/');
    }
    out
}

/// The canonical query string: the parameters of `query` and `extra`, each name and value
/// decoded then URI-encoded, sorted by name then value, as `name=value` joined by `&`. A `+` is
/// taken as itself, not as a space.
fn canonical_query(query: Option<&str>, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    let encoded = |bytes: &[u8]| {
        let mut out = String::with_capacity(bytes.len());
        uri_encode(&mut out, bytes);
        out
    };
    for param in query.unwrap_or("").split('&').filter(|param| !param.is_empty()) {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        params.push((encoded(&percent_decode(name)), encoded(&percent_decode(value))));
    }
    for (name, value) in extra {
        params.push((encoded(name.as_bytes()), encoded(value.as_bytes())));
    }
    params.sort();
    let mut out = String::new();
    for (name, value) in &params {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Appends `bytes` to `out` with every byte outside RFC 3986's unreserved set as `%XX`.
fn uri_encode(out: &mut String, bytes: &[u8]) {
    crate::percent::percent_encode_into(out, bytes, false);
}

/// `input` with each `%XX` decoded; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let high = bytes.get(index + 1).copied().and_then(crate::percent::hex_digit);
            let low = bytes.get(index + 2).copied().and_then(crate::percent::hex_digit);
            if let (Some(high), Some(low)) = (high, low) {
                out.push(high << 4 | low);
                index += 3;
                continue;
            }
        }
        out.push(byte);
        index += 1;
    }
    out
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.extend_from_slice(&[HEX_LOWER[usize::from(byte >> 4)], HEX_LOWER[usize::from(byte & 0x0f)]]);
    }
    // Hex digits are ASCII.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_taken_as_they_are_are_their_own_canonical_form() {
        let paths = [
            "/",
            "/backend/d1abc/auth/staging/details",
            "/a/",
            "/a.b/~c_d-e",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/a/..",
            "/.",
            "/..a/b..",
            "/a%20b",
            "/a b",
            "/ä",
            "//",
        ];
        for path in paths {
            for (normalize_uri_path, double_uri_encode) in [(true, true), (true, false), (false, true), (false, false)]
            {
                let settings = SigningSettings {
                    normalize_uri_path,
                    double_uri_encode,
                    ..SigningSettings::default()
                };
                assert_eq!(
                    canonical_uri(path, &settings),
                    encoded_uri(path, &settings),
                    "{path} {normalize_uri_path} {double_uri_encode}"
                );
            }
        }
        assert!(is_canonical_path("/backend/d1abc/auth/staging/details"));
        assert!(!is_canonical_path("/a/./b"));
        assert_eq!(
            payload_hash(b"", &SigningSettings::default()),
            hex(&Sha256::digest(b""))
        );
    }

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// 2015-08-30T12:36:00Z, the time of the AWS examples.
    fn example_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_440_938_160)
    }

    fn params(credentials: &Credentials) -> SigningParams<'_> {
        SigningParams {
            credentials,
            region: "us-east-1",
            service: "service",
            time: example_time(),
            settings: SigningSettings::default(),
        }
    }

    fn get(uri: &str) -> Request<Vec<u8>> {
        Request::get(uri).body(Vec::new()).expect("a valid test request")
    }

    #[test]
    fn cached_signing_keys_belong_to_their_secret_date_region_and_service() {
        let one = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let other = Credentials::from_keys("AKIDEXAMPLE", "another secret");
        let signature = |credentials: &Credentials, region: &str, day: u64| {
            let mut params = params(credentials);
            params.region = region;
            params.time += Duration::from_secs(day * 86_400);
            let mut request = get("https://example.amazonaws.com/");
            sign(&mut request, &params).expect("signed").signature
        };
        let first = signature(&one, "us-east-1", 0);
        assert_eq!(signature(&one, "us-east-1", 0), first, "the same inputs sign alike");
        let others = [
            signature(&other, "us-east-1", 0),
            signature(&one, "eu-west-1", 0),
            signature(&one, "us-east-1", 1),
        ];
        for (index, other) in others.iter().enumerate() {
            assert_ne!(*other, first, "case {index} must derive its own key");
        }
        // The first signature again, after other keys were cached: the AWS example's value.
        assert_eq!(
            signature(&one, "us-east-1", 0),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn formats_the_signing_time() {
        let format = |seconds: u64| SigningTime::new(UNIX_EPOCH + Duration::from_secs(seconds)).map(|t| t.date_time);
        assert_eq!(format(0).as_deref(), Ok("19700101T000000Z"));
        assert_eq!(format(1_440_938_160).as_deref(), Ok("20150830T123600Z"));
        // A leap day, and the day after a century that is not a leap year.
        assert_eq!(format(951_782_400).as_deref(), Ok("20000229T000000Z"));
        assert_eq!(format(4_107_542_399).as_deref(), Ok("21000228T235959Z"));
        assert_eq!(format(4_107_542_400).as_deref(), Ok("21000301T000000Z"));
        assert!(SigningTime::new(UNIX_EPOCH - Duration::from_secs(1)).is_err());
    }

    #[test]
    fn derives_the_signing_key_of_the_aws_example() {
        // From the AWS documentation's signing key example (IAM, us-east-1, 2015-08-30).
        let secret = format!("AWS4{SECRET}");
        let key = hmac_sha256(secret.as_bytes(), b"20150830").expect("key");
        let key = hmac_sha256(&key, b"us-east-1").expect("key");
        let key = hmac_sha256(&key, b"iam").expect("key");
        let key = hmac_sha256(&key, b"aws4_request").expect("key");
        assert_eq!(
            hex(&key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    #[test]
    fn signs_the_iam_example_of_the_aws_documentation() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let mut request = Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
            .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
            .body(Vec::new())
            .expect("a valid test request");
        let params = SigningParams {
            service: "iam",
            ..params(&credentials)
        };
        let signature = sign(&mut request, &params).expect("signed");
        assert_eq!(
            signature.signature,
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        assert_eq!(request.headers()["host"], "iam.amazonaws.com");
        assert_eq!(request.headers()["x-amz-date"], "20150830T123600Z");
    }

    #[test]
    fn signs_the_session_token() {
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267".to_owned()),
            None,
            "test",
        );
        let mut request = get("https://example.amazonaws.com/");
        let signature = sign(&mut request, &params(&credentials)).expect("signed");
        assert_eq!(
            signature.signature,
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"
        );
        assert_eq!(
            request.headers()["x-amz-security-token"],
            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        );
        assert!(request.headers()["authorization"]
            .to_str()
            .is_ok_and(|value| value.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,")));
    }

    #[test]
    fn sends_an_omitted_session_token_unsigned() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some("token".to_owned()), None, "test");
        let mut params = params(&credentials);
        params.settings.omit_session_token = true;
        let mut request = get("https://example.amazonaws.com/");
        let signature = sign(&mut request, &params).expect("signed");
        assert!(!signature.canonical_request.contains("x-amz-security-token"));
        assert_eq!(request.headers()["x-amz-security-token"], "token");

        let (presigned, signature) =
            presign(&get("https://example.amazonaws.com/"), &params, Duration::from_secs(60)).expect("presigned");
        assert!(!signature.canonical_request.contains("X-Amz-Security-Token"));
        let query = presigned.uri().query().unwrap_or("");
        assert!(
            query.contains("&X-Amz-Security-Token=token&X-Amz-Signature="),
            "{query}"
        );
    }

    #[test]
    fn refuses_a_presign_expiry_beyond_seven_days() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let request = get("https://example.amazonaws.com/");
        let error = presign(
            &request,
            &params(&credentials),
            MAX_PRESIGN_EXPIRY + Duration::from_secs(1),
        )
        .expect_err("more than seven days");
        assert!(error.message().contains("7 days"), "{error}");
        assert!(presign(&request, &params(&credentials), Duration::ZERO).is_err());
        assert!(presign(&request, &params(&credentials), MAX_PRESIGN_EXPIRY).is_ok());
    }

    /// The example of "Authenticating Requests: Using Query Parameters (AWS Signature Version
    /// 4)" in the Amazon S3 API reference: a GET of `test.txt` in `examplebucket`, presigned at
    /// 20130524T000000Z for 86400 seconds.
    #[test]
    fn presigns_the_s3_example_of_the_aws_documentation_with_an_unsigned_payload() {
        let credentials = Credentials::from_keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let params = SigningParams {
            credentials: &credentials,
            region: "us-east-1",
            service: "s3",
            time: UNIX_EPOCH + Duration::from_secs(1_369_353_600),
            settings: SigningSettings::s3_presigned(),
        };
        // A body (which a presigned URL's holder sends as they like) is left out of the signature.
        for body in [Vec::new(), b"a body".to_vec()] {
            let request = Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
                .body(body)
                .expect("a valid test request");
            let (presigned, signature) = presign(&request, &params, Duration::from_secs(86_400)).expect("presigned");
            assert_eq!(
                signature.canonical_request,
                "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"
            );
            assert_eq!(
                signature.signature,
                "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
            );
            let query = presigned.uri().query().unwrap_or("");
            assert!(
                query.ends_with("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
                "{query}"
            );
            assert!(!query.to_ascii_lowercase().contains("x-amz-content-sha256"), "{query}");
            assert!(presigned.headers().get(X_AMZ_CONTENT_SHA256).is_none());
        }
        // Whatever `x-amz-content-sha256` the request carries is neither signed nor kept.
        let mut request = get("https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Content-Sha256=abc");
        request
            .headers_mut()
            .insert(X_AMZ_CONTENT_SHA256, HeaderValue::from_static("abc"));
        let (presigned, signature) = presign(&request, &params, Duration::from_secs(86_400)).expect("presigned");
        assert_eq!(
            signature.signature,
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
        assert!(presigned.headers().get(X_AMZ_CONTENT_SHA256).is_none());
        assert!(!presigned.uri().query().unwrap_or("").contains("Content-Sha256"));
    }

    #[test]
    fn debug_shows_neither_the_session_token_nor_the_signature() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some("TOKEN/SECRET+1".to_owned()), None, "test");
        let mut request = get("https://example.amazonaws.com/?a=b");
        let signed = sign(&mut request, &params(&credentials)).expect("signed");
        let (_, presigned) = presign(
            &get("https://example.amazonaws.com/?a=b"),
            &params(&credentials),
            Duration::from_secs(60),
        )
        .expect("presigned");
        for signature in [signed, presigned] {
            // The token is in the canonical request, raw or URI-encoded.
            assert!(
                signature.canonical_request.contains("TOKEN"),
                "{}",
                signature.canonical_request
            );
            let debug = format!("{signature:?}");
            assert!(!debug.contains("TOKEN"), "{debug}");
            assert!(!debug.contains(&signature.signature), "{debug}");
            assert!(!debug.contains(SECRET), "{debug}");
            assert!(debug.contains("a=b"), "{debug}");
            assert!(
                debug.contains(&signature.string_to_sign.replace('\n', "\\n")),
                "{debug}"
            );
        }
    }

    #[test]
    fn secrets_and_derived_keys_are_overwritten_when_dropped() {
        fn zeroized_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroized_on_drop::<crate::auth::Parts>();
        zeroized_on_drop::<CachedKey>();
    }

    #[test]
    fn presigning_replaces_an_earlier_presignature() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let request = get("https://example.amazonaws.com/?a=b");
        let (once, first) = presign(&request, &params(&credentials), Duration::from_secs(60)).expect("presigned");
        let (twice, second) = presign(&once, &params(&credentials), Duration::from_secs(60)).expect("presigned");
        assert_eq!(once.uri(), twice.uri());
        assert_eq!(first, second);
    }

    #[test]
    fn a_header_value_that_is_not_utf8_is_an_error() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let mut request = get("https://example.amazonaws.com/");
        request.headers_mut().insert(
            "x-custom",
            HeaderValue::from_bytes(b"caf\xe9").expect("obs-text is a valid header value"),
        );
        let before = request.headers().clone();
        let error = sign(&mut request, &params(&credentials)).expect_err("not UTF-8");
        assert!(error.message().contains("x-custom"), "{error}");
        assert_eq!(request.headers(), &before, "a failed signing leaves the request alone");
    }

    #[test]
    fn a_session_token_that_cannot_be_a_header_value_is_an_error() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, Some("line\nbreak".to_owned()), None, "test");
        let mut request = get("https://example.amazonaws.com/");
        let error = sign(&mut request, &params(&credentials)).expect_err("invalid token");
        assert!(error.message().contains("x-amz-security-token"), "{error}");
        assert!(request.headers().is_empty());
    }

    #[test]
    fn a_request_without_a_host_is_an_error() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let mut request = get("/");
        assert!(sign(&mut request, &params(&credentials)).is_err());
    }

    #[test]
    fn takes_the_host_from_the_uri_without_its_default_port() {
        let credentials = Credentials::from_keys("AKIDEXAMPLE", SECRET);
        let mut request = get("https://example.amazonaws.com:443/");
        sign(&mut request, &params(&credentials)).expect("signed");
        assert_eq!(request.headers()["host"], "example.amazonaws.com");
        let mut request = get("http://localhost:8000/");
        sign(&mut request, &params(&credentials)).expect("signed");
        assert_eq!(request.headers()["host"], "localhost:8000");
    }

    #[test]
    fn encodes_the_path_once_for_s3_and_twice_otherwise() {
        let path = "/my%20bucket/a:b/../c";
        assert_eq!(canonical_uri(path, &SigningSettings::default()), "/my%2520bucket/c");
        assert_eq!(canonical_uri(path, &SigningSettings::s3()), "/my%20bucket/a:b/../c");
    }

    #[test]
    fn normalizes_paths() {
        for (path, normalized) in [
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/b/../../..", "/"),
            ("//example//", "/example/"),
            ("/./example", "/example"),
            ("/a/./b/.", "/a/b/"),
        ] {
            assert_eq!(normalize_path(path), normalized, "{path}");
        }
    }

    #[test]
    fn canonicalizes_query_strings() {
        assert_eq!(canonical_query(Some("b=2&a=1&a=0"), &[]), "a=0&a=1&b=2");
        assert_eq!(canonical_query(Some("flag&x=a%2fb+c&&"), &[]), "flag=&x=a%2Fb%2Bc");
        assert_eq!(canonical_query(Some("bad=%zz"), &[]), "bad=%25zz");
        assert_eq!(canonical_query(None, &[("k", "a b")]), "k=a%20b");
    }

    #[test]
    fn canonicalizes_header_values() {
        assert_eq!(canonical_header_value("  a   b \t c  "), "a b c");
        assert_eq!(canonical_header_value(""), "");
    }
}
