//! Bytes as a rule set written by `RuleSet::to_bytes` (after its four-byte header, which the
//! target adds so that mutations reach the rule set): read, then resolved with every parameter
//! set as `endpoint_rules` sets them. Bytes that are not such a rule set are refused; none may
//! panic, hang or overflow the stack, and a rule set read is written back to bytes that read.

#![no_main]

use smithy_runtime::endpoint::RuleSet;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut bytes = b"SRB\x01".to_vec();
    bytes.extend_from_slice(data);
    let Ok(rules) = RuleSet::from_bytes(&bytes) else {
        return;
    };
    assert!(
        RuleSet::from_bytes(&rules.to_bytes()).is_ok(),
        "a rule set read is written back readable"
    );
    smithy_codegen_fuzz::resolve_all(&rules);
});
