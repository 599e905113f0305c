//! Serves AmplifyBackend and the key-value store on loopback and calls both through one transport.
//!
//! `cargo run -p two-services`

#[tokio::main]
async fn main() -> Result<(), smithy_runtime::error::BoxError> {
    let report = two_services::run().await?;
    println!("AmplifyBackend answered for app {:?}", report.app_id);
    println!(
        "the key-value store holds {:?}, stored at {}",
        report.value, report.stored_at
    );
    println!("one transport for both clients: {}", report.one_transport);
    Ok(())
}
