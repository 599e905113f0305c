//! `aws.protocols#restJson1`: HTTP bindings (see `http_binding`), and a JSON body keyed by
//! `@jsonName`, which the runtime writes and reads.

use proc_macro2::TokenStream;
use quote::quote;

/// The runtime's value for the protocol.
pub(super) fn runtime_value() -> TokenStream {
    quote!(Protocol::RestJson1)
}
