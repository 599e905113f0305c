//! The value types of generated code: blobs, timestamps, documents, big numbers, streams, and the
//! value an enum keeps when it does not know it.

#[cfg(feature = "full")]
mod big_number;
mod blob;
#[cfg(feature = "full")]
mod date_time;
#[cfg(feature = "full")]
mod events;
#[cfg(feature = "full")]
mod stream;
#[cfg(feature = "full")]
mod token;

#[cfg(feature = "full")]
pub use big_number::{BigDecimal, BigInteger};
pub use blob::Blob;
#[cfg(feature = "full")]
pub use bytes::Bytes;
#[cfg(feature = "full")]
pub use date_time::DateTime;
#[cfg(feature = "full")]
pub(crate) use events::Live as LiveEvents;
#[cfg(feature = "full")]
pub use events::{EventSender, EventStream, EventStreamError, SendError};
#[cfg(feature = "full")]
pub use stream::{ByteStream, StreamError};
#[cfg(feature = "full")]
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
