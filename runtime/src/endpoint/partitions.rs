//! The partitions data behind `aws.partition`: AWS's `partitions.json`, embedded, or any other in
//! the same format.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::error::RuleSetError;

/// AWS's public partitions file (`partitions.json`, format version 1.1) as this crate embeds it;
/// [`Partitions::aws`] is it parsed.
pub const AWS_PARTITIONS_JSON: &str = include_str!("../../data/partitions.json");

/// What `aws.partition` returns for a region: its partition's outputs, with the region's own
/// overrides when the data has some.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartitionOutputs {
    /// The partition's id, such as `aws` or `aws-cn`.
    pub name: String,
    /// The DNS suffix of the partition's endpoints, such as `amazonaws.com`.
    pub dns_suffix: String,
    /// The DNS suffix of its dual-stack (IPv4 and IPv6) endpoints, such as `api.aws`.
    pub dual_stack_dns_suffix: String,
    /// Whether it has FIPS endpoints.
    pub supports_fips: bool,
    /// Whether it has dual-stack endpoints.
    pub supports_dual_stack: bool,
    /// The region partitional (global) services sign for; empty when the data has none.
    pub implicit_global_region: String,
}

/// Partitions data: which partition a region is in, and each partition's outputs.
///
/// A region is looked up among every partition's listed regions first, then matched against
/// each partition's `regionRegex` in order; a region that matches nothing is in the `aws`
/// partition (when the data has one).
#[derive(Debug)]
pub struct Partitions {
    /// One entry per partition, then one per region with overrides.
    outputs: Vec<PartitionOutputs>,
    regions: HashMap<String, usize>,
    patterns: Vec<(RegionPattern, usize)>,
    fallback: Option<usize>,
}

/// A partition's `regionRegex`: compiled when read ([`Partitions::from_json`]), or when a region
/// first needs it (the embedded data, whose listed regions need no pattern, and whose patterns
/// this crate's tests compile).
#[derive(Debug)]
struct RegionPattern {
    source: String,
    compiled: OnceLock<Option<Regex>>,
}

impl RegionPattern {
    fn is_match(&self, region: &str) -> bool {
        self.compiled
            .get_or_init(|| region_regex(&self.source).ok())
            .as_ref()
            .is_some_and(|regex| regex.is_match(region))
    }
}

impl Partitions {
    /// The partitions this crate embeds ([`AWS_PARTITIONS_JSON`]), parsed on first use.
    pub fn aws() -> &'static Partitions {
        static AWS: OnceLock<Partitions> = OnceLock::new();
        AWS.get_or_init(|| {
            // The embedded file is checked by this crate's tests, so it always parses, and its
            // region patterns compile.
            Self::parse(AWS_PARTITIONS_JSON, false)
                .unwrap_or_else(|error| panic!("the embedded partitions.json is invalid: {error}"))
        })
    }

    /// Partitions data in the format of AWS's `partitions.json`:
    /// `{"partitions": [{"id", "regionRegex", "outputs": {…}, "regions": {"<region>": {…}}}]}`.
    /// A region's object may override any of the outputs. `implicitGlobalRegion` may be absent.
    pub fn from_json(json: &str) -> Result<Partitions, RuleSetError> {
        Self::parse(json, true)
    }

    /// Partitions data in JSON, its region patterns compiled now or when first needed.
    fn parse(json: &str, compile: bool) -> Result<Partitions, RuleSetError> {
        let value: Value =
            serde_json::from_str(json).map_err(|error| RuleSetError::new("", format!("invalid JSON: {error}")))?;
        Self::read(&value, compile)
    }

    /// Like [`Partitions::from_json`], from JSON already parsed.
    pub fn from_value(value: &Value) -> Result<Partitions, RuleSetError> {
        Self::read(value, true)
    }

    /// Partitions data, its region patterns compiled now (`compile`: refusing one that does not)
    /// or when first needed.
    fn read(value: &Value, compile: bool) -> Result<Partitions, RuleSetError> {
        let list = value
            .get("partitions")
            .and_then(Value::as_array)
            .ok_or_else(|| RuleSetError::new("partitions", "expected an array of partitions"))?;
        let mut partitions = Partitions {
            outputs: Vec::with_capacity(list.len()),
            regions: HashMap::new(),
            patterns: Vec::with_capacity(list.len()),
            fallback: None,
        };
        for (index, partition) in list.iter().enumerate() {
            let path = format!("partitions[{index}]");
            let object = partition
                .as_object()
                .ok_or_else(|| RuleSetError::new(&path, "expected an object"))?;
            let id = string_field(object, "id", &path)?;
            let outputs_path = format!("{path}.outputs");
            let outputs = object
                .get("outputs")
                .and_then(Value::as_object)
                .ok_or_else(|| RuleSetError::new(&outputs_path, "expected an object"))?;
            let outputs = PartitionOutputs {
                name: id.to_owned(),
                dns_suffix: string_field(outputs, "dnsSuffix", &outputs_path)?.to_owned(),
                dual_stack_dns_suffix: string_field(outputs, "dualStackDnsSuffix", &outputs_path)?.to_owned(),
                supports_fips: bool_field(outputs, "supportsFIPS", &outputs_path)?,
                supports_dual_stack: bool_field(outputs, "supportsDualStack", &outputs_path)?,
                implicit_global_region: match outputs.get("implicitGlobalRegion") {
                    None => String::new(),
                    Some(_) => string_field(outputs, "implicitGlobalRegion", &outputs_path)?.to_owned(),
                },
            };
            let pattern = string_field(object, "regionRegex", &path)?;
            let compiled = if compile {
                let regex = region_regex(pattern).map_err(|error| {
                    RuleSetError::new(
                        format!("{path}.regionRegex"),
                        format!("invalid regular expression: {error}"),
                    )
                })?;
                OnceLock::from(Some(regex))
            } else {
                OnceLock::new()
            };
            let pattern = RegionPattern {
                source: pattern.to_owned(),
                compiled,
            };
            let partition_index = partitions.outputs.len();
            partitions.patterns.push((pattern, partition_index));
            if id == "aws" && partitions.fallback.is_none() {
                partitions.fallback = Some(partition_index);
            }
            let regions = match object.get("regions") {
                None => None,
                Some(Value::Object(regions)) => Some(regions),
                Some(_) => return Err(RuleSetError::new(format!("{path}.regions"), "expected an object")),
            };
            partitions.outputs.push(outputs);
            for (region, entry) in regions.into_iter().flatten() {
                let entry_path = format!("{path}.regions.{region}");
                let entry = entry
                    .as_object()
                    .ok_or_else(|| RuleSetError::new(&entry_path, "expected an object"))?;
                if partitions.regions.contains_key(region) {
                    // The first partition to list a region has it.
                    continue;
                }
                let own = region_outputs(&partitions.outputs[partition_index], entry, &entry_path)?;
                let outputs_index = match own {
                    Some(own) => {
                        partitions.outputs.push(own);
                        partitions.outputs.len() - 1
                    }
                    None => partition_index,
                };
                partitions.regions.insert(region.clone(), outputs_index);
            }
        }
        Ok(partitions)
    }

    /// The outputs of the partition `region` is in; `None` only when the region matches no
    /// partition and the data has no `aws` partition.
    pub fn partition(&self, region: &str) -> Option<&PartitionOutputs> {
        let index = match self.regions.get(region) {
            Some(index) => Some(*index),
            None => self
                .patterns
                .iter()
                .find(|(pattern, _)| pattern.is_match(region))
                .map(|(_, index)| *index)
                .or(self.fallback),
        };
        index.and_then(|index| self.outputs.get(index))
    }
}

/// A partition's `regionRegex`, matching whole regions. `\w`, `\d` and `\s` are ASCII classes, as
/// in the Java regular expressions the data is written for (region names are ASCII): compiled
/// without Unicode's tables, a pattern takes a few kilobytes rather than a megabyte to build. A
/// pattern that needs Unicode (such as one with `.`, which could then match inside a character) is
/// compiled with it.
fn region_regex(pattern: &str) -> Result<Regex, regex::Error> {
    let whole = format!("^(?:{pattern})$");
    regex::RegexBuilder::new(&whole)
        .unicode(false)
        .build()
        .or_else(|_| Regex::new(&whole))
}

/// A region's outputs when its entry overrides some of its partition's; `None` when it does not.
fn region_outputs(
    partition: &PartitionOutputs,
    entry: &Map<String, Value>,
    path: &str,
) -> Result<Option<PartitionOutputs>, RuleSetError> {
    const OUTPUTS: [&str; 5] = [
        "dnsSuffix",
        "dualStackDnsSuffix",
        "supportsFIPS",
        "supportsDualStack",
        "implicitGlobalRegion",
    ];
    if !OUTPUTS.iter().any(|key| entry.contains_key(*key)) {
        return Ok(None);
    }
    let mut outputs = partition.clone();
    let string = |key: &str, into: &mut String| -> Result<(), RuleSetError> {
        if entry.contains_key(key) {
            string_field(entry, key, path)?.clone_into(into);
        }
        Ok(())
    };
    string("dnsSuffix", &mut outputs.dns_suffix)?;
    string("dualStackDnsSuffix", &mut outputs.dual_stack_dns_suffix)?;
    string("implicitGlobalRegion", &mut outputs.implicit_global_region)?;
    if entry.contains_key("supportsFIPS") {
        outputs.supports_fips = bool_field(entry, "supportsFIPS", path)?;
    }
    if entry.contains_key("supportsDualStack") {
        outputs.supports_dual_stack = bool_field(entry, "supportsDualStack", path)?;
    }
    Ok(Some(outputs))
}

fn string_field<'v>(object: &'v Map<String, Value>, key: &str, path: &str) -> Result<&'v str, RuleSetError> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| RuleSetError::new(format!("{path}.{key}"), "expected a string"))
}

fn bool_field(object: &Map<String, Value>, key: &str, path: &str) -> Result<bool, RuleSetError> {
    object
        .get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| RuleSetError::new(format!("{path}.{key}"), "expected a boolean"))
}
