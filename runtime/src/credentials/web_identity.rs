//! Web identity federation configured in the environment, which this module cannot honour yet.

use std::borrow::Cow;

use super::{Attempt, AttemptFuture, Env, Source};

/// The variables that configure web identity federation (`AssumeRoleWithWebIdentity`), as EKS
/// (IAM Roles for Service Accounts) and other OIDC setups set them.
const VARIABLES: &[&str] = &["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"];

/// The place in the chain where web identity federation configured by environment variables
/// would give credentials. It is not configured when none of `AWS_WEB_IDENTITY_TOKEN_FILE` and
/// `AWS_ROLE_ARN` is set; when either is, it fails with an error that names them, so that a
/// chain stops there instead of taking credentials from a place further down (such as the
/// instance metadata of the node a pod runs on).
#[derive(Debug, Clone)]
pub(crate) struct WebIdentityEnv {
    env: Env,
}

impl WebIdentityEnv {
    /// `web identity token`: the place's name in messages.
    pub(crate) const NAME: &'static str = "web identity token";

    pub(crate) fn new(env: Env) -> Self {
        Self { env }
    }

    fn load(&self) -> Attempt {
        let set: Vec<&str> = VARIABLES
            .iter()
            .copied()
            .filter(|name| self.env.get_non_empty(name).is_some())
            .collect();
        if set.is_empty() {
            return Attempt::NotConfigured {
                place: Cow::Borrowed(Self::NAME),
                reason: "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set".to_owned(),
            };
        }
        let verb = if set.len() == 1 { "is" } else { "are" };
        Attempt::failed(
            Self::NAME,
            format_args!(
                "{} {verb} set: web identity federation (AssumeRoleWithWebIdentity) is not supported here; \
                 unset them, or give credentials in the environment (AWS_ACCESS_KEY_ID) or in the profile",
                set.join(" and ")
            ),
        )
    }
}

impl Source for WebIdentityEnv {
    fn attempt(&self) -> AttemptFuture<'_> {
        let attempt = self.load();
        Box::pin(async move { Err(attempt) })
    }
}
