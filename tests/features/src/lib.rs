//! The `Features` service of `tests/models/features.json`, generated at build time by
//! `smithy-codegen`: a model that uses every Smithy 2.0 shape and trait the generator supports.
//! The behaviour tests in `tests/` check the generated code with real values.

include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
