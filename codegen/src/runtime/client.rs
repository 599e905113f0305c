/// What a transport fails with: any error, such as a refused connection or a timeout.
pub type TransportError = Box<dyn std::error::Error + Send + Sync>;

/// Sends a request and returns the response: the one thing a [`Client`] needs from an HTTP
/// stack. Implement it over any HTTP client, or use the `hyper-client` feature's transport.
pub trait Transport: Send + Sync {
    /// Sends `request` and waits for the whole response.
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl std::future::Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send;
}

/// A client of the service: builds each request, sends it with its transport to its endpoint
/// and reads the response. It implements the service trait, one method per operation.
#[derive(Debug, Clone)]
pub struct Client<T> {
    transport: T,
    endpoint: String,
}

impl<T: Transport> Client<T> {
    /// A client that sends requests with `transport` to `endpoint`, such as
    /// `https://service.example.com` or `http://127.0.0.1:8080/prefix`.
    pub fn new(transport: T, endpoint: impl Into<String>) -> Self {
        Self { transport, endpoint: endpoint.into() }
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Calls operation `O`: validates and serializes `input`, sends it, reads the response.
    pub async fn call<O: crate::operation::HttpOperation>(&self, input: O::Input) -> Result<O::Output, O::Error>
    where
        O::Error: From<crate::error::UnhandledError>,
    {
        let request = O::serialize_request(&input, &self.endpoint)?;
        let response = self
            .transport
            .send(request)
            .await
            .map_err(crate::error::UnhandledError::transport)?;
        O::parse_response(&response)
    }
}
