//! `validate()`: every constraint of the model (`@required` members a client may leave unset,
//! `@length`, `@range`, `@pattern`, `@uniqueItems`) is checked, through lists and maps, and
//! every violation is reported with its member path and worded as Smithy services word it.

use features::error::{ValidationError, Violation};
use features::operation::put_tree::PutTreeInput;
use features::types::{Limits, Node};

fn violations(result: Result<(), ValidationError>) -> Vec<(String, &'static str)> {
    match result {
        Ok(()) => Vec::new(),
        Err(err) => err
            .violations()
            .iter()
            .map(|Violation { path, constraint, .. }| (path.clone(), *constraint))
            .collect(),
    }
}

fn valid_limits() -> Limits {
    Limits::builder()
        .code("ABC")
        .label("ok")
        .percent(50)
        .ratio(0.5)
        .tags(vec!["ABC".to_owned(), "DEF".to_owned()])
        .build()
        .unwrap()
}

#[test]
fn valid_values_pass() {
    assert_eq!(violations(valid_limits().validate()), []);
    let input = PutTreeInput::builder()
        .name("tree")
        .root(Node::builder().value(1).build().unwrap())
        .limits(valid_limits())
        .build()
        .unwrap();
    assert_eq!(violations(input.validate()), []);
}

#[test]
fn every_violation_is_reported_with_its_path() {
    let mut limits = valid_limits();
    limits.code = Some("abcd".to_owned());
    limits.label = Some("x".to_owned());
    limits.percent = Some(101);
    limits.ratio = Some(0.25);
    limits.tags = Some(vec![
        "ABC".to_owned(),
        "XYZ".to_owned(),
        "ABC".to_owned(),
        "DEF".to_owned(),
    ]);
    let mut nested = valid_limits();
    nested.code = None;
    limits.nested = Some(vec![valid_limits(), nested]);
    limits.by_name = Some([("TOOLONG".to_owned(), -1)].into_iter().collect());
    let found = violations(limits.validate());
    let expected = [
        ("/code", "length"),
        ("/code", "pattern"),
        ("/label", "length"),
        ("/percent", "range"),
        ("/ratio", "range"),
        ("/tags", "length"),
        ("/tags", "uniqueItems"),
        ("/nested/1/code", "required"),
        // A map key's violations are the map's; a value's are at `/map/key`.
        ("/byName", "length"),
        ("/byName", "pattern"),
        ("/byName/TOOLONG", "range"),
    ];
    for (path, constraint) in expected {
        assert!(
            found.iter().any(|(p, c)| p == path && *c == constraint),
            "missing {constraint} at {path}; found {found:?}"
        );
    }
    assert_eq!(found.len(), expected.len(), "{found:?}");
}

#[test]
fn violations_read_well() {
    let mut limits = valid_limits();
    limits.percent = Some(-3);
    let err = limits.validate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 validation error detected. Value at '/percent' failed to satisfy constraint: Member must be between 0 and 100, inclusive"
    );
}

#[test]
fn look_around_patterns_are_checked() {
    // `^(?!\.).*$` needs look-ahead, which the regex crate does not have: fancy-regex runs it.
    let mut limits = valid_limits();
    limits.lookahead = Some(".hidden".to_owned());
    assert_eq!(violations(limits.validate()), [("/lookahead".to_owned(), "pattern")]);
    limits.lookahead = Some("visible".to_owned());
    assert_eq!(violations(limits.validate()), []);
}
