//! The checks a model must pass before code is generated from it, beyond its references: the
//! HTTP bindings (methods, URIs, status codes, header names, labels, payloads, routes), the
//! constraint traits (`@length`, `@range`, `@pattern`), default values and enum values within
//! their types, errors marked `@error`, and collections nested no deeper than the compiler
//! copes with. Every problem of the shapes the generator is asked for is reported at once, each
//! with its JSON path and shape id.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::index::Index;
use crate::model::{HttpBinding, Member, Shape, ShapeId, ShapeKind, Simple, TemplateSegment};

/// The deepest nesting of lists and maps within one another (each a generic type of the one
/// it holds) that generated code may have. Real models nest a few levels; the compiler's own
/// recursion gives out in the hundreds.
pub(crate) const MAX_COLLECTION_DEPTH: usize = 32;

impl Index<'_> {
    /// Runs every check over the selected shapes and operations; one error lists all problems.
    pub(crate) fn check_model(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut depths = HashMap::new();
        for shape in self.closure() {
            let path = format!("$.shapes[{:?}]", shape.id.as_str());
            check_constraints(shape, None, &shape.traits, &path, &mut problems);
            for (member, member_path) in members_with_paths(shape, &path) {
                let target = self.shape(&member.target);
                check_constraints(shape, Some(member), &member.traits, &member_path, &mut problems);
                check_member_traits(shape, member, &member_path, &mut problems);
                if let Some(value) = member.traits.default_value().filter(|value| !value.is_null()) {
                    match self.declared_default(shape, member) {
                        Ok(_) => check_default(shape, member, target, value, &member_path, &mut problems),
                        Err(error) => {
                            problems.push(error.at_path(format!("{member_path}.traits[\"smithy.api#default\"]")))
                        }
                    }
                }
            }
            if let ShapeKind::IntEnum(members) = &shape.kind {
                for member in members {
                    let value = member.traits.enum_value();
                    if value.and_then(Value::as_i64).is_none_or(|n| i32::try_from(n).is_err()) {
                        problems.push(problem(
                            shape,
                            format!("{path}.members.{}.traits[\"smithy.api#enumValue\"]", member.name),
                            format!(
                                "the intEnum value of `{}` must be an integer within -2^31..2^31, not {}",
                                member.name,
                                value.map_or("nothing".to_owned(), Value::to_string)
                            ),
                        ));
                    }
                }
            }
            if matches!(
                shape.kind,
                ShapeKind::List(_) | ShapeKind::Set(_) | ShapeKind::Map { .. }
            ) {
                let depth = self.collection_depth(&shape.id, &mut depths);
                if depth == MAX_COLLECTION_DEPTH + 1 {
                    problems.push(problem(
                        shape,
                        path.clone(),
                        format!(
                            "lists and maps are nested more than {MAX_COLLECTION_DEPTH} deep from here, the most \
                             generated code may have; put a structure between them"
                        ),
                    ));
                }
            }
            if let ShapeKind::Structure(members) = &shape.kind {
                check_payloads(shape, members, &path, &mut problems);
            }
        }
        let mut routes: BTreeMap<(String, String, Vec<String>), &ShapeId> = BTreeMap::new();
        for (shape, operation) in self.operations() {
            let path = format!("$.shapes[{:?}]", shape.id.as_str());
            for (index, error) in operation.errors.iter().enumerate() {
                if self.shape(error).traits.error().is_none() {
                    problems.push(problem(
                        shape,
                        format!("{path}.errors[{index}]"),
                        format!("the error `{error}` is not marked `@error`"),
                    ));
                }
            }
            self.check_operation_traits(shape, &operation.input, &path, &mut problems);
            if let Some(route) = self.check_http(shape, &operation.input, &path, &mut problems) {
                match routes.get(&route) {
                    Some(other) => problems.push(problem(
                        shape,
                        format!("{path}.traits[\"smithy.api#http\"]"),
                        format!(
                            "the route `{} {}` is also the route of `{other}`: a server could not tell their requests apart",
                            route.0, route.1
                        ),
                    )),
                    None => {
                        routes.insert(route, &shape.id);
                    }
                }
            }
        }
        match Error::all(problems) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Checks an operation's `httpChecksum`, `@requestCompression` and `@staticContextParams`
    /// against what the runtime reads of them.
    fn check_operation_traits(&self, shape: &Shape, input: &ShapeId, path: &str, problems: &mut Vec<Error>) {
        let members = match &self.shape(input).kind {
            ShapeKind::Structure(members) => members.as_slice(),
            _ => &[],
        };
        if let Some(checksum) = shape.traits.get("aws.protocols#httpChecksum") {
            let at = format!("{path}.traits[\"aws.protocols#httpChecksum\"]");
            for key in ["requestAlgorithmMember", "requestValidationModeMember"] {
                let Some(name) = checksum.get(key) else { continue };
                let member = name
                    .as_str()
                    .and_then(|name| members.iter().find(|member| member.name == name));
                let is_text = member.is_some_and(|member| {
                    matches!(
                        self.shape(&member.target).kind,
                        ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_)
                    )
                });
                if !is_text {
                    problems.push(problem(
                        shape,
                        format!("{at}.{key}"),
                        format!("`{key}` must name a string or enum member of the input `{input}`, not {name}"),
                    ));
                }
            }
            match checksum.get("responseAlgorithms") {
                None => {}
                Some(Value::Array(names)) => {
                    // An algorithm the runtime does not know is kept: a client refuses it when a
                    // caller asks for it, and passes over it in responses.
                    for (index, name) in names.iter().enumerate() {
                        if name.as_str().is_none_or(|name| name.trim().is_empty()) {
                            problems.push(problem(
                                shape,
                                format!("{at}.responseAlgorithms[{index}]"),
                                format!("a checksum algorithm is named by a non-empty string, not {name}"),
                            ));
                        }
                    }
                }
                Some(other) => problems.push(problem(
                    shape,
                    format!("{at}.responseAlgorithms"),
                    format!("`responseAlgorithms` must be a list of algorithm names, not {other}"),
                )),
            }
        }
        if let Some(compression) = shape.traits.get("smithy.api#requestCompression") {
            let at = format!("{path}.traits[\"smithy.api#requestCompression\"].encodings");
            match compression.get("encodings").and_then(Value::as_array) {
                Some(encodings) if !encodings.is_empty() => {
                    for (index, encoding) in encodings.iter().enumerate() {
                        if !encoding.as_str().is_some_and(|name| name.eq_ignore_ascii_case("gzip")) {
                            problems.push(problem(
                                shape,
                                format!("{at}[{index}]"),
                                format!("{encoding} is not a request compression encoding Smithy defines (`gzip`)"),
                            ));
                        }
                    }
                }
                _ => problems.push(problem(
                    shape,
                    at,
                    "`encodings` must list at least one encoding, such as `gzip`",
                )),
            }
        }
        if let Some(Value::Object(params)) = shape.traits.get("smithy.rules#staticContextParams") {
            for (name, param) in params {
                let value = param.get("value");
                let valid = match value {
                    Some(Value::Bool(_) | Value::String(_)) => true,
                    Some(Value::Array(items)) => items.iter().all(Value::is_string),
                    _ => false,
                };
                if !valid {
                    problems.push(problem(
                        shape,
                        format!("{path}.traits[\"smithy.rules#staticContextParams\"][{name:?}].value"),
                        format!(
                            "the endpoint parameter `{name}` must be a boolean, a string or a list of strings, not {}",
                            value.map_or("nothing".to_owned(), Value::to_string)
                        ),
                    ));
                }
            }
        }
    }

    /// Refuses lists and maps that hold themselves with no structure or union between: such a
    /// value has no end (Smithy forbids the recursion), and no Rust type can be it.
    pub(crate) fn check_collection_cycles(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut done = std::collections::HashSet::new();
        for shape in self.model.shapes.values() {
            let mut chain: Vec<&ShapeId> = Vec::new();
            let mut current = &shape.id;
            loop {
                if done.contains(current) {
                    break;
                }
                if let Some(start) = chain.iter().position(|id| *id == current) {
                    let cycle: Vec<String> = chain[start..].iter().map(|id| format!("`{id}`")).collect();
                    let first = self.shape(chain[start]);
                    problems.push(problem(
                        first,
                        format!("$.shapes[{:?}]", first.id.as_str()),
                        format!(
                            "lists and maps hold themselves with no structure or union between ({} and back): \
                             such a value never ends",
                            cycle.join(" → ")
                        ),
                    ));
                    break;
                }
                let Some(next) = self.get(current).and_then(|shape| match &shape.kind {
                    ShapeKind::List(member) | ShapeKind::Set(member) => Some(&member.target),
                    ShapeKind::Map { value, .. } => Some(&value.target),
                    _ => None,
                }) else {
                    break;
                };
                chain.push(current);
                current = next;
            }
            done.extend(chain);
        }
        match Error::all(problems) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// How deep lists and maps nest from `id`: 0 for other shapes, which the generated code
    /// names, so that they end a nesting.
    fn collection_depth(&self, id: &ShapeId, memo: &mut HashMap<ShapeId, usize>) -> usize {
        // Iterative: a chain of thousands of lists must not exhaust the stack.
        let mut chain = Vec::new();
        let mut on_chain = std::collections::HashSet::new();
        let mut current = id.clone();
        let base = loop {
            if let Some(depth) = memo.get(&current) {
                break *depth;
            }
            let shape = self.shape(&current);
            let next = match &shape.kind {
                ShapeKind::List(member) | ShapeKind::Set(member) => member.target.clone(),
                ShapeKind::Map { value, .. } => value.target.clone(),
                _ => break 0,
            };
            if !on_chain.insert(current.clone()) {
                // A collection that holds itself is refused by the reference checks' rules on
                // recursion; here it only ends the walk.
                break 0;
            }
            chain.push(current);
            current = next;
        };
        let mut depth = base;
        for id in chain.into_iter().rev() {
            depth += 1;
            memo.insert(id, depth);
        }
        memo.get(id).copied().unwrap_or(0)
    }

    /// Checks an operation's `@http` trait and its input's labels; returns its route (method,
    /// path pattern with labels blanked, literal query keys) when the trait is sound.
    fn check_http(
        &self,
        shape: &Shape,
        input: &ShapeId,
        path: &str,
        problems: &mut Vec<Error>,
    ) -> Option<(String, String, Vec<String>)> {
        let value = shape.traits.get("smithy.api#http")?;
        let trait_path = format!("{path}.traits[\"smithy.api#http\"]");
        let before = problems.len();
        let Some(object) = value.as_object() else {
            problems.push(problem(
                shape,
                trait_path,
                "`@http` must be an object with a method and a URI",
            ));
            return None;
        };
        let method = object.get("method").and_then(Value::as_str);
        match method {
            None => problems.push(problem(
                shape,
                format!("{trait_path}.method"),
                "`@http` needs a `method` string, such as \"GET\"",
            )),
            Some(method) if !is_token(method) => problems.push(problem(
                shape,
                format!("{trait_path}.method"),
                format!("the HTTP method {method:?} is not a valid method name"),
            )),
            Some(_) => {}
        }
        let uri = object.get("uri").and_then(Value::as_str);
        match uri {
            None => problems.push(problem(
                shape,
                format!("{trait_path}.uri"),
                "`@http` needs a `uri` string, such as \"/things/{id}\"",
            )),
            Some(uri) if !uri.starts_with('/') || uri.contains("//") || uri.contains('#') => problems.push(problem(
                shape,
                format!("{trait_path}.uri"),
                format!("the URI {uri:?} must start with `/`, with no empty segment and no fragment"),
            )),
            Some(_) => {}
        }
        if let Some(code) = object.get("code") {
            if !code.as_u64().is_some_and(|code| (100..=999).contains(&code)) {
                problems.push(problem(
                    shape,
                    format!("{trait_path}.code"),
                    format!("the HTTP status code {code} is not within 100..=999"),
                ));
            }
        }
        let http = shape.traits.http().filter(|_| problems.len() == before)?;
        let (segments, query) = http.template();
        let mut labels = Vec::new();
        for (index, segment) in segments.iter().enumerate() {
            match segment {
                TemplateSegment::Label(name) | TemplateSegment::Greedy(name) => {
                    if labels.contains(name) {
                        problems.push(problem(
                            shape,
                            format!("{trait_path}.uri"),
                            format!("the label `{{{name}}}` appears twice in the URI"),
                        ));
                    }
                    if matches!(segment, TemplateSegment::Greedy(_)) && index + 1 != segments.len() {
                        // Greedy labels may be followed by literals; only one is allowed.
                        if segments[index + 1..]
                            .iter()
                            .any(|later| matches!(later, TemplateSegment::Greedy(_)))
                        {
                            problems.push(problem(
                                shape,
                                format!("{trait_path}.uri"),
                                "a URI may have one greedy label only",
                            ));
                        }
                    }
                    labels.push(name.clone());
                }
                TemplateSegment::Literal(text) if text.contains('{') || text.contains('}') => problems.push(problem(
                    shape,
                    format!("{trait_path}.uri"),
                    format!("the URI segment {text:?} is not a literal or a whole `{{label}}`"),
                )),
                TemplateSegment::Literal(_) => {}
            }
        }
        let input_shape = self.shape(input);
        let input_path = format!("$.shapes[{:?}]", input.as_str());
        let bound: Vec<&Member> = input_shape
            .kind
            .members()
            .into_iter()
            .filter(|member| member.traits.http_binding() == Some(HttpBinding::Label))
            .collect();
        for label in &labels {
            if !bound.iter().any(|member| member.name == *label) {
                problems.push(problem(
                    shape,
                    format!("{trait_path}.uri"),
                    format!("the label `{{{label}}}` is bound to no member of `{input}` with `@httpLabel`"),
                ));
            }
        }
        for member in bound {
            if !labels.contains(&member.name) {
                problems.push(problem(
                    input_shape,
                    format!("{input_path}.members.{}", member.name),
                    format!(
                        "member `{}` is an `@httpLabel`, but the URI of `{}` ({:?}) has no label `{{{}}}`",
                        member.name, shape.id, http.uri, member.name
                    ),
                ));
            }
        }
        let pattern: Vec<String> = segments
            .iter()
            .map(|segment| match segment {
                TemplateSegment::Literal(text) => text.clone(),
                TemplateSegment::Label(_) => "{}".to_owned(),
                TemplateSegment::Greedy(_) => "{+}".to_owned(),
            })
            .collect();
        let mut keys: Vec<String> = query
            .into_iter()
            .map(|(key, value)| format!("{key}={}", value.unwrap_or_default()))
            .collect();
        keys.sort();
        Some((
            http.method.to_ascii_uppercase(),
            format!("/{}", pattern.join("/")),
            keys,
        ))
    }
}

/// The members of a shape with their JSON paths.
fn members_with_paths<'s>(shape: &'s Shape, path: &str) -> Vec<(&'s Member, String)> {
    match &shape.kind {
        ShapeKind::List(member) | ShapeKind::Set(member) => vec![(member, format!("{path}.member"))],
        ShapeKind::Map { key, value } => vec![(key, format!("{path}.key")), (value, format!("{path}.value"))],
        ShapeKind::Structure(members) | ShapeKind::Union(members) => members
            .iter()
            .map(|member| (member, format!("{path}.members.{}", member.name)))
            .collect(),
        _ => Vec::new(),
    }
}

fn problem(shape: &Shape, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidModel, message)
        .at_path(path)
        .for_shape(&shape.id)
}

/// `@length`, `@range` and `@pattern` on a shape or one of its members.
fn check_constraints(
    shape: &Shape,
    member: Option<&Member>,
    traits: &crate::model::Traits,
    path: &str,
    problems: &mut Vec<Error>,
) {
    let what = member.map_or_else(String::new, |member| format!("member `{}`: ", member.name));
    if let Some((Some(min), Some(max))) = traits.length() {
        if min > max {
            problems.push(problem(
                shape,
                format!("{path}.traits[\"smithy.api#length\"]"),
                format!("{what}`@length` has min {min} above max {max}"),
            ));
        }
    }
    if let Some(value) = traits.get("smithy.api#length") {
        let bad = ["min", "max"]
            .into_iter()
            .find(|key| value.get(key).is_some_and(|bound| bound.as_u64().is_none()));
        if let Some(key) = bad {
            problems.push(problem(
                shape,
                format!("{path}.traits[\"smithy.api#length\"].{key}"),
                format!("{what}`@length` bounds are whole numbers of zero or more"),
            ));
        }
    }
    if let Some((Some(min), Some(max))) = traits.range() {
        if min.as_f64().zip(max.as_f64()).is_some_and(|(min, max)| min > max) {
            problems.push(problem(
                shape,
                format!("{path}.traits[\"smithy.api#range\"]"),
                format!("{what}`@range` has min {min} above max {max}"),
            ));
        }
    }
    if let Some(pattern) = traits.get("smithy.api#pattern") {
        // Only a pattern that is no regular expression at all is a problem of the model; one the
        // runtime cannot check is left out of the generated checks, which say so
        // (`crate::unchecked_pattern`).
        match pattern.as_str() {
            Some(text) => {
                if let Some(reason) = smithy_runtime::validate::Pattern::malformed(text) {
                    problems.push(problem(
                        shape,
                        format!("{path}.traits[\"smithy.api#pattern\"]"),
                        format!("{what}the `@pattern` {text:?} is not a regular expression: {reason}"),
                    ));
                }
            }
            None => problems.push(problem(
                shape,
                format!("{path}.traits[\"smithy.api#pattern\"]"),
                format!("{what}`@pattern` must be a string"),
            )),
        }
    }
}

/// The HTTP binding traits of a member: header names.
fn check_member_traits(shape: &Shape, member: &Member, path: &str, problems: &mut Vec<Error>) {
    for (name, allow_empty) in [("smithy.api#httpHeader", false), ("smithy.api#httpPrefixHeaders", true)] {
        let Some(value) = member.traits.get(name) else {
            continue;
        };
        let valid = value
            .as_str()
            .is_some_and(|header| (allow_empty && header.is_empty()) || is_token(header));
        if !valid {
            problems.push(problem(
                shape,
                format!("{path}.traits[\"{name}\"]"),
                format!("member `{}`: {value} is not a valid HTTP header name", member.name),
            ));
        }
    }
}

/// At most one `@httpPayload` member, and then no other member in the body.
fn check_payloads(shape: &Shape, members: &[Member], path: &str, problems: &mut Vec<Error>) {
    let payloads: Vec<&Member> = members
        .iter()
        .filter(|member| member.traits.http_binding() == Some(HttpBinding::Payload))
        .collect();
    if payloads.len() > 1 {
        problems.push(problem(
            shape,
            format!("{path}.members.{}", payloads[1].name),
            format!(
                "members `{}` and `{}` are both `@httpPayload`; a message has one payload",
                payloads[0].name, payloads[1].name
            ),
        ));
    }
    if let Some(payload) = payloads.first() {
        if let Some(other) = members
            .iter()
            .find(|member| member.traits.http_binding().is_none() && !member.traits.is_host_label())
        {
            problems.push(problem(
                shape,
                format!("{path}.members.{}", other.name),
                format!(
                    "member `{}` would go in the body, which `@httpPayload` member `{}` takes whole; bind it to \
                     the HTTP message",
                    other.name, payload.name
                ),
            ));
        }
    }
}

/// A `@default` value of the member's type and within its range.
fn check_default(shape: &Shape, member: &Member, target: &Shape, value: &Value, path: &str, problems: &mut Vec<Error>) {
    let path = format!("{path}.traits[\"smithy.api#default\"]");
    let integer_range = match &target.kind {
        ShapeKind::Simple(Simple::Byte) => Some((i64::from(i8::MIN), i64::from(i8::MAX))),
        ShapeKind::Simple(Simple::Short) => Some((i64::from(i16::MIN), i64::from(i16::MAX))),
        ShapeKind::Simple(Simple::Integer) | ShapeKind::IntEnum(_) => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        ShapeKind::Simple(Simple::Long) => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    let message = if let Some((min, max)) = integer_range {
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => None,
            _ => Some(format!(
                "the default {value} of member `{}` is not an integer within the range of a {} ({min}..={max})",
                member.name,
                target.kind.type_name()
            )),
        }
    } else {
        match (&target.kind, value) {
            (ShapeKind::Simple(Simple::Float), Value::Number(n)) => {
                n.as_f64().filter(|n| n.abs() > f64::from(f32::MAX)).map(|_| {
                    format!(
                        "the default {value} of member `{}` is too large for a float",
                        member.name
                    )
                })
            }
            (ShapeKind::Simple(Simple::Timestamp), Value::String(text)) if !is_date_time(text) => Some(format!(
                "the default {value} of member `{}` is not an RFC 3339 date-time such as \"1985-04-12T23:20:50.52Z\"",
                member.name
            )),
            (ShapeKind::Simple(Simple::Timestamp), Value::Number(n)) if !n.as_f64().is_some_and(f64::is_finite) => {
                Some(format!(
                    "the default {value} of member `{}` is not a timestamp",
                    member.name
                ))
            }
            (ShapeKind::Enum(members), Value::String(text)) => {
                let known = members.iter().any(|enum_member| {
                    enum_member
                        .traits
                        .enum_value()
                        .and_then(Value::as_str)
                        .unwrap_or(&enum_member.name)
                        == text
                });
                (!known).then(|| {
                    format!(
                        "the default {value} of member `{}` is not a value of `{}`",
                        member.name, target.id
                    )
                })
            }
            _ => None,
        }
    };
    if let Some(message) = message {
        problems.push(problem(shape, path, message));
    }
}

/// Whether `text` is an HTTP token (RFC 9110): a method or header name.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Whether `text` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits =
        |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|part| part.iter().all(u8::is_ascii_digit));
    if bytes.len() < 20
        || !digits(0..4)
        || bytes[4] != b'-'
        || !digits(5..7)
        || bytes[7] != b'-'
        || !digits(8..10)
        || !matches!(bytes[10], b'T' | b't')
        || !digits(11..13)
        || bytes[13] != b':'
        || !digits(14..16)
        || bytes[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(99);
    let (month, day, hour, minute, second) = (
        number(5..7),
        number(8..10),
        number(11..13),
        number(14..16),
        number(17..19),
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return false;
        }
        rest = &fraction[length..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|byte| byte.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_date_times() {
        assert!(is_token("GET") && is_token("X-Amz-Target") && !is_token("GE T") && !is_token(""));
        assert!(!is_token("X:H"));
        assert!(is_date_time("1985-04-12T23:20:50.52Z"));
        assert!(is_date_time("2000-01-01T00:00:00+01:00"));
        assert!(!is_date_time("yesterday"));
        assert!(!is_date_time("2000-13-01T00:00:00Z"));
        assert!(!is_date_time("2000-01-01T00:00:00"));
    }
}
