//! Whole HTTP requests (written as text, see `smithy_codegen_fuzz::request`) through the
//! generated aws_json1_1 server: routing, decompression, header, query, label and body decoding, and
//! validation. Every request gets an answer; none may panic, hang or exhaust memory.

#![no_main]
#![allow(dead_code, unused_imports, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/aws_json1_1.rs"));
include!("echo.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(request) = smithy_codegen_fuzz::request(data) {
        answer(request);
    }
});
