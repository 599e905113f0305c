//! Credentials that come from calling AWS: roles assumed with STS (`AssumeRole`,
//! `AssumeRoleWithWebIdentity`), IAM Identity Center (`GetRoleCredentials`, with the cached
//! token refreshed through SSO-OIDC `CreateToken`) and console sign-in sessions (refreshed
//! through Sign-In `CreateOAuth2Token`). The calls go through the clients of [`crate::aws`].

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::profile_chain::{Role, SsoSettings};
use super::{parse_expiration, system_time, Attempt, AttemptFuture, Clock, Env, Source};
use crate::auth::sigv4::hex;
use crate::auth::Credentials;
use crate::client::{Config, TimeSource};
use crate::primitives::DateTime;
use crate::transport::Transport;

/// How long before a cached SSO or sign-in token expires it is refreshed.
const REFRESH_AHEAD: Duration = Duration::from_secs(5 * 60);

/// What the providers that call AWS need: the environment (for the region, endpoint settings,
/// files and clock) and the transport their calls go through. Made for one resolution of
/// credentials: the client configuration is read from the environment once for all its calls.
pub(crate) struct Calls {
    env: Env,
    transport: Option<Arc<dyn Transport>>,
    base: std::sync::OnceLock<Config>,
}

impl fmt::Debug for Calls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calls")
            .field("env", &self.env)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

/// The environment's clock as a client's [`TimeSource`].
struct EnvTime(Clock);

impl fmt::Debug for EnvTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvTime")
    }
}

impl TimeSource for EnvTime {
    fn now(&self) -> SystemTime {
        (self.0)()
    }
}

impl Calls {
    pub(crate) fn new(env: Env, transport: Option<Arc<dyn Transport>>) -> Self {
        Self {
            env,
            transport,
            base: std::sync::OnceLock::new(),
        }
    }

    /// A client configuration for a call made at `place`: the environment's settings (endpoint
    /// overrides, FIPS, dual-stack), `region` or else the environment's region or else
    /// `us-east-1`, signed with `credentials` or unsigned.
    fn config(&self, place: &str, region: Option<&str>, credentials: Option<Credentials>) -> Result<Config, Attempt> {
        let Some(transport) = self.transport.clone() else {
            return Err(Attempt::failed(
                place,
                "calling AWS for these credentials needs an HTTP transport, and none was given",
            ));
        };
        let mut config = self
            .base
            .get_or_init(|| {
                Config::from_env_with(self.env.clone(), transport, None).with_time_source(EnvTime(self.env.clock()))
            })
            .clone();
        let region = region
            .map(str::to_owned)
            .or_else(|| config.region().map(str::to_owned))
            .unwrap_or_else(|| "us-east-1".to_owned());
        config = config.with_region(region);
        Ok(match credentials {
            Some(credentials) => config.with_credentials(credentials),
            None => config.without_credentials(),
        })
    }

    /// The session name of a role whose configuration gives none: `prefix` and the time in
    /// milliseconds (`assume-role-from-profile-1788264000000`), as the AWS SDKs name them.
    pub(crate) fn session_name(&self, prefix: &str) -> String {
        let millis = self
            .env
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        format!("{prefix}-{millis}")
    }

    /// `credentials` used to assume `role` (STS `AssumeRole`).
    pub(crate) async fn assume_role(&self, credentials: Credentials, role: &Role) -> Result<Credentials, Attempt> {
        use crate::aws::sts::operation::assume_role::AssumeRoleInput;
        use crate::aws::sts::AwsSecurityTokenServiceV20110615 as _;
        let place = format!("profile `{}` (assuming role {})", role.profile, role.role_arn);
        let config = self.config(&place, None, Some(credentials))?;
        let session_name = role
            .session_name
            .clone()
            .unwrap_or_else(|| self.session_name("assume-role-from-profile"));
        let mut input = AssumeRoleInput::builder()
            .role_arn(role.role_arn.clone())
            .role_session_name(session_name);
        if let Some(external_id) = &role.external_id {
            input = input.external_id(external_id.clone());
        }
        if let Some(seconds) = role.duration_seconds {
            input = input.duration_seconds(seconds);
        }
        let input = input.build().map_err(|error| Attempt::failed(&place, error))?;
        let output = crate::aws::sts::client::Client::new(&config)
            .assume_role(input)
            .await
            .map_err(|error| Attempt::failed(&place, format_args!("STS AssumeRole failed: {error}")))?;
        sts_credentials(
            output.credentials,
            output.assumed_role_user.map(|user| user.arn),
            &place,
            ASSUME_ROLE,
        )
    }

    /// Credentials for `role_arn` from the web identity token in `token_file` (STS
    /// `AssumeRoleWithWebIdentity`, unsigned). The file is read on every call: the tokens
    /// Kubernetes projects are replaced before they expire.
    pub(crate) async fn web_identity(
        &self,
        place: &str,
        role_arn: &str,
        token_file: &str,
        session_name: String,
    ) -> Result<Credentials, Attempt> {
        use crate::aws::sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityInput;
        use crate::aws::sts::AwsSecurityTokenServiceV20110615 as _;
        let token = self.env.read_file(std::path::Path::new(token_file)).map_err(|error| {
            Attempt::failed(
                place,
                format_args!("failed to read the web identity token `{token_file}`: {error}"),
            )
        })?;
        let config = self.config(place, None, None)?;
        let input = AssumeRoleWithWebIdentityInput::builder()
            .role_arn(role_arn.to_owned())
            .role_session_name(session_name)
            .web_identity_token(token)
            .build()
            .map_err(|error| Attempt::failed(place, error))?;
        let output = crate::aws::sts::client::Client::new(&config)
            .assume_role_with_web_identity(input)
            .await
            .map_err(|error| {
                Attempt::failed(
                    place,
                    format_args!("STS AssumeRoleWithWebIdentity for {role_arn} failed: {error}"),
                )
            })?;
        sts_credentials(
            output.credentials,
            output.assumed_role_user.map(|user| user.arn),
            place,
            WEB_IDENTITY,
        )
    }

    /// Credentials of an IAM Identity Center role, with the cached token of `sso` (refreshed
    /// when it is about to expire and the cache holds what a refresh needs).
    pub(crate) async fn sso(&self, profile: &str, sso: &SsoSettings) -> Result<Credentials, Attempt> {
        use crate::aws::sso::operation::get_role_credentials::GetRoleCredentialsInput;
        use crate::aws::sso::SwbPortalService as _;
        let place = format!("profile `{profile}` (IAM Identity Center)");
        let login = match &sso.session {
            Some(session) => format!("aws sso login --sso-session {session}"),
            None => format!("aws sso login --profile {profile}"),
        };
        let home = self
            .env
            .home_dir()
            .ok_or_else(|| Attempt::failed(&place, "couldn't resolve a home directory (HOME is not set)"))?;
        let key = sso.session.as_deref().unwrap_or(&sso.start_url);
        let path = home
            .join(".aws/sso/cache")
            .join(format!("{}.json", hex(&sha1_digest(key.as_bytes()))));
        let text = self.env.read_file(&path).map_err(|error| {
            Attempt::failed(
                &place,
                format_args!(
                    "failed to read `{}`: {error} (no cached SSO token: run `{login}`)",
                    path.display()
                ),
            )
        })?;
        let mut cache = TokenCache::parse(&text, &path, &place)?;
        let now = self.env.now();
        let expired = cache.expires_at <= now;
        let refreshable = sso.session.is_some() && cache.refreshable(now);
        if cache.expires_at <= now + REFRESH_AHEAD && refreshable {
            match self.refresh_sso(&place, sso, &cache).await {
                Ok((token, expires_in, refresh_token)) => {
                    cache.update(token, now + expires_in, refresh_token, sso);
                    self.env.write_file(&path, &cache.to_json()).map_err(|error| {
                        Attempt::failed(&place, format_args!("failed to write `{}`: {error}", path.display()))
                    })?;
                }
                Err(error) if expired => {
                    return Err(Attempt::failed(
                        &place,
                        format_args!(
                            "the SSO token has expired and cannot be refreshed ({}): run `{login}`",
                            error.into_error()
                        ),
                    ))
                }
                // A token that is still valid serves until the next try.
                Err(_) => {}
            }
        } else if expired {
            return Err(Attempt::failed(
                &place,
                format_args!("the SSO token has expired and cannot be refreshed: run `{login}`"),
            ));
        }
        let config = self.config(&place, Some(&sso.region), None)?;
        let input = GetRoleCredentialsInput::builder()
            .role_name(sso.role_name.clone())
            .account_id(sso.account_id.clone())
            .access_token(cache.access_token.clone())
            .build()
            .map_err(|error| Attempt::failed(&place, error))?;
        let output = crate::aws::sso::client::Client::new(&config)
            .get_role_credentials(input)
            .await
            .map_err(|error| Attempt::failed(&place, format_args!("SSO GetRoleCredentials failed: {error}")))?;
        let Some(role) = output.role_credentials else {
            return Err(Attempt::failed(&place, "SSO did not return credentials"));
        };
        let (Some(access_key_id), Some(secret_access_key)) = (role.access_key_id, role.secret_access_key) else {
            return Err(Attempt::failed(&place, "SSO returned credentials without their keys"));
        };
        let expiry = u64::try_from(role.expiration)
            .ok()
            .and_then(|millis| UNIX_EPOCH.checked_add(Duration::from_millis(millis)));
        Ok(
            Credentials::new(access_key_id, secret_access_key, role.session_token, expiry, SSO)
                .with_account_id(sso.account_id.clone()),
        )
    }

    /// A new token from SSO-OIDC `CreateToken`: the token, how long it lasts, and the new
    /// refresh token if any.
    async fn refresh_sso(
        &self,
        place: &str,
        sso: &SsoSettings,
        cache: &TokenCache,
    ) -> Result<(String, Duration, Option<String>), Attempt> {
        use crate::aws::sso_oidc::operation::create_token::CreateTokenInput;
        use crate::aws::sso_oidc::AwsssooidcService as _;
        let (Some(client_id), Some(client_secret), Some(refresh_token)) =
            (&cache.client_id, &cache.client_secret, &cache.refresh_token)
        else {
            return Err(Attempt::failed(place, "the cached token cannot be refreshed"));
        };
        let config = self.config(place, Some(&sso.region), None)?;
        let input = CreateTokenInput::builder()
            .client_id(client_id.clone())
            .client_secret(client_secret.clone())
            .grant_type("refresh_token")
            .refresh_token(refresh_token.clone())
            .build()
            .map_err(|error| Attempt::failed(place, error))?;
        let output = crate::aws::sso_oidc::client::Client::new(&config)
            .create_token(input)
            .await
            .map_err(|error| Attempt::failed(place, format_args!("SSO-OIDC CreateToken failed: {error}")))?;
        let Some(token) = output.access_token else {
            return Err(Attempt::failed(place, "SSO-OIDC CreateToken returned no token"));
        };
        let lasts = Duration::from_secs(u64::try_from(output.expires_in).unwrap_or(0));
        Ok((token, lasts, output.refresh_token))
    }

    /// The credentials of a console sign-in session (`login_session`): those cached by
    /// `aws login`, refreshed through Sign-In `CreateOAuth2Token` when they are about to
    /// expire.
    pub(crate) async fn login(&self, profile: &str, session: &str) -> Result<Credentials, Attempt> {
        let place = format!("profile `{profile}` (console sign-in)");
        let dir = match self.env.get_non_empty("AWS_LOGIN_CACHE_DIRECTORY") {
            Some(dir) => PathBuf::from(dir),
            None => self
                .env
                .home_dir()
                .ok_or_else(|| Attempt::failed(&place, "couldn't resolve a home directory (HOME is not set)"))?
                .join(".aws/login/cache"),
        };
        let path = dir.join(format!("{}.json", hex(&sha256_digest(session.trim().as_bytes()))));
        let text = self.env.read_file(&path).map_err(|error| {
            Attempt::failed(
                &place,
                format_args!(
                    "failed to read `{}`: {error} (no cached sign-in: run `aws login --profile {profile}`)",
                    path.display()
                ),
            )
        })?;
        let mut cache = LoginCache::parse(&text, &path, &place)?;
        let now = self.env.now();
        if cache.expires_at > now + REFRESH_AHEAD {
            return Ok(cache.credentials());
        }
        login::refresh(self, &place, &mut cache).await.map_err(|error| {
            Attempt::failed(
                &place,
                format_args!(
                    "failed to refresh the console sign-in credentials ({}): run `aws login --profile {profile}`",
                    error.into_error()
                ),
            )
        })?;
        if let Err(error) = self.env.write_file(&path, &cache.to_json()) {
            return Err(Attempt::failed(
                &place,
                format_args!("failed to write `{}`: {error}", path.display()),
            ));
        }
        Ok(cache.credentials())
    }
}

/// [`Credentials::provider`] of assumed roles.
pub(crate) const ASSUME_ROLE: &str = "assume role";
/// [`Credentials::provider`] of web identity credentials.
pub(crate) const WEB_IDENTITY: &str = "web identity token";
/// [`Credentials::provider`] of IAM Identity Center credentials.
pub(crate) const SSO: &str = "SSO";
/// [`Credentials::provider`] of console sign-in credentials.
pub(crate) const LOGIN: &str = "console sign-in";

/// Credentials from an STS response; the account is the fifth field of the assumed role's ARN.
fn sts_credentials(
    credentials: Option<crate::aws::sts::types::Credentials>,
    arn: Option<String>,
    place: &str,
    provider: &'static str,
) -> Result<Credentials, Attempt> {
    let Some(credentials) = credentials else {
        return Err(Attempt::failed(place, "STS returned no credentials"));
    };
    let expiry = system_time(&credentials.expiration);
    let result = Credentials::new(
        credentials.access_key_id,
        credentials.secret_access_key,
        Some(credentials.session_token),
        expiry,
        provider,
    );
    Ok(
        match arn
            .as_deref()
            .and_then(|arn| arn.split(':').nth(4))
            .filter(|id| !id.is_empty())
        {
            Some(account_id) => result.with_account_id(account_id),
            None => result,
        },
    )
}

fn rfc3339(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    DateTime::from_secs(i64::try_from(seconds).unwrap_or(i64::MAX)).to_string()
}

fn sha1_digest(data: &[u8]) -> Vec<u8> {
    use sha1::Digest as _;
    sha1::Sha1::digest(data).to_vec()
}

fn sha256_digest(data: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).to_vec()
}

/// A JSON object's string field, its name matched without regard to case.
fn field<'a>(object: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, value)| value.as_str())
}

/// A problem with a cache file of `kind` (`SSO token`, `sign-in`), which never quotes it.
fn cache_error(place: &str, path: &std::path::Path, kind: &str, what: &str) -> Attempt {
    Attempt::failed(
        place,
        format_args!("{what} in the cached {kind} file `{}`", path.display()),
    )
}

/// The JSON object of a cache file of `kind`.
fn cache_object(
    text: &str,
    path: &std::path::Path,
    place: &str,
    kind: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, Attempt> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        Ok(_) => Err(cache_error(place, path, kind, "not a JSON object")),
        Err(_) => Err(cache_error(place, path, kind, "invalid JSON")),
    }
}

/// A cached IAM Identity Center token (`~/.aws/sso/cache/<sha1>.json`). Its other fields are
/// kept when it is written back.
struct TokenCache {
    object: serde_json::Map<String, serde_json::Value>,
    access_token: String,
    expires_at: SystemTime,
    refresh_token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    registration_expires_at: Option<SystemTime>,
}

impl TokenCache {
    fn parse(text: &str, path: &std::path::Path, place: &str) -> Result<Self, Attempt> {
        let bad = |what: &str| cache_error(place, path, "SSO token", what);
        let object = cache_object(text, path, place, "SSO token")?;
        let object = &object;
        let access_token = field(object, "accessToken").ok_or_else(|| bad("missing field `accessToken`"))?;
        let expires_at = field(object, "expiresAt").ok_or_else(|| bad("missing field `expiresAt`"))?;
        let expires_at = parse_expiration(expires_at).ok_or_else(|| bad("invalid value for the `expiresAt` field"))?;
        let optional = |name: &str| field(object, name).map(str::to_owned);
        Ok(Self {
            access_token: access_token.to_owned(),
            expires_at,
            refresh_token: optional("refreshToken"),
            client_id: optional("clientId"),
            client_secret: optional("clientSecret"),
            registration_expires_at: field(object, "registrationExpiresAt").and_then(parse_expiration),
            object: object.clone(),
        })
    }

    fn refreshable(&self, now: SystemTime) -> bool {
        self.client_id.is_some()
            && self.client_secret.is_some()
            && self.refresh_token.is_some()
            && self.registration_expires_at.is_some_and(|at| at > now)
    }

    fn update(&mut self, token: String, expires_at: SystemTime, refresh_token: Option<String>, sso: &SsoSettings) {
        let set = |object: &mut serde_json::Map<String, serde_json::Value>, name: &str, value: String| {
            object.retain(|key, _| !key.eq_ignore_ascii_case(name));
            object.insert(name.to_owned(), serde_json::Value::String(value));
        };
        set(&mut self.object, "accessToken", token.clone());
        set(&mut self.object, "expiresAt", rfc3339(expires_at));
        if let Some(refresh_token) = &refresh_token {
            set(&mut self.object, "refreshToken", refresh_token.clone());
        }
        set(&mut self.object, "region", sso.region.clone());
        set(&mut self.object, "startUrl", sso.start_url.clone());
        self.access_token = token;
        self.expires_at = expires_at;
        if refresh_token.is_some() {
            self.refresh_token = refresh_token;
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.object).unwrap_or_default()
    }
}

/// A cached console sign-in (`~/.aws/login/cache/<sha256>.json`).
#[cfg_attr(not(feature = "hyper-client"), allow(dead_code))]
struct LoginCache {
    object: serde_json::Map<String, serde_json::Value>,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    account_id: String,
    expires_at: SystemTime,
    refresh_token: String,
    client_id: String,
    dpop_key: String,
}

impl LoginCache {
    fn parse(text: &str, path: &std::path::Path, place: &str) -> Result<Self, Attempt> {
        let bad = |what: &str| cache_error(place, path, "sign-in", what);
        let object = cache_object(text, path, place, "sign-in")?;
        let object = &object;
        let token = object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("accessToken"))
            .and_then(|(_, value)| value.as_object())
            .ok_or_else(|| bad("missing field `accessToken`"))?;
        let required = |object: &serde_json::Map<String, serde_json::Value>, name: &str| {
            field(object, name)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("missing field `{name}`")))
        };
        let expires_at = required(token, "expiresAt")?;
        Ok(Self {
            access_key_id: required(token, "accessKeyId")?,
            secret_access_key: required(token, "secretAccessKey")?,
            session_token: required(token, "sessionToken")?,
            account_id: required(token, "accountId")?,
            expires_at: parse_expiration(&expires_at).ok_or_else(|| bad("invalid value for the `expiresAt` field"))?,
            refresh_token: required(object, "refreshToken")?,
            client_id: required(object, "clientId")?,
            dpop_key: required(object, "dpopKey")?.replace("\\n", "\n"),
            object: object.clone(),
        })
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            Some(self.session_token.clone()),
            Some(self.expires_at),
            LOGIN,
        )
        .with_account_id(self.account_id.clone())
    }

    fn to_json(&self) -> String {
        let mut object = self.object.clone();
        object.retain(|key, _| !key.eq_ignore_ascii_case("accessToken") && !key.eq_ignore_ascii_case("refreshToken"));
        object.insert(
            "accessToken".to_owned(),
            serde_json::json!({
                "accessKeyId": self.access_key_id,
                "secretAccessKey": self.secret_access_key,
                "sessionToken": self.session_token,
                "accountId": self.account_id,
                "expiresAt": rfc3339(self.expires_at),
            }),
        );
        object.insert(
            "refreshToken".to_owned(),
            serde_json::Value::String(self.refresh_token.clone()),
        );
        serde_json::to_string_pretty(&object).unwrap_or_default()
    }
}

/// The refresh of a console sign-in: `CreateOAuth2Token` with a DPoP proof (RFC 9449) signed
/// with the session's P-256 key, by `ring` (present with the `hyper-client` feature).
mod login {
    use super::{Attempt, Calls, LoginCache};

    #[cfg(feature = "hyper-client")]
    pub(super) async fn refresh(calls: &Calls, place: &str, cache: &mut LoginCache) -> Result<(), Attempt> {
        use crate::aws::signin::operation::create_o_auth2_token::CreateOAuth2TokenInput;
        use crate::aws::signin::types::CreateOAuth2TokenRequestBody;
        use crate::aws::signin::Signin as _;
        let key = super::dpop::Key::from_pem(&cache.dpop_key).map_err(|error| Attempt::failed(place, error))?;
        let config = calls.config(place, None, None)?.with_interceptor(super::dpop::Proof {
            key: std::sync::Arc::new(key),
            clock: calls.env.clock(),
        });
        let body = CreateOAuth2TokenRequestBody::builder()
            .client_id(cache.client_id.clone())
            .grant_type("refresh_token")
            .refresh_token(cache.refresh_token.clone())
            .build()
            .map_err(|error| Attempt::failed(place, error))?;
        let input = CreateOAuth2TokenInput::builder()
            .token_input(body)
            .build()
            .map_err(|error| Attempt::failed(place, error))?;
        let output = crate::aws::signin::client::Client::new(&config)
            .create_o_auth2_token(input)
            .await
            .map_err(|error| Attempt::failed(place, format_args!("Sign-In CreateOAuth2Token failed: {error}")))?;
        let token = output.token_output;
        let lasts = std::time::Duration::from_secs(u64::try_from(token.expires_in).unwrap_or(0));
        cache.access_key_id = token.access_token.access_key_id;
        cache.secret_access_key = token.access_token.secret_access_key;
        cache.session_token = token.access_token.session_token;
        cache.expires_at = calls.env.now() + lasts;
        cache.refresh_token = token.refresh_token;
        Ok(())
    }

    #[cfg(not(feature = "hyper-client"))]
    pub(super) async fn refresh(_: &Calls, place: &str, _: &mut LoginCache) -> Result<(), Attempt> {
        Err(Attempt::failed(
            place,
            "refreshing console sign-in credentials signs a proof with the session's key, which needs the `hyper-client` feature",
        ))
    }
}

#[cfg(feature = "hyper-client")]
mod dpop;

/// Web identity federation configured by environment variables (`AWS_WEB_IDENTITY_TOKEN_FILE`,
/// `AWS_ROLE_ARN`, optionally `AWS_ROLE_SESSION_NAME`), as EKS (IAM Roles for Service
/// Accounts) and other OIDC setups set them.
#[derive(Clone)]
pub(crate) struct WebIdentityEnv {
    env: Env,
    transport: Option<Arc<dyn Transport>>,
}

impl fmt::Debug for WebIdentityEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityEnv")
            .field("env", &self.env)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

impl WebIdentityEnv {
    /// `web identity token`: the place's name in messages.
    pub(crate) const NAME: &'static str = "web identity token";

    pub(crate) fn new(env: Env, transport: Option<Arc<dyn Transport>>) -> Self {
        Self { env, transport }
    }

    async fn load(&self) -> Result<Credentials, Attempt> {
        let env = &self.env;
        let not_configured = |reason: &str| Attempt::NotConfigured {
            place: Cow::Borrowed(Self::NAME),
            reason: reason.to_owned(),
        };
        let Some(token_file) = env.get_non_empty("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return Err(not_configured("AWS_WEB_IDENTITY_TOKEN_FILE not set"));
        };
        let Some(role_arn) = env.get_non_empty("AWS_ROLE_ARN") else {
            return Err(Attempt::failed(
                Self::NAME,
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set the role to assume",
            ));
        };
        let calls = Calls::new(env.clone(), self.transport.clone());
        let session_name = env
            .get_non_empty("AWS_ROLE_SESSION_NAME")
            .unwrap_or_else(|| calls.session_name("web-identity-token"));
        calls
            .web_identity(Self::NAME, &role_arn, &token_file, session_name)
            .await
    }
}

impl Source for WebIdentityEnv {
    fn attempt(&self) -> AttemptFuture<'_> {
        Box::pin(self.load())
    }
}
