//! XML bodies, as the XML protocols write them: a structure is an element whose members are
//! child elements (or attributes, with `@xmlAttribute`) named by `@xmlName` or the member's
//! name; a list wraps its items in `member` elements (or repeats the member's element, with
//! `@xmlFlattened`); a map wraps `entry` elements of a `key` and a `value`; `@xmlNamespace`
//! declares a namespace on an element. Timestamps are RFC 3339 date-times unless the member
//! says otherwise, blobs are base64.
//!
//! Reading makes one pass over the text, finding markup with `memchr`, which records where each
//! element is: its name, attributes and content as places in the text (nothing is copied or
//! unescaped), its first child and its next sibling, 28 bytes an element, charged to a
//! server's memory budget. Members are then read from their elements' text, unescaped only when
//! they hold a reference. Elements nest at most [`MAX_DEPTH`] deep; a document type declaration
//! is refused, so no entity is ever defined, let alone followed; only XML's five named entities
//! and character references are read.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};

use super::Side;
use crate::memory::RequestMemory;
use crate::primitives::{Blob, DateTime, Document};
use crate::schema::{Flags, Member, Schema, ShapeType, TimestampFormat, XmlNamespace};
use crate::shape::{DecodeError, Decoder, EncodeError, StructBuilder, UnionBuilder, Value, Variant, View};
use crate::validate::Violation;

/// How deep elements may nest in a document that is read.
pub const MAX_DEPTH: usize = 64;

/// The element name of a member: its `@xmlName`, else its name.
fn member_name(member: &Member) -> &'static str {
    member.traits.xml_name.unwrap_or(member.name)
}

/// The local part of a name that may have a namespace prefix (`xsi:name`), which is what a
/// reader matches elements and attributes by.
fn local(name: &str) -> &str {
    match name.bytes().rposition(|byte| byte == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// The element name of a structure written as a whole document: its `@xmlName`, else its name.
pub fn root_name(schema: &Schema) -> &'static str {
    schema.traits.xml_name.unwrap_or_else(|| schema.name())
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `value`, a structure of `schema`, as an XML document whose root element is `name`,
/// with `namespace` declared on it (and the structure's own `@xmlNamespace`, if it has one),
/// holding the members for which `include` holds.
pub fn write_document(
    out: &mut Vec<u8>,
    name: &str,
    namespace: Option<XmlNamespace>,
    value: &dyn Value,
    schema: &'static Schema,
    include: &dyn Fn(&Member) -> bool,
) -> Result<(), EncodeError> {
    let namespace = schema.traits.xml_namespace.or(namespace);
    Writer { out }.structure(name, namespace, value, schema, &[], include)
}

/// What an XML error body says before the error's members.
#[derive(Debug, Clone, Copy)]
pub struct ErrorHead<'a> {
    /// The error's code: its name, or its `@awsQueryError` code.
    pub code: &'a str,
    /// Who is at fault: `Sender` or `Receiver` (ec2Query's errors do not say).
    pub fault: &'a str,
    /// What `<Error>` is wrapped in.
    pub wrapping: ErrorWrapping,
    /// The request id that the wrapping names after the error.
    pub request_id: Option<&'a str>,
}

/// What an XML error's `<Error>` element is wrapped in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorWrapping {
    /// Nothing (S3).
    Bare,
    /// `<ErrorResponse>`, with a `RequestId` (restXml, awsQuery).
    ErrorResponse,
    /// `<Response><Errors>`, with a `RequestID` (ec2Query); `<Error>` has no `Type`.
    Ec2Response,
}

/// Writes an error response's body as the XML protocols do: element `Error` holding `Type`,
/// `Code`, then the members of `value` (of error structure `schema`) for which `include` holds;
/// wrapped as `head` says.
pub fn write_error(
    out: &mut Vec<u8>,
    head: ErrorHead<'_>,
    value: &dyn Value,
    schema: &'static Schema,
    include: &dyn Fn(&Member) -> bool,
) -> Result<(), EncodeError> {
    let mut writer = Writer { out };
    match head.wrapping {
        ErrorWrapping::Bare => {}
        ErrorWrapping::ErrorResponse => writer.out.extend_from_slice(b"<ErrorResponse>"),
        ErrorWrapping::Ec2Response => writer.out.extend_from_slice(b"<Response><Errors>"),
    }
    let typed = [("Type", head.fault), ("Code", head.code)];
    let lead = if head.wrapping == ErrorWrapping::Ec2Response {
        &typed[1..]
    } else {
        &typed[..]
    };
    writer.structure("Error", None, value, schema, lead, include)?;
    match head.wrapping {
        ErrorWrapping::Bare => {}
        ErrorWrapping::ErrorResponse => {
            if let Some(id) = head.request_id {
                writer.text_element("RequestId", id);
            }
            writer.out.extend_from_slice(b"</ErrorResponse>");
        }
        ErrorWrapping::Ec2Response => {
            writer.out.extend_from_slice(b"</Errors>");
            if let Some(id) = head.request_id {
                writer.text_element("RequestID", id);
            }
            writer.out.extend_from_slice(b"</Response>");
        }
    }
    Ok(())
}

/// The local name of a document's root element; `None` when it has none or is not XML.
pub fn root_element(body: &[u8]) -> Option<&str> {
    // Only as far as the root's start tag: the rest of the body is not even checked to be UTF-8.
    let mut reader = quick_xml::Reader::from_reader(body);
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) | Event::Empty(start) => {
                // The event borrows from `body`: the name's place in it.
                let name = start.name().into_inner().as_bytes();
                let offset = (name.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
                let qualified = std::str::from_utf8(body.get(offset..offset.checked_add(name.len())?)?).ok()?;
                return Some(local(qualified));
            }
            Event::Eof | Event::End(_) | Event::DocType(_) => return None,
            Event::Text(text) if !text.bytes().all(|byte| byte.is_ascii_whitespace()) => return None,
            _ => {}
        }
    }
}

/// Writes the start tag of element `name`, declaring `namespace`.
pub fn start_tag(out: &mut Vec<u8>, name: &str, namespace: Option<XmlNamespace>) {
    let mut writer = Writer { out };
    writer.open(name, namespace);
    writer.out.push(b'>');
}

/// Writes element `name` holding `text`.
pub fn text_element(out: &mut Vec<u8>, name: &str, text: &str) {
    Writer { out }.text_element(name, text);
}

/// Writes `value`, a structure of `schema`, as element `name` declaring `namespace` (and no
/// namespace of the structure's own: it is not a document's root).
pub fn write_element(
    out: &mut Vec<u8>,
    name: &str,
    namespace: Option<XmlNamespace>,
    value: &dyn Value,
    schema: &'static Schema,
) -> Result<(), EncodeError> {
    Writer { out }.structure(name, namespace, value, schema, &[], &|_| true)
}

/// Writes the members of `value`, a structure of `schema`, as elements (its attribute members
/// left out): the content of an element the caller opened.
pub fn write_members(out: &mut Vec<u8>, value: &dyn Value, schema: &'static Schema) -> Result<(), EncodeError> {
    let mut writer = Writer { out };
    for (index, member) in schema.members.iter().enumerate() {
        if member.traits.has(Flags::XML_ATTRIBUTE) {
            continue;
        }
        if let Some(value) = value.member(index).filter(|value| !matches!(value.view(), View::Null)) {
            writer.member(value.view(), member)?;
        }
    }
    Ok(())
}

/// Writes the end tag of element `name`.
pub fn end_tag(out: &mut Vec<u8>, name: &str) {
    Writer { out }.close(name);
}

/// The child element `name` of a document's root element, start tag to end tag: a document of
/// its own within `body` (the namespace declarations of the root left out); `None` when the root
/// has no such child. Reads only as far as that child's end.
pub fn child_document<'b>(body: &'b [u8], name: &str) -> Option<&'b [u8]> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        match reader.read_event().ok()? {
            Event::Start(start) => {
                if depth == 1 && local(start.name().into_inner()) == name {
                    reader.read_to_end(start.name()).ok()?;
                    return body.get(before..reader.buffer_position() as usize);
                }
                depth += 1;
            }
            Event::Empty(start) if depth == 1 && local(start.name().into_inner()) == name => {
                return body.get(before..reader.buffer_position() as usize);
            }
            Event::End(_) => depth = depth.checked_sub(1)?,
            Event::Eof | Event::DocType(_) => return None,
            _ => {}
        }
    }
}

/// `body`, a document, as the content of a root element `name` that wraps it: its XML
/// declaration left out. For a document whose root element is a member of the structure read.
pub fn wrap_in_root(body: &[u8], name: &str) -> Vec<u8> {
    let mut rest = body.trim_ascii_start();
    if rest.starts_with(b"<?xml") {
        if let Some(end) = rest.windows(2).position(|pair| pair == b"?>") {
            rest = &rest[end + 2..];
        }
    }
    let mut wrapped = Vec::with_capacity(rest.len() + 2 * name.len() + 5);
    wrapped.push(b'<');
    wrapped.extend_from_slice(name.as_bytes());
    wrapped.push(b'>');
    wrapped.extend_from_slice(rest);
    wrapped.extend_from_slice(b"</");
    wrapped.extend_from_slice(name.as_bytes());
    wrapped.push(b'>');
    wrapped
}

/// Writes `value` of `member` (of `schema`) as a document's root element, named by the
/// member's `@xmlName` or name, declaring `namespace`.
pub fn write_root_member(
    out: &mut Vec<u8>,
    namespace: Option<XmlNamespace>,
    value: &dyn Value,
    member: &'static Member,
) -> Result<(), EncodeError> {
    Writer { out }.element_in(member_name(member), namespace, value.view(), member, member.target)
}

/// What an XML error response holds: the `Error` element (in `<ErrorResponse>`, or at the root
/// as S3 sends it, or in `<Response><Errors>` as EC2 does) as a document of its own, and the
/// text of its `Code` and `Message` children. `None` when the body holds no such element.
pub fn read_error(body: &[u8]) -> Option<ErrorElement> {
    let input = std::str::from_utf8(body).ok()?;
    let root = children(input, 0..input.len(), true).ok()?.into_iter().next()?;
    let child_text = |inner: &[Element<'_>], name: &str| {
        let child = inner.iter().find(|child| child.name == name)?;
        let text = text_at(input, child.content.clone()).ok()?;
        let text = text.trim_ascii();
        (!text.is_empty()).then(|| text.to_owned())
    };
    // The request id is the root's (`<ErrorResponse>`, `<Response>`) or the error's (S3's).
    let mut request_id = None;
    let error = match root.name {
        "Error" => root,
        _ => {
            let mut element = root;
            // `<ErrorResponse><Error>`, or `<Response><Errors><Error>`.
            loop {
                let inner = children(input, element.content.clone(), false).ok()?;
                request_id =
                    request_id.or_else(|| child_text(&inner, "RequestId").or_else(|| child_text(&inner, "RequestID")));
                let next = inner
                    .iter()
                    .find(|child| child.name == "Error")
                    .or_else(|| inner.iter().find(|child| child.name == "Errors"))?
                    .clone();
                if next.name == "Error" {
                    break next;
                }
                element = next;
            }
        }
    };
    let inner = children(input, error.content.clone(), false).ok()?;
    let mut document = Vec::with_capacity(error.content.len() + 16);
    document.extend_from_slice(b"<Error>");
    document.extend_from_slice(&body[error.content.clone()]);
    document.extend_from_slice(b"</Error>");
    Some(ErrorElement {
        code: child_text(&inner, "Code"),
        message: child_text(&inner, "Message"),
        request_id: request_id.or_else(|| child_text(&inner, "RequestId")),
        document,
    })
}

/// An error response's `Error` element, as [`read_error`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorElement {
    /// The text of its `Code`.
    pub code: Option<String>,
    /// The request's id: the text of the `RequestId` (or EC2's `RequestID`) beside the error,
    /// or, as S3 sends it, in it.
    pub request_id: Option<String>,
    /// The text of its `Message`.
    pub message: Option<String>,
    /// The element alone, as a document (namespace declarations of its ancestors left out).
    pub document: Vec<u8>,
}

/// The element name of a payload member's value.
fn payload_name(member: &'static Member, schema: &'static Schema) -> &'static str {
    match (member.traits.xml_name, schema.shape_type) {
        (Some(name), _) => name,
        (None, ShapeType::Structure | ShapeType::Union) => root_name(schema),
        (None, _) => member.name,
    }
}

/// XML bodies as a [`Codec`](super::Codec): a body's structure is the document's root element,
/// named by the structure's `@xmlName` or shape name; a payload is its member's element. The
/// root element declares the service's `@xmlNamespace`, unless its shape has its own.
pub(crate) struct Xml {
    namespace: Option<XmlNamespace>,
}

/// The codec without a service namespace, for reading (which ignores namespaces).
pub(crate) static XML: Xml = Xml { namespace: None };

impl Xml {
    /// The codec that declares `namespace` on the root elements it writes.
    pub(crate) fn with_namespace(namespace: Option<XmlNamespace>) -> Self {
        Self { namespace }
    }
}

impl super::Codec for Xml {
    fn media_type(&self) -> &'static str {
        "application/xml"
    }

    fn empty_structure(&self) -> &'static [u8] {
        b""
    }

    fn write_structure(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        schema: &'static Schema,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        write_document(out, root_name(schema), self.namespace, value, schema, include)
    }

    fn write_value(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        member: &'static Member,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        let namespace = match schema.shape_type {
            ShapeType::Structure | ShapeType::Union => member
                .traits
                .xml_namespace
                .or(schema.traits.xml_namespace)
                .or(self.namespace),
            _ => member.traits.xml_namespace,
        };
        Writer { out }.element_in(payload_name(member, schema), namespace, value.view(), member, schema)
    }

    fn read_structure(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(Vec<bool>, Vec<Violation>), DecodeError> {
        // A body of only whitespace holds no members.
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok((vec![false; schema.members.len()], Vec::new()));
        }
        let mut xml = XmlDecoder::charged(body, reading.side, reading.memory)?;
        let seen = xml.structure_where(schema, builder, include)?;
        Ok((seen, xml.take_missing()))
    }

    fn read_member(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        index: usize,
        builder: &mut dyn StructBuilder,
    ) -> Result<Vec<Violation>, DecodeError> {
        let mut xml = XmlDecoder::charged(body, reading.side, reading.memory)?;
        xml.path.push(Segment::Name(Cow::Borrowed(schema.members[index].name)));
        crate::shape::read_member(schema, index, builder, &mut xml)?;
        Ok(xml.take_missing())
    }
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
}

impl Writer<'_> {
    fn open(&mut self, name: &str, namespace: Option<XmlNamespace>) {
        self.out.push(b'<');
        self.out.extend_from_slice(name.as_bytes());
        self.namespace(namespace);
    }

    fn namespace(&mut self, namespace: Option<XmlNamespace>) {
        if let Some(namespace) = namespace {
            self.out.extend_from_slice(b" xmlns");
            if let Some(prefix) = namespace.prefix {
                self.out.push(b':');
                self.out.extend_from_slice(prefix.as_bytes());
            }
            self.out.extend_from_slice(b"=\"");
            escape(self.out, namespace.uri, true);
            self.out.push(b'"');
        }
    }

    /// Element `name` holding `text`.
    fn text_element(&mut self, name: &str, text: &str) {
        self.open(name, None);
        self.out.push(b'>');
        escape(self.out, text, false);
        self.close(name);
    }

    fn close(&mut self, name: &str) {
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'>');
    }

    /// A structure as element `name`: attributes first, then the text elements of `lead` (name
    /// and text), then the other members.
    fn structure(
        &mut self,
        name: &str,
        namespace: Option<XmlNamespace>,
        value: &dyn Value,
        schema: &'static Schema,
        lead: &[(&str, &str)],
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        self.open(name, namespace);
        let set = |index: usize| {
            let member = &schema.members[index];
            include(member)
                .then(|| value.member(index))
                .flatten()
                .filter(|value| !matches!(value.view(), View::Null))
                .map(|value| (member, value))
        };
        for index in 0..schema.members.len() {
            if let Some((member, value)) = set(index) {
                if member.traits.has(Flags::XML_ATTRIBUTE) {
                    self.out.push(b' ');
                    self.out.extend_from_slice(member_name(member).as_bytes());
                    self.out.extend_from_slice(b"=\"");
                    let text = scalar_text(value.view(), member)?;
                    escape(self.out, &text, true);
                    self.out.push(b'"');
                }
            }
        }
        self.out.push(b'>');
        for (name, text) in lead {
            self.text_element(name, text);
        }
        for index in 0..schema.members.len() {
            if let Some((member, value)) = set(index) {
                if !member.traits.has(Flags::XML_ATTRIBUTE) {
                    self.member(value.view(), member)?;
                }
            }
        }
        self.close(name);
        Ok(())
    }

    /// A member's value: its element, or for a flattened list or map, one element per item.
    fn member(&mut self, view: View<'_>, member: &'static Member) -> Result<(), EncodeError> {
        let name = member_name(member);
        let schema = member.target;
        if member.traits.has(Flags::XML_FLATTENED) {
            match view {
                View::List(list) => {
                    let item = schema
                        .item()
                        .ok_or_else(|| EncodeError::new("a list schema needs its member"))?;
                    for index in 0..list.len() {
                        if let Some(value) = list.get(index) {
                            self.element(name, value.view(), item, item.target)?;
                        }
                    }
                    return Ok(());
                }
                View::Map(map) => {
                    for (key, value) in map.entries() {
                        self.open(name, member.traits.xml_namespace);
                        self.out.push(b'>');
                        self.entry(schema, key, value)?;
                        self.close(name);
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        self.element(name, view, member, schema)
    }

    /// Element `name` holding a value of `member`, declaring the member's `@xmlNamespace`.
    fn element(
        &mut self,
        name: &str,
        view: View<'_>,
        member: &'static Member,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        // A structure's own `@xmlNamespace` is declared only on a document's root element.
        self.element_in(name, member.traits.xml_namespace, view, member, schema)
    }

    /// Element `name` holding a value of `member`, declaring `namespace`.
    fn element_in(
        &mut self,
        name: &str,
        namespace: Option<XmlNamespace>,
        view: View<'_>,
        member: &'static Member,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        match view {
            View::Structure(value) => return self.structure(name, namespace, value, schema, &[], &|_| true),
            View::List(list) => {
                let item = schema
                    .item()
                    .ok_or_else(|| EncodeError::new("a list schema needs its member"))?;
                self.open(name, namespace);
                self.out.push(b'>');
                for index in 0..list.len() {
                    if let Some(value) = list.get(index) {
                        self.element(member_name(item), value.view(), item, item.target)?;
                    }
                }
            }
            View::Map(map) => {
                self.open(name, namespace);
                self.out.push(b'>');
                for (key, value) in map.entries() {
                    self.out.extend_from_slice(b"<entry>");
                    self.entry(schema, key, value)?;
                    self.out.extend_from_slice(b"</entry>");
                }
            }
            View::Union(value) => {
                self.open(name, namespace);
                self.out.push(b'>');
                match value.variant() {
                    Variant::Member(index, value) => {
                        let member = schema
                            .members
                            .get(index)
                            .ok_or_else(|| EncodeError::new(format!("`{}` has no member {index}", schema.id)))?;
                        match value {
                            Some(value) => self.member(value.view(), member)?,
                            None => {
                                self.open(member_name(member), None);
                                self.out.extend_from_slice(b"/>");
                            }
                        }
                    }
                    Variant::Unknown(name) => {
                        return Err(EncodeError::new(format!(
                            "cannot write the unknown member `{name}` of union `{}`",
                            schema.id
                        )))
                    }
                }
            }
            View::Document(_) => {
                return Err(EncodeError::new(format!(
                    "a document (`{}`) cannot be written as XML",
                    member.name
                )))
            }
            view => {
                self.open(name, namespace);
                self.out.push(b'>');
                escape(self.out, &scalar_text(view, member)?, false);
            }
        }
        self.close(name);
        Ok(())
    }

    /// A map entry's key and value elements.
    fn entry(&mut self, schema: &'static Schema, key: &str, value: &dyn Value) -> Result<(), EncodeError> {
        let Some((key_member, value_member)) = schema.map_entry() else {
            return Err(EncodeError::new("a map schema needs its key and value"));
        };
        let key_name = key_member.traits.xml_name.unwrap_or("key");
        self.open(key_name, key_member.traits.xml_namespace);
        self.out.push(b'>');
        escape(self.out, key, false);
        self.close(key_name);
        let value_name = value_member.traits.xml_name.unwrap_or("value");
        self.element(value_name, value.view(), value_member, value_member.target)
    }
}

/// The text of a simple value.
fn scalar_text<'v>(view: View<'v>, member: &Member) -> Result<Cow<'v, str>, EncodeError> {
    let float = |value: f64, text: String| {
        Cow::Owned(if value.is_nan() {
            "NaN".to_owned()
        } else if value.is_infinite() {
            if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        } else {
            text
        })
    };
    Ok(match view {
        View::Boolean(value) => Cow::Borrowed(if value { "true" } else { "false" }),
        View::Byte(value) => Cow::Owned(value.to_string()),
        View::Short(value) => Cow::Owned(value.to_string()),
        View::Integer(value) => Cow::Owned(value.to_string()),
        View::Long(value) => Cow::Owned(value.to_string()),
        View::Float(value) => float(f64::from(value), value.to_string()),
        View::Double(value) => float(value, value.to_string()),
        View::String(text) | View::BigNumber(text) => Cow::Borrowed(text),
        View::Blob(bytes) => Cow::Owned(Blob::new(bytes).to_base64()),
        View::Timestamp(time) => Cow::Owned(match member.traits.timestamp_format {
            Some(TimestampFormat::EpochSeconds) => time.to_epoch_seconds(),
            Some(TimestampFormat::HttpDate) => time.to_http_date(),
            _ => time.to_date_time(),
        }),
        View::Null => Cow::Borrowed(""),
        _ => {
            return Err(EncodeError::new(format!(
                "member `{}` is not a simple value and cannot be an XML attribute",
                member.name
            )))
        }
    })
}

/// Appends `text` escaped for XML: `&`, `<` and `>` always, quotes in attributes, and carriage
/// returns (and in attributes, tabs and newlines) as character references, so that they read
/// back unchanged.
fn escape(out: &mut Vec<u8>, text: &str, attribute: bool) {
    for byte in text.bytes() {
        match byte {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' if attribute => out.extend_from_slice(b"&quot;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            b'\n' if attribute => out.extend_from_slice(b"&#xA;"),
            b'\t' if attribute => out.extend_from_slice(b"&#x9;"),
            other => out.push(other),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// An element found by [`children`]: its local name and where its content lies in the input
/// (empty for `<name/>`).
#[derive(Clone)]
struct Element<'a> {
    name: &'a str,
    content: Range<usize>,
}

/// No element.
const NONE: u32 = u32::MAX;

/// The high bit of each byte of a word.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Where the next `<`, `&` or (with `CR`) carriage return at or after `from` is: the next markup,
/// or text that a reader cannot take as it is. A document without carriage returns is searched
/// without `CR`. Text between tags is mostly short: its first bytes are looked at eight at a time
/// in a word, quicker than a call to `memchr` for a few bytes.
#[inline]
fn next_markup<const CR: bool>(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    // The bytes of `word` that are zero, flagged by their high bit. A flag above a zero byte may
    // be false; the lowest flag is exact.
    let zeros = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let near = bytes.len().min(from + 64);
    let mut at = from;
    while at + 8 <= near {
        let word = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
        let mut found = zeros(word ^ u64::from_ne_bytes([b'<'; 8])) | zeros(word ^ u64::from_ne_bytes([b'&'; 8]));
        if CR {
            found |= zeros(word ^ u64::from_ne_bytes([b'\r'; 8]));
        }
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    match bytes[at..near]
        .iter()
        .position(|byte| matches!(byte, b'<' | b'&') || (CR && *byte == b'\r'))
    {
        Some(found) => Some(at + found),
        None if CR => memchr::memchr3(b'<', b'&', b'\r', &bytes[near..]).map(|found| near + found),
        None => memchr::memchr2(b'<', b'&', &bytes[near..]).map(|found| near + found),
    }
}

/// Whether two short byte strings (names) are equal, compared in place: up to 32 bytes as words
/// that may overlap, quicker for names than a call to `memcmp` or a byte at a time.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let len = a.len();
    let word = |bytes: &[u8], at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let half = |bytes: &[u8], at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
    match len {
        0..=3 => a.iter().zip(b).all(|(a, b)| a == b),
        4..=7 => half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4),
        8..=16 => word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8),
        17..=32 => {
            word(a, 0) == word(b, 0)
                && word(a, 8) == word(b, 8)
                && word(a, len - 16) == word(b, len - 16)
                && word(a, len - 8) == word(b, len - 8)
        }
        _ => a == b,
    }
}

/// A byte of a tag's name.
const NAME: u8 = 0;
/// The colon before a name's local part.
const COLON: u8 = 1;
/// What ends a name: `>`, `/` or white space.
const NAME_END: u8 = 2;
/// A byte no name holds: `<`, `&`, quotes and `=`.
const NOT_NAME: u8 = 3;

/// What each byte is in a tag's name, looked up rather than matched (names are most of a
/// listing's markup).
static NAME_BYTES: [u8; 256] = {
    let mut bytes = [NAME; 256];
    let mut byte = 0;
    while byte < 256 {
        bytes[byte] = match byte as u8 {
            b':' => COLON,
            b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' => NAME_END,
            b'<' | b'&' | b'"' | b'\'' | b'=' => NOT_NAME,
            _ => NAME,
        };
        byte += 1;
    }
    bytes
};

/// Where a document's elements are: found by one pass over the text, each element's name,
/// attributes and content as places in the text (nothing is copied), with its first child and
/// next sibling, so that a reader finds an element's children without reading its text again.
struct Index<'a> {
    input: &'a str,
    entries: Entries,
}

/// The most index entries a thread keeps for its next document (1 MiB of them): enough for a
/// listing of several thousand items, little beside a thread's stack.
const KEPT_ENTRIES: usize = (1 << 20) / std::mem::size_of::<Entry>();

thread_local! {
    /// The entries of the last index this thread dropped, emptied, for the next one to fill.
    static SPARE_ENTRIES: std::cell::Cell<Vec<Entry>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An index's entries. Their memory is taken from the thread's spare, and given back to it when
/// the index is dropped (if not over [`KEPT_ENTRIES`]), so that a client reading one large
/// response after another (pages of a listing) neither allocates nor faults in its index anew.
struct Entries(Vec<Entry>);

impl Entries {
    fn with_capacity(capacity: usize) -> Self {
        let mut entries = SPARE_ENTRIES.try_with(std::cell::Cell::take).unwrap_or_default();
        entries.clear();
        entries.reserve_exact(capacity);
        Self(entries)
    }
}

impl std::ops::Deref for Entries {
    type Target = Vec<Entry>;
    fn deref(&self) -> &Vec<Entry> {
        &self.0
    }
}

impl std::ops::DerefMut for Entries {
    fn deref_mut(&mut self) -> &mut Vec<Entry> {
        &mut self.0
    }
}

impl Drop for Entries {
    fn drop(&mut self) {
        if self.0.capacity() <= KEPT_ENTRIES {
            let mut entries = std::mem::take(&mut self.0);
            entries.clear();
            // The larger of the two is kept; a thread being torn down keeps nothing.
            let _ = SPARE_ENTRIES.try_with(|spare| {
                let kept = spare.take();
                spare.set(if kept.capacity() > entries.capacity() {
                    kept
                } else {
                    entries
                });
            });
        }
    }
}

/// An element in an [`Index`]: byte offsets into the document (which is shorter than 4 GiB), and
/// the place of its next sibling. Its first child, when it has one, is the element after it in
/// the index (elements are indexed in the order they start); its attributes run from its name
/// to the end of its start tag, one byte before its content (two for an empty element's `/>`).
#[derive(Clone, Copy)]
struct Entry {
    name: u32,
    name_end: u32,
    content: u32,
    content_end: u32,
    next_sibling: u32,
    /// What its text holds beside characters (child elements aside).
    text: Text,
    has_child: bool,
    /// Whether it is written `<name/>`.
    empty: bool,
}

/// What an element's text holds beside characters, which says how it is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Nothing: the text is taken as it is.
    Plain,
    /// References to resolve.
    References,
    /// Carriage returns, comments, processing instructions or CDATA.
    Markup,
}

impl<'a> Index<'a> {
    /// The index of the document `input`, charging what it takes to `memory`. Refuses a document
    /// type declaration, text or elements outside the root element, mismatched end tags, and
    /// elements nested deeper than [`MAX_DEPTH`].
    fn of(input: &'a str, memory: Option<&RequestMemory>) -> Result<Self, DecodeError> {
        // Carriage returns are rare in responses: a document without one (found in one pass,
        // many bytes at a time) is indexed without looking for them.
        if memchr::memchr(b'\r', input.as_bytes()).is_some() {
            Self::indexed::<true>(input, memory)
        } else {
            Self::indexed::<false>(input, memory)
        }
    }

    /// [`Index::of`], looking for carriage returns if `CR`.
    fn indexed<const CR: bool>(input: &'a str, memory: Option<&RequestMemory>) -> Result<Self, DecodeError> {
        let bytes = input.as_bytes();
        let offset = |at: usize| u32::try_from(at).map_err(|_| DecodeError::new("invalid XML: the body is too long"));
        offset(bytes.len())?;
        let refuse = |at: usize, what: &str| DecodeError::new(format!("invalid XML at byte {at}: {what}"));
        // An element takes two `<`s (one when empty). A reader with a memory budget makes room
        // for that many, charged first (counted in byte-wide lanes, a chunk at a time, which
        // compilers vectorize); one without guesses from the length, as listings and other
        // responses of short elements have it (about one element in 32 bytes), without a pass
        // over the document. Growth past the room is charged as it comes.
        let most = match memory {
            Some(_) => {
                bytes
                    .chunks(255)
                    .map(|chunk| usize::from(chunk.iter().fold(0u8, |count, byte| count + u8::from(*byte == b'<'))))
                    .sum::<usize>()
                    / 2
                    + 1
            }
            None => bytes.len() / 32 + 1,
        };
        if let Some(memory) = memory {
            let size = most * std::mem::size_of::<Entry>();
            if !memory.charge(size) {
                return Err(DecodeError::over_budget(size));
            }
        }
        let mut entries = Entries::with_capacity(most);
        // How many entries the budget was charged for: it doubles as the index passes it.
        let mut charged = most;
        // The open elements: each one's place, its last child so far, and where its qualified
        // name starts (which its end tag must repeat).
        let mut open: Vec<(u32, u32, u32)> = Vec::new();
        let mut root_seen = false;
        // A byte-order mark may open the document.
        let mut at = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        loop {
            let Some(lt) = next_markup::<CR>(bytes, at) else {
                if let Some((id, _, qualified)) = open.last() {
                    let name = &input[*qualified as usize..entries[*id as usize].name_end as usize];
                    return Err(refuse(bytes.len(), &format!("element `{name}` is not closed")));
                }
                if !bytes[at..].iter().all(u8::is_ascii_whitespace) {
                    return Err(refuse(at, "text outside the root element"));
                }
                break;
            };
            if open.is_empty() && !bytes[at..lt].iter().all(u8::is_ascii_whitespace) {
                return Err(refuse(at, "text outside the root element"));
            }
            if bytes[lt] != b'<' {
                // A reference or a carriage return: the open element's text must be read with
                // care.
                if let Some((id, _, _)) = open.last() {
                    let text = &mut entries[*id as usize].text;
                    *text = match bytes[lt] {
                        b'&' if *text != Text::Markup => Text::References,
                        _ => Text::Markup,
                    };
                }
                at = lt + 1;
                continue;
            }
            let markup = &bytes[lt + 1..];
            if let (Some(b'?' | b'!'), Some((id, _, _))) = (markup.first(), open.last()) {
                // Markup other than a tag: so is the open element's text.
                entries[*id as usize].text = Text::Markup;
            }
            match markup.first() {
                Some(b'/') => {
                    let (id, _, qualified) = open.pop().ok_or_else(|| refuse(lt, "an end tag without its start"))?;
                    let entry = &mut entries[id as usize];
                    let started = &bytes[qualified as usize..entry.name_end as usize];
                    // `</name`, spaces, `>`.
                    let mut end = lt + 2 + started.len();
                    let named = bytes.get(lt + 2..end).is_some_and(|name| same(name, started));
                    while bytes.get(end).is_some_and(u8::is_ascii_whitespace) {
                        end += 1;
                    }
                    if !named || bytes.get(end) != Some(&b'>') {
                        let started = &input[qualified as usize..entry.name_end as usize];
                        return Err(refuse(lt, &format!("element `{started}` is not closed by its end tag")));
                    }
                    entry.content_end = offset(lt)?;
                    at = end + 1;
                }
                Some(b'?') => {
                    at = memchr::memmem::find(&markup[1..], b"?>")
                        .map(|found| lt + 2 + found + 2)
                        .ok_or_else(|| refuse(lt, "a processing instruction that is not closed"))?;
                }
                Some(b'!') if markup.starts_with(b"!--") => {
                    at = memchr::memmem::find(&markup[3..], b"-->")
                        .map(|found| lt + 4 + found + 3)
                        .ok_or_else(|| refuse(lt, "a comment that is not closed"))?;
                }
                Some(b'!') if markup.starts_with(b"![CDATA[") && !open.is_empty() => {
                    at = memchr::memmem::find(&markup[8..], b"]]>")
                        .map(|found| lt + 9 + found + 3)
                        .ok_or_else(|| refuse(lt, "a CDATA section that is not closed"))?;
                }
                Some(b'!') if markup.starts_with(b"!DOCTYPE") => {
                    return Err(refuse(lt, "a document type declaration is not allowed"))
                }
                Some(b'!') => return Err(refuse(lt, "markup that is not an element, a comment or CDATA")),
                Some(_) => {
                    // The qualified name runs to a space, `/` or `>`; the local name follows its
                    // last colon.
                    let name_start = lt + 1;
                    let mut name_end = name_start;
                    let mut local_start = name_start;
                    loop {
                        // Eight bytes at a time while none is below `@`: letters, `_` and bytes
                        // past ASCII are all name bytes, and every byte that is not lies below.
                        while let Some(word) = bytes.get(name_end..name_end + 8) {
                            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                            // The bytes below `@`, flagged by their high bit (the lowest exactly).
                            let below = word.wrapping_sub(u64::from_ne_bytes([b'@'; 8])) & !word & HIGHS;
                            if below != 0 {
                                name_end += below.trailing_zeros() as usize / 8;
                                break;
                            }
                            name_end += 8;
                        }
                        while bytes
                            .get(name_end)
                            .is_some_and(|byte| NAME_BYTES[usize::from(*byte)] == NAME)
                        {
                            name_end += 1;
                        }
                        match bytes.get(name_end).map(|byte| NAME_BYTES[usize::from(*byte)]) {
                            Some(COLON) => local_start = name_end + 1,
                            Some(NOT_NAME) => return Err(refuse(lt, "a start tag without a valid name")),
                            _ => break,
                        }
                        name_end += 1;
                    }
                    if name_end == name_start {
                        return Err(refuse(lt, "a start tag without a valid name"));
                    }
                    // The tag ends at the first `>` outside a quoted attribute value; outside
                    // quotes there is no `<`, nor a `/` but the one that makes it empty, and
                    // within them no `<`.
                    let mut scan = name_end;
                    let gt = if bytes.get(name_end) == Some(&b'>') {
                        name_end
                    } else if bytes.get(name_end..name_end + 2) == Some(b"/>") {
                        name_end + 1
                    } else {
                        loop {
                            let found = memchr::memchr3(b'>', b'"', b'\'', &bytes[scan..])
                                .map(|found| scan + found)
                                .ok_or_else(|| refuse(lt, "a start tag that is not closed"))?;
                            let empty_mark = bytes[found] == b'>' && found > scan && bytes[found - 1] == b'/';
                            let unquoted = &bytes[scan..found - usize::from(empty_mark)];
                            if !unquoted.is_empty() && memchr::memchr2(b'<', b'/', unquoted).is_some() {
                                return Err(refuse(lt, "`<` or `/` inside a tag"));
                            }
                            if bytes[found] == b'>' {
                                break found;
                            }
                            let close = memchr::memchr(bytes[found], &bytes[found + 1..])
                                .map(|close| found + 1 + close)
                                .ok_or_else(|| refuse(found, "an attribute value that is not closed"))?;
                            if memchr::memchr(b'<', &bytes[found + 1..close]).is_some() {
                                return Err(refuse(found, "`<` in an attribute value"));
                            }
                            scan = close + 1;
                        }
                    };
                    let empty = bytes[gt - 1] == b'/';
                    if open.is_empty() {
                        if root_seen {
                            return Err(refuse(lt, "content after the root element"));
                        }
                        root_seen = true;
                    }
                    if open.len() >= MAX_DEPTH {
                        return Err(refuse(lt, &format!("elements nest deeper than {MAX_DEPTH} levels")));
                    }
                    let id = u32::try_from(entries.len())
                        .ok()
                        .filter(|id| *id != NONE)
                        .ok_or_else(|| refuse(lt, "too many elements"))?;
                    if entries.len() == charged {
                        let size = charged * std::mem::size_of::<Entry>();
                        if memory.is_some_and(|memory| !memory.charge(size)) {
                            return Err(DecodeError::over_budget(size));
                        }
                        charged = charged.saturating_mul(2);
                    }
                    let content = offset(gt + 1)?;
                    entries.push(Entry {
                        name: offset(local_start)?,
                        name_end: offset(name_end)?,
                        content,
                        content_end: content,
                        next_sibling: NONE,
                        text: Text::Plain,
                        has_child: false,
                        empty,
                    });
                    if let Some((parent, last, _)) = open.last_mut() {
                        if *last == NONE {
                            entries[*parent as usize].has_child = true;
                        } else {
                            entries[*last as usize].next_sibling = id;
                        }
                        *last = id;
                    }
                    if !empty {
                        open.push((id, NONE, offset(name_start)?));
                    }
                    at = gt + 1;
                }
                None => return Err(refuse(lt, "the document ends inside a tag")),
            }
        }
        if entries.is_empty() {
            return Err(DecodeError::new("invalid XML: the body has no element"));
        }
        Ok(Self { input, entries })
    }

    fn entry(&self, id: u32) -> Option<&Entry> {
        self.entries.get(id as usize)
    }

    /// The local name of element `id`.
    fn name(&self, id: u32) -> &'a str {
        self.entry(id)
            .and_then(|entry| self.input.get(entry.name as usize..entry.name_end as usize))
            .unwrap_or_default()
    }

    /// The local name of element `id`, as bytes (no check of character boundaries: names are
    /// compared, not kept).
    fn name_bytes(&self, id: u32) -> &'a [u8] {
        self.entry(id)
            .and_then(|entry| self.input.as_bytes().get(entry.name as usize..entry.name_end as usize))
            .unwrap_or_default()
    }

    /// The raw text of element `id`'s attributes.
    fn attributes(&self, id: u32) -> &'a str {
        self.entry(id)
            .and_then(|entry| {
                let attributes_end = entry.content as usize - 1 - usize::from(entry.empty);
                self.input.get(entry.name_end as usize..attributes_end)
            })
            .unwrap_or_default()
    }

    /// The text of element `id`'s content if it is text alone, to be taken as it is (most are).
    #[inline]
    fn plain_text(&self, id: u32) -> Option<&'a str> {
        let entry = self.entry(id)?;
        if entry.has_child || entry.text != Text::Plain {
            return None;
        }
        self.input.get(entry.content as usize..entry.content_end as usize)
    }

    /// The text of element `id`'s content, references resolved (an element in it is an error).
    fn text(&self, id: u32) -> Result<Cow<'a, str>, DecodeError> {
        if let Some(text) = self.plain_text(id) {
            return Ok(Cow::Borrowed(text));
        }
        match self.entry(id) {
            Some(entry) if !entry.has_child && entry.text == Text::References => {
                unescape(self.input.get(self.content(id)).unwrap_or_default())
            }
            _ => text_at(self.input, self.content(id)),
        }
    }

    /// Where element `id`'s content is in the document.
    fn content(&self, id: u32) -> Range<usize> {
        self.entry(id)
            .map_or(0..0, |entry| entry.content as usize..entry.content_end as usize)
    }

    /// The first child of element `id` (`NONE` when it has none).
    fn first_child(&self, id: u32) -> u32 {
        match self.entry(id) {
            Some(entry) if entry.has_child => id + 1,
            _ => NONE,
        }
    }

    /// The sibling after element `id` (`NONE` when it is the last).
    fn next_sibling(&self, id: u32) -> u32 {
        self.entry(id).map_or(NONE, |entry| entry.next_sibling)
    }

    /// The elements named `name` among element `first` and the siblings after it.
    fn named<'i>(&'i self, first: u32, name: &'i str) -> impl Iterator<Item = u32> + 'i {
        std::iter::successors((first != NONE).then_some(first), move |id| {
            let next = self.next_sibling(*id);
            (next != NONE).then_some(next)
        })
        .filter(move |id| same(self.name_bytes(*id), name.as_bytes()))
    }

    /// The first child of element `id` named `name`.
    fn child(&self, id: u32, name: &str) -> Option<u32> {
        self.named(self.first_child(id), name).next()
    }
}

/// A reader of the XML document `input`, positioned on one element (or, for a flattened list or
/// map, on the elements of its items).
pub struct XmlDecoder<'a> {
    /// Where the document's elements are.
    index: std::rc::Rc<Index<'a>>,
    /// The element read, or the items of a flattened list or map.
    at: At<'a>,
    side: Side,
    depth: usize,
    /// The member path of the value read, for errors and violations: each value read below
    /// adds its segment while it is read (written out only when an error or violation needs it).
    path: Vec<Segment<'a>>,
    missing: Vec<Violation>,
    /// For each shape of structure read so far, the member each of its first children was in
    /// the last one read (see [`XmlDecoder::read_structure`]).
    orders: Vec<(&'static Schema, Vec<u16>)>,
    memory: Option<&'a RequestMemory>,
}

/// What an [`XmlDecoder`] is positioned on.
#[derive(Clone)]
enum At<'a> {
    /// An element, by its place in the [`Index`].
    Element(u32),
    /// The repeated elements of a flattened list's items or map's entries: the `count` elements
    /// named `name` among element `first` and its later siblings.
    Items { first: u32, name: &'a str, count: u32 },
    /// The text of an attribute.
    Text(Cow<'a, str>),
}

/// A step of a member path: a member's name or a map's key, or a list item's place.
enum Segment<'a> {
    Name(Cow<'a, str>),
    Item(usize),
}

/// The most members a structure is read with small buffers on the stack (set up for every
/// structure read, so kept small); larger ones up to [`STACK_MEMBERS_LARGE`] use larger ones,
/// set up only for them, and the largest the heap.
const STACK_MEMBERS: usize = 16;
const STACK_MEMBERS_LARGE: usize = 64;

/// How many of a structure's children [`XmlDecoder::read_structure`] learns the order of.
const LEARNED_CHILDREN: usize = 32;

impl<'a> XmlDecoder<'a> {
    /// A reader of the document `input`, positioned on its root element.
    pub fn new(input: &'a [u8], side: Side) -> Result<Self, DecodeError> {
        Self::charged(input, side, None)
    }

    /// A reader of the document `input`, its index charged to `memory`.
    pub(crate) fn charged(input: &'a [u8], side: Side, memory: Option<&'a RequestMemory>) -> Result<Self, DecodeError> {
        let input =
            simdutf8::basic::from_utf8(input).map_err(|_| DecodeError::new("invalid XML: the body is not UTF-8"))?;
        let index = Index::of(input, memory)?;
        Ok(Self {
            index: std::rc::Rc::new(index),
            at: At::Element(0),
            side,
            depth: 0,
            path: Vec::new(),
            missing: Vec::new(),
            orders: Vec::new(),
            memory,
        })
    }

    /// The required members a server found missing.
    pub fn take_missing(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.missing)
    }

    /// Reads the value at `at` with `read`, below the one it is on at `segment`: the reader moves
    /// there for the read and back after it.
    fn read_below(
        &mut self,
        at: At<'a>,
        segment: Segment<'a>,
        read: impl FnOnce(&mut XmlDecoder<'a>) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(&format!("elements nest deeper than {MAX_DEPTH} levels")));
        }
        self.path.push(segment);
        let above = std::mem::replace(&mut self.at, at);
        self.depth += 1;
        let read = read(self);
        self.depth -= 1;
        self.at = above;
        self.path.pop();
        read
    }

    /// The member path of the value read.
    fn path(&self) -> String {
        let mut path = String::new();
        for segment in &self.path {
            path.push('/');
            match segment {
                Segment::Name(name) => path.push_str(name),
                Segment::Item(item) => super::text::push_decimal(&mut path, *item as u64),
            }
        }
        path
    }

    fn error(&self, message: &str) -> DecodeError {
        let path = self.path();
        if path.is_empty() {
            DecodeError::new(format!("invalid XML: {message}"))
        } else {
            DecodeError::new(format!("invalid XML at `{path}`: {message}"))
        }
    }

    /// The element it is on, by its place in the index.
    fn element_id(&self) -> Result<u32, DecodeError> {
        match &self.at {
            At::Element(id) => Ok(*id),
            _ => Err(self.error("expected an element")),
        }
    }

    /// The text it is on: an attribute's, or an element's content (which holds no element).
    fn text(&self) -> Result<Cow<'a, str>, DecodeError> {
        if let At::Element(id) = self.at {
            if let Some(text) = self.index.plain_text(id) {
                return Ok(Cow::Borrowed(text));
            }
        }
        match &self.at {
            At::Text(text) => Ok(text.clone()),
            At::Element(id) if self.index.first_child(*id) != NONE => {
                Err(self.error("expected text, found an element"))
            }
            At::Element(id) => self.index.text(*id).map_err(|error| self.error(error.message())),
            At::Items { .. } => Err(self.error("expected text")),
        }
    }

    /// The attributes of the element it is on, by local name.
    fn attributes(&self) -> Result<Vec<(&'a str, Cow<'a, str>)>, DecodeError> {
        let id = self.element_id()?;
        parse_attributes(self.index.attributes(id)).map_err(|error| self.error(error.message()))
    }

    fn number<T: std::str::FromStr>(&self, what: &str) -> Result<T, DecodeError> {
        let text = self.text()?;
        text.trim_ascii()
            .parse()
            .map_err(|_| self.error(&format!("expected {what}, found `{}`", text.trim_ascii())))
    }

    /// Reads a structure: each member that `include` takes (every member without it), from its
    /// attribute or its elements, marking in `seen` the members found.
    fn read_structure(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: Option<&dyn Fn(&Member) -> bool>,
        seen: &mut [bool],
    ) -> Result<(), DecodeError> {
        let include = |member: &Member| include.is_none_or(|include| include(member));
        let id = self.element_id()?;
        let members = schema.members;
        // Each member's first element, found by one walk over the children.
        // (And how many elements each has, for flattened lists and maps.)
        let mut found_on_stack = [(NONE, 0u32); STACK_MEMBERS];
        let mut found_on_larger_stack;
        let mut found_on_heap = Vec::new();
        let found: &mut [(u32, u32)] = if members.len() <= STACK_MEMBERS {
            &mut found_on_stack[..members.len()]
        } else if members.len() <= STACK_MEMBERS_LARGE {
            found_on_larger_stack = [(NONE, 0u32); STACK_MEMBERS_LARGE];
            &mut found_on_larger_stack[..members.len()]
        } else {
            found_on_heap.resize(members.len(), (NONE, 0));
            &mut found_on_heap
        };
        let mut attributes = false;
        for member in members {
            attributes |= member.traits.has(Flags::XML_ATTRIBUTE);
        }
        let index = self.index.clone();
        let mut child = index.first_child(id);
        // Structures of one shape in a document mostly list their members in one order, which
        // need not be the model's: the order of the last one read is tried first, child by child
        // (for the first [`LEARNED_CHILDREN`] children). Then the member after the last match,
        // then the last match again (a flattened list repeats its element), then the others.
        let learned = match self.orders.iter().position(|(known, _)| std::ptr::eq(*known, schema)) {
            Some(learned) => learned,
            None => {
                self.orders.push((schema, Vec::new()));
                self.orders.len() - 1
            }
        };
        let mut order = std::mem::take(&mut self.orders[learned].1);
        let count = members.len();
        let mut last = count.saturating_sub(1);
        let mut nth = 0;
        while child != NONE {
            let name = index.name_bytes(child);
            // The member whose element name, or its local part, is `name`.
            let matches = |member: &Member| {
                let full = member_name(member).as_bytes();
                let local = full.len() > name.len()
                    && full[full.len() - name.len() - 1] == b':'
                    && same(&full[full.len() - name.len()..], name);
                (same(full, name) || local) && !member.traits.has(Flags::XML_ATTRIBUTE)
            };
            let predicted = order
                .get(nth)
                .map(|position| usize::from(*position))
                .filter(|position| members.get(*position).is_some_and(matches));
            let member = predicted.or_else(|| {
                let after = if last + 1 < count { last + 1 } else { 0 };
                if members.get(after).is_some_and(matches) {
                    Some(after)
                } else {
                    (0..count)
                        .map(|step| {
                            if last + step < count {
                                last + step
                            } else {
                                last + step - count
                            }
                        })
                        .find(|position| matches(&members[*position]))
                }
            });
            if predicted.is_none() && nth < LEARNED_CHILDREN {
                // Learned for the next structure of this shape (`u16::MAX`: no member).
                let position = member.and_then(|member| u16::try_from(member).ok()).unwrap_or(u16::MAX);
                match order.get_mut(nth) {
                    Some(learned) => *learned = position,
                    None => order.push(position),
                }
            }
            if let Some(member) = member {
                let (first, count) = &mut found[member];
                if *first == NONE {
                    *first = child;
                }
                *count += 1;
                last = member;
            }
            nth += 1;
            child = index.next_sibling(child);
        }
        self.orders[learned].1 = order;
        let attributes = if attributes { self.attributes()? } else { Vec::new() };
        for (position, member) in members.iter().enumerate() {
            if !include(member) {
                continue;
            }
            let at = if member.traits.has(Flags::XML_ATTRIBUTE) {
                let name = local(member_name(member));
                attributes
                    .iter()
                    .find(|(found, _)| *found == name)
                    .map(|(_, value)| At::Text(value.clone()))
            } else if found[position].0 == NONE {
                None
            } else if member.traits.has(Flags::XML_FLATTENED)
                && matches!(member.target.shape_type, ShapeType::List | ShapeType::Map)
            {
                let (first, count) = found[position];
                Some(At::Items {
                    first,
                    name: local(member_name(member)),
                    count,
                })
            } else {
                Some(At::Element(found[position].0))
            };
            let Some(at) = at else { continue };
            self.read_below(at, Segment::Name(Cow::Borrowed(member.name)), |reader| {
                crate::shape::read_member(schema, position, builder, reader)
            })?;
            seen[position] = true;
        }
        if self.side != Side::Client {
            for (position, member) in members.iter().enumerate() {
                if !seen[position] && include(member) && member.is_required() && !crate::validate::full(&self.missing) {
                    let path = format!("{}/{}", self.path(), member.name);
                    crate::validate::push_violation(&mut self.missing, crate::validate::missing_member(&path));
                }
            }
        }
        Ok(())
    }

    /// Reads the structure it is on, with the members `include` takes; which were found.
    pub fn structure_where(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<Vec<bool>, DecodeError> {
        let mut seen = vec![false; schema.members.len()];
        self.read_structure(schema, builder, Some(include), &mut seen)?;
        Ok(seen)
    }

    /// Where a list's items or a map's entries are: the items it is on (flattened), else the
    /// children of its element named `name`. The first candidate, the name to match, and how
    /// many match (when known).
    fn items<'n>(&self, name: &'n str) -> Result<(u32, &'n str, usize), DecodeError>
    where
        'a: 'n,
    {
        match &self.at {
            At::Items { first, name, count } => Ok((*first, name, *count as usize)),
            _ => Ok((self.index.first_child(self.element_id()?), name, usize::MAX)),
        }
    }
}

impl Decoder for XmlDecoder<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        let mut seen_on_stack = [false; STACK_MEMBERS];
        let mut seen_on_larger_stack;
        let mut seen_on_heap = Vec::new();
        let seen: &mut [bool] = if schema.members.len() <= STACK_MEMBERS {
            &mut seen_on_stack[..schema.members.len()]
        } else if schema.members.len() <= STACK_MEMBERS_LARGE {
            seen_on_larger_stack = [false; STACK_MEMBERS_LARGE];
            &mut seen_on_larger_stack[..schema.members.len()]
        } else {
            seen_on_heap.resize(schema.members.len(), false);
            &mut seen_on_heap
        };
        self.read_structure(schema, builder, None, seen)
    }

    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let index = self.index.clone();
        let mut found = None;
        let mut child = index.first_child(self.element_id()?);
        while child != NONE {
            let name = index.name(child);
            match schema
                .members
                .iter()
                .position(|member| local(member_name(member)) == name)
            {
                Some(_) if found.is_some() => {
                    return Err(self.error(&format!("union `{}` has more than one member set", schema.name())));
                }
                Some(position) => found = Some((position, child)),
                None if self.side == Side::Server => {
                    return Err(self.error(&format!("union `{}` has no member `{name}`", schema.name())));
                }
                None => builder.unknown(name),
            }
            child = index.next_sibling(child);
        }
        let Some((position, child)) = found else {
            return Err(self.error(&format!("union `{}` has no member set", schema.name())));
        };
        let member = &schema.members[position];
        self.read_below(
            At::Element(child),
            Segment::Name(Cow::Borrowed(member.name)),
            |reader| builder.member(position, reader),
        )
    }

    fn list_len(&mut self, member: &'static Member) -> Option<usize> {
        let item_member = member.target.item()?;
        let max = usize::try_from(super::max_items(self.side, member)).unwrap_or(usize::MAX);
        match self.items(local(member_name(item_member))).ok()? {
            (_, _, count) if count != usize::MAX => Some(count.min(max)),
            (first, name, _) => Some(self.index.named(first, name).take(max).count()),
        }
    }

    fn list(
        &mut self,
        member: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let item_member = member
            .target
            .item()
            .ok_or_else(|| DecodeError::new("a list schema needs its member"))?;
        let max = usize::try_from(super::max_items(self.side, member)).unwrap_or(usize::MAX);
        let (first, name, known) = self.items(local(member_name(item_member)))?;
        let index = self.index.clone();
        let mut count = 0u64;
        for (position, id) in index.named(first, name).take(known).enumerate() {
            count += 1;
            if position < max {
                self.read_below(At::Element(id), Segment::Item(position), |reader| item(reader))?;
            }
        }
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path()) {
            crate::validate::push_violation(&mut self.missing, violation);
        }
        Ok(())
    }

    fn map(
        &mut self,
        member: &'static Member,
        entry: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let schema = member.target;
        let Some((key_member, value_member)) = schema.map_entry() else {
            return Err(DecodeError::new("a map schema needs its key and value"));
        };
        let key_name = local(key_member.traits.xml_name.unwrap_or("key"));
        let value_name = local(value_member.traits.xml_name.unwrap_or("value"));
        let max = usize::try_from(super::max_items(self.side, member)).unwrap_or(usize::MAX);
        let (first, name, known) = self.items("entry")?;
        let index = self.index.clone();
        let mut count = 0u64;
        for (position, element) in index.named(first, name).take(known).enumerate() {
            count += 1;
            if position >= max {
                continue;
            }
            let key = index
                .child(element, key_name)
                .ok_or_else(|| self.error(&format!("a map entry without its `{key_name}`")))?;
            let key = index.text(key).map_err(|error| self.error(error.message()))?;
            let Some(value) = index.child(element, value_name) else {
                if self.side == Side::Client {
                    continue;
                }
                return Err(self.error(&format!("a map entry without its `{value_name}`")));
            };
            self.read_below(At::Element(value), Segment::Name(key.clone()), |reader| {
                entry(&key, reader)
            })?;
        }
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path()) {
            crate::validate::push_violation(&mut self.missing, violation);
        }
        Ok(())
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        match self.text()?.trim_ascii() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(self.error(&format!("expected a boolean, found `{other}`"))),
        }
    }

    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        self.number("an integer")
    }

    fn float(&mut self, _: &'static Member) -> Result<f64, DecodeError> {
        match self.text()?.trim_ascii() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            _ => self.number("a number"),
        }
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        self.text().map(Cow::into_owned)
    }

    fn string_with(&mut self, _: &'static Member, read: &mut dyn FnMut(&str)) -> Result<(), DecodeError> {
        self.text().map(|text| read(&text))
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        let text = self.text()?;
        Blob::from_base64(text.trim_ascii())
            .map(Blob::into_inner)
            .ok_or_else(|| self.error("invalid base64 in a blob"))
    }

    fn timestamp(&mut self, member: &'static Member) -> Result<DateTime, DecodeError> {
        let text = self.text()?;
        let text = text.trim_ascii();
        let parsed = match (self.side, member.traits.timestamp_format) {
            (Side::Server, Some(TimestampFormat::EpochSeconds)) => DateTime::parse_epoch_seconds(text),
            (Side::Server, Some(TimestampFormat::HttpDate)) => DateTime::parse_http_date(text),
            (Side::Server, _) => DateTime::parse_utc_date_time(text),
            _ => DateTime::parse_date_time(text)
                .or_else(|| DateTime::parse_http_date(text))
                .or_else(|| DateTime::parse_epoch_seconds(text)),
        };
        parsed.ok_or_else(|| self.error(&format!("`{text}` is not a valid timestamp")))
    }

    fn big_number(&mut self, _: &'static Member, integer: bool) -> Result<String, DecodeError> {
        let text = self.text()?.trim_ascii().to_owned();
        let valid = if integer {
            crate::primitives::BigInteger::new(text.as_str()).is_some()
        } else {
            crate::primitives::BigDecimal::new(text.as_str()).is_some()
        };
        if valid {
            Ok(text)
        } else {
            Err(self.error(&format!("`{text}` is not a number")))
        }
    }

    fn document(&mut self, member: &'static Member) -> Result<Document, DecodeError> {
        Err(self.error(&format!("a document (`{}`) cannot be read from XML", member.name)))
    }

    fn reserve(&mut self, bytes: usize) -> Result<(), DecodeError> {
        match self.memory {
            Some(memory) if !memory.charge(bytes) => Err(DecodeError::over_budget(bytes)),
            _ => Ok(()),
        }
    }
}

/// The elements directly inside `range` of `input` (the root, when `document`: a declaration,
/// comments and processing instructions may come before it).
fn children(input: &str, range: Range<usize>, document: bool) -> Result<Vec<Element<'_>>, DecodeError> {
    let offset = range.start;
    let slice = &input[range];
    let mut reader = quick_xml::Reader::from_str(slice);
    reader.config_mut().check_end_names = true;
    let mut found = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|error| DecodeError::new(error.to_string()))?;
        match event {
            Event::Start(start) => {
                let (name, _) = split_start(slice, &start)?;
                let span = reader
                    .read_to_end(start.name())
                    .map_err(|error| DecodeError::new(error.to_string()))?;
                found.push(Element {
                    name,
                    content: offset + span.start as usize..offset + span.end as usize,
                });
            }
            Event::Empty(start) => {
                let (name, _) = split_start(slice, &start)?;
                let at = offset + reader.buffer_position() as usize;
                found.push(Element { name, content: at..at });
            }
            Event::DocType(_) => return Err(DecodeError::new("a document type declaration is not allowed")),
            Event::End(_) => return Err(DecodeError::new("an end tag without its start")),
            Event::Eof => break,
            Event::Text(text) if document && !text.bytes().all(|byte| byte.is_ascii_whitespace()) => {
                return Err(DecodeError::new("text outside the root element"))
            }
            _ => {}
        }
        if document && !found.is_empty() {
            // Only what follows the root remains: comments and whitespace.
            loop {
                match reader
                    .read_event()
                    .map_err(|error| DecodeError::new(error.to_string()))?
                {
                    Event::Eof => break,
                    Event::Comment(_) | Event::PI(_) => {}
                    Event::Text(text) if text.bytes().all(|byte| byte.is_ascii_whitespace()) => {}
                    _ => return Err(DecodeError::new("content after the root element")),
                }
            }
            break;
        }
    }
    Ok(found)
}

/// The local name of a start tag (without its prefix) and the raw text of its attributes, as
/// slices of `slice`, which the tag was read from.
fn split_start<'a>(slice: &'a str, start: &BytesStart<'_>) -> Result<(&'a str, &'a str), DecodeError> {
    // The reader borrows from `slice`: find the parts' places in it.
    let within = |part: &[u8]| -> Option<&'a str> {
        let offset = (part.as_ptr() as usize).checked_sub(slice.as_ptr() as usize)?;
        slice.get(offset..offset.checked_add(part.len())?)
    };
    let qualified =
        within(start.name().as_ref().as_bytes()).ok_or_else(|| DecodeError::new("a start tag cut short"))?;
    let attributes = within(start.attributes_raw().as_bytes()).unwrap_or_default();
    Ok((local(qualified), attributes))
}

/// The attributes of a start tag's raw attribute text, by local name, their values unescaped.
fn parse_attributes(raw: &str) -> Result<Vec<(&str, Cow<'_, str>)>, DecodeError> {
    let mut found = Vec::new();
    let mut rest = raw.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| DecodeError::new("an attribute without a value"))?;
        let name = name.trim_ascii();
        let after = after.trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|quote| matches!(quote, '"' | '\''))
            .ok_or_else(|| DecodeError::new("an attribute value without quotes"))?;
        let end = after[1..]
            .find(quote)
            .ok_or_else(|| DecodeError::new("an attribute value that is not closed"))?;
        let value = &after[1..1 + end];
        let local = local(name);
        if name != "xmlns" && !name.starts_with("xmlns:") && !name.is_empty() {
            found.push((local, unescape(value)?));
        }
        rest = after[end + 2..].trim_start();
    }
    Ok(found)
}

/// The text in `range` of `input`: text and CDATA, references resolved; an element in it is
/// an error.
fn text_at(input: &str, range: Range<usize>) -> Result<Cow<'_, str>, DecodeError> {
    let slice = &input[range];
    let markup = |byte: &u8| matches!(byte, b'<' | b'&' | b'\r');
    // Most values are short: looked at byte by byte, quicker than a call to `memchr3`.
    let plain = if slice.len() < 64 {
        !slice.as_bytes().iter().any(markup)
    } else {
        memchr::memchr3(b'<', b'&', b'\r', slice.as_bytes()).is_none()
    };
    if plain {
        return Ok(Cow::Borrowed(slice));
    }
    if memchr::memchr2(b'<', b'\r', slice.as_bytes()).is_none() {
        // References only.
        return unescape(slice);
    }
    let mut reader = quick_xml::Reader::from_str(slice);
    let mut out = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|error| DecodeError::new(error.to_string()))?
        {
            // Line ends are normalized as XML 1.0 says (`\r\n` and `\r` read as `\n`); a
            // carriage return written as `&#xD;` stays.
            Event::Text(text) => out.push_str(&text.xml10_content()),
            Event::CData(data) => out.push_str(&data.xml10_content()),
            Event::GeneralRef(reference) => {
                let name: &str = &reference;
                out.push_str(&unescape(&format!("&{name};"))?);
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
            _ => return Err(DecodeError::new("expected text, found an element")),
        }
    }
    Ok(Cow::Owned(out))
}

/// Text with XML's five named entities and character references resolved; any other entity is
/// an error.
fn unescape(text: &str) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = text.as_bytes();
    let Some(mut at) = memchr::memchr(b'&', bytes) else {
        return Ok(Cow::Borrowed(text));
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    loop {
        out.push_str(&text[copied..at]);
        // A reference's name is short: its `;` is looked for byte by byte.
        let end = bytes[at + 1..]
            .iter()
            .position(|byte| *byte == b';')
            .map(|found| at + 1 + found)
            .ok_or_else(|| DecodeError::new("a reference without its `;`"))?;
        let name = &text[at + 1..end];
        out.push(
            reference(name).ok_or_else(|| DecodeError::new(format!("`&{name};` is not a reference XML defines")))?,
        );
        copied = end + 1;
        match memchr::memchr(b'&', &bytes[copied..]) {
            Some(next) => at = copied + next,
            None => {
                out.push_str(&text[copied..]);
                return Ok(Cow::Owned(out));
            }
        }
    }
}

/// The character a reference names: one of XML's five entities, or a character reference to a
/// character XML allows (`#` and decimal digits, or `#x` and hexadecimal ones).
fn reference(name: &str) -> Option<char> {
    let code = match name {
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "amp" => return Some('&'),
        "apos" => return Some('\''),
        "quot" => return Some('"'),
        _ => match name.strip_prefix("#x") {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|byte| byte.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            Some(_) => return None,
            None => {
                let decimal = name.strip_prefix('#')?;
                if decimal.is_empty() || !decimal.bytes().all(|byte| byte.is_ascii_digit()) {
                    return None;
                }
                decimal.parse().ok()?
            }
        },
    };
    // XML's `Char`: tab, line feed, carriage return, and from space up, but for the surrogates
    // (which `char` refuses) and U+FFFE and U+FFFF.
    let allowed = matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xFFFD | 0x10000..=0x10FFFF);
    char::from_u32(code).filter(|_| allowed)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::schema::prelude;

    #[test]
    fn names_are_read_whole_at_every_length() {
        // Only bytes below `@` may end a name, so a name is read eight bytes at a time to one.
        assert!((b'@'..=u8::MAX).all(|byte| NAME_BYTES[usize::from(byte)] == NAME));
        let pieces = ["a", "Z", "9", "-", ".", "_", "é", "x:", "Ab"];
        for length in 1..40 {
            for shift in 0..pieces.len() {
                let mut name: String = (0..length).map(|n| pieces[(n + shift) % pieces.len()]).collect();
                if !name.starts_with(|first: char| first.is_alphabetic()) {
                    name.insert(0, 'n');
                }
                let name = name.trim_end_matches(':').to_owned();
                let local = name.rsplit(':').next().unwrap_or_default();
                for end in [">", " a=\"1\">", "/>", "\t>"] {
                    let xml = format!(
                        "<{name}{end}{}",
                        if end.ends_with("/>") {
                            String::new()
                        } else {
                            format!("</{name}>")
                        }
                    );
                    let index = Index::of(&xml, None).unwrap_or_else(|error| panic!("{xml}: {}", error.message()));
                    assert_eq!(index.name(0), local, "{xml}");
                }
            }
        }
    }

    #[test]
    fn names_compare_as_slices_do_at_every_length() {
        let text: Vec<u8> = (0..40u8).map(|n| b'a' + n % 26).collect();
        for len in 0..=text.len() {
            let a = &text[..len];
            // The same bytes elsewhere in memory.
            let copy = a.to_vec();
            assert!(same(a, &copy), "{len} bytes");
            assert!(!same(a, &text[..len.saturating_sub(1)]) || len == 0);
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same(a, &b), "{len} bytes differing at {at}");
            }
        }
    }

    /// `Thing { @xmlAttribute id, name, @xmlFlattened tags, sizes: list (item `Size`), attrs:
    /// map, @xmlName("When") at }`, as a generated crate would have it.
    static TAGS: Schema =
        Schema::new("example#Tags", ShapeType::List).members(&[Member::new("member", &prelude::STRING)]);
    static SIZES: Schema =
        Schema::new("example#Sizes", ShapeType::List)
            .members(&[Member::new("member", &prelude::INTEGER).xml_name("Size")]);
    static ATTRS: Schema = Schema::new("example#Attrs", ShapeType::Map).members(&[
        Member::new("key", &prelude::STRING).xml_name("Name"),
        Member::new("value", &prelude::STRING),
    ]);
    static THING: Schema = Schema::new("example#Thing", ShapeType::Structure)
        .xml_namespace("https://example.com/ns", None)
        .members(&[
            Member::new("id", &prelude::STRING)
                .flags(Flags::XML_ATTRIBUTE)
                .xml_name("Id"),
            Member::new("name", &prelude::STRING).flags(Flags::REQUIRED),
            Member::new("tags", &TAGS).flags(Flags::XML_FLATTENED).xml_name("Tag"),
            Member::new("sizes", &SIZES),
            Member::new("attrs", &ATTRS),
            Member::new("at", &prelude::TIMESTAMP).xml_name("When"),
        ]);

    #[derive(Default, Debug, PartialEq)]
    struct Thing {
        id: Option<String>,
        name: Option<String>,
        tags: Option<Vec<String>>,
        sizes: Option<Vec<i32>>,
        attrs: Option<HashMap<String, String>>,
        at: Option<DateTime>,
    }

    impl Value for Thing {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }
        fn member(&self, index: usize) -> Option<&dyn Value> {
            match index {
                0 => self.id.as_ref().map(|value| value as &dyn Value),
                1 => self.name.as_ref().map(|value| value as &dyn Value),
                2 => self.tags.as_ref().map(|value| value as &dyn Value),
                3 => self.sizes.as_ref().map(|value| value as &dyn Value),
                4 => self.attrs.as_ref().map(|value| value as &dyn Value),
                5 => self.at.as_ref().map(|value| value as &dyn Value),
                _ => None,
            }
        }
    }

    impl StructBuilder for Thing {
        fn slot(&mut self, index: usize) -> Option<&mut dyn crate::shape::Slot> {
            Some(match index {
                0 => &mut self.id,
                1 => &mut self.name,
                2 => &mut self.tags,
                3 => &mut self.sizes,
                4 => &mut self.attrs,
                5 => &mut self.at,
                _ => return None,
            })
        }
    }

    fn read(xml: &str, side: Side) -> Result<(Thing, Vec<Violation>), DecodeError> {
        let mut decoder = XmlDecoder::new(xml.as_bytes(), side)?;
        let mut thing = Thing::default();
        decoder.structure(&THING, &mut thing)?;
        Ok((thing, decoder.take_missing()))
    }

    #[test]
    fn the_next_markup_is_found_wherever_it_lies() {
        // Every place of `<`, `&` or `\r` in texts of every length to 80, among bytes that
        // differ from them by one bit (the near misses a word-wide search could confuse), from
        // every start.
        for length in 0..80 {
            for place in (0..length).map(Some).chain([None]) {
                let mut text: Vec<u8> = (0..length)
                    .map(|n| [b'=', b'>', b'|', b'\xbc', b'a', b'\'', b'\x0c', b'\x0f'][n % 8])
                    .collect();
                if let Some(place) = place {
                    text[place] = [b'<', b'&', b'\r'][place % 3];
                }
                for from in 0..=length {
                    let expected = text[from..]
                        .iter()
                        .position(|byte| matches!(byte, b'<' | b'&' | b'\r'))
                        .map(|found| from + found);
                    assert_eq!(
                        next_markup::<true>(&text, from),
                        expected,
                        "length {length}, markup at {place:?}, from {from}"
                    );
                    let expected = text[from..]
                        .iter()
                        .position(|byte| matches!(byte, b'<' | b'&'))
                        .map(|found| from + found);
                    assert_eq!(
                        next_markup::<false>(&text, from),
                        expected,
                        "length {length}, markup at {place:?}, from {from}, no carriage returns"
                    );
                }
            }
        }
        assert_eq!(next_markup::<true>(b"<<", 0), Some(0));
        assert_eq!(next_markup::<false>(b"abcdefgh&<", 0), Some(8));
    }

    #[test]
    fn a_structure_is_written_and_read_back() {
        let thing = Thing {
            id: Some("a\"b&c".to_owned()),
            name: Some("<one>\r\n".to_owned()),
            tags: Some(vec!["x".to_owned(), "y".to_owned()]),
            sizes: Some(vec![1, 2]),
            attrs: Some(HashMap::from([("k".to_owned(), "v".to_owned())])),
            at: Some(DateTime::from_secs(1_576_540_098)),
        };
        let mut out = Vec::new();
        write_document(&mut out, "Thing", None, &thing, &THING, &|_| true).expect("written");
        let xml = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            xml,
            "<Thing xmlns=\"https://example.com/ns\" Id=\"a&quot;b&amp;c\"><name>&lt;one&gt;&#xD;\n</name>\
             <Tag>x</Tag><Tag>y</Tag><sizes><Size>1</Size><Size>2</Size></sizes>\
             <attrs><entry><Name>k</Name><value>v</value></entry></attrs>\
             <When>2019-12-16T23:48:18Z</When></Thing>"
        );
        let (read, missing) = read(&xml, Side::Server).expect("read back");
        assert_eq!(read, thing);
        assert!(missing.is_empty());
    }

    #[test]
    fn what_a_reader_meets_in_real_documents_is_read() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment -->
            <ns:Thing xmlns:ns="https://example.com/ns" ns:Id='7'>
              <Unknown><Deep>ignored</Deep></Unknown>
              <name><![CDATA[a <b>]]> &amp; &#x263A;</name>
              <Tag>only</Tag>
              <sizes/>
              <When>Mon, 16 Dec 2019 23:48:18 GMT</When>
            </ns:Thing>"#;
        let (thing, _) = read(xml, Side::Client).expect("read");
        assert_eq!(thing.id.as_deref(), Some("7"));
        assert_eq!(thing.name.as_deref(), Some("a <b> & \u{263A}"));
        assert_eq!(thing.tags, Some(vec!["only".to_owned()]));
        assert_eq!(thing.sizes, Some(Vec::new()));
        assert_eq!(thing.at, Some(DateTime::from_secs(1_576_540_098)));
    }

    /// Members are found in any order; a flattened list's items may lie between other members;
    /// a member given twice is read from its first element.
    #[test]
    fn members_are_read_in_any_order() {
        let xml = "<Thing><When>2019-12-16T23:48:18Z</When><Tag>a</Tag><name>first</name><Tag>b</Tag>\
                   <sizes><Size>3</Size></sizes><name>second</name><Tag>c</Tag></Thing>";
        let (thing, missing) = read(xml, Side::Server).expect("read");
        assert_eq!(thing.name.as_deref(), Some("first"));
        assert_eq!(thing.tags, Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
        assert_eq!(thing.sizes, Some(vec![3]));
        assert_eq!(thing.at, Some(DateTime::from_secs(1_576_540_098)));
        assert!(missing.is_empty());
    }

    #[test]
    fn structures_of_one_shape_are_read_whatever_order_each_has() {
        static THINGS: Schema =
            Schema::new("example#Things", ShapeType::List).members(&[Member::new("member", &THING)]);
        static LIST: Member = Member::new("things", &THINGS);
        // The same members in orders that change from one item to the next, with an unknown
        // element now and then, so that what one item teaches misleads the next.
        let orders = [
            [
                "<name>n</name>",
                "<Tag>t</Tag>",
                "<When>2019-12-16T23:48:18Z</When>",
                "<sizes><Size>1</Size></sizes>",
            ],
            [
                "<When>2019-12-16T23:48:18Z</When>",
                "<sizes><Size>1</Size></sizes>",
                "<name>n</name>",
                "<Tag>t</Tag>",
            ],
            [
                "<Tag>t</Tag>",
                "<Other>x</Other>",
                "<name>n</name>",
                "<When>2019-12-16T23:48:18Z</When>",
            ],
        ];
        let mut xml = String::from("<Things>");
        for item in 0..9 {
            xml.push_str("<member>");
            for element in orders[item % 3].iter().chain(&orders[item / 3 % 3][..item % 2]) {
                xml.push_str(element);
            }
            xml.push_str("</member>");
        }
        xml.push_str("</Things>");
        let mut decoder = XmlDecoder::new(xml.as_bytes(), Side::Client).expect("index");
        let mut things = Vec::new();
        decoder
            .list(&LIST, &mut |decoder| {
                let mut thing = Thing::default();
                decoder.structure(&THING, &mut thing)?;
                things.push(thing);
                Ok(())
            })
            .expect("read");
        assert_eq!(things.len(), 9);
        for (item, thing) in things.iter().enumerate() {
            let tags = if orders[item % 3].contains(&"<Tag>t</Tag>") {
                1
            } else {
                0
            } + usize::from(item % 2 == 1 && orders[item / 3 % 3][0] == "<Tag>t</Tag>");
            assert_eq!(thing.name.as_deref(), Some("n"), "item {item}");
            assert_eq!(thing.tags.as_ref().map_or(0, Vec::len), tags, "item {item}");
            assert_eq!(thing.at, Some(DateTime::from_secs(1_576_540_098)), "item {item}");
            let sizes = orders[item % 3].contains(&"<sizes><Size>1</Size></sizes>");
            assert_eq!(thing.sizes.is_some(), sizes, "item {item}");
        }
    }

    #[test]
    fn an_index_entry_is_small() {
        // Five offsets and three bytes: a listing's index is about the size of its text.
        assert!(std::mem::size_of::<Entry>() <= 24);
    }

    /// The element index is charged to a server's memory budget before the document is read.
    #[test]
    fn the_index_is_charged_to_the_budget() {
        let xml = format!("<Thing>{}</Thing>", "<Tag>t</Tag>".repeat(10_000));
        let roomy = crate::memory::tests::share_of(1 << 20);
        assert!(XmlDecoder::charged(xml.as_bytes(), Side::Server, Some(&roomy)).is_ok());
        assert!(roomy.used() >= 10_000 * std::mem::size_of::<Entry>());
        let tight = crate::memory::tests::share_of(64 * 1024);
        let error = XmlDecoder::charged(xml.as_bytes(), Side::Server, Some(&tight))
            .err()
            .expect("over the budget");
        assert!(error.is_over_budget(), "{error}");
    }

    /// An index's entries go back to the thread when it is dropped, for the next document, up
    /// to a limit; what a document takes is charged whatever room the entries it is given have.
    #[test]
    fn index_entries_are_kept_for_the_next_document_and_still_charged() {
        let listing = format!("<Thing>{}</Thing>", "<Tag>t</Tag>".repeat(10_000));
        drop(Index::of(&listing, None).expect("an index"));
        let spare = Entries::with_capacity(1);
        assert!(spare.capacity() > 10_000, "{}", spare.capacity());
        assert!(spare.is_empty());
        drop(spare);
        // Entries past the limit are let go.
        let mut huge = Entries::with_capacity(KEPT_ENTRIES + 1);
        huge.push(Index::of("<a/>", None).expect("an index").entries[0]);
        drop(huge);
        assert!(Entries::with_capacity(0).capacity() <= KEPT_ENTRIES);

        // Empty elements take one `<` each, so the room charged first is half of what they
        // need: the rest is charged as the index grows, though the spare had room for it.
        drop(Index::of(&listing, None).expect("an index"));
        let empties = format!("<Thing>{}</Thing>", "<Tag/>".repeat(5_000));
        let memory = crate::memory::tests::share_of(1 << 20);
        drop(Index::of(&empties, Some(&memory)).expect("an index"));
        assert!(
            memory.used() >= 5_001 * std::mem::size_of::<Entry>(),
            "{}",
            memory.used()
        );
    }

    #[test]
    fn bad_documents_are_errors_that_name_the_member() {
        let error = read("<Thing><sizes><Size>x</Size></sizes></Thing>", Side::Client).expect_err("not a number");
        assert!(error.message().contains("`/sizes/0`"), "{error}");
        for (xml, expected) in [
            (
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Thing><name>&e;</name></Thing>",
                "document type",
            ),
            ("<Thing><name>&e;</name></Thing>", "name"),
            ("<Thing><name>a</Thing>", ""),
            ("", "no element"),
            ("<Thing/><Other/>", "after the root"),
            ("<Thing><name><b>x</b></name></Thing>", "expected text"),
        ] {
            let error = read(xml, Side::Client).expect_err(xml);
            assert!(error.message().contains(expected), "{xml}: {error}");
        }
        // A server misses a required member.
        let (_, missing) = read("<Thing/>", Side::Server).expect("read");
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].path, "/name");
    }

    #[test]
    fn the_codec_names_bodies_and_payloads_as_the_xml_protocols_do() {
        use crate::codec::{Codec, Reading};
        static PAYLOAD: Schema = Schema::new("example#Payload", ShapeType::Structure).members(&[
            Member::new("thing", &THING),
            Member::new("renamed", &THING).xml_name("Hola"),
        ]);
        let thing = Thing {
            name: Some("n".to_owned()),
            ..Thing::default()
        };
        let mut out = Vec::new();
        XML.write_value(&mut out, &thing, &PAYLOAD.members[0], &THING)
            .expect("written");
        assert!(out.starts_with(b"<Thing xmlns"), "{}", String::from_utf8_lossy(&out));
        out.clear();
        XML.write_value(&mut out, &thing, &PAYLOAD.members[1], &THING)
            .expect("written");
        assert!(out.starts_with(b"<Hola xmlns"), "{}", String::from_utf8_lossy(&out));

        out.clear();
        XML.write_structure(&mut out, &thing, &THING, &|member| member.name != "name")
            .expect("written");
        assert_eq!(out, b"<Thing xmlns=\"https://example.com/ns\"></Thing>");

        let reading = Reading {
            side: Side::Server,
            memory: None,
        };
        let mut read = Thing::default();
        let (seen, missing) = XML
            .read_structure(
                b"<Thing><name>n</name><When>2019-12-16T23:48:18Z</When></Thing>",
                reading,
                &THING,
                &mut read,
                &|_| true,
            )
            .expect("read");
        assert_eq!(seen, [false, true, false, false, false, true]);
        assert!(missing.is_empty());
        assert_eq!(read.at, Some(DateTime::from_secs(1_576_540_098)));
        let (seen, _) = XML
            .read_structure(b"  ", reading, &THING, &mut read, &|_| true)
            .expect("empty");
        assert!(seen.iter().all(|seen| !seen));
    }

    /// As the JSON reader does: a server reads a list only up to its `@length` maximum and
    /// records the violation with the whole count.
    #[test]
    fn a_list_longer_than_its_length_is_not_read_past_it() {
        static SHORT: Schema = Schema::new("example#Short", ShapeType::Structure)
            .members(&[Member::new("sizes", &SIZES).length(None, Some(2))]);
        #[derive(Default)]
        struct Short(Option<Vec<i32>>);
        impl StructBuilder for Short {
            fn slot(&mut self, index: usize) -> Option<&mut dyn crate::shape::Slot> {
                (index == 0).then_some(&mut self.0 as &mut dyn crate::shape::Slot)
            }
        }
        let xml = "<Short><sizes><Size>1</Size><Size>2</Size><Size>x</Size></sizes></Short>";
        let mut decoder = XmlDecoder::new(xml.as_bytes(), Side::Server).expect("a document");
        let mut short = Short::default();
        decoder
            .structure(&SHORT, &mut short)
            .expect("the third item is not read");
        assert_eq!(short.0, Some(vec![1, 2]));
        let missing = decoder.take_missing();
        assert_eq!(missing.len(), 1);
        assert_eq!((missing[0].path.as_str(), missing[0].constraint), ("/sizes", "length"));
    }

    /// Documents cut, spliced and corrupted at random are read or refused, on both sides, and
    /// never make a reader panic.
    #[test]
    fn mangled_documents_are_read_or_refused_without_a_panic() {
        let seeds: [&[u8]; 4] = [
            br#"<?xml version="1.0"?><ns:Thing xmlns:ns="urn:x" ns:Id='7'><name><![CDATA[a <b>]]> &amp; &#x263A;</name><Tag>a</Tag><Tag>b</Tag><sizes><Size>1</Size></sizes><attrs><entry><Name>k</Name><value>v</value></entry></attrs><When>2019-12-16T23:48:18Z</When></ns:Thing>"#,
            b"<ErrorResponse><Error><Type>Sender</Type><Code>Bad</Code><Message>m &lt;</Message></Error><RequestId>r</RequestId></ErrorResponse>",
            b"<Response><Errors><Error><Code>C</Code></Error></Errors></Response>",
            b"<Thing Id=\"x\"><Unknown><Deep a='1'/></Unknown><name/><sizes></sizes><When>1576540098</When></Thing>",
        ];
        let pieces: [&[u8]; 20] = [
            b"<",
            b">",
            b"&",
            b"&amp;",
            b"&#x0;",
            b"&#xFFFFFFFF;",
            b"</",
            b"/>",
            b"<![CDATA[",
            b"]]>",
            b"<!DOCTYPE x [<!ENTITY e 'e'>]>",
            b"\"",
            b"'",
            b"=",
            b":",
            b"\xff",
            b"\xe2\x98",
            b"<?x?>",
            b"<!--",
            b"<a:b c:d='&lt;'>",
        ];
        let mut mangler = crate::codec::Mangler::new(0x2545_f491_4f6c_dd1d);
        // Refused, read.
        let mut counts = [0; 2];
        // Documents the scanner indexed, and those quick-xml read the same.
        let (mut indexed, mut agreed) = (0, 0);
        for _ in 0..20_000 {
            let mut document = seeds[mangler.below(seeds.len())].to_vec();
            mangler.mangle(&mut document, &pieces, true);
            if let Ok(text) = std::str::from_utf8(&document) {
                if let Ok(index) = Index::of(text, None) {
                    indexed += 1;
                    agreed += usize::from(quick_xml_agrees(text, &index));
                    // An element's text taken as it is (when the index found nothing to
                    // resolve) is what the careful reading gives.
                    for id in 0..index.entries.len() as u32 {
                        let careful = text_at(text, index.content(id)).ok();
                        assert_eq!(index.text(id).ok(), careful, "element {id} of {text:?}");
                    }
                }
            }
            for side in [Side::Client, Side::Server] {
                let outcome = XmlDecoder::new(&document, side)
                    .and_then(|mut decoder| decoder.structure(&THING, &mut Thing::default()));
                counts[usize::from(outcome.is_ok())] += 1;
            }
            let _ = read_error(&document);
            let _ = root_element(&document);
            let _ = child_document(&document, "name");
        }
        // Both ways were taken often: the mangling neither breaks every document nor none.
        assert!(counts.iter().all(|count| *count > 400), "{counts:?}");
        assert_eq!(agreed, indexed, "quick-xml read what the scanner indexed");
    }

    /// Whether quick-xml, reading `text` as a whole, finds it well formed and meets the start
    /// tags `index` holds, in the same order (a reference's text is checked only when an element
    /// is read, so a document whose only fault is in one counts as well formed).
    fn quick_xml_agrees(text: &str, index: &Index<'_>) -> bool {
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut names = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(start) | Event::Empty(start)) => {
                    names.push(local(start.name().into_inner()).to_owned());
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(error) if error.to_string().contains("reference") => {}
                Err(_) => return false,
            }
        }
        names.len() == index.entries.len() && names.iter().enumerate().all(|(id, name)| index.name(id as u32) == name)
    }

    #[test]
    fn references_are_resolved_and_others_refused() {
        assert_eq!(unescape("plain").unwrap(), "plain");
        assert_eq!(
            unescape("&quot;a&amp;b&lt;&gt;&apos;&#65;&#x42;&#x263a;&#x1F600;&#xD;").unwrap(),
            "\"a&b<>'AB\u{263A}\u{1F600}\r"
        );
        for bad in [
            "&e;",
            "&amp",
            "a & b",
            "&#;",
            "&#x;",
            "&#x+41;",
            "&#-1;",
            "&#0;",
            "&#x0;",
            "&#xD800;",
            "&#xFFFE;",
            "&#x110000;",
            "&#99999999999;",
            "&#1;",
        ] {
            assert!(unescape(bad).is_err(), "{bad}");
        }
    }

    /// What the scanner refuses: a document cut short, markup out of place; and what it reads.
    #[test]
    fn the_index_refuses_what_is_not_well_formed() {
        for (xml, expected) in [
            ("<Thing><name>a</name>", "element `Thing` is not closed"),
            ("<Thing><name>a</na", "not closed"),
            ("<Thing><name a='1>", "not closed"),
            ("<Thing><na<me>a</name></Thing>", "without a valid name"),
            ("<Thing><name a='1' <b>a</name></Thing>", "`<` or `/` inside a tag"),
            ("<Thing><name/a>a</name></Thing>", "`<` or `/` inside a tag"),
            ("<Thing><name a='<'>a</name></Thing>", "`<` in an attribute value"),
            ("<Thing><name>a</></Thing>", "`name` is not closed by its end tag"),
            ("<Thing><>a</></Thing>", "without a valid name"),
            ("<Thing></Other>", "`Thing` is not closed by its end tag"),
            ("<Thing></Thing2>", "`Thing` is not closed by its end tag"),
            ("</Thing>", "without its start"),
            ("<Thing><!-- a </Thing>", "comment that is not closed"),
            ("<Thing><![CDATA[ a </Thing>", "CDATA section that is not closed"),
            ("<![CDATA[x]]><Thing/>", "not an element"),
            ("<Thing/>x", "text outside the root"),
            ("<Thing/><!DOCTYPE x>", "document type"),
            ("<Thing", "not closed"),
        ] {
            let error = Index::of(xml, None).err().unwrap_or_else(|| panic!("{xml} was read"));
            assert!(error.message().contains(expected), "{xml}: {error}");
        }
        let xml = "\u{FEFF}<?xml version='1.0'?><!-- c --><a:T x='>' y=\"'\"><u><![CDATA[<v>]]></u ><w/></a:T >\n";
        let index = Index::of(xml, None).expect("well formed");
        assert_eq!(index.entries.len(), 3);
        assert_eq!((index.name(0), index.name(1), index.name(2)), ("T", "u", "w"));
        assert_eq!(index.attributes(0), " x='>' y=\"'\"");
        assert_eq!(&xml[index.content(1)], "<![CDATA[<v>]]>");
        assert_eq!(index.next_sibling(1), 2);
    }

    #[test]
    fn nesting_is_bounded() {
        let depth = MAX_DEPTH + 10;
        let xml = format!(
            "<H><items>{}{}</items></H>",
            "<member>".repeat(depth),
            "</member>".repeat(depth)
        );
        // The document is refused as it is read, before any member is.
        let error = XmlDecoder::new(xml.as_bytes(), Side::Server).err().expect("too deep");
        assert!(error.message().contains("nest deeper"), "{error}");
    }
}
