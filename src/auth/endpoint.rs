//! The token endpoint: the request for an access token, and what its
//! answer says (the token, its lifetime, the server's clock).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::HeaderValue;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use url::Url;

use crate::clock::unix_now;
use crate::error::Error;
use crate::headers::{CLIENT_ID_HEADER, CLIENT_SECRET_HEADER};
use crate::operation::Operation;
use crate::transport::{self, Call, CallOptions, Gateway, Reply};

/// The token endpoint and the credentials sent to it.
pub(crate) struct TokenEndpoint {
    url: Url,
    client_id: HeaderValue,
    /// Marked sensitive.
    client_secret: HeaderValue,
}

impl TokenEndpoint {
    /// The endpoint at `url` (`/accesstoken/get` under the base URL), with
    /// the credentials as sent (the secret marked sensitive).
    pub(crate) fn new(url: Url, client_id: HeaderValue, client_secret: HeaderValue) -> TokenEndpoint {
        TokenEndpoint {
            url,
            client_id,
            client_secret,
        }
    }

    /// The client id, as sent.
    pub(crate) fn client_id(&self) -> &str {
        // Built from a `&str` by `HeaderValue::from_str`: always visible ASCII.
        self.client_id.to_str().unwrap_or_default()
    }

    /// Fetches a new access token.
    pub(crate) async fn fetch(&self, gateway: &Arc<Gateway>) -> Result<Issued, Error> {
        let (parsed, reply) = self.request(gateway).await?;
        issued(&parsed, &reply)
    }

    /// Fetches a new access token and says what its answer tells (for the
    /// go-live check).
    pub(crate) async fn fetch_with_facts(&self, gateway: &Arc<Gateway>) -> Result<(Issued, TokenFacts), Error> {
        let (parsed, reply) = self.request(gateway).await?;
        let facts = TokenFacts {
            lifetime: parsed.lifetime(),
            stated_lifetime: parsed.stated_lifetime(),
            issued_at: parsed.issued_at(),
        };
        Ok((issued(&parsed, &reply)?, facts))
    }

    /// The token endpoint's answer, checked to hold a token.
    async fn request(&self, gateway: &Arc<Gateway>) -> Result<(TokenResponse, Reply), Error> {
        let mut call = Call::new(Operation::FetchToken, self.url.clone(), CallOptions::default());
        call.body = Some(Bytes::new());
        call.auth = false;
        call.headers = vec![
            (CLIENT_ID_HEADER, self.client_id.clone()),
            (CLIENT_SECRET_HEADER, self.client_secret.clone()),
        ];
        let reply = transport::execute(gateway, call, None).await?.success()?;
        let parsed: TokenResponse = reply.json()?;
        if parsed.access_token.is_empty() {
            return Err(reply.malformed("the access_token is empty"));
        }
        Ok((parsed, reply))
    }
}

/// A token just issued.
pub(crate) struct Issued {
    /// `Bearer <token>`, marked sensitive.
    pub(crate) authorization: HeaderValue,
    /// How long it lives (the answer's word, else a cautious guess).
    pub(crate) lifetime: Duration,
}

/// The token a token answer holds.
fn issued(parsed: &TokenResponse, reply: &Reply) -> Result<Issued, Error> {
    let lifetime = parsed.lifetime();
    tracing::debug!(lifetime_s = lifetime.as_secs(), "fetched an access token");
    let mut authorization = HeaderValue::from_str(&format!("Bearer {}", parsed.access_token))
        .map_err(|_| reply.malformed("the access_token holds characters that cannot be sent in a header"))?;
    authorization.set_sensitive(true);
    Ok(Issued { authorization, lifetime })
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
        let now = unix_now();
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
    fn seconds_from_any_format_that_gives_numbers() {
        use serde::de::value::{BytesDeserializer, Error as ValueError, I64Deserializer};
        // JSON gives a positive number as u64; other formats may give i64.
        assert_eq!(number_or_string(I64Deserializer::<ValueError>::new(3599)), Ok(Some(3599)));
        assert_eq!(number_or_string(I64Deserializer::<ValueError>::new(-5)), Ok(None));
        let err = number_or_string(BytesDeserializer::<ValueError>::new(b"3599")).unwrap_err();
        assert!(err.to_string().contains("expected a number of seconds"), "{err}");
    }

    #[test]
    fn jwt_expiry_is_read() {
        // {"exp":4102444800}
        let t = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.";
        assert_eq!(jwt_exp(t), Some(4_102_444_800));
        assert_eq!(jwt_exp("garbage"), None);
    }
}
