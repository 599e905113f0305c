//! From the JSON of a rule set to the [tree](super::tree) the evaluator walks: references
//! become slots, templates and `getAttr` paths are split up, and arities and types are checked
//! (every value's type but whether it may be unset), so that a mistake in a rule set is reported
//! once, with its JSON path, instead of on some call.

use std::fmt::Write as _;

use super::json::{Json, Map};

use super::error::RuleSetError;
use super::params::{Deprecated, ParamType, ParamValue, Parameter};
use super::tree::{
    Bdd, Condition, EndpointDef, Entries, Expr, Func, PathPart, Prop, Rule, RuleKind, Slot, Template, TemplatePart,
};

/// How deep rules, expressions and endpoint properties may nest: real rule sets stay far below
/// it, and it keeps evaluation's recursion well within any thread's stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// A parsed rule set.
pub(crate) struct Compiled {
    pub version: String,
    /// Sorted by name; parameter `i` has slot `i`.
    pub parameters: Vec<Parameter>,
    pub rules: Box<[Rule]>,
    /// How many slots evaluation needs: the parameters, then the assigned variables.
    pub slots: usize,
}

/// Parses the value of a `smithy.rules#endpointRuleSet` trait.
pub(crate) fn compile(json: &Json<'_>) -> Result<Compiled, RuleSetError> {
    let object = json
        .as_object()
        .ok_or_else(|| RuleSetError::new("", format!("a rule set must be an object, not {}", json_kind(json))))?;
    let mut compiler = Compiler::default();
    let version = compiler.required_str(object, "version")?.to_owned();
    if !version.starts_with("1.") {
        return Err(compiler.error_at(
            Seg::Key("version"),
            format!("unsupported rules engine version `{version}` (1.x is supported)"),
        ));
    }
    let parameters = compiler.declare_parameters(object)?;
    let rules = compiler.required(object, "rules")?;
    let rules = compiler.at(Seg::Key("rules"), |c| c.rules(rules, 1))?;
    let slots = compiler.params.len() + compiler.variables.len();
    Ok(Compiled {
        version,
        parameters,
        rules,
        slots,
    })
}

/// A parsed decision diagram (`smithy.rules#endpointBdd`).
pub(crate) struct CompiledBdd {
    pub version: String,
    /// Sorted by name; parameter `i` has slot `i`.
    pub parameters: Vec<Parameter>,
    pub bdd: Bdd,
    pub slots: usize,
}

/// Parses the value of a `smithy.rules#endpointBdd` trait: its parameters as a rule set's, its
/// conditions in order (a variable one assigns is visible to those after it and to the
/// results), its results (rules without conditions), and its nodes, each reference checked.
pub(crate) fn compile_bdd(json: &Json<'_>) -> Result<CompiledBdd, RuleSetError> {
    let object = json.as_object().ok_or_else(|| {
        RuleSetError::new(
            "",
            format!("a decision diagram must be an object, not {}", json_kind(json)),
        )
    })?;
    let mut compiler = Compiler::default();
    let version = compiler.required_str(object, "version")?.to_owned();
    let supported = version
        .strip_prefix("1.")
        .and_then(|minor| minor.split('.').next())
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| minor >= 1);
    if !supported {
        return Err(compiler.error_at(
            Seg::Key("version"),
            format!("unsupported decision diagram version `{version}` (1.1 and later 1.x are supported)"),
        ));
    }
    let parameters = compiler.declare_parameters(object)?;
    let conditions = compiler.required(object, "conditions")?;
    let conditions = compiler.at(Seg::Key("conditions"), |c| {
        let items = c.array(conditions)?;
        items
            .iter()
            .enumerate()
            .map(|(index, condition)| c.at(Seg::Index(index), |c| c.bdd_condition(condition)))
            .collect::<Result<Box<[Condition]>, _>>()
    })?;
    let results = compiler.required(object, "results")?;
    let results = compiler.at(Seg::Key("results"), |c| {
        let items = c.array(results)?;
        items
            .iter()
            .enumerate()
            .map(|(index, result)| {
                c.at(Seg::Index(index), |c| {
                    let rule = c.rule(result, 1)?;
                    if !rule.conditions.is_empty() || matches!(rule.kind, RuleKind::Tree(_)) {
                        return Err(c.error("a result must be an endpoint or error rule without conditions"));
                    }
                    Ok(rule)
                })
            })
            .collect::<Result<Box<[Rule]>, _>>()
    })?;
    let root = compiler.required(object, "root")?;
    let root = root
        .as_i64()
        .and_then(|root| i32::try_from(root).ok())
        .ok_or_else(|| compiler.error_at(Seg::Key("root"), "the root must be a 32-bit integer"))?;
    let count = compiler.required(object, "nodeCount")?;
    let count = count
        .as_u64()
        .and_then(|count| usize::try_from(count).ok())
        .ok_or_else(|| compiler.error_at(Seg::Key("nodeCount"), "the node count must be a non-negative integer"))?;
    let nodes = compiler.required_str(object, "nodes")?;
    let bytes = crate::primitives::Blob::from_base64(nodes)
        .ok_or_else(|| compiler.error_at(Seg::Key("nodes"), "the nodes are not base64"))?;
    let bytes = bytes.as_ref();
    if bytes.len() != count.saturating_mul(12) {
        return Err(compiler.error_at(
            Seg::Key("nodes"),
            format!(
                "{} bytes of nodes, where {count} nodes take {}",
                bytes.len(),
                count.saturating_mul(12)
            ),
        ));
    }
    let nodes: Box<[[i32; 3]]> = bytes
        .chunks_exact(12)
        .map(|node| {
            let int = |at: usize| i32::from_be_bytes([node[at], node[at + 1], node[at + 2], node[at + 3]]);
            [int(0), int(4), int(8)]
        })
        .collect();
    let check = |reference: i32, what: &str| -> Result<(), String> {
        let valid = match reference {
            0 => false,
            1 | -1 => true,
            reference if reference >= Bdd::RESULT => ((reference - Bdd::RESULT) as usize) <= results.len(),
            reference => (reference.unsigned_abs() as usize) <= nodes.len(),
        };
        if valid {
            Ok(())
        } else {
            Err(format!(
                "{what} refers to {reference}, which is neither a node, a result nor a terminal"
            ))
        }
    };
    check(root, "the root").map_err(|message| compiler.error_at(Seg::Key("root"), message))?;
    if root < 0 {
        return Err(compiler.error_at(Seg::Key("root"), "the root must not be a complement"));
    }
    for (index, [condition, high, low]) in nodes.iter().enumerate().skip(1) {
        let problem = if usize::try_from(*condition).map_or(true, |condition| condition >= conditions.len()) {
            Err(format!(
                "node {index} tests condition {condition}, which does not exist"
            ))
        } else {
            check(*high, &format!("node {index}")).and_then(|()| check(*low, &format!("node {index}")))
        };
        problem.map_err(|message| compiler.error_at(Seg::Key("nodes"), message))?;
    }
    let slots = compiler.params.len() + compiler.variables.len();
    Ok(CompiledBdd {
        version,
        parameters,
        bdd: Bdd {
            conditions,
            results,
            root,
            nodes,
        },
        slots,
    })
}

/// The type of a value, as far as it is checked: optionality is not tracked.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// Not known (the elements of an empty array literal): accepted anywhere.
    Any,
    Bool,
    Int,
    Str,
    Array(Box<Ty>),
    Partition,
    Url,
    Arn,
}

impl Ty {
    fn of_param(param_type: ParamType) -> Ty {
        match param_type {
            ParamType::String => Ty::Str,
            ParamType::Boolean => Ty::Bool,
            ParamType::StringArray => Ty::Array(Box::new(Ty::Str)),
        }
    }

    fn describe(&self) -> String {
        match self {
            Ty::Any => "a value of any type".to_owned(),
            Ty::Bool => "a boolean".to_owned(),
            Ty::Int => "an integer".to_owned(),
            Ty::Str => "a string".to_owned(),
            Ty::Array(element) => format!("an array of {}", element.plural()),
            Ty::Partition => "a partition (from aws.partition)".to_owned(),
            Ty::Url => "a URL (from parseURL)".to_owned(),
            Ty::Arn => "an ARN (from aws.parseArn)".to_owned(),
        }
    }

    fn plural(&self) -> String {
        match self {
            Ty::Any => "values".to_owned(),
            Ty::Bool => "booleans".to_owned(),
            Ty::Int => "integers".to_owned(),
            Ty::Str => "strings".to_owned(),
            Ty::Array(element) => format!("arrays of {}", element.plural()),
            Ty::Partition => "partitions".to_owned(),
            Ty::Url => "URLs".to_owned(),
            Ty::Arn => "ARNs".to_owned(),
        }
    }

    /// Whether a value of type `actual` may be given where `self` is expected.
    fn accepts(&self, actual: &Ty) -> bool {
        match (self, actual) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (Ty::Array(expected), Ty::Array(actual)) => expected.accepts(actual),
            (expected, actual) => expected == actual,
        }
    }

    /// The more precise of two types that accept each other.
    fn unify(self, other: Ty) -> Ty {
        if self == Ty::Any {
            other
        } else {
            self
        }
    }
}

/// One step of a JSON path.
#[derive(Debug, Clone, Copy)]
enum Seg<'j> {
    Key(&'j str),
    Index(usize),
}

#[derive(Default)]
struct Compiler<'j> {
    /// Where in the document the compiler is, for messages.
    path: Vec<Seg<'j>>,
    /// The parameters' names and types, in slot order.
    params: Vec<(String, Ty)>,
    /// Every name a condition assigns, with its slot: one slot per name, shared by the sibling
    /// rules that assign it (they are never in scope together).
    variables: Vec<(&'j str, Slot)>,
    /// The variables in scope where the compiler is.
    scope: Vec<(&'j str, Slot, Ty)>,
}

impl<'j> Compiler<'j> {
    /// Reads the document's `parameters` and gives each its slot.
    fn declare_parameters(&mut self, object: &'j Map<'j>) -> Result<Vec<Parameter>, RuleSetError> {
        let parameters = self.required(object, "parameters")?;
        let parameters = self.at(Seg::Key("parameters"), |c| c.parameters(parameters))?;
        self.params = parameters
            .iter()
            .map(|parameter| (parameter.name.clone(), Ty::of_param(parameter.param_type)))
            .collect();
        Ok(parameters)
    }

    fn path_string(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Seg::Index(index) => {
                    let _ = write!(out, "[{index}]");
                }
            }
        }
        out
    }

    fn error(&self, message: impl Into<String>) -> RuleSetError {
        RuleSetError::new(self.path_string(), message)
    }

    fn error_at(&mut self, seg: Seg<'j>, message: impl Into<String>) -> RuleSetError {
        self.path.push(seg);
        let error = self.error(message);
        self.path.pop();
        error
    }

    /// Runs `f` one step further down the document.
    fn at<T>(&mut self, seg: Seg<'j>, f: impl FnOnce(&mut Self) -> Result<T, RuleSetError>) -> Result<T, RuleSetError> {
        self.path.push(seg);
        let result = f(self);
        self.path.pop();
        result
    }

    fn required(&self, object: &'j Map<'j>, key: &str) -> Result<&'j Json<'j>, RuleSetError> {
        object.get(key).ok_or_else(|| self.error(format!("missing `{key}`")))
    }

    fn object(&self, value: &'j Json<'j>) -> Result<&'j Map<'j>, RuleSetError> {
        value
            .as_object()
            .ok_or_else(|| self.error(format!("expected an object, found {}", json_kind(value))))
    }

    fn array(&self, value: &'j Json<'j>) -> Result<&'j [Json<'j>], RuleSetError> {
        match value {
            Json::Array(items) => Ok(items),
            _ => Err(self.error(format!("expected an array, found {}", json_kind(value)))),
        }
    }

    fn string(&self, value: &'j Json<'j>) -> Result<&'j str, RuleSetError> {
        value
            .as_str()
            .ok_or_else(|| self.error(format!("expected a string, found {}", json_kind(value))))
    }

    fn required_str(&mut self, object: &'j Map<'j>, key: &'static str) -> Result<&'j str, RuleSetError> {
        let value = self.required(object, key)?;
        self.at(Seg::Key(key), |c| c.string(value))
    }

    fn optional_str(&mut self, object: &'j Map<'j>, key: &'static str) -> Result<Option<&'j str>, RuleSetError> {
        match object.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(value) => self.at(Seg::Key(key), |c| c.string(value)).map(Some),
        }
    }

    fn parameters(&mut self, value: &'j Json<'j>) -> Result<Vec<Parameter>, RuleSetError> {
        let object = self.object(value)?;
        let mut parameters = object
            .iter()
            .map(|(name, declaration)| self.at(Seg::Key(name), |c| c.parameter(name, declaration)))
            .collect::<Result<Vec<_>, _>>()?;
        parameters.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(parameters)
    }

    fn parameter(&mut self, name: &'j str, value: &'j Json<'j>) -> Result<Parameter, RuleSetError> {
        if name.is_empty() || name.contains(['{', '}', '#']) {
            return Err(self.error(format!("`{name}` is not a parameter name")));
        }
        let object = self.object(value)?;
        let type_name = self.required_str(object, "type")?;
        let param_type = ParamType::from_name(type_name).ok_or_else(|| {
            self.error_at(
                Seg::Key("type"),
                format!("unknown parameter type `{type_name}` (string, boolean or stringArray)"),
            )
        })?;
        let required = match object.get("required") {
            None | Some(Json::Null) => false,
            Some(Json::Bool(required)) => *required,
            Some(other) => {
                let message = format!("expected a boolean, found {}", json_kind(other));
                return Err(self.error_at(Seg::Key("required"), message));
            }
        };
        let default = match object.get("default") {
            None | Some(Json::Null) => None,
            Some(value) => Some(self.at(Seg::Key("default"), |c| c.param_value(value, param_type))?),
        };
        let deprecated = match object.get("deprecated") {
            None | Some(Json::Null) => None,
            Some(value) => Some(self.at(Seg::Key("deprecated"), |c| {
                let object = c.object(value)?;
                Ok(Deprecated {
                    message: c.optional_str(object, "message")?.map(str::to_owned),
                    since: c.optional_str(object, "since")?.map(str::to_owned),
                })
            })?),
        };
        Ok(Parameter {
            name: name.to_owned(),
            param_type,
            built_in: self.optional_str(object, "builtIn")?.map(str::to_owned),
            required,
            default,
            documentation: self.optional_str(object, "documentation")?.map(str::to_owned),
            deprecated,
        })
    }

    fn param_value(&mut self, value: &'j Json<'j>, param_type: ParamType) -> Result<ParamValue, RuleSetError> {
        match (param_type, value) {
            (ParamType::String, Json::String(value)) => Ok(ParamValue::String(value.to_string())),
            (ParamType::Boolean, Json::Bool(value)) => Ok(ParamValue::Bool(*value)),
            (ParamType::StringArray, Json::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.at(Seg::Index(index), |c| c.string(item).map(str::to_owned)))
                .collect::<Result<Vec<_>, _>>()
                .map(ParamValue::StringArray),
            _ => Err(self.error(format!(
                "the default of a {param_type} parameter must be {}, not {}",
                Ty::of_param(param_type).describe(),
                json_kind(value)
            ))),
        }
    }

    fn rules(&mut self, value: &'j Json<'j>, depth: usize) -> Result<Box<[Rule]>, RuleSetError> {
        let rules = self.array(value)?;
        rules
            .iter()
            .enumerate()
            .map(|(index, rule)| self.at(Seg::Index(index), |c| c.rule(rule, depth)))
            .collect()
    }

    fn rule(&mut self, value: &'j Json<'j>, depth: usize) -> Result<Rule, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("rules are nested more than {MAX_DEPTH} deep")));
        }
        let object = self.object(value)?;
        let kind = self.required_str(object, "type")?;
        let scope = self.scope.len();
        let conditions = match object.get("conditions") {
            None | Some(Json::Null) => Box::default(),
            Some(conditions) => self.at(Seg::Key("conditions"), |c| c.conditions(conditions))?,
        };
        let kind = match kind {
            "endpoint" => {
                let endpoint = self.required(object, "endpoint")?;
                RuleKind::Endpoint(Box::new(self.at(Seg::Key("endpoint"), |c| c.endpoint(endpoint))?))
            }
            "error" => {
                let message = self.required(object, "error")?;
                RuleKind::Error(self.at(Seg::Key("error"), |c| c.string_expr(message, "an error message"))?)
            }
            "tree" => {
                let rules = self.required(object, "rules")?;
                RuleKind::Tree(self.at(Seg::Key("rules"), |c| c.rules(rules, depth + 1))?)
            }
            other => {
                let message = format!("unknown rule type `{other}` (endpoint, error or tree)");
                return Err(self.error_at(Seg::Key("type"), message));
            }
        };
        // A rule's variables are visible to its own rules only.
        self.scope.truncate(scope);
        Ok(Rule { conditions, kind })
    }

    fn conditions(&mut self, value: &'j Json<'j>) -> Result<Box<[Condition]>, RuleSetError> {
        let conditions = self.array(value)?;
        conditions
            .iter()
            .enumerate()
            .map(|(index, condition)| self.at(Seg::Index(index), |c| c.condition(condition)))
            .collect()
    }

    fn condition(&mut self, value: &'j Json<'j>) -> Result<Condition, RuleSetError> {
        let object = self.object(value)?;
        if !object.contains_key("fn") {
            return Err(self.error("a condition must be a function call (`fn` and `argv`)"));
        }
        let (expr, ty) = self.call(object, 1)?;
        let assign = match object.get("assign") {
            None | Some(Json::Null) => None,
            Some(name) => Some(self.at(Seg::Key("assign"), |c| {
                let name = c.string(name)?;
                c.declare(name, ty)
            })?),
        };
        Ok(Condition { expr, assign })
    }

    /// A condition of a decision diagram: its variable is visible to every later condition and
    /// to the results, and another condition may assign the same name (of the same type).
    fn bdd_condition(&mut self, value: &'j Json<'j>) -> Result<Condition, RuleSetError> {
        let object = self.object(value)?;
        if !object.contains_key("fn") {
            return Err(self.error("a condition must be a function call (`fn` and `argv`)"));
        }
        let (expr, ty) = self.call(object, 1)?;
        let assign = match object.get("assign") {
            None | Some(Json::Null) => None,
            Some(name) => Some(self.at(Seg::Key("assign"), |c| {
                let name = c.string(name)?;
                match c.scope.iter().find(|(variable, _, _)| *variable == name) {
                    Some((_, slot, known)) if known.accepts(&ty) => Ok(*slot),
                    Some((_, _, known)) => Err(c.error(format!(
                        "`{name}` is assigned {} here and {} elsewhere",
                        ty.describe(),
                        known.describe()
                    ))),
                    None => c.declare(name, ty),
                }
            })?),
        };
        Ok(Condition { expr, assign })
    }

    /// Brings a variable into scope and gives its slot.
    fn declare(&mut self, name: &'j str, ty: Ty) -> Result<Slot, RuleSetError> {
        if name.is_empty() || name.contains(['{', '}', '#']) {
            return Err(self.error(format!("`{name}` is not a variable name")));
        }
        if self.params.iter().any(|(param, _)| param == name) {
            return Err(self.error(format!("`{name}` is a parameter, and cannot be assigned")));
        }
        if self.scope.iter().any(|(variable, _, _)| *variable == name) {
            return Err(self.error(format!("`{name}` is already assigned by an enclosing condition")));
        }
        let slot = match self.variables.iter().find(|(variable, _)| *variable == name) {
            Some((_, slot)) => *slot,
            None => {
                let slot = self.params.len() + self.variables.len();
                self.variables.push((name, slot));
                slot
            }
        };
        self.scope.push((name, slot, ty));
        Ok(slot)
    }

    /// The slot and type of a parameter or of a variable in scope.
    fn lookup(&self, name: &str) -> Option<(Slot, Ty)> {
        if let Some(slot) = self.params.iter().position(|(param, _)| param == name) {
            return Some((slot, self.params[slot].1.clone()));
        }
        self.scope
            .iter()
            .rev()
            .find(|(variable, _, _)| *variable == name)
            .map(|(_, slot, ty)| (*slot, ty.clone()))
    }

    fn reference(&self, name: &str) -> Result<(Expr, Ty), RuleSetError> {
        self.lookup(name)
            .map(|(slot, ty)| (Expr::Ref(slot), ty))
            .ok_or_else(|| {
                self.error(format!(
                    "`{name}` is neither a parameter nor a variable assigned before this point"
                ))
            })
    }

    /// An expression that must be a string: an endpoint's URL, a header value, an error message.
    fn string_expr(&mut self, value: &'j Json<'j>, what: &str) -> Result<Expr, RuleSetError> {
        let (expr, ty) = self.expr(value, 1)?;
        if !Ty::Str.accepts(&ty) {
            return Err(self.error(format!("{what} must be a string, not {}", ty.describe())));
        }
        Ok(expr)
    }

    fn expr(&mut self, value: &'j Json<'j>, depth: usize) -> Result<(Expr, Ty), RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("expressions are nested more than {MAX_DEPTH} deep")));
        }
        match value {
            Json::String(template) => self.template(template),
            Json::Bool(value) => Ok((Expr::Bool(*value), Ty::Bool)),
            Json::Number(number) => number
                .as_i64()
                .map(|value| (Expr::Int(value), Ty::Int))
                .ok_or_else(|| self.error(format!("expected an integer, found {number}"))),
            Json::Array(items) => {
                let mut exprs = Vec::with_capacity(items.len());
                let mut element = Ty::Any;
                for (index, item) in items.iter().enumerate() {
                    let (expr, ty) = self.at(Seg::Index(index), |c| c.expr(item, depth + 1))?;
                    if !element.accepts(&ty) {
                        let message = format!(
                            "the elements of an array must have one type: this one is {}, an earlier one {}",
                            ty.describe(),
                            element.describe()
                        );
                        return Err(self.error_at(Seg::Index(index), message));
                    }
                    element = element.unify(ty);
                    exprs.push(expr);
                }
                Ok((Expr::Array(exprs.into()), Ty::Array(Box::new(element))))
            }
            Json::Object(object) => {
                if let Some(name) = object.get("ref") {
                    return self.at(Seg::Key("ref"), |c| {
                        let name = c.string(name)?;
                        c.reference(name)
                    });
                }
                if object.contains_key("fn") {
                    return self.call(object, depth);
                }
                Err(self.error("expected a reference (`ref`) or a function call (`fn` and `argv`)"))
            }
            Json::Null => Err(self.error("expected an expression, found null")),
        }
    }

    fn call(&mut self, object: &'j Map<'j>, depth: usize) -> Result<(Expr, Ty), RuleSetError> {
        let name = self.required_str(object, "fn")?;
        let argv = self.required(object, "argv")?;
        let argv = self.at(Seg::Key("argv"), |c| c.array(argv))?;
        if name == "getAttr" {
            return self.at(Seg::Key("argv"), |c| c.get_attr(argv, depth));
        }
        let func =
            Func::from_name(name).ok_or_else(|| self.error_at(Seg::Key("fn"), format!("unknown function {name}")))?;
        self.at(Seg::Key("argv"), |c| {
            let mut args = Vec::with_capacity(argv.len());
            let mut types = Vec::with_capacity(argv.len());
            for (index, arg) in argv.iter().enumerate() {
                let (expr, ty) = c.at(Seg::Index(index), |c| c.expr(arg, depth + 1))?;
                args.push(expr);
                types.push(ty);
            }
            let ty = c.check_call(func, &args, types)?;
            Ok((Expr::Call(func, args.into()), ty))
        })
    }

    /// The type a call returns, if its arguments fit.
    fn check_call(&mut self, func: Func, args: &[Expr], types: Vec<Ty>) -> Result<Ty, RuleSetError> {
        use Ty::{Any, Bool, Int, Str};
        let (params, ret) = match func {
            Func::IsSet => (vec![Any], Bool),
            Func::Not => (vec![Bool], Bool),
            Func::BooleanEquals => (vec![Bool, Bool], Bool),
            Func::StringEquals => (vec![Str, Str], Bool),
            Func::Substring => (vec![Str, Int, Int, Bool], Str),
            Func::UriEncode => (vec![Str], Str),
            Func::ParseUrl => (vec![Str], Ty::Url),
            Func::IsValidHostLabel | Func::AwsIsVirtualHostableS3Bucket => (vec![Str, Bool], Bool),
            Func::Split => (vec![Str, Str, Int], Ty::Array(Box::new(Str))),
            Func::AwsPartition => (vec![Str], Ty::Partition),
            Func::AwsParseArn => (vec![Str], Ty::Arn),
            Func::Ite => {
                let count = types.len();
                let Ok([condition, then, otherwise]) = <[Ty; 3]>::try_from(types) else {
                    return Err(self.error(format!("`ite` takes 3 arguments, found {count}")));
                };
                self.check_arg(func, 0, &Bool, &condition)?;
                if !then.accepts(&otherwise) {
                    let message = format!(
                        "the two values of `ite` must have one type: this one is {}, the first {}",
                        otherwise.describe(),
                        then.describe()
                    );
                    return Err(self.error_at(Seg::Index(2), message));
                }
                return Ok(then.unify(otherwise));
            }
            Func::Coalesce => {
                if types.len() < 2 {
                    return Err(self.error(format!("`coalesce` takes 2 arguments or more, found {}", types.len())));
                }
                let mut result = Any;
                for (index, ty) in types.into_iter().enumerate() {
                    if !result.accepts(&ty) {
                        let message = format!(
                            "the arguments of `coalesce` must have one type: this one is {}, an earlier one {}",
                            ty.describe(),
                            result.describe()
                        );
                        return Err(self.error_at(Seg::Index(index), message));
                    }
                    result = result.unify(ty);
                }
                return Ok(result);
            }
        };
        if types.len() != params.len() {
            let count = params.len();
            let plural = if count == 1 { "" } else { "s" };
            return Err(self.error(format!(
                "`{}` takes {count} argument{plural}, found {}",
                func.name(),
                types.len()
            )));
        }
        for (index, (expected, actual)) in params.iter().zip(&types).enumerate() {
            self.check_arg(func, index, expected, actual)?;
        }
        if func == Func::Split {
            if let Some(Expr::Str(delimiter)) = args.get(1) {
                if delimiter.is_empty() {
                    return Err(self.error_at(Seg::Index(1), "the delimiter of `split` must not be empty"));
                }
            }
            if let Some(Expr::Int(limit)) = args.get(2) {
                if *limit < 0 {
                    return Err(self.error_at(Seg::Index(2), "the limit of `split` must not be negative"));
                }
            }
        }
        Ok(ret)
    }

    fn check_arg(&mut self, func: Func, index: usize, expected: &Ty, actual: &Ty) -> Result<(), RuleSetError> {
        if expected.accepts(actual) {
            return Ok(());
        }
        let message = format!(
            "argument {} of `{}` must be {}, not {}",
            index + 1,
            func.name(),
            expected.describe(),
            actual.describe()
        );
        Err(self.error_at(Seg::Index(index), message))
    }

    fn get_attr(&mut self, argv: &'j [Json<'j>], depth: usize) -> Result<(Expr, Ty), RuleSetError> {
        let [target, path] = argv else {
            return Err(self.error(format!("`getAttr` takes 2 arguments, found {}", argv.len())));
        };
        let (target, target_ty) = self.at(Seg::Index(0), |c| c.expr(target, depth + 1))?;
        self.at(Seg::Index(1), |c| {
            let path = path.as_str().ok_or_else(|| {
                c.error(format!(
                    "the path of `getAttr` must be a string, not {}",
                    json_kind(path)
                ))
            })?;
            let path = c.path(path)?;
            let ty = c.attr_type(&target_ty, &path)?;
            Ok((Expr::GetAttr(Box::new(target), path.into()), ty))
        })
    }

    /// Parses a `getAttr` path such as `resourceId[1]` or `a.b`.
    fn path(&self, path: &str) -> Result<Vec<PathPart>, RuleSetError> {
        if path.is_empty() {
            return Err(self.error("a `getAttr` path must not be empty"));
        }
        let mut parts = Vec::new();
        for component in path.split('.') {
            match component.find('[') {
                Some(open) => {
                    let index = component[open..]
                        .strip_prefix('[')
                        .and_then(|rest| rest.strip_suffix(']'))
                        .and_then(|index| index.parse::<i64>().ok())
                        .ok_or_else(|| {
                            self.error(format!(
                                "invalid path `{path}`: `{component}` must end with `[<integer>]`"
                            ))
                        })?;
                    if open > 0 {
                        parts.push(PathPart::Key(component[..open].into()));
                    }
                    parts.push(PathPart::Index(index));
                }
                None if component.is_empty() => {
                    return Err(self.error(format!("invalid path `{path}`: empty name")));
                }
                None => parts.push(PathPart::Key(component.into())),
            }
        }
        Ok(parts)
    }

    /// The type of `getAttr(<a value of type ty>, path)`.
    fn attr_type(&self, ty: &Ty, path: &[PathPart]) -> Result<Ty, RuleSetError> {
        let mut current = ty.clone();
        for part in path {
            current = match (&current, part) {
                (Ty::Any, _) => Ty::Any,
                (Ty::Array(element), PathPart::Index(_)) => (**element).clone(),
                (Ty::Partition | Ty::Url | Ty::Arn, PathPart::Key(key)) => {
                    attribute_type(&current, key).ok_or_else(|| {
                        self.error(format!(
                            "{} has no attribute `{key}` (it has {})",
                            current.describe(),
                            attribute_names(&current)
                        ))
                    })?
                }
                (other, PathPart::Key(key)) => {
                    return Err(self.error(format!("{} has no attribute `{key}`", other.describe())));
                }
                (other, PathPart::Index(index)) => {
                    return Err(self.error(format!("{} has no element [{index}]", other.describe())));
                }
            };
        }
        Ok(current)
    }

    /// A string: a template when it has `{…}` parts.
    fn template(&mut self, template: &'j str) -> Result<(Expr, Ty), RuleSetError> {
        if !template.contains(['{', '}']) {
            return Ok((Expr::Str(template.into()), Ty::Str));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = template;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{{") {
                literal.push('{');
                rest = after;
            } else if let Some(after) = rest.strip_prefix("}}") {
                literal.push('}');
                rest = after;
            } else if let Some(after) = rest.strip_prefix('{') {
                let close = after
                    .find('}')
                    .filter(|close| !after[..*close].contains('{'))
                    .ok_or_else(|| self.error(format!("unmatched `{{` in template `{template}`")))?;
                if !literal.is_empty() {
                    parts.push(TemplatePart::Literal(std::mem::take(&mut literal).into()));
                }
                parts.push(TemplatePart::Dynamic(self.template_part(&after[..close], template)?));
                rest = &after[close + 1..];
            } else if rest.starts_with('}') {
                return Err(self.error(format!("unmatched `}}` in template `{template}`")));
            } else {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                literal.push_str(&rest[..next]);
                rest = &rest[next..];
            }
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(literal.into()));
        }
        let expr = match <[TemplatePart; 1]>::try_from(parts) {
            Ok([TemplatePart::Literal(literal)]) => Expr::Str(literal),
            // A template that is one `{…}` is that value.
            Ok([TemplatePart::Dynamic(expr)]) => expr,
            Err(parts) => Expr::Template(Box::new(Template {
                raw: template.into(),
                parts: parts.into(),
            })),
        };
        Ok((expr, Ty::Str))
    }

    /// The `{name}` or `{name#path}` of a template.
    fn template_part(&self, inner: &str, template: &str) -> Result<Expr, RuleSetError> {
        let (name, path) = match inner.split_once('#') {
            Some((name, path)) => (name, Some(path)),
            None => (inner, None),
        };
        let (slot, ty) = self.lookup(name).ok_or_else(|| {
            self.error(format!(
                "template `{template}` uses `{name}`, which is neither a parameter nor a variable assigned before this point"
            ))
        })?;
        let (expr, ty) = match path {
            None => (Expr::Ref(slot), ty),
            Some(path) => {
                let path = self.path(path)?;
                let ty = self.attr_type(&ty, &path)?;
                (Expr::GetAttr(Box::new(Expr::Ref(slot)), path.into()), ty)
            }
        };
        if !Ty::Str.accepts(&ty) {
            return Err(self.error(format!(
                "`{{{inner}}}` in template `{template}` is {}, not a string",
                ty.describe()
            )));
        }
        Ok(expr)
    }

    fn endpoint(&mut self, value: &'j Json<'j>) -> Result<EndpointDef, RuleSetError> {
        let object = self.object(value)?;
        let url = self.required(object, "url")?;
        let url = self.at(Seg::Key("url"), |c| c.string_expr(url, "the URL"))?;
        let headers = match object.get("headers") {
            None | Some(Json::Null) => Box::default(),
            Some(headers) => self.at(Seg::Key("headers"), |c| {
                let headers = c.object(headers)?;
                headers
                    .iter()
                    .map(|(name, values)| {
                        c.at(Seg::Key(name), |c| {
                            let values = c
                                .array(values)?
                                .iter()
                                .enumerate()
                                .map(|(index, value)| {
                                    c.at(Seg::Index(index), |c| c.string_expr(value, "a header value"))
                                })
                                .collect::<Result<Box<[Expr]>, _>>()?;
                            Ok((Box::<str>::from(name), values))
                        })
                    })
                    .collect::<Result<Box<[_]>, _>>()
            })?,
        };
        let properties = match object.get("properties") {
            None | Some(Json::Null) => Box::default(),
            Some(properties) => self.at(Seg::Key("properties"), |c| {
                let properties = c.object(properties)?;
                c.property_entries(properties, 1)
            })?,
        };
        Ok(EndpointDef {
            url,
            headers,
            properties,
        })
    }

    fn property_entries(&mut self, object: &'j Map<'j>, depth: usize) -> Result<Entries<Prop>, RuleSetError> {
        object
            .iter()
            .map(|(key, value)| {
                let prop = self.at(Seg::Key(key), |c| c.property(value, depth))?;
                Ok((key.into(), prop))
            })
            .collect()
    }

    fn property(&mut self, value: &'j Json<'j>, depth: usize) -> Result<Prop, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("properties are nested more than {MAX_DEPTH} deep")));
        }
        Ok(match value {
            Json::Null => Prop::Null,
            Json::Bool(value) => Prop::Bool(*value),
            Json::Number(number) => Prop::Number(number.clone()),
            Json::String(template) => Prop::Str(self.template(template)?.0),
            Json::Array(items) => Prop::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.at(Seg::Index(index), |c| c.property(item, depth + 1)))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(object) => Prop::Object(self.property_entries(object, depth + 1)?),
        })
    }
}

/// The type of a record's attribute, if it has it.
fn attribute_type(record: &Ty, key: &str) -> Option<Ty> {
    let ty = match (record, key) {
        (Ty::Partition, "name" | "dnsSuffix" | "dualStackDnsSuffix" | "implicitGlobalRegion") => Ty::Str,
        (Ty::Partition, "supportsFIPS" | "supportsDualStack") => Ty::Bool,
        (Ty::Url, "scheme" | "authority" | "path" | "normalizedPath") => Ty::Str,
        (Ty::Url, "isIp") => Ty::Bool,
        (Ty::Arn, "partition" | "service" | "region" | "accountId") => Ty::Str,
        (Ty::Arn, "resourceId") => Ty::Array(Box::new(Ty::Str)),
        _ => return None,
    };
    Some(ty)
}

fn attribute_names(record: &Ty) -> &'static str {
    match record {
        Ty::Partition => "name, dnsSuffix, dualStackDnsSuffix, supportsFIPS, supportsDualStack, implicitGlobalRegion",
        Ty::Url => "scheme, authority, path, normalizedPath, isIp",
        Ty::Arn => "partition, service, region, accountId, resourceId",
        _ => "none",
    }
}

fn json_kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
