//! Errors that are not part of a model: building values, unmodelled service errors, constraint
//! violations, and what every error a service returns can tell.

use std::sync::Arc;

/// A builder was asked to build a value whose required member was not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    shape: &'static str,
    member: &'static str,
}

impl BuildError {
    /// The error for `member` of `shape` not being set.
    pub const fn missing(shape: &'static str, member: &'static str) -> Self {
        Self { shape, member }
    }

    /// The type being built.
    pub fn shape(&self) -> &'static str {
        self.shape
    }

    /// The field that was not set.
    pub fn member(&self) -> &'static str {
        self.member
    }
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot build `{}`: required member `{}` is not set",
            self.shape, self.member
        )
    }
}

impl std::error::Error for BuildError {}

/// What every error a service returns can tell: modelled errors and [`UnhandledError`].
pub trait ServiceError: std::error::Error {
    /// The error code: what the service sent, or a modelled error's shape name.
    fn code(&self) -> Option<&str>;
    /// The human-readable message, if there is one.
    fn message(&self) -> Option<&str>;
    /// The HTTP status code of the response, or the model's status for an error built locally.
    fn status(&self) -> u16;
    /// Whether the model marks the error `@retryable`.
    fn retryable(&self) -> bool {
        false
    }
    /// The id the service gave the request (`x-amzn-RequestId`, S3's `x-amz-request-id`, or the
    /// XML protocols' `RequestId` element), which its operators ask for.
    fn request_id(&self) -> Option<&str> {
        None
    }
}

/// Whether an error is the caller's fault or the service's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFault {
    /// The request was wrong; sending it again unchanged will fail again.
    Client,
    /// The service failed; the request may succeed later.
    Server,
}

/// What a response said about a modelled error beyond its members: the status code, the error
/// code, the message and the request id as received. Errors built locally have none.
///
/// It takes no part in comparisons: two errors with the same members are equal, whatever
/// responses they came from. It is one pointer wide, so that error enums stay small.
#[derive(Debug, Clone, Default)]
pub struct ErrorMeta(Option<Box<MetaFields>>);

#[derive(Debug, Clone, Default)]
struct MetaFields {
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

impl ErrorMeta {
    /// What a response with `status` and error code `code` says.
    pub fn new(status: u16, code: Option<String>) -> Self {
        Self(Some(Box::new(MetaFields {
            status: Some(status),
            code,
            ..MetaFields::default()
        })))
    }

    fn fields(&mut self) -> &mut MetaFields {
        self.0.get_or_insert_with(Box::default)
    }

    /// The same, with the message the response carried (for errors whose model has no message
    /// member, such as S3's).
    pub fn with_message(mut self, message: Option<String>) -> Self {
        self.fields().message = message;
        self
    }

    /// The same, with the id the service gave the request.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.fields().request_id = request_id;
        self
    }

    /// The message the response carried, if the error came from one that had it.
    pub fn message(&self) -> Option<&str> {
        self.0.as_ref()?.message.as_deref()
    }

    /// The id the service gave the request, if the response said it.
    pub fn request_id(&self) -> Option<&str> {
        self.0.as_ref()?.request_id.as_deref()
    }

    /// The status code of the response, if the error came from one.
    pub fn status(&self) -> Option<u16> {
        self.0.as_ref()?.status
    }

    /// The error code the response carried, if the error came from one.
    pub fn code(&self) -> Option<&str> {
        self.0.as_ref()?.code.as_deref()
    }
}

impl PartialEq for ErrorMeta {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// An error an operation's model does not describe: an error response with a code the model
/// does not know, or a call that failed on the client side (see [`UnhandledError::kind`]).
#[derive(Debug, Clone)]
pub struct UnhandledError {
    kind: UnhandledKind,
    status: u16,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

/// Where an [`UnhandledError`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnhandledKind {
    /// The service answered with an error the model does not describe.
    Service,
    /// The input was refused before anything was sent: a required member is not set, or a value
    /// cannot be put on the wire.
    InvalidInput,
    /// The transport failed to send the request or to receive the response.
    Transport,
    /// The response could not be read as the model describes it.
    InvalidResponse,
    /// The client could not make the request: no endpoint could be resolved, or no credentials
    /// could be had to sign it. Nothing was sent.
    Configuration,
    /// No whole response came within a time limit: the attempt's, the call's, or the
    /// transport's.
    Timeout,
}

/// The error type of [`UnhandledError`]'s sources.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl UnhandledError {
    /// An error response with an HTTP status code and nothing else known.
    pub fn new(status: u16) -> Self {
        Self {
            kind: UnhandledKind::Service,
            status,
            code: None,
            message: None,
            request_id: None,
            source: None,
        }
    }

    fn from_source(kind: UnhandledKind, status: u16, source: BoxError) -> Self {
        Self {
            kind,
            status,
            code: None,
            message: Some(source.to_string()),
            request_id: None,
            source: Some(Arc::from(source)),
        }
    }

    /// The input was refused before anything was sent.
    pub fn invalid_input(source: impl Into<BoxError>) -> Self {
        Self::from_source(UnhandledKind::InvalidInput, 0, source.into())
    }

    /// The transport failed.
    pub fn transport(source: impl Into<BoxError>) -> Self {
        Self::from_source(UnhandledKind::Transport, 0, source.into())
    }

    /// The client could not make the request from its configuration.
    pub fn configuration(source: impl Into<BoxError>) -> Self {
        Self::from_source(UnhandledKind::Configuration, 0, source.into())
    }

    /// No whole response came in time.
    pub fn timeout(source: impl Into<BoxError>) -> Self {
        Self::from_source(UnhandledKind::Timeout, 0, source.into())
    }

    /// A response with status `status` could not be read.
    pub fn invalid_response(status: u16, source: impl Into<BoxError>) -> Self {
        Self::from_source(UnhandledKind::InvalidResponse, status, source.into())
    }

    /// Sets the error code the service sent.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the message the service sent.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Sets the id the service gave the request.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The id the service gave the request, if the response said it.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Where the error comes from.
    pub fn kind(&self) -> UnhandledKind {
        self.kind
    }

    /// The HTTP status code of the response, or 0 when no response was received.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error code, if the service sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message: what the service sent, or what went wrong on the client side.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl PartialEq for UnhandledError {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, self.status, &self.code, &self.message) == (other.kind, other.status, &other.code, &other.message)
    }
}

impl Eq for UnhandledError {}

impl std::fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            UnhandledKind::Service => write!(f, "unhandled error (HTTP {})", self.status)?,
            UnhandledKind::InvalidInput => f.write_str("invalid input, not sent")?,
            UnhandledKind::Transport => f.write_str("transport error")?,
            UnhandledKind::InvalidResponse => write!(f, "unreadable response (HTTP {})", self.status)?,
            UnhandledKind::Configuration => f.write_str("cannot make the request, not sent")?,
            UnhandledKind::Timeout => f.write_str("timed out")?,
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnhandledError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

impl ServiceError for UnhandledError {
    fn code(&self) -> Option<&str> {
        self.code()
    }

    fn message(&self) -> Option<&str> {
        self.message()
    }

    fn status(&self) -> u16 {
        self.status()
    }

    fn request_id(&self) -> Option<&str> {
        self.request_id()
    }
}
