//! Operations: a module per operation with its marker type, input, output and error enum, and
//! the operation's schema.

use crate::tokens::quote;
use crate::tokens::{Ident, Literal, Tokens};

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
            #[derive(Debug, Clone, Default)]
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
fn read_token(cx: &Context<'_>, root: Tokens, steps: &[(&Shape, &Member)]) -> Tokens {
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

/// Whether an operation gets a paginator: it is `@paginated` with tokens the generated code can
/// follow (a top-level string input token, an output token path of structures to a string).
pub(crate) fn has_paginator(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> bool {
    paginated(cx, shape, operation).is_some()
}

/// An expression moving the value along `steps` out of `root` (an owned structure), as an
/// `Option` of the last member's value.
fn take_member(cx: &Context<'_>, root: Tokens, steps: &[(&Shape, &Member)]) -> Tokens {
    let mut expression = quote!(Some(#root));
    for (container, member) in steps {
        let field = ident(cx.symbols.field(&container.id, member));
        expression = if cx.index.is_optional(container, member) {
            quote!(#expression.and_then(|value| value.#field))
        } else {
            quote!(#expression.map(|value| value.#field))
        };
    }
    expression
}

/// The `PaginatedItems` impl of an operation whose `items` path reaches a list or a map.
fn paginated_items(
    cx: &Context<'_>,
    marker: &Ident,
    module: &crate::symbols::ModulePath,
    output: &Shape,
    items: &str,
) -> Option<Tokens> {
    let steps = resolve_path(cx, output, items)?;
    let (_, last) = steps.last()?;
    let target = cx.index.shape(&last.target);
    let sparse = target.traits.is_sparse();
    let wrap = |item: Tokens| if sparse { quote!(Option<#item>) } else { item };
    let item = match &target.kind {
        ShapeKind::List(member) | ShapeKind::Set(member) => {
            wrap(cx.symbols.rust_type(cx.index, &member.target, module))
        }
        ShapeKind::Map { key, value } => {
            let key = cx.symbols.rust_type(cx.index, &key.target, module);
            let value = wrap(cx.symbols.rust_type(cx.index, &value.target, module));
            quote!((#key, #value))
        }
        _ => return None,
    };
    let take = take_member(cx, quote!(output), &steps);
    let items_trait = Rt::PaginatedItems.path();
    Some(quote! {
        impl #items_trait for #marker {
            type Item = #item;

            #[inline]
            fn items(output: Self::Output) -> Vec<Self::Item> {
                #take.unwrap_or_default().into_iter().collect()
            }
        }
    })
}

/// The body of `set_page_size` for a top-level integer page-size member, converting the `i32`
/// size to the member's type.
fn set_page_size(cx: &Context<'_>, input: &Shape, page_size: &str) -> Option<Tokens> {
    let steps = resolve_path(cx, input, page_size)?;
    let [(container, member)] = steps.as_slice() else {
        return None;
    };
    let value = match cx.index.shape(&member.target).kind {
        ShapeKind::Simple(Simple::Integer) => quote!(size),
        ShapeKind::Simple(Simple::Long) => quote!(i64::from(size)),
        ShapeKind::Simple(Simple::Short) => quote!(size.clamp(i16::MIN.into(), i16::MAX.into()) as i16),
        ShapeKind::Simple(Simple::Byte) => quote!(size.clamp(i8::MIN.into(), i8::MAX.into()) as i8),
        _ => return None,
    };
    let field = ident(cx.symbols.field(&container.id, member));
    Some(if cx.index.is_optional(container, member) {
        quote!(input.#field = Some(#value);)
    } else {
        quote!(input.#field = #value;)
    })
}

fn paginated(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> Option<Tokens> {
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
    if !matches!(
        output_steps
            .last()
            .map(|(_, member)| &cx.index.shape(&member.target).kind),
        Some(ShapeKind::Simple(Simple::String))
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
    let page_size_body = paginated
        .page_size
        .as_deref()
        .and_then(|name| set_page_size(cx, input, name));
    let page_size = if page_size_body.is_some() {
        text(&paginated.page_size)
    } else {
        quote!(None)
    };
    let page_size_fn = page_size_body.map(|body| {
        quote! {
            #[inline]
            fn set_page_size(input: &mut Self::Input, size: i32) {
                #body
            }
        }
    });
    let items_impl = paginated
        .items
        .as_deref()
        .and_then(|items| paginated_items(cx, &marker, &symbol.module, output, items));
    let items = if items_impl.is_some() {
        text(&paginated.items)
    } else {
        quote!(None)
    };
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

            #page_size_fn
        }

        #items_impl
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
    let unwrapped_output = shape.traits.get("aws.customizations#s3UnwrappedXmlOutput").is_some();
    let endpoint_params = endpoint_params(cx, shape, operation);
    let http_checksum = http_checksum(cx, shape, operation);
    // The checksum and compression code is named only by the operations that use it, so that
    // a program without them does not link it.
    let checksums = if checksum_required || shape.traits.http_checksum().is_some() {
        quote!(Some(&::smithy_runtime::checksum::CHECKSUMS))
    } else {
        quote!(None)
    };
    let compression = shape
        .traits
        .request_compression()
        .into_iter()
        .map(|_gzip| quote!(&::smithy_runtime::checksum::GZIP));
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
                http_checksum: #http_checksum,
                checksums: #checksums,
                request_compression: &[#(#compression),*],
                endpoint_params: &[#(#endpoint_params),*],
                unwrapped_output: #unwrapped_output,
            };
        },
    );
}

/// The `http_checksum` field of an operation's schema, from its `aws.protocols#httpChecksum`.
fn http_checksum(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> Tokens {
    let Some(checksum) = shape.traits.http_checksum() else {
        return quote!(None);
    };
    let members = match &cx.index.shape(&operation.input).kind {
        ShapeKind::Structure(members) => members.as_slice(),
        _ => &[],
    };
    let member = |name: Option<&str>| match name.and_then(|name| members.iter().position(|member| member.name == name))
    {
        Some(index) => {
            let index = Literal::usize_unsuffixed(index);
            quote!(Some(#index))
        }
        None => quote!(None),
    };
    let required = checksum.request_required;
    let algorithm = member(checksum.request_algorithm_member);
    let mode = member(checksum.request_validation_mode_member);
    let responses = &checksum.response_algorithms;
    let schema = Rt::HttpChecksum.path();
    quote! {
        Some(#schema {
            request_required: #required,
            request_algorithm_member: #algorithm,
            request_validation_mode_member: #mode,
            response_algorithms: &[#(#responses),*],
        })
    }
}

/// The endpoint rule-set parameters an operation sets: static ones first, then the input's
/// `@contextParam` members, then `@operationContextParams` paths, so that a later source wins
/// for a parameter named twice.
fn endpoint_params(cx: &Context<'_>, shape: &Shape, operation: &Operation) -> Vec<Tokens> {
    let param = |name: &str, source: Tokens| quote!(EndpointParam { name: #name, source: #source });
    let mut params = Vec::new();
    for (name, value) in shape.traits.static_context_params() {
        let value = match value {
            crate::trait_values::StaticParam::Bool(value) => quote!(StaticParam::Bool(#value)),
            crate::trait_values::StaticParam::String(value) => quote!(StaticParam::String(#value)),
            crate::trait_values::StaticParam::StringArray(items) => quote!(StaticParam::StringArray(&[#(#items),*])),
        };
        params.push(param(name, quote!(EndpointParamSource::Static(#value))));
    }
    if let ShapeKind::Structure(members) = &cx.index.shape(&operation.input).kind {
        for (index, member) in members.iter().enumerate() {
            if let Some(name) = member.traits.context_param() {
                let index = Literal::usize_unsuffixed(index);
                params.push(param(name, quote!(EndpointParamSource::Member(#index))));
            }
        }
    }
    for (name, path) in shape.traits.operation_context_params() {
        // Paths of member names are read over the input directly; any other expression names
        // the runtime's JMESPath engine, which only crates that have one then link.
        let source = if smithy_runtime::jmespath::is_member_path(path) {
            quote!(EndpointParamSource::Path(#path))
        } else {
            let search = Rt::SearchInput.path();
            quote!(EndpointParamSource::Expression(#path, #search))
        };
        params.push(param(name, source));
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
