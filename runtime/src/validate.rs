//! Validation: the model's constraint traits (`@required`, `@length`, `@range`, `@pattern`,
//! `@uniqueItems`, and for servers enum values) checked on a value and everything in it, by
//! walking it with its schema. Every violation is reported with its member path, worded as
//! Smithy services word it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex};

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

/// The compiled `@pattern`s, shared by every check. A pattern that does not compile (which
/// the generator refuses, through [`Pattern::new`]) lets every value pass.
fn pattern_matches(pattern: &'static str, text: &str) -> bool {
    type Compiled = HashMap<&'static str, Option<Arc<Pattern>>>;
    static CACHE: LazyLock<Mutex<Compiled>> = LazyLock::new(Mutex::default);
    let compiled = {
        let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .entry(pattern)
            .or_insert_with(|| Pattern::new(pattern).ok().map(Arc::new))
            .clone()
    };
    compiled.is_none_or(|compiled| compiled.is_match(text))
}

/// A compiled `@pattern`: an ECMA-262 regular expression as Smithy writes it, also with the
/// POSIX classes of Java's (`\p{Print}`, `\p{ASCII}`, ...) that AWS models use. Patterns
/// without look-around or back-references run on the `regex` crate's automata, in linear time;
/// the others on `fancy-regex`'s backtracking, within its backtracking limit.
#[derive(Debug)]
pub struct Pattern(Compiled);

#[derive(Debug)]
enum Compiled {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

impl Pattern {
    /// Compiles `pattern`, or says why it cannot be checked.
    pub fn new(pattern: &str) -> Result<Self, String> {
        Self::check_syntax(pattern)?;
        let translated = translate_pattern(pattern);
        // The size limit is the `regex` crate's default times ten: bounded repetitions of
        // Unicode classes (`^.{1,100000}$`) are large, and are compiled once, when first used.
        let linear = regex::RegexBuilder::new(&translated).size_limit(100 << 20).build();
        match linear {
            Ok(regex) => Ok(Self(Compiled::Linear(regex))),
            Err(linear) => match fancy_regex::Regex::new(&translated) {
                Ok(regex) => Ok(Self(Compiled::Backtracking(regex))),
                Err(_) => Err(linear.to_string().lines().last().unwrap_or_default().trim().to_owned()),
            },
        }
    }

    /// Whether `pattern` is a regular expression [`Pattern::new`] can compile: what the generator
    /// checks. Patterns for the linear engine are checked by their syntax alone (compiling a
    /// large one takes long); those with look-around or back-references by compiling them.
    pub fn check_syntax(pattern: &str) -> Result<(), String> {
        let translated = translate_pattern(pattern);
        let Err(linear) = regex_syntax::Parser::new().parse(&translated) else {
            return Ok(());
        };
        // Only what the `regex` crate leaves out is for fancy-regex, which is laxer otherwise.
        let backtracking = matches!(
            &linear,
            regex_syntax::Error::Parse(error) if matches!(
                error.kind(),
                regex_syntax::ast::ErrorKind::UnsupportedLookAround
                    | regex_syntax::ast::ErrorKind::UnsupportedBackreference
            )
        );
        // fancy-regex is checked by compiling: its parser accepts look-behinds it cannot run.
        if backtracking {
            return fancy_regex::Regex::new(&translated)
                .map(drop)
                .map_err(|error| error.to_string());
        }
        Err(linear.to_string().lines().last().unwrap_or_default().trim().to_owned())
    }

    /// Why `pattern` is not a regular expression in any dialect a model may use (an unclosed
    /// group or set, nothing to repeat, a repetition or range whose bounds are out of order),
    /// or `None`. A pattern that is well-formed but uses what this runtime cannot check is not
    /// malformed: see [`Pattern::check_syntax`].
    pub fn malformed(pattern: &str) -> Option<String> {
        use regex_syntax::ast::ErrorKind;
        let error = regex_syntax::ast::parse::Parser::new()
            .parse(&translate_pattern(pattern))
            .err()?;
        matches!(
            error.kind(),
            ErrorKind::ClassUnclosed
                | ErrorKind::GroupUnclosed
                | ErrorKind::GroupUnopened
                | ErrorKind::RepetitionMissing
                | ErrorKind::RepetitionCountInvalid
                | ErrorKind::ClassRangeInvalid
        )
        .then(|| error.kind().to_string())
    }

    /// Whether `text` matches somewhere (a pattern is not anchored unless it says so). Text
    /// that takes a backtracking pattern past its limit does not match.
    pub fn is_match(&self, text: &str) -> bool {
        match &self.0 {
            Compiled::Linear(regex) => regex.is_match(text),
            Compiled::Backtracking(regex) => regex.is_match(text).unwrap_or(false),
        }
    }
}

/// The character of an octal escape after its `\0`: up to three octal digits at the start of
/// `chars` (two when a third would pass 0o377), which it consumes; none is NUL.
fn octal_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> u32 {
    let mut value = 0u32;
    for _ in 0..3 {
        match chars.peek().and_then(|c| c.to_digit(8)) {
            Some(digit) if value * 8 + digit <= 0o377 => {
                value = value * 8 + digit;
                chars.next();
            }
            _ => break,
        }
    }
    value
}

/// Consumes a quantifier (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy or
/// possessive) at the start of `chars` and returns its minimum, or consumes nothing.
fn skip_quantifier(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u64> {
    let mut ahead = chars.clone();
    let min = match ahead.next()? {
        '*' | '?' => 0,
        '+' => 1,
        '{' => {
            let text: String = ahead.by_ref().take_while(|c| *c != '}').collect();
            let (min, max) = text.split_once(',').unwrap_or((&text, "0"));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(min) || !(max.is_empty() || digits(max)) {
                return None;
            }
            min.parse().unwrap_or(u64::MAX)
        }
        _ => return None,
    };
    if matches!(ahead.peek(), Some('?' | '+')) {
        ahead.next();
    }
    *chars = ahead;
    Some(min)
}

/// The value of four hexadecimal digits at the start of `chars`, which it consumes.
fn hex4(chars: &mut impl Iterator<Item = char>) -> Option<u16> {
    let mut value = 0u16;
    for _ in 0..4 {
        value = value * 16 + chars.next()?.to_digit(16)? as u16;
    }
    Some(value)
}

/// `pattern` in the syntax of the `regex` crate:
/// - Java's POSIX classes become ASCII ranges, and its other named classes (`\p{LD}`,
///   `\p{all}`, `\p{L1}`, `\p{javaLowerCase}`, ...) their Unicode equivalents, negated by `\P`;
/// - `\0` with up to three octal digits (Java's octal escape, and ECMA-262's legacy one) is the
///   character it names;
/// - a quantified look-around (`(?!x)+`) is the look-around itself, or nothing when the
///   quantifier allows zero repetitions, as ECMA-262 defines it;
/// - a `-` that follows a class escape in a set (`[\w-_]`) is a literal, as in ECMA-262.
fn translate_pattern(pattern: &str) -> String {
    const POSIX: &[(&str, &str)] = &[
        ("Print", r"\x20-\x7E"),
        ("Graph", r"\x21-\x7E"),
        ("ASCII", r"\x00-\x7F"),
        ("Alpha", "a-zA-Z"),
        ("Digit", "0-9"),
        ("Alnum", "a-zA-Z0-9"),
        ("Upper", "A-Z"),
        ("Lower", "a-z"),
        ("XDigit", "0-9a-fA-F"),
        ("Punct", r"!-/:-@\[-`{-~"),
        ("Space", r" \t\n\x0B\f\r"),
        ("Blank", r" \t"),
        ("Cntrl", r"\x00-\x1F\x7F"),
        // Java's own classes.
        ("LD", r"\p{L}\p{Nd}"),
        ("all", r"\x{0}-\x{10FFFF}"),
        ("L1", r"\x{0}-\x{FF}"),
        ("javaLowerCase", r"\p{Lowercase}"),
        ("javaUpperCase", r"\p{Uppercase}"),
        ("javaLetter", r"\p{L}"),
        ("javaDigit", r"\p{Nd}"),
        ("javaLetterOrDigit", r"\p{L}\p{Nd}"),
        ("javaAlphabetic", r"\p{Alphabetic}"),
    ];
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_set = false;
    let mut after_class_escape = false;
    // Where each open group starts in `out`, and whether it is a look-around.
    let mut groups: Vec<(usize, bool)> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let mut class = None;
                if matches!(next, 'p' | 'P') && chars.peek() == Some(&'{') {
                    let rest: String = chars.clone().skip(1).take_while(|c| *c != '}').collect();
                    if let Some((_, range)) = POSIX.iter().find(|(name, _)| *name == rest) {
                        for _ in 0..rest.chars().count() + 2 {
                            chars.next();
                        }
                        if next == 'P' {
                            // Negated: a set of its own, nested when inside a set.
                            let _ = write!(out, "[^{range}]");
                            after_class_escape = true;
                            continue;
                        }
                        class = Some(*range);
                    }
                }
                if next == '0' {
                    let _ = write!(out, "\\x{{{:X}}}", octal_escape(&mut chars));
                    after_class_escape = false;
                    continue;
                }
                // ECMA-262's `\w` and `\d` are ASCII (the `regex` crate's are Unicode's, and
                // large: `[\w]{1,256}` would not compile).
                class = class.or(match next {
                    'w' => Some("0-9A-Za-z_"),
                    'd' => Some("0-9"),
                    'W' if !in_set => Some("^0-9A-Za-z_"),
                    'D' if !in_set => Some("^0-9"),
                    _ => None,
                });
                if let Some(range) = class {
                    if in_set {
                        out.push_str(range);
                    } else {
                        out.push('[');
                        out.push_str(range);
                        out.push(']');
                    }
                    after_class_escape = true;
                    continue;
                }
                if next == 'u' {
                    if let Some(unit) = hex4(&mut chars.clone()) {
                        // UTF-16: a surrogate pair is one code point; a lone surrogate matches
                        // nothing a Rust string holds, so it stands for the replacement character.
                        chars.nth(3);
                        let mut point = u32::from(unit);
                        if (0xD800..0xDC00).contains(&unit) {
                            let mut ahead = chars.clone();
                            if ahead.next() == Some('\\') && ahead.next() == Some('u') {
                                if let Some(low @ 0xDC00..0xE000) = hex4(&mut ahead) {
                                    chars.nth(5);
                                    point = 0x10000 + ((point - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                                }
                            }
                        }
                        if (0xD800..0xE000).contains(&point) {
                            point = 0xFFFD;
                        }
                        let _ = write!(out, "\\x{{{point:X}}}");
                        after_class_escape = false;
                        continue;
                    }
                }
                out.push('\\');
                out.push(next);
                after_class_escape = matches!(next, 'W' | 'D' | 's' | 'S' | 'p' | 'P');
                continue;
            }
            '(' if !in_set => {
                let mut ahead = chars.clone();
                let look_around = ahead.next() == Some('?')
                    && match ahead.next() {
                        Some('=' | '!') => true,
                        Some('<') => matches!(ahead.next(), Some('=' | '!')),
                        _ => false,
                    };
                groups.push((out.len(), look_around));
                out.push(c);
            }
            ')' if !in_set => {
                out.push(c);
                if let Some((start, true)) = groups.pop() {
                    if let Some(min) = skip_quantifier(&mut chars) {
                        if min == 0 {
                            out.truncate(start);
                        }
                    }
                }
            }
            '[' if !in_set => {
                in_set = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_set => {
                in_set = false;
                out.push(c);
            }
            '-' if in_set && after_class_escape => out.push_str("\\-"),
            '[' if in_set => out.push_str("\\["),
            _ => out.push(c),
        }
        after_class_escape = false;
    }
    out
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

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern)
            .unwrap_or_else(|error| panic!("{pattern}: {error}"))
            .is_match(text)
    }

    #[test]
    fn patterns_of_aws_models_compile_and_check() {
        // Look-ahead, through fancy-regex.
        assert!(matches("^(?!aws:)[a-zA-Z+-=._:/]+$", "team"));
        assert!(!matches("^(?!aws:)[a-zA-Z+-=._:/]+$", "aws:team"));
        // Java's POSIX classes.
        assert!(matches(r"^\p{Print}+$", "a b~"));
        assert!(!matches(r"^\p{Print}+$", "a\u{7}"));
        assert!(matches(r"^[\p{ASCII}]+$", "abc") && !matches(r"^\p{ASCII}+$", "é"));
        // A `-` after a class escape is a literal.
        assert!(matches(r"^[\w-_]*$", "a-b_c") && !matches(r"^[\w-_]*$", "a b"));
        // ECMA-262's `\w` and `\d` are ASCII, and so small enough to repeat.
        assert!(matches(r"^[\w+=,.@-]{1,256}$", "role=1,x@y") && !matches(r"^[\w+=,.@-]{1,256}$", "a/b"));
        assert!(!matches(r"^\w+$", "é") && !matches(r"^\d$", "٣"));
        // Unicode categories.
        assert!(matches(r"^[\p{L}\p{N}]+$", "héllo9"));
        // UTF-16 surrogate pairs stand for one code point.
        let xml = r"^[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*$";
        assert!(matches(xml, "text 😀\n") && !matches(xml, "\u{1}"));
        // Java's named classes, negated too, in and out of sets.
        assert!(matches(r"^(\p{LD}|\p{Punct}| )+$", "Ab9 é!") && !matches(r"^(\p{LD}|\p{Punct}| )+$", "a\tb"));
        assert!(matches(r"^[\p{all}]*$", "any\u{0}thing 😀"));
        assert!(matches(r"^\P{LD}+$", "-- !") && !matches(r"^\P{LD}+$", "a"));
        assert!(matches(r"^[x\P{Alpha}]+$", "x1-") && !matches(r"^[x\P{Alpha}]+$", "y"));
        // Octal escapes: `\0` alone is NUL, then up to three octal digits.
        assert!(matches(r"^[^/:|\000-\037]+$", "name") && !matches(r"^[^/:|\000-\037]+$", "a\u{1f}b"));
        assert!(matches(r"^a\0$", "a\u{0}") && matches(r"^\0101$", "A") && matches(r"^\0400$", " 0"));
        // A quantified look-ahead is the look-ahead itself, or nothing when it may repeat zero times.
        let path = r"^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$";
        assert!(matches(path, "/a/b") && !matches(path, "/.a"));
        assert!(matches(r"^(?!a)*a$", "a") && matches(r"^(?=b){0,2}a$", "a"));
        assert!(!matches(r"^(?!a){2,}a$", "a") && !matches(r"^(?<!x)+a$", "b"));
        // Long bounded repetitions.
        assert!(matches("^.{1,100000}$", "x"));
        // Not regular expressions at all.
        assert!(Pattern::new("([a-z").is_err());
        assert!(Pattern::new("a{2,1}").is_err());
        for pattern in ["([a-z", "a{2,1}", r"\p{Nope}", "(?<=a+)b"] {
            assert!(Pattern::check_syntax(pattern).is_err(), "{pattern}");
        }
        // Malformed in every dialect, as against only beyond this runtime.
        for pattern in ["([a-z", "a{2,1}", "((", "[z-a]", "*a", "a)"] {
            assert!(Pattern::malformed(pattern).is_some(), "{pattern}");
        }
        for pattern in [r"\p{Nope}", "^(?=a)+(?<=a)b", r"(a)\1", "^[a-z]+$"] {
            assert_eq!(Pattern::malformed(pattern), None, "{pattern}");
        }
        for pattern in ["^(?!aws:)x$", r"^\p{Print}+$", r"(a)\1", "^.{1,100000}$"] {
            assert_eq!(Pattern::check_syntax(pattern), Ok(()), "{pattern}");
        }
    }
}
