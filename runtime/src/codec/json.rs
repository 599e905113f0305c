//! JSON: a writer and a reader driven by schemas. Member names are `@jsonName`s (restJson1 and
//! the serde document form) or member names (awsJson); blobs are base64, timestamps follow
//! `@timestampFormat` (epoch seconds by default), non-finite floats are the strings `NaN`,
//! `Infinity` and `-Infinity`, big numbers keep every digit.
//!
//! The reader is a small pull parser over the bytes, so that a structure is read straight into
//! its builder with no tree in between, a structure must be a JSON object, and nesting deeper
//! than [`MAX_DEPTH`] is refused instead of overflowing the stack.

use std::borrow::Cow;

use super::Side;
use crate::memory::RequestMemory;
use crate::primitives::{Blob, DateTime, Document};
use crate::schema::{Flags, Member, Schema, ShapeType, TimestampFormat};
use crate::shape::{DecodeError, Decoder, EncodeError, StructBuilder, UnionBuilder, Value, Variant, View};
use crate::validate::Violation;

/// JSON bodies as a [`Codec`](super::Codec), in one protocol's style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Json {
    /// Keys are `@jsonName`s (else member names).
    json_names: bool,
    /// `@timestampFormat` applies (else every timestamp is a number of epoch seconds).
    timestamp_formats: bool,
    /// `bigInteger` and `bigDecimal` values are strings holding their digits (else numbers).
    big_numbers_as_strings: bool,
}

impl Json {
    /// The style of `json_names`, with timestamp formats and big numbers as numbers.
    const fn names(json_names: bool) -> Self {
        Self {
            json_names,
            timestamp_formats: true,
            big_numbers_as_strings: false,
        }
    }
}

impl Json {
    /// Writes a structure's members as a JSON object whose first entry is `__type`, with the
    /// text `type_name`: the error body of the JSON RPC protocols.
    pub(crate) fn write_structure_with_type(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        schema: &'static Schema,
        type_name: &str,
    ) -> Result<(), EncodeError> {
        let mut members = Vec::new();
        Writer {
            out: &mut members,
            style: *self,
        }
        .structure(value, schema, &|_| true)?;
        out.extend_from_slice(b"{\"__type\":");
        write_string(out, type_name);
        if members.len() > 2 {
            out.push(b',');
        }
        out.extend_from_slice(members.get(1..).unwrap_or(b"}"));
        Ok(())
    }
}

/// JSON whose keys are `@jsonName`s (restJson1).
pub(crate) static JSON: Json = Json::names(true);
/// JSON whose keys are member names (the awsJson protocols).
pub(crate) static JSON_MEMBER_NAMES: Json = Json::names(false);
/// The JSON of `smithy.protocols#rpcv2Json`: member names, every timestamp in epoch seconds,
/// big numbers as strings.
pub(crate) static JSON_RPC_V2: Json = Json {
    json_names: false,
    timestamp_formats: false,
    big_numbers_as_strings: true,
};

impl super::Codec for Json {
    fn media_type(&self) -> &'static str {
        "application/json"
    }

    fn empty_structure(&self) -> &'static [u8] {
        b"{}"
    }

    fn write_structure(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        schema: &'static Schema,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        Writer { out, style: *self }.structure(value, schema, include)
    }

    fn write_value(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        member: &'static Member,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        Writer { out, style: *self }.value(value.view(), Some(member), schema)
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
        let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            body
        };
        let mut json = JsonDecoder::new(body, self.json_names, reading.side)
            .with_style(*self)
            .with_memory(reading.memory);
        let seen = json.structure_where(schema, builder, include)?;
        json.finish()?;
        Ok((seen, json.take_missing()))
    }

    fn read_member(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        index: usize,
        builder: &mut dyn StructBuilder,
    ) -> Result<Vec<Violation>, DecodeError> {
        let mut json = JsonDecoder::new(body, self.json_names, reading.side)
            .with_style(*self)
            .at_path(&format!("/{}", schema.members[index].name))
            .with_memory(reading.memory);
        crate::shape::read_member(schema, index, builder, &mut json)?;
        json.finish()?;
        Ok(json.take_missing())
    }
}

/// Whether `text` is a big integer (`-?(0|[1-9][0-9]*)`) or, unless `integer`, a big decimal:
/// that followed by an optional fraction and exponent, as rpcv2Json writes them in strings.
fn is_big_number(text: &str, integer: bool) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let whole = digits(&mut at);
    if whole == 0 || (whole > 1 && bytes[at - whole] == b'0') {
        return false;
    }
    if integer {
        return at == bytes.len();
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        if digits(&mut at) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

/// How deep arrays and objects may nest in a document that is read.
pub const MAX_DEPTH: usize = 128;

/// Writes `value` (of `schema`, held by `member` if any) as JSON to `out`.
pub fn write_value(
    out: &mut Vec<u8>,
    value: &dyn Value,
    member: Option<&'static Member>,
    schema: &'static Schema,
    json_names: bool,
) -> Result<(), EncodeError> {
    Writer {
        out,
        style: Json::names(json_names),
    }
    .value(value.view(), member, schema)
}

/// Writes a structure's members for which `include` holds as a JSON object.
pub fn write_structure(
    out: &mut Vec<u8>,
    value: &dyn Value,
    schema: &'static Schema,
    json_names: bool,
    include: &dyn Fn(&Member) -> bool,
) -> Result<(), EncodeError> {
    Writer {
        out,
        style: Json::names(json_names),
    }
    .structure(value, schema, include)
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
    style: Json,
}

impl Writer<'_> {
    fn value(
        &mut self,
        view: View<'_>,
        member: Option<&'static Member>,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        match view {
            View::Null => self.out.extend_from_slice(b"null"),
            View::Boolean(value) => self.out.extend_from_slice(if value { b"true" } else { b"false" }),
            View::Byte(value) => self.integer(i64::from(value)),
            View::Short(value) => self.integer(i64::from(value)),
            View::Integer(value) => self.integer(i64::from(value)),
            View::Long(value) => self.integer(value),
            View::Float(value) => self.float(f64::from(value), format!("{value}")),
            View::Double(value) => self.float(value, format!("{value}")),
            View::String(value) => write_string(self.out, value),
            View::Blob(bytes) => write_string(self.out, &Blob::new(bytes).to_base64()),
            View::Timestamp(time) => match member
                .and_then(|member| member.traits.timestamp_format)
                .filter(|_| self.style.timestamp_formats)
            {
                Some(TimestampFormat::DateTime) => write_string(self.out, &time.to_date_time()),
                Some(TimestampFormat::HttpDate) => write_string(self.out, &time.to_http_date()),
                _ => self.out.extend_from_slice(time.to_epoch_seconds().as_bytes()),
            },
            View::BigNumber(text) if self.style.big_numbers_as_strings => write_string(self.out, text),
            View::BigNumber(text) => self.out.extend_from_slice(text.as_bytes()),
            View::Document(document) => {
                serde_json::to_writer(&mut *self.out, document).map_err(|error| EncodeError::new(error.to_string()))?;
            }
            View::List(list) => {
                let item = schema.item();
                let item_schema = item.map_or(schema, |item| item.target);
                self.out.push(b'[');
                for index in 0..list.len() {
                    if index > 0 {
                        self.out.push(b',');
                    }
                    match list.get(index) {
                        Some(value) => self.value(value.view(), item, item_schema)?,
                        None => self.out.extend_from_slice(b"null"),
                    }
                }
                self.out.push(b']');
            }
            View::Map(map) => {
                let value_member = schema.item();
                let value_schema = value_member.map_or(schema, |member| member.target);
                self.out.push(b'{');
                for (index, (key, value)) in map.entries().into_iter().enumerate() {
                    if index > 0 {
                        self.out.push(b',');
                    }
                    write_string(self.out, key);
                    self.out.push(b':');
                    self.value(value.view(), value_member, value_schema)?;
                }
                self.out.push(b'}');
            }
            View::Structure(value) => self.structure(value, schema, &|_| true)?,
            View::Union(value) => match value.variant() {
                Variant::Member(index, value) => {
                    let member = schema
                        .members
                        .get(index)
                        .ok_or_else(|| EncodeError::new(format!("`{}` has no member {index}", schema.id)))?;
                    self.out.push(b'{');
                    write_string(self.out, member.json_key(self.style.json_names));
                    self.out.push(b':');
                    match value {
                        Some(value) => self.value(value.view(), Some(member), member.target)?,
                        None => self.out.extend_from_slice(b"{}"),
                    }
                    self.out.push(b'}');
                }
                Variant::Unknown(name) => {
                    return Err(EncodeError::new(format!(
                        "cannot write the unknown member `{name}` of union `{}`",
                        schema.id
                    )))
                }
            },
        }
        Ok(())
    }

    fn structure(
        &mut self,
        value: &dyn Value,
        schema: &'static Schema,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        self.out.push(b'{');
        let mut first = true;
        for (index, member) in schema.members.iter().enumerate() {
            if !include(member) || member.traits.has(Flags::STREAMING) {
                continue;
            }
            let Some(value) = value.member(index) else { continue };
            let view = value.view();
            if matches!(view, View::Null) {
                continue;
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            write_string(self.out, member.json_key(self.style.json_names));
            self.out.push(b':');
            self.value(view, Some(member), member.target)?;
        }
        self.out.push(b'}');
        Ok(())
    }

    fn integer(&mut self, value: i64) {
        self.out.extend_from_slice(value.to_string().as_bytes());
    }

    /// A finite float as the shortest text that reads back as it (`shortest`, Rust's `Display`),
    /// in exponent form when that text would be long; non-finite values as strings.
    fn float(&mut self, value: f64, shortest: String) {
        if value.is_nan() {
            write_string(self.out, "NaN");
        } else if value.is_infinite() {
            write_string(self.out, if value > 0.0 { "Infinity" } else { "-Infinity" });
        } else if value != 0.0 && !(1e-6..1e16).contains(&value.abs()) {
            self.out.extend_from_slice(format!("{value:e}").as_bytes());
        } else {
            self.out.extend_from_slice(shortest.as_bytes());
        }
    }
}

/// Writes `text` as a JSON string.
pub fn write_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut start = 0;
    let bytes = text.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 15)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A reader of one JSON document, positioned before a value.
pub struct JsonDecoder<'a> {
    /// The input up to its first byte that is not UTF-8 (JSON is UTF-8, so the text past it can
    /// never be read), checked once so that strings are slices of it.
    text: &'a str,
    input: &'a [u8],
    /// Where the input stops being UTF-8, if it does.
    invalid_utf8: Option<usize>,
    position: usize,
    style: Json,
    side: Side,
    depth: usize,
    /// Where the path of the value being read starts, such as `/payload`.
    root: String,
    /// The path of the value being read below `root`, rendered (`/member/0/key`) only for an
    /// error or a violation.
    path: Vec<PathSegment<'a>>,
    missing: Vec<Violation>,
    /// The request's share of the server's memory, which what is decoded is charged to.
    memory: Option<&'a RequestMemory>,
    /// How many values [`Decoder::skip`] has passed over.
    skipped: usize,
}

/// One step of a member path.
enum PathSegment<'a> {
    Member(&'static str),
    Index(usize),
    Key(Cow<'a, str>),
}

/// The members of a structure found in a document, by index.
pub(super) struct MemberSet {
    low: u128,
    high: Vec<bool>,
}

impl MemberSet {
    pub(super) fn new(count: usize) -> Self {
        Self {
            low: 0,
            high: vec![false; count.saturating_sub(128)],
        }
    }

    pub(super) fn insert(&mut self, index: usize) {
        match index.checked_sub(128) {
            None => self.low |= 1 << index,
            Some(high) => self.high[high] = true,
        }
    }

    pub(super) fn contains(&self, index: usize) -> bool {
        match index.checked_sub(128) {
            None => self.low & (1 << index) != 0,
            Some(high) => self.high[high],
        }
    }
}

/// What comes next in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

impl Token {
    fn describe(self) -> &'static str {
        match self {
            Token::Object => "an object",
            Token::Array => "an array",
            Token::String => "a string",
            Token::Number => "a number",
            Token::True | Token::False => "a boolean",
            Token::Null => "null",
        }
    }
}

impl<'a> JsonDecoder<'a> {
    /// A reader of `input`. With `json_names` members are found by `@jsonName`.
    pub fn new(input: &'a [u8], json_names: bool, side: Side) -> Self {
        let checked = match simdutf8::basic::from_utf8(input) {
            Ok(text) => Ok(text),
            // The fast check does not say where the text stops being UTF-8; the standard one does.
            Err(_) => std::str::from_utf8(input),
        };
        let (text, invalid_utf8) = match checked {
            Ok(text) => (text, None),
            Err(error) => {
                let valid = &input[..error.valid_up_to()];
                (std::str::from_utf8(valid).unwrap_or_default(), Some(valid.len()))
            }
        };
        Self {
            text,
            input: text.as_bytes(),
            invalid_utf8,
            position: 0,
            style: Json::names(json_names),
            side,
            depth: 0,
            root: String::new(),
            path: Vec::new(),
            missing: Vec::new(),
            memory: None,
            skipped: 0,
        }
    }

    /// Reads in `style` (which decides its member names too).
    pub(crate) fn with_style(mut self, style: Json) -> Self {
        self.style = style;
        self
    }

    /// Charges what is decoded (see [`Decoder::reserve`]) to `memory`.
    pub(crate) fn with_memory(mut self, memory: Option<&'a RequestMemory>) -> Self {
        self.memory = memory;
        self
    }

    /// Starts the member path of what is read at `path`, such as `/payload`.
    pub fn at_path(mut self, path: &str) -> Self {
        self.root = path.to_owned();
        self
    }

    /// The path of the value being read: `/member/0/key`.
    fn path(&self) -> String {
        use std::fmt::Write;
        let mut path = self.root.clone();
        for segment in &self.path {
            let _ = match segment {
                PathSegment::Member(name) => write!(path, "/{name}"),
                PathSegment::Index(index) => write!(path, "/{index}"),
                PathSegment::Key(key) => write!(path, "/{key}"),
            };
        }
        path
    }

    /// What a server found wrong while reading, with their paths: required members missing,
    /// and lists and maps longer than their `@length` allows (read no further than it; the
    /// items past it are skipped, and only counted). At most one more than
    /// [`MAX_VIOLATIONS`](crate::validate::MAX_VIOLATIONS).
    pub fn take_missing(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.missing)
    }

    /// Fails unless only whitespace is left.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        self.whitespace();
        if self.position < self.input.len() || self.invalid_utf8.is_some() {
            return Err(self.error("unexpected text after the JSON value"));
        }
        Ok(())
    }

    /// Reads a structure's members for which `include` holds, handing them to `builder`, and
    /// returns which members were found, by index.
    pub fn structure_where(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<Vec<bool>, DecodeError> {
        let seen = self.object(schema, builder, Some(include))?;
        Ok((0..schema.members.len()).map(|index| seen.contains(index)).collect())
    }

    /// Reads a structure's members for which `include` holds into `builder` (all when `None`,
    /// without a call per member); which were found.
    fn object(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: Option<&dyn Fn(&Member) -> bool>,
    ) -> Result<MemberSet, DecodeError> {
        let include = |member: &Member| include.is_none_or(|include| include(member));
        self.expect_object("", schema)?;
        let mut seen = MemberSet::new(schema.members.len());
        let members = schema.members;
        // Members mostly come in the schema's order: the search starts after the last one found.
        let mut hint = 0;
        self.entries(|this, key| {
            // A stream is the body of its message, never a JSON member.
            let matches = |member: &Member| {
                member.json_key(this.style.json_names) == key && include(member) && !member.traits.has(Flags::STREAMING)
            };
            let index = (hint..members.len())
                .chain(0..hint.min(members.len()))
                .find(|&index| matches(&members[index]));
            if let Some(index) = index {
                hint = index + 1;
            }
            match index {
                Some(index) if !this.null()? => {
                    this.path.push(PathSegment::Member(schema.members[index].name));
                    crate::shape::read_member(schema, index, builder, this)?;
                    this.path.pop();
                    seen.insert(index);
                }
                Some(_) => {}
                None => this.skip()?,
            }
            Ok(())
        })?;
        if self.side != Side::Client {
            // The document form reads a required member a client may see absent (`@input`,
            // `@clientOptional`) as absent; a server requires it.
            let optional_input = self.side == Side::Document && schema.traits.has(Flags::INPUT);
            for (index, member) in schema.members.iter().enumerate() {
                let optional =
                    optional_input || (self.side == Side::Document && member.traits.has(Flags::CLIENT_OPTIONAL));
                if !seen.contains(index)
                    && include(member)
                    && member.is_required()
                    && !optional
                    && !crate::validate::full(&self.missing)
                {
                    let path = format!("{}/{}", self.path(), member.name);
                    crate::validate::push_violation(&mut self.missing, crate::validate::missing_member(&path));
                }
            }
        }
        Ok(seen)
    }

    #[cold]
    fn error(&self, message: &str) -> DecodeError {
        let path = self.path();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        let message = match self.invalid_utf8 {
            Some(at) if self.position >= at => "the text is not UTF-8",
            _ => message,
        };
        DecodeError::new(format!("invalid JSON{at} (byte {}): {message}", self.position))
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&format!("values nest deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn whitespace(&mut self) {
        while let Some(&byte) = self.input.get(self.position) {
            match byte {
                // A run of spaces (indentation), up to eight at a time: the spaces before the
                // first other byte of the next eight.
                b' ' => match self.input.get(self.position..self.position + 8) {
                    Some(next) => {
                        let mut word = [0u8; 8];
                        word.copy_from_slice(next);
                        let others = u64::from_le_bytes(word) ^ u64::from_le_bytes([b' '; 8]);
                        self.position += (others.trailing_zeros() / 8) as usize;
                    }
                    None => self.position += 1,
                },
                b'\t' | b'\n' | b'\r' => self.position += 1,
                _ => break,
            }
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.input.get(self.position) == Some(&byte) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn colon(&mut self) -> Result<(), DecodeError> {
        self.whitespace();
        if !self.eat(b':') {
            return Err(self.error("expected `:` after an object key"));
        }
        Ok(())
    }

    fn peek(&mut self) -> Result<Token, DecodeError> {
        self.whitespace();
        Ok(match self.input.get(self.position) {
            Some(b'{') => Token::Object,
            Some(b'[') => Token::Array,
            Some(b'"') => Token::String,
            Some(b'-' | b'0'..=b'9') => Token::Number,
            Some(b't') => Token::True,
            Some(b'f') => Token::False,
            Some(b'n') => Token::Null,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("the document ends where a value is expected")),
        })
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), DecodeError> {
        if self.input[self.position..].starts_with(word) {
            self.position += word.len();
            Ok(())
        } else {
            Err(self.error("expected `true`, `false` or `null`"))
        }
    }

    fn expect(&mut self, wanted: Token, what: &str) -> Result<(), DecodeError> {
        let found = self.peek()?;
        if found == wanted {
            Ok(())
        } else {
            Err(self.unexpected(what, found))
        }
    }

    #[cold]
    #[inline(never)]
    fn unexpected(&self, what: &str, found: Token) -> DecodeError {
        self.error(&format!("expected {what}, found {}", found.describe()))
    }

    /// The text of a number, checked against JSON's grammar.
    fn number_token(&mut self) -> Result<&'a str, DecodeError> {
        self.expect(Token::Number, "a number")?;
        let start = self.position;
        let input = self.input;
        let digits = |position: &mut usize| {
            let from = *position;
            while input.get(*position).is_some_and(u8::is_ascii_digit) {
                *position += 1;
            }
            *position > from
        };
        let mut position = self.position;
        if input.get(position) == Some(&b'-') {
            position += 1;
        }
        if input.get(position) == Some(&b'0') {
            position += 1;
        } else if !digits(&mut position) {
            return Err(self.error("invalid number"));
        }
        if input.get(position) == Some(&b'.') {
            position += 1;
            if !digits(&mut position) {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(input.get(position), Some(b'e' | b'E')) {
            position += 1;
            if matches!(input.get(position), Some(b'+' | b'-')) {
                position += 1;
            }
            if !digits(&mut position) {
                return Err(self.error("invalid number"));
            }
        }
        self.position = position;
        // The bytes are ASCII digits and signs.
        Ok(std::str::from_utf8(&input[start..position]).unwrap_or_default())
    }

    /// A string's text, unescaped.
    fn string_token(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        // Callers have mostly passed the whitespace before it already.
        if self.input.get(self.position) != Some(&b'"') {
            self.expect(Token::String, "a string")?;
        }
        self.position += 1;
        let start = self.position;
        let input = self.input;
        // The plain run, borrowed when there is no escape.
        let run = plain_run(&input[start..]) + start;
        self.position = run;
        match input.get(run) {
            Some(b'"') => {
                self.position += 1;
                // Both ends are ASCII quotes, so the run is whole characters of the text.
                return self
                    .text
                    .get(start..run)
                    .map(Cow::Borrowed)
                    .ok_or_else(|| self.error("a string is not UTF-8"));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("a control character in a string")),
            None => return Err(self.error("a string is not closed")),
        }
        let mut bytes = input[start..run].to_vec();
        loop {
            let Some(&byte) = input.get(self.position) else {
                return Err(self.error("a string is not closed"));
            };
            self.position += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    let Some(&escape) = input.get(self.position) else {
                        return Err(self.error("a string is not closed"));
                    };
                    self.position += 1;
                    let unescaped = match escape {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let c = self.unicode_escape()?;
                            let mut buffer = [0u8; 4];
                            bytes.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                            continue;
                        }
                        _ => return Err(self.error("an invalid escape in a string")),
                    };
                    bytes.push(unescaped);
                }
                0..=0x1f => return Err(self.error("a control character in a string")),
                _ => bytes.push(byte),
            }
        }
        String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| self.error("a string is not UTF-8"))
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self
            .input
            .get(self.position..self.position + 4)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
            .ok_or_else(|| self.error("an invalid \\u escape"))?;
        self.position += 4;
        Ok(digits)
    }

    fn unicode_escape(&mut self) -> Result<char, DecodeError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.input[self.position..].starts_with(b"\\u") {
                return Err(self.error("a lone surrogate in a \\u escape"));
            }
            self.position += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("a lone surrogate in a \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("a lone surrogate in a \\u escape"))
    }

    fn items(
        &mut self,
        close: u8,
        mut each: impl FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.enter()?;
        self.position += 1;
        let mut first = true;
        loop {
            self.whitespace();
            if self.eat(close) {
                break;
            }
            if !first && !self.eat(b',') {
                return Err(self.error(if close == b']' {
                    "expected `,` or `]` in an array"
                } else {
                    "expected `,` or `}` in an object"
                }));
            }
            first = false;
            each(self)?;
        }
        self.depth -= 1;
        Ok(())
    }

    /// The entries of the object that starts here: each key, then `each` reads its value.
    fn entries(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.items(b'}', |this| {
            this.whitespace();
            let key = this.string_token()?;
            this.colon()?;
            each(this, key)
        })
    }

    /// Fails unless an object starts here, naming the `kind` (`""` or `"union "`) and shape it
    /// was to be.
    fn expect_object(&mut self, kind: &str, schema: &Schema) -> Result<(), DecodeError> {
        match self.peek()? {
            Token::Object => Ok(()),
            found => Err(self.error(&format!(
                "expected a JSON object for {kind}`{}`, found {}",
                schema.name(),
                found.describe()
            ))),
        }
    }

    /// Records the `@length` violation of a list or map `member` of `count` items or entries
    /// that a server read only up to its maximum.
    fn check_length(&mut self, member: &Member, count: u64) {
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path()) {
            crate::validate::push_violation(&mut self.missing, violation);
        }
    }

    fn text_timestamp(&self, text: &str, format: TimestampFormat) -> Result<DateTime, DecodeError> {
        let parsed = match (self.side, format) {
            (Side::Client | Side::Document, _) => {
                DateTime::parse_date_time(text).or_else(|| DateTime::parse_http_date(text))
            }
            (Side::Server, TimestampFormat::DateTime) => DateTime::parse_utc_date_time(text),
            (Side::Server, TimestampFormat::HttpDate) => DateTime::parse_http_date(text),
            (Side::Server, TimestampFormat::EpochSeconds) => None,
        };
        parsed.ok_or_else(|| self.error(&format!("`{text}` is not a valid timestamp")))
    }
}

impl Decoder for JsonDecoder<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        self.object(schema, builder, None).map(drop)
    }

    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        self.expect_object("union ", schema)?;
        let mut found = 0usize;
        self.entries(|this, key| {
            if key == "__type" {
                return this.skip();
            }
            let index = schema
                .members
                .iter()
                .position(|member| member.json_key(this.style.json_names) == key);
            // A null is no member, but for a unit member, which any value sets.
            let unit = index.is_some_and(|index| schema.members[index].target.id == "smithy.api#Unit");
            if !unit && this.null()? {
                return Ok(());
            }
            found += 1;
            if found > 1 {
                return Err(this.error(&format!("union `{}` has more than one member set", schema.name())));
            }
            match index {
                Some(index) => {
                    this.path.push(PathSegment::Member(schema.members[index].name));
                    builder.member(index, this)?;
                    this.path.pop();
                }
                // A server knows every member of its own model: another is a malformed request.
                None if this.side == Side::Server => {
                    return Err(this.error(&format!("union `{}` has no member `{key}`", schema.name())));
                }
                None => {
                    this.skip()?;
                    builder.unknown(&key);
                }
            }
            Ok(())
        })
    }

    fn list(
        &mut self,
        member: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.expect(Token::Array, "an array")?;
        let sparse = member.target.traits.has(Flags::SPARSE);
        let max = super::max_items(self.side, member);
        let mut index = 0usize;
        let mut count = 0u64;
        self.items(b']', |this| {
            count += 1;
            if count > max {
                return this.skip();
            }
            // A client takes a null in a dense list for no item; a server refuses it.
            if !sparse && this.peek()? == Token::Null {
                if this.side != Side::Client {
                    return Err(this.error("a null item in a list that does not allow them"));
                }
                return this.skip();
            }
            this.path.push(PathSegment::Index(index));
            index += 1;
            item(this)?;
            this.path.pop();
            Ok(())
        })?;
        self.check_length(member, count);
        Ok(())
    }

    fn map(
        &mut self,
        member: &'static Member,
        entry: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.expect(Token::Object, "an object")?;
        let sparse = member.target.traits.has(Flags::SPARSE);
        let max = super::max_items(self.side, member);
        let mut count = 0u64;
        self.entries(|this, key| {
            count += 1;
            if count > max {
                return this.skip();
            }
            // A client takes a null in a dense map for no entry; a server refuses it.
            if !sparse && this.peek()? == Token::Null {
                if this.side != Side::Client {
                    return Err(this.error("a null value in a map that does not allow them"));
                }
                return this.skip();
            }
            // A borrowed key is cloned for free; an escaped one is rare.
            this.path.push(PathSegment::Key(key.clone()));
            entry(&key, this)?;
            this.path.pop();
            Ok(())
        })?;
        self.check_length(member, count);
        Ok(())
    }

    fn null(&mut self) -> Result<bool, DecodeError> {
        if self.peek()? == Token::Null {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        match self.peek()? {
            Token::True => self.literal(b"true").map(|()| true),
            Token::False => self.literal(b"false").map(|()| false),
            other => Err(self.error(&format!("expected a boolean, found {}", other.describe()))),
        }
    }

    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        let text = self.number_token()?;
        text.parse()
            .map_err(|_| self.error(&format!("expected an integer, found `{text}`")))
    }

    fn float(&mut self, _: &'static Member) -> Result<f64, DecodeError> {
        match self.peek()? {
            Token::String => {
                let text = self.string_token()?;
                match text.as_ref() {
                    "NaN" => Ok(f64::NAN),
                    "Infinity" => Ok(f64::INFINITY),
                    "-Infinity" => Ok(f64::NEG_INFINITY),
                    other => Err(self.error(&format!("`{other}` is not a number"))),
                }
            }
            _ => {
                let text = self.number_token()?;
                text.parse()
                    .map_err(|_| self.error(&format!("`{text}` is not a number")))
            }
        }
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        self.string_token().map(Cow::into_owned)
    }

    fn string_with(&mut self, _: &'static Member, read: &mut dyn FnMut(&str)) -> Result<(), DecodeError> {
        self.string_token().map(|text| read(&text))
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        let text = self.string_token()?;
        Blob::from_base64(&text)
            .map(Blob::into_inner)
            .ok_or_else(|| self.error("invalid base64 in a blob"))
    }

    fn timestamp(&mut self, member: &'static Member) -> Result<DateTime, DecodeError> {
        let format = member
            .traits
            .timestamp_format
            .filter(|_| self.style.timestamp_formats)
            .unwrap_or(TimestampFormat::EpochSeconds);
        match self.peek()? {
            Token::Number if self.side != Side::Server || format == TimestampFormat::EpochSeconds => {
                let text = self.number_token()?;
                DateTime::parse_epoch_seconds(text)
                    .or_else(|| text.parse().ok().and_then(DateTime::from_secs_f64))
                    .ok_or_else(|| self.error(&format!("`{text}` is not a valid timestamp")))
            }
            Token::String => {
                let text = self.string_token()?;
                self.text_timestamp(&text, format)
            }
            other => Err(self.error(&format!("expected a timestamp, found {}", other.describe()))),
        }
    }

    fn big_number(&mut self, _: &'static Member, integer: bool) -> Result<String, DecodeError> {
        if !self.style.big_numbers_as_strings {
            return self.number_token().map(str::to_owned);
        }
        let text = self.string_token()?;
        if !is_big_number(&text, integer) {
            let kind = if integer { "a big integer" } else { "a big decimal" };
            return Err(self.error(&format!("`{text}` is not {kind}")));
        }
        Ok(text.into_owned())
    }

    fn document(&mut self, _: &'static Member) -> Result<Document, DecodeError> {
        self.whitespace();
        let start = self.position;
        let skipped = self.skipped;
        self.skip()?;
        // A node per value, with as much again for the list or map that holds it, and the text
        // of its strings.
        let nodes = self.skipped - skipped;
        self.reserve(
            nodes
                .saturating_mul(2 * std::mem::size_of::<Document>())
                .saturating_add(self.position - start),
        )?;
        serde_json::from_slice(&self.input[start..self.position]).map_err(|error| self.error(&error.to_string()))
    }

    fn skip(&mut self) -> Result<(), DecodeError> {
        self.skipped += 1;
        match self.peek()? {
            Token::Object => self.entries(|this, _| this.skip()),
            Token::Array => self.items(b']', Self::skip),
            Token::String => self.string_token().map(drop),
            Token::Number => self.number_token().map(drop),
            Token::True => self.literal(b"true"),
            Token::False => self.literal(b"false"),
            Token::Null => self.literal(b"null"),
        }
    }

    fn reserve(&mut self, bytes: usize) -> Result<(), DecodeError> {
        match self.memory {
            Some(memory) if !memory.charge(bytes) => Err(DecodeError::over_budget(bytes)),
            _ => Ok(()),
        }
    }
}

/// The length of the run of `bytes` before the first quote, backslash or control character.
/// Eight bytes are tested at a time: a string's text is most of what a document holds.
fn plain_run(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if let Some(at) = first_stop(word) {
            return offset + at;
        }
        offset += 8;
    }
    // The rest, padded with a byte that does not stop a run.
    let rest = chunks.remainder();
    let mut word = [b'a'; 8];
    word[..rest.len()].copy_from_slice(rest);
    offset + first_stop(word).unwrap_or(rest.len())
}

/// The index of the first quote, backslash or control character among eight bytes.
fn first_stop(word: [u8; 8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `word` below `n` (n at most 0x80) is set in `below(word, n)`.
    // A borrow only runs towards later bytes, so the first byte flagged is the first byte that
    // is below; bytes after it may be flagged falsely, and are never looked at.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let word = u64::from_le_bytes(word);
    let found = below(word ^ u64::from_le_bytes([b'"'; 8]), 1)
        | below(word ^ u64::from_le_bytes([b'\\'; 8]), 1)
        | below(word, 0x20);
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// Whether a member's value is of a type JSON writes as a string (for callers that quote).
pub fn is_string_like(schema: &Schema) -> bool {
    matches!(schema.shape_type, ShapeType::String | ShapeType::Enum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::prelude;
    use crate::shape::{decode_structure, optional, Structure, Zero};

    static POINT: Schema = Schema::new("test#Point", ShapeType::Structure).members(&[
        Member::new("x", &prelude::INTEGER).flags(Flags::REQUIRED),
        Member::new("label", &prelude::STRING).json_name("Label"),
        Member::new("at", &prelude::TIMESTAMP).timestamp_format(TimestampFormat::DateTime),
        Member::new("tags", &TAGS),
    ]);
    static TAGS: Schema = Schema::new("test#Tags", ShapeType::List).members(&[Member::new("member", &prelude::STRING)]);

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Point {
        x: i32,
        label: Option<String>,
        at: Option<DateTime>,
        tags: Option<Vec<String>>,
    }

    #[derive(Default)]
    struct PointBuilder {
        x: Option<i32>,
        label: Option<String>,
        at: Option<DateTime>,
        tags: Option<Vec<String>>,
    }

    impl Value for Point {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }

        fn member(&self, index: usize) -> Option<&dyn Value> {
            match index {
                0 => Some(&self.x),
                1 => optional(&self.label),
                2 => optional(&self.at),
                3 => optional(&self.tags),
                _ => None,
            }
        }
    }

    impl StructBuilder for PointBuilder {
        fn slot(&mut self, index: usize) -> Option<&mut dyn crate::shape::Slot> {
            Some(match index {
                0 => &mut self.x,
                1 => &mut self.label,
                2 => &mut self.at,
                3 => &mut self.tags,
                _ => return None,
            })
        }
    }

    impl Structure for Point {
        const SCHEMA: &'static Schema = &POINT;
        type Builder = PointBuilder;
        fn finish(builder: PointBuilder) -> Self {
            Point {
                x: builder.x.unwrap_or_else(Zero::zero),
                label: builder.label,
                at: builder.at,
                tags: builder.tags,
            }
        }
    }

    fn read(text: &str, side: Side) -> Result<Point, DecodeError> {
        let mut decoder = JsonDecoder::new(text.as_bytes(), true, side);
        let point = decode_structure(&mut decoder)?;
        decoder.finish()?;
        Ok(point)
    }

    #[test]
    fn writes_json_names_formats_and_skips_unset_members() {
        let point = Point {
            x: 3,
            label: Some("a\"b\n".to_owned()),
            at: Some(DateTime::from_secs(0)),
            tags: Some(vec!["t".to_owned()]),
        };
        let mut out = Vec::new();
        write_value(&mut out, &point, None, &POINT, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"x":3,"Label":"a\"b\n","at":"1970-01-01T00:00:00Z","tags":["t"]}"#
        );
        let mut out = Vec::new();
        write_value(&mut out, &Point::default(), None, &POINT, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"x":0}"#);
    }

    #[test]
    fn reads_what_it_writes_and_ignores_unknown_members() {
        let point = read(
            r#" {"x": 3, "Label": "\u00e9\ud83d\ude00", "unknown": {"a": [1, {"b": null}]}, "tags": ["a", null, "b"]} "#,
            Side::Client,
        )
        .unwrap();
        assert_eq!(point.x, 3);
        assert_eq!(point.label.as_deref(), Some("é😀"));
        assert_eq!(point.tags, Some(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn a_structure_is_an_object_and_nothing_else() {
        for text in [r#"[3]"#, r#""x""#, "3", "null"] {
            assert!(read(text, Side::Client).is_err(), "{text}");
        }
        assert!(read(r#"{"x": 1} x"#, Side::Client).is_err());
        assert!(read(r#"{"x": 1,}"#, Side::Client).is_err());
        assert!(read(r#"{"x": 1.5}"#, Side::Client).is_err());
        assert!(read(r#"{"x": 99999999999}"#, Side::Client).is_err());
    }

    #[test]
    fn servers_report_missing_required_members_and_read_timestamps_strictly() {
        let mut decoder = JsonDecoder::new(br#"{"Label": "a"}"#, true, Side::Server);
        let _: Point = decode_structure(&mut decoder).unwrap();
        let missing = decoder.take_missing();
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].message,
            "Value at '/x' failed to satisfy constraint: Member must not be null"
        );
        assert!(read(r#"{"x": 1, "at": 0}"#, Side::Server).is_err());
        assert!(read(r#"{"x": 1, "at": "1970-01-01T00:00:00+01:00"}"#, Side::Server).is_err());
        assert!(read(r#"{"x": 1, "at": 0}"#, Side::Client).is_ok());
    }

    #[test]
    fn a_plain_run_stops_at_each_stop_byte_wherever_it_lies() {
        // Fillers next to the stops' values, and bytes whose top bit is set.
        for filler in [b'a', b' ', b'!', b'#', b'[', b']', 0x21, 0x7f, 0x80, 0xa2, 0xdc, 0xff] {
            for stop in [b'"', b'\\', 0x00, 0x01, 0x1f] {
                for length in 0..20 {
                    assert_eq!(plain_run(&vec![filler; length]), length, "{filler:#x} x {length}");
                    for at in 0..length {
                        let mut bytes = vec![filler; length];
                        bytes[at] = stop;
                        // A second stop after the first must not move the answer.
                        if at + 1 < length {
                            bytes[length - 1] = b'"';
                        }
                        assert_eq!(plain_run(&bytes), at, "{filler:#x} x {length}, {stop:#x} at {at}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_runs_stop_where_a_byte_by_byte_scan_does() {
        let alphabet = [b'a', b'"', b'\\', 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x00, b'!'];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for length in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..length)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain bytes, so that runs are long.
                        if seed % 4 == 0 {
                            alphabet[(seed >> 8) as usize % alphabet.len()]
                        } else {
                            b'x'
                        }
                    })
                    .collect();
                let expected = bytes
                    .iter()
                    .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
                    .unwrap_or(bytes.len());
                assert_eq!(plain_run(&bytes), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn runs_of_whitespace_of_every_length_are_skipped() {
        for spaces in 0..20 {
            for other in ["", "\n", "\t", "\r\n", " \t "] {
                let gap = format!("{other}{}{other}", " ".repeat(spaces));
                let text = format!(
                    "{gap}{{{gap}\"x\"{gap}:{gap}7{gap},{gap}\"tags\"{gap}:{gap}[{gap}\"a\"{gap},{gap}\"b\"{gap}]{gap}}}{gap}"
                );
                let mut decoder = JsonDecoder::new(text.as_bytes(), true, Side::Client);
                let point = decode_structure::<Point>(&mut decoder).unwrap_or_else(|error| panic!("{text:?}: {error}"));
                decoder.finish().unwrap_or_else(|error| panic!("{text:?}: {error}"));
                assert_eq!(point.x, 7, "{text:?}");
                assert_eq!(
                    point.tags.as_deref(),
                    Some(&["a".to_owned(), "b".to_owned()][..]),
                    "{text:?}"
                );
            }
        }
        // Spaces then what is not JSON: the error is at the byte after the spaces.
        let text = format!("{{\"x\":{}?}}", " ".repeat(11));
        let mut decoder = JsonDecoder::new(text.as_bytes(), true, Side::Client);
        let error = decode_structure::<Point>(&mut decoder).unwrap_err().to_string();
        assert!(error.contains("(byte 16)"), "{error}");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_where_it_starts() {
        let mut decoder = JsonDecoder::new(b"{\"x\": 1, \"Label\": \"a\xff\"}", true, Side::Server);
        let error = decode_structure::<Point>(&mut decoder).unwrap_err().to_string();
        assert!(error.contains("not UTF-8"), "{error}");
        assert!(error.contains("at `/label` (byte 20)"), "{error}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!(r#"{{"x": 1, "unknown": {}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        let error = read(&deep, Side::Client).unwrap_err();
        assert!(error.message().contains("deeper than"), "{error}");
    }

    #[test]
    fn big_numbers_in_strings_follow_the_grammar() {
        for good in ["0", "-0", "12", "-987654321987654321987654321"] {
            assert!(is_big_number(good, true), "{good}");
            assert!(is_big_number(good, false), "{good}");
        }
        for good in ["1.5", "-0.25e10", "3E-7", "1e+2", "123456789.123456789"] {
            assert!(!is_big_number(good, true), "{good}");
            assert!(is_big_number(good, false), "{good}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "1e+", " 1", "1 ", "+1", "NaN", "0x10"] {
            assert!(!is_big_number(bad, false), "{bad:?}");
        }
    }

    #[test]
    fn floats_write_shortest_and_non_finite_as_strings() {
        let text = |value: f64| {
            let mut out = Vec::new();
            Writer {
                out: &mut out,
                style: JSON,
            }
            .value(View::Double(value), None, &prelude::DOUBLE)
            .unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(1.5), "1.5");
        assert_eq!(text(1.0), "1");
        assert_eq!(text(f64::NAN), "\"NaN\"");
        assert_eq!(text(f64::NEG_INFINITY), "\"-Infinity\"");
        assert_eq!(text(1e300), "1e300");
        assert_eq!(text(0.1 + 0.2), "0.30000000000000004");
    }
}
