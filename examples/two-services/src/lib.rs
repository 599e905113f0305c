//! Two generated services in one program, on one runtime.
//!
//! `amplifybackend` (restJson1) and `kv_store` (awsJson1_0) are two crates generated from two
//! models. Both depend on `smithy-runtime` alone, so they share its types: a
//! `smithy_runtime::primitives::DateTime` from one service's answer is the same type as the other's
//! (no conversion), and one `HyperTransport` (one connection pool) carries the calls of both
//! clients. [`run`] serves both services on loopback and calls each through the shared transport.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use amplifybackend::operation::get_backend_auth::{GetBackendAuthError, GetBackendAuthInput, GetBackendAuthOutput};
use amplifybackend::AmplifyBackend;
use kv_store::operation::get_value::{GetValueError, GetValueInput, GetValueOutput};
use kv_store::operation::put_value::{PutValueError, PutValueInput, PutValueOutput};
use kv_store::types::error::NoSuchKey;
use kv_store::KeyValueStore;
use smithy_runtime::client::{Config, HyperTransport, Transport};
use smithy_runtime::error::BoxError;
use smithy_runtime::primitives::DateTime;

/// An in-memory key-value store.
#[derive(Default)]
pub struct Store {
    values: Mutex<HashMap<String, (String, DateTime)>>,
}

impl KeyValueStore for Store {
    async fn get_value(&self, input: GetValueInput) -> Result<GetValueOutput, GetValueError> {
        let values = self.values.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match values.get(&input.key) {
            Some((value, stored_at)) => Ok(GetValueOutput::new(value.clone(), *stored_at)),
            None => Err(NoSuchKey::builder()
                .message(format!("nothing is stored under `{}`", input.key))
                .build()
                .into()),
        }
    }

    async fn put_value(&self, input: PutValueInput) -> Result<PutValueOutput, PutValueError> {
        let stored_at = DateTime::from(std::time::SystemTime::now());
        let mut values = self.values.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        values.insert(input.key, (input.value, stored_at));
        Ok(PutValueOutput::new(stored_at))
    }
}

/// An Amplify backend that answers every auth lookup with the app it was asked about.
pub struct Backend;

impl AmplifyBackend for Backend {
    async fn get_backend_auth(&self, input: GetBackendAuthInput) -> Result<GetBackendAuthOutput, GetBackendAuthError> {
        Ok(GetBackendAuthOutput::builder()
            .app_id(input.app_id)
            .resource_name(input.resource_name.unwrap_or_default())
            .build())
    }
}

/// What [`run`] saw.
#[derive(Debug)]
pub struct Report {
    /// The app id the AmplifyBackend server sent back.
    pub app_id: Option<String>,
    /// The value the key-value store sent back, and when it was stored: a runtime `DateTime`.
    pub value: String,
    pub stored_at: DateTime,
    /// Both clients hold the one transport.
    pub one_transport: bool,
}

async fn serve_on_loopback(handler: impl smithy_runtime::server::Handler) -> Result<SocketAddr, BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(smithy_runtime::server::serve(listener, handler));
    Ok(addr)
}

/// Serves both services on loopback, then calls each with its client; both clients share one
/// transport. Must run inside a tokio runtime.
pub async fn run() -> Result<Report, BoxError> {
    let kv_addr = serve_on_loopback(kv_store::server::Server::new(Store::default())).await?;
    let amplify_addr = serve_on_loopback(amplifybackend::server::Server::new(Backend)).await?;

    let transport: Arc<dyn Transport> = Arc::new(HyperTransport::new());
    let kv = kv_store::client::Client::from_config(Config::with_shared_transport(
        transport.clone(),
        format!("http://{kv_addr}"),
    ));
    let amplify = amplifybackend::client::Client::from_config(Config::with_shared_transport(
        transport.clone(),
        format!("http://{amplify_addr}"),
    ));

    let put = kv
        .put_value(PutValueInput::builder().key("greeting").value("hello").build()?)
        .await?;
    let got = kv.get_value(GetValueInput::builder().key("greeting").build()?).await?;
    let auth = amplify
        .get_backend_auth(
            GetBackendAuthInput::builder()
                .app_id("d1abc")
                .backend_environment_name("staging")
                .resource_name("auth")
                .build()?,
        )
        .await?;
    // One `DateTime` type: the store's answer compares with a value of the runtime's type.
    let stored_at: DateTime = put.stored_at;
    assert_eq!(stored_at, got.stored_at);
    Ok(Report {
        app_id: auth.app_id,
        value: got.value,
        stored_at,
        one_transport: Arc::ptr_eq(kv.config().transport(), amplify.config().transport()),
    })
}
