//! Render: turns the indexed, named model into Rust items, one module of the generated crate at
//! a time. [`types`] renders the model's types and knows no protocol; [`schema`] renders the data
//! the runtime reads them with; [`protocol`] decides what the service's protocol adds (the
//! client and the server, what members' docs say of the wire); the rest renders operations and
//! the service trait.

mod example;
mod operations;
pub(crate) mod protocol;
mod schema;
mod service;
mod support;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use crate::tokens::quote;
use crate::tokens::Tokens;

use crate::docs::to_markdown;
use crate::index::Index;
use crate::model::{Shape, ShapeKind, Traits};
use crate::symbols::{ModulePath, Symbols};

pub(crate) use example::Example;

/// Everything the renderers read.
pub(crate) struct Context<'a> {
    pub index: &'a Index<'a>,
    pub symbols: &'a Symbols,
    /// The service's protocol.
    pub protocol: protocol::Protocol,
    /// The service's endpoint rules, parsed and written as bytes, or why they do not parse.
    pub endpoint_rules: &'a EndpointRules,
    /// Which `@pattern`s the runtime cannot check, and why.
    pub patterns: &'a crate::Patterns,
}

impl<'a> Context<'a> {
    pub fn new(
        index: &'a Index<'a>,
        symbols: &'a Symbols,
        endpoint_rules: &'a EndpointRules,
        patterns: &'a crate::Patterns,
    ) -> Self {
        Self {
            index,
            symbols,
            protocol: protocol::Protocol::of(index.service().0),
            endpoint_rules,
            patterns,
        }
    }
}

/// A service's `@endpointRuleSet`, parsed once: `None` without one, else the rule set written as
/// bytes (what a client reads), or why it does not parse.
pub(crate) type EndpointRules = Option<std::result::Result<Vec<u8>, String>>;

/// Parses the service's endpoint rules.
pub(crate) fn endpoint_rules(index: &Index<'_>) -> EndpointRules {
    index.service().0.traits.endpoint_rules().map(|rules| {
        smithy_runtime::endpoint::RuleSet::from_value(rules)
            .map(|rules| rules.to_bytes())
            .map_err(|error| error.to_string())
    })
}

/// One module of the generated crate: its documentation, allowed lints, imports and items.
#[derive(Debug, Default)]
pub struct Module {
    pub doc: Option<String>,
    /// `#[doc(hidden)]`: the module is for generated code, not for users.
    pub hidden: bool,
    /// Lints allowed on the whole module, such as `deprecated`.
    pub allows: BTreeSet<String>,
    /// Items keyed by name, so the output order does not depend on the model's order.
    pub items: BTreeMap<String, Tokens>,
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

    pub(crate) fn add(&mut self, path: &ModulePath, key: impl Into<String>, item: Tokens) {
        let module = self.module(path);
        let key = key.into();
        let merged = match module.items.remove(&key) {
            Some(previous) => quote!(#previous #item),
            None => item,
        };
        module.items.insert(key, merged);
    }
}

/// One independent piece of rendering: the fixed support code, a shape's type and schema, an
/// operation's module or the service trait. Jobs share no output item, so they can run on
/// several threads and be merged in job order.
pub(crate) enum Job<'a> {
    Support,
    Shape(&'a Shape),
    Operation(&'a Shape, &'a crate::model::Operation),
    Service,
}

/// Every job for the selected part of the model, in a fixed order.
pub(crate) fn jobs<'a>(index: &'a Index<'a>) -> Vec<Job<'a>> {
    let mut jobs = vec![Job::Support, Job::Service];
    jobs.extend(
        index
            .operations()
            .map(|(shape, operation)| Job::Operation(shape, operation)),
    );
    jobs.extend(
        index
            .closure()
            .filter(|shape| shape.kind.has_own_schema())
            .map(Job::Shape),
    );
    jobs
}

/// Renders one job into `out`.
pub(crate) fn render_job(cx: &Context<'_>, out: &mut Output, job: &Job<'_>) {
    match job {
        Job::Support => support::render(cx, out),
        Job::Service => {
            service::render(cx, out);
            if cx.protocol.has_wire_code() {
                protocol::render_client(cx, out);
                protocol::render_server(cx, out);
            }
        }
        Job::Operation(shape, operation) => operations::render(cx, out, shape, operation),
        Job::Shape(shape) => {
            schema::render_shape(cx, out, shape);
            match &shape.kind {
                ShapeKind::Structure(members) => types::structures::render(cx, out, shape, members),
                ShapeKind::Enum(members) => types::enums::render(cx, out, shape, members),
                ShapeKind::IntEnum(members) => types::enums::render_int_enum(cx, out, shape, members),
                ShapeKind::Union(members) => types::unions::render(cx, out, shape, members),
                _ => {}
            }
        }
    }
}

/// `#[doc]` attributes for a documentation trait, converted to Markdown.
pub(crate) fn doc_attrs(traits: &Traits) -> Tokens {
    traits
        .documentation()
        .map(|doc| doc_lines(&to_markdown(doc)))
        .unwrap_or_default()
}

/// `#[doc]` attributes for Markdown text, one per line, as `///` comments print them.
pub(crate) fn doc_lines(markdown: &str) -> Tokens {
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
pub(crate) fn deprecated_attr(traits: &Traits) -> Tokens {
    let Some(deprecated) = traits.deprecated() else {
        return Tokens::new();
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
