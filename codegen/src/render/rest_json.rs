//! restJson1 on the wire: each operation's request and response, both ways. The client
//! serializes inputs and reads outputs and errors; the server reads inputs and serializes
//! outputs and errors; a router picks the operation of a request. Members go where their HTTP
//! binding traits say (label, query, header, prefix headers, payload, response code); the rest
//! form the JSON body, written with the types' serde impls.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Context, Output};
use crate::ident::ident;
use crate::model::{HttpBinding, Member, Shape, ShapeKind, Simple};
use crate::symbols::ModulePath;

/// The protocol trait's shape id.
pub(crate) const REST_JSON_1: &str = "aws.protocols#restJson1";

/// Which message a structure is read from or written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// Where a value is written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Label,
    Query,
    Header,
}

/// A member with what the renderers need to know about it.
struct Bound<'a> {
    member: &'a Member,
    target: &'a Shape,
    field: Ident,
    /// The member's local variable while a message is read.
    local: Ident,
    optional: bool,
    binding: Option<HttpBinding>,
}

fn bound<'a>(cx: &'a Context<'_>, shape: &'a Shape) -> Vec<Bound<'a>> {
    shape
        .kind
        .members()
        .into_iter()
        .map(|member| {
            let target = cx.index.shape(&member.target);
            let field = cx.symbols.field(&shape.id, member);
            Bound {
                member,
                target,
                field: ident(field),
                local: format_ident!("m_{}", field.trim_start_matches("r#")),
                optional: cx.index.is_optional(shape, member) && !target.traits.is_streaming(),
                binding: member.traits.http_binding(),
            }
        })
        .collect()
}

/// The media type a string or blob target declares with `@mediaType`.
fn media_type(shape: &Shape) -> Option<&str> {
    shape
        .traits
        .get("smithy.api#mediaType")
        .and_then(|value| value.as_str())
}

/// What a message's body is.
enum Body<'a> {
    /// No body at all.
    None,
    /// A JSON object of the unbound members.
    Json(Vec<&'a Bound<'a>>),
    /// One member is the whole body.
    Payload(&'a Bound<'a>),
}

fn body<'a>(members: &'a [Bound<'a>]) -> Body<'a> {
    if let Some(payload) = members
        .iter()
        .find(|member| member.binding == Some(HttpBinding::Payload))
    {
        return Body::Payload(payload);
    }
    let json: Vec<_> = members.iter().filter(|member| member.binding.is_none()).collect();
    if json.is_empty() {
        Body::None
    } else {
        Body::Json(json)
    }
}

/// The `Content-Type` of a body, `None` when there is none.
fn content_type(body: &Body<'_>) -> Option<String> {
    match body {
        Body::None => None,
        Body::Json(_) => Some("application/json".to_owned()),
        Body::Payload(payload) => Some(payload_content_type(payload).to_owned()),
    }
}

fn payload_content_type<'a>(payload: &'a Bound<'a>) -> &'a str {
    match &payload.target.kind {
        ShapeKind::Simple(Simple::Blob) => media_type(payload.target).unwrap_or("application/octet-stream"),
        ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_) => media_type(payload.target).unwrap_or("text/plain"),
        _ => "application/json",
    }
}

/// An event stream is sent as a sequence of binary frames, which this protocol layer does not
/// write or read yet: its member stays empty on the wire.
fn is_event_stream(shape: &Shape) -> bool {
    matches!(shape.kind, ShapeKind::Union(_)) && shape.traits.is_streaming()
}

fn timestamp_format<'a>(member: &'a Member, target: &'a Shape, place: Place) -> &'a str {
    member
        .traits
        .timestamp_format()
        .or_else(|| target.traits.timestamp_format())
        .unwrap_or(match place {
            Place::Header => "http-date",
            Place::Label | Place::Query => "date-time",
        })
}

/// An expression of type `String` or `&str`: the text of `value` (an expression of type `&T`).
fn to_text(member: &Member, target: &Shape, value: TokenStream, place: Place) -> TokenStream {
    match &target.kind {
        ShapeKind::Simple(Simple::String) if place == Place::Header && media_type(target).is_some() => {
            quote!(crate::primitives::Blob::new(#value.as_bytes()).to_base64())
        }
        ShapeKind::Simple(
            Simple::String
            | Simple::Boolean
            | Simple::Byte
            | Simple::Short
            | Simple::Integer
            | Simple::Long
            | Simple::Float
            | Simple::Double,
        ) => quote!(crate::protocol::Text::to_text(#value)),
        ShapeKind::Simple(Simple::Timestamp) => match timestamp_format(member, target, place) {
            "http-date" => quote!(#value.to_http_date()),
            "epoch-seconds" => quote!(#value.to_epoch_seconds()),
            _ => quote!(#value.to_date_time()),
        },
        ShapeKind::Simple(Simple::Blob) if !target.traits.is_streaming() => quote!(#value.to_base64()),
        ShapeKind::Simple(Simple::BigInteger | Simple::BigDecimal) => quote!(#value.to_string()),
        ShapeKind::Enum(_) => quote!(#value.as_str()),
        ShapeKind::IntEnum(_) => quote!(#value.as_i32().to_string()),
        // Smithy allows only the simple values above in these places.
        _ => quote!(serde_json::to_string(#value).unwrap_or_default()),
    }
}

/// An expression of type `Option<T>`: the value that `text` (an expression of type `&str`) holds.
fn from_text(
    cx: &Context<'_>,
    member: &Member,
    target: &Shape,
    text: TokenStream,
    place: Place,
    from: &ModulePath,
) -> TokenStream {
    let ty = cx.symbols.rust_type(cx.index, &target.id, from);
    match &target.kind {
        ShapeKind::Simple(Simple::String) if place == Place::Header && media_type(target).is_some() => {
            quote!(crate::primitives::Blob::from_base64(#text).and_then(|blob| String::from_utf8(blob.into_inner()).ok()))
        }
        ShapeKind::Simple(
            Simple::String
            | Simple::Boolean
            | Simple::Byte
            | Simple::Short
            | Simple::Integer
            | Simple::Long
            | Simple::Float
            | Simple::Double,
        ) => quote!(<#ty as crate::protocol::Text>::from_text(#text)),
        ShapeKind::Simple(Simple::Timestamp) => match timestamp_format(member, target, place) {
            "http-date" => quote!(crate::primitives::DateTime::parse_http_date(#text)),
            "epoch-seconds" => quote!(crate::primitives::DateTime::parse_epoch_seconds(#text)),
            _ => quote!(crate::primitives::DateTime::parse_utc_date_time(#text)),
        },
        ShapeKind::Simple(Simple::Blob) if !target.traits.is_streaming() => {
            quote!(crate::primitives::Blob::from_base64(#text))
        }
        ShapeKind::Simple(Simple::BigInteger | Simple::BigDecimal) => quote!(#ty::new(#text)),
        ShapeKind::Enum(_) => quote!(Some(#ty::from(#text))),
        ShapeKind::IntEnum(_) => quote!(<i32 as crate::protocol::Text>::from_text(#text).map(#ty::from)),
        _ => quote!(serde_json::from_str::<#ty>(#text).ok()),
    }
}

/// The list item member of a list target.
fn list_item<'a>(cx: &'a Context<'_>, target: &'a Shape) -> Option<(&'a Member, &'a Shape, bool)> {
    match &target.kind {
        ShapeKind::List(item) | ShapeKind::Set(item) => {
            Some((item, cx.index.shape(&item.target), target.traits.is_sparse()))
        }
        _ => None,
    }
}

/// `if let Some(value) = &value.field { body }`, or the body with `value` bound directly.
fn with_value(bound: &Bound<'_>, owner: &TokenStream, body: TokenStream) -> TokenStream {
    let field = &bound.field;
    if bound.optional {
        quote!(if let Some(value) = &#owner.#field { #body })
    } else {
        quote!({ let value = &#owner.#field; #body })
    }
}

/// Statements adding a structure's header-bound members to `builder`.
fn write_headers(cx: &Context<'_>, members: &[Bound<'_>], owner: &TokenStream) -> TokenStream {
    let mut statements = TokenStream::new();
    for bound in members {
        match &bound.binding {
            Some(HttpBinding::Header(name)) => {
                let body = if let Some((item, item_target, sparse)) = list_item(cx, bound.target) {
                    let text = to_text(item, item_target, quote!(item), Place::Header);
                    let quoted = matches!(item_target.kind, ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_));
                    let text = if quoted {
                        quote!(crate::protocol::quote_header_item(#text))
                    } else {
                        text
                    };
                    let items = if sparse {
                        quote!(value.iter().flatten())
                    } else {
                        quote!(value.iter())
                    };
                    quote! {
                        if !value.is_empty() {
                            let items: Vec<String> = #items.map(|item| #text).collect();
                            builder = builder.header(#name, items.join(", "));
                        }
                    }
                } else if matches!(bound.target.kind, ShapeKind::Simple(Simple::String)) {
                    // An empty string is no header at all.
                    let text = to_text(bound.member, bound.target, quote!(value), Place::Header);
                    quote! {
                        if !value.is_empty() {
                            builder = builder.header(#name, #text);
                        }
                    }
                } else {
                    let text = to_text(bound.member, bound.target, quote!(value), Place::Header);
                    quote!(builder = builder.header(#name, #text);)
                };
                statements.extend(with_value(bound, owner, body));
            }
            Some(HttpBinding::PrefixHeaders(prefix)) => {
                let body = quote! {
                    let mut entries: Vec<_> = value.iter().collect();
                    entries.sort();
                    for (key, item) in entries {
                        builder = builder.header(format!("{}{}", #prefix, key), item.as_str());
                    }
                };
                // Only string values are allowed by Smithy; other values use their text form.
                let body = match &bound.target.kind {
                    ShapeKind::Map { value, .. }
                        if matches!(cx.index.shape(&value.target).kind, ShapeKind::Simple(Simple::String)) =>
                    {
                        body
                    }
                    _ => quote!(let _ = value;),
                };
                statements.extend(with_value(bound, owner, body));
            }
            _ => {}
        }
    }
    statements
}

/// Statements that set `body: Vec<u8>` and the content headers on `builder`; errors are
/// `String`s.
fn write_body(cx: &Context<'_>, body: &Body<'_>, owner: &TokenStream) -> TokenStream {
    match body {
        Body::None => quote!(let body = Vec::new();),
        Body::Json(members) => {
            let writes = members.iter().map(|bound| {
                let name = bound.member.traits.json_name().unwrap_or(&bound.member.name);
                let write = match super::member_encoding(cx.index, bound.member) {
                    Some(encoding) => {
                        let marker = encoding.marker();
                        quote!(object.member(#name, &crate::primitives::encoding::Encoded::<#marker, _>::new(value))?;)
                    }
                    None => quote!(object.member(#name, value)?;),
                };
                if bound.target.traits.is_streaming() {
                    return TokenStream::new();
                }
                with_value(bound, owner, write)
            });
            quote! {
                let mut object = crate::protocol::JsonObject::default();
                #(#writes)*
                let body = object.finish();
                builder = crate::protocol::content_headers(builder, "application/json", body.len());
            }
        }
        Body::Payload(payload) => {
            let content_type = payload_content_type(payload);
            let bytes = match &payload.target.kind {
                _ if is_event_stream(payload.target) => quote!({
                    let _ = value;
                    Vec::new()
                }),
                ShapeKind::Simple(Simple::Blob) => quote!(value.as_bytes().to_vec()),
                ShapeKind::Simple(Simple::String) => quote!(value.as_bytes().to_vec()),
                ShapeKind::Enum(_) => quote!(value.as_str().as_bytes().to_vec()),
                _ => quote!(serde_json::to_vec(value).map_err(|error| error.to_string())?),
            };
            let field = &payload.field;
            let set = quote! {
                let bytes: Vec<u8> = #bytes;
                builder = crate::protocol::content_headers(builder, #content_type, bytes.len());
                bytes
            };
            // An unset structure payload is an empty object; other unset payloads, no body.
            let unset = if matches!(payload.target.kind, ShapeKind::Structure(_)) {
                quote! {{
                    builder = crate::protocol::content_headers(builder, "application/json", 2);
                    b"{}".to_vec()
                }}
            } else {
                quote!(Vec::new())
            };
            if payload.optional {
                quote! {
                    let body = match &#owner.#field {
                        Some(value) => { #set }
                        None => #unset,
                    };
                }
            } else {
                quote! {
                    let body = {
                        let value = &#owner.#field;
                        #set
                    };
                }
            }
        }
    }
}

/// An error for a value that cannot be read, as the reader returns it.
fn read_error(side: Side, message: TokenStream) -> TokenStream {
    match side {
        Side::Request => quote!(crate::server::Rejection::serialization(#message)),
        Side::Response => message,
    }
}

/// `.map_err(..)` turning a reader's `String` error into the side's error type.
fn map_read_error(side: Side) -> TokenStream {
    match side {
        Side::Request => quote!(.map_err(crate::server::Rejection::serialization)),
        Side::Response => TokenStream::new(),
    }
}

/// A `String` expression of a message: a literal, or `format!` when it names local variables.
fn message(text: &str) -> TokenStream {
    if text.contains('{') {
        quote!(format!(#text))
    } else {
        quote!(String::from(#text))
    }
}

/// `let local = ...`: the value parsed from the text that `lookup` (an `Option`) finds, if any;
/// text that does not parse is the reader's error.
fn read_text(local: &Ident, lookup: TokenStream, parse: TokenStream, error: TokenStream) -> TokenStream {
    quote! {
        let #local = match #lookup {
            Some(text) => Some(#parse.ok_or_else(|| #error)?),
            None => None,
        };
    }
}

/// The body of a function that reads a structure from `headers`, `body` and (for requests)
/// `labels` and `query`, or (for responses) `status`. It returns `Result<T, String>` for
/// responses and `Result<T, crate::server::Rejection>` for requests.
fn read_structure(cx: &Context<'_>, shape: &Shape, ty: &TokenStream, from: &ModulePath, side: Side) -> TokenStream {
    let members = bound(cx, shape);
    let body_kind = body(&members);
    let mut reads = TokenStream::new();
    let mut label_index = 0usize;
    let bound_query: Vec<&str> = members
        .iter()
        .filter_map(|bound| match &bound.binding {
            Some(HttpBinding::Query(name)) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for bound in &members {
        let local = &bound.local;
        let name = bound.member.name.as_str();
        let ty = cx.symbols.rust_type(cx.index, &bound.member.target, from);
        let invalid = |what: &str| read_error(side, message(what));
        let read = match (&bound.binding, side) {
            (Some(HttpBinding::Label), Side::Request) => {
                let index = label_index;
                label_index += 1;
                let parse = from_text(
                    cx,
                    bound.member,
                    bound.target,
                    quote!(text.as_str()),
                    Place::Label,
                    from,
                );
                let error = invalid(&format!("the URI label `{name}` is not a valid value"));
                read_text(local, quote!(labels.get(#index)), parse, error)
            }
            (Some(HttpBinding::Query(key)), Side::Request) => {
                if let Some((item, item_target, _)) = list_item(cx, bound.target) {
                    let parse = from_text(cx, item, item_target, quote!(text.as_str()), Place::Query, from);
                    let error = invalid(&format!("the query parameter `{key}` is not a valid list"));
                    let sparse = bound.target.traits.is_sparse();
                    let item = if sparse {
                        quote!(Some(#parse.ok_or_else(|| #error)?))
                    } else {
                        quote!(#parse.ok_or_else(|| #error)?)
                    };
                    quote! {
                        let mut items = Vec::new();
                        for (_, text) in query.iter().filter(|(name, _)| name == #key) {
                            items.push(#item);
                        }
                        let #local: Option<#ty> = (!items.is_empty()).then_some(items);
                    }
                } else {
                    let parse = from_text(
                        cx,
                        bound.member,
                        bound.target,
                        quote!(text.as_str()),
                        Place::Query,
                        from,
                    );
                    let error = invalid(&format!("the query parameter `{key}` is not a valid value"));
                    let lookup = quote!(query.iter().find(|(name, _)| name == #key).map(|(_, text)| text));
                    read_text(local, lookup, parse, error)
                }
            }
            (Some(HttpBinding::QueryParams), Side::Request) => {
                let ShapeKind::Map { value, .. } = &bound.target.kind else {
                    continue;
                };
                let value_target = cx.index.shape(&value.target);
                let insert = if let Some((item, item_target, _)) = list_item(cx, value_target) {
                    let parse = from_text(cx, item, item_target, quote!(text.as_str()), Place::Query, from);
                    let error = invalid("the query parameter `{key}` is not a valid value");
                    quote!(map.entry(key.clone()).or_default().push(#parse.ok_or_else(|| #error)?);)
                } else {
                    let parse = from_text(cx, value, value_target, quote!(text.as_str()), Place::Query, from);
                    let error = invalid("the query parameter `{key}` is not a valid value");
                    quote! {
                        if !map.contains_key(key) {
                            map.insert(key.clone(), #parse.ok_or_else(|| #error)?);
                        }
                    }
                };
                quote! {
                    let mut map: #ty = Default::default();
                    for (key, text) in query.iter() {
                        if [#(#bound_query),*].contains(&key.as_str()) {
                            continue;
                        }
                        #insert
                    }
                    let #local = (!map.is_empty()).then_some(map);
                }
            }
            (Some(HttpBinding::Header(header)), _) => {
                let error = invalid(&format!("the header `{header}` is not a valid value"));
                let parse = if let Some((item, item_target, sparse)) = list_item(cx, bound.target) {
                    let http_dates = matches!(item_target.kind, ShapeKind::Simple(Simple::Timestamp))
                        && timestamp_format(item, item_target, Place::Header) == "http-date";
                    let parse = from_text(cx, item, item_target, quote!(text.as_str()), Place::Header, from);
                    let item = if sparse { quote!(#parse.map(Some)) } else { parse };
                    quote! {
                        crate::protocol::split_header_list(&text, #http_dates).and_then(|items| {
                            items.iter().map(|text| #item).collect::<Option<#ty>>()
                        })
                    }
                } else {
                    from_text(cx, bound.member, bound.target, quote!(text.trim()), Place::Header, from)
                };
                let header_error = map_read_error(side);
                read_text(
                    local,
                    quote!(crate::protocol::header(headers, #header)#header_error?),
                    parse,
                    error,
                )
            }
            (Some(HttpBinding::PrefixHeaders(prefix)), _) => {
                let header_error = map_read_error(side);
                match &bound.target.kind {
                    ShapeKind::Map { value, .. }
                        if matches!(cx.index.shape(&value.target).kind, ShapeKind::Simple(Simple::String)) =>
                    {
                        quote! {
                            let map = crate::protocol::prefix_headers(headers, #prefix)#header_error?;
                            let #local = (!map.is_empty()).then_some(map);
                        }
                    }
                    _ => quote!(let #local: Option<#ty> = None;),
                }
            }
            (Some(HttpBinding::ResponseCode), Side::Response) => {
                quote!(let #local = Some(#ty::from(status));)
            }
            (Some(HttpBinding::Payload), _) => {
                let error = |what: &str| read_error(side, message(what));
                match &bound.target.kind {
                    _ if is_event_stream(bound.target) => quote!(let #local: Option<#ty> = None;),
                    ShapeKind::Simple(Simple::Blob) if bound.target.traits.is_streaming() => {
                        quote!(let #local = Some(#ty::new(body.to_vec()));)
                    }
                    ShapeKind::Simple(Simple::Blob) => {
                        quote!(let #local = (!body.is_empty()).then(|| #ty::new(body.to_vec()));)
                    }
                    ShapeKind::Simple(Simple::String) => {
                        let error = error("the body is not UTF-8 text");
                        quote! {
                            let #local = if body.is_empty() {
                                None
                            } else {
                                Some(String::from_utf8(body.to_vec()).map_err(|_| #error)?)
                            };
                        }
                    }
                    ShapeKind::Enum(_) => {
                        let error = error("the body is not UTF-8 text");
                        quote! {
                            let #local = if body.is_empty() {
                                None
                            } else {
                                Some(#ty::from(std::str::from_utf8(body).map_err(|_| #error)?))
                            };
                        }
                    }
                    _ => {
                        let error = map_read_error(side);
                        quote!(let #local: Option<#ty> = crate::protocol::read_json_payload(body)#error?;)
                    }
                }
            }
            // Unbound members are read from the JSON body below; bindings that do not apply
            // to this side of the exchange are absent.
            (None, _) => continue,
            _ => quote!(let #local: Option<#ty> = None;),
        };
        reads.extend(read);
    }

    if let Body::Json(json) = &body_kind {
        let fields = json.iter().map(|bound| {
            let local = &bound.local;
            let name = bound.member.traits.json_name().unwrap_or(&bound.member.name);
            let ty = cx.symbols.rust_type(cx.index, &bound.member.target, from);
            if bound.target.traits.is_streaming() {
                return quote!(#[serde(skip)] #local: Option<#ty>,);
            }
            // A server reads a timestamp only in its member's format; a client also takes the
            // others, as services send them.
            let strict = (side == Side::Request && matches!(bound.target.kind, ShapeKind::Simple(Simple::Timestamp)))
                .then(|| {
                    match bound
                        .member
                        .traits
                        .timestamp_format()
                        .or_else(|| bound.target.traits.timestamp_format())
                    {
                        Some("date-time") => "crate::primitives::encoding::strict_date_time",
                        Some("http-date") => "crate::primitives::encoding::strict_http_date",
                        _ => "crate::primitives::encoding::strict_epoch_seconds",
                    }
                });
            match strict.or_else(|| super::member_encoding(cx.index, bound.member).map(|encoding| encoding.module())) {
                Some(module) => quote!(#[serde(rename = #name, default, with = #module)] #local: Option<#ty>,),
                None => quote!(#[serde(rename = #name, default)] #local: Option<#ty>,),
            }
        });
        let locals: Vec<_> = json.iter().map(|bound| &bound.local).collect();
        let error = map_read_error(side);
        reads.extend(quote! {
            #[derive(serde::Deserialize)]
            struct Body {
                #(#fields)*
            }
            let Body { #(#locals),* } = crate::protocol::read_json(body)#error?;
        });
    }

    // A server refuses a request without a required member, as a constraint violation.
    if side == Side::Request {
        let checks: Vec<_> = members
            .iter()
            .filter(|bound| bound.member.traits.is_required() && !bound.target.traits.is_streaming())
            .filter(|bound| cx.index.default_of(shape, bound.member).ok().flatten().is_none())
            .map(|bound| {
                let local = &bound.local;
                let path = format!("/{}", bound.member.name);
                let message = format!("Value at '{path}' failed to satisfy constraint: Member must not be null");
                quote! {
                    if #local.is_none() {
                        missing.push((#path.to_owned(), #message.to_owned()));
                    }
                }
            })
            .collect();
        if !checks.is_empty() {
            reads.extend(quote! {
                let mut missing = Vec::new();
                #(#checks)*
                if !missing.is_empty() {
                    return Err(crate::server::Rejection::validation(missing));
                }
            });
        }
    }

    let sets = members.iter().map(|bound| {
        let local = &bound.local;
        let setter = &bound.field;
        quote! {
            if let Some(value) = #local {
                builder = builder.#setter(value);
            }
        }
    });
    let fallible = members.iter().any(|bound| {
        bound.member.traits.is_required()
            && !bound.target.traits.is_streaming()
            && !bound.member.traits.is_idempotency_token()
            && cx.index.default_of(shape, bound.member).ok().flatten().is_none()
    });
    let build = match (fallible, side) {
        (false, _) => quote!(Ok(builder.build())),
        (true, Side::Response) => quote!(builder.build().map_err(|error| error.to_string())),
        (true, Side::Request) => quote!(builder
            .build()
            .map_err(|error| crate::server::Rejection::serialization(error.to_string()))),
    };
    let mutable = if members.is_empty() { quote!() } else { quote!(mut) };
    quote! {
        #reads
        let #mutable builder = #ty::builder();
        #(#sets)*
        #build
    }
}

/// A `[Segment]` literal for a URI template's path, and its literal query parameters.
fn template(uri: &str) -> (Vec<TemplatePart>, Vec<(String, Option<String>)>) {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let path = path.strip_prefix('/').unwrap_or(path);
    let parts = if path.is_empty() {
        Vec::new()
    } else {
        path.split('/')
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(label) => match label.strip_suffix('+') {
                        Some(name) => TemplatePart::Greedy(name.to_owned()),
                        None => TemplatePart::Label(label.to_owned()),
                    },
                    None => TemplatePart::Literal(segment.to_owned()),
                },
            )
            .collect()
    };
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (key.to_owned(), Some(value.to_owned())),
            None => (pair.to_owned(), None),
        })
        .collect();
    (parts, query)
}

enum TemplatePart {
    Literal(String),
    Label(String),
    Greedy(String),
}

/// Statements putting an `@endpoint` host prefix, with its `{label}`s taken from the input's
/// `@hostLabel` members, before the endpoint's host.
fn host_prefix(prefix: &str, inputs: &[Bound<'_>], owner: &TokenStream) -> TokenStream {
    let mut parts = Vec::new();
    let mut rest = prefix;
    while let Some(start) = rest.find('{') {
        let literal = &rest[..start];
        if !literal.is_empty() {
            parts.push(quote!(#literal));
        }
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let label = &rest[start + 1..start + end];
        if let Some(bound) = inputs.iter().find(|bound| bound.member.name == label) {
            let field = &bound.field;
            let message = format!("the host label `{label}` is not set");
            parts.push(if bound.optional {
                quote!(#owner.#field.as_deref().ok_or_else(|| crate::error::UnhandledError::invalid_input(#message))?)
            } else {
                quote!(#owner.#field.as_str())
            });
        }
        rest = &rest[start + end + 1..];
    }
    if !rest.is_empty() {
        parts.push(quote!(#rest));
    }
    quote! {
        uri.push_host_prefix(&[#(#parts),*].concat())?;
    }
}

/// `impl HttpOperation` for an operation, and its routing constants.
pub(super) fn render_operation(cx: &Context<'_>, out: &mut Output, shape: &Shape, operation: &crate::model::Operation) {
    let symbol = cx.symbols.operation(&shape.id);
    let module = &symbol.module;
    let marker = ident(&symbol.marker.name);
    let input_shape = cx.index.shape(&operation.input);
    let output_shape = cx.index.shape(&operation.output);
    let input_ty = symbol.input.path_from(module);
    let output_ty = symbol.output.path_from(module);
    let error_ty = symbol.error.path_from(module);
    let http = shape.traits.http();
    let (method, uri) = match &http {
        Some(http) => (http.method.clone(), http.uri.clone()),
        None => ("POST".to_owned(), "/".to_owned()),
    };
    let (parts, query_literals) = template(&uri);

    // Client: the request.
    let inputs = bound(cx, input_shape);
    let owner = quote!(input);
    let mut path = TokenStream::new();
    // Literal text is written in runs, up to the next label.
    let mut literal = String::new();
    for part in &parts {
        literal.push('/');
        let (TemplatePart::Label(name) | TemplatePart::Greedy(name)) = part else {
            if let TemplatePart::Literal(text) = part {
                literal.push_str(text);
            }
            continue;
        };
        let greedy = matches!(part, TemplatePart::Greedy(_));
        let Some(bound) = inputs.iter().find(|bound| bound.member.name == *name) else {
            continue;
        };
        let run = std::mem::take(&mut literal);
        let field = &bound.field;
        let text = to_text(bound.member, bound.target, quote!(value), Place::Label);
        let get = if bound.optional {
            let message = format!("the URI label `{name}` is not set");
            quote!(let value = #owner.#field.as_ref().ok_or_else(|| crate::error::UnhandledError::invalid_input(#message))?;)
        } else {
            quote!(let value = &#owner.#field;)
        };
        path.extend(quote! {
            uri.push_path(#run);
            {
                #get
                uri.push_label(#name, #text, #greedy)?;
            }
        });
    }
    if parts.is_empty() {
        literal.push('/');
    }
    if !literal.is_empty() {
        path.extend(quote!(uri.push_path(#literal);));
    }
    if let Some(prefix) = shape
        .traits
        .get("smithy.api#endpoint")
        .and_then(|endpoint| endpoint.get("hostPrefix"))
        .and_then(|prefix| prefix.as_str())
    {
        path.extend(host_prefix(prefix, &inputs, &owner));
    }
    let mut query = TokenStream::new();
    for (key, value) in &query_literals {
        let value = match value {
            Some(value) => quote!(Some(#value)),
            None => quote!(None),
        };
        query.extend(quote!(uri.push_query_literal(#key, #value);));
    }
    for bound in &inputs {
        match &bound.binding {
            Some(HttpBinding::Query(key)) => {
                let body = if let Some((item, item_target, sparse)) = list_item(cx, bound.target) {
                    let text = to_text(item, item_target, quote!(item), Place::Query);
                    let items = if sparse {
                        quote!(value.iter().flatten())
                    } else {
                        quote!(value.iter())
                    };
                    quote! {
                        for item in #items {
                            uri.push_query(#key, #text);
                        }
                    }
                } else {
                    let text = to_text(bound.member, bound.target, quote!(value), Place::Query);
                    quote!(uri.push_query(#key, #text);)
                };
                query.extend(with_value(bound, &owner, body));
            }
            Some(HttpBinding::QueryParams) => {
                let ShapeKind::Map { value, .. } = &bound.target.kind else {
                    continue;
                };
                let value_target = cx.index.shape(&value.target);
                let push = if let Some((item, item_target, sparse)) = list_item(cx, value_target) {
                    let text = to_text(item, item_target, quote!(item), Place::Query);
                    let items = if sparse {
                        quote!(values.iter().flatten())
                    } else {
                        quote!(values.iter())
                    };
                    quote!(for item in #items { uri.push_query(key, #text); })
                } else {
                    let text = to_text(value, value_target, quote!(values), Place::Query);
                    quote!(uri.push_query(key, #text);)
                };
                query.extend(with_value(
                    bound,
                    &owner,
                    quote! {
                        // Members bound to a query parameter win over the map; keys are sorted
                        // so that a request is always written the same way.
                        let mut entries: Vec<_> = value.iter().collect();
                        entries.sort_by(|a, b| a.0.cmp(b.0));
                        let taken: Vec<bool> = entries.iter().map(|(key, _)| uri.has_query(key)).collect();
                        for ((key, values), taken) in entries.into_iter().zip(taken) {
                            if !taken {
                                #push
                            }
                        }
                    },
                ));
            }
            _ => {}
        }
    }
    let input_body = body(&inputs);
    let headers = write_headers(cx, &inputs, &owner);
    let write_body_tokens = write_body(cx, &input_body, &owner);
    let validate = cx
        .constrained
        .shape(cx.index, input_shape)
        .then(|| quote!(input.validate().map_err(crate::error::UnhandledError::invalid_input)?;));
    let token_fill = inputs
        .iter()
        .filter(|bound| bound.member.traits.is_idempotency_token() && bound.optional)
        .map(|bound| {
            let field = &bound.field;
            quote! {
                if input.#field.is_none() {
                    let mut filled = input.clone();
                    filled.#field = Some(crate::primitives::idempotency_token());
                    return Self::serialize_request(&filled, endpoint);
                }
            }
        })
        .collect::<Vec<_>>();
    let method_lit = method.as_str();
    let ignore_input = matches!(input_body, Body::None).then(|| quote!(let _ = input;));
    let builder_mut = if headers.is_empty() { quote!() } else { quote!(mut) };
    let serialize_request = quote! {
        fn serialize_request(input: &#input_ty, endpoint: &str) -> Result<http::Request<Vec<u8>>, crate::error::UnhandledError> {
            #(#token_fill)*
            #validate
            let mut uri = crate::protocol::UriBuilder::new(endpoint)?;
            #path
            #query
            let #builder_mut builder = http::Request::builder().method(#method_lit).uri(uri.build()?);
            #headers
            fn body(input: &#input_ty, mut builder: http::request::Builder) -> Result<(http::request::Builder, Vec<u8>), String> {
                #ignore_input
                #write_body_tokens
                Ok((builder, body))
            }
            let (builder, body) = body(input, builder).map_err(crate::error::UnhandledError::invalid_input)?;
            builder.body(body).map_err(crate::error::UnhandledError::invalid_input)
        }
    };

    // Client: the response.
    let read_output = read_structure(cx, output_shape, &output_ty, module, Side::Response);
    let errors = cx.index.operation_errors(operation);
    let error_arms = errors.iter().map(|id| {
        let error = cx.symbols.type_of(id);
        let path = error.path_from(module);
        let variant = ident(&error.name);
        let code = id.name();
        quote!(Some(#code) => #path::read_response(response).map(#error_ty::#variant),)
    });
    let unhandled = ident(cx.symbols.unhandled_variant(&shape.id));
    let error_match = if errors.is_empty() {
        quote! {
            let _ = code;
            return Err(#error_ty::#unhandled(crate::protocol::unhandled(response)));
        }
    } else {
        quote! {
            let error: Result<#error_ty, String> = match code.as_deref() {
                #(#error_arms)*
                _ => Ok(#error_ty::#unhandled(crate::protocol::unhandled(response))),
            };
        }
    };
    let error_return = (!errors.is_empty()).then(|| {
        quote!(return Err(error.unwrap_or_else(|message| crate::error::UnhandledError::invalid_response(status, message).into()));)
    });
    let parse_response = quote! {
        fn parse_response(response: &http::Response<Vec<u8>>) -> Result<#output_ty, #error_ty> {
            fn read(response: &http::Response<Vec<u8>>) -> Result<#output_ty, String> {
                let (status, headers, body) = (response.status().as_u16(), response.headers(), response.body().as_slice());
                let _ = (status, headers, body);
                #read_output
            }
            let status = response.status().as_u16();
            if !response.status().is_success() {
                let code = crate::protocol::error_code(response.headers(), response.body());
                #error_match
                #error_return
            }
            read(response).map_err(|message| crate::error::UnhandledError::invalid_response(status, message).into())
        }
    };

    // Server: the request.
    let read_input = read_structure(cx, input_shape, &input_ty, module, Side::Request);
    let request_type = content_type(&input_body);
    let request_type = match &request_type {
        Some(media) => quote!(Some(#media)),
        None => quote!(None),
    };
    let outputs = bound(cx, output_shape);
    let output_body = body(&outputs);
    let accept = match content_type(&output_body) {
        Some(media) => quote!(Some(#media)),
        None => quote!(None),
    };
    let validate_input = cx.constrained.shape(cx.index, input_shape).then(|| {
        quote! {
            if let Err(error) = crate::error::validate::with_enum_values(|| input.validate()) {
                return Err(crate::server::Rejection::validation(
                    error.violations().iter().map(|violation| (violation.path.clone(), violation.to_string())).collect(),
                ));
            }
        }
    });
    let parse_request = quote! {
        fn parse_request(request: &http::Request<Vec<u8>>) -> Result<#input_ty, crate::server::Rejection> {
            fn read(request: &http::Request<Vec<u8>>) -> Result<#input_ty, crate::server::Rejection> {
                let labels = crate::server::match_path(request.uri().path(), #marker::PATH)
                    .ok_or_else(crate::server::Rejection::unknown_operation)?;
                let query = crate::server::parse_query(request.uri().query())?;
                let (headers, body) = (request.headers(), request.body().as_slice());
                let _ = (&labels, &query, headers, body);
                #read_input
            }
            crate::server::check_media_types(request, #request_type, #accept)?;
            let input = read(request)?;
            #validate_input
            Ok(input)
        }
    };

    // Server: the response.
    let success = Literal::u16_unsuffixed(http.as_ref().map_or(200, |http| http.code));
    let status = match outputs
        .iter()
        .find(|bound| bound.binding == Some(HttpBinding::ResponseCode))
    {
        Some(bound) => {
            let field = &bound.field;
            if bound.optional {
                quote!(output.#field.and_then(|code| u16::try_from(code).ok()).unwrap_or(#success))
            } else {
                quote!(u16::try_from(output.#field).unwrap_or(#success))
            }
        }
        None => quote!(#success),
    };
    let write_output = write_message(cx, &outputs, &output_body, quote!(output), status, None);
    let error_writes = errors.iter().map(|id| {
        let variant = ident(&cx.symbols.type_of(id).name);
        quote!(Err(#error_ty::#variant(error)) => error.write_response(),)
    });
    let serialize_response = quote! {
        fn serialize_response(result: &Result<#output_ty, #error_ty>) -> http::Response<Vec<u8>> {
            fn write(output: &#output_ty) -> Result<http::Response<Vec<u8>>, String> {
                let _ = output;
                #write_output
            }
            let response = match result {
                Ok(output) => write(output),
                #(#error_writes)*
                Err(#error_ty::#unhandled(error)) => Ok(crate::protocol::unhandled_response(error)),
            };
            response.unwrap_or_else(|message| crate::protocol::internal_error(&message))
        }
    };

    let segments = parts.iter().map(|part| match part {
        TemplatePart::Literal(text) => quote!(crate::server::Segment::Literal(#text)),
        TemplatePart::Label(_) => quote!(crate::server::Segment::Label),
        TemplatePart::Greedy(_) => quote!(crate::server::Segment::Greedy),
    });
    let query_pairs = query_literals.iter().map(|(key, value)| match value {
        Some(value) => quote!((#key, Some(#value))),
        None => quote!((#key, None)),
    });
    out.add(
        module,
        &symbol.marker.name,
        quote! {
            impl #marker {
                /// The path of the URI template, segment by segment.
                pub const PATH: &'static [crate::server::Segment] = &[#(#segments),*];
                /// The literal query parameters of the URI template.
                pub const QUERY: &'static [(&'static str, Option<&'static str>)] = &[#(#query_pairs),*];
            }

            #[allow(deprecated, clippy::get_first, clippy::redundant_closure, unused_mut)]
            impl crate::operation::HttpOperation for #marker {
                #serialize_request
                #parse_response
                #parse_request
                #serialize_response
            }
        },
    );
}

/// Statements writing a response for `owner` (an output or an error), with `status`.
fn write_message(
    cx: &Context<'_>,
    members: &[Bound<'_>],
    body_kind: &Body<'_>,
    owner: TokenStream,
    status: TokenStream,
    error_type: Option<&str>,
) -> TokenStream {
    let headers = write_headers(cx, members, &owner);
    let write_body_tokens = write_body(cx, body_kind, &owner);
    let error_header = error_type.map(|code| quote!(builder = builder.header("x-amzn-errortype", #code);));
    quote! {
        let mut builder = http::Response::builder().status(#status);
        #error_header
        #headers
        #write_body_tokens
        Ok(crate::protocol::response(builder, body))
    }
}

/// `read_response` and `write_response` of an error shape.
pub(super) fn render_error(cx: &Context<'_>, out: &mut Output, shape: &Shape) {
    let symbol = cx.symbols.type_of(&shape.id);
    let name = ident(&symbol.name);
    let ty = quote!(#name);
    let read = read_structure(cx, shape, &ty, &symbol.module, Side::Response);
    let members = bound(cx, shape);
    let body_kind = body(&members);
    let write = write_message(
        cx,
        &members,
        &body_kind,
        quote!(self),
        quote!(Self::STATUS),
        Some(shape.id.name()),
    );
    out.add(
        &symbol.module,
        &symbol.name,
        quote! {
            #[allow(deprecated, clippy::get_first, clippy::redundant_closure, unused_mut)]
            impl #name {
                /// Reads the error from a restJson1 error response.
                pub(crate) fn read_response(response: &http::Response<Vec<u8>>) -> Result<Self, String> {
                    let (status, headers, body) = (response.status().as_u16(), response.headers(), response.body().as_slice());
                    let _ = (status, headers, body);
                    #read
                }

                /// The restJson1 error response for the error.
                pub(crate) fn write_response(&self) -> Result<http::Response<Vec<u8>>, String> {
                    #write
                }
            }
        },
    );
}

/// The server's router, its ready HTTP server, and the client's service trait impl.
pub(super) fn render_service(cx: &Context<'_>, out: &mut Output) {
    let service = cx.symbols.service();
    let server = ModulePath::new(&["server"]);
    let client = ModulePath::new(&["client"]);
    let service_path = service.path_from(&server);
    let mut operations: Vec<_> = cx
        .index
        .operations()
        .map(|(shape, _)| {
            let http = shape.traits.http();
            let (method, uri) = match &http {
                Some(http) => (http.method.clone(), http.uri.clone()),
                None => ("POST".to_owned(), "/".to_owned()),
            };
            let (parts, query) = template(&uri);
            // The most specific template first: more literal segments, then fewer greedy
            // labels, then more literal query parameters.
            let literals = parts
                .iter()
                .filter(|part| matches!(part, TemplatePart::Literal(_)))
                .count();
            let greedy = parts
                .iter()
                .filter(|part| matches!(part, TemplatePart::Greedy(_)))
                .count();
            let key = (
                std::cmp::Reverse(literals),
                greedy,
                std::cmp::Reverse(query.len()),
                std::cmp::Reverse(parts.len()),
            );
            (key, shape, method)
        })
        .collect();
    operations.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let routes = operations.iter().map(|(_, shape, method)| {
        let symbol = cx.symbols.operation(&shape.id);
        let marker = symbol.marker.path_from(&server);
        let call = ident(&symbol.method);
        quote! {
            if method == #method && crate::server::match_path(path, #marker::PATH).is_some()
                && #marker::QUERY.iter().all(|(key, value)| crate::server::has_query(&query, key, *value))
            {
                return match <#marker as crate::operation::HttpOperation>::parse_request(&request) {
                    Ok(input) => <#marker as crate::operation::HttpOperation>::serialize_response(&service.#call(input).await),
                    Err(rejection) => rejection.into_response(),
                };
            }
        }
    });
    let service_name = service.name.as_str();
    let handle_doc = format!(
        " Answers a request: routes it to the operation its method, path and query name, reads\n the input, calls the [`{service_name}`]({service_path_str}) implementation and writes its result. Requests that\n name no operation, cannot be read or break the model's constraints are refused with the\n protocol's error response; nothing here panics on a request.",
        service_path_str = service.module.to_string() + "::" + service_name
    );
    let handle_doc = handle_doc.lines().map(str::to_owned);
    out.add(
        &server,
        "handle",
        quote! {
            #(#[doc = #handle_doc])*
            pub async fn handle<S: #service_path + Sync>(service: &S, request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
                let query = match crate::server::parse_query(request.uri().query()) {
                    Ok(query) => query,
                    Err(rejection) => return rejection.into_response(),
                };
                let path = request.uri().path();
                let method = request.method().as_str();
                #(#routes)*
                crate::server::Rejection::unknown_operation().into_response()
            }

            /// Serves the service on `listener` until accepting a connection fails: each
            /// request goes through [`handle`].
            #[cfg(feature = "hyper-server")]
            pub async fn serve<S: #service_path + Send + Sync + 'static>(
                listener: tokio::net::TcpListener,
                service: std::sync::Arc<S>,
            ) -> std::io::Result<()> {
                serve_with(listener, move |request| {
                    let service = service.clone();
                    async move { handle(&*service, request).await }
                })
                .await
            }
        },
    );

    let service_from_client = service.path_from(&client);
    let methods = cx.index.operations().map(|(shape, _)| {
        let symbol = cx.symbols.operation(&shape.id);
        let marker = symbol.marker.path_from(&client);
        let input = symbol.input.path_from(&client);
        let output = symbol.output.path_from(&client);
        let error = symbol.error.path_from(&client);
        let method = ident(&symbol.method);
        quote! {
            fn #method(&self, input: #input) -> impl std::future::Future<Output = Result<#output, #error>> + Send {
                self.call::<#marker>(input)
            }
        }
    });
    out.add(
        &client,
        "Client",
        quote! {
            impl<T: Transport> #service_from_client for Client<T> {
                #(#methods)*
            }
        },
    );
}

/// Whether the service speaks restJson1.
pub(crate) fn is_rest_json(shape: &Shape) -> bool {
    shape.traits.get(REST_JSON_1).is_some()
}
