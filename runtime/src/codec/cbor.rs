//! CBOR (RFC 8949), as the `smithy.protocols#rpcv2Cbor` protocol puts values in bodies: a
//! writer and a reader driven by schemas. Member names are the keys (no `@jsonName`); blobs are
//! byte strings; floats are single (`float`) or double (`double`) precision floats, never half
//! precision; timestamps are tag 1 over an integer of epoch seconds, or a double when they have
//! milliseconds (`@timestampFormat` does not apply); big integers are bignums (tags 2 and 3),
//! big decimals decimal fractions (tag 4); documents are not part of the protocol.
//!
//! The writer gives every array, map and string its length. The reader takes what any CBOR
//! encoder may send: definite and indefinite lengths, half, single and double floats, integers
//! for floats and floats for integers where the value is the same, `undefined` for null.
//!
//! The item reader and writer are written here rather than taken from a crate: an item's head
//! is an initial byte and up to eight bytes of argument (reading heads, lengths and strings is
//! under two hundred lines below, a half float's value a dozen), while what a crate would leave
//! to us anyway is most of the work: joining the chunks of indefinite-length strings, the limits
//! on input from the network (nesting deeper than [`MAX_DEPTH`], declared lengths longer than
//! what is left of the input, memory charged as it is taken), and reading straight into
//! builders with no tree in between.

use std::borrow::Cow;

use super::json::MemberSet;
use super::Side;
use crate::memory::RequestMemory;
use crate::primitives::{DateTime, Document};
use crate::schema::{Flags, Member, Schema, ShapeType};
use crate::shape::{DecodeError, Decoder, EncodeError, ListOf, StructBuilder, UnionBuilder, Value, Variant, View};
use crate::validate::Violation;

/// CBOR bodies as a [`Codec`](super::Codec): keys are member names.
pub(crate) struct Cbor;

/// The body codec of `smithy.protocols#rpcv2Cbor`.
pub(crate) static CBOR: Cbor = Cbor;

impl super::Codec for Cbor {
    fn media_type(&self) -> &'static str {
        "application/cbor"
    }

    fn empty_structure(&self) -> &'static [u8] {
        &[EMPTY_MAP]
    }

    fn write_structure(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        schema: &'static Schema,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(), EncodeError> {
        write_structure(out, value, schema, include)
    }

    fn write_value(
        &self,
        out: &mut Vec<u8>,
        value: &dyn Value,
        member: &'static Member,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        write_value(out, value, Some(member), schema)
    }

    fn read_structure(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: &dyn Fn(&Member) -> bool,
    ) -> Result<(Vec<bool>, Vec<Violation>), DecodeError> {
        // An empty body holds no members.
        let body: &[u8] = if body.is_empty() { &[EMPTY_MAP] } else { body };
        let mut cbor = CborDecoder::new(body, reading.side).with_memory(reading.memory);
        let seen = cbor.structure_where(schema, builder, include)?;
        cbor.finish()?;
        Ok((seen, cbor.take_missing()))
    }

    fn read_member(
        &self,
        body: &[u8],
        reading: super::Reading<'_>,
        schema: &'static Schema,
        index: usize,
        builder: &mut dyn StructBuilder,
    ) -> Result<Vec<Violation>, DecodeError> {
        let mut cbor = CborDecoder::new(body, reading.side)
            .at_path(&format!("/{}", schema.members[index].name))
            .with_memory(reading.memory);
        crate::shape::read_member(schema, index, builder, &mut cbor)?;
        cbor.finish()?;
        Ok(cbor.take_missing())
    }
}

/// How deep arrays, maps and tags may nest in a document that is read.
pub const MAX_DEPTH: usize = 128;

/// The longest bignum read or written, in bytes of magnitude (9,865 decimal digits): turning a
/// bignum into decimal text, or back, takes time that grows with the square of its length.
const MAX_BIGNUM_BYTES: usize = 4096;

/// The most decimal digits of a big number that is written (a bignum of at most
/// [`MAX_BIGNUM_BYTES`]).
const MAX_BIG_DIGITS: usize = 9_864;

const UNSIGNED: u8 = 0;
const NEGATIVE: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;
const SIMPLE: u8 = 7;

/// The additional information of an indefinite length, and of the break that ends it.
const INDEFINITE: u8 = 31;
const BREAK: u8 = 0xff;
const FALSE: u8 = 0xf4;
const TRUE: u8 = 0xf5;
const NULL: u8 = 0xf6;
const UNDEFINED: u8 = 0xf7;
const EMPTY_MAP: u8 = 0xa0;

/// 2^63, exactly.
const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;

const TAG_EPOCH: u64 = 1;
const TAG_POSITIVE_BIGNUM: u64 = 2;
const TAG_NEGATIVE_BIGNUM: u64 = 3;
const TAG_DECIMAL_FRACTION: u64 = 4;

/// Writes `value` (of `schema`, held by `member` if any) as CBOR to `out`.
pub fn write_value(
    out: &mut Vec<u8>,
    value: &dyn Value,
    member: Option<&'static Member>,
    schema: &'static Schema,
) -> Result<(), EncodeError> {
    Writer { out }.value(value.view(), member, schema)
}

/// Writes a structure's members for which `include` holds as a CBOR map.
pub fn write_structure(
    out: &mut Vec<u8>,
    value: &dyn Value,
    schema: &'static Schema,
    include: &dyn Fn(&Member) -> bool,
) -> Result<(), EncodeError> {
    Writer { out }.structure(value, schema, include, None)
}

/// Writes a structure's members as a CBOR map whose first entry is `__type`, with the text
/// `type_name`: an error body of rpcv2Cbor, which names the error's shape id there.
pub fn write_structure_with_type(
    out: &mut Vec<u8>,
    value: &dyn Value,
    schema: &'static Schema,
    type_name: &str,
) -> Result<(), EncodeError> {
    Writer { out }.structure(value, schema, &|_| true, Some(type_name))
}

/// The text of the `__type` entry of the map `body` holds, found without reading the values of
/// the other entries into anything: the error an rpcv2Cbor error body names. `None` when the
/// body is not a map, has no such entry, or is not well formed before it.
#[cfg(test)]
pub(crate) fn error_type(body: &[u8]) -> Option<String> {
    top_level_text(body, "__type")
}

/// The text of the entry `key` of the map `body` holds, found without reading the values of the
/// other entries into anything. `None` when the body is not a map, has no such entry, or is
/// not well formed before it.
pub(crate) fn top_level_text(body: &[u8], key: &str) -> Option<String> {
    let mut cbor = CborDecoder::new(body, Side::Client);
    let head = cbor.expect_major(MAP, "a map").ok()?;
    let count = cbor.count(head, 2).ok()?;
    let mut read = 0u64;
    loop {
        match count {
            Some(count) if read == count => return None,
            None if cbor.peek().ok()? == BREAK => return None,
            _ => {}
        }
        read += 1;
        let name = cbor.text().ok()?;
        if name == key {
            return cbor.text().ok().map(Cow::into_owned);
        }
        cbor.skip().ok()?;
    }
}

/// The body of a server's own error: a map of `__type`, `message` when there is one, and for a
/// validation error the `fieldList` of `{path, message}` maps.
pub(crate) fn own_error_body(type_name: &str, message: Option<&str>, fields: Option<&[(String, String)]>) -> Vec<u8> {
    let mut out = Vec::new();
    head(
        &mut out,
        MAP,
        1 + u64::from(message.is_some()) + u64::from(fields.is_some()),
    );
    write_text(&mut out, "__type");
    write_text(&mut out, type_name);
    if let Some(message) = message {
        write_text(&mut out, "message");
        write_text(&mut out, message);
    }
    if let Some(fields) = fields {
        write_text(&mut out, "fieldList");
        head(&mut out, ARRAY, fields.len() as u64);
        for (path, message) in fields {
            head(&mut out, MAP, 2);
            write_text(&mut out, "path");
            write_text(&mut out, path);
            write_text(&mut out, "message");
            write_text(&mut out, message);
        }
    }
    out
}

/// A double at the start of `input` in one of its usual encodings (a double, a single, a small
/// unsigned integer), with the bytes it takes; `None` for any other item, which the full reader
/// takes (and refuses where it must).
fn quick_double(input: &[u8]) -> Option<(f64, usize)> {
    match *input.first()? {
        0xfb => Some((f64::from_be_bytes(*input.get(1..)?.first_chunk::<8>()?), 9)),
        0xfa => Some((f64::from(f32::from_be_bytes(*input.get(1..)?.first_chunk::<4>()?)), 5)),
        small @ 0x00..=0x17 => Some((f64::from(small), 1)),
        _ => None,
    }
}

/// A timestamp at the start of `input` in one of its usual encodings (tag 1 over a 32-bit count
/// of seconds or over a double of them), with the bytes it takes; `None` for any other item.
fn quick_timestamp(input: &[u8]) -> Option<(DateTime, usize)> {
    match input.get(..2)? {
        [0xc1, 0x1a] => {
            let seconds = u32::from_be_bytes(*input.get(2..)?.first_chunk::<4>()?);
            Some((DateTime::from_secs(i64::from(seconds)), 6))
        }
        [0xc1, 0xfb] => {
            let seconds = f64::from_be_bytes(*input.get(2..)?.first_chunk::<8>()?);
            Some((DateTime::from_secs_f64(seconds)?, 10))
        }
        _ => None,
    }
}

/// Writes the head of an item: its major type and argument, in the fewest bytes.
fn head(out: &mut Vec<u8>, major: u8, argument: u64) {
    let major = major << 5;
    if argument < 24 {
        out.push(major | argument as u8);
    } else if let Ok(byte) = u8::try_from(argument) {
        out.extend_from_slice(&[major | 24, byte]);
    } else if let Ok(short) = u16::try_from(argument) {
        out.push(major | 25);
        out.extend_from_slice(&short.to_be_bytes());
    } else if let Ok(word) = u32::try_from(argument) {
        out.push(major | 26);
        out.extend_from_slice(&word.to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&argument.to_be_bytes());
    }
}

fn write_integer(out: &mut Vec<u8>, value: i64) {
    match u64::try_from(value) {
        Ok(unsigned) => head(out, UNSIGNED, unsigned),
        // -1 - value, which `!` gives in two's complement.
        Err(_) => head(out, NEGATIVE, !value as u64),
    }
}

fn write_text(out: &mut Vec<u8>, text: &str) {
    head(out, TEXT, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

struct Writer<'o> {
    out: &'o mut Vec<u8>,
}

impl Writer<'_> {
    fn value(
        &mut self,
        view: View<'_>,
        member: Option<&'static Member>,
        schema: &'static Schema,
    ) -> Result<(), EncodeError> {
        match view {
            View::Null => self.out.push(NULL),
            View::Boolean(value) => self.out.push(if value { TRUE } else { FALSE }),
            View::Byte(value) => write_integer(self.out, i64::from(value)),
            View::Short(value) => write_integer(self.out, i64::from(value)),
            View::Integer(value) => write_integer(self.out, i64::from(value)),
            View::Long(value) => write_integer(self.out, value),
            View::Float(value) => {
                self.out.push(0xfa);
                self.out.extend_from_slice(&value.to_bits().to_be_bytes());
            }
            View::Double(value) => self.double(value),
            View::String(value) => write_text(self.out, value),
            View::Blob(bytes) => {
                head(self.out, BYTES, bytes.len() as u64);
                self.out.extend_from_slice(bytes);
            }
            View::Timestamp(time) => self.timestamp(time),
            View::BigNumber(text) => {
                if schema.shape_type == ShapeType::BigDecimal || text.contains(['.', 'e', 'E']) {
                    self.big_decimal(text)?;
                } else {
                    self.big_integer(text)?;
                }
            }
            View::Document(_) => {
                return Err(EncodeError::new(format!(
                    "`{}` is a document, which the rpcv2Cbor protocol cannot write",
                    member.map_or(schema.id, |member| member.name)
                )))
            }
            View::List(list) => {
                let item = schema.item();
                let item_schema = item.map_or(schema, |item| item.target);
                head(self.out, ARRAY, list.len() as u64);
                for index in 0..list.len() {
                    match list.get(index) {
                        Some(value) => self.value(value.view(), item, item_schema)?,
                        None => self.out.push(NULL),
                    }
                }
            }
            View::Map(map) => {
                let value_member = schema.item();
                let value_schema = value_member.map_or(schema, |member| member.target);
                let entries = map.entries();
                head(self.out, MAP, entries.len() as u64);
                for (key, value) in entries {
                    write_text(self.out, key);
                    self.value(value.view(), value_member, value_schema)?;
                }
            }
            View::Structure(value) => self.structure(value, schema, &|_| true, None)?,
            View::Union(value) => match value.variant() {
                Variant::Member(index, value) => {
                    let member = schema
                        .members
                        .get(index)
                        .ok_or_else(|| EncodeError::new(format!("`{}` has no member {index}", schema.id)))?;
                    head(self.out, MAP, 1);
                    write_text(self.out, member.name);
                    match value {
                        Some(value) => self.value(value.view(), Some(member), member.target)?,
                        None => self.out.push(EMPTY_MAP),
                    }
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

    /// The members of `value` that are set and for which `include` holds, as a map of as many
    /// entries (and one more, first, for `type_name` as `__type`).
    fn structure(
        &mut self,
        value: &dyn Value,
        schema: &'static Schema,
        include: &dyn Fn(&Member) -> bool,
        type_name: Option<&str>,
    ) -> Result<(), EncodeError> {
        let written = |index: usize, member: &Member| {
            if !include(member) || member.traits.has(Flags::STREAMING) {
                return None;
            }
            let view = value.member(index)?.view();
            (!matches!(view, View::Null)).then_some(view)
        };
        let count = schema
            .members
            .iter()
            .enumerate()
            .filter(|(index, member)| written(*index, member).is_some())
            .count();
        head(self.out, MAP, (count + usize::from(type_name.is_some())) as u64);
        if let Some(type_name) = type_name {
            write_text(self.out, "__type");
            write_text(self.out, type_name);
        }
        for (index, member) in schema.members.iter().enumerate() {
            if let Some(view) = written(index, member) {
                write_text(self.out, member.name);
                self.value(view, Some(member), member.target)?;
            }
        }
        Ok(())
    }

    fn double(&mut self, value: f64) {
        self.out.push(0xfb);
        self.out.extend_from_slice(&value.to_bits().to_be_bytes());
    }

    /// Tag 1 over whole epoch seconds, or over a double of seconds to the millisecond.
    fn timestamp(&mut self, time: DateTime) {
        head(self.out, TAG, TAG_EPOCH);
        let millis = time.subsec_nanos() / 1_000_000;
        if millis == 0 {
            write_integer(self.out, time.secs());
            return;
        }
        // Milliseconds since the epoch are exact in a double for any year RFC 3339 writes, and
        // one division gives the double nearest to the decimal number of seconds.
        let seconds = match time.secs().checked_mul(1000) {
            Some(whole) if whole.unsigned_abs() < 1 << 53 => (whole + i64::from(millis)) as f64 / 1000.0,
            _ => time.secs() as f64 + f64::from(millis) / 1000.0,
        };
        self.double(seconds);
    }

    /// A big integer as a bignum: tag 2 over its magnitude's bytes, or tag 3 over those of -1
    /// minus it when it is negative.
    fn big_integer(&mut self, text: &str) -> Result<(), EncodeError> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(EncodeError::new(format!("`{text}` is not an integer")));
        }
        let magnitude = Magnitude::from_digits(digits)
            .ok_or_else(|| EncodeError::new(format!("a big number has more than {MAX_BIG_DIGITS} digits")))?;
        self.bignum(negative, magnitude);
        Ok(())
    }

    fn bignum(&mut self, negative: bool, mut magnitude: Magnitude) {
        let negative = negative && !magnitude.is_zero();
        if negative {
            magnitude.sub_one();
        }
        head(
            self.out,
            TAG,
            if negative {
                TAG_NEGATIVE_BIGNUM
            } else {
                TAG_POSITIVE_BIGNUM
            },
        );
        let bytes = magnitude.to_bytes();
        head(self.out, BYTES, bytes.len() as u64);
        self.out.extend_from_slice(&bytes);
    }

    /// A big decimal as a decimal fraction: tag 4 over `[exponent, mantissa]`, the mantissa an
    /// integer when it fits in one, else a bignum. Every digit of the text is kept (`1.50` is
    /// `[-2, 150]`).
    fn big_decimal(&mut self, text: &str) -> Result<(), EncodeError> {
        let invalid = || EncodeError::new(format!("`{text}` is not a decimal number"));
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match rest.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().map_err(|_| invalid())?),
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(invalid());
        }
        let exponent = i64::try_from(fraction.len())
            .ok()
            .and_then(|places| exponent.checked_sub(places))
            .ok_or_else(invalid)?;
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        let magnitude = Magnitude::from_digits(digits)
            .ok_or_else(|| EncodeError::new(format!("a big number has more than {MAX_BIG_DIGITS} digits")))?;
        head(self.out, TAG, TAG_DECIMAL_FRACTION);
        head(self.out, ARRAY, 2);
        write_integer(self.out, exponent);
        let negative = negative && !magnitude.is_zero();
        // The argument of a plain integer: the magnitude, or for a negative one, one less.
        let argument = if negative {
            let mut less = magnitude.clone();
            less.sub_one();
            less.to_u64()
        } else {
            magnitude.to_u64()
        };
        match argument {
            Some(argument) => head(self.out, if negative { NEGATIVE } else { UNSIGNED }, argument),
            None => self.bignum(negative, magnitude),
        }
        Ok(())
    }
}

/// A non-negative integer of any size, in 32-bit limbs, least significant first.
#[derive(Clone)]
struct Magnitude(Vec<u32>);

impl Magnitude {
    /// The integer of decimal `digits` (none: zero); `None` past [`MAX_BIG_DIGITS`].
    fn from_digits(digits: &str) -> Option<Self> {
        if digits.len() > MAX_BIG_DIGITS {
            return None;
        }
        let mut magnitude = Magnitude(Vec::new());
        // Nine digits at a time, the first group taking what is left over.
        let first = match digits.len() % 9 {
            0 => 9.min(digits.len()),
            rest => rest,
        };
        let mut start = 0;
        let mut end = first;
        while start < digits.len() {
            let group = digits.get(start..end)?;
            let value: u32 = group.parse().ok()?;
            magnitude.mul_add(10u32.pow(group.len() as u32), value);
            start = end;
            end += 9;
        }
        Some(magnitude)
    }

    /// The integer of big-endian `bytes`.
    fn from_bytes(bytes: &[u8]) -> Self {
        let limbs = bytes
            .rchunks(4)
            .map(|chunk| chunk.iter().fold(0u32, |limb, byte| limb << 8 | u32::from(*byte)))
            .collect();
        let mut magnitude = Magnitude(limbs);
        magnitude.trim();
        magnitude
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|limb| *limb == 0)
    }

    /// Multiplies by `factor` and adds `addend`.
    fn mul_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// Subtracts one from a magnitude that is not zero.
    fn sub_one(&mut self) {
        for limb in &mut self.0 {
            let (value, borrow) = limb.overflowing_sub(1);
            *limb = value;
            if !borrow {
                break;
            }
        }
        self.trim();
    }

    fn add_one(&mut self) {
        self.mul_add(1, 1);
    }

    fn to_u64(&self) -> Option<u64> {
        match self.0.as_slice() {
            [] => Some(0),
            [low] => Some(u64::from(*low)),
            [low, high] => Some(u64::from(*high) << 32 | u64::from(*low)),
            _ => None,
        }
    }

    /// Big-endian bytes with no leading zero (none for zero).
    fn to_bytes(&self) -> Vec<u8> {
        let bytes: Vec<u8> = self.0.iter().rev().flat_map(|limb| limb.to_be_bytes()).collect();
        let zeros = bytes.iter().take_while(|byte| **byte == 0).count();
        bytes[zeros..].to_vec()
    }

    /// Decimal digits, `0` for zero.
    fn to_digits(&self) -> String {
        let mut limbs = self.0.clone();
        let mut groups = Vec::new();
        while limbs.iter().any(|limb| *limb != 0) {
            let mut remainder = 0u64;
            for limb in limbs.iter_mut().rev() {
                let value = remainder << 32 | u64::from(*limb);
                *limb = (value / 1_000_000_000) as u32;
                remainder = value % 1_000_000_000;
            }
            groups.push(remainder as u32);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        let mut digits = groups.pop().map_or_else(|| "0".to_owned(), |group| group.to_string());
        for group in groups.iter().rev() {
            digits.push_str(&format!("{group:09}"));
        }
        digits
    }
}

/// An item's head: its major type, additional information, and argument (a length, a count, a
/// tag, an integer's value or a float's bits; 0 for an indefinite length).
#[derive(Clone, Copy)]
struct Head {
    major: u8,
    info: u8,
    argument: u64,
}

impl Head {
    fn indefinite(self) -> bool {
        self.info == INDEFINITE
    }
}

/// A number as it was written.
enum Number {
    Unsigned(u64),
    /// -1 minus the argument.
    Negative(u64),
    Float(f64),
}

/// The value of a half-precision float.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f64::from(bits & 0x3ff);
    let magnitude = match exponent {
        // Subnormal: 0.mantissa × 2^-14.
        0 => mantissa * 2f64.powi(-24),
        31 if mantissa == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        // 1.mantissa × 2^(exponent - 15).
        _ => (mantissa + 1024.0) * 2f64.powi(exponent - 25),
    };
    sign * magnitude
}

/// What an item that starts with `initial` is, for messages.
fn describe(initial: u8) -> &'static str {
    match (initial >> 5, initial) {
        (UNSIGNED | NEGATIVE, _) => "an integer",
        (BYTES, _) => "a byte string",
        (TEXT, _) => "a text string",
        (ARRAY, _) => "an array",
        (MAP, _) => "a map",
        (TAG, _) => "a tag",
        (_, FALSE | TRUE) => "a boolean",
        (_, NULL) => "null",
        (_, UNDEFINED) => "undefined",
        (_, 0xf9..=0xfb) => "a float",
        (_, BREAK) => "a break",
        _ => "a simple value",
    }
}

/// A reader of one CBOR item, positioned before it.
pub struct CborDecoder<'a> {
    input: &'a [u8],
    position: usize,
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
}

/// One step of a member path.
enum PathSegment<'a> {
    Member(&'static str),
    Index(usize),
    Key(Cow<'a, str>),
}

impl<'a> CborDecoder<'a> {
    /// A reader of `input`.
    pub fn new(input: &'a [u8], side: Side) -> Self {
        Self {
            input,
            position: 0,
            side,
            depth: 0,
            root: String::new(),
            path: Vec::new(),
            missing: Vec::new(),
            memory: None,
        }
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

    /// What a server found wrong while reading, with their paths: required members missing,
    /// and lists and maps longer than their `@length` allows (read no further than it; the
    /// items past it are skipped, and only counted). At most one more than
    /// [`MAX_VIOLATIONS`](crate::validate::MAX_VIOLATIONS).
    pub fn take_missing(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.missing)
    }

    /// Fails unless the whole input was read.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        if self.position < self.input.len() {
            return Err(self.error("bytes after the CBOR item"));
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
        let seen = self.object(schema, builder, include)?;
        Ok((0..schema.members.len()).map(|index| seen.contains(index)).collect())
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

    #[cold]
    fn error(&self, message: &str) -> DecodeError {
        self.error_at(self.position, message)
    }

    #[cold]
    fn error_at(&self, position: usize, message: &str) -> DecodeError {
        let path = self.path();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        DecodeError::new(format!("invalid CBOR{at} (byte {position}): {message}"))
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&format!("items nest deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// The next byte, not taken.
    #[inline]
    fn peek(&self) -> Result<u8, DecodeError> {
        self.input
            .get(self.position)
            .copied()
            .ok_or_else(|| self.error("the input ends where an item is expected"))
    }

    /// The next `len` bytes, taken.
    /// The next `N` bytes, taken.
    #[inline]
    fn take_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self
            .input
            .get(self.position..)
            .and_then(|rest| rest.first_chunk::<N>())
            .copied()
            .ok_or_else(|| self.error("the input ends inside an item"))?;
        self.position += N;
        Ok(bytes)
    }

    #[inline]
    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let input = self.input;
        let bytes = input
            .get(self.position..self.position.saturating_add(len))
            .ok_or_else(|| self.error("the input ends inside an item"))?;
        self.position += len;
        Ok(bytes)
    }

    /// Reads an item's head. A break comes back as major type 7 with an indefinite length.
    #[inline]
    fn head(&mut self) -> Result<Head, DecodeError> {
        let start = self.position;
        let initial = self.peek()?;
        self.position += 1;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let argument = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.take(1)?[0]),
            25 => u64::from(u16::from_be_bytes(self.take_array()?)),
            26 => u64::from(u32::from_be_bytes(self.take_array()?)),
            27 => u64::from_be_bytes(self.take_array()?),
            28..=30 => return Err(self.error_at(start, "an item's head uses reserved additional information")),
            _ => {
                if matches!(major, UNSIGNED | NEGATIVE | TAG) {
                    return Err(self.error_at(
                        start,
                        &format!("{} cannot have an indefinite length", describe(initial)),
                    ));
                }
                0
            }
        };
        if major == SIMPLE && info == 24 && argument < 32 {
            return Err(self.error_at(start, "a simple value below 32 written in two bytes"));
        }
        Ok(Head { major, info, argument })
    }

    /// Reads the head of an item of `major` type, or fails naming `what` was expected.
    #[inline]
    fn expect_major(&mut self, major: u8, what: &str) -> Result<Head, DecodeError> {
        let initial = self.peek()?;
        if initial >> 5 != major {
            return Err(self.error(&format!("expected {what}, found {}", describe(initial))));
        }
        self.head()
    }

    /// How many items (`per_item` each: 2 for a map's entries) a container whose head is `head`
    /// declares, `None` for an indefinite length. A count the rest of the input cannot hold (an
    /// item takes at least a byte) is refused before anything is read.
    fn count(&self, head: Head, per_item: u64) -> Result<Option<u64>, DecodeError> {
        if head.indefinite() {
            return Ok(None);
        }
        let remaining = (self.input.len() - self.position) as u64;
        if head.argument > remaining / per_item {
            return Err(self.error(&format!(
                "{} declares {} items where {remaining} bytes are left",
                if per_item == 2 { "a map" } else { "an array" },
                head.argument
            )));
        }
        Ok(Some(head.argument))
    }

    /// The bytes of a definite-length string whose head is `head`, refused before anything is
    /// taken when they are more than the input has left.
    #[inline]
    fn definite(&mut self, head: Head) -> Result<&'a [u8], DecodeError> {
        let remaining = self.input.len() - self.position;
        match usize::try_from(head.argument) {
            Ok(len) if len <= remaining => self.take(len),
            _ => Err(self.error(&format!(
                "a string declares {} bytes where {remaining} are left",
                head.argument
            ))),
        }
    }

    /// The items of the array or map whose head is `head` was read: `each` reads one item (for
    /// a map, one entry) at a time.
    fn items(
        &mut self,
        head: Head,
        per_item: u64,
        mut each: impl FnMut(&mut Self) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let count = self.count(head, per_item)?;
        self.enter()?;
        match count {
            Some(count) => {
                for _ in 0..count {
                    each(self)?;
                }
            }
            None => loop {
                if self.peek()? == BREAK {
                    self.position += 1;
                    break;
                }
                each(self)?;
            },
        }
        self.depth -= 1;
        Ok(())
    }

    /// The entries of the map whose head was read: each key, which must be a text string, then
    /// `each` reads its value.
    fn entries(
        &mut self,
        head: Head,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.items(head, 2, |this| {
            let key = this.text()?;
            each(this, key)
        })
    }

    /// A byte or text string whose head was read: its definite-length bytes, or the chunks of
    /// an indefinite one joined, each chunk a definite-length string of the same type (each
    /// chunk of text is checked to be UTF-8 on its own, as RFC 8949 wants; a definite-length
    /// text is left to the caller).
    #[inline]
    fn string_bytes(&mut self, head: Head) -> Result<Cow<'a, [u8]>, DecodeError> {
        if !head.indefinite() {
            return self.definite(head).map(Cow::Borrowed);
        }
        let mut joined = Vec::new();
        loop {
            let start = self.position;
            let initial = self.peek()?;
            if initial == BREAK {
                self.position += 1;
                return Ok(Cow::Owned(joined));
            }
            let chunk = self.head()?;
            if chunk.major != head.major || chunk.indefinite() {
                return Err(self.error_at(
                    start,
                    &format!(
                        "{} in an indefinite-length string is not a definite-length string of its type",
                        describe(initial)
                    ),
                ));
            }
            let bytes = self.definite(chunk)?;
            if head.major == TEXT && std::str::from_utf8(bytes).is_err() {
                return Err(self.error_at(start, "a text string is not UTF-8"));
            }
            joined.extend_from_slice(bytes);
        }
    }

    /// A text string.
    #[inline]
    fn text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        let (bytes, start) = self.text_bytes()?;
        self.utf8(bytes, start)
    }

    /// The bytes of a text string that starts at `start`, as text: an error when they are not
    /// UTF-8.
    #[inline]
    fn utf8(&self, bytes: Cow<'a, [u8]>, start: usize) -> Result<Cow<'a, str>, DecodeError> {
        match bytes {
            Cow::Borrowed(bytes) => std::str::from_utf8(bytes).map(Cow::Borrowed).ok(),
            Cow::Owned(bytes) => String::from_utf8(bytes).map(Cow::Owned).ok(),
        }
        .ok_or_else(|| self.error_at(start, "a text string is not UTF-8"))
    }

    /// A text string's bytes, not yet checked to be UTF-8 (a structure's key that equals a
    /// member's name is, as the name is), and where they start, for the error when they are not.
    #[inline]
    fn text_bytes(&mut self) -> Result<(Cow<'a, [u8]>, usize), DecodeError> {
        if let Some((bytes, start)) = self.short_text() {
            return Ok((Cow::Borrowed(bytes), start));
        }
        let head = self.expect_major(TEXT, "a text string")?;
        let start = self.position;
        Ok((self.string_bytes(head)?, start))
    }

    /// A text string of fewer than 256 bytes with a definite length, the form nearly every key
    /// and most text take, read where it lies: its bytes, not yet checked to be UTF-8, and where
    /// they start. `None`, with nothing taken, for any other item and for a string the input
    /// cannot hold, which the full reader then reads or refuses.
    #[inline(always)]
    fn short_text(&mut self) -> Option<(&'a [u8], usize)> {
        let rest = self.input.get(self.position..)?;
        let (len, start) = match *rest.first()? {
            initial @ 0x60..=0x77 => (usize::from(initial & 0x1f), 1),
            0x78 => (usize::from(*rest.get(1)?), 2),
            _ => return None,
        };
        let bytes = rest.get(start..start + len)?;
        let start = self.position + start;
        self.position = start + len;
        Some((bytes, start))
    }

    /// A byte string.
    fn bytes(&mut self) -> Result<Cow<'a, [u8]>, DecodeError> {
        let head = self.expect_major(BYTES, "a byte string")?;
        self.string_bytes(head)
    }

    /// An integer or a float, or fails naming `what` was expected.
    fn number(&mut self, what: &str) -> Result<Number, DecodeError> {
        let initial = self.peek()?;
        match (initial >> 5, initial) {
            (UNSIGNED, _) => Ok(Number::Unsigned(self.head()?.argument)),
            (NEGATIVE, _) => Ok(Number::Negative(self.head()?.argument)),
            (SIMPLE, 0xf9..=0xfb) => {
                let head = self.head()?;
                Ok(Number::Float(match head.info {
                    25 => f16_to_f64(head.argument as u16),
                    26 => f64::from(f32::from_bits(head.argument as u32)),
                    _ => f64::from_bits(head.argument),
                }))
            }
            _ => Err(self.error(&format!("expected {what}, found {}", describe(initial)))),
        }
    }

    /// Whether a null (or `undefined`, read as null) comes next.
    #[inline]
    fn null_next(&self) -> Result<bool, DecodeError> {
        Ok(matches!(self.peek()?, NULL | UNDEFINED))
    }

    /// The decimal text of an integer: a plain one, or a bignum (tags 2 and 3).
    fn integer_text(&mut self) -> Result<String, DecodeError> {
        let initial = self.peek()?;
        if initial >> 5 != TAG {
            return match self.number("an integer")? {
                Number::Unsigned(value) => Ok(value.to_string()),
                Number::Negative(value) => Ok((-1 - i128::from(value)).to_string()),
                Number::Float(_) => Err(self.error("expected an integer, found a float")),
            };
        }
        let start = self.position;
        let tag = self.head()?.argument;
        if !matches!(tag, TAG_POSITIVE_BIGNUM | TAG_NEGATIVE_BIGNUM) {
            return Err(self.error_at(start, &format!("expected an integer or a bignum, found tag {tag}")));
        }
        let bytes = self.bytes()?;
        let significant = &bytes[bytes.iter().take_while(|byte| **byte == 0).count()..];
        if significant.len() > MAX_BIGNUM_BYTES {
            return Err(self.error_at(start, &format!("a bignum is longer than {MAX_BIGNUM_BYTES} bytes")));
        }
        let mut magnitude = Magnitude::from_bytes(significant);
        let negative = tag == TAG_NEGATIVE_BIGNUM;
        if negative {
            magnitude.add_one();
        }
        let digits = magnitude.to_digits();
        Ok(if negative { format!("-{digits}") } else { digits })
    }

    /// The decimal text of a decimal fraction (tag 4) whose tag was read: `[exponent,
    /// mantissa]`.
    fn decimal_fraction(&mut self) -> Result<String, DecodeError> {
        let head = self.expect_major(ARRAY, "an array of an exponent and a mantissa")?;
        let count = self.count(head, 1)?;
        if count.is_some_and(|count| count != 2) {
            return Err(self.error("a decimal fraction is not an array of two items"));
        }
        self.enter()?;
        let exponent = match self.number("an integer exponent")? {
            Number::Unsigned(value) => i128::from(value),
            Number::Negative(value) => -1 - i128::from(value),
            Number::Float(_) => return Err(self.error("a decimal fraction's exponent is a float")),
        };
        let mantissa = self.integer_text()?;
        if count.is_none() {
            if self.peek()? != BREAK {
                return Err(self.error("a decimal fraction is not an array of two items"));
            }
            self.position += 1;
        }
        self.depth -= 1;
        let (sign, digits) = match mantissa.strip_prefix('-') {
            Some(digits) => ("-", digits),
            None => ("", mantissa.as_str()),
        };
        // A point in the digits while that keeps the text short, else an exponent.
        Ok(match usize::try_from(-exponent) {
            _ if exponent == 0 => format!("{sign}{digits}"),
            Ok(places) if places < digits.len() => {
                let (whole, fraction) = digits.split_at(digits.len() - places);
                format!("{sign}{whole}.{fraction}")
            }
            Ok(places) if places <= digits.len() + 32 => {
                format!("{sign}0.{}{digits}", "0".repeat(places - digits.len()))
            }
            _ => format!("{sign}{digits}e{exponent}"),
        })
    }

    /// Reads a structure's members for which `include` holds into `builder`.
    fn object(
        &mut self,
        schema: &'static Schema,
        builder: &mut dyn StructBuilder,
        include: impl Fn(&Member) -> bool,
    ) -> Result<MemberSet, DecodeError> {
        let head = self.expect_map("", schema)?;
        let mut seen = MemberSet::new(schema.members.len());
        let members = schema.members;
        // Members mostly come in the schema's order: the search starts after the last one found.
        let mut hint = 0;
        self.items(head, 2, |this| {
            // Keys are compared with the members' names as bytes: only a key that names no
            // member is checked to be UTF-8.
            let (key, start) = this.text_bytes()?;
            // A stream is the body of its message, never a member of a map.
            let matches = |member: &Member| {
                member.name.as_bytes() == &*key && include(member) && !member.traits.has(Flags::STREAMING)
            };
            let index = match members.get(hint) {
                Some(member) if matches(member) => Some(hint),
                _ => (hint.saturating_add(1)..members.len())
                    .chain(0..hint.min(members.len()))
                    .find(|&index| matches(&members[index])),
            };
            if let Some(index) = index {
                hint = index + 1;
            }
            match index {
                Some(index) if !this.null()? => {
                    this.path.push(PathSegment::Member(members[index].name));
                    crate::shape::read_member(schema, index, builder, this)?;
                    this.path.pop();
                    seen.insert(index);
                }
                Some(_) => {}
                None => {
                    let key = this.utf8(key, start)?;
                    this.path.push(PathSegment::Key(key));
                    this.skip()?;
                    this.path.pop();
                }
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

    /// Reads the head of a map, or fails naming the `kind` (`""` or `"union "`) and shape it
    /// was to be.
    fn expect_map(&mut self, kind: &str, schema: &Schema) -> Result<Head, DecodeError> {
        let initial = self.peek()?;
        if initial >> 5 != MAP {
            return Err(self.error(&format!(
                "expected a map for {kind}`{}`, found {}",
                schema.name(),
                describe(initial)
            )));
        }
        self.head()
    }

    /// Records the `@length` violation of a list or map `member` of `count` items or entries
    /// that a server read only up to its maximum.
    fn check_length(&mut self, member: &Member, count: u64) {
        if let Some(violation) = super::items_violation(self.side, member, count, || self.path()) {
            crate::validate::push_violation(&mut self.missing, violation);
        }
    }

    /// Reads the dense list `member` into `items`: each item in one of its usual encodings by
    /// `quick` where it lies, any other with `read`; what [`Decoder::list`] does with an item
    /// decoder, in one loop.
    fn read_list<T>(
        &mut self,
        member: &'static Member,
        items: &mut Vec<T>,
        quick: impl Fn(&[u8]) -> Option<(T, usize)>,
        mut read: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<(), DecodeError> {
        let head = self.expect_major(ARRAY, "an array")?;
        let max = super::max_items(self.side, member);
        let count = self.count(head, 1)?;
        if let Some(count) = count {
            let room = usize::try_from(count.min(max)).unwrap_or(usize::MAX);
            self.reserve(room.saturating_mul(std::mem::size_of::<T>()))?;
            items.reserve_exact(room);
        }
        self.enter()?;
        // One path segment for every item, its index moved along.
        self.path.push(PathSegment::Index(0));
        let mut taken = 0u64;
        match count {
            Some(count) => {
                for _ in 0..count {
                    // Within the room made (and charged) for the items, the usual encodings
                    // are read where they lie.
                    if taken < max && items.len() < items.capacity() {
                        let input = self.input.get(self.position..).unwrap_or_default();
                        if let Some((item, length)) = quick(input) {
                            self.position += length;
                            items.push(item);
                            taken += 1;
                            continue;
                        }
                    }
                    self.list_item(items, &mut taken, max, &mut read)?;
                }
            }
            None => loop {
                if self.peek()? == BREAK {
                    self.position += 1;
                    break;
                }
                self.list_item(items, &mut taken, max, &mut read)?;
            },
        }
        self.path.pop();
        self.depth -= 1;
        self.check_length(member, taken);
        Ok(())
    }

    /// One item of a dense list that [`read_list`](Self::read_list) reads: past `max` items
    /// skipped, a null skipped by a client and refused by a server, else read with `read`.
    fn list_item<T>(
        &mut self,
        items: &mut Vec<T>,
        taken: &mut u64,
        max: u64,
        read: &mut impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<(), DecodeError> {
        *taken += 1;
        if *taken > max {
            return self.skip();
        }
        if let Some(last) = self.path.last_mut() {
            *last = PathSegment::Index(items.len());
        }
        if self.null_next()? {
            if self.side != Side::Client {
                return Err(self.error("a null item in a list that does not allow them"));
            }
            return self.skip();
        }
        let capacity = items.capacity();
        items.push(read(self)?);
        if items.capacity() > capacity {
            self.reserve((items.capacity() - capacity).saturating_mul(std::mem::size_of::<T>()))?;
        }
        Ok(())
    }

    /// Skips a byte or text string whose head was read; text must still be UTF-8.
    fn skip_string(&mut self, head: Head) -> Result<(), DecodeError> {
        let start = self.position;
        match self.string_bytes(head)? {
            Cow::Borrowed(text) if head.major == TEXT && std::str::from_utf8(text).is_err() => {
                Err(self.error_at(start, "a text string is not UTF-8"))
            }
            _ => Ok(()),
        }
    }
}

impl Decoder for CborDecoder<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        self.object(schema, builder, |_| true).map(drop)
    }

    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let head = self.expect_map("union ", schema)?;
        let mut found = 0usize;
        self.entries(head, |this, key| {
            if key == "__type" {
                return this.skip();
            }
            let index = schema.members.iter().position(|member| member.name == key);
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

    fn list_len(&mut self, member: &'static Member) -> Option<usize> {
        let initial = *self.input.get(self.position)?;
        if initial >> 5 != ARRAY || initial & 0x1f == INDEFINITE {
            return None;
        }
        let start = self.position;
        let head = self.head();
        let count = head.and_then(|head| self.count(head, 1));
        self.position = start;
        let count = count.ok()??.min(super::max_items(self.side, member));
        usize::try_from(count).ok()
    }

    fn list_of(&mut self, member: &'static Member, items: ListOf<'_>) -> Option<Result<(), DecodeError>> {
        // A sparse list's items are options, which this does not read.
        if member.target.traits.has(Flags::SPARSE) {
            return None;
        }
        let item = member.target.item()?;
        Some(match items {
            ListOf::Doubles(items) => self.read_list(member, items, quick_double, |this| this.float(item)),
            ListOf::Timestamps(items) => self.read_list(member, items, quick_timestamp, |this| this.timestamp(item)),
        })
    }

    fn list(
        &mut self,
        member: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let head = self.expect_major(ARRAY, "an array")?;
        let sparse = member.target.traits.has(Flags::SPARSE);
        let max = super::max_items(self.side, member);
        let mut index = 0usize;
        let mut count = 0u64;
        self.items(head, 1, |this| {
            count += 1;
            if count > max {
                return this.skip();
            }
            // A client takes a null in a dense list for no item; a server refuses it.
            if !sparse && this.null_next()? {
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
        let head = self.expect_major(MAP, "a map")?;
        let sparse = member.target.traits.has(Flags::SPARSE);
        let max = super::max_items(self.side, member);
        let mut count = 0u64;
        self.entries(head, |this, key| {
            count += 1;
            if count > max {
                return this.skip();
            }
            // A client takes a null in a dense map for no entry; a server refuses it.
            if !sparse && this.null_next()? {
                if this.side != Side::Client {
                    return Err(this.error("a null value in a map that does not allow them"));
                }
                return this.skip();
            }
            // A borrowed key is cloned for free; a key in chunks is rare.
            this.path.push(PathSegment::Key(key.clone()));
            entry(&key, this)?;
            this.path.pop();
            Ok(())
        })?;
        self.check_length(member, count);
        Ok(())
    }

    fn null(&mut self) -> Result<bool, DecodeError> {
        if self.null_next()? {
            self.position += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        match self.peek()? {
            TRUE => {
                self.position += 1;
                Ok(true)
            }
            FALSE => {
                self.position += 1;
                Ok(false)
            }
            other => Err(self.error(&format!("expected a boolean, found {}", describe(other)))),
        }
    }

    /// An integer, or a float that is one (`2.0`).
    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        let start = self.position;
        match self.number("an integer")? {
            Number::Unsigned(value) => i64::try_from(value).ok(),
            Number::Negative(value) => i64::try_from(value).ok().map(|value| -1 - value),
            // From -2^63 up to (not including) 2^63: the whole doubles an `i64` holds.
            Number::Float(value) if value.fract() == 0.0 && (-TWO_TO_63..TWO_TO_63).contains(&value) => {
                Some(value as i64)
            }
            Number::Float(value) => {
                return Err(self.error_at(start, &format!("expected an integer, found the float {value}")))
            }
        }
        .ok_or_else(|| self.error_at(start, "an integer is out of range"))
    }

    /// A float, or an integer that the member's type holds exactly.
    fn float(&mut self, member: &'static Member) -> Result<f64, DecodeError> {
        let start = self.position;
        let exact = |value: i128| {
            let float = value as f64;
            let fits = if member.target.shape_type == ShapeType::Float {
                f64::from(float as f32) == float
            } else {
                true
            };
            (fits && float as i128 == value).then_some(float)
        };
        match self.number("a float")? {
            Number::Float(value) => Ok(value),
            Number::Unsigned(value) => exact(i128::from(value))
                .ok_or_else(|| self.error_at(start, &format!("the integer {value} is not exactly a float"))),
            Number::Negative(value) => {
                let value = -1 - i128::from(value);
                exact(value).ok_or_else(|| self.error_at(start, &format!("the integer {value} is not exactly a float")))
            }
        }
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        if let Some((bytes, start)) = self.short_text() {
            return match std::str::from_utf8(bytes) {
                Ok(text) => Ok(text.to_owned()),
                Err(_) => Err(self.error_at(start, "a text string is not UTF-8")),
            };
        }
        self.text().map(Cow::into_owned)
    }

    fn string_with(&mut self, _: &'static Member, read: &mut dyn FnMut(&str)) -> Result<(), DecodeError> {
        self.text().map(|text| read(&text))
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        self.bytes().map(Cow::into_owned)
    }

    /// Tag 1 over an integer or a float of epoch seconds; a client also takes the number alone.
    fn timestamp(&mut self, _: &'static Member) -> Result<DateTime, DecodeError> {
        let start = self.position;
        let initial = self.peek()?;
        if initial >> 5 == TAG {
            let tag = self.head()?.argument;
            if tag != TAG_EPOCH {
                return Err(self.error_at(start, &format!("expected a timestamp (tag 1), found tag {tag}")));
            }
        } else if self.side != Side::Client {
            return Err(self.error(&format!("expected a timestamp (tag 1), found {}", describe(initial))));
        }
        let range = DateTime::MIN.secs()..=DateTime::MAX.secs();
        let time = match self.number("epoch seconds")? {
            Number::Unsigned(value) => i64::try_from(value)
                .ok()
                .filter(|value| range.contains(value))
                .map(DateTime::from_secs),
            Number::Negative(value) => i64::try_from(value)
                .ok()
                .map(|value| -1 - value)
                .filter(|value| range.contains(value))
                .map(DateTime::from_secs),
            Number::Float(value) => DateTime::from_secs_f64(value),
        };
        time.ok_or_else(|| self.error_at(start, "a timestamp is out of range"))
    }

    /// A big integer: an integer or a bignum; a big decimal: those, or a decimal fraction.
    fn big_number(&mut self, _: &'static Member, integer: bool) -> Result<String, DecodeError> {
        if !integer && self.peek()? >> 5 == TAG {
            let start = self.position;
            let head = self.head()?;
            if head.argument == TAG_DECIMAL_FRACTION {
                return self.decimal_fraction();
            }
            self.position = start;
        }
        self.integer_text()
    }

    fn document(&mut self, _: &'static Member) -> Result<Document, DecodeError> {
        Err(self.error("documents are not supported by the rpcv2Cbor protocol"))
    }

    fn skip(&mut self) -> Result<(), DecodeError> {
        if self.peek()? == BREAK {
            return Err(self.error("a break where an item is expected"));
        }
        let head = self.head()?;
        match head.major {
            BYTES | TEXT => self.skip_string(head),
            ARRAY => self.items(head, 1, Self::skip),
            MAP => self.items(head, 2, |this| {
                this.skip()?;
                this.skip()
            }),
            TAG => {
                self.enter()?;
                self.skip()?;
                self.depth -= 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn reserve(&mut self, bytes: usize) -> Result<(), DecodeError> {
        match self.memory {
            Some(memory) if !memory.charge(bytes) => Err(DecodeError::over_budget(bytes)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::codec::Codec;
    use crate::primitives::{BigDecimal, BigInteger, Blob};
    use crate::schema::prelude;
    use crate::shape::{decode_structure, decode_union, optional, Decode, Slot, Structure, Union};

    static ALL: Schema = Schema::new("test#All", ShapeType::Structure).members(&[
        Member::new("trueBooleanValue", &prelude::BOOLEAN),
        Member::new("falseBooleanValue", &prelude::BOOLEAN),
        Member::new("byteValue", &prelude::BYTE),
        Member::new("doubleValue", &prelude::DOUBLE),
        Member::new("floatValue", &prelude::FLOAT),
        Member::new("integerValue", &prelude::INTEGER),
        Member::new("longValue", &prelude::LONG),
        Member::new("shortValue", &prelude::SHORT),
        Member::new("stringValue", &prelude::STRING),
        Member::new("blobValue", &prelude::BLOB),
        Member::new("datetime", &prelude::TIMESTAMP),
        Member::new("bigInteger", &prelude::BIG_INTEGER),
        Member::new("bigDecimal", &prelude::BIG_DECIMAL),
        Member::new("stringList", &STRINGS).length(None, Some(4)),
        Member::new("sparseStringList", &SPARSE_STRINGS),
        Member::new("integerMap", &INTEGER_MAP),
        Member::new("sparseStringMap", &SPARSE_STRING_MAP),
        Member::new("structureList", &ALL_LIST),
        Member::new("contents", &CHOICE),
        Member::new("value", &prelude::DOUBLE),
        Member::new("id", &prelude::STRING).flags(Flags::REQUIRED),
    ]);
    static STRINGS: Schema =
        Schema::new("test#Strings", ShapeType::List).members(&[Member::new("member", &prelude::STRING)]);
    static SPARSE_STRINGS: Schema = Schema::new("test#SparseStrings", ShapeType::List)
        .members(&[Member::new("member", &prelude::STRING)])
        .flags(Flags::SPARSE);
    static INTEGER_MAP: Schema = Schema::new("test#IntegerMap", ShapeType::Map).members(&[
        Member::new("key", &prelude::STRING),
        Member::new("value", &prelude::INTEGER),
    ]);
    static SPARSE_STRING_MAP: Schema = Schema::new("test#SparseStringMap", ShapeType::Map)
        .members(&[
            Member::new("key", &prelude::STRING),
            Member::new("value", &prelude::STRING),
        ])
        .flags(Flags::SPARSE);
    static ALL_LIST: Schema = Schema::new("test#AllList", ShapeType::List).members(&[Member::new("member", &ALL)]);
    static CHOICE: Schema = Schema::new("test#Choice", ShapeType::Union).members(&[
        Member::new("stringValue", &prelude::STRING),
        Member::new("integerValue", &prelude::INTEGER),
        Member::new("unit", &prelude::UNIT),
    ]);
    static DOCUMENT_MEMBER: Member = Member::new("doc", &prelude::DOCUMENT);

    /// A structure with a member of every type; every member is optional in the type (the
    /// schema requires `id`), so that it is its own builder.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct All {
        true_boolean: Option<bool>,
        false_boolean: Option<bool>,
        byte: Option<i8>,
        double: Option<f64>,
        float: Option<f32>,
        integer: Option<i32>,
        long: Option<i64>,
        short: Option<i16>,
        string: Option<String>,
        blob: Option<Blob>,
        datetime: Option<DateTime>,
        big_integer: Option<BigInteger>,
        big_decimal: Option<BigDecimal>,
        string_list: Option<Vec<String>>,
        sparse_string_list: Option<Vec<Option<String>>>,
        integer_map: Option<HashMap<String, i32>>,
        sparse_string_map: Option<HashMap<String, Option<String>>>,
        structure_list: Option<Vec<All>>,
        contents: Option<Choice>,
        value: Option<f64>,
        id: Option<String>,
    }

    impl Value for All {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }

        fn member(&self, index: usize) -> Option<&dyn Value> {
            match index {
                0 => optional(&self.true_boolean),
                1 => optional(&self.false_boolean),
                2 => optional(&self.byte),
                3 => optional(&self.double),
                4 => optional(&self.float),
                5 => optional(&self.integer),
                6 => optional(&self.long),
                7 => optional(&self.short),
                8 => optional(&self.string),
                9 => optional(&self.blob),
                10 => optional(&self.datetime),
                11 => optional(&self.big_integer),
                12 => optional(&self.big_decimal),
                13 => optional(&self.string_list),
                14 => optional(&self.sparse_string_list),
                15 => optional(&self.integer_map),
                16 => optional(&self.sparse_string_map),
                17 => optional(&self.structure_list),
                18 => optional(&self.contents),
                19 => optional(&self.value),
                20 => optional(&self.id),
                _ => None,
            }
        }
    }

    impl StructBuilder for All {
        fn slot(&mut self, index: usize) -> Option<&mut dyn Slot> {
            Some(match index {
                0 => &mut self.true_boolean,
                1 => &mut self.false_boolean,
                2 => &mut self.byte,
                3 => &mut self.double,
                4 => &mut self.float,
                5 => &mut self.integer,
                6 => &mut self.long,
                7 => &mut self.short,
                8 => &mut self.string,
                9 => &mut self.blob,
                10 => &mut self.datetime,
                11 => &mut self.big_integer,
                12 => &mut self.big_decimal,
                13 => &mut self.string_list,
                14 => &mut self.sparse_string_list,
                15 => &mut self.integer_map,
                16 => &mut self.sparse_string_map,
                17 => &mut self.structure_list,
                18 => &mut self.contents,
                19 => &mut self.value,
                20 => &mut self.id,
                _ => return None,
            })
        }
    }

    impl Structure for All {
        const SCHEMA: &'static Schema = &ALL;
        type Builder = All;
        fn finish(builder: All) -> Self {
            builder
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Choice {
        StringValue(String),
        IntegerValue(i32),
        Unit,
        Unknown(String),
    }

    impl Value for Choice {
        fn view(&self) -> View<'_> {
            View::Union(self)
        }

        fn variant(&self) -> Variant<'_> {
            match self {
                Choice::StringValue(value) => Variant::Member(0, Some(value)),
                Choice::IntegerValue(value) => Variant::Member(1, Some(value)),
                Choice::Unit => Variant::Member(2, None),
                Choice::Unknown(name) => Variant::Unknown(name),
            }
        }
    }

    impl Union for Choice {
        const SCHEMA: &'static Schema = &CHOICE;
        fn decode_member(
            index: usize,
            member: &'static Member,
            decoder: &mut dyn Decoder,
        ) -> Result<Self, DecodeError> {
            Ok(match index {
                0 => Choice::StringValue(String::decode(member, decoder)?),
                1 => Choice::IntegerValue(i32::decode(member, decoder)?),
                2 => {
                    decoder.skip()?;
                    Choice::Unit
                }
                _ => {
                    decoder.skip()?;
                    Choice::Unknown(String::new())
                }
            })
        }
        fn unknown(name: &str) -> Self {
            Choice::Unknown(name.to_owned())
        }
    }

    impl Decode for Choice {
        fn decode(_: &'static Member, decoder: &mut dyn Decoder) -> Result<Self, DecodeError> {
            decode_union(decoder)
        }
    }

    fn read(bytes: &[u8], side: Side) -> Result<All, DecodeError> {
        let mut decoder = CborDecoder::new(bytes, side);
        let value = decode_structure(&mut decoder)?;
        decoder.finish()?;
        Ok(value)
    }

    fn write(value: &All) -> Vec<u8> {
        let mut out = Vec::new();
        write_value(&mut out, value, None, &ALL).unwrap();
        out
    }

    /// The bytes of hex digits, spaces ignored.
    fn hex(digits: &str) -> Vec<u8> {
        let digits: Vec<u8> = digits.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    fn base64(text: &str) -> Vec<u8> {
        Blob::from_base64(text).unwrap().into_inner()
    }

    /// A map of one entry: `name`, then the item `item`.
    fn with_member(name: &str, item: &[u8]) -> Vec<u8> {
        let mut body = vec![0xa1];
        write_text(&mut body, name);
        body.extend_from_slice(item);
        body
    }

    /// The bytes the writer gives for one value.
    fn item(view: View<'_>, schema: &'static Schema) -> Vec<u8> {
        let mut out = Vec::new();
        Writer { out: &mut out }.value(view, None, schema).unwrap();
        out
    }

    fn every_member() -> All {
        All {
            true_boolean: Some(true),
            false_boolean: Some(false),
            byte: Some(-128),
            double: Some(-1.0e300),
            float: Some(3.5),
            integer: Some(i32::MIN),
            long: Some(i64::MAX),
            short: Some(-300),
            string: Some("é😀\0".to_owned()),
            blob: Some(Blob::new(vec![0, 255, 1])),
            datetime: Some(DateTime::from_secs_and_nanos(-1, 250_000_000)),
            big_integer: BigInteger::new("-123456789012345678901234567890"),
            big_decimal: BigDecimal::new("-0.00150"),
            string_list: Some(vec!["a".to_owned(), String::new()]),
            sparse_string_list: Some(vec![Some("x".to_owned()), None]),
            integer_map: Some(HashMap::from([("k".to_owned(), -1), ("z".to_owned(), 70_000)])),
            sparse_string_map: Some(HashMap::from([
                ("a".to_owned(), None),
                ("b".to_owned(), Some("c".to_owned())),
            ])),
            structure_list: Some(vec![All {
                integer: Some(1),
                contents: Some(Choice::Unit),
                id: Some("inner".to_owned()),
                ..All::default()
            }]),
            contents: Some(Choice::IntegerValue(-5)),
            value: Some(f64::MAX),
            id: Some("outer".to_owned()),
        }
    }

    /// The upstream `SimpleScalarProperties` values.
    fn simple_scalars() -> All {
        All {
            true_boolean: Some(true),
            false_boolean: Some(false),
            byte: Some(5),
            double: Some(1.889),
            float: Some(7.625),
            integer: Some(256),
            long: Some(9873),
            short: Some(9898),
            string: Some("simple".to_owned()),
            blob: Some(Blob::from("foo")),
            ..All::default()
        }
    }

    #[test]
    fn every_member_type_reads_back_as_written() {
        let value = every_member();
        let bytes = write(&value);
        for side in [Side::Client, Side::Server] {
            let mut decoder = CborDecoder::new(&bytes, side);
            let read: All = decode_structure(&mut decoder).unwrap();
            decoder.finish().unwrap();
            assert_eq!(read, value);
            assert!(decoder.take_missing().is_empty());
        }
    }

    #[test]
    fn the_writer_gives_the_upstream_definite_length_body() {
        // RpcV2CborSimpleScalarPropertiesUsingDefiniteLength: minimal integers, a single float
        // for a float, a double for a double, members in the schema's order.
        let expected = base64(
            "qXB0cnVlQm9vbGVhblZhbHVl9XFmYWxzZUJvb2xlYW5WYWx1ZfRpYnl0ZVZhbHVlBWtkb3VibGVWYWx1Zfs//jlYEGJN02pmbG9hdFZhbHVl+kD0AABsaW50ZWdlclZhbHVlGQEAanNob3J0VmFsdWUZJqprc3RyaW5nVmFsdWVmc2ltcGxlaWJsb2JWYWx1ZUNmb28=",
        );
        let value = All {
            long: None,
            ..simple_scalars()
        };
        assert_eq!(write(&value), expected);
        assert_eq!(write(&All::default()), [0xa0]);
        let union = All {
            contents: Some(Choice::StringValue("foo".to_owned())),
            ..All::default()
        };
        assert_eq!(
            write(&union),
            [
                &[0xa1, 0x68][..],
                b"contents",
                &[0xa1, 0x6b],
                b"stringValue",
                &[0x63],
                b"foo"
            ]
            .concat()
        );
    }

    #[test]
    fn integers_take_the_fewest_bytes() {
        for (value, expected) in [
            (0, "00"),
            (23, "17"),
            (24, "1818"),
            (255, "18ff"),
            (256, "190100"),
            (65_535, "19ffff"),
            (65_536, "1a00010000"),
            (4_294_967_296, "1b0000000100000000"),
            (-1, "20"),
            (-24, "37"),
            (-25, "3818"),
            (-257, "390100"),
            (i64::MIN, "3b7fffffffffffffff"),
            (i64::MAX, "1b7fffffffffffffff"),
        ] {
            assert_eq!(item(View::Long(value), &prelude::LONG), hex(expected), "{value}");
        }
        assert_eq!(item(View::Byte(5), &prelude::BYTE), [5]);
        assert_eq!(item(View::Short(-1), &prelude::SHORT), [0x20]);
    }

    #[test]
    fn floats_are_single_for_float_and_double_for_double() {
        assert_eq!(item(View::Float(7.625), &prelude::FLOAT), hex("fa40f40000"));
        assert_eq!(item(View::Double(1.889), &prelude::DOUBLE), hex("fb3ffe395810624dd3"));
        assert_eq!(item(View::Float(f32::NAN), &prelude::FLOAT), hex("fa7fc00000"));
        assert_eq!(item(View::Float(f32::NEG_INFINITY), &prelude::FLOAT), hex("faff800000"));
        assert_eq!(
            item(View::Double(f64::INFINITY), &prelude::DOUBLE),
            hex("fb7ff0000000000000")
        );
        assert_eq!(item(View::Double(1.0), &prelude::DOUBLE), hex("fb3ff0000000000000"));
    }

    #[test]
    fn timestamps_are_tag_1_over_whole_seconds_or_a_double() {
        let bytes = |time| item(View::Timestamp(time), &prelude::TIMESTAMP);
        assert_eq!(bytes(DateTime::from_secs(1_398_796_238)), hex("c11a535fefce"));
        assert_eq!(bytes(DateTime::from_secs(0)), hex("c100"));
        assert_eq!(bytes(DateTime::from_secs(-1)), hex("c120"));
        // The upstream fractional-seconds body.
        assert_eq!(
            bytes(DateTime::from_secs_and_nanos(946_845_296, 123_000_000)),
            hex("c1fb41cc37db380fbe77")
        );
        assert_eq!(
            bytes(DateTime::from_secs_and_nanos(-2, 500_000_000)),
            hex("c1fbbff8000000000000")
        );
        // Milliseconds are the resolution: less is whole seconds.
        assert_eq!(bytes(DateTime::from_secs_and_nanos(7, 999_999)), hex("c107"));
        let read = |item: &str| read(&with_member("datetime", &hex(item)), Side::Server).map(|all| all.datetime);
        assert_eq!(read("c11a535fefce").unwrap(), Some(DateTime::from_secs(1_398_796_238)));
        assert_eq!(
            read("c1fb41d4d7fbf3800000").unwrap(),
            Some(DateTime::from_secs(1_398_796_238))
        );
        assert_eq!(
            read("c1f93e00").unwrap(),
            Some(DateTime::from_secs_and_nanos(1, 500_000_000))
        );
        assert!(read("c13b7fffffffffffffff")
            .unwrap_err()
            .message()
            .contains("out of range"));
        assert!(read("c1fb7ff0000000000000").is_err());
        // A number alone: a client takes it, a server wants the tag.
        assert!(read("1a535fefce").is_err());
        let body = with_member("datetime", &hex("1a535fefce"));
        assert_eq!(read_client(&body).datetime, Some(DateTime::from_secs(1_398_796_238)));
        assert!(read("c21a535fefce").is_err());
    }

    fn read_client(bytes: &[u8]) -> All {
        read(bytes, Side::Client).unwrap()
    }

    #[test]
    fn big_numbers_are_bignums_and_decimal_fractions() {
        let integer = |text: &str| item(View::BigNumber(text), &prelude::BIG_INTEGER);
        let decimal = |text: &str| item(View::BigNumber(text), &prelude::BIG_DECIMAL);
        // RFC 8949's examples.
        assert_eq!(integer("18446744073709551616"), hex("c249010000000000000000"));
        assert_eq!(integer("-18446744073709551617"), hex("c349010000000000000000"));
        assert_eq!(decimal("273.15"), hex("c48221196ab3"));
        assert_eq!(integer("0"), hex("c240"));
        assert_eq!(integer("-1"), hex("c340"));
        assert_eq!(integer("256"), hex("c2420100"));
        assert_eq!(decimal("12e3"), hex("c482030c"));
        assert_eq!(decimal("1.5E-3"), hex("c482230f"));
        assert_eq!(decimal("-18446744073709551616"), hex("c482003bffffffffffffffff"));
        assert_eq!(decimal("18446744073709551616"), hex("c48200c249010000000000000000"));
        let mut out = Vec::new();
        let long = format!("1{}", "0".repeat(MAX_BIG_DIGITS));
        assert!(Writer { out: &mut out }
            .value(View::BigNumber(&long), None, &prelude::BIG_INTEGER)
            .is_err());

        let read_integer = |item: &str| {
            read(&with_member("bigInteger", &hex(item)), Side::Server).map(|all| all.big_integer.unwrap().to_string())
        };
        let read_decimal = |item: &str| {
            read(&with_member("bigDecimal", &hex(item)), Side::Server).map(|all| all.big_decimal.unwrap().to_string())
        };
        assert_eq!(read_integer("c249010000000000000000").unwrap(), "18446744073709551616");
        assert_eq!(read_integer("c349010000000000000000").unwrap(), "-18446744073709551617");
        assert_eq!(read_integer("c340").unwrap(), "-1");
        assert_eq!(read_integer("c243000005").unwrap(), "5");
        assert_eq!(read_integer("c25f4101420000ff").unwrap(), "65536");
        assert_eq!(read_integer("1bffffffffffffffff").unwrap(), "18446744073709551615");
        assert_eq!(read_integer("3bffffffffffffffff").unwrap(), "-18446744073709551616");
        assert!(read_integer("c48221196ab3").is_err());
        assert!(read_integer("f93c00").is_err());
        let huge = format!("c2591001{}", "01".repeat(MAX_BIGNUM_BYTES + 1));
        assert!(read_integer(&huge).unwrap_err().message().contains("longer than"));
        assert_eq!(read_decimal("c48221196ab3").unwrap(), "273.15");
        assert_eq!(read_decimal("c48224390095").unwrap(), "-0.00150");
        assert_eq!(read_decimal("c4820305").unwrap(), "5e3");
        assert_eq!(read_decimal("c49f2005ff").unwrap(), "0.5");
        assert_eq!(read_decimal("d8048221196ab3").unwrap(), "273.15");
        assert_eq!(read_decimal("05").unwrap(), "5");
        assert_eq!(read_decimal("c2420100").unwrap(), "256");
        assert_eq!(read_decimal("c4823a7fffffff01").unwrap(), "1e-2147483648");
        assert!(read_decimal("c4830102").is_err());
        assert!(read_decimal("c482f93c0001").is_err());
        assert!(read_decimal("c49f2005").is_err());
        assert!(read_decimal("fb3ff0000000000000").is_err());
        for text in [
            "123456789012345678901234567890.5",
            "-1e-40",
            "0.00",
            "7",
            "-98765432109876543210e7",
        ] {
            let bytes = decimal(text);
            assert!(BigDecimal::new(text).is_some(), "{text}");
            let all = read(&with_member("bigDecimal", &bytes), Side::Server).unwrap();
            let back = all.big_decimal.unwrap();
            // The same number: the same digits and exponent once written again.
            assert_eq!(decimal(back.as_str()), bytes, "{text} read back as {back}");
        }
    }

    #[test]
    fn upstream_request_and_response_bodies_are_read() {
        for body in [
            // RpcV2CborSimpleScalarProperties (an indefinite-length map).
            "v2lieXRlVmFsdWUFa2RvdWJsZVZhbHVl+z/+OVgQYk3TcWZhbHNlQm9vbGVhblZhbHVl9GpmbG9hdFZhbHVl+kD0AABsaW50ZWdlclZhbHVlGQEAaWxvbmdWYWx1ZRkmkWpzaG9ydFZhbHVlGSaqa3N0cmluZ1ZhbHVlZnNpbXBsZXB0cnVlQm9vbGVhblZhbHVl9WlibG9iVmFsdWVDZm9v/w==",
            // ...UsingIndefiniteLength: indefinite-length keys in a definite-length map.
            "qmlieXRlVmFsdWUFf2Zkb3VibGVlVmFsdWX/+z/+OVgQYk3Tf2VmYWxzZWdCb29sZWFuZVZhbHVl//RqZmxvYXRWYWx1ZfpA9AAAbGludGVnZXJWYWx1ZRkBAGlsb25nVmFsdWUZJpFqc2hvcnRWYWx1ZRkmqn9mc3RyaW5nZVZhbHVl/2ZzaW1wbGVwdHJ1ZUJvb2xlYW5WYWx1ZfVpYmxvYlZhbHVlQ2Zvbw==",
            // ...ExtraFieldsInTheBodyShouldBeSkippedByServers.
            "v2lieXRlVmFsdWUFa2RvdWJsZVZhbHVl+z/+OVgQYk3TcWZhbHNlQm9vbGVhblZhbHVl9GpmbG9hdFZhbHVl+kD0AABrZXh0cmFPYmplY3S/c2luZGVmaW5pdGVMZW5ndGhNYXC/a3dpdGhBbkFycmF5nwECA///cWRlZmluaXRlTGVuZ3RoTWFwo3J3aXRoQURlZmluaXRlQXJyYXmDAQIDeB1hbmRTb21lSW5kZWZpbml0ZUxlbmd0aFN0cmluZ3gfdGhhdCBoYXMsIGJlZW4gY2h1bmtlZCBvbiBjb21tYWxub3JtYWxTdHJpbmdjZm9vanNob3J0VmFsdWUZJw9uc29tZU90aGVyRmllbGR2dGhpcyBzaG91bGQgYmUgc2tpcHBlZP9saW50ZWdlclZhbHVlGQEAaWxvbmdWYWx1ZRkmkWpzaG9ydFZhbHVlGSaqa3N0cmluZ1ZhbHVlZnNpbXBsZXB0cnVlQm9vbGVhblZhbHVl9WlibG9iVmFsdWVDZm9v/w==",
        ] {
            assert_eq!(read(&base64(body), Side::Server).unwrap(), simple_scalars(), "{body}");
        }
        // RpcV2CborSupportsUpcastingData: half floats, integers in fewer bytes.
        let upcast = read_client(&base64(
            "v2tkb3VibGVWYWx1Zfk+AGpmbG9hdFZhbHVl+UegbGludGVnZXJWYWx1ZRg4aWxvbmdWYWx1ZRkBAGpzaG9ydFZhbHVlCv8=",
        ));
        assert_eq!(
            (upcast.double, upcast.float, upcast.integer, upcast.long, upcast.short),
            (Some(1.5), Some(7.625), Some(56), Some(256), Some(10))
        );
        let nan = read_client(&base64("v2tkb3VibGVWYWx1Zft/+AAAAAAAAGpmbG9hdFZhbHVl+n/AAAD/"));
        assert!(nan.double.unwrap().is_nan() && nan.float.unwrap().is_nan());
        let infinity = read_client(&base64("v2tkb3VibGVWYWx1Zft/8AAAAAAAAGpmbG9hdFZhbHVl+n+AAAD/"));
        assert_eq!(
            (infinity.double, infinity.float),
            (Some(f64::INFINITY), Some(f32::INFINITY))
        );
        let negative = read_client(&base64("v2tkb3VibGVWYWx1Zfv/8AAAAAAAAGpmbG9hdFZhbHVl+v+AAAD/"));
        assert_eq!(
            (negative.double, negative.float),
            (Some(f64::NEG_INFINITY), Some(f32::NEG_INFINITY))
        );
        let text = read_client(&base64(
            "oWtzdHJpbmdWYWx1ZX94HUFuIGV4YW1wbGUgaW5kZWZpbml0ZSBzdHJpbmcscSBjaHVua2VkIG9uIGNvbW1h/w==",
        ));
        assert_eq!(
            text.string.as_deref(),
            Some("An example indefinite string, chunked on comma")
        );
        let blob = read_client(&base64(
            "oWlibG9iVmFsdWVfWCJBbiBleGFtcGxlIGluZGVmaW5pdGUtYnl0ZSBzdHJpbmcsUSBjaHVua2VkIG9uIGNvbW1h/w==",
        ));
        assert_eq!(
            blob.blob,
            Some(Blob::from("An example indefinite-byte string, chunked on comma"))
        );
        assert_eq!(read_client(&base64("v2tzdHJpbmdWYWx1Zfb/")), All::default());
        assert_eq!(read_client(&base64("v/8=")), All::default());
        let strings = Some(vec![
            "An example indefinite string, which will be chunked, on each comma".to_owned(),
            "Another example indefinite string with only one chunk".to_owned(),
            "This is a plain string".to_owned(),
        ]);
        for body in [
            "v2pzdHJpbmdMaXN0n394HUFuIGV4YW1wbGUgaW5kZWZpbml0ZSBzdHJpbmcsdyB3aGljaCB3aWxsIGJlIGNodW5rZWQsbiBvbiBlYWNoIGNvbW1h/394NUFub3RoZXIgZXhhbXBsZSBpbmRlZmluaXRlIHN0cmluZyB3aXRoIG9ubHkgb25lIGNodW5r/3ZUaGlzIGlzIGEgcGxhaW4gc3RyaW5n//8=",
            "oWpzdHJpbmdMaXN0g394HUFuIGV4YW1wbGUgaW5kZWZpbml0ZSBzdHJpbmcsdyB3aGljaCB3aWxsIGJlIGNodW5rZWQsbiBvbiBlYWNoIGNvbW1h/394NUFub3RoZXIgZXhhbXBsZSBpbmRlZmluaXRlIHN0cmluZyB3aXRoIG9ubHkgb25lIGNodW5r/3ZUaGlzIGlzIGEgcGxhaW4gc3RyaW5n",
        ] {
            assert_eq!(read(&base64(body), Side::Server).unwrap().string_list, strings);
        }
        // RpcV2CborLists: the members this schema does not have are skipped.
        let lists = read_client(&base64("v2pzdHJpbmdMaXN0n2Nmb29jYmFy/2lzdHJpbmdTZXSfY2Zvb2NiYXL/a2ludGVnZXJMaXN0nwEC/2tib29sZWFuTGlzdJ/19P9tdGltZXN0YW1wTGlzdJ/B+0HU1/vzgAAAwftB1Nf784AAAP9oZW51bUxpc3SfY0Zvb2Ew/2tpbnRFbnVtTGlzdJ8BAv9wbmVzdGVkU3RyaW5nTGlzdJ+fY2Zvb2NiYXL/n2NiYXpjcXV4//9tc3RydWN0dXJlTGlzdJ+/YWFhMWFiYTL/v2FhYTNhYmE0//9oYmxvYkxpc3SfQ2Zvb0NiYXL//w=="));
        assert_eq!(lists.string_list, Some(vec!["foo".to_owned(), "bar".to_owned()]));
        assert_eq!(lists.structure_list, Some(vec![All::default(), All::default()]));
        let sparse_map = read(&base64("v29zcGFyc2VTdHJpbmdNYXC/Y2Zvb/b//w=="), Side::Server).unwrap();
        assert_eq!(
            sparse_map.sparse_string_map,
            Some(HashMap::from([("foo".to_owned(), None)]))
        );
        let sparse_list = read(&base64("v3BzcGFyc2VTdHJpbmdMaXN0n/b//w=="), Side::Server).unwrap();
        assert_eq!(sparse_list.sparse_string_list, Some(vec![None]));
        let union = read_client(&base64("omhjb250ZW50c6Frc3RyaW5nVmFsdWVjZm9vam90aGVyVmFsdWVjYmFy"));
        assert_eq!(union.contents, Some(Choice::StringValue("foo".to_owned())));
        let seconds = read_client(&base64("v2hkYXRldGltZcH7Qcw32zgPvnf/"));
        assert_eq!(
            seconds.datetime,
            Some(DateTime::from_secs_and_nanos(946_845_296, 123_000_000))
        );
    }

    #[test]
    fn half_floats_are_read_with_their_infinities_nans_and_subnormals() {
        let value = |bits: &str| read_client(&with_member("value", &hex(bits))).value.unwrap();
        assert_eq!(value("f97c00"), f64::INFINITY);
        assert_eq!(value("f9fc00"), f64::NEG_INFINITY);
        assert!(value("f97e00").is_nan());
        assert!(value("f97c01").is_nan());
        assert_eq!(value("f93c00"), 1.0);
        assert_eq!(value("f9c000"), -2.0);
        assert_eq!(value("f97bff"), 65504.0);
        assert_eq!(value("f90050"), 0.000_004_768_371_582_031_25);
        assert_eq!(value("f90001"), 2f64.powi(-24));
        assert_eq!(value("f90400"), 2f64.powi(-14));
        let zero = value("f98000");
        assert!(zero == 0.0 && zero.is_sign_negative());
        // The upstream float16 bodies.
        assert_eq!(read_client(&base64("oWV2YWx1Zfl8AA==")).value, Some(f64::INFINITY));
        assert_eq!(read_client(&base64("oWV2YWx1Zfn8AA==")).value, Some(f64::NEG_INFINITY));
        assert!(read_client(&base64("oWV2YWx1Zfl8AQ==")).value.unwrap().is_nan());
        assert!(read_client(&base64("oWV2YWx1Zfl+AA==")).value.unwrap().is_nan());
        assert_eq!(
            read_client(&base64("oWV2YWx1ZfkAUA==")).value,
            Some(0.000_004_768_371_582_031_25)
        );
    }

    #[test]
    fn integers_and_floats_stand_for_each_other_only_when_exact() {
        let member = |name: &str, item: &str| read(&with_member(name, &hex(item)), Side::Server);
        assert_eq!(member("integerValue", "f94000").unwrap().integer, Some(2));
        assert_eq!(member("longValue", "fbc3e0000000000000").unwrap().long, Some(i64::MIN));
        assert!(member("longValue", "fb43e0000000000000").is_err());
        let error = member("integerValue", "fa3fc00000").unwrap_err();
        assert!(error.message().contains("found the float 1.5"), "{error}");
        assert!(member("integerValue", "f97e00").is_err());
        assert!(member("integerValue", "1a80000000")
            .unwrap_err()
            .message()
            .contains("out of range"));
        assert!(member("longValue", "1b8000000000000000").is_err());
        assert_eq!(member("longValue", "3b7fffffffffffffff").unwrap().long, Some(i64::MIN));
        assert!(member("longValue", "3b8000000000000000").is_err());
        assert_eq!(member("doubleValue", "190100").unwrap().double, Some(256.0));
        assert_eq!(
            member("doubleValue", "3b001fffffffffffff").unwrap().double,
            Some(-(2f64.powi(53)))
        );
        assert!(member("doubleValue", "1b0020000000000001").is_err());
        assert!(member("doubleValue", "1bffffffffffffffff").is_err());
        assert_eq!(member("floatValue", "1a01000000").unwrap().float, Some(16_777_216.0));
        assert!(member("floatValue", "1a01000001").is_err());
        assert_eq!(member("doubleValue", "1a01000001").unwrap().double, Some(16_777_217.0));
        assert!(member("doubleValue", "6131").is_err());
        assert!(member("trueBooleanValue", "01").is_err());
    }

    #[test]
    fn undefined_is_null_and_a_null_member_is_absent() {
        assert_eq!(read_client(&with_member("stringValue", &[UNDEFINED])), All::default());
        assert_eq!(read_client(&with_member("stringValue", &[NULL])), All::default());
        let sparse = read_client(&with_member("sparseStringList", &[0x82, UNDEFINED, 0x60]));
        assert_eq!(sparse.sparse_string_list, Some(vec![None, Some(String::new())]));
    }

    #[test]
    fn unknown_members_of_every_kind_are_skipped() {
        let unknown = hex("9f 00 38ff 1bffffffffffffffff 5f4100420102ff 7f6161ff 40 60
             c1fb41d4d7fbf3800000 c24101 d82063616263 f4 f5 f6 f7 f0 f820 f97c00 fa00000000
             fb0000000000000000 a2010282030480 bf ff bf6161 80 ff c0c1c2c3c4c5c6c7d8ff00 ff");
        let mut body = vec![0xa3];
        write_text(&mut body, "unknown");
        body.extend_from_slice(&unknown);
        write_text(&mut body, "integerValue");
        body.push(7);
        // Not a member of a map of one entry: another map's key.
        write_text(&mut body, "contents");
        body.extend_from_slice(&hex("a2 665f5f74797065 6178 6b737472696e6756616c7565 6161"));
        for side in [Side::Client, Side::Server] {
            let all = read(&body, side).unwrap();
            assert_eq!(all.integer, Some(7));
            assert_eq!(all.contents, Some(Choice::StringValue("a".to_owned())));
        }
    }

    #[test]
    fn text_of_every_head_form_is_read_whole_or_refused() {
        // Lengths on each side of the one-byte and two-byte length forms, the short ones read
        // where they lie and the rest by the full reader.
        for len in [0, 1, 23, 24, 25, 255, 256, 257, 70_000] {
            let text = format!("{}{}", "é".repeat(len / 2), "a".repeat(len % 2));
            let text = text.as_str();
            let mut item = Vec::new();
            write_text(&mut item, text);
            let value = read_client(&with_member("stringValue", &item));
            assert_eq!(value.string.as_deref(), Some(text), "{len} bytes");
            // The same text as a key that names no member is skipped whole.
            let mut body = vec![0xa2];
            write_text(&mut body, text);
            body.push(0x01);
            write_text(&mut body, "stringValue");
            write_text(&mut body, "after");
            assert_eq!(
                read_client(&body).string.as_deref(),
                Some("after"),
                "key of {len} bytes"
            );
        }
        // Each as a member's value, then as the first key of a map of indefinite length.
        for (item, message) in [
            // A short text that the input cannot hold, with each length form.
            ("65 6162", "declares 5 bytes where"),
            ("78 05 6162", "declares 5 bytes where"),
            ("78", "ends inside"),
            // Not UTF-8.
            ("62 c328", "not UTF-8"),
            ("78 02 c328", "not UTF-8"),
        ] {
            let error = read(&with_member("stringValue", &hex(item)), Side::Client).unwrap_err();
            assert!(error.message().contains(message), "{item}: {error}");
            let error = read(&[&[0xbf][..], &hex(item)].concat(), Side::Client).unwrap_err();
            assert!(error.message().contains(message), "key {item}: {error}");
        }
        // The error names where the text starts: the byte after its head.
        let error = read(&with_member("stringValue", &hex("62 c328")), Side::Client).unwrap_err();
        assert!(error.message().contains("(byte 14)"), "{error}");
    }

    #[test]
    fn malformed_items_are_refused() {
        for (item, message) in [
            ("1c", "reserved"),
            ("1f", "indefinite length"),
            ("df00", "indefinite length"),
            ("f810", "below 32"),
            ("ff", "a break where"),
            ("5f6161ff", "not a definite-length string"),
            ("5f5f4100ffff", "not a definite-length string"),
            ("7f4161ff", "not a definite-length string"),
            ("9f 01", "ends where"),
            ("19 01", "ends inside"),
        ] {
            let error = read(&with_member("unknown", &hex(item)), Side::Client).unwrap_err();
            assert!(error.message().contains(message), "{item}: {error}");
        }
        assert!(read(&hex("a1"), Side::Client).is_err());
        assert!(read(&hex("80"), Side::Client)
            .unwrap_err()
            .message()
            .contains("expected a map for `All`"));
        assert!(read(&hex(""), Side::Client).is_err());
        let error = read(&hex("a0 00"), Side::Client).unwrap_err();
        assert!(error.message().contains("bytes after the CBOR item"), "{error}");
        assert!(read(&hex("bf"), Side::Client).is_err());
        assert!(read(&hex("a1 01 02"), Side::Client)
            .unwrap_err()
            .message()
            .contains("expected a text string"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        for (open, close) in [
            (&[0x81][..], &[0x00][..]),
            (&[0x9f], &[]),
            (&[0xa1, 0x00], &[0x00]),
            (&[0xc1], &[0x00]),
        ] {
            let mut item = open.repeat(10_000);
            item.extend_from_slice(close);
            let error = read(&with_member("unknown", &item), Side::Client).unwrap_err();
            assert!(error.message().contains("deeper than"), "{error}");
        }
        let mut body = Vec::new();
        for _ in 0..MAX_DEPTH {
            body.push(0xa1);
            write_text(&mut body, "structureList");
            body.push(0x81);
        }
        body.push(0xa0);
        let error = read(&body, Side::Client).unwrap_err();
        assert!(error.message().contains("deeper than"), "{error}");
        assert!(error.message().contains("/structureList/0/structureList/0"), "{error}");
        // Within the limit.
        let mut item = [0x81].repeat(MAX_DEPTH - 1);
        item.push(0x00);
        assert!(read(&with_member("unknown", &item), Side::Client).is_ok());
    }

    #[test]
    fn declared_lengths_past_the_input_are_refused_before_anything_is_taken() {
        let memory = crate::memory::tests::share_of(1 << 16);
        for (name, item) in [
            ("stringValue", "7bffffffffffffffff"),
            ("stringValue", "7b7fffffffffffffff"),
            ("stringValue", "7f7b7fffffffffffffffff"),
            ("blobValue", "5b0000000100000000"),
            ("stringList", "9b0000000100000000"),
            ("stringList", "9a7fffffff"),
            ("integerMap", "bb0000000100000000"),
            ("integerMap", "a2616101"),
            ("unknown", "9bffffffffffffffff"),
            ("unknown", "7a7fffffff"),
        ] {
            let body = with_member(name, &hex(item));
            let mut decoder = CborDecoder::new(&body, Side::Server).with_memory(Some(&memory));
            let error = decode_structure::<All>(&mut decoder).unwrap_err();
            assert!(!error.is_over_budget(), "{name} {item}: {error}");
            assert!(error.message().contains("declares"), "{name} {item}: {error}");
            assert!(
                error.message().contains(&format!("`/{name}`")),
                "{name} {item}: {error}"
            );
        }
        assert!(memory.used() < 1024, "{}", memory.used());
    }

    #[test]
    fn what_is_read_is_charged_to_the_request() {
        let memory = crate::memory::tests::share_of(64);
        let mut item = vec![0x79, 0x10, 0x00];
        item.extend_from_slice(&[b'a'; 4096]);
        let body = with_member("stringValue", &item);
        let mut decoder = CborDecoder::new(&body, Side::Server).with_memory(Some(&memory));
        assert!(decode_structure::<All>(&mut decoder).unwrap_err().is_over_budget());
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        for (name, item) in [
            ("stringValue", "62fffe"),
            // `é` cut between two chunks: each chunk must be UTF-8 on its own.
            ("stringValue", "7f61c361a9ff"),
            ("stringList", "8162fffe"),
            ("unknown", "62fffe"),
            ("unknown", "7f62fffeff"),
        ] {
            let error = read(&with_member(name, &hex(item)), Side::Client).unwrap_err();
            assert!(error.message().contains("not UTF-8"), "{name} {item}: {error}");
            assert!(error.message().contains(&format!("`/{name}")), "{name} {item}: {error}");
        }
        assert!(read(&hex("a162fffe00"), Side::Client)
            .unwrap_err()
            .message()
            .contains("not UTF-8"));
        assert_eq!(
            read_client(&with_member("stringValue", &hex("7f62c3a9ff")))
                .string
                .as_deref(),
            Some("é")
        );
    }

    #[test]
    fn errors_carry_the_member_path() {
        let cases = [
            (with_member("stringList", &hex("82616101")), "`/stringList/1`"),
            (with_member("integerMap", &hex("a1616b6178")), "`/integerMap/k`"),
            (
                with_member("structureList", &hex("81a16c696e746567657256616c75656178")),
                "`/structureList/0/integerValue`",
            ),
            (
                with_member("contents", &hex("a16c696e746567657256616c75656178")),
                "`/contents/integerValue`",
            ),
        ];
        for (body, path) in cases {
            let error = read(&body, Side::Client).unwrap_err();
            assert!(error.message().contains(path), "{error}");
        }
        let mut decoder = CborDecoder::new(&[0x82, 0x61, 0x61, 0x01], Side::Server).at_path("/payload");
        let mut list: Option<Vec<String>> = None;
        let error = list.read(&ALL.members[13], &mut decoder).unwrap_err();
        assert!(error.message().contains("`/payload/1`"), "{error}");
    }

    #[test]
    fn servers_are_strict_and_clients_lenient() {
        // A required member missing.
        let mut decoder = CborDecoder::new(&[0xa0], Side::Server);
        let _: All = decode_structure(&mut decoder).unwrap();
        let missing = decoder.take_missing();
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].message,
            "Value at '/id' failed to satisfy constraint: Member must not be null"
        );
        let mut decoder = CborDecoder::new(&[0xa0], Side::Client);
        let _: All = decode_structure(&mut decoder).unwrap();
        assert!(decoder.take_missing().is_empty());
        // Nulls in dense lists and maps.
        for body in [
            with_member("stringList", &hex("82f66161")),
            with_member("integerMap", &hex("a26161f6616201")),
        ] {
            let error = read(&body, Side::Server).unwrap_err();
            assert!(error.message().contains("does not allow them"), "{error}");
        }
        assert_eq!(
            read_client(&with_member("stringList", &hex("82f66161"))).string_list,
            Some(vec!["a".to_owned()])
        );
        assert_eq!(
            read_client(&with_member("integerMap", &hex("a26161f7616201"))).integer_map,
            Some(HashMap::from([("b".to_owned(), 1)]))
        );
        // More items than `@length` allows: a server reads up to it and reports the rest.
        let body = with_member("stringList", &hex("9f 6131 6132 6133 6134 6135 ff"));
        let mut decoder = CborDecoder::new(&body, Side::Server);
        let all: All = decode_structure(&mut decoder).unwrap();
        assert_eq!(all.string_list.map(|list| list.len()), Some(4));
        let violations = decoder.take_missing();
        assert!(
            violations.iter().any(|violation| violation.path == "/stringList"),
            "{violations:?}"
        );
        assert_eq!(read_client(&body).string_list.map(|list| list.len()), Some(5));
        // Unions: an unknown member, two members, `__type`.
        let unknown = with_member("contents", &hex("a1656f74686572f5"));
        assert!(read(&unknown, Side::Server)
            .unwrap_err()
            .message()
            .contains("has no member `other`"));
        assert_eq!(
            read_client(&unknown).contents,
            Some(Choice::Unknown("other".to_owned()))
        );
        let two = with_member(
            "contents",
            &hex("a2 6b737472696e6756616c7565 6161 6c696e746567657256616c7565 01"),
        );
        assert!(read(&two, Side::Client)
            .unwrap_err()
            .message()
            .contains("more than one member"));
        let unit = with_member("contents", &hex("a1 64756e6974 f6"));
        assert_eq!(read_client(&unit).contents, Some(Choice::Unit));
    }

    #[test]
    fn error_bodies_name_their_type_first() {
        assert_eq!(
            error_type(&base64(
                "v2ZfX3R5cGV4LnNtaXRoeS5wcm90b2NvbHRlc3RzLnJwY3YyQ2JvciNJbnZhbGlkR3JlZXRpbmdnTWVzc2FnZWJIaf8="
            ))
            .as_deref(),
            Some("smithy.protocoltests.rpcv2Cbor#InvalidGreeting")
        );
        let complex = base64("v2ZfX3R5cGV4K3NtaXRoeS5wcm90b2NvbHRlc3RzLnJwY3YyQ2JvciNDb21wbGV4RXJyb3JoVG9wTGV2ZWxpVG9wIGxldmVsZk5lc3RlZL9jRm9vY2Jhcv//");
        assert_eq!(
            error_type(&complex).as_deref(),
            Some("smithy.protocoltests.rpcv2Cbor#ComplexError")
        );
        assert_eq!(top_level_text(&complex, "TopLevel").as_deref(), Some("Top level"));
        let value = All {
            string: Some("boom".to_owned()),
            ..All::default()
        };
        let mut body = Vec::new();
        write_structure_with_type(&mut body, &value, &ALL, "test#Boom").unwrap();
        assert_eq!(
            body,
            [
                &[0xa2, 0x66][..],
                b"__type",
                &[0x69],
                b"test#Boom",
                &[0x6b],
                b"stringValue",
                &[0x64],
                b"boom"
            ]
            .concat()
        );
        assert_eq!(error_type(&body).as_deref(), Some("test#Boom"));
        // The structure is read from the same body, `__type` skipped.
        assert_eq!(read_client(&body), value);
        let mut empty = Vec::new();
        write_structure_with_type(&mut empty, &All::default(), &ALL, "t").unwrap();
        assert_eq!(empty, [&[0xa1, 0x66][..], b"__type", &[0x61, b't']].concat());
        // Later entries are found past values of any kind; a malformed body names nothing.
        let later = [&hex("bf 63616263 9f01a0ff")[..], &empty[1..], &[0xff]].concat();
        assert_eq!(error_type(&later).as_deref(), Some("t"));
        for body in [
            "",
            "80",
            "a0",
            "bfff",
            "a1665f5f7479706501",
            "a2 0102",
            "a1 6161 7b7fffffffffffffff",
        ] {
            assert_eq!(error_type(&hex(body)), None, "{body}");
        }
    }

    #[test]
    fn the_codec_reads_and_writes_bodies() {
        let codec: &dyn Codec = &CBOR;
        assert_eq!(codec.media_type(), "application/cbor");
        assert_eq!(codec.empty_structure(), [0xa0]);
        let reading = super::super::Reading {
            side: Side::Server,
            memory: None,
        };
        let mut builder = All::default();
        let (seen, violations) = codec
            .read_structure(b"", reading, &ALL, &mut builder, &|_| true)
            .unwrap();
        assert!(seen.iter().all(|seen| !seen));
        assert_eq!(violations.len(), 1);
        let value = every_member();
        let mut body = Vec::new();
        codec
            .write_structure(&mut body, &value, &ALL, &|member| member.name != "stringValue")
            .unwrap();
        let mut builder = All::default();
        let (seen, violations) = codec
            .read_structure(&body, reading, &ALL, &mut builder, &|member| {
                member.name != "integerValue"
            })
            .unwrap();
        assert!(violations.is_empty());
        assert!(!seen[8] && !seen[5] && seen[4] && seen[20]);
        assert_eq!(builder.string, None);
        assert_eq!(builder.integer, None);
        assert_eq!(builder.float, value.float);
        let mut payload = Vec::new();
        codec
            .write_value(&mut payload, &vec!["a".to_owned()], &ALL.members[13], &STRINGS)
            .unwrap();
        assert_eq!(payload, hex("816161"));
        let mut builder = All::default();
        codec.read_member(&payload, reading, &ALL, 13, &mut builder).unwrap();
        assert_eq!(builder.string_list, Some(vec!["a".to_owned()]));
        let error = codec
            .read_member(&hex("82616101"), reading, &ALL, 13, &mut builder)
            .unwrap_err();
        assert!(error.message().contains("`/stringList/1`"), "{error}");
        assert!(codec
            .read_member(&hex("8161610a"), reading, &ALL, 13, &mut builder)
            .is_err());
    }

    #[test]
    fn documents_are_not_part_of_the_protocol() {
        let mut out = Vec::new();
        let error = write_value(&mut out, &Document::Null, Some(&DOCUMENT_MEMBER), &prelude::DOCUMENT).unwrap_err();
        assert!(error.to_string().contains("`doc`"), "{error}");
        let mut decoder = CborDecoder::new(&[0xa0], Side::Client).at_path("/doc");
        let error = decoder.document(&DOCUMENT_MEMBER).unwrap_err();
        assert!(
            error.message().contains("`/doc`") && error.message().contains("not supported"),
            "{error}"
        );
        let unknown = Choice::Unknown("x".to_owned());
        assert!(write_value(&mut out, &unknown, None, &CHOICE).is_err());
    }

    static DOUBLES: Schema =
        Schema::new("test#Doubles", ShapeType::List).members(&[Member::new("member", &prelude::DOUBLE)]);
    static TIMES: Schema =
        Schema::new("test#Times", ShapeType::List).members(&[Member::new("member", &prelude::TIMESTAMP)]);
    static DOUBLES_MEMBER: Member = Member::new("values", &DOUBLES).length(None, Some(3));
    static TIMES_MEMBER: Member = Member::new("times", &TIMES);

    #[test]
    fn lists_of_numbers_and_timestamps_are_read_in_one_loop() {
        let doubles = |bytes: &[u8], side: Side| {
            let mut cbor = CborDecoder::new(bytes, side).at_path("/values");
            let read = Vec::<f64>::decode(&DOUBLES_MEMBER, &mut cbor);
            read.map(|values| (values, cbor.take_missing().len()))
        };
        // A double, an integer, a half float; definite and indefinite.
        let definite = [0x83, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x02, 0xf9, 0x3c, 0x00];
        assert_eq!(doubles(&definite, Side::Server).unwrap(), (vec![1.5, 2.0, 1.0], 0));
        let indefinite = [0x9f, 0x02, 0xf9, 0x3c, 0x00, 0xff];
        assert_eq!(doubles(&indefinite, Side::Client).unwrap(), (vec![2.0, 1.0], 0));
        // A null in the dense list: a client skips it, a server names its place.
        let null = [0x83, 0x01, 0xf6, 0x03];
        assert_eq!(doubles(&null, Side::Client).unwrap(), (vec![1.0, 3.0], 0));
        let error = doubles(&null, Side::Server).unwrap_err();
        assert!(error.message().contains("/values/1"), "{error}");
        // A text among the numbers is refused with its index.
        let error = doubles(&[0x82, 0x01, 0x61, b'x'], Side::Client).unwrap_err();
        assert!(error.message().contains("/values/1"), "{error}");
        // Past `@length(max: 3)` a server stops taking items and reports the violation.
        let four = [0x84, 0x01, 0x02, 0x03, 0x04];
        assert_eq!(doubles(&four, Side::Server).unwrap(), (vec![1.0, 2.0, 3.0], 1));
        assert_eq!(doubles(&four, Side::Client).unwrap(), (vec![1.0, 2.0, 3.0, 4.0], 0));
        // A declared count past the input is refused before anything is reserved.
        assert!(doubles(&[0x9b, 0, 0, 0, 1, 0, 0, 0, 0], Side::Server).is_err());

        let times = [
            0x82, 0xc1, 0x1a, 0x69, 0x2c, 0x0e, 0x80, 0xc1, 0xfb, 0x41, 0xda, 0x4b, 0x03, 0xa0, 0x10, 0x00, 0x00,
        ];
        let mut cbor = CborDecoder::new(&times, Side::Server);
        let read = Vec::<DateTime>::decode(&TIMES_MEMBER, &mut cbor).unwrap();
        assert_eq!(read[0], DateTime::from_secs(1_764_494_976));
        assert_eq!(read[1], DateTime::from_secs_f64(1_764_494_976.25).unwrap());
        cbor.finish().unwrap();
    }

    #[test]
    fn mangled_documents_are_read_or_refused_without_a_panic() {
        let seeds = [
            write(&every_member()),
            write(&simple_scalars()),
            base64("v2lieXRlVmFsdWUFa2RvdWJsZVZhbHVl+z/+OVgQYk3TcWZhbHNlQm9vbGVhblZhbHVl9GpmbG9hdFZhbHVl+kD0AABrZXh0cmFPYmplY3S/c2luZGVmaW5pdGVMZW5ndGhNYXC/a3dpdGhBbkFycmF5nwECA///cWRlZmluaXRlTGVuZ3RoTWFwo3J3aXRoQURlZmluaXRlQXJyYXmDAQIDeB1hbmRTb21lSW5kZWZpbml0ZUxlbmd0aFN0cmluZ3gfdGhhdCBoYXMsIGJlZW4gY2h1bmtlZCBvbiBjb21tYWxub3JtYWxTdHJpbmdjZm9vanNob3J0VmFsdWUZJw9uc29tZU90aGVyRmllbGR2dGhpcyBzaG91bGQgYmUgc2tpcHBlZP9saW50ZWdlclZhbHVlGQEAaWxvbmdWYWx1ZRkmkWpzaG9ydFZhbHVlGSaqa3N0cmluZ1ZhbHVlZnNpbXBsZXB0cnVlQm9vbGVhblZhbHVl9WlibG9iVmFsdWVDZm9v/w=="),
            base64("v2ZfX3R5cGV4K3NtaXRoeS5wcm90b2NvbHRlc3RzLnJwY3YyQ2JvciNDb21wbGV4RXJyb3JoVG9wTGV2ZWxpVG9wIGxldmVsZk5lc3RlZL9jRm9vY2Jhcv//"),
            hex("a3 6a626967446563696d616c c48221196ab3 6a626967496e7465676572 c249010000000000000000 686461746574696d65 c1f93e00"),
        ];
        let pieces: [&[u8]; 20] = [
            &[0xff],
            &[0x9f],
            &[0xbf],
            &[0x7f],
            &[0x5f],
            &[0xc1],
            &[0xc4, 0x82],
            &[0xc3],
            &[0xf9],
            &[0xfb],
            &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x9a, 0xff, 0xff, 0xff, 0xff],
            &[0xf7],
            &[0xf6],
            &[0x80],
            &[0xa0],
            &[0x62, 0xc3, 0x28],
            &[0x1c],
            &[0x59, 0x10, 0x01],
        ];
        let mut mangler = crate::codec::Mangler::new(0x2545_f491_4f6c_dd1d);
        // Refused, read.
        let mut counts = [0; 2];
        for _ in 0..20_000 {
            let mut document = seeds[mangler.below(seeds.len())].clone();
            mangler.mangle(&mut document, &pieces, true);
            for side in [Side::Client, Side::Server] {
                counts[usize::from(read(&document, side).is_ok())] += 1;
            }
            let _ = error_type(&document);
            let reading = super::super::Reading {
                side: Side::Server,
                memory: None,
            };
            let _ = CBOR.read_structure(&document, reading, &ALL, &mut All::default(), &|_| true);
        }
        // Both ways were taken often: the mangling neither breaks every document nor none.
        assert!(counts.iter().all(|count| *count > 400), "{counts:?}");
    }
}
