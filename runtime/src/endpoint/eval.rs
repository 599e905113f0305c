//! Evaluation of a parsed rule set for one set of parameter values.
//!
//! Values borrow from the rule set, the parameters and the partitions data wherever they can
//! (`'a`); strings made while evaluating are reference-counted, so that reading a variable is a
//! copy or a count increment.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::{Deref, Range};
use std::rc::Rc;

use serde_json::{Map, Value as Json};

use super::aws::{is_virtual_hostable_s3_bucket, parse_arn};
use super::error::{ResolveError, ResolveErrorKind};
use super::functions::{is_valid_host_label, normalize_path, parse_url, split, substring, uri_encode, SplitError};
use super::output::Endpoint;
use super::params::ParamValue;
use super::partitions::{PartitionOutputs, Partitions};
use super::tree::{Bdd, Condition, EndpointDef, Expr, Func, PathPart, Prop, Rule, RuleKind, Template, TemplatePart};

/// A string value.
#[derive(Debug, Clone)]
pub(crate) enum Text<'a> {
    Borrowed(&'a str),
    Shared(Rc<str>),
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Borrowed(text) => text,
            Text::Shared(text) => text,
        }
    }
}

impl<'a> Text<'a> {
    /// The bytes `range` of the string, borrowed when the string is.
    fn slice(&self, range: Range<usize>) -> Option<Text<'a>> {
        match self {
            Text::Borrowed(text) => text.get(range).map(Text::Borrowed),
            Text::Shared(text) => text.get(range).map(|part| Text::Shared(part.into())),
        }
    }
}

/// A value while evaluating; unset is `None` around it.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    Bool(bool),
    Int(i64),
    Str(Text<'a>),
    /// A `stringArray` parameter's value.
    Strings(&'a [String]),
    Array(Rc<[Value<'a>]>),
    Url(Rc<Url<'a>>),
    Arn(Rc<Arn<'a>>),
    Partition(&'a PartitionOutputs),
}

impl<'a> Value<'a> {
    pub fn from_param(value: &'a ParamValue) -> Value<'a> {
        match value {
            ParamValue::String(value) => Value::Str(Text::Borrowed(value)),
            ParamValue::Bool(value) => Value::Bool(*value),
            ParamValue::StringArray(values) => Value::Strings(values),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Str(_) => "a string",
            Value::Strings(_) | Value::Array(_) => "an array",
            Value::Url(_) => "a URL",
            Value::Arn(_) => "an ARN",
            Value::Partition(_) => "a partition",
        }
    }

    fn to_json(&self) -> Json {
        let text = |text: &Text<'_>| Json::String(text.to_string());
        match self {
            Value::Bool(value) => Json::Bool(*value),
            Value::Int(value) => Json::from(*value),
            Value::Str(value) => text(value),
            Value::Strings(values) => values.iter().map(|value| Json::String(value.clone())).collect(),
            Value::Array(values) => values.iter().map(Value::to_json).collect(),
            Value::Url(url) => {
                let mut object = Map::new();
                object.insert("scheme".into(), text(&url.scheme));
                object.insert("authority".into(), text(&url.authority));
                object.insert("path".into(), text(&url.path));
                object.insert("normalizedPath".into(), text(&url.normalized_path));
                object.insert("isIp".into(), Json::Bool(url.is_ip));
                Json::Object(object)
            }
            Value::Arn(arn) => {
                let mut object = Map::new();
                object.insert("partition".into(), text(&arn.partition));
                object.insert("service".into(), text(&arn.service));
                object.insert("region".into(), text(&arn.region));
                object.insert("accountId".into(), text(&arn.account_id));
                object.insert(
                    "resourceId".into(),
                    arn.resource_id.iter().map(Value::to_json).collect(),
                );
                Json::Object(object)
            }
            Value::Partition(partition) => {
                let mut object = Map::new();
                object.insert("name".into(), Json::String(partition.name.clone()));
                object.insert("dnsSuffix".into(), Json::String(partition.dns_suffix.clone()));
                object.insert(
                    "dualStackDnsSuffix".into(),
                    Json::String(partition.dual_stack_dns_suffix.clone()),
                );
                object.insert("supportsFIPS".into(), Json::Bool(partition.supports_fips));
                object.insert("supportsDualStack".into(), Json::Bool(partition.supports_dual_stack));
                object.insert(
                    "implicitGlobalRegion".into(),
                    Json::String(partition.implicit_global_region.clone()),
                );
                Json::Object(object)
            }
        }
    }
}

/// What `parseURL` returns.
#[derive(Debug)]
pub(crate) struct Url<'a> {
    scheme: Text<'a>,
    authority: Text<'a>,
    path: Text<'a>,
    normalized_path: Text<'a>,
    is_ip: bool,
}

/// What `aws.parseArn` returns.
#[derive(Debug)]
pub(crate) struct Arn<'a> {
    partition: Text<'a>,
    service: Text<'a>,
    region: Text<'a>,
    account_id: Text<'a>,
    resource_id: Rc<[Value<'a>]>,
}

/// What a rule set resolved to.
pub(crate) enum Outcome {
    Endpoint(Endpoint),
    /// An error rule's message.
    Error(String),
}

/// Where a failure happened, one step of the rule tree.
#[derive(Debug, Clone, Copy)]
enum Step {
    Rule(usize),
    Condition(usize),
    Endpoint,
    Error,
}

/// An evaluation failure (a value of the wrong type, an exhausted tree rule), with the path to
/// the rule or condition, collected innermost first while it travels out.
#[derive(Debug)]
pub(crate) struct Failure {
    kind: ResolveErrorKind,
    message: String,
    steps: Vec<Step>,
}

impl Failure {
    fn new(kind: ResolveErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            steps: Vec::new(),
        }
    }

    fn evaluation(message: impl Into<String>) -> Self {
        Self::new(ResolveErrorKind::Evaluation, message)
    }

    fn at(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    pub fn into_error(self) -> ResolveError {
        let mut path = String::new();
        for step in self.steps.iter().rev() {
            if !path.is_empty() {
                path.push('.');
            }
            let _ = match step {
                Step::Rule(index) => write!(path, "rules[{index}]"),
                Step::Condition(index) => write!(path, "conditions[{index}]"),
                Step::Endpoint => write!(path, "endpoint"),
                Step::Error => write!(path, "error"),
            };
        }
        if path.is_empty() {
            ResolveError::new(self.kind, self.message)
        } else {
            ResolveError::new(self.kind, format!("{path}: {}", self.message))
        }
    }
}

type Evaluated<'a> = Result<Option<Value<'a>>, Failure>;

/// The state of one resolution: the value of every slot.
pub(crate) struct Evaluator<'a> {
    slots: Vec<Option<Value<'a>>>,
    partitions: &'a Partitions,
}

impl<'a> Evaluator<'a> {
    pub fn new(slots: Vec<Option<Value<'a>>>, partitions: &'a Partitions) -> Self {
        Self { slots, partitions }
    }

    /// Evaluates rules in order until one matches; `None` when none does.
    pub fn rules(&mut self, rules: &'a [Rule]) -> Result<Option<Outcome>, Failure> {
        for (index, rule) in rules.iter().enumerate() {
            if let Some(outcome) = self.rule(rule).map_err(|failure| failure.at(Step::Rule(index)))? {
                return Ok(Some(outcome));
            }
        }
        Ok(None)
    }

    /// Walks a decision diagram from its root to a result, evaluating the condition of each
    /// node on the way; `None` when it ends at no result.
    pub fn bdd(&mut self, bdd: &'a Bdd) -> Result<Option<Outcome>, Failure> {
        let mut reference = bdd.root;
        // Each node is met at most once on a path: more steps than nodes is a cycle.
        for _ in 0..=bdd.nodes.len() {
            if reference >= Bdd::RESULT {
                let index = (reference - Bdd::RESULT) as usize;
                let Some(rule) = index.checked_sub(1).and_then(|index| bdd.results.get(index)) else {
                    return Ok(None);
                };
                return self.rule(rule).map_err(|failure| failure.at(Step::Rule(index - 1)));
            }
            if reference == 1 || reference == -1 {
                return Ok(None);
            }
            let Some(&[condition, high, low]) = (reference.unsigned_abs() as usize)
                .checked_sub(1)
                .and_then(|index| bdd.nodes.get(index))
            else {
                return Err(Failure::evaluation(format!("the diagram has no node {reference}")));
            };
            let Some(test) = usize::try_from(condition)
                .ok()
                .and_then(|index| bdd.conditions.get(index))
            else {
                return Err(Failure::evaluation(format!("the diagram has no condition {condition}")));
            };
            let holds = self
                .condition(test)
                .map_err(|failure| failure.at(Step::Condition(condition as usize)))?;
            // A complement edge swaps the node's branches.
            let (high, low) = if reference < 0 { (low, high) } else { (high, low) };
            reference = if holds { high } else { low };
        }
        Err(Failure::evaluation("the diagram's nodes form a cycle"))
    }

    /// Whether `condition` holds; binds its value to its variable when it does.
    fn condition(&mut self, condition: &'a Condition) -> Result<bool, Failure> {
        match self.eval(&condition.expr)? {
            None | Some(Value::Bool(false)) => Ok(false),
            Some(value) => {
                if let Some(slot) = condition.assign.and_then(|slot| self.slots.get_mut(slot)) {
                    *slot = Some(value);
                }
                Ok(true)
            }
        }
    }

    fn rule(&mut self, rule: &'a Rule) -> Result<Option<Outcome>, Failure> {
        for (index, condition) in rule.conditions.iter().enumerate() {
            if !self
                .condition(condition)
                .map_err(|failure| failure.at(Step::Condition(index)))?
            {
                return Ok(None);
            }
        }
        match &rule.kind {
            RuleKind::Endpoint(endpoint) => self
                .endpoint(endpoint)
                .map(|endpoint| Some(Outcome::Endpoint(endpoint)))
                .map_err(|failure| failure.at(Step::Endpoint)),
            RuleKind::Error(message) => self
                .string(message)
                .map(|message| Some(Outcome::Error(message)))
                .map_err(|failure| failure.at(Step::Error)),
            RuleKind::Tree(rules) => match self.rules(rules)? {
                Some(outcome) => Ok(Some(outcome)),
                None => Err(Failure::new(
                    ResolveErrorKind::NoMatch,
                    "the conditions of this tree rule held, but none of its rules matched",
                )),
            },
        }
    }

    fn eval(&self, expr: &'a Expr) -> Evaluated<'a> {
        Ok(Some(match expr {
            Expr::Str(text) => Value::Str(Text::Borrowed(text)),
            Expr::Template(template) => {
                let mut out = String::with_capacity(template.raw.len() + 32);
                self.template_into(template, &mut out)?;
                Value::Str(Text::Shared(out.into()))
            }
            Expr::Bool(value) => Value::Bool(*value),
            Expr::Int(value) => Value::Int(*value),
            Expr::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items.iter() {
                    match self.eval(item)? {
                        Some(value) => values.push(value),
                        None => return Err(Failure::evaluation("an element of an array literal is unset")),
                    }
                }
                Value::Array(values.into())
            }
            Expr::Ref(slot) => return Ok(self.slots.get(*slot).cloned().flatten()),
            Expr::GetAttr(target, path) => return Ok(self.eval(target)?.and_then(|value| get_attr(value, path))),
            Expr::Call(func, args) => return self.call(*func, args),
        }))
    }

    fn call(&self, func: Func, args: &'a [Expr]) -> Evaluated<'a> {
        let value = match func {
            Func::IsSet => Value::Bool(match arg(func, args, 0)? {
                Expr::Ref(slot) => self.slots.get(*slot).is_some_and(Option::is_some),
                expr => self.eval(expr)?.is_some(),
            }),
            Func::Not => Value::Bool(!self.bool_arg(func, args, 0)?),
            Func::BooleanEquals => Value::Bool(self.bool_arg(func, args, 0)? == self.bool_arg(func, args, 1)?),
            Func::StringEquals => Value::Bool(*self.str_arg(func, args, 0)? == *self.str_arg(func, args, 1)?),
            Func::Substring => {
                let input = self.str_arg(func, args, 0)?;
                let start = self.int_arg(func, args, 1)?;
                let stop = self.int_arg(func, args, 2)?;
                let reverse = self.bool_arg(func, args, 3)?;
                return Ok(substring(&input, start, stop, reverse)
                    .and_then(|range| input.slice(range))
                    .map(Value::Str));
            }
            Func::UriEncode => Value::Str(Text::Shared(uri_encode(&self.str_arg(func, args, 0)?).into())),
            Func::ParseUrl => {
                let input = self.str_arg(func, args, 0)?;
                return Ok(url_value(&input).map(Value::Url));
            }
            Func::IsValidHostLabel => {
                let label = self.str_arg(func, args, 0)?;
                Value::Bool(is_valid_host_label(&label, self.bool_arg(func, args, 1)?))
            }
            Func::Coalesce => {
                for arg in args {
                    if let Some(value) = self.eval(arg)? {
                        return Ok(Some(value));
                    }
                }
                return Ok(None);
            }
            Func::Ite => {
                let branch = if self.bool_arg(func, args, 0)? { 1 } else { 2 };
                return self.eval(arg(func, args, branch)?);
            }
            Func::Split => {
                let input = self.str_arg(func, args, 0)?;
                let delimiter = self.str_arg(func, args, 1)?;
                let limit = self.int_arg(func, args, 2)?;
                let parts = split(&input, &delimiter, limit).map_err(|error| {
                    Failure::evaluation(match error {
                        SplitError::EmptyDelimiter => "the delimiter of `split` is empty",
                        SplitError::NegativeLimit => "the limit of `split` is negative",
                    })
                })?;
                Value::Array(
                    parts
                        .into_iter()
                        .filter_map(|range| input.slice(range).map(Value::Str))
                        .collect(),
                )
            }
            Func::AwsPartition => {
                let partitions: &'a Partitions = self.partitions;
                return Ok(partitions
                    .partition(&self.str_arg(func, args, 0)?)
                    .map(Value::Partition));
            }
            Func::AwsParseArn => {
                let input = self.str_arg(func, args, 0)?;
                return Ok(arn_value(&input).map(Value::Arn));
            }
            Func::AwsIsVirtualHostableS3Bucket => {
                let bucket = self.str_arg(func, args, 0)?;
                Value::Bool(is_virtual_hostable_s3_bucket(&bucket, self.bool_arg(func, args, 1)?))
            }
        };
        Ok(Some(value))
    }

    /// Evaluates an argument that must be set.
    fn set_arg(&self, func: Func, args: &'a [Expr], index: usize, expected: &str) -> Result<Value<'a>, Failure> {
        self.eval(arg(func, args, index)?)?.ok_or_else(|| {
            Failure::evaluation(format!(
                "argument {} of `{}` must be {expected}, but it is unset",
                index + 1,
                func.name()
            ))
        })
    }

    fn mismatch(func: Func, index: usize, expected: &str, found: &Value<'_>) -> Failure {
        Failure::evaluation(format!(
            "argument {} of `{}` must be {expected}, not {}",
            index + 1,
            func.name(),
            found.describe()
        ))
    }

    fn bool_arg(&self, func: Func, args: &'a [Expr], index: usize) -> Result<bool, Failure> {
        // The common cases, a literal and a variable, without making a value.
        match args.get(index) {
            Some(Expr::Bool(value)) => return Ok(*value),
            Some(Expr::Ref(slot)) => {
                if let Some(Some(Value::Bool(value))) = self.slots.get(*slot) {
                    return Ok(*value);
                }
            }
            _ => {}
        }
        match self.set_arg(func, args, index, "a boolean")? {
            Value::Bool(value) => Ok(value),
            other => Err(Self::mismatch(func, index, "a boolean", &other)),
        }
    }

    fn str_arg(&self, func: Func, args: &'a [Expr], index: usize) -> Result<Text<'a>, Failure> {
        match self.set_arg(func, args, index, "a string")? {
            Value::Str(value) => Ok(value),
            other => Err(Self::mismatch(func, index, "a string", &other)),
        }
    }

    fn int_arg(&self, func: Func, args: &'a [Expr], index: usize) -> Result<i64, Failure> {
        match self.set_arg(func, args, index, "an integer")? {
            Value::Int(value) => Ok(value),
            other => Err(Self::mismatch(func, index, "an integer", &other)),
        }
    }

    /// Evaluates an expression that must give a string.
    fn string(&self, expr: &'a Expr) -> Result<String, Failure> {
        match expr {
            Expr::Str(text) => Ok(text.to_string()),
            Expr::Template(template) => {
                let mut out = String::with_capacity(template.raw.len() + 32);
                self.template_into(template, &mut out)?;
                Ok(out)
            }
            _ => match self.eval(expr)? {
                Some(Value::Str(text)) => Ok(text.to_string()),
                Some(other) => Err(Failure::evaluation(format!(
                    "expected a string, found {}",
                    other.describe()
                ))),
                None => Err(Failure::evaluation("expected a string, but the value is unset")),
            },
        }
    }

    fn template_into(&self, template: &'a Template, out: &mut String) -> Result<(), Failure> {
        for part in template.parts.iter() {
            match part {
                TemplatePart::Literal(text) => out.push_str(text),
                TemplatePart::Dynamic(expr) => match self.eval(expr)? {
                    Some(Value::Str(text)) => out.push_str(&text),
                    Some(other) => {
                        return Err(Failure::evaluation(format!(
                            "template `{}`: a part is {}, not a string",
                            template.raw,
                            other.describe()
                        )))
                    }
                    None => {
                        return Err(Failure::evaluation(format!(
                            "template `{}` uses a value that is unset",
                            template.raw
                        )))
                    }
                },
            }
        }
        Ok(())
    }

    fn endpoint(&self, endpoint: &'a EndpointDef) -> Result<Endpoint, Failure> {
        let url = self.string(&endpoint.url)?;
        let mut headers = BTreeMap::new();
        for (name, values) in endpoint.headers.iter() {
            let values = values
                .iter()
                .map(|value| self.string(value))
                .collect::<Result<Vec<_>, _>>()?;
            headers.insert(name.to_string(), values);
        }
        let mut properties = Map::new();
        for (key, prop) in endpoint.properties.iter() {
            properties.insert(key.to_string(), self.property(prop)?);
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    fn property(&self, prop: &'a Prop) -> Result<Json, Failure> {
        Ok(match prop {
            Prop::Null => Json::Null,
            Prop::Bool(value) => Json::Bool(*value),
            Prop::Number(number) => Json::Number(number.clone()),
            Prop::Str(expr @ (Expr::Str(_) | Expr::Template(_))) => Json::String(self.string(expr)?),
            Prop::Str(expr) => match self.eval(expr)? {
                Some(value) => value.to_json(),
                None => return Err(Failure::evaluation("a property uses a value that is unset")),
            },
            Prop::Array(items) => Json::Array(items.iter().map(|item| self.property(item)).collect::<Result<_, _>>()?),
            Prop::Object(entries) => {
                let mut object = Map::new();
                for (key, value) in entries.iter() {
                    object.insert(key.to_string(), self.property(value)?);
                }
                Json::Object(object)
            }
        })
    }
}

/// The argument `index` of a call (the compiler checked the arity).
fn arg(func: Func, args: &[Expr], index: usize) -> Result<&Expr, Failure> {
    args.get(index)
        .ok_or_else(|| Failure::evaluation(format!("`{}` has no argument {}", func.name(), index + 1)))
}

fn url_value<'a>(input: &Text<'a>) -> Option<Rc<Url<'a>>> {
    let parts = parse_url(input)?;
    let path = input.slice(parts.path)?;
    let normalized_path = match normalize_path(&path) {
        Cow::Borrowed(normalized) if std::ptr::eq(normalized, &*path) => path.clone(),
        Cow::Borrowed("/") => Text::Borrowed("/"),
        normalized => Text::Shared(normalized.into()),
    };
    let scheme = input.slice(parts.scheme)?;
    // Schemes are case-insensitive; `parseURL` gives them in lower case.
    let scheme = if scheme.bytes().any(|byte| byte.is_ascii_uppercase()) {
        Text::Shared(scheme.to_ascii_lowercase().into())
    } else {
        scheme
    };
    Some(Rc::new(Url {
        scheme,
        authority: input.slice(parts.authority)?,
        path,
        normalized_path,
        is_ip: parts.is_ip,
    }))
}

fn arn_value<'a>(input: &Text<'a>) -> Option<Rc<Arn<'a>>> {
    let parts = parse_arn(input)?;
    let resource_id = parts
        .resource_id
        .into_iter()
        .map(|range| input.slice(range).map(Value::Str))
        .collect::<Option<Rc<[_]>>>()?;
    Some(Rc::new(Arn {
        partition: input.slice(parts.partition)?,
        service: input.slice(parts.service)?,
        region: input.slice(parts.region)?,
        account_id: input.slice(parts.account_id)?,
        resource_id,
    }))
}

/// `getAttr`: unset when an attribute or an element is missing.
fn get_attr<'a>(mut value: Value<'a>, path: &[PathPart]) -> Option<Value<'a>> {
    for part in path {
        value = match (&value, part) {
            (Value::Partition(partition), PathPart::Key(key)) => partition_attr(partition, key)?,
            (Value::Url(url), PathPart::Key(key)) => match &**key {
                "scheme" => Value::Str(url.scheme.clone()),
                "authority" => Value::Str(url.authority.clone()),
                "path" => Value::Str(url.path.clone()),
                "normalizedPath" => Value::Str(url.normalized_path.clone()),
                "isIp" => Value::Bool(url.is_ip),
                _ => return None,
            },
            (Value::Arn(arn), PathPart::Key(key)) => match &**key {
                "partition" => Value::Str(arn.partition.clone()),
                "service" => Value::Str(arn.service.clone()),
                "region" => Value::Str(arn.region.clone()),
                "accountId" => Value::Str(arn.account_id.clone()),
                "resourceId" => Value::Array(arn.resource_id.clone()),
                _ => return None,
            },
            (Value::Array(items), PathPart::Index(index)) => items.get(element_index(*index, items.len())?)?.clone(),
            (Value::Strings(items), PathPart::Index(index)) => {
                let items: &'a [String] = items;
                Value::Str(Text::Borrowed(items.get(element_index(*index, items.len())?)?))
            }
            _ => return None,
        };
    }
    Some(value)
}

fn partition_attr<'a>(partition: &'a PartitionOutputs, key: &str) -> Option<Value<'a>> {
    Some(match key {
        "name" => Value::Str(Text::Borrowed(&partition.name)),
        "dnsSuffix" => Value::Str(Text::Borrowed(&partition.dns_suffix)),
        "dualStackDnsSuffix" => Value::Str(Text::Borrowed(&partition.dual_stack_dns_suffix)),
        "implicitGlobalRegion" => Value::Str(Text::Borrowed(&partition.implicit_global_region)),
        "supportsFIPS" => Value::Bool(partition.supports_fips),
        "supportsDualStack" => Value::Bool(partition.supports_dual_stack),
        _ => return None,
    })
}

/// An index into `len` elements; negative indexes count from the end.
fn element_index(index: i64, len: usize) -> Option<usize> {
    if index >= 0 {
        usize::try_from(index).ok()
    } else {
        len.checked_sub(usize::try_from(index.unsigned_abs()).ok()?)
    }
}
