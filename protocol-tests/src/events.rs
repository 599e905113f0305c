//! `smithy.test#eventStreamTests` cases: an event stream's initial request and response, and
//! its events, each written by one side and read by the other.
//!
//! A client writes the initial request and the `request` events, and reads the initial
//! response and the `response` events; a server the other way round. A written message is
//! compared with the case's headers (typed), forbidden and required headers, and body; a
//! message read is the case's `bytes`, and its event is compared with the case's `params`.
//! When the case expects a failure, the read must fail, or give the modelled error it names.

use serde_json::{Map, Value};
use smithy_runtime::codec::Side;
use smithy_runtime::event_stream::{HeaderValue, Message};
use smithy_runtime::primitives::{Blob, DateTime};

use super::checks::{body_kind, check_body, check_headers, conclude};
use super::{check_request, pairs, request_of, response_of, text, texts, DynOperation, EventOutcome, Expected};

/// What the case expects to fail: `None` when it expects success, else the modelled error it
/// names (if any).
fn failure(case: &Map<String, Value>) -> Option<Option<&str>> {
    let failure = case.get("expectation")?.get("failure")?;
    Some(failure.get("errorId").and_then(Value::as_str))
}

/// The case's object at `key`, or an empty one.
fn object(case: &Map<String, Value>, key: &str) -> Value {
    case.get(key).cloned().unwrap_or_else(|| Value::Object(Map::new()))
}

/// The case's events.
fn events(case: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    case.get("events")
        .and_then(Value::as_array)
        .map(|events| events.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

/// The message an event's `bytes` hold.
fn message_of(event: &Map<String, Value>) -> Result<Message, String> {
    let bytes = text(event, "bytes").ok_or("the event gives no bytes to read")?;
    let bytes = Blob::from_base64(bytes).ok_or("the event's bytes are not base64")?;
    Message::decode(bytes.as_ref()).map_err(|error| error.to_string())
}

/// The client's side of a case.
pub(crate) fn client(operation: &dyn DynOperation, case: &Map<String, Value>) -> Result<(), String> {
    let failure = failure(case);
    let mut problems = Vec::new();
    if let Some(initial) = case.get("initialRequest").and_then(Value::as_object) {
        let request = operation.client_request(&object(case, "initialRequestParams"), "https://example.com")?;
        problems.extend(check_request(&request, initial).err());
    }
    if let Some(initial) = case.get("initialResponse").and_then(Value::as_object) {
        let response = response_of(initial)?;
        let params = object(case, "initialResponseParams");
        let outcome = match failure {
            Some(error) => operation.client_response_fails(&response, error),
            None => operation.client_response(&response, Expected::Output(&params)),
        };
        problems.extend(outcome.err());
    }
    for event in events(case) {
        let params = object(event, "params");
        match text(event, "type") {
            Some("request") => write_event(operation, true, &params, event, failure, &mut problems),
            Some("response") => {
                let expected = match failure {
                    Some(error) => EventOutcome::Failure(error),
                    None => EventOutcome::Event(&params),
                };
                problems.extend(
                    operation
                        .read_event(false, Side::Client, &message_of(event)?, expected)
                        .err(),
                );
            }
            other => return Err(format!("an event of type {other:?}")),
        }
    }
    conclude(problems)
}

/// The server's side of a case.
pub(crate) fn server(operation: &dyn DynOperation, case: &Map<String, Value>) -> Result<(), String> {
    let failure = failure(case);
    let mut problems = Vec::new();
    // The initial request: the case's, or the one a client sends for the initial params.
    let accepted = match case.get("initialRequest").and_then(Value::as_object) {
        Some(initial) => {
            let request = request_of(initial)?;
            let params = object(case, "initialRequestParams");
            let outcome = operation.server_request(&request, &params);
            problems.extend(outcome.clone().err());
            outcome
        }
        None => operation
            .client_request(&object(case, "initialRequestParams"), "https://example.com")
            .and_then(|request| operation.server_reads(&request)),
    };
    if let Some(initial) = case.get("initialResponse").and_then(Value::as_object) {
        let params = object(case, "initialResponseParams");
        let response = operation.server_response(Expected::Output(&params), None)?;
        let code = initial.get("code").and_then(Value::as_u64).unwrap_or(200);
        if u64::from(response.status().as_u16()) != code {
            problems.push(format!("status: expected {code}, got {}", response.status().as_u16()));
        }
        check_headers(response.headers(), &pairs(initial, "headers"), &mut problems);
    }
    for event in events(case) {
        let params = object(event, "params");
        match text(event, "type") {
            Some("request") => {
                let message = message_of(event)?;
                let outcome = match (failure, &accepted) {
                    // The exchange failed at its initial request, as expected.
                    (Some(_), Err(_)) => Ok(()),
                    (Some(error), Ok(())) => {
                        operation.read_event(true, Side::Server, &message, EventOutcome::Failure(error))
                    }
                    (None, Err(refused)) => Err(format!("the server refused the initial request: {refused}")),
                    (None, Ok(())) => operation.read_event(true, Side::Server, &message, EventOutcome::Event(&params)),
                };
                problems.extend(outcome.err());
            }
            Some("response") => write_event(operation, false, &params, event, failure, &mut problems),
            other => return Err(format!("an event of type {other:?}")),
        }
    }
    conclude(problems)
}

/// Writes the event `params` describe and checks its message against the case's `event`.
fn write_event(
    operation: &dyn DynOperation,
    request: bool,
    params: &Value,
    event: &Map<String, Value>,
    failure: Option<Option<&str>>,
    problems: &mut Vec<String>,
) {
    match (operation.event_message(request, params), failure) {
        (Err(_), Some(_)) => {}
        (Err(error), None) => problems.push(error),
        (Ok(message), _) => check_message(&message, event, problems),
    }
}

/// Compares a written message with the case's headers, forbidden and required headers, and body.
fn check_message(message: &Message, event: &Map<String, Value>, problems: &mut Vec<String>) {
    if let Some(Value::Object(headers)) = event.get("headers") {
        for (name, expected) in headers {
            match (header_of(expected), message.header(name)) {
                (Err(error), _) => problems.push(format!("header `{name}`: {error}")),
                (Ok(expected), Some(actual)) if expected == *actual => {}
                (Ok(expected), actual) => {
                    problems.push(format!("header `{name}`: expected {expected:?}, got {actual:?}"));
                }
            }
        }
    }
    for name in texts(event, "forbidHeaders") {
        if let Some(value) = message.header(&name) {
            problems.push(format!("header `{name}` is forbidden, got {value:?}"));
        }
    }
    for name in texts(event, "requireHeaders") {
        if message.header(&name).is_none() {
            problems.push(format!("header `{name}` is required, got none"));
        }
    }
    if let Some(body) = text(event, "body") {
        check_body(
            body,
            body_kind(text(event, "bodyMediaType")),
            message.payload(),
            problems,
        );
    }
}

/// A header value as a case writes it: `{ "<type>": value }`, blobs in base64, timestamps as
/// date-times or epoch seconds.
fn header_of(value: &Value) -> Result<HeaderValue, String> {
    let Some((kind, value)) = value.as_object().and_then(|object| object.iter().next()) else {
        return Err(format!("`{value}` is not a typed header value"));
    };
    let integer = || value.as_i64().ok_or_else(|| format!("`{value}` is not an integer"));
    let narrow = |what: &str| format!("`{value}` does not fit a {what}");
    Ok(match kind.as_str() {
        "boolean" => HeaderValue::Bool(value.as_bool().ok_or_else(|| format!("`{value}` is not a boolean"))?),
        "byte" => HeaderValue::Byte(i8::try_from(integer()?).map_err(|_| narrow("byte"))?),
        "short" => HeaderValue::Short(i16::try_from(integer()?).map_err(|_| narrow("short"))?),
        "integer" => HeaderValue::Int(i32::try_from(integer()?).map_err(|_| narrow("integer"))?),
        "long" => HeaderValue::Long(integer()?),
        "blob" => HeaderValue::Bytes(
            value
                .as_str()
                .and_then(Blob::from_base64)
                .ok_or_else(|| format!("`{value}` is not base64"))?
                .into_inner(),
        ),
        "string" => HeaderValue::String(
            value
                .as_str()
                .ok_or_else(|| format!("`{value}` is not a string"))?
                .to_owned(),
        ),
        "timestamp" => HeaderValue::Timestamp(
            match value {
                Value::String(text) => DateTime::parse_date_time(text),
                Value::Number(number) => number.as_f64().and_then(DateTime::from_secs_f64),
                _ => None,
            }
            .ok_or_else(|| format!("`{value}` is not a timestamp"))?,
        ),
        other => return Err(format!("`{other}` is not a header type")),
    })
}
