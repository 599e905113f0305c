//! Model bytes through the whole generator: JSON, load, mixins, index and checks, symbols,
//! render and format. Any input may be refused with an error; none may panic, hang or overflow
//! the stack. A model of several services is generated for its first.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut codegen = smithy_codegen::Codegen::new();
    codegen.model_text("fuzz.json", text);
    if let Ok(inspection) = codegen.inspect() {
        if inspection.selected.is_none() {
            if let Some((service, _)) = inspection.services.first() {
                codegen.service(service.clone());
            }
        }
    }
    let _ = codegen.generate();
});
