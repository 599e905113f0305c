//! Credentials kept until shortly before they expire.

use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, SystemTime};

use super::{system_clock, Clock};
use crate::auth::{Credentials, CredentialsError, CredentialsFuture, ProvideCredentials, SharedCredentialsProvider};

/// How long before their expiry credentials are replaced unless set otherwise.
const DEFAULT_BUFFER: Duration = Duration::from_secs(5 * 60);

/// Keeps the credentials of another provider and gives them until `buffer` (five minutes
/// unless set with [`CachingProvider::with_buffer`]) before they expire; then asks the provider
/// again. Credentials without an expiry are kept for good; errors are not kept.
///
/// When asking again fails while the kept credentials have not yet expired (they are only
/// inside the buffer), those are given instead of the error.
///
/// Callers that find the credentials stale at the same time do not all ask the provider: the
/// first asks, and the others wait for its answer and share it (without an async runtime: a
/// mutex around the state and the wakers of those waiting). When the asking caller's future is
/// dropped before the answer, one of those waiting asks instead.
///
/// Time is told by a [`Clock`], the system's unless set with [`CachingProvider::with_clock`].
pub struct CachingProvider {
    inner: SharedCredentialsProvider,
    buffer: Duration,
    clock: Clock,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    cached: Option<Credentials>,
    /// Whether a caller is asking the provider.
    refreshing: bool,
    /// How many times asking the provider has ended (with an answer or abandoned).
    generation: u64,
    /// The answer the last time asking ended; `None` when it was abandoned.
    last_answer: Option<Result<Credentials, CredentialsError>>,
    /// The callers waiting for an answer.
    waiters: Vec<Waker>,
}

impl std::fmt::Debug for CachingProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingProvider")
            .field("inner", &self.inner)
            .field("buffer", &self.buffer)
            .finish_non_exhaustive()
    }
}

impl CachingProvider {
    /// Keeps the credentials of `inner`.
    pub fn new(inner: impl ProvideCredentials) -> Self {
        Self::from_shared(Arc::new(inner))
    }

    /// Keeps the credentials of a provider that is shared with others.
    pub fn from_shared(inner: SharedCredentialsProvider) -> Self {
        Self {
            inner,
            buffer: DEFAULT_BUFFER,
            clock: system_clock(),
            state: Mutex::new(State::default()),
        }
    }

    /// The same cache replacing credentials `buffer` before they expire.
    pub fn with_buffer(mut self, buffer: Duration) -> Self {
        self.buffer = buffer;
        self
    }

    /// The same cache telling the time by `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Forgets the kept credentials, so that the next call asks the provider: for when a
    /// service has rejected them.
    pub fn invalidate(&self) {
        self.lock().cached = None;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `credentials` may still be given at `now`.
    fn is_fresh(&self, credentials: &Credentials, now: SystemTime) -> bool {
        match credentials.expiry() {
            None => true,
            Some(expiry) => now.checked_add(self.buffer).is_some_and(|soon| soon < expiry),
        }
    }

    /// Asks the provider, as the one caller doing so, and shares the answer.
    async fn refresh(&self) -> Result<Credentials, CredentialsError> {
        let mut guard = RefreshGuard {
            cache: self,
            finished: false,
        };
        let answer = self.inner.provide_credentials().await;
        let mut state = self.lock();
        let answer = match answer {
            Ok(credentials) => {
                state.cached = Some(credentials.clone());
                Ok(credentials)
            }
            Err(error) => match &state.cached {
                Some(cached) if cached.expiry().is_none_or(|expiry| (self.clock)() < expiry) => Ok(cached.clone()),
                _ => Err(error),
            },
        };
        state.last_answer = Some(answer.clone());
        finish(&mut state);
        guard.finished = true;
        answer
    }
}

/// Ends a refresh: lets the waiting callers look again.
fn finish(state: &mut State) {
    state.refreshing = false;
    state.generation = state.generation.wrapping_add(1);
    for waker in state.waiters.drain(..) {
        waker.wake();
    }
}

/// Ends a refresh that was abandoned (its future dropped) so that another caller asks.
struct RefreshGuard<'a> {
    cache: &'a CachingProvider,
    finished: bool,
}

impl Drop for RefreshGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self.cache.lock();
            state.last_answer = None;
            finish(&mut state);
        }
    }
}

impl ProvideCredentials for CachingProvider {
    fn invalidate(&self) {
        CachingProvider::invalidate(self);
        self.inner.invalidate();
    }

    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            loop {
                let waiting_for = {
                    let mut state = self.lock();
                    match &state.cached {
                        Some(cached) if self.is_fresh(cached, (self.clock)()) => return Ok(cached.clone()),
                        _ if state.refreshing => Some(state.generation),
                        _ => {
                            state.refreshing = true;
                            None
                        }
                    }
                };
                let Some(waiting_for) = waiting_for else {
                    return self.refresh().await;
                };
                let answer = std::future::poll_fn(|cx| {
                    let mut state = self.lock();
                    if state.generation != waiting_for {
                        return Poll::Ready(state.last_answer.clone());
                    }
                    if !state.waiters.iter().any(|waker| waker.will_wake(cx.waker())) {
                        state.waiters.push(cx.waker().clone());
                    }
                    Poll::Pending
                })
                .await;
                if let Some(answer) = answer {
                    return answer;
                }
            }
        })
    }
}
