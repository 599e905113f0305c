//! The value types of generated code: blobs, timestamps, documents, big numbers, streams, and the
//! value an enum keeps when it does not know it.

mod big_number;
mod blob;
mod date_time;
mod events;
mod stream;
mod token;

pub use big_number::{BigDecimal, BigInteger};
pub use blob::Blob;
pub use bytes::Bytes;
pub use date_time::DateTime;
pub(crate) use events::Live as LiveEvents;
pub use events::{EventSender, EventStream, EventStreamError, SendError};
pub use stream::{ByteStream, StreamError};
pub use token::idempotency_token;

/// An untyped JSON-like value: null, boolean, number, string, list or map.
pub type Document = serde_json::Value;

/// An enum value that this version of a generated crate does not know, kept exactly as
/// received.
///
/// Only an enum's `From<&str>` creates one, so a known value is never held here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Keeps `value`. Generated enums call it for values they do not know.
    #[doc(hidden)]
    pub fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
