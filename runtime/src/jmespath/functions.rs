//! The built-in functions.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::eval::{compare_numbers, equal, eval, integer, to_f64, Evaluated};
use super::parser::{Kind, Node};
use super::{ErrorKind, JmesPathError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    Abs,
    Avg,
    Ceil,
    Contains,
    EndsWith,
    Floor,
    Join,
    Keys,
    Length,
    Map,
    Max,
    MaxBy,
    Merge,
    Min,
    MinBy,
    NotNull,
    Reverse,
    Sort,
    SortBy,
    StartsWith,
    Sum,
    ToArray,
    ToNumber,
    ToString,
    Type,
    Values,
}

const FUNCTIONS: [(&str, Function); 26] = [
    ("abs", Function::Abs),
    ("avg", Function::Avg),
    ("ceil", Function::Ceil),
    ("contains", Function::Contains),
    ("ends_with", Function::EndsWith),
    ("floor", Function::Floor),
    ("join", Function::Join),
    ("keys", Function::Keys),
    ("length", Function::Length),
    ("map", Function::Map),
    ("max", Function::Max),
    ("max_by", Function::MaxBy),
    ("merge", Function::Merge),
    ("min", Function::Min),
    ("min_by", Function::MinBy),
    ("not_null", Function::NotNull),
    ("reverse", Function::Reverse),
    ("sort", Function::Sort),
    ("sort_by", Function::SortBy),
    ("starts_with", Function::StartsWith),
    ("sum", Function::Sum),
    ("to_array", Function::ToArray),
    ("to_number", Function::ToNumber),
    ("to_string", Function::ToString),
    ("type", Function::Type),
    ("values", Function::Values),
];

impl Function {
    pub(super) fn by_name(name: &str) -> Option<Function> {
        FUNCTIONS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, function)| *function)
    }

    fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find(|(_, function)| *function == self)
            .map_or("", |(name, _)| name)
    }

    /// The least number of arguments, and the most (`None`: any number).
    fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Merge | Function::NotNull => (1, None),
            Function::Contains
            | Function::EndsWith
            | Function::Join
            | Function::Map
            | Function::MaxBy
            | Function::MinBy
            | Function::SortBy
            | Function::StartsWith => (2, Some(2)),
            _ => (1, Some(1)),
        }
    }

    /// Fails with [`ErrorKind::InvalidArity`] unless the function takes `count` arguments.
    pub(super) fn check_arity(self, count: usize, offset: usize) -> Result<(), JmesPathError> {
        let (least, most) = self.arity();
        if count >= least && most.is_none_or(|most| count <= most) {
            return Ok(());
        }
        let expected = match most {
            Some(most) if most == least => format!("{least}"),
            Some(most) => format!("{least} to {most}"),
            None => format!("at least {least}"),
        };
        let plural = if expected == "1" { "" } else { "s" };
        Err(JmesPathError::new(
            ErrorKind::InvalidArity,
            Some(offset),
            format!("{}() takes {expected} argument{plural}, given {count}", self.name()),
        ))
    }
}

/// An evaluated argument: a value, or an expression reference to evaluate later.
enum Arg<'a> {
    Value(Cow<'a, Value>),
    Expression(&'a Node),
}

/// A call's evaluated arguments, and what type errors need to name.
struct Args<'a> {
    function: Function,
    offset: usize,
    values: Vec<Arg<'a>>,
}

impl<'a> Args<'a> {
    fn error(&self, message: String) -> JmesPathError {
        JmesPathError::new(
            ErrorKind::InvalidType,
            Some(self.offset),
            format!("{}(): {message}", self.function.name()),
        )
    }

    /// The error for argument `index` not being `expected`.
    fn mistyped(&self, index: usize, expected: &str) -> JmesPathError {
        let found = match self.values.get(index) {
            Some(Arg::Value(value)) => type_name(value),
            Some(Arg::Expression(_)) => "an expression reference",
            None => "nothing",
        };
        self.error(format!("argument {} must be {expected}, found {found}", index + 1))
    }

    fn value(&self, index: usize) -> Result<&Value, JmesPathError> {
        match self.values.get(index) {
            Some(Arg::Value(value)) => Ok(&**value),
            _ => Err(self.mistyped(index, "a value")),
        }
    }

    /// Argument `index`, moved out (the arguments are not looked at again).
    fn take(&mut self, index: usize) -> Result<Cow<'a, Value>, JmesPathError> {
        match self.values.get_mut(index) {
            Some(Arg::Value(value)) => Ok(std::mem::replace(value, Cow::Owned(Value::Null))),
            _ => Err(self.mistyped(index, "a value")),
        }
    }

    fn number(&self, index: usize) -> Result<&Number, JmesPathError> {
        match self.value(index)? {
            Value::Number(number) => Ok(number),
            _ => Err(self.mistyped(index, "a number")),
        }
    }

    fn string(&self, index: usize) -> Result<&str, JmesPathError> {
        match self.value(index)? {
            Value::String(text) => Ok(text),
            _ => Err(self.mistyped(index, "a string")),
        }
    }

    fn array(&self, index: usize) -> Result<&Vec<Value>, JmesPathError> {
        match self.value(index)? {
            Value::Array(items) => Ok(items),
            _ => Err(self.mistyped(index, "an array")),
        }
    }

    fn object(&self, index: usize) -> Result<&Map<String, Value>, JmesPathError> {
        match self.value(index)? {
            Value::Object(map) => Ok(map),
            _ => Err(self.mistyped(index, "an object")),
        }
    }

    /// Argument `index` as an array of numbers.
    fn numbers(&self, index: usize) -> Result<Vec<&Number>, JmesPathError> {
        self.array(index)?
            .iter()
            .map(|item| match item {
                Value::Number(number) => Ok(number),
                _ => Err(self.mistyped(index, "an array of numbers")),
            })
            .collect()
    }

    /// Argument `index` as an array of strings.
    fn strings(&self, index: usize) -> Result<Vec<&str>, JmesPathError> {
        self.array(index)?
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.as_str()),
                _ => Err(self.mistyped(index, "an array of strings")),
            })
            .collect()
    }

    fn expression(&self, index: usize) -> Result<&'a Node, JmesPathError> {
        match self.values.get(index) {
            Some(Arg::Expression(node)) => Ok(node),
            _ => Err(self.mistyped(index, "an expression reference (`&…`)")),
        }
    }

    /// The keys that `expression` gives for `items`, which must all be numbers or all strings
    /// (as `sort_by`, `max_by` and `min_by` need).
    fn sort_keys<'v>(&self, items: &'v [Value], expression: &'v Node) -> Result<Vec<Cow<'v, Value>>, JmesPathError> {
        let mut keys = Vec::with_capacity(items.len());
        for item in items {
            let key = eval(expression, item)?;
            let first = keys.first().map(|first: &Cow<'v, Value>| &**first);
            let fits = matches!(
                (first, &*key),
                (None | Some(Value::Number(_)), Value::Number(_)) | (None | Some(Value::String(_)), Value::String(_))
            );
            if !fits {
                return Err(self.error(format!(
                    "the expression must give numbers or strings, all of one type, found {}",
                    type_name(&key)
                )));
            }
            keys.push(key);
        }
        Ok(keys)
    }
}

/// Calls `function` with `args` evaluated against `current`; `offset` is where the call is.
pub(super) fn call<'a>(function: Function, args: &'a [Node], current: &'a Value, offset: usize) -> Evaluated<'a> {
    let args = &mut Args {
        function,
        offset,
        values: evaluate(args, current)?,
    };
    // Each function is its own small function: this one is on the path of nested calls
    // (`abs(abs(…))`), so it keeps its stack frame small.
    match function {
        Function::Abs => abs(args),
        Function::Avg => avg(args),
        Function::Ceil | Function::Floor => round(args),
        Function::Contains => contains(args),
        Function::EndsWith | Function::StartsWith => affix(args),
        Function::Join => join(args),
        Function::Keys => keys(args),
        Function::Length => length(args),
        Function::Map => map(args),
        Function::Max | Function::Min => extreme(args),
        Function::MaxBy | Function::MinBy => extreme_by(args),
        Function::Merge => merge(args),
        Function::NotNull => not_null(args),
        Function::Reverse => reverse(args),
        Function::Sort => sort(args),
        Function::SortBy => sort_by(args),
        Function::Sum => sum(args),
        Function::ToArray => to_array(args),
        Function::ToNumber => to_number(args),
        Function::ToString => to_string(args),
        Function::Type => type_of(args),
        Function::Values => values(args),
    }
}

/// The arguments evaluated, expression references kept as they are.
fn evaluate<'a>(args: &'a [Node], current: &'a Value) -> Result<Vec<Arg<'a>>, JmesPathError> {
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        let value = match &arg.kind {
            Kind::ExpressionRef(inner) => Arg::Expression(inner),
            _ => Arg::Value(eval(arg, current)?),
        };
        values.push(value);
    }
    Ok(values)
}

fn owned<'a>(value: Value) -> Evaluated<'a> {
    Ok(Cow::Owned(value))
}

fn abs<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let number = args.number(0)?;
    owned(match integer(number) {
        Some(value) => from_integer(value.abs()),
        None => from_f64(to_f64(number).abs()),
    })
}

fn avg<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let numbers = args.numbers(0)?;
    let Ok(count) = i128::try_from(numbers.len()) else {
        return owned(Value::Null);
    };
    if count == 0 {
        return owned(Value::Null);
    }
    owned(match add(&numbers) {
        Total::Integer(total) if total % count == 0 => from_integer(total / count),
        Total::Integer(total) => from_f64(total as f64 / count as f64),
        Total::Float(total) => from_f64(total / count as f64),
    })
}

/// `ceil` and `floor`.
fn round<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let number = args.number(0)?;
    if integer(number).is_some() {
        return owned(Value::Number(number.clone()));
    }
    let value = to_f64(number);
    let rounded = if args.function == Function::Ceil {
        value.ceil()
    } else {
        value.floor()
    };
    owned(integral(rounded))
}

fn contains<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let search = args.value(1)?;
    let found = match args.value(0)? {
        Value::Array(items) => items.iter().any(|item| equal(item, search)),
        Value::String(text) => match search {
            Value::String(search) => text.contains(search.as_str()),
            _ => false,
        },
        _ => return Err(args.mistyped(0, "an array or a string")),
    };
    owned(Value::Bool(found))
}

/// `ends_with` and `starts_with`.
fn affix<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let (text, affix) = (args.string(0)?, args.string(1)?);
    owned(Value::Bool(if args.function == Function::EndsWith {
        text.ends_with(affix)
    } else {
        text.starts_with(affix)
    }))
}

fn join<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let glue = args.string(0)?;
    owned(Value::String(args.strings(1)?.join(glue)))
}

fn keys<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let keys = args.object(0)?.keys().map(|key| Value::String(key.clone()));
    owned(Value::Array(keys.collect()))
}

fn values<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    owned(Value::Array(args.object(0)?.values().cloned().collect()))
}

fn length<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let length = match args.value(0)? {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => return Err(args.mistyped(0, "a string, an array or an object")),
    };
    owned(Value::from(length))
}

fn map<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let expression = args.expression(0)?;
    let items = args.array(1)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(eval(expression, item)?.into_owned());
    }
    owned(Value::Array(out))
}

/// `max` and `min`.
fn extreme<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let wanted = if args.function == Function::Max {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let mut best: Option<&Value> = None;
    for item in args.array(0)? {
        let better = match (best, item) {
            (None, Value::Number(_) | Value::String(_)) => true,
            (Some(Value::Number(best)), Value::Number(number)) => compare_numbers(number, best) == wanted,
            (Some(Value::String(best)), Value::String(text)) => text.as_str().cmp(best.as_str()) == wanted,
            _ => return Err(args.mistyped(0, "an array of numbers or an array of strings")),
        };
        if better {
            best = Some(item);
        }
    }
    owned(best.cloned().unwrap_or(Value::Null))
}

/// `max_by` and `min_by`: the first element with the greatest (least) key.
fn extreme_by<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let items = args.array(0)?;
    let keys = args.sort_keys(items, args.expression(1)?)?;
    let wanted = if args.function == Function::MaxBy {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let mut best: Option<usize> = None;
    for (at, key) in keys.iter().enumerate() {
        if best.is_none_or(|best| compare_keys(key, &keys[best]) == wanted) {
            best = Some(at);
        }
    }
    owned(best.map_or(Value::Null, |at| items[at].clone()))
}

fn merge<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let mut merged = Map::new();
    for index in 0..args.values.len() {
        args.object(index)?;
        if let Value::Object(map) = args.take(index)?.into_owned() {
            merged.extend(map);
        }
    }
    owned(Value::Object(merged))
}

fn not_null<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    for index in 0..args.values.len() {
        if !args.value(index)?.is_null() {
            return args.take(index);
        }
    }
    owned(Value::Null)
}

fn reverse<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let reversed = match args.value(0)? {
        Value::String(text) => Value::String(text.chars().rev().collect()),
        Value::Array(_) => match args.take(0)?.into_owned() {
            Value::Array(mut items) => {
                items.reverse();
                Value::Array(items)
            }
            other => other,
        },
        _ => return Err(args.mistyped(0, "a string or an array")),
    };
    owned(reversed)
}

fn sort<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let items = args.array(0)?;
    if !(items.iter().all(Value::is_number) || items.iter().all(Value::is_string)) {
        return Err(args.mistyped(0, "an array of numbers or an array of strings"));
    }
    let mut sorted = items.clone();
    sorted.sort_by(compare_keys);
    owned(Value::Array(sorted))
}

fn sort_by<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let items = args.array(0)?;
    let keys = args.sort_keys(items, args.expression(1)?)?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    // Stable: elements with equal keys keep their order.
    order.sort_by(|left, right| compare_keys(&keys[*left], &keys[*right]));
    owned(Value::Array(order.into_iter().map(|at| items[at].clone()).collect()))
}

fn sum<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    owned(match add(&args.numbers(0)?) {
        Total::Integer(total) => from_integer(total),
        Total::Float(total) => from_f64(total),
    })
}

fn to_array<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let value = args.take(0)?;
    if value.is_array() {
        Ok(value)
    } else {
        owned(Value::Array(vec![value.into_owned()]))
    }
}

fn to_number<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let number = match args.value(0)? {
        Value::Number(_) => return args.take(0),
        Value::String(text) => parse_number(text),
        _ => Value::Null,
    };
    owned(number)
}

fn to_string<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    let text = match args.value(0)? {
        Value::String(_) => return args.take(0),
        other => serde_json::to_string(other).map_err(|error| args.error(error.to_string()))?,
    };
    owned(Value::String(text))
}

fn type_of<'a>(args: &mut Args<'a>) -> Evaluated<'a> {
    owned(Value::String(type_name(args.value(0)?).to_owned()))
}

/// The JMESPath name of the value's type.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Orders two numbers, or two strings (by code point); other pairs are equal.
fn compare_keys(left: &Value, right: &Value) -> Ordering {
    match (left, right) {
        (Value::Number(left), Value::Number(right)) => compare_numbers(left, right),
        (Value::String(left), Value::String(right)) => left.cmp(right),
        _ => Ordering::Equal,
    }
}

enum Total {
    Integer(i128),
    Float(f64),
}

/// The sum of `numbers`: exact while they are all integers, else as `f64`, added in order.
fn add(numbers: &[&Number]) -> Total {
    let mut total: i128 = 0;
    for number in numbers {
        match integer(number).and_then(|value| total.checked_add(value)) {
            Some(next) => total = next,
            None => return Total::Float(numbers.iter().map(|number| to_f64(number)).sum()),
        }
    }
    Total::Integer(total)
}

/// An integer as a JSON number, as `f64` when it does not fit in 64 bits.
fn from_integer(value: i128) -> Value {
    if let Ok(value) = i64::try_from(value) {
        Value::from(value)
    } else if let Ok(value) = u64::try_from(value) {
        Value::from(value)
    } else {
        from_f64(value as f64)
    }
}

/// An `f64` as a JSON number; null when it is not finite (JSON has no such numbers).
fn from_f64(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// An integral `f64` as a JSON integer when it fits in one.
fn integral(value: f64) -> Value {
    // 2^63: every f64 below it in magnitude that is integral converts to i64 exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if value.fract() == 0.0 && value.abs() < LIMIT {
        Value::from(value as i64)
    } else {
        from_f64(value)
    }
}

/// `to_number` of a string: the number when the string is a JSON number, else null.
fn parse_number(text: &str) -> Value {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|byte| byte.is_ascii_digit() || b"-+.eE".contains(&byte))
    {
        return Value::Null;
    }
    serde_json::from_str::<Number>(trimmed).map_or(Value::Null, Value::Number)
}
