//! The client side: a [`Config`] (the region and credentials requests are signed for, the
//! endpoint rules' inputs, what carries requests, and the steps each passes through) and
//! [`call`], which resolves the call's endpoint with the service's rules, serializes the
//! operation's input, passes the request through the steps, signs it with SigV4, sends it with
//! the [`Transport`] and reads the response. [`presign`] gives the request a call would send,
//! signed in its query string. Generated crates wrap a `Config` in their own `Client`, which
//! implements the service trait.
//!
//! One `Config` serves every client of a program (`Config::from_env` reads it as the AWS SDKs
//! do): each client takes a copy with its own endpoint cache, and shares the transport (whose
//! clones share one connection pool) and the credentials provider (whose cache they share).

mod endpoint;
mod env;
#[cfg(feature = "hyper-client")]
mod hyper;
mod signing;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

pub use self::endpoint::{resolve_endpoint, ResolvedEndpoint};
#[cfg(feature = "hyper-client")]
pub use self::hyper::{HyperTransport, HyperTransportBuilder};
pub use crate::auth::{Credentials, ProvideCredentials, SharedCredentialsProvider};
pub use crate::endpoint::ParamValue;
pub use crate::error::BoxError;
use crate::error::UnhandledError;
use crate::operation::{HttpOperation, Operation};
use crate::schema::{OperationSchema, ServiceSchema};
use crate::shape::Value;

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

/// The clock a client signs requests with.
pub trait TimeSource: Send + Sync + std::fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at one instant, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl TimeSource for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// A client's configuration: where its requests go (the endpoint rule set's inputs, or one
/// endpoint), the region and credentials it signs them for, what carries them, and the steps
/// each passes through.
///
/// One value serves every generated service of a program: build it once (with
/// `Config::from_env` as AWS users expect, or with [`Config::new`] and the `with_*` methods)
/// and give it to each service's `Client::new`. Cloning it is cheap: the transport, the
/// credentials provider and the steps are shared.
#[derive(Clone)]
pub struct Config {
    endpoint: Option<String>,
    service_endpoints: Arc<Vec<(String, String)>>,
    region: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    builtins: Vec<(String, ParamValue)>,
    endpoint_params: Vec<(String, ParamValue)>,
    credentials: Option<SharedCredentialsProvider>,
    time_source: Arc<dyn TimeSource>,
    transport: Arc<dyn Transport>,
    interceptors: Vec<Arc<dyn Interceptor>>,
    app_name: Option<String>,
    user_agent: Option<http::HeaderValue>,
    endpoints: Arc<endpoint::EndpointCache>,
    /// The environment that service-specific endpoints (`AWS_ENDPOINT_URL_<SERVICE>`) are read
    /// from.
    env: Option<Arc<crate::credentials::Env>>,
    /// A setting that could not be used, which every call fails with.
    problem: Option<Arc<str>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("credentials", &self.credentials)
            .field("interceptors", &self.interceptors.len())
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Requests go to `endpoint` (such as `https://service.example.com` or
    /// `http://127.0.0.1:8080/prefix`) with `transport`, unsigned until a region and
    /// credentials are set. For a service with endpoint rules, `endpoint` is their
    /// `SDK::Endpoint` input.
    pub fn new(transport: impl Transport, endpoint: impl Into<String>) -> Self {
        Self::with_shared_transport(Arc::new(transport), endpoint)
    }

    /// Requests go to `endpoint` with a transport that other clients may share.
    pub fn with_shared_transport(transport: Arc<dyn Transport>, endpoint: impl Into<String>) -> Self {
        Self::from_transport(transport).with_endpoint(endpoint)
    }

    /// Requests go where the service's endpoint rules send them for the region (set one with
    /// [`Config::with_region`]), with `transport`.
    pub fn from_transport(transport: Arc<dyn Transport>) -> Self {
        Self {
            endpoint: None,
            service_endpoints: Arc::default(),
            region: None,
            use_fips: false,
            use_dual_stack: false,
            builtins: Vec::new(),
            endpoint_params: Vec::new(),
            credentials: None,
            time_source: Arc::new(SystemClock),
            transport,
            interceptors: Vec::new(),
            app_name: None,
            user_agent: None,
            endpoints: Arc::default(),
            env: None,
            problem: None,
        }
    }

    /// Adds a step to the request pipeline, after those already there.
    pub fn with_interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// The same configuration with another endpoint (`SDK::Endpoint`, `endpoint_url`).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self.changed()
    }

    /// The same configuration with an endpoint for one service only, by its SDK id (such as
    /// `AmplifyBackend`), which wins over [`Config::with_endpoint`] for that service.
    pub fn with_service_endpoint(mut self, sdk_id: &str, endpoint: impl Into<String>) -> Self {
        let key = endpoint::service_key(sdk_id);
        let endpoints = Arc::make_mut(&mut self.service_endpoints);
        endpoints.retain(|(name, _)| *name != key);
        endpoints.push((key, endpoint.into()));
        self.changed()
    }

    /// The region requests are sent to and signed for (`AWS::Region`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self.changed()
    }

    /// Whether to use FIPS endpoints (`AWS::UseFIPS`).
    pub fn with_fips(mut self, use_fips: bool) -> Self {
        self.use_fips = use_fips;
        self.changed()
    }

    /// Whether to use dual-stack (IPv4 and IPv6) endpoints (`AWS::UseDualStack`).
    pub fn with_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.use_dual_stack = use_dual_stack;
        self.changed()
    }

    /// Sets an endpoint rule-set built-in, such as `AWS::S3::ForcePathStyle`, for every
    /// service whose rules read it.
    pub fn with_builtin(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        let name = name.into();
        self.builtins.retain(|(known, _)| *known != name);
        self.builtins.push((name, value.into()));
        self.changed()
    }

    /// Sets an endpoint rule-set parameter by its name, such as a service's client context
    /// parameter (`smithy.rules#clientContextParams`). It wins over built-ins.
    pub fn with_endpoint_param(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        let name = name.into();
        self.endpoint_params.retain(|(known, _)| *known != name);
        self.endpoint_params.push((name, value.into()));
        self.changed()
    }

    /// Signs requests with the credentials `provider` gives.
    pub fn with_credentials(mut self, provider: impl ProvideCredentials) -> Self {
        self.credentials = Some(Arc::new(provider));
        self.changed()
    }

    /// Signs requests with the credentials a shared provider gives.
    pub fn with_credentials_provider(mut self, provider: SharedCredentialsProvider) -> Self {
        self.credentials = Some(provider);
        self.changed()
    }

    /// Sends requests unsigned (anonymous access).
    pub fn without_credentials(mut self) -> Self {
        self.credentials = None;
        self.changed()
    }

    /// The clock requests are signed with.
    pub fn with_time_source(mut self, time_source: impl TimeSource) -> Self {
        self.time_source = Arc::new(time_source);
        self
    }

    /// Names the application in the user agent header.
    pub fn with_app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// The same configuration for a client of the crate `crate_id` (`name/version`), named in
    /// the user agent header of its requests, with endpoints resolved anew. Generated clients
    /// call it.
    pub fn for_client(&self, crate_id: &str) -> Self {
        let mut config = self.clone();
        let app = config
            .app_name
            .as_deref()
            .map(|name| format!(" app/{name}"))
            .unwrap_or_default();
        let agent = format!("{crate_id} smithy-runtime/{} lang/rust{app}", crate::VERSION);
        config.user_agent = http::HeaderValue::from_str(&agent).ok();
        config.changed()
    }

    /// A fresh endpoint cache: the endpoint's inputs have changed.
    fn changed(mut self) -> Self {
        self.endpoints = Arc::default();
        self
    }

    /// The endpoint set with [`Config::with_endpoint`].
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The credentials provider, if requests are signed.
    pub fn credentials(&self) -> Option<&SharedCredentialsProvider> {
        self.credentials.as_ref()
    }

    /// The clock.
    pub fn time_source(&self) -> &Arc<dyn TimeSource> {
        &self.time_source
    }

    /// The transport, to share with another client.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// The user agent of requests, once [`Config::for_client`] has named the client's crate.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_ref().and_then(|agent| agent.to_str().ok())
    }
}

/// Calls operation `O`: resolves the endpoint, serializes `input`, passes the request through
/// the configuration's steps, signs it, sends it, and reads the response.
pub fn call<O: Operation>(config: &Config, input: O::Input) -> Call<'_, O> {
    Call {
        config,
        state: CallState::Start(Some(Box::new(input))),
        _operation: std::marker::PhantomData,
    }
}

/// The future of [`call`]. A named type rather than an `async fn`'s, so that a generated
/// client, whose methods return it, costs the compiler no analysis of a state machine per
/// operation until a call is awaited; the steps that do not depend on the operation's types run
/// in one future shared by every operation.
pub struct Call<'a, O: Operation> {
    config: &'a Config,
    state: CallState<'a>,
    _operation: std::marker::PhantomData<fn() -> O>,
}

enum CallState<'a> {
    Start(Option<Box<dyn Value + Send + Sync>>),
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
                    let context = RequestContext {
                        service: O::SERVICE,
                        operation: O::SCHEMA,
                    };
                    this.state = CallState::Sending(Box::pin(send(this.config, input, context)));
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

/// Every step of a call but reading the response, which does not depend on the operation's
/// types: the credentials, the endpoint, the request, the steps, the signature, the exchange.
async fn send(
    config: &Config,
    input: Box<dyn Value + Send + Sync>,
    context: RequestContext,
) -> Result<http::Response<Vec<u8>>, UnhandledError> {
    let Prepared {
        mut request,
        endpoint,
        credentials,
    } = prepare(config, &*input, &context).await?;
    drop(input);
    if let Some(credentials) = &credentials {
        signing::sign(config, &context, &endpoint, credentials, &mut request)?;
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

/// A request ready to be signed, with the endpoint it goes to and the credentials to sign it
/// with (none for an unsigned call).
struct Prepared {
    request: http::Request<Vec<u8>>,
    endpoint: Arc<ResolvedEndpoint>,
    credentials: Option<Credentials>,
}

/// The steps of a call before signing: the credentials, the endpoint, the request, its headers
/// and the configuration's steps.
async fn prepare(
    config: &Config,
    input: &(dyn Value + Sync),
    context: &RequestContext,
) -> Result<Prepared, UnhandledError> {
    if let Some(problem) = &config.problem {
        return Err(UnhandledError::configuration(problem.to_string()));
    }
    let credentials = signing::credentials(config, context).await?;
    let account_id = credentials.as_ref().and_then(Credentials::account_id);
    let endpoint = endpoint::resolve(config, context, input, account_id)?;
    let mut request = crate::protocol::serialize_request(context.service, context.operation, input, &endpoint.url)?;
    endpoint.apply_headers(&mut request)?;
    signing::user_agent(config, &mut request);
    for interceptor in &config.interceptors {
        interceptor
            .modify_request(&mut request, context)
            .map_err(UnhandledError::invalid_input)?;
    }
    Ok(Prepared {
        request,
        endpoint,
        credentials,
    })
}

/// A presigned request for a call of operation `O` with `input`: the request the call would
/// send, with its SigV4 signature in the query string (`X-Amz-Signature`, ...) instead of its
/// headers, valid for `expires_in` (at most seven days). Whoever holds its URL can send it
/// without credentials until then, with the same method, headers and body; an S3 `GetObject`
/// URL opens in a browser. Fails when the operation is not signed with this configuration (no
/// credentials, or an unsigned operation).
pub async fn presign<O: Operation>(
    config: &Config,
    input: &O::Input,
    expires_in: std::time::Duration,
) -> Result<http::Request<Vec<u8>>, UnhandledError> {
    let context = RequestContext {
        service: O::SERVICE,
        operation: O::SCHEMA,
    };
    let Prepared {
        request,
        endpoint,
        credentials,
    } = prepare(config, input, &context).await?;
    let credentials = credentials.ok_or_else(|| {
        UnhandledError::configuration(format!(
            "`{}` is not signed with this configuration (it has no credentials, or the operation is unsigned), \
             so it cannot be presigned",
            O::NAME
        ))
    })?;
    signing::presign(config, &context, &endpoint, &credentials, &request, expires_in)
}
