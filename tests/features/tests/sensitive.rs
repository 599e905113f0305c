//! `@sensitive` data never reaches `Debug` (nor an error's `Display`): not as a member, not inside
//! a list or a map, not inside a union, not inside a builder. It is still written to JSON, which
//! must carry it.

mod common;

use std::collections::HashMap;

use common::{to_json, REDACTED};
use features::operation::put_tree::PutTreeOutput;
use features::types::error::ServiceFailure;
use features::types::{Choice, Everything};

const SECRET: &str = "hunter2";

fn assert_redacted(debug: &str) {
    assert!(!debug.contains(SECRET), "the secret leaked: {debug}");
    assert!(debug.contains(REDACTED), "no redaction marker: {debug}");
}

#[test]
fn sensitive_list_members_and_map_values_are_redacted() {
    let everything = Everything::builder()
        .token("visible-token")
        .secrets(vec![String::from(SECRET), String::from(SECRET)])
        .secret_map(HashMap::from([(String::from("key"), String::from(SECRET))]))
        .renamed("visible-value")
        .build();
    let debug = format!("{everything:?}");
    assert_redacted(&debug);
    assert!(
        debug.contains("visible-token") && debug.contains("visible-value"),
        "{debug}"
    );
    assert!(debug.contains(&format!("secrets: {REDACTED:?}")), "{debug}");
    assert!(debug.contains(&format!("secretMap: {REDACTED:?}")), "{debug}");
    assert_redacted(&format!("{everything:#?}"));

    // JSON carries the data.
    let written = to_json(&everything);
    assert_eq!(written["secrets"][1], SECRET);
    assert_eq!(written["secretMap"]["key"], SECRET);
}

#[test]
fn builders_redact_too() {
    let builder = Everything::builder().secrets(vec![String::from(SECRET)]);
    assert_redacted(&format!("{builder:?}"));
    let builder = PutTreeOutput::builder().token(SECRET).node_count(1);
    assert_redacted(&format!("{builder:?}"));
}

#[test]
fn sensitive_union_members_are_redacted() {
    let choice = Choice::Secret(String::from(SECRET));
    assert_eq!(format!("{choice:?}"), format!("Secret({REDACTED:?})"));
    // Other members print their value.
    assert_eq!(format!("{:?}", Choice::Text(String::from("shown"))), r#"Text("shown")"#);
    assert_eq!(format!("{:?}", Choice::Nothing), "Nothing");

    // Through recursion, lists of unions and structures holding the union.
    let nested = Choice::Nested(Box::new(Choice::Many(vec![
        Choice::Text(String::from("shown")),
        Choice::Secret(String::from(SECRET)),
    ])));
    let debug = format!("{nested:?}");
    assert_redacted(&debug);
    assert!(debug.contains("shown"), "{debug}");
    assert_redacted(&format!(
        "{:?}",
        Everything::builder().token("t").choice(nested.clone()).build()
    ));
    assert_eq!(to_json(&nested)["nested"]["many"][1]["secret"], SECRET);
}

#[test]
fn sensitive_members_of_outputs_and_errors_are_redacted() {
    let output = PutTreeOutput::builder()
        .node_count(1)
        .self_("me")
        .token(SECRET)
        .tags(HashMap::from([(String::from("tag"), String::from(SECRET))]))
        .build()
        .unwrap();
    let debug = format!("{output:?}");
    assert_redacted(&debug);
    assert!(debug.contains("nodeCount: 1") && debug.contains("\"me\""), "{debug}");

    // A sensitive message stays out of `Debug` and `Display`, but `message()` gives it.
    let error = ServiceFailure::builder().message(SECRET).build();
    assert_redacted(&format!("{error:?}"));
    assert_eq!(error.to_string(), "ServiceFailure");
    assert_eq!(error.message(), Some(SECRET));
}
