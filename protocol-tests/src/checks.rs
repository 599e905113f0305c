//! Comparing what the generated code produced with what a case expects: requests, responses,
//! headers and bodies (JSON compared as values, numbers by value; other bodies byte by byte).

use serde_json::Value as Json;
use smithy_runtime::schema::Schema;
use smithy_runtime::shape::{Structure, Value, Variant, View};

/// Every value of a header (case-insensitive name), joined with `, `; `None` when absent.
pub fn header_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(", "))
    }
}

/// Checks that each expected header is there with exactly the expected value.
pub fn check_headers(headers: &http::HeaderMap, expected: &[(String, String)], problems: &mut Vec<String>) {
    for (name, value) in expected {
        match header_value(headers, name) {
            Some(actual) if actual == *value => {}
            Some(actual) => problems.push(format!("header `{name}`: expected `{value}`, got `{actual}`")),
            None => problems.push(format!("header `{name}`: expected `{value}`, got none")),
        }
    }
}

/// The first place where two JSON values differ, numbers compared by value.
pub fn json_difference(path: &str, expected: &Json, actual: &Json) -> Option<String> {
    match (expected, actual) {
        (Json::Object(expected), Json::Object(actual)) => {
            for (key, value) in expected {
                let path = format!("{path}/{key}");
                match actual.get(key) {
                    Some(actual) => {
                        if let Some(difference) = json_difference(&path, value, actual) {
                            return Some(difference);
                        }
                    }
                    None => return Some(format!("{path}: missing (expected `{value}`)")),
                }
            }
            actual
                .keys()
                .find(|key| !expected.contains_key(*key))
                .map(|key| format!("{path}/{key}: not expected"))
        }
        (Json::Array(expected), Json::Array(actual)) => {
            if expected.len() != actual.len() {
                return Some(format!(
                    "{path}: expected {} items, got {}",
                    expected.len(),
                    actual.len()
                ));
            }
            expected
                .iter()
                .zip(actual)
                .enumerate()
                .find_map(|(n, (expected, actual))| json_difference(&format!("{path}/{n}"), expected, actual))
        }
        (Json::Number(a), Json::Number(b)) if a == b || a.as_f64() == b.as_f64() => None,
        _ if expected == actual => None,
        _ => Some(format!(
            "{}: expected `{expected}`, got `{actual}`",
            if path.is_empty() { "/" } else { path }
        )),
    }
}

/// The request id an XML response body names: the text of its `RequestId`, `requestId` or
/// `RequestID` element.
pub fn xml_request_id(body: &str) -> Option<String> {
    let pattern = regex::Regex::new(r"<(RequestId|requestId|RequestID)>([^<]*)</").ok()?;
    Some(pattern.captures(body)?.get(2)?.as_str().trim().to_owned())
}

/// How a body is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// As JSON values, numbers by value.
    Json,
    /// As XML elements (see [`xml::difference`]).
    Xml,
    /// As form-encoded pairs, in any order, escapes decoded.
    Form,
    /// As CBOR data items (the case gives them in base64): maps in any order, lengths definite
    /// or not, numbers by value.
    Cbor,
    /// Byte by byte.
    Bytes,
}

/// The bytes of a case's `body`: its text, or for a binary media type (`application/cbor`, the
/// media type of every rpcv2Cbor body, whether the case names it or not) the bytes its base64
/// text holds.
pub fn body_bytes(case: &serde_json::Map<String, Json>) -> Result<Vec<u8>, String> {
    let text = case.get("body").and_then(Json::as_str).unwrap_or_default();
    let cbor = case
        .get("protocol")
        .and_then(Json::as_str)
        .is_some_and(|protocol| protocol.ends_with("#rpcv2Cbor"));
    let media_type = case
        .get("bodyMediaType")
        .and_then(Json::as_str)
        .or(cbor.then_some("application/cbor"));
    match body_kind(media_type) {
        BodyKind::Cbor => base64(text),
        _ => Ok(text.as_bytes().to_vec()),
    }
}

fn base64(text: &str) -> Result<Vec<u8>, String> {
    smithy_runtime::primitives::Blob::from_base64(text.trim())
        .map(smithy_runtime::primitives::Blob::into_inner)
        .ok_or_else(|| format!("the case's body is not base64: `{text}`"))
}

/// How a body of `media_type` (a case's `bodyMediaType`) is compared.
pub fn body_kind(media_type: Option<&str>) -> BodyKind {
    let essence = media_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    if essence == "application/json" || essence.ends_with("+json") || essence.starts_with("application/x-amz-json") {
        BodyKind::Json
    } else if essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml") {
        BodyKind::Xml
    } else if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "application/cbor" {
        BodyKind::Cbor
    } else {
        BodyKind::Bytes
    }
}

/// Checks a body: nothing when `expected` is empty, else compared as `kind` says.
pub fn check_body(expected: &str, kind: BodyKind, actual: &[u8], problems: &mut Vec<String>) {
    let actual_text = String::from_utf8_lossy(actual);
    if expected.is_empty() {
        if !actual.is_empty() {
            problems.push(format!("body: expected none, got `{actual_text}`"));
        }
        return;
    }
    match kind {
        BodyKind::Bytes => {
            if expected.as_bytes() != actual {
                problems.push(format!("body: expected `{expected}`, got `{actual_text}`"));
            }
            return;
        }
        BodyKind::Xml => {
            match (xml::parse(expected.as_bytes()), xml::parse(actual)) {
                (Ok(expected_tree), Ok(actual_tree)) => {
                    if let Some(difference) = xml::difference("", &expected_tree, &actual_tree) {
                        problems.push(format!(
                            "body differs at {difference}: expected `{expected}`, got `{actual_text}`"
                        ));
                    }
                }
                (Err(error), _) => problems.push(format!("the expected body is not XML ({error}): `{expected}`")),
                (_, Err(error)) => problems.push(format!(
                    "body: expected XML `{expected}`, got `{actual_text}` ({error})"
                )),
            }
            return;
        }
        BodyKind::Form => {
            let pairs = |text: &str| {
                let mut pairs = smithy_runtime::protocol::uri::parse_query(Some(text.trim()));
                if let Some(pairs) = pairs.as_mut() {
                    pairs.sort();
                }
                pairs
            };
            match (pairs(expected), pairs(&actual_text)) {
                (Some(expected_pairs), Some(actual_pairs)) if expected_pairs == actual_pairs => {}
                _ => problems.push(format!("body: expected the form `{expected}`, got `{actual_text}`")),
            }
            return;
        }
        BodyKind::Cbor => {
            let expected = base64(expected).and_then(|bytes| cbor::parse(&bytes));
            match (expected, cbor::parse(actual)) {
                (Ok(expected_item), Ok(actual_item)) => {
                    if let Some(difference) = cbor::difference("", &expected_item, &actual_item) {
                        problems.push(format!(
                            "body differs at {difference}: expected {expected_item:?}, got {actual_item:?}"
                        ));
                    }
                }
                (Err(error), _) => problems.push(format!("the expected body is not CBOR: {error}")),
                (_, Err(error)) => problems.push(format!("body: expected CBOR, got {actual:02x?} ({error})")),
            }
            return;
        }
        BodyKind::Json => {}
    }
    match (
        serde_json::from_str::<Json>(expected),
        serde_json::from_slice::<Json>(actual),
    ) {
        (Ok(expected_value), Ok(actual_value)) => {
            if let Some(difference) = json_difference("", &expected_value, &actual_value) {
                problems.push(format!(
                    "body differs at {difference}: expected `{expected}`, got `{actual_text}`"
                ));
            }
        }
        (Err(error), _) => problems.push(format!("the expected body is not JSON ({error}): `{expected}`")),
        (_, Err(error)) => problems.push(format!(
            "body: expected JSON `{expected}`, got `{actual_text}` ({error})"
        )),
    }
}

/// `Ok` when nothing differed, else every difference, one a line.
pub fn conclude(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Compares a parsed result with the expected one. Values that print alike are equal when they
/// hold a NaN (which equals nothing), unless redaction hides part of them.
pub fn compare<T: PartialEq + std::fmt::Debug>(expected: &T, actual: &T) -> Result<(), String> {
    if expected == actual {
        return Ok(());
    }
    let (expected, actual) = (format!("{expected:?}"), format!("{actual:?}"));
    if expected == actual && expected.contains("NaN") && !expected.contains("*** Sensitive Data Redacted ***") {
        return Ok(());
    }
    Err(format!("values differ:\nexpected: {expected}\n  actual: {actual}"))
}

/// Compares a parsed structure with the expected one: equal, or the same value member by member
/// with NaN equal to NaN (which `==` never finds) and maps compared by key.
pub fn compare_structure<T: Structure + PartialEq + std::fmt::Debug>(expected: &T, actual: &T) -> Result<(), String> {
    if expected == actual || same(View::Structure(expected), View::Structure(actual), T::SCHEMA) {
        return Ok(());
    }
    Err(format!("values differ:\nexpected: {expected:?}\n  actual: {actual:?}"))
}

/// Whether two values of `schema` are the same, NaN equal to NaN.
fn same(expected: View<'_>, actual: View<'_>, schema: &'static Schema) -> bool {
    // (An event stream's events, which no codec sees, are compared one by one.)
    let same_member = |a: Option<&dyn Value>, b: Option<&dyn Value>, schema: &'static Schema| match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (a.events(), b.events()) {
            (Some(a), Some(b)) => {
                a.len() == b.len()
                    && (0..a.len()).all(|index| match (a.get(index), b.get(index)) {
                        (Some(a), Some(b)) => same(a.view(), b.view(), schema),
                        _ => false,
                    })
            }
            _ => same(a.view(), b.view(), schema),
        },
        _ => false,
    };
    match (expected, actual) {
        (View::Float(a), View::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
        (View::Double(a), View::Double(b)) => a == b || (a.is_nan() && b.is_nan()),
        (View::Structure(a), View::Structure(b)) => schema
            .members
            .iter()
            .enumerate()
            .all(|(index, member)| same_member(a.member(index), b.member(index), member.target)),
        (View::Union(a), View::Union(b)) => match (a.variant(), b.variant()) {
            (Variant::Member(i, a), Variant::Member(j, b)) => {
                i == j
                    && schema
                        .members
                        .get(i)
                        .is_some_and(|member| same_member(a, b, member.target))
            }
            (Variant::Unknown(a), Variant::Unknown(b)) => a == b,
            _ => false,
        },
        (View::List(a), View::List(b)) => {
            let Some(item) = schema.item() else { return false };
            a.len() == b.len() && (0..a.len()).all(|index| same_member(a.get(index), b.get(index), item.target))
        }
        (View::Map(a), View::Map(b)) => {
            let Some(item) = schema.item() else { return false };
            let (a, b) = (a.entries(), b.entries());
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va.view(), vb.view(), item.target))
        }
        (View::Null, View::Null) => true,
        (View::Boolean(a), View::Boolean(b)) => a == b,
        (View::Byte(a), View::Byte(b)) => a == b,
        (View::Short(a), View::Short(b)) => a == b,
        (View::Integer(a), View::Integer(b)) => a == b,
        (View::Long(a), View::Long(b)) => a == b,
        (View::String(a), View::String(b)) | (View::BigNumber(a), View::BigNumber(b)) => a == b,
        (View::Blob(a), View::Blob(b)) => a == b,
        (View::Timestamp(a), View::Timestamp(b)) => a == b,
        (View::Document(a), View::Document(b)) => a == b,
        _ => false,
    }
}

/// XML bodies compared as trees: the same element names, the same attributes (in any order),
/// the same text (whitespace around it aside), and the same children, where children of
/// different names may come in any order and those of one name in the same order.
pub mod xml {
    use std::collections::BTreeMap;

    use quick_xml::events::Event;

    /// An element.
    #[derive(Debug, Default)]
    pub struct Node {
        pub name: String,
        pub attributes: BTreeMap<String, String>,
        pub text: String,
        pub children: Vec<Node>,
    }

    /// The root element of a document.
    pub fn parse(input: &[u8]) -> Result<Node, String> {
        let input = std::str::from_utf8(input).map_err(|_| "not UTF-8".to_owned())?;
        let mut reader = quick_xml::Reader::from_str(input);
        let mut stack: Vec<Node> = vec![Node::default()];
        loop {
            let event = reader.read_event().map_err(|error| error.to_string())?;
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let empty = matches!(event, Event::Empty(_));
                    let mut node = Node {
                        name: start.name().as_ref().to_owned(),
                        ..Node::default()
                    };
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|error| error.to_string())?;
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|error| error.to_string())?
                            .into_owned();
                        node.attributes.insert(attribute.key.as_ref().to_owned(), value);
                    }
                    if empty {
                        stack.last_mut().ok_or("unbalanced")?.children.push(node);
                    } else {
                        stack.push(node);
                    }
                }
                Event::End(_) => {
                    let mut node = stack.pop().ok_or("unbalanced")?;
                    node.text = node.text.trim().to_owned();
                    stack.last_mut().ok_or("unbalanced")?.children.push(node);
                }
                Event::Text(text) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&text.xml10_content());
                    }
                }
                Event::GeneralRef(reference) => {
                    let name: &str = &reference;
                    let reference = format!("&{name};");
                    let text = quick_xml::escape::unescape(&reference).map_err(|error| error.to_string())?;
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&text);
                    }
                }
                Event::CData(data) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&data.xml10_content());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut document = stack.pop().ok_or("unbalanced")?;
        if !stack.is_empty() {
            return Err("an element is not closed".to_owned());
        }
        document.children.pop().ok_or_else(|| "no element".to_owned())
    }

    /// The first place where two elements differ.
    pub fn difference(path: &str, expected: &Node, actual: &Node) -> Option<String> {
        let path = format!("{path}/{}", expected.name);
        if expected.name != actual.name {
            return Some(format!(
                "{path}: expected element `{}`, got `{}`",
                expected.name, actual.name
            ));
        }
        if expected.attributes != actual.attributes {
            return Some(format!(
                "{path}: expected attributes {:?}, got {:?}",
                expected.attributes, actual.attributes
            ));
        }
        // Text beside child elements (mixed content, which no member is) is not compared.
        if expected.children.is_empty() && expected.text != actual.text {
            return Some(format!(
                "{path}: expected text `{}`, got `{}`",
                expected.text, actual.text
            ));
        }
        fn sorted(node: &Node) -> Vec<&Node> {
            let mut children: Vec<&Node> = node.children.iter().collect();
            children.sort_by(|a, b| a.name.cmp(&b.name));
            children
        }
        let (expected_children, actual_children) = (sorted(expected), sorted(actual));
        let names = |children: &[&Node]| children.iter().map(|child| child.name.clone()).collect::<Vec<_>>();
        if names(&expected_children) != names(&actual_children) {
            return Some(format!(
                "{path}: expected children {:?}, got {:?}",
                names(&expected_children),
                names(&actual_children)
            ));
        }
        let mut start = 0;
        while start < expected_children.len() {
            let name = &expected_children[start].name;
            let end = start
                + expected_children[start..]
                    .iter()
                    .take_while(|child| child.name == *name)
                    .count();
            let (group, found) = (&expected_children[start..end], &actual_children[start..end]);
            let ordered = group
                .iter()
                .zip(found)
                .find_map(|(expected, actual)| difference(&path, expected, actual));
            if let Some(difference) = ordered {
                // Map entries (elements of a key and a value) come in any order.
                if !(group.iter().all(|entry| is_entry(entry)) && same_entries(group, found)) {
                    return Some(difference);
                }
            }
            start = end;
        }
        None
    }

    /// Whether an element may be a map entry: two child elements, of different names.
    fn is_entry(node: &Node) -> bool {
        node.children.len() == 2 && node.children[0].name != node.children[1].name
    }

    /// Whether each expected entry matches a different actual one.
    fn same_entries(expected: &[&Node], actual: &[&Node]) -> bool {
        let mut used = vec![false; actual.len()];
        expected.iter().all(|entry| {
            let found = actual
                .iter()
                .enumerate()
                .find(|(index, candidate)| !used[*index] && difference("", entry, candidate).is_none());
            found.map(|(index, _)| used[index] = true).is_some()
        })
    }
}

/// Checks a JSON body's `message` against a regular expression.
pub fn check_message_regex(response: &http::Response<Vec<u8>>, pattern: &str) -> Result<(), String> {
    let regex = regex::Regex::new(pattern).map_err(|error| format!("invalid messageRegex `{pattern}`: {error}"))?;
    let body: Json =
        serde_json::from_slice(response.body()).map_err(|error| format!("the response body is not JSON: {error}"))?;
    let message = body.get("message").and_then(Json::as_str).unwrap_or_default();
    if regex.is_match(message) {
        Ok(())
    } else {
        Err(format!("message `{message}` does not match `{pattern}`"))
    }
}

/// CBOR bodies as trees, compared as the protocol means them.
mod cbor {
    use ciborium::value::Value;

    pub fn parse(input: &[u8]) -> Result<Value, String> {
        let mut reader = input;
        let value: Value = ciborium::de::from_reader(&mut reader).map_err(|error| error.to_string())?;
        if !reader.is_empty() {
            return Err(format!("{} bytes after the data item", reader.len()));
        }
        Ok(value)
    }

    /// A number's value, whatever its width or major type.
    fn number(value: &Value) -> Option<f64> {
        match value {
            Value::Integer(integer) => Some(i128::from(*integer) as f64),
            Value::Float(float) => Some(*float),
            _ => None,
        }
    }

    /// Where `actual` differs from `expected`, if it does.
    pub fn difference(path: &str, expected: &Value, actual: &Value) -> Option<String> {
        if let (Some(expected), Some(actual)) = (number(expected), number(actual)) {
            let same = expected == actual || (expected.is_nan() && actual.is_nan());
            return (!same).then(|| format!("{path}: expected {expected}, got {actual}"));
        }
        match (expected, actual) {
            (Value::Array(expected), Value::Array(actual)) => {
                if expected.len() != actual.len() {
                    return Some(format!(
                        "{path}: expected {} items, got {}",
                        expected.len(),
                        actual.len()
                    ));
                }
                expected
                    .iter()
                    .zip(actual)
                    .enumerate()
                    .find_map(|(index, (expected, actual))| difference(&format!("{path}/{index}"), expected, actual))
            }
            (Value::Map(expected), Value::Map(actual)) => {
                if expected.len() != actual.len() {
                    return Some(format!(
                        "{path}: expected {} entries, got {}",
                        expected.len(),
                        actual.len()
                    ));
                }
                expected.iter().find_map(|(key, expected)| {
                    let name = format!("{path}/{}", key.as_text().unwrap_or("?"));
                    match actual.iter().find(|(candidate, _)| candidate == key) {
                        Some((_, actual)) => difference(&name, expected, actual),
                        None => Some(format!("{name}: missing")),
                    }
                })
            }
            (Value::Tag(expected_tag, expected), Value::Tag(actual_tag, actual)) if expected_tag == actual_tag => {
                difference(&format!("{path}(tag {expected_tag})"), expected, actual)
            }
            _ => (expected != actual).then(|| format!("{path}: expected {expected:?}, got {actual:?}")),
        }
    }
}
