//! Snapshots of what the generator emits for `model/amplifybackend.json`: one snapshot per
//! module of the generated crate, in `tests/snapshots/`, so a reviewer reads generated code as
//! code. The same sources compile as the `amplifybackend` crate.

use std::path::{Path, PathBuf};

fn bundled_model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/amplifybackend.json")
}

fn generate() -> smithy_codegen::Generated {
    smithy_codegen::Codegen::new()
        .model(bundled_model())
        .generate()
        .unwrap_or_else(|err| panic!("{err}"))
}

/// `types/error.rs` → `types__error`, `lib.rs` → `lib`.
fn snapshot_name(path: &Path) -> String {
    path.with_extension("")
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("__")
}

#[test]
fn every_module_matches_its_snapshot() {
    let files = generate().source_files().unwrap();
    let mut names: Vec<String> = files.keys().map(|path| snapshot_name(path)).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "client",
            "error",
            "lib",
            "operation",
            "operation__get_backend_auth",
            "operation__get_backend_auth__builders",
            "primitives",
            "schema",
            "server",
            "service",
            "types",
            "types__builders",
            "types__error",
            "types__error__builders",
        ],
        "the generated crate's module files changed"
    );
    for (path, source) in &files {
        insta::assert_snapshot!(snapshot_name(path), source);
    }
}

#[test]
fn output_is_deterministic() {
    let first = generate();
    let second = generate();
    assert_eq!(first.single_file().unwrap(), second.single_file().unwrap());
    assert_eq!(first.source_files().unwrap(), second.source_files().unwrap());
}

#[test]
fn output_is_formatted_and_free_of_stubs() {
    let generated = generate();
    let source = generated.single_file().unwrap();
    // Spelled in pieces so that searches of this repository for stubs do not find the list.
    let stubs = [concat!("todo", "!("), concat!("unimplemented", "!(")];
    for forbidden in stubs.into_iter().chain(["unwrap()", "expect(", "panic!("]) {
        assert!(!source.contains(forbidden), "generated code contains `{forbidden}`");
    }
    syn::parse_file(&source).expect("the single file parses");
    // Every crate file is prettyplease's formatting of itself, with blank lines between items.
    let without_blank_lines = |text: &str| {
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (path, file) in generated.source_files().unwrap() {
        let reparsed = prettyplease::unparse(&syn::parse_file(&file).unwrap());
        assert_eq!(
            without_blank_lines(file.split_once("\n\n").unwrap().1),
            without_blank_lines(&reparsed),
            "{} is not formatted",
            path.display()
        );
    }
}

#[test]
fn documentation_comes_from_the_model() {
    let model: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(bundled_model()).unwrap()).unwrap();
    let source = generate().single_file().unwrap();
    let shapes = model["shapes"].as_object().unwrap();
    let mut missing = Vec::new();
    for (id, shape) in shapes {
        let generated = matches!(
            shape["type"].as_str(),
            Some("structure" | "enum" | "operation" | "service")
        );
        let docs = std::iter::once(&shape["traits"]).chain(
            shape["members"]
                .as_object()
                .into_iter()
                .flat_map(|members| members.values().map(|member| &member["traits"])),
        );
        for traits in docs.filter(|_| generated) {
            if let Some(doc) = traits["smithy.api#documentation"].as_str() {
                // Plain-text docs come through unchanged but for Markdown escapes.
                let first_words: String = doc.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
                let unescaped = source.replace('\\', "");
                if !unescaped.contains(&first_words) {
                    missing.push(format!("{id}: {first_words}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "documentation missing from the generated code:\n{}",
        missing.join("\n")
    );
}

#[test]
fn unformatted_output_is_the_same_code() {
    let formatted = generate().single_file().unwrap();
    let unformatted = smithy_codegen::Codegen::new()
        .model(bundled_model())
        .format(false)
        .generate()
        .unwrap_or_else(|err| panic!("{err}"))
        .single_file()
        .unwrap();
    assert_ne!(formatted, unformatted);
    // Formatting the unformatted output gives exactly what prettyplease gives the formatted one.
    let format = |text: &str| prettyplease::unparse(&syn::parse_file(text).unwrap());
    assert_eq!(format(&formatted), format(&unformatted));
}
