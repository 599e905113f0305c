//! Conformance of our hand-written `model/amplifybackend.json` with the published
//! AWS Smithy model of `AmplifyBackend` (`../shared/models/aws/...`).
//!
//! Our model is authored by hand (own documentation, a few `@deprecated` traits
//! of our own), but everything that influences the wire format or nullability of
//! the generated code must agree exactly with the published model. The published
//! model lives in the shared directory next to the repository; when it is absent
//! the checks that need it are skipped loudly, except in CI (`CI=true`), where
//! its absence is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The operation whose closure is compared.
const OPERATION: &str = "com.amazonaws.amplifybackend#GetBackendAuth";

/// Namespace of the Smithy prelude; prelude shapes are never walked.
const PRELUDE_PREFIX: &str = "smithy.api#";

/// Location of the published model inside the shared directory.
const PUBLISHED_MODEL: &str = "models/aws/amplifybackend-2020-08-11.json";

/// Traits that matter on the wire or for nullability: their presence and
/// value must be identical on every shape and every member.
const COMPARED_TRAITS: &[&str] = &[
    "smithy.api#jsonName",
    "smithy.api#required",
    "smithy.api#clientOptional",
    "smithy.api#sensitive",
    "smithy.api#httpLabel",
    "smithy.api#httpQuery",
    "smithy.api#httpHeader",
    "smithy.api#httpPayload",
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#error",
    "smithy.api#httpError",
    "smithy.api#enumValue",
    "smithy.api#http",
    "smithy.api#default",
];

const DOCUMENTATION: &str = "smithy.api#documentation";
const DEPRECATED: &str = "smithy.api#deprecated";

/// Members (shape id, member name) that the operation reference page marks
/// as deprecated; exactly these carry `@deprecated` in our model.
const DEPRECATED_MEMBERS: &[(&str, &str)] = &[
    (
        "com.amazonaws.amplifybackend#CreateBackendAuthUserPoolConfig",
        "ForgotPassword",
    ),
    (
        "com.amazonaws.amplifybackend#CreateBackendAuthForgotPasswordConfig",
        "DeliveryMethod",
    ),
    (
        "com.amazonaws.amplifybackend#CreateBackendAuthForgotPasswordConfig",
        "EmailSettings",
    ),
    (
        "com.amazonaws.amplifybackend#CreateBackendAuthForgotPasswordConfig",
        "SmsSettings",
    ),
];

/// Path of our hand-written model.
fn our_model_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../model/amplifybackend.json"))
}

/// Path of the shared directory holding the published AWS models.
fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

/// Reads and parses a JSON file, panicking with the path on failure.
fn load_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

/// Loads our model.
fn our_model() -> Value {
    load_json(&our_model_path())
}

/// Loads the published model, or returns `None` (after a loud message on
/// stderr) when the shared directory is missing. In CI (`CI=true`) a missing
/// shared directory is a failure instead.
fn published_model() -> Option<Value> {
    let path = shared_dir().join(PUBLISHED_MODEL);
    if path.is_file() {
        return Some(load_json(&path));
    }
    let message = format!(
        "../shared not found at {}: this test needs the shared AWS models",
        path.display()
    );
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(!in_ci, "{message} (CI=true, so this is an error)");
    eprintln!("SKIPPED: {message}");
    None
}

/// The `shapes` object of a Smithy JSON AST.
fn shapes(model: &Value) -> &Map<String, Value> {
    model
        .get("shapes")
        .and_then(Value::as_object)
        .expect("model has no `shapes` object")
}

/// The `target` of a member or shape reference (`{"target": "..."}`).
fn target(reference: &Value) -> Option<&str> {
    reference.get("target").and_then(Value::as_str)
}

/// The members of a shape by name: the `members` object of structures,
/// unions and enums, `member` of lists, `key` and `value` of maps.
fn members(shape: &Value) -> BTreeMap<&str, &Value> {
    let mut found: BTreeMap<&str, &Value> = shape
        .get("members")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(name, member)| (name.as_str(), member)).collect())
        .unwrap_or_default();
    for name in ["member", "key", "value"] {
        if let Some(member) = shape.get(name) {
            found.insert(name, member);
        }
    }
    found
}

/// The error shape ids of an operation, as a set.
fn errors(shape: &Value) -> BTreeSet<&str> {
    shape
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().filter_map(target).collect())
        .unwrap_or_default()
}

/// Every shape id a shape refers to directly: operation input, output and
/// errors, and the targets of all its members.
fn references(shape: &Value) -> Vec<&str> {
    let io = ["input", "output"]
        .into_iter()
        .filter_map(|key| shape.get(key).and_then(target));
    let member_targets = members(shape).into_values().filter_map(target);
    io.chain(errors(shape)).chain(member_targets).collect()
}

/// The closure of `root`: all non-prelude shape ids reachable from it,
/// including `root`. Ids that are referenced but not defined are included
/// too, so that callers can report them.
fn closure(model: &Value, root: &str) -> BTreeSet<String> {
    let shapes = shapes(model);
    let mut seen = BTreeSet::new();
    let mut pending = vec![root.to_owned()];
    while let Some(id) = pending.pop() {
        if id.starts_with(PRELUDE_PREFIX) || !seen.insert(id.clone()) {
            continue;
        }
        if let Some(shape) = shapes.get(&id) {
            pending.extend(references(shape).into_iter().map(str::to_owned));
        }
    }
    seen
}

/// The value of trait `name` on a shape or member, if present.
fn trait_value<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    node.get("traits").and_then(|traits| traits.get(name))
}

/// The documentation string of a shape or member, if present.
fn documentation(node: &Value) -> Option<&str> {
    trait_value(node, DOCUMENTATION).and_then(Value::as_str)
}

/// Renders an optional JSON value for difference messages.
fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "<absent>".to_owned(), Value::to_string)
}

/// Renders an optional string for difference messages.
fn show_str(value: Option<&str>) -> String {
    value.map_or_else(|| "<absent>".to_owned(), |s| format!("{s:?}"))
}

/// Records a difference for every trait of [`COMPARED_TRAITS`] whose presence
/// or value differs between `ours` and `published` at `location`.
fn compare_traits(location: &str, ours: &Value, published: &Value, diffs: &mut Vec<String>) {
    for name in COMPARED_TRAITS {
        let (a, b) = (trait_value(ours, name), trait_value(published, name));
        if a != b {
            diffs.push(format!(
                "{location}: trait {name}: ours {} vs published {}",
                show(a),
                show(b)
            ));
        }
    }
}

/// The wire values of an enum (`enumValue`, defaulting to the member name).
fn enum_values(shape: &Value) -> BTreeSet<String> {
    members(shape)
        .into_iter()
        .map(|(name, member)| match trait_value(member, "smithy.api#enumValue") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => name.to_owned(),
        })
        .collect()
}

/// Records every difference between two definitions of the shape `id`:
/// type, compared traits, operation input/output/errors, enum values, and
/// for each member its presence, target and compared traits.
fn compare_shape(id: &str, ours: &Value, published: &Value, diffs: &mut Vec<String>) {
    let (our_type, published_type) = (ours.get("type"), published.get("type"));
    if our_type != published_type {
        diffs.push(format!(
            "{id}: type: ours {} vs published {}",
            show(our_type),
            show(published_type)
        ));
    }

    compare_traits(id, ours, published, diffs);

    for key in ["input", "output"] {
        let (a, b) = (ours.get(key).and_then(target), published.get(key).and_then(target));
        if a != b {
            diffs.push(format!(
                "{id}: {key}: ours {} vs published {}",
                show_str(a),
                show_str(b)
            ));
        }
    }

    let (our_errors, published_errors) = (errors(ours), errors(published));
    if our_errors != published_errors {
        diffs.push(format!(
            "{id}: errors: ours {our_errors:?} vs published {published_errors:?}"
        ));
    }

    if our_type.and_then(Value::as_str) == Some("enum") {
        let (a, b) = (enum_values(ours), enum_values(published));
        if a != b {
            diffs.push(format!("{id}: enum values: ours {a:?} vs published {b:?}"));
        }
    }

    let (our_members, published_members) = (members(ours), members(published));
    for name in our_members.keys().filter(|n| !published_members.contains_key(*n)) {
        diffs.push(format!("{id}${name}: member only in ours"));
    }
    for name in published_members.keys().filter(|n| !our_members.contains_key(*n)) {
        diffs.push(format!("{id}${name}: member only in published"));
    }
    for (name, our_member) in &our_members {
        let Some(published_member) = published_members.get(name) else {
            continue;
        };
        let location = format!("{id}${name}");
        let (a, b) = (target(our_member), target(published_member));
        if a != b {
            diffs.push(format!(
                "{location}: target: ours {} vs published {}",
                show_str(a),
                show_str(b)
            ));
        }
        compare_traits(&location, our_member, published_member, diffs);
    }
}

/// Compares the closures of [`OPERATION`] in both models and returns every
/// difference found (empty when the models conform).
fn closure_differences(ours: &Value, published: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let (our_ids, published_ids) = (closure(ours, OPERATION), closure(published, OPERATION));
    for id in our_ids.difference(&published_ids) {
        diffs.push(format!("{id}: shape only in our closure"));
    }
    for id in published_ids.difference(&our_ids) {
        diffs.push(format!("{id}: shape only in the published closure"));
    }
    let (our_shapes, published_shapes) = (shapes(ours), shapes(published));
    for id in our_ids.intersection(&published_ids) {
        match (our_shapes.get(id), published_shapes.get(id)) {
            (Some(a), Some(b)) => compare_shape(id, a, b, &mut diffs),
            (None, _) => diffs.push(format!("{id}: referenced but not defined in ours")),
            (_, None) => diffs.push(format!("{id}: referenced but not defined in published")),
        }
    }
    diffs
}

/// Every shape and member of a model as `(location, shape id, member name, node)`.
fn all_nodes(model: &Value) -> Vec<(String, &str, Option<&str>, &Value)> {
    let mut nodes = Vec::new();
    for (id, shape) in shapes(model) {
        nodes.push((id.clone(), id.as_str(), None, shape));
        for (name, member) in members(shape) {
            nodes.push((format!("{id}${name}"), id.as_str(), Some(name), member));
        }
    }
    nodes
}

/// Looks up a shape, or one of its members, in a model.
fn lookup<'a>(model: &'a Value, id: &str, member: Option<&str>) -> Option<&'a Value> {
    let shape = shapes(model).get(id)?;
    match member {
        None => Some(shape),
        Some(name) => members(shape).get(name).copied(),
    }
}

/// Panics with all `diffs`, one per line, unless there are none.
fn assert_no_differences(what: &str, diffs: &[String]) {
    assert!(diffs.is_empty(), "{} {what}:\n  {}", diffs.len(), diffs.join("\n  "));
}

/// The closure of `GetBackendAuth` in our model has exactly the shapes of the
/// published model, with the same types, members, member targets, operation
/// errors, enum values and wire/nullability traits.
#[test]
fn closure_matches_published_model() {
    let Some(published) = published_model() else {
        return;
    };
    let ours = our_model();
    assert!(
        shapes(&published).contains_key(OPERATION),
        "published model lacks {OPERATION}"
    );
    let diffs = closure_differences(&ours, &published);
    assert_no_differences("difference(s) between our model and the published one", &diffs);
}

/// Our model marks exactly [`DEPRECATED_MEMBERS`] as deprecated (with a
/// message), and documents every shape and member in our own words: each
/// documentation string is non-empty and, when the published model is
/// available, not byte-equal to the published one for the same shape/member.
#[test]
fn deprecations_and_own_documentation() {
    let ours = our_model();
    let published = published_model();
    let expected: BTreeSet<String> = DEPRECATED_MEMBERS
        .iter()
        .map(|(id, member)| format!("{id}${member}"))
        .collect();
    let mut problems = Vec::new();
    let mut deprecated = BTreeSet::new();

    for (location, id, member, node) in all_nodes(&ours) {
        if let Some(value) = trait_value(node, DEPRECATED) {
            let has_message = value
                .get("message")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.trim().is_empty());
            if !has_message {
                problems.push(format!("{location}: {DEPRECATED} without a message: {value}"));
            }
            deprecated.insert(location.clone());
        }

        let Some(doc) = documentation(node).filter(|d| !d.trim().is_empty()) else {
            problems.push(format!("{location}: missing or empty {DOCUMENTATION}"));
            continue;
        };
        let published_doc = published
            .as_ref()
            .and_then(|model| lookup(model, id, member))
            .and_then(documentation);
        if published_doc == Some(doc) {
            problems.push(format!(
                "{location}: documentation copied from the published model: {doc:?}"
            ));
        }
    }

    for location in deprecated.difference(&expected) {
        problems.push(format!("{location}: unexpected {DEPRECATED}"));
    }
    for location in expected.difference(&deprecated) {
        problems.push(format!("{location}: missing {DEPRECATED}"));
    }
    assert_no_differences("problem(s) in our model", &problems);
}
