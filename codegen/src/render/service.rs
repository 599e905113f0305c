//! The service trait: one async method per operation. A client implements it by calling the
//! service; a server implements it to answer calls. And the service's schema, and the function
//! that tells generic code every operation's type.

use crate::tokens::{quote, Literal};

use super::{doc_attrs, Context, Output};
use crate::ident::ident;
use crate::symbols::{ModulePath, Rt, SERVICE_SCHEMA};

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

    render_schema(cx, out);
    let visitor = Rt::OperationVisitor.path();
    let visits = cx.index.operations().map(|(operation, _)| {
        let marker = cx
            .symbols
            .operation(&operation.id)
            .marker
            .path_from(&ModulePath::new(&["operation"]));
        quote!(visitor.visit::<#marker>();)
    });
    out.add(
        &ModulePath::new(&["operation"]),
        "visit_operations",
        quote! {
            /// Tells `visitor` the type of every operation of the service, in name order: for
            /// generic code that handles every operation alike.
            pub fn visit_operations<V: #visitor>(visitor: &mut V) {
                let _ = &visitor;
                #(#visits)*
            }
        },
    );
}

/// The service's schema: its protocol and operations.
fn render_schema(cx: &Context<'_>, out: &mut Output) {
    let (shape, service) = cx.index.service();
    let id = shape.id.as_str();
    let version = service.version.as_deref().unwrap_or_default();
    let protocol = cx.protocol.runtime_value();
    let code = cx.protocol.runtime_code();
    let query_compatible = shape.traits.is_query_compatible();
    let xml_namespace = super::schema::option(shape.traits.xml_namespace(), |(uri, prefix)| {
        let prefix = super::schema::option(prefix, |prefix| quote!(#prefix));
        quote!(XmlNamespace { uri: #uri, prefix: #prefix })
    });
    let signing_name = match shape.traits.sigv4_name() {
        Some(name) => quote!(Some(#name)),
        None => quote!(None),
    };
    let sdk_id = match shape.traits.sdk_id() {
        Some(id) => quote!(Some(#id)),
        None => quote!(None),
    };
    // The rules, parsed and checked once per generation, are embedded as bytes a client reads without
    // parsing JSON; rules that do not parse are embedded as why (a warning says so too).
    let endpoint_rules = match cx.endpoint_rules {
        Some(Ok(bytes)) => {
            let bytes = Literal::byte_string(bytes);
            quote!(Some(EndpointRules::Compiled(#bytes)))
        }
        Some(Err(why)) => {
            let why = why.as_str();
            quote!(Some(EndpointRules::Invalid(#why)))
        }
        None => quote!(None),
    };
    let operations = cx
        .index
        .operations()
        .map(|(operation, _)| ident(cx.symbols.schema_name(&operation.id)));
    let routes = cx.protocol.routes(cx).into_iter().map(Literal::usize_unsuffixed);
    let name = ident(SERVICE_SCHEMA);
    out.add(
        &super::schema::module(),
        SERVICE_SCHEMA,
        quote! {
            pub static #name: ServiceSchema = ServiceSchema {
                id: #id,
                version: #version,
                protocol: #protocol,
                code: #code,
                query_compatible: #query_compatible,
                xml_namespace: #xml_namespace,
                signing_name: #signing_name,
                sdk_id: #sdk_id,
                endpoint_rules: #endpoint_rules,
                operations: &[#(&#operations),*],
                routes: &[#(#routes),*],
            };
        },
    );
}
