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

/// The XML traits reach the schema: element and attribute names, flattened lists, namespaces
/// (of the service, a structure and a member) and ec2Query names.
#[test]
fn xml_traits_are_carried_into_the_schema() {
    let idl = r#"$version: "2"
namespace example.xml

use aws.protocols#ec2QueryName

@xmlNamespace(uri: "https://example.com/doc/2026-01-01/")
service Store {
    version: "2026-01-01"
    operations: [PutThing]
}

operation PutThing {
    input := @xmlName("Thing") @xmlNamespace(uri: "https://example.com/thing", prefix: "t") {
        @xmlAttribute
        @xmlName("id")
        key: String

        @xmlFlattened
        @xmlName("Tag")
        tags: Tags

        @ec2QueryName("Owner")
        owner: String
    }
}

list Tags {
    member: String
}
"#;
    let code = Codegen::new()
        .model_text("store.smithy", idl)
        .generate()
        .expect("the model generates")
        .single_file()
        .expect("one file");
    for expected in [
        r#"xml_namespace: Some(XmlNamespace { uri: "https://example.com/doc/2026-01-01/", prefix: None })"#,
        r#".xml_name("Thing")"#,
        r#".xml_namespace("https://example.com/thing", Some("t"))"#,
        r#"Member::new("key", &prelude::STRING).flags(Flags::XML_ATTRIBUTE).xml_name("id")"#,
        r#".flags(Flags::XML_FLATTENED).xml_name("Tag")"#,
        r#".ec2_query_name("Owner")"#,
    ] {
        // Compared without layout: whitespace and trailing commas.
        let squeezed = |text: &str| {
            text.split_whitespace()
                .collect::<String>()
                .replace(",}", "}")
                .replace(",)", ")")
        };
        assert!(
            squeezed(&code).contains(&squeezed(expected)),
            "no `{expected}` in:\n{code}"
        );
    }
}
