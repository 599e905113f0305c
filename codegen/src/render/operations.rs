//! Operations: a module per operation with its marker type, input, output and error enum, and
//! the operation's schema.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{errors, structures};
use super::{doc_attrs, doc_lines, Context, Output};
use crate::ident::ident;
use crate::model::{Member, Operation, Paginated, Shape, ShapeKind, Simple};
use crate::symbols::{Rt, TypeSymbol};

pub(super) fn render(cx: &Context<'_>, out: &mut Output, shape: &Shape, operation: &Operation) {
    let symbol = cx.symbols.operation(&shape.id);
    let operation_name = shape.id.name();
    let module_doc = match super::summary(shape) {
        Some(summary) => format!("The `{operation_name}` operation.\n\n{summary}"),
        None => format!("The `{operation_name}` operation."),
    };
    out.module(&symbol.module).doc = Some(module_doc);
    out.module(&symbol.module.child("builders")).doc =
        Some(format!("Builders for the input and output of `{operation_name}`."));

    for (target, io, unit, what) in [
        (&operation.input, &symbol.input, symbol.unit_input, "input"),
        (&operation.output, &symbol.output, symbol.unit_output, "output"),
    ] {
        if unit {
            render_unit(cx, out, cx.index.shape(target), io, operation_name, what);
        }
    }

    let marker = ident(&symbol.marker.name);
    let input = symbol.input.path_from(&symbol.module);
    let output = symbol.output.path_from(&symbol.module);
    let error = symbol.error.path_from(&symbol.module);
    let docs = doc_attrs(&shape.traits);
    let binding_doc = cx
        .protocol
        .operation_doc(shape)
        .map(|text| {
            let lines = doc_lines(&text);
            quote!(#[doc = ""] #lines)
        })
        .unwrap_or_default();
    let operation_trait = Rt::Operation.path();
    let operation_schema = Rt::OperationSchema.path();
    let service_schema = Rt::ServiceSchema.path();
    let schema = cx.symbols.schema(&shape.id);
    let service = cx.symbols.service_schema();
    out.add(
        &symbol.module,
        &symbol.marker.name,
        quote! {
            #docs
            #binding_doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #marker;

            impl #operation_trait for #marker {
                type Input = #input;
                type Output = #output;
                type Error = #error;
                const SCHEMA: &'static #operation_schema = &#schema;
                const SERVICE: &'static #service_schema = &#service;
            }
        },
    );
    render_schema(cx, out, shape, operation);
    if let Some(paginated) = paginated(cx, shape, operation) {
        out.add(&symbol.module, &symbol.marker.name, paginated);
    }
    errors::render_operation_error(cx, out, &shape.id, symbol, &cx.index.operation_errors(operation));
}

/// The operation's `@paginated` trait, merged over the service's.
fn merged_paginated(cx: &Context<'_>, shape: &Shape) -> Option<Paginated> {
    let own = shape.traits.paginated()?;
    let service = cx.index.service().0.traits.paginated().unwrap_or_default();
    Some(Paginated {
        input_token: own.input_token.or(service.input_token),
        output_token: own.output_token.or(service.output_token),
        items: own.items.or(service.items),
        page_size: own.page_size.or(service.page_size),
    })
}

/// The member that a `@paginated` path (`a.b.c`, by member names) names, from a structure,
/// with the shapes it goes through.
fn resolve_path<'m>(cx: &'m Context<'_>, start: &'m Shape, path: &str) -> Option<Vec<(&'m Shape, &'m Member)>> {
    let mut steps = Vec::new();
    let mut shape = start;
    for name in path.split('.') {
        let ShapeKind::Structure(members) = &shape.kind else {
            return None;
        };
        let member = members.iter().find(|member| member.name == name)?;
        steps.push((shape, member));
        shape = cx.index.shape(&member.target);
    }
    Some(steps)
}

/// An expression reading a string member along `steps` from `root` as `Option<&str>`.
fn read_token(cx: &Context<'_>, root: TokenStream, steps: &[(&Shape, &Member)]) -> TokenStream {
    let mut expression = quote!(Some(#root));
    for (index, (container, member)) in steps.iter().enumerate() {
        let field = ident(cx.symbols.field(&container.id, member));
        let last = index + 1 == steps.len();
        expression = match (cx.index.is_optional(container, member), last) {
            (true, true) => quote!(#expression.and_then(|value| value.#field.as_deref())),
            (false, true) => quote!(#expression.map(|value| value.#field.as_str())),
            (true, false) => quote!(#expression.and_then(|value| value.#field.as_ref())),
            (false, false) => quote!(#expression.map(|value| &value.#field)),
        };
    }
    expression
}

fn paginated(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> Option<TokenStream> {
    let paginated = merged_paginated(cx, shape)?;
    let symbol = cx.symbols.operation(&shape.id);
    let marker = ident(&symbol.marker.name);
    let input = cx.index.shape(&operation.input);
    let output = cx.index.shape(&operation.output);
    let input_token = paginated.input_token.as_deref()?;
    let output_token = paginated.output_token.as_deref()?;
    let input_member = resolve_path(cx, input, input_token)?;
    let output_steps = resolve_path(cx, output, output_token)?;
    // The input token is a top-level string member that the next request sets.
    let [(input_container, input_member)] = input_member.as_slice() else {
        return None;
    };
    if !matches!(
        cx.index.shape(&input_member.target).kind,
        ShapeKind::Simple(Simple::String)
    ) {
        return None;
    }
    let input_field = ident(cx.symbols.field(&input_container.id, input_member));
    let set = if cx.index.is_optional(input_container, input_member) {
        quote!(input.#input_field = token;)
    } else {
        quote!(input.#input_field = token.unwrap_or_default();)
    };
    let next = read_token(cx, quote!(output), &output_steps);
    let text = |value: &Option<String>| match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    };
    let items = text(&paginated.items);
    let page_size = text(&paginated.page_size);
    let paginated_trait = Rt::Paginated.path();
    Some(quote! {
        impl #paginated_trait for #marker {
            const INPUT_TOKEN: &'static str = #input_token;
            const OUTPUT_TOKEN: &'static str = #output_token;
            const ITEMS: Option<&'static str> = #items;
            const PAGE_SIZE: Option<&'static str> = #page_size;

            #[inline]
            fn next_token(output: &Self::Output) -> Option<&str> {
                #next
            }

            #[inline]
            fn set_token(input: &mut Self::Input, token: Option<String>) {
                #set
            }
        }
    })
}

/// The operation's schema static: its input, output and errors, and its bindings.
fn render_schema(cx: &Context<'_>, out: &mut Output, shape: &Shape, operation: &Operation) {
    let name = ident(cx.symbols.schema_name(&shape.id));
    let id = shape.id.as_str();
    let operation_name = shape.id.name();
    let io = |target: &crate::model::ShapeId| super::schema::target_schema(cx, cx.index.shape(target));
    let (input, output) = (io(&operation.input), io(&operation.output));
    let errors = cx
        .index
        .operation_errors(operation)
        .into_iter()
        .map(|error| super::schema::target_schema(cx, cx.index.shape(&error)));
    let http = cx.protocol.http_schema(shape);
    let host_prefix = match shape.traits.host_prefix() {
        Some(prefix) => quote!(Some(#prefix)),
        None => quote!(None),
    };
    let unsigned = shape.traits.is_unsigned();
    let checksum_required = shape.traits.get("smithy.api#httpChecksumRequired").is_some();
    let endpoint_params = endpoint_params(cx, shape, operation);
    out.add(
        &super::schema::module(),
        cx.symbols.schema_name(&shape.id),
        quote! {
            pub static #name: OperationSchema = OperationSchema {
                id: #id,
                name: #operation_name,
                input: &#input,
                output: &#output,
                errors: &[#(&#errors),*],
                http: #http,
                host_prefix: #host_prefix,
                unsigned: #unsigned,
                checksum_required: #checksum_required,
                endpoint_params: &[#(#endpoint_params),*],
            };
        },
    );
}

/// The endpoint rule-set parameters an operation sets: static ones first, then the input's
/// `@contextParam` members, then `@operationContextParams` paths, so that a later source wins
/// for a parameter named twice.
fn endpoint_params(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> Vec<TokenStream> {
    let param = |name: &str, source: TokenStream| quote!(EndpointParam { name: #name, source: #source });
    let mut params = Vec::new();
    for (name, value) in shape.traits.static_context_params() {
        let value = match value {
            serde_json::Value::Bool(value) => quote!(StaticParam::Bool(#value)),
            serde_json::Value::String(value) => quote!(StaticParam::String(#value)),
            serde_json::Value::Array(items) => {
                let items = items.iter().filter_map(serde_json::Value::as_str);
                quote!(StaticParam::StringArray(&[#(#items),*]))
            }
            _ => continue,
        };
        params.push(param(name, quote!(EndpointParamSource::Static(#value))));
    }
    if let ShapeKind::Structure(members) = &cx.index.shape(&operation.input).kind {
        for (index, member) in members.iter().enumerate() {
            if let Some(name) = member.traits.context_param() {
                let index = proc_macro2::Literal::usize_unsuffixed(index);
                params.push(param(name, quote!(EndpointParamSource::Member(#index))));
            }
        }
    }
    for (name, path) in shape.traits.operation_context_params() {
        params.push(param(name, quote!(EndpointParamSource::Path(#path))));
    }
    params
}

/// An empty structure standing for `smithy.api#Unit` as an operation's input or output.
fn render_unit(cx: &Context<'_>, out: &mut Output, unit: &Shape, symbol: &TypeSymbol, operation: &str, what: &str) {
    let docs = doc_lines(&format!("The {what} of `{operation}`, which has no members."));
    if let ShapeKind::Structure(members) = &unit.kind {
        structures::render_structure(cx, out, unit, members, symbol, docs);
    }
}
