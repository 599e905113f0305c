//! Names that fight Rust: shapes named like prelude types get `Value` appended (`Result` →
//! `ResultValue`), `Unit` and `Error` of the model keep their names, `DeleteStream_` after
//! `DeleteStream` is numbered, a name taken by another namespace gets that namespace as prefix,
//! an error named `Unhandled` pushes the catch-all variant aside, and enum members named
//! `Unknown` push the forward-compatible variant aside.

mod common;

use common::{assert_round_trip, GENERATED};
use features::error::UnhandledError;
use features::operation::stream_chunks::StreamChunksError;
use features::types::error::Unhandled;
use features::types::{
    BoxValue, DeleteStream, DeleteStream2, Error, Holder, Label, OptionValue, OtherLabel, Priority, ResultValue,
    StringValue, TreeKind, Unit, VecValue,
};
use serde_json::json;

#[test]
fn renamed_types_exist_under_their_expected_names() {
    for item in [
        "pub struct ResultValue {",
        "pub enum OptionValue {",
        "pub struct StringValue {",
        "pub struct Unit {}",
        "pub enum BoxValue {",
        "pub struct VecValue {",
        "pub struct Error {",
        "pub struct DeleteStream {",
        "pub struct DeleteStream2 {",
        "pub struct Label {",
        "pub struct OtherLabel {",
        "pub struct Unhandled {",
    ] {
        assert!(GENERATED.contains(item), "`{item}` is not generated");
    }
    for clash in [
        "pub struct Result ",
        "pub enum Option ",
        "pub struct String ",
        "pub enum Box ",
        "pub struct Vec ",
        "pub struct DeleteStream_",
    ] {
        assert!(!GENERATED.contains(clash), "`{clash}` is generated");
    }
}

#[test]
fn renamed_types_work_and_keep_their_wire_names() {
    let holder = Holder::builder()
        .result(ResultValue::builder().ok(true).build().unwrap())
        .option(OptionValue::None)
        .string(StringValue::builder().value("s").build())
        .unit(Unit::builder().build())
        .r#box(BoxValue::Number(1))
        .vec(VecValue::builder().items(vec![String::from("i")]).build())
        .error(Error::builder().code("E1").build())
        .delete_stream(DeleteStream::builder().first(true).build())
        .delete_stream_underscore(DeleteStream2::builder().second(false).build())
        .label(Label::builder().features("f").build())
        .other_label(OtherLabel::builder().other("o").build())
        .build();
    assert_round_trip(
        &holder,
        json!({
            "result": { "ok": true },
            "option": "none",
            "string": { "value": "s" },
            "unit": {},
            "box": { "number": 1 },
            "vec": { "items": ["i"] },
            "error": { "code": "E1" },
            "deleteStream": { "first": true },
            "deleteStreamUnderscore": { "second": false },
            "label": { "features": "f" },
            "otherLabel": { "other": "o" },
        }),
    );
    // The prelude's types are still the ones the generated code means.
    let result: Result<ResultValue, features::error::BuildError> = ResultValue::builder().build();
    assert!(result.is_err());
    let option: Option<&String> = holder.string.as_ref().and_then(|string| string.value.as_ref());
    assert_eq!(option.map(String::as_str), Some("s"));
    // The model's `Error` is a plain structure, not an error.
    assert_eq!(holder.error.unwrap().code.as_deref(), Some("E1"));
}

#[test]
fn an_error_named_unhandled_keeps_its_name() {
    let modelled = StreamChunksError::from(Unhandled::builder().message("conflict").build());
    assert!(matches!(modelled, StreamChunksError::Unhandled(_)));
    assert_eq!(modelled.code(), Some("Unhandled"));
    assert_eq!(modelled.status(), 409);
    assert_eq!(modelled.message(), Some("conflict"));
    assert_eq!(modelled.to_string(), "Unhandled: conflict");

    // The catch-all variant takes the next free name.
    let unmodelled = StreamChunksError::from(
        UnhandledError::new(503)
            .with_code("Throttled")
            .with_message("slow down"),
    );
    assert!(matches!(unmodelled, StreamChunksError::UnhandledError(_)));
    assert_eq!(unmodelled.code(), Some("Throttled"));
    assert_eq!(unmodelled.status(), 503);
    assert_eq!(
        unmodelled.to_string(),
        "unhandled error (HTTP 503) Throttled: slow down"
    );
}

#[test]
fn enum_members_named_unknown_keep_their_name() {
    assert_eq!(TreeKind::Unknown.as_str(), "unknown");
    assert!(matches!(TreeKind::from("other"), TreeKind::UnknownValue(_)));
    assert_eq!(Priority::Unknown.as_i32(), 0);
    assert_eq!(Priority::from(2), Priority::UnknownValue(2));
    assert!(GENERATED.contains("UnknownValue(crate::primitives::UnknownValue)"));
}

#[test]
fn members_named_like_keywords_and_builder_methods() {
    use features::types::Keywords;
    let keywords = Keywords::builder().r#type("t").build_value("b").default("d").build();
    assert_eq!(keywords.r#type.as_deref(), Some("t"));
    assert_eq!(keywords.build_value.as_deref(), Some("b"));
    assert_eq!(keywords.default.as_deref(), Some("d"));
    assert_eq!(Keywords::default(), Keywords::builder().build());
    for field in [
        "pub r#type:",
        "pub r#match:",
        "pub r#else:",
        "pub self_:",
        "pub build_value:",
        "pub super_:",
    ] {
        assert!(GENERATED.contains(field), "`{field}` is not generated");
    }
}
