//! `aws.protocols#restJson1`: HTTP bindings (see `http_binding`), and a JSON body keyed by
//! `@jsonName`, which the runtime writes and reads.

use crate::tokens::quote;
use crate::tokens::Tokens;

/// The runtime's value for the protocol.
pub(super) fn runtime_value() -> Tokens {
    quote!(Protocol::RestJson1)
}
