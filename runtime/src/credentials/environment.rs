//! Credentials from environment variables.

use std::borrow::Cow;

use super::{Attempt, AttemptFuture, Env, Source};
use crate::auth::{Credentials, CredentialsFuture, ProvideCredentials};

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, and optionally
/// `AWS_SESSION_TOKEN` and `AWS_ACCOUNT_ID`. Empty values, and values of only whitespace, count
/// as unset.
///
/// It is not configured when `AWS_ACCESS_KEY_ID` is unset; it fails when
/// `AWS_ACCESS_KEY_ID` is set without `AWS_SECRET_ACCESS_KEY`. Its name, in messages and in
/// [`Credentials::provider`], is [`EnvironmentProvider::NAME`].
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// `environment`: the provider's name in messages and in [`Credentials::provider`].
    pub const NAME: &'static str = "environment";

    /// A provider that reads the variables of `env` each time it is asked.
    pub fn new(env: Env) -> Self {
        Self { env }
    }

    fn load(&self) -> Result<Credentials, Attempt> {
        let Some(access_key_id) = self.env.get_non_empty("AWS_ACCESS_KEY_ID") else {
            return Err(Attempt::NotConfigured {
                place: Cow::Borrowed(Self::NAME),
                reason: "AWS_ACCESS_KEY_ID not set".to_owned(),
            });
        };
        let Some(secret_access_key) = self.env.get_non_empty("AWS_SECRET_ACCESS_KEY") else {
            return Err(Attempt::failed(
                Self::NAME,
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
            ));
        };
        let session_token = self.env.get_non_empty("AWS_SESSION_TOKEN");
        let credentials = Credentials::new(access_key_id, secret_access_key, session_token, None, Self::NAME);
        Ok(match self.env.get_non_empty("AWS_ACCOUNT_ID") {
            Some(account_id) => credentials.with_account_id(account_id),
            None => credentials,
        })
    }
}

impl Source for EnvironmentProvider {
    fn attempt(&self) -> AttemptFuture<'_> {
        let result = self.load();
        Box::pin(async move { result })
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let result = self.load().map_err(Attempt::into_error);
        Box::pin(async move { result })
    }
}
