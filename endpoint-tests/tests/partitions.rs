//! The runtime ships a copy of AWS's `partitions.json` (`runtime/data/partitions.json`); this
//! fails when it differs from the shared copy beside the workspace
//! (`../shared/endpoints/partitions.json`), so that a stale copy is caught.

use smithy_runtime::endpoint::{Partitions, AWS_PARTITIONS_JSON};

#[test]
fn embedded_partitions_are_the_shared_copy() {
    let shared = endpoint_tests::workspace_root().join("../shared/endpoints/partitions.json");
    let Ok(expected) = std::fs::read_to_string(&shared) else {
        eprintln!(
            "note: {} does not exist; the embedded partitions.json is not compared",
            shared.display()
        );
        return;
    };
    assert!(
        AWS_PARTITIONS_JSON == expected,
        "runtime/data/partitions.json differs from {}: copy it over",
        shared.display()
    );
}

#[test]
fn embedded_partitions_parse() {
    let partitions = Partitions::from_json(AWS_PARTITIONS_JSON).unwrap_or_else(|error| panic!("{error}"));
    let aws = partitions.partition("us-east-1").map(|outputs| outputs.name.as_str());
    assert_eq!(aws, Some("aws"));
}
