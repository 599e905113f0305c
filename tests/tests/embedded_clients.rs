//! The AWS clients embedded in the runtime (`runtime/src/aws/`) are what the generator makes of
//! the published models today: each module listed in `runtime/src/aws/clients.txt` is
//! regenerated in memory and compared with the checked-in files.

use std::path::Path;

#[test]
fn embedded_clients_are_current() {
    let Some(models) = smithy_codegen_tests::shared("models/aws-2026") else {
        return;
    };
    let aws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src/aws");
    let list = std::fs::read_to_string(aws.join("clients.txt")).expect("runtime/src/aws/clients.txt");
    let mut checked = 0;
    for line in list
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
    {
        let mut words = line.split_whitespace();
        let (Some(module), Some(model)) = (words.next(), words.next()) else {
            panic!("clients.txt: `{line}` needs a module, a model and operations");
        };
        let mut codegen = smithy_codegen::Codegen::new();
        codegen.model(models.join(model));
        let operations: Vec<&str> = words.collect();
        assert!(!operations.is_empty(), "clients.txt: `{line}` names no operation");
        for operation in &operations {
            codegen.operation(*operation);
        }
        let generated = codegen.generate().unwrap_or_else(|err| panic!("{model}: {err}"));
        assert_eq!(generated.operation_count(), operations.len(), "{module}");
        let path = format!("smithy_runtime::aws::{module}");
        let stale = generated
            .stale_module_files(&aws.join(module), &path)
            .unwrap_or_else(|err| panic!("{module}: {err}"));
        assert!(
            stale.is_empty(),
            "runtime/src/aws/{module} is stale ({stale:?}): run scripts/embedded-clients.sh"
        );
        checked += 1;
    }
    assert_eq!(checked, 4, "clients.txt lists the four embedded clients");
}

#[test]
fn a_module_tree_is_rebased_onto_its_path() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/amplifybackend.json");
    let generated = smithy_codegen::Codegen::new()
        .model(&model)
        .generate()
        .expect("generates");
    let files = generated.module_files("my_app::aws::amplify").expect("a module path");
    assert!(files.contains_key(Path::new("mod.rs")) && !files.contains_key(Path::new("lib.rs")));
    for (path, text) in &files {
        for (at, _) in text.match_indices("crate::") {
            let before = &text[..at];
            assert!(
                before.ends_with("$") || text[at..].starts_with("crate::aws::amplify::"),
                "{}: a path not rebased near `{}`",
                path.display(),
                &text[at..(at + 60).min(text.len())]
            );
        }
    }
    assert!(files[Path::new("mod.rs")].contains("use my_app::aws::amplify::client::"));
    for bad in ["sts", "crate::sts", "my_app::", "my app::x", "my_app::crate"] {
        assert!(generated.module_files(bad).is_err(), "`{bad}` is refused");
    }
}
