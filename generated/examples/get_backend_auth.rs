//! Calls AmplifyBackend's GetBackendAuth on AWS, configured from the environment as the AWS
//! SDKs are (region, credentials, endpoint settings):
//!
//! ```sh
//! AWS_REGION=eu-west-1 cargo run -p amplifybackend --features hyper-client --example get_backend_auth -- \
//!     <app id> <backend environment name> <resource name>
//! ```

use amplifybackend::client::{Client, Config};
use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput};
use amplifybackend::AmplifyBackend;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(app_id), Some(environment), Some(resource)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: get_backend_auth <app id> <backend environment name> <resource name>".into());
    };

    let config = Config::from_env().await;
    let client = Client::new(&config);
    let input = GetBackendAuthInput::builder()
        .app_id(app_id)
        .backend_environment_name(environment)
        .resource_name(resource)
        .build()?;
    match client.get_backend_auth(input).await {
        Ok(output) => println!("{:#?}", output.resource_config),
        Err(GetBackendAuthError::NotFoundException(error)) => println!("no such backend: {error}"),
        Err(other) => println!("{other}"),
    }
    Ok(())
}
