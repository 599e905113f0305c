//! AWS AmplifyBackend's `GetBackendAuth` operation as Rust types, generated at build time from
//! the Smithy model `model/amplifybackend.json` by `smithy-codegen`.
//!
//! - [`types`]: the structures and enums of the operation's input and output;
//! - [`types::error`]: the errors it can return;
//! - [`operation::get_backend_auth`]: its input, output and error types and HTTP binding;
//! - [`AmplifyBackend`]: the service trait that a client and a server implement.

include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
