//! A service generated from a Smithy model, mounted in an axum application.
//!
//! The application has routes of its own (`GET /health`) and serves the key-value store
//! (`kv_store`, awsJson1_0) beside them: `smithy_runtime::server::HandlerService` makes the
//! generated `server::Server` a tower service, which axum mounts like any other, with tower
//! layers around it: here `tower_http`'s `TraceLayer` and a layer that counts the store's
//! requests, as a metrics layer would.
//!
//! The few lines it takes (what [`app`] builds, less the counting layer):
//!
//! ```no_run
//! # async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
//! # let store = axum_mount::Store::default();
//! use smithy_runtime::server::HandlerService;
//!
//! let kv = HandlerService::new(kv_store::server::Server::new(store));
//! let app = axum::Router::new()
//!     .route("/health", axum::routing::get(|| async { "ok" }))
//!     .route("/", axum::routing::any_service(kv).layer(tower_http::trace::TraceLayer::new_for_http()));
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{any_service, get};
use axum::Router;
use kv_store::operation::get_value::{GetValueError, GetValueInput, GetValueOutput};
use kv_store::operation::put_value::{PutValueError, PutValueInput, PutValueOutput};
use kv_store::types::error::NoSuchKey;
use kv_store::KeyValueStore;
use smithy_runtime::primitives::DateTime;
use smithy_runtime::server::{Handler, HandlerService};
use tower_http::trace::TraceLayer;

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

/// How many requests reached the store's route, counted by a layer around it.
#[derive(Clone, Debug, Default)]
pub struct RequestCount(Arc<AtomicUsize>);

impl RequestCount {
    /// The requests counted so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// The application: `GET /health`, and the store `kv` at `/`, each of its requests traced
/// (`TraceLayer`) and counted in `count`.
pub fn app<H: Handler>(kv: HandlerService<H>, count: RequestCount) -> Router {
    // An awsJson1_0 client sends every call as a POST to its endpoint's path (`/` for an
    // endpoint such as `http://127.0.0.1:3000`) and names the operation in `X-Amz-Target`, so
    // the store takes that one path, for every method: the service answers a request it cannot
    // route with its protocol's error, as the client expects. A restJson1 service, whose
    // operations have paths of their own, would rather be the router's `fallback_service`.
    // The layers wrap the store's route alone (`/health` is neither traced nor counted), the
    // last one outermost.
    let store = any_service(kv)
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(count, count_requests));
    Router::new().route("/health", get(health)).route("/", store)
}

async fn health() -> &'static str {
    "ok"
}

/// Counts a request, then passes it on.
async fn count_requests(State(count): State<RequestCount>, request: Request, next: Next) -> Response {
    count.0.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}
