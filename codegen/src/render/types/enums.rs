//! Enums: one variant per value plus a forward-compatible variant that keeps any value this
//! version does not know, and gives it back unchanged.

use crate::tokens::quote;
use crate::tokens::{Ident, Literal, Tokens};

use super::super::{doc_attrs, Context, Output, REDACTED};
use crate::ident::ident;
use crate::model::{Member, Shape};
use crate::symbols::{enum_wire_value, Rt};

/// The impls through which the runtime's codecs read and write an enum: as a string or an
/// integer, by `read` from the decoder's value and `view` of `self`.
fn runtime_impls(name: &Ident, view: Tokens, read: Tokens, zero: Tokens) -> Tokens {
    let value = Rt::Value.path();
    let view_ty = Rt::View.path();
    let decode = Rt::Decode.path();
    let decoder = Rt::Decoder.path();
    let decode_error = Rt::DecodeError.path();
    let member = Rt::Member.path();
    let zero_trait = Rt::Zero.path();
    quote! {
        impl #value for #name {
            #[inline]
            fn view(&self) -> #view_ty<'_> {
                #view
            }
        }

        impl #decode for #name {
            #[inline]
            fn decode(member: &'static #member, decoder: &mut dyn #decoder) -> Result<Self, #decode_error> {
                #read
            }
        }

        impl #zero_trait for #name {
            #[inline]
            fn zero() -> Self {
                #zero
            }
        }
    }
}

pub(in crate::render) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    let name = ident(&symbol.name);
    let name_str = symbol.name.as_str();
    let docs = doc_attrs(&shape.traits);
    let unknown = ident(cx.symbols.unknown_variant(&shape.id));
    let variants: Vec<_> = members
        .iter()
        .map(|member| ident(cx.symbols.variant(&shape.id, member)))
        .collect();
    let values: Vec<String> = members.iter().map(enum_wire_value).collect();
    let variant_defs = variant_definitions(out, &symbol.module, members, &variants, &values);
    let derives = if shape.traits.is_sensitive() {
        quote!(Clone, PartialEq, Eq, Hash)
    } else {
        quote!(Clone, Debug, PartialEq, Eq, Hash)
    };
    let debug = shape.traits.is_sensitive().then(|| {
        quote! {
            impl std::fmt::Debug for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(#REDACTED)
                }
            }
        }
    });
    let unknown_doc =
        format!(" A value this version of the crate does not know. [`{name_str}::as_str`] gives it back unchanged.");
    let view_ty = Rt::View.path();
    let unknown_value = Rt::UnknownValue.path();
    let decode_enum = Rt::DecodeEnum.path();
    let serde = super::serde_impls(&name, super::SerdeKind::Enum);
    let runtime = runtime_impls(
        &name,
        quote!(#view_ty::String(self.as_str())),
        quote!(#decode_enum(member, decoder)),
        quote!(Self::#unknown(#unknown_value::new(""))),
    );
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #docs
            #[derive(#derives)]
            #[non_exhaustive]
            pub enum #name {
                #(#variant_defs)*
                #[doc = #unknown_doc]
                #unknown(crate::primitives::UnknownValue),
            }

            impl #name {
                /// The value as it appears on the wire.
                #[inline]
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::#unknown(value) => value.as_str(),
                    }
                }

                /// Every value the model defines, in model order.
                #[inline]
                pub const fn values() -> &'static [&'static str] {
                    &[#(#values),*]
                }
            }

            impl From<&str> for #name {
                #[inline]
                fn from(value: &str) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        other => Self::#unknown(#unknown_value::new(other)),
                    }
                }
            }

            impl std::str::FromStr for #name {
                type Err = std::convert::Infallible;

                #[inline]
                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Ok(Self::from(value))
                }
            }

            impl std::fmt::Display for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl AsRef<str> for #name {
                #[inline]
                fn as_ref(&self) -> &str {
                    self.as_str()
                }
            }

            #serde

            #debug

            #runtime
        },
    );
}

/// An intEnum: like a string enum, over `i32` values.
pub(in crate::render) fn render_int_enum(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    let name = ident(&symbol.name);
    let name_str = symbol.name.as_str();
    let docs = doc_attrs(&shape.traits);
    let unknown = ident(cx.symbols.unknown_variant(&shape.id));
    let variants: Vec<_> = members
        .iter()
        .map(|member| ident(cx.symbols.variant(&shape.id, member)))
        .collect();
    let values: Vec<Literal> = members
        .iter()
        .map(|member| {
            let value = member
                .traits
                .enum_value()
                .and_then(serde_json::Value::as_i64)
                .unwrap_or_default();
            Literal::integer(value)
        })
        .collect();
    let variant_defs = variant_definitions(out, &symbol.module, members, &variants, &values);
    let unknown_doc =
        format!(" A value this version of the crate does not know. [`{name_str}::as_i32`] gives it back.");
    let view_ty = Rt::View.path();
    let decode_int_enum = Rt::DecodeIntEnum.path();
    let serde = super::serde_impls(&name, super::SerdeKind::IntEnum);
    let runtime = runtime_impls(
        &name,
        quote!(#view_ty::Integer(self.as_i32())),
        quote!(#decode_int_enum(member, decoder)),
        quote!(Self::from(0)),
    );
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #docs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#variant_defs)*
                #[doc = #unknown_doc]
                #unknown(i32),
            }

            impl #name {
                /// The value as it appears on the wire.
                #[inline]
                pub fn as_i32(&self) -> i32 {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::#unknown(value) => *value,
                    }
                }

                /// Every value the model defines, in model order.
                #[inline]
                pub const fn values() -> &'static [i32] {
                    &[#(#values),*]
                }
            }

            impl From<i32> for #name {
                #[inline]
                fn from(value: i32) -> Self {
                    match value {
                        #(#values => Self::#variants,)*
                        other => Self::#unknown(other),
                    }
                }
            }

            impl std::fmt::Display for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    write!(f, "{}", self.as_i32())
                }
            }

            #serde

            #runtime
        },
    );
}

/// The variants of an enum: the wire value, the member's documentation and `#[deprecated]`.
fn variant_definitions<V: std::fmt::Display>(
    out: &mut Output,
    module: &crate::symbols::ModulePath,
    members: &[Member],
    variants: &[Ident],
    values: &[V],
) -> Vec<Tokens> {
    if members.iter().any(|member| member.traits.deprecated().is_some()) {
        out.allow(module, "deprecated");
    }
    members
        .iter()
        .zip(variants)
        .zip(values)
        .map(|((member, variant), value)| {
            let docs = doc_attrs(&member.traits);
            let deprecated = super::super::deprecated_attr(&member.traits);
            let value_doc = format!(" `{value}`");
            let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
            quote! {
                #[doc = #value_doc]
                #separator
                #docs
                #deprecated
                #variant,
            }
        })
        .collect()
}
