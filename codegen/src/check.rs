//! The checks a model must pass before code is generated from it, beyond its references: the
//! HTTP bindings (methods, URIs, status codes, header names, labels, payloads, routes), the
//! constraint traits (`@length`, `@range`, `@pattern`), default values and enum values within
//! their types, errors marked `@error`, and collections nested no deeper than the compiler
//! copes with. Every problem of the shapes the generator is asked for is reported at once, each
//! with its JSON path and shape id.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result, ShapePath};
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
            let path = ShapePath::shape(&shape.id);
            let members = match &shape.kind {
                ShapeKind::Enum(_) | ShapeKind::IntEnum(_) => Vec::new(),
                _ => ShapePath::members(shape),
            };
            for (member, member_path) in members {
                let target = self.shape(&member.target);
                check_member_traits(shape, member, member_path, &mut problems);
                if let Some(value) = member.traits.default_value().filter(|value| !value.is_null()) {
                    match self.declared_default(shape, member) {
                        Ok(_) => check_default(shape, member, target, value, member_path, &mut problems),
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
                        path.to_string(),
                        format!(
                            "lists and maps are nested more than {MAX_COLLECTION_DEPTH} deep from here, the most \
                             generated code may have; put a structure between them"
                        ),
                    ));
                }
            }
            if let ShapeKind::Structure(members) = &shape.kind {
                check_payloads(shape, members, path, &mut problems);
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

    /// Checks that an operation's `httpChecksum` names members of its input that can hold an
    /// algorithm's name (the value itself is its reader's to check).
    fn check_operation_traits(&self, shape: &Shape, input: &ShapeId, path: &str, problems: &mut Vec<Error>) {
        let members = match &self.shape(input).kind {
            ShapeKind::Structure(members) => members.as_slice(),
            _ => &[],
        };
        let checksum = shape
            .traits
            .get("aws.protocols#httpChecksum")
            .and_then(|value| crate::trait_values::http_checksum(value).ok());
        if let Some(checksum) = checksum {
            let at = format!("{path}.traits[\"aws.protocols#httpChecksum\"]");
            for (key, name) in [
                ("requestAlgorithmMember", checksum.request_algorithm_member),
                ("requestValidationModeMember", checksum.request_validation_mode_member),
            ] {
                let Some(name) = name else { continue };
                let is_text = members.iter().find(|member| member.name == name).is_some_and(|member| {
                    matches!(
                        self.shape(&member.target).kind,
                        ShapeKind::Simple(Simple::String) | ShapeKind::Enum(_)
                    )
                });
                if !is_text {
                    problems.push(problem(
                        shape,
                        format!("{at}.{key}"),
                        format!("`{key}` must name a string or enum member of the input `{input}`, not {name:?}"),
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
        // A value its reader refuses is reported by the trait check.
        let http = crate::trait_values::http(value).ok()?;
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

fn problem(shape: &Shape, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidModel, message)
        .at_path(path)
        .for_shape(&shape.id)
}

/// The HTTP binding traits of a member: header names.
fn check_member_traits(shape: &Shape, member: &Member, path: ShapePath<'_>, problems: &mut Vec<Error>) {
    for (name, allow_empty) in [("smithy.api#httpHeader", false), ("smithy.api#httpPrefixHeaders", true)] {
        let Some(value) = member.traits.get(name) else {
            continue;
        };
        let valid = value
            .as_str()
            .is_some_and(|header| (allow_empty && header.is_empty()) || crate::trait_values::is_token(header));
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
fn check_payloads(shape: &Shape, members: &[Member], path: ShapePath<'_>, problems: &mut Vec<Error>) {
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
fn check_default(
    shape: &Shape,
    member: &Member,
    target: &Shape,
    value: &Value,
    path: ShapePath<'_>,
    problems: &mut Vec<Error>,
) {
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
        assert!(
            crate::trait_values::is_token("GET")
                && crate::trait_values::is_token("X-Amz-Target")
                && !crate::trait_values::is_token("GE T")
                && !crate::trait_values::is_token("")
        );
        assert!(!crate::trait_values::is_token("X:H"));
        assert!(is_date_time("1985-04-12T23:20:50.52Z"));
        assert!(is_date_time("2000-01-01T00:00:00+01:00"));
        assert!(!is_date_time("yesterday"));
        assert!(!is_date_time("2000-13-01T00:00:00Z"));
        assert!(!is_date_time("2000-01-01T00:00:00"));
    }
}
