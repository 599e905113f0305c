//! The JSON a rule set is read from, held compactly while it is compiled: an object is one
//! sorted vector of its members (the last of a repeated name wins, as with `serde_json`'s
//! maps), not a B-tree whose every node has room for eleven, which made a decision diagram's
//! many one-member objects (`{"ref": "Bucket"}`) cost several times the compiled rules while
//! a client was made. Its text (names and strings) is borrowed from the JSON text where it
//! holds no escape, so reading a rule set allocates little besides the vectors.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Map<'a>),
}

/// A JSON object's members, sorted by name, each name once.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Map<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Map<'a> {
    /// The members, in any order, made into an object: sorted, and only the last member of a
    /// name kept.
    fn new(mut members: Vec<(Cow<'a, str>, Json<'a>)>) -> Self {
        // Stable: members of one name stay in their order, and the last of them is kept.
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(members.len());
        for member in members {
            match kept.last_mut() {
                Some(last) if last.0 == member.0 => *last = member,
                _ => kept.push(member),
            }
        }
        Map(kept)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.0
            .binary_search_by(|(key, _)| key.as_ref().cmp(name))
            .ok()
            .map(|at| &self.0[at].1)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, sorted by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.0.iter().map(|(key, value)| (key.as_ref(), value))
    }
}

impl<'a> Json<'a> {
    pub(crate) fn as_object(&self) -> Option<&Map<'a>> {
        match self {
            Json::Object(map) => Some(map),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(number) => number.as_i64(),
            _ => None,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    /// A member of an object.
    pub(crate) fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.as_object()?.get(name)
    }

    /// Parses JSON text.
    pub(crate) fn parse(text: &'a str) -> Result<Json<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl<'a> From<&'a serde_json::Value> for Json<'a> {
    fn from(value: &'a serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(value) => Json::Bool(*value),
            serde_json::Value::Number(number) => Json::Number(number.clone()),
            serde_json::Value::String(text) => Json::String(Cow::Borrowed(text)),
            serde_json::Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            serde_json::Value::Object(object) => Json::Object(Map::new(
                object
                    .iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_str()), Json::from(value)))
                    .collect(),
            )),
        }
    }
}

/// An object's member name, borrowed from the text where it holds no escape.
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(value)))
            }

            fn visit_str<E>(self, value: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E>(self, value: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(value)))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;

        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }

            fn visit_unit<E>(self) -> Result<Json<'de>, E> {
                Ok(Json::Null)
            }

            fn visit_none<E>(self) -> Result<Json<'de>, E> {
                Ok(Json::Null)
            }

            fn visit_bool<E>(self, value: bool) -> Result<Json<'de>, E> {
                Ok(Json::Bool(value))
            }

            fn visit_i64<E>(self, value: i64) -> Result<Json<'de>, E> {
                Ok(Json::Number(value.into()))
            }

            fn visit_u64<E>(self, value: u64) -> Result<Json<'de>, E> {
                Ok(Json::Number(value.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Json<'de>, E> {
                serde_json::Number::from_f64(value)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("a number that is not finite"))
            }

            fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Json<'de>, E> {
                Ok(Json::String(Cow::Borrowed(value)))
            }

            fn visit_str<E>(self, value: &str) -> Result<Json<'de>, E> {
                Ok(Json::String(Cow::Owned(value.to_owned())))
            }

            fn visit_string<E>(self, value: String) -> Result<Json<'de>, E> {
                Ok(Json::String(Cow::Owned(value)))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                items.shrink_to_fit();
                Ok(Json::Array(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some((Name(key), value)) = map.next_entry::<Name<'de>, Json<'de>>()? {
                    members.push((key, value));
                }
                members.shrink_to_fit();
                Ok(Json::Object(Map::new(members)))
            }
        }

        deserializer.deserialize_any(JsonVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_sorted_and_the_last_of_a_name_wins_as_with_serde_json() {
        let text = r#"{"b": 1, "a": [true, null, "x", -2, 2.5], "b": {"z": 1, "y": {}}, "c": 18446744073709551615}"#;
        let compact = Json::parse(text).expect("valid JSON");
        let value: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(compact, Json::from(&value));
        let object = compact.as_object().expect("an object");
        assert_eq!(object.iter().map(|(key, _)| key).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(object.get("b").and_then(|b| b.get("y")).is_some());
        assert!(object.contains_key("c") && !object.contains_key("d"));
        assert_eq!(object.get("c").and_then(Json::as_u64), Some(u64::MAX));
        assert_eq!(compact.get("a"), Some(&Json::from(&value["a"])));
        assert!(Json::parse("{\"a\": }").is_err());
    }

    #[test]
    fn text_without_escapes_is_borrowed_and_escaped_text_is_read() {
        let text = r#"{"plain": "https://{Region}.example", "esc\u0061ped": "a\"b\\c\u00e9", "list": ["x", "\n"]}"#;
        let json = Json::parse(text).expect("valid JSON");
        let object = json.as_object().expect("an object");
        assert_eq!(
            object.iter().map(|(key, _)| key).collect::<Vec<_>>(),
            ["escaped", "list", "plain"]
        );
        let Some(Json::String(plain)) = object.get("plain") else {
            panic!("a string")
        };
        assert!(matches!(plain, Cow::Borrowed(_)), "{plain:?}");
        assert!(matches!(&object.0[2].0, Cow::Borrowed(_)));
        assert!(matches!(&object.0[0].0, Cow::Owned(_)));
        assert_eq!(object.get("escaped").and_then(Json::as_str), Some("a\"b\\c\u{e9}"));
        let value: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(json, Json::from(&value));
    }
}
