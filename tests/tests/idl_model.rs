//! The bundled model in both forms: `model/amplifybackend.smithy` (IDL) loads to exactly the
//! model of `model/amplifybackend.json`, and generates the same code.

use std::path::{Path, PathBuf};

use smithy_codegen::Codegen;

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../model").join(name)
}

#[test]
fn the_idl_and_json_forms_of_the_bundled_model_agree() {
    let idl = Codegen::new()
        .model(model("amplifybackend.smithy"))
        .ast()
        .expect("the IDL model loads");
    let json = Codegen::new()
        .model(model("amplifybackend.json"))
        .ast()
        .expect("the JSON model loads");
    assert!(idl.len() > 10_000, "the model is not empty");
    if idl != json {
        let line = idl
            .lines()
            .zip(json.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_default();
        panic!(
            "the two forms differ from line {}:\nIDL:  {:?}\nJSON: {:?}",
            line + 1,
            idl.lines().nth(line),
            json.lines().nth(line)
        );
    }
}

#[test]
fn the_idl_form_generates_the_same_code() {
    let generate = |name: &str| {
        Codegen::new()
            .model(model(name))
            .generate()
            .expect("the model generates")
            .single_file()
            .expect("one file")
    };
    let from_idl = generate("amplifybackend.smithy");
    let from_json = generate("amplifybackend.json");
    // The header names the model file; the code after it is the same.
    let code = |text: &str| text.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(code(&from_idl), code(&from_json));
}
