//! What a generated crate's `client` module re-exports beside its `Client`: the items a caller
//! names to configure a client and call it. The rest of [`crate::client`] (the call machinery,
//! endpoint resolution, clocks and sleeps, transport failures) is for generated code, transports
//! and tests, and is reached as `smithy_runtime::client`.

pub use super::{
    presign, Compression, Config, Credentials, Interceptor, Items, Paginator, ProvideCredentials,
    RequestChecksumCalculation, RequestContext, ResponseChecksumValidation, RetryConfig, TimeoutConfig, Transport,
    TransportError, TransportFuture,
};
#[cfg(feature = "hyper-client")]
pub use super::{HyperTransport, HyperTransportBuilder};
