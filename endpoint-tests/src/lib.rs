//! The `smithy.rules#endpointTests` cases of Smithy service models, read from the JSON AST and
//! checked against the runtime's endpoint rules engine ([`smithy_runtime::endpoint`]).
//!
//! Every service shape with both `smithy.rules#endpointRuleSet` and `smithy.rules#endpointTests`
//! gives one [`Case`] per test case. [`Case::check_params`] resolves the case's `params` with
//! the service's [`RuleSet`] and compares the outcome with `expect`; [`Registry::check`] makes
//! a call of the case's `operationInputs` ([`Case::operation_inputs`]) through the generated
//! client of its service and checks the endpoint and request of the call.
//!
//! `aws.partition` reads the partitions data of [`partitions`]: by default the runtime's copy;
//! [`models_date_partitions`] is the older data the models' cases were written against.

mod client_check;

pub use client_check::Registry;

/// The generated clients of the services whose cases call operations (see `build.rs`).
pub mod clients {
    include!(concat!(env!("OUT_DIR"), "/clients.rs"));
}

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};
use smithy_runtime::endpoint::{Endpoint, ParamValue, Params, Partitions, ResolveError, RuleSet, RuleSetError};

/// The environment variable naming the model directories (separated by `:`).
pub const MODELS_VAR: &str = "ENDPOINT_TESTS_MODELS";

/// The model directories when [`MODELS_VAR`] is not set, relative to the workspace root.
pub const DEFAULT_MODELS: [&str; 2] = ["../shared/models/aws", "../shared/models/aws-popular"];

/// The environment variable naming the partitions data to resolve with: a file (a relative path
/// is taken from the workspace root); the runtime's embedded copy (the same as
/// `../shared/endpoints/partitions.json`) when it is not set.
pub const PARTITIONS_VAR: &str = "ENDPOINT_TESTS_PARTITIONS";

/// The partitions data the default models' cases were written against, relative to the
/// workspace root (see `data/README.md`): cases that fail with the current data only because
/// their expectations predate it are run with this file as well.
pub const MODELS_DATE_PARTITIONS: &str = "endpoint-tests/data/partitions.json";

/// The partitions data to resolve with, and where it is from: the file [`PARTITIONS_VAR`]
/// names, or the runtime's own copy.
pub fn partitions() -> Result<(Arc<Partitions>, String), String> {
    let configured = std::env::var(PARTITIONS_VAR)
        .ok()
        .filter(|value| !value.trim().is_empty());
    match configured {
        Some(path) => read_partitions(&workspace_root().join(path)),
        None => {
            let partitions = Partitions::from_json(smithy_runtime::endpoint::AWS_PARTITIONS_JSON)
                .map_err(|error| format!("the runtime's partitions.json: {error}"))?;
            Ok((
                Arc::new(partitions),
                "the runtime's embedded partitions.json".to_owned(),
            ))
        }
    }
}

/// The partitions data of [`MODELS_DATE_PARTITIONS`].
pub fn models_date_partitions() -> Result<(Arc<Partitions>, String), String> {
    read_partitions(&workspace_root().join(MODELS_DATE_PARTITIONS))
}

fn read_partitions(file: &Path) -> Result<(Arc<Partitions>, String), String> {
    let text = std::fs::read_to_string(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    let partitions = Partitions::from_json(&text).map_err(|error| format!("{}: {error}", file.display()))?;
    Ok((Arc::new(partitions), file.display().to_string()))
}

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The directories to read models from: those [`MODELS_VAR`] names, or [`DEFAULT_MODELS`];
/// relative paths are taken from the workspace root.
pub fn model_dirs() -> Vec<PathBuf> {
    let root = workspace_root();
    let configured = std::env::var(MODELS_VAR).ok().filter(|value| !value.trim().is_empty());
    let dirs: Vec<String> = match configured {
        Some(value) => value
            .split(':')
            .filter(|dir| !dir.is_empty())
            .map(str::to_owned)
            .collect(),
        None => DEFAULT_MODELS.iter().map(|dir| (*dir).to_owned()).collect(),
    };
    dirs.into_iter().map(|dir| root.join(dir)).collect()
}

/// A service with endpoint rules and endpoint tests.
#[derive(Debug)]
pub struct Service {
    /// The model file's name without `.json` (with `/<service name>` when the file has several
    /// such services).
    pub label: String,
    /// The model file.
    pub file: PathBuf,
    /// The service's shape id.
    pub shape_id: String,
    /// The parsed rule set, or why it does not parse.
    pub rule_set: Result<RuleSet, RuleSetError>,
    /// The parsed rule set written as bytes and read back, as a generated client reads it.
    pub from_bytes: Result<RuleSet, RuleSetError>,
    /// The partitions data `aws.partition` reads.
    pub partitions: Arc<Partitions>,
}

/// An `operationInputs` entry of a case: an operation call whose input, client configuration and
/// built-ins bind the parameters.
#[derive(Debug, Clone)]
pub struct OperationInput {
    /// `operationName`: the operation's name (without namespace).
    pub operation_name: String,
    /// `operationParams`: the operation's input.
    pub operation_params: Map<String, Value>,
    /// `builtInParams`: built-in values by built-in name, such as `AWS::Region`.
    pub built_in_params: Map<String, Value>,
    /// `clientParams`: client configuration values by name.
    pub client_params: Map<String, Value>,
    /// The entry as written.
    pub raw: Value,
}

/// What a case expects.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// An endpoint; absent headers and properties are empty.
    Endpoint {
        /// The URL.
        url: String,
        /// The headers, by name.
        headers: BTreeMap<String, Vec<String>>,
        /// The properties, compared as JSON.
        properties: Map<String, Value>,
    },
    /// An error with this message.
    Error(String),
}

/// One endpoint test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The service whose rule set the case is for.
    pub service: Arc<Service>,
    /// The case's index in the service's `testCases`.
    pub index: usize,
    /// The case's `documentation`, as written.
    pub documentation: String,
    /// The rule set's parameter values, as written.
    pub params: Map<String, Value>,
    /// What resolving should give.
    pub expect: Expect,
    /// The `operationInputs` entries, for checks through generated clients.
    pub operation_inputs: Vec<OperationInput>,
}

impl Case {
    /// The case's id in `skipped.txt`: `<model file stem>::<case index>`.
    pub fn id(&self) -> String {
        format!("{}::{}", self.service.label, self.index)
    }

    /// The trial name: `<model file stem>::<case index>: <documentation>`, on one line.
    pub fn name(&self) -> String {
        let documentation = self.documentation.split_whitespace().collect::<Vec<_>>().join(" ");
        if documentation.is_empty() {
            self.id()
        } else {
            format!("{}: {documentation}", self.id())
        }
    }

    /// The case's `params` as the resolver's input.
    pub fn resolver_params(&self) -> Result<Params, String> {
        params_from_json(&self.params)
    }

    /// Resolves the case's `params` with the service's rule set and checks the outcome against
    /// `expect`, and that the rule set read from its bytes resolves the same.
    pub fn check_params(&self) -> Result<(), String> {
        self.check_params_with(&self.service.partitions)
    }

    /// [`Case::check_params`] with other partitions data.
    pub fn check_params_with(&self, partitions: &Partitions) -> Result<(), String> {
        let rule_set = self
            .service
            .rule_set
            .as_ref()
            .map_err(|error| format!("the rule set of {} does not parse: {error}", self.service.shape_id))?;
        let params = self.resolver_params()?;
        let outcome = rule_set.resolve_with(&params, partitions);
        // The rule set as a generated client reads it resolves the same.
        let from_bytes = self
            .service
            .from_bytes
            .as_ref()
            .map_err(|error| {
                format!(
                    "the rule set of {} does not read from its bytes: {error}",
                    self.service.shape_id
                )
            })?
            .resolve_with(&params, partitions);
        if from_bytes != outcome {
            return Err(format!(
                "read from its bytes, the rule set resolves to {from_bytes:?}, not {outcome:?}"
            ));
        }
        check_outcome(&self.expect, outcome)
    }
}

/// Parameter values from JSON: strings, booleans and arrays of strings (`null` is unset).
pub fn params_from_json(values: &Map<String, Value>) -> Result<Params, String> {
    let mut params = Params::new();
    for (name, value) in values {
        let value = match value {
            Value::Null => continue,
            Value::String(value) => ParamValue::String(value.clone()),
            Value::Bool(value) => ParamValue::Bool(*value),
            Value::Array(items) => ParamValue::StringArray(
                items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("parameter {name}: {value} is not an array of strings"))?,
            ),
            other => return Err(format!("parameter {name}: {other} is not a string, boolean or array")),
        };
        params.set(name.clone(), value);
    }
    Ok(params)
}

/// Compares what resolving gave with what a case expects; the error lists every difference,
/// one a line.
pub fn check_outcome(expect: &Expect, outcome: Result<Endpoint, ResolveError>) -> Result<(), String> {
    match (expect, outcome) {
        (Expect::Error(expected), Err(error)) if error.message() == expected => Ok(()),
        (Expect::Error(expected), Err(error)) => Err(format!(
            "expected the error\n    {expected}\ngot the error\n    {}",
            error.message()
        )),
        (Expect::Error(expected), Ok(endpoint)) => Err(format!(
            "expected the error\n    {expected}\ngot the endpoint\n    {}",
            describe(&endpoint)
        )),
        (Expect::Endpoint { url, .. }, Err(error)) => Err(format!(
            "expected the endpoint {url}\ngot the error\n    {}",
            error.message()
        )),
        (
            Expect::Endpoint {
                url,
                headers,
                properties,
            },
            Ok(endpoint),
        ) => {
            let mut differences = String::new();
            if endpoint.url != *url {
                let _ = writeln!(differences, "url: expected {url}, got {}", endpoint.url);
            }
            if endpoint.headers != *headers {
                let _ = writeln!(
                    differences,
                    "headers: expected {}, got {}",
                    json(headers),
                    json(&endpoint.headers)
                );
            }
            if endpoint.properties != *properties {
                let _ = writeln!(
                    differences,
                    "properties: expected {}, got {}",
                    Value::Object(properties.clone()),
                    Value::Object(endpoint.properties.clone())
                );
            }
            if differences.is_empty() {
                Ok(())
            } else {
                Err(differences.trim_end().to_owned())
            }
        }
    }
}

fn json(headers: &BTreeMap<String, Vec<String>>) -> Value {
    headers
        .iter()
        .map(|(name, values)| (name.clone(), Value::from(values.clone())))
        .collect::<Map<_, _>>()
        .into()
}

fn describe(endpoint: &Endpoint) -> String {
    format!(
        "{} (headers {}, properties {})",
        endpoint.url,
        json(&endpoint.headers),
        Value::Object(endpoint.properties.clone())
    )
}

/// Every case of every `.json` model in `dirs`, model files in name order, to be resolved with
/// `partitions`.
pub fn load(dirs: &[PathBuf], partitions: &Arc<Partitions>) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
        let mut files = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
            .collect::<Vec<_>>();
        files.sort();
        for file in files {
            cases.extend(load_model(&file, partitions)?);
        }
    }
    Ok(cases)
}

/// The trait of a tree of endpoint rules.
pub const RULE_SET_TRAIT: &str = "smithy.rules#endpointRuleSet";
/// The trait of endpoint rules as a decision diagram.
pub const BDD_TRAIT: &str = "smithy.rules#endpointBdd";

/// The cases of one model file, against its tree of rules.
pub fn load_model(file: &Path, partitions: &Arc<Partitions>) -> Result<Vec<Case>, String> {
    let model = read_model(file)?;
    cases_of(file, &model, partitions, RULE_SET_TRAIT)
}

/// A model file, parsed.
pub fn read_model(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", file.display()))
}

/// The cases of `model` (read from `file`), against the rules of its `rules_trait`
/// ([`RULE_SET_TRAIT`] or [`BDD_TRAIT`]).
pub fn cases_of(
    file: &Path,
    model: &Value,
    partitions: &Arc<Partitions>,
    rules_trait: &str,
) -> Result<Vec<Case>, String> {
    let stem = file
        .file_stem()
        .map_or_else(String::new, |stem| stem.to_string_lossy().into_owned());
    let shapes = model.get("shapes").and_then(Value::as_object);
    let services: Vec<(&String, &Value, &Value)> = shapes
        .into_iter()
        .flatten()
        .filter_map(|(id, shape)| {
            let traits = shape.get("traits")?;
            Some((id, traits.get(rules_trait)?, traits.get("smithy.rules#endpointTests")?))
        })
        .collect();
    let several = services.len() > 1;
    let mut cases = Vec::new();
    for (id, rule_set, tests) in services {
        let label = if several {
            format!("{stem}/{}", id.rsplit('#').next().unwrap_or(id))
        } else {
            stem.clone()
        };
        let rule_set = RuleSet::from_value(rule_set);
        let from_bytes = match &rule_set {
            Ok(rule_set) => RuleSet::from_bytes(&rule_set.to_bytes()),
            Err(error) => Err(error.clone()),
        };
        let service = Arc::new(Service {
            label,
            file: file.to_path_buf(),
            shape_id: id.clone(),
            rule_set,
            from_bytes,
            partitions: partitions.clone(),
        });
        let test_cases = tests.get("testCases").and_then(Value::as_array);
        for (index, case) in test_cases.into_iter().flatten().enumerate() {
            let case = parse_case(&service, index, case)
                .map_err(|error| format!("{} {id}: test case {index}: {error}", file.display()))?;
            cases.push(case);
        }
    }
    Ok(cases)
}

fn parse_case(service: &Arc<Service>, index: usize, case: &Value) -> Result<Case, String> {
    let object = |value: Option<&Value>| value.and_then(Value::as_object).cloned().unwrap_or_default();
    let expect = case.get("expect").ok_or("no `expect`")?;
    let expect = if let Some(error) = expect.get("error") {
        Expect::Error(error.as_str().ok_or("`expect.error` is not a string")?.to_owned())
    } else if let Some(endpoint) = expect.get("endpoint") {
        let url = endpoint
            .get("url")
            .and_then(Value::as_str)
            .ok_or("`expect.endpoint.url` is not a string")?;
        let headers = object(endpoint.get("headers"))
            .into_iter()
            .map(|(name, values)| {
                let values = values
                    .as_array()
                    .and_then(|values| values.iter().map(|value| value.as_str().map(str::to_owned)).collect())
                    .ok_or_else(|| format!("header {name}: not an array of strings"))?;
                Ok((name, values))
            })
            .collect::<Result<_, String>>()?;
        Expect::Endpoint {
            url: url.to_owned(),
            headers,
            properties: object(endpoint.get("properties")),
        }
    } else {
        return Err("`expect` has neither `error` nor `endpoint`".to_owned());
    };
    let operation_inputs = case
        .get("operationInputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|input| OperationInput {
            operation_name: input
                .get("operationName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            operation_params: object(input.get("operationParams")),
            built_in_params: object(input.get("builtInParams")),
            client_params: object(input.get("clientParams")),
            raw: input.clone(),
        })
        .collect();
    Ok(Case {
        service: service.clone(),
        index,
        documentation: case
            .get("documentation")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        params: object(case.get("params")),
        expect,
        operation_inputs,
    })
}

/// The cases not to run (`skipped.txt`): `<case id> <reason>` a line; `#` starts a comment.
#[derive(Debug, Default)]
pub struct Skipped {
    entries: BTreeMap<String, String>,
}

impl Skipped {
    /// Reads a `skipped.txt`.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| match line.split_once(char::is_whitespace) {
                Some((id, reason)) => (id.to_owned(), reason.trim().to_owned()),
                None => (line.to_owned(), String::new()),
            })
            .collect();
        Self { entries }
    }

    /// Why a case is skipped, if it is.
    pub fn reason(&self, case: &Case) -> Option<&str> {
        self.entries.get(&case.id()).map(String::as_str)
    }

    /// The entries that name no case.
    pub fn unused(&self, cases: &[Case]) -> Vec<&str> {
        let ids: std::collections::BTreeSet<String> = cases.iter().map(Case::id).collect();
        self.entries
            .keys()
            .filter(|id| !ids.contains(*id))
            .map(String::as_str)
            .collect()
    }
}
