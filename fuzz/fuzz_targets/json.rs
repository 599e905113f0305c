//! Model bytes through the JSON AST reader, the assembly (merge, apply, elision, the 1.0
//! upgrade, mixins) and the index: any input may be refused with an error; none may panic,
//! hang or overflow the stack.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut codegen = smithy_codegen::Codegen::new();
    codegen.model_text("fuzz.json", text);
    let _ = codegen.ast();
    let _ = codegen.inspect();
});
