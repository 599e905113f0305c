//! Credentials from the container credentials endpoint of ECS (and EKS Pod Identity).

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

use super::{credentials_from_json, successful_body, Attempt, AttemptFuture, Env, Source};
use crate::auth::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::transport::Transport;

/// Where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is relative to.
const ECS_ENDPOINT: &str = "http://169.254.170.2";

/// The addresses other than loopback ones that plain HTTP may go to: the ECS and EKS
/// credentials endpoints.
const ECS_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 2);
const EKS_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);
const EKS_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23);

/// Credentials from a container credentials endpoint, as ECS tasks and EKS pods get them.
///
/// The endpoint is `http://169.254.170.2` followed by `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
/// or else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, which must be `https`, or `http` to a loopback
/// host (`127.0.0.0/8`, `[::1]`, `localhost`) or to the ECS and EKS addresses
/// (`169.254.170.2`, `169.254.170.23`, `[fd00:ec2::23]`). The request carries an
/// `Authorization` header with the contents of the file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// names, or else the value of `AWS_CONTAINER_AUTHORIZATION_TOKEN`, when either is set. The
/// endpoint answers with a JSON object: `AccessKeyId`, `SecretAccessKey`, `Token`,
/// `Expiration`, and optionally `AccountId`.
///
/// It is not configured when neither URI variable is set; otherwise any failure (a refused
/// URI, an unreadable token file, an error from the transport or the endpoint, a response that
/// is not credentials) fails it. The transport should have a short timeout (see the
/// [module documentation](super)). Its name, in messages and in [`Credentials::provider`], is
/// [`EcsProvider::NAME`].
#[derive(Clone)]
pub struct EcsProvider {
    env: Env,
    transport: Arc<dyn Transport>,
}

impl std::fmt::Debug for EcsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcsProvider")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl EcsProvider {
    /// `ECS container`: the provider's name in messages and in [`Credentials::provider`].
    pub const NAME: &'static str = "ECS container";

    /// A provider that reads the variables of `env` each time it is asked and calls the
    /// endpoint with `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        Self { env, transport }
    }

    async fn load(&self) -> Result<Credentials, Attempt> {
        let place = Self::NAME;
        let uri = if let Some(relative) = self.env.get_non_empty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            let separator = if relative.starts_with('/') { "" } else { "/" };
            let uri = format!("{ECS_ENDPOINT}{separator}{relative}");
            http::Uri::try_from(uri.as_str()).map_err(|_| {
                Attempt::failed(
                    place,
                    format_args!("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI does not make a valid URI: `{uri}`"),
                )
            })?
        } else if let Some(full) = self.env.get_non_empty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            let uri = http::Uri::try_from(full.as_str()).map_err(|_| {
                Attempt::failed(
                    place,
                    format_args!("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URI: `{full}`"),
                )
            })?;
            check_full_uri(&uri).map_err(|reason| {
                Attempt::failed(
                    place,
                    format_args!("AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}` is not allowed: {reason}"),
                )
            })?;
            uri
        } else {
            return Err(Attempt::NotConfigured {
                place: Cow::Borrowed(place),
                reason: "AWS_CONTAINER_CREDENTIALS_* not set".to_owned(),
            });
        };
        let mut request = http::Request::get(uri.clone()).header(http::header::ACCEPT, "application/json");
        if let Some(token) = self.authorization_token()? {
            let value = http::HeaderValue::from_str(&token)
                .map_err(|_| Attempt::failed(place, "the authorization token is not a valid HTTP header value"))?;
            request = request.header(http::header::AUTHORIZATION, value);
        }
        let request = request
            .body(Vec::new())
            .map_err(|error| Attempt::failed(place, format_args!("cannot build the request to {uri}: {error}")))?;
        let response = self
            .transport
            .send(request)
            .await
            .map_err(|error| Attempt::failed(place, format_args!("{uri}: {error}")))?;
        let body = successful_body(response, place, &uri.to_string())?;
        credentials_from_json(&body, place, "Token", Self::NAME)
    }

    /// The `Authorization` header's value: the token file's contents without surrounding
    /// whitespace, or the token variable.
    fn authorization_token(&self) -> Result<Option<String>, Attempt> {
        if let Some(file) = self.env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            let token = self.env.read_file(Path::new(&file)).map_err(|error| {
                Attempt::failed(
                    Self::NAME,
                    format_args!("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE `{file}`: {error}"),
                )
            })?;
            return Ok(Some(token.trim().to_owned()));
        }
        Ok(self.env.get_non_empty("AWS_CONTAINER_AUTHORIZATION_TOKEN"))
    }
}

/// Whether credentials may be fetched from `uri`: over HTTPS anywhere, over plain HTTP only
/// on the machine or from the container endpoints.
fn check_full_uri(uri: &http::Uri) -> Result<(), &'static str> {
    let Some(host) = uri.host() else {
        return Err("it has no host");
    };
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_allowed_http_host(host) => Ok(()),
        Some("http") => Err(
            "plain http is allowed only to a loopback host (127.0.0.0/8, [::1], localhost) \
             or 169.254.170.2, 169.254.170.23, [fd00:ec2::23]; use https",
        ),
        _ => Err("it must be an http or https URI"),
    }
}

fn is_allowed_http_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => ip.is_loopback() || ip == ECS_IPV4 || ip == EKS_IPV4,
        Ok(IpAddr::V6(ip)) => ip.is_loopback() || ip == EKS_IPV6,
        Err(_) => false,
    }
}

impl Source for EcsProvider {
    fn attempt(&self) -> AttemptFuture<'_> {
        Box::pin(self.load())
    }
}

impl ProvideCredentials for EcsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { self.load().await.map_err(Attempt::into_error) })
    }
}
