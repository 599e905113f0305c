//! The serde form of generated types: the shape's JSON document, with `@jsonName`s, absent
//! members left out, blobs in base64, timestamps in their `@timestampFormat`, non-finite floats
//! as strings and big numbers with every digit.
//!
//! Writing walks the value with its schema into any serde serializer. Reading transcodes what
//! the deserializer holds into JSON text, then reads that with the JSON codec, so that serde and
//! the wire read documents alike. A big number keeps its digits when the deserializer is
//! `serde_json`'s (whose raw values this uses); other formats give it to us as a float.

/// `Serialize` and `Deserialize` for a generated type, in its serde form, when this crate's
/// `serde` feature is on; nothing otherwise, so that a program that does not use serde does not
/// compile two functions per type for it.
///
/// ```text
/// serde_impls!(structure Name, crate::schema::NAME);
/// serde_impls!(union Name, crate::schema::NAME);
/// serde_impls!(enum Name);        // a string enum: its wire value
/// serde_impls!(int_enum Name);    // an intEnum: its integer
/// ```
#[cfg(feature = "serde")]
#[macro_export]
macro_rules! serde_impls {
    (structure $name:ident, $schema:path $(,)?) => {
        $crate::serde_impls!(@impls $name,
            |value, serializer| $crate::codec::serde::serialize(value, &$schema, serializer),
            $crate::codec::serde::deserialize_structure);
    };
    (union $name:ident, $schema:path $(,)?) => {
        $crate::serde_impls!(@impls $name,
            |value, serializer| $crate::codec::serde::serialize(value, &$schema, serializer),
            $crate::codec::serde::deserialize_union);
    };
    (enum $name:ident $(,)?) => {
        $crate::serde_impls!(@impls $name,
            |value, serializer| $crate::serde::Serializer::serialize_str(serializer, value.as_str()),
            $crate::codec::serde::deserialize_enum);
    };
    (int_enum $name:ident $(,)?) => {
        $crate::serde_impls!(@impls $name,
            |value, serializer| $crate::serde::Serializer::serialize_i32(serializer, value.as_i32()),
            $crate::codec::serde::deserialize_int_enum);
    };
    (@impls $name:ident, |$value:ident, $serializer:ident| $serialize:expr, $read:path) => {
        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, $serializer: S) -> Result<S::Ok, S::Error> {
                let $value = self;
                $serialize
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $read(deserializer)
            }
        }
    };
}

/// `Serialize` and `Deserialize` for a generated type: nothing, as this crate's `serde` feature
/// is off (turn it on for serde impls on every generated type).
#[cfg(not(feature = "serde"))]
#[macro_export]
macro_rules! serde_impls {
    ($($anything:tt)*) => {};
}

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Deserializer, Serialize, Serializer};

use super::json::{write_string, JsonDecoder};
use super::Side;
use crate::primitives::Blob;
use crate::schema::{Flags, Member, Schema, ShapeType, TimestampFormat};
use crate::shape::{decode_structure, decode_union, Structure, Union, Value, Variant, View};

/// Serializes a structure, union or other value of `schema`.
pub fn serialize<S: Serializer>(value: &dyn Value, schema: &'static Schema, serializer: S) -> Result<S::Ok, S::Error> {
    Form {
        view: value.view(),
        member: None,
        schema,
    }
    .serialize(serializer)
}

/// Deserializes a structure.
pub fn deserialize_structure<'de, T: Structure, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    read_document(T::SCHEMA, deserializer, decode_structure::<T>)
}

/// `Deserialize` for a string enum: the value, or the enum's unknown variant for a value the
/// model does not list.
pub fn deserialize_enum<'de, T: for<'a> From<&'a str>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(T::from(&value))
}

/// `Deserialize` for an intEnum.
pub fn deserialize_int_enum<'de, T: From<i32>, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    <i32 as serde::Deserialize>::deserialize(deserializer).map(T::from)
}

/// Deserializes a union.
pub fn deserialize_union<'de, T: Union, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    read_document(T::SCHEMA, deserializer, decode_union::<T>)
}

/// Reads a value of `schema` in its document form: transcoded to JSON under the schema's
/// names, then decoded, every required member checked.
fn read_document<'de, T, D: Deserializer<'de>>(
    schema: &'static Schema,
    deserializer: D,
    decode: fn(&mut dyn crate::shape::Decoder) -> Result<T, crate::shape::DecodeError>,
) -> Result<T, D::Error> {
    let json = transcode(schema, deserializer)?;
    let mut decoder = JsonDecoder::new(&json, true, Side::Document);
    let value = decode(&mut decoder).map_err(D::Error::custom)?;
    check_missing(&mut decoder)?;
    Ok(value)
}

fn check_missing<E: serde::de::Error>(decoder: &mut JsonDecoder<'_>) -> Result<(), E> {
    let missing = decoder.take_missing();
    match missing.first() {
        None => Ok(()),
        Some(first) => Err(E::custom(format!("missing required member at `{}`", first.path))),
    }
}

fn transcode<'de, D: Deserializer<'de>>(schema: &'static Schema, deserializer: D) -> Result<Vec<u8>, D::Error> {
    let mut out = Vec::new();
    Transcode {
        schema: Some(schema),
        out: &mut out,
        depth: 0,
    }
    .deserialize(deserializer)?;
    Ok(out)
}

/// A value as its serde form.
struct Form<'a> {
    view: View<'a>,
    member: Option<&'static Member>,
    schema: &'static Schema,
}

impl Serialize for Form<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.view {
            View::Null => serializer.serialize_none(),
            View::Boolean(value) => serializer.serialize_bool(value),
            View::Byte(value) => serializer.serialize_i8(value),
            View::Short(value) => serializer.serialize_i16(value),
            View::Integer(value) => serializer.serialize_i32(value),
            View::Long(value) => serializer.serialize_i64(value),
            View::Float(value) if value.is_finite() => serializer.serialize_f32(value),
            View::Double(value) if value.is_finite() => serializer.serialize_f64(value),
            View::Float(value) => serializer.serialize_str(&super::text::float_text(f64::from(value), value)),
            View::Double(value) => serializer.serialize_str(&super::text::float_text(value, value)),
            View::String(text) => serializer.serialize_str(text),
            View::Blob(bytes) => serializer.serialize_str(&Blob::new(bytes).to_base64()),
            View::Timestamp(time) => match self.member.and_then(|member| member.traits.timestamp_format) {
                Some(TimestampFormat::DateTime) => serializer.serialize_str(&time.to_date_time()),
                Some(TimestampFormat::HttpDate) => serializer.serialize_str(&time.to_http_date()),
                _ => time.serialize(serializer),
            },
            View::BigNumber(text) => {
                let raw = serde_json::value::RawValue::from_string(text.to_owned()).map_err(S::Error::custom)?;
                raw.serialize(serializer)
            }
            View::Document(document) => document.serialize(serializer),
            View::List(list) => {
                let item = self.schema.item();
                let item_schema = item.map_or(self.schema, |item| item.target);
                let mut seq = serializer.serialize_seq(Some(list.len()))?;
                for index in 0..list.len() {
                    let view = list.get(index).map_or(View::Null, Value::view);
                    seq.serialize_element(&Form {
                        view,
                        member: item,
                        schema: item_schema,
                    })?;
                }
                seq.end()
            }
            View::Map(map) => {
                let value = self.schema.item();
                let value_schema = value.map_or(self.schema, |value| value.target);
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, item) in map.entries() {
                    out.serialize_entry(
                        key,
                        &Form {
                            view: item.view(),
                            member: value,
                            schema: value_schema,
                        },
                    )?;
                }
                out.end()
            }
            View::Structure(value) => {
                let mut out = serializer.serialize_map(None)?;
                for (index, member) in self.schema.members.iter().enumerate() {
                    if member.traits.has(Flags::STREAMING) {
                        continue;
                    }
                    let Some(item) = value.member(index) else { continue };
                    let view = item.view();
                    if matches!(view, View::Null) {
                        continue;
                    }
                    out.serialize_entry(
                        member.json_key(true),
                        &Form {
                            view,
                            member: Some(member),
                            schema: member.target,
                        },
                    )?;
                }
                out.end()
            }
            View::Union(value) => match value.variant() {
                Variant::Member(index, item) => {
                    let member = &self.schema.members[index];
                    let mut out = serializer.serialize_map(Some(1))?;
                    match item {
                        Some(item) => out.serialize_entry(
                            member.json_key(true),
                            &Form {
                                view: item.view(),
                                member: Some(member),
                                schema: member.target,
                            },
                        )?,
                        None => out.serialize_entry(member.json_key(true), &Empty)?,
                    }
                    out.end()
                }
                Variant::Unknown(name) => Err(S::Error::custom(format!(
                    "cannot serialize the unknown union member `{name}`"
                ))),
            },
        }
    }
}

/// `{}`: the value of a union member that targets `smithy.api#Unit`.
struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

/// Writes what a deserializer holds as JSON text. Where the schema expects a big number it asks
/// for the raw text (which only `serde_json` gives); elsewhere it takes any value.
struct Transcode<'o> {
    schema: Option<&'static Schema>,
    out: &'o mut Vec<u8>,
    depth: usize,
}

impl Transcode<'_> {
    fn child(&mut self, schema: Option<&'static Schema>) -> Transcode<'_> {
        Transcode {
            schema,
            out: self.out,
            depth: self.depth + 1,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Transcode<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.depth > super::json::MAX_DEPTH {
            return Err(D::Error::custom("values nest too deeply"));
        }
        match self.schema.map(|schema| schema.shape_type) {
            Some(ShapeType::BigInteger | ShapeType::BigDecimal) => {
                let raw = <Box<serde_json::value::RawValue> as serde::Deserialize>::deserialize(deserializer)?;
                self.out.extend_from_slice(raw.get().trim().as_bytes());
                Ok(())
            }
            _ => deserializer.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Transcode<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON-like value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<(), E> {
        self.out.extend_from_slice(if value { b"true" } else { b"false" });
        Ok(())
    }

    fn visit_i64<E>(self, value: i64) -> Result<(), E> {
        self.out.extend_from_slice(value.to_string().as_bytes());
        Ok(())
    }

    fn visit_u64<E>(self, value: u64) -> Result<(), E> {
        self.out.extend_from_slice(value.to_string().as_bytes());
        Ok(())
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<(), E> {
        if !value.is_finite() {
            return Err(E::custom("a number that is not finite"));
        }
        self.out.extend_from_slice(format!("{value:?}").as_bytes());
        Ok(())
    }

    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        write_string(self.out, value);
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        DeserializeSeed::deserialize(self, deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let item = self.schema.and_then(|schema| match schema.shape_type {
            ShapeType::List => schema.item().map(|item| item.target),
            _ => None,
        });
        self.out.push(b'[');
        let mut first = true;
        loop {
            let position = self.out.len();
            if !first {
                self.out.push(b',');
            }
            if seq.next_element_seed(self.child(item))?.is_none() {
                self.out.truncate(position);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.out.push(b'{');
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if !first {
                self.out.push(b',');
            }
            first = false;
            write_string(self.out, &key);
            self.out.push(b':');
            let schema = self.schema.and_then(|schema| match schema.shape_type {
                ShapeType::Structure | ShapeType::Union => schema
                    .members
                    .iter()
                    .find(|member| member.json_key(true) == key)
                    .map(|member| member.target),
                ShapeType::Map => schema.item().map(|value| value.target),
                _ => None,
            });
            map.next_value_seed(self.child(schema))?;
        }
        self.out.push(b'}');
        Ok(())
    }
}
