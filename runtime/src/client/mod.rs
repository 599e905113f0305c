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
pub mod exports;
#[cfg(feature = "hyper-client")]
mod hyper;
mod paginate;
mod retry;
mod signing;
mod streaming;
pub mod waiter;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

pub use self::endpoint::{is_member_path, resolve_endpoint, ResolvedEndpoint, SEARCH_INPUT};
#[cfg(feature = "hyper-client")]
pub use self::hyper::{HyperTransport, HyperTransportBuilder};
pub use self::paginate::{Items, Paginator};
#[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
pub use self::retry::TokioSleep;
pub use self::retry::{RetryConfig, Sleep, SleepFuture, TimeoutConfig};
use self::streaming::{AttemptBody, Streaming, Uploads, STREAMING};
pub use crate::auth::{Credentials, ProvideCredentials, SharedCredentialsProvider};
pub use crate::checksum::{Compression, RequestChecksumCalculation, RequestSettings, ResponseChecksumValidation};
pub use crate::endpoint::ParamValue;
pub use crate::error::BoxError;
use crate::error::UnhandledError;
use crate::event_stream::Incoming;
use crate::operation::Operation;
use crate::primitives::ByteStream;
use crate::protocol::HttpOperation;
use crate::schema::{OperationSchema, ServiceSchema};
use crate::shape::Value;
pub use crate::transport::{Transport, TransportError, TransportFailure, TransportFailureKind, TransportFuture};

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
    /// Endpoints per service from the profile's `[services name]` section, by the variable name
    /// that would set them (`AWS_ENDPOINT_URL_STS`): below the variables, above `endpoint_url`.
    profile_service_endpoints: Arc<Vec<(String, String)>>,
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
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    sleep: Option<Arc<dyn Sleep>>,
    request_settings: RequestSettings,
    response_checksum_validation: ResponseChecksumValidation,
    /// The retry quota of the client this configuration belongs to.
    quota: Arc<retry::RetryQuota>,
    /// How far the service's clock is from [`Config::time_source`], for the client this
    /// configuration belongs to.
    skew: Arc<retry::ClockSkew>,
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
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("request_settings", &self.request_settings)
            .field("response_checksum_validation", &self.response_checksum_validation)
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
            profile_service_endpoints: Arc::default(),
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
            retry: RetryConfig::standard(),
            timeouts: TimeoutConfig::default(),
            sleep: None,
            request_settings: RequestSettings::default(),
            response_checksum_validation: ResponseChecksumValidation::default(),
            quota: Arc::default(),
            skew: Arc::default(),
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

    /// The clock requests are signed with. Each client corrects it by the offset of the
    /// service's clock, learned from the `Date` header of the service's responses.
    pub fn with_time_source(mut self, time_source: impl TimeSource) -> Self {
        self.time_source = Arc::new(time_source);
        self
    }

    /// The time to sign a request with: the time source's, corrected by the offset of the
    /// service's clock that this client has learned.
    pub(crate) fn signing_time(&self) -> SystemTime {
        self.skew.adjust(self.time_source.now())
    }

    /// How calls are retried ([`RetryConfig::standard`] unless set;
    /// [`RetryConfig::disabled`] turns retries off).
    pub fn with_retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How long attempts and calls may take ([`TimeoutConfig::default`] unless set).
    pub fn with_timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// What retries wait with and timeouts race against. Without one, a call inside a tokio
    /// runtime uses tokio's timer (with the `hyper-client` or `hyper-server` feature); any
    /// other call neither waits between attempts nor times out, so it makes one attempt only.
    pub fn with_sleep(mut self, sleep: impl Sleep) -> Self {
        self.sleep = Some(Arc::new(sleep));
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
        config.quota = Arc::default();
        config.skew = Arc::default();
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

    /// Compresses the bodies of operations with `@requestCompression` as `compression` says
    /// (by default, in gzip from 10,240 bytes).
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.request_settings.compression = compression;
        self
    }

    /// Adds checksums to the requests of operations with `httpChecksum` as `calculation` says
    /// (by default, whenever the operation supports one).
    pub fn with_request_checksum_calculation(mut self, calculation: RequestChecksumCalculation) -> Self {
        self.request_settings.checksum_calculation = calculation;
        self
    }

    /// Checks the checksums of the responses of operations with `httpChecksum` as `validation`
    /// says (by default, whenever the response carries one the operation names).
    pub fn with_response_checksum_validation(mut self, validation: ResponseChecksumValidation) -> Self {
        self.response_checksum_validation = validation;
        self
    }

    /// How request bodies are compressed and checksummed.
    pub fn request_settings(&self) -> &RequestSettings {
        &self.request_settings
    }

    /// When responses' checksums are checked.
    pub fn response_checksum_validation(&self) -> ResponseChecksumValidation {
        self.response_checksum_validation
    }

    /// How calls are retried.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// How long attempts and calls may take.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.timeouts
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
    Sending(crate::server::BoxFuture<'a, Result<Delivered, UnhandledError>>),
    Done,
}

/// A response as the call's steps hand it on: its head and, but for an output that streams,
/// its whole body; the body that streams, if it does.
type Received = (http::Response<Vec<u8>>, Option<ByteStream>);

/// A response as a call hands it to the operation: its head and its body (for an RPC
/// protocol's event stream, the initial response's payload), and the output's body that
/// streams or its events.
type Delivered = (http::Response<Vec<u8>>, Option<Streamed>);

/// What of an output arrives after its response's head.
enum Streamed {
    /// The body of a `@streaming` blob member.
    Body(ByteStream),
    /// The events of an event stream member.
    Events(Incoming),
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
                    // Only the calls of operations that stream name the code that streams.
                    let streaming = if const { O::SCHEMA.streams() } {
                        Some(&STREAMING)
                    } else {
                        None
                    };
                    this.state = CallState::Sending(start(this.config, input, context, streaming));
                }
                CallState::Sending(future) => {
                    let response = match future.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(response) => response,
                    };
                    this.state = CallState::Done;
                    return Poll::Ready(match response {
                        Ok((response, stream)) => {
                            let output = O::parse_response(&response);
                            // Only an operation that streams is handed a stream: for any other
                            // the code below is left out.
                            let stream = stream.filter(|_| const { O::SCHEMA.streams() });
                            let handed = match (&output, stream) {
                                // The body that streams goes to the output's streaming member.
                                (Ok(output), Some(Streamed::Body(stream))) => O::SCHEMA
                                    .output
                                    .streaming_blob()
                                    .and_then(|index| output.member(index))
                                    .and_then(Value::byte_stream)
                                    .is_some_and(|body| body.replace_with(stream)),
                                // Its events go to the output's event stream.
                                (Ok(output), Some(Streamed::Events(events))) => O::SCHEMA
                                    .output
                                    .event_stream()
                                    .and_then(|index| output.member(index))
                                    .and_then(Value::events)
                                    .is_some_and(|stream| stream.attach(Box::new(events))),
                                _ => true,
                            };
                            if !handed {
                                return Poll::Ready(Err(UnhandledError::invalid_response(
                                    response.status().as_u16(),
                                    "the output has no empty streaming member for the body",
                                )
                                .into()));
                            }
                            output
                        }
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

/// The future of [`send`], boxed here rather than in each operation's `Call::poll`: its state
/// machine is compiled once, in this crate, not again in every crate and codegen unit that calls
/// an operation.
#[inline(never)]
fn start<'a>(
    config: &'a Config,
    input: Box<dyn Value + Send + Sync>,
    context: RequestContext,
    streaming: Option<&'static Streaming>,
) -> crate::server::BoxFuture<'a, Result<Delivered, UnhandledError>> {
    Box::pin(send(config, input, context, streaming))
}

/// Every step of a call but reading the response, which does not depend on the operation's
/// types: the credentials, the endpoint, the request, the steps, then the attempts (each signed
/// anew and sent), within the call's time limit. `streaming` is the code of an operation that
/// streams ([`STREAMING`]), `None` for any other.
async fn send(
    config: &Config,
    input: Box<dyn Value + Send + Sync>,
    context: RequestContext,
    streaming: Option<&'static Streaming>,
) -> Result<Delivered, UnhandledError> {
    let sleep = config.sleep.clone().or_else(retry::default_sleep);
    let limit = config.timeouts.operation;
    let received = async {
        let received = attempts(config, input, context, streaming, sleep.as_ref()).await?;
        match streaming {
            Some(code) => (code.deliver)(context, received).await,
            None => Ok((received.0, received.1.map(Streamed::Body))),
        }
    };
    retry::within(sleep.as_ref(), limit, received)
        .await
        .unwrap_or_else(|()| {
            Err(UnhandledError::timeout(format!(
                "the call did not complete within its operation timeout of {:?}",
                limit.unwrap_or_default()
            )))
        })
}

/// The attempts of a call: each is signed and sent; a failure that may pass is tried again
/// after a backoff, while attempts and the retry quota last. `streaming` is the code of an
/// operation that streams.
async fn attempts(
    config: &Config,
    input: Box<dyn Value + Send + Sync>,
    context: RequestContext,
    streaming: Option<&'static Streaming>,
    sleep: Option<&Arc<dyn Sleep>>,
) -> Result<Received, UnhandledError> {
    let Prepared {
        mut request,
        endpoint,
        mut credentials,
        validate_checksum,
    } = prepare(config, &*input, &context).await?;
    // An input body that streams is sent as it is read, not held; an input event stream as its
    // events come, once.
    let mut uploads = match streaming {
        Some(code) => Some((code.take)(&context, &*input, &mut request)?),
        None => None,
    };
    drop(input);
    let output_events = streaming.is_some() && context.operation.output.event_stream().is_some();
    let event_streams = uploads.as_ref().is_some_and(Uploads::has_events) || output_events;
    // An output that streams is handed on as it arrives.
    let streams_output = streaming.is_some() && (context.operation.output.streaming_blob().is_some() || output_events);
    // Waiting needs a timer: without one, a call makes one attempt.
    let mut max_attempts = if sleep.is_some() {
        config.retry.max_attempts.max(1)
    } else {
        1
    };
    let invocation =
        http::HeaderValue::from_str(&crate::primitives::idempotency_token()).map_err(UnhandledError::invalid_input)?;
    // A signed request may be tried once more at once, outside the attempts, after its
    // signing time was corrected and after its expired credentials were replaced.
    let mut corrections = Corrections {
        clock: credentials.is_some(),
        credentials: credentials.is_some(),
    };
    let mut request = Some(request);
    let mut attempt = 1;
    let mut held = 0;
    // Why the call is sent once whatever the retry settings, when it is.
    let mut once: Option<&'static str> = None;
    loop {
        let last = attempt >= max_attempts && !corrections.clock && !corrections.credentials;
        let mut this = match (last, request.as_ref()) {
            (true, _) => request.take(),
            (false, Some(request)) => Some(copy_request(request)),
            (false, None) => None,
        }
        .ok_or_else(|| UnhandledError::invalid_input("the request is gone"))?;
        // What the attempt sends of an input that streams. A body that cannot be read again,
        // or events, are sent once: this is the last attempt.
        let sending = match (streaming, uploads.as_mut()) {
            (Some(code), Some(uploads)) => Some((code, (code.attempt)(uploads, last)?)),
            _ => None,
        };
        if let Some(reason) = sending.as_ref().and_then(|(_, sending)| sending.once) {
            max_attempts = attempt;
            corrections = Corrections {
                clock: false,
                credentials: false,
            };
            once = Some(reason);
        }
        let headers = this.headers_mut();
        headers.insert("amz-sdk-invocation-id", invocation.clone());
        if let Ok(value) = http::HeaderValue::from_str(&attempt_header(attempt, max_attempts)) {
            headers.insert("amz-sdk-request", value);
        }
        let mut sign_messages = None;
        if let Some(credentials) = &credentials {
            let (payload, message_signer) = match &sending {
                Some((code, sending)) => (sending.payload, Some(code.message_signer)),
                None => (signing::Payload::Body, None),
            };
            sign_messages = signing::sign(
                config,
                &context,
                &endpoint,
                credentials,
                &mut this,
                payload,
                message_signer,
            )?;
        }
        let body = match sending {
            Some((
                code,
                AttemptBody {
                    events: Some(events), ..
                },
            )) => Some((code.events_body)(events, sign_messages)?),
            Some((_, sending)) => sending.body,
            None => None,
        };
        if event_streams {
            this.extensions_mut().insert(crate::transport::EventStreamExchange);
        }
        let limit = config.timeouts.attempt;
        let sent = config.time_source.now();
        let outcome = match (streaming, body) {
            (Some(code), Some(body)) => {
                let request = this.map(|_| body);
                retry::within(sleep, limit, (code.receive)(config, request, streams_output)).await
            }
            (Some(code), None) if streams_output => {
                let request = this.map(ByteStream::new);
                retry::within(sleep, limit, (code.receive)(config, request, true)).await
            }
            _ => {
                let sent = config.transport.send(this);
                retry::within(sleep, limit, async { sent.await.map(|response| (response, None)) }).await
            }
        };
        let (result, kind, asked) = match outcome {
            Err(()) => {
                let error = UnhandledError::timeout(format!(
                    "no whole response within the attempt timeout of {:?}",
                    limit.unwrap_or_default()
                ));
                (Err(error), Some(retry::RetryKind::Timeout), None)
            }
            Ok(Err(error)) => {
                let kind = retry::classify_transport(&error);
                (Err(transport_error(error)), kind, None)
            }
            Ok(Ok((response, stream))) => {
                let skew_changed = config.skew.observe(&response, sent, config.time_source.now());
                if let Some(code) = retry::error_code(&context, &response) {
                    if corrections.correct(config, &code, skew_changed, &mut credentials).await {
                        // Tried again at once, as an extra attempt.
                        max_attempts += 1;
                        attempt += 1;
                        continue;
                    }
                }
                let kind = retry::classify_response(&context, &response);
                let asked = kind.and_then(|_| retry::asked_backoff(&response));
                (Ok((response, stream)), kind, asked)
            }
        };
        let retry_kind = match kind {
            Some(kind) if attempt < max_attempts => kind,
            // A failure that would have been retried says why it was not.
            Some(_) if once.is_some() => {
                let reason = once.unwrap_or_default();
                return finish(
                    config,
                    &context,
                    streaming,
                    result.map_err(|error| {
                        let message = match error.message() {
                            Some(message) => format!("{message} (not retried: {reason})"),
                            None => format!("not retried: {reason}"),
                        };
                        error.with_message(message)
                    }),
                    validate_checksum,
                );
            }
            _ => {
                if result
                    .as_ref()
                    .is_ok_and(|(response, _)| response.status().is_success())
                    && config.retry.quota
                {
                    config.quota.release(if held == 0 { 1 } else { held });
                }
                return finish(config, &context, streaming, result, validate_checksum);
            }
        };
        if config.retry.quota {
            match config.quota.acquire(retry_kind) {
                Some(tokens) => held = tokens,
                None => return finish(config, &context, streaming, result, validate_checksum),
            }
        }
        if let Some(sleep) = sleep {
            sleep.sleep(config.retry.backoff(attempt, asked)).await;
        }
        attempt += 1;
    }
}

/// The `amz-sdk-request` header's value: `attempt=1; max=3`.
fn attempt_header(attempt: u32, max_attempts: u32) -> String {
    let mut text = String::with_capacity(24);
    text.push_str("attempt=");
    crate::codec::text::push_decimal(&mut text, u64::from(attempt));
    text.push_str("; max=");
    crate::codec::text::push_decimal(&mut text, u64::from(max_attempts));
    text
}

#[cfg(test)]
#[test]
fn the_attempt_header_counts_in_decimal() {
    assert_eq!(attempt_header(1, 3), "attempt=1; max=3");
    assert_eq!(attempt_header(10, u32::MAX), "attempt=10; max=4294967295");
    assert_eq!(attempt_header(0, 0), "attempt=0; max=0");
}

/// The corrections a signed call may still make, once each.
struct Corrections {
    /// Signing again with the corrected clock.
    clock: bool,
    /// Signing again with fresh credentials.
    credentials: bool,
}

impl Corrections {
    /// Whether an error with `code` is worth one more try at once: a clock-skew error when the
    /// client's estimate of the service's clock has just changed (the request is signed with
    /// the corrected time), or expired credentials, when the provider (its cache invalidated)
    /// gives others.
    async fn correct(
        &mut self,
        config: &Config,
        code: &str,
        skew_changed: bool,
        credentials: &mut Option<Credentials>,
    ) -> bool {
        if self.clock && skew_changed && retry::CLOCK_SKEW_CODES.contains(&code) {
            self.clock = false;
            return true;
        }
        if self.credentials && retry::EXPIRED_TOKEN_CODES.contains(&code) {
            self.credentials = false;
            let Some(provider) = &config.credentials else {
                return false;
            };
            provider.invalidate();
            let Ok(fresh) = provider.provide_credentials().await else {
                return false;
            };
            if credentials.as_ref() == Some(&fresh) {
                return false;
            }
            *credentials = Some(fresh);
            return true;
        }
        false
    }
}

/// The last attempt's result, once its checksum is checked (when `validate_checksum`) and the
/// configuration's steps have seen its response.
fn finish(
    config: &Config,
    context: &RequestContext,
    streaming: Option<&'static Streaming>,
    result: Result<Received, UnhandledError>,
    validate_checksum: bool,
) -> Result<Received, UnhandledError> {
    let (response, mut stream) = result?;
    if let (true, Some(code)) = (
        validate_checksum && response.status().is_success(),
        context.operation.checksums,
    ) {
        match (stream.take(), streaming) {
            // A body that streams is checked as it is read: its last piece fails on a mismatch.
            (Some(body), Some(streaming)) => {
                stream = Some(match (code.expected)(context.operation, response.headers()) {
                    Some((algorithm, expected)) => (streaming.checked)(body, (code.hasher)(algorithm), expected),
                    None => body,
                });
            }
            (body, _) => {
                stream = body;
                crate::protocol::check_response_checksum(context.operation, &response)?;
            }
        }
    }
    for interceptor in &config.interceptors {
        interceptor
            .read_response(&response, context)
            .map_err(|error| UnhandledError::invalid_response(response.status().as_u16(), error))?;
    }
    Ok((response, stream))
}

/// A transport's error as the call's: a timeout, or a transport failure.
fn transport_error(error: TransportError) -> UnhandledError {
    match error.downcast_ref::<TransportFailure>().map(TransportFailure::kind) {
        Some(TransportFailureKind::Timeout) => UnhandledError::timeout(error),
        _ => UnhandledError::transport(error),
    }
}

/// A copy of a request for one attempt.
fn copy_request(request: &http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    crate::protocol::with_body(request, request.body().clone())
}

/// A request ready to be signed, with the endpoint it goes to and the credentials to sign it
/// with (none for an unsigned call).
struct Prepared {
    request: http::Request<Vec<u8>>,
    endpoint: Arc<ResolvedEndpoint>,
    credentials: Option<Credentials>,
    /// The response's checksum is checked.
    validate_checksum: bool,
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
    let mut request = crate::protocol::serialize_request_with(
        context.service,
        context.operation,
        input,
        &endpoint.url,
        &config.request_settings,
    )?;
    let validate_checksum =
        crate::protocol::validates_response(context.operation, input, config.response_checksum_validation);
    if config.response_checksum_validation == ResponseChecksumValidation::WhenSupported {
        crate::protocol::ask_for_response_checksum(context.operation, &mut request);
    }
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
        validate_checksum,
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
        ..
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;
    use crate::schema::{prelude, Flags, Member, Protocol, Schema, ShapeType, Traits};
    use crate::shape::View;

    static INPUT_MEMBERS: [Member; 1] = [Member {
        name: "token",
        target: &prelude::STRING,
        traits: Traits {
            flags: Flags::IDEMPOTENCY_TOKEN,
            ..Traits::NONE
        },
    }];
    static INPUT: Schema = Schema {
        id: "test#PutInput",
        shape_type: ShapeType::Structure,
        members: &INPUT_MEMBERS,
        traits: Traits::NONE,
    };
    static OUTPUT: Schema = Schema::new("test#PutOutput", ShapeType::Structure);
    static OPERATION: OperationSchema = OperationSchema::new("test#Put", "Put", &INPUT, &OUTPUT);
    static SERVICE: ServiceSchema = ServiceSchema {
        operations: &[&OPERATION],
        ..ServiceSchema::new("test#Service", "1", Protocol::AwsJson1_0, crate::protocol::AWS_JSON_1_0)
    };

    /// An input with its token unset, for the client to fill.
    struct Unset;

    impl Value for Unset {
        fn view(&self) -> View<'_> {
            View::Structure(self)
        }
    }

    /// Answers 500 until the last of `failures`, then 200, recording the bodies sent.
    struct Flaky {
        failures: usize,
        bodies: Mutex<Vec<Vec<u8>>>,
    }

    impl Transport for Flaky {
        fn send(&self, request: http::Request<Vec<u8>>) -> TransportFuture<'_> {
            let mut bodies = self.bodies.lock().expect("no thread panicked");
            bodies.push(request.into_body());
            let status = if bodies.len() > self.failures { 200 } else { 500 };
            let response = http::Response::builder()
                .status(status)
                .body(b"{}".to_vec())
                .map_err(TransportError::from);
            Box::pin(std::future::ready(response))
        }
    }

    #[derive(Debug)]
    struct Instant;

    impl Sleep for Instant {
        fn sleep(&self, _: Duration) -> SleepFuture {
            Box::pin(std::future::ready(()))
        }
    }

    /// Polls a future that never waits on anything but itself to its end.
    fn run<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    #[test]
    fn the_idempotency_token_is_the_same_on_every_attempt() {
        let transport = Arc::new(Flaky {
            failures: 2,
            bodies: Mutex::new(Vec::new()),
        });
        let config = Config::with_shared_transport(transport.clone(), "http://localhost")
            .with_timeouts(TimeoutConfig::disabled())
            .with_sleep(Instant);
        let context = RequestContext {
            service: &SERVICE,
            operation: &OPERATION,
        };
        let (response, _) = run(send(&config, Box::new(Unset), context, None)).expect("the third attempt succeeds");
        assert_eq!(response.status(), 200);
        let bodies = transport.bodies.lock().expect("no thread panicked").clone();
        assert_eq!(bodies.len(), 3);
        let first = String::from_utf8(bodies[0].clone()).expect("JSON is UTF-8");
        assert!(first.starts_with(r#"{"token":""#), "{first}");
        assert!(bodies.iter().all(|body| *body == bodies[0]), "{bodies:?}");
    }

    #[test]
    fn endpoint_rules_that_do_not_read_are_each_call_s_error() {
        static INVALID: ServiceSchema = ServiceSchema {
            endpoint_rules: Some(crate::schema::EndpointRules::Invalid(
                "rules[0].conditions[0].fn: unknown function nope",
            )),
            ..SERVICE
        };
        static GARBLED: ServiceSchema = ServiceSchema {
            endpoint_rules: Some(crate::schema::EndpointRules::Compiled(b"SRB\x01\x031.0\xff")),
            ..SERVICE
        };
        let transport = Arc::new(Flaky {
            failures: 0,
            bodies: Mutex::new(Vec::new()),
        });
        for (service, why) in [
            (&INVALID, "unknown function nope"),
            (&GARBLED, "invalid rule set bytes at offset"),
        ] {
            // A configuration of its own: a configuration keeps a service's rules by its id.
            let config = Config::with_shared_transport(transport.clone(), "http://localhost").with_sleep(Instant);
            let context = RequestContext {
                service,
                operation: &OPERATION,
            };
            let Err(error) = run(send(&config, Box::new(Unset), context, None)) else {
                panic!("a call without an endpoint was sent");
            };
            let message = error.to_string();
            assert!(
                message.contains("the endpoint rules of `test#Service`") && message.contains(why),
                "{message}"
            );
        }
        assert!(transport.bodies.lock().expect("no thread panicked").is_empty());
    }

    #[test]
    fn a_body_that_requires_a_length_is_refused_without_one() {
        static BODY: Schema = Schema {
            traits: Traits {
                flags: Flags::STREAMING,
                ..Traits::NONE
            },
            ..Schema::new("test#Body", ShapeType::Blob)
        };
        static MEMBERS: [Member; 1] = [Member {
            name: "body",
            target: &BODY,
            traits: Traits {
                flags: Flags::STREAMING.with(Flags::REQUIRES_LENGTH),
                ..Traits::NONE
            },
        }];
        static UPLOAD_INPUT: Schema = Schema {
            members: &MEMBERS,
            ..Schema::new("test#UploadInput", ShapeType::Structure)
        };
        static UPLOAD: OperationSchema = OperationSchema::new("test#Upload", "Upload", &UPLOAD_INPUT, &OUTPUT);
        struct Upload(ByteStream);
        impl Value for Upload {
            fn view(&self) -> View<'_> {
                View::Structure(self)
            }
            fn member(&self, index: usize) -> Option<&dyn Value> {
                (index == 0).then_some(&self.0 as &dyn Value)
            }
        }
        let transport = Arc::new(Flaky {
            failures: 0,
            bodies: Mutex::new(Vec::new()),
        });
        let config = Config::with_shared_transport(transport.clone(), "http://localhost")
            .with_timeouts(TimeoutConfig::disabled())
            .with_sleep(Instant);
        let context = RequestContext {
            service: &SERVICE,
            operation: &UPLOAD,
        };
        let pieces = |length| {
            let pieces: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"abc".to_vec()), Ok(b"def".to_vec())];
            ByteStream::from_stream(Pieces(pieces.into_iter()), length)
        };
        let Err(error) = run(send(&config, Box::new(Upload(pieces(None))), context, Some(&STREAMING))) else {
            panic!("no length, no call");
        };
        assert!(error.to_string().contains("`@requiresLength`"), "{error}");
        assert!(transport.bodies.lock().expect("no thread panicked").is_empty());
        let (response, _) = run(send(
            &config,
            Box::new(Upload(pieces(Some(6)))),
            context,
            Some(&STREAMING),
        ))
        .expect("with its length, it is sent");
        assert_eq!(response.status(), 200);
        assert_eq!(
            transport.bodies.lock().expect("no thread panicked").as_slice(),
            [b"abcdef".to_vec()]
        );
    }

    /// A stream of the items of an iterator.
    struct Pieces<I>(I);

    impl<I: Iterator + Unpin> futures_core::Stream for Pieces<I> {
        type Item = I::Item;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<I::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }

    #[derive(Debug)]
    struct At(SystemTime);

    impl TimeSource for At {
        fn now(&self) -> SystemTime {
            self.0
        }
    }

    /// S3 presigned URLs sign `UNSIGNED-PAYLOAD`: the example of "Authenticating Requests: Using
    /// Query Parameters" in the Amazon S3 API reference, presigned the way a client presigns
    /// for a service whose signing name is `s3`.
    #[test]
    fn an_s3_url_is_presigned_with_an_unsigned_payload() {
        static S3: ServiceSchema = ServiceSchema {
            signing_name: Some("s3"),
            ..SERVICE
        };
        let transport = Arc::new(Flaky {
            failures: 0,
            bodies: Mutex::new(Vec::new()),
        });
        let config = Config::with_shared_transport(transport, "https://examplebucket.s3.amazonaws.com")
            .with_region("us-east-1")
            .with_credentials(Credentials::from_keys(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ))
            .with_time_source(At(std::time::UNIX_EPOCH + Duration::from_secs(1_369_353_600)));
        let context = RequestContext {
            service: &S3,
            operation: &OPERATION,
        };
        let endpoint = endpoint::ResolvedEndpoint {
            url: "https://examplebucket.s3.amazonaws.com".to_owned(),
            headers: Vec::new(),
            auth: None,
            unsupported_auth: None,
        };
        let credentials = Credentials::from_keys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let request = http::Request::get("https://examplebucket.s3.amazonaws.com/test.txt")
            .body(b"not signed".to_vec())
            .expect("a valid request");
        let presigned = signing::presign(
            &config,
            &context,
            &endpoint,
            &credentials,
            &request,
            Duration::from_secs(86_400),
        )
        .expect("presigned");
        let query = presigned.uri().query().unwrap_or("");
        assert_eq!(
            query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }
}
