//! HTTP bindings, for every protocol that has them: members bound to the URI's labels and
//! query, to headers, to the status code or to the whole body go there; the others form the
//! body, in the protocol's codec. Both ways, for requests and responses.

use std::borrow::Cow;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::uri::UriBuilder;
use crate::codec::text::{quote_header_item, to_text, Location, TextDecoder, TextMapDecoder};
use crate::codec::Side;
use crate::codec::{Codec, Reading};
use crate::error::UnhandledError;
use crate::memory::RequestMemory;
use crate::schema::{Flags, Http, HttpBinding, Member, Schema, Segment, ShapeType};
use crate::shape::{DecodeError, Decoder, EncodeError, StructBuilder, Value, View};
use crate::validate::Violation;

/// The member of `schema` named `name`, with its index.
fn member_named(schema: &'static Schema, name: &str) -> Option<(usize, &'static Member)> {
    schema
        .members
        .iter()
        .enumerate()
        .find(|(_, member)| member.name == name)
}

/// Writes the operation's path (its labels filled in) and query onto `uri`.
pub(crate) fn write_uri(
    uri: &mut UriBuilder,
    http: &Http,
    schema: &'static Schema,
    input: &dyn Value,
) -> Result<(), UnhandledError> {
    // Literal text is written in runs, up to the next label. A first label that the endpoint
    // holds is left out.
    let mut literal = String::new();
    let skipped = match (http.path.first(), http.endpoint_label) {
        (Some(Segment::Label(name)), Some(label)) if *name == label => 1,
        _ => 0,
    };
    for segment in &http.path[skipped..] {
        literal.push('/');
        let (name, greedy) = match segment {
            Segment::Literal(text) => {
                literal.push_str(text);
                continue;
            }
            Segment::Label(name) => (*name, false),
            Segment::Greedy(name) => (*name, true),
        };
        uri.push_path(&std::mem::take(&mut literal));
        let (index, member) = member_named(schema, name)
            .ok_or_else(|| UnhandledError::invalid_input(format!("the URI label `{name}` names no input member")))?;
        let value = input
            .member(index)
            .ok_or_else(|| UnhandledError::invalid_input(format!("the URI label `{name}` is not set")))?;
        let text = to_text(value.view(), member, Location::Label).map_err(UnhandledError::invalid_input)?;
        uri.push_label(name, &text, greedy)?;
    }
    // A template of `/` alone is that path below the endpoint's; one of the endpoint's label alone
    // (S3's operations on a bucket) is the endpoint's path.
    if http.path.is_empty() {
        literal.push('/');
    }
    if !literal.is_empty() {
        uri.push_path(&literal);
    }
    for (key, value) in http.query {
        uri.push_query_literal(key, *value);
    }
    for (index, member) in schema.members.iter().enumerate() {
        let Some(HttpBinding::Query(key)) = member.traits.http else {
            continue;
        };
        let Some(value) = input.member(index) else { continue };
        for text in texts(value.view(), member, Location::Query).map_err(UnhandledError::invalid_input)? {
            uri.push_query(key, &text);
        }
    }
    for (index, member) in schema.members.iter().enumerate() {
        if member.traits.http != Some(HttpBinding::QueryParams) {
            continue;
        }
        let Some(View::Map(map)) = input.member(index).map(|value| value.view()) else {
            continue;
        };
        let Some(value_member) = member.target.item() else {
            continue;
        };
        // Members bound to a query parameter win over the map; entries are sorted by key.
        let entries = map.entries();
        let taken: Vec<bool> = entries.iter().map(|(key, _)| uri.has_query(key)).collect();
        for ((key, value), taken) in entries.into_iter().zip(taken) {
            if taken {
                continue;
            }
            for text in texts(value.view(), value_member, Location::Query).map_err(UnhandledError::invalid_input)? {
                uri.push_query(key, &text);
            }
        }
    }
    Ok(())
}

/// The text of a value, or of each item of a list value.
fn texts(view: View<'_>, member: &'static Member, location: Location) -> Result<Vec<String>, EncodeError> {
    match view {
        View::Null => Ok(Vec::new()),
        View::List(list) => {
            let item = member
                .target
                .item()
                .ok_or_else(|| EncodeError::new("a list schema needs its member"))?;
            (0..list.len())
                .filter_map(|index| list.get(index))
                .map(|value| value.view())
                .filter(|view| !matches!(view, View::Null))
                .map(|view| to_text(view, item, location))
                .collect()
        }
        view => to_text(view, member, location).map(|text| vec![text]),
    }
}

/// Puts the `@endpoint` host prefix, with its `{Label}`s taken from the input's `@hostLabel`
/// members, before the endpoint's host.
pub(crate) fn write_host_prefix(
    uri: &mut UriBuilder,
    prefix: &str,
    schema: &'static Schema,
    input: &dyn Value,
) -> Result<(), UnhandledError> {
    let mut host = String::new();
    let mut rest = prefix;
    while let Some(start) = rest.find('{') {
        host.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else { break };
        let label = &rest[start + 1..start + end];
        let value = member_named(schema, label)
            .and_then(|(index, _)| input.member(index))
            .ok_or_else(|| UnhandledError::invalid_input(format!("the host label `{label}` is not set")))?;
        match value.view() {
            View::String(text) => host.push_str(text),
            _ => {
                return Err(UnhandledError::invalid_input(format!(
                    "the host label `{label}` is not a string"
                )))
            }
        }
        rest = &rest[start + end + 1..];
    }
    host.push_str(rest);
    uri.push_host_prefix(&host)
}

/// Adds a header, refusing a value that is not a valid header value; returns its name.
pub(crate) fn insert_header(headers: &mut HeaderMap, name: &str, value: &str) -> Result<HeaderName, EncodeError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| EncodeError::new(format!("`{name}` is not a valid header name")))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| EncodeError::new(format!("the value of header `{name}` is not a valid header value")))?;
    headers.append(name.clone(), value);
    Ok(name)
}

/// Whether a member is in the body of a request (`response` false) or of a response: unbound,
/// or, in a response, bound to the URI (a response has none, so those bindings are ignored).
pub(crate) fn in_body(member: &Member, response: bool) -> bool {
    match member.traits.http {
        None => true,
        Some(HttpBinding::Label | HttpBinding::Query(_) | HttpBinding::QueryParams) => response,
        Some(_) => false,
    }
}

/// Adds the header of member `member`, refusing a value that would not arrive as it is: one
/// with a byte outside the visible ASCII characters, space and tab (which RFC 9110 allows,
/// but which a server reading header values as text refuses), or with a space or tab at
/// either end (which HTTP strips). A server reading the header applies the same rule.
fn insert_member_header(
    headers: &mut HeaderMap,
    member: &Member,
    name: &str,
    value: &str,
) -> Result<HeaderName, EncodeError> {
    let refused = |why: &str| {
        EncodeError::new(format!(
            "member `{}` cannot be sent in header `{name}`: its value {why}",
            member.name
        ))
    };
    if let Some(byte) = value.bytes().find(|byte| !matches!(byte, b'\t' | b' '..=b'~')) {
        return Err(refused(&if byte.is_ascii() {
            format!("holds the control character 0x{byte:02x}")
        } else {
            "holds a character outside ASCII".to_owned()
        }));
    }
    if value.starts_with([' ', '\t']) || value.ends_with([' ', '\t']) {
        return Err(refused("starts or ends with white space, which HTTP removes"));
    }
    insert_header(headers, name, value)
}

/// Writes the members bound to headers.
pub(crate) fn write_headers(
    headers: &mut HeaderMap,
    schema: &'static Schema,
    value: &dyn Value,
) -> Result<(), EncodeError> {
    // Members bound to one header first: a prefix-header map's entry for the same header is
    // left out.
    let mut specific: Vec<HeaderName> = Vec::new();
    for (index, member) in schema.members.iter().enumerate() {
        let Some(HttpBinding::Header(name)) = member.traits.http else {
            continue;
        };
        let Some(item) = value.member(index) else { continue };
        match item.view() {
            View::Null => {}
            View::List(list) => {
                let item_member = member
                    .target
                    .item()
                    .ok_or_else(|| EncodeError::new("a list schema needs its member"))?;
                let quoted = matches!(item_member.target.shape_type, ShapeType::String | ShapeType::Enum);
                let mut items = Vec::with_capacity(list.len());
                for text in texts(View::List(list), member, Location::Header)? {
                    items.push(if quoted {
                        quote_header_item(&text).into_owned()
                    } else {
                        text
                    });
                }
                // An empty list is an empty value, as an empty string is.
                specific.push(insert_member_header(headers, member, name, &items.join(", "))?);
            }
            view => specific.push(insert_member_header(
                headers,
                member,
                name,
                &to_text(view, member, Location::Header)?,
            )?),
        }
    }
    for (index, member) in schema.members.iter().enumerate() {
        let Some(HttpBinding::PrefixHeaders(prefix)) = member.traits.http else {
            continue;
        };
        let Some(item) = value.member(index) else { continue };
        let View::Map(map) = item.view() else { continue };
        let value_member = member
            .target
            .item()
            .ok_or_else(|| EncodeError::new("a map schema needs its members"))?;
        for (key, value) in map.entries() {
            let view = value.view();
            let name = format!("{prefix}{key}");
            if matches!(view, View::Null) || specific.iter().any(|bound| bound.as_str().eq_ignore_ascii_case(&name)) {
                continue;
            }
            insert_member_header(headers, member, &name, &to_text(view, value_member, Location::Header)?)?;
        }
    }
    Ok(())
}

/// A body and its media type.
pub(crate) type Body = (Cow<'static, str>, Vec<u8>);

/// The body of a request (`response` false) or response whose members are bound: the payload
/// member's bytes, or the JSON object of the body members (`None` when there are none). With
/// its media type.
pub(crate) fn write_bound_body(
    codec: &dyn Codec,
    schema: &'static Schema,
    value: &dyn Value,
    response: bool,
) -> Result<Option<Body>, EncodeError> {
    if let Some((index, member)) = schema
        .members
        .iter()
        .enumerate()
        .find(|(_, member)| member.traits.http == Some(HttpBinding::Payload))
    {
        return write_payload(codec, member, value.member(index), response);
    }
    if !schema.members.iter().any(|member| in_body(member, response)) {
        return Ok(None);
    }
    let mut body = Vec::new();
    codec.write_structure(&mut body, value, schema, &|member| in_body(member, response))?;
    Ok(Some((Cow::Borrowed(codec.media_type()), body)))
}

/// A payload member's body and media type. An unset structure payload of a request is an
/// empty object; other unset payloads are no body.
fn write_payload(
    codec: &dyn Codec,
    member: &'static Member,
    value: Option<&dyn crate::shape::Value>,
    response: bool,
) -> Result<Option<Body>, EncodeError> {
    let target = member.target;
    let media_type = |default: &'static str| Cow::Borrowed(member.traits.media_type.unwrap_or(default));
    let Some(value) = value else {
        return Ok(match target.shape_type {
            ShapeType::Structure if !response => {
                Some((Cow::Borrowed(codec.media_type()), codec.empty_structure().to_vec()))
            }
            _ => None,
        });
    };
    Ok(match (target.shape_type, value.view()) {
        // Event streams are framed on the wire, which this layer does not do yet.
        (ShapeType::Union, _) if target.traits.has(Flags::STREAMING) || member.traits.has(Flags::STREAMING) => None,
        (_, View::Null) => None,
        (ShapeType::Blob, View::Blob(bytes)) => Some((media_type("application/octet-stream"), bytes.to_vec())),
        (ShapeType::String | ShapeType::Enum, View::String(text)) => {
            Some((media_type("text/plain"), text.as_bytes().to_vec()))
        }
        (_, view) => {
            let mut body = Vec::new();
            let writer_value = ViewValue(view);
            codec.write_value(&mut body, &writer_value, member, target)?;
            Some((media_type(codec.media_type()), body))
        }
    })
}

/// A view as a value, to hand it back to a writer.
struct ViewValue<'a>(View<'a>);

impl crate::shape::Value for ViewValue<'_> {
    fn view(&self) -> View<'_> {
        self.0
    }
}

/// Every value of a header, joined as one comma-separated list; `None` when it is absent.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<Cow<'a, str>>, DecodeError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    let text = |value: &'a HeaderValue| {
        value
            .to_str()
            .map_err(|_| DecodeError::new(format!("the header `{name}` is not visible ASCII")))
    };
    let mut joined = Cow::Borrowed(text(first)?);
    for value in values {
        let joined = joined.to_mut();
        joined.push_str(", ");
        joined.push_str(text(value)?);
    }
    Ok(Some(joined))
}

/// What a message decoder reads from.
pub(crate) struct Message<'a> {
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// The status code of a response; `None` for a request.
    pub status: Option<u16>,
    /// A request's label values, by label name.
    pub labels: Vec<(&'static str, String)>,
    /// A request's decoded query parameters, in order.
    pub query: Vec<(String, String)>,
}

/// Where a message's members are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Where their HTTP binding traits say (headers, labels, query, status, payload), the rest
    /// in the body.
    HttpBindings,
    /// All in the body.
    Body,
}

/// Reads the top-level structure of a message: an operation's input, output or error.
pub(crate) struct MessageDecoder<'a> {
    message: Message<'a>,
    side: Side,
    framing: Framing,
    /// The format of the body.
    codec: &'static dyn Codec,
    missing: Vec<Violation>,
    /// The request's share of the server's memory, which what is decoded is charged to.
    memory: Option<&'a RequestMemory>,
}

impl<'a> MessageDecoder<'a> {
    pub(crate) fn new(message: Message<'a>, side: Side, framing: Framing, codec: &'static dyn Codec) -> Self {
        Self {
            message,
            side,
            framing,
            codec,
            missing: Vec::new(),
            memory: None,
        }
    }

    fn reading(&self) -> Reading<'a> {
        Reading {
            side: self.side,
            memory: self.memory,
        }
    }

    /// Charges what is decoded to `memory`.
    pub(crate) fn with_memory(mut self, memory: Option<&'a RequestMemory>) -> Self {
        self.memory = memory;
        self
    }

    /// The required members a server found missing.
    pub(crate) fn take_missing(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.missing)
    }

    fn read_body(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<Vec<bool>, DecodeError> {
        let (seen, missing) = self
            .codec
            .read_structure(self.message.body, self.reading(), schema, builder, include)?;
        self.missing.extend(missing);
        Ok(seen)
    }

    fn read_payload(
        &mut self,
        schema: &'static Schema,
        index: usize,
        builder: &mut dyn StructBuilder,
    ) -> Result<bool, DecodeError> {
        let member = &schema.members[index];
        let body = self.message.body;
        let target = member.target;
        let streaming = member.traits.has(Flags::STREAMING) || target.traits.has(Flags::STREAMING);
        let memory = self.memory;
        let raw = |builder: &mut dyn StructBuilder| {
            crate::shape::read_member(schema, index, builder, &mut RawDecoder { body, memory }).map(|()| true)
        };
        match target.shape_type {
            ShapeType::Union if streaming => Ok(false),
            ShapeType::Blob if streaming => raw(builder),
            _ if body.is_empty() => Ok(false),
            ShapeType::Blob | ShapeType::String | ShapeType::Enum => raw(builder),
            _ => {
                // An unset structure payload is sent as an empty structure: either is absent.
                let empty = target.shape_type == ShapeType::Structure
                    && without_whitespace(body) == without_whitespace(self.codec.empty_structure());
                if body.iter().all(u8::is_ascii_whitespace) || empty {
                    return Ok(false);
                }
                let missing = self.codec.read_member(body, self.reading(), schema, index, builder)?;
                self.missing.extend(missing);
                Ok(true)
            }
        }
    }

    fn read_bound(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        let request = self.message.status.is_none();
        let mut seen = vec![false; schema.members.len()];
        for (index, member) in schema.members.iter().enumerate() {
            let found = match member.traits.http {
                None => continue,
                Some(HttpBinding::Label) if request => {
                    let Some((_, value)) = self.message.labels.iter().find(|(name, _)| *name == member.name) else {
                        continue;
                    };
                    let what = format!("the URI label `{}`", member.name);
                    crate::shape::read_member(
                        schema,
                        index,
                        builder,
                        &mut TextDecoder::new(value.as_str(), Location::Label, what),
                    )?;
                    true
                }
                Some(HttpBinding::Query(key)) if request => {
                    let values: Vec<String> = self
                        .message
                        .query
                        .iter()
                        .filter(|(name, _)| name == key)
                        .map(|(_, value)| value.clone())
                        .collect();
                    if values.is_empty() {
                        continue;
                    }
                    let what = format!("the query parameter `{key}`");
                    let mut decoder = if member.target.shape_type == ShapeType::List {
                        TextDecoder::items(values, Location::Query, what)
                    } else {
                        TextDecoder::new(values.into_iter().next().unwrap_or_default(), Location::Query, what)
                    };
                    crate::shape::read_member(schema, index, builder, &mut decoder)?;
                    true
                }
                Some(HttpBinding::QueryParams) if request => {
                    // A server's map holds every query parameter, bound to another member or not.
                    let mut entries: Vec<(String, Vec<String>)> = Vec::new();
                    for (key, value) in &self.message.query {
                        match entries.iter_mut().find(|(name, _)| name == key) {
                            Some((_, values)) => values.push(value.clone()),
                            None => entries.push((key.clone(), vec![value.clone()])),
                        }
                    }
                    if entries.is_empty() {
                        continue;
                    }
                    crate::shape::read_member(
                        schema,
                        index,
                        builder,
                        &mut TextMapDecoder::new(entries, Location::Query),
                    )?;
                    true
                }
                Some(HttpBinding::Header(name)) => {
                    let Some(text) = header(self.message.headers, name)? else {
                        continue;
                    };
                    let what = format!("the header `{name}`");
                    let text = if member.target.shape_type == ShapeType::List {
                        text
                    } else {
                        Cow::Owned(text.trim().to_owned())
                    };
                    crate::shape::read_member(
                        schema,
                        index,
                        builder,
                        &mut TextDecoder::new(text, Location::Header, what),
                    )?;
                    true
                }
                Some(HttpBinding::PrefixHeaders(prefix)) => {
                    let prefix = prefix.to_ascii_lowercase();
                    let mut entries = Vec::new();
                    for name in self.message.headers.keys() {
                        if let Some(rest) = name.as_str().strip_prefix(prefix.as_str()) {
                            if let Some(value) = header(self.message.headers, name.as_str())? {
                                entries.push((rest.to_owned(), vec![value.into_owned()]));
                            }
                        }
                    }
                    // A response without such headers has an empty map; a request, none.
                    if entries.is_empty() && request {
                        continue;
                    }
                    crate::shape::read_member(
                        schema,
                        index,
                        builder,
                        &mut TextMapDecoder::new(entries, Location::Header),
                    )?;
                    true
                }
                Some(HttpBinding::ResponseCode) => match self.message.status {
                    Some(status) => {
                        crate::shape::read_member(
                            schema,
                            index,
                            builder,
                            &mut TextDecoder::new(status.to_string(), Location::Header, "the status code"),
                        )?;
                        true
                    }
                    None => continue,
                },
                Some(HttpBinding::Payload) => self.read_payload(schema, index, builder)?,
                // A binding that does not apply to this kind of message.
                Some(_) => continue,
            };
            seen[index] = found;
        }
        let has_payload = schema
            .members
            .iter()
            .any(|member| member.traits.http == Some(HttpBinding::Payload));
        let response = !request;
        if !has_payload && schema.members.iter().any(|member| in_body(member, response)) {
            let body_seen = self.read_body(schema, builder, &|member| in_body(member, response))?;
            for (seen, found) in seen.iter_mut().zip(body_seen) {
                *seen |= found;
            }
        }
        if self.side != Side::Client {
            for (index, member) in schema.members.iter().enumerate() {
                let bound = member
                    .traits
                    .http
                    .is_some_and(|binding| binding != HttpBinding::ResponseCode);
                if bound && !seen[index] && member.is_required() && member.traits.http != Some(HttpBinding::Payload) {
                    self.missing
                        .push(crate::validate::missing_member(&format!("/{}", member.name)));
                }
            }
        }
        Ok(())
    }
}

impl Decoder for MessageDecoder<'_> {
    fn mismatch(&self) -> DecodeError {
        DecodeError::new("a message is a structure")
    }

    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        match self.framing {
            Framing::HttpBindings => self.read_bound(schema, builder),
            Framing::Body => self.read_body(schema, builder, &|_| true).map(drop),
        }
    }
}

/// A body's bytes but its whitespace.
fn without_whitespace(body: &[u8]) -> Vec<u8> {
    body.iter()
        .copied()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect()
}

/// The raw body of a message, as a blob or a string payload.
struct RawDecoder<'a> {
    body: &'a [u8],
    memory: Option<&'a RequestMemory>,
}

impl RawDecoder<'_> {
    /// A copy of the body, charged before it is made.
    fn copy(&self) -> Result<Vec<u8>, DecodeError> {
        if let Some(memory) = self.memory {
            if !memory.charge(self.body.len()) {
                return Err(DecodeError::over_budget(self.body.len()));
            }
        }
        Ok(self.body.to_vec())
    }
}

impl Decoder for RawDecoder<'_> {
    fn mismatch(&self) -> DecodeError {
        DecodeError::new("the body is a blob or text payload")
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        String::from_utf8(self.copy()?).map_err(|_| DecodeError::new("the body is not UTF-8 text"))
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        self.copy()
    }
}
