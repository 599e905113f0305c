//! Who a call is from: its credentials, its SigV4 signature and its user agent.

use super::endpoint::ResolvedEndpoint;
use super::{Config, RequestContext};
use crate::auth::sigv4::streaming::ChunkSigner;
use crate::auth::sigv4::{self, SigningParams, SigningSettings, StreamingPayload};
use crate::auth::Credentials;
use crate::error::UnhandledError;
use crate::event_stream::SignMessage;

/// Whether a call of this operation is signed with this configuration: the service signs with
/// SigV4, the operation is not unsigned, and the configuration has credentials.
fn signs(config: &Config, context: &RequestContext) -> bool {
    context.service.signing_name.is_some() && !context.operation.unsigned && config.credentials.is_some()
}

/// The credentials a call is signed with, or `None` for an unsigned call.
pub(super) async fn credentials(
    config: &Config,
    context: &RequestContext,
) -> Result<Option<Credentials>, UnhandledError> {
    let Some(provider) = config.credentials.as_ref().filter(|_| signs(config, context)) else {
        return Ok(None);
    };
    provider
        .provide_credentials()
        .await
        .map(Some)
        .map_err(UnhandledError::configuration)
}

/// The settings the service signs with: S3 signs its paths as they are sent and wants the
/// payload's hash in a header.
fn settings(signing_name: &str, endpoint: &ResolvedEndpoint) -> SigningSettings {
    let s3 = matches!(signing_name, "s3" | "s3-object-lambda" | "s3-outposts" | "s3express");
    let mut settings = SigningSettings::default();
    if s3 {
        settings.normalize_uri_path = false;
        settings.double_uri_encode = false;
        settings.content_sha256_header = true;
    }
    if let Some(auth) = &endpoint.auth {
        if auth.disable_double_encoding == Some(true) {
            settings.double_uri_encode = false;
        }
        if auth.disable_normalize_path == Some(true) {
            settings.normalize_uri_path = false;
        }
    }
    settings
}

/// The signing name and region of a request: the endpoint's auth scheme's, or the service's
/// signing name and the configuration's region.
fn scope<'a>(
    config: &'a Config,
    context: &RequestContext,
    endpoint: &'a ResolvedEndpoint,
) -> Result<(&'a str, &'a str), UnhandledError> {
    if let Some(reason) = &endpoint.unsupported_auth {
        return Err(UnhandledError::configuration(reason.clone()));
    }
    let auth = endpoint.auth.as_ref();
    let service_name = context.service.signing_name.unwrap_or_default();
    let signing_name = auth
        .and_then(|auth| auth.signing_name.as_deref())
        .unwrap_or(service_name);
    let region = auth
        .and_then(|auth| auth.signing_region.as_deref())
        .or(config.region.as_deref())
        .ok_or_else(|| {
            UnhandledError::configuration(
                "no region to sign the request for: set one with `Config::with_region`, `AWS_REGION`, \
                 or `region` in the profile",
            )
        })?;
    Ok((signing_name, region))
}

/// What a signature covers of a request's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Payload {
    /// The body the request holds.
    Body,
    /// Nothing: a body that streams, sent as it is (`UNSIGNED-PAYLOAD`).
    Unsigned,
    /// A body that streams, sent in `aws-chunked` pieces that say how they are signed.
    Streaming(StreamingPayload),
}

/// Makes the signer of an event stream's messages from the request's signing parameters and
/// signature ([`message_signer`], named only by the code of calls that stream).
pub(super) type MessageSigner = fn(&Config, &SigningParams<'_>, &str) -> SignMessage;

/// Signs `request` with SigV4 for the endpoint's signing name and region (from its auth
/// scheme), or the service's signing name and the configuration's region; for an event stream,
/// gives the signer of its messages, which `message_signer` makes.
pub(super) fn sign(
    config: &Config,
    context: &RequestContext,
    endpoint: &ResolvedEndpoint,
    credentials: &Credentials,
    request: &mut http::Request<Vec<u8>>,
    payload: Payload,
    message_signer: Option<MessageSigner>,
) -> Result<Option<SignMessage>, UnhandledError> {
    let (service, region) = scope(config, context, endpoint)?;
    let mut settings = settings(service, endpoint);
    match payload {
        Payload::Body => {}
        Payload::Unsigned => settings.unsigned_payload = true,
        Payload::Streaming(streaming) => {
            settings.streaming = Some(streaming);
            settings.content_sha256_header = true;
        }
    }
    let params = SigningParams {
        credentials,
        region,
        service,
        time: config.signing_time(),
        settings,
    };
    let signature = sigv4::sign(request, &params).map_err(UnhandledError::configuration)?;
    Ok(match (payload, message_signer) {
        (Payload::Streaming(StreamingPayload::Events), Some(message_signer)) => {
            Some(message_signer(config, &params, &signature.signature))
        }
        _ => None,
    })
}

/// The signer of an event stream's messages: each is signed, chained to the request's
/// `signature`, at the time it is sent.
pub(super) fn message_signer(config: &Config, params: &SigningParams<'_>, signature: &str) -> SignMessage {
    let mut signer = ChunkSigner::new(params, signature);
    let config = config.clone();
    Box::new(move |message: &[u8]| {
        signer
            .sign_message(message, config.signing_time())
            .map_err(|error| error.to_string())
    })
}

/// `request` presigned for `expires_in`, for the same signing name and region as [`sign`].
pub(super) fn presign(
    config: &Config,
    context: &RequestContext,
    endpoint: &ResolvedEndpoint,
    credentials: &Credentials,
    request: &http::Request<Vec<u8>>,
    expires_in: std::time::Duration,
) -> Result<http::Request<Vec<u8>>, UnhandledError> {
    let (service, region) = scope(config, context, endpoint)?;
    let mut settings = settings(service, endpoint);
    // S3 (whose settings add the payload's hash header) refuses a presigned URL signed with
    // the body's hash: its URLs sign `UNSIGNED-PAYLOAD`.
    if settings.content_sha256_header {
        settings.unsigned_payload = true;
    }
    let params = SigningParams {
        credentials,
        region,
        service,
        time: config.signing_time(),
        settings,
    };
    sigv4::presign(request, &params, expires_in)
        .map(|(presigned, _)| presigned)
        .map_err(UnhandledError::configuration)
}

/// Adds the user agent headers, which name the generated crate and this runtime.
pub(super) fn user_agent(config: &Config, request: &mut http::Request<Vec<u8>>) {
    if let Some(agent) = &config.user_agent {
        request.headers_mut().insert(http::header::USER_AGENT, agent.clone());
        request.headers_mut().insert("x-amz-user-agent", agent.clone());
    }
}
