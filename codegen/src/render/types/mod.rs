//! The model's types: structures and their builders, enums, unions and errors. Nothing here
//! knows the wire: each type shows itself to the runtime with its schema, and the protocol adds
//! what members' docs say of the wire through the render context.

pub(super) mod enums;
pub(super) mod errors;
pub(super) mod structures;
pub(super) mod unions;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::symbols::Rt;

/// `Serialize` and `Deserialize` for a type: `serialize` is the body of `serialize` (over `self`
/// and `serializer`), `deserialize` the runtime function that reads the type.
fn serde_impls(name: &Ident, serialize: TokenStream, deserialize: Rt) -> TokenStream {
    let serialize_trait = Rt::SerdeSerialize.path();
    let serializer = Rt::SerdeSerializer.path();
    let deserialize_trait = Rt::SerdeDeserialize.path();
    let deserializer = Rt::SerdeDeserializer.path();
    let read = deserialize.path();
    quote! {
        impl #serialize_trait for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl<'de> #deserialize_trait<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #read(deserializer)
            }
        }
    }
}
