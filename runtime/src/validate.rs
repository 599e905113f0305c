//! Validation: the model's constraint traits (`@required`, `@length`, `@range`, `@pattern`,
//! `@uniqueItems`, and for servers enum values) checked on a value and everything in it, by
//! walking it with its schema. Every violation is reported with its member path, worded as
//! Smithy services word it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};

use crate::memory::RequestMemory;
pub use crate::pattern::Pattern;
use crate::schema::{Bounds, EnumValue, Flags, Member, Schema, ShapeType, Traits};
use crate::shape::{Value, Variant, View};

/// The most violations a check reports: past them it stops walking, and the error says that
/// more were cut. A hostile value (millions of empty strings under a `@length`) then costs
/// no more than this many messages.
pub const MAX_VIOLATIONS: usize = 100;

/// The most characters of an enum's value list a message repeats; a longer list ends in `...`.
pub const MAX_ENUM_LIST_CHARS: usize = 512;

/// A value broke constraints of the model (`@required`, `@length`, `@range`, `@pattern`,
/// `@uniqueItems`, enum values). It lists every violation, not just the first, up to
/// [`MAX_VIOLATIONS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    violations: Vec<Violation>,
    truncated: bool,
}

impl ValidationError {
    /// An error of these violations: the first [`MAX_VIOLATIONS`] of them, and whether there
    /// were more.
    pub fn new(mut violations: Vec<Violation>) -> Self {
        let truncated = violations.len() > MAX_VIOLATIONS;
        violations.truncate(MAX_VIOLATIONS);
        Self { violations, truncated }
    }

    /// The violations, in the order the members were checked.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations, in the order the members were checked.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// Whether more violations were found than [`violations`](Self::violations) holds.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// The message of these violations: `2 validation errors detected. ...; ...`.
    pub(crate) fn summary(violations: &[Violation], truncated: bool) -> String {
        let count = violations.len();
        let mut text = format!(
            "{count} validation error{} detected{}.",
            if count == 1 { "" } else { "s" },
            if truncated { " (more were found and cut)" } else { "" }
        );
        for (index, violation) in violations.iter().enumerate() {
            text.push_str(if index == 0 { " " } else { "; " });
            text.push_str(&violation.message);
        }
        text
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Self::summary(&self.violations, self.truncated))
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
    match validate_within(value, schema, checks, None) {
        Ok(()) => Ok(()),
        Err(Refusal::Invalid(error)) => Err(error),
        // Nothing is charged without a budget.
        Err(Refusal::OverBudget(_)) => Ok(()),
    }
}

/// Why [`validate_within`] refused a value.
pub(crate) enum Refusal {
    Invalid(ValidationError),
    /// Checking it needed this many bytes more than the request's memory budget had.
    OverBudget(usize),
}

/// [`validate`], charging the memory the checks need (`@uniqueItems` keeps a hash per item) to
/// the request's share of the server's budget.
pub(crate) fn validate_within(
    value: &dyn Value,
    schema: &'static Schema,
    checks: Checks,
    memory: Option<&RequestMemory>,
) -> Result<(), Refusal> {
    let mut walk = Walk::<false> {
        checks,
        violations: Vec::new(),
        memory,
        over_budget: None,
    };
    walk.value(value.view(), None, schema, &mut String::new());
    if let Some(bytes) = walk.over_budget {
        Err(Refusal::OverBudget(bytes))
    } else if walk.violations.is_empty() {
        Ok(())
    } else {
        Err(Refusal::Invalid(ValidationError::new(walk.violations)))
    }
}

/// The required members a structure value lacks, by path: what a client checks before it
/// sends an input.
pub fn missing_required(value: &dyn Value, schema: &'static Schema) -> Vec<Violation> {
    let mut walk = Walk::<true> {
        checks: Checks::Client,
        violations: Vec::new(),
        memory: None,
        over_budget: None,
    };
    walk.value(value.view(), None, schema, &mut String::new());
    walk.violations
}

/// Whether a value of `schema` can lack a required member: whether a structure with one is
/// among the shapes its values can hold (itself included). Kept per schema once found.
fn may_lack_required(schema: &'static Schema) -> bool {
    // Read on every client call, written once per schema: a read lock that calls on other
    // threads share.
    static FOUND: LazyLock<RwLock<HashMap<usize, bool>>> = LazyLock::new(RwLock::default);
    let key = std::ptr::from_ref(schema) as usize;
    if let Some(&found) = FOUND.read().ok().as_ref().and_then(|found| found.get(&key)) {
        return found;
    }
    let mut seen: Vec<*const Schema> = Vec::new();
    let mut pending = vec![schema];
    let mut found = false;
    while let Some(schema) = pending.pop() {
        if seen.contains(&std::ptr::from_ref(schema)) {
            continue;
        }
        seen.push(schema);
        if schema.shape_type == ShapeType::Structure && schema.members.iter().any(Member::is_required) {
            found = true;
            break;
        }
        pending.extend(schema.members.iter().map(|member| member.target));
    }
    if let Ok(mut known) = FOUND.write() {
        known.insert(key, found);
    }
    found
}

/// A walk of a value. With `REQUIRED_ONLY`, only required members are checked, not the
/// constraint traits: what a client checks, which then links no pattern engine.
struct Walk<'m, const REQUIRED_ONLY: bool> {
    checks: Checks,
    /// At most one more than [`MAX_VIOLATIONS`]: the one more says that there were more.
    violations: Vec<Violation>,
    /// What the checks' own memory is charged to.
    memory: Option<&'m RequestMemory>,
    /// The bytes a check needed that the budget did not have: the walk stops.
    over_budget: Option<usize>,
}

/// The message of a required member that a server found missing, worded as Smithy services word
/// it.
pub(crate) fn missing_member(path: &str) -> Violation {
    Violation {
        path: path.to_owned(),
        constraint: "required",
        message: format!("Value at '{path}' failed to satisfy constraint: Member must not be null"),
    }
}

/// Adds a violation unless `violations` already holds one more than [`MAX_VIOLATIONS`].
pub(crate) fn push_violation(violations: &mut Vec<Violation>, violation: Violation) {
    if violations.len() <= MAX_VIOLATIONS {
        violations.push(violation);
    }
}

/// Whether `violations` holds more than [`MAX_VIOLATIONS`], so that looking for others is
/// wasted work.
pub(crate) fn full(violations: &[Violation]) -> bool {
    violations.len() > MAX_VIOLATIONS
}

/// The violation of a `@length` by a value of `count` characters, bytes, items or entries.
pub(crate) fn length_violation(path: &str, count: u64, length: Bounds<u64>) -> Violation {
    violation(
        path,
        "length",
        &format!(" with length {count}"),
        format!("have length {}", bounds(length)),
    )
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

/// Whether `text` matches `pattern`. A pattern that does not compile (which the generator
/// refuses, through [`Pattern::check_syntax`], but which can still be too large to compile)
/// matches nothing: the value is refused rather than let through unchecked.
fn pattern_matches(pattern: &'static str, text: &str) -> bool {
    compiled_pattern(pattern).is_some_and(|compiled| compiled.is_match(text))
}

/// A `@pattern` compiled at its first use, or `None` when it cannot be compiled; compiled
/// once per process.
type CompiledOnce = Arc<OnceLock<Option<Arc<Pattern>>>>;

/// The compiled form of `pattern`, by the address of its text (patterns are the schemas'
/// static strings). Each thread keeps the patterns it has used, so that checking a value
/// takes no lock; a thread's first use of a pattern finds (or adds) its cell in a shared
/// table under a lock held only for that lookup, and compiling happens outside it: a slow
/// compile holds up only the checks of that one pattern.
fn compiled_pattern(pattern: &'static str) -> Option<Arc<Pattern>> {
    type Key = (usize, usize);
    static SHARED: LazyLock<Mutex<HashMap<Key, CompiledOnce>>> = LazyLock::new(Mutex::default);
    thread_local! {
        static LOCAL: RefCell<HashMap<Key, CompiledOnce>> = RefCell::new(HashMap::new());
    }
    let key = (pattern.as_ptr() as usize, pattern.len());
    let cell = LOCAL
        .try_with(|local| local.borrow().get(&key).cloned())
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            let cell = {
                let mut shared = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                Arc::clone(shared.entry(key).or_default())
            };
            // A thread being torn down keeps no cache; it still checks.
            let _ = LOCAL.try_with(|local| local.borrow_mut().insert(key, Arc::clone(&cell)));
            cell
        });
    cell.get_or_init(|| Pattern::new(pattern).ok().map(Arc::new)).clone()
}

/// The values of an enum, comma-separated, cut after [`MAX_ENUM_LIST_CHARS`] with `...`.
fn enum_values(schema: &Schema) -> String {
    let mut listed = String::new();
    let values = schema
        .members
        .iter()
        .filter(|value| !value.traits.has(Flags::INTERNAL))
        .filter_map(|value| match value.traits.enum_value {
            Some(EnumValue::String(text)) => Some(text),
            _ => None,
        });
    for (index, text) in values.enumerate() {
        let separator = if index == 0 { "" } else { ", " };
        if listed.len() + separator.len() + text.len() > MAX_ENUM_LIST_CHARS {
            listed.push_str(separator);
            listed.push_str("...");
            break;
        }
        listed.push_str(separator);
        listed.push_str(text);
    }
    listed
}

impl<const REQUIRED_ONLY: bool> Walk<'_, REQUIRED_ONLY> {
    fn push(&mut self, violation: Violation) {
        push_violation(&mut self.violations, violation);
    }

    /// Walks a value: checks its constraints (unless only required members are asked for),
    /// then its members, items and entries. `path` is the value's member path; it is extended
    /// for each member and restored.
    fn value(&mut self, view: View<'_>, member: Option<&'static Member>, schema: &'static Schema, path: &mut String) {
        if full(&self.violations) || self.over_budget.is_some() {
            return;
        }
        let traits = member.map_or(&schema.traits, |member| &member.traits);
        if !REQUIRED_ONLY {
            self.constraints(view, traits, schema, path);
        }
        let length = path.len();
        // Only a structure can lack a required member: a list, map or union none of whose values
        // can hold one is not walked for them.
        if REQUIRED_ONLY && matches!(view, View::List(_) | View::Map(_) | View::Union(_)) && !may_lack_required(schema)
        {
            return;
        }
        match view {
            View::Structure(value) => {
                for (index, member) in schema.members.iter().enumerate() {
                    // A stream's constraints are not the value's (its presence still counts).
                    if member.traits.has(Flags::STREAMING) && !REQUIRED_ONLY {
                        continue;
                    }
                    path.push('/');
                    path.push_str(member.name);
                    match value.member(index) {
                        Some(value) => self.value(value.view(), Some(member), member.target, path),
                        None if member.is_required() => self.push(missing_member(path)),
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
                if !REQUIRED_ONLY && (traits.has(Flags::UNIQUE_ITEMS) || schema.traits.has(Flags::UNIQUE_ITEMS)) {
                    match unique(list, item.target, self.memory) {
                        Ok(true) => {}
                        Ok(false) => self.push(violation(path, "uniqueItems", "", "have unique values".to_owned())),
                        Err(bytes) => {
                            self.over_budget = Some(bytes);
                            return;
                        }
                    }
                }
                for index in 0..list.len() {
                    if full(&self.violations) {
                        return;
                    }
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
                    if full(&self.violations) {
                        return;
                    }
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
                    self.push(length_violation(path, count, length));
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
                    self.push(violation(path, "range", "", format!("be {}", bounds(range))));
                }
            }
        }
        if let (Some(pattern), View::String(text)) = (traits.pattern, view) {
            if schema.shape_type == ShapeType::String && !pattern_matches(pattern, text) {
                self.push(violation(
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
                self.push(violation(
                    path,
                    "enum",
                    "",
                    format!("satisfy enum value set: [{}]", enum_values(schema)),
                ));
            }
        }
    }
}

/// Whether no two items of a list are equal: each item's hash (of what [`same`] compares, with
/// a per-call random key, so that no input can make items collide on purpose) is sorted with
/// its index, and only items of the same hash are compared. The hashes' 16 bytes per item are
/// charged to `memory` (`Err` with the bytes when it has no room) and given back after.
fn unique(
    list: &dyn crate::shape::ListValue,
    item: &'static Schema,
    memory: Option<&RequestMemory>,
) -> Result<bool, usize> {
    use std::hash::{BuildHasher, Hasher};
    let count = list.len();
    if count < 2 {
        return Ok(true);
    }
    let bytes = count.saturating_mul(std::mem::size_of::<(u64, usize)>());
    if memory.is_some_and(|memory| !memory.charge(bytes)) {
        return Err(bytes);
    }
    let state = std::collections::hash_map::RandomState::new();
    let view = |index: usize| list.get(index).map_or(View::Null, Value::view);
    let mut hashes: Vec<(u64, usize)> = (0..count)
        .map(|index| {
            let mut hasher = state.build_hasher();
            hash_view(view(index), item, &mut hasher);
            (hasher.finish(), index)
        })
        .collect();
    hashes.sort_unstable();
    let unique = hashes.chunk_by(|a, b| a.0 == b.0).all(|run| {
        run.iter().enumerate().all(|(at, &(_, index))| {
            run[..at]
                .iter()
                .all(|&(_, other)| !same(view(other), view(index), item))
        })
    });
    drop(hashes);
    if let Some(memory) = memory {
        memory.uncharge(bytes);
    }
    Ok(unique)
}

/// A number never returned before: what a value equal to nothing hashes.
fn distinct() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Feeds what [`same`] compares of a value to `hasher`: values that are the same hash the same.
fn hash_view(view: View<'_>, schema: &'static Schema, hasher: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    // The kind first, so that values of different kinds differ.
    std::mem::discriminant(&view).hash(hasher);
    match view {
        View::Null => {}
        View::Boolean(value) => value.hash(hasher),
        View::Byte(value) => value.hash(hasher),
        View::Short(value) => value.hash(hasher),
        View::Integer(value) => value.hash(hasher),
        View::Long(value) => value.hash(hasher),
        // `0.0 == -0.0`; NaN equals nothing, so each NaN hashes apart from every other value
        // (a list of NaNs must not be compared pair by pair).
        View::Float(value) if value.is_nan() => distinct().hash(hasher),
        View::Double(value) if value.is_nan() => distinct().hash(hasher),
        View::Float(value) => (if value == 0.0 { 0.0f32 } else { value }).to_bits().hash(hasher),
        View::Double(value) => (if value == 0.0 { 0.0f64 } else { value }).to_bits().hash(hasher),
        View::String(text) | View::BigNumber(text) => text.hash(hasher),
        View::Blob(bytes) => bytes.hash(hasher),
        View::Timestamp(time) => time.hash(hasher),
        // A document's JSON text: objects are ordered by key, so equal documents write alike.
        View::Document(document) => document.to_string().hash(hasher),
        View::List(list) => {
            let item = schema.item().map_or(schema, |item| item.target);
            list.len().hash(hasher);
            for index in 0..list.len() {
                hash_view(list.get(index).map_or(View::Null, Value::view), item, hasher);
            }
        }
        View::Map(map) => {
            let item = schema.item().map_or(schema, |item| item.target);
            let entries = map.entries();
            entries.len().hash(hasher);
            for (key, value) in entries {
                key.hash(hasher);
                hash_view(value.view(), item, hasher);
            }
        }
        View::Structure(value) => {
            for (index, member) in schema.members.iter().enumerate() {
                match value.member(index) {
                    Some(value) => {
                        true.hash(hasher);
                        hash_view(value.view(), member.target, hasher);
                    }
                    None => false.hash(hasher),
                }
            }
        }
        View::Union(value) => match value.variant() {
            Variant::Member(index, member) => {
                index.hash(hasher);
                if let (Some(member), Some(schema)) = (member, schema.members.get(index)) {
                    hash_view(member.view(), schema.target, hasher);
                }
            }
            Variant::Unknown(name) => name.hash(hasher),
        },
    }
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
    use std::time::Instant;

    use super::{Checks, Pattern};
    use crate::schema::{Member, Schema, ShapeType, Traits};

    static UNIT: Schema = Schema::new("smithy.api#Unit", ShapeType::Structure);

    #[test]
    fn a_unique_list_of_nans_is_checked_without_comparing_every_pair() {
        static NUMBERS: Schema = Schema::new("example#Numbers", ShapeType::List)
            .members(&[Member::new("member", &crate::schema::prelude::DOUBLE)])
            .flags(crate::schema::Flags::UNIQUE_ITEMS);
        // NaN equals nothing, so these are unique; hashed alike, they were compared pair by
        // pair: 5e9 comparisons, minutes.
        let nans = vec![f64::NAN; 100_000];
        let started = Instant::now();
        assert!(super::validate(&nans, &NUMBERS, Checks::Server).is_ok());
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        let mut repeated = vec![f64::NAN; 1000];
        repeated.extend([1.5, 0.0, -0.0]);
        let error = super::validate(&repeated, &NUMBERS, Checks::Server).expect_err("0.0 and -0.0 are the same");
        assert_eq!(error.violations()[0].constraint, "uniqueItems");
    }

    #[test]
    fn only_values_that_can_hold_a_required_member_are_walked_for_one() {
        use crate::schema::{prelude, Flags};
        use crate::shape::{Value, View};
        use std::collections::HashMap;

        // A union that holds itself through a list and a map, and no structure.
        static ATTRIBUTE: Schema = Schema::new("example#Attribute", ShapeType::Union).members(&[
            Member::new("S", &prelude::STRING),
            Member::new("L", &ATTRIBUTES),
            Member::new("M", &ATTRIBUTE_MAP),
        ]);
        static ATTRIBUTES: Schema =
            Schema::new("example#Attributes", ShapeType::List).members(&[Member::new("member", &ATTRIBUTE)]);
        static ATTRIBUTE_MAP: Schema = Schema::new("example#AttributeMap", ShapeType::Map)
            .members(&[Member::new("key", &prelude::STRING), Member::new("value", &ATTRIBUTE)]);
        // A list of structures with a required member, reached through a union.
        static ITEM: Schema =
            Schema::new("example#Item", ShapeType::Structure)
                .members(&[Member::new("Name", &prelude::STRING).flags(Flags::REQUIRED)]);
        static ITEMS: Schema = Schema::new("example#Items", ShapeType::List).members(&[Member::new("member", &ITEM)]);
        static CHOICE: Schema =
            Schema::new("example#Choice", ShapeType::Union).members(&[Member::new("Items", &ITEMS)]);
        static CHOICES: Schema = Schema::new("example#Choices", ShapeType::Map)
            .members(&[Member::new("key", &prelude::STRING), Member::new("value", &CHOICE)]);

        assert!(!super::may_lack_required(&ATTRIBUTE));
        assert!(!super::may_lack_required(&ATTRIBUTE_MAP));
        assert!(super::may_lack_required(&ITEMS));
        assert!(super::may_lack_required(&CHOICES));
        // The shapes on the way, each asked for itself.
        assert!(!super::may_lack_required(&ATTRIBUTES));
        assert!(super::may_lack_required(&CHOICE));
        // Asked again: the answer kept for it.
        assert!(!super::may_lack_required(&ATTRIBUTE));

        struct Item(Option<String>);
        impl Value for Item {
            fn view(&self) -> View<'_> {
                View::Structure(self)
            }
            fn member(&self, index: usize) -> Option<&dyn Value> {
                (index == 0).then_some(self.0.as_ref()?)
            }
        }
        let items = vec![Item(Some("a".to_owned())), Item(None)];
        let missing = super::missing_required(&items, &ITEMS);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].path, "/1/Name");
        let map: HashMap<String, Vec<String>> = HashMap::from([("k".to_owned(), vec!["v".to_owned()])]);
        static STRINGS: Schema =
            Schema::new("example#Strings", ShapeType::List).members(&[Member::new("member", &prelude::STRING)]);
        static STRING_LISTS: Schema = Schema::new("example#StringLists", ShapeType::Map)
            .members(&[Member::new("key", &prelude::STRING), Member::new("value", &STRINGS)]);
        assert!(super::missing_required(&map, &STRING_LISTS).is_empty());
    }

    #[test]
    fn an_enum_message_lists_a_bounded_number_of_values() {
        static SMALL: Schema = Schema::new("example#Small", ShapeType::Enum).members(&[
            Member::new("A", &UNIT).value("abc"),
            Member::new("B", &UNIT).value("def"),
        ]);
        assert_eq!(super::enum_values(&SMALL), "abc, def");
        const VALUE: &str = "a-value-of-thirty-two-characters";
        static MEMBERS: [Member; 100] = [const { Member::new("V", &UNIT).value(VALUE) }; 100];
        static LARGE: Schema = Schema::new("example#Large", ShapeType::Enum).members(&MEMBERS);
        let listed = super::enum_values(&LARGE);
        assert!(listed.len() <= super::MAX_ENUM_LIST_CHARS + 5, "{}", listed.len());
        assert!(listed.starts_with(VALUE) && listed.ends_with(", ..."), "{listed}");
    }

    /// A pattern whose syntax is sound but which fancy-regex cannot compile (a look-behind of
    /// variable length). The generator leaves such a pattern out of a schema (`check_syntax`
    /// refuses it); a schema that holds one anyway refuses every value.
    const UNCOMPILABLE: &str = "(?<=a+)b";

    #[test]
    fn a_value_is_refused_when_its_pattern_cannot_be_compiled() {
        assert!(Pattern::malformed(UNCOMPILABLE).is_none() && Pattern::check_syntax(UNCOMPILABLE).is_err());
        assert!(Pattern::new(UNCOMPILABLE).is_err());
        static TEXT: Schema = Schema::new("example#Text", ShapeType::String).traits(Traits {
            pattern: Some(UNCOMPILABLE),
            ..Traits::NONE
        });
        for _ in 0..2 {
            let error = super::validate(&"aab".to_owned(), &TEXT, Checks::Server).expect_err("refused");
            assert_eq!(error.violations()[0].constraint, "pattern");
        }
        static CODE: Schema = Schema::new("example#Code", ShapeType::String).traits(Traits {
            pattern: Some("^[A-Z]{3}$"),
            ..Traits::NONE
        });
        assert!(super::validate(&"ABC".to_owned(), &CODE, Checks::Server).is_ok());
        assert!(super::validate(&"abc".to_owned(), &CODE, Checks::Server).is_err());
    }

    #[test]
    fn compiling_one_pattern_holds_up_no_check_of_another() {
        // A pattern no other test uses, which takes long to fail to compile.
        static SLOW: Schema = Schema::new("example#Slow", ShapeType::String).traits(Traits {
            pattern: Some(r"^(\p{L}{1,1000}){1,999}$"),
            ..Traits::NONE
        });
        static FAST: Schema = Schema::new("example#Fast", ShapeType::String).traits(Traits {
            pattern: Some("^[a-z]+-fast$"),
            ..Traits::NONE
        });
        let (sender, receiver) = std::sync::mpsc::channel();
        let slow = std::thread::spawn(move || {
            sender.send(()).expect("the test waits");
            let started = Instant::now();
            let refused = super::validate(&"abc".to_owned(), &SLOW, Checks::Server).is_err();
            (refused, started.elapsed())
        });
        receiver.recv().expect("the thread started");
        std::thread::sleep(std::time::Duration::from_millis(100));
        let started = Instant::now();
        assert!(super::validate(&"abc-fast".to_owned(), &FAST, Checks::Server).is_ok());
        let fast = started.elapsed();
        let (refused, compile) = slow.join().expect("no panic");
        assert!(refused);
        // Under one lock for every compile, the fast check waits out most of the slow one.
        assert!(
            fast < compile / 4,
            "the check took {fast:?}, the slow compile {compile:?}"
        );
    }

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
        let name = r"^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$";
        assert!(matches(name, "Cost center-1_a") && !matches(name, " lead") && !matches(name, "a/b"));
        assert!(matches(r"^[\pL-]+$", "a-b"));
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
