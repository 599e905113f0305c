//! Bad models get a clear error that names the place (file, line:column or JSON path, shape
//! id), never a panic, and nothing is written.

use std::path::PathBuf;

use smithy_codegen::{Codegen, Error, ErrorKind};

/// Writes `text` to a fresh file in a temporary directory and returns its path.
fn model_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smithy-codegen-bad-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    path
}

fn generate(name: &str, text: &str) -> (PathBuf, Error) {
    let path = model_file(name, text);
    let err = Codegen::new()
        .model(&path)
        .generate()
        .expect_err("the model must be refused");
    (path, err)
}

/// A valid service with one operation whose input is the given structure members.
fn service_with_input(members: &str, extra_shapes: &str) -> String {
    format!(
        r#"{{
  "smithy": "2.0",
  "shapes": {{
    "example#Service": {{"type": "service", "version": "1", "operations": [{{"target": "example#Op"}}]}},
    "example#Op": {{"type": "operation", "input": {{"target": "example#OpInput"}}}},
    "example#OpInput": {{"type": "structure", "members": {{{members}}}, "traits": {{"smithy.api#input": {{}}}}}}{extra_shapes}
  }}
}}"#
    )
}

#[test]
fn malformed_json_names_line_and_column() {
    let (path, err) = generate(
        "malformed",
        "{\n  \"smithy\": \"2.0\",\n  \"shapes\": {\n    \"a#B\": {\"type\": \"string\",}\n  }\n}",
    );
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert_eq!(err.file(), Some(path.as_path()));
    assert_eq!(err.line_column(), Some((4, 30)));
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{}:4:30: invalid JSON", path.display())),
        "{message}"
    );
}

#[test]
fn missing_target_names_member_and_shape() {
    let (path, err) = generate(
        "missing-target",
        &service_with_input(r#""Name": {"target": "example#Nowhere"}"#, ""),
    );
    assert_eq!(err.kind(), ErrorKind::UnresolvedTarget);
    assert_eq!(err.shape(), Some("example#OpInput"));
    assert_eq!(
        err.json_path(),
        Some(r#"$.shapes["example#OpInput"].members.Name.target"#)
    );
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("member `Name` targets `example#Nowhere`"), "{message}");
}

#[test]
fn unknown_shape_type_is_refused() {
    let (_, err) = generate(
        "unknown-type",
        &service_with_input("", r#", "example#Widget": {"type": "widget"}"#),
    );
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.shape(), Some("example#Widget"));
    assert!(err.to_string().contains("unknown shape type `widget`"), "{err}");
}

#[test]
fn unsupported_member_type_names_the_shape() {
    let (_, err) = generate(
        "unsupported-member",
        &service_with_input(
            r#""Counts": {"target": "example#CountsByNumber"}"#,
            r#", "example#CountsByNumber": {"type": "map", "key": {"target": "smithy.api#Integer"}, "value": {"target": "smithy.api#Integer"}}"#,
        ),
    );
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.shape(), Some("example#OpInput"));
    assert!(
        err.to_string()
            .contains("member `Counts` targets `example#CountsByNumber`: map keys that are not strings"),
        "{err}"
    );
}

#[test]
fn an_unknown_smithy_version_is_refused() {
    let (_, err) = generate("smithy-3", r#"{"smithy": "3.0", "shapes": {}}"#);
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.json_path(), Some("$.smithy"));
    assert!(
        err.to_string().contains("Smithy version `3.0` is not supported"),
        "{err}"
    );
    assert!(err.to_string().contains("smithy-3.json"), "the file is named: {err}");
}

/// Generates a valid model and returns its single-file source.
fn source_of(name: &str, text: &str) -> String {
    let path = model_file(name, text);
    let generated = Codegen::new()
        .model(&path)
        .generate()
        .unwrap_or_else(|err| panic!("{err}"));
    generated.single_file().unwrap()
}

#[test]
fn two_shapes_with_one_rust_name_get_distinct_names() {
    let members = r#""A": {"target": "example#DeleteStream"}, "B": {"target": "example#Delete_Stream"}, "C": {"target": "other.ns#DeleteStream"}"#;
    let shapes = r#",
    "example#DeleteStream": {"type": "structure", "members": {}},
    "example#Delete_Stream": {"type": "structure", "members": {}},
    "other.ns#DeleteStream": {"type": "structure", "members": {}}"#;
    let source = source_of("name-conflict", &service_with_input(members, shapes));
    // The first by shape id keeps the name; another namespace's shape is qualified by it; the
    // rest are numbered. The same model always gets the same names.
    for expected in [
        "pub struct DeleteStream {",
        "pub struct DeleteStream2 {",
        "pub struct NsDeleteStream {",
    ] {
        assert!(source.contains(expected), "missing `{expected}`");
    }
    assert!(source.contains("pub a: Option<crate::types::DeleteStream>"));
    assert!(source.contains("pub b: Option<crate::types::DeleteStream2>"));
    assert!(source.contains("pub c: Option<crate::types::NsDeleteStream>"));
}

#[test]
fn two_members_with_one_field_name_get_distinct_names() {
    let source = source_of(
        "member-conflict",
        &service_with_input(
            r#""FooBar": {"target": "smithy.api#String"}, "foo_bar": {"target": "smithy.api#String"}"#,
            "",
        ),
    );
    // Each field keeps its member's name in the schema, which the codecs use on the wire.
    assert!(source.contains(r#"Member::new("FooBar""#) && source.contains("pub foo_bar: Option<String>"));
    assert!(source.contains(r#"Member::new("foo_bar""#) && source.contains("pub foo_bar_2: Option<String>"));
    assert!(source.contains("0 => ::smithy_runtime::shape::optional(&self.foo_bar)"));
    assert!(source.contains("1 => ::smithy_runtime::shape::optional(&self.foo_bar_2)"));
}

#[test]
fn wrong_json_types_name_their_path() {
    let (_, err) = generate(
        "wrong-type",
        r#"{"smithy": "2.0", "shapes": {"example#S": {"type": "structure", "members": []}}}"#,
    );
    assert_eq!(err.kind(), ErrorKind::InvalidModel);
    assert_eq!(err.json_path(), Some(r#"$.shapes["example#S"].members"#));
    assert!(
        err.to_string().contains("expected a JSON object, found an array"),
        "{err}"
    );
}

#[test]
fn unknown_operation_is_refused() {
    let path = model_file("unknown-operation", &service_with_input("", ""));
    let err = Codegen::new().model(&path).operation("Nope").generate().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnresolvedTarget);
    assert!(err.to_string().contains("has no operation named `Nope`"), "{err}");
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Codegen::new().model("/nonexistent/model.json").generate().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().starts_with("/nonexistent/model.json: "), "{err}");
}

#[test]
fn a_refused_model_writes_nothing() {
    let path = model_file(
        "nothing-written",
        &service_with_input(r#""Name": {"target": "example#Nowhere"}"#, ""),
    );
    let out = std::env::temp_dir().join(format!("smithy-codegen-not-written-{}", std::process::id()));
    let result = Codegen::new()
        .model(&path)
        .generate()
        .and_then(|generated| generated.write_crate(&out, &smithy_codegen::CrateOptions::new("not-written")));
    assert!(result.is_err());
    assert!(!out.exists(), "a failed generation created {}", out.display());
}

// ---------------------------------------------------------------------------------------------
// Models that are wrong in the ways people get them wrong: each is refused with the JSON path
// and shape of the mistake, and every mistake of a model is reported in one run.
// ---------------------------------------------------------------------------------------------

/// A sound restJson1 service: `GET /things/{id}` and `PUT /other/{id}` with a payload.
fn sound_model() -> serde_json::Value {
    serde_json::json!({
        "smithy": "2.0",
        "shapes": {
            "ex#Svc": {"type": "service", "version": "1",
                "operations": [{"target": "ex#Get"}, {"target": "ex#Put"}],
                "traits": {"aws.protocols#restJson1": {}}},
            "ex#Get": {"type": "operation", "input": {"target": "ex#GetInput"}, "output": {"target": "ex#GetOutput"},
                "errors": [{"target": "ex#Oops"}],
                "traits": {"smithy.api#http": {"method": "GET", "uri": "/things/{id}", "code": 200}}},
            "ex#GetInput": {"type": "structure", "members": {
                "id": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#httpLabel": {}}},
                "h": {"target": "smithy.api#String", "traits": {"smithy.api#httpHeader": "X-H"}},
                "n": {"target": "ex#Small"}},
                "traits": {"smithy.api#input": {}}},
            "ex#GetOutput": {"type": "structure", "members": {"v": {"target": "smithy.api#String"}},
                "traits": {"smithy.api#output": {}}},
            "ex#Put": {"type": "operation", "input": {"target": "ex#PutInput"},
                "traits": {"smithy.api#http": {"method": "PUT", "uri": "/other/{id}", "code": 200}}},
            "ex#PutInput": {"type": "structure", "members": {
                "id": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}, "smithy.api#httpLabel": {}}},
                "body": {"target": "smithy.api#String", "traits": {"smithy.api#httpPayload": {}}}},
                "traits": {"smithy.api#input": {}}},
            "ex#Oops": {"type": "structure", "members": {"message": {"target": "smithy.api#String"}},
                "traits": {"smithy.api#error": "client"}},
            "ex#Small": {"type": "integer"}
        }
    })
}

fn shapes(model: &mut serde_json::Value) -> &mut serde_json::Map<String, serde_json::Value> {
    model["shapes"].as_object_mut().expect("shapes is an object")
}

/// Generates from `model`, which must be refused; returns the error.
fn refused(name: &str, model: &serde_json::Value) -> Error {
    let path = model_file(name, &serde_json::to_string_pretty(model).expect("JSON"));
    Codegen::new()
        .model(&path)
        .generate()
        .map(|_| ())
        .expect_err(&format!("{name}: the model must be refused"))
}

#[test]
fn the_sound_model_generates() {
    let path = model_file("sound", &sound_model().to_string());
    Codegen::new()
        .model(&path)
        .generate()
        .expect("the sound model generates");
}

#[test]
fn every_common_mistake_is_refused_at_its_place() {
    type Change = fn(&mut serde_json::Value);
    let cases: &[(&str, Change, &str, &str, &str)] = &[
        (
            "http-without-method",
            |m| {
                shapes(m)["ex#Get"]["traits"]["smithy.api#http"]
                    .as_object_mut()
                    .unwrap()
                    .remove("method");
            },
            r#"$.shapes["ex#Get"].traits["smithy.api#http"]"#,
            "ex#Get",
            "missing the required member `method`",
        ),
        (
            "http-method-with-space",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#http"]["method"] = "GE T".into(),
            r#"$.shapes["ex#Get"].traits["smithy.api#http"].method"#,
            "ex#Get",
            "not a valid method",
        ),
        (
            "http-uri-number",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#http"]["uri"] = 5.into(),
            r#"$.shapes["ex#Get"].traits["smithy.api#http"].uri"#,
            "ex#Get",
            "expected a string, found the number `5`",
        ),
        (
            "http-code-99999",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#http"]["code"] = 99999.into(),
            r#"$.shapes["ex#Get"].traits["smithy.api#http"].code"#,
            "ex#Get",
            "99999",
        ),
        (
            "bad-header-name",
            |m| shapes(m)["ex#GetInput"]["members"]["h"]["traits"]["smithy.api#httpHeader"] = "X H:".into(),
            r#"$.shapes["ex#GetInput"].members.h.traits["smithy.api#httpHeader"]"#,
            "ex#GetInput",
            "not a valid HTTP header name",
        ),
        (
            "label-without-member",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#http"]["uri"] = "/things/{id}/{other}".into(),
            r#"$.shapes["ex#Get"].traits["smithy.api#http"].uri"#,
            "ex#Get",
            "`{other}` is bound to no member",
        ),
        (
            "member-without-label",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#http"]["uri"] = "/things".into(),
            r#"$.shapes["ex#GetInput"].members.id"#,
            "ex#GetInput",
            "has no label `{id}`",
        ),
        (
            "length-min-over-max",
            |m| {
                shapes(m)["ex#GetInput"]["members"]["h"]["traits"]["smithy.api#length"] =
                    serde_json::json!({"min": 5, "max": 2})
            },
            r#"$.shapes["ex#GetInput"].members.h.traits["smithy.api#length"]"#,
            "ex#GetInput",
            "min 5 above max 2",
        ),
        (
            "range-min-over-max",
            |m| shapes(m)["ex#Small"]["traits"] = serde_json::json!({"smithy.api#range": {"min": 5, "max": 2}}),
            r#"$.shapes["ex#Small"].traits["smithy.api#range"]"#,
            "ex#Small",
            "min 5 above max 2",
        ),
        (
            "default-of-wrong-type",
            |m| shapes(m)["ex#GetOutput"]["members"]["v"]["traits"] = serde_json::json!({"smithy.api#default": 5}),
            r#"$.shapes["ex#GetOutput"].members.v.traits["smithy.api#default"]"#,
            "ex#GetOutput",
            "default `5` for a string",
        ),
        (
            "mixin-missing",
            |m| shapes(m)["ex#GetOutput"]["mixins"] = serde_json::json!([{"target": "ex#Nope"}]),
            r#"$.shapes["ex#GetOutput"].mixins[0]"#,
            "ex#GetOutput",
            "not defined",
        ),
        (
            "mixin-of-itself",
            |m| {
                shapes(m)["ex#GetOutput"]["mixins"] = serde_json::json!([{"target": "ex#GetOutput"}]);
                shapes(m)["ex#GetOutput"]["traits"]["smithy.api#mixin"] = serde_json::json!({});
            },
            r#"$.shapes["ex#GetOutput"].mixins"#,
            "ex#GetOutput",
            "its own mixin",
        ),
        (
            "same-route",
            |m| {
                shapes(m)["ex#Put"]["traits"]["smithy.api#http"] =
                    serde_json::json!({"method": "GET", "uri": "/things/{other}"});
                shapes(m)["ex#PutInput"]["members"]["other"] = shapes(m)["ex#PutInput"]["members"]["id"].clone();
                shapes(m)["ex#PutInput"]["members"]
                    .as_object_mut()
                    .unwrap()
                    .remove("id");
            },
            r#"$.shapes["ex#Put"].traits["smithy.api#http"]"#,
            "ex#Put",
            "also the route of `ex#Get`",
        ),
        (
            "pattern-not-a-regex",
            |m| shapes(m)["ex#GetInput"]["members"]["h"]["traits"]["smithy.api#pattern"] = "([a-z".into(),
            r#"$.shapes["ex#GetInput"].members.h.traits["smithy.api#pattern"]"#,
            "ex#GetInput",
            "is not a regular expression",
        ),
        (
            "default-out-of-range",
            |m| {
                shapes(m).insert("ex#Byte".into(), serde_json::json!({"type": "byte"}));
                shapes(m)["ex#GetOutput"]["members"]["b"] =
                    serde_json::json!({"target": "ex#Byte", "traits": {"smithy.api#default": 1000}});
            },
            r#"$.shapes["ex#GetOutput"].members.b.traits["smithy.api#default"]"#,
            "ex#GetOutput",
            "range of a byte",
        ),
        (
            "int-enum-out-of-range",
            |m| {
                shapes(m).insert("ex#IE".into(), serde_json::json!({"type": "intEnum", "members": {"A": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": 99999999999u64}}}}));
                shapes(m)["ex#GetOutput"]["members"]["e"] = serde_json::json!({"target": "ex#IE"});
            },
            r#"$.shapes["ex#IE"].members.A.traits["smithy.api#enumValue"]"#,
            "ex#IE",
            "within -2^31",
        ),
        (
            "two-payloads",
            |m| {
                shapes(m)["ex#PutInput"]["members"]["b2"] =
                    serde_json::json!({"target": "smithy.api#String", "traits": {"smithy.api#httpPayload": {}}})
            },
            r#"$.shapes["ex#PutInput"].members.b2"#,
            "ex#PutInput",
            "both `@httpPayload`",
        ),
        (
            "payload-and-body-member",
            |m| shapes(m)["ex#PutInput"]["members"]["loose"] = serde_json::json!({"target": "smithy.api#String"}),
            r#"$.shapes["ex#PutInput"].members.loose"#,
            "ex#PutInput",
            "would go in the body",
        ),
        (
            "error-without-error-trait",
            |m| {
                shapes(m)["ex#Oops"]["traits"]
                    .as_object_mut()
                    .unwrap()
                    .remove("smithy.api#error");
            },
            r#"$.shapes["ex#Get"].errors[0]"#,
            "ex#Get",
            "not marked `@error`",
        ),
        (
            "timestamp-default-that-does-not-parse",
            |m| {
                shapes(m)["ex#GetOutput"]["members"]["ts"] =
                    serde_json::json!({"target": "smithy.api#Timestamp", "traits": {"smithy.api#default": "yesterday"}})
            },
            r#"$.shapes["ex#GetOutput"].members.ts.traits["smithy.api#default"]"#,
            "ex#GetOutput",
            "RFC 3339",
        ),
        (
            "checksum-algorithm-member-that-does-not-exist",
            |m| {
                shapes(m)["ex#Put"]["traits"]["aws.protocols#httpChecksum"] =
                    serde_json::json!({"requestAlgorithmMember": "algo"})
            },
            r#"$.shapes["ex#Put"].traits["aws.protocols#httpChecksum"].requestAlgorithmMember"#,
            "ex#Put",
            "must name a string or enum member",
        ),
        (
            "checksum-response-algorithm-not-a-name",
            |m| {
                shapes(m)["ex#Put"]["traits"]["aws.protocols#httpChecksum"] =
                    serde_json::json!({"responseAlgorithms": ["CRC32", 5]})
            },
            r#"$.shapes["ex#Put"].traits["aws.protocols#httpChecksum"].responseAlgorithms[1]"#,
            "ex#Put",
            "non-empty string",
        ),
        (
            "request-compression-unknown-encoding",
            |m| {
                shapes(m)["ex#Put"]["traits"]["smithy.api#requestCompression"] =
                    serde_json::json!({"encodings": ["br"]})
            },
            r#"$.shapes["ex#Put"].traits["smithy.api#requestCompression"].encodings[0]"#,
            "ex#Put",
            "not a request compression encoding",
        ),
        (
            "request-compression-without-encodings",
            |m| shapes(m)["ex#Put"]["traits"]["smithy.api#requestCompression"] = serde_json::json!({"encodings": []}),
            r#"$.shapes["ex#Put"].traits["smithy.api#requestCompression"].encodings"#,
            "ex#Put",
            "at least one encoding",
        ),
        (
            "static-context-param-number",
            |m| {
                shapes(m)["ex#Get"]["traits"]["smithy.rules#staticContextParams"] =
                    serde_json::json!({"Limit": {"value": 5}})
            },
            r#"$.shapes["ex#Get"].traits["smithy.rules#staticContextParams"]["Limit"].value"#,
            "ex#Get",
            "a boolean, a string or a list of strings, not 5",
        ),
        (
            "error-banana",
            |m| shapes(m)["ex#Oops"]["traits"]["smithy.api#error"] = "banana".into(),
            r#"$.shapes["ex#Oops"].traits["smithy.api#error"]"#,
            "ex#Oops",
            "`banana` is not one of the allowed values: `client`, `server`",
        ),
        (
            "http-error-string",
            |m| shapes(m)["ex#Oops"]["traits"]["smithy.api#httpError"] = "500".into(),
            r#"$.shapes["ex#Oops"].traits["smithy.api#httpError"]"#,
            "ex#Oops",
            "expected an integer, found the string \"500\"",
        ),
        (
            "http-error-without-code",
            |m| shapes(m)["ex#Oops"]["traits"]["smithy.api#httpError"] = serde_json::json!({}),
            r#"$.shapes["ex#Oops"].traits["smithy.api#httpError"]"#,
            "ex#Oops",
            "the trait needs a value (an integer), and has none",
        ),
        (
            "timestamp-format-weird",
            |m| {
                shapes(m)["ex#GetOutput"]["members"]["t"] = serde_json::json!({"target": "smithy.api#Timestamp",
                    "traits": {"smithy.api#timestampFormat": "weird"}})
            },
            r#"$.shapes["ex#GetOutput"].members.t.traits["smithy.api#timestampFormat"]"#,
            "ex#GetOutput",
            "`weird` is not one of the allowed values: `date-time`, `epoch-seconds`, `http-date`",
        ),
        (
            "http-label-not-required",
            |m| {
                shapes(m)["ex#GetInput"]["members"]["id"]["traits"]
                    .as_object_mut()
                    .unwrap()
                    .remove("smithy.api#required");
            },
            r#"$.shapes["ex#GetInput"].members.id.traits["smithy.api#httpLabel"]"#,
            "ex#GetInput",
            "an `@httpLabel` member must be `@required`",
        ),
        (
            "http-query-without-name",
            |m| shapes(m)["ex#GetInput"]["members"]["h"]["traits"] = serde_json::json!({"smithy.api#httpQuery": {}}),
            r#"$.shapes["ex#GetInput"].members.h.traits["smithy.api#httpQuery"]"#,
            "ex#GetInput",
            "the trait needs a value (a string), and has none",
        ),
        (
            "union-without-members",
            |m| {
                shapes(m).insert("ex#Choice".into(), serde_json::json!({"type": "union", "members": {}}));
                shapes(m)["ex#GetOutput"]["members"]["c"] = serde_json::json!({"target": "ex#Choice"});
            },
            r#"$.shapes["ex#Choice"]"#,
            "ex#Choice",
            "a union must have at least one member",
        ),
        (
            "unknown-trait",
            |m| shapes(m)["ex#Get"]["traits"]["smithy.api#readonli"] = serde_json::json!({}),
            r#"$.shapes["ex#Get"].traits["smithy.api#readonli"]"#,
            "ex#Get",
            "unknown trait `smithy.api#readonli`",
        ),
    ];
    for (name, change, path, shape, message) in cases {
        let mut model = sound_model();
        change(&mut model);
        let error = refused(name, &model);
        assert_eq!(error.json_path(), Some(*path), "{name}: {error}");
        assert_eq!(error.shape(), Some(*shape), "{name}: {error}");
        assert!(error.message().contains(message), "{name}: {error}");
        assert!(
            error.to_string().contains(&format!("{name}.json")),
            "{name}: the file is named: {error}"
        );
        // A model of a hundred shapes or more is checked on two threads: the same error.
        padded(&mut model);
        let padded_error = refused(name, &model);
        assert_eq!(padded_error.to_string(), error.to_string(), "{name}, padded");
    }
}

#[test]
fn a_naming_problem_is_reported_on_one_thread_and_on_two() {
    let mut model = sound_model();
    shapes(&mut model).insert(
        "ex#Color".to_owned(),
        serde_json::json!({"type": "enum", "members": {
            "RED": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "red"}},
            "ROUGE": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "red"}}}}),
    );
    shapes(&mut model)["ex#GetOutput"]["members"]["c"] = serde_json::json!({"target": "ex#Color"});
    let error = refused("same-enum-value", &model);
    assert_eq!(error.shape(), Some("ex#Color"), "{error}");
    assert!(error.message().contains("have the same value `red`"), "{error}");
    padded(&mut model);
    assert_eq!(
        refused("same-enum-value", &model).to_string(),
        error.to_string(),
        "padded"
    );
    // With a model problem too, that problem is reported, not the naming one.
    shapes(&mut model)["ex#Get"]["traits"]["smithy.api#http"]["uri"] = "/things/{id}/{other}".into();
    let error = refused("same-enum-value-and-label", &model);
    assert!(error.message().contains("`{other}` is bound to no member"), "{error}");
}

#[test]
fn the_first_problem_of_a_large_document_is_the_one_reported() {
    // 309 shapes: the document is read on two threads, a half each.
    let mut model = sound_model();
    pad(&mut model, 300);
    shapes(&mut model)["ex#Pad10"]["type"] = 5.into();
    shapes(&mut model)["ex#Pad250"]["members"] = "none".into();
    let error = refused("two-bad-entries", &model);
    assert_eq!(error.json_path(), Some(r#"$.shapes["ex#Pad10"].type"#), "{error}");
    shapes(&mut model)["ex#Pad10"]["type"] = "structure".into();
    let error = refused("one-bad-entry", &model);
    assert_eq!(error.json_path(), Some(r#"$.shapes["ex#Pad250"].members"#), "{error}");
    assert!(
        error.message().contains("expected a JSON object, found a string"),
        "{error}"
    );
}

/// Adds 120 structures that nothing uses, so that the model is checked on two threads.
fn padded(model: &mut serde_json::Value) {
    pad(model, 120);
}

/// Adds `count` structures that nothing uses, `ex#Pad0` and on.
fn pad(model: &mut serde_json::Value, count: usize) {
    for n in 0..count {
        shapes(model).insert(
            format!("ex#Pad{n}"),
            serde_json::json!({"type": "structure", "members": {"v": {"target": "smithy.api#String"}}}),
        );
    }
}

#[test]
fn every_problem_of_a_model_is_reported_in_one_run() {
    let mut model = sound_model();
    shapes(&mut model)["ex#Get"]["traits"]["smithy.api#http"]["code"] = 99999.into();
    shapes(&mut model)["ex#GetInput"]["members"]["h"]["traits"]["smithy.api#length"] =
        serde_json::json!({"min": 5, "max": 2});
    shapes(&mut model)["ex#Small"]["traits"] = serde_json::json!({"smithy.api#pattern": "(("});
    let error = refused("three-problems", &model);
    padded(&mut model);
    assert_eq!(
        refused("three-problems", &model).to_string(),
        error.to_string(),
        "padded"
    );
    assert_eq!(error.problems().len(), 3, "{error}");
    assert!(error.message().contains("3 problems"), "{error}");
    let shapes: Vec<_> = error.problems().iter().filter_map(Error::shape).collect();
    assert!(
        shapes.contains(&"ex#Get") && shapes.contains(&"ex#GetInput") && shapes.contains(&"ex#Small"),
        "{error}"
    );
}

/// `sound_model` with a member of `GetOutput` that is `depth` lists (or maps) nested.
fn nested(depth: usize, map: bool) -> serde_json::Value {
    let mut model = sound_model();
    let mut previous = "smithy.api#String".to_owned();
    for level in 0..depth {
        let id = format!("ex#N{level}");
        let shape = if map {
            serde_json::json!({"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": previous}})
        } else {
            serde_json::json!({"type": "list", "member": {"target": previous}})
        };
        shapes(&mut model).insert(id.clone(), shape);
        previous = id;
    }
    shapes(&mut model)["ex#GetOutput"]["members"]["deep"] = serde_json::json!({"target": previous});
    model
}

#[test]
fn deep_nesting_is_refused_with_a_depth_error_and_never_overflows_the_stack() {
    for map in [false, true] {
        for depth in [33, 450, 5000] {
            let error = refused(&format!("nested-{depth}-{map}"), &nested(depth, map));
            let first = error.problems().first().unwrap_or(&error);
            assert!(first.message().contains("nested more than 32 deep"), "{error}");
            assert_eq!(first.shape(), Some(format!("ex#N{}", 32).as_str()), "{error}");
        }
        let path = model_file(&format!("nested-32-{map}"), &nested(32, map).to_string());
        Codegen::new().model(&path).generate().expect("32 levels generate");
    }
}

#[test]
fn lists_and_maps_that_hold_themselves_are_refused_rather_than_overflowing_the_stack() {
    // Both overflowed the generator's stack before they were refused.
    let mut direct = sound_model();
    shapes(&mut direct).insert(
        "ex#L".into(),
        serde_json::json!({"type": "list", "member": {"target": "ex#L"}}),
    );
    shapes(&mut direct)["ex#GetOutput"]["members"]["l"] = serde_json::json!({"target": "ex#L"});
    let error = refused("list-of-itself", &direct);
    assert_eq!(error.shape(), Some("ex#L"), "{error}");
    assert!(error.message().contains("hold themselves"), "{error}");

    let mut through_a_map = sound_model();
    shapes(&mut through_a_map).insert(
        "ex#A".into(),
        serde_json::json!({"type": "list", "member": {"target": "ex#B"}}),
    );
    shapes(&mut through_a_map).insert(
        "ex#B".into(),
        serde_json::json!({"type": "map", "key": {"target": "smithy.api#String"}, "value": {"target": "ex#A"}}),
    );
    let error = refused("list-map-cycle", &through_a_map);
    assert!(error.message().contains("`ex#A` → `ex#B`"), "{error}");
}

#[test]
fn unit_among_operations_errors_or_resources_is_refused_not_a_panic() {
    let cases = [
        (
            "unit-operation",
            r#""operations": [{"target": "smithy.api#Unit"}]"#,
            "",
            "operations",
        ),
        (
            "unit-service-error",
            r#""operations": [{"target": "a#Op"}], "errors": [{"target": "smithy.api#Unit"}]"#,
            r#", "a#Op": {"type": "operation"}"#,
            "errors",
        ),
        (
            "unit-resource",
            r#""resources": [{"target": "smithy.api#Unit"}]"#,
            "",
            "resources",
        ),
        (
            "unit-operation-error",
            r#""operations": [{"target": "a#Op"}]"#,
            r#", "a#Op": {"type": "operation", "errors": [{"target": "smithy.api#Unit"}]}"#,
            "errors",
        ),
    ];
    for (name, service, extra, field) in cases {
        let text = format!(
            r#"{{"smithy": "2.0", "shapes": {{"a#S": {{"type": "service", "version": "1", {service}}}{extra}}}}}"#
        );
        let (_, err) = generate(name, &text);
        assert_eq!(err.kind(), ErrorKind::InvalidModel, "{name}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(&format!("`{field}` refers to `smithy.api#Unit`")),
            "{name}: {message}"
        );
        assert!(
            err.json_path().is_some_and(|path| path.ends_with(field)),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_model_file_over_the_byte_limit_is_refused_after_reading_the_limit() {
    // An endless file: only the limit (plus one byte) is read, then refused.
    let err = Codegen::new()
        .model("/dev/zero")
        .max_model_file_bytes(4096)
        .generate()
        .expect_err("an endless file is refused");
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(err.file(), Some(std::path::Path::new("/dev/zero")));
    assert!(err.message().contains("larger than 4096 bytes"), "{err}");
    // A file of exactly the limit is read; one byte more is not.
    let text = service_with_input("", "");
    let path = model_file("at-the-limit", &text);
    let limit = text.len() as u64;
    Codegen::new()
        .model(&path)
        .max_model_file_bytes(limit)
        .generate()
        .expect("a file of exactly the limit generates");
    let err = Codegen::new()
        .model(&path)
        .max_model_file_bytes(limit - 1)
        .generate()
        .expect_err("a file over the limit is refused");
    assert!(
        err.message().contains(&format!("larger than {} bytes", limit - 1)),
        "{err}"
    );
    assert_eq!(smithy_codegen::MAX_MODEL_FILE_BYTES, 256 * 1024 * 1024);
}

#[test]
fn a_model_file_that_is_not_utf8_is_a_located_syntax_error() {
    let path = model_file("latin1", "");
    std::fs::write(&path, b"{\"smithy\": \"2.0\", \"x\": \"\xe9\"}").unwrap();
    let err = Codegen::new().model(&path).generate().expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Syntax);
    assert!(
        err.to_string().contains("not UTF-8 text: invalid byte at offset 24"),
        "{err}"
    );
}

/// Writes `text` as an IDL file and returns its path.
fn idl_file(name: &str, text: &str) -> PathBuf {
    let path = model_file(name, "").with_extension("smithy");
    std::fs::write(&path, text).unwrap();
    path
}

const MISSPELLED: &str = r#"$version: "2.0"
namespace ex

service Svc {
    version: "1"
    operations: [Get]
}

@readonli
@http(method: "GET", uri: "/things/{id}")
operation Get {
    input := {
        @requird
        @httpLabel
        id: String

        @httpQuey("q")
        q: String
    }
}
"#;

#[test]
fn misspelled_traits_in_idl_are_refused_with_a_hint_at_their_line_and_column() {
    let path = idl_file("misspelled", MISSPELLED);
    let err = Codegen::new().model(&path).generate().expect_err("refused");
    let problems: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let expected = [
        ("9:1", "ex#readonli", "did you mean `readonly`?"),
        ("13:9", "ex#requird", "did you mean `required`?"),
        ("17:9", "ex#httpQuey", "did you mean `httpQuery`?"),
    ];
    for (at, id, hint) in expected {
        let wanted = format!("{}:{at}: ", path.display());
        assert!(
            problems.iter().any(|problem| problem.starts_with(&wanted)
                && problem.contains(&format!("unknown trait `{id}`"))
                && problem.contains(hint)),
            "{at} {id}: {err}"
        );
    }
    // The `@httpLabel` member is not `@required` once `@requird` is not `@required`.
    assert!(err.to_string().contains("must be `@required`"), "{err}");
    // Let through, they are warnings.
    let generated = Codegen::new().model(&path).allow_unknown_traits(true).generate();
    let err = generated.map(|_| ()).expect_err("the label is still not required");
    assert!(!err.to_string().contains("unknown trait"), "{err}");
}

#[test]
fn model_check_errors_in_idl_name_the_file_line_and_column() {
    let text = r#"$version: "2.0"
namespace ex

service Svc {
    version: "1"
    operations: [Get]
}

@readonly
@http(method: "GET", uri: "/things", code: 99999)
operation Get {
    input := {
        @required
        @httpLabel
        id: String
    }
}
"#;
    let file = |name: &str, text: &str| {
        let path = idl_file(name, text);
        let err = Codegen::new().model(&path).generate().expect_err("refused");
        (path.display().to_string(), err)
    };
    // The trait check: `code` out of range, at the `@http` trait.
    let (path, err) = file("idl-trait-value", &text.replace("/things\"", "/things/{id}\""));
    assert!(
        err.to_string().starts_with(&format!("{path}:10:1: "))
            && err.message().contains("99999 is not within 100..=999"),
        "{err}"
    );
    // The model check: a label member that the URI does not bind, at the member.
    let (path, err) = file("idl-model-check", &text.replace(", code: 99999", ""));
    assert!(
        err.to_string().starts_with(&format!("{path}:15:9: "))
            && err.message().contains("is an `@httpLabel`, but the URI"),
        "{err}"
    );
}

#[test]
fn a_blob_default_that_is_not_base64_is_a_warning() {
    let mut model = sound_model();
    shapes(&mut model)["ex#GetOutput"]["members"]["b"] =
        serde_json::json!({"target": "smithy.api#Blob", "traits": {"smithy.api#default": "abc"}});
    let path = model_file("blob-default", &model.to_string());
    let generated = Codegen::new().model(&path).generate().expect("generates");
    let warnings: Vec<&String> = generated
        .warnings()
        .iter()
        .filter(|warning| warning.contains("not base64"))
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", generated.warnings());
    assert!(warnings[0].contains("ex#GetOutput$b"), "{warnings:?}");
    // Base64 is read without a warning.
    shapes(&mut model)["ex#GetOutput"]["members"]["b"]["traits"]["smithy.api#default"] = "YWJj".into();
    let path = model_file("blob-default-base64", &model.to_string());
    let generated = Codegen::new().model(&path).generate().expect("generates");
    assert!(
        generated
            .warnings()
            .iter()
            .all(|warning| !warning.contains("not base64")),
        "{:?}",
        generated.warnings()
    );
}

#[test]
fn endpoint_rules_that_do_not_read_are_a_warning_and_embedded_as_why() {
    let mut model = sound_model();
    let rules = |function: &str| {
        serde_json::json!({
            "version": "1.0",
            "parameters": {},
            "rules": [{
                "conditions": [{"fn": function, "argv": [true]}],
                "endpoint": {"url": "https://example.com"},
                "type": "endpoint"
            }]
        })
    };
    shapes(&mut model)["ex#Svc"]["traits"]["smithy.rules#endpointRuleSet"] = rules("nope");
    let path = model_file("endpoint-rules-unread", &model.to_string());
    let generated = Codegen::new().model(&path).generate().expect("generates");
    let warnings: Vec<&String> = generated
        .warnings()
        .iter()
        .filter(|warning| warning.contains("the endpoint rules do not read"))
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", generated.warnings());
    assert!(
        warnings[0].contains("ex#Svc") && warnings[0].contains("unknown function nope"),
        "{warnings:?}"
    );
    let files = generated.source_files().expect("formats");
    let schema = &files[&PathBuf::from("schema.rs")];
    assert!(
        schema.contains("EndpointRules::Invalid(") && schema.contains("unknown function nope"),
        "{schema}"
    );
    // Rules that read are embedded parsed, as bytes, without a warning.
    shapes(&mut model)["ex#Svc"]["traits"]["smithy.rules#endpointRuleSet"] = rules("not");
    let path = model_file("endpoint-rules-read", &model.to_string());
    let generated = Codegen::new().model(&path).generate().expect("generates");
    assert!(
        generated
            .warnings()
            .iter()
            .all(|warning| !warning.contains("endpoint rules")),
        "{:?}",
        generated.warnings()
    );
    let files = generated.source_files().expect("formats");
    let schema = &files[&PathBuf::from("schema.rs")];
    assert!(
        schema.contains("EndpointRules::Compiled(") && schema.contains("b\"SRB\\x01"),
        "{schema}"
    );
}

#[test]
fn a_pattern_the_runtime_cannot_check_is_a_warning_a_doc_note_and_left_out_of_the_schema() {
    let mut model = sound_model();
    // A look-behind of variable length: sound syntax, which the runtime's engines cannot run.
    let unchecked = "(?<=a+)b";
    shapes(&mut model).insert(
        "ex#Code".into(),
        serde_json::json!({"type": "string", "traits": {"smithy.api#pattern": unchecked}}),
    );
    shapes(&mut model).insert(
        "ex#Name".into(),
        serde_json::json!({"type": "string", "traits": {"smithy.api#pattern": "^[a-z]+$"}}),
    );
    // The unchecked pattern is asked about for two members, and once more as a member's own.
    shapes(&mut model)["ex#GetInput"]["members"]["code"] = serde_json::json!({"target": "ex#Code"});
    shapes(&mut model)["ex#GetInput"]["members"]["name"] = serde_json::json!({"target": "ex#Name"});
    shapes(&mut model)["ex#GetOutput"]["members"]["code"] = serde_json::json!({"target": "ex#Code"});
    shapes(&mut model)["ex#GetOutput"]["members"]["own"] =
        serde_json::json!({"target": "smithy.api#String", "traits": {"smithy.api#pattern": unchecked}});
    let path = model_file("pattern-unchecked", &model.to_string());
    let generated = Codegen::new().model(&path).generate().expect("generates");
    let warnings: Vec<&String> = generated
        .warnings()
        .iter()
        .filter(|warning| warning.contains("is not checked by the generated code"))
        .collect();
    assert_eq!(warnings.len(), 2, "{:?}", generated.warnings());
    assert!(
        warnings.iter().any(|warning| warning.contains("shape `ex#Code`")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|warning| warning.contains("member `ex#GetOutput$own`")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().all(|warning| warning.contains("(?<=a+)b")),
        "{warnings:?}"
    );
    let source = generated.single_file().expect("formats");
    assert!(
        !source.contains(".pattern(\"(?<=a+)b\")"),
        "the unchecked pattern is in a schema"
    );
    assert!(
        source.contains(".pattern(\"^[a-z]+$\")"),
        "the checkable pattern is not in the schema"
    );
    assert_eq!(
        source
            .matches("The model's `@pattern` `(?<=a+)b` is not checked")
            .count(),
        6,
        "each of the three members with the pattern says so on its field and its setter"
    );
}
