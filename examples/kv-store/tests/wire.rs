//! The awsJson1_0 wire of the generated key-value store, client and server in one process: the
//! client's requests go through an in-memory transport straight to the generated server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kv_store::operation::get_value::{GetValueError, GetValueInput, GetValueOutput};
use kv_store::operation::put_value::{PutValueError, PutValueInput, PutValueOutput};
use kv_store::types::error::NoSuchKey;
use kv_store::KeyValueStore;
use smithy_runtime::client::{Transport, TransportFuture};
use smithy_runtime::primitives::DateTime;

#[derive(Default)]
struct Store {
    values: Mutex<HashMap<String, String>>,
}

impl KeyValueStore for Store {
    async fn get_value(&self, input: GetValueInput) -> Result<GetValueOutput, GetValueError> {
        // Required members arrive as plain values: the server has checked them.
        let value = self.values.lock().unwrap().get(&input.key).cloned();
        match value {
            Some(value) => Ok(GetValueOutput::new(value, DateTime::from_secs(1_700_000_000))),
            None => Err(NoSuchKey::builder()
                .message(format!("no `{}`", input.key))
                .build()
                .into()),
        }
    }

    async fn put_value(&self, input: PutValueInput) -> Result<PutValueOutput, PutValueError> {
        self.values.lock().unwrap().insert(input.key, input.value);
        // `new` takes every required member: leaving one out does not compile.
        Ok(PutValueOutput::new(DateTime::from_secs(1_700_000_000)))
    }
}

/// The requests a client sent, in order.
type Sent = Arc<Mutex<Vec<http::Request<Vec<u8>>>>>;

/// Hands each request to the generated server and keeps a copy of it.
struct Loopback {
    store: Arc<Store>,
    sent: Sent,
}

impl Transport for Loopback {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let mut copy = http::Request::new(request.body().clone());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        self.sent.lock().unwrap().push(copy);
        Box::pin(async move { Ok(kv_store::server::handle(&*self.store, request).await) })
    }
}

fn client() -> (kv_store::client::Client, Sent) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let transport = Loopback {
        store: Arc::new(Store::default()),
        sent: sent.clone(),
    };
    (
        kv_store::client::Client::with_endpoint(transport, "http://kv.example.com"),
        sent,
    )
}

fn header<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn every_call_is_a_post_to_the_root_naming_its_operation() {
    let (client, sent) = client();
    let input = PutValueInput::builder().key("k").value("v").build().unwrap();
    client.put_value(input).await.unwrap();
    let input = GetValueInput::builder().key("k").build().unwrap();
    assert_eq!(client.get_value(input).await.unwrap().value, "v");

    let sent = sent.lock().unwrap();
    let targets: Vec<_> = sent.iter().map(|request| header(request, "x-amz-target")).collect();
    assert_eq!(
        targets,
        [Some("KeyValueStore.PutValue"), Some("KeyValueStore.GetValue")]
    );
    for request in sent.iter() {
        assert_eq!((request.method().as_str(), request.uri().path()), ("POST", "/"));
        assert_eq!(header(request, "content-type"), Some("application/x-amz-json-1.0"));
    }
    // Members go by their member names, the whole input in the body.
    let body: serde_json::Value = serde_json::from_slice(sent[0].body()).unwrap();
    assert_eq!(body, serde_json::json!({ "key": "k", "value": "v" }));
}

#[tokio::test]
async fn a_modelled_error_comes_back_by_its_type() {
    let (client, _) = client();
    let input = GetValueInput::builder().key("missing").build().unwrap();
    let error = client.get_value(input).await.unwrap_err();
    let GetValueError::NoSuchKey(error) = &error else {
        panic!("expected NoSuchKey, got {error:?}");
    };
    assert_eq!(error.message.as_deref(), Some("no `missing`"));
}

#[tokio::test]
async fn the_client_leaves_constraints_to_the_service_which_enforces_them() {
    let (client, sent) = client();
    // `Key` is `@length(min: 1, max: 128)`.
    let long = "k".repeat(200);
    let input = PutValueInput::builder().key(long.as_str()).value("v").build().unwrap();
    assert!(input.validate().is_err(), "validate() still reports the violation");
    let error = client.put_value(input).await.unwrap_err();
    assert_eq!(sent.lock().unwrap().len(), 1, "the request was sent");
    assert_eq!(
        (error.status(), error.code()),
        (400, Some("ValidationException")),
        "{error:?}"
    );
    assert!(error.message().unwrap_or_default().contains("/key"), "{error:?}");
}

#[tokio::test]
async fn the_server_refuses_what_it_cannot_read_or_route() {
    let store = Store::default();
    let request = |target: &str, body: &str| {
        http::Request::builder()
            .method("POST")
            .uri("/")
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", target)
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let error_type = |response: &http::Response<Vec<u8>>| {
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        body["__type"].as_str().unwrap_or_default().to_owned()
    };
    for body in [r#"["k", "v"]"#, r#""k""#, "{"] {
        let response = kv_store::server::handle(&store, request("KeyValueStore.PutValue", body)).await;
        assert_eq!(response.status(), 400, "{body}");
        assert!(
            error_type(&response).ends_with("SerializationException"),
            "{body}: {}",
            error_type(&response)
        );
    }
    // An operation the service does not have is not found, as smithy-rs servers answer.
    let response = kv_store::server::handle(&store, request("KeyValueStore.DropEverything", "{}")).await;
    assert_eq!(response.status(), 404);
    assert!(
        error_type(&response).ends_with("UnknownOperationException"),
        "{}",
        error_type(&response)
    );
    let response = kv_store::server::handle(&store, request("OtherService.PutValue", "{}")).await;
    assert_eq!(response.status(), 404);
    assert!(
        error_type(&response).ends_with("UnknownOperationException"),
        "{}",
        error_type(&response)
    );
}
