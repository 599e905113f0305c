//! Credentials from the EC2 instance metadata service (IMDSv2).

use std::borrow::Cow;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{credentials_from_object, Attempt, AttemptFuture, Clock, Env, Source};
use crate::auth::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::transport::Transport;

const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// How long a session token is asked to last: six hours, the longest the service allows.
const TOKEN_TTL_SECONDS: u64 = 21_600;
/// How long before its end a session token is replaced.
const TOKEN_REFRESH_BEFORE: Duration = Duration::from_secs(120);
/// How many times a request is sent, at most, when the service answers 5xx or times out.
const ATTEMPTS: u32 = 3;

/// A session token, the endpoint it is for, and when it stops working.
struct CachedToken {
    endpoint: String,
    value: http::HeaderValue,
    expires: SystemTime,
}

/// Credentials of the IAM role attached to the EC2 instance, from its instance metadata
/// service, with IMDSv2 session tokens.
///
/// It asks for a session token (`PUT /latest/api/token` with
/// `x-aws-ec2-metadata-token-ttl-seconds: 21600`), then with the token in
/// `x-aws-ec2-metadata-token` for the role's name
/// (`GET /latest/meta-data/iam/security-credentials/`) and the role's credentials
/// (`GET /latest/meta-data/iam/security-credentials/<role>`), a JSON object: `Code`
/// (`Success`), `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`. The token is kept and
/// reused until two minutes before it ends (measured with the provider's [`Clock`]), and
/// replaced early when the service rejects it (401).
///
/// The service is at `http://169.254.169.254`, or `http://[fd00:ec2::254]` when the endpoint
/// mode (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, else `ec2_metadata_service_endpoint_mode` in
/// the selected profile) is `IPv6` (any other mode than `IPv4` is an error), or at
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` (else the profile's `ec2_metadata_service_endpoint`).
/// `AWS_EC2_METADATA_DISABLED=true` turns the provider off.
///
/// It is not configured when it is turned off (`AWS_EC2_METADATA_DISABLED`, or the service
/// refuses session tokens with 403), when the service cannot be reached (the transport fails:
/// not on EC2, or no route to the address) and when the instance has no role (404, or an empty
/// list); any other failure fails it. The transport should have a short
/// timeout (see the [module documentation](super)); a request the service answers with 5xx, or
/// that times out, is sent again, three times in all. Its name, in
/// messages and in [`Credentials::provider`], is [`ImdsProvider::NAME`].
pub struct ImdsProvider {
    env: Env,
    transport: Arc<dyn Transport>,
    clock: Clock,
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for ImdsProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImdsProvider")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl ImdsProvider {
    /// `EC2 instance metadata`: the provider's name in messages and in
    /// [`Credentials::provider`].
    pub const NAME: &'static str = "EC2 instance metadata";

    /// A provider that reads the variables of `env` each time it is asked and calls the service
    /// with `transport`.
    pub fn new(env: Env, transport: Arc<dyn Transport>) -> Self {
        Self {
            clock: env.clock(),
            env,
            transport,
            token: Mutex::new(None),
        }
    }

    /// The same provider telling the age of its session token by `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn not_configured(reason: String) -> Attempt {
        Attempt::NotConfigured {
            place: Cow::Borrowed(Self::NAME),
            reason,
        }
    }

    /// The service's address, without a trailing `/`: `AWS_EC2_METADATA_SERVICE_ENDPOINT` or
    /// the profile's `ec2_metadata_service_endpoint`, else by the endpoint mode
    /// (`AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` or `ec2_metadata_service_endpoint_mode`).
    /// The shared files are read at most once, and only when a variable is not set.
    fn endpoint(&self) -> Result<String, Attempt> {
        let mut profiles = None;
        // A setting: the variable, else the key in the selected profile; with where it came
        // from, for messages.
        let mut setting = |variable: &'static str, key: &'static str| -> Option<(String, String)> {
            if let Some(value) = self.env.get_non_empty(variable) {
                return Some((value, variable.to_owned()));
            }
            let profiles = profiles
                .get_or_insert_with(|| super::load_profiles(&self.env).ok())
                .as_ref()?;
            let profile = profiles.selected_profile();
            let value = profiles.get(profile, key)?.trim();
            (!value.is_empty()).then(|| (value.to_owned(), format!("`{key}` of profile `{profile}`")))
        };
        if let Some((endpoint, from)) = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint") {
            let valid = http::Uri::try_from(endpoint.as_str())
                .is_ok_and(|uri| matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some());
            if !valid {
                return Err(Attempt::failed(
                    Self::NAME,
                    format_args!("{from} is not an http or https URI: `{endpoint}`"),
                ));
            }
            return Ok(endpoint.trim_end_matches('/').to_owned());
        }
        match setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "ec2_metadata_service_endpoint_mode",
        ) {
            None => Ok(DEFAULT_ENDPOINT.to_owned()),
            Some((mode, _)) if mode.eq_ignore_ascii_case("ipv4") => Ok(DEFAULT_ENDPOINT.to_owned()),
            Some((mode, _)) if mode.eq_ignore_ascii_case("ipv6") => Ok(IPV6_ENDPOINT.to_owned()),
            Some((mode, from)) => Err(Attempt::failed(
                Self::NAME,
                format_args!("{from} must be IPv4 or IPv6, not `{mode}`"),
            )),
        }
    }

    /// Sends the request `make` builds, again (up to [`ATTEMPTS`] in all) when the service
    /// answers 5xx or the transport times out, as the AWS SDKs do; a service that cannot be
    /// reached at all is not tried again.
    async fn send(
        &self,
        make: impl Fn() -> Result<http::Request<Vec<u8>>, http::Error>,
    ) -> Result<http::Response<Vec<u8>>, crate::transport::TransportError> {
        let mut attempt = 1;
        loop {
            let request = make().map_err(|error| -> crate::transport::TransportError { Box::new(error) })?;
            let outcome = self.transport.send(request).await;
            let again = attempt < ATTEMPTS
                && match &outcome {
                    Ok(response) => response.status().is_server_error(),
                    Err(error) => error
                        .downcast_ref::<crate::transport::TransportFailure>()
                        .is_some_and(|failure| failure.kind() == crate::transport::TransportFailureKind::Timeout),
                };
            if !again {
                return outcome;
            }
            attempt += 1;
        }
    }

    fn cached_token(&self) -> MutexGuard<'_, Option<CachedToken>> {
        self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A session token for `endpoint`: the kept one while it lasts, else a new one.
    async fn token(&self, endpoint: &str) -> Result<http::HeaderValue, Attempt> {
        let now = (self.clock)();
        if let Some(token) = &*self.cached_token() {
            let fresh = now
                .checked_add(TOKEN_REFRESH_BEFORE)
                .is_some_and(|soon| soon < token.expires);
            if token.endpoint == endpoint && fresh {
                return Ok(token.value.clone());
            }
        }
        let url = format!("{endpoint}{TOKEN_PATH}");
        let response = self
            .send(|| {
                http::Request::put(url.as_str())
                    .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
                    .body(Vec::new())
            })
            .await
            .map_err(|error| Self::not_configured(format!("{endpoint}: {error}")))?;
        let status = response.status();
        if status == http::StatusCode::FORBIDDEN {
            return Err(Self::not_configured(format!(
                "{endpoint}{TOKEN_PATH} answered {status} (request forbidden: IMDS is disabled): the instance metadata service is turned off"
            )));
        }
        if !status.is_success() {
            return Err(Attempt::failed(
                Self::NAME,
                format_args!("{endpoint}{TOKEN_PATH} answered {status} to the session token request"),
            ));
        }
        // The service may grant a shorter life than was asked for.
        let ttl = response
            .headers()
            .get(TOKEN_TTL_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map_or(TOKEN_TTL_SECONDS, |granted| granted.min(TOKEN_TTL_SECONDS));
        let value = std::str::from_utf8(response.body())
            .ok()
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .and_then(|token| http::HeaderValue::from_str(token).ok())
            .ok_or_else(|| Attempt::failed(Self::NAME, "the session token from the service is not a valid token"))?;
        *self.cached_token() = now.checked_add(Duration::from_secs(ttl)).map(|expires| CachedToken {
            endpoint: endpoint.to_owned(),
            value: value.clone(),
            expires,
        });
        Ok(value)
    }

    /// `GET` of `path` with a session token; a rejected token (401) is replaced once.
    async fn get(&self, endpoint: &str, path: &str) -> Result<http::Response<Vec<u8>>, Attempt> {
        let mut retried = false;
        loop {
            let token = self.token(endpoint).await?;
            let url = format!("{endpoint}{path}");
            let response = self
                .send(|| {
                    http::Request::get(url.as_str())
                        .header(TOKEN_HEADER, token.clone())
                        .body(Vec::new())
                })
                .await
                .map_err(|error| Self::not_configured(format!("{endpoint}: {error}")))?;
            if response.status() == http::StatusCode::UNAUTHORIZED && !retried {
                *self.cached_token() = None;
                retried = true;
                continue;
            }
            return Ok(response);
        }
    }

    /// The region of the instance (`GET /latest/meta-data/placement/region`), for a program
    /// that finds none in its environment or shared files; `None` when the service is turned
    /// off, cannot be reached, or does not say.
    pub async fn region(&self) -> Option<String> {
        if self.disabled() {
            return None;
        }
        let endpoint = self.endpoint().ok()?;
        let response = self.get(&endpoint, REGION_PATH).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let region = std::str::from_utf8(response.body()).ok()?.trim();
        let valid =
            !region.is_empty() && region.len() <= 64 && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        valid.then(|| region.to_owned())
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` turns the service off.
    fn disabled(&self) -> bool {
        self.env
            .get("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|disabled| disabled.trim().eq_ignore_ascii_case("true"))
    }

    async fn load(&self) -> Result<Credentials, Attempt> {
        let place = Self::NAME;
        if self.disabled() {
            return Err(Self::not_configured("AWS_EC2_METADATA_DISABLED is true".to_owned()));
        }
        let endpoint = self.endpoint()?;
        let response = self.get(&endpoint, CREDENTIALS_PATH).await?;
        let status = response.status();
        if status == http::StatusCode::NOT_FOUND {
            return Err(Self::not_configured(format!(
                "{endpoint}: the instance has no IAM role (404)"
            )));
        }
        if !status.is_success() {
            return Err(Attempt::failed(
                place,
                format_args!("{endpoint}{CREDENTIALS_PATH} answered {status}"),
            ));
        }
        let roles = String::from_utf8_lossy(response.body());
        let Some(role) = roles.lines().map(str::trim).find(|line| !line.is_empty()) else {
            return Err(Self::not_configured(format!(
                "{endpoint}: the instance has no IAM role"
            )));
        };
        if !role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | ',' | '.' | '@' | '_' | '-'))
        {
            return Err(Attempt::failed(place, "the service gave a role name that is not valid"));
        }
        let path = format!("{CREDENTIALS_PATH}{role}");
        let response = self.get(&endpoint, &path).await?;
        let status = response.status();
        if !status.is_success() {
            return Err(Attempt::failed(
                place,
                format_args!("{endpoint}{path} answered {status}"),
            ));
        }
        let document: serde_json::Value = serde_json::from_slice(response.body())
            .map_err(|error| Attempt::failed(place, format_args!("the credentials are not JSON ({error})")))?;
        let Some(object) = document.as_object() else {
            return Err(Attempt::failed(place, "the credentials are not a JSON object"));
        };
        match object.get("Code") {
            None => {}
            Some(serde_json::Value::String(code)) if code == "Success" => {}
            Some(serde_json::Value::String(code)) => {
                let code: String = code.chars().take(64).collect();
                return Err(Attempt::failed(
                    place,
                    format_args!("the service answered with the code `{code}` instead of credentials"),
                ));
            }
            Some(_) => return Err(Attempt::failed(place, "`Code` in the credentials is not a string")),
        }
        credentials_from_object(object, place, "Token", Self::NAME)
    }
}

impl Source for ImdsProvider {
    fn attempt(&self) -> AttemptFuture<'_> {
        Box::pin(self.load())
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { self.load().await.map_err(Attempt::into_error) })
    }
}
