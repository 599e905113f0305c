//! Evaluating a syntax tree against a JSON value.
//!
//! Results borrow from the document (or from the expression's literals) where they can, so that
//! selecting a member does not copy it; projections and functions build new values.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::functions;
use super::lexer::Comparator;
use super::parser::{Kind, Node};
use super::{ErrorKind, JmesPathError};

pub(super) type Evaluated<'a> = Result<Cow<'a, Value>, JmesPathError>;

const NULL: Value = Value::Null;

/// `node` evaluated with `current` as the current node.
pub(super) fn eval<'a>(node: &'a Node, current: &'a Value) -> Evaluated<'a> {
    match &node.kind {
        Kind::Current => Ok(Cow::Borrowed(current)),
        Kind::Field(name) => Ok(Cow::Borrowed(field(current, name))),
        Kind::Index(index) => Ok(Cow::Borrowed(element(current, *index))),
        Kind::Slice { start, stop, step } => slice(current, *start, *stop, *step),
        Kind::Literal(value) => Ok(Cow::Borrowed(value)),
        Kind::Chain(steps) => chain(steps, current),
        Kind::Pipe(steps) => pipe(steps, current),
        Kind::Or(operands) => or(operands, current),
        Kind::And(operands) => and(operands, current),
        Kind::Not(operand) => not(operand, current),
        Kind::Compare(comparator, left, right) => compare(*comparator, left, right, current),
        Kind::ListProjection { base, each } => list_projection(base, each, current),
        Kind::ValueProjection { base, each } => value_projection(base, each, current),
        Kind::FilterProjection { base, condition, each } => filter_projection(base, condition, each, current),
        Kind::Flatten(inner) => flatten(inner, current),
        Kind::MultiList(items) => multi_list(items, current),
        Kind::MultiHash(entries) => multi_hash(entries, current),
        Kind::Function { function, args, offset } => functions::call(*function, args, current, *offset),
        Kind::ExpressionRef(_) => Err(reference_as_value()),
    }
}

#[cold]
fn reference_as_value() -> JmesPathError {
    JmesPathError::new(
        ErrorKind::InvalidType,
        None,
        "an expression reference (`&…`) is only allowed as a function argument",
    )
}

fn not<'a>(operand: &'a Node, current: &'a Value) -> Evaluated<'a> {
    let value = eval(operand, current)?;
    Ok(Cow::Owned(Value::Bool(!truthy(&value))))
}

/// `node` applied to `input`, which is moved rather than copied when it is owned and the
/// node takes (part of) it as it is.
fn apply<'a>(node: &'a Node, input: Cow<'a, Value>) -> Evaluated<'a> {
    match input {
        Cow::Borrowed(value) => eval(node, value),
        Cow::Owned(value) => apply_owned(node, value).map(Cow::Owned),
    }
}

fn apply_owned(node: &Node, value: Value) -> Result<Value, JmesPathError> {
    match (&node.kind, value) {
        (Kind::Current, value) => Ok(value),
        (Kind::Field(name), Value::Object(mut map)) => Ok(map.remove(name).unwrap_or(Value::Null)),
        (Kind::Index(index), Value::Array(mut items)) => Ok(match resolve_index(items.len(), *index) {
            Some(at) => items.swap_remove(at),
            None => Value::Null,
        }),
        (_, value) => Ok(eval(node, &value)?.into_owned()),
    }
}

fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
    match value {
        Value::Object(map) => map.get(name).unwrap_or(&NULL),
        _ => &NULL,
    }
}

fn element(value: &Value, index: i64) -> &Value {
    match value {
        Value::Array(items) => resolve_index(items.len(), index).map_or(&NULL, |at| &items[at]),
        _ => &NULL,
    }
}

/// The position of `index` (negative: counted from the end) in an array of `len` elements.
fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let at = if index < 0 {
        i128::try_from(len).ok()? + i128::from(index)
    } else {
        i128::from(index)
    };
    usize::try_from(at).ok().filter(|at| *at < len)
}

fn slice<'a>(value: &'a Value, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Evaluated<'a> {
    let Value::Array(items) = value else {
        return Ok(Cow::Borrowed(&NULL));
    };
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        return Err(JmesPathError::new(
            ErrorKind::InvalidValue,
            None,
            "a slice's step cannot be 0",
        ));
    }
    let len = i128::try_from(items.len()).unwrap_or(i128::MAX);
    // Python's rules: negative bounds count from the end, and bounds are clamped to the array
    // (to one before its start, for a negative step).
    let clamp = |bound: i64, low: i128, high: i128| {
        let bound = i128::from(bound);
        let bound = if bound < 0 { bound + len } else { bound };
        bound.clamp(low, high)
    };
    let (start, stop) = if step > 0 {
        (
            start.map_or(0, |start| clamp(start, 0, len)),
            stop.map_or(len, |stop| clamp(stop, 0, len)),
        )
    } else {
        (
            start.map_or(len - 1, |start| clamp(start, -1, len - 1)),
            stop.map_or(-1, |stop| clamp(stop, -1, len - 1)),
        )
    };
    let mut out = Vec::new();
    let mut at = start;
    while (step > 0 && at < stop) || (step < 0 && at > stop) {
        if let Some(item) = usize::try_from(at).ok().and_then(|at| items.get(at)) {
            out.push(item.clone());
        }
        at += step;
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn chain<'a>(steps: &'a [Node], current: &'a Value) -> Evaluated<'a> {
    let mut value = Cow::Borrowed(current);
    for (at, step) in steps.iter().enumerate() {
        if at > 0 && value.is_null() {
            break;
        }
        value = apply(step, value)?;
    }
    Ok(value)
}

fn pipe<'a>(steps: &'a [Node], current: &'a Value) -> Evaluated<'a> {
    let mut value = Cow::Borrowed(current);
    for step in steps {
        value = apply(step, value)?;
    }
    Ok(value)
}

fn or<'a>(operands: &'a [Node], current: &'a Value) -> Evaluated<'a> {
    let mut value = Cow::Borrowed(&NULL);
    for operand in operands {
        value = eval(operand, current)?;
        if truthy(&value) {
            break;
        }
    }
    Ok(value)
}

fn and<'a>(operands: &'a [Node], current: &'a Value) -> Evaluated<'a> {
    let mut value = Cow::Borrowed(&NULL);
    for operand in operands {
        value = eval(operand, current)?;
        if !truthy(&value) {
            break;
        }
    }
    Ok(value)
}

fn compare<'a>(comparator: Comparator, left: &'a Node, right: &'a Node, current: &'a Value) -> Evaluated<'a> {
    let left = eval(left, current)?;
    let right = eval(right, current)?;
    let result = match comparator {
        Comparator::Equal => Value::Bool(equal(&left, &right)),
        Comparator::NotEqual => Value::Bool(!equal(&left, &right)),
        ordering => match (&*left, &*right) {
            (Value::Number(left), Value::Number(right)) => {
                let order = compare_numbers(left, right);
                Value::Bool(match ordering {
                    Comparator::Less => order == Ordering::Less,
                    Comparator::LessOrEqual => order != Ordering::Greater,
                    Comparator::Greater => order == Ordering::Greater,
                    _ => order != Ordering::Less,
                })
            }
            _ => Value::Null,
        },
    };
    Ok(Cow::Owned(result))
}

fn list_projection<'a>(base: &'a Node, each: &'a Node, current: &'a Value) -> Evaluated<'a> {
    match eval(base, current)? {
        Cow::Borrowed(Value::Array(items)) => project(items.iter(), None, each),
        Cow::Owned(Value::Array(items)) => project_owned(items.into_iter(), None, each),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

fn value_projection<'a>(base: &'a Node, each: &'a Node, current: &'a Value) -> Evaluated<'a> {
    match eval(base, current)? {
        Cow::Borrowed(Value::Object(map)) => project(map.values(), None, each),
        Cow::Owned(Value::Object(map)) => project_owned(map.into_iter().map(|(_, value)| value), None, each),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

fn filter_projection<'a>(base: &'a Node, condition: &'a Node, each: &'a Node, current: &'a Value) -> Evaluated<'a> {
    match eval(base, current)? {
        Cow::Borrowed(Value::Array(items)) => project(items.iter(), Some(condition), each),
        Cow::Owned(Value::Array(items)) => project_owned(items.into_iter(), Some(condition), each),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

/// `each` applied to the `items` for which `condition` (if any) is truthy, nulls left out.
fn project<'a>(items: impl Iterator<Item = &'a Value>, condition: Option<&'a Node>, each: &'a Node) -> Evaluated<'a> {
    let mut out = Vec::new();
    for item in items {
        if let Some(condition) = condition {
            if !truthy(eval(condition, item)?.as_ref()) {
                continue;
            }
        }
        let value = eval(each, item)?;
        if !value.is_null() {
            out.push(value.into_owned());
        }
    }
    Ok(Cow::Owned(Value::Array(out)))
}

/// [`project`] over owned items, which are moved into the result where `each` keeps them.
fn project_owned<'a>(items: impl Iterator<Item = Value>, condition: Option<&'a Node>, each: &'a Node) -> Evaluated<'a> {
    let mut out = Vec::new();
    for item in items {
        if let Some(condition) = condition {
            if !truthy(eval(condition, &item)?.as_ref()) {
                continue;
            }
        }
        let value = apply_owned(each, item)?;
        if !value.is_null() {
            out.push(value);
        }
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn flatten<'a>(inner: &'a Node, current: &'a Value) -> Evaluated<'a> {
    let mut out = Vec::new();
    match eval(inner, current)? {
        Cow::Borrowed(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Array(nested) => out.extend(nested.iter().cloned()),
                    other => out.push(other.clone()),
                }
            }
        }
        Cow::Owned(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Array(nested) => out.extend(nested),
                    other => out.push(other),
                }
            }
        }
        _ => return Ok(Cow::Borrowed(&NULL)),
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn multi_list<'a>(items: &'a [Node], current: &'a Value) -> Evaluated<'a> {
    if current.is_null() {
        return Ok(Cow::Borrowed(&NULL));
    }
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        values.push(eval(item, current)?.into_owned());
    }
    Ok(Cow::Owned(Value::Array(values)))
}

fn multi_hash<'a>(entries: &'a [(String, Node)], current: &'a Value) -> Evaluated<'a> {
    if current.is_null() {
        return Ok(Cow::Borrowed(&NULL));
    }
    let mut map = Map::new();
    for (key, value) in entries {
        map.insert(key.clone(), eval(value, current)?.into_owned());
    }
    Ok(Cow::Owned(Value::Object(map)))
}

/// JMESPath's truthiness: false, null, and empty strings, arrays and objects are false.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(boolean) => *boolean,
        Value::Number(_) => true,
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// Deep equality, with numbers equal when their values are (`1` and `1.0`); iterative, so that
/// it does not recurse however deeply the values nest.
pub(super) fn equal(left: &Value, right: &Value) -> bool {
    let mut pending = vec![(left, right)];
    while let Some(pair) = pending.pop() {
        match pair {
            (Value::Null, Value::Null) => {}
            (Value::Bool(left), Value::Bool(right)) if left == right => {}
            (Value::Number(left), Value::Number(right)) if compare_numbers(left, right) == Ordering::Equal => {}
            (Value::String(left), Value::String(right)) if left == right => {}
            (Value::Array(left), Value::Array(right)) if left.len() == right.len() => {
                pending.extend(left.iter().zip(right));
            }
            (Value::Object(left), Value::Object(right)) if left.len() == right.len() => {
                for (key, left) in left {
                    match right.get(key) {
                        Some(right) => pending.push((left, right)),
                        None => return false,
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

/// Orders numbers by value: exactly between integers, as `f64` otherwise.
pub(super) fn compare_numbers(left: &Number, right: &Number) -> Ordering {
    match (integer(left), integer(right)) {
        (Some(left), Some(right)) => left.cmp(&right),
        _ => to_f64(left).total_cmp(&to_f64(right)),
    }
}

/// The number as an integer, if it is held as one.
pub(super) fn integer(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

pub(super) fn to_f64(number: &Number) -> f64 {
    number.as_f64().unwrap_or(f64::NAN)
}
