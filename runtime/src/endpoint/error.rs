//! The errors of parsing a rule set and of resolving an endpoint.

use std::fmt;

/// A rule set (or partitions data) that cannot be used: where in the JSON, and what is wrong.
///
/// Shown as `<path>: <message>`, for example
/// `rules[3].conditions[0].fn: unknown function foo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetError {
    path: String,
    message: String,
}

impl RuleSetError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The JSON path of the offending value, such as `rules[3].conditions[0].fn`; empty for
    /// the document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for RuleSetError {}

/// Why [`RuleSet::resolve`](super::RuleSet::resolve) gave no endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveErrorKind {
    /// An `error` rule of the rule set matched; the message is the rule's.
    Rule,
    /// A `required` parameter without a default was not set.
    MissingParameter,
    /// A parameter was set to a value of the wrong type.
    InvalidParameter,
    /// No rule matched: the rule set, or a tree rule whose conditions held, ran out of rules.
    NoMatch,
    /// A value had the wrong type while evaluating (a rule set that is not well typed), or a
    /// function was given an argument it refuses (such as an empty `split` delimiter).
    Evaluation,
}

/// Why no endpoint was resolved. `Display` shows the message alone: for an `error` rule, exactly
/// the rule's message (with its templates filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    kind: ResolveErrorKind,
    message: String,
}

impl ResolveError {
    pub(crate) fn new(kind: ResolveErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> ResolveErrorKind {
        self.kind
    }

    /// The message: the `error` rule's, or one that names the parameter or the rule involved.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ResolveError {}
