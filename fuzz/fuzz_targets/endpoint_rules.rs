//! Bytes as an endpoint rule set: read, then resolved with every parameter set (strings to a
//! region-like value, booleans to true) against the AWS partitions. Hostile rule sets (deep
//! nesting, huge templates, unknown functions, wrong types) are refused or resolve to an error;
//! none may panic, hang or overflow the stack.

#![no_main]

use smithy_runtime::endpoint::RuleSet;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = RuleSet::from_json(text) else {
        return;
    };
    smithy_codegen_fuzz::resolve_all(&rules);
});
