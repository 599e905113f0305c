//! Unions: a Rust enum with one variant per member, plus a forward-compatible variant that
//! records the name of a member this version does not know, and the impls through which the
//! runtime's codecs read and write it with its schema.

use crate::tokens::quote;
use crate::tokens::{Ident, Literal, Tokens};

use super::super::{deprecated_attr, doc_attrs, is_sensitive, Context, Output, REDACTED};
use crate::ident::ident;
use crate::model::{Member, Shape};
use crate::symbols::Rt;

pub(in crate::render) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    let name = ident(&symbol.name);
    let unknown = ident(cx.symbols.unknown_variant(&shape.id));
    let docs = doc_attrs(&shape.traits);
    let schema = cx.symbols.schema(&shape.id);
    if members.iter().any(|member| member.traits.deprecated().is_some()) {
        out.allow(&symbol.module, "deprecated");
    }

    struct Variant<'m> {
        member: &'m Member,
        ident: Ident,
        ty: Option<Tokens>,
        boxed: bool,
        sensitive: bool,
    }
    let variants: Vec<Variant<'_>> = members
        .iter()
        .map(|member| {
            let target = cx.index.shape(&member.target);
            let ty = (target.id.as_str() != "smithy.api#Unit").then(|| {
                let ty = cx.symbols.rust_type(cx.index, &member.target, &symbol.module);
                if cx.index.needs_box(&shape.id, member) {
                    quote!(Box<#ty>)
                } else {
                    ty
                }
            });
            Variant {
                member,
                ident: ident(cx.symbols.variant(&shape.id, member)),
                ty,
                boxed: cx.index.needs_box(&shape.id, member),
                sensitive: shape.traits.is_sensitive() || is_sensitive(cx.index, target),
            }
        })
        .collect();

    let definitions = variants.iter().map(|variant| {
        let docs = doc_attrs(&variant.member.traits);
        let deprecated = deprecated_attr(&variant.member.traits);
        let ident = &variant.ident;
        match &variant.ty {
            Some(ty) => quote!(#docs #deprecated #ident(#ty),),
            None => quote!(#docs #deprecated #ident,),
        }
    });
    let redacts = variants.iter().any(|variant| variant.sensitive);
    let derives = if redacts {
        quote!(Clone, PartialEq)
    } else {
        quote!(Clone, PartialEq, Debug)
    };
    let debug = redacts.then(|| {
        let arms = variants.iter().map(|variant| {
            let ident = &variant.ident;
            let label = ident.to_string();
            match (&variant.ty, variant.sensitive) {
                (None, _) => quote!(Self::#ident => f.write_str(#label),),
                (Some(_), true) => quote!(Self::#ident(_) => f.debug_tuple(#label).field(&#REDACTED).finish(),),
                (Some(_), false) => quote!(Self::#ident(value) => f.debug_tuple(#label).field(value).finish(),),
            }
        });
        let unknown_label = unknown.to_string();
        quote! {
            impl std::fmt::Debug for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#arms)*
                        Self::#unknown(member) => f.debug_tuple(#unknown_label).field(member).finish(),
                    }
                }
            }
        }
    });
    let value = Rt::Value.path();
    let view = Rt::View.path();
    let variant_ty = Rt::Variant.path();
    let union = Rt::Union.path();
    let schema_ty = Rt::Schema.path();
    let decode = Rt::Decode.path();
    let decoder = Rt::Decoder.path();
    let decode_error = Rt::DecodeError.path();
    let member_ty = Rt::Member.path();
    let zero = Rt::Zero.path();
    let decode_union = Rt::DecodeUnion.path();
    let serde = super::serde_impls(&name, super::SerdeKind::Union(&schema));
    let validate = Rt::Validate.path();
    let checks = Rt::Checks.path();
    let validate_module = Rt::ValidateModule.path();
    let variant_arms = variants.iter().enumerate().map(|(index, variant)| {
        let ident = &variant.ident;
        let index = Literal::usize_unsuffixed(index);
        match variant.ty {
            Some(_) => quote!(Self::#ident(value) => #variant_ty::Member(#index, Some(value)),),
            None => quote!(Self::#ident => #variant_ty::Member(#index, None),),
        }
    });
    let decode_arms = variants.iter().enumerate().map(|(index, variant)| {
        let ident = &variant.ident;
        let index = Literal::usize_unsuffixed(index);
        match variant.ty {
            Some(_) if variant.boxed => quote!(#index => Self::#ident(Box::new(#decode::decode(member, decoder)?)),),
            Some(_) => quote!(#index => Self::#ident(#decode::decode(member, decoder)?),),
            None => quote! {
                #index => {
                    decoder.skip()?;
                    Self::#ident
                }
            },
        }
    });
    let unknown_doc =
        " A member this version of the crate does not know, by the name it had on the wire. It cannot be serialized.";
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #docs
            #[derive(#derives)]
            #[non_exhaustive]
            // Variants mirror the model's members; boxing the large ones would make the API depend on sizes.
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#definitions)*
                #[doc = #unknown_doc]
                #unknown(String),
            }

            impl #name {
                /// Checks the model's constraints on this value and everything in it, and returns
                /// every violation with the path of the member that broke it.
                #[inline]
                pub fn validate(&self) -> Result<(), #validate_module::ValidationError> {
                    #validate(self, &#schema, #checks::Client)
                }
            }

            #debug

            impl #value for #name {
                #[inline]
                fn view(&self) -> #view<'_> {
                    #view::Union(self)
                }

                #[inline]
                fn variant(&self) -> #variant_ty<'_> {
                    match self {
                        #(#variant_arms)*
                        Self::#unknown(name) => #variant_ty::Unknown(name),
                    }
                }
            }

            impl #union for #name {
                const SCHEMA: &'static #schema_ty = &#schema;

                #[inline]
                fn decode_member(index: usize, member: &'static #member_ty, decoder: &mut dyn #decoder) -> Result<Self, #decode_error> {
                    let _ = member;
                    Ok(match index {
                        #(#decode_arms)*
                        _ => {
                            decoder.skip()?;
                            Self::#unknown(String::new())
                        }
                    })
                }

                #[inline]
                fn unknown(name: &str) -> Self {
                    Self::#unknown(name.to_owned())
                }
            }

            impl #decode for #name {
                #[inline]
                fn decode(_: &'static #member_ty, decoder: &mut dyn #decoder) -> Result<Self, #decode_error> {
                    #decode_union(decoder)
                }
            }

            impl #zero for #name {
                #[inline]
                fn zero() -> Self {
                    Self::#unknown(String::new())
                }
            }

            #serde
        },
    );
}
