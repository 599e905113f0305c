//! The cases that call operations (`operationInputs`), through the generated clients: each
//! call's configuration is built from the case's built-ins and client parameters, its input from
//! the case's operation parameters, and the endpoint the call resolves is checked against the
//! case's expectation; for a protocol the runtime speaks, so is the request the call sends.

use std::collections::BTreeMap;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use protocol_tests::params::ParamsDecoder;
use serde_json::Value;
use smithy_runtime::client::{call, resolve_endpoint, Config, ParamValue, Transport, TransportError, TransportFuture};
use smithy_runtime::operation::{Operation, OperationVisitor};
use smithy_runtime::schema::Protocol;
use smithy_runtime::shape::decode_structure;

use crate::{Expect, OperationInput};

/// Every generated operation, by service shape id and operation name.
#[derive(Default)]
pub struct Registry {
    operations: BTreeMap<(&'static str, &'static str), Box<dyn CheckCall>>,
}

impl OperationVisitor for Registry {
    fn visit<O: Operation>(&mut self) {
        self.operations
            .insert((O::SERVICE.id, O::NAME), Box::new(Erased::<O>(PhantomData)));
    }
}

impl Registry {
    /// Every operation of the generated clients.
    pub fn new() -> Self {
        let mut registry = Self::default();
        crate::clients::visit(&mut registry);
        registry
    }

    /// Calls the operation of `input` on the service `service_id` with the case's configuration,
    /// and checks the endpoint against `expect`; `Ok(true)` when the request the call sent was
    /// checked too.
    pub fn check(&self, service_id: &str, input: &OperationInput, expect: &Expect) -> Result<bool, String> {
        let operation = self
            .operations
            .iter()
            .find(|((service, name), _)| *service == service_id && *name == input.operation_name)
            .map(|(_, operation)| operation)
            .ok_or_else(|| format!("no generated operation `{}` of `{service_id}`", input.operation_name))?;
        operation.check(input, expect)
    }
}

/// An operation, with its types erased.
trait CheckCall: Send + Sync {
    fn check(&self, input: &OperationInput, expect: &Expect) -> Result<bool, String>;
}

struct Erased<O>(PhantomData<fn() -> O>);

/// A transport that keeps the request and answers `200 {}`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Option<http::Request<Vec<u8>>>>>);

impl Transport for Capture {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        if let Ok(mut sent) = self.0.lock() {
            *sent = Some(request);
        }
        Box::pin(async {
            http::Response::builder()
                .status(200)
                .body(b"{}".to_vec())
                .map_err(TransportError::from)
        })
    }
}

/// A value of the case's JSON as an endpoint parameter.
fn param(name: &str, value: &Value) -> Result<ParamValue, String> {
    match value {
        Value::Bool(value) => Ok(ParamValue::Bool(*value)),
        Value::String(value) => Ok(ParamValue::String(value.clone())),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(ParamValue::StringArray)
            .ok_or_else(|| format!("`{name}` is an array of something other than strings")),
        other => Err(format!(
            "`{name}` is {other}, not a string, boolean or array of strings"
        )),
    }
}

/// The configuration the case's built-ins and client parameters describe, sending with
/// `transport`, unsigned.
fn config(input: &OperationInput, transport: Capture) -> Result<Config, String> {
    let mut config = Config::from_transport(Arc::new(transport));
    for (name, value) in &input.built_in_params {
        let value = param(name, value)?;
        config = match (name.as_str(), value) {
            ("AWS::Region", ParamValue::String(region)) => config.with_region(region),
            ("AWS::UseFIPS", ParamValue::Bool(on)) => config.with_fips(on),
            ("AWS::UseDualStack", ParamValue::Bool(on)) => config.with_dual_stack(on),
            ("SDK::Endpoint", ParamValue::String(url)) => config.with_endpoint(url),
            (name, value) => config.with_builtin(name, value),
        };
    }
    for (name, value) in &input.client_params {
        config = config.with_endpoint_param(name.clone(), param(name, value)?);
    }
    Ok(config.for_client("endpoint-tests/0.0.0"))
}

/// Runs a future that never waits: the capturing transport answers at once.
fn now<F: Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => Ok(output),
        std::task::Poll::Pending => Err("the call waited on something".to_owned()),
    }
}

impl<O: Operation> CheckCall for Erased<O> {
    fn check(&self, input: &OperationInput, expect: &Expect) -> Result<bool, String> {
        let params = Value::Object(input.operation_params.clone());
        let value = decode_structure::<O::Input>(&mut ParamsDecoder::new(&params))
            .map_err(|error| format!("the operation parameters do not decode: {error}"))?;
        let capture = Capture::default();
        let config = config(input, capture.clone())?;
        let resolved = resolve_endpoint::<O>(&config, &value);
        match (expect, resolved) {
            (Expect::Error(expected), Err(error)) => {
                if error.message() == Some(expected.as_str()) {
                    Ok(false)
                } else {
                    Err(format!("expected the error {expected:?}, the client says {error}"))
                }
            }
            (Expect::Error(expected), Ok(endpoint)) => Err(format!(
                "expected the error {expected:?}, the client resolved {}",
                endpoint.url
            )),
            (Expect::Endpoint { .. }, Err(error)) => Err(format!("the client could not resolve the endpoint: {error}")),
            (Expect::Endpoint { url, headers, .. }, Ok(endpoint)) => {
                if endpoint.url != *url {
                    return Err(format!("expected the URL {url}, the client resolved {}", endpoint.url));
                }
                let resolved: BTreeMap<String, Vec<String>> = endpoint.headers.iter().cloned().collect();
                if resolved != *headers {
                    return Err(format!(
                        "expected the headers {headers:?}, the client resolved {resolved:?}"
                    ));
                }
                if matches!(O::SERVICE.protocol, Protocol::Other(_)) {
                    return Ok(false);
                }
                // The protocol is one the runtime speaks: the request the call sends goes there.
                let _ = now(call::<O>(&config, value))?;
                let sent = capture
                    .0
                    .lock()
                    .map_err(|_| "the capture is poisoned".to_owned())?
                    .take()
                    .ok_or("the call sent no request")?;
                let mut uri = sent.uri().to_string();
                // An `@endpoint` host prefix goes before the endpoint's host: taken off, the rest
                // is the endpoint the rules gave.
                if let Some(prefix) = O::SCHEMA.host_prefix {
                    let labels = prefix.matches('.').count();
                    if let Some((scheme, rest)) = uri.split_once("://") {
                        let rest = rest.splitn(labels + 1, '.').last().unwrap_or(rest);
                        uri = format!("{scheme}://{rest}");
                    }
                }
                if !uri.starts_with(url.as_str()) {
                    return Err(format!("expected a request to {url}, the client sent one to {uri}"));
                }
                for (name, values) in headers {
                    let sent_values: Vec<&str> = sent
                        .headers()
                        .get_all(name.as_str())
                        .iter()
                        .filter_map(|value| value.to_str().ok())
                        .collect();
                    if sent_values != values.iter().map(String::as_str).collect::<Vec<_>>() {
                        return Err(format!(
                            "expected the header {name}: {values:?}, the request has {sent_values:?}"
                        ));
                    }
                }
                Ok(true)
            }
        }
    }
}
