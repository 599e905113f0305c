//! Bytes as the CBOR body of an rpcv2Cbor `Put`: the CBOR decoder (definite and indefinite
//! lengths, every major type, tags, half floats, nesting, declared lengths past the end) and the
//! model's constraints on every value it reads. Every request gets an answer; none may panic,
//! hang or exhaust memory.

#![no_main]
#![allow(dead_code, unused_imports, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/rpc_v2_cbor.rs"));
include!("echo.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let request = smithy_runtime::http::Request::builder()
        .method("POST")
        .uri("/service/Fuzz/operation/Put")
        .header("smithy-protocol", "rpc-v2-cbor")
        .header("content-type", "application/cbor")
        .body(data.to_vec())
        .expect("a valid request");
    answer(request);
});
