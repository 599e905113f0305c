//! Errors: the extra impls of `@error` structures, and each operation's error enum.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_lines, is_sensitive, summary, Context, Output};
use crate::ident::ident;
use crate::model::{ErrorFault, Member, Shape, ShapeId, ShapeKind, Simple};
use crate::symbols::{OperationSymbol, TypeSymbol};

/// The member that carries an error's message: `message` in any case, a string.
fn message_member<'m>(cx: &Context<'_>, members: &'m [Member]) -> Option<&'m Member> {
    members.iter().find(|member| {
        member.name.eq_ignore_ascii_case("message")
            && matches!(cx.index.shape(&member.target).kind, ShapeKind::Simple(Simple::String))
    })
}

/// Error code, status, fault, `message()`, `Display` and `std::error::Error` for an error shape.
pub(super) fn render_error_shape(
    cx: &Context<'_>,
    out: &mut Output,
    shape: &Shape,
    members: &[Member],
    symbol: &TypeSymbol,
) {
    let name = ident(&symbol.name);
    let code = shape.id.name();
    let fault = shape.traits.error().unwrap_or(ErrorFault::Client);
    let status = shape.traits.http_error().unwrap_or(match fault {
        ErrorFault::Client => 400,
        ErrorFault::Server => 500,
    });
    let fault = match fault {
        ErrorFault::Client => quote!(crate::error::ErrorFault::Client),
        ErrorFault::Server => quote!(crate::error::ErrorFault::Server),
    };
    let message = message_member(cx, members);
    let message_fn = match message {
        Some(member) => {
            let field = ident(cx.symbols.field(&shape.id, member));
            let body = if cx.index.is_optional(shape, member) {
                quote!(self.#field.as_deref())
            } else {
                quote!(Some(self.#field.as_str()))
            };
            quote! {
                /// The error's human-readable message, if the service sent one.
                pub fn message(&self) -> Option<&str> {
                    #body
                }
            }
        }
        None => quote! {
            /// The error's human-readable message; this error has none.
            pub fn message(&self) -> Option<&str> {
                None
            }
        },
    };
    // A sensitive message stays out of `Display`, as it does out of `Debug`.
    let shows_message = message
        .is_some_and(|member| !shape.traits.is_sensitive() && !is_sensitive(cx.index, cx.index.shape(&member.target)));
    let display_message = shows_message.then(|| {
        quote! {
            if let Some(message) = self.message() {
                write!(f, ": {message}")?;
            }
        }
    });
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            impl #name {
                /// The error's code on the wire: its shape name.
                pub const CODE: &'static str = #code;
                /// The HTTP status code the service answers this error with.
                pub const STATUS: u16 = #status;
                /// Whether the caller or the service is at fault.
                pub const FAULT: crate::error::ErrorFault = #fault;
                #message_fn
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(Self::CODE)?;
                    #display_message
                    Ok(())
                }
            }

            impl std::error::Error for #name {}
        },
    );
}

/// The error enum of an operation: one variant per modelled error, plus the unmodelled case.
pub(super) fn render_operation_error(
    cx: &Context<'_>,
    out: &mut Output,
    operation: &ShapeId,
    symbol: &OperationSymbol,
    errors: &[ShapeId],
) {
    let name = ident(&symbol.error.name);
    let module = &symbol.module;
    let variants: Vec<(TokenStream, &Shape)> = errors
        .iter()
        .map(|id| (cx.symbols.type_of(id).path_from(module), cx.index.shape(id)))
        .collect();
    let variant_idents: Vec<_> = variants
        .iter()
        .map(|(_, shape)| ident(&cx.symbols.type_of(&shape.id).name))
        .collect();
    let variant_defs = variants.iter().zip(&variant_idents).map(|((path, shape), variant)| {
        let docs = summary(shape).map(|text| doc_lines(&text)).unwrap_or_default();
        quote! {
            #docs
            #variant(#path),
        }
    });
    let unhandled = ident(cx.symbols.unhandled_variant(operation));
    let codes = variant_idents
        .iter()
        .zip(&variants)
        .map(|(variant, (path, _))| quote!(Self::#variant(_) => Some(#path::CODE),));
    let statuses = variant_idents
        .iter()
        .zip(&variants)
        .map(|(variant, (path, _))| quote!(Self::#variant(_) => #path::STATUS,));
    let messages = variant_idents
        .iter()
        .map(|variant| quote!(Self::#variant(error) => error.message(),));
    let displays = variant_idents
        .iter()
        .map(|variant| quote!(Self::#variant(error) => error.fmt(f),));
    let froms = variant_idents.iter().zip(&variants).map(|(variant, (path, _))| {
        quote! {
            impl From<#path> for #name {
                fn from(error: #path) -> Self {
                    Self::#variant(error)
                }
            }
        }
    });
    let doc = format!(" The errors that {} can return.", symbol.marker.doc_link(module));
    out.add(
        module,
        &symbol.error.name,
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#variant_defs)*
                /// An error the model does not describe, with what the service said about it.
                #unhandled(crate::error::UnhandledError),
            }

            impl #name {
                /// The error code: the modelled error's shape name, or the code the service sent.
                pub fn code(&self) -> Option<&str> {
                    match self {
                        #(#codes)*
                        Self::#unhandled(error) => error.code(),
                    }
                }

                /// The error's human-readable message, if it has one.
                pub fn message(&self) -> Option<&str> {
                    match self {
                        #(#messages)*
                        Self::#unhandled(error) => error.message(),
                    }
                }

                /// The HTTP status code of the error.
                pub fn status(&self) -> u16 {
                    match self {
                        #(#statuses)*
                        Self::#unhandled(error) => error.status(),
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#displays)*
                        Self::#unhandled(error) => error.fmt(f),
                    }
                }
            }

            impl std::error::Error for #name {}

            #(#froms)*

            impl From<crate::error::UnhandledError> for #name {
                fn from(error: crate::error::UnhandledError) -> Self {
                    Self::#unhandled(error)
                }
            }
        },
    );
}
