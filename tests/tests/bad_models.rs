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
fn smithy_1_is_refused() {
    let (_, err) = generate("smithy-1", r#"{"smithy": "1.0", "shapes": {}}"#);
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    assert_eq!(err.json_path(), Some("$.smithy"));
    assert!(
        err.to_string().contains("Smithy IDL version `1.0` is not supported"),
        "{err}"
    );
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
