//! Generated clients and servers of S3, STS, IAM, CloudFormation and Route 53, a few operations
//! each, for the loopback tests in `tests/`.

include!(concat!(env!("OUT_DIR"), "/services.rs"));
