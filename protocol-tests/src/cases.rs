//! The cases of the protocol-test model: each service's operations' `smithy.test#httpRequestTests`,
//! `httpResponseTests` and `httpMalformedRequestTests`, and its errors' `httpResponseTests`, read
//! from the model at run time.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

const REQUEST_TESTS: &str = "smithy.test#httpRequestTests";
const RESPONSE_TESTS: &str = "smithy.test#httpResponseTests";
const MALFORMED_TESTS: &str = "smithy.test#httpMalformedRequestTests";
const EVENT_STREAM_TESTS: &str = "smithy.test#eventStreamTests";

/// Why the cases of a protocol the runtime does not speak are skipped.
pub const PROTOCOL_NOT_IMPLEMENTED: &str = "protocol not implemented";

/// What a case checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The client serializes the input of `params` into the expected request.
    Request,
    /// The client parses the response into the output (or error) of `params`.
    Response,
    /// The server parses the request into the input of `params`.
    ServerRequest,
    /// The server writes the output (or error) of `params` as the expected response.
    ServerResponse,
    /// The server refuses the malformed request as expected.
    Malformed,
    /// The client writes an event stream's initial request and request events as expected,
    /// and reads its initial response and response events (`smithy.test#eventStreamTests`).
    EventStream,
    /// The server reads an event stream's initial request and request events, and writes its
    /// initial response and response events as expected.
    ServerEventStream,
}

impl Kind {
    /// The kind as it appears in a trial name and in `skipped.txt`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::ServerRequest => "server-request",
            Kind::ServerResponse => "server-response",
            Kind::Malformed => "malformed",
            Kind::EventStream => "event-stream",
            Kind::ServerEventStream => "server-event-stream",
        }
    }

    /// Whether the kind is of `eventStreamTests`, which are counted apart.
    pub fn is_event_stream(self) -> bool {
        matches!(self, Kind::EventStream | Kind::ServerEventStream)
    }
}

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The service's shape name, such as `RestJson`.
    pub service: String,
    /// The protocol's name, such as `restJson1`.
    pub protocol: &'static str,
    pub kind: Kind,
    /// The case's id in the model (`<id>_<n>` for each set of a malformed case's test parameters).
    pub id: String,
    /// The operation's shape id.
    pub operation: String,
    /// For a response case of an error: the error's shape id.
    pub error: Option<String>,
    /// The case as the model writes it, test parameters substituted.
    pub data: Map<String, Value>,
    /// Why the case cannot run at all: its protocol or feature is not implemented.
    pub unsupported: Option<&'static str>,
}

impl Case {
    /// The trial name: `<service>::<kind>::<case id>`.
    pub fn name(&self) -> String {
        format!("{}::{}::{}", self.service, self.kind.label(), self.id)
    }
}

/// A service's operations, for finding its cases: shape ids, and each operation's errors.
pub struct ServiceOperations<'a> {
    pub name: &'a str,
    /// The protocol's trait id, such as `aws.protocols#restJson1`, which cases name.
    pub protocol_id: &'static str,
    /// The protocol's name, such as `restJson1`.
    pub protocol: &'static str,
    /// Whether the runtime speaks the protocol; the cases of one it does not are skipped.
    pub implemented: bool,
    /// `(operation id, its errors' ids)`, in shape-id order.
    pub operations: Vec<(String, Vec<String>)>,
}

impl ServiceOperations<'_> {
    /// The operations of the service `id` of the model's `shapes`, found in the model: those
    /// bound to it and to its resources, each with its errors and the service's.
    pub fn operations_in_model(shapes: &Map<String, Value>, id: &str) -> Vec<(String, Vec<String>)> {
        let targets = |shape: &Value, key: &str| -> Vec<String> {
            match shape.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|item| item.get("target").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect(),
                Some(Value::Object(item)) => item
                    .get("target")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            }
        };
        let Some(service) = shapes.get(id) else {
            return Vec::new();
        };
        let common = targets(service, "errors");
        let mut operations = Vec::new();
        let mut pending = vec![id.to_owned()];
        let mut visited = std::collections::BTreeSet::new();
        while let Some(container) = pending.pop() {
            if !visited.insert(container.clone()) {
                continue;
            }
            let Some(shape) = shapes.get(&container) else { continue };
            pending.extend(targets(shape, "resources"));
            for key in [
                "operations",
                "collectionOperations",
                "create",
                "put",
                "read",
                "update",
                "delete",
                "list",
            ] {
                operations.extend(targets(shape, key));
            }
        }
        operations.sort();
        operations.dedup();
        operations
            .into_iter()
            .map(|operation| {
                let mut errors = shapes
                    .get(&operation)
                    .map(|shape| targets(shape, "errors"))
                    .unwrap_or_default();
                errors.extend(common.iter().cloned());
                (operation, errors)
            })
            .collect()
    }
}

fn cases_of<'v>(shape: &'v Value, trait_id: &str, protocol_id: &str) -> Vec<&'v Map<String, Value>> {
    let Some(Value::Array(cases)) = shape.get("traits").and_then(|traits| traits.get(trait_id)) else {
        return Vec::new();
    };
    cases
        .iter()
        .filter_map(Value::as_object)
        .filter(|case| case.get("protocol").and_then(Value::as_str) == Some(protocol_id))
        .collect()
}

/// Whether a case of `shape` is for `side` (`client` or `server`): its `appliesTo`, and the
/// `client-only` or `server-only` tag of the operation or error it is on.
fn applies_to(shape: &Value, case: &Map<String, Value>, side: &str) -> bool {
    let other = if side == "client" { "server-only" } else { "client-only" };
    let tagged_other = shape
        .get("traits")
        .and_then(|traits| traits.get("smithy.api#tags"))
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|tag| tag.as_str() == Some(other)));
    !tagged_other
        && case
            .get("appliesTo")
            .and_then(Value::as_str)
            .is_none_or(|applies| applies == side)
}

fn id_of(case: &Map<String, Value>) -> String {
    case.get("id").and_then(Value::as_str).unwrap_or("unnamed").to_owned()
}

/// Every case of `service` in the model's `shapes`.
pub fn service_cases(shapes: &Map<String, Value>, service: &ServiceOperations<'_>) -> Vec<Case> {
    let protocol_id = service.protocol_id;
    let not_implemented = (!service.implemented).then_some(PROTOCOL_NOT_IMPLEMENTED);
    let mut cases = Vec::new();
    let mut push = |kind: Kind, operation: &str, error: Option<&str>, case: &Map<String, Value>, id: String| {
        cases.push(Case {
            unsupported: not_implemented,
            service: service.name.to_owned(),
            protocol: service.protocol,
            kind,
            id,
            operation: operation.to_owned(),
            error: error.map(str::to_owned),
            data: case.clone(),
        });
    };
    for (operation, _) in &service.operations {
        let Some(shape) = shapes.get(operation) else { continue };
        for case in cases_of(shape, REQUEST_TESTS, protocol_id) {
            if applies_to(shape, case, "client") {
                push(Kind::Request, operation, None, case, id_of(case));
            }
            if applies_to(shape, case, "server") {
                push(Kind::ServerRequest, operation, None, case, id_of(case));
            }
        }
        for case in cases_of(shape, RESPONSE_TESTS, protocol_id) {
            if applies_to(shape, case, "client") {
                push(Kind::Response, operation, None, case, id_of(case));
            }
            if applies_to(shape, case, "server") {
                push(Kind::ServerResponse, operation, None, case, id_of(case));
            }
        }
        for case in cases_of(shape, MALFORMED_TESTS, protocol_id) {
            for (id, case) in malformed_runs(case) {
                push(Kind::Malformed, operation, None, &case, id);
            }
        }
        for case in cases_of(shape, EVENT_STREAM_TESTS, protocol_id) {
            if applies_to(shape, case, "client") {
                push(Kind::EventStream, operation, None, case, id_of(case));
            }
            if applies_to(shape, case, "server") {
                push(Kind::ServerEventStream, operation, None, case, id_of(case));
            }
        }
    }
    // An error's cases run on the first operation, by shape id, that can return it.
    let mut errors: Vec<(&String, &Value)> = shapes
        .iter()
        .filter(|(_, shape)| {
            shape
                .get("traits")
                .and_then(|traits| traits.get("smithy.api#error"))
                .is_some()
        })
        .collect();
    errors.sort_by(|a, b| a.0.cmp(b.0));
    for (error, shape) in errors {
        let Some((operation, _)) = service.operations.iter().find(|(_, errors)| errors.contains(error)) else {
            continue;
        };
        for case in cases_of(shape, RESPONSE_TESTS, protocol_id) {
            if applies_to(shape, case, "client") {
                push(Kind::Response, operation, Some(error), case, id_of(case));
            }
            if applies_to(shape, case, "server") {
                push(Kind::ServerResponse, operation, Some(error), case, id_of(case));
            }
        }
    }
    cases
}

/// A malformed case once per index of its `testParameters` (or once, unchanged, without them),
/// with the parameters substituted into its request and response.
fn malformed_runs(case: &Map<String, Value>) -> Vec<(String, Map<String, Value>)> {
    let id = id_of(case);
    let parameters: Vec<(String, Vec<String>)> = match case.get("testParameters") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, values)| {
                let values = match values {
                    Value::Array(values) => values.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    _ => Vec::new(),
                };
                (name.clone(), values)
            })
            .collect(),
        _ => Vec::new(),
    };
    let Some(runs) = parameters.iter().map(|(_, values)| values.len()).max() else {
        return vec![(id, case.clone())];
    };
    (0..runs)
        .map(|n| {
            let values: BTreeMap<&str, &str> = parameters
                .iter()
                .filter_map(|(name, values)| values.get(n).map(|value| (name.as_str(), value.as_str())))
                .collect();
            let mut run = case.clone();
            for key in ["request", "response"] {
                if let Some(value) = run.get_mut(key) {
                    substitute(value, &values);
                }
            }
            (format!("{id}_{n}"), run)
        })
        .collect()
}

/// Substitutes test parameters into every string of `value`.
fn substitute(value: &mut Value, values: &BTreeMap<&str, &str>) {
    match value {
        Value::String(text) => *text = interpolate(text, values),
        Value::Array(items) => items.iter_mut().for_each(|item| substitute(item, values)),
        Value::Object(map) => {
            let entries: Vec<(String, Value)> = std::mem::take(map)
                .into_iter()
                .map(|(key, mut value)| {
                    substitute(&mut value, values);
                    (interpolate(&key, values), value)
                })
                .collect();
            map.extend(entries);
        }
        _ => {}
    }
}

/// Substitutes test parameters into a string, as Smithy's `CodeWriter` does: `$name:L` is the
/// value as it is, `$name:S` the value as a quoted string literal (escaped as JSON, which the
/// cases use it in), `$$` a `$`. A `$` that begins no substitution stays.
pub fn interpolate(text: &str, values: &BTreeMap<&str, &str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let spec = after[name_len..].strip_prefix(':').and_then(|tail| tail.chars().next());
        match (values.get(name), spec) {
            (Some(value), Some('L')) => {
                out.push_str(value);
                rest = &after[name_len + 2..];
            }
            (Some(value), Some('S')) => {
                out.push_str(&Value::String((*value).to_owned()).to_string());
                rest = &after[name_len + 2..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::interpolate;
    use std::collections::BTreeMap;

    #[test]
    fn interpolates_like_code_writer() {
        let values = BTreeMap::from([("value", "a\"b"), ("n", "3")]);
        assert_eq!(interpolate("{ \"x\": $value:S }", &values), "{ \"x\": \"a\\\"b\" }");
        assert_eq!(interpolate("/path/$value:L/$n:L", &values), "/path/a\"b/3");
        assert_eq!(interpolate("^[a-z]+$$", &values), "^[a-z]+$");
        assert_eq!(interpolate("cost: $ 5", &values), "cost: $ 5");
        assert_eq!(interpolate("$missing:L", &values), "$missing:L");
    }
}
