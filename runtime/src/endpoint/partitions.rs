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

/// A partition's `regionRegex`.
#[derive(Debug)]
enum RegionPattern {
    /// The embedded data's, in the few forms AWS writes them (see [`PlainPattern`]): matched
    /// without a regular-expression engine, which a client that never reads other partitions
    /// data then does not link.
    Plain(PlainPattern),
    /// Other data's ([`Partitions::from_json`]), compiled when read.
    Compiled(Regex),
}

impl RegionPattern {
    fn is_match(&self, region: &str) -> bool {
        match self {
            Self::Plain(pattern) => pattern.is_match(region),
            Self::Compiled(regex) => regex.is_match(region),
        }
    }
}

/// A region pattern of the forms AWS's partitions take, such as
/// `^(us|eu|ap)\-\w+\-\d+$`: a sequence of letters, digits, `_` and `-` (plain or escaped,
/// as `\-`), the ASCII classes `\w` and `\d`, each optionally followed by `+`, `*` or `?`, and
/// groups of plain alternatives such as `(us|eu)`, between optional `^` and `$`. It matches a
/// whole region, as [`region_regex`] compiles a pattern to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PlainPattern(Vec<Piece>);

/// One atom of a [`PlainPattern`] with how many times it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Byte(u8),
    /// `\w`: an ASCII letter, digit or `_`.
    Word,
    /// `\d`: an ASCII digit.
    Digit,
    /// `(a|b)`: one of these texts.
    OneOf(Vec<Vec<u8>>),
}

impl Atom {
    fn accepts(&self, byte: u8) -> bool {
        match self {
            Self::Byte(own) => *own == byte,
            Self::Word => byte.is_ascii_alphanumeric() || byte == b'_',
            Self::Digit => byte.is_ascii_digit(),
            Self::OneOf(_) => false,
        }
    }
}

impl PlainPattern {
    /// `pattern` when it has only the forms above; `None` otherwise.
    fn parse(pattern: &str) -> Option<Self> {
        let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
        let pattern = pattern.strip_suffix('$').unwrap_or(pattern);
        let plain = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
        let mut bytes = pattern.as_bytes();
        let mut pieces: Vec<Piece> = Vec::new();
        while let Some((&first, rest)) = bytes.split_first() {
            bytes = rest;
            let atom = match first {
                b'\\' => {
                    let (&escaped, rest) = bytes.split_first()?;
                    bytes = rest;
                    match escaped {
                        b'w' => Atom::Word,
                        b'd' => Atom::Digit,
                        b'-' | b'_' => Atom::Byte(escaped),
                        _ => return None,
                    }
                }
                b'(' => {
                    let end = bytes.iter().position(|&byte| byte == b')')?;
                    let alternatives: Vec<Vec<u8>> =
                        bytes[..end].split(|&byte| byte == b'|').map(<[u8]>::to_vec).collect();
                    bytes = &bytes[end + 1..];
                    if !alternatives.iter().flatten().all(|&byte| plain(byte)) {
                        return None;
                    }
                    pieces.push(Piece {
                        atom: Atom::OneOf(alternatives),
                        min: 1,
                        max: 1,
                    });
                    continue;
                }
                byte if plain(byte) => Atom::Byte(byte),
                _ => return None,
            };
            let (min, max) = match bytes.first() {
                Some(b'+') => (1, usize::MAX),
                Some(b'*') => (0, usize::MAX),
                Some(b'?') => (0, 1),
                _ => (1, 1),
            };
            if (min, max) != (1, 1) {
                bytes = &bytes[1..];
            }
            pieces.push(Piece { atom, min, max });
        }
        Some(Self(pieces))
    }

    fn is_match(&self, region: &str) -> bool {
        fn rest_matches(pieces: &[Piece], text: &[u8]) -> bool {
            let Some((piece, rest)) = pieces.split_first() else {
                return text.is_empty();
            };
            if let Atom::OneOf(alternatives) = &piece.atom {
                return alternatives.iter().any(|alternative| {
                    text.starts_with(alternative) && rest_matches(rest, &text[alternative.len()..])
                });
            }
            let run = text
                .iter()
                .take(piece.max)
                .take_while(|&&byte| piece.atom.accepts(byte))
                .count();
            // The longest run first, then shorter ones, as a regular expression backtracks.
            run >= piece.min && (piece.min..=run).rev().any(|taken| rest_matches(rest, &text[taken..]))
        }
        rest_matches(&self.0, region.as_bytes())
    }
}

impl Partitions {
    /// The partitions this crate embeds ([`AWS_PARTITIONS_JSON`]), parsed on first use.
    pub fn aws() -> &'static Partitions {
        static AWS: OnceLock<Partitions> = OnceLock::new();
        AWS.get_or_init(|| {
            // The embedded file is checked by this crate's tests, so it always parses, and its
            // region patterns are of the plain forms.
            Self::parse::<false>(AWS_PARTITIONS_JSON)
                .unwrap_or_else(|error| panic!("the embedded partitions.json is invalid: {error}"))
        })
    }

    /// Partitions data in the format of AWS's `partitions.json`:
    /// `{"partitions": [{"id", "regionRegex", "outputs": {…}, "regions": {"<region>": {…}}}]}`.
    /// A region's object may override any of the outputs. `implicitGlobalRegion` may be absent.
    pub fn from_json(json: &str) -> Result<Partitions, RuleSetError> {
        Self::parse::<true>(json)
    }

    /// Partitions data in JSON, its region patterns compiled (`COMPILE`) or read as plain ones.
    fn parse<const COMPILE: bool>(json: &str) -> Result<Partitions, RuleSetError> {
        let value: Value =
            serde_json::from_str(json).map_err(|error| RuleSetError::new("", format!("invalid JSON: {error}")))?;
        Self::read::<COMPILE>(&value)
    }

    /// Like [`Partitions::from_json`], from JSON already parsed.
    pub fn from_value(value: &Value) -> Result<Partitions, RuleSetError> {
        Self::read::<true>(value)
    }

    /// Partitions data, its region patterns compiled (`COMPILE`: refusing one that does not) or
    /// read as plain ones (refusing one that is not). A constant, so that code that reads only
    /// the embedded data links no regular-expression engine.
    fn read<const COMPILE: bool>(value: &Value) -> Result<Partitions, RuleSetError> {
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
            let pattern_path = || format!("{path}.regionRegex");
            let pattern = if COMPILE {
                RegionPattern::Compiled(region_regex(pattern).map_err(|error| {
                    RuleSetError::new(pattern_path(), format!("invalid regular expression: {error}"))
                })?)
            } else {
                RegionPattern::Plain(PlainPattern::parse(pattern).ok_or_else(|| {
                    RuleSetError::new(
                        pattern_path(),
                        format!("`{pattern}` is not of the plain forms the embedded data uses"),
                    )
                })?)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts around the patterns' forms: each embedded region, and each changed at every place
    /// (a byte dropped, doubled, or replaced by a letter, a digit, `-`, `_`, an upper-case letter
    /// or a non-ASCII letter), and a few of their own.
    fn candidates(regions: &[String]) -> Vec<String> {
        let mut texts: Vec<String> = [
            "", "-", "us", "us-", "us--1", "us-east-", "-east-1", "x-1", "ab", "aab", "abb", "b",
        ]
        .map(str::to_owned)
        .to_vec();
        for region in regions {
            texts.push(region.clone());
            for at in 0..=region.len() {
                let (head, tail) = region.split_at(at);
                if let Some(rest) = tail.get(1..) {
                    texts.push(format!("{head}{rest}"));
                    texts.push(format!("{head}{}{tail}", &tail[..1]));
                }
                for insert in ["a", "7", "-", "_", "Q", "é"] {
                    texts.push(format!("{head}{insert}{tail}"));
                    if let Some(rest) = tail.get(1..) {
                        texts.push(format!("{head}{insert}{rest}"));
                    }
                }
            }
        }
        texts
    }

    #[test]
    fn plain_patterns_match_as_the_compiled_ones_do() {
        let data: Value = serde_json::from_str(AWS_PARTITIONS_JSON).unwrap();
        let partitions = data["partitions"].as_array().unwrap();
        let mut patterns: Vec<String> = partitions
            .iter()
            .map(|partition| partition["regionRegex"].as_str().unwrap().to_owned())
            .collect();
        let mut regions: Vec<String> = partitions
            .iter()
            .flat_map(|partition| partition["regions"].as_object().unwrap().keys().cloned())
            .collect();
        regions.extend(
            [
                "us-gov-north-9",
                "us-iso-east-2",
                "us-isob-east-2",
                "us-isof-south-2",
                "eu-isoe-west-2",
                "eusc-de-east-2",
                "cn-east-9",
                "mars-12",
                "moon-x-1",
                "ab",
                "aab",
                "us_",
            ]
            .map(str::to_owned),
        );
        assert!(regions.len() > 30, "{} regions", regions.len());
        // Forms beyond the embedded data's, repetitions among them, which must backtrack.
        patterns.extend(
            [
                "mars-\\d+",
                "^moon-\\w+-\\d+$",
                "\\w+\\d+",
                "a\\w*b",
                "x?y?\\w",
                "(ab|a)b",
                "(a|)b",
                "us_\\w?",
            ]
            .map(str::to_owned),
        );
        let texts = candidates(&regions);
        for pattern in &patterns {
            let plain = PlainPattern::parse(pattern).unwrap_or_else(|| panic!("`{pattern}` is not plain"));
            let compiled = region_regex(pattern).unwrap();
            let mut matched = 0;
            for text in &texts {
                assert_eq!(plain.is_match(text), compiled.is_match(text), "`{pattern}` on `{text}`");
                matched += usize::from(compiled.is_match(text));
            }
            assert!(matched > 0, "`{pattern}` matched none of the texts");
        }
    }

    #[test]
    fn other_forms_are_not_plain() {
        for pattern in [
            "^dot-.$", "[a-z]+", "(a)+", "a{2}", "\\s", "\\.", "a|b", "(a", "a\\", "^a$$", "é",
        ] {
            assert_eq!(PlainPattern::parse(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn the_embedded_data_is_read_with_plain_patterns() {
        let embedded = Partitions::aws();
        assert!(!embedded.patterns.is_empty());
        for (pattern, _) in &embedded.patterns {
            assert!(matches!(pattern, RegionPattern::Plain(_)), "{pattern:?}");
        }
        let compiled = Partitions::from_json(AWS_PARTITIONS_JSON).unwrap();
        assert!(compiled
            .patterns
            .iter()
            .all(|(pattern, _)| matches!(pattern, RegionPattern::Compiled(_))));
    }
}
