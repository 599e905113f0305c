//! JMESPath: a query language for JSON (<https://jmespath.org/specification.html>), as waiters'
//! acceptors and `smithy.rules#operationContextParams` use it.
//!
//! An [`Expression`] is parsed once and searched against any number of [`serde_json::Value`]s:
//!
//! ```
//! use smithy_runtime::jmespath::Expression;
//! use serde_json::json;
//!
//! let expression = Expression::parse("Reservations[].Instances[?State.Name == 'running'].InstanceId")?;
//! let document = json!({"Reservations": [{"Instances": [
//!     {"InstanceId": "i-1", "State": {"Name": "running"}},
//!     {"InstanceId": "i-2", "State": {"Name": "stopped"}}
//! ]}]});
//! assert_eq!(expression.search(&document)?, json!([["i-1"]]));
//! # Ok::<(), smithy_runtime::jmespath::JmesPathError>(())
//! ```
//!
//! The whole specification is implemented, with every built-in function; unknown functions and
//! wrong numbers of arguments are refused when the expression is parsed. Numbers compare by
//! value (`1 == 1.0`) and keep their JSON form where they pass through unchanged; `sum`, `abs`
//! and `avg` of integers give integers when the result is integral, and `floor` and `ceil`
//! give integers.
//!
//! Nothing here panics on any text or any document: an expression that does not parse is a
//! [`JmesPathError`] of kind [`ErrorKind::Syntax`] naming the byte offset, and evaluation errors
//! (a function given an argument of the wrong type, a slice step of zero) are errors of the other
//! kinds. Expressions nest at most [`MAX_NESTING`] deep, so that neither parsing nor evaluating
//! can exhaust the stack.

mod eval;
mod functions;
mod lexer;
mod parser;

use std::fmt;

use serde_json::Value;

/// How deeply an expression may nest (parenthesised, bracketed, projected, negated, or given as
/// a function argument) before [`Expression::parse`] refuses it with a syntax error. Parsing or
/// evaluating the deepest expressions takes about 1 MiB of stack in an unoptimised build and far
/// less in an optimised one, within the 2 MiB of a spawned thread or a tokio worker. Long chains
/// (`a.b.c…`, `a | b | c…`, `a || b || c…`) do not nest.
pub const MAX_NESTING: usize = 256;

/// A parsed JMESPath expression, ready to be searched against JSON documents.
#[derive(Debug, Clone)]
pub struct Expression {
    text: String,
    root: parser::Node,
}

impl Expression {
    /// Parses `text`. Fails with [`ErrorKind::Syntax`] (naming the byte offset) when the text is
    /// not a JMESPath expression, with [`ErrorKind::UnknownFunction`] when it calls a function
    /// that is not built in, and with [`ErrorKind::InvalidArity`] when it calls one with the
    /// wrong number of arguments.
    pub fn parse(text: &str) -> Result<Expression, JmesPathError> {
        let tokens = lexer::tokenize(text)?;
        let root = parser::parse(tokens)?;
        Ok(Expression {
            text: text.to_owned(),
            root,
        })
    }

    /// Evaluates the expression against `data`. A path that leads nowhere gives `null`; errors
    /// are the evaluation errors of the specification: [`ErrorKind::InvalidType`] for a function
    /// argument of the wrong type, [`ErrorKind::InvalidValue`] for a slice step of zero.
    pub fn search(&self, data: &Value) -> Result<Value, JmesPathError> {
        eval::eval(&self.root, data).map(std::borrow::Cow::into_owned)
    }

    /// The text the expression was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The kinds of JMESPath errors, as the specification and its compliance suite name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not an expression (`syntax`), or nests deeper than [`MAX_NESTING`].
    Syntax,
    /// A function was given a value of a type it does not take (`invalid-type`), or an
    /// expression reference was used as a value.
    InvalidType,
    /// A value of the right type that is still refused (`invalid-value`): a slice step of zero.
    InvalidValue,
    /// A function was called with the wrong number of arguments (`invalid-arity`).
    InvalidArity,
    /// A function that is not built in was called (`unknown-function`).
    UnknownFunction,
}

impl ErrorKind {
    /// The name the compliance suite uses for this kind: `syntax`, `invalid-type`,
    /// `invalid-value`, `invalid-arity` or `unknown-function`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::InvalidType => "invalid-type",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::InvalidArity => "invalid-arity",
            ErrorKind::UnknownFunction => "unknown-function",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an expression did not parse or could not be evaluated.
///
/// Shown as `<kind> at byte <offset>: <message>`, for example
/// `syntax error at byte 4: expected an identifier, `*`, `[` or `{` after `.`, found the end of
/// the expression`; the offset is omitted when no single place is to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JmesPathError {
    kind: ErrorKind,
    offset: Option<usize>,
    message: String,
}

impl JmesPathError {
    pub(crate) fn new(kind: ErrorKind, offset: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            kind,
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Syntax, Some(offset), message)
    }

    /// What kind of error it is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset in the expression's text where the error was found: the offending
    /// token of a syntax error, or the function call that refused its arguments.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// What is wrong, without the kind or the offset.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for JmesPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::InvalidType => "invalid type",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::InvalidArity => "invalid arity",
            ErrorKind::UnknownFunction => "unknown function",
        };
        match self.offset {
            Some(offset) => write!(f, "{kind} at byte {offset}: {}", self.message),
            None => write!(f, "{kind}: {}", self.message),
        }
    }
}

impl std::error::Error for JmesPathError {}

/// Whether an `@operationContextParams` path is read over the input's values directly (an
/// `EndpointParamSource::Path` in a schema): member names, `.`, `[*]` after a list, and
/// `keys(...)` around the whole. Any other expression needs JMESPath (an
/// `EndpointParamSource::Expression`).
pub fn is_member_path(path: &str) -> bool {
    let path = path.trim();
    let inner = path
        .strip_prefix("keys(")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(path);
    !inner.is_empty()
        && inner.split('.').all(|step| {
            let name = step.strip_suffix("[*]").unwrap_or(step);
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

#[cfg(test)]
mod tests;
