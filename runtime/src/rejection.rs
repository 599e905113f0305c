//! Why and when a server refuses a request before it reaches the service: a [`Rejection`]
//! (answered in the service's protocol by `Rejection::into_response`), and the [`BodyLimit`]
//! that bounds a request's body. Protocols build rejections; the server answers with them.

use crate::validate::{ValidationError, Violation};

/// Why a request was refused before it reached the service: it names no operation, or it
/// cannot be read, or its values break the model's constraints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub(crate) status: u16,
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
    /// A validation error's member paths and messages.
    pub(crate) fields: Vec<(String, String)>,
    /// The answer is to a `HEAD` request, so it has no body.
    pub(crate) head: bool,
}

impl Rejection {
    fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
            fields: Vec::new(),
            head: false,
        }
    }

    /// The request cannot be read: bad JSON, a value of the wrong type, a bad header or label.
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }

    /// The request's `Content-Type` is not the operation's.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(415, "UnsupportedMediaTypeException", message)
    }

    /// The request's `Accept` excludes what the operation answers.
    pub fn not_acceptable(message: impl Into<String>) -> Self {
        Self::new(406, "NotAcceptableException", message)
    }

    /// The request's body is larger than the server accepts.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            413,
            "PayloadTooLargeException",
            format!("the request body is larger than the {limit} bytes this server accepts"),
        )
    }

    /// The request's body did not arrive in time.
    pub fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(408, "RequestTimeoutException", message)
    }

    /// The server has no memory left for what this request needs now (its decompressed body,
    /// its decoded input): answered `503` with `Retry-After`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, "ServiceUnavailableException", message)
    }

    /// No operation matches the request.
    pub fn unknown_operation() -> Self {
        Self::new(404, "UnknownOperationException", "no operation matches the request")
    }

    /// The request's values break the model's constraints. Past [`MAX_VIOLATIONS`] of them,
    /// the first are kept and the message says that more were cut.
    ///
    /// [`MAX_VIOLATIONS`]: crate::validate::MAX_VIOLATIONS
    pub fn validation(violations: Vec<Violation>) -> Self {
        Self::from(ValidationError::new(violations))
    }

    /// The HTTP status code of the answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error type the answer names.
    pub fn error_type(&self) -> &str {
        self.error_type
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.error_type, self.status, self.message)
    }
}

impl std::error::Error for Rejection {}

impl From<ValidationError> for Rejection {
    fn from(error: ValidationError) -> Self {
        let message = error.to_string();
        Self {
            status: 400,
            error_type: "ValidationException",
            message,
            fields: error
                .into_violations()
                .into_iter()
                .map(|violation| (violation.path, violation.message))
                .collect(),
            head: false,
        }
    }
}

/// The largest body a request may have, as a request extension: the ready server sets it from
/// its `Limits`, and a compressed body (`@requestCompression`) is refused with
/// `413` once it grows past it. Without it, the limit is [`BodyLimit::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// 10 MiB.
    pub const DEFAULT: usize = 10 * 1024 * 1024;
}
