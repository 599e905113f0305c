//! Codecs: JSON (bodies of the JSON protocols, and the serde document form), the text forms of
//! values in URIs and headers, and the serde bridge. Each walks values with their schemas.

pub mod json;
pub mod serde;
pub mod text;

/// Who reads, which decides how strictly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// A client reads responses leniently: Smithy's error correction fills in required members
    /// a response lacks, a null in a dense list or map is skipped, a timestamp may come in any
    /// of the three formats.
    Client,
    /// A server reads requests strictly: a missing required member is a violation, a null in a
    /// dense list or map is refused, a timestamp must be in its member's format.
    Server,
    /// The serde document form: strict like a server, but timestamps in any format.
    Document,
}

/// The message of a required member that a server found missing, worded as Smithy services word
/// it.
pub(crate) fn missing_member(path: &str) -> crate::validate::Violation {
    crate::validate::Violation {
        path: path.to_owned(),
        constraint: "required",
        message: format!("Value at '{path}' failed to satisfy constraint: Member must not be null"),
    }
}
