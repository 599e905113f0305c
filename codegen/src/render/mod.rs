//! Render: turns the indexed, named model into Rust items, one module of the generated crate at
//! a time. Each submodule renders one kind of item; the wire protocol (`rest_json`) lives beside
//! them, apart from the types, so that another protocol would share the same types.

mod enums;
mod errors;
mod operations;
mod protocol_tests;
mod rest_json;
mod service;
mod structures;
mod support;
mod unions;
mod validate;

pub use support::Features;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs::to_markdown;
use crate::index::Index;
use crate::model::{Member, Shape, ShapeKind, Simple, Traits};
use crate::symbols::{ModulePath, Symbols};

/// Everything the renderers read.
pub(crate) struct Context<'a> {
    pub index: &'a Index<'a>,
    pub symbols: &'a Symbols,
    pub constrained: validate::Constrained,
    /// The functions that check constrained simple shapes, by shape id.
    pub constraint_functions: BTreeMap<crate::model::ShapeId, String>,
    /// The service speaks restJson1: operations get their wire code.
    pub rest_json: bool,
}

impl<'a> Context<'a> {
    pub fn new(index: &'a Index<'a>, symbols: &'a Symbols) -> Self {
        Self {
            index,
            symbols,
            constrained: validate::Constrained::new(rest_json::is_rest_json(index.service().0)),
            constraint_functions: validate::constraint_functions(index),
            rest_json: rest_json::is_rest_json(index.service().0),
        }
    }
}

/// One module of the generated crate: its documentation, allowed lints and items.
#[derive(Debug, Default)]
pub struct Module {
    pub doc: Option<String>,
    /// Lints allowed on the whole module, such as `deprecated`.
    pub allows: BTreeSet<String>,
    /// Items keyed by name, so the output order does not depend on the model's order.
    pub items: BTreeMap<String, TokenStream>,
}

/// Rendered items, as a tree of modules keyed by path.
#[derive(Debug, Default)]
pub struct Output {
    pub modules: BTreeMap<ModulePath, Module>,
}

impl Output {
    pub(crate) fn module(&mut self, path: &ModulePath) -> &mut Module {
        // Every ancestor exists, so that the tree has no gaps.
        for depth in 0..path.0.len() {
            self.modules.entry(ModulePath(path.0[..depth].to_vec())).or_default();
        }
        self.modules.entry(path.clone()).or_default()
    }

    /// Adds `#[allow(lint)]` to a module.
    pub(crate) fn allow(&mut self, path: &ModulePath, lint: &str) {
        self.module(path).allows.insert(lint.to_owned());
    }

    pub(crate) fn add(&mut self, path: &ModulePath, key: impl Into<String>, item: TokenStream) {
        let module = self.module(path);
        let key = key.into();
        let merged = match module.items.remove(&key) {
            Some(previous) => quote!(#previous #item),
            None => item,
        };
        module.items.insert(key, merged);
    }
}

/// One independent piece of rendering: the fixed support code, a shape's type, an
/// operation's module or the service trait. Jobs share no output item, so they can run on
/// several threads and be merged in job order.
pub(crate) enum Job<'a> {
    Support(Features),
    /// The functions that check constrained simple shapes.
    Constraints,
    Shape(&'a Shape),
    Operation(&'a Shape, &'a crate::model::Operation),
    Service,
    /// The hidden `protocol_tests` module (`Codegen::protocol_tests`).
    ProtocolTests,
}

/// Every job for the selected part of the model, in a fixed order.
pub(crate) fn jobs<'a>(index: &'a Index<'a>, features: Features, protocol_tests: bool) -> Vec<Job<'a>> {
    let mut jobs = vec![Job::Support(features), Job::Service, Job::Constraints];
    if protocol_tests {
        jobs.push(Job::ProtocolTests);
    }
    jobs.extend(
        index
            .operations()
            .map(|(shape, operation)| Job::Operation(shape, operation)),
    );
    jobs.extend(
        index
            .closure()
            .filter(|shape| {
                matches!(
                    shape.kind,
                    ShapeKind::Structure(_) | ShapeKind::Enum(_) | ShapeKind::IntEnum(_) | ShapeKind::Union(_)
                )
            })
            .map(Job::Shape),
    );
    jobs
}

/// Renders one job into `out`.
pub(crate) fn render_job(cx: &Context<'_>, out: &mut Output, job: &Job<'_>) {
    match job {
        Job::Support(features) => support::render(cx, out, *features),
        Job::ProtocolTests => protocol_tests::render(cx, out),
        Job::Service => {
            service::render(cx, out);
            if cx.rest_json {
                rest_json::render_service(cx, out);
            }
        }
        Job::Constraints => {
            let module = ModulePath::new(&["types", "constraints"]);
            for (name, item) in validate::constraint_module(cx) {
                out.add(&module, name, item);
            }
            if !cx.constraint_functions.is_empty() {
                out.module(&module).doc =
                    Some("Checks of the model's constrained simple shapes, which `validate()` calls.".to_owned());
            }
        }
        Job::Operation(shape, operation) => {
            operations::render(cx, out, shape, operation);
            if cx.rest_json {
                rest_json::render_operation(cx, out, shape, operation);
            }
        }
        Job::Shape(shape) => match &shape.kind {
            ShapeKind::Structure(members) => {
                structures::render(cx, out, shape, members);
                if cx.rest_json && shape.traits.error().is_some() {
                    rest_json::render_error(cx, out, shape);
                }
            }
            ShapeKind::Enum(members) => enums::render(cx, out, shape, members),
            ShapeKind::IntEnum(members) => enums::render_int_enum(cx, out, shape, members),
            ShapeKind::Union(members) => unions::render(cx, out, shape, members),
            _ => {}
        },
    }
}

/// `#[doc]` attributes for a documentation trait, converted to Markdown.
pub(crate) fn doc_attrs(traits: &Traits) -> TokenStream {
    traits
        .documentation()
        .map(|doc| doc_lines(&to_markdown(doc)))
        .unwrap_or_default()
}

/// `#[doc]` attributes for Markdown text, one per line, as `///` comments print them.
pub(crate) fn doc_lines(markdown: &str) -> TokenStream {
    let lines = markdown.lines().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

/// `#[deprecated]` from the `@deprecated` trait.
pub(crate) fn deprecated_attr(traits: &Traits) -> TokenStream {
    let Some(deprecated) = traits.deprecated() else {
        return TokenStream::new();
    };
    // `since` must be a semantic version; a model's `since` is often a date, so it goes in the note.
    let note = match (deprecated.message, deprecated.since) {
        (Some(message), Some(since)) => Some(format!("{message} (deprecated since {since})")),
        (Some(message), None) => Some(message),
        (None, Some(since)) => Some(format!("deprecated since {since}")),
        (None, None) => None,
    };
    match note {
        Some(note) => quote!(#[deprecated(note = #note)]),
        None => quote!(#[deprecated]),
    }
}

/// The first paragraph of a shape's documentation, for short summaries.
pub(crate) fn summary(shape: &Shape) -> Option<String> {
    let markdown = to_markdown(shape.traits.documentation()?);
    markdown
        .split("\n\n")
        .next()
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// Whether values of a shape are `@sensitive`, directly or through a list or map.
pub(crate) fn is_sensitive(index: &Index<'_>, shape: &Shape) -> bool {
    if shape.traits.is_sensitive() {
        return true;
    }
    match &shape.kind {
        ShapeKind::List(member) | ShapeKind::Set(member) => is_sensitive(index, index.shape(&member.target)),
        ShapeKind::Map { key, value } => {
            is_sensitive(index, index.shape(&key.target)) || is_sensitive(index, index.shape(&value.target))
        }
        _ => false,
    }
}

/// The text `Debug` prints in place of sensitive data.
pub(crate) const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// A JSON encoding other than the type's default, which a member asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    DateTime,
    HttpDate,
    NonFinite,
}

impl Encoding {
    /// The `#[serde(with)]` module.
    pub fn module(self) -> &'static str {
        match self {
            Encoding::DateTime => "crate::primitives::encoding::date_time",
            Encoding::HttpDate => "crate::primitives::encoding::http_date",
            Encoding::NonFinite => "crate::primitives::encoding::float",
        }
    }

    /// The marker type that selects the encoding.
    pub fn marker(self) -> TokenStream {
        match self {
            Encoding::DateTime => quote!(crate::primitives::encoding::DateTimeFormat),
            Encoding::HttpDate => quote!(crate::primitives::encoding::HttpDateFormat),
            Encoding::NonFinite => quote!(crate::primitives::encoding::NonFiniteAsString),
        }
    }
}

/// The encoding a member's value needs in JSON: timestamps in `date-time` or `http-date`
/// (epoch seconds is the default), floats with non-finite values as strings; through lists and
/// map values too.
pub(crate) fn member_encoding(index: &Index<'_>, member: &Member) -> Option<Encoding> {
    let target = index.shape(&member.target);
    match &target.kind {
        ShapeKind::Simple(Simple::Timestamp) => {
            match member
                .traits
                .timestamp_format()
                .or_else(|| target.traits.timestamp_format())
            {
                Some("date-time") => Some(Encoding::DateTime),
                Some("http-date") => Some(Encoding::HttpDate),
                _ => None,
            }
        }
        ShapeKind::Simple(Simple::Float | Simple::Double) => Some(Encoding::NonFinite),
        ShapeKind::List(member) | ShapeKind::Set(member) => member_encoding(index, member),
        ShapeKind::Map { value, .. } => member_encoding(index, value),
        _ => None,
    }
}
