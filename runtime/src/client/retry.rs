//! Retries and timeouts: the standard retry mode of the AWS SDKs (a few attempts, exponential
//! backoff with full jitter, a retry quota shared by a client's calls), the per-attempt and
//! whole-call time limits, and the [`Sleep`] they wait with.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use super::{RequestContext, TransportError};
use crate::schema::Flags;

/// The future of a [`Sleep`].
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits: what a client's retries back off with and its timeouts race against. The default is
/// tokio's timer (with the `hyper-client` or `hyper-server` feature, inside a tokio runtime);
/// tests give one that returns at once and records what it was asked.
pub trait Sleep: Send + Sync + std::fmt::Debug + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// tokio's timer. It must be polled inside a tokio runtime with its time driver enabled.
#[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The sleep of a configuration that sets none: tokio's, when the call runs inside a tokio
/// runtime and the runtime has one.
pub(super) fn default_sleep() -> Option<Arc<dyn Sleep>> {
    #[cfg(any(feature = "hyper-client", feature = "hyper-server"))]
    if tokio::runtime::Handle::try_current().is_ok() {
        return Some(Arc::new(TokioSleep));
    }
    None
}

/// How a client retries a call that failed in a way that may pass: the AWS SDKs' standard
/// mode by default.
///
/// A call is tried again when its attempt failed on the way (the connection could not be made
/// or broke, no answer came in time), the service answered 500, 502, 503 or 504 with an error
/// the operation does not model, or with a throttling or transient error code (`Throttling`,
/// `ThrottlingException`, `TooManyRequestsException`, `RequestLimitExceeded`, `SlowDown`,
/// `RequestTimeout`, ...), or with a modelled error marked `@retryable`. Other modelled errors
/// are never retried. Before attempt *n* + 1 the client waits a random time between zero and
/// `initial_backoff` × 2<sup>*n* − 1</sup>, at most `max_backoff` (or what the service's
/// `x-amz-retry-after` header asks, within `max_backoff`). Every retry takes tokens from the
/// client's retry quota (5, or 10 after a timeout, of 500); a call that succeeds puts one back,
/// so a failing service is not sent three times its load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// The most attempts a call makes, the first included; 1 turns retries off. Default 3.
    pub max_attempts: u32,
    /// The backoff before the second attempt, doubled for each one after. Default 1 second.
    pub initial_backoff: Duration,
    /// The longest backoff. Default 20 seconds.
    pub max_backoff: Duration,
    /// Whether a backoff is a random part of its ceiling (full jitter). Default on; off waits
    /// the whole ceiling, for tests.
    pub jitter: bool,
    /// Whether retries draw on the client's retry quota. Default on.
    pub quota: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryConfig {
    /// The standard mode: 3 attempts, backoff from 1 s up to 20 s with full jitter, a quota.
    pub const fn standard() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            jitter: true,
            quota: true,
        }
    }

    /// No retries: every call makes one attempt.
    pub const fn disabled() -> Self {
        Self::standard().with_max_attempts(1)
    }

    /// The same with another number of attempts (at least one).
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The same with another first backoff.
    pub const fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The same with another longest backoff.
    pub const fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The same with backoffs that wait their whole ceiling.
    pub const fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// The same without the retry quota: every retryable failure is retried.
    pub const fn without_quota(mut self) -> Self {
        self.quota = false;
        self
    }

    /// The wait before the attempt after failed attempt number `attempt` (from 1).
    pub(super) fn backoff(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        if let Some(asked) = asked {
            return asked.min(self.max_backoff);
        }
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(31));
        let ceiling = self.initial_backoff.saturating_mul(factor).min(self.max_backoff);
        if self.jitter {
            ceiling.mul_f64(random_fraction())
        } else {
            ceiling
        }
    }
}

/// How long a call may take: each attempt, and the whole call with its retries and backoffs.
/// A call that runs out of either fails with an error of kind
/// [`UnhandledKind::Timeout`](crate::error::UnhandledKind::Timeout). Neither is set by default,
/// as in the AWS SDKs, so that a long upload or download that keeps moving is not cut off: the
/// transport's own limits end an exchange that stalls (for `HyperTransport`, 10 seconds to
/// connect and 30 seconds for each piece of the request and the response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TimeoutConfig {
    /// The longest one attempt may take, from sending the request to the whole response.
    /// Default none.
    pub attempt: Option<Duration>,
    /// The longest a whole call may take, retries and backoffs included. Default none: the
    /// attempt limit and the number of attempts bound it.
    pub operation: Option<Duration>,
}

impl TimeoutConfig {
    /// No time limits on the client's side (the transport's own limits still apply).
    pub const fn disabled() -> Self {
        Self {
            attempt: None,
            operation: None,
        }
    }

    /// The same with another limit per attempt.
    pub const fn with_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt = timeout;
        self
    }

    /// The same with another limit for the whole call.
    pub const fn with_operation_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.operation = timeout;
        self
    }
}

/// Why a failed attempt may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RetryKind {
    /// A connection or the service failed for a moment.
    Transient,
    /// The service asked the client to slow down.
    Throttling,
    /// No answer came in time.
    Timeout,
}

/// The tokens of a client's retries: each retry takes some, each success gives one back.
#[derive(Debug)]
pub(super) struct RetryQuota {
    tokens: Mutex<u32>,
}

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

impl Default for RetryQuota {
    fn default() -> Self {
        Self {
            tokens: Mutex::new(QUOTA_CAPACITY),
        }
    }
}

impl RetryQuota {
    /// Takes the tokens a retry after a failure of `kind` costs, or `None` when too few are left.
    pub(super) fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = if kind == RetryKind::Timeout {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *tokens < cost {
            return None;
        }
        *tokens -= cost;
        Some(cost)
    }

    /// Gives back `tokens` after a success: the cost of its last retry, or 1 for a call that
    /// succeeded at once.
    pub(super) fn release(&self, tokens: u32) {
        let mut held = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *held = (*held + tokens).min(QUOTA_CAPACITY);
    }

    /// The tokens left.
    #[cfg(test)]
    pub(super) fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Error codes that mean the service is throttling the caller.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of failures that pass.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError"];

/// Error codes of a request signed at a time too far from the service's clock (or a signature
/// that may be wrong for that reason): retried once when the client's estimate of the
/// service's clock changed with the response.
pub(super) const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "RequestInTheFuture",
];

/// Error codes of expired temporary credentials: retried once with fresh credentials.
pub(super) const EXPIRED_TOKEN_CODES: &[&str] = &["ExpiredToken", "ExpiredTokenException"];

/// The error code of an error response, if it has one.
pub(super) fn error_code(context: &RequestContext, response: &http::Response<Vec<u8>>) -> Option<String> {
    if response.status().as_u16() < 300 {
        return None;
    }
    let info = crate::protocol::error_info(context.service, response);
    info.query_code.or(info.code)
}

/// How far the service's clock is from the client's, learned from the `Date` header of its
/// responses: what a client adds to its own clock to sign requests with the service's time.
/// One per client, shared by its calls.
#[derive(Debug, Default)]
pub(super) struct ClockSkew {
    /// The service's clock minus the client's, in milliseconds.
    offset_ms: std::sync::atomic::AtomicI64,
}

impl ClockSkew {
    /// The offset to add to the client's clock.
    pub(super) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `now` on the service's clock, as far as the client knows it.
    pub(super) fn adjust(&self, now: std::time::SystemTime) -> std::time::SystemTime {
        let offset = self.offset_ms();
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        let adjusted = if offset >= 0 {
            now.checked_add(magnitude)
        } else {
            now.checked_sub(magnitude)
        };
        adjusted.unwrap_or(now)
    }

    /// Learns from a response sent between `sent` and `received` (the client's clock): its
    /// `Date` (whole seconds) was the service's time at some instant in between, so the offset
    /// lies between `Date − received` and `Date + 1 s − sent`. An offset already in that range
    /// is kept (it may be finer than what one response tells); one outside it is moved to the
    /// nearest end. Returns whether it changed.
    pub(super) fn observe(
        &self,
        response: &http::Response<Vec<u8>>,
        sent: std::time::SystemTime,
        received: std::time::SystemTime,
    ) -> bool {
        let Some(date) = response
            .headers()
            .get(http::header::DATE)
            .and_then(|value| value.to_str().ok())
            .and_then(crate::primitives::DateTime::parse_http_date)
        else {
            return false;
        };
        let millis = |time: std::time::SystemTime| -> Option<i64> {
            match time.duration_since(std::time::UNIX_EPOCH) {
                Ok(since) => i64::try_from(since.as_millis()).ok(),
                Err(before) => i64::try_from(before.duration().as_millis()).ok().map(|ms| -ms),
            }
        };
        let (Some(sent), Some(received)) = (millis(sent), millis(received)) else {
            return false;
        };
        let Some(date) = date.secs().checked_mul(1000) else {
            return false;
        };
        let low = date.saturating_sub(received.max(sent));
        let high = date.saturating_add(1000).saturating_sub(sent.min(received));
        let current = self.offset_ms();
        let estimate = current.clamp(low, high.max(low));
        if estimate == current {
            return false;
        }
        self.offset_ms.store(estimate, std::sync::atomic::Ordering::Relaxed);
        true
    }
}

/// Statuses of unmodelled errors that pass.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Whether an error response may be retried, and why.
pub(super) fn classify_response(context: &RequestContext, response: &http::Response<Vec<u8>>) -> Option<RetryKind> {
    let status = response.status().as_u16();
    if status < 300 {
        return None;
    }
    let info = crate::protocol::error_info(context.service, response);
    let code = info.query_code.as_deref().or(info.code.as_deref());
    if let Some(code) = code {
        if THROTTLING_CODES.contains(&code) {
            return Some(RetryKind::Throttling);
        }
        if TRANSIENT_CODES.contains(&code) {
            return Some(RetryKind::Transient);
        }
        let modelled = info
            .code
            .as_deref()
            .and_then(|code| context.operation.errors.iter().find(|error| error.name() == code));
        if let Some(error) = modelled {
            let flags = error.traits.flags;
            return if flags.has(Flags::THROTTLING) {
                Some(RetryKind::Throttling)
            } else if flags.has(Flags::RETRYABLE) {
                Some(RetryKind::Transient)
            } else {
                None
            };
        }
    }
    TRANSIENT_STATUSES.contains(&status).then_some(RetryKind::Transient)
}

/// The wait a response asks for in `x-amz-retry-after` (milliseconds).
pub(super) fn asked_backoff(response: &http::Response<Vec<u8>>) -> Option<Duration> {
    let value = response.headers().get("x-amz-retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_millis)
}

/// Whether a transport failure may be retried: connection failures, broken connections and
/// timeouts may; a refused certificate or a response over the size limit will not pass.
pub(super) fn classify_transport(error: &TransportError) -> Option<RetryKind> {
    use super::TransportFailureKind as Kind;
    match error
        .downcast_ref::<super::TransportFailure>()
        .map(|failure| failure.kind())
    {
        Some(Kind::Timeout) => Some(RetryKind::Timeout),
        Some(Kind::Tls | Kind::ResponseTooLarge) => None,
        Some(Kind::Connect | Kind::Io) | None => Some(RetryKind::Transient),
    }
}

/// A random number in [0, 1), for jitter: from the standard library's per-process hash keys and
/// a counter; unpredictable enough to spread retries, not secret.
pub(super) fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `future`, or `Err(())` once `limit` has passed.
pub(super) async fn within<F: Future>(
    sleep: Option<&Arc<dyn Sleep>>,
    limit: Option<Duration>,
    future: F,
) -> Result<F::Output, ()> {
    match (sleep, limit) {
        (Some(sleep), Some(limit)) => {
            Race {
                future: Box::pin(future),
                timer: sleep.sleep(limit),
            }
            .await
        }
        _ => Ok(future.await),
    }
}

/// A future raced against a timer.
struct Race<F> {
    future: Pin<Box<F>>,
    timer: SleepFuture,
}

impl<F: Future> Future for Race<F> {
    type Output = Result<F::Output, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(output) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(())),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = RetryConfig::standard().without_jitter();
        let waits: Vec<u64> = (1..=7).map(|attempt| config.backoff(attempt, None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 20, 20]);
        assert_eq!(config.backoff(40, None), Duration::from_secs(20));
        assert_eq!(
            config.backoff(1, Some(Duration::from_secs(90))),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn jitter_stays_under_the_ceiling_and_varies() {
        let config = RetryConfig::standard();
        let waits: Vec<Duration> = (0..200).map(|_| config.backoff(3, None)).collect();
        assert!(waits.iter().all(|wait| *wait < Duration::from_secs(4)));
        let first = waits[0];
        assert!(waits.iter().any(|wait| *wait != first));
    }

    #[test]
    fn the_clock_skew_moves_only_when_a_date_is_outside_its_range() {
        use std::time::{SystemTime, UNIX_EPOCH};
        let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
        let response = |date: &str| {
            http::Response::builder()
                .header("date", date)
                .body(Vec::new())
                .expect("a valid response")
        };
        let skew = ClockSkew::default();
        // 2014-04-29T18:30:38Z; the client thinks it is five minutes earlier.
        let date = "Tue, 29 Apr 2014 18:30:38 GMT";
        let server = 1_398_796_238;
        assert!(skew.observe(&response(date), at(server - 300), at(server - 300)));
        assert_eq!(skew.offset_ms(), 300_000);
        assert_eq!(skew.adjust(at(server - 300)), at(server));
        // The same again: within the range, nothing changes.
        assert!(!skew.observe(&response(date), at(server - 300), at(server - 299)));
        // A response that took 30 s to come (its Date is from its start) leaves the offset.
        assert!(!skew.observe(&response(date), at(server - 301), at(server - 270)));
        // The clock was set right meanwhile: the offset moves to the nearest end of what the
        // whole-second Date allows, [0 s, 1 s].
        assert!(skew.observe(&response(date), at(server), at(server)));
        assert_eq!(skew.offset_ms(), 1000);
        // No Date, or one that is not an http-date: nothing learned.
        let none = http::Response::new(Vec::new());
        assert!(!skew.observe(&none, SystemTime::now(), SystemTime::now()));
        assert!(!skew.observe(&response("yesterday"), SystemTime::now(), SystemTime::now()));
        let behind = ClockSkew::default();
        assert!(behind.observe(&response(date), at(server + 3600), at(server + 3600)));
        assert_eq!(behind.offset_ms(), -3_599_000);
        assert_eq!(behind.adjust(at(server + 3600)), at(server + 1));
    }

    #[test]
    fn the_quota_runs_out_and_refills() {
        let quota = RetryQuota::default();
        let mut retries = 0;
        while quota.acquire(RetryKind::Transient).is_some() {
            retries += 1;
        }
        assert_eq!(retries, 100);
        assert!(quota.acquire(RetryKind::Timeout).is_none());
        quota.release(10);
        assert_eq!(quota.available(), 10);
        assert_eq!(quota.acquire(RetryKind::Timeout), Some(10));
        quota.release(1000);
        assert_eq!(quota.available(), 500);
    }
}
