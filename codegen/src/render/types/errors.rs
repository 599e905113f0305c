//! Errors: the extra impls of `@error` structures, and each operation's error enum.

use crate::tokens::quote;
use crate::tokens::{Literal, Tokens};

use super::super::{doc_lines, is_sensitive, summary, Context, Output};
use crate::ident::ident;
use crate::model::{ErrorFault, Member, Shape, ShapeId, ShapeKind, Simple};
use crate::symbols::{OperationSymbol, Rt, TypeSymbol};

/// The member that carries an error's message: `message` in any case, a string.
fn message_member<'m>(cx: &Context<'_>, members: &'m [Member]) -> Option<&'m Member> {
    members.iter().find(|member| {
        member.name.eq_ignore_ascii_case("message")
            && matches!(cx.index.shape(&member.target).kind, ShapeKind::Simple(Simple::String))
    })
}

/// Error code, status, fault, `message()`, `Display` and `std::error::Error` for an error shape.
pub(in crate::render) fn render_error_shape(
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
    let status = Literal::integer(status);
    let fault = match fault {
        ErrorFault::Client => quote!(crate::error::ErrorFault::Client),
        ErrorFault::Server => quote!(crate::error::ErrorFault::Server),
    };
    let meta = ident(cx.symbols.error_meta(&shape.id));
    let retryable = shape.traits.is_retryable();
    let message = message_member(cx, members);
    let message_fn = match message {
        Some(member) => {
            let field = ident(cx.symbols.field(&shape.id, member));
            // A protocol may carry the message in the error's envelope (awsQuery's `<Message>`)
            // rather than in the member.
            let body = if cx.index.is_optional(shape, member) {
                quote!(self.#field.as_deref().or_else(|| self.#meta.message()))
            } else {
                quote!(Some(self.#field.as_str()))
            };
            quote! {
                /// The error's human-readable message, if the service sent one (in the
                /// message member, or else in the error's envelope).
                #[inline]
                pub fn message(&self) -> Option<&str> {
                    #body
                }
            }
        }
        None => quote! {
            /// The error's human-readable message, if the response carried one (the model
            /// gives this error no message member).
            #[inline]
            pub fn message(&self) -> Option<&str> {
                self.#meta.message()
            }
        },
    };
    // A sensitive message stays out of `Display`, as it does out of `Debug`.
    let shows_message = !shape.traits.is_sensitive()
        && message.is_none_or(|member| !is_sensitive(cx.index, cx.index.shape(&member.target)));
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
                /// The HTTP status code the model gives this error.
                pub const STATUS: u16 = #status;
                /// Whether the caller or the service is at fault.
                pub const FAULT: crate::error::ErrorFault = #fault;
                #message_fn
            }

            impl std::fmt::Display for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(Self::CODE)?;
                    #display_message
                    Ok(())
                }
            }

            impl std::error::Error for #name {}

            impl crate::error::ServiceError for #name {
                #[inline]
                fn code(&self) -> Option<&str> {
                    Some(self.#meta.code().unwrap_or(Self::CODE))
                }

                #[inline]
                fn message(&self) -> Option<&str> {
                    self.message()
                }

                #[inline]
                fn status(&self) -> u16 {
                    self.#meta.status().unwrap_or(Self::STATUS)
                }

                #[inline]
                fn retryable(&self) -> bool {
                    #retryable
                }

                #[inline]
                fn request_id(&self) -> Option<&str> {
                    self.#meta.request_id()
                }
            }
        },
    );
}

/// The error enum of an operation: one variant per modelled error, plus the unmodelled case.
pub(in crate::render) fn render_operation_error(
    cx: &Context<'_>,
    out: &mut Output,
    operation: &ShapeId,
    symbol: &OperationSymbol,
    errors: &[ShapeId],
) {
    let name = ident(&symbol.error.name);
    let module = &symbol.module;
    if let Some(first) = cx.symbols.shared_errors(operation) {
        // The same errors as an operation before it: one enum serves both, so that what is
        // the same is compiled once.
        let first = cx.symbols.operation(first);
        let path = first.error.path_from(module);
        let doc = format!(
            " The errors that {} can return: the same as {}'s, so this names its enum, {}.",
            symbol.marker.doc_link(module),
            first.marker.doc_link(module),
            first.error.doc_link(module),
        );
        out.add(
            module,
            &symbol.error.name,
            quote! {
                #[doc = #doc]
                pub type #name = #path;
            },
        );
        return;
    }
    let variants: Vec<(Tokens, &Shape)> = errors
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
    let inner = variant_idents
        .iter()
        .map(|variant| quote!(Self::#variant(error) => error,));
    let froms = variant_idents.iter().zip(&variants).map(|(variant, (path, _))| {
        quote! {
            impl From<#path> for #name {
                #[inline]
                fn from(error: #path) -> Self {
                    Self::#variant(error)
                }
            }
        }
    });
    let sharing = cx.symbols.sharing_errors_with(operation);
    let doc = match sharing.len() {
        0 => format!(" The errors that {} can return.", symbol.marker.doc_link(module)),
        count => format!(
            " The errors that {} can return, and {count} other operation{} with the same errors, whose \
             error types name this enum: {}.",
            symbol.marker.doc_link(module),
            if count == 1 { "" } else { "s" },
            sharing
                .iter()
                .map(|id| cx.symbols.operation(id).marker.doc_link(module))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    let operation_error = Rt::OperationError.path();
    let decoder = Rt::Decoder.path();
    let decode_error = Rt::DecodeError.path();
    let error_meta = Rt::ErrorMeta.path();
    let value = Rt::Value.path();
    let decode_error_fn = Rt::DecodeErrorStructure.path();
    let decode_arms = variants
        .iter()
        .zip(&variant_idents)
        .enumerate()
        .map(|(index, ((path, _), variant))| {
            let index = Literal::usize_unsuffixed(index);
            quote!(#index => #decode_error_fn::<#path>(decoder, meta).map(Self::#variant),)
        });
    let unknown_error =
        quote!(Ok(Self::#unhandled(crate::error::UnhandledError::new(meta.status().unwrap_or_default()))));
    let decode_body = if variants.is_empty() {
        quote! {
            let _ = (index, decoder);
            #unknown_error
        }
    } else {
        quote! {
            match index {
                #(#decode_arms)*
                _ => #unknown_error,
            }
        }
    };
    let value_arms = variant_idents.iter().enumerate().map(|(index, variant)| {
        let index = Literal::usize_unsuffixed(index);
        quote!(Self::#variant(error) => Ok((#index, error)),)
    });
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
                /// The error, whatever its variant: code, message, status and `Display`.
                #[inline]
                pub fn as_service_error(&self) -> &(dyn crate::error::ServiceError + Send + Sync + 'static) {
                    match self {
                        #(#inner)*
                        Self::#unhandled(error) => error,
                    }
                }

                /// The error code: the modelled error's shape name, or the code the service sent.
                #[inline]
                pub fn code(&self) -> Option<&str> {
                    self.as_service_error().code()
                }

                /// The error's human-readable message, if it has one.
                #[inline]
                pub fn message(&self) -> Option<&str> {
                    self.as_service_error().message()
                }

                /// The HTTP status code of the error.
                #[inline]
                pub fn status(&self) -> u16 {
                    self.as_service_error().status()
                }

                /// Whether the model marks the error `@retryable`.
                #[inline]
                pub fn retryable(&self) -> bool {
                    self.as_service_error().retryable()
                }

                /// The id the service gave the request, if the response said it: what its
                /// operators ask for.
                #[inline]
                pub fn request_id(&self) -> Option<&str> {
                    self.as_service_error().request_id()
                }
            }

            impl std::fmt::Display for #name {
                #[inline]
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Display::fmt(self.as_service_error(), f)
                }
            }

            impl std::error::Error for #name {}

            #(#froms)*

            impl From<crate::error::UnhandledError> for #name {
                #[inline]
                fn from(error: crate::error::UnhandledError) -> Self {
                    Self::#unhandled(error)
                }
            }

            impl #operation_error for #name {
                #[inline]
                fn decode_error(index: usize, decoder: &mut dyn #decoder, meta: #error_meta) -> Result<Self, #decode_error> {
                    #decode_body
                }

                #[inline]
                fn error_value(&self) -> Result<(usize, &dyn #value), &crate::error::UnhandledError> {
                    match self {
                        #(#value_arms)*
                        Self::#unhandled(error) => Err(error),
                    }
                }
            }
        },
    );
}
