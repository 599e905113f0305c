//! The example to-do list service (rpcv2Cbor), generated at build time from
//! `model/tasks.smithy` by `smithy-codegen`.

include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
