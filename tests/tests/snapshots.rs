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
    for (path, file) in generated.source_files().unwrap() {
        syn::parse_file(&file).unwrap_or_else(|err| panic!("{} does not parse: {err}", path.display()));
        // Laid out: four-space indents, no tabs or trailing spaces, and lines within 100
        // columns but for those no break can shorten (docs, long names and literals).
        for (n, line) in file.lines().enumerate() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            assert!(indent % 4 == 0, "{}:{}: indent of {indent}", path.display(), n + 1);
            assert!(
                !line.contains('\t') && !line.ends_with(' '),
                "{}:{}: {line:?}",
                path.display(),
                n + 1
            );
            // A comment, a string, or a qualified path (`<T as Trait>`, which is never broken).
            let unbreakable = line.trim_start().starts_with("//") || line.contains('"') || line.contains(" as ");
            assert!(
                line.chars().count() <= 100 || unbreakable,
                "{}:{}: {} columns: {line}",
                path.display(),
                n + 1,
                line.chars().count()
            );
        }
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
    // The same tokens, laid out differently (trailing commas come with broken lists, and a
    // `///` comment reads back as a plain string).
    let tokens = |text: &str| {
        use quote::ToTokens;
        let mut tokens: String = syn::parse_file(text)
            .unwrap()
            .into_token_stream()
            .to_string()
            .split_whitespace()
            .collect();
        for close in [")", "]", "}", ">"] {
            tokens = tokens.replace(&format!(",{close}"), close);
        }
        tokens.replace("[doc=r\"", "[doc=\"")
    };
    let (formatted, unformatted) = (tokens(&formatted), tokens(&unformatted));
    if let Some(at) = formatted.chars().zip(unformatted.chars()).position(|(a, b)| a != b) {
        let around = |text: &str| text.chars().skip(at.saturating_sub(80)).take(160).collect::<String>();
        panic!(
            "the tokens differ at {at}:\n{}\n{}",
            around(&formatted),
            around(&unformatted)
        );
    }
    assert_eq!(formatted.len(), unformatted.len());
}
