//! Serves the application (`GET /health`, and the key-value store at `/`) on
//! 127.0.0.1:3000, or the address in `ADDR`, until interrupted.
//!
//! `cargo run -p axum-mount`

use smithy_runtime::server::HandlerService;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let store = kv_store::server::Server::new(axum_mount::Store::default());
    let app = axum_mount::app(HandlerService::new(store), axum_mount::RequestCount::default());
    println!("serving the key-value store on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
