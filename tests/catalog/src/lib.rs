//! The `Catalog` service of `tests/models/catalog.json`, generated at build time by
//! `smithy-codegen`: a restJson1 service with paginated lists (top-level and nested tokens,
//! list and map items, integer and long page sizes), a `@requestCompression` upload and an
//! `httpChecksum` operation. The tests in `tests/` run its client against its server.

include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));
