//! The example key-value store service (awsJson1_0), generated at build time from
//! `model/kv-store.smithy` by `smithy-codegen`.

include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
