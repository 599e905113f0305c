//! How a profile gets its credentials: a *base* (static keys, a command, a web identity token,
//! IAM Identity Center, a console sign-in, or another source named by `credential_source`)
//! and the roles assumed from it, one per profile of a `source_profile` chain.
//!
//! This module only reads the profiles; `profile.rs` fetches what they describe.

use super::profile::{ProfileSet, Section};
use crate::auth::Credentials;

/// A source that `credential_source` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamedSource {
    /// `Environment`: `AWS_ACCESS_KEY_ID` and the rest.
    Environment,
    /// `Ec2InstanceMetadata`: the instance metadata service.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the ECS (or EKS Pod Identity) container endpoint.
    EcsContainer,
}

/// IAM Identity Center settings of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SsoSettings {
    /// The `sso_session` the profile names; `None` for the legacy form (`sso_start_url` in
    /// the profile).
    pub(crate) session: Option<String>,
    pub(crate) start_url: String,
    pub(crate) region: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
}

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone)]
pub(crate) enum Base {
    Keys(Credentials),
    Process {
        command: String,
        account_id: Option<String>,
    },
    WebIdentity {
        role_arn: String,
        token_file: String,
        session_name: Option<String>,
    },
    Sso(SsoSettings),
    Login {
        session: String,
    },
    Named(NamedSource),
}

/// A role to assume with the credentials before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Role {
    /// The profile that names the role.
    pub(crate) profile: String,
    pub(crate) role_arn: String,
    pub(crate) external_id: Option<String>,
    pub(crate) session_name: Option<String>,
    /// `duration_seconds`: how long the role's credentials last (STS's default, an hour, when
    /// absent).
    pub(crate) duration_seconds: Option<i32>,
}

/// A profile's credentials: the base (from `base_profile`), then the roles in the order they
/// are assumed.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub(crate) base: Base,
    pub(crate) base_profile: String,
    pub(crate) roles: Vec<Role>,
}

/// Why a profile gives no chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// The selected profile has no credentials settings at all (the chain goes on).
    NoCredentials,
    /// The selected profile resolves an SSO bearer token, not credentials (the chain goes on).
    TokenOnly,
    /// The profiles are wrong; the message says how.
    Invalid(String),
}

/// The chain of the profile `selected`, which exists in `profiles`.
pub(crate) fn resolve(profiles: &ProfileSet, selected: &str) -> Result<Chain, Unresolved> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    let mut name = selected.to_owned();
    let mut referenced_from: Option<String> = None;
    loop {
        if visited.contains(&name) {
            return Err(Unresolved::Invalid(format!(
                "profile formed an infinite loop: first we loaded {}, then attempted to reload `{name}` \
                 (each `source_profile` must lead to a profile with credentials)",
                visited.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" → ")
            )));
        }
        let Some(profile) = profiles.profile(&name) else {
            let from = referenced_from.as_deref().unwrap_or(selected);
            return Err(Unresolved::Invalid(format!(
                "profile `{name}` was not defined: `source_profile = {name}` in profile `{from}` names no profile"
            )));
        };
        visited.push(name.clone());
        let first = visited.len() == 1;
        let in_source = |message: String| {
            if first {
                Unresolved::Invalid(message)
            } else {
                Unresolved::Invalid(format!(
                    "invalid credential source in `{name}` (the source profile of `{}`): {message}",
                    referenced_from.as_deref().unwrap_or(selected)
                ))
            }
        };
        // From the second profile on, static keys win over the profile's own role.
        if !first && profile.get_non_empty("aws_access_key_id").is_some() {
            let base = static_keys(profile).map_err(in_source)?;
            return Ok(finish(base, name, roles));
        }
        let role_arn = profile.get_non_empty("role_arn");
        let web_identity = profile.get_non_empty("web_identity_token_file");
        if let (Some(role_arn), None) = (role_arn, web_identity) {
            let duration_seconds = match profile.get_non_empty("duration_seconds") {
                None => None,
                Some(text) => match text.trim().parse::<i32>() {
                    Ok(seconds) if (900..=43_200).contains(&seconds) => Some(seconds),
                    _ => {
                        return Err(in_source(format!(
                            "`duration_seconds = {text}` is not a number of seconds from 900 to 43200"
                        )))
                    }
                },
            };
            let role = Role {
                duration_seconds,
                profile: name.clone(),
                role_arn: role_arn.to_owned(),
                external_id: profile.get_non_empty("external_id").map(str::to_owned),
                session_name: profile.get_non_empty("role_session_name").map(str::to_owned),
            };
            let source_profile = profile.get_non_empty("source_profile");
            let credential_source = profile.get_non_empty("credential_source");
            match (source_profile, credential_source) {
                (Some(_), Some(_)) => {
                    return Err(in_source(
                        "the profile has both `source_profile` and `credential_source`; give one of them".to_owned(),
                    ))
                }
                (None, None) => return Err(in_source(
                    "the profile has `role_arn` but neither `source_profile` nor `credential_source` to assume it with"
                        .to_owned(),
                )),
                (None, Some(source)) => {
                    roles.push(role);
                    let source = named_source(source).map_err(in_source)?;
                    return Ok(finish(Base::Named(source), name, roles));
                }
                (Some(source), None) if source == name => {
                    // A profile that is its own source: its keys (or other base) assume its role.
                    roles.push(role);
                    let base = match base_of(profiles, &name, profile) {
                        Ok(base) => base,
                        Err(Unresolved::NoCredentials) => {
                            return Err(in_source(
                                "the profile is its own `source_profile` but has no credentials of its own".to_owned(),
                            ))
                        }
                        Err(Unresolved::Invalid(message)) => return Err(in_source(message)),
                        Err(other) => return Err(other),
                    };
                    return Ok(finish(base, name, roles));
                }
                (Some(source), None) => {
                    roles.push(role);
                    referenced_from = Some(name.clone());
                    name = source.to_owned();
                    continue;
                }
            }
        }
        return match base_of(profiles, &name, profile) {
            Ok(base) => Ok(finish(base, name, roles)),
            Err(Unresolved::NoCredentials) if !first => Err(in_source(
                "the profile has no credentials (`aws_access_key_id`, `credential_process`, `sso_session`, ...)"
                    .to_owned(),
            )),
            Err(Unresolved::TokenOnly) if !first => Err(in_source(
                "the profile gives an SSO token, not credentials: it needs `sso_account_id` and `sso_role_name`"
                    .to_owned(),
            )),
            Err(Unresolved::Invalid(message)) => Err(in_source(message)),
            Err(other) => Err(other),
        };
    }
}

fn finish(base: Base, base_profile: String, mut roles: Vec<Role>) -> Chain {
    // Found from the selected profile inwards; assumed from the base outwards.
    roles.reverse();
    Chain {
        base,
        base_profile,
        roles,
    }
}

/// The base a profile gives on its own, in the official order of precedence:
/// `credential_source`, a web identity token, IAM Identity Center, a console sign-in,
/// `credential_process`, static keys.
fn base_of(profiles: &ProfileSet, name: &str, profile: &Section) -> Result<Base, Unresolved> {
    if let Some(source) = profile.get_non_empty("credential_source") {
        return named_source(source).map(Base::Named).map_err(Unresolved::Invalid);
    }
    if let Some(token_file) = profile.get_non_empty("web_identity_token_file") {
        let Some(role_arn) = profile.get_non_empty("role_arn") else {
            return Err(Unresolved::Invalid(
                "`web_identity_token_file` was specified but `role_arn` was missing".to_owned(),
            ));
        };
        return Ok(Base::WebIdentity {
            role_arn: role_arn.to_owned(),
            token_file: token_file.to_owned(),
            session_name: profile.get_non_empty("role_session_name").map(str::to_owned),
        });
    }
    if let Some(sso) = sso_settings(profiles, name, profile)? {
        return Ok(Base::Sso(sso));
    }
    if let Some(session) = profile.get_non_empty("login_session") {
        return Ok(Base::Login {
            session: session.to_owned(),
        });
    }
    if let Some(command) = profile.get_non_empty("credential_process") {
        return Ok(Base::Process {
            command: command.to_owned(),
            account_id: profile.get_non_empty("aws_account_id").map(str::to_owned),
        });
    }
    if ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]
        .iter()
        .any(|key| profile.get_non_empty(key).is_some())
    {
        return static_keys(profile).map_err(Unresolved::Invalid);
    }
    Err(Unresolved::NoCredentials)
}

fn static_keys(profile: &Section) -> Result<Base, String> {
    let Some(access_key_id) = profile.get_non_empty("aws_access_key_id") else {
        return Err("the profile has no aws_access_key_id".to_owned());
    };
    let Some(secret_access_key) = profile.get_non_empty("aws_secret_access_key") else {
        return Err("the profile has aws_access_key_id but no aws_secret_access_key".to_owned());
    };
    let session_token = profile.get_non_empty("aws_session_token").map(str::to_owned);
    let credentials = Credentials::new(
        access_key_id,
        secret_access_key,
        session_token,
        None,
        super::ProfileProvider::NAME,
    );
    Ok(Base::Keys(match profile.get_non_empty("aws_account_id") {
        Some(account_id) => credentials.with_account_id(account_id),
        None => credentials,
    }))
}

fn named_source(name: &str) -> Result<NamedSource, String> {
    [
        ("Environment", NamedSource::Environment),
        ("Ec2InstanceMetadata", NamedSource::Ec2InstanceMetadata),
        ("EcsContainer", NamedSource::EcsContainer),
    ]
    .into_iter()
    .find(|(known, _)| known.eq_ignore_ascii_case(name))
    .map(|(_, source)| source)
    .ok_or_else(|| {
        format!(
            "`credential_source = {name}` names no source: give `Environment`, `Ec2InstanceMetadata` or `EcsContainer`"
        )
    })
}

/// The profile's IAM Identity Center settings; `None` when it has none.
fn sso_settings(profiles: &ProfileSet, name: &str, profile: &Section) -> Result<Option<SsoSettings>, Unresolved> {
    const KEYS: [&str; 5] = [
        "sso_session",
        "sso_start_url",
        "sso_region",
        "sso_account_id",
        "sso_role_name",
    ];
    if KEYS.iter().all(|key| profile.get_non_empty(key).is_none()) {
        return Ok(None);
    }
    let invalid =
        |message: String| Unresolved::Invalid(format!("profile `{name}` has invalid SSO settings: {message}"));
    let session = profile.get_non_empty("sso_session");
    let (start_url, region) = match session {
        Some(session) => {
            for key in ["sso_start_url", "sso_region"] {
                if profile.get_non_empty(key).is_some() {
                    return Err(invalid(format!(
                        "`{key}` belongs in the [sso-session {session}] section when the profile names `sso_session`"
                    )));
                }
            }
            let Some(section) = profiles.sso_session(session) else {
                return Err(invalid(format!(
                    "it names `sso_session = {session}`, but there is no [sso-session {session}] section"
                )));
            };
            (
                section.get_non_empty("sso_start_url"),
                section.get_non_empty("sso_region"),
            )
        }
        None => (
            profile.get_non_empty("sso_start_url"),
            profile.get_non_empty("sso_region"),
        ),
    };
    let account_id = profile.get_non_empty("sso_account_id");
    let role_name = profile.get_non_empty("sso_role_name");
    let (account_id, role_name) = match (account_id, role_name) {
        (Some(account_id), Some(role_name)) => (account_id, role_name),
        (Some(_), None) => {
            return Err(invalid(
                "`sso_account_id` is set, so `sso_role_name` must be too".to_owned(),
            ))
        }
        (None, Some(_)) => {
            return Err(invalid(
                "`sso_role_name` is set, so `sso_account_id` must be too".to_owned(),
            ))
        }
        (None, None) => return Err(Unresolved::TokenOnly),
    };
    let Some(start_url) = start_url else {
        return Err(invalid("`sso_start_url` is missing".to_owned()));
    };
    let Some(region) = region else {
        return Err(invalid("`sso_region` is missing".to_owned()));
    };
    Ok(Some(SsoSettings {
        session: session.map(str::to_owned),
        start_url: start_url.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
    }))
}
