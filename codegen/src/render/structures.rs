//! Structures: a struct with public fields, its builder, and a `Debug` that redacts
//! `@sensitive` data.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{deprecated_attr, doc_attrs, errors, is_sensitive, Context, Output, REDACTED};
use crate::ident::ident;
use crate::index::DefaultValue;
use crate::model::{Member, Shape};
use crate::symbols::TypeSymbol;

/// Renders a structure shape that has a type of its own (errors get their extra impls too).
pub(super) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, members: &[Member]) {
    let symbol = cx.symbols.type_of(&shape.id);
    render_structure(cx, out, shape, members, symbol, doc_attrs(&shape.traits));
    if shape.traits.error().is_some() {
        errors::render_error_shape(cx, out, shape, members, symbol);
    }
}

/// One member as a field of the struct and of its builder.
struct Field {
    ident: Ident,
    /// The field name as written in Rust, for `Debug` and errors.
    name: String,
    /// The member's value type, unboxed, as the struct's module names it.
    value_ty: TokenStream,
    /// The same type as the builder's module names it: what the builder stores and takes.
    builder_ty: TokenStream,
    /// The field's type: `value_ty`, boxed and wrapped in `Option` as needed.
    ty: TokenStream,
    optional: bool,
    boxed: bool,
    required: bool,
    default: Option<DefaultValue>,
    sensitive: bool,
    docs: TokenStream,
    deprecated: TokenStream,
    json_name: String,
    /// A `#[serde(with)]` module for members that are not written in their type's default way.
    encoding: Option<super::Encoding>,
    /// A streaming body or event stream: not part of the JSON document.
    streaming: bool,
    /// An `@idempotencyToken`: the builder fills in a fresh token when it is not set.
    idempotency_token: bool,
}

fn fields(cx: &Context<'_>, shape: &Shape, members: &[Member], symbol: &TypeSymbol) -> Vec<Field> {
    members
        .iter()
        .map(|member| {
            let name = cx.symbols.field(&shape.id, member).to_owned();
            let value_ty = cx.symbols.rust_type(cx.index, &member.target, &symbol.module);
            let builder_ty = cx.symbols.rust_type(cx.index, &member.target, &symbol.builder().module);
            let boxed = cx.index.needs_box(&shape.id, member);
            let target = cx.index.shape(&member.target);
            let streaming = target.traits.is_streaming();
            let optional = cx.index.is_optional(shape, member) && !streaming;
            let stored = if boxed {
                quote!(Box<#value_ty>)
            } else {
                value_ty.clone()
            };
            let ty = if optional { quote!(Option<#stored>) } else { stored };
            let default = cx.index.default_of(shape, member).ok().flatten();
            Field {
                ident: ident(&name),
                name,
                value_ty,
                builder_ty,
                ty,
                optional,
                boxed,
                required: member.traits.is_required()
                    && default.is_none()
                    && !streaming
                    && !member.traits.is_idempotency_token(),
                default: if streaming { Some(DefaultValue::Zero) } else { default },
                sensitive: shape.traits.is_sensitive() || is_sensitive(cx.index, cx.index.shape(&member.target)),
                docs: member_docs(member),
                deprecated: deprecated_attr(&member.traits),
                json_name: member.traits.json_name().unwrap_or(&member.name).to_owned(),
                encoding: super::member_encoding(cx.index, member),
                streaming,
                idempotency_token: member.traits.is_idempotency_token(),
            }
        })
        .collect()
}

/// Renders the struct, its `impl` and its builder into the symbol's module.
pub(super) fn render_structure(
    cx: &Context<'_>,
    out: &mut Output,
    shape: &Shape,
    members: &[Member],
    symbol: &TypeSymbol,
    docs: TokenStream,
) {
    let fields = fields(cx, shape, members, symbol);
    if fields.iter().any(|field| !field.deprecated.is_empty()) {
        // The struct's own derives and builder use its deprecated fields; users still see the lint.
        out.allow(&symbol.module, "deprecated");
    }
    let name = ident(&symbol.name);
    let builder = symbol.builder();
    let builder_name = ident(&builder.name);
    let builder_path = builder.path_from(&symbol.module);
    let redacts = fields.iter().any(|field| field.sensitive);
    let all_optional = fields.iter().all(|field| field.optional);

    let mut derives = vec![quote!(Clone), quote!(PartialEq)];
    if !redacts {
        derives.push(quote!(Debug));
    }
    if all_optional {
        derives.push(quote!(Default));
    }
    let struct_fields = fields.iter().map(|field| {
        let Field {
            ident,
            ty,
            docs,
            deprecated,
            json_name,
            ..
        } = field;
        let with = field.encoding.map(|encoding| {
            let module = encoding.module();
            quote!(, with = #module)
        });
        let serde = match (&field.default, field.optional) {
            _ if field.streaming => quote!(#[serde(skip)]),
            (_, true) => quote!(#[serde(rename = #json_name, default, skip_serializing_if = "Option::is_none" #with)]),
            (Some(DefaultValue::Zero), false) => quote!(#[serde(rename = #json_name, default #with)]),
            (Some(_), false) => {
                let function = format!("{}::{}", symbol.name, default_fn(field));
                quote!(#[serde(rename = #json_name, default = #function #with)])
            }
            (None, false) => quote!(#[serde(rename = #json_name #with)]),
        };
        quote! {
            #docs
            #deprecated
            #serde
            pub #ident: #ty,
        }
    });
    let default_fns = fields.iter().filter_map(|field| {
        let value = default_expr(field)?;
        let function = format_ident!("{}", default_fn(field));
        let ty = &field.value_ty;
        Some(quote! {
            #[doc(hidden)]
            pub(crate) fn #function() -> #ty {
                #value
            }
        })
    });
    let name_str = symbol.name.as_str();
    let debug = redacts.then(|| debug_impl(&name, name_str, &fields));
    let validate = cx.constrained.shape(cx.index, shape).then(|| {
        let info: Vec<_> = members
            .iter()
            .zip(&fields)
            .map(|(member, field)| (member, field.name.clone(), field.optional, field.streaming))
            .collect();
        let methods = super::validate::structure(cx, shape, &info);
        quote!(impl #name { #methods })
    });
    let builder_doc = format!(
        " Returns a {} to create a [`{name_str}`] with.",
        builder.doc_link(&symbol.module)
    );
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #docs
            #[derive(#(#derives),*, serde::Serialize, serde::Deserialize)]
            #[non_exhaustive]
            pub struct #name {
                #(#struct_fields)*
            }

            impl #name {
                #[doc = #builder_doc]
                pub fn builder() -> #builder_path {
                    <#builder_path as Default>::default()
                }
                #(#default_fns)*
            }

            #debug

            #validate
        },
    );
    render_builder(out, symbol, &builder, &builder_name, &fields);
}

fn default_fn(field: &Field) -> String {
    format!("default_{}", field.name)
}

/// The expression of a non-zero default, or `None` for zero defaults and no default.
fn default_expr(field: &Field) -> Option<TokenStream> {
    let ty = &field.value_ty;
    Some(match field.default.as_ref()? {
        DefaultValue::Zero => return None,
        DefaultValue::Bool(value) => quote!(#value),
        DefaultValue::Integer(value) => {
            let literal = Literal::i64_unsuffixed(*value);
            quote!(#literal)
        }
        DefaultValue::Float(value) => {
            let literal = Literal::f64_unsuffixed(*value);
            quote!(#literal)
        }
        DefaultValue::String(value) => quote!(String::from(#value)),
        DefaultValue::EnumValue(value) => quote!(#ty::from(#value)),
        DefaultValue::IntEnumValue(value) => {
            let literal = Literal::i64_unsuffixed(*value);
            quote!(#ty::from(#literal))
        }
        DefaultValue::Timestamp(seconds) => {
            let literal = Literal::f64_unsuffixed(*seconds);
            quote!(crate::primitives::DateTime::from_secs_f64(#literal).unwrap_or_default())
        }
        DefaultValue::TimestampText(text) => {
            quote!(crate::primitives::DateTime::parse_date_time(#text).unwrap_or_default())
        }
        DefaultValue::Blob(base64) => quote!(crate::primitives::Blob::from_base64(#base64).unwrap_or_default()),
        DefaultValue::BigNumber(text) => quote!(#ty::new(#text).unwrap_or_default()),
        DefaultValue::Document(json) => quote!(serde_json::from_str(#json).unwrap_or_default()),
    })
}

fn render_builder(out: &mut Output, target: &TypeSymbol, builder: &TypeSymbol, builder_name: &Ident, fields: &[Field]) {
    let target_path = target.path_from(&builder.module);
    let target_str = target.name.as_str();
    let redacts = fields.iter().any(|field| field.sensitive);
    let storage = fields
        .iter()
        .map(|Field { ident, builder_ty, .. }| quote!(#ident: Option<#builder_ty>,));
    let setters = fields.iter().map(|field| {
        let Field {
            ident,
            builder_ty,
            docs,
            deprecated,
            ..
        } = field;
        quote! {
            #docs
            #deprecated
            pub fn #ident(mut self, value: impl Into<#builder_ty>) -> Self {
                self.#ident = Some(value.into());
                self
            }
        }
    });
    let fallible = fields.iter().any(|field| field.required);
    let values = fields.iter().map(|field| {
        let ident = &field.ident;
        let field_name = field.name.as_str();
        let boxed = |value: TokenStream| if field.boxed { quote!(Box::new(#value)) } else { value };
        let value = if field.idempotency_token {
            let token = quote!(crate::primitives::idempotency_token);
            if field.optional {
                quote!(self.#ident.or_else(|| Some(#token())))
            } else {
                quote!(self.#ident.unwrap_or_else(#token))
            }
        } else if field.required {
            let value = boxed(quote!(self.#ident.ok_or(crate::error::BuildError::missing(#target_str, #field_name))?));
            if field.optional {
                quote!(Some(#value))
            } else {
                value
            }
        } else if field.optional {
            if field.boxed {
                quote!(self.#ident.map(Box::new))
            } else {
                quote!(self.#ident)
            }
        } else {
            match &field.default {
                Some(DefaultValue::Zero) | None => boxed(quote!(self.#ident.unwrap_or_default())),
                Some(_) => {
                    let function = format_ident!("{}", default_fn(field));
                    boxed(quote!(self.#ident.unwrap_or_else(#target_path::#function)))
                }
            }
        };
        quote!(#ident: #value,)
    });
    let link = target.doc_link(&builder.module);
    let build_doc = if fallible {
        format!(" Builds the {link}, or names the first required member that is not set.")
    } else {
        format!(" Builds the {link}.")
    };
    let build = if fallible {
        quote! {
            #[doc = #build_doc]
            pub fn build(self) -> Result<#target_path, crate::error::BuildError> {
                Ok(#target_path {
                    #(#values)*
                })
            }
        }
    } else {
        quote! {
            #[doc = #build_doc]
            pub fn build(self) -> #target_path {
                #target_path {
                    #(#values)*
                }
            }
        }
    };
    let derives = if redacts {
        quote!(Clone, PartialEq, Default)
    } else {
        quote!(Clone, PartialEq, Default, Debug)
    };
    let debug = redacts.then(|| debug_impl(builder_name, &builder.name, fields));
    let doc = format!(" A builder for {link}.");
    out.add(
        &builder.module,
        &builder.name,
        quote! {
            #[doc = #doc]
            #[derive(#derives)]
            pub struct #builder_name {
                #(#storage)*
            }

            impl #builder_name {
                #(#setters)*
                #build
            }

            #debug
        },
    );
}

/// A `Debug` impl that prints every field, sensitive ones as a redaction marker.
fn debug_impl(name: &Ident, name_str: &str, fields: &[Field]) -> TokenStream {
    let entries = fields.iter().map(|field| {
        let ident = &field.ident;
        let field_name = field.name.as_str();
        if field.sensitive {
            quote!(.field(#field_name, &#REDACTED))
        } else {
            quote!(.field(#field_name, &self.#ident))
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name_str)
                    #(#entries)*
                    .finish()
            }
        }
    }
}

/// A member's documentation, with where its HTTP binding puts it on the wire.
fn member_docs(member: &Member) -> TokenStream {
    use crate::model::HttpBinding;
    let docs = doc_attrs(&member.traits);
    let binding = match member.traits.http_binding() {
        None => return docs,
        Some(HttpBinding::Label) => format!("Sent in the URI path, as the `{{{}}}` label.", member.name),
        Some(HttpBinding::Query(name)) => format!("Sent as the query parameter `{name}`."),
        Some(HttpBinding::QueryParams) => "Sent as query parameters: every one that no other member binds.".to_owned(),
        Some(HttpBinding::Header(name)) => format!("Sent as the HTTP header `{name}`."),
        Some(HttpBinding::PrefixHeaders(prefix)) if prefix.is_empty() => "Sent as HTTP headers: every one.".to_owned(),
        Some(HttpBinding::PrefixHeaders(prefix)) => format!("Sent as the HTTP headers that start with `{prefix}`."),
        Some(HttpBinding::Payload) => "Sent as the whole HTTP body.".to_owned(),
        Some(HttpBinding::ResponseCode) => "The HTTP status code of the response.".to_owned(),
    };
    let separator = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    let binding = format!(" {binding}");
    quote!(#docs #separator #[doc = #binding])
}
