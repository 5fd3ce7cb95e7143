//! The access token a client uses: fetched on first use, cached, and
//! refreshed ahead of expiry by a task of their own, one fetch for any
//! number of callers.
//!
//! The refresh runs on its own (spawned) task with the client's own retry
//! policy and deadline: no caller's deadline or dropped future cancels it.
//! While the cached token is still valid, callers use it and never wait for
//! the refresh. When no valid token is cached, callers wait for the refresh
//! under way, each up to its own deadline, and all of them get its outcome
//! (so a token that lives zero seconds still costs one fetch per refresh,
//! not one per caller). A failed refresh starts a cool-down during which a
//! still-valid token is used without trying again.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio::sync::watch;
use tokio::time::Instant;

use super::endpoint::{Issued, TokenEndpoint, TokenFacts};
use crate::error::Error;
use crate::operation::Operation;
use crate::transport::{Authorizer, BoxFuture, Gateway, Limits};

/// A cached access token. Times are on tokio's monotonic clock.
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive (never shown by `Debug`).
    header: HeaderValue,
    expires_at: Instant,
    refresh_at: Instant,
    /// Time kept back before expiry for a request to cross the network:
    /// ten seconds, or a quarter of the lifetime of a shorter-lived token.
    safety: Duration,
}

impl Token {
    /// A token issued just now, to be refreshed `margin` before it expires
    /// (at most half its lifetime before).
    fn new(Issued { authorization, lifetime }: Issued, margin: Duration) -> Token {
        let fetched_at = Instant::now();
        Token {
            header: authorization,
            expires_at: fetched_at + lifetime,
            refresh_at: fetched_at + lifetime - margin.min(lifetime / 2),
            safety: (lifetime / 4).min(Duration::from_secs(10)),
        }
    }

    /// Time left before the token expires.
    pub(crate) fn remaining(&self) -> Duration {
        self.expires_at.saturating_duration_since(Instant::now())
    }

    fn fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }

    /// Still usable: not expired, with time to cross the network.
    fn usable(&self, now: Instant) -> bool {
        now.checked_add(self.safety).is_some_and(|t| t < self.expires_at)
    }
}

/// What a refresh ended with; every caller that waited gets a copy.
type RefreshOutcome = Result<Arc<Token>, Error>;

/// The token cache shared by all clones of a client.
pub(crate) struct TokenCache {
    shared: Arc<Inner>,
}

/// What the cache and its refresh task share (the `Held` behind its lock,
/// the margin, the endpoint).
struct Inner {
    held: Mutex<Held>,
    margin: Duration,
    endpoint: TokenEndpoint,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct Held {
    current: Option<Arc<Token>>,
    /// The refresh under way: its outcome arrives here.
    refreshing: Option<watch::Receiver<Option<RefreshOutcome>>>,
    /// When the last refresh failed (or hung until its deadline).
    failed_at: Option<Instant>,
}

impl Held {
    /// Within [`REFRESH_COOLDOWN`] of a failed refresh.
    fn cooling(&self, now: Instant) -> bool {
        self.failed_at.is_some_and(|at| now < crate::retry::later(at, REFRESH_COOLDOWN))
    }
}

/// How long to keep using a still-valid token after a failed refresh before
/// trying to refresh again.
const REFRESH_COOLDOWN: Duration = Duration::from_secs(30);

impl TokenCache {
    /// An empty cache that fetches from `endpoint` and refreshes `margin`
    /// before expiry.
    pub(crate) fn new(margin: Duration, endpoint: TokenEndpoint) -> Self {
        TokenCache {
            shared: Arc::new(Inner {
                held: Mutex::new(Held::default()),
                margin,
                endpoint,
            }),
        }
    }

    /// The client id sent to the token endpoint.
    pub(crate) fn client_id(&self) -> &str {
        self.shared.endpoint.client_id()
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.shared.lock()
    }

    /// A token for a request: the cached one while it is valid (starting a
    /// background refresh once it is inside its refresh margin), else the
    /// outcome of the refresh under way, waited for until the call's
    /// deadline.
    async fn get(&self, gateway: &Arc<Gateway>, limits: &Limits) -> Result<Arc<Token>, Error> {
        let waiting = {
            let mut state = self.lock();
            let now = Instant::now();
            if let Some(t) = state.current.clone().filter(|t| t.usable(now)) {
                if !t.fresh(now) && state.refreshing.is_none() && !state.cooling(now) {
                    self.start_refresh(&mut state, gateway);
                }
                return Ok(t);
            }
            match &state.refreshing {
                Some(rx) => rx.clone(),
                None => self.start_refresh(&mut state, gateway),
            }
        };
        wait(waiting, limits).await
    }

    /// Settles the cache: waits for the refresh under way, or starts one
    /// when the token is not fresh (and no cool-down runs), and returns the
    /// token then cached. For start-up checks and [`Client::warm_up`].
    pub(crate) async fn settle(&self, gateway: &Arc<Gateway>, limits: &Limits) -> Result<Arc<Token>, Error> {
        let waiting = {
            let mut state = self.lock();
            let now = Instant::now();
            match (&state.refreshing, state.current.clone()) {
                (None, Some(t)) if t.fresh(now) || (t.usable(now) && state.cooling(now)) => return Ok(t),
                (Some(rx), _) => rx.clone(),
                (None, _) => self.start_refresh(&mut state, gateway),
            }
        };
        match wait(waiting, limits).await {
            Ok(t) => Ok(t),
            Err(e) => self.lock().current.clone().filter(|t| t.usable(Instant::now())).ok_or(e),
        }
    }

    /// Starts the one refresh; the caller holds the state lock.
    fn start_refresh(&self, state: &mut Held, gateway: &Arc<Gateway>) -> watch::Receiver<Option<RefreshOutcome>> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Not inside a tokio runtime (reqwest needs one to send
            // anything): say so through the waiters instead of panicking.
            let (_tx, rx) = watch::channel(Some(Err(Error::config(
                "the client must be used inside a tokio runtime (reqwest needs one)",
            ))));
            return rx;
        };
        let (tx, rx) = watch::channel(None);
        state.refreshing = Some(rx.clone());
        let gateway = gateway.clone();
        let shared = self.shared.clone();
        drop(runtime.spawn(async move {
            // If this task is dropped before it ends (its runtime shuts
            // down), the pending refresh still clears itself and starts the
            // cool-down, so no later caller waits for it.
            let pending = PendingRefresh {
                shared: &shared,
                tx: Some(tx),
            };
            let outcome = Box::pin(shared.endpoint.fetch(&gateway))
                .await
                .map(|issued| Arc::new(Token::new(issued, shared.margin)));
            pending.complete(outcome);
        }));
        rx
    }

    /// Fetches a token outside a refresh and says what its answer tells,
    /// for the go-live check. The token is offered to the cache, so the
    /// calls after it need no other.
    pub(crate) async fn facts(&self, gateway: &Arc<Gateway>) -> Result<TokenFacts, Error> {
        let (issued, facts) = self.shared.endpoint.fetch_with_facts(gateway).await?;
        self.offer(Arc::new(Token::new(issued, self.shared.margin)));
        Ok(facts)
    }

    /// Takes a token fetched outside a refresh when none usable is cached
    /// and no refresh is under way.
    fn offer(&self, token: Arc<Token>) {
        let mut state = self.lock();
        let now = Instant::now();
        if state.refreshing.is_none() && !state.current.as_ref().is_some_and(|t| t.usable(now)) {
            state.current = Some(token);
        }
    }

    /// Drops the token whose header is `seen` after the API refused it,
    /// unless another caller has already replaced it: N concurrent
    /// refusals cause one refresh.
    fn invalidate(&self, seen: &HeaderValue) {
        let mut state = self.lock();
        if state.current.as_ref().is_some_and(|c| c.header == *seen) {
            state.current = None;
        }
    }
}

impl Authorizer for TokenCache {
    fn authorization<'a>(&'a self, gateway: &'a Arc<Gateway>, limits: &'a Limits) -> BoxFuture<'a, Result<HeaderValue, Error>> {
        Box::pin(async move { self.get(gateway, limits).await.map(|token| token.header.clone()) })
    }

    fn refused(&self, authorization: &HeaderValue) {
        self.invalidate(authorization);
    }
}

/// A refresh under way, which must end with an outcome: recorded in the
/// cache and handed to the callers waiting for it. Dropped without
/// [`PendingRefresh::complete`] (its task was dropped), it records a
/// failure.
struct PendingRefresh<'c> {
    shared: &'c Inner,
    tx: Option<watch::Sender<Option<RefreshOutcome>>>,
}

impl PendingRefresh<'_> {
    fn complete(mut self, outcome: RefreshOutcome) {
        self.record(&outcome);
        if let Some(tx) = self.tx.take() {
            // No receiver left is fine: nobody was waiting.
            let _ = tx.send(Some(outcome));
        }
    }

    fn record(&self, outcome: &RefreshOutcome) {
        let mut state = self.shared.lock();
        state.refreshing = None;
        match outcome {
            Ok(token) => {
                state.current = Some(token.clone());
                state.failed_at = None;
            }
            Err(e) => {
                state.failed_at = Some(Instant::now());
                if state.current.as_ref().is_some_and(|t| t.usable(Instant::now())) {
                    tracing::warn!(error = %e, "token refresh failed; the current token is still valid and stays in use");
                } else {
                    tracing::warn!(error = %e, "token refresh failed");
                }
            }
        }
    }
}

impl Drop for PendingRefresh<'_> {
    fn drop(&mut self) {
        if self.tx.is_some() {
            self.record(&Err(refresh_stopped()));
        }
    }
}

/// The error of a refresh that ended without an outcome: its task was
/// dropped, as when its runtime shuts down.
fn refresh_stopped() -> Error {
    Error::config("the token refresh was stopped before it ended")
}

/// Waits for a refresh's outcome until the call's deadline.
async fn wait(mut rx: watch::Receiver<Option<RefreshOutcome>>, limits: &Limits) -> RefreshOutcome {
    if let Some(outcome) = rx.borrow().as_ref() {
        return outcome.clone();
    }
    match tokio::time::timeout_at(limits.deadline, rx.wait_for(Option::is_some)).await {
        Ok(Ok(outcome)) => match &*outcome {
            Some(outcome) => outcome.clone(),
            None => Err(limits.timed_out(Operation::FetchToken)),
        },
        // The refresh ended without an outcome (its runtime shut down).
        Ok(Err(_)) => Err(refresh_stopped()),
        Err(_) => Err(limits.timed_out(Operation::FetchToken)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> TokenCache {
        let endpoint = TokenEndpoint::new(
            "http://127.0.0.1:1/accesstoken/get".parse().unwrap(),
            HeaderValue::from_static("id"),
            HeaderValue::from_static("secret"),
        );
        TokenCache::new(Duration::from_secs(300), endpoint)
    }

    fn token_living(name: &'static str, lifetime: Duration) -> Arc<Token> {
        let issued = Issued {
            authorization: HeaderValue::from_static(name),
            lifetime,
        };
        Arc::new(Token::new(issued, Duration::from_secs(300)))
    }

    fn token(name: &'static str) -> Arc<Token> {
        token_living(name, Duration::from_secs(3600))
    }

    fn current(cache: &TokenCache) -> Option<HeaderValue> {
        cache.lock().current.as_ref().map(|t| t.header.clone())
    }

    #[test]
    fn an_offered_token_is_taken_when_none_usable_is_cached() {
        let cache = empty();
        cache.offer(token("offered"));
        assert_eq!(current(&cache), Some(HeaderValue::from_static("offered")));
        // An expired one is replaced too.
        let expired = empty();
        expired.lock().current = Some(token_living("old", Duration::ZERO));
        expired.offer(token("offered"));
        assert_eq!(current(&expired), Some(HeaderValue::from_static("offered")));
    }

    #[test]
    fn an_offered_token_never_replaces_a_usable_one() {
        let cache = empty();
        cache.offer(token("first"));
        cache.offer(token("second"));
        assert_eq!(current(&cache), Some(HeaderValue::from_static("first")));
    }

    #[test]
    fn an_offered_token_waits_for_no_refresh_under_way() {
        let cache = empty();
        let (_tx, rx) = watch::channel(None);
        cache.lock().refreshing = Some(rx);
        cache.offer(token("offered"));
        assert_eq!(current(&cache), None);
    }

    #[test]
    fn a_refused_token_is_dropped_unless_already_replaced() {
        let cache = empty();
        cache.offer(token("first"));
        cache.invalidate(&HeaderValue::from_static("other"));
        assert_eq!(current(&cache), Some(HeaderValue::from_static("first")));
        cache.invalidate(&HeaderValue::from_static("first"));
        assert_eq!(current(&cache), None);
    }
}
