//! `aws.protocols#awsJson1_0` and `awsJson1_1`: every request is a `POST` to `/` that names its
//! operation in `X-Amz-Target`, with the whole input as a JSON body keyed by member names; HTTP
//! binding traits do not apply, so operations carry no `@http` data.

use crate::tokens::quote;
use crate::tokens::Tokens;

use crate::model::Shape;

/// Which of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V1_0,
    V1_1,
}

impl Version {
    /// The runtime's value for the protocol.
    pub(super) fn runtime_value(self) -> Tokens {
        match self {
            Version::V1_0 => quote!(Protocol::AwsJson1_0),
            Version::V1_1 => quote!(Protocol::AwsJson1_1),
        }
    }

    /// The name of the runtime's code for the protocol.
    pub(super) fn runtime_code(self) -> &'static str {
        match self {
            Version::V1_0 => "AWS_JSON_1_0",
            Version::V1_1 => "AWS_JSON_1_1",
        }
    }
}

/// An operation's request, for its documentation.
pub(super) fn operation_doc(service: &str, operation: &Shape) -> String {
    format!("`POST /` with `X-Amz-Target: {service}.{}`.", operation.id.name())
}
