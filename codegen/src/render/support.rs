//! The fixed part of every generated crate: module documentation, the re-exports of the runtime
//! that users name through the crate (`primitives`, `error`, the operation traits), and the
//! check that the crate is compiled with the runtime it was generated for.

use crate::tokens::quote;

use super::{Context, Output};
use crate::symbols::{ModulePath, Rt, RUNTIME_COMPATIBLE};

pub(super) fn render(cx: &Context<'_>, out: &mut Output) {
    let (service, _) = cx.index.service();
    let root = out.module(&ModulePath::root());
    root.doc = Some(match super::summary(service) {
        Some(summary) => format!(
            "Types and operations of the `{}` service.\n\n{summary}",
            service.id.name()
        ),
        None => format!("Types and operations of the `{}` service.", service.id.name()),
    });
    let check_version = Rt::CheckVersion.path();
    out.add(
        &ModulePath::root(),
        "",
        quote! {
            // Fails the build when the crate is compiled with another version of the runtime than
            // the one it was generated for.
            const _: () = #check_version(#RUNTIME_COMPATIBLE);
        },
    );
    out.module(&ModulePath::new(&["types"])).doc = Some("The structures and enums of the service's model.".to_owned());
    out.module(&ModulePath::new(&["types", "builders"])).doc =
        Some("Builders for the structures in [`crate::types`].".to_owned());
    out.module(&ModulePath::new(&["types", "error"])).doc =
        Some("The errors the service's operations can return.".to_owned());
    out.module(&ModulePath::new(&["types", "error", "builders"])).doc =
        Some("Builders for the errors in [`crate::types::error`].".to_owned());

    let operation = ModulePath::new(&["operation"]);
    out.module(&operation).doc = Some(
        "One module per operation, with its input, output and error types, and the operation traits of the runtime."
            .to_owned(),
    );
    let operation_module = Rt::OperationModule.path();
    let http_operation = Rt::HttpOperation.path();
    out.add(
        &operation,
        "",
        quote!(pub use #operation_module::{Operation, OperationError, OperationVisitor, Paginated}; pub use #http_operation;),
    );

    let error = ModulePath::new(&["error"]);
    out.module(&error).doc = Some(format!(
        "Errors that are not part of the model: building and validating values, unmodelled service errors. `{}` and `{}::ValidationError`, re-exported.",
        Rt::ErrorModule.doc_path(),
        Rt::ValidateModule.doc_path()
    ));
    let error_module = Rt::ErrorModule.path();
    let validate_module = Rt::ValidateModule.path();
    out.add(
        &error,
        "",
        quote!(pub use #error_module::*; pub use #validate_module::{ValidationError, Violation};),
    );

    let primitives = ModulePath::new(&["primitives"]);
    out.module(&primitives).doc = Some(format!(
        "Value types shared by the generated types: `{}`, re-exported.",
        Rt::PrimitivesModule.doc_path()
    ));
    let primitives_module = Rt::PrimitivesModule.path();
    out.add(&primitives, "", quote!(pub use #primitives_module::*;));

    let schema = super::schema::module();
    let module = out.module(&schema);
    module.doc = Some(
        "The schemas of the model's shapes, operations and service: the data through which the runtime's codecs, HTTP bindings and validation see the model."
            .to_owned(),
    );
    module.hidden = true;
    out.add(&schema, "", super::schema::module_uses());
}
