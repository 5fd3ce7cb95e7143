//! Access tokens: fetched on first use, cached, refreshed ahead of expiry,
//! one fetch for any number of concurrent callers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::{Deserialize, Deserializer};
use tokio::time::Instant;

use crate::client::Client;
use crate::error::Error;
use crate::operation::Operation;
use crate::transport::{Call, CallOptions};

/// A cached access token. Times are on tokio's monotonic clock.
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive (never shown by `Debug`).
    header: HeaderValue,
    expires_at: Instant,
    refresh_at: Instant,
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

    /// Still usable: not expired, with a few seconds to cross the network.
    fn usable(&self, now: Instant) -> bool {
        now + Duration::from_secs(10) < self.expires_at
    }
}

/// The token cache shared by all clones of a client.
pub(crate) struct TokenCache {
    current: Mutex<Option<Arc<Token>>>,
    refresh: tokio::sync::Mutex<()>,
    margin: Duration,
    /// When a refresh last failed while the current token stayed usable:
    /// the next attempt waits [`REFRESH_COOLDOWN`], so an outage of the token
    /// endpoint does not slow every call down with its own retries.
    failed_refresh: Mutex<Option<Instant>>,
}

/// How long to keep using a still-valid token after a failed refresh before
/// trying to refresh again.
const REFRESH_COOLDOWN: Duration = Duration::from_secs(30);

impl TokenCache {
    pub(crate) fn new(margin: Duration) -> Self {
        TokenCache {
            current: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            margin,
            failed_refresh: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<Arc<Token>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A token that is not inside its refresh margin, fetching one if needed.
    /// Concurrent callers wait for the one fetch under way. When a refresh
    /// fails while the cached token is still valid, that token is served.
    pub(crate) async fn get(&self, client: &Client) -> Result<Arc<Token>, Error> {
        if let Some(t) = self.cached().filter(|t| t.fresh(Instant::now())) {
            return Ok(t);
        }
        let _one_fetch = self.refresh.lock().await;
        let cached = self.cached();
        let now = Instant::now();
        if let Some(t) = cached.as_ref().filter(|t| t.fresh(now)) {
            return Ok(t.clone());
        }
        let cooling = self
            .failed_refresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|at| now < at + REFRESH_COOLDOWN);
        if let Some(t) = cached.as_ref().filter(|t| cooling && t.usable(now)) {
            return Ok(t.clone());
        }
        match Box::pin(fetch(client, self.margin)).await {
            Ok(token) => {
                let token = Arc::new(token);
                *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
                *self.failed_refresh.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(token)
            }
            Err(e) => match cached.filter(|t| t.usable(Instant::now())) {
                Some(still_valid) => {
                    *self.failed_refresh.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
                    tracing::warn!(error = %e, "token refresh failed; the current token is still valid and stays in use");
                    Ok(still_valid)
                }
                None => Err(e),
            },
        }
    }

    /// Drops `seen` after the API refused it, unless another caller has
    /// already replaced it: N concurrent refusals cause one refresh.
    pub(crate) fn invalidate(&self, seen: &Arc<Token>) {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, seen)) {
            *current = None;
        }
    }
}

async fn fetch(client: &Client, margin: Duration) -> Result<Token, Error> {
    let inner = &client.inner;
    let mut secret =
        HeaderValue::from_str(inner.client_secret.expose()).map_err(|_| Error::config("the client secret cannot be sent in a header"))?;
    secret.set_sensitive(true);
    let mut call = Call::new(
        Operation::FetchToken,
        Method::POST,
        client.url(["accesstoken", "get"]),
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
    })
}

/// The token endpoint's answer; its numbers come as strings or numbers.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "number_or_string")]
    expires_on: Option<u64>,
}

impl TokenResponse {
    /// The lifetime from `expires_in`, else `expires_on`, else the JWT's
    /// `exp`, else a cautious five minutes.
    fn lifetime(&self) -> Duration {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let secs = self
            .expires_in
            .or_else(|| self.expires_on.map(|on| on.saturating_sub(now)))
            .or_else(|| jwt_exp(&self.access_token).map(|exp| exp.saturating_sub(now)))
            .unwrap_or(300);
        Duration::from_secs(secs.min(MAX_LIFETIME_SECS))
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

fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
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
    }

    #[test]
    fn jwt_expiry_is_read() {
        // {"exp":4102444800}
        let t = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.";
        assert_eq!(jwt_exp(t), Some(4_102_444_800));
        assert_eq!(jwt_exp("garbage"), None);
    }
}
