//! A rule set's parameters and the values a caller gives them.

use std::borrow::Cow;
use std::fmt;

/// The type of a rule set parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `stringArray`
    StringArray,
}

impl ParamType {
    /// The name rule sets give the type: `string`, `boolean` or `stringArray`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Boolean => "boolean",
            ParamType::StringArray => "stringArray",
        }
    }

    /// The type named `name`, in any case (models write both `String` and `string`).
    pub fn from_name(name: &str) -> Option<ParamType> {
        [ParamType::String, ParamType::Boolean, ParamType::StringArray]
            .into_iter()
            .find(|ty| ty.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ParamValue {
    /// For a `string` parameter.
    String(String),
    /// For a `boolean` parameter.
    Bool(bool),
    /// For a `stringArray` parameter.
    StringArray(Vec<String>),
}

impl ParamValue {
    /// The type of the value.
    pub fn param_type(&self) -> ParamType {
        match self {
            ParamValue::String(_) => ParamType::String,
            ParamValue::Bool(_) => ParamType::Boolean,
            ParamValue::StringArray(_) => ParamType::StringArray,
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::String(value) => Some(value),
            _ => None,
        }
    }

    /// The boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ParamValue::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The strings, if it is an array.
    pub fn as_string_array(&self) -> Option<&[String]> {
        match self {
            ParamValue::StringArray(values) => Some(values),
            _ => None,
        }
    }
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        ParamValue::String(value.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        ParamValue::String(value)
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> Self {
        ParamValue::Bool(value)
    }
}

impl From<Vec<String>> for ParamValue {
    fn from(values: Vec<String>) -> Self {
        ParamValue::StringArray(values)
    }
}

impl From<&[&str]> for ParamValue {
    fn from(values: &[&str]) -> Self {
        ParamValue::StringArray(values.iter().map(|value| (*value).to_owned()).collect())
    }
}

/// The values given to a rule set's parameters, by parameter name (case-sensitive). Names the
/// rule set does not declare are ignored when resolving, so a client may set every built-in it
/// knows.
///
/// ```
/// use smithy_runtime::endpoint::Params;
///
/// let params = Params::new().with("Region", "us-east-1").with("UseFIPS", false);
/// assert_eq!(params.get("Region").and_then(|value| value.as_str()), Some("us-east-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    // Rule sets have a handful of parameters: a vector searched in order beats hashing.
    values: Vec<(Cow<'static, str>, ParamValue)>,
}

impl Params {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a parameter, replacing its value if it had one.
    pub fn set(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<ParamValue>) -> &mut Self {
        let name = name.into();
        let value = value.into();
        match self.values.iter_mut().find(|(known, _)| *known == name) {
            Some((_, old)) => *old = value,
            None => self.values.push((name, value)),
        }
        self
    }

    /// These values with one more set.
    pub fn with(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<ParamValue>) -> Self {
        self.set(name, value);
        self
    }

    /// The value of a parameter, if it is set.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value)
    }

    /// Unsets a parameter, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<ParamValue> {
        let index = self.values.iter().position(|(known, _)| known == name)?;
        Some(self.values.remove(index).1)
    }

    /// The parameters that are set, in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.values.iter().map(|(name, value)| (&**name, value))
    }

    /// How many parameters are set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A parameter a rule set declares.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Parameter {
    /// The name, as rules and [`Params`] spell it (such as `Region`).
    pub name: String,
    /// The type of its values.
    pub param_type: ParamType,
    /// The built-in that supplies the value, such as `AWS::Region` or `SDK::Endpoint`.
    pub built_in: Option<String>,
    /// Whether resolving fails when the parameter has no value (after its default).
    pub required: bool,
    /// The value used when none is given.
    pub default: Option<ParamValue>,
    /// What the parameter is for, as the rule set describes it.
    pub documentation: Option<String>,
    /// Whether, and why, the parameter is deprecated.
    pub deprecated: Option<Deprecated>,
}

/// The `deprecated` object of a parameter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Deprecated {
    /// What to use instead.
    pub message: Option<String>,
    /// Since when, as a date.
    pub since: Option<String>,
}
