//! A chain of providers, tried in order.

use std::borrow::Cow;

use super::{Attempt, EcsProvider, EnvironmentProvider, ImdsProvider, ProfileProvider, Source};
use crate::auth::{Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, SharedCredentialsProvider};

/// One provider of a [`ChainProvider`]: one of this module's (which can say they are not
/// configured, so that the chain goes on), another [`ProvideCredentials`]
/// ([`ChainLink::custom`]), or a place listed as skipped ([`ChainLink::skipped`]).
///
/// This module's providers convert into it with [`From`].
#[derive(Debug)]
pub struct ChainLink(Link);

#[derive(Debug)]
enum Link {
    Source(Box<dyn Source>),
    Custom {
        name: &'static str,
        provider: SharedCredentialsProvider,
    },
    Skipped {
        place: &'static str,
        reason: &'static str,
    },
}

impl ChainLink {
    /// Any provider, named `name` in messages. Every error it returns stops the chain: it
    /// cannot tell the chain that it is merely not configured.
    pub fn custom(name: &'static str, provider: impl ProvideCredentials) -> Self {
        Self(Link::Custom {
            name,
            provider: std::sync::Arc::new(provider),
        })
    }

    /// A place that is never looked at, listed in the chain's error as `place (reason)`, such as
    /// ``EC2 instance metadata (no HTTP transport)``.
    pub fn skipped(place: &'static str, reason: &'static str) -> Self {
        Self(Link::Skipped { place, reason })
    }

    /// One of this module's sources.
    pub(crate) fn source(source: impl Source) -> Self {
        Self(Link::Source(Box::new(source)))
    }

    async fn attempt(&self) -> Result<Credentials, Attempt> {
        match &self.0 {
            Link::Source(source) => source.attempt().await,
            Link::Custom { name, provider } => provider
                .provide_credentials()
                .await
                .map_err(|error| Attempt::failed(name, error)),
            Link::Skipped { place, reason } => Err(Attempt::NotConfigured {
                place: Cow::Borrowed(place),
                reason: (*reason).to_owned(),
            }),
        }
    }
}

macro_rules! chain_link_from {
    ($($provider:ty),*) => {$(
        impl From<$provider> for ChainLink {
            fn from(provider: $provider) -> Self {
                Self(Link::Source(Box::new(provider)))
            }
        }
    )*};
}

chain_link_from!(EnvironmentProvider, ProfileProvider, EcsProvider, ImdsProvider);

/// Tries providers in order and gives the credentials of the first that has them.
///
/// A provider that is not configured (such as [`EnvironmentProvider`] without
/// `AWS_ACCESS_KEY_ID`) is passed over. A provider that is configured but fails (a malformed
/// profile, an ECS endpoint that answers with an error) stops the chain with its error, as the
/// AWS SDKs do: a broken configuration is reported, not replaced by credentials from elsewhere;
/// the error then also lists the places looked at before it. When no provider is configured,
/// the error lists every place looked at and why it had nothing, such as:
///
/// ```text
/// no AWS credentials found (the credential provider was not enabled in any place looked at): environment (AWS_ACCESS_KEY_ID not set); profile `default` (no aws_access_key_id in ~/.aws/credentials or ~/.aws/config); web identity token (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set); ECS container (AWS_CONTAINER_CREDENTIALS_* not set); EC2 instance metadata (http://169.254.169.254: connection refused)
/// ```
#[derive(Debug, Default)]
pub struct ChainProvider {
    links: Vec<ChainLink>,
}

impl ChainProvider {
    /// A chain of no providers, which finds no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same chain with `link` tried after the providers already in it.
    pub fn or_else(mut self, link: impl Into<ChainLink>) -> Self {
        self.links.push(link.into());
        self
    }
}

impl ProvideCredentials for ChainProvider {
    fn invalidate(&self) {
        for link in &self.links {
            if let Link::Custom { provider, .. } = &link.0 {
                provider.invalidate();
            }
        }
    }

    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let mut looked = Vec::with_capacity(self.links.len());
            for link in &self.links {
                match link.attempt().await {
                    Ok(credentials) => return Ok(credentials),
                    Err(Attempt::NotConfigured { place, reason }) => looked.push(format!("{place} ({reason})")),
                    Err(Attempt::Failed(error)) => {
                        let before = if looked.is_empty() {
                            String::new()
                        } else {
                            format!(" (looked at first: {})", looked.join("; "))
                        };
                        return Err(CredentialsError::new(format!(
                            "an error occurred while loading credentials: {error}{before}"
                        )));
                    }
                }
            }
            let looked = if looked.is_empty() {
                "the chain has no providers".to_owned()
            } else {
                looked.join("; ")
            };
            Err(CredentialsError::new(format!(
                "no AWS credentials found (the credential provider was not enabled in any place looked at): {looked}"
            )))
        })
    }
}
