//! Values from a case's `params`: a Smithy node value keyed by member names, in which blobs are
//! their text, timestamps epoch seconds, and non-finite floats the strings `NaN`, `Infinity`
//! and `-Infinity`. [`ParamsDecoder`] reads it into any generated type through the runtime's
//! `Decoder` interface, as a wire codec would.

use serde_json::Value;
use smithy_runtime::primitives::{DateTime, Document};
use smithy_runtime::schema::{Member, Schema};
use smithy_runtime::shape::{read_member, DecodeError, Decoder, StructBuilder, UnionBuilder};

/// Reads a value from params.
pub struct ParamsDecoder<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> ParamsDecoder<'a> {
    /// A decoder of `value`, the case's `params` or a part of them.
    pub fn new(value: &'a Value) -> Self {
        Self {
            value,
            path: String::from("params"),
        }
    }

    fn child(&self, value: &'a Value, step: &str) -> ParamsDecoder<'a> {
        ParamsDecoder {
            value,
            path: format!("{}.{step}", self.path),
        }
    }

    fn mismatch(&self, what: &str) -> DecodeError {
        DecodeError::new(format!("{}: `{}` is not {what}", self.path, self.value))
    }
}

impl Decoder for ParamsDecoder<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        let object = self.value.as_object().ok_or_else(|| self.mismatch("an object"))?;
        for (name, value) in object {
            let index = schema
                .member_index(name)
                .ok_or_else(|| DecodeError::new(format!("{}: `{}` has no member `{name}`", self.path, schema.id)))?;
            if value.is_null() {
                continue;
            }
            read_member(schema, index, builder, &mut self.child(value, name))?;
        }
        Ok(())
    }

    fn union(&mut self, schema: &'static Schema, builder: &mut dyn UnionBuilder) -> Result<(), DecodeError> {
        let object = self.value.as_object().ok_or_else(|| self.mismatch("an object"))?;
        let [(name, value)] = object.iter().collect::<Vec<_>>()[..] else {
            return Err(DecodeError::new(format!(
                "{}: a union sets exactly one member",
                self.path
            )));
        };
        let index = schema
            .member_index(name)
            .ok_or_else(|| DecodeError::new(format!("{}: `{}` has no member `{name}`", self.path, schema.id)))?;
        builder.member(index, &mut self.child(value, name))
    }

    fn list(
        &mut self,
        _: &'static Member,
        item: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let items = self.value.as_array().ok_or_else(|| self.mismatch("a list"))?;
        for (index, value) in items.iter().enumerate() {
            item(&mut self.child(value, &index.to_string()))?;
        }
        Ok(())
    }

    /// An event stream's events are written in params as a list of the union's values.
    fn events(
        &mut self,
        member: &'static Member,
        event: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.list(member, event)
    }

    fn map(
        &mut self,
        _: &'static Member,
        entry: &mut dyn FnMut(&str, &mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        let entries = self.value.as_object().ok_or_else(|| self.mismatch("a map"))?;
        for (key, value) in entries {
            entry(key, &mut self.child(value, key))?;
        }
        Ok(())
    }

    fn null(&mut self) -> Result<bool, DecodeError> {
        Ok(self.value.is_null())
    }

    fn boolean(&mut self, _: &'static Member) -> Result<bool, DecodeError> {
        self.value.as_bool().ok_or_else(|| self.mismatch("a boolean"))
    }

    fn integer(&mut self, _: &'static Member) -> Result<i64, DecodeError> {
        self.value
            .as_i64()
            .or_else(|| {
                self.value
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| self.mismatch("an integer"))
    }

    fn float(&mut self, _: &'static Member) -> Result<f64, DecodeError> {
        match self.value {
            Value::String(text) => match text.as_str() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                _ => Err(self.mismatch("a float")),
            },
            value => value.as_f64().ok_or_else(|| self.mismatch("a float")),
        }
    }

    fn string(&mut self, _: &'static Member) -> Result<String, DecodeError> {
        self.value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.mismatch("a string"))
    }

    fn blob(&mut self, _: &'static Member) -> Result<Vec<u8>, DecodeError> {
        self.value
            .as_str()
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| self.mismatch("a blob's text"))
    }

    fn timestamp(&mut self, _: &'static Member) -> Result<DateTime, DecodeError> {
        match self.value {
            Value::Number(number) => DateTime::parse_epoch_seconds(&number.to_string())
                .or_else(|| number.as_f64().and_then(DateTime::from_secs_f64))
                .ok_or_else(|| self.mismatch("a timestamp")),
            Value::String(text) => DateTime::parse_date_time(text).ok_or_else(|| self.mismatch("a timestamp")),
            _ => Err(self.mismatch("a timestamp")),
        }
    }

    fn big_number(&mut self, _: &'static Member, _: bool) -> Result<String, DecodeError> {
        match self.value {
            Value::Number(number) => Ok(number.to_string()),
            Value::String(text) => Ok(text.clone()),
            _ => Err(self.mismatch("a number")),
        }
    }

    fn document(&mut self, _: &'static Member) -> Result<Document, DecodeError> {
        Ok(self.value.clone())
    }

    fn skip(&mut self) -> Result<(), DecodeError> {
        Ok(())
    }
}
