//! The protocols with HTTP bindings (restJson1, restXml): an operation's `@http` trait as schema
//! data, its members' documentation of where they go, and the order a server tries routes in.

use crate::tokens::quote;
use crate::tokens::{Literal, Tokens};

use super::super::Context;
use crate::model::{HttpBinding, HttpTrait, Member, Shape, TemplateSegment};

/// The `@http` trait, or `POST /` answering 200 for an operation without one.
fn http_trait(operation: &Shape) -> HttpTrait {
    operation.traits.http().unwrap_or_else(|| HttpTrait {
        method: "POST".to_owned(),
        uri: "/".to_owned(),
        code: 200,
    })
}

/// Where a member goes on the wire, for its documentation.
pub(super) fn member_doc(member: &Member) -> Option<String> {
    Some(match member.traits.http_binding()? {
        HttpBinding::Label => format!("Sent in the URI path, as the `{{{}}}` label.", member.name),
        HttpBinding::Query(name) => format!("Sent as the query parameter `{name}`."),
        HttpBinding::QueryParams => "Sent as query parameters: every one that no other member binds.".to_owned(),
        HttpBinding::Header(name) => format!("Sent as the HTTP header `{name}`."),
        HttpBinding::PrefixHeaders(prefix) if prefix.is_empty() => "Sent as HTTP headers: every one.".to_owned(),
        HttpBinding::PrefixHeaders(prefix) => format!("Sent as the HTTP headers that start with `{prefix}`."),
        HttpBinding::Payload => "Sent as the whole HTTP body.".to_owned(),
        HttpBinding::ResponseCode => "The HTTP status code of the response.".to_owned(),
    })
}

/// An operation's request line and success code, for its documentation.
pub(super) fn operation_doc(operation: &Shape) -> String {
    let http = http_trait(operation);
    format!("`{} {}`, answering `{}` on success.", http.method, http.uri, http.code)
}

/// `Some(Http { .. })` with the URI template parsed.
pub(super) fn http_schema(operation: &Shape, bucket_in_endpoint: bool) -> Tokens {
    let http = http_trait(operation);
    let (segments, query) = http.template();
    let query = query.iter().map(|(key, value)| match value {
        Some(value) => quote!((#key, Some(#value))),
        None => quote!((#key, None)),
    });
    let endpoint_label = match segments.first() {
        Some(TemplateSegment::Label(name)) if bucket_in_endpoint && name == "Bucket" => quote!(Some("Bucket")),
        _ => quote!(None),
    };
    let segments = segments.iter().map(|segment| match segment {
        TemplateSegment::Literal(text) => quote!(Segment::Literal(#text)),
        TemplateSegment::Label(name) => quote!(Segment::Label(#name)),
        TemplateSegment::Greedy(name) => quote!(Segment::Greedy(#name)),
    });
    let (method, uri) = (http.method.as_str(), http.uri.as_str());
    let code = Literal::integer(http.code);
    quote! {
        Some(Http {
            method: #method,
            uri: #uri,
            path: &[#(#segments),*],
            query: &[#(#query),*],
            code: #code,
            endpoint_label: #endpoint_label,
        })
    }
}

/// The operations' indexes, most specific URI template first: more literal segments, then
/// fewer greedy labels, then more literal query parameters, then more segments.
pub(super) fn routes(cx: &Context<'_>) -> Vec<usize> {
    let mut routes: Vec<_> = cx
        .index
        .operations()
        .enumerate()
        .map(|(index, (shape, _))| {
            let (segments, query) = http_trait(shape).template();
            let literals = segments
                .iter()
                .filter(|segment| matches!(segment, TemplateSegment::Literal(_)))
                .count();
            let greedy = segments
                .iter()
                .filter(|segment| matches!(segment, TemplateSegment::Greedy(_)))
                .count();
            let key = (
                std::cmp::Reverse(literals),
                greedy,
                std::cmp::Reverse(query.len()),
                std::cmp::Reverse(segments.len()),
            );
            (key, shape.id.clone(), index)
        })
        .collect();
    routes.sort();
    routes.into_iter().map(|(_, _, index)| index).collect()
}
