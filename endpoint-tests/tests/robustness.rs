//! Rule sets come from models users write and parameters from users: neither may make the
//! engine panic. These resolve every rule set of the models with odd parameter values, and parse
//! and resolve amplifybackend's rule set with each of its values replaced by odd JSON.

use serde_json::{json, Value};
use smithy_runtime::endpoint::{ParamType, ParamValue, Params, RuleSet};

const ODD_STRINGS: &[&str] = &[
    "",
    "a",
    "us-east-1",
    "cn-north-1",
    "us-iso-east-1",
    "aws-global",
    "é",
    "\u{0}\u{7f}",
    "😀.example.com",
    "{Region}",
    "a..b",
    "-",
    "192.168.0.1",
    "https://",
    "https://[::1]:99999",
    "https://example.com?query",
    "https://user@example.com/path",
    "http://10.0.0.1:80/a/b/",
    "arn:",
    "arn:aws:s3:::",
    "arn:aws:s3:us-west-2:123456789012:accesspoint:my-endpoint",
    "arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01234567890123456/accesspoint/reports",
    "arn:aws:kinesis:us-east-1:123:stream/s/consumer/c:1",
    "mybucket--usw2-az1--x-s3",
    "--x-s3",
    "my.bucket.name",
];

fn rule_sets() -> Vec<(String, RuleSet)> {
    let cases = endpoint_tests::model_dirs()
        .into_iter()
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok))
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"));
    let mut rule_sets = Vec::new();
    for path in cases {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(model) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for shape in model["shapes"]
            .as_object()
            .into_iter()
            .flat_map(|shapes| shapes.values())
        {
            if let Some(rule_set) = shape.pointer("/traits/smithy.rules#endpointRuleSet") {
                let rule_set =
                    RuleSet::from_value(rule_set).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
                rule_sets.push((path.display().to_string(), rule_set));
            }
        }
    }
    rule_sets
}

#[test]
fn odd_parameter_values_never_panic() {
    for (_, rule_set) in rule_sets() {
        let base = rule_set
            .parameters()
            .iter()
            .fold(Params::new(), |params, parameter| match parameter.param_type {
                ParamType::String => params.with(parameter.name.clone(), "us-east-1"),
                ParamType::Boolean => params.with(parameter.name.clone(), false),
                ParamType::StringArray => params.with(parameter.name.clone(), vec!["a".to_owned()]),
            });
        for parameter in rule_set.parameters() {
            let name = parameter.name.clone();
            let values: Vec<ParamValue> = match parameter.param_type {
                ParamType::String => ODD_STRINGS.iter().map(|value| ParamValue::from(*value)).collect(),
                ParamType::Boolean => vec![ParamValue::Bool(true), ParamValue::Bool(false)],
                ParamType::StringArray => ODD_STRINGS
                    .iter()
                    .map(|value| ParamValue::from(&[*value, ""][..]))
                    .collect(),
            };
            for value in values {
                let _ = rule_set.resolve(&base.clone().with(name.clone(), value.clone()));
                let mut without = base.clone();
                without.remove(&name);
                let _ = rule_set.resolve(&without.with("Other", value.clone()));
                // Every boolean on, with this value.
                let all_on = rule_set
                    .parameters()
                    .iter()
                    .filter(|parameter| parameter.param_type == ParamType::Boolean)
                    .fold(base.clone(), |params, parameter| {
                        params.with(parameter.name.clone(), true)
                    });
                let _ = rule_set.resolve(&all_on.with(name.clone(), value));
            }
            // The wrong type.
            let _ = rule_set.resolve(&base.clone().with(name.clone(), ParamValue::Bool(true)));
            let _ = rule_set.resolve(&base.clone().with(name, "x"));
        }
        let _ = rule_set.resolve(&Params::new());
    }
}

/// Every value in `value`, by JSON pointer.
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{prefix}/{escaped}"), out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{prefix}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(prefix);
}

#[test]
fn odd_rule_sets_never_panic() {
    let Some(path) = endpoint_tests::model_dirs()
        .into_iter()
        .map(|dir| dir.join("amplifybackend-2020-08-11.json"))
        .find(|path| path.is_file())
    else {
        eprintln!("note: no amplifybackend model in the model directories");
        return;
    };
    let model: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let original = model
        .pointer("/shapes/com.amazonaws.amplifybackend#AmplifyBackend/traits/smithy.rules#endpointRuleSet")
        .expect("amplifybackend's rule set")
        .clone();
    let mut all = Vec::new();
    pointers(&original, String::new(), &mut all);
    let replacements = [
        json!(null),
        json!(true),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!("{"),
        json!("}{"),
        json!("{Nope}"),
        json!("{Region#a[0]}"),
        json!([]),
        json!([{}]),
        json!({}),
        json!({"ref": "Region"}),
        json!({"fn": "getAttr", "argv": [{"ref": "Region"}, "[0]"]}),
        json!({"fn": "coalesce", "argv": []}),
    ];
    let params = [
        Params::new(),
        Params::new().with("Region", "us-east-1"),
        Params::new()
            .with("Region", "us-iso-east-1")
            .with("UseFIPS", true)
            .with("UseDualStack", true),
        Params::new().with("Endpoint", "https://example.com"),
    ];
    let mut parsed = 0;
    for pointer in &all {
        for replacement in &replacements {
            let mut mutated = original.clone();
            match mutated.pointer_mut(pointer) {
                Some(slot) => *slot = replacement.clone(),
                None => continue,
            }
            if let Ok(rule_set) = RuleSet::from_value(&mutated) {
                parsed += 1;
                for params in &params {
                    let _ = rule_set.resolve(params);
                }
            }
        }
    }
    assert!(parsed > 0, "no mutation parsed");
}
