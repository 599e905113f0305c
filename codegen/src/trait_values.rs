//! The trait values the generator reads into Rust types, each by one reader. The trait check
//! ([`crate::traits::check_traits`]) runs the reader of every such trait a model applies and
//! reports what it refuses, located below the trait; the model's accessors
//! ([`crate::model::Traits`]) and the renderers call the same reader on checked models. So a
//! value is never read one way when it is checked and another way when code is generated from
//! it.
//!
//! A prelude trait's value is first checked against the trait's shape ([`crate::traits::Ty`]);
//! its reader adds what a shape cannot say (an HTTP method is a token, a URI has no empty
//! segment, `min` is not above `max`).

use serde_json::{Number, Value};

use crate::model::{HttpTrait, Paginated};

/// What a reader refuses: where below the trait's value (`""`, `.uri`, `.encodings[0]`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub at: String,
    pub message: String,
}

type Read<T> = Result<T, Vec<Problem>>;

fn problem(at: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        at: at.into(),
        message: message.into(),
    }
}

/// `value`, unless there are `problems`.
fn finish<T>(value: T, problems: Vec<Problem>) -> Read<T> {
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(problems)
    }
}

/// The problems the reader of trait `id` finds in `value`; `None` for a trait without a reader.
pub(crate) fn problems(id: &str, value: &Value) -> Option<Vec<Problem>> {
    fn of<T>(read: Read<T>) -> Vec<Problem> {
        read.err().unwrap_or_default()
    }
    Some(match id {
        "smithy.api#http" => of(http(value)),
        "smithy.api#length" => of(length(value)),
        "smithy.api#range" => of(range(value)),
        "smithy.api#pattern" => of(pattern(value)),
        "smithy.api#endpoint" => of(host_prefix(value)),
        "smithy.api#paginated" => of(paginated(value)),
        "smithy.api#requestCompression" => of(request_compression(value)),
        "aws.protocols#httpChecksum" => of(http_checksum(value)),
        "aws.protocols#awsQueryError" => of(query_error(value)),
        "smithy.rules#staticContextParams" => of(static_context_params(value)),
        "smithy.rules#operationContextParams" => of(operation_context_params(value)),
        _ => return None,
    })
}

/// Whether `text` is an HTTP token (a method or a header name).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// An HTTP status code within `100..=999`, `default` when left out (or refused).
fn status_code(value: Option<&Value>, at: &str, default: u16, problems: &mut Vec<Problem>) -> u16 {
    let Some(value) = value else { return default };
    match value
        .as_u64()
        .and_then(|code| u16::try_from(code).ok())
        .filter(|code| (100..=999).contains(code))
    {
        Some(code) => code,
        None => {
            problems.push(problem(
                at,
                format!("the HTTP status code {value} is not within 100..=999"),
            ));
            default
        }
    }
}

fn object<'v>(value: &'v Value, what: &str) -> Read<&'v serde_json::Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| vec![problem("", format!("{what} must be an object, not {value}"))])
}

/// `@http`: a method that is an HTTP token, a URI that starts with `/` with no empty segment and
/// no fragment, and a status code (200 when left out) within `100..=999`.
pub(crate) fn http(value: &Value) -> Read<HttpTrait> {
    let object = value
        .as_object()
        .ok_or_else(|| vec![problem("", "`@http` must be an object with a method and a URI")])?;
    let mut problems = Vec::new();
    let method = match object.get("method").and_then(Value::as_str) {
        None => {
            problems.push(problem(".method", "`@http` needs a `method` string, such as \"GET\""));
            ""
        }
        Some(method) if !is_token(method) => {
            problems.push(problem(
                ".method",
                format!("the HTTP method {method:?} is not a valid method name"),
            ));
            method
        }
        Some(method) => method,
    };
    let uri = match object.get("uri").and_then(Value::as_str) {
        None => {
            problems.push(problem(
                ".uri",
                "`@http` needs a `uri` string, such as \"/things/{id}\"",
            ));
            ""
        }
        Some(uri) if !uri.starts_with('/') || uri.contains("//") || uri.contains('#') => {
            problems.push(problem(
                ".uri",
                format!("the URI {uri:?} must start with `/`, with no empty segment and no fragment"),
            ));
            uri
        }
        Some(uri) => uri,
    };
    let code = status_code(object.get("code"), ".code", 200, &mut problems);
    let http = HttpTrait {
        method: method.to_owned(),
        uri: uri.to_owned(),
        code,
    };
    finish(http, problems)
}

/// `@length`: its bounds, whole numbers of zero or more, `min` not above `max`.
pub(crate) fn length(value: &Value) -> Read<(Option<u64>, Option<u64>)> {
    let object = object(value, "`@length`")?;
    let mut problems = Vec::new();
    let mut bound = |key: &str| match object.get(key) {
        None => None,
        Some(bound) => {
            let whole = bound.as_u64();
            if whole.is_none() {
                problems.push(problem(
                    format!(".{key}"),
                    "`@length` bounds are whole numbers of zero or more",
                ));
            }
            whole
        }
    };
    let (min, max) = (bound("min"), bound("max"));
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            problems.push(problem("", format!("`@length` has min {min} above max {max}")));
        }
    }
    finish((min, max), problems)
}

/// `@range`: its bounds, numbers, `min` not above `max`.
pub(crate) fn range(value: &Value) -> Read<(Option<Number>, Option<Number>)> {
    let object = object(value, "`@range`")?;
    let mut problems = Vec::new();
    let mut bound = |key: &str| match object.get(key) {
        None => None,
        Some(Value::Number(number)) => Some(number.clone()),
        Some(other) => {
            problems.push(problem(
                format!(".{key}"),
                format!("`@range` bounds are numbers, not {other}"),
            ));
            None
        }
    };
    let (min, max) = (bound("min"), bound("max"));
    if let (Some(low), Some(high)) = (&min, &max) {
        if low.as_f64().zip(high.as_f64()).is_some_and(|(low, high)| low > high) {
            problems.push(problem("", format!("`@range` has min {low} above max {high}")));
        }
    }
    finish((min, max), problems)
}

/// `@pattern`: a regular expression. One the runtime cannot check is read all the same (the
/// generated checks leave it out and say so); only text that is no regular expression at all
/// is refused.
pub(crate) fn pattern(value: &Value) -> Read<&str> {
    let text = value
        .as_str()
        .ok_or_else(|| vec![problem("", "`@pattern` must be a string")])?;
    match smithy_runtime::pattern::Pattern::malformed(text) {
        Some(reason) => Err(vec![problem(
            "",
            format!("the `@pattern` {text:?} is not a regular expression: {reason}"),
        )]),
        None => Ok(text),
    }
}

/// `@endpoint`: its host prefix.
pub(crate) fn host_prefix(value: &Value) -> Read<&str> {
    match value.get("hostPrefix").and_then(Value::as_str) {
        Some(prefix) if !prefix.is_empty() => Ok(prefix),
        _ => Err(vec![problem(
            ".hostPrefix",
            "`@endpoint` needs a non-empty `hostPrefix`",
        )]),
    }
}

/// `@paginated`: the member names of its tokens, items and page size, each a non-empty string.
pub(crate) fn paginated(value: &Value) -> Read<Paginated> {
    let object = object(value, "`@paginated`")?;
    let mut problems = Vec::new();
    let mut text = |key: &str| match object.get(key) {
        None => None,
        Some(Value::String(name)) if !name.is_empty() => Some(name.clone()),
        Some(other) => {
            problems.push(problem(
                format!(".{key}"),
                format!("`{key}` names a member, not {other}"),
            ));
            None
        }
    };
    let paginated = Paginated {
        input_token: text("inputToken"),
        output_token: text("outputToken"),
        items: text("items"),
        page_size: text("pageSize"),
    };
    finish(paginated, problems)
}

/// `@requestCompression`: its encodings, at least one, each one Smithy defines (`gzip`).
pub(crate) fn request_compression(value: &Value) -> Read<Vec<&str>> {
    let at = ".encodings";
    match value.get("encodings").and_then(Value::as_array) {
        Some(encodings) if !encodings.is_empty() => {
            let mut problems = Vec::new();
            let mut names = Vec::new();
            for (index, encoding) in encodings.iter().enumerate() {
                match encoding.as_str().filter(|name| name.eq_ignore_ascii_case("gzip")) {
                    Some(name) => names.push(name),
                    None => problems.push(problem(
                        format!("{at}[{index}]"),
                        format!("{encoding} is not a request compression encoding Smithy defines (`gzip`)"),
                    )),
                }
            }
            finish(names, problems)
        }
        _ => Err(vec![problem(
            at,
            "`encodings` must list at least one encoding, such as `gzip`",
        )]),
    }
}

/// `aws.protocols#httpChecksum`, as read: which input members carry the request's algorithm and
/// the response validation mode (by name), and the algorithms a response may carry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HttpChecksum<'a> {
    pub request_required: bool,
    pub request_algorithm_member: Option<&'a str>,
    pub request_validation_mode_member: Option<&'a str>,
    pub response_algorithms: Vec<&'a str>,
}

/// `aws.protocols#httpChecksum`. An algorithm the runtime does not know is kept: a client refuses
/// it when a caller asks for it, and passes over it in responses.
pub(crate) fn http_checksum(value: &Value) -> Read<HttpChecksum<'_>> {
    let object = object(value, "`httpChecksum`")?;
    let mut problems = Vec::new();
    let mut member = |key: &str| match object.get(key) {
        None => None,
        Some(Value::String(name)) => Some(name.as_str()),
        Some(other) => {
            problems.push(problem(
                format!(".{key}"),
                format!("`{key}` names a member, not {other}"),
            ));
            None
        }
    };
    let request_algorithm_member = member("requestAlgorithmMember");
    let request_validation_mode_member = member("requestValidationModeMember");
    let mut response_algorithms = Vec::new();
    match object.get("responseAlgorithms") {
        None => {}
        Some(Value::Array(names)) => {
            for (index, name) in names.iter().enumerate() {
                match name.as_str().filter(|name| !name.trim().is_empty()) {
                    Some(name) => response_algorithms.push(name),
                    None => problems.push(problem(
                        format!(".responseAlgorithms[{index}]"),
                        format!("a checksum algorithm is named by a non-empty string, not {name}"),
                    )),
                }
            }
        }
        Some(other) => problems.push(problem(
            ".responseAlgorithms",
            format!("`responseAlgorithms` must be a list of algorithm names, not {other}"),
        )),
    }
    let request_required = match object.get("requestChecksumRequired") {
        None => false,
        Some(Value::Bool(required)) => *required,
        Some(other) => {
            problems.push(problem(
                ".requestChecksumRequired",
                format!("`requestChecksumRequired` is a boolean, not {other}"),
            ));
            false
        }
    };
    let checksum = HttpChecksum {
        request_required,
        request_algorithm_member,
        request_validation_mode_member,
        response_algorithms,
    };
    finish(checksum, problems)
}

/// `aws.protocols#awsQueryError`: the code and HTTP status (400 when left out) an
/// `awsQueryCompatible` service reports for the error.
pub(crate) fn query_error(value: &Value) -> Read<(&str, u16)> {
    let mut problems = Vec::new();
    let code = match value.get("code").and_then(Value::as_str) {
        Some(code) if !code.is_empty() => code,
        _ => {
            problems.push(problem(".code", "`awsQueryError` needs a non-empty `code`"));
            ""
        }
    };
    let status = status_code(value.get("httpResponseCode"), ".httpResponseCode", 400, &mut problems);
    finish((code, status), problems)
}

/// The value an operation fixes for an endpoint parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StaticParam<'a> {
    Bool(bool),
    String(&'a str),
    StringArray(Vec<&'a str>),
}

/// `smithy.rules#staticContextParams`: endpoint parameters an operation fixes, by name, each a
/// boolean, a string or a list of strings.
pub(crate) fn static_context_params(value: &Value) -> Read<Vec<(&str, StaticParam<'_>)>> {
    let object = object(value, "`staticContextParams`")?;
    let mut problems = Vec::new();
    let mut params = Vec::new();
    for (name, param) in object {
        let value = param.get("value");
        let read = match value {
            Some(Value::Bool(value)) => Some(StaticParam::Bool(*value)),
            Some(Value::String(value)) => Some(StaticParam::String(value)),
            Some(Value::Array(items)) => items
                .iter()
                .map(Value::as_str)
                .collect::<Option<Vec<_>>>()
                .map(StaticParam::StringArray),
            _ => None,
        };
        match read {
            Some(read) => params.push((name.as_str(), read)),
            None => problems.push(problem(
                format!("[{name:?}].value"),
                format!(
                    "the endpoint parameter `{name}` must be a boolean, a string or a list of strings, not {}",
                    value.map_or("nothing".to_owned(), Value::to_string)
                ),
            )),
        }
    }
    finish(params, problems)
}

/// `smithy.rules#operationContextParams`: endpoint parameters an operation reads from its input
/// with a path, by name.
pub(crate) fn operation_context_params(value: &Value) -> Read<Vec<(&str, &str)>> {
    let object = object(value, "`operationContextParams`")?;
    let mut problems = Vec::new();
    let mut params = Vec::new();
    for (name, param) in object {
        match param.get("path").and_then(Value::as_str) {
            Some(path) if !path.is_empty() => params.push((name.as_str(), path)),
            _ => problems.push(problem(
                format!("[{name:?}].path"),
                format!("the endpoint parameter `{name}` needs a `path` into the input"),
            )),
        }
    }
    finish(params, problems)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn places(problems: Vec<Problem>) -> Vec<String> {
        problems.into_iter().map(|problem| problem.at).collect()
    }

    #[test]
    fn each_reader_reads_what_it_accepts_and_places_what_it_refuses() {
        let read = http(&json!({"method": "GET", "uri": "/a/{b}"})).expect("an @http");
        assert_eq!(
            (read.method.as_str(), read.uri.as_str(), read.code),
            ("GET", "/a/{b}", 200)
        );
        let refused = http(&json!({"method": "G T", "uri": "a//b", "code": 42})).expect_err("bad");
        assert_eq!(places(refused), [".method", ".uri", ".code"]);

        assert_eq!(length(&json!({"min": 1})), Ok((Some(1), None)));
        assert_eq!(
            places(length(&json!({"min": 3, "max": 2})).expect_err("min above max")),
            [""]
        );
        assert_eq!(places(length(&json!({"min": -1})).expect_err("negative")), [".min"]);
        assert!(range(&json!({"min": 2.5, "max": 1})).is_err());
        assert!(pattern(&json!("(")).is_err());
        assert_eq!(pattern(&json!("^a+$")), Ok("^a+$"));

        assert_eq!(request_compression(&json!({"encodings": ["gzip"]})), Ok(vec!["gzip"]));
        assert_eq!(
            places(request_compression(&json!({"encodings": ["gzip", "br"]})).expect_err("br")),
            [".encodings[1]"]
        );
        let checksum = json!({
            "requestAlgorithmMember": "Algorithm",
            "requestChecksumRequired": true,
            "responseAlgorithms": ["CRC32", "NEW"],
        });
        let checksum = http_checksum(&checksum).expect("an httpChecksum");
        assert_eq!(checksum.request_algorithm_member, Some("Algorithm"));
        assert!(checksum.request_required);
        assert_eq!(checksum.response_algorithms, ["CRC32", "NEW"]);
        assert_eq!(
            places(http_checksum(&json!({"responseAlgorithms": [""]})).expect_err("empty name")),
            [".responseAlgorithms[0]"]
        );

        assert_eq!(query_error(&json!({"code": "Busy"})), Ok(("Busy", 400)));
        assert!(query_error(&json!({"httpResponseCode": 500})).is_err());
        let params = json!({"UseS3ExpressControlEndpoint": {"value": true}});
        let params = static_context_params(&params).expect("static params");
        assert_eq!(params, [("UseS3ExpressControlEndpoint", StaticParam::Bool(true))]);
        assert_eq!(
            places(static_context_params(&json!({"Region": {"value": 1}})).expect_err("a number")),
            ["[\"Region\"].value"]
        );
        assert_eq!(
            operation_context_params(&json!({"DeleteObjectKeys": {"path": "Delete.Objects[*].Key"}})),
            Ok(vec![("DeleteObjectKeys", "Delete.Objects[*].Key")])
        );
        assert_eq!(host_prefix(&json!({"hostPrefix": "data."})), Ok("data."));
        assert!(paginated(&json!({"inputToken": 3})).is_err());
        assert_eq!(problems("smithy.api#documentation", &json!("text")), None);
        assert_eq!(
            problems("smithy.api#http", &json!({"method": "GET", "uri": "/"})),
            Some(Vec::new())
        );
    }
}
