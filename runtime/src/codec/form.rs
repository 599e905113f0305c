//! Form-encoded bodies (`application/x-www-form-urlencoded`), as awsQuery and ec2Query requests
//! carry their input: one `key=value` pair per simple value, the key the path of member names
//! that leads to it, joined by `.`.
//!
//! - awsQuery: a member's key is its `@xmlName` or name; a list's items are `Key.member.N`
//!   (`member` being the list member's `@xmlName`, if it has one), or `Key.N` when
//!   `@xmlFlattened`, and an empty list is `Key=`; a map's entries are `Key.entry.N.key` and
//!   `Key.entry.N.value` (the key and value members' `@xmlName`s, if they have them), or
//!   `Key.N.key` when flattened.
//! - ec2Query: a member's key is its `@ec2QueryName`, else its `@xmlName` or name capitalized; a
//!   list's items are always `Key.N`, and an empty list is left out.
//!
//! Numbering starts at 1. Map entries are written in key order, so that a request is the same
//! bytes for the same input. Values are text as in a URI's query (timestamps `date-time` unless
//! the member says otherwise, blobs base64), percent-encoded.

use std::borrow::Cow;

use super::text::{percent_decode, percent_encode_into};
use super::text::{to_text, Location, TextDecoder};
use crate::memory::RequestMemory;
use crate::primitives::{DateTime, Document};
use crate::schema::{Flags, Member, Schema};
use crate::shape::{DecodeError, Decoder, EncodeError, StructBuilder, UnionBuilder, Value, Variant, View};
use crate::validate::Violation;

/// Which protocol's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Query,
    Ec2,
}

/// The form codec of one style.
pub(crate) struct Form {
    style: Style,
}

pub(crate) static QUERY_FORM: Form = Form { style: Style::Query };
pub(crate) static EC2_FORM: Form = Form { style: Style::Ec2 };

/// The media type of form bodies.
pub const MEDIA_TYPE: &str = "application/x-www-form-urlencoded";

impl Form {
    /// The key of `member` in its structure.
    fn key(&self, member: &Member) -> Cow<'static, str> {
        match self.style {
            Style::Query => Cow::Borrowed(member.traits.xml_name.unwrap_or(member.name)),
            Style::Ec2 => match member.traits.ec2_query_name {
                Some(name) => Cow::Borrowed(name),
                None => capitalized(member.traits.xml_name.unwrap_or(member.name)),
            },
        }
    }

    /// The key that a list's items, numbered, follow.
    fn items_key(&self, key: &str, member: &Member, item: &Member) -> String {
        match self.style {
            Style::Query if !member.traits.has(Flags::XML_FLATTENED) => {
                format!("{key}.{}", item.traits.xml_name.unwrap_or("member"))
            }
            _ => key.to_owned(),
        }
    }

    /// The key that a map's entries, numbered, follow.
    fn entries_key(&self, key: &str, member: &Member) -> String {
        if member.traits.has(Flags::XML_FLATTENED) {
            key.to_owned()
        } else {
            format!("{key}.entry")
        }
    }
}

/// `name` with its first letter in upper case.
fn capitalized(name: &'static str) -> Cow<'static, str> {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => Cow::Owned(first.to_uppercase().chain(chars).collect()),
        _ => Cow::Borrowed(name),
    }
}

/// The key and value members of a map schema.
fn entry_members(schema: &'static Schema) -> Result<(&'static Member, &'static Member), EncodeError> {
    schema
        .map_entry()
        .ok_or_else(|| EncodeError::new(format!("the map `{}` needs its key and value", schema.id)))
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `pairs` into a form body.
struct Writer<'o> {
    out: &'o mut String,
    form: &'o Form,
}

impl Writer<'_> {
    fn pair(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        percent_encode_into(self.out, key.as_bytes(), false);
        self.out.push('=');
        percent_encode_into(self.out, value.as_bytes(), false);
    }

    fn structure(&mut self, prefix: &str, value: &dyn Value, schema: &'static Schema) -> Result<(), EncodeError> {
        for (index, member) in schema.members.iter().enumerate() {
            if let Some(value) = value.member(index) {
                let key = self.form.key(member);
                let key = if prefix.is_empty() {
                    key.into_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                self.value(&key, value.view(), member)?;
            }
        }
        Ok(())
    }

    /// The pairs of `view`, a value of `member`, at `key`.
    fn value(&mut self, key: &str, view: View<'_>, member: &'static Member) -> Result<(), EncodeError> {
        let schema = member.target;
        match view {
            View::Null => Ok(()),
            View::Structure(value) => self.structure(key, value, schema),
            View::Union(value) => match value.variant() {
                Variant::Member(index, value) => {
                    let Some(variant) = schema.members.get(index) else {
                        return Err(EncodeError::new(format!("`{}` has no member {index}", schema.id)));
                    };
                    match value {
                        Some(value) => self.value(&format!("{key}.{}", self.form.key(variant)), value.view(), variant),
                        None => Ok(()),
                    }
                }
                Variant::Unknown(name) => Err(EncodeError::new(format!(
                    "cannot write the unknown member `{name}` of union `{}`",
                    schema.id
                ))),
            },
            View::List(list) => {
                let item = schema
                    .item()
                    .ok_or_else(|| EncodeError::new("a list schema needs its member"))?;
                if list.is_empty() {
                    if self.form.style == Style::Query {
                        self.pair(key, "");
                    }
                    return Ok(());
                }
                let items_key = self.form.items_key(key, member, item);
                for index in 0..list.len() {
                    if let Some(value) = list.get(index) {
                        self.value(&format!("{items_key}.{}", index + 1), value.view(), item)?;
                    }
                }
                Ok(())
            }
            View::Map(map) => {
                let (key_member, value_member) = entry_members(schema)?;
                let mut entries = map.entries();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let entries_key = self.form.entries_key(key, member);
                let key_name = key_member.traits.xml_name.unwrap_or("key");
                let value_name = value_member.traits.xml_name.unwrap_or("value");
                for (index, (entry_key, value)) in entries.into_iter().enumerate() {
                    let at = format!("{entries_key}.{}", index + 1);
                    self.pair(&format!("{at}.{key_name}"), entry_key);
                    self.value(&format!("{at}.{value_name}"), value.view(), value_member)?;
                }
                Ok(())
            }
            View::Document(_) => Err(EncodeError::new(format!(
                "a document (`{}`) cannot be written in a form",
                member.name
            ))),
            view => {
                let text = to_text(view, member, Location::Query)?;
                self.pair(key, &text);
                Ok(())
            }
        }
    }
}

impl Form {
    /// Appends to `out` (a form body, maybe empty) the pairs of the members of `value`, a
    /// structure of `schema`.
    pub(crate) fn write_members(
        &self,
        out: &mut String,
        value: &dyn Value,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        Writer { out, form: self }.structure("", value, schema)
    }
}

/// Appends the pair `key=value` to a form body.
pub(crate) fn push_pair(out: &mut String, key: &str, value: &str) {
    Writer { out, form: &QUERY_FORM }.pair(key, value);
}

// ---------------------------------------------------------------------------------------------
// Reading

/// The value of the first pair of a form body whose key is `key`, without reading the rest.
pub(crate) fn value_of(body: &[u8], key: &str) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|pair| {
        let (found, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| percent_decode(&text.replace('+', " "));
        (decode(found)? == key).then(|| decode(value)).flatten()
    })
}

/// A form body's pairs as a tree of keys: each node has the value of its own key (if the body
/// has it) and the nodes of the keys one `.` longer.
#[derive(Debug, Default)]
pub(crate) struct Node {
    value: Option<String>,
    /// By name: a body of many keys is read in `n log n`, not compared pairwise.
    children: std::collections::BTreeMap<String, Node>,
}

/// The most pairs a form body may hold, and the most parts a key may have.
const MAX_PAIRS: usize = 100_000;
const MAX_DEPTH: usize = 64;

impl Node {
    /// The tree of a form body, charged to `memory` (a server's budget for the request) as it
    /// grows: a key of many parts takes more memory than its text.
    pub(crate) fn parse(body: &[u8], memory: Option<&RequestMemory>) -> Result<Node, DecodeError> {
        let charge = |bytes: usize| match memory {
            Some(memory) if !memory.charge(bytes) => Err(DecodeError::over_budget(bytes)),
            _ => Ok(()),
        };
        let body = std::str::from_utf8(body).map_err(|_| DecodeError::new("the form body is not UTF-8"))?;
        let mut root = Node::default();
        for (count, pair) in body.split('&').filter(|pair| !pair.is_empty()).enumerate() {
            if count >= MAX_PAIRS {
                return Err(DecodeError::new(format!(
                    "the form body has more than {MAX_PAIRS} pairs"
                )));
            }
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| {
                percent_decode(&text.replace('+', " "))
                    .ok_or_else(|| DecodeError::new(format!("the form key `{key}` has a broken escape")))
            };
            let (key, value) = (decode(key)?, decode(value)?);
            let mut node = &mut root;
            for (depth, part) in key.split('.').enumerate() {
                if depth >= MAX_DEPTH {
                    return Err(DecodeError::new(format!("the form key `{key}` nests too deep")));
                }
                if !node.children.contains_key(part) {
                    charge(std::mem::size_of::<(String, Node)>() + part.len())?;
                    node.children.insert(part.to_owned(), Node::default());
                }
                node = node
                    .children
                    .get_mut(part)
                    .ok_or_else(|| DecodeError::new("a form key vanished"))?;
            }
            charge(value.len())?;
            node.value = Some(value);
        }
        Ok(root)
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.get(name)
    }

    /// The children numbered 1, 2, ... in order of their numbers.
    fn numbered(&self) -> Vec<&Node> {
        let mut numbered: Vec<(usize, &Node)> = self
            .children
            .iter()
            .filter_map(|(name, node)| Some((name.parse::<usize>().ok().filter(|n| *n >= 1)?, node)))
            .collect();
        numbered.sort_by_key(|(number, _)| *number);
        numbered.into_iter().map(|(_, node)| node).collect()
    }
}

/// Reads values from a node of a form's tree.
pub(crate) struct FormDecoder<'a> {
    node: &'a Node,
    form: &'static Form,
    side: super::Side,
    path: String,
    missing: Vec<Violation>,
    /// The request's share of the server's memory, which what is decoded is charged to.
    memory: Option<&'a RequestMemory>,
}

impl<'a> FormDecoder<'a> {
    pub(crate) fn new(
        node: &'a Node,
        form: &'static Form,
        side: super::Side,
        memory: Option<&'a RequestMemory>,
    ) -> Self {
        Self {
            node,
            form,
            side,
            path: String::new(),
            missing: Vec::new(),
            memory,
        }
    }

    pub(crate) fn take_missing(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.missing)
    }

    fn below(&self, node: &'a Node, path: String) -> Self {
        Self {
            node,
            form: self.form,
            side: self.side,
            path,
            missing: Vec::new(),
            memory: self.memory,
        }
    }

    fn error(&self, message: &str) -> DecodeError {
        DecodeError::new(format!("invalid form at `{}`: {message}", self.path))
    }

    /// A text decoder of the node's value.
    fn text(&self) -> Result<TextDecoder<'a>, DecodeError> {
        let value = self
            .node
            .value
            .as_deref()
            .ok_or_else(|| self.error("expected a value"))?;
        Ok(TextDecoder::new(value, Location::Query, format!("`{}`", self.path)))
    }

    /// Reads the members of `schema` for which `include` holds: which were found.
    pub(crate) fn structure_where(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<Vec<bool>, DecodeError> {
        let mut seen = vec![false; schema.members.len()];
        for (index, member) in schema.members.iter().enumerate() {
            if !include(member) {
                continue;
            }
            let key = self.form.key(member);
            let path = if self.path.is_empty() {
                key.clone().into_owned()
            } else {
                format!("{}.{key}", self.path)
            };
            let Some(node) = self.node.child(&key) else {
                if self.side != super::Side::Client && member.is_required() && !crate::validate::full(&self.missing) {
                    crate::validate::push_violation(
                        &mut self.missing,
                        crate::validate::missing_member(&format!("/{}", path.replace('.', "/"))),
                    );
                }
                continue;
            };
            let mut reader = self.below(node, path);
            crate::shape::read_member(schema, index, builder, &mut reader)?;
            self.missing.extend(reader.take_missing());
            seen[index] = true;
        }
        Ok(seen)
    }
}

impl Decoder for FormDecoder<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        self.structure_where(schema, builder, &|_| true).map(drop)
    }

    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let found: Vec<(usize, &Node)> = schema
            .members
            .iter()
            .enumerate()
            .filter_map(|(index, member)| Some((index, self.node.child(&self.form.key(member))?)))
            .collect();
        match found.as_slice() {
            [(index, node)] => {
                let member = &schema.members[*index];
                let mut reader = self.below(node, format!("{}.{}", self.path, self.form.key(member)));
                builder.member(*index, &mut reader)?;
                self.missing.extend(reader.take_missing());
                Ok(())
            }
            [] => Err(self.error("a union without a member")),
            _ => Err(self.error("a union with more than one member")),
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
        let items = match self.form.style {
            Style::Query if !member.traits.has(Flags::XML_FLATTENED) => self
                .node
                .child(item_member.traits.xml_name.unwrap_or("member"))
                .map(Node::numbered)
                .unwrap_or_default(),
            _ => self.node.numbered(),
        };
        let max = super::max_items(self.side, member);
        let count = items.len() as u64;
        for (number, node) in items.into_iter().enumerate() {
            if number as u64 >= max {
                break;
            }
            let mut reader = self.below(node, format!("{}.{}", self.path, number + 1));
            item(&mut reader)?;
            self.missing.extend(reader.take_missing());
        }
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path.clone()) {
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
        let entries = if member.traits.has(Flags::XML_FLATTENED) {
            self.node.numbered()
        } else {
            self.node.child("entry").map(Node::numbered).unwrap_or_default()
        };
        let key_name = key_member.traits.xml_name.unwrap_or("key");
        let value_name = value_member.traits.xml_name.unwrap_or("value");
        let max = super::max_items(self.side, member);
        let count = entries.len() as u64;
        for (number, node) in entries.into_iter().enumerate() {
            if number as u64 >= max {
                break;
            }
            let key = node
                .child(key_name)
                .and_then(|key| key.value.as_deref())
                .ok_or_else(|| self.error(&format!("map entry {} has no `{key_name}`", number + 1)))?;
            let Some(value) = node.child(value_name) else {
                return Err(self.error(&format!("map entry {} has no `{value_name}`", number + 1)));
            };
            let mut reader = self.below(value, format!("{}.{key}", self.path));
            entry(key, &mut reader)?;
            self.missing.extend(reader.take_missing());
        }
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path.clone()) {
            crate::validate::push_violation(&mut self.missing, violation);
        }
        Ok(())
    }

    fn boolean(&mut self, member: &'static Member) -> Result<bool, DecodeError> {
        self.text()?.boolean(member)
    }

    fn integer(&mut self, member: &'static Member) -> Result<i64, DecodeError> {
        self.text()?.integer(member)
    }

    fn float(&mut self, member: &'static Member) -> Result<f64, DecodeError> {
        self.text()?.float(member)
    }

    fn string(&mut self, member: &'static Member) -> Result<String, DecodeError> {
        self.text()?.string(member)
    }

    fn blob(&mut self, member: &'static Member) -> Result<Vec<u8>, DecodeError> {
        self.text()?.blob(member)
    }

    fn timestamp(&mut self, member: &'static Member) -> Result<DateTime, DecodeError> {
        self.text()?.timestamp(member)
    }

    fn big_number(&mut self, member: &'static Member, integer: bool) -> Result<String, DecodeError> {
        self.text()?.big_number(member, integer)
    }

    fn document(&mut self, _: &'static Member) -> Result<Document, DecodeError> {
        Err(self.error("a document cannot be read from a form"))
    }

    fn reserve(&mut self, bytes: usize) -> Result<(), DecodeError> {
        match self.memory {
            Some(memory) if !memory.charge(bytes) => Err(DecodeError::over_budget(bytes)),
            _ => Ok(()),
        }
    }
}

impl super::Codec for Form {
    fn media_type(&self) -> &'static str {
        MEDIA_TYPE
    }

    fn empty_structure(&self) -> &'static [u8] {
        b""
    }

    fn write_structure(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        schema: &'static Schema,
        _: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        let mut text = String::new();
        self.write_members(&mut text, value, schema)?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn write_value(
        &self,
        _: &mut Vec<u8>,
        _: &dyn Value,
        member: &'static Member,
        _: &'static Schema,
    ) -> Result<(), EncodeError> {
        Err(EncodeError::new(format!(
            "a form body holds members, not a payload (`{}`)",
            member.name
        )))
    }

    fn read_structure(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(Vec<bool>, Vec<Violation>), DecodeError> {
        let tree = Node::parse(body, reading.memory)?;
        let mut reader = FormDecoder::new(&tree, self.form(), reading.side, reading.memory);
        let seen = reader.structure_where(schema, builder, include)?;
        Ok((seen, reader.take_missing()))
    }

    fn read_member(
        &self,
        _: &[u8],
        _: super::Reading<'_>,
        schema: &'static Schema,
        index: usize,
        _: &mut dyn StructBuilder,
    ) -> Result<Vec<Violation>, DecodeError> {
        Err(DecodeError::new(format!(
            "a form body holds members, not a payload (`{}`)",
            schema.members[index].name
        )))
    }
}

impl Form {
    /// This codec, as a static.
    fn form(&self) -> &'static Form {
        match self.style {
            Style::Query => &QUERY_FORM,
            Style::Ec2 => &EC2_FORM,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::prelude;

    #[test]
    fn keys_nest_and_number_from_one() {
        let body = b"Action=Op&List.member.2=b&List.member.1=a&M.entry.1.key=k&M.entry.1.value=v+w%21";
        let tree = Node::parse(body, None).unwrap();
        assert_eq!(value_of(body, "Action").as_deref(), Some("Op"));
        assert_eq!(value_of(body, "Version"), None);
        assert_eq!(tree.child("Action").and_then(|node| node.value.as_deref()), Some("Op"));
        let list = tree.child("List").unwrap().child("member").unwrap().numbered();
        let values: Vec<_> = list.iter().map(|node| node.value.as_deref().unwrap()).collect();
        assert_eq!(values, ["a", "b"]);
        let entry = &tree.child("M").unwrap().child("entry").unwrap().numbered()[0];
        assert_eq!(entry.child("value").unwrap().value.as_deref(), Some("v w!"));
        assert!(Node::parse(b"a=%zz", None).is_err());
    }

    /// A body of many keys at one level is read in `n log n`: compared pairwise, 100,000 keys
    /// would take billions of comparisons.
    #[test]
    fn many_keys_are_not_compared_pairwise() {
        let body: String = (0..100_000).map(|n| format!("Key{n}=v&")).collect();
        let started = std::time::Instant::now();
        let tree = Node::parse(body.as_bytes(), None).expect("a form");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(tree.children.len(), 100_000);
        assert_eq!(tree.child("Key99999").and_then(|node| node.value.as_deref()), Some("v"));
    }

    /// Bodies cut and corrupted at random are read or refused, never a panic.
    #[test]
    fn mangled_bodies_are_read_or_refused_without_a_panic() {
        let seed = b"Action=Op&Version=1&List.member.2=b&List.member.1=a&M.entry.1.key=k&M.entry.1.value=v+w%21";
        let pieces: [&[u8]; 9] = [b"%", b"%z", b"%ff", b"%e2%98", b"&", b"=", b".", b"..", b"\xff"];
        let mut mangler = crate::codec::Mangler::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let mut body = seed.to_vec();
            mangler.mangle(&mut body, &pieces, false);
            if let Ok(tree) = Node::parse(&body, None) {
                for node in tree.children.values() {
                    let _ = node.numbered();
                }
            }
            let _ = value_of(&body, "Action");
        }
    }

    #[test]
    fn ec2_keys_are_capitalized_unless_named() {
        static MEMBER: Member = Member::new("fooBar", &prelude::STRING);
        static NAMED: Member = Member::new("fooBar", &prelude::STRING).ec2_query_name("fooBAR");
        static XML: Member = Member::new("fooBar", &prelude::STRING).xml_name("baz");
        assert_eq!(EC2_FORM.key(&MEMBER), "FooBar");
        assert_eq!(EC2_FORM.key(&NAMED), "fooBAR");
        assert_eq!(EC2_FORM.key(&XML), "Baz");
        assert_eq!(QUERY_FORM.key(&XML), "baz");
        assert_eq!(QUERY_FORM.key(&MEMBER), "fooBar");
    }
}
