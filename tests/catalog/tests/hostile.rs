//! Hostile requests through the generated server's `handle`: what one costs the server is
//! bounded by the request, not multiplied by the model. Violations are capped, a list longer
//! than its `@length` is not read past it, `@uniqueItems` is checked in linear time, numbers
//! that overflow are refused, and errors the model does not describe keep their details
//! private.

use std::time::{Duration, Instant};

use catalog::error::UnhandledError;
use catalog::operation::list_items::{ListItemsError, ListItemsInput, ListItemsOutput};
use catalog::operation::list_tags::{ListTagsError, ListTagsInput, ListTagsOutput};
use catalog::operation::put_document::{PutDocumentError, PutDocumentInput, PutDocumentOutput};
use catalog::operation::put_object::{PutObjectError, PutObjectInput, PutObjectOutput};
use catalog::operation::put_records::{PutRecordsError, PutRecordsInput, PutRecordsOutput};
use catalog::Catalog;
use serde_json::Value;

/// Counts records; fails, with details no caller should see, for a record named `fail`, and
/// answers with status N for a record named `status-N`; echoes the names, and sends label L
/// for a record named `label:L`.
struct Service;

impl Catalog for Service {
    async fn list_items(&self, _: ListItemsInput) -> Result<ListItemsOutput, ListItemsError> {
        Err(UnhandledError::new(500).into())
    }

    async fn list_tags(&self, _: ListTagsInput) -> Result<ListTagsOutput, ListTagsError> {
        Err(UnhandledError::new(500).into())
    }

    async fn put_document(&self, _: PutDocumentInput) -> Result<PutDocumentOutput, PutDocumentError> {
        Err(UnhandledError::new(500).into())
    }

    async fn put_object(&self, _: PutObjectInput) -> Result<PutObjectOutput, PutObjectError> {
        Err(UnhandledError::new(500).into())
    }

    async fn put_records(&self, input: PutRecordsInput) -> Result<PutRecordsOutput, PutRecordsError> {
        let records = input.records.unwrap_or_default();
        if records.iter().any(|record| record.id == "fail") {
            return Err(UnhandledError::new(500)
                .with_message("the credential chain failed: /home/svc/.aws/credentials: permission denied")
                .into());
        }
        let mut output = PutRecordsOutput::builder().count(records.len() as i32);
        if let Some(names) = input.names {
            output = output.names(names);
        }
        if let Some(label) = records.iter().find_map(|record| record.id.strip_prefix("label:")) {
            output = output.label(label);
        }
        if let Some(status) = records.iter().find_map(|record| record.id.strip_prefix("status-")) {
            output = output.status(status.parse::<i32>().expect("a status"));
        }
        Ok(output.build())
    }
}

/// Runs a future that never waits (the service answers at once).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the future is not ready"),
    }
}

/// Sends a `PutRecords` of this JSON body; the answer.
fn put_records(body: String) -> http::Response<Vec<u8>> {
    let request = http::Request::builder()
        .method("POST")
        .uri("/records")
        .header("content-type", "application/json")
        .body(body.into_bytes())
        .expect("a request");
    block_on(catalog::server::handle(&Service, request))
}

fn json(response: &http::Response<Vec<u8>>) -> Value {
    serde_json::from_slice(response.body()).expect("a JSON body")
}

#[test]
fn a_hundred_thousand_violations_are_cut_to_a_hundred() {
    // Every `{}` lacks its required `id`.
    let records = vec!["{}"; 100_000].join(",");
    let response = put_records(format!(r#"{{"records":[{records}]}}"#));
    assert_eq!(response.status(), 400);
    assert!(
        response.body().len() < 64 * 1024,
        "the answer is {} bytes",
        response.body().len()
    );
    let answer = json(&response);
    let message = answer["message"].as_str().expect("a message");
    assert!(
        message.starts_with("100 validation errors detected (more were found and cut). "),
        "{}",
        &message[..200]
    );
    let fields = answer["fieldList"].as_array().expect("a field list");
    assert_eq!(fields.len(), 100);
    assert_eq!(fields[99]["path"], "/records/99/id");
    // The same for constraint violations found after reading.
    let kinds = vec![r#""huge""#; 10_000].join(",");
    let codes: Vec<String> = (0..10_000).map(|n| format!(r#""k{n}":"abc""#)).collect();
    let response = put_records(format!(r#"{{"byCode":{{{}}},"kind":{kinds}}}"#, codes.join(",")));
    assert_eq!(response.status(), 400);
    assert!(
        response.body().len() < 64 * 1024,
        "the answer is {} bytes",
        response.body().len()
    );
}

#[test]
fn a_list_or_map_longer_than_its_length_is_not_read_past_it() {
    // `codes` holds at most 3 unique codes of `^[A-Z]{3}$`. Past the third item nothing is
    // read, so the items' own violations (pattern, uniqueness) are not looked for.
    let codes = vec![r#""abc""#; 50_000].join(",");
    let response = put_records(format!(r#"{{"codes":["ABC",{codes}]}}"#));
    assert_eq!(response.status(), 400);
    let answer = json(&response);
    assert_eq!(
        answer["message"],
        "1 validation error detected. Value with length 50001 at '/codes' failed to satisfy constraint: \
         Member must have length less than or equal to 3"
    );
    assert_eq!(answer["fieldList"][0]["path"], "/codes");
    let entries: Vec<String> = (0..1_000).map(|n| format!(r#""k{n}":"abc""#)).collect();
    let response = put_records(format!(r#"{{"byCode":{{{}}}}}"#, entries.join(",")));
    assert_eq!(response.status(), 400);
    assert_eq!(
        json(&response)["message"],
        "1 validation error detected. Value with length 1000 at '/byCode' failed to satisfy constraint: \
         Member must have length less than or equal to 2"
    );
}

#[test]
fn unique_items_of_a_long_list_are_checked_in_linear_time() {
    let distinct: Vec<String> = (0..100_000).map(|n| format!(r#""name{n}""#)).collect();
    let body = |items: &[String]| format!(r#"{{"unique":[{}]}}"#, items.join(","));
    let started = Instant::now();
    let response = put_records(body(&distinct));
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(response.body()));
    // Compared pairwise, 5e9 comparisons take minutes; hashed, milliseconds.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    let mut repeated = distinct;
    repeated.push(r#""name99999""#.to_owned());
    let response = put_records(body(&repeated));
    assert_eq!(response.status(), 400);
    assert_eq!(json(&response)["fieldList"][0]["path"], "/unique");
}

#[test]
fn an_unmodelled_error_is_answered_without_its_details_and_with_a_request_id() {
    let response = put_records(r#"{"records":[{"id":"fail"}]}"#.to_owned());
    assert_eq!(response.status(), 500);
    let text = String::from_utf8_lossy(response.body()).into_owned();
    for secret in ["credential", "/home/svc", "permission denied"] {
        assert!(!text.contains(secret), "`{secret}` reached the caller: {text}");
    }
    assert_eq!(response.headers()["x-amzn-errortype"], "InternalFailure");
    let id = response.headers()["x-amzn-requestid"]
        .to_str()
        .expect("an id")
        .to_owned();
    assert!(id.len() >= 16, "{id}");
    assert_eq!(
        json(&response)["message"],
        format!("An internal error occurred (request id {id}).")
    );
    // Every answer names its request; an id the caller gave is kept, a bad one replaced.
    let ok = put_records("{}".to_owned());
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().contains_key("x-amzn-requestid"));
    assert_ne!(ok.headers()["x-amzn-requestid"], id.as_str(), "ids are fresh");
    for (given, kept) in [("abc-123", true), ("a b", false)] {
        let request = http::Request::builder()
            .method("POST")
            .uri("/records")
            .header("x-amz-request-id", given)
            .body(br#"{"records":[{"id":"fail"}]}"#.to_vec())
            .expect("a request");
        let response = block_on(catalog::server::handle(&Service, request));
        assert_eq!(response.headers()["x-amzn-requestid"] == given, kept, "{given}");
    }
}

#[test]
fn epoch_seconds_past_the_years_rfc_3339_can_write_are_refused() {
    for at in ["-9223372036854775808.5", "-9223372036854775807.5", "253402300800"] {
        let response = put_records(format!(r#"{{"at":{at}}}"#));
        assert_eq!(
            response.status(),
            400,
            "{at}: {}",
            String::from_utf8_lossy(response.body())
        );
    }
    for at in ["-9223372036854775808.5", "9223372036854775808", "-62167219201"] {
        let request = http::Request::builder()
            .method("POST")
            .uri("/records")
            .header("x-at", at)
            .header("content-type", "application/json")
            .body(b"{}".to_vec())
            .expect("a request");
        let response = block_on(catalog::server::handle(&Service, request));
        assert_eq!(
            response.status(),
            400,
            "{at}: {}",
            String::from_utf8_lossy(response.body())
        );
    }
    for at in ["-62167219200", "253402300799.999"] {
        let response = put_records(format!(r#"{{"at":{at}}}"#));
        assert_eq!(
            response.status(),
            200,
            "{at}: {}",
            String::from_utf8_lossy(response.body())
        );
    }
}

#[test]
fn a_response_that_has_no_body_goes_out_without_one() {
    for status in [204, 304] {
        let response = put_records(format!(r#"{{"records":[{{"id":"status-{status}"}}]}}"#));
        assert_eq!(response.status(), status);
        assert!(
            response.body().is_empty(),
            "{status}: {:?}",
            String::from_utf8_lossy(response.body())
        );
        assert!(
            !response.headers().contains_key("content-length"),
            "{status}: {:?}",
            response.headers()
        );
        assert!(!response.headers().contains_key("content-type"), "{status}");
    }
    let response = put_records(r#"{"records":[{"id":"status-201"}]}"#.to_owned());
    assert_eq!(
        (response.status().as_u16(), json(&response)["count"].as_i64()),
        (201, Some(1))
    );
}

#[test]
fn header_values_http_would_change_are_refused_by_client_and_server_alike() {
    use catalog::operation::put_records::PutRecords;
    use smithy_runtime::protocol::HttpOperation;
    let send = |input: PutRecordsInput| PutRecords::serialize_request(&input, "http://localhost");
    for (label, why) in [
        ("caf\u{e9}", "outside ASCII"),
        ("a\u{1}b", "control character 0x01"),
        ("a\u{7f}", "control character 0x7f"),
        ("line\r\nx-injected: 1", "control character 0x0d"),
        (" padded", "white space"),
        ("padded\t", "white space"),
    ] {
        let error = send(PutRecordsInput::builder().label(label).build()).expect_err(label);
        let text = error.to_string();
        assert!(
            text.contains("`label`") && text.contains("x-label") && text.contains(why),
            "{text}"
        );
        assert!(!text.contains(label), "the value is not repeated: {text}");
    }
    // Items of a list keep their spaces: they are quoted.
    let names = vec![" a ".to_owned(), "b\t".to_owned(), "c d".to_owned()];
    let request = send(
        PutRecordsInput::builder()
            .label("inner space")
            .names(names.clone())
            .build(),
    )
    .expect("sent");
    assert_eq!(request.headers()["x-names"], "\" a \", \"b\t\", c d");
    let response = block_on(catalog::server::handle(&Service, request));
    assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(response.body()));
    let output = PutRecords::parse_response(&response).expect("an output");
    assert_eq!(output.names, Some(names));
    // A server refuses to send what its client refuses to send.
    let response = put_records(r#"{"records":[{"id":"label:caf\u00e9"}]}"#.to_owned());
    assert_eq!(response.status(), 500);
    let response = put_records(r#"{"records":[{"id":"label:fine"}]}"#.to_owned());
    assert_eq!(response.headers()["x-label"], "fine");
}

#[test]
fn a_head_request_that_names_no_operation_is_answered_without_a_body() {
    for method in ["HEAD", "GET"] {
        let request = http::Request::builder()
            .method(method)
            .uri("/no/such/thing")
            .body(Vec::new())
            .expect("a request");
        let response = block_on(catalog::server::handle(&Service, request));
        assert_eq!(response.status(), 404);
        if method == "HEAD" {
            assert!(response.body().is_empty(), "{:?}", response.body());
            assert!(!response.headers().contains_key("content-type"));
            let length = response.headers().get("content-length");
            assert!(length.is_none_or(|length| length == "0"), "{length:?}");
        } else {
            assert!(!response.body().is_empty());
            assert_eq!(response.headers()["x-amzn-errortype"], "UnknownOperationException");
        }
    }
}
