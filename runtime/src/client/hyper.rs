//! A ready transport on hyper (feature `hyper-client`).

use std::time::Duration;

use super::{Transport, TransportError, TransportFuture};

/// A ready [`Transport`] on hyper's pooled client: HTTP/1.1 over plain TCP, reusing
/// connections across calls. Cloning it is cheap and shares the pool, so one transport can
/// serve the clients of several services.
///
/// It speaks `http://` only: there is no TLS, and an `https://` endpoint fails every call with
/// a transport error. For TLS (or HTTP/2, proxies), implement [`Transport`] over your own HTTP
/// client.
///
/// A request that gets no whole response within its timeout (60 seconds unless set with
/// [`HyperTransport::with_timeout`]) fails with a transport error. It spawns its connections on
/// the current tokio runtime, so calls must run inside one.
#[derive(Clone)]
pub struct HyperTransport {
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<bytes::Bytes>,
    >,
    timeout: Duration,
}

impl HyperTransport {
    /// A transport with a new connection pool and hyper's default settings.
    pub fn new() -> Self {
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Self {
            client,
            timeout: Duration::from_secs(60),
        }
    }

    /// The same transport (the same pool) with another time limit for a whole request: sending
    /// it and receiving the whole response.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        let request = request.map(|body| http_body_util::Full::new(bytes::Bytes::from(body)));
        let response = self.client.request(request);
        let timeout = self.timeout;
        Box::pin(async move {
            let exchange = async move {
                let (parts, body) = response.await?.into_parts();
                let body = http_body_util::BodyExt::collect(body).await?.to_bytes();
                Ok::<_, TransportError>(http::Response::from_parts(parts, Vec::from(body)))
            };
            match tokio::time::timeout(timeout, exchange).await {
                Ok(result) => result,
                Err(_) => Err(format!("no whole response within {timeout:?}").into()),
            }
        })
    }
}
