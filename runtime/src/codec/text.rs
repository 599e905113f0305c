//! The text forms of values in URI labels, query strings and headers, both ways.
//!
//! Timestamps default to `date-time` in labels and queries and to `http-date` in headers; blobs
//! and, in headers, `@mediaType` strings are base64; header lists are comma-separated, with
//! string items quoted when they hold a comma or a quote.

use std::borrow::Cow;

pub(crate) use crate::percent::percent_encode_into;
pub use crate::percent::{percent_decode, percent_encode};
use crate::primitives::{Blob, DateTime, Document};
use crate::schema::{Member, Schema, ShapeType, TimestampFormat};
use crate::shape::{DecodeError, Decoder, EncodeError, StructBuilder, UnionBuilder, View};

/// Where a value is written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    Label,
    Query,
    Header,
}

impl Location {
    fn default_timestamp_format(self) -> TimestampFormat {
        match self {
            Location::Header => TimestampFormat::HttpDate,
            Location::Label | Location::Query => TimestampFormat::DateTime,
        }
    }
}

/// The timestamp format of `member` at `location`.
pub fn timestamp_format(member: &Member, location: Location) -> TimestampFormat {
    member
        .traits
        .timestamp_format
        .unwrap_or_else(|| location.default_timestamp_format())
}

/// The text of a float: `NaN`, `Infinity`, `-Infinity`, or the shortest decimal.
pub fn float_text(value: f64, shortest: impl std::fmt::Display) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        shortest.to_string()
    }
}

/// The text of a simple value for `member` at `location`.
pub fn to_text(view: View<'_>, member: &Member, location: Location) -> Result<String, EncodeError> {
    Ok(match view {
        View::String(text) if location == Location::Header && member.traits.media_type.is_some() => {
            Blob::new(text.as_bytes()).to_base64()
        }
        View::String(text) => text.to_owned(),
        View::Boolean(value) => value.to_string(),
        View::Byte(value) => value.to_string(),
        View::Short(value) => value.to_string(),
        View::Integer(value) => value.to_string(),
        View::Long(value) => value.to_string(),
        View::Float(value) => float_text(f64::from(value), value),
        View::Double(value) => float_text(value, value),
        View::Timestamp(time) => match timestamp_format(member, location) {
            TimestampFormat::HttpDate => time.to_http_date(),
            TimestampFormat::EpochSeconds => time.to_epoch_seconds(),
            TimestampFormat::DateTime => time.to_date_time(),
        },
        View::Blob(bytes) => Blob::new(bytes).to_base64(),
        View::BigNumber(text) => text.to_owned(),
        _ => {
            return Err(EncodeError::new(format!(
                "member `{}` cannot be written as text",
                member.name
            )))
        }
    })
}

/// A header list item, quoted when it holds a comma or a double quote, or starts or ends with
/// white space (which would otherwise be lost).
pub fn quote_header_item(item: &str) -> Cow<'_, str> {
    if item.contains([',', '"']) || item.starts_with([' ', '\t']) || item.ends_with([' ', '\t']) {
        Cow::Owned(format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\"")))
    } else {
        Cow::Borrowed(item)
    }
}

/// The items of a comma-separated header list, unquoted. `http-date` values, which contain a
/// comma themselves, are split after every second comma.
pub fn split_header_list(value: &str, http_dates: bool) -> Option<Vec<String>> {
    if http_dates {
        let parts: Vec<&str> = value.split(',').collect();
        if parts.len() % 2 == 1 {
            return None;
        }
        return Some(
            parts
                .chunks(2)
                .map(|pair| format!("{},{}", pair[0].trim(), pair[1]).trim().to_owned())
                .collect(),
        );
    }
    let mut items = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => item.push(chars.next()?),
                    c => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    items.push(item);
                    return Some(items);
                }
                Some(',') => items.push(item),
                Some(_) => return None,
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        items.push(item.trim().to_owned());
                        return Some(items);
                    }
                    Some(',') => break,
                    Some(c) => item.push(c),
                }
            }
            items.push(item.trim().to_owned());
        }
    }
}

/// Reads an integer written with digits and an optional minus sign: no `+`, no spaces.
fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads a float in the wire's forms: `NaN`, `Infinity`, `-Infinity` or a decimal number.
fn parse_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        // Rust also reads `inf`, `nan` and `infinity`; the wire has only the forms above.
        _ if !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')) =>
        {
            text.parse().ok()
        }
        _ => None,
    }
}

/// A decoder of text from a label, a query parameter or a header: one value, or the values of a
/// list (several query parameters, or a header list split at its commas).
pub struct TextDecoder<'a> {
    text: Cow<'a, str>,
    items: Option<Vec<String>>,
    location: Location,
    /// What the error messages name, such as ``the header `X-Foo` ``.
    what: Cow<'a, str>,
}

impl<'a> TextDecoder<'a> {
    /// One value.
    pub fn new(text: impl Into<Cow<'a, str>>, location: Location, what: impl Into<Cow<'a, str>>) -> Self {
        Self {
            text: text.into(),
            items: None,
            location,
            what: what.into(),
        }
    }

    /// The values of a list that arrived apart (repeated query parameters).
    pub fn items(items: Vec<String>, location: Location, what: impl Into<Cow<'a, str>>) -> Self {
        Self {
            text: Cow::Borrowed(""),
            items: Some(items),
            location,
            what: what.into(),
        }
    }

    fn invalid(&self) -> DecodeError {
        DecodeError::new(format!("{} is not a valid value", self.what))
    }

    fn text(&self) -> &str {
        self.text.as_ref()
    }
}

impl Decoder for TextDecoder<'_> {
    fn structure(&mut self, _: &'static Schema, _: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        Err(self.invalid())
    }

    fn union(&mut self, _: &'static Schema, _: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        Err(self.invalid())
    }

    fn list(
        &mut self,
        member: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let items = match self.items.take() {
            Some(items) => items,
            None => {
                let item_member = member.target.item();
                let http_dates = item_member.is_some_and(|item| {
                    item.target.shape_type == ShapeType::Timestamp
                        && timestamp_format(item, self.location) == TimestampFormat::HttpDate
                });
                if self.location == Location::Header {
                    split_header_list(self.text(), http_dates).ok_or_else(|| self.invalid())?
                } else {
                    vec![self.text().to_owned()]
                }
            }
        };
        for text in items {
            item(&mut TextDecoder::new(text, self.location, self.what.clone()))?;
        }
        Ok(())
    }

    fn map(
        &mut self,
        _: &'static Member,
        _: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        Err(self.invalid())
    }

    fn null(&mut self) -> Result<bool, DecodeError> {
        Ok(false)
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        match self.text() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.invalid()),
        }
    }

    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        parse_integer(self.text().trim_matches(' ')).ok_or_else(|| self.invalid())
    }

    fn float(&mut self, _: &'static Member) -> Result<f64, DecodeError> {
        parse_float(self.text().trim_matches(' ')).ok_or_else(|| self.invalid())
    }

    fn string(&mut self, member: &'static Member) -> Result<String, DecodeError> {
        if self.location == Location::Header && member.traits.media_type.is_some() {
            return Blob::from_base64(self.text().trim())
                .and_then(|blob| String::from_utf8(blob.into_inner()).ok())
                .ok_or_else(|| self.invalid());
        }
        Ok(self.text().to_owned())
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        Blob::from_base64(self.text().trim())
            .map(Blob::into_inner)
            .ok_or_else(|| self.invalid())
    }

    fn timestamp(&mut self, member: &'static Member) -> Result<DateTime, DecodeError> {
        let text = self.text().trim();
        match timestamp_format(member, self.location) {
            TimestampFormat::HttpDate => DateTime::parse_http_date(text),
            TimestampFormat::EpochSeconds => DateTime::parse_epoch_seconds(text),
            TimestampFormat::DateTime => DateTime::parse_utc_date_time(text),
        }
        .ok_or_else(|| self.invalid())
    }

    fn big_number(&mut self, _: &'static Member, _: bool) -> Result<String, DecodeError> {
        Ok(self.text().trim().to_owned())
    }

    fn document(&mut self, _: &'static Member) -> Result<Document, DecodeError> {
        serde_json::from_str(self.text()).map_err(|_| self.invalid())
    }

    fn skip(&mut self) -> Result<(), DecodeError> {
        Ok(())
    }
}

/// A decoder of a map of text values: prefix headers, or the query parameters no member binds.
pub struct TextMapDecoder {
    entries: Vec<(String, Vec<String>)>,
    location: Location,
}

impl TextMapDecoder {
    /// The entries, each with every value it had.
    pub fn new(entries: Vec<(String, Vec<String>)>, location: Location) -> Self {
        Self { entries, location }
    }
}

impl Decoder for TextMapDecoder {
    fn mismatch(&self) -> DecodeError {
        DecodeError::new("expected a map")
    }

    fn structure(&mut self, _: &'static Schema, _: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        Err(DecodeError::new("a structure cannot be read from text"))
    }

    fn union(&mut self, _: &'static Schema, _: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        Err(DecodeError::new("a union cannot be read from text"))
    }

    fn list(
        &mut self,
        _: &'static Member,
        _: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        Err(DecodeError::new("a list cannot be read from a map of text"))
    }

    fn map(
        &mut self,
        member: &'static Member,
        entry: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let lists = member
            .target
            .item()
            .is_some_and(|value| value.target.shape_type == ShapeType::List);
        for (key, values) in std::mem::take(&mut self.entries) {
            let what = match self.location {
                Location::Header => format!("the header `{key}`"),
                _ => format!("the query parameter `{key}`"),
            };
            let mut decoder = if lists {
                TextDecoder::items(values, self.location, what)
            } else {
                let first = values.into_iter().next().unwrap_or_default();
                TextDecoder::new(first, self.location, what)
            };
            entry(&key, &mut decoder)?;
        }
        Ok(())
    }
}

/// Appends `number` in decimal, without the formatting machinery (this is on every call's path).
pub(crate) fn push_decimal(out: &mut String, number: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = number;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|digit| char::from(*digit)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_split_and_quote() {
        assert_eq!(
            split_header_list(r#"a, "b,c", "d\"e""#, false).unwrap(),
            ["a", "b,c", "d\"e"]
        );
        assert_eq!(
            split_header_list("Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT", true).unwrap(),
            ["Mon, 16 Dec 2019 23:48:18 GMT", "Mon, 16 Dec 2019 23:48:18 GMT"]
        );
        assert_eq!(quote_header_item("a,b"), "\"a,b\"");
        assert_eq!(quote_header_item("ab"), "ab");
        assert!(split_header_list(r#""a"b"#, false).is_none());
    }

    #[test]
    fn numbers_are_read_in_the_wire_forms_only() {
        assert_eq!(parse_integer("-12"), Some(-12));
        assert_eq!(parse_integer("+12"), None);
        assert_eq!(parse_integer(""), None);
        assert_eq!(parse_float("inf"), None);
        assert!(parse_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_float("1.5e3"), Some(1500.0));
    }
}
