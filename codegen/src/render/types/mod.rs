//! The model's types: structures and their builders, enums, unions and errors. Nothing here
//! knows the wire: each type shows itself to the runtime with its schema, and the protocol adds
//! what members' docs say of the wire through the render context.

pub(super) mod enums;
pub(super) mod errors;
pub(super) mod structures;
pub(super) mod unions;

use crate::tokens::quote;
use crate::tokens::{Ident, Tokens};

use crate::symbols::Rt;

/// What a type is, to serde: how the runtime's `serde_impls!` writes and reads it.
enum SerdeKind<'a> {
    Structure(&'a Tokens),
    Union(&'a Tokens),
    Enum,
    IntEnum,
}

/// `Serialize` and `Deserialize` for a type, through the runtime's `serde_impls!`, which writes
/// them when the runtime's `serde` feature is on (the schema for structures and unions).
fn serde_impls(name: &Ident, kind: SerdeKind<'_>) -> Tokens {
    let mac = Rt::SerdeImpls.path();
    match kind {
        SerdeKind::Structure(schema) => quote!(#mac!(structure #name, #schema);),
        SerdeKind::Union(schema) => quote!(#mac!(union #name, #schema);),
        SerdeKind::Enum => quote!(#mac!(enum #name);),
        SerdeKind::IntEnum => quote!(#mac!(int_enum #name);),
    }
}
