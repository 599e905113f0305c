//! The service trait: one async method per operation. A client implements it by calling the
//! service; a server implements it to answer calls.

use quote::quote;

use super::{doc_attrs, Context, Output};
use crate::ident::ident;
use crate::symbols::ModulePath;

pub(super) fn render(cx: &Context<'_>, out: &mut Output) {
    let (shape, service) = cx.index.service();
    let symbol = cx.symbols.service();
    let module = &symbol.module;
    let name = ident(&symbol.name);
    let docs = doc_attrs(&shape.traits);
    let methods = cx.index.operations().map(|(operation, _)| {
        let op = cx.symbols.operation(&operation.id);
        let method = ident(&op.method);
        let input = op.input.path_from(module);
        let output = op.output.path_from(module);
        let error = op.error.path_from(module);
        let docs = doc_attrs(&operation.traits);
        quote! {
            #docs
            fn #method(&self, input: #input) -> impl std::future::Future<Output = Result<#output, #error>> + Send;
        }
    });
    let id = shape.id.as_str();
    let version = service.version.as_deref().unwrap_or_default();
    let name_str = symbol.name.as_str();
    let usage = format!(
        " Implemented by a client, which sends each call to the service, and by a server, which\n answers them. Implement a method with `async fn`; the future it returns must be `Send`.\n\n Every method has the same shape: `{name_str}::method(&self, input) -> Result<Output, Error>`."
    );
    out.module(module).doc = Some(format!("The `{}` service interface.", shape.id.name()));
    out.add(
        module,
        "SHAPE_ID",
        quote! {
            /// The service's shape id.
            pub const SHAPE_ID: &str = #id;
            /// The API version the generated code was built from.
            pub const VERSION: &str = #version;
        },
    );
    let usage_lines = usage.lines().map(str::to_owned);
    out.add(
        module,
        &symbol.name,
        quote! {
            #docs
            ///
            #(#[doc = #usage_lines])*
            pub trait #name {
                #(#methods)*
            }
        },
    );
    let path = symbol.path_from(&ModulePath::root());
    out.add(&ModulePath::root(), "", quote!(pub use #path;));
}
