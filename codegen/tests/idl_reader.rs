//! Models in files: IDL and JSON AST merged, directories, conflicts naming both files, every
//! syntax error of a file reported with its place, deep nesting refused, `smithy-codegen ast`.

use std::path::{Path, PathBuf};
use std::process::Command;

use smithy_codegen::Codegen;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smithy-codegen-idl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

const SERVICE: &str = r#"$version: "2.0"
namespace example.weather

use aws.protocols#restJson1

/// Weather, by city.
@restJson1
service Weather {
    version: "2026-12-01"
    operations: [GetCity]
}

@readonly
@http(method: "GET", uri: "/cities/{cityId}")
operation GetCity {
    input := {
        @required
        @httpLabel
        cityId: CityId
    }
    output := with [CityFields] {
        population: Long = 0
    }
    errors: [NoSuchCity]
}
"#;

const SHAPES: &str = r#"{
    "smithy": "2.0",
    "shapes": {
        "example.weather#CityId": {"type": "string", "traits": {"smithy.api#pattern": "^[a-z]+$"}},
        "example.weather#CityFields": {"type": "structure", "mixins": [], "members": {
            "name": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}}
        }, "traits": {"smithy.api#mixin": {}}},
        "example.weather#NoSuchCity": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "client"}}
    }
}"#;

#[test]
fn idl_and_json_files_merge_into_one_model_that_generates() {
    let dir = scratch("merge");
    let idl = write(&dir, "weather.smithy", SERVICE);
    let json = write(&dir, "shapes.json", SHAPES);
    let generated = Codegen::new()
        .model(&idl)
        .model(&json)
        .generate()
        .expect("the model generates");
    let code = generated.single_file().expect("one file");
    assert!(
        code.contains("pub struct GetCityOutput"),
        "inline output is named after its operation"
    );
    assert!(
        code.contains("pub population: i64"),
        "the default makes the member non-optional"
    );
    assert!(code.contains("pub name: String"), "the mixin's member is flattened in");
    // A directory stands for its files, in sorted order: the same model.
    let from_dir = Codegen::new().model(&dir).ast().expect("the directory loads");
    let from_files = Codegen::new().model(&json).model(&idl).ast().expect("the files load");
    assert_eq!(from_dir, from_files);
    assert!(from_dir.contains("\"example.weather#GetCityInput\""));
    assert!(!from_dir.contains("\"mixins\""), "mixins are flattened: {from_dir}");
}

#[test]
fn a_shape_defined_differently_in_two_files_names_both() {
    let dir = scratch("conflict");
    let first = write(
        &dir,
        "a.smithy",
        "$version: \"2.0\"\nnamespace example\n\nstring Name\n",
    );
    let second = write(
        &dir,
        "b.json",
        r#"{"smithy": "2.0", "shapes": {"example#Name": {"type": "integer"}}}"#,
    );
    let same = write(
        &dir,
        "c.smithy",
        "$version: \"2.0\"\nnamespace example\n\nstring Name\n",
    );
    let error = Codegen::new()
        .model(&first)
        .model(&second)
        .ast()
        .expect_err("a conflict");
    let text = error.to_string();
    assert!(text.contains("a.smithy:4:8") && text.contains("b.json"), "{text}");
    assert_eq!(error.shape(), Some("example#Name"));
    // The same definition twice is no conflict.
    Codegen::new()
        .model(&first)
        .model(&same)
        .ast()
        .expect("identical definitions merge");
}

#[test]
fn every_syntax_error_of_a_file_is_reported_with_its_place() {
    let dir = scratch("errors");
    let path = write(
        &dir,
        "broken.smithy",
        "$version: \"2.0\"\nnamespace example\n\nstructure A {\n    a: String\n    b String\n}\n\nstring B C\n\nlist L {\n    member: Missing\n}\n",
    );
    let error = Codegen::new().model(&path).ast().expect_err("refused");
    let problems = error.problems();
    assert_eq!(problems.len(), 2, "{error}");
    assert_eq!(problems[0].line_column(), Some((6, 7)), "{error}");
    assert!(
        problems[0]
            .message()
            .contains("Expected COLON(':') but found IDENTIFIER('String')"),
        "{error}"
    );
    assert_eq!(problems[1].line_column(), Some((9, 10)), "{error}");
    assert!(problems.iter().all(|problem| problem.file() == Some(path.as_path())));
    // Once the syntax is right, a target that resolves to nothing is located too.
    let path = write(
        &dir,
        "missing.smithy",
        "$version: \"2.0\"\nnamespace example\n\nlist L {\n    member: Missing\n}\n",
    );
    let error = Codegen::new().model(&path).ast().expect_err("refused");
    assert_eq!(error.line_column(), Some((5, 13)), "{error}");
    assert!(
        error.message().contains("`example#Missing` does not resolve"),
        "{error}"
    );
}

#[test]
fn deep_nesting_is_refused_with_a_depth_error() {
    let dir = scratch("deep");
    for depth in [100, 100_000] {
        let value = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let path = write(
            &dir,
            "deep.smithy",
            &format!("$version: \"2.0\"\nnamespace example\n\n@tags({value})\nstring A\n"),
        );
        let error = Codegen::new().model(&path).ast().expect_err("refused");
        assert!(error.to_string().contains("nest deeper than 64 levels"), "{error}");
    }
    let value = format!("{}1{}", "[".repeat(60), "]".repeat(60));
    let path = write(
        &dir,
        "fine.smithy",
        &format!("$version: \"2.0\"\nnamespace example\n\n@tags({value})\nstring A\n"),
    );
    Codegen::new().model(&path).ast().expect("60 levels are fine");
}

#[test]
fn smithy_1_files_are_upgraded() {
    let dir = scratch("v1");
    let path = write(
        &dir,
        "old.smithy",
        "namespace example\n\nstructure S {\n    count: PrimitiveInteger\n    flag: MyBool\n    boxed: BoxedInt\n    set: Names\n}\n\nboolean MyBool\n\n@box\ninteger BoxedInt\n\nset Names {\n    member: String\n}\n",
    );
    let ast: serde_json::Value = serde_json::from_str(&Codegen::new().model(&path).ast().expect("loads")).unwrap();
    let members = &ast["shapes"]["example#S"]["members"];
    assert_eq!(members["count"]["traits"]["smithy.api#default"], 0);
    assert_eq!(members["flag"]["traits"]["smithy.api#default"], false);
    assert!(members["boxed"].get("traits").is_none(), "{members}");
    // 2.0 features are refused in a 1.0 file.
    let path = write(
        &dir,
        "mixed.smithy",
        "$version: \"1.0\"\nnamespace example\n\nstructure S {\n    a: String = \"x\"\n}\n",
    );
    let error = Codegen::new().model(&path).ast().expect_err("refused");
    assert!(error.to_string().contains("Smithy 2.0 feature"), "{error}");
}

#[test]
fn the_ast_command_prints_or_writes_the_model() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/amplifybackend.smithy");
    let output = Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .args(["ast", "--model"])
        .arg(&model)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(printed["smithy"], "2.0");
    assert!(printed["shapes"]["com.amazonaws.amplifybackend#GetBackendAuth"].is_object());
    let dir = scratch("ast");
    let out = dir.join("model.json");
    let output = Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .args(["ast", "--model"])
        .arg(&model)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert!(output.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), output_of(&model));
    // A model that does not load writes nothing.
    let bad = write(&dir, "bad.smithy", "namespace\n");
    let target = dir.join("bad.json");
    let output = Command::new(env!("CARGO_BIN_EXE_smithy-codegen"))
        .args(["ast", "--model"])
        .arg(&bad)
        .arg("--out")
        .arg(&target)
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("bad.smithy:1:10"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!target.exists());
}

fn output_of(model: &Path) -> Vec<u8> {
    Codegen::new().model(model).ast().expect("loads").into_bytes()
}

/// A relative shape id names a shape of the file's namespace that another file of the model
/// defines, before a prelude shape of that name (as the reference implementation resolves
/// references once the whole model is loaded).
#[test]
fn relative_ids_resolve_against_the_shapes_of_every_file() {
    let dir = scratch("namespace-shapes");
    let uses = write(
        &dir,
        "uses.smithy",
        "$version: \"2.0\"\nnamespace example.ns\n\nstructure Holder {\n    own: String\n    kept: Integer\n}\n\n@tags([Marker])\nstring Tagged\n",
    );
    let defines = write(
        &dir,
        "defines.smithy",
        "$version: \"2.0\"\nnamespace example.ns\n\nstring String\n",
    );
    let json = write(
        &dir,
        "marker.json",
        r#"{"smithy": "2.0", "shapes": {"example.ns#Marker": {"type": "string"}}}"#,
    );
    let text = Codegen::new()
        .model(&uses)
        .model(&defines)
        .model(&json)
        .ast()
        .expect("the model loads");
    let ast: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let holder = &ast["shapes"]["example.ns#Holder"]["members"];
    assert_eq!(holder["own"]["target"], "example.ns#String", "{text}");
    assert_eq!(holder["kept"]["target"], "smithy.api#Integer", "{text}");
    assert_eq!(
        ast["shapes"]["example.ns#Tagged"]["traits"]["smithy.api#tags"],
        serde_json::json!(["example.ns#Marker"]),
        "{text}"
    );
}
