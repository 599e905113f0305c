//! Generated clients and servers of S3, STS, IAM, CloudFormation and Route 53, a few operations
//! each, for the loopback tests in `tests/`.

include!(concat!(env!("OUT_DIR"), "/services.rs"));

/// Whether the models were there to generate the services: when they were not, a test says so
/// loudly and skips; in CI (`CI=true`) it fails instead.
pub fn models_found() -> bool {
    if !MODELS_FOUND {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the AWS models under ../shared/models are missing; in CI they must be present"
        );
        eprintln!("\n*** SKIPPED: the AWS models under ../shared/models are missing ***\n");
    }
    MODELS_FOUND
}
