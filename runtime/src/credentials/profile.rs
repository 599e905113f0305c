//! The shared config files, `~/.aws/config` and `~/.aws/credentials`, and the
//! [`ProfileProvider`] that takes credentials from them.
//!
//! # The files
//!
//! `~/.aws/config` (or the file `AWS_CONFIG_FILE` names) holds `[profile name]` sections, and
//! `[default]` for the default profile; `[sso-session name]` and `[services name]` sections are
//! kept too, and other sections (such as `[name]` without the `profile` prefix) are ignored.
//! `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`) holds `[name]` sections. A `~` at
//! the start of either variable stands for the home directory.
//!
//! Each section holds `name = value` properties. Lines whose first character other than
//! whitespace is `#` or `;` are comments, and so is the rest of a property line from a `#` or
//! `;` that follows whitespace. An indented line continues the property above it: when that
//! property's value is empty, each such line is a sub-property (`s3 =` then
//! `  max_concurrent_requests = 10`); otherwise it is appended to the value after a newline.
//!
//! A profile defined in both files has the properties of both; where both set a property,
//! the credentials file wins. In the config file `[profile default]` wins over `[default]`.
//! Missing files count as empty; a malformed line is a [`ProfileError`] naming the file and
//! the line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use std::sync::Arc;

use super::federated::Calls;
use super::profile_chain::{Base, Chain, NamedSource, Unresolved};
use super::{credentials_from_object, Attempt, AttemptFuture, Env, Source};
use crate::auth::{Credentials, CredentialsFuture, ProvideCredentials};
use crate::transport::Transport;

/// The profile used when `AWS_PROFILE` is not set.
const DEFAULT_PROFILE: &str = "default";

/// A malformed shared config file, or one that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    file: String,
    line: Option<usize>,
    message: String,
}

impl ProfileError {
    /// The file, as the user named it (such as `~/.aws/config`, or the value of
    /// `AWS_CONFIG_FILE`).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line (from 1) that is malformed; `None` when the file could not be read.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong, without the file and line.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ProfileError {}

/// The properties of one section of the shared config files. `Debug` shows the names of the
/// properties, never their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    properties: BTreeMap<String, Property>,
}

#[derive(Clone, Default, PartialEq, Eq)]
struct Property {
    value: String,
    sub_properties: BTreeMap<String, String>,
}

impl Section {
    /// The value of the property `key` (names are matched without regard to case): the text
    /// after `=` and any continuation lines (joined by newlines); the empty string for a
    /// property that has sub-properties.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.property(key).map(|property| property.value.as_str())
    }

    /// The value of the sub-property `sub_key` of the property `key`.
    pub fn get_sub_property(&self, key: &str, sub_key: &str) -> Option<&str> {
        let sub_properties = &self.property(key)?.sub_properties;
        match sub_properties.get(sub_key) {
            Some(value) => Some(value.as_str()),
            None => sub_properties.get(&sub_key.to_ascii_lowercase()).map(String::as_str),
        }
    }

    fn property(&self, key: &str) -> Option<&Property> {
        match self.properties.get(key) {
            Some(property) => Some(property),
            None => self.properties.get(&key.to_ascii_lowercase()),
        }
    }

    /// The names of the properties, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.properties.keys().map(String::as_str)
    }

    /// A value of `key` that is not empty nor only whitespace.
    pub(crate) fn get_non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|value| !value.trim().is_empty())
    }

    /// Adds `other`'s properties, which replace those of the same name.
    fn merge(&mut self, other: Section) {
        self.properties.extend(other.properties);
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.properties.keys()).finish()
    }
}

/// One of the two files, as it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileInfo {
    /// The file as the user names it: `~/.aws/config` or the variable's value.
    display: String,
    exists: bool,
}

/// The profiles of the shared config files, and which one is selected.
///
/// `Debug` shows the names of profiles and properties, never their values.
#[derive(Clone, PartialEq, Eq)]
pub struct ProfileSet {
    selected: String,
    selected_explicitly: bool,
    profiles: BTreeMap<String, Section>,
    sso_sessions: BTreeMap<String, Section>,
    services: BTreeMap<String, Section>,
    /// The credentials file, then the config file.
    files: Vec<FileInfo>,
}

impl Default for ProfileSet {
    /// No profiles, and `default` selected.
    fn default() -> Self {
        Self {
            selected: DEFAULT_PROFILE.to_owned(),
            selected_explicitly: false,
            profiles: BTreeMap::new(),
            sso_sessions: BTreeMap::new(),
            services: BTreeMap::new(),
            files: Vec::new(),
        }
    }
}

impl ProfileSet {
    /// The value of `key` in the profile `profile`.
    pub fn get(&self, profile: &str, key: &str) -> Option<&str> {
        self.profile(profile)?.get(key)
    }

    /// The profile named `name`.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// The name of the selected profile: `AWS_PROFILE`, or `default`.
    pub fn selected_profile(&self) -> &str {
        &self.selected
    }

    /// The same profiles with `name` selected instead.
    pub fn with_selected_profile(mut self, name: impl Into<String>) -> Self {
        self.selected = name.into();
        self.selected_explicitly = true;
        self
    }

    /// The names of the profiles, in order.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The `[sso-session name]` section of the config file.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// The `[services name]` section of the config file.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// `~/.aws/credentials or ~/.aws/config`, with the paths as the user names them.
    fn files_description(&self, conjunction: &str) -> String {
        let names: Vec<&str> = self.files.iter().map(|file| file.display.as_str()).collect();
        names.join(conjunction)
    }
}

impl fmt::Debug for ProfileSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileSet")
            .field("selected", &self.selected)
            .field("profiles", &self.profiles)
            .field("sso_sessions", &self.sso_sessions)
            .field("services", &self.services)
            .finish()
    }
}

/// Reads the shared config files of `env` and selects the profile `AWS_PROFILE` names (or
/// `default`). Missing files count as empty.
pub fn load_profiles(env: &Env) -> Result<ProfileSet, ProfileError> {
    let (selected, selected_explicitly) = match env.get_non_empty("AWS_PROFILE") {
        Some(profile) => (profile, true),
        None => (DEFAULT_PROFILE.to_owned(), false),
    };
    let (credentials_info, credentials_text) = read_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials")?;
    let (config_info, config_text) = read_file(env, "AWS_CONFIG_FILE", "config")?;
    let mut set = ProfileSet {
        selected,
        selected_explicitly,
        ..ProfileSet::default()
    };
    if let Some(text) = config_text {
        let parsed = parse(&text, FileKind::Config, &config_info.display)?;
        let mut profiles = parsed.profiles;
        if let Some(bare_default) = parsed.bare_default {
            profiles.entry(DEFAULT_PROFILE.to_owned()).or_insert(bare_default);
        }
        set.profiles = profiles;
        set.sso_sessions = parsed.sso_sessions;
        set.services = parsed.services;
    }
    if let Some(text) = credentials_text {
        let parsed = parse(&text, FileKind::Credentials, &credentials_info.display)?;
        for (name, section) in parsed.profiles {
            set.profiles.entry(name).or_default().merge(section);
        }
    }
    set.files = vec![credentials_info, config_info];
    Ok(set)
}

/// The file that `variable` names, or `~/.aws/<name>`: how to name it, and its text (`None`
/// when it does not exist).
fn read_file(env: &Env, variable: &str, name: &str) -> Result<(FileInfo, Option<String>), ProfileError> {
    let (display, path) = match env.get_non_empty(variable) {
        Some(value) => {
            let path = expand_home(env, &value);
            (value, path)
        }
        None => (
            format!("~/.aws/{name}"),
            env.home_dir().map(|home| home.join(".aws").join(name)),
        ),
    };
    let Some(path) = path else {
        return Ok((FileInfo { display, exists: false }, None));
    };
    match env.read_file(&path) {
        Ok(text) => Ok((FileInfo { display, exists: true }, Some(text))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok((FileInfo { display, exists: false }, None)),
        Err(error) => {
            let message = if error.kind() == std::io::ErrorKind::InvalidData {
                "the file is not UTF-8".to_owned()
            } else {
                format!("cannot read the file: {error}")
            };
            Err(ProfileError {
                file: display,
                line: None,
                message,
            })
        }
    }
}

/// `value` with a leading `~` replaced by the home directory; `None` when there is a `~` but no
/// home directory.
fn expand_home(env: &Env, value: &str) -> Option<PathBuf> {
    let rest = if value == "~" {
        ""
    } else if let Some(rest) = value.strip_prefix("~/") {
        rest
    } else if let Some(rest) = value.strip_prefix("~\\").filter(|_| cfg!(windows)) {
        rest
    } else {
        return Some(PathBuf::from(value));
    };
    env.home_dir().map(|home| home.join(rest))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// The sections of one file.
#[derive(Default)]
struct ParsedFile {
    profiles: BTreeMap<String, Section>,
    /// `[default]` in the config file, which `[profile default]` overrides.
    bare_default: Option<Section>,
    sso_sessions: BTreeMap<String, Section>,
    services: BTreeMap<String, Section>,
}

/// Where the properties of the current section go.
enum Target {
    Profile(String),
    BareDefault,
    SsoSession(String),
    Services(String),
    Ignored,
}

impl ParsedFile {
    fn store(&mut self, target: Target, section: Section) {
        let map = match target {
            Target::Profile(name) => self.profiles.entry(name),
            Target::SsoSession(name) => self.sso_sessions.entry(name),
            Target::Services(name) => self.services.entry(name),
            Target::BareDefault => {
                self.bare_default.get_or_insert_with(Section::default).merge(section);
                return;
            }
            Target::Ignored => return,
        };
        map.or_default().merge(section);
    }
}

/// Whether `name` may name a profile or section: letters, digits and `_-/.%@:+`.
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '%' | '@' | ':' | '+'))
}

/// Which section a header's text (between the brackets, trimmed) opens.
fn target_of(header: &str, kind: FileKind) -> Target {
    if kind == FileKind::Credentials {
        return if is_identifier(header) {
            Target::Profile(header.to_owned())
        } else {
            Target::Ignored
        };
    }
    if header == DEFAULT_PROFILE {
        return Target::BareDefault;
    }
    let Some((prefix, name)) = header.split_once([' ', '\t']) else {
        return Target::Ignored;
    };
    let name = name.trim();
    if !is_identifier(name) {
        return Target::Ignored;
    }
    match prefix {
        "profile" => Target::Profile(name.to_owned()),
        "sso-session" => Target::SsoSession(name.to_owned()),
        "services" => Target::Services(name.to_owned()),
        _ => Target::Ignored,
    }
}

/// `text` up to a `#` or `;` that follows whitespace, trimmed.
fn strip_comment(text: &str) -> &str {
    let mut previous_is_space = false;
    for (index, c) in text.char_indices() {
        if previous_is_space && (c == '#' || c == ';') {
            return text[..index].trim();
        }
        previous_is_space = c.is_whitespace();
    }
    text.trim()
}

/// The name and value of a `name = value` line, or what is wrong with it.
fn split_property(line: &str) -> Result<(&str, &str), &'static str> {
    let Some((name, value)) = line.split_once('=') else {
        return Err("expected `name = value`");
    };
    let name = name.trim();
    if name.is_empty() {
        return Err("a property needs a name before `=`");
    }
    if name.contains(char::is_whitespace) {
        return Err("a property name cannot contain whitespace");
    }
    Ok((name, strip_comment(value)))
}

/// The sections of `text`, a file of `kind` that messages call `file`.
fn parse(text: &str, kind: FileKind, file: &str) -> Result<ParsedFile, ProfileError> {
    let mut parsed = ParsedFile::default();
    // The section being read, where its properties go, and its last property.
    let mut current: Option<(Target, Section)> = None;
    let mut last_property: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let error = |message: &str| ProfileError {
            file: file.to_owned(),
            line: Some(index + 1),
            message: message.to_owned(),
        };
        let line = if index == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let (Some((_, section)), Some(key)) = (&mut current, &last_property) {
                let Some(property) = section.properties.get_mut(key) else {
                    return Err(error("an indented line must continue a property"));
                };
                if property.value.is_empty() {
                    let (name, value) = split_property(trimmed).map_err(error)?;
                    property
                        .sub_properties
                        .insert(name.to_ascii_lowercase(), value.to_owned());
                } else {
                    property.value.push('\n');
                    property.value.push_str(trimmed);
                }
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some((header, after)) = rest.split_once(']') else {
                return Err(error("a section header needs a closing `]`"));
            };
            let after = after.trim();
            if !after.is_empty() && !after.starts_with(['#', ';']) {
                return Err(error("unexpected text after the section header"));
            }
            let header = header.trim();
            if header.is_empty() {
                return Err(error("a section header needs a name"));
            }
            if let Some((target, section)) = current.take() {
                parsed.store(target, section);
            }
            current = Some((target_of(header, kind), Section::default()));
            last_property = None;
            continue;
        }
        let Some((_, section)) = &mut current else {
            return Err(error("a property must follow a section header such as `[default]`"));
        };
        let (name, value) = split_property(trimmed).map_err(error)?;
        // Property names are matched without regard to case (`AWS_ACCESS_KEY_ID = ...`).
        let name = name.to_ascii_lowercase();
        section.properties.insert(
            name.clone(),
            Property {
                value: value.to_owned(),
                sub_properties: BTreeMap::new(),
            },
        );
        last_property = Some(name);
    }
    if let Some((target, section)) = current {
        parsed.store(target, section);
    }
    Ok(parsed)
}

/// Credentials from the selected profile of the shared config files, in every way the AWS
/// SDKs read them:
///
/// - static keys: `aws_access_key_id`, `aws_secret_access_key`, and optionally
///   `aws_session_token` and `aws_account_id`;
/// - `credential_process`: a command that prints credentials;
/// - a role assumed with STS `AssumeRole` (`role_arn`, optionally `external_id`,
///   `role_session_name` and `duration_seconds`), with the credentials of `source_profile` (a chain of profiles of any
///   length; from the second profile on, static keys win over the profile's own role; a cycle is
///   an error that lists the profiles) or of `credential_source` (`Environment`,
///   `Ec2InstanceMetadata`, `EcsContainer`);
/// - a web identity token: `role_arn` and `web_identity_token_file` (STS
///   `AssumeRoleWithWebIdentity`, the file read again on each refresh);
/// - IAM Identity Center: `sso_session` (and its `[sso-session name]` section's
///   `sso_start_url` and `sso_region`) or the legacy `sso_start_url` and `sso_region`, with
///   `sso_account_id` and `sso_role_name`: the token `aws sso login` cached under
///   `~/.aws/sso/cache/` (refreshed through SSO-OIDC `CreateToken` within five minutes of its
///   expiry, and written back), then SSO `GetRoleCredentials`;
/// - a console sign-in: `login_session`, the credentials `aws login` cached under
///   `~/.aws/login/cache/` (or `AWS_LOGIN_CACHE_DIRECTORY`), refreshed through Sign-In
///   `CreateOAuth2Token` within five minutes of their expiry (with the `hyper-client` feature).
///
/// STS is called in the region of `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's `region`
/// (else `us-east-1`), IAM Identity Center in `sso_region`, with the endpoint settings of the
/// environment (`AWS_ENDPOINT_URL_STS`, FIPS, dual-stack, ...). Those calls go through the
/// transport of [`ProfileProvider::with_transport`]; the instance metadata and container
/// endpoints of `credential_source` through that of [`ProfileProvider::with_metadata_transport`].
///
/// It is not configured when neither file exists, when the profile is `default` and does not
/// exist, or when the profile has no credentials settings (or only an SSO token's). It fails
/// when the files are malformed, when `AWS_PROFILE` (or [`ProfileProvider::with_profile`]) names
/// a profile that does not exist, when the settings are inconsistent, and when a source fails.
///
/// `credential_process` runs with `sh -c` (`cmd.exe /C` on Windows) on a thread of its own, so
/// that it never blocks the caller's executor; with an [`Env::from_vars`] environment it sees
/// exactly those variables. It is killed, and the provider fails, when it runs longer than
/// [`ProfileProvider::DEFAULT_PROCESS_TIMEOUT`] (or [`ProfileProvider::with_process_timeout`])
/// or prints more than 64 KiB. (Killing stops the shell; a command the shell started in the
/// background may live on.) Its output is a JSON object: `Version` 1, `AccessKeyId`,
/// `SecretAccessKey`, and optionally `SessionToken`, `Expiration` (RFC 3339) and `AccountId`.
///
/// Its names, in messages and in [`Credentials::provider`], are [`ProfileProvider::NAME`] and,
/// for credentials from a command, [`ProfileProvider::PROCESS_NAME`]. Messages name the
/// profile: ``profile `default` ``.
#[derive(Clone)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
    process_timeout: Duration,
    transport: Option<Arc<dyn Transport>>,
    metadata: Option<Arc<dyn Transport>>,
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("env", &self.env)
            .field("profile", &self.profile)
            .field("process_timeout", &self.process_timeout)
            .field("transport", &self.transport.is_some())
            .field("metadata", &self.metadata.is_some())
            .finish()
    }
}

impl ProfileProvider {
    /// `profile`: the provider's name in messages and in [`Credentials::provider`] for static
    /// keys.
    pub const NAME: &'static str = "profile";

    /// `credential_process`: [`Credentials::provider`] for credentials from a profile's
    /// command.
    pub const PROCESS_NAME: &'static str = "credential_process";

    /// How long a `credential_process` may run: one minute.
    pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

    /// A provider that reads the files of `env` each time it is asked.
    pub fn new(env: Env) -> Self {
        Self {
            env,
            profile: None,
            process_timeout: Self::DEFAULT_PROCESS_TIMEOUT,
            transport: None,
            metadata: None,
        }
    }

    /// The same provider calling STS, IAM Identity Center and Sign-In with `transport`;
    /// without one, profiles that need those calls fail with an error that says so.
    pub fn with_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The same provider reaching the instance metadata and container endpoints that
    /// `credential_source` names with `transport` (give it a short timeout).
    pub fn with_metadata_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.metadata = Some(transport);
        self
    }

    /// The same provider killing a `credential_process` that runs longer than `timeout`.
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    /// The same provider reading the profile `name` instead of the one `AWS_PROFILE` selects.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    async fn load(&self) -> Result<Credentials, Attempt> {
        let chain = self.configured()?;
        let calls = Calls::new(self.env.clone(), self.transport.clone());
        let base_place = format!("{} `{}`", Self::NAME, chain.base_profile);
        let mut credentials = match &chain.base {
            Base::Keys(credentials) => credentials.clone(),
            Base::Process { command, account_id } => {
                self.run_process(command, &base_place, account_id.as_deref()).await?
            }
            Base::WebIdentity {
                role_arn,
                token_file,
                session_name,
            } => {
                let session_name = session_name
                    .clone()
                    .unwrap_or_else(|| calls.session_name("web-identity-token-profile"));
                calls
                    .web_identity(&base_place, role_arn, token_file, session_name)
                    .await?
            }
            Base::Sso(sso) => calls.sso(&chain.base_profile, sso).await?,
            Base::Login { session } => calls.login(&chain.base_profile, session).await?,
            Base::Named(source) => self.named_source(*source, &base_place).await?,
        };
        for role in &chain.roles {
            credentials = calls.assume_role(credentials, role).await?;
        }
        Ok(credentials)
    }

    /// The credentials of the source `credential_source` names, which must be configured.
    async fn named_source(&self, source: NamedSource, place: &str) -> Result<Credentials, Attempt> {
        let attempt = match source {
            NamedSource::Environment => super::EnvironmentProvider::new(self.env.clone()).attempt().await,
            NamedSource::Ec2InstanceMetadata | NamedSource::EcsContainer => {
                let Some(transport) = self.metadata.clone().or_else(|| self.transport.clone()) else {
                    return Err(Attempt::failed(
                        place,
                        "`credential_source` names an endpoint, and no HTTP transport was given to reach it",
                    ));
                };
                if source == NamedSource::EcsContainer {
                    super::EcsProvider::new(self.env.clone(), transport).attempt().await
                } else {
                    super::ImdsProvider::new(self.env.clone(), transport).attempt().await
                }
            }
        };
        let setting = match source {
            NamedSource::Environment => "Environment",
            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            NamedSource::EcsContainer => "EcsContainer",
        };
        attempt.map_err(|attempt| match attempt {
            Attempt::NotConfigured { place: source, reason } => Attempt::failed(
                place,
                format_args!(
                    "`credential_source = {setting}` gives no credentials (the credential provider was not enabled): {source} ({reason})"
                ),
            ),
            failed => failed,
        })
    }

    /// The chain of the selected profile.
    fn configured(&self) -> Result<Chain, Attempt> {
        let requested = self.profile.clone().or_else(|| self.env.get_non_empty("AWS_PROFILE"));
        let name = requested.as_deref().unwrap_or(DEFAULT_PROFILE);
        let place = format!("{} `{name}`", Self::NAME);
        let mut profiles = load_profiles(&self.env).map_err(|error| Attempt::failed(&place, error))?;
        if let Some(profile) = &self.profile {
            profiles = profiles.with_selected_profile(profile.clone());
        }
        let not_configured = |reason: String| Attempt::NotConfigured {
            place: Cow::Owned(place.clone()),
            reason,
        };
        if !profiles.files.iter().any(|file| file.exists) {
            return Err(not_configured(format!(
                "neither {} exists",
                profiles.files_description(" nor ")
            )));
        }
        if profiles.profile(name).is_none() {
            let files = profiles.files_description(" or ");
            return Err(if profiles.selected_explicitly {
                Attempt::failed(&place, format_args!("no such profile in {files}"))
            } else {
                not_configured(format!("no such profile in {files}"))
            });
        }
        match super::profile_chain::resolve(&profiles, name) {
            Ok(chain) => Ok(chain),
            Err(Unresolved::NoCredentials) => Err(not_configured(format!(
                "no aws_access_key_id in {}",
                profiles.files_description(" or ")
            ))),
            Err(Unresolved::TokenOnly) => Err(not_configured(
                "the profile resolves an SSO token, not credentials (no `sso_account_id` and `sso_role_name`)"
                    .to_owned(),
            )),
            Err(Unresolved::Invalid(message)) => Err(Attempt::failed(&place, message)),
        }
    }

    /// Runs `command` and reads credentials from its output.
    async fn run_process(&self, command: &str, place: &str, account_id: Option<&str>) -> Result<Credentials, Attempt> {
        let mut process = if cfg!(windows) {
            let mut process = Command::new("cmd.exe");
            process.arg("/C");
            process
        } else {
            let mut process = Command::new("sh");
            process.arg("-c");
            process
        };
        process
            .arg(command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(vars) = &self.env.vars {
            process.env_clear().envs(vars.iter());
        }
        let output = super::process::run(process, self.process_timeout)
            .await
            .map_err(|error| Attempt::failed(place, error))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let stderr: String = stderr.trim().chars().take(300).collect();
            let detail = if stderr.is_empty() {
                String::new()
            } else {
                format!(": {stderr}")
            };
            return Err(Attempt::failed(
                place,
                format_args!("the credential_process failed ({}){detail}", output.status),
            ));
        }
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|error| {
            Attempt::failed(
                place,
                format_args!("the credential_process output is not JSON ({error})"),
            )
        })?;
        let Some(object) = document.as_object() else {
            return Err(Attempt::failed(
                place,
                "the credential_process output is not a JSON object",
            ));
        };
        match object.get("Version") {
            Some(version) if version.as_u64() == Some(1) => {}
            Some(_) => {
                return Err(Attempt::failed(
                    place,
                    "the credential_process output has a `Version` other than 1",
                ))
            }
            None => return Err(Attempt::failed(place, "the credential_process output has no `Version`")),
        }
        let credentials = credentials_from_object(object, place, "SessionToken", Self::PROCESS_NAME)?;
        Ok(match account_id {
            Some(account_id) if credentials.account_id().is_none() => credentials.with_account_id(account_id),
            _ => credentials,
        })
    }
}

impl Source for ProfileProvider {
    fn attempt(&self) -> AttemptFuture<'_> {
        Box::pin(self.load())
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { self.load().await.map_err(Attempt::into_error) })
    }
}
