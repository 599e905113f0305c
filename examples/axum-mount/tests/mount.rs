//! The key-value store mounted in an axum application, called over loopback by its generated
//! client, beside the application's own route.

use std::net::SocketAddr;

use axum_mount::{app, RequestCount, Store};
use kv_store::operation::get_value::{GetValueError, GetValueInput};
use kv_store::operation::put_value::PutValueInput;
use kv_store::KeyValueStore;
use smithy_runtime::client::{HyperTransport, Transport};
use smithy_runtime::server::{HandlerService, Limits};

/// Serves the application on a loopback port with the store within `limits`.
async fn start(limits: Limits) -> (SocketAddr, RequestCount) {
    let kv = HandlerService::new(kv_store::server::Server::new(Store::default())).with_limits(limits);
    let count = RequestCount::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let app = app(kv, count.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, count)
}

fn client(addr: SocketAddr) -> kv_store::client::Client {
    kv_store::client::Client::with_endpoint(HyperTransport::new(), format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_answers_beside_the_applications_route_through_its_layers() {
    let (addr, count) = start(Limits::default()).await;
    let kv = client(addr);

    let put = PutValueInput::builder().key("greeting").value("hello").build().unwrap();
    let stored = kv.put_value(put).await.expect("PutValue succeeds");
    let got = kv
        .get_value(GetValueInput::builder().key("greeting").build().unwrap())
        .await
        .expect("GetValue succeeds");
    assert_eq!(got.value, "hello");
    assert_eq!(got.stored_at, stored.stored_at);

    // A modelled error comes back through the router and the layers as the client expects.
    let missing = kv
        .get_value(GetValueInput::builder().key("missing").build().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(missing, GetValueError::NoSuchKey(_)), "{missing:?}");

    // The application's own route still answers, outside the store's layers.
    let health = http::Request::get(format!("http://{addr}/health"))
        .body(Vec::new())
        .unwrap();
    let health = HyperTransport::new().send(health).await.expect("/health answers");
    assert_eq!(health.status(), 200);
    assert_eq!(health.body().as_slice(), b"ok");

    assert_eq!(count.get(), 3, "the layer counted the store's three calls, not /health");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_refuses_a_body_over_its_limit_behind_the_router() {
    let (addr, count) = start(Limits::default().with_max_body_bytes(1024)).await;
    let kv = client(addr);
    let put = PutValueInput::builder()
        .key("large")
        .value("v".repeat(4096))
        .build()
        .unwrap();
    let error = kv.put_value(put).await.unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (413, Some("PayloadTooLargeException")),
        "{error:?}"
    );
    assert_eq!(count.get(), 1);
    // Nothing was stored.
    let error = kv
        .get_value(GetValueInput::builder().key("large").build().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, GetValueError::NoSuchKey(_)), "{error:?}");
}
