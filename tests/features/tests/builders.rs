//! Builders: `@default` values of every kind (checked against the model itself), also when
//! JSON leaves the member out; `@required` members (`BuildError` names the first missing one);
//! `@clientOptional`, `@addedDefault` and `@input` nullability; `@idempotencyToken` members
//! filled with a fresh UUID v4 when unset and kept when set; `@deprecated` members.

mod common;

use std::collections::{HashMap, HashSet};

use common::{from_json, model, shape, to_json, GENERATED};
use features::error::BuildError;
use features::operation::put_tree::{PutTreeInput, PutTreeOutput};
use features::operation::stream_chunks::StreamChunksInput;
use features::primitives::{BigDecimal, BigInteger, Blob, DateTime};
use features::types::{BigDefaults, Defaults, Everything, InstanceType, Node, Point, Priority, ResultValue, TreeKind};
use serde_json::{json, Value};

/// The members of a structure of the model, with their traits.
fn members(name: &str) -> Vec<(String, Value)> {
    let shape = shape(&model(), name);
    shape["members"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, member)| (name.clone(), member.clone()))
        .collect()
}

/// The JSON name of a member.
fn json_name(name: &str, member: &Value) -> String {
    member["traits"]["smithy.api#jsonName"]
        .as_str()
        .unwrap_or(name)
        .to_owned()
}

/// Members of `structure` whose `@default` applies (not `@clientOptional`, not `@addedDefault`).
fn applied_defaults(structure: &str) -> Vec<(String, Value)> {
    members(structure)
        .into_iter()
        .filter(|(_, member)| {
            let traits = &member["traits"];
            traits.get("smithy.api#default").is_some()
                && traits.get("smithy.api#clientOptional").is_none()
                && traits.get("smithy.api#addedDefault").is_none()
        })
        .map(|(name, member)| {
            (
                json_name(&name, &member),
                member["traits"]["smithy.api#default"].clone(),
            )
        })
        .collect()
}

#[test]
fn the_features_model_has_a_default_of_every_kind() {
    let defaults: Vec<Value> = applied_defaults("Defaults")
        .into_iter()
        .map(|(_, value)| value)
        .collect();
    assert!(defaults.contains(&json!(true)) && defaults.contains(&json!(false)));
    assert!(defaults.iter().any(Value::is_i64) && defaults.iter().any(Value::is_f64));
    assert!(defaults.iter().any(Value::is_string) && defaults.contains(&json!("")));
    assert!(defaults.contains(&json!([])) && defaults.contains(&json!({})));
    assert!(defaults.iter().any(Value::is_object), "a document default");
    assert_eq!(applied_defaults("Defaults").len(), 22);
}

#[test]
fn builder_defaults_are_the_model_defaults() {
    let written = to_json(&Defaults::builder().added(5).build());
    for (name, default) in applied_defaults("Defaults") {
        assert_eq!(written[&name], default, "default of `{name}`");
    }
    for (name, default) in applied_defaults("PutTreeOutput") {
        let output = PutTreeOutput::builder().node_count(1).self_("me").build().unwrap();
        assert_eq!(to_json(&output)[&name], default, "default of `{name}`");
    }
}

#[test]
#[allow(deprecated)] // `*` is a deprecated value of the legacy enum.
fn builder_defaults_as_rust_values() {
    let defaults = Defaults::builder().build();
    assert!(defaults.flag);
    assert!(!defaults.off);
    assert_eq!(defaults.byte, -8);
    assert_eq!(defaults.count, 42);
    assert_eq!(defaults.long, -7);
    assert_eq!(defaults.float, 1.5);
    assert_eq!(defaults.double, -2.25);
    assert_eq!(defaults.zero, 0);
    assert_eq!(defaults.name, "hello");
    assert_eq!(defaults.empty, "");
    assert_eq!(defaults.kind, TreeKind::T2Micro);
    assert_eq!(defaults.instance_type, InstanceType::Asterisk);
    assert_eq!(defaults.priority, Priority::High);
    assert_eq!(defaults.epoch, DateTime::from_secs(1_576_540_098));
    assert_eq!(
        defaults.when,
        DateTime::parse_date_time("2000-02-29T12:30:00Z").unwrap()
    );
    assert_eq!(defaults.blob, Blob::from("hello"));
    assert_eq!(defaults.empty_blob, Blob::default());
    assert_eq!(defaults.document, json!({ "a": [1, true, null], "b": "x" }));
    assert_eq!(defaults.big_integer, BigInteger::new("12345").unwrap());
    assert_eq!(defaults.big_decimal, BigDecimal::new("0.25").unwrap());
    assert!(defaults.names.is_empty());
    assert!(defaults.weights.is_empty());
    // `@clientOptional` wins over `@default`: the member may be absent.
    assert_eq!(defaults.optional_default, None);
}

#[test]
fn json_without_the_members_takes_the_defaults() {
    let read: Defaults = from_json(r#"{"added": 5}"#);
    assert_eq!(read, Defaults::builder().added(5).build());
    let output: PutTreeOutput = from_json(r#"{"nodeCount": 2}"#);
    assert_eq!(output.depth, 1);
    assert_eq!(output.ratio, 0.5);
    assert_eq!(output.label, "tree");
    assert_eq!(output.kind, TreeKind::Binary);
    assert!(output.tags.is_empty());
    assert_eq!(output.self_, None);
}

#[test]
fn set_values_replace_the_defaults() {
    let defaults = Defaults::builder()
        .flag(false)
        .count(0)
        .name("")
        .kind(TreeKind::from("quad"))
        .priority(Priority::Low)
        .epoch(DateTime::from_secs(-1))
        .blob(Blob::default())
        .document(Value::Null)
        .names(vec![String::from("n")])
        .weights(HashMap::from([(String::from("w"), 1.0)]))
        .added(6)
        .optional_default("set")
        .build();
    assert!(!defaults.flag);
    assert_eq!(defaults.count, 0);
    assert_eq!(defaults.name, "");
    assert_eq!(defaults.kind.as_str(), "quad");
    assert_eq!(defaults.priority, Priority::Low);
    assert_eq!(defaults.epoch.secs(), -1);
    assert!(defaults.blob.as_bytes().is_empty());
    assert_eq!(defaults.document, Value::Null);
    assert_eq!(defaults.names, ["n"]);
    assert_eq!(defaults.added, Some(6));
    assert_eq!(defaults.optional_default.as_deref(), Some("set"));
    // Values equal to the default are written, not left out.
    let written = to_json(&defaults);
    assert_eq!(written["flag"], json!(false));
    assert_eq!(written["document"], Value::Null);
    assert_eq!(written["optionalDefault"], json!("set"));
}

/// `@addedDefault`: the default was added after the member was published, so a client may see
/// it absent: the member is optional, unset by the builder and absent from JSON when unset.
#[test]
fn added_default_members_are_optional() {
    let built = Defaults::builder().build();
    assert_eq!(built.added, None);
    assert!(to_json(&built).get("added").is_none());
    let read: Defaults = serde_json::from_str("{}").unwrap();
    assert_eq!(read.added, None);
    let read: Defaults = serde_json::from_str(r#"{"added": 7}"#).unwrap();
    assert_eq!(read.added, Some(7));
}

/// Big-number defaults go through an `f64` in the generator and lose their digits; the
/// generated default then fails to parse and silently becomes 0.
#[test]
#[ignore = "known limitation: the model is read with f64 numbers, so big-number @default values beyond f64 precision lose digits"]
fn big_number_defaults_keep_every_digit() {
    let defaults = BigDefaults::builder().build();
    assert_eq!(defaults.huge_integer.as_str(), "123456789012345678901234567890");
    assert_eq!(defaults.precise_decimal.as_str(), "0.1000000000000000000001");
}

#[test]
fn required_members_must_be_set() {
    let err = Point::builder().x(1).build().unwrap_err();
    assert_eq!(err, BuildError::missing("Point", "y"));
    assert_eq!((err.shape(), err.member()), ("Point", "y"));
    assert_eq!(err.to_string(), "cannot build `Point`: required member `y` is not set");
    // The first missing member in model order is named.
    assert_eq!(Point::builder().build().unwrap_err().member(), "x");
    assert_eq!(
        ResultValue::builder().build().unwrap_err(),
        BuildError::missing("ResultValue", "ok")
    );
    assert_eq!(Node::builder().build().unwrap_err().member(), "value");
    let point = Point::builder().x(1).y(2).build().unwrap();
    assert_eq!((point.x, point.y), (1, 2));

    // Required members of `@input` structures are plain fields, which the builder checks and
    // `new` takes; their other members stay optional.
    let root = Node::builder().value(1).build().unwrap();
    let err = PutTreeInput::builder().root(root.clone()).build().unwrap_err();
    assert_eq!(err, BuildError::missing("PutTreeInput", "name"));
    let err = PutTreeInput::builder().name("oak").build().unwrap_err();
    assert_eq!(err, BuildError::missing("PutTreeInput", "root"));
    let input = PutTreeInput::builder().name("oak").root(root.clone()).build().unwrap();
    assert_eq!(input.name, "oak");
    assert_eq!(input.r#match, None, "members of an @input structure stay optional");
    // `new` makes up an idempotency token, as `build()` does.
    let made = PutTreeInput::new("oak", root);
    assert_eq!((&made.name, &made.root), (&input.name, &input.root));
    assert!(made
        .client_token
        .is_some_and(|token| token != input.client_token.unwrap_or_default()));
    assert_eq!(Point::new(1, 2), point);
    let err = StreamChunksInput::builder().build().unwrap_err();
    assert_eq!(err, BuildError::missing("StreamChunksInput", "stream_name"));

    // `@required` with `@clientOptional`: an `Option` field, still required by the builder.
    let err = PutTreeOutput::builder().node_count(1).build().unwrap_err();
    assert_eq!(err, BuildError::missing("PutTreeOutput", "self_"));
    let output = PutTreeOutput::builder().node_count(1).self_("me").build().unwrap();
    assert_eq!(output.self_.as_deref(), Some("me"));

    let _: &dyn std::error::Error = &err;
}

#[test]
fn required_members_must_be_in_the_json() {
    assert!(serde_json::from_str::<Point>(r#"{"x": 1}"#).is_err());
    assert!(serde_json::from_str::<Point>(r#"{"x": 1, "y": null}"#).is_err());
    assert_eq!(
        from_json::<Point>(r#"{"x": 1, "y": 2}"#),
        Point::builder().x(1).y(2).build().unwrap()
    );
}

/// Whether `token` is a lowercase UUID of version 4 and the RFC 4122 variant.
fn is_uuid_v4(token: &str) -> bool {
    let bytes = token.as_bytes();
    token.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| {
            if [8, 13, 18, 23].contains(&i) {
                *b == b'-'
            } else {
                matches!(b, b'0'..=b'9' | b'a'..=b'f')
            }
        })
        && bytes[14] == b'4'
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b')
}

#[test]
fn idempotency_tokens_are_filled_when_unset() {
    let root = Node::builder().value(1).build().unwrap();
    let build = || PutTreeInput::builder().name("oak").root(root.clone()).build().unwrap();
    let first = build().client_token.unwrap();
    let second = build().client_token.unwrap();
    assert!(is_uuid_v4(&first), "{first}");
    assert!(is_uuid_v4(&second), "{second}");
    assert_ne!(first, second);

    let kept = PutTreeInput::builder()
        .name("oak")
        .root(root)
        .client_token("my-token")
        .build()
        .unwrap();
    assert_eq!(kept.client_token.as_deref(), Some("my-token"));

    // A non-optional token member (required, in a structure that is not an input).
    let token = Everything::builder().build().token;
    assert!(is_uuid_v4(&token), "{token}");
    assert_eq!(Everything::builder().token("mine").build().token, "mine");
    assert_eq!(
        Everything::builder().token("").build().token,
        "",
        "an empty token is a set token"
    );
}

#[test]
fn idempotency_tokens_are_unique() {
    let tokens: HashSet<String> = (0..10_000).map(|_| Everything::builder().build().token).collect();
    assert_eq!(tokens.len(), 10_000);
    assert!(tokens.iter().all(|token| is_uuid_v4(token)));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                (0..1000)
                    .map(|_| Everything::builder().build().token)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = HashSet::new();
    for thread in threads {
        for token in thread.join().unwrap() {
            assert!(all.insert(token), "a token was given out twice");
        }
    }
}

#[test]
fn idempotency_tokens_are_not_made_up_when_reading() {
    let input: PutTreeInput = from_json(r#"{"name": "oak", "root": {"value": 1}}"#);
    assert_eq!(input.client_token, None);
}

#[test]
#[allow(deprecated)]
fn deprecated_members_still_work() {
    let everything = Everything::builder().token("t").old("value").build();
    assert_eq!(everything.old.as_deref(), Some("value"));
    assert_eq!(to_json(&everything)["old"], json!("value"));
    // The message and the date both reach the attribute (`since` is not a semver version).
    assert!(GENERATED.contains(r#"#[deprecated(note = "use `renamed` instead (deprecated since 2024-01-01)")]"#));
    assert!(GENERATED.contains(r#"#[deprecated(note = "use text (deprecated since 2023-06-30)")]"#));
}

#[test]
fn builders_are_plain_values() {
    let builder = Everything::builder().token("t").integer(1);
    let copy = builder.clone();
    assert_eq!(format!("{builder:?}"), format!("{copy:?}"));
    assert_eq!(builder.build(), copy.build());
    assert_eq!(Defaults::builder().build(), Defaults::builder().build());
}

#[test]
fn a_structure_of_optional_members_is_its_own_builder() {
    use features::types::builders::DeleteStreamBuilder;
    use features::types::{DeleteStream, Keywords};
    // `DeleteStreamBuilder` names `DeleteStream`: its setters are the value's methods and
    // `build` gives the value back.
    let built: DeleteStream = DeleteStreamBuilder::default().first(true).build();
    assert_eq!(built, DeleteStream::builder().first(true));
    assert_eq!(built.first, Some(true));
    assert_eq!(
        format!("{built:?}"),
        format!("{:?}", DeleteStream::builder().first(true))
    );
    assert!(GENERATED.contains("pub type DeleteStreamBuilder = crate::types::DeleteStream;"));
    // A member whose setter would be named as one of the value's methods (`Keywords` has
    // `Default`, whose setter `default` would hide `Keywords::default()`) keeps a builder of its
    // own, as does a structure with a required member.
    let keywords: Keywords = Keywords::builder().default("d").build();
    assert_eq!(keywords.default.as_deref(), Some("d"));
    assert!(GENERATED.contains("pub struct KeywordsBuilder {"));
    assert!(GENERATED.contains("pub struct PointBuilder {"));
}
