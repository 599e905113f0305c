// The crate generated at build time from the bundled model `model/amplifybackend.json` (AWS
// AmplifyBackend's `GetBackendAuth`), laid out as the README shows: the generated code at the
// crate root, and its front page (the service's documentation and an example call) as the
// crate's documentation.
#![doc = include_str!(concat!(env!("OUT_DIR"), "/smithy_codegen.md"))]
include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
