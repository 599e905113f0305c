//! Where AWS credentials and the region come from, in the places and the order AWS SDK users
//! expect.
//!
//! - [`Env`]: the environment variables and files the providers read (the real ones, or a fake
//!   set for tests);
//! - [`profile`]: the shared config files `~/.aws/config` and `~/.aws/credentials`;
//! - [`region_from_env`]: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`;
//! - the providers, each a [`ProvideCredentials`](crate::auth::ProvideCredentials):
//!   [`EnvironmentProvider`],
//!   [`ProfileProvider`], [`EcsProvider`], [`ImdsProvider`];
//! - [`ChainProvider`], which tries providers in order, and [`CachingProvider`], which keeps
//!   credentials until shortly before they expire;
//! - [`default_provider`]: the cached chain environment → profile → ECS → instance metadata.
//!
//! # Not configured, or failed
//!
//! Each provider of this module tells a chain whether it is *not configured here* (its
//! environment variables are absent, the profile has no keys, the instance metadata service
//! cannot be reached) or *configured but failing* (a malformed profile, an ECS endpoint that
//! answers with an error, a response that is not credentials). A chain goes on past the first
//! and stops at the second with its error, as the AWS SDKs do: a broken configuration is
//! reported instead of being silently replaced by credentials from somewhere else. When no
//! provider is configured, the chain's error lists every place it looked.
//!
//! # Reading the configuration
//!
//! Providers read their environment variables and files each time they are asked, so they see
//! changes; [`CachingProvider`] is what keeps them from being asked for every request. Files are
//! read synchronously: they are small and local. `credential_process` commands run on a thread
//! of their own, with a time limit and a bound on their output, so that they never block the
//! caller's executor; this keeps the module free of any async runtime.
//!
//! # Timeouts
//!
//! The ECS and instance metadata providers make HTTP calls through a
//! [`Transport`], which has no timeout of its own. Give them a
//! transport with a short one (for instance the `hyper-client` feature's
//! `HyperTransport::new().with_timeout(Duration::from_secs(1))`): off EC2, the instance metadata
//! address is often not routed at all, and a request to it would otherwise wait for as long as
//! the transport lets it.

mod cache;
mod chain;
mod ecs;
mod environment;
mod imds;
mod process;
pub mod profile;
mod web_identity;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use self::cache::CachingProvider;
pub use self::chain::{ChainLink, ChainProvider};
pub use self::ecs::EcsProvider;
pub use self::environment::EnvironmentProvider;
pub use self::imds::ImdsProvider;
pub use self::profile::{load_profiles, ProfileError, ProfileProvider, ProfileSet};
use crate::auth::{Credentials, CredentialsError, SharedCredentialsProvider};
use crate::primitives::DateTime;
use crate::transport::Transport;

/// What time it is, for [`CachingProvider`] and the instance metadata token: the system clock
/// ([`system_clock`]), or in tests a closure that returns whatever time the test wants.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The system clock, [`SystemTime::now`].
pub fn system_clock() -> Clock {
    Arc::new(SystemTime::now)
}

/// The environment variables and files that the providers read: the process's own
/// ([`Env::real`]), or a fixed set of variables ([`Env::from_vars`]) and in-memory files
/// ([`Env::with_file`]), so that tests never touch the real environment.
///
/// Cloning it is cheap. `Debug` shows the names of the variables, never their values.
#[derive(Clone)]
pub struct Env {
    vars: Option<Arc<HashMap<String, String>>>,
    files: Arc<HashMap<PathBuf, String>>,
}

impl Env {
    /// The process's environment variables ([`std::env::var`]) and the file system.
    pub fn real() -> Self {
        Self {
            vars: None,
            files: Arc::default(),
        }
    }

    /// These variables and no others. Files are still read from the file system (unless added
    /// with [`Env::with_file`]), so a test can write a temporary file and point a variable at it.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars = vars
            .into_iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        Self {
            vars: Some(Arc::new(vars)),
            files: Arc::default(),
        }
    }

    /// The same environment with a file at `path` that holds `contents`: reading `path` gives
    /// them instead of what is on disk.
    pub fn with_file(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.files).insert(path.into(), contents.into());
        self
    }

    /// The value of the variable `name`; `None` if it is not set or (in the real environment)
    /// not Unicode.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.vars {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        }
    }

    /// The value of the variable `name`, if it is set to something other than blanks.
    pub(crate) fn get_non_empty(&self, name: &str) -> Option<String> {
        self.get(name).filter(|value| !value.trim().is_empty())
    }

    /// The user's home directory: `HOME`, and on Windows then `USERPROFILE` or
    /// `HOMEDRIVE` and `HOMEPATH`.
    pub fn home_dir(&self) -> Option<PathBuf> {
        if let Some(home) = self.get_non_empty("HOME") {
            return Some(PathBuf::from(home));
        }
        if cfg!(windows) {
            if let Some(profile) = self.get_non_empty("USERPROFILE") {
                return Some(PathBuf::from(profile));
            }
            if let (Some(drive), Some(path)) = (self.get_non_empty("HOMEDRIVE"), self.get_non_empty("HOMEPATH")) {
                return Some(PathBuf::from(format!("{drive}{path}")));
            }
        }
        None
    }

    /// The text of the file at `path`: an in-memory file added with [`Env::with_file`], else
    /// the file on disk.
    pub fn read_file(&self, path: &Path) -> std::io::Result<String> {
        match self.files.get(path) {
            Some(contents) => Ok(contents.clone()),
            None => std::fs::read_to_string(path),
        }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            None => f.debug_struct("Env").field("vars", &"real").finish_non_exhaustive(),
            Some(vars) => {
                let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
                names.sort_unstable();
                let mut files: Vec<&Path> = self.files.keys().map(PathBuf::as_path).collect();
                files.sort_unstable();
                f.debug_struct("Env")
                    .field("vars", &names)
                    .field("files", &files)
                    .finish()
            }
        }
    }
}

/// The region requests go to: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the `region` of
/// the selected profile. Empty values count as unset.
pub fn region_from_env(env: &Env, profiles: &ProfileSet) -> Option<String> {
    env.get_non_empty("AWS_REGION")
        .or_else(|| env.get_non_empty("AWS_DEFAULT_REGION"))
        .or_else(|| {
            profiles
                .get(profiles.selected_profile(), "region")
                .filter(|region| !region.is_empty())
                .map(str::to_owned)
        })
}

/// The credentials provider AWS SDK users expect: [`default_chain`] behind a
/// [`CachingProvider`].
///
/// `transport` carries the calls to the ECS and instance metadata endpoints; give it a short
/// timeout (see the [module documentation](self)). Without one, those two providers are listed
/// as skipped in the chain's error.
pub fn default_provider(env: Env, transport: Option<Arc<dyn Transport>>) -> SharedCredentialsProvider {
    Arc::new(CachingProvider::new(default_chain(env, transport)))
}

/// The default chain, without a cache: [`EnvironmentProvider`], [`ProfileProvider`], web
/// identity federation (not supported: `AWS_WEB_IDENTITY_TOKEN_FILE` or `AWS_ROLE_ARN` stops
/// the chain with an error that names them), then with a transport [`EcsProvider`] and
/// [`ImdsProvider`].
pub fn default_chain(env: Env, transport: Option<Arc<dyn Transport>>) -> ChainProvider {
    let chain = ChainProvider::new()
        .or_else(EnvironmentProvider::new(env.clone()))
        .or_else(ProfileProvider::new(env.clone()))
        .or_else(ChainLink::source(web_identity::WebIdentityEnv::new(env.clone())));
    match transport {
        Some(transport) => chain
            .or_else(EcsProvider::new(env.clone(), transport.clone()))
            .or_else(ImdsProvider::new(env, transport)),
        None => chain
            .or_else(ChainLink::skipped(EcsProvider::NAME, "no HTTP transport"))
            .or_else(ChainLink::skipped(ImdsProvider::NAME, "no HTTP transport")),
    }
}

/// How a provider of this module did: it is not configured here (the chain goes on), or it is
/// configured and failed (the chain stops).
#[derive(Debug)]
pub(crate) enum Attempt {
    /// Nothing to use at `place`, for `reason` (such as `AWS_ACCESS_KEY_ID not set`).
    NotConfigured { place: Cow<'static, str>, reason: String },
    /// The place is configured but did not yield credentials.
    Failed(CredentialsError),
}

impl Attempt {
    /// A failure with `message`, prefixed with the place.
    pub(crate) fn failed(place: &str, message: impl fmt::Display) -> Self {
        Self::Failed(CredentialsError::new(format!("{place}: {message}")))
    }

    /// What a provider used on its own fails with.
    pub(crate) fn into_error(self) -> CredentialsError {
        match self {
            Self::NotConfigured { place, reason } => {
                CredentialsError::new(format!("no AWS credentials found: {place} ({reason})"))
            }
            Self::Failed(error) => error,
        }
    }
}

/// The future of [`Source::attempt`].
pub(crate) type AttemptFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials, Attempt>> + Send + 'a>>;

/// A provider of this module: one that can say it is not configured.
pub(crate) trait Source: Send + Sync + fmt::Debug + 'static {
    /// Credentials, or why there are none.
    fn attempt(&self) -> AttemptFuture<'_>;
}

/// An RFC 3339 timestamp, such as `2026-12-02T10:00:00Z`, as a `SystemTime`.
pub(crate) fn parse_expiration(text: &str) -> Option<SystemTime> {
    let time = DateTime::parse_date_time(text)?;
    let seconds = u64::try_from(time.secs()).ok()?;
    UNIX_EPOCH.checked_add(Duration::new(seconds, time.subsec_nanos()))
}

/// Reads credentials from a JSON object such as the ECS and instance metadata endpoints give.
/// Errors name `place` and never quote the document. See [`credentials_from_object`].
pub(crate) fn credentials_from_json(
    body: &[u8],
    place: &str,
    token_field: &str,
    provider: &'static str,
) -> Result<Credentials, Attempt> {
    let document: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| Attempt::failed(place, format_args!("the credentials are not JSON ({error})")))?;
    let Some(object) = document.as_object() else {
        return Err(Attempt::failed(place, "the credentials are not a JSON object"));
    };
    credentials_from_object(object, place, token_field, provider)
}

/// Reads credentials from the fields `AccessKeyId`, `SecretAccessKey`, the session token in
/// `token_field`, and optionally `Expiration` (RFC 3339) and `AccountId`.
pub(crate) fn credentials_from_object(
    object: &serde_json::Map<String, serde_json::Value>,
    place: &str,
    token_field: &str,
    provider: &'static str,
) -> Result<Credentials, Attempt> {
    let string = |field: &str| -> Result<Option<&str>, Attempt> {
        match object.get(field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(value)) => Ok(Some(value.as_str())),
            Some(_) => Err(Attempt::failed(
                place,
                format_args!("`{field}` in the credentials is not a string"),
            )),
        }
    };
    let required = |field: &str| -> Result<&str, Attempt> {
        string(field)?
            .filter(|value| !value.is_empty())
            .ok_or_else(|| Attempt::failed(place, format_args!("the credentials have no `{field}`")))
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = required("SecretAccessKey")?;
    let session_token = string(token_field)?.filter(|token| !token.is_empty());
    let expiry =
        match string("Expiration")? {
            None => None,
            Some(text) => Some(parse_expiration(text).ok_or_else(|| {
                Attempt::failed(place, "`Expiration` in the credentials is not an RFC 3339 timestamp")
            })?),
        };
    let mut credentials = Credentials::new(
        access_key_id,
        secret_access_key,
        session_token.map(str::to_owned),
        expiry,
        provider,
    );
    if let Some(account_id) = string("AccountId")?.filter(|id| !id.is_empty()) {
        credentials = credentials.with_account_id(account_id);
    }
    Ok(credentials)
}

/// The body of a successful response; any other status fails, naming `what` was asked.
pub(crate) fn successful_body(response: http::Response<Vec<u8>>, place: &str, what: &str) -> Result<Vec<u8>, Attempt> {
    let status = response.status();
    if status.is_success() {
        Ok(response.into_body())
    } else {
        Err(Attempt::failed(place, format_args!("{what} answered {status}")))
    }
}
