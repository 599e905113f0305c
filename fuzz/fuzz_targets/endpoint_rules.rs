//! Bytes as an endpoint rule set: read, then resolved with every parameter set (strings to a
//! region-like value, booleans to true) against the AWS partitions. Hostile rule sets (deep
//! nesting, huge templates, unknown functions, wrong types) are refused or resolve to an error;
//! none may panic, hang or overflow the stack.

#![no_main]

use smithy_runtime::endpoint::{ParamType, Params, RuleSet};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = RuleSet::from_json(text) else {
        return;
    };
    let mut params = Params::new();
    for parameter in rules.parameters() {
        match parameter.param_type {
            ParamType::String => params.set(parameter.name.clone(), "us-east-1"),
            ParamType::Boolean => params.set(parameter.name.clone(), true),
            ParamType::StringArray => params.set(parameter.name.clone(), vec!["a".to_owned(), "b".to_owned()]),
        };
    }
    let _ = rules.resolve(&params);
    let _ = rules.resolve(&Params::new());
});
