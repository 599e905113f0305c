//! Who a request is from: [`Credentials`], the [`ProvideCredentials`] trait that yields them,
//! and [`sigv4`], which signs requests with them.

pub mod sigv4;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// AWS credentials: an access key id, its secret, and for temporary credentials a session token
/// and an expiry. Cloning them is cheap (they are shared). `Debug` never shows the secret or the
/// token, and both are overwritten with zeros when the last clone is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Arc<Parts>);

#[derive(Clone, PartialEq, Eq)]
struct Parts {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    account_id: Option<String>,
    provider: &'static str,
}

impl Drop for Parts {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.secret_access_key.zeroize();
        self.session_token.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for Parts {}

impl Credentials {
    /// Credentials from their parts; `provider` names where they came from (for messages).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        provider: &'static str,
    ) -> Self {
        Self(Arc::new(Parts {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry,
            account_id: None,
            provider,
        }))
    }

    /// Long-lived credentials given in code.
    pub fn from_keys(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self::new(access_key_id, secret_access_key, None, None, "static")
    }

    /// The same credentials with the id of the account they belong to (the endpoint rules'
    /// `AWS::Auth::AccountId`).
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.0).account_id = Some(account_id.into());
        self
    }

    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    pub fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }

    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref()
    }

    /// When temporary credentials stop working.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    pub fn account_id(&self) -> Option<&str> {
        self.0.account_id.as_deref()
    }

    /// Where the credentials came from, such as `environment` or `profile`.
    pub fn provider(&self) -> &'static str {
        self.0.provider
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = &self.0;
        f.debug_struct("Credentials")
            .field("access_key_id", &parts.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &parts.session_token.as_ref().map(|_| "** redacted **"))
            .field("expiry", &parts.expiry)
            .field("account_id", &parts.account_id)
            .field("provider", &parts.provider)
            .finish()
    }
}

/// Why no credentials could be had: a message that says where they were looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
}

impl CredentialsError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

/// The future a [`ProvideCredentials`] returns.
pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// Something that yields credentials, perhaps by asking a service for them.
pub trait ProvideCredentials: Send + Sync + fmt::Debug + 'static {
    /// The credentials to sign the next request with.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;

    /// Forgets any credentials kept for later calls, so that the next call gets fresh ones: a
    /// client calls it when a service says the credentials have expired. Providers that keep
    /// nothing do nothing (the default).
    fn invalidate(&self) {}
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        (**self).provide_credentials()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

/// A credentials provider that many clients share.
pub type SharedCredentialsProvider = Arc<dyn ProvideCredentials>;
