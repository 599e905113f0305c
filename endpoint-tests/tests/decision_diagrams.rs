//! Endpoint rules as decision diagrams (`smithy.rules#endpointBdd`): every
//! `smithy.rules#endpointTests` case of the models in `../shared/models/aws-2026` (each carries
//! its rules both as a tree and as a diagram) is resolved with the diagram alone, the tree
//! removed from the model first, and must give what the case expects, as the tree does. The
//! last line is `decision-diagram endpoint tests: N passed, M failed`.

use std::path::PathBuf;

use endpoint_tests::{cases_of, read_model, BDD_TRAIT, RULE_SET_TRAIT};

fn models() -> Option<Vec<PathBuf>> {
    let dir = endpoint_tests::workspace_root().join("../shared/models/aws-2026");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        let message = format!("SKIPPED: decision-diagram endpoint tests: {} is missing", dir.display());
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{message}; in CI it must be present"
        );
        eprintln!("\n*** {message} ***\n");
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .collect();
    files.sort();
    Some(files)
}

#[test]
fn every_case_resolves_with_the_diagram_alone() {
    let Some(files) = models() else {
        return;
    };
    let (partitions, _) = endpoint_tests::partitions().expect("the partitions data reads");
    let (mut passed, mut failed, mut services) = (0, Vec::new(), 0);
    for file in &files {
        let mut model = read_model(file).expect("the model reads");
        let tree_cases = cases_of(file, &model, &partitions, RULE_SET_TRAIT).expect("the cases read");
        // The tree removed: only the diagram is left to resolve with.
        let mut removed = 0;
        if let Some(shapes) = model.get_mut("shapes").and_then(serde_json::Value::as_object_mut) {
            for shape in shapes.values_mut() {
                if let Some(traits) = shape.get_mut("traits").and_then(serde_json::Value::as_object_mut) {
                    removed += usize::from(traits.remove(RULE_SET_TRAIT).is_some());
                }
            }
        }
        let cases = cases_of(file, &model, &partitions, BDD_TRAIT).expect("the cases read");
        if cases.is_empty() {
            continue;
        }
        services += 1;
        assert!(removed > 0, "{}: the model had no tree to remove", file.display());
        assert_eq!(cases.len(), tree_cases.len(), "{}", file.display());
        for (case, tree_case) in cases.iter().zip(&tree_cases) {
            let rule_set = case.service.rule_set.as_ref().expect("the diagram parses");
            assert!(rule_set.is_decision_diagram());
            match case.check_params() {
                Ok(()) => passed += 1,
                Err(problem) => failed.push(format!("{}: {problem}", case.name())),
            }
            // The tree agrees with the case too, so the two forms agree with each other.
            if let Err(problem) = tree_case.check_params() {
                failed.push(format!("{} (tree): {problem}", tree_case.name()));
            }
        }
    }
    println!(
        "decision-diagram endpoint tests: {passed} passed, {} failed ({services} services)",
        failed.len()
    );
    assert!(services >= 10, "only {services} models with decision diagrams");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_malformed_diagram_is_refused_with_its_place() {
    let rules = |nodes: &str, count: u32, root: i32| {
        serde_json::json!({
            "version": "1.1",
            "parameters": {"Region": {"type": "string", "required": true, "documentation": "r"}},
            "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}],
            "results": [{"conditions": [], "type": "endpoint", "endpoint": {"url": "https://{Region}.example.com"}}],
            "root": root,
            "nodeCount": count,
            "nodes": nodes,
        })
    };
    // [-1, 1, -1] then [0, 100000001, -1]: the terminal, then "isSet(Region) ? result 1 : none".
    let node = |values: [i32; 3]| values.iter().flat_map(|value| value.to_be_bytes()).collect::<Vec<u8>>();
    let encode = |nodes: &[[i32; 3]]| {
        let bytes: Vec<u8> = nodes.iter().flat_map(|values| node(*values)).collect();
        smithy_runtime::primitives::Blob::new(bytes).to_base64()
    };
    let good = encode(&[[-1, 1, -1], [0, 100_000_001, -1]]);
    let rule_set = smithy_runtime::endpoint::RuleSet::from_value(&rules(&good, 2, 2)).expect("the diagram parses");
    let endpoint = rule_set
        .resolve(&smithy_runtime::endpoint::Params::new().with("Region", "us-west-2"))
        .expect("it resolves");
    assert_eq!(endpoint.url, "https://us-west-2.example.com");
    for (nodes, count, root, expected) in [
        (good.clone(), 3, 2, "nodes"),
        ("not base64!".to_owned(), 2, 2, "nodes"),
        (good.clone(), 2, 7, "root"),
        (good.clone(), 2, -2, "root"),
        (encode(&[[-1, 1, -1], [4, 100_000_001, -1]]), 2, 2, "nodes"),
        (encode(&[[-1, 1, -1], [0, 100_000_009, -1]]), 2, 2, "nodes"),
        (encode(&[[-1, 1, -1], [0, 0, -1]]), 2, 2, "nodes"),
    ] {
        let error = smithy_runtime::endpoint::RuleSet::from_value(&rules(&nodes, count, root))
            .expect_err("a malformed diagram is refused");
        assert_eq!(error.path(), expected, "{error}");
    }
    // A cycle is an error when resolving, not a hang.
    let cycle = encode(&[[-1, 1, -1], [0, 3, 3], [0, 2, 2]]);
    let rule_set = smithy_runtime::endpoint::RuleSet::from_value(&rules(&cycle, 3, 2)).expect("the diagram parses");
    let error = rule_set
        .resolve(&smithy_runtime::endpoint::Params::new().with("Region", "us-west-2"))
        .expect_err("a cycle fails");
    assert!(error.to_string().contains("cycle"), "{error}");
}
