//! Errors: values that carry where they happened (file, JSON path, shape id) and are turned into
//! one message at the edge.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, for callers that want to react to a kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file failed.
    Io,
    /// The model file is not valid JSON.
    Syntax,
    /// The JSON is not a valid Smithy 2.0 JSON AST (wrong version, wrong field types, ...).
    InvalidModel,
    /// A member, operation or service refers to a shape that does not exist.
    UnresolvedTarget,
    /// A shape or trait the generator does not support yet.
    Unsupported,
    /// Two shapes or members would get the same Rust name.
    NameConflict,
    /// The generated code could not be parsed back; a bug in the generator.
    Internal,
    /// The crate's `smithy-runtime` dependency is missing or of another version than the one
    /// the generator writes code for.
    Runtime,
}

/// An error from loading a model or generating code from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    line_column: Option<(usize, usize)>,
    json_path: Option<String>,
    shape: Option<String>,
    /// Every problem, when one error reports several.
    problems: Vec<Error>,
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self(Box::new(Inner {
            kind,
            message: message.into(),
            file: None,
            line_column: None,
            json_path: None,
            shape: None,
            problems: Vec::new(),
        }))
    }

    /// One error for every problem of `problems`; `None` when there is none.
    pub(crate) fn all(mut problems: Vec<Error>) -> Option<Self> {
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            count => {
                let kind = problems[0].kind();
                let mut error = Self::new(kind, format!("{count} problems in the model"));
                error.0.problems = problems;
                Some(error)
            }
        }
    }

    /// The error with `f` applied to each problem it reports.
    pub(crate) fn map_problems(mut self, f: impl Fn(Error) -> Error) -> Self {
        let problems = std::mem::take(&mut self.0.problems);
        self.0.problems = problems.into_iter().map(f).collect();
        self
    }

    /// The problems an error reports when it reports several; empty otherwise.
    pub fn problems(&self) -> &[Error] {
        &self.0.problems
    }

    pub(crate) fn io(path: &Path, err: &std::io::Error) -> Self {
        Self::new(ErrorKind::Io, err.to_string()).in_file(path)
    }

    pub(crate) fn invalid(json_path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidModel, message).at_path(json_path)
    }

    pub(crate) fn unsupported(shape: impl fmt::Display, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message).for_shape(shape)
    }

    /// Records the file the error is about, unless one is already recorded.
    pub(crate) fn in_file(mut self, path: &Path) -> Self {
        self.0.file.get_or_insert_with(|| path.to_path_buf());
        for problem in &mut self.0.problems {
            *problem = problem.clone().in_file(path);
        }
        self
    }

    pub(crate) fn at_line_column(mut self, line: usize, column: usize) -> Self {
        self.0.line_column = Some((line, column));
        self
    }

    pub(crate) fn at_path(mut self, json_path: impl Into<String>) -> Self {
        self.0.json_path = Some(json_path.into());
        self
    }

    pub(crate) fn for_shape(mut self, shape: impl fmt::Display) -> Self {
        self.0.shape.get_or_insert_with(|| shape.to_string());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message without its location.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The file the error was found in, if it concerns one.
    pub fn file(&self) -> Option<&Path> {
        self.0.file.as_deref()
    }

    /// One-based line and column in the model file, for JSON syntax errors.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        self.0.line_column
    }

    /// The JSON path of the offending value, such as `$.shapes["ns#Foo"].members.Bar.target`.
    pub fn json_path(&self) -> Option<&str> {
        self.0.json_path.as_deref()
    }

    /// The absolute shape id the error is about.
    pub fn shape(&self) -> Option<&str> {
        self.0.shape.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        if let Some(file) = &inner.file {
            write!(f, "{}", file.display())?;
            if let Some((line, column)) = inner.line_column {
                write!(f, ":{line}:{column}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(path) = &inner.json_path {
            write!(f, "at {path}: ")?;
        }
        if let Some(shape) = &inner.shape {
            write!(f, "shape `{shape}`: ")?;
        }
        f.write_str(&inner.message)?;
        for problem in &inner.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The JSON path of a shape of the model, or of one of its members, in the JSON AST
/// (`$.shapes["ns#Name"]`, `$.shapes["ns#Name"].members.name`): checks name every shape and
/// member they look at, and the path is written out only for an error.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShapePath<'a> {
    id: &'a str,
    member: Option<MemberAt<'a>>,
}

/// Where a member is in its shape's JSON.
#[derive(Debug, Clone, Copy)]
enum MemberAt<'a> {
    /// A list's or set's `member`.
    Item,
    Key,
    Value,
    /// A structure's, union's or enum's member by name.
    Named(&'a str),
}

impl<'a> ShapePath<'a> {
    /// The path of the shape `id`.
    pub(crate) fn shape(id: &'a crate::model::ShapeId) -> Self {
        Self {
            id: id.as_str(),
            member: None,
        }
    }

    /// The shape's members (a list's member, a map's key and value, or the named members of
    /// the other kinds), each with its path.
    pub(crate) fn members(shape: &'a crate::model::Shape) -> Vec<(&'a crate::model::Member, Self)> {
        use crate::model::ShapeKind;
        let at = |member| Self {
            id: shape.id.as_str(),
            member: Some(member),
        };
        match &shape.kind {
            ShapeKind::List(member) | ShapeKind::Set(member) => vec![(member, at(MemberAt::Item))],
            ShapeKind::Map { key, value } => vec![(key, at(MemberAt::Key)), (value, at(MemberAt::Value))],
            kind => kind
                .members()
                .into_iter()
                .map(|member| (member, at(MemberAt::Named(&member.name))))
                .collect(),
        }
    }
}

impl fmt::Display for ShapePath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "$.shapes[{:?}]", self.id)?;
        match self.member {
            None => Ok(()),
            Some(MemberAt::Item) => f.write_str(".member"),
            Some(MemberAt::Key) => f.write_str(".key"),
            Some(MemberAt::Value) => f.write_str(".value"),
            Some(MemberAt::Named(name)) => write!(f, ".members.{name}"),
        }
    }
}
