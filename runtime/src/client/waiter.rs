//! Waiters (`smithy.waiters#waitable`, <https://smithy.io/2.0/additional-specs/waiters.html>):
//! an operation called again and again until its result says the resource is in the state
//! waited for, or in one it will never leave, or the time allowed runs out.
//!
//! A generated client has one `wait_until_<name>` method per waiter; each hands [`wait`] the
//! waiter's [`WaiterSchema`]: its acceptors, tried in order on each result (the output as JSON
//! with its members' names, searched with [`crate::jmespath`]; or the error's shape name or
//! code), and its delays.

use std::time::{Duration, Instant};

use super::{call, retry, Config};
use crate::jmespath::Expression;
use crate::operation::{Operation, OperationError};
use crate::schema::Schema;
use crate::shape::Value;

/// A waiter of an operation, as the model declares it.
#[derive(Debug, Clone, Copy)]
pub struct WaiterSchema {
    /// Its name, such as `BucketExists`.
    pub name: &'static str,
    /// The least time between attempts, in seconds (default 2).
    pub min_delay: u64,
    /// The most time between attempts, in seconds (default 120).
    pub max_delay: u64,
    /// The acceptors, tried in order on each result.
    pub acceptors: &'static [Acceptor],
}

/// What a result that matches `matcher` means.
#[derive(Debug, Clone, Copy)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
}

/// The state an acceptor puts the waiter in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    /// Done: the resource is in the state waited for.
    Success,
    /// Done: the resource is in a state it will not leave for the one waited for.
    Failure,
    /// Not yet: try again.
    Retry,
}

/// What an acceptor looks for in a result.
#[derive(Debug, Clone, Copy)]
pub enum Matcher {
    /// A path over the output.
    Output(PathMatcher),
    /// A path over `{"input": ..., "output": ...}`.
    InputOutput(PathMatcher),
    /// Whether the call succeeded (`true`) or failed (`false`).
    Success(bool),
    /// An error, by its shape name or its code.
    ErrorType(&'static str),
}

/// A JMESPath expression, the value it must give, and how they compare.
#[derive(Debug, Clone, Copy)]
pub struct PathMatcher {
    pub path: &'static str,
    pub expected: &'static str,
    pub comparator: Comparator,
}

/// How a path's result compares with the expected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// The result is the string expected.
    StringEquals,
    /// The result is the boolean expected (`true` or `false`).
    BooleanEquals,
    /// The result is a non-empty list whose every item is the string expected.
    AllStringEquals,
    /// The result is a list with an item that is the string expected.
    AnyStringEquals,
}

/// Why a waiter stopped without success.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WaiterError<E> {
    /// A result matched an acceptor of the failure state: the resource will not reach the
    /// state waited for. Holds the error, when the result was one.
    FailureState {
        waiter: &'static str,
        /// The index of the acceptor that matched.
        acceptor: usize,
        error: Option<E>,
    },
    /// The call failed with an error no acceptor expects.
    Operation(E),
    /// The time allowed ran out before an acceptor said the wait was over.
    Timeout {
        waiter: &'static str,
        attempts: u32,
        waited: Duration,
    },
    /// The configuration has no timer ([`Config::with_sleep`]) to wait between attempts.
    NoTimer { waiter: &'static str },
}

impl<E: std::fmt::Display> std::fmt::Display for WaiterError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaiterError::FailureState {
                waiter,
                acceptor,
                error,
            } => {
                write!(f, "waiter `{waiter}` reached a failure state (acceptor {acceptor})")?;
                match error {
                    Some(error) => write!(f, ": {error}"),
                    None => Ok(()),
                }
            }
            WaiterError::Operation(error) => write!(f, "the call failed: {error}"),
            WaiterError::Timeout {
                waiter,
                attempts,
                waited,
            } => write!(
                f,
                "waiter `{waiter}` did not succeed within its time ({attempts} attempts over {waited:?})"
            ),
            WaiterError::NoTimer { waiter } => write!(
                f,
                "waiter `{waiter}` needs a timer to wait between attempts: set one with `Config::with_sleep`"
            ),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for WaiterError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::Operation(error) | WaiterError::FailureState { error: Some(error), .. } => Some(error),
            _ => None,
        }
    }
}

/// Calls `O` with `input` until an acceptor of `waiter` says the wait is over, or `max_wait`
/// has passed. When the success state is reached: the last call's result, which an acceptor
/// of that state matched (the output, or for a waiter of a resource's absence, such as
/// `BucketNotExists`, the error that says it is gone). Between attempts it waits, with
/// the configuration's timer, as the specification says: `min_delay` seconds, doubling each
/// attempt up to `max_delay`, each wait a random time between `min_delay` and that ceiling,
/// and never past `max_wait`.
pub async fn wait<O: Operation>(
    config: &Config,
    input: O::Input,
    waiter: &'static WaiterSchema,
    max_wait: Duration,
) -> Result<Result<O::Output, O::Error>, WaiterError<O::Error>> {
    let sleep = config.sleep.clone().or_else(retry::default_sleep);
    let min_delay = Duration::from_secs(waiter.min_delay.max(1));
    let max_delay = Duration::from_secs(waiter.max_delay.max(waiter.min_delay.max(1)));
    let expressions = compile(waiter);
    let mut waited = Duration::ZERO;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let started = Instant::now();
        let result = call::<O>(config, input.clone()).await;
        waited += started.elapsed();
        match decide::<O>(waiter, &expressions, &input, &result) {
            Some((_, AcceptorState::Success)) => return Ok(result),
            Some((index, AcceptorState::Failure)) => {
                return Err(WaiterError::FailureState {
                    waiter: waiter.name,
                    acceptor: index,
                    error: result.err(),
                })
            }
            Some((_, AcceptorState::Retry)) => {}
            None => {
                if let Err(error) = result {
                    return Err(WaiterError::Operation(error));
                }
            }
        }
        let Some(delay) = delay(attempt, min_delay, max_delay, max_wait.saturating_sub(waited)) else {
            return Err(WaiterError::Timeout {
                waiter: waiter.name,
                attempts: attempt,
                waited,
            });
        };
        let Some(sleep) = &sleep else {
            return Err(WaiterError::NoTimer { waiter: waiter.name });
        };
        sleep.sleep(delay).await;
        waited += delay;
    }
}

/// The wait before the attempt after attempt number `attempt`, with `left` of the time
/// allowed; `None` when there is no time for another attempt.
fn delay(attempt: u32, min_delay: Duration, max_delay: Duration, left: Duration) -> Option<Duration> {
    if left < min_delay {
        return None;
    }
    let ceiling = min_delay
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(31)))
        .min(max_delay);
    let mut delay = min_delay + (ceiling - min_delay).mul_f64(super::retry::random_fraction());
    // The last wait leaves time for one more attempt.
    if left.saturating_sub(delay) < min_delay {
        delay = left.saturating_sub(min_delay).max(min_delay).min(left);
    }
    Some(delay)
}

/// Each acceptor's path, parsed (none for acceptors without one, or whose path does not
/// parse: those never match).
fn compile(waiter: &WaiterSchema) -> Vec<Option<Expression>> {
    waiter
        .acceptors
        .iter()
        .map(|acceptor| match acceptor.matcher {
            Matcher::Output(path) | Matcher::InputOutput(path) => Expression::parse(path.path).ok(),
            _ => None,
        })
        .collect()
}

/// The first acceptor that matches the result, with its state.
fn decide<O: Operation>(
    waiter: &WaiterSchema,
    expressions: &[Option<Expression>],
    input: &O::Input,
    result: &Result<O::Output, O::Error>,
) -> Option<(usize, AcceptorState)> {
    let mut output_json = None;
    let mut input_output_json = None;
    for (index, acceptor) in waiter.acceptors.iter().enumerate() {
        let matched = match (acceptor.matcher, result) {
            (Matcher::Success(expected), result) => result.is_ok() == expected,
            (Matcher::ErrorType(name), Err(error)) => error_matches(O::SCHEMA.errors, error, name),
            (Matcher::ErrorType(_), Ok(_)) => false,
            (Matcher::Output(path), Ok(output)) => {
                let document = output_json.get_or_insert_with(|| json_of(output, O::SCHEMA.output));
                matches(expressions[index].as_ref(), document, &path)
            }
            (Matcher::InputOutput(path), Ok(output)) => {
                let document = input_output_json.get_or_insert_with(|| {
                    serde_json::json!({
                        "input": json_of(input, O::SCHEMA.input),
                        "output": json_of(output, O::SCHEMA.output),
                    })
                });
                matches(expressions[index].as_ref(), document, &path)
            }
            (Matcher::Output(_) | Matcher::InputOutput(_), Err(_)) => false,
        };
        if matched {
            return Some((index, acceptor.state));
        }
    }
    None
}

/// Whether `error` is the modelled error named `name` (its shape's name or id, or its
/// `@awsQueryError` code), or has the code `name`.
fn error_matches<E: OperationError>(errors: &[&'static Schema], error: &E, name: &str) -> bool {
    match error.error_value() {
        Ok((index, _)) => errors.get(index).is_some_and(|schema| {
            schema.id.rsplit('#').next() == Some(name)
                || schema.id == name
                || schema.traits.query_error.is_some_and(|(code, _)| code == name)
        }),
        Err(unhandled) => unhandled.code() == Some(name),
    }
}

/// A value as JSON with its members' names, as waiters' paths read it.
fn json_of(value: &dyn Value, schema: &'static Schema) -> serde_json::Value {
    let mut out = Vec::new();
    let written =
        crate::codec::Codec::write_structure(&crate::codec::json::JSON_MEMBER_NAMES, &mut out, value, schema, &|_| {
            true
        });
    match written {
        Ok(()) => serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

/// Whether `expression` gives, on `document`, what `path` expects.
fn matches(expression: Option<&Expression>, document: &serde_json::Value, path: &PathMatcher) -> bool {
    let Some(found) = expression.and_then(|expression| expression.search(document).ok()) else {
        return false;
    };
    match path.comparator {
        Comparator::StringEquals => found.as_str() == Some(path.expected),
        Comparator::BooleanEquals => found.as_bool().is_some_and(|found| found.to_string() == path.expected),
        Comparator::AllStringEquals => found
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(|item| item.as_str() == Some(path.expected))),
        Comparator::AnyStringEquals => found
            .as_array()
            .is_some_and(|items| items.iter().any(|item| item.as_str() == Some(path.expected))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_least_to_the_most_and_stop_at_the_time_allowed() {
        let (min, max) = (Duration::from_secs(2), Duration::from_secs(120));
        for attempt in 1..20 {
            let delay = delay(attempt, min, max, Duration::from_secs(3600)).expect("time is left");
            let ceiling = (min * 2u32.pow(attempt - 1)).min(max);
            assert!(delay >= min && delay <= ceiling, "{attempt}: {delay:?}");
        }
        // Near the end, the wait leaves time for one more attempt; then there is none.
        let last = delay(9, min, max, Duration::from_secs(5)).expect("time is left");
        assert!(last <= Duration::from_secs(3), "{last:?}");
        assert_eq!(delay(1, min, max, Duration::from_secs(1)), None);
    }

    #[test]
    fn comparators_read_strings_booleans_and_lists() {
        let document = serde_json::json!({"Table": {"TableStatus": "ACTIVE"}, "Ok": true, "All": ["a", "a"], "Some": ["a", "b"], "None": []});
        let check = |path: &'static str, expected: &'static str, comparator| {
            let expression = Expression::parse(path).ok();
            matches(
                expression.as_ref(),
                &document,
                &PathMatcher {
                    path,
                    expected,
                    comparator,
                },
            )
        };
        assert!(check("Table.TableStatus", "ACTIVE", Comparator::StringEquals));
        assert!(!check("Table.TableStatus", "DELETING", Comparator::StringEquals));
        assert!(check("Ok", "true", Comparator::BooleanEquals));
        assert!(!check("Ok", "false", Comparator::BooleanEquals));
        assert!(check("All", "a", Comparator::AllStringEquals));
        assert!(!check("Some", "a", Comparator::AllStringEquals));
        assert!(!check("None", "a", Comparator::AllStringEquals));
        assert!(check("Some", "b", Comparator::AnyStringEquals));
        assert!(!check("Missing", "a", Comparator::AnyStringEquals));
    }
}
