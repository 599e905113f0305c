//! The AWS protocol compliance tests, run against generated code: `build.rs` generates every
//! service of the protocol-test model whose protocol the runtime speaks into [`services`]; the
//! harness reads the cases from the model and runs each through the generated client (request
//! and response cases) and server (server request and response cases, malformed requests).
//!
//! Operations are reached through the generated `operation::visit_operations`, which hands each
//! operation's type to a [`Registry`]; a case's `params` become typed values through the
//! runtime's decoder interface ([`params::ParamsDecoder`]), so nothing here is generated per case.

pub mod cases;
pub mod checks;
mod events;
pub mod params;
pub mod protocols;

use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde_json::{Map, Value};
use smithy_runtime::codec::Side;
use smithy_runtime::error::ErrorMeta;
use smithy_runtime::event_stream::{event_message, EventDecoder, Message, MessageType};
use smithy_runtime::operation::{Operation, OperationError, OperationVisitor};
use smithy_runtime::protocol::HttpOperation;
use smithy_runtime::schema::{Flags, Member, Schema, ServiceSchema, ShapeType};
use smithy_runtime::shape::{decode_structure, read_member, DecodeError, Decoder, StructBuilder, Structure};

use cases::{Case, Kind};
use checks::{body_kind, check_body, check_headers, compare, compare_structure, conclude, header_value};
use params::ParamsDecoder;

/// The generated services, one module each, and the list of them.
pub mod services {
    include!(concat!(env!("OUT_DIR"), "/services.rs"));
}

/// The idempotency token clients use in protocol tests when the case does not set one.
const TEST_IDEMPOTENCY_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

/// One generated service.
pub struct Service {
    pub id: &'static str,
    /// The protocol's name, such as `restJson1`.
    pub protocol: &'static str,
    pub schema: &'static ServiceSchema,
    /// Hands every operation's type to the registry.
    pub register: fn(&mut Registry),
}

/// Every operation of a service, by shape id.
#[derive(Default)]
pub struct Registry {
    operations: BTreeMap<&'static str, Box<dyn DynOperation>>,
}

impl OperationVisitor for Registry {
    fn visit<O: Operation>(&mut self) {
        self.operations.insert(O::SCHEMA.id, Box::new(Erased::<O>(PhantomData)));
    }
}

impl Registry {
    /// The registry of a service's operations.
    pub fn of(service: &Service) -> Self {
        let mut registry = Registry::default();
        (service.register)(&mut registry);
        registry
    }

    /// The service's operations for finding its cases.
    pub fn operations(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        self.operations
            .iter()
            .map(|(id, operation)| (*id, operation.errors()))
            .collect()
    }

    fn get(&self, id: &str) -> Result<&dyn DynOperation, String> {
        self.operations
            .get(id)
            .map(|operation| &**operation)
            .ok_or_else(|| format!("the service has no operation `{id}`"))
    }

    fn by_index(&self, service: &ServiceSchema, index: usize) -> Result<&dyn DynOperation, String> {
        let id = service
            .operations
            .get(index)
            .map(|operation| operation.id)
            .ok_or_else(|| format!("the router chose operation {index}, which does not exist"))?;
        self.get(id)
    }
}

/// What a case expects of an operation's result: its output, or one of its errors, as params.
pub enum Expected<'a> {
    Output(&'a Value),
    Error(&'a str, &'a Value),
}

/// An operation, with its types erased: what the harness does with it.
trait DynOperation: Send + Sync {
    fn errors(&self) -> Vec<&'static str>;
    /// Client: the request of the input that `params` describe.
    fn client_request(&self, params: &Value, endpoint: &str) -> Result<http::Request<Vec<u8>>, String>;
    /// Client: parses `response` and compares it with what is expected.
    fn client_response(&self, response: &http::Response<Vec<u8>>, expected: Expected<'_>) -> Result<(), String>;
    /// Server: parses `request` and compares the input with the one `params` describe.
    fn server_request(&self, request: &http::Request<Vec<u8>>, params: &Value) -> Result<(), String>;
    /// Server: the response for the expected result.
    fn server_response(
        &self,
        expected: Expected<'_>,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, String>;
    /// Server: the answer to a request routed here by an implementation that must not be
    /// reached: the rejection, or a 500 `OperationReached` when the request was read.
    fn server_answer(&self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>>;
    /// Client: parses a response that must fail: with the modelled error `error`, if named.
    fn client_response_fails(&self, response: &http::Response<Vec<u8>>, error: Option<&str>) -> Result<(), String>;
    /// Server: parses a request: nothing, or why it was refused.
    fn server_reads(&self, request: &http::Request<Vec<u8>>) -> Result<(), String>;
    /// The message of the event that `params` describe, in the input's stream (`request`) or
    /// the output's.
    fn event_message(&self, request: bool, params: &Value) -> Result<Message, String>;
    /// Reads `message` as an event of the input's stream (`request`) or the output's, on
    /// `side`, and compares it with `expected`.
    fn read_event(
        &self,
        request: bool,
        side: Side,
        message: &Message,
        expected: EventOutcome<'_>,
    ) -> Result<(), String>;
}

/// What reading an event should give: the event `params` describe, or a failure (with the
/// modelled error of this shape id, if named).
pub enum EventOutcome<'a> {
    Event(&'a Value),
    Failure(Option<&'a str>),
}

/// The member of a structure that holds its event stream.
fn stream_member(schema: &'static Schema) -> Option<(usize, &'static Member)> {
    schema
        .members
        .iter()
        .enumerate()
        .find(|(_, member)| member.traits.has(Flags::STREAMING) && member.target.shape_type == ShapeType::Union)
}

/// Reads a structure whose only member read is its event stream, the events of `messages`.
struct StreamOnly<'m> {
    index: usize,
    messages: &'m [Message],
    service: &'static ServiceSchema,
    side: Side,
}

impl Decoder for StreamOnly<'_> {
    fn structure(&mut self, schema: &'static Schema, builder: &mut dyn StructBuilder) -> Result<(), DecodeError> {
        read_member(schema, self.index, builder, self)
    }

    fn events(
        &mut self,
        _: &'static Member,
        event: &mut dyn FnMut(&mut dyn Decoder) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        for message in self.messages {
            event(&mut EventDecoder::new(self.service, message, self.side)?)?;
        }
        Ok(())
    }
}

/// A `T` (an input or output) whose event stream holds the one event `params` describe.
fn with_event<T: Structure>(member: &Member, params: &Value) -> Result<T, String> {
    let mut wrapped = Map::new();
    wrapped.insert(member.name.to_owned(), Value::Array(vec![params.clone()]));
    decode_structure::<T>(&mut ParamsDecoder::new(&Value::Object(wrapped))).map_err(|error| error.to_string())
}

/// The message of the one event of the stream of a `T` (an input or output) that `params`
/// describe.
fn message_of<T: Structure>(service: &'static ServiceSchema, params: &Value) -> Result<Message, String> {
    let (index, member) = stream_member(T::SCHEMA).ok_or("the operation has no event stream")?;
    let value = with_event::<T>(member, params)?;
    let event = value
        .member(index)
        .and_then(|stream| stream.events())
        .and_then(|events| events.get(0))
        .ok_or("the params hold no event")?;
    event_message(service, member.target, event).map_err(|error| format!("the event cannot be written: {error}"))
}

/// Reads `message` as the one event of the stream of a `T` and compares it with `expected`.
fn read_event_of<T: Structure + PartialEq + std::fmt::Debug>(
    service: &'static ServiceSchema,
    side: Side,
    message: &Message,
    expected: EventOutcome<'_>,
) -> Result<(), String> {
    let (index, member) = stream_member(T::SCHEMA).ok_or("the operation has no event stream")?;
    let actual = decode_structure::<T>(&mut StreamOnly {
        index,
        messages: std::slice::from_ref(message),
        service,
        side,
    });
    match expected {
        EventOutcome::Event(params) => {
            let actual = actual.map_err(|error| format!("the event was not read: {error}"))?;
            if let Ok(MessageType::Exception(name)) = MessageType::of(message) {
                return Err(format!("the exception `{name}` was read as an event"));
            }
            compare_structure(&with_event::<T>(member, params)?, &actual)
        }
        EventOutcome::Failure(error) => match (actual, MessageType::of(message)) {
            (Err(_), _) if error.is_none() => Ok(()),
            (Err(read), _) => Err(format!(
                "expected the modelled error `{error:?}`, the event was refused: {read}"
            )),
            (Ok(_), Ok(MessageType::Exception(name))) => {
                let shape = member
                    .target
                    .members
                    .iter()
                    .find(|variant| variant.name == name)
                    .map(|variant| variant.target.id);
                match error {
                    Some(error) if shape != Some(error) => {
                        Err(format!("expected the modelled error `{error}`, read `{shape:?}`"))
                    }
                    _ => Ok(()),
                }
            }
            (Ok(actual), _) => Err(format!("expected a failure, the event was read: {actual:?}")),
        },
    }
}

struct Erased<O>(PhantomData<O>);

impl<O: Operation> Erased<O> {
    fn input(params: &Value) -> Result<O::Input, String> {
        decode_structure::<O::Input>(&mut ParamsDecoder::new(params)).map_err(|error| error.to_string())
    }

    fn expected(expected: &Expected<'_>) -> Result<Result<O::Output, O::Error>, String> {
        match expected {
            Expected::Output(params) => decode_structure::<O::Output>(&mut ParamsDecoder::new(params))
                .map(Ok)
                .map_err(|error| error.to_string()),
            Expected::Error(id, params) => {
                let index = O::SCHEMA
                    .errors
                    .iter()
                    .position(|error| error.id == *id)
                    .ok_or_else(|| format!("operation `{}` cannot return `{id}`", O::SCHEMA.id))?;
                O::Error::decode_error(index, &mut ParamsDecoder::new(params), ErrorMeta::default())
                    .map(Err)
                    .map_err(|error| error.to_string())
            }
        }
    }
}

impl<O: Operation> DynOperation for Erased<O> {
    fn errors(&self) -> Vec<&'static str> {
        O::SCHEMA.errors.iter().map(|error| error.id).collect()
    }

    fn client_request(&self, params: &Value, endpoint: &str) -> Result<http::Request<Vec<u8>>, String> {
        // Protocol tests fix the idempotency token a client would make up.
        let mut params = params.clone();
        if let Value::Object(object) = &mut params {
            for member in O::SCHEMA.input.members {
                if member.traits.has(Flags::IDEMPOTENCY_TOKEN) && !object.contains_key(member.name) {
                    object.insert(member.name.to_owned(), Value::from(TEST_IDEMPOTENCY_TOKEN));
                }
            }
        }
        // A required member the params leave out cannot be left out of a generated input: its
        // field is a plain value, which a client's builder refuses to build without.
        if let Value::Object(object) = &params {
            let missing = O::SCHEMA.input.members.iter().find(|member| {
                member.is_required()
                    && !member.traits.has(Flags::IDEMPOTENCY_TOKEN)
                    && !object.contains_key(member.name)
            });
            if let Some(member) = missing {
                return Err(format!(
                    "the client cannot build the input without its required member `{}`",
                    member.name
                ));
            }
        }
        let input = Self::input(&params)?;
        O::serialize_request(&input, endpoint)
            .map_err(|error| format!("the client refused to serialize the input: {error}"))
    }

    fn client_response(&self, response: &http::Response<Vec<u8>>, expected: Expected<'_>) -> Result<(), String> {
        let expected = Self::expected(&expected)?;
        let actual = O::parse_response(response);
        match (&expected, &actual) {
            (Ok(expected), Ok(actual)) => compare_structure(expected, actual),
            _ => compare(&expected, &actual),
        }
    }

    fn server_request(&self, request: &http::Request<Vec<u8>>, params: &Value) -> Result<(), String> {
        let expected = Self::input(params)?;
        let actual =
            O::parse_request(request).map_err(|rejection| format!("the server refused the request: {rejection}"))?;
        compare_structure(&expected, &actual)
    }

    fn server_response(
        &self,
        expected: Expected<'_>,
        request_id: Option<&str>,
    ) -> Result<http::Response<Vec<u8>>, String> {
        Ok(smithy_runtime::protocol::serialize_response_with_id::<O>(
            &Self::expected(&expected)?,
            request_id,
        ))
    }

    fn client_response_fails(&self, response: &http::Response<Vec<u8>>, error: Option<&str>) -> Result<(), String> {
        match (O::parse_response(response), error) {
            (Ok(output), _) => Err(format!("expected a failure, the response was read: {output:?}")),
            (Err(_), None) => Ok(()),
            (Err(actual), Some(expected)) => {
                let id = actual
                    .error_value()
                    .ok()
                    .and_then(|(index, _)| O::SCHEMA.errors.get(index))
                    .map(|error| error.id);
                if id == Some(expected) {
                    Ok(())
                } else {
                    Err(format!("expected the modelled error `{expected}`, got {actual:?}"))
                }
            }
        }
    }

    fn server_reads(&self, request: &http::Request<Vec<u8>>) -> Result<(), String> {
        O::parse_request(request)
            .map(drop)
            .map_err(|rejection| rejection.to_string())
    }

    fn event_message(&self, request: bool, params: &Value) -> Result<Message, String> {
        if request {
            message_of::<O::Input>(O::SERVICE, params)
        } else {
            message_of::<O::Output>(O::SERVICE, params)
        }
    }

    fn read_event(
        &self,
        request: bool,
        side: Side,
        message: &Message,
        expected: EventOutcome<'_>,
    ) -> Result<(), String> {
        if request {
            read_event_of::<O::Input>(O::SERVICE, side, message, expected)
        } else {
            read_event_of::<O::Output>(O::SERVICE, side, message, expected)
        }
    }

    fn server_answer(&self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        match O::parse_request(request) {
            Ok(_) => {
                let error = smithy_runtime::error::UnhandledError::new(500).with_code("OperationReached");
                O::serialize_response(&Err(error.into()))
            }
            Err(rejection) => rejection.into_response(O::SERVICE),
        }
    }
}

/// Every case of every service of the model, with the index of its generated service (`None` for
/// a service of a protocol the runtime does not speak, whose cases are all unsupported); none
/// when the model is missing.
pub fn cases() -> Result<Vec<(Case, Option<usize>)>, String> {
    if !services::MODEL_FOUND {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(services::MODEL_AST)
        .map_err(|error| format!("cannot read {}: {error}", services::MODEL_AST))?;
    let document: Value =
        serde_json::from_str(&text).map_err(|error| format!("{} is not JSON: {error}", services::MODEL_AST))?;
    let shapes = document
        .get("shapes")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{} has no shapes", services::MODEL_AST))?;
    let generated = services::services();
    let mut all = Vec::new();
    let mut ids: Vec<&String> = shapes.keys().collect();
    ids.sort();
    for id in ids {
        let shape = &shapes[id.as_str()];
        if shape.get("type").and_then(Value::as_str) != Some("service") {
            continue;
        }
        let Some((protocol_id, protocol)) = protocols::protocol_of(shape.get("traits")) else {
            continue;
        };
        let index = generated.iter().position(|service| service.id == id.as_str());
        let operations = match index {
            Some(index) => Registry::of(&generated[index])
                .operations()
                .into_iter()
                .map(|(operation, errors)| (operation.to_owned(), errors.into_iter().map(str::to_owned).collect()))
                .collect(),
            None => cases::ServiceOperations::operations_in_model(shapes, id),
        };
        let operations = cases::ServiceOperations {
            name: id.rsplit('#').next().unwrap_or(id),
            protocol_id,
            protocol,
            implemented: index.is_some(),
            operations,
        };
        all.extend(
            cases::service_cases(shapes, &operations)
                .into_iter()
                .map(|case| (case, index)),
        );
    }
    Ok(all)
}

fn text<'a>(case: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    case.get(key).and_then(Value::as_str)
}

fn texts(case: &Map<String, Value>, key: &str) -> Vec<String> {
    match case.get(key) {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn pairs(case: &Map<String, Value>, key: &str) -> Vec<(String, String)> {
    match case.get(key) {
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect(),
        _ => Vec::new(),
    }
}

fn params(case: &Map<String, Value>) -> Value {
    case.get("params").cloned().unwrap_or_else(|| Value::Object(Map::new()))
}

/// The HTTP request a case describes: method, URI with its query parameters, headers, body.
fn request_of(case: &Map<String, Value>) -> Result<http::Request<Vec<u8>>, String> {
    let method = text(case, "method").unwrap_or("GET");
    let uri = text(case, "uri").unwrap_or("/");
    let query = texts(case, "queryParams");
    let uri = if query.is_empty() {
        uri.to_owned()
    } else {
        format!("{uri}?{}", query.join("&"))
    };
    let mut builder = http::Request::builder().method(method).uri(uri.as_str());
    for (name, value) in pairs(case, "headers") {
        builder = builder.header(name, value);
    }
    builder
        .body(checks::body_bytes(case)?)
        .map_err(|error| format!("cannot build the request `{method} {uri}`: {error}"))
}

/// The HTTP response a case describes.
fn response_of(case: &Map<String, Value>) -> Result<http::Response<Vec<u8>>, String> {
    let code = case.get("code").and_then(Value::as_u64).unwrap_or(200);
    let mut builder = http::Response::builder().status(u16::try_from(code).unwrap_or(0));
    for (name, value) in pairs(case, "headers") {
        builder = builder.header(name, value);
    }
    builder
        .body(checks::body_bytes(case)?)
        .map_err(|error| format!("cannot build the response: {error}"))
}

fn expected<'a>(case: &'a Case, params: &'a Value) -> Expected<'a> {
    match &case.error {
        Some(error) => Expected::Error(error, params),
        None => Expected::Output(params),
    }
}

/// Runs a case; `Err` says what differed, or why the case cannot run.
pub fn run(case: &Case, service_index: Option<usize>) -> Result<(), String> {
    if let Some(reason) = case.unsupported {
        return Err(format!("cannot run: {reason}"));
    }
    let services = services::services();
    let service = service_index
        .and_then(|index| services.get(index))
        .ok_or("no generated service")?;
    let registry = Registry::of(service);
    let operation = registry.get(&case.operation)?;
    let data = &case.data;
    match case.kind {
        Kind::Request => {
            let host = text(data, "host").unwrap_or("example.com");
            let request = operation.client_request(&params(data), &format!("https://{host}"))?;
            check_request(&request, data)
        }
        Kind::Response => {
            let response = response_of(data)?;
            let params = params(data);
            operation.client_response(&response, expected(case, &params))
        }
        Kind::ServerRequest => {
            let mut request = request_of(data)?;
            // A case written for both sides may leave out the header that names the operation,
            // which only a server needs; it is added as a client would send it.
            if service.protocol.starts_with("awsJson") && !request.headers().contains_key("x-amz-target") {
                let name = case.operation.rsplit('#').next().unwrap_or_default();
                let target = format!("{}.{name}", service.schema.name());
                let value = http::HeaderValue::from_str(&target).map_err(|error| error.to_string())?;
                request.headers_mut().insert("x-amz-target", value);
            }
            // Likewise the `Content-Type` of a body: the protocol's, or what the case gives as
            // `bodyMediaType`.
            let media_type = match service.protocol {
                "awsJson1_0" | "awsJson1_1" => Some(smithy_runtime::protocol::aws_json::content_type(
                    service.schema.protocol,
                )),
                _ => text(data, "bodyMediaType"),
            };
            let has_content_type = request.headers().contains_key(http::header::CONTENT_TYPE);
            if let (false, false, Some(media_type)) = (has_content_type, request.body().is_empty(), media_type) {
                let value = http::HeaderValue::from_str(media_type).map_err(|error| error.to_string())?;
                request.headers_mut().insert(http::header::CONTENT_TYPE, value);
            }
            let routed = smithy_runtime::server::route(service.schema, &request)
                .map_err(|rejection| format!("the server routed the request nowhere: {rejection}"))?;
            let routed_id = service.schema.operations.get(routed).map(|operation| operation.id);
            if routed_id != Some(case.operation.as_str()) {
                return Err(format!("the server routed the request to {routed_id:?}"));
            }
            operation.server_request(&request, &params(data))
        }
        Kind::ServerResponse => {
            let params = params(data);
            // The request id an XML body names is the server's for the exchange the case shows.
            let request_id = text(data, "body").and_then(checks::xml_request_id);
            let response = operation.server_response(expected(case, &params), request_id.as_deref())?;
            let mut problems = Vec::new();
            let code = data.get("code").and_then(Value::as_u64).unwrap_or(200);
            if u64::from(response.status().as_u16()) != code {
                problems.push(format!("status: expected {code}, got {}", response.status().as_u16()));
            }
            check_headers(response.headers(), &pairs(data, "headers"), &mut problems);
            if let Some(body) = text(data, "body") {
                check_body(
                    body,
                    body_kind(text(data, "bodyMediaType")),
                    response.body(),
                    &mut problems,
                );
            }
            conclude(problems)
        }
        Kind::EventStream => events::client(operation, data),
        Kind::ServerEventStream => events::server(operation, data),
        Kind::Malformed => {
            let empty = Map::new();
            let request_data = data.get("request").and_then(Value::as_object).unwrap_or(&empty);
            let response_data = data.get("response").and_then(Value::as_object).unwrap_or(&empty);
            let request = request_of(request_data)?;
            let response = match smithy_runtime::server::route(service.schema, &request) {
                Ok(index) => registry.by_index(service.schema, index)?.server_answer(&request),
                Err(rejection) => rejection.into_response(service.schema),
            };
            check_rejection(&response, response_data)
        }
    }
}

/// Compares a serialized request with the case's; `Err` lists every difference.
fn check_request(request: &http::Request<Vec<u8>>, case: &Map<String, Value>) -> Result<(), String> {
    let mut problems = Vec::new();
    let method = request.method().as_str();
    if let Some(expected) = text(case, "method") {
        if method != expected {
            problems.push(format!("method: expected {expected}, got {method}"));
        }
    }
    let path = request.uri().path();
    if let Some(expected) = text(case, "uri") {
        if path != expected {
            problems.push(format!("path: expected `{expected}`, got `{path}`"));
        }
    }
    if let Some(host) = text(case, "resolvedHost") {
        let actual = request.uri().host().unwrap_or_default();
        if actual != host {
            problems.push(format!("host: expected `{host}`, got `{actual}`"));
        }
    }
    let query = request.uri().query().unwrap_or_default();
    let query_pairs: Vec<&str> = query.split('&').filter(|pair| !pair.is_empty()).collect();
    let has_key = |key: &str| {
        query_pairs
            .iter()
            .any(|pair| pair.split_once('=').map_or(*pair, |(name, _)| name) == key)
    };
    for param in texts(case, "queryParams") {
        if !query_pairs.contains(&param.as_str()) {
            problems.push(format!("query: expected `{param}` in `{query}`"));
        }
    }
    for key in texts(case, "forbidQueryParams") {
        if has_key(&key) {
            problems.push(format!("query: `{key}` is forbidden, got `{query}`"));
        }
    }
    for key in texts(case, "requireQueryParams") {
        if !has_key(&key) {
            problems.push(format!("query: `{key}` is required, got `{query}`"));
        }
    }
    check_headers(request.headers(), &pairs(case, "headers"), &mut problems);
    for name in texts(case, "forbidHeaders") {
        if let Some(value) = header_value(request.headers(), &name) {
            problems.push(format!("header `{name}` is forbidden, got `{value}`"));
        }
    }
    for name in texts(case, "requireHeaders") {
        if header_value(request.headers(), &name).is_none() {
            problems.push(format!("header `{name}` is required, got none"));
        }
    }
    if let Some(body) = text(case, "body") {
        check_body(
            body,
            body_kind(text(case, "bodyMediaType")),
            request.body(),
            &mut problems,
        );
    }
    conclude(problems)
}

/// Checks a rejection's status code, headers and body against a malformed case's response.
fn check_rejection(response: &http::Response<Vec<u8>>, expected: &Map<String, Value>) -> Result<(), String> {
    let mut problems = Vec::new();
    let status = response.status().as_u16();
    let code = expected.get("code").and_then(Value::as_u64).unwrap_or(0);
    if u64::from(status) != code {
        problems.push(format!(
            "status: expected {code}, got {status} (body `{}`)",
            String::from_utf8_lossy(response.body())
        ));
    }
    check_headers(response.headers(), &pairs(expected, "headers"), &mut problems);
    let body = expected.get("body").and_then(Value::as_object);
    let assertion = body.and_then(|body| body.get("assertion")).and_then(Value::as_object);
    if let Some(contents) = assertion.and_then(|assertion| text(assertion, "contents")) {
        let json = body_kind(body.and_then(|body| text(body, "mediaType")));
        check_body(contents, json, response.body(), &mut problems);
    }
    if let Some(pattern) = assertion.and_then(|assertion| text(assertion, "messageRegex")) {
        if let Err(problem) = checks::check_message_regex(response, pattern) {
            problems.push(problem);
        }
    }
    conclude(problems)
}

/// The cases not to run, from `skipped.txt`: one `<case id> <reason>` a line, or
/// `<kind>:<case id> <reason>` for one kind of a case (`server-request:Foo`); `#` starts a
/// comment. An id also skips the cases made from it by test parameters (`<id>_<n>`).
#[derive(Debug, Default)]
pub struct Skipped {
    reasons: BTreeMap<String, String>,
}

impl Skipped {
    /// Reads the list's text.
    pub fn parse(text: &str) -> Self {
        let reasons = text
            .lines()
            .map(|line| line.split_once('#').map_or(line, |(before, _)| before).trim())
            .filter(|line| !line.is_empty())
            .map(|line| match line.split_once(char::is_whitespace) {
                Some((id, reason)) => (id.to_owned(), reason.trim().to_owned()),
                None => (line.to_owned(), String::new()),
            })
            .collect();
        Self { reasons }
    }

    fn lookup(&self, key: &str) -> Option<&str> {
        if let Some(reason) = self.reasons.get(key) {
            return Some(reason);
        }
        let (base, index) = key.rsplit_once('_')?;
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.reasons.get(base).map(String::as_str)
    }

    /// Why a case is skipped, if it is.
    pub fn reason(&self, kind: Kind, id: &str) -> Option<&str> {
        self.lookup(&format!("{}:{id}", kind.label()))
            .or_else(|| self.lookup(id))
    }

    /// Listed entries that name no case, so that the list does not go stale unnoticed.
    pub fn unused<'a>(&'a self, cases: &[Case]) -> Vec<&'a str> {
        self.reasons
            .keys()
            .filter(|entry| {
                !cases.iter().any(|case| {
                    [case.id.clone(), format!("{}:{}", case.kind.label(), case.id)]
                        .iter()
                        .any(|key| {
                            key == *entry || key.rsplit_once('_').is_some_and(|(base, _)| base == entry.as_str())
                        })
                })
            })
            .map(String::as_str)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::cases::Kind;
    use super::Skipped;

    #[test]
    fn skipped_list_reads_ids_kinds_reasons_and_comments() {
        let skipped = Skipped::parse(
            "# header\nCaseA needs the endpoint trait\n\nCaseB   # no reason\nserver-request:CaseC\tx y\n",
        );
        assert_eq!(skipped.reason(Kind::Request, "CaseA"), Some("needs the endpoint trait"));
        assert_eq!(skipped.reason(Kind::Request, "CaseB"), Some(""));
        assert_eq!(skipped.reason(Kind::ServerRequest, "CaseC"), Some("x y"));
        assert_eq!(skipped.reason(Kind::Request, "CaseC"), None);
        assert_eq!(
            skipped.reason(Kind::Malformed, "CaseA_3"),
            Some("needs the endpoint trait")
        );
        assert_eq!(skipped.reason(Kind::Request, "CaseA_x"), None);
        assert_eq!(skipped.reason(Kind::Request, "CaseD"), None);
    }
}
