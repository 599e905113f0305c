//! Where AWS credentials and the region come from, in the places and the order AWS SDK users
//! expect.
//!
//! - [`Env`]: the environment variables, files and clock the providers read (the real ones,
//!   or a fake set for tests and replayed scenarios);
//! - [`profile`]: the shared config files `~/.aws/config` and `~/.aws/credentials`;
//! - [`region_from_env`]: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`;
//! - the providers, each a [`ProvideCredentials`](crate::auth::ProvideCredentials):
//!   [`EnvironmentProvider`], [`ProfileProvider`] (static keys, `credential_process`, roles
//!   assumed from `source_profile` or `credential_source`, web identity tokens, IAM Identity
//!   Center, console sign-in), [`EcsProvider`] (ECS and EKS Pod Identity), [`ImdsProvider`];
//! - [`ChainProvider`], which tries providers in order, and [`CachingProvider`], which keeps
//!   credentials until shortly before they expire;
//! - [`default_provider`]: the cached chain environment → profile → web identity token
//!   (`AWS_WEB_IDENTITY_TOKEN_FILE`) → ECS → instance metadata, as the AWS SDKs try it.
//!
//! The sources that call AWS (STS `AssumeRole` and `AssumeRoleWithWebIdentity`, IAM Identity
//! Center, Sign-In) do so with the clients of [`crate::aws`], generated from the services'
//! models.
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
//! # Replaying a scenario
//!
//! The whole chain runs from an [`Env`] ([`Env::from_vars`], [`Env::with_file`],
//! [`Env::without_disk`], [`Env::with_clock`]) and one [`Transport`]: a test gives it the
//! variables, files and time of a recorded scenario and a transport that replays the recorded
//! HTTP exchanges (`runtime/tests/credential_scenarios.rs` does, for the scenarios in
//! `runtime/tests/credential-scenarios/`, in the layout the AWS SDK for Rust records its own).
//!
//! # Timeouts
//!
//! The ECS and instance metadata providers make HTTP calls through a
//! [`Transport`], which has no timeout of its own. Give them a
//! transport with a short one (for instance the `hyper-client` feature's
//! `HyperTransport::new().with_timeout(Duration::from_secs(1))`): off EC2, the instance metadata
//! address is often not routed at all, and a request to it would otherwise wait for as long as
//! the transport lets it. [`default_chain_with`] gives the calls to STS, IAM Identity Center and
//! Sign-In a transport of their own, with the timeouts of ordinary calls.

mod cache;
mod chain;
mod ecs;
mod environment;
mod federated;
mod imds;
mod process;
pub mod profile;
mod profile_chain;

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
///
/// It also tells the time ([`Env::now`]: the system clock, or one set with [`Env::with_clock`])
/// and holds the files providers write (the SSO token cache): in-memory files are replaced in
/// memory, shared by every clone, and others written to disk.
#[derive(Clone)]
pub struct Env {
    vars: Option<Arc<HashMap<String, String>>>,
    files: Arc<std::sync::RwLock<HashMap<PathBuf, String>>>,
    clock: Clock,
    /// Whether files that are not in memory are read from (and written to) disk.
    disk: bool,
}

impl Env {
    /// The process's environment variables ([`std::env::var`]) and the file system.
    pub fn real() -> Self {
        Self {
            vars: None,
            files: Arc::default(),
            clock: system_clock(),
            disk: true,
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
            clock: system_clock(),
            disk: true,
        }
    }

    /// The same environment with a file at `path` that holds `contents`: reading `path` gives
    /// them instead of what is on disk.
    pub fn with_file(self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        self.files
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.into(), contents.into());
        self
    }

    /// The same environment telling the time by `clock` (tests replay recorded scenarios at
    /// the time they were recorded).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The same environment with no files but its in-memory ones: others are not found, and
    /// writing one adds it in memory. A replayed scenario runs in such an environment.
    pub fn without_disk(mut self) -> Self {
        self.disk = false;
        self
    }

    /// What time it is, by the environment's clock.
    pub fn now(&self) -> SystemTime {
        (self.clock)()
    }

    /// The environment's clock.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
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
        let files = self.files.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        match files.get(path) {
            Some(contents) => Ok(contents.clone()),
            None if self.disk => std::fs::read_to_string(path),
            // The operating system's own "not found" (ENOENT, ERROR_FILE_NOT_FOUND), as a read
            // of a missing file on disk gives it.
            None => Err(std::io::Error::from_raw_os_error(2)),
        }
    }

    /// Replaces the file at `path` with `contents`: an in-memory file of this environment in
    /// memory, else on disk, whole (written beside it under another name, then renamed over
    /// it), so that a reader never sees half of it, and on Unix readable by its owner only
    /// (mode 0600: the files written are token caches). The directory must exist.
    pub fn write_file(&self, path: &Path, contents: &str) -> std::io::Result<()> {
        {
            let mut files = self.files.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(file) = files.get_mut(path) {
                contents.clone_into(file);
                return Ok(());
            }
            if !self.disk {
                files.insert(path.to_owned(), contents.to_owned());
                return Ok(());
            }
        }
        let mut partial = path.as_os_str().to_owned();
        partial.push(format!(".{}.tmp", std::process::id()));
        let partial = PathBuf::from(partial);
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            // The files written are token caches: readable by their owner only.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&partial)?;
            file.write_all(contents.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&partial, path)
        };
        write().inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            None => f.debug_struct("Env").field("vars", &"real").finish_non_exhaustive(),
            Some(vars) => {
                let mut names: Vec<&str> = vars.keys().map(String::as_str).collect();
                names.sort_unstable();
                let files = self.files.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut files: Vec<&Path> = files.keys().map(PathBuf::as_path).collect();
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
/// [`CachingProvider`] that tells the time by `env`'s clock.
///
/// `transport` carries the calls to the ECS and instance metadata endpoints and to STS, IAM
/// Identity Center and Sign-In; give it a short timeout (see the [module documentation](self)),
/// or use [`default_chain_with`] to give those calls a transport of their own. Without one,
/// the ECS and instance metadata providers are listed as skipped in the chain's error, and the
/// sources that call AWS fail with an error that says so.
pub fn default_provider(env: Env, transport: Option<Arc<dyn Transport>>) -> SharedCredentialsProvider {
    let clock = env.clock();
    Arc::new(CachingProvider::new(default_chain(env, transport)).with_clock(clock))
}

/// The default chain, without a cache, as the AWS SDKs try it: [`EnvironmentProvider`],
/// [`ProfileProvider`] (static keys, `credential_process`, roles, web identity, IAM Identity
/// Center, console sign-in), web identity federation from `AWS_WEB_IDENTITY_TOKEN_FILE`,
/// `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`, then with a transport [`EcsProvider`] (ECS and
/// EKS Pod Identity) and [`ImdsProvider`]. Every call goes through `transport`.
pub fn default_chain(env: Env, transport: Option<Arc<dyn Transport>>) -> ChainProvider {
    default_chain_with(env, transport.clone(), transport)
}

/// [`default_chain`] with the calls to STS, IAM Identity Center and Sign-In going through
/// `aws` (a transport with the timeouts of ordinary calls), and those to the ECS and instance
/// metadata endpoints through `metadata` (one with a short timeout).
pub fn default_chain_with(
    env: Env,
    aws: Option<Arc<dyn Transport>>,
    metadata: Option<Arc<dyn Transport>>,
) -> ChainProvider {
    let mut profile = ProfileProvider::new(env.clone());
    if let Some(aws) = &aws {
        profile = profile.with_transport(aws.clone());
    }
    if let Some(metadata) = &metadata {
        profile = profile.with_metadata_transport(metadata.clone());
    }
    let chain = ChainProvider::new()
        .or_else(EnvironmentProvider::new(env.clone()))
        .or_else(profile)
        .or_else(ChainLink::source(federated::WebIdentityEnv::new(env.clone(), aws)));
    match metadata {
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
    system_time(&DateTime::parse_date_time(text)?)
}

/// A timestamp as a `SystemTime`; `None` before 1970 or past what `SystemTime` holds.
pub(crate) fn system_time(time: &DateTime) -> Option<SystemTime> {
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
