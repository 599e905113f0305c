//! The client side: a [`Config`] (where requests go, what carries them, and the steps each
//! request passes through) and [`call`], which serializes an operation's input, sends the
//! request with the [`Transport`] and reads the response. Generated crates wrap a `Config` in
//! their own `Client`, which implements the service trait.
//!
//! One transport can serve every client of a program: [`Config::new`] takes it by value and
//! keeps it in an [`Arc`]; clone the `Arc` (or a transport such as `HyperTransport`, whose clones
//! share one connection pool) to give it to several clients.

#[cfg(feature = "hyper-client")]
mod hyper;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

#[cfg(feature = "hyper-client")]
pub use self::hyper::HyperTransport;
pub use crate::error::BoxError;
use crate::error::UnhandledError;
use crate::operation::{HttpOperation, Operation};
use crate::schema::{OperationSchema, ServiceSchema};

/// What a transport fails with: any error, such as a refused connection or a timeout.
pub type TransportError = BoxError;

/// The future a [`Transport`] returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send + 'a>>;

/// Sends a request and returns the whole response: the one thing a client needs from an HTTP
/// stack. Implement it over any HTTP client, or use the `hyper-client` feature's
/// `HyperTransport`.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and waits for the whole response.
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

/// Which operation a request is for, as the steps of the request pipeline see it.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext {
    pub service: &'static ServiceSchema,
    pub operation: &'static OperationSchema,
}

/// A step every request of a client passes through: it may change the request before it is
/// sent (sign it, add headers) and look at the response before it is read. Steps run in the
/// order they were added.
pub trait Interceptor: Send + Sync + 'static {
    /// Called with each request before it is sent. An error stops the call: nothing is sent.
    fn modify_request(&self, request: &mut http::Request<Vec<u8>>, context: &RequestContext) -> Result<(), BoxError> {
        let _ = (request, context);
        Ok(())
    }

    /// Called with each response before it is read. An error fails the call.
    fn read_response(&self, response: &http::Response<Vec<u8>>, context: &RequestContext) -> Result<(), BoxError> {
        let _ = (response, context);
        Ok(())
    }
}

/// Where a client's requests go, what carries them, and the steps each passes through.
/// Cloning it is cheap: the transport and the steps are shared.
#[derive(Clone)]
pub struct Config {
    endpoint: String,
    transport: Arc<dyn Transport>,
    interceptors: Vec<Arc<dyn Interceptor>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint)
            .field("interceptors", &self.interceptors.len())
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Requests go to `endpoint` (such as `https://service.example.com` or
    /// `http://127.0.0.1:8080/prefix`) with `transport`.
    pub fn new(transport: impl Transport, endpoint: impl Into<String>) -> Self {
        Self::with_shared_transport(Arc::new(transport), endpoint)
    }

    /// Requests go to `endpoint` with a transport that other clients may share.
    pub fn with_shared_transport(transport: Arc<dyn Transport>, endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            transport,
            interceptors: Vec::new(),
        }
    }

    /// Adds a step to the request pipeline, after those already there.
    pub fn with_interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// The same configuration with another endpoint.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The transport, to share with another client.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }
}

/// Calls operation `O`: serializes `input`, passes the request through the configuration's
/// steps, sends it, and reads the response.
pub fn call<O: Operation>(config: &Config, input: O::Input) -> Call<'_, O> {
    Call {
        config,
        state: CallState::Start(Some(input)),
    }
}

/// The future of [`call`]. A named type rather than an `async fn`'s, so that a generated
/// client, whose methods return it, costs the compiler no analysis of a state machine per
/// operation until a call is awaited.
pub struct Call<'a, O: Operation> {
    config: &'a Config,
    state: CallState<'a, O>,
}

enum CallState<'a, O: Operation> {
    Start(Option<O::Input>),
    Sending(crate::server::BoxFuture<'a, Result<http::Response<Vec<u8>>, UnhandledError>>),
    Done,
}

impl<O: Operation> Future for Call<'_, O> {
    type Output = Result<O::Output, O::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            match &mut this.state {
                CallState::Start(input) => {
                    let Some(input) = input.take() else {
                        this.state = CallState::Done;
                        continue;
                    };
                    let request = match O::serialize_request(&input, &this.config.endpoint) {
                        Ok(request) => request,
                        Err(error) => {
                            this.state = CallState::Done;
                            return Poll::Ready(Err(error.into()));
                        }
                    };
                    let context = RequestContext {
                        service: O::SERVICE,
                        operation: O::SCHEMA,
                    };
                    this.state = CallState::Sending(Box::pin(send(this.config, request, context)));
                }
                CallState::Sending(future) => {
                    let response = match future.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(response) => response,
                    };
                    this.state = CallState::Done;
                    return Poll::Ready(match response {
                        Ok(response) => O::parse_response(&response),
                        Err(error) => Err(error.into()),
                    });
                }
                CallState::Done => {
                    return Poll::Ready(Err(UnhandledError::invalid_input(
                        "the call was polled after it completed",
                    )
                    .into()))
                }
            }
        }
    }
}

/// The part of a call that does not depend on the operation's types.
async fn send(
    config: &Config,
    mut request: http::Request<Vec<u8>>,
    context: RequestContext,
) -> Result<http::Response<Vec<u8>>, UnhandledError> {
    for interceptor in &config.interceptors {
        interceptor
            .modify_request(&mut request, &context)
            .map_err(UnhandledError::invalid_input)?;
    }
    let response = config
        .transport
        .send(request)
        .await
        .map_err(UnhandledError::transport)?;
    for interceptor in &config.interceptors {
        interceptor
            .read_response(&response, &context)
            .map_err(|error| UnhandledError::invalid_response(response.status().as_u16(), error))?;
    }
    Ok(response)
}
