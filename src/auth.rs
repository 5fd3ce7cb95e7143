//! Access tokens: fetched on first use, cached, and refreshed ahead of
//! expiry by a task of their own, one fetch for any number of callers.
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
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;
use crate::transport::{Call, CallOptions, Limits, Reply};

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
    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn bearer(&self) -> HeaderValue {
        self.header.clone()
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
    state: Mutex<State>,
    margin: Duration,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Token>>,
    /// The refresh under way: its outcome arrives here.
    refreshing: Option<watch::Receiver<Option<RefreshOutcome>>>,
    /// When the last refresh failed (or hung until its deadline).
    failed_at: Option<Instant>,
}

impl State {
    /// Within [`REFRESH_COOLDOWN`] of a failed refresh.
    fn cooling(&self, now: Instant) -> bool {
        self.failed_at.is_some_and(|at| now < crate::retry::later(at, REFRESH_COOLDOWN))
    }
}

/// How long to keep using a still-valid token after a failed refresh before
/// trying to refresh again.
const REFRESH_COOLDOWN: Duration = Duration::from_secs(30);

impl TokenCache {
    pub(crate) fn new(margin: Duration) -> Self {
        TokenCache {
            state: Mutex::new(State::default()),
            margin,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A token for a request: the cached one while it is valid (starting a
    /// background refresh once it is inside its refresh margin), else the
    /// outcome of the refresh under way, waited for until the call's
    /// deadline.
    pub(crate) async fn get(&self, client: &Client, limits: &Limits) -> Result<Arc<Token>, Error> {
        let waiting = {
            let mut state = self.lock();
            let now = Instant::now();
            if let Some(t) = state.current.clone().filter(|t| t.usable(now)) {
                if !t.fresh(now) && state.refreshing.is_none() && !state.cooling(now) {
                    self.start_refresh(&mut state, client);
                }
                return Ok(t);
            }
            match &state.refreshing {
                Some(rx) => rx.clone(),
                None => self.start_refresh(&mut state, client),
            }
        };
        wait(waiting, limits).await
    }

    /// Settles the cache: waits for the refresh under way, or starts one
    /// when the token is not fresh (and no cool-down runs), and returns the
    /// token then cached. For start-up checks and [`Client::warm_up`].
    pub(crate) async fn settle(&self, client: &Client, limits: &Limits) -> Result<Arc<Token>, Error> {
        let waiting = {
            let mut state = self.lock();
            let now = Instant::now();
            match (&state.refreshing, state.current.clone()) {
                (None, Some(t)) if t.fresh(now) || (t.usable(now) && state.cooling(now)) => return Ok(t),
                (Some(rx), _) => rx.clone(),
                (None, _) => self.start_refresh(&mut state, client),
            }
        };
        match wait(waiting, limits).await {
            Ok(t) => Ok(t),
            Err(e) => self.lock().current.clone().filter(|t| t.usable(Instant::now())).ok_or(e),
        }
    }

    /// Starts the one refresh; the caller holds the state lock.
    fn start_refresh(&self, state: &mut State, client: &Client) -> watch::Receiver<Option<RefreshOutcome>> {
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
        let client = client.clone();
        let margin = self.margin;
        drop(runtime.spawn(async move {
            // If this task is dropped before it ends (its runtime shuts
            // down), the pending refresh still clears itself and starts the
            // cool-down, so no later caller waits for it.
            let pending = PendingRefresh {
                client: &client,
                tx: Some(tx),
            };
            let outcome = Box::pin(fetch_token(&client, margin)).await.map(Arc::new);
            pending.complete(outcome);
        }));
        rx
    }

    /// Takes a token fetched outside a refresh (the go-live check's) when
    /// none usable is cached and no refresh is under way.
    pub(crate) fn offer(&self, token: Arc<Token>) {
        let mut state = self.lock();
        let now = Instant::now();
        if state.refreshing.is_none() && !state.current.as_ref().is_some_and(|t| t.usable(now)) {
            state.current = Some(token);
        }
    }

    /// Drops `seen` after the API refused it, unless another caller has
    /// already replaced it: N concurrent refusals cause one refresh.
    pub(crate) fn invalidate(&self, seen: &Arc<Token>) {
        let mut state = self.lock();
        if state.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, seen)) {
            state.current = None;
        }
    }
}

/// A refresh under way, which must end with an outcome: recorded in the
/// cache and handed to the callers waiting for it. Dropped without
/// [`PendingRefresh::complete`] (its task was dropped), it records a
/// failure.
struct PendingRefresh<'c> {
    client: &'c Client,
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
        let mut state = self.client.inner.token_cache.lock();
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

/// Fetches a new access token from the token endpoint.
async fn fetch_token(client: &Client, margin: Duration) -> Result<Token, Error> {
    let (parsed, reply) = request_token(client).await?;
    token_from(&parsed, &reply, margin)
}

/// The cached form of a token answer just received.
fn token_from(parsed: &TokenResponse, reply: &Reply, margin: Duration) -> Result<Token, Error> {
    let fetched_at = Instant::now();
    let lifetime = parsed.lifetime();
    let margin = margin.min(lifetime / 2);
    tracing::debug!(lifetime_s = lifetime.as_secs(), "fetched an access token");
    let mut header = HeaderValue::from_str(&format!("Bearer {}", parsed.access_token))
        .map_err(|_| reply.malformed("the access_token holds characters that cannot be sent in a header"))?;
    header.set_sensitive(true);
    Ok(Token {
        header,
        expires_at: fetched_at + lifetime,
        refresh_at: fetched_at + lifetime - margin,
        safety: (lifetime / 4).min(Duration::from_secs(10)),
    })
}

/// What a fresh token answer says, for the go-live check: how long the
/// token lives, and the server's clock when it issued it (Unix seconds),
/// when the answer tells.
#[derive(Debug)]
pub(crate) struct TokenFacts {
    /// The lifetime the client takes (the answer's, else a cautious guess).
    pub(crate) lifetime: Duration,
    /// The lifetime the answer stated, when it did.
    pub(crate) stated_lifetime: Option<Duration>,
    pub(crate) issued_at: Option<u64>,
}

/// Asks the token endpoint for a token and says what its answer tells. The
/// token is offered to the cache, so the calls after it need no other.
pub(crate) async fn token_facts(client: &Client) -> Result<TokenFacts, Error> {
    let (parsed, reply) = request_token(client).await?;
    let facts = TokenFacts {
        lifetime: parsed.lifetime(),
        stated_lifetime: parsed.stated_lifetime(),
        issued_at: parsed.issued_at(),
    };
    let token = token_from(&parsed, &reply, client.inner.token_cache.margin)?;
    client.inner.token_cache.offer(Arc::new(token));
    Ok(facts)
}

/// The token endpoint's answer, checked to hold a token.
async fn request_token(client: &Client) -> Result<(TokenResponse, Reply), Error> {
    let inner = &client.inner;
    let mut secret =
        HeaderValue::from_str(inner.client_secret.expose()).map_err(|_| Error::config("the client secret cannot be sent in a header"))?;
    secret.set_sensitive(true);
    let mut call = Call::new(
        Operation::FetchToken,
        Method::POST,
        client.url(["accesstoken", "get"])?,
        CallOptions::default(),
    );
    call.body = Some(Bytes::new());
    call.auth = false;
    call.headers = vec![
        (
            HeaderName::from_static("client_id"),
            HeaderValue::from_str(&inner.client_id).map_err(|_| Error::config("the client id cannot be sent in a header"))?,
        ),
        (HeaderName::from_static("client_secret"), secret),
    ];
    let reply = client.execute(call).await?.success()?;
    let parsed: TokenResponse = reply.json()?;
    if parsed.access_token.is_empty() {
        return Err(reply.malformed("the access_token is empty"));
    }
    Ok((parsed, reply))
}

/// The token endpoint's answer; its numbers come as strings or numbers.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_on: Option<u64>,
    #[serde(default, deserialize_with = "number_or_string")]
    not_before: Option<u64>,
}

impl TokenResponse {
    /// The lifetime from `expires_in`, else `expires_on`, else the JWT's
    /// `exp`, else a cautious five minutes.
    fn lifetime(&self) -> Duration {
        self.stated_lifetime().unwrap_or(Duration::from_secs(300))
    }

    /// The lifetime the answer states: `expires_in`, else `expires_on`,
    /// else the JWT's `exp` (at most 30 days).
    fn stated_lifetime(&self) -> Option<Duration> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let secs = self
            .expires_in
            .or_else(|| self.expires_on.map(|on| on.saturating_sub(now)))
            .or_else(|| jwt_exp(&self.access_token).map(|exp| exp.saturating_sub(now)))?;
        Some(Duration::from_secs(secs.min(MAX_LIFETIME_SECS)))
    }

    /// When the server issued the token by its own clock (Unix seconds):
    /// `expires_on` less `expires_in` when both make sense, else
    /// `not_before`.
    fn issued_at(&self) -> Option<u64> {
        self.expires_on
            .zip(self.expires_in)
            .and_then(|(on, lasts)| on.checked_sub(lasts))
            .or(self.not_before)
    }
}

/// Reads a token answer and its lifetime (for the property tests).
#[cfg(test)]
pub(crate) fn parse_token_response(bytes: &[u8]) -> Option<Duration> {
    serde_json::from_slice::<TokenResponse>(bytes).ok().map(|t| t.lifetime())
}

/// Longest lifetime believed: 30 days (production tokens live 24 hours).
const MAX_LIFETIME_SECS: u64 = 30 * 24 * 3600;

fn jwt_exp(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_u64()
}

/// A non-negative whole number of seconds, written as a number or a
/// string; anything else is `None` (the lifetime falls back).
fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct Seconds;
    impl<'de> Visitor<'de> for Seconds {
        type Value = Option<u64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number of seconds")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<u64>, E> {
            Ok(Some(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<u64>, E> {
            Ok(u64::try_from(v).ok())
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<u64>, E> {
            // Saturating: a huge lifetime is clamped later.
            Ok((v >= 0.0).then_some(v as u64))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<u64>, E> {
            Ok(v.trim().parse().ok())
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u64>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<u64>, E> {
            Ok(None)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Option<u64>, A::Error> {
            while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    d.deserialize_any(Seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_strings_or_numbers() {
        let a: TokenResponse = serde_json::from_str(r#"{"access_token":"x","expires_in":"3599"}"#).unwrap();
        assert_eq!(a.lifetime(), Duration::from_secs(3599));
        let b: TokenResponse = serde_json::from_str(r#"{"access_token":"x","expires_in":86398}"#).unwrap();
        assert_eq!(b.lifetime(), Duration::from_secs(86398));
        let c: TokenResponse = serde_json::from_str(r#"{"access_token":"x","expires_in":"soon"}"#).unwrap();
        assert_eq!(c.lifetime(), Duration::from_secs(300));
        let d: TokenResponse = serde_json::from_str(r#"{"access_token":"x","expires_in":18446744073709551615}"#).unwrap();
        assert_eq!(d.lifetime(), Duration::from_secs(MAX_LIFETIME_SECS));
        let e: TokenResponse = serde_json::from_str(r#"{"access_token":"x","expires_in":3599.9}"#).unwrap();
        assert_eq!(e.lifetime(), Duration::from_secs(3599));
        // Anything else falls back to five minutes (no JWT expiry here).
        for odd in ["-5", "null", "true", "[1]", r#"{"s": 1}"#, r#""""#] {
            let t: TokenResponse = serde_json::from_str(&format!(r#"{{"access_token":"x","expires_in":{odd}}}"#)).unwrap();
            assert_eq!(t.lifetime(), Duration::from_secs(300), "{odd}");
        }
    }

    #[test]
    fn jwt_expiry_is_read() {
        // {"exp":4102444800}
        let t = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.";
        assert_eq!(jwt_exp(t), Some(4_102_444_800));
        assert_eq!(jwt_exp("garbage"), None);
    }
}
