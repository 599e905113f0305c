//! Operations: a module per operation with its marker type, input, output and error enum.

use quote::quote;

use super::{doc_attrs, doc_lines, errors, structures, Context, Output};
use crate::ident::ident;
use crate::model::{Operation, Shape, ShapeKind};
use crate::symbols::TypeSymbol;

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

    let http = shape.traits.http();
    let (method, uri, code) = match &http {
        Some(http) => (http.method.as_str(), http.uri.as_str(), http.code),
        None => ("POST", "/", 200),
    };
    let marker = ident(&symbol.marker.name);
    let input = symbol.input.path_from(&symbol.module);
    let output = symbol.output.path_from(&symbol.module);
    let error = symbol.error.path_from(&symbol.module);
    let docs = doc_attrs(&shape.traits);
    let id = shape.id.as_str();
    let code = proc_macro2::Literal::u16_unsuffixed(code);
    let binding_doc = doc_lines(&format!("`{method} {uri}`, answering `{code}` on success."));
    out.add(
        &symbol.module,
        &symbol.marker.name,
        quote! {
            #docs
            ///
            #binding_doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct #marker;

            impl crate::operation::Operation for #marker {
                type Input = #input;
                type Output = #output;
                type Error = #error;
                const SHAPE_ID: &'static str = #id;
                const NAME: &'static str = #operation_name;
                const METHOD: &'static str = #method;
                const URI: &'static str = #uri;
                const SUCCESS_CODE: u16 = #code;
            }
        },
    );
    errors::render_operation_error(cx, out, &shape.id, symbol, &cx.index.operation_errors(operation));
}

/// An empty structure standing for `smithy.api#Unit` as an operation's input or output.
fn render_unit(cx: &Context<'_>, out: &mut Output, unit: &Shape, symbol: &TypeSymbol, operation: &str, what: &str) {
    let docs = doc_lines(&format!("The {what} of `{operation}`, which has no members."));
    if let ShapeKind::Structure(members) = &unit.kind {
        structures::render_structure(cx, out, unit, members, symbol, docs);
    }
}
