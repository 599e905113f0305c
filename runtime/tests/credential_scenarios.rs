//! Recorded credential scenarios, replayed through the default chain: each directory under
//! `tests/credential-scenarios/` (and under each directory that `CREDENTIAL_SCENARIOS` lists,
//! `:`-separated) is one scenario in the layout the AWS SDK for Rust's `aws-config` records
//! its chain tests in:
//!
//! - `env.json`: every environment variable (nothing else is read);
//! - `fs/`: the files, as if mounted at `/` (no other file exists);
//! - `http-traffic.json`: the HTTP exchanges, one recorded connection per request, in order;
//! - `test-case.json`: `{"name", "docs", "result": {"Ok": {access_key_id, secret_access_key,
//!   session_token?, account_id?, expiry?}} | {"ErrorContains": "..."}}`, with two optional
//!   fields: `now` (Unix seconds: the clock the chain runs at, else the system's) and
//!   `check_request_bodies` (compare request bodies and headers too).
//!
//! The chain's N-th request gets connection N's recorded response. Afterwards each recorded
//! request must have been sent, with the same method, scheme, host and path, the same query
//! pieces in any order, and the recorded `x-aws-ec2-metadata-token`; with
//! `check_request_bodies`, also the same body (forms as sets of pairs, JSON as values), the
//! recorded `x-amz-sso_bearer_token`, `x-aws-ec2-metadata-token-ttl-seconds` and container
//! `authorization` headers, and a SigV4 `authorization` scoped to the recorded access key,
//! region and service.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use serde_json::Value;
use smithy_runtime::auth::ProvideCredentials;
use smithy_runtime::credentials::{default_chain, Env};
use smithy_runtime::transport::{Transport, TransportFuture};

/// One recorded exchange.
#[derive(Debug, Default, Clone)]
struct Connection {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    request_body: Vec<u8>,
    status: u16,
    response_headers: Vec<(String, String)>,
    response_body: Vec<u8>,
    /// The recorded response was a transport error.
    error: Option<String>,
}

#[derive(Debug)]
struct Sent {
    method: String,
    uri: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// Answers the N-th request with the N-th recorded connection.
#[derive(Debug)]
struct Replay {
    connections: Vec<Connection>,
    sent: Mutex<Vec<Sent>>,
}

impl Transport for Replay {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let (parts, body) = request.into_parts();
        let mut sent = self.sent.lock().unwrap();
        let index = sent.len();
        sent.push(Sent {
            method: parts.method.to_string(),
            uri: parts.uri.to_string(),
            headers: parts.headers,
            body,
        });
        let connection = self.connections.get(index).cloned();
        Box::pin(async move {
            let Some(connection) = connection else {
                return Err(format!("no data for event {index}: the scenario recorded {index} requests").into());
            };
            if let Some(error) = connection.error {
                return Err(error.into());
            }
            let mut response = http::Response::builder().status(connection.status);
            for (name, value) in &connection.response_headers {
                // Lengths are the body's, whatever was recorded.
                if !name.eq_ignore_ascii_case("content-length") {
                    response = response.header(name, value);
                }
            }
            Ok(response.body(connection.response_body).expect("a recorded response"))
        })
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn headers_of(value: &Value) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(object) = value.as_object() {
        for (name, values) in object {
            for value in values.as_array().into_iter().flatten() {
                headers.push((name.to_ascii_lowercase(), value.as_str().unwrap_or_default().to_owned()));
            }
        }
    }
    headers
}

fn body_data(data: &Value) -> Vec<u8> {
    if let Some(text) = data.get("Utf8").and_then(Value::as_str) {
        return text.as_bytes().to_vec();
    }
    if let Some(text) = data.get("Base64").and_then(Value::as_str) {
        return smithy_runtime::primitives::Blob::from_base64(text)
            .expect("base64 body data")
            .into_inner();
    }
    panic!("body data is neither Utf8 nor Base64: {data}")
}

/// The connections of an `http-traffic.json`, by connection id (0, 1, ...).
fn read_traffic(path: &Path) -> Vec<Connection> {
    let traffic = read_json(path);
    let mut connections: BTreeMap<u64, Connection> = BTreeMap::new();
    for event in traffic["events"].as_array().into_iter().flatten() {
        let id = event["connection_id"].as_u64().expect("connection_id");
        let connection = connections.entry(id).or_default();
        let action = &event["action"];
        if let Some(request) = action.get("Request") {
            let request = &request["request"];
            connection.method = request["method"].as_str().unwrap_or("GET").to_owned();
            connection.uri = request["uri"].as_str().expect("a request uri").to_owned();
            connection.headers = headers_of(&request["headers"]);
        } else if let Some(response) = action.get("Response") {
            let response = &response["response"];
            if let Some(ok) = response.get("Ok") {
                connection.status = ok["status"].as_u64().expect("a status") as u16;
                connection.response_headers = headers_of(&ok["headers"]);
            } else {
                connection.error = Some(response["Err"].to_string());
            }
        } else if let Some(data) = action.get("Data") {
            let bytes = body_data(&data["data"]);
            if data["direction"] == "Request" {
                connection.request_body.extend(bytes);
            } else {
                connection.response_body.extend(bytes);
            }
        }
    }
    let ids: Vec<u64> = connections.keys().copied().collect();
    assert_eq!(
        ids,
        (0..ids.len() as u64).collect::<Vec<_>>(),
        "{}: connection ids must be 0, 1, ...",
        path.display()
    );
    connections.into_values().collect()
}

/// Every file under `dir`, as `/relative/path` → contents.
fn mounted_files(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            mounted_files(&path, root, out);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            let contents = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((Path::new("/").join(relative), contents));
        }
    }
}

/// `k=v` pieces of a query, percent-decoded.
fn pairs(text: &str) -> Vec<(String, String)> {
    let decode = |part: &str| {
        let part = part.replace('+', " ");
        let bytes = part.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                if let Ok(byte) = u8::from_str_radix(&part[i + 1..i + 3], 16) {
                    out.push(byte);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    let mut pairs: Vec<(String, String)> = text
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(key), decode(value))
        })
        .collect();
    pairs.sort();
    pairs
}

/// What is wrong with the requests sent, compared with the recording.
fn check_requests(connections: &[Connection], sent: &[Sent], strict: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, expected) in connections.iter().enumerate() {
        let Some(actual) = sent.get(index) else {
            problems.push(format!(
                "connection {index} ({} {}) was recorded but never sent",
                expected.method, expected.uri
            ));
            continue;
        };
        if !expected.method.eq_ignore_ascii_case(&actual.method) {
            problems.push(format!(
                "request {index}: method {} where {} was recorded",
                actual.method, expected.method
            ));
        }
        let split = |uri: &str| -> (String, Vec<(String, String)>) {
            match uri.split_once('?') {
                Some((base, query)) => (base.trim_end_matches('/').to_owned(), pairs(query)),
                None => (uri.trim_end_matches('/').to_owned(), Vec::new()),
            }
        };
        if split(&expected.uri) != split(&actual.uri) {
            problems.push(format!(
                "request {index}: sent to {} where {} was recorded",
                actual.uri, expected.uri
            ));
        }
        let header = |name: &str| actual.headers.get(name).and_then(|value| value.to_str().ok());
        let recorded = |name: &str| {
            expected
                .headers
                .iter()
                .find(|(recorded, _)| recorded == name)
                .map(|(_, value)| value.as_str())
        };
        let mut exact = vec!["x-aws-ec2-metadata-token"];
        if strict {
            exact.extend(["x-amz-sso_bearer_token", "x-aws-ec2-metadata-token-ttl-seconds"]);
        }
        for name in exact {
            if let Some(value) = recorded(name) {
                if header(name) != Some(value) {
                    problems.push(format!(
                        "request {index}: header {name} is {:?} where {value:?} was recorded",
                        header(name)
                    ));
                }
            }
        }
        if !strict {
            continue;
        }
        if let Some(value) = recorded("authorization") {
            let scope = |value: &str| {
                value
                    .split("Credential=")
                    .nth(1)
                    .map(|rest| rest.split([',', ' ']).next().unwrap_or_default().to_owned())
                    .map(|credential| {
                        // Key id, region and service; the date is the recording's.
                        let parts: Vec<&str> = credential.split('/').collect();
                        [parts.first(), parts.get(2), parts.get(3)]
                            .into_iter()
                            .map(|part| part.copied().unwrap_or_default().to_owned())
                            .collect::<Vec<_>>()
                    })
            };
            match (value.starts_with("AWS4-HMAC-SHA256"), header("authorization")) {
                (true, Some(actual)) if scope(value) == scope(actual) => {}
                (false, Some(actual)) if actual == value => {}
                (_, actual) => problems.push(format!(
                    "request {index}: authorization {actual:?} where {value:?} was recorded"
                )),
            }
        } else if expected.uri.starts_with("https://") && header("authorization").is_some() {
            problems.push(format!("request {index} is signed where the recording is not"));
        }
        if !expected.request_body.is_empty() || !actual.body.is_empty() {
            let text = |body: &[u8]| String::from_utf8_lossy(body).into_owned();
            let (recorded_body, sent_body) = (text(&expected.request_body), text(&actual.body));
            let same = match (
                serde_json::from_str::<Value>(&recorded_body),
                serde_json::from_str::<Value>(&sent_body),
            ) {
                (Ok(recorded), Ok(sent)) => recorded == sent,
                _ => pairs(&recorded_body) == pairs(&sent_body),
            };
            if !same {
                problems.push(format!(
                    "request {index}: body {sent_body:?} where {recorded_body:?} was recorded"
                ));
            }
        }
    }
    problems
}

/// Replays one scenario; what went wrong, if anything.
async fn replay(dir: &Path) -> Result<(), String> {
    let case = read_json(&dir.join("test-case.json"));
    let vars: BTreeMap<String, String> =
        serde_json::from_value(read_json(&dir.join("env.json"))).map_err(|error| format!("env.json: {error}"))?;
    let mut env = Env::from_vars(vars).without_disk();
    let mut files = Vec::new();
    mounted_files(&dir.join("fs"), &dir.join("fs"), &mut files);
    for (path, contents) in files {
        env = env.with_file(path, contents);
    }
    if let Some(now) = case.get("now").and_then(Value::as_u64) {
        let now = UNIX_EPOCH + Duration::from_secs(now);
        env = env.with_clock(Arc::new(move || now));
    }
    let traffic = dir.join("http-traffic.json");
    let connections = if traffic.is_file() {
        read_traffic(&traffic)
    } else {
        Vec::new()
    };
    let replay = Arc::new(Replay {
        connections: connections.clone(),
        sent: Mutex::new(Vec::new()),
    });
    let chain = default_chain(env, Some(replay.clone()));
    let result = chain.provide_credentials().await;
    let expected = &case["result"];
    let mut problems = Vec::new();
    match (result, expected.get("Ok"), expected.get("ErrorContains")) {
        (Ok(credentials), Some(ok), _) => {
            let expiry = credentials
                .expiry()
                .map(|expiry| expiry.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs());
            let field = |name: &str| ok.get(name).and_then(Value::as_str).map(str::to_owned);
            let compare = [
                (
                    "access_key_id",
                    Some(credentials.access_key_id().to_owned()),
                    field("access_key_id"),
                ),
                (
                    "secret_access_key",
                    Some(credentials.secret_access_key().to_owned()),
                    field("secret_access_key"),
                ),
                (
                    "session_token",
                    credentials.session_token().map(str::to_owned),
                    field("session_token"),
                ),
                (
                    "account_id",
                    credentials.account_id().map(str::to_owned),
                    field("account_id"),
                ),
                (
                    "expiry",
                    expiry.map(|secs| secs.to_string()),
                    ok.get("expiry").and_then(Value::as_u64).map(|secs| secs.to_string()),
                ),
            ];
            for (name, actual, expected) in compare {
                if actual != expected {
                    problems.push(format!("{name} is {actual:?} where {expected:?} was expected"));
                }
            }
        }
        (Err(error), _, Some(contains)) => {
            let contains = contains.as_str().unwrap_or_default();
            if !error.to_string().contains(contains) {
                problems.push(format!("the error `{error}` does not contain `{contains}`"));
            }
        }
        (Ok(credentials), None, _) => problems.push(format!(
            "credentials from {} where an error was expected",
            credentials.provider()
        )),
        (Err(error), _, None) => problems.push(format!("error `{error}` where credentials were expected")),
    }
    let strict = case
        .get("check_request_bodies")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    problems.extend(check_requests(&connections, &replay.sent.lock().unwrap(), strict));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n    "))
    }
}

/// The scenario directories: those under `tests/credential-scenarios/` and under (or named
/// by) each `CREDENTIAL_SCENARIOS` entry.
fn scenarios() -> Vec<PathBuf> {
    let mut roots = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/credential-scenarios")];
    if let Ok(extra) = std::env::var("CREDENTIAL_SCENARIOS") {
        roots.extend(extra.split(':').filter(|entry| !entry.is_empty()).map(PathBuf::from));
    }
    let mut found = Vec::new();
    for root in roots {
        if root.join("test-case.json").is_file() {
            found.push(root);
            continue;
        }
        let entries = std::fs::read_dir(&root).unwrap_or_else(|error| panic!("{}: {error}", root.display()));
        let mut dirs: Vec<PathBuf> = entries
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.join("test-case.json").is_file())
            .collect();
        dirs.sort();
        found.extend(dirs);
    }
    found
}

#[tokio::test]
async fn recorded_scenarios_replay() {
    let scenarios = scenarios();
    assert!(
        scenarios.len() >= 15,
        "tests/credential-scenarios/ holds the recorded scenarios"
    );
    let mut failed = Vec::new();
    for dir in &scenarios {
        let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        match replay(dir).await {
            Ok(()) => eprintln!("ok     {name}"),
            Err(problems) => {
                eprintln!("FAILED {name}\n    {problems}");
                failed.push(name);
            }
        }
    }
    eprintln!(
        "credential scenarios: {} passed, {} failed",
        scenarios.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failed scenarios: {failed:?}");
}
