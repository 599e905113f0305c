//! The runtime of the crates that `smithy-codegen` generates from Smithy models.
//!
//! A generated crate holds its model's types and, as static data, their [`schema`]s; this crate
//! holds everything else, once for every generated crate in a program:
//!
//! - [`primitives`]: blobs, timestamps, documents, big numbers, streams;
//! - [`error`]: build, validation and unmodelled service errors;
//! - [`shape`]: how codecs see values, and [`codec`]: JSON, text forms and the serde bridge,
//!   each walking values with their schemas ([`serde_impls!`] gives generated types their
//!   serde impls when the `serde` feature is on);
//! - [`validate`]: the model's constraint traits;
//! - [`checksum`]: flexible checksums and gzip bodies;
//! - [`operation`] and [`protocol`]: operations on the wire in restJson1, awsJson1_0,
//!   awsJson1_1, restXml, awsQuery and ec2Query;
//! - [`client`]: a configuration (region, credentials, endpoint settings, from the environment
//!   as AWS users expect with `Config::from_env`), the request pipeline that resolves each
//!   call's endpoint and signs it, a [`client::Transport`], and a ready HTTPS transport on hyper
//!   and rustls behind the `hyper-client` feature;
//! - [`auth`]: credentials and SigV4 signing and presigning; [`credentials`]: where credentials
//!   and the region come from (environment, shared files, ECS, EC2 instance metadata);
//! - [`aws`]: the STS, IAM Identity Center and Sign-In clients those providers call;
//! - [`endpoint`]: the Smithy endpoint rules engine with the AWS functions and partitions;
//! - [`jmespath`]: JMESPath expressions, as waiters and operation context parameters use them;
//! - [`pattern`]: `@pattern` regular expressions, checked and compiled;
//! - [`server`]: routing and rejections, a ready server on hyper behind `hyper-server`, and a
//!   `tower::Service` for axum or hyper applications behind `tower`.
//!
//! All of it but [`endpoint`], [`jmespath`], [`pattern`] and [`primitives::Blob`] is behind the
//! `full` feature, on by default. The generator, which runs those four itself (to check a
//! model's endpoint rules, JMESPath expressions and `@pattern`s and to write the rules as
//! bytes), depends on this crate without it: a build script that generates code compiles that
//! fraction of the runtime, beside the whole one its crate is built against.
//!
//! Two generated crates in one program share these types: one `DateTime`, one `Transport`.
//! Generated code names this crate's items by path and checks, when it is compiled, that it was
//! generated for this version ([`check_version`]).

// Generated clients embedded in this crate name it as generated code in any crate does.
extern crate self as smithy_runtime;

// What only the `full` feature builds is marked item by item: modules declared through a macro
// would make the `#[macro_export]` macros in them unreachable by their absolute paths.
#[cfg(feature = "full")]
pub mod auth;
#[cfg(feature = "full")]
pub mod aws;
#[cfg(feature = "full")]
pub mod checksum;
#[cfg(feature = "full")]
pub mod client;
#[cfg(feature = "full")]
pub mod codec;
#[cfg(feature = "full")]
pub mod credentials;
pub mod endpoint;
#[cfg(feature = "full")]
pub mod error;
#[cfg(feature = "full")]
pub mod event_stream;
pub mod jmespath;
#[cfg(feature = "full")]
pub(crate) mod memory;
#[cfg(feature = "full")]
pub mod operation;
pub mod pattern;
mod percent;
pub mod primitives;
#[cfg(feature = "full")]
pub mod protocol;
#[cfg(feature = "full")]
mod rejection;
#[cfg(feature = "full")]
pub mod schema;
#[cfg(feature = "full")]
pub mod server;
#[cfg(feature = "full")]
pub mod shape;
#[cfg(feature = "full")]
pub mod transport;
#[cfg(feature = "full")]
pub mod validate;

/// The crates generated code reaches through this one, so that a generated crate depends on
/// this crate alone.
#[cfg(feature = "full")]
pub use http;
pub use serde;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version requirement this crate meets for generated code: `MAJOR.MINOR` (`0.1`).
pub const COMPATIBLE: &str = "0.1";

/// Fails the compilation of code generated for another version of this crate: generated code
/// calls it in a constant with the version (`MAJOR.MINOR`) it was generated for.
pub const fn check_version(generated_for: &str) {
    let (ours, theirs) = (COMPATIBLE.as_bytes(), generated_for.as_bytes());
    let mut same = ours.len() == theirs.len();
    let mut index = 0;
    while same && index < ours.len() {
        same = ours[index] == theirs[index];
        index += 1;
    }
    if !same {
        panic!(
            "this code was generated for another version of smithy-runtime than the 0.1 it is compiled with: \
             depend on the smithy-runtime version that the smithy-codegen which generated it names \
             (the string passed to `check_version` here), or regenerate it with smithy-codegen 0.1"
        );
    }
}
