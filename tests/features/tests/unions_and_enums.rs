//! Unions (a JSON object with exactly one member; unknown members kept by name; `__type`
//! ignored), the event-stream union, string enums, intEnums and the legacy `@enum` trait
//! (unknown values kept and given back unchanged).

// `Choice::Legacy` is deprecated in the model; it is part of the contract all the same.
#![allow(deprecated)]

mod common;

use common::{assert_round_trip, from_json, to_json};
use features::primitives::DateTime;
use features::types::{
    BoxValue, Choice, ChunkEvent, ChunkEvents, EndEvent, InstanceType, OptionValue, Point, Priority, TreeKind,
};
use serde_json::json;

fn point(x: i32, y: i32) -> Point {
    Point::builder().x(x).y(y).build().unwrap()
}

#[test]
fn each_union_member_is_a_one_member_object() {
    let cases = [
        (Choice::Point(point(1, -2)), json!({ "point": { "x": 1, "y": -2 } })),
        (Choice::Text(String::from("hi")), json!({ "text": "hi" })),
        (Choice::Nothing, json!({ "nothing": {} })),
        (
            Choice::At(DateTime::from_secs_and_nanos(1_576_540_098, 500_000_000)),
            json!({ "at": "2019-12-16T23:48:18.5Z" }),
        ),
        (Choice::Secret(String::from("hunter2")), json!({ "secret": "hunter2" })),
        (Choice::Legacy(String::from("old")), json!({ "legacy": "old" })),
        (
            Choice::Nested(Box::new(Choice::Nested(Box::new(Choice::Text(String::from("deep")))))),
            json!({ "nested": { "nested": { "text": "deep" } } }),
        ),
        (
            Choice::Many(vec![Choice::Nothing, Choice::Many(vec![]), Choice::Point(point(0, 0))]),
            json!({ "many": [{ "nothing": {} }, { "many": [] }, { "point": { "x": 0, "y": 0 } }] }),
        ),
    ];
    for (choice, expected) in cases {
        assert_round_trip(&choice, expected);
    }
    assert_round_trip(&BoxValue::Number(7), json!({ "number": 7 }));
    assert_round_trip(&BoxValue::Text(String::from("t")), json!({ "text": "t" }));
}

#[test]
fn a_unit_member_reads_any_value() {
    // A unit member carries no data: whatever the object holds, it is read as the variant.
    for value in [json!({}), json!({ "ignored": 1 }), json!(null)] {
        let choice: Choice = from_json(&json!({ "nothing": value }).to_string());
        assert_eq!(choice, Choice::Nothing, "{value}");
    }
}

#[test]
fn the_date_time_member_reads_other_formats_too() {
    let expected = Choice::At(DateTime::from_secs(0));
    assert_eq!(from_json::<Choice>(r#"{"at": "1970-01-01T00:00:00Z"}"#), expected);
    assert_eq!(from_json::<Choice>(r#"{"at": 0}"#), expected);
    assert_eq!(
        from_json::<Choice>(r#"{"at": "Thu, 01 Jan 1970 00:00:00 GMT"}"#),
        expected
    );
    assert!(serde_json::from_str::<Choice>(r#"{"at": "1970-01-01"}"#).is_err());
}

#[test]
fn an_unknown_member_is_kept_by_name_and_cannot_be_written() {
    let choice: Choice = from_json(r#"{"addedLater": {"with": ["data"]}}"#);
    assert_eq!(choice, Choice::Unknown(String::from("addedLater")));
    let err = serde_json::to_string(&choice).unwrap_err();
    assert!(err.to_string().contains("addedLater"), "{err}");
    assert_eq!(format!("{choice:?}"), r#"Unknown("addedLater")"#);
}

#[test]
fn the_type_key_is_ignored() {
    let choice: Choice = from_json(r#"{"__type": "example.features#Choice", "text": "a"}"#);
    assert_eq!(choice, Choice::Text(String::from("a")));
    let choice: Choice = from_json(r#"{"text": "a", "__type": "anything"}"#);
    assert_eq!(choice, Choice::Text(String::from("a")));
    // `__type` alone sets no member.
    assert!(serde_json::from_str::<Choice>(r#"{"__type": "example.features#Choice"}"#).is_err());
}

#[test]
fn null_members_are_not_set() {
    let choice: Choice = from_json(r#"{"text": null, "point": {"x": 1, "y": 2}, "secret": null}"#);
    assert_eq!(choice, Choice::Point(point(1, 2)));
}

#[test]
fn a_union_has_exactly_one_member() {
    for invalid in [
        r#"{"text": "a", "point": {"x": 1, "y": 2}}"#,
        r#"{"text": "a", "somethingNew": 1}"#,
        r#"{"text": "a", "text": "b"}"#,
        r#"{}"#,
        r#"{"text": null}"#,
        r#""text""#,
        r#"["text", "a"]"#,
        r#"null"#,
    ] {
        let err = serde_json::from_str::<Choice>(invalid).unwrap_err();
        assert!(err.to_string().contains("Choice"), "{invalid}: {err}");
    }
    // Each member's value is checked against its type.
    assert!(serde_json::from_str::<Choice>(r#"{"point": {"x": 1}}"#).is_err());
    assert!(serde_json::from_str::<Choice>(r#"{"text": 5}"#).is_err());
}

#[test]
fn unions_inside_structures_round_trip() {
    use features::types::Everything;
    let everything = Everything::builder()
        .token("t")
        .choice(Choice::Many(vec![Choice::Nested(Box::new(Choice::Nothing))]))
        .build();
    assert_round_trip(
        &everything,
        json!({ "token": "t", "choice": { "many": [{ "nested": { "nothing": {} } }] } }),
    );
}

#[test]
fn event_stream_events_are_union_members() {
    let chunk = ChunkEvent::builder()
        .seq(1)
        .data(features::primitives::Blob::from("abc"))
        .build()
        .unwrap();
    assert_round_trip(
        &ChunkEvents::Chunk(chunk.clone()),
        json!({ "chunk": { "seq": 1, "data": "YWJj" } }),
    );
    assert_round_trip(&ChunkEvents::End(EndEvent::builder().build()), json!({ "end": {} }));
    assert_eq!(
        from_json::<ChunkEvents>(r#"{"error": {"message": "x"}}"#),
        ChunkEvents::Unknown(String::from("error"))
    );
    assert!(ChunkEvent::builder().build().is_err());
}

#[test]
fn string_enums_keep_unknown_values() {
    assert_eq!(TreeKind::values(), ["binary", "unknown", "t2.micro"]);
    assert_eq!(TreeKind::from("binary"), TreeKind::Binary);
    assert_eq!(TreeKind::from("t2.micro"), TreeKind::T2Micro);
    // `unknown` is a value of the model; the forward-compatible variant is renamed around it.
    assert_eq!(TreeKind::from("unknown"), TreeKind::Unknown);
    let future = TreeKind::from("quad");
    assert!(matches!(&future, TreeKind::UnknownValue(value) if value.as_str() == "quad"));
    assert_eq!(future.as_str(), "quad");
    assert_eq!(future.to_string(), "quad");
    assert_eq!("quad".parse::<TreeKind>().unwrap(), future);

    for (kind, text) in [
        (TreeKind::Binary, "binary"),
        (TreeKind::Unknown, "unknown"),
        (TreeKind::T2Micro, "t2.micro"),
        (future, "quad"),
    ] {
        assert_eq!(kind.as_str(), text);
        assert_eq!(kind.as_ref(), text);
        assert_round_trip(&kind, json!(text));
    }
    // Case matters: a value in another case is an unknown value.
    assert!(matches!(TreeKind::from("BINARY"), TreeKind::UnknownValue(_)));
    assert!(serde_json::from_str::<TreeKind>("1").is_err());

    assert_eq!(OptionValue::values(), ["some", "none"]);
    assert_round_trip(&OptionValue::Some, json!("some"));
    assert_round_trip(&OptionValue::None, json!("none"));
}

#[test]
fn int_enums_keep_unknown_values() {
    assert_eq!(Priority::values(), [1, 10, 0]);
    assert_eq!(Priority::from(1), Priority::Low);
    assert_eq!(Priority::from(10), Priority::High);
    assert_eq!(Priority::from(0), Priority::Unknown);
    let future = Priority::from(-7);
    assert_eq!(future, Priority::UnknownValue(-7));
    assert_eq!(future.as_i32(), -7);
    assert_eq!(future.to_string(), "-7");
    for (priority, value) in [
        (Priority::Low, 1),
        (Priority::High, 10),
        (Priority::Unknown, 0),
        (future, -7),
    ] {
        assert_eq!(priority.as_i32(), value);
        assert_round_trip(&priority, json!(value));
    }
    assert!(serde_json::from_str::<Priority>(r#""1""#).is_err());
    assert!(serde_json::from_str::<Priority>("1.5").is_err());
    assert!(serde_json::from_str::<Priority>("2147483648").is_err());
}

#[test]
fn legacy_enum_trait_values() {
    // Entries with a `name` take it; the others are named after their value.
    assert_eq!(InstanceType::values(), ["t2.micro", "1", "-", "*"]);
    for (value, text) in [
        (InstanceType::T2Micro, "t2.micro"),
        (InstanceType::V1, "1"),
        (InstanceType::Hyphen, "-"),
        (InstanceType::Asterisk, "*"),
    ] {
        assert_eq!(InstanceType::from(text), value);
        assert_eq!(value.as_str(), text);
        assert_round_trip(&value, json!(text));
    }
    let future = InstanceType::from("m5.large");
    assert!(matches!(&future, InstanceType::Unknown(value) if value.as_str() == "m5.large"));
    assert_round_trip(&future, json!("m5.large"));
    assert!(matches!(InstanceType::from(""), InstanceType::Unknown(_)));
}

#[test]
fn enums_in_structures() {
    use features::types::Everything;
    let everything: Everything = from_json(r#"{"token": "t", "priority": 99, "instanceType": "x1e.32xlarge"}"#);
    assert_eq!(everything.priority, Some(Priority::UnknownValue(99)));
    assert_eq!(
        everything.instance_type.as_ref().map(InstanceType::as_str),
        Some("x1e.32xlarge")
    );
    assert_eq!(
        to_json(&everything),
        json!({ "token": "t", "priority": 99, "instanceType": "x1e.32xlarge" })
    );
}

/// `@deprecated` reaches structure members and union members, but not enum members: the legacy
/// `@enum` entry `*` is `deprecated: true`, yet `InstanceType::Asterisk` carries no attribute.
#[test]
fn deprecated_enum_members_are_marked() {
    let start = common::GENERATED.find("pub enum InstanceType {").unwrap();
    let end = start + common::GENERATED[start..].find('}').unwrap();
    assert!(
        common::GENERATED[start..end].contains("#[deprecated"),
        "{}",
        &common::GENERATED[start..end]
    );
}
