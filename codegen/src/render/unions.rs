//! Unions: a Rust enum with one variant per member, plus a forward-compatible variant that
//! records the name of a member this version does not know. In JSON a union is an object with
//! exactly one member set.

use quote::quote;

use super::{deprecated_attr, doc_attrs, is_sensitive, member_encoding, Context, Output, REDACTED};
use crate::ident::ident;
use crate::model::{Member, Shape};

pub(super) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    let name = ident(&symbol.name);
    let name_str = symbol.name.as_str();
    let unknown = ident(cx.symbols.unknown_variant(&shape.id));
    let docs = doc_attrs(&shape.traits);
    if members.iter().any(|member| member.traits.deprecated().is_some()) {
        out.allow(&symbol.module, "deprecated");
    }

    struct Variant<'m> {
        member: &'m Member,
        ident: proc_macro2::Ident,
        ty: Option<proc_macro2::TokenStream>,
        wire: String,
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
                wire: member.traits.json_name().unwrap_or(&member.name).to_owned(),
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
    let serialize_arms = variants.iter().map(|variant| {
        let Variant { ident, wire, .. } = variant;
        match (&variant.ty, member_encoding(cx.index, variant.member)) {
            (None, _) => quote!(Self::#ident => map.serialize_entry(#wire, &std::collections::BTreeMap::<String, ()>::new())?,),
            (Some(_), None) => quote!(Self::#ident(value) => map.serialize_entry(#wire, value)?,),
            (Some(_), Some(encoding)) => {
                let marker = encoding.marker();
                quote!(Self::#ident(value) => map.serialize_entry(#wire, &crate::primitives::encoding::Encoded::<#marker, _>::new(value))?,)
            }
        }
    });
    let deserialize_arms = variants.iter().map(|variant| {
        let Variant { ident, wire, .. } = variant;
        match (&variant.ty, member_encoding(cx.index, variant.member)) {
            (None, _) => quote! {
                #wire => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    Some(#name::#ident)
                }
            },
            (Some(ty), None) => quote!(#wire => map.next_value::<Option<#ty>>()?.map(#name::#ident),),
            (Some(ty), Some(encoding)) => {
                let marker = encoding.marker();
                quote! {
                    #wire => map
                        .next_value::<Option<crate::primitives::encoding::Decoded<#marker, #ty>>>()?
                        .map(|value| #name::#ident(value.into_inner())),
                }
            }
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
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#arms)*
                        Self::#unknown(member) => f.debug_tuple(#unknown_label).field(member).finish(),
                    }
                }
            }
        }
    });
    let validate = cx.constrained.shape(cx.index, shape).then(|| {
        let info: Vec<_> = variants
            .iter()
            .map(|variant| (variant.member, variant.ident.to_string(), variant.ty.is_some()))
            .collect();
        let methods = super::validate::union(cx, shape, &info);
        quote!(impl #name { #methods })
    });
    let unknown_doc =
        " A member this version of the crate does not know, by the name it had on the wire. It cannot be serialized.";
    let expecting = format!("a `{name_str}` union: an object with exactly one member set");
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

            impl serde::Serialize for #name {
                fn serialize<__S: serde::Serializer>(&self, serializer: __S) -> Result<__S::Ok, __S::Error> {
                    use serde::ser::SerializeMap;
                    let mut map = serializer.serialize_map(Some(1))?;
                    match self {
                        #(#serialize_arms)*
                        Self::#unknown(member) => {
                            return Err(serde::ser::Error::custom(format!("cannot serialize the unknown union member `{member}`")));
                        }
                    }
                    map.end()
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<__D: serde::Deserializer<'de>>(deserializer: __D) -> Result<Self, __D::Error> {
                    struct __Visitor;

                    impl<'de> serde::de::Visitor<'de> for __Visitor {
                        type Value = #name;

                        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str(#expecting)
                        }

                        fn visit_map<__A: serde::de::MapAccess<'de>>(self, mut map: __A) -> Result<#name, __A::Error> {
                            let mut found = None;
                            while let Some(key) = map.next_key::<String>()? {
                                let value = match key.as_str() {
                                    #(#deserialize_arms)*
                                    "__type" => {
                                        map.next_value::<serde::de::IgnoredAny>()?;
                                        None
                                    }
                                    _ => {
                                        map.next_value::<serde::de::IgnoredAny>()?;
                                        Some(#name::#unknown(key))
                                    }
                                };
                                if let Some(value) = value {
                                    if found.replace(value).is_some() {
                                        return Err(serde::de::Error::custom(#expecting));
                                    }
                                }
                            }
                            found.ok_or_else(|| serde::de::Error::custom(#expecting))
                        }
                    }

                    deserializer.deserialize_map(__Visitor)
                }
            }

            #debug

            #validate
        },
    );
}
