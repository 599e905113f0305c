//! A parsed rule set written as bytes ([`RuleSet::to_bytes`]) and read back
//! ([`RuleSet::from_bytes`]) without parsing JSON or checking the rules again: the generator
//! parses and checks a service's rules once and embeds their bytes, so that making a client
//! neither runs the JSON reader and the rules compiler nor holds the JSON's tree while it
//! compiles.
//!
//! The format is this crate's own, for the crates generated against this version of it: a
//! magic number with a format version, then the rule set depth first. Integers are LEB128 (signed
//! ones zigzag-encoded), strings a length and UTF-8, sequences a count and their items, enums a
//! tag byte. Reading checks everything the evaluator relies on (each reference to a slot or a
//! function, nesting depth, counts against the bytes left) and fails with the offset of what it
//! refuses, never panics.

use super::compile::MAX_DEPTH;
use super::error::RuleSetError;
use super::params::{Deprecated, ParamType, ParamValue, Parameter};
use super::tree::{
    Bdd, Condition, EndpointDef, Entries, Expr, Func, PathPart, Prop, Rule, RuleKind, Slot, Template, TemplatePart,
};
use super::{Logic, RuleSet};

/// The first bytes: `SRB` (Smithy rules, binary) and the format version.
const MAGIC: &[u8; 4] = b"SRB\x01";

/// The most slots a rule set read from bytes may ask for: far above any real one, and a bound on
/// what resolving allocates.
const MAX_SLOTS: usize = 1 << 16;

impl RuleSet {
    /// The rule set as bytes that [`RuleSet::from_bytes`] reads back, for this version of this
    /// crate. The same rule set always gives the same bytes. Partitions given to
    /// [`RuleSet::with_partitions`] are not included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Writer(Vec::with_capacity(4096));
        out.0.extend_from_slice(MAGIC);
        out.str(&self.version);
        out.count(self.parameters.len());
        for parameter in &self.parameters {
            out.parameter(parameter);
        }
        out.count(self.slots);
        match &self.logic {
            Logic::Tree(rules) => {
                out.byte(0);
                out.rules(rules);
            }
            Logic::Bdd(bdd) => {
                out.byte(1);
                out.count(bdd.conditions.len());
                for condition in bdd.conditions.iter() {
                    out.condition(condition);
                }
                out.rules(&bdd.results);
                out.int(i64::from(bdd.root));
                out.count(bdd.nodes.len());
                for node in bdd.nodes.iter() {
                    for reference in node {
                        out.int(i64::from(*reference));
                    }
                }
            }
        }
        out.0
    }

    /// Reads a rule set written by [`RuleSet::to_bytes`] of this version of this crate. Bytes
    /// of another format version, cut short or otherwise not so written are an error naming
    /// the offset of what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<RuleSet, RuleSetError> {
        let mut reader = Reader { bytes, at: 0, slots: 0 };
        if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
            return Err(RuleSetError::new(
                "",
                "not a rule set written by this version of smithy-runtime (regenerate the crate)",
            ));
        }
        reader.at = MAGIC.len();
        let version = reader.string()?;
        let count = reader.count()?;
        let parameters = (0..count).map(|_| reader.parameter()).collect::<Result<Vec<_>, _>>()?;
        let slots = usize::try_from(reader.varint()?).unwrap_or(usize::MAX);
        if slots < parameters.len() || slots > MAX_SLOTS {
            return Err(reader.error("a slot count that does not fit the parameters"));
        }
        reader.slots = slots;
        let logic = match reader.byte()? {
            0 => Logic::Tree(reader.rules(1)?),
            1 => {
                let count = reader.count()?;
                let conditions = (0..count)
                    .map(|_| reader.condition())
                    .collect::<Result<Box<[_]>, _>>()?;
                let results = reader.rules(1)?;
                let root = reader.reference()?;
                let count = reader.count()?;
                let nodes = (0..count)
                    .map(|_| Ok([reader.reference()?, reader.reference()?, reader.reference()?]))
                    .collect::<Result<Box<[_]>, RuleSetError>>()?;
                Logic::Bdd(Box::new(Bdd {
                    conditions,
                    results,
                    root,
                    nodes,
                }))
            }
            _ => return Err(reader.error("an unknown kind of rule set")),
        };
        if reader.at != bytes.len() {
            return Err(reader.error("bytes after the rule set"));
        }
        Ok(RuleSet {
            version,
            parameters,
            logic,
            slots,
            partitions: None,
        })
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, byte: u8) {
        self.0.push(byte);
    }

    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.0.push((value as u8) | 0x80);
            value >>= 7;
        }
        self.0.push(value as u8);
    }

    fn count(&mut self, value: usize) {
        self.varint(value as u64);
    }

    fn int(&mut self, value: i64) {
        // Zigzag: small magnitudes of either sign take few bytes.
        self.varint(((value << 1) ^ (value >> 63)) as u64);
    }

    fn str(&mut self, text: &str) {
        self.count(text.len());
        self.0.extend_from_slice(text.as_bytes());
    }

    fn option<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match value {
            None => self.byte(0),
            Some(value) => {
                self.byte(1);
                write(self, value);
            }
        }
    }

    fn parameter(&mut self, parameter: &Parameter) {
        self.str(&parameter.name);
        self.byte(match parameter.param_type {
            ParamType::String => 0,
            ParamType::Boolean => 1,
            ParamType::StringArray => 2,
        });
        self.option(parameter.built_in.as_deref(), Self::str);
        self.byte(u8::from(parameter.required));
        self.option(parameter.default.as_ref(), |out, value| match value {
            ParamValue::String(text) => {
                out.byte(0);
                out.str(text);
            }
            ParamValue::Bool(value) => {
                out.byte(1);
                out.byte(u8::from(*value));
            }
            ParamValue::StringArray(items) => {
                out.byte(2);
                out.count(items.len());
                for item in items {
                    out.str(item);
                }
            }
        });
        self.option(parameter.documentation.as_deref(), Self::str);
        self.option(parameter.deprecated.as_ref(), |out, deprecated| {
            out.option(deprecated.message.as_deref(), Self::str);
            out.option(deprecated.since.as_deref(), Self::str);
        });
    }

    fn rules(&mut self, rules: &[Rule]) {
        self.count(rules.len());
        for rule in rules {
            self.count(rule.conditions.len());
            for condition in rule.conditions.iter() {
                self.condition(condition);
            }
            match &rule.kind {
                RuleKind::Endpoint(endpoint) => {
                    self.byte(0);
                    self.expr(&endpoint.url);
                    self.count(endpoint.headers.len());
                    for (name, values) in endpoint.headers.iter() {
                        self.str(name);
                        self.count(values.len());
                        for value in values.iter() {
                            self.expr(value);
                        }
                    }
                    self.entries(&endpoint.properties);
                }
                RuleKind::Error(message) => {
                    self.byte(1);
                    self.expr(message);
                }
                RuleKind::Tree(rules) => {
                    self.byte(2);
                    self.rules(rules);
                }
            }
        }
    }

    fn condition(&mut self, condition: &Condition) {
        self.expr(&condition.expr);
        self.option(condition.assign, Self::count);
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        self.count(exprs.len());
        for expr in exprs {
            self.expr(expr);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match expr {
            Expr::Str(text) => {
                self.byte(0);
                self.str(text);
            }
            Expr::Template(template) => {
                self.byte(1);
                self.str(&template.raw);
                self.count(template.parts.len());
                for part in template.parts.iter() {
                    match part {
                        TemplatePart::Literal(text) => {
                            self.byte(0);
                            self.str(text);
                        }
                        TemplatePart::Dynamic(expr) => {
                            self.byte(1);
                            self.expr(expr);
                        }
                    }
                }
            }
            Expr::Bool(value) => {
                self.byte(2);
                self.byte(u8::from(*value));
            }
            Expr::Int(value) => {
                self.byte(3);
                self.int(*value);
            }
            Expr::Array(items) => {
                self.byte(4);
                self.exprs(items);
            }
            Expr::Ref(slot) => {
                self.byte(5);
                self.count(*slot);
            }
            Expr::GetAttr(target, path) => {
                self.byte(6);
                self.expr(target);
                self.count(path.len());
                for part in path.iter() {
                    match part {
                        PathPart::Key(key) => {
                            self.byte(0);
                            self.str(key);
                        }
                        PathPart::Index(index) => {
                            self.byte(1);
                            self.int(*index);
                        }
                    }
                }
            }
            Expr::Call(func, args) => {
                self.byte(7);
                let index = Func::ALL
                    .iter()
                    .position(|(_, known)| known == func)
                    .unwrap_or_default();
                self.byte(index as u8);
                self.exprs(args);
            }
        }
    }

    fn entries(&mut self, entries: &Entries<Prop>) {
        self.count(entries.len());
        for (name, prop) in entries.iter() {
            self.str(name);
            self.prop(prop);
        }
    }

    fn prop(&mut self, prop: &Prop) {
        match prop {
            Prop::Null => self.byte(0),
            Prop::Bool(value) => {
                self.byte(1);
                self.byte(u8::from(*value));
            }
            Prop::Number(number) => {
                self.byte(2);
                if let Some(value) = number.as_u64() {
                    self.byte(0);
                    self.varint(value);
                } else if let Some(value) = number.as_i64() {
                    self.byte(1);
                    self.int(value);
                } else {
                    self.byte(2);
                    let bits = number.as_f64().unwrap_or_default().to_bits();
                    self.0.extend_from_slice(&bits.to_le_bytes());
                }
            }
            Prop::Str(expr) => {
                self.byte(3);
                self.expr(expr);
            }
            Prop::Array(items) => {
                self.byte(4);
                self.count(items.len());
                for item in items.iter() {
                    self.prop(item);
                }
            }
            Prop::Object(entries) => {
                self.byte(5);
                self.entries(entries);
            }
        }
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
    /// The rule set's slot count, once read: every reference and assignment is within it.
    slots: usize,
}

impl Reader<'_> {
    #[cold]
    fn error(&self, message: &str) -> RuleSetError {
        RuleSetError::new("", format!("invalid rule set bytes at offset {}: {message}", self.at))
    }

    fn byte(&mut self) -> Result<u8, RuleSetError> {
        let byte = *self.bytes.get(self.at).ok_or_else(|| self.error("they end early"))?;
        self.at += 1;
        Ok(byte)
    }

    fn bool(&mut self) -> Result<bool, RuleSetError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.error("a boolean that is neither 0 nor 1")),
        }
    }

    fn varint(&mut self) -> Result<u64, RuleSetError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error("an integer longer than 64 bits"))
    }

    /// A count of items, each of which takes at least a byte: never more than the bytes left.
    fn count(&mut self) -> Result<usize, RuleSetError> {
        let value = self.varint()?;
        usize::try_from(value)
            .ok()
            .filter(|&count| count <= self.bytes.len() - self.at)
            .ok_or_else(|| self.error("a count larger than the bytes left"))
    }

    fn int(&mut self) -> Result<i64, RuleSetError> {
        let value = self.varint()?;
        Ok(((value >> 1) as i64) ^ -((value & 1) as i64))
    }

    fn reference(&mut self) -> Result<i32, RuleSetError> {
        let value = self.int()?;
        i32::try_from(value).map_err(|_| self.error("a node reference out of range"))
    }

    fn str(&mut self) -> Result<&str, RuleSetError> {
        let len = self.count()?;
        let start = self.at;
        let bytes = &self.bytes[start..start + len];
        self.at += len;
        std::str::from_utf8(bytes).map_err(|_| {
            self.at = start;
            self.error("a string that is not UTF-8")
        })
    }

    fn string(&mut self) -> Result<String, RuleSetError> {
        self.str().map(str::to_owned)
    }

    fn boxed(&mut self) -> Result<Box<str>, RuleSetError> {
        self.str().map(Box::from)
    }

    fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, RuleSetError>,
    ) -> Result<Option<T>, RuleSetError> {
        match self.bool()? {
            false => Ok(None),
            true => read(self).map(Some),
        }
    }

    fn slot(&mut self) -> Result<Slot, RuleSetError> {
        let slot = usize::try_from(self.varint()?).unwrap_or(usize::MAX);
        if slot >= self.slots {
            return Err(self.error("a reference to a slot the rule set does not have"));
        }
        Ok(slot)
    }

    fn parameter(&mut self) -> Result<Parameter, RuleSetError> {
        let name = self.string()?;
        let param_type = match self.byte()? {
            0 => ParamType::String,
            1 => ParamType::Boolean,
            2 => ParamType::StringArray,
            _ => return Err(self.error("an unknown parameter type")),
        };
        let built_in = self.option(Self::string)?;
        let required = self.bool()?;
        let default = self.option(|reader| {
            Ok(match reader.byte()? {
                0 => ParamValue::String(reader.string()?),
                1 => ParamValue::Bool(reader.bool()?),
                2 => {
                    let count = reader.count()?;
                    ParamValue::StringArray((0..count).map(|_| reader.string()).collect::<Result<_, _>>()?)
                }
                _ => return Err(reader.error("an unknown kind of default")),
            })
        })?;
        if default.as_ref().is_some_and(|value| value.param_type() != param_type) {
            return Err(self.error("a default of another type than its parameter"));
        }
        let documentation = self.option(Self::string)?;
        let deprecated = self.option(|reader| {
            Ok(Deprecated {
                message: reader.option(Self::string)?,
                since: reader.option(Self::string)?,
            })
        })?;
        Ok(Parameter {
            name,
            param_type,
            built_in,
            required,
            default,
            documentation,
            deprecated,
        })
    }

    fn rules(&mut self, depth: usize) -> Result<Box<[Rule]>, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("rules nested more than {MAX_DEPTH} deep")));
        }
        let count = self.count()?;
        (0..count)
            .map(|_| {
                let count = self.count()?;
                let conditions = (0..count).map(|_| self.condition()).collect::<Result<Box<[_]>, _>>()?;
                let kind = match self.byte()? {
                    0 => {
                        let url = self.expr(1)?;
                        let count = self.count()?;
                        let headers = (0..count)
                            .map(|_| {
                                let name = self.boxed()?;
                                let values = self.exprs(1)?;
                                Ok((name, values))
                            })
                            .collect::<Result<Box<[_]>, RuleSetError>>()?;
                        let properties = self.entries(1)?;
                        RuleKind::Endpoint(Box::new(EndpointDef {
                            url,
                            headers,
                            properties,
                        }))
                    }
                    1 => RuleKind::Error(self.expr(1)?),
                    2 => RuleKind::Tree(self.rules(depth + 1)?),
                    _ => return Err(self.error("an unknown kind of rule")),
                };
                Ok(Rule { conditions, kind })
            })
            .collect()
    }

    fn condition(&mut self) -> Result<Condition, RuleSetError> {
        let expr = self.expr(1)?;
        let assign = self.option(Self::slot)?;
        Ok(Condition { expr, assign })
    }

    fn exprs(&mut self, depth: usize) -> Result<Box<[Expr]>, RuleSetError> {
        let count = self.count()?;
        (0..count).map(|_| self.expr(depth)).collect()
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("expressions nested more than {MAX_DEPTH} deep")));
        }
        Ok(match self.byte()? {
            0 => Expr::Str(self.boxed()?),
            1 => {
                let raw = self.boxed()?;
                let count = self.count()?;
                let parts = (0..count)
                    .map(|_| match self.byte()? {
                        0 => Ok(TemplatePart::Literal(self.boxed()?)),
                        1 => Ok(TemplatePart::Dynamic(self.expr(depth + 1)?)),
                        _ => Err(self.error("an unknown kind of template part")),
                    })
                    .collect::<Result<Box<[_]>, _>>()?;
                Expr::Template(Box::new(Template { raw, parts }))
            }
            2 => Expr::Bool(self.bool()?),
            3 => Expr::Int(self.int()?),
            4 => Expr::Array(self.exprs(depth + 1)?),
            5 => Expr::Ref(self.slot()?),
            6 => {
                let target = self.expr(depth + 1)?;
                let count = self.count()?;
                let path = (0..count)
                    .map(|_| match self.byte()? {
                        0 => Ok(PathPart::Key(self.boxed()?)),
                        1 => Ok(PathPart::Index(self.int()?)),
                        _ => Err(self.error("an unknown kind of path step")),
                    })
                    .collect::<Result<Box<[_]>, _>>()?;
                Expr::GetAttr(Box::new(target), path)
            }
            7 => {
                let index = usize::from(self.byte()?);
                let (_, func) = *Func::ALL.get(index).ok_or_else(|| self.error("an unknown function"))?;
                Expr::Call(func, self.exprs(depth + 1)?)
            }
            _ => return Err(self.error("an unknown kind of expression")),
        })
    }

    fn entries(&mut self, depth: usize) -> Result<Entries<Prop>, RuleSetError> {
        let count = self.count()?;
        (0..count)
            .map(|_| {
                let name = self.boxed()?;
                let prop = self.prop(depth)?;
                Ok((name, prop))
            })
            .collect()
    }

    fn prop(&mut self, depth: usize) -> Result<Prop, RuleSetError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("properties nested more than {MAX_DEPTH} deep")));
        }
        Ok(match self.byte()? {
            0 => Prop::Null,
            1 => Prop::Bool(self.bool()?),
            2 => Prop::Number(match self.byte()? {
                0 => serde_json::Number::from(self.varint()?),
                1 => serde_json::Number::from(self.int()?),
                2 => {
                    let mut bits = [0u8; 8];
                    for byte in &mut bits {
                        *byte = self.byte()?;
                    }
                    serde_json::Number::from_f64(f64::from_le_bytes(bits))
                        .ok_or_else(|| self.error("a number that is not finite"))?
                }
                _ => return Err(self.error("an unknown kind of number")),
            }),
            3 => Prop::Str(self.expr(1)?),
            4 => {
                let count = self.count()?;
                Prop::Array((0..count).map(|_| self.prop(depth + 1)).collect::<Result<_, _>>()?)
            }
            5 => Prop::Object(self.entries(depth + 1)?),
            _ => return Err(self.error("an unknown kind of property")),
        })
    }
}

#[cfg(all(test, feature = "full"))]
pub(super) mod tests {
    use super::*;
    use crate::endpoint::Params;
    use crate::schema::EndpointRules;

    /// Everything a rule set holds but its partitions, as text.
    fn contents(rule_set: &RuleSet) -> String {
        let logic = match &rule_set.logic {
            Logic::Tree(rules) => format!("{rules:?}"),
            Logic::Bdd(bdd) => format!("{bdd:?}"),
        };
        format!(
            "{} {:?} {} {logic}",
            rule_set.version, rule_set.parameters, rule_set.slots
        )
    }

    /// `rule_set` written as bytes and read back: checks that it is the same rule set, and that
    /// writing it again gives the same bytes.
    pub(in crate::endpoint) fn round_trip(rule_set: RuleSet) -> RuleSet {
        let bytes = rule_set.to_bytes();
        let read = RuleSet::from_bytes(&bytes).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(contents(&read), contents(&rule_set));
        assert_eq!(read.to_bytes(), bytes);
        read
    }

    /// The STS client's rules, a decision diagram, as the runtime embeds them.
    fn sts_bytes() -> &'static [u8] {
        match crate::aws::sts::schema::SERVICE.endpoint_rules {
            Some(EndpointRules::Compiled(bytes)) => bytes,
            other => panic!("STS's rules are embedded compiled, not {other:?}"),
        }
    }

    fn sts_params() -> Params {
        Params::new()
            .with("Region", "eu-west-1")
            .with("UseFIPS", true)
            .with("UseDualStack", true)
    }

    #[test]
    fn embedded_rules_read_and_resolve() {
        let rule_set = RuleSet::from_bytes(sts_bytes()).unwrap_or_else(|error| panic!("{error}"));
        assert!(rule_set.is_decision_diagram());
        round_trip(RuleSet::from_bytes(sts_bytes()).unwrap_or_else(|error| panic!("{error}")));
        let endpoint = rule_set
            .resolve(&sts_params())
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(endpoint.url, "https://sts-fips.eu-west-1.api.aws");
    }

    #[test]
    fn other_bytes_are_refused_with_their_offset() {
        let error = RuleSet::from_bytes(b"{\"version\": \"1.0\"}").unwrap_err();
        assert!(error.to_string().contains("regenerate the crate"), "{error}");
        let bytes = sts_bytes();
        // Cut short anywhere, the bytes are refused.
        for len in MAGIC.len()..bytes.len() {
            let error = RuleSet::from_bytes(&bytes[..len]).err();
            assert!(error.is_some(), "{len} of {} bytes read", bytes.len());
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        let error = RuleSet::from_bytes(&longer).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "invalid rule set bytes at offset {}: bytes after the rule set",
                bytes.len()
            )
        );
    }

    /// Any byte changed to any value: the bytes are refused, or read into a rule set that
    /// resolves (to an endpoint or an error) without panicking.
    #[test]
    fn changed_bytes_never_panic() {
        let bytes = sts_bytes();
        let params = sts_params();
        let mut read = 0;
        for at in MAGIC.len()..bytes.len() {
            for value in [0x00, 0x01, 0x02, 0x07, 0x3f, 0x7f, 0x80, 0xff] {
                let mut changed = bytes.to_vec();
                changed[at] = value;
                if let Ok(rule_set) = RuleSet::from_bytes(&changed) {
                    read += 1;
                    let _ = rule_set.resolve(&params);
                }
            }
        }
        assert!(read > 0);
    }

    #[test]
    fn nesting_is_bounded() {
        // An expression `not(not(...))` deeper than any rule set may nest.
        let mut bytes = MAGIC.to_vec();
        let mut out = Writer(Vec::new());
        out.str("1.0");
        out.count(0);
        out.count(0);
        out.byte(0);
        out.count(1);
        out.count(1);
        let not = Func::ALL
            .iter()
            .position(|(name, _)| *name == "not")
            .unwrap_or_default() as u8;
        for _ in 0..10_000 {
            out.0.extend_from_slice(&[7, not, 1]);
        }
        bytes.extend_from_slice(&out.0);
        let error = RuleSet::from_bytes(&bytes).unwrap_err();
        assert!(error.to_string().contains("nested more than"), "{error}");
    }
}
