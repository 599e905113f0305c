//! Bytes as the JSON body of an awsJson1_0 `Put`: the JSON decoder and the model's constraints
//! (lengths, ranges, patterns, unique items, enums, unions, nesting) on every value it reads.

#![no_main]
#![allow(dead_code, unused_imports, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/aws_json1_0.rs"));
include!("echo.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let request = smithy_runtime::http::Request::builder()
        .method("POST")
        .uri("/")
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "Fuzz.Put")
        .body(data.to_vec())
        .expect("a valid request");
    answer(request);
});
