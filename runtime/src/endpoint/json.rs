//! The JSON a rule set is read from, held compactly while it is compiled: an object is one
//! sorted vector of its members (the last of a repeated name wins, as with `serde_json`'s
//! maps), not a B-tree whose every node has room for eleven, which made a decision diagram's
//! many one-member objects (`{"ref": "Bucket"}`) cost several times the compiled rules while
//! a client was made.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Map),
}

/// A JSON object's members, sorted by name, each name once.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Map(Vec<(String, Json)>);

impl Map {
    /// The members, in any order, made into an object: sorted, and only the last member of a
    /// name kept.
    fn new(mut members: Vec<(String, Json)>) -> Self {
        // Stable: members of one name stay in their order, and the last of them is kept.
        members.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(String, Json)> = Vec::with_capacity(members.len());
        for member in members {
            match kept.last_mut() {
                Some(last) if last.0 == member.0 => *last = member,
                _ => kept.push(member),
            }
        }
        Map(kept)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Json> {
        self.0
            .binary_search_by(|(key, _)| key.as_str().cmp(name))
            .ok()
            .map(|at| &self.0[at].1)
    }

    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, sorted by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter().map(|(key, value)| (key, value))
    }
}

impl Json {
    pub(crate) fn as_object(&self) -> Option<&Map> {
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
    pub(crate) fn get(&self, name: &str) -> Option<&Json> {
        self.as_object()?.get(name)
    }

    /// Parses JSON text.
    pub(crate) fn parse(text: &str) -> Result<Json, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(value) => Json::Bool(*value),
            serde_json::Value::Number(number) => Json::Number(number.clone()),
            serde_json::Value::String(text) => Json::String(text.clone()),
            serde_json::Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            serde_json::Value::Object(object) => Json::Object(Map::new(
                object
                    .iter()
                    .map(|(key, value)| (key.clone(), Json::from(value)))
                    .collect(),
            )),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct JsonVisitor;

        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }

            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }

            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }

            fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
                Ok(Json::Bool(value))
            }

            fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
                Ok(Json::Number(value.into()))
            }

            fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
                Ok(Json::Number(value.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Json, E> {
                serde_json::Number::from_f64(value)
                    .map(Json::Number)
                    .ok_or_else(|| E::custom("a number that is not finite"))
            }

            fn visit_str<E>(self, value: &str) -> Result<Json, E> {
                Ok(Json::String(value.to_owned()))
            }

            fn visit_string<E>(self, value: String) -> Result<Json, E> {
                Ok(Json::String(value))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                items.shrink_to_fit();
                Ok(Json::Array(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some((key, value)) = map.next_entry::<String, Json>()? {
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
        assert_eq!(
            object.iter().map(|(key, _)| key.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert!(object.get("b").and_then(|b| b.get("y")).is_some());
        assert!(object.contains_key("c") && !object.contains_key("d"));
        assert_eq!(object.get("c").and_then(Json::as_u64), Some(u64::MAX));
        assert_eq!(compact.get("a"), Some(&Json::from(&value["a"])));
        assert!(Json::parse("{\"a\": }").is_err());
    }
}
