//! Validation: the model's constraint traits (`@required`, `@length`, `@range`, `@pattern`,
//! `@uniqueItems`, and for servers enum values) checked on a value and everything in it, by
//! walking it with its schema. Every violation is reported with its member path, worded as
//! Smithy services word it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{LazyLock, Mutex};

use crate::schema::{Bounds, EnumValue, Flags, Member, Schema, ShapeType, Traits};
use crate::shape::{Value, Variant, View};

/// A value broke constraints of the model (`@required`, `@length`, `@range`, `@pattern`,
/// `@uniqueItems`, enum values). It lists every violation, not just the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    violations: Vec<Violation>,
}

impl ValidationError {
    /// An error of these violations.
    pub fn new(violations: Vec<Violation>) -> Self {
        Self { violations }
    }

    /// Every violation, in the order the members were checked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.violations.len();
        write!(
            f,
            "{count} validation error{} detected.",
            if count == 1 { "" } else { "s" }
        )?;
        for (index, violation) in self.violations.iter().enumerate() {
            write!(f, "{}{violation}", if index == 0 { " " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// One broken constraint: where (`/member/2/name`: member names, list positions and map
/// keys), which constraint, and the message, worded as Smithy services word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The member path: `/` and a member name, list position or map key per step.
    pub path: String,
    /// The constraint: `required`, `length`, `range`, `pattern`, `uniqueItems` or `enum`.
    pub constraint: &'static str,
    /// What is wrong, such as `Value at '/name' failed to satisfy constraint: Member must not be null`.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Who checks: a client checks what the model constrains; a server also refuses enum values
/// outside the model's set, which a client keeps for forward compatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Checks {
    Client,
    Server,
}

/// Checks `value` (of `schema`) and everything in it.
pub fn validate(value: &dyn Value, schema: &'static Schema, checks: Checks) -> Result<(), ValidationError> {
    let mut walk = Walk {
        checks,
        required_only: false,
        violations: Vec::new(),
    };
    walk.value(value.view(), None, schema, &mut String::new());
    if walk.violations.is_empty() {
        Ok(())
    } else {
        Err(ValidationError::new(walk.violations))
    }
}

/// The required members a structure value lacks, by path: what a client checks before it
/// sends an input.
pub fn missing_required(value: &dyn Value, schema: &'static Schema) -> Vec<Violation> {
    let mut walk = Walk {
        checks: Checks::Client,
        required_only: true,
        violations: Vec::new(),
    };
    walk.value(value.view(), None, schema, &mut String::new());
    walk.violations
}

struct Walk {
    checks: Checks,
    /// Only required members are checked, not the constraint traits.
    required_only: bool,
    violations: Vec<Violation>,
}

fn violation(path: &str, constraint: &'static str, value: &str, rule: String) -> Violation {
    Violation {
        path: path.to_owned(),
        constraint,
        message: format!("Value{value} at '{path}' failed to satisfy constraint: Member must {rule}"),
    }
}

/// The words for a `min`/`max` pair, such as `between 1 and 8, inclusive`.
fn bounds<T: std::fmt::Display + Copy>(bounds: Bounds<T>) -> String {
    match (bounds.min, bounds.max) {
        (Some(min), Some(max)) => format!("between {min} and {max}, inclusive"),
        (Some(min), None) => format!("greater than or equal to {min}"),
        (None, Some(max)) => format!("less than or equal to {max}"),
        (None, None) => String::new(),
    }
}

/// The compiled `@pattern`s, shared by every check; `None` for a pattern the `regex` crate
/// cannot run (look-around, back-references), which is then not checked.
fn pattern_matches(pattern: &'static str, text: &str) -> bool {
    static CACHE: LazyLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = LazyLock::new(Mutex::default);
    let regex = {
        let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .entry(pattern)
            .or_insert_with(|| regex::Regex::new(pattern).ok())
            .clone()
    };
    regex.is_none_or(|regex| regex.is_match(text))
}

impl Walk {
    /// Walks a value: checks its constraints (unless only required members are asked for),
    /// then its members, items and entries. `path` is the value's member path; it is extended
    /// for each member and restored.
    fn value(&mut self, view: View<'_>, member: Option<&'static Member>, schema: &'static Schema, path: &mut String) {
        let traits = member.map_or(&schema.traits, |member| &member.traits);
        if !self.required_only {
            self.constraints(view, traits, schema, path);
        }
        let length = path.len();
        match view {
            View::Structure(value) => {
                for (index, member) in schema.members.iter().enumerate() {
                    // A stream's constraints are not the value's (its presence still counts).
                    if member.traits.has(Flags::STREAMING) && !self.required_only {
                        continue;
                    }
                    path.push('/');
                    path.push_str(member.name);
                    match value.member(index) {
                        Some(value) => self.value(value.view(), Some(member), member.target, path),
                        None if member.is_required() => self.violations.push(crate::codec::missing_member(path)),
                        None => {}
                    }
                    path.truncate(length);
                }
            }
            View::Union(value) => {
                if let Variant::Member(index, Some(value)) = value.variant() {
                    if let Some(member) = schema.members.get(index) {
                        path.push('/');
                        path.push_str(member.name);
                        self.value(value.view(), Some(member), member.target, path);
                        path.truncate(length);
                    }
                }
            }
            View::List(list) => {
                let Some(item) = schema.item() else { return };
                if !self.required_only
                    && (traits.has(Flags::UNIQUE_ITEMS) || schema.traits.has(Flags::UNIQUE_ITEMS))
                    && !unique(list, item.target)
                {
                    self.violations
                        .push(violation(path, "uniqueItems", "", "have unique values".to_owned()));
                }
                for index in 0..list.len() {
                    if let Some(value) = list.get(index) {
                        let view = value.view();
                        if !matches!(view, View::Null) {
                            let _ = write!(path, "/{index}");
                            self.value(view, Some(item), item.target, path);
                            path.truncate(length);
                        }
                    }
                }
            }
            View::Map(map) => {
                let [key, item] = schema.members else { return };
                for (name, value) in map.entries() {
                    self.value(View::String(name), Some(key), key.target, path);
                    let view = value.view();
                    if !matches!(view, View::Null) {
                        path.push('/');
                        path.push_str(name);
                        self.value(view, Some(item), item.target, path);
                        path.truncate(length);
                    }
                }
            }
            _ => {}
        }
    }

    /// The constraint traits of one value: `@length`, `@range`, `@pattern`, and (for servers)
    /// enum values.
    fn constraints(&mut self, view: View<'_>, traits: &Traits, schema: &'static Schema, path: &str) {
        if let Some(length) = traits.length {
            let count = match view {
                View::String(text) => Some(text.chars().count()),
                View::Blob(bytes) => Some(bytes.len()),
                View::List(list) => Some(list.len()),
                View::Map(map) => Some(map.len()),
                _ => None,
            };
            if let Some(count) = count {
                let count = count as u64;
                if length.min.is_some_and(|min| count < min) || length.max.is_some_and(|max| count > max) {
                    let rule = format!("have length {}", bounds(length));
                    self.violations
                        .push(violation(path, "length", &format!(" with length {count}"), rule));
                }
            }
        }
        if let Some(range) = traits.range {
            let number = match view {
                View::Byte(value) => Some(f64::from(value)),
                View::Short(value) => Some(f64::from(value)),
                View::Integer(value) if schema.shape_type != ShapeType::IntEnum => Some(f64::from(value)),
                View::Long(value) => Some(value as f64),
                View::Float(value) => Some(f64::from(value)),
                View::Double(value) => Some(value),
                _ => None,
            };
            if let Some(number) = number {
                if number.is_nan()
                    || range.min.is_some_and(|min| number < min)
                    || range.max.is_some_and(|max| number > max)
                {
                    self.violations
                        .push(violation(path, "range", "", format!("be {}", bounds(range))));
                }
            }
        }
        if let (Some(pattern), View::String(text)) = (traits.pattern, view) {
            if schema.shape_type == ShapeType::String && !pattern_matches(pattern, text) {
                self.violations.push(violation(
                    path,
                    "pattern",
                    "",
                    format!("satisfy regular expression pattern: {pattern}"),
                ));
            }
        }
        if let (ShapeType::Enum, View::String(text), Checks::Server) = (schema.shape_type, view, self.checks) {
            let known = schema
                .members
                .iter()
                .any(|value| matches!(value.traits.enum_value, Some(EnumValue::String(known)) if known == text));
            if !known {
                let listed: Vec<&str> = schema
                    .members
                    .iter()
                    .filter(|value| !value.traits.has(Flags::INTERNAL))
                    .filter_map(|value| match value.traits.enum_value {
                        Some(EnumValue::String(text)) => Some(text),
                        _ => None,
                    })
                    .collect();
                self.violations.push(violation(
                    path,
                    "enum",
                    "",
                    format!("satisfy enum value set: [{}]", listed.join(", ")),
                ));
            }
        }
    }
}

/// Whether no two items of a list are equal.
fn unique(list: &dyn crate::shape::ListValue, item: &'static Schema) -> bool {
    let items: Vec<View<'_>> = (0..list.len())
        .map(|index| list.get(index).map_or(View::Null, Value::view))
        .collect();
    items
        .iter()
        .enumerate()
        .all(|(index, a)| items[..index].iter().all(|b| !same(*a, *b, item)))
}

/// Whether two values of `schema` are equal, member by member.
pub(crate) fn same(a: View<'_>, b: View<'_>, schema: &'static Schema) -> bool {
    match (a, b) {
        (View::Null, View::Null) => true,
        (View::Boolean(a), View::Boolean(b)) => a == b,
        (View::Byte(a), View::Byte(b)) => a == b,
        (View::Short(a), View::Short(b)) => a == b,
        (View::Integer(a), View::Integer(b)) => a == b,
        (View::Long(a), View::Long(b)) => a == b,
        (View::Float(a), View::Float(b)) => a == b,
        (View::Double(a), View::Double(b)) => a == b,
        (View::String(a), View::String(b)) | (View::BigNumber(a), View::BigNumber(b)) => a == b,
        (View::Blob(a), View::Blob(b)) => a == b,
        (View::Timestamp(a), View::Timestamp(b)) => a == b,
        (View::Document(a), View::Document(b)) => a == b,
        (View::List(a), View::List(b)) => {
            let item = schema.item().map_or(schema, |item| item.target);
            a.len() == b.len()
                && (0..a.len()).all(|index| {
                    same(
                        a.get(index).map_or(View::Null, Value::view),
                        b.get(index).map_or(View::Null, Value::view),
                        item,
                    )
                })
        }
        (View::Map(a), View::Map(b)) => {
            let item = schema.item().map_or(schema, |item| item.target);
            let (a, b) = (a.entries(), b.entries());
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va.view(), vb.view(), item))
        }
        (View::Structure(a), View::Structure(b)) => {
            schema
                .members
                .iter()
                .enumerate()
                .all(|(index, member)| match (a.member(index), b.member(index)) {
                    (None, None) => true,
                    (Some(a), Some(b)) => same(a.view(), b.view(), member.target),
                    _ => false,
                })
        }
        (View::Union(a), View::Union(b)) => match (a.variant(), b.variant()) {
            (Variant::Member(i, a), Variant::Member(j, b)) if i == j => match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => same(a.view(), b.view(), schema.members[i].target),
                _ => false,
            },
            (Variant::Unknown(a), Variant::Unknown(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}
