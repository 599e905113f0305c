//! What the runtime's fuzz targets share: a way to run the generated server's answer, and a
//! reader of HTTP requests written as text. Each request target `include!`s the fuzz service
//! generated for its protocol and `fuzz_targets/echo.rs`, which implements it.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future that never waits on anything: the generated server's answer to a request,
/// with a service that answers at once.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// An HTTP/1.1 request written as text: `METHOD target`, header lines `name: value`, an empty
/// line, then the body (bytes, not text). `None` for what `http` refuses.
pub fn request(data: &[u8]) -> Option<smithy_runtime::http::Request<Vec<u8>>> {
    let split = data.windows(2).position(|pair| pair == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], data[at + 2..].to_vec()),
        None => (data, Vec::new()),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let mut builder = smithy_runtime::http::Request::builder().method(method).uri(target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        builder = builder.header(name.trim(), value.trim_start());
    }
    builder.body(body).ok()
}

/// Resolves `rules` with every parameter set (strings to a region-like value, booleans to true,
/// string arrays to two names) and with none: an endpoint or an error, never a panic.
pub fn resolve_all(rules: &smithy_runtime::endpoint::RuleSet) {
    use smithy_runtime::endpoint::{ParamType, Params};
    let mut params = Params::new();
    for parameter in rules.parameters() {
        match parameter.param_type {
            ParamType::String => params.set(parameter.name.clone(), "us-east-1"),
            ParamType::Boolean => params.set(parameter.name.clone(), true),
            ParamType::StringArray => params.set(parameter.name.clone(), vec!["a".to_owned(), "b".to_owned()]),
        };
    }
    let _ = rules.resolve(&params);
    let _ = rules.resolve(&Params::new());
}
