//! A ready server on hyper (feature `hyper-server`).

use std::future::Future;
use std::sync::Arc;

use super::{Handler, Rejection};

/// Serves HTTP/1.1 on `listener` with hyper, answering every request with `handler`, until
/// accepting a connection fails.
///
/// Each connection is served on its own tokio task, so this must run inside a tokio runtime.
/// A request's body is read whole before `handler` sees it; a body that cannot be read is
/// answered `400 SerializationException` without calling `handler`. A connection that fails
/// (a client that hangs up, malformed HTTP) ends that connection only; so does a connection
/// aborted or reset before it was accepted. Any other error accepting a connection, such as
/// running out of file descriptors, is returned.
pub async fn serve(listener: tokio::net::TcpListener, handler: impl Handler) -> std::io::Result<()> {
    let handler = Arc::new(handler);
    serve_with(listener, move |request| {
        let handler = handler.clone();
        async move { handler.handle(request).await }
    })
    .await
}

/// [`serve`] with a function as the handler.
pub async fn serve_with<F, Fut>(listener: tokio::net::TcpListener, handler: F) -> std::io::Result<()>
where
    F: Fn(http::Request<Vec<u8>>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = http::Response<Vec<u8>>> + Send + 'static,
{
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) if accept_error_is_per_connection(&error) => continue,
            Err(error) => return Err(error),
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                let handler = handler.clone();
                async move {
                    let (parts, body) = request.into_parts();
                    let response = match http_body_util::BodyExt::collect(body).await {
                        Ok(body) => handler(http::Request::from_parts(parts, Vec::from(body.to_bytes()))).await,
                        Err(error) => {
                            let rejection =
                                Rejection::serialization(format!("the request body cannot be read: {error}"));
                            plain_rejection(rejection)
                        }
                    };
                    Ok::<_, std::convert::Infallible>(
                        response.map(|body| http_body_util::Full::new(bytes::Bytes::from(body))),
                    )
                }
            });
            // A failed connection concerns its client only: it is dropped, and nothing else.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// A rejection answered before the request reached a handler, which knows the protocol: the
/// status and error type, with a JSON message.
fn plain_rejection(rejection: Rejection) -> http::Response<Vec<u8>> {
    let body = serde_json::json!({ "message": rejection.message() })
        .to_string()
        .into_bytes();
    http::Response::builder()
        .status(rejection.status())
        .header("x-amzn-errortype", rejection.error_type())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap_or_default()
}

/// Whether an error accepting a connection concerns that connection only (it was aborted or
/// reset before it was accepted, or the call was interrupted), so the server goes on.
fn accept_error_is_per_connection(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionAborted | std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::Interrupted
    )
}
