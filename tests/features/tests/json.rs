//! The JSON wire format of every kind of value the features model has, with real values: blobs
//! in base64, timestamps in each `@timestampFormat` (fractions and dates before 1970 included),
//! non-finite floats as strings, documents, big numbers that keep every digit, sets, sparse maps,
//! `@jsonName`, keyword member names and recursive structures.

mod common;

use std::collections::HashMap;

use common::{assert_round_trip, from_json, to_json};
use features::primitives::{BigDecimal, BigInteger, Blob, DateTime};
use features::types::{Everything, Keywords, Node, Parent};
use serde_json::json;

/// 2019-12-16T23:48:18Z.
const DEC_16_2019: i64 = 1_576_540_098;

/// 2000-02-29T12:30:00Z.
const LEAP_DAY_2000: i64 = 951_827_400;

#[test]
fn blobs_are_base64() {
    let everything = Everything::builder()
        .token("t")
        .blob(Blob::new(b"hello\0\xff".to_vec()))
        .build();
    assert_round_trip(&everything, json!({ "token": "t", "blob": "aGVsbG8A/w==" }));

    let empty = Everything::builder().token("t").blob(Blob::default()).build();
    assert_round_trip(&empty, json!({ "token": "t", "blob": "" }));

    for invalid in ["aGVsbG8", "aGVsbG8=x", "!!!!", "aGVs bG8="] {
        let text = json!({ "token": "t", "blob": invalid }).to_string();
        let err = serde_json::from_str::<Everything>(&text).unwrap_err();
        assert!(err.to_string().contains("invalid base64"), "{invalid}: {err}");
    }
}

#[test]
fn timestamps_in_each_format() {
    let at = DateTime::from_secs(DEC_16_2019);
    let everything = Everything::builder()
        .token("t")
        .epoch_default(at)
        .date_time(DateTime::from_secs_and_nanos(DEC_16_2019, 123_000_000))
        .http_date(at)
        .epoch_seconds(DateTime::from_secs_f64(-0.5).unwrap())
        .shape_date_time(DateTime::from_secs(0))
        .build();
    assert_round_trip(
        &everything,
        json!({
            "token": "t",
            "epochDefault": 1576540098,
            "dateTime": "2019-12-16T23:48:18.123Z",
            "httpDate": "Mon, 16 Dec 2019 23:48:18 GMT",
            "epochSeconds": -0.5,
            "shapeDateTime": "1970-01-01T00:00:00Z",
        }),
    );
}

#[test]
fn timestamps_in_lists_and_maps() {
    let leap_day = DateTime::from_secs(LEAP_DAY_2000);
    let before_epoch = DateTime::from_secs_and_nanos(-1, 500_000_000);
    let everything = Everything::builder()
        .token("t")
        .date_times(vec![DateTime::from_secs(0), leap_day, before_epoch])
        .http_dates(vec![DateTime::from_secs(0), leap_day])
        .epochs(vec![
            DateTime::from_secs(DEC_16_2019),
            before_epoch,
            DateTime::from_secs_and_nanos(1, 250_000_000),
        ])
        .http_date_map(HashMap::from([(String::from("leap"), leap_day)]))
        .build();
    assert_round_trip(
        &everything,
        json!({
            "token": "t",
            "dateTimes": ["1970-01-01T00:00:00Z", "2000-02-29T12:30:00Z", "1969-12-31T23:59:59.5Z"],
            "httpDates": ["Thu, 01 Jan 1970 00:00:00 GMT", "Tue, 29 Feb 2000 12:30:00 GMT"],
            "epochs": [1576540098, -0.5, 1.25],
            "httpDateMap": { "leap": "Tue, 29 Feb 2000 12:30:00 GMT" },
        }),
    );
}

#[test]
fn timestamps_read_every_format_whatever_the_member_writes() {
    // Readers are lenient: a member reads epoch seconds, date-times (any offset) and http-dates.
    let everything: Everything = from_json(
        r#"{
            "token": "t",
            "epochDefault": "2019-12-17T01:48:18+02:00",
            "dateTime": 1576540098,
            "httpDate": "2019-12-16T23:48:18Z",
            "epochSeconds": "Mon, 16 Dec 2019 23:48:18 GMT"
        }"#,
    );
    let at = Some(DateTime::from_secs(DEC_16_2019));
    assert_eq!(everything.epoch_default, at);
    assert_eq!(everything.date_time, at);
    assert_eq!(everything.http_date, at);
    assert_eq!(everything.epoch_seconds, at);

    for invalid in [
        json!("2019-02-30T00:00:00Z"),
        json!("2019-12-16T23:48:18"),
        json!("yesterday"),
        json!(true),
    ] {
        let text = json!({ "token": "t", "dateTime": invalid }).to_string();
        assert!(
            serde_json::from_str::<Everything>(&text).is_err(),
            "{invalid} was accepted"
        );
    }
}

#[test]
fn fractional_epoch_seconds_keep_their_decimal_digits() {
    // A JSON number is read as the decimal it was written as, not as the nearest binary fraction.
    let cases = [
        ("1576540098.123", DEC_16_2019, 123_000_000),
        ("-0.5", -1, 500_000_000),
        ("-1.25", -2, 750_000_000),
        ("0.001", 0, 1_000_000),
        ("1576540098", DEC_16_2019, 0),
    ];
    for (text, seconds, nanos) in cases {
        let everything: Everything = from_json(&format!(r#"{{"token": "t", "epochSeconds": {text}}}"#));
        let expected = DateTime::from_secs_and_nanos(seconds, nanos);
        assert_eq!(everything.epoch_seconds, Some(expected), "{text}");
        let written = serde_json::to_string(&everything).unwrap();
        assert!(
            written.contains(&format!("\"epochSeconds\":{text}")),
            "{text} written as {written}"
        );
    }
}

#[test]
fn non_finite_floats_are_strings() {
    let everything = Everything::builder()
        .token("t")
        .float(f32::NAN)
        .double(f64::NEG_INFINITY)
        .doubles(vec![f64::INFINITY, -2.5, f64::NAN, 0.0])
        .build();
    let written = to_json(&everything);
    assert_eq!(
        written,
        json!({
            "token": "t",
            "float": "NaN",
            "double": "-Infinity",
            "doubles": ["Infinity", -2.5, "NaN", 0.0],
        })
    );
    let back: Everything = from_json(&written.to_string());
    assert!(back.float.unwrap().is_nan());
    assert_eq!(back.double, Some(f64::NEG_INFINITY));
    let doubles = back.doubles.unwrap();
    assert_eq!(doubles[0], f64::INFINITY);
    assert_eq!(doubles[1], -2.5);
    assert!(doubles[2].is_nan());
    assert_eq!(doubles[3], 0.0);

    // Finite values are plain numbers, integers included.
    let finite: Everything = from_json(r#"{"token": "t", "float": 1, "double": 2.5e3, "doubles": [1e-3]}"#);
    assert_eq!((finite.float, finite.double), (Some(1.0), Some(2500.0)));
    assert_eq!(finite.doubles, Some(vec![0.001]));

    // Through a map of a recursive structure, and through a non-optional defaulted map.
    let node = Node::builder()
        .value(1)
        .weights(HashMap::from([(String::from("w"), f64::INFINITY)]))
        .build()
        .unwrap();
    assert_round_trip(&node, json!({ "value": 1, "weights": { "w": "Infinity" } }));

    for invalid in [json!("nan"), json!("Inf"), json!("1.5"), json!(null)] {
        let text = json!({ "token": "t", "doubles": [invalid] }).to_string();
        assert!(
            serde_json::from_str::<Everything>(&text).is_err(),
            "{invalid} was accepted"
        );
    }
}

#[test]
fn small_integers_keep_their_range() {
    let everything = Everything::builder()
        .token("t")
        .boolean(true)
        .byte(i8::MIN)
        .short(i16::MAX)
        .integer(i32::MIN)
        .long(i64::MAX)
        .build();
    assert_round_trip(
        &everything,
        json!({
            "token": "t",
            "boolean": true,
            "byte": -128,
            "short": 32767,
            "integer": -2147483648i64,
            "long": 9223372036854775807i64,
        }),
    );
    // A byte out of range is an error, not a wrapped value.
    assert!(serde_json::from_str::<Everything>(r#"{"token": "t", "byte": 128}"#).is_err());
    let parent: Parent = from_json(r#"{"byte": 127, "short": -32768, "float": 0.5}"#);
    assert_eq!(
        (parent.byte, parent.short, parent.float),
        (Some(127), Some(-32768), Some(0.5))
    );
}

#[test]
fn documents_hold_any_json() {
    let document = json!({
        "list": [1, -2.5, "three", null, true, { "nested": [] }],
        "empty": {},
        "text": "ünïcødé",
    });
    let everything = Everything::builder().token("t").document(document.clone()).build();
    assert_round_trip(&everything, json!({ "token": "t", "document": document }));

    for scalar in [json!("a string"), json!(42), json!(false), json!([1, 2])] {
        let everything = Everything::builder().token("t").document(scalar.clone()).build();
        assert_round_trip(&everything, json!({ "token": "t", "document": scalar }));
    }
}

#[test]
fn big_numbers_keep_every_digit() {
    let integer = "123456789012345678901234567890";
    let decimal = "-3.14159265358979323846264338327950288419716939937510";
    let everything = Everything::builder()
        .token("t")
        .big_integer(BigInteger::new(integer).unwrap())
        .big_decimal(BigDecimal::new(decimal).unwrap())
        .build();
    let written = serde_json::to_string(&everything).unwrap();
    assert!(written.contains(&format!(r#""bigInteger":{integer}"#)), "{written}");
    assert!(written.contains(&format!(r#""bigDecimal":{decimal}"#)), "{written}");

    let back: Everything = from_json(&written);
    assert_eq!(back, everything);
    assert_eq!(back.big_integer.unwrap().as_str(), integer);
    assert_eq!(back.big_decimal.unwrap().as_str(), decimal);

    // Exponents and surrounding whitespace in the document.
    let read: Everything = from_json(r#"{"token": "t", "bigInteger": -0, "bigDecimal":   1.5E+300  }"#);
    assert_eq!(read.big_integer.unwrap().as_str(), "-0");
    assert_eq!(read.big_decimal.unwrap().as_str(), "1.5E+300");

    // A big integer is an integer; neither is a string.
    for (member, invalid) in [("bigInteger", "1.5"), ("bigInteger", "1e3"), ("bigDecimal", r#""1.5""#)] {
        let text = format!(r#"{{"token": "t", "{member}": {invalid}}}"#);
        assert!(
            serde_json::from_str::<Everything>(&text).is_err(),
            "{text} was accepted"
        );
    }
}

#[test]
fn sets_and_sparse_collections() {
    let everything = Everything::builder()
        .token("t")
        .tag_set(vec![String::from("a"), String::from("b")])
        .sparse_map(HashMap::from([
            (String::from("set"), Some(1)),
            (String::from("unset"), None),
        ]))
        .build();
    assert_round_trip(
        &everything,
        json!({ "token": "t", "tagSet": ["a", "b"], "sparseMap": { "set": 1, "unset": null } }),
    );

    let node = Node::builder()
        .value(0)
        .sparse(vec![None, Some(String::from("x"))])
        .build()
        .unwrap();
    assert_round_trip(&node, json!({ "value": 0, "sparse": [null, "x"] }));

    // A dense list or map does not take nulls.
    assert!(serde_json::from_str::<Everything>(r#"{"token": "t", "tagSet": [null]}"#).is_err());
}

#[test]
fn json_name_renames_the_member_on_the_wire() {
    let everything = Everything::builder().token("t").renamed("on the wire").build();
    assert_round_trip(&everything, json!({ "token": "t", "Renamed-Member": "on the wire" }));
    // The member's own name is not its JSON name: it is an unknown field, ignored.
    let read: Everything = from_json(r#"{"token": "t", "renamed": "ignored"}"#);
    assert_eq!(read.renamed, None);
}

#[test]
fn members_named_like_keywords_keep_their_names_on_the_wire() {
    let keywords = Keywords::builder()
        .r#type("t")
        .r#match(true)
        .r#else(3)
        .self_("s")
        .build_value("b")
        .default("d")
        .super_("p")
        .r#async("a")
        .build();
    assert_round_trip(
        &keywords,
        json!({
            "type": "t", "match": true, "else": 3, "self": "s",
            "build": "b", "Default": "d", "super": "p", "async": "a",
        }),
    );
    assert_eq!(keywords.r#type.as_deref(), Some("t"));
    assert_eq!(keywords.self_.as_deref(), Some("s"));
    assert_eq!(keywords.build_value.as_deref(), Some("b"));
    assert_eq!(keywords.default.as_deref(), Some("d"));
}

#[test]
fn absent_members_are_omitted_and_unknown_fields_ignored() {
    let everything = Everything::builder().token("t").build();
    assert_eq!(to_json(&everything), json!({ "token": "t" }));
    let read: Everything = from_json(r#"{"token": "t", "fromTheFuture": {"deep": [1, 2]}, "x": null}"#);
    assert_eq!(read, everything);
    // The idempotency token is required on the wire; only the builder makes one up.
    assert!(serde_json::from_str::<Everything>("{}").is_err());
}

#[test]
fn recursive_structures_round_trip() {
    let leaf = |value| Node::builder().value(value).build().unwrap();
    let parent = Parent::builder().node(leaf(100)).byte(1).build();
    let tree = Node::builder()
        .value(1)
        .left(Node::builder().value(2).left(leaf(4)).build().unwrap())
        .right(leaf(3))
        .children(vec![
            leaf(5),
            Node::builder().value(6).children(vec![leaf(7)]).build().unwrap(),
        ])
        .parent(parent)
        .build()
        .unwrap();
    assert_round_trip(
        &tree,
        json!({
            "value": 1,
            "left": { "value": 2, "left": { "value": 4 } },
            "right": { "value": 3 },
            "children": [{ "value": 5 }, { "value": 6, "children": [{ "value": 7 }] }],
            "parent": { "node": { "value": 100 }, "byte": 1 },
        }),
    );
    assert_eq!(tree.left.as_ref().unwrap().left.as_ref().unwrap().value, 4);
    assert_eq!(tree.parent.as_ref().unwrap().node.as_ref().unwrap().value, 100);

    // A deep chain (below serde_json's nesting limit of 128), built and read back.
    let mut node = leaf(0);
    for value in 1..100 {
        node = Node::builder().value(value).left(node).build().unwrap();
    }
    let text = serde_json::to_string(&node).unwrap();
    assert_eq!(from_json::<Node>(&text), node);
}

#[test]
fn a_full_document_reads_and_writes_back_identically() {
    let document = json!({
        "blob": "AAECAwQ=",
        "boolean": false,
        "byte": 1,
        "short": 2,
        "integer": 3,
        "long": 4,
        "float": 5.5,
        "double": "Infinity",
        "bigInteger": 6,
        "bigDecimal": 7.25,
        "document": { "k": ["v", 1, null] },
        "epochDefault": 1576540098.5,
        "dateTime": "2000-02-29T12:30:00Z",
        "httpDate": "Thu, 01 Jan 1970 00:00:00 GMT",
        "epochSeconds": -1,
        "shapeDateTime": "1969-12-31T23:59:59.999999999Z",
        "dateTimes": ["2019-12-16T23:48:18Z"],
        "httpDates": ["Mon, 16 Dec 2019 23:48:18 GMT"],
        "epochs": [0],
        "httpDateMap": { "k": "Tue, 29 Feb 2000 12:30:00 GMT" },
        "doubles": [1.5, "-Infinity"],
        "choice": { "many": [{ "nothing": {} }, { "nested": { "point": { "x": 1, "y": 2 } } }] },
        "priority": 10,
        "instanceType": "t2.micro",
        "tagSet": ["x"],
        "sparseMap": { "k": null },
        "secrets": ["hunter2"],
        "secretMap": { "k": "hunter2" },
        "Renamed-Member": "r",
        "old": "o",
        "token": "t",
        "keywords": { "type": "t", "self": "s" },
        "names": { "result": { "ok": true }, "option": "some", "unit": {} },
    });
    let everything: Everything = from_json(&document.to_string());
    assert_eq!(to_json(&everything), document);
    assert_eq!(everything.blob.as_ref().unwrap().as_bytes(), &[0, 1, 2, 3, 4]);
    assert_eq!(
        everything.shape_date_time,
        Some(DateTime::from_secs_and_nanos(-1, 999_999_999))
    );
}

#[test]
fn input_and_output_structures_round_trip() {
    use features::operation::put_tree::{PutTreeInput, PutTreeOutput};
    use features::types::TreeKind;

    let input = PutTreeInput::builder()
        .name("oak")
        .root(Node::builder().value(1).build().unwrap())
        .r#type(TreeKind::Binary)
        .r#match(true)
        .client_token("token")
        .build()
        .unwrap();
    assert_round_trip(
        &input,
        json!({
            "name": "oak", "root": { "value": 1 }, "type": "binary", "match": true, "clientToken": "token",
        }),
    );
    let output: PutTreeOutput = from_json(r#"{"nodeCount": 3, "self": "me"}"#);
    assert_eq!(
        to_json(&output),
        json!({
            "nodeCount": 3, "depth": 1, "ratio": 0.5, "label": "tree", "kind": "binary", "tags": {}, "self": "me",
        })
    );
}
