//! The protocols of the suite, shared by `build.rs` (which generates the services of those the
//! runtime speaks) and the harness (which counts every protocol's cases).

/// Every protocol trait of the suite, with the protocol's name, in the order the harness reports
/// them. A service with several protocol traits counts under the first listed.
pub const PROTOCOLS: &[(&str, &str)] = &[
    ("aws.protocols#restJson1", "restJson1"),
    ("aws.protocols#awsJson1_0", "awsJson1_0"),
    ("aws.protocols#awsJson1_1", "awsJson1_1"),
    ("aws.protocols#restXml", "restXml"),
    ("aws.protocols#awsQuery", "awsQuery"),
    ("aws.protocols#ec2Query", "ec2Query"),
    ("smithy.protocols#rpcv2Cbor", "rpcv2Cbor"),
    ("smithy.protocols#rpcv2Json", "rpcv2Json"),
];

/// The protocols the runtime speaks: their services are generated and their cases run.
pub const IMPLEMENTED: &[&str] = &[
    "restJson1",
    "awsJson1_0",
    "awsJson1_1",
    "restXml",
    "awsQuery",
    "ec2Query",
    "rpcv2Cbor",
    "rpcv2Json",
];

/// The protocol of a service, from its traits (a JSON AST object): the first of [`PROTOCOLS`] it
/// has, as `(trait id, name)`.
pub fn protocol_of(traits: Option<&serde_json::Value>) -> Option<(&'static str, &'static str)> {
    let traits = traits?;
    PROTOCOLS
        .iter()
        .copied()
        .find(|(trait_id, _)| traits.get(*trait_id).is_some())
}
