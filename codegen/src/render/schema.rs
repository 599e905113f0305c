//! Schemas: the static data through which the runtime's codecs, HTTP bindings, validation and
//! serde form see the model, in the generated crate's hidden `schema` module.
//!
//! Why data and not code: a generated crate that spells out a serializer and a deserializer per
//! type (serde derives, per-operation body structs) costs the compiler work per type and per
//! format, which made generated crates compile no faster than the official SDKs. A schema is a
//! few lines of constant data per shape that one codec per wire format, compiled once in
//! `smithy-runtime`, walks; the generated code left per type is a handful of small non-generic
//! functions that hand members to the codec by index. The measurements are in `BENCHMARKS.md`.
//!
//! Statics are written with the runtime's constant builder functions (`Member::new(..).flags(..)`),
//! which read as the model does.
//!
//! A member's schema carries its effective traits: its own, over those of its target that
//! concern values (timestamp format, media type, sensitivity, constraints), so that a simple
//! target needs no schema of its own and members name the runtime's prelude schemas.

use crate::tokens::quote;
use crate::tokens::{Literal, Tokens};
use serde_json::Number;

use super::{is_sensitive, Context, Output};
use crate::ident::ident;
use crate::model::{ErrorFault, HttpBinding, Member, Shape, ShapeKind, Simple, TimestampFormat, Traits};
use crate::symbols::{enum_wire_value, ModulePath, Rt};

/// The module the statics live in.
pub(super) fn module() -> ModulePath {
    ModulePath::new(&["schema"])
}

/// `use` of the runtime's schema types, so the statics read as data.
pub(super) fn module_uses() -> Tokens {
    let schema = Rt::SchemaModule.path();
    quote! {
        #[allow(unused_imports)]
        use #schema::{
            prelude, EndpointParam, EndpointParamSource, EndpointRules, Flags, Http, HttpBinding, Member,
            OperationSchema, Protocol, Schema, Segment, ServiceSchema, ShapeType, StaticParam, TimestampFormat,
            XmlNamespace,
        };
    }
}

/// The schema a member targets: the shape's own static, or the runtime's prelude schema of a
/// simple shape.
pub(super) fn target_schema(cx: &Context<'_>, target: &Shape) -> Tokens {
    if cx.symbols.has_schema(&target.id) {
        let name = ident(cx.symbols.schema_name(&target.id));
        return quote!(#name);
    }
    let name = match &target.kind {
        ShapeKind::Simple(simple) => match simple {
            Simple::Blob => "BLOB",
            Simple::Boolean => "BOOLEAN",
            Simple::String => "STRING",
            Simple::Byte => "BYTE",
            Simple::Short => "SHORT",
            Simple::Integer => "INTEGER",
            Simple::Long => "LONG",
            Simple::Float => "FLOAT",
            Simple::Double => "DOUBLE",
            Simple::BigInteger => "BIG_INTEGER",
            Simple::BigDecimal => "BIG_DECIMAL",
            Simple::Timestamp => "TIMESTAMP",
            Simple::Document => "DOCUMENT",
        },
        _ => "UNIT",
    };
    let name = ident(name);
    quote!(prelude::#name)
}

/// `Flags::A.with(Flags::B)`, or nothing.
fn flags(names: &[&str]) -> Option<Tokens> {
    let mut names = names.iter().map(|name| ident(name));
    let first = names.next()?;
    Some(names.fold(quote!(Flags::#first), |flags, name| quote!(#flags.with(Flags::#name))))
}

fn timestamp_format(format: TimestampFormat) -> Tokens {
    match format {
        TimestampFormat::EpochSeconds => quote!(TimestampFormat::EpochSeconds),
        TimestampFormat::DateTime => quote!(TimestampFormat::DateTime),
        TimestampFormat::HttpDate => quote!(TimestampFormat::HttpDate),
    }
}

fn http_binding(binding: &HttpBinding) -> Tokens {
    match binding {
        HttpBinding::Label => quote!(HttpBinding::Label),
        HttpBinding::Query(name) => quote!(HttpBinding::Query(#name)),
        HttpBinding::QueryParams => quote!(HttpBinding::QueryParams),
        HttpBinding::Header(name) => quote!(HttpBinding::Header(#name)),
        HttpBinding::PrefixHeaders(prefix) => quote!(HttpBinding::PrefixHeaders(#prefix)),
        HttpBinding::Payload => quote!(HttpBinding::Payload),
        HttpBinding::ResponseCode => quote!(HttpBinding::ResponseCode),
    }
}

pub(super) fn option<T>(value: Option<T>, to_tokens: impl Fn(T) -> Tokens) -> Tokens {
    match value {
        Some(value) => {
            let value = to_tokens(value);
            quote!(Some(#value))
        }
        None => quote!(None),
    }
}

fn float(number: &Number) -> Tokens {
    let literal = Literal::f64_suffixed(number.as_f64().unwrap_or_default());
    quote!(#literal)
}

/// A member's schema: its name, target, and effective traits.
fn member(cx: &Context<'_>, member: &Member) -> Tokens {
    let target = cx.index.shape(&member.target);
    let name = member.name.as_str();
    let target_schema = target_schema(cx, target);
    let traits = &member.traits;
    let mut set = Vec::new();
    if traits.is_required() {
        set.push("REQUIRED");
    }
    if traits.default_value().is_some_and(|value| !value.is_null()) {
        set.push("DEFAULT");
    }
    if traits.is_sensitive() || is_sensitive(cx.index, target) {
        set.push("SENSITIVE");
    }
    if target.traits.is_streaming() {
        set.push("STREAMING");
    }
    if target.traits.is_requires_length() {
        set.push("REQUIRES_LENGTH");
    }
    if traits.is_idempotency_token() {
        set.push("IDEMPOTENCY_TOKEN");
    }
    if traits.is_unique_items() || target.traits.is_unique_items() || matches!(target.kind, ShapeKind::Set(_)) {
        set.push("UNIQUE_ITEMS");
    }
    if traits.is_host_label() {
        set.push("HOST_LABEL");
    }
    if traits.is_client_optional() {
        set.push("CLIENT_OPTIONAL");
    }
    if traits.is_xml_attribute() {
        set.push("XML_ATTRIBUTE");
    }
    if traits.is_xml_flattened() {
        set.push("XML_FLATTENED");
    }
    if traits.is_event_header() {
        set.push("EVENT_HEADER");
    }
    if traits.is_event_payload() {
        set.push("EVENT_PAYLOAD");
    }
    let mut calls = Vec::new();
    if let Some(flags) = flags(&set) {
        calls.push(quote!(.flags(#flags)));
    }
    if let Some(name) = traits.json_name() {
        calls.push(quote!(.json_name(#name)));
    }
    if let Some(name) = traits.xml_name() {
        calls.push(quote!(.xml_name(#name)));
    }
    if let Some((uri, prefix)) = traits.xml_namespace() {
        let prefix = option(prefix, |prefix| quote!(#prefix));
        calls.push(quote!(.xml_namespace(#uri, #prefix)));
    }
    if let Some(name) = traits.ec2_query_name() {
        calls.push(quote!(.ec2_query_name(#name)));
    }
    if let Some(format) = traits.timestamp_format().or_else(|| target.traits.timestamp_format()) {
        let format = timestamp_format(format);
        calls.push(quote!(.timestamp_format(#format)));
    }
    if let Some(binding) = traits.http_binding() {
        let binding = http_binding(&binding);
        calls.push(quote!(.http(#binding)));
    }
    if let Some(media_type) = target.traits.media_type() {
        calls.push(quote!(.media_type(#media_type)));
    }
    extend_constraints(cx, &mut calls, traits, &target.traits);
    quote!(Member::new(#name, &#target_schema) #(#calls)*)
}

/// The `@length`, `@range` and `@pattern` of a member: each of its own traits, else its
/// target's.
fn extend_constraints(cx: &Context<'_>, calls: &mut Vec<Tokens>, own: &Traits, target: &Traits) {
    let bound = |n: Option<u64>| {
        option(n, |n| {
            let n = Literal::u64_suffixed(n);
            quote!(#n)
        })
    };
    if let Some((min, max)) = own.length().or_else(|| target.length()) {
        let (min, max) = (bound(min), bound(max));
        calls.push(quote!(.length(#min, #max)));
    }
    if let Some((min, max)) = own.range().or_else(|| target.range()) {
        let (min, max) = (option(min.as_ref(), float), option(max.as_ref(), float));
        calls.push(quote!(.range(#min, #max)));
    }
    if let Some(pattern) = own.pattern().or_else(|| target.pattern()) {
        if cx.patterns.unchecked(pattern).is_none() {
            calls.push(quote!(.pattern(#pattern)));
        }
    }
}

/// The schema static of a structure, union, enum, list or map shape.
pub(super) fn render_shape(cx: &Context<'_>, out: &mut Output, shape: &Shape) {
    if !cx.symbols.has_schema(&shape.id) {
        return;
    }
    let name = cx.symbols.schema_name(&shape.id).to_owned();
    let static_name = ident(&name);
    let id = shape.id.as_str();
    let (shape_type, members) = match &shape.kind {
        ShapeKind::Structure(members) => (quote!(Structure), members.iter().map(|m| member(cx, m)).collect()),
        ShapeKind::Union(members) => (quote!(Union), members.iter().map(|m| member(cx, m)).collect()),
        ShapeKind::Enum(members) => (
            quote!(Enum),
            members
                .iter()
                .map(|value| {
                    let name = value.name.as_str();
                    let wire = enum_wire_value(value);
                    let internal = value.traits.is_internal().then(|| quote!(.flags(Flags::INTERNAL)));
                    quote!(Member::new(#name, &prelude::UNIT).value(#wire) #internal)
                })
                .collect(),
        ),
        ShapeKind::IntEnum(members) => (
            quote!(IntEnum),
            members
                .iter()
                .map(|value| {
                    let name = value.name.as_str();
                    let number = value
                        .traits
                        .enum_value()
                        .and_then(serde_json::Value::as_i64)
                        .and_then(|n| i32::try_from(n).ok())
                        .unwrap_or_default();
                    let internal = value.traits.is_internal().then(|| quote!(.flags(Flags::INTERNAL)));
                    quote!(Member::new(#name, &prelude::UNIT).int_value(#number) #internal)
                })
                .collect(),
        ),
        ShapeKind::List(item) | ShapeKind::Set(item) => (quote!(List), vec![member(cx, item)]),
        ShapeKind::Map { key, value } => (quote!(Map), vec![member(cx, key), member(cx, value)]),
        _ => return,
    };
    let mut set = Vec::new();
    let traits = &shape.traits;
    if traits.is_sparse() {
        set.push("SPARSE");
    }
    if traits.is_unique_items() || matches!(shape.kind, ShapeKind::Set(_)) {
        set.push("UNIQUE_ITEMS");
    }
    if traits.is_sensitive() {
        set.push("SENSITIVE");
    }
    if traits.is_streaming() {
        set.push("STREAMING");
    }
    if traits.is_input() {
        set.push("INPUT");
    }
    match traits.error() {
        Some(ErrorFault::Client) => set.push("CLIENT_ERROR"),
        Some(ErrorFault::Server) => set.push("SERVER_ERROR"),
        None => {}
    }
    if traits.is_retryable() {
        set.push("RETRYABLE");
    }
    if traits.is_throttling() {
        set.push("THROTTLING");
    }
    let mut calls = Vec::new();
    if let Some(flags) = flags(&set) {
        calls.push(quote!(.flags(#flags)));
    }
    if let Some(code) = traits.http_error() {
        let code = Literal::integer(code);
        calls.push(quote!(.http_error(#code)));
    }
    if let Some((code, status)) = traits.query_error() {
        let status = Literal::integer(status);
        calls.push(quote!(.query_error(#code, #status)));
    }
    if let Some(name) = traits.xml_name() {
        calls.push(quote!(.xml_name(#name)));
    }
    if let Some((uri, prefix)) = traits.xml_namespace() {
        let prefix = option(prefix, |prefix| quote!(#prefix));
        calls.push(quote!(.xml_namespace(#uri, #prefix)));
    }
    if !members.is_empty() {
        calls.push(quote!(.members(&[#(#members),*])));
    }
    out.add(
        &module(),
        name,
        quote! {
            pub static #static_name: Schema = Schema::new(#id, ShapeType::#shape_type) #(#calls)*;
        },
    );
}
