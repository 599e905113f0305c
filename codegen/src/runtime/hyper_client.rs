/// A ready [`Transport`] on hyper's pooled client: HTTP/1.1 over plain
/// TCP, reusing connections across calls. Cloning it is cheap and shares the pool.
///
/// It speaks `http://` only: there is no TLS, and an `https://` endpoint fails every call with
/// a transport error. For TLS (or HTTP/2, proxies, timeouts), implement
/// [`Transport`] over your own HTTP client.
///
/// It spawns its connections on the current tokio runtime, so calls must run inside one.
#[cfg(feature = "hyper-client")]
#[derive(Clone)]
pub struct HyperTransport {
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<bytes::Bytes>,
    >,
}

#[cfg(feature = "hyper-client")]
impl HyperTransport {
    /// A transport with a new connection pool and hyper's default settings.
    pub fn new() -> Self {
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        Self { client }
    }
}

#[cfg(feature = "hyper-client")]
impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "hyper-client")]
impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

#[cfg(feature = "hyper-client")]
impl crate::client::Transport for HyperTransport {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl std::future::Future<Output = Result<http::Response<Vec<u8>>, crate::client::TransportError>> + Send {
        let request = request.map(|body| http_body_util::Full::new(bytes::Bytes::from(body)));
        let response = self.client.request(request);
        async move {
            let (parts, body) = response.await?.into_parts();
            let body = http_body_util::BodyExt::collect(body).await?.to_bytes();
            Ok(http::Response::from_parts(parts, Vec::from(body)))
        }
    }
}
