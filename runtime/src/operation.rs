//! Operations: what a generated operation's marker type says about it, and its wire functions.

use std::fmt::Debug;

use crate::error::{ErrorMeta, UnhandledError};
use crate::schema::{OperationSchema, ServiceSchema};
use crate::shape::{DecodeError, Decoder, Structure, Value};

/// What every operation has: its input, output and error types, and its schema.
pub trait Operation: Sized + Send + Sync + 'static {
    /// The operation's input.
    type Input: Structure + Clone + PartialEq + Debug + Unpin;
    /// The operation's output on success.
    type Output: Structure + Clone + PartialEq + Debug;
    /// The errors the operation can return.
    type Error: OperationError;
    /// The operation's schema.
    const SCHEMA: &'static OperationSchema;
    /// The schema of the service it belongs to.
    const SERVICE: &'static ServiceSchema;
    /// The operation's absolute shape id.
    const SHAPE_ID: &'static str = Self::SCHEMA.id;
    /// The operation's name.
    const NAME: &'static str = Self::SCHEMA.name;
    /// The HTTP method of requests.
    const METHOD: &'static str = match &Self::SCHEMA.http {
        Some(http) => http.method,
        None => "POST",
    };
    /// The URI template of requests, with `{Label}` placeholders.
    const URI: &'static str = match &Self::SCHEMA.http {
        Some(http) => http.uri,
        None => "/",
    };
    /// The HTTP status code of a successful response.
    const SUCCESS_CODE: u16 = match &Self::SCHEMA.http {
        Some(http) => http.code,
        None => 200,
    };
}

/// An operation's error enum: one variant per modelled error (in the order of the operation
/// schema's `errors`), and one for what the model does not describe.
pub trait OperationError:
    std::error::Error + From<UnhandledError> + Clone + PartialEq + Debug + Send + Sync + 'static
{
    /// Reads the modelled error at `index` of the operation's errors, with what its response
    /// said about it.
    fn decode_error(index: usize, decoder: &mut dyn Decoder, meta: ErrorMeta) -> Result<Self, DecodeError>;
    /// The modelled error, with its index, or the unmodelled one.
    fn error_value(&self) -> Result<(usize, &dyn Value), &UnhandledError>;
}

/// Something that is told the type of each operation of a service, in turn: generated crates'
/// `operation::visit_operations` calls it, so that generic code (a test harness, a registry of
/// handlers) can reach every operation.
pub trait OperationVisitor {
    /// Called once per operation.
    fn visit<O: Operation>(&mut self);
}

/// A `@paginated` operation: which members carry the page token, the items and the page size
/// (member names, `.`-separated for nested members), and how to read the next token and send
/// it.
pub trait Paginated: Operation {
    /// The input member that sends the token of the page to fetch.
    const INPUT_TOKEN: &'static str;
    /// The output member that carries the token of the next page.
    const OUTPUT_TOKEN: &'static str;
    /// The output member that holds the page's items.
    const ITEMS: Option<&'static str>;
    /// The input member that limits the page size.
    const PAGE_SIZE: Option<&'static str>;
    /// The token of the next page, or `None` on the last page.
    fn next_token(output: &Self::Output) -> Option<&str>;
    /// Sets the token of the page to fetch.
    fn set_token(input: &mut Self::Input, token: Option<String>);
    /// Sets the most items a page may hold, for an operation with a page size (others ignore
    /// it). A size beyond the member's type is clamped to it.
    fn set_page_size(input: &mut Self::Input, size: i32) {
        let _ = (input, size);
    }
}

/// A `@paginated` operation whose pages hold items: the `items` member's list items, or its
/// map's entries.
pub trait PaginatedItems: Paginated {
    /// One item of a page.
    type Item: Send + 'static;
    /// The items of a page, in order.
    fn items(output: Self::Output) -> Vec<Self::Item>;
}
