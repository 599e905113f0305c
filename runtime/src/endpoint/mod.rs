//! Endpoint rules: an interpreter of the Smithy rules engine
//! (<https://smithy.io/2.0/additional-specs/rules-engine/>).
//!
//! A [`RuleSet`] is the value of a service's `smithy.rules#endpointRuleSet` trait (a tree of
//! rules) or of its `smithy.rules#endpointBdd` trait (a decision diagram), parsed once
//! (references resolved to slots, templates and `getAttr` paths split up, arities and types
//! checked, a diagram's node references checked); [`RuleSet::resolve`] turns [`Params`] into an
//! [`Endpoint`] or a [`ResolveError`]. [`RuleSet::to_bytes`] writes a parsed rule set as bytes
//! that [`RuleSet::from_bytes`] reads back without parsing or checking it again: generated crates
//! embed their service's rules so, parsed by the generator.
//! The standard library (`isSet`, `not`, `booleanEquals`, `stringEquals`, `getAttr`,
//! `substring`, `uriEncode`, `parseURL`, `isValidHostLabel`, `coalesce`, `ite`, `split`) and the
//! AWS library (`aws.partition`, `aws.parseArn`, `aws.isVirtualHostableS3Bucket`) are built in;
//! `aws.partition` reads [`Partitions`], by default AWS's `partitions.json` as this crate embeds
//! it ([`Partitions::aws`]).
//!
//! ```
//! use smithy_runtime::endpoint::{Params, RuleSet};
//!
//! let rules = RuleSet::from_json(r#"{
//!     "version": "1.0",
//!     "parameters": {
//!         "Region": {"type": "String", "builtIn": "AWS::Region", "required": true, "documentation": "The region."}
//!     },
//!     "rules": [{
//!         "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "PartitionResult"}],
//!         "endpoint": {"url": "https://example.{Region}.{PartitionResult#dnsSuffix}"},
//!         "type": "endpoint"
//!     }]
//! }"#)?;
//! let endpoint = rules.resolve(&Params::new().with("Region", "cn-north-1"))?;
//! assert_eq!(endpoint.url, "https://example.cn-north-1.amazonaws.com.cn");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Nothing here panics on any rule set or any parameters: a rule set that does not parse or
//! type-check is a [`RuleSetError`] naming its JSON path, and a value of the wrong type met
//! while evaluating is a [`ResolveError`]. Rules, expressions and properties nest at most 64
//! deep.

mod aws;
mod compile;
mod error;
mod eval;
mod functions;
mod json;
mod output;
mod packed;
mod params;
mod partitions;
#[cfg(all(test, feature = "full"))]
mod tests;
mod tree;

use std::fmt;
use std::sync::Arc;

pub use error::{ResolveError, ResolveErrorKind, RuleSetError};
pub use output::{AuthScheme, Endpoint};
pub use params::{Deprecated, ParamType, ParamValue, Parameter, Params};
pub use partitions::{PartitionOutputs, Partitions, AWS_PARTITIONS_JSON};

use eval::{Evaluator, Outcome, Value};
use tree::{Bdd, Rule};

/// A parsed endpoint rule set, ready to resolve endpoints. `Send` and `Sync`: parse it once and
/// share it.
pub struct RuleSet {
    version: String,
    parameters: Vec<Parameter>,
    logic: Logic,
    slots: usize,
    partitions: Option<Arc<Partitions>>,
}

/// What a rule set decides with.
enum Logic {
    /// Rules in order, the first that matches (`endpointRuleSet`).
    Tree(Box<[Rule]>),
    /// A decision diagram (`endpointBdd`).
    Bdd(Box<Bdd>),
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("version", &self.version)
            .field("parameters", &self.parameters)
            .field(
                "logic",
                &match &self.logic {
                    Logic::Tree(rules) => format!("{} rules", rules.len()),
                    Logic::Bdd(bdd) => format!("a decision diagram of {} nodes", bdd.nodes.len()),
                },
            )
            .field("own_partitions", &self.partitions.is_some())
            .finish_non_exhaustive()
    }
}

impl RuleSet {
    /// Parses the value of a `smithy.rules#endpointRuleSet` or `smithy.rules#endpointBdd`
    /// trait, given as JSON text.
    pub fn from_json(json: &str) -> Result<RuleSet, RuleSetError> {
        let value = json::Json::parse(json).map_err(|error| RuleSetError::new("", format!("invalid JSON: {error}")))?;
        Self::compile(&value)
    }

    /// Parses the value of a `smithy.rules#endpointRuleSet` trait, or of a
    /// `smithy.rules#endpointBdd` trait (an object with `nodes`), given as parsed JSON.
    pub fn from_value(value: &serde_json::Value) -> Result<RuleSet, RuleSetError> {
        Self::compile(&json::Json::from(value))
    }

    fn compile(value: &json::Json<'_>) -> Result<RuleSet, RuleSetError> {
        if value.get("nodes").is_some() {
            let compiled = compile::compile_bdd(value)?;
            return Ok(RuleSet {
                version: compiled.version,
                parameters: compiled.parameters,
                logic: Logic::Bdd(Box::new(compiled.bdd)),
                slots: compiled.slots,
                partitions: None,
            });
        }
        let compiled = compile::compile(value)?;
        Ok(RuleSet {
            version: compiled.version,
            parameters: compiled.parameters,
            logic: Logic::Tree(compiled.rules),
            slots: compiled.slots,
            partitions: None,
        })
    }

    /// Whether the rule set is a decision diagram (`endpointBdd`) rather than a tree of rules.
    pub fn is_decision_diagram(&self) -> bool {
        matches!(self.logic, Logic::Bdd(_))
    }

    /// The rules engine version the rule set declares, such as `1.0`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The parameters the rule set declares, sorted by name.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter named `name`.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|parameter| parameter.name == name)
    }

    /// The same rule set with other partitions data for [`RuleSet::resolve`].
    pub fn with_partitions(mut self, partitions: Arc<Partitions>) -> Self {
        self.partitions = Some(partitions);
        self
    }

    /// Resolves an endpoint: gives each parameter its value from `params` or its default, checks
    /// that required parameters have one, and evaluates the rules. `aws.partition` reads the
    /// partitions given to [`RuleSet::with_partitions`], or [`Partitions::aws`].
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, ResolveError> {
        match &self.partitions {
            Some(partitions) => self.resolve_with(params, partitions),
            None => self.resolve_with(params, Partitions::aws()),
        }
    }

    /// Like [`RuleSet::resolve`], with `aws.partition` reading `partitions`.
    pub fn resolve_with(&self, params: &Params, partitions: &Partitions) -> Result<Endpoint, ResolveError> {
        let mut slots: Vec<Option<Value<'_>>> = vec![None; self.slots];
        for (slot, parameter) in slots.iter_mut().zip(&self.parameters) {
            let value = match params.get(&parameter.name) {
                Some(value) if value.param_type() != parameter.param_type => {
                    return Err(ResolveError::new(
                        ResolveErrorKind::InvalidParameter,
                        format!(
                            "parameter {} must be a {}, not a {}",
                            parameter.name,
                            parameter.param_type,
                            value.param_type()
                        ),
                    ));
                }
                Some(value) => Some(value),
                None => parameter.default.as_ref(),
            };
            match value {
                Some(value) => *slot = Some(Value::from_param(value)),
                None if parameter.required => {
                    return Err(ResolveError::new(
                        ResolveErrorKind::MissingParameter,
                        format!("missing required parameter {}", parameter.name),
                    ));
                }
                None => {}
            }
        }
        let mut evaluator = Evaluator::new(slots, partitions);
        let outcome = match &self.logic {
            Logic::Tree(rules) => evaluator.rules(rules),
            Logic::Bdd(bdd) => evaluator.bdd(bdd),
        };
        match outcome {
            Ok(Some(Outcome::Endpoint(endpoint))) => Ok(endpoint),
            Ok(Some(Outcome::Error(message))) => Err(ResolveError::new(ResolveErrorKind::Rule, message)),
            Ok(None) => Err(ResolveError::new(
                ResolveErrorKind::NoMatch,
                "no rule of the rule set matched the parameters",
            )),
            Err(failure) => Err(failure.into_error()),
        }
    }
}
