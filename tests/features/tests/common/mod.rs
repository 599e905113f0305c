//! Helpers shared by the behaviour tests.

#![allow(dead_code)]

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What `Debug` prints in place of sensitive data.
pub const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// The generated source of the crate, as `build.rs` wrote it.
pub const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));

/// The features model (JSON AST).
pub fn model() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../models/features.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {path}: {err}"));
    serde_json::from_str(&text).unwrap()
}

/// A shape of the model by its name in `example.features`.
pub fn shape(model: &Value, name: &str) -> Value {
    let shape = model["shapes"][format!("example.features#{name}")].clone();
    assert!(shape.is_object(), "the model has no shape `{name}`");
    shape
}

/// The JSON text of a value, read back as a JSON value (through the text, so that the values
/// that write raw JSON are checked as a JSON parser sees them).
pub fn to_json<T: Serialize>(value: &T) -> Value {
    let text = serde_json::to_string(value).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("invalid JSON `{text}`: {err}"))
}

/// Reads a value from JSON text.
pub fn from_json<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("cannot read `{text}`: {err}"))
}

/// Checks that `value` is written as `expected` and that reading `expected` gives it back.
pub fn assert_round_trip<T>(value: &T, expected: Value)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    assert_eq!(to_json(value), expected, "writing {value:?}");
    let back: T = from_json(&expected.to_string());
    assert_eq!(&back, value, "reading {expected}");
}

/// Runs a future that never waits (the service implementations of the tests answer at once).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the future is not ready"),
    }
}
