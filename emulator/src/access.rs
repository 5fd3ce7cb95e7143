//! Who may call the emulator: the token endpoint (the credentials in, an
//! expiring token out), and the gateway's checks on every other request
//! (subscription key, token, merchant serial number), answered as the
//! gateway answers them.
//!
//! Tokens are signed (HMAC-SHA512 with a key made from the emulator's
//! credentials), not kept: issuing any number of them takes no memory, and
//! a token stays good across a restart with the same credentials, as a
//! real one does across the service's deploys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hyper::header::AUTHORIZATION;
use serde_json::json;

use super::answer::{bad_request, gateway, json_body, Answer};
use super::received::Received;
use super::state::State;
use crate::clock::unix_millis;
use vipps_order_management::headers::{CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, MERCHANT_SERIAL_NUMBER_HEADER, SUBSCRIPTION_KEY_HEADER};
use vipps_order_management::validate;

impl State {
    /// The token endpoint: checks the credentials, issues a token.
    pub(super) fn token(&mut self, req: &Received) -> Answer {
        let c = &self.config;
        let ok = req.header(&CLIENT_ID_HEADER) == Some(c.client_id.as_str())
            && req.header(&CLIENT_SECRET_HEADER) == Some(c.client_secret.as_str())
            && req.header(&SUBSCRIPTION_KEY_HEADER) == Some(c.subscription_key.as_str());
        if !ok {
            return gateway(
                401,
                "Access denied due to invalid client_id, client_secret or subscription key. Make sure to provide valid keys for an active subscription.",
            );
        }
        let lifetime = c.token_lifetime;
        let (token, exp, now) = self.issue_token();
        json_body(
            200,
            &json!({
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs().to_string(),
                "ext_expires_in": "0",
                "expires_on": exp.to_string(),
                "not_before": now.to_string(),
                "resource": "00000002-0000-0000-c000-000000000000",
                "access_token": token,
            }),
        )
    }

    /// Issues a token: the token, when it expires and when it was issued
    /// (Unix seconds).
    pub(super) fn issue_token(&mut self) -> (String, u64, u64) {
        let now_ms = unix_millis(std::time::SystemTime::now());
        let lifetime_ms = u64::try_from(self.config.token_lifetime.as_millis()).unwrap_or(u64::MAX);
        let exp_ms = now_ms.saturating_add(lifetime_ms);
        let claims = json!({
            "exp": exp_ms / 1000,
            "nbf": now_ms / 1000,
            "jti": uuid::Uuid::new_v4().to_string(),
            "expMs": exp_ms,
            "generation": self.token_generation,
        });
        let signed = format!("{TOKEN_HEADER}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = URL_SAFE_NO_PAD.encode(hmac_sha512::HMAC::mac(signed.as_bytes(), self.token_key));
        self.token_count += 1;
        (format!("{signed}.{signature}"), exp_ms / 1000, now_ms / 1000)
    }

    /// Whether a token is one this emulator signed, still valid: `Err`
    /// says why not.
    fn verify(&self, token: &str) -> Result<(), &'static str> {
        const INVALID: &str = "Access denied due to missing or invalid access token.";
        let (signed, signature) = token.rsplit_once('.').ok_or(INVALID)?;
        let expected = URL_SAFE_NO_PAD.encode(hmac_sha512::HMAC::mac(signed.as_bytes(), self.token_key));
        // Digests are compared, so the time taken says nothing of the key.
        if hmac_sha512::Hash::hash(signature.as_bytes()) != hmac_sha512::Hash::hash(expected.as_bytes()) {
            return Err(INVALID);
        }
        let claims = signed
            .split_once('.')
            .and_then(|(_, payload)| URL_SAFE_NO_PAD.decode(payload).ok())
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .ok_or(INVALID)?;
        let expires = claims["expMs"].as_u64().ok_or(INVALID)?;
        let generation = claims["generation"].as_u64().ok_or(INVALID)?;
        if generation < self.token_generation || unix_millis(std::time::SystemTime::now()) >= expires {
            return Err("Access denied: the access token has expired.");
        }
        Ok(())
    }

    /// Checks the subscription key, the token and the merchant serial
    /// number; returns the merchant serial number.
    pub(super) fn authenticate(&self, req: &Received) -> Result<String, Answer> {
        match req.header(&SUBSCRIPTION_KEY_HEADER) {
            None => {
                return Err(gateway(
                    401,
                    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                ))
            }
            Some(k) if k != self.config.subscription_key => {
                return Err(gateway(
                    401,
                    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
                ))
            }
            Some(_) => {}
        }
        let verified = bearer(req).map_or(Err("Access denied due to missing or invalid access token."), |t| self.verify(t));
        if let Err(why) = verified {
            return Err(gateway(401, why));
        }
        let msn = req.header(&MERCHANT_SERIAL_NUMBER_HEADER).unwrap_or_default();
        let violations = validate::merchant_serial_number("Merchant-Serial-Number", msn);
        if violations.is_empty() {
            Ok(msn.to_owned())
        } else {
            Err(bad_request(violations))
        }
    }
}

/// A token's header: `{"typ":"JWT","alg":"HS512"}`.
const TOKEN_HEADER: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzUxMiJ9";

/// The token of an `Authorization: Bearer` header (the scheme in any case,
/// as RFC 9110 has it).
pub(super) fn bearer(req: &Received) -> Option<&str> {
    req.header(AUTHORIZATION)
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::URL_SAFE_NO_PAD;
    use crate::memory_budget::Budgets;
    use crate::record::Record;
    use crate::state::{Config, State};
    use crate::store::Store;
    use base64::Engine as _;

    #[test]
    fn tokens_are_signed_not_kept_and_hold_across_a_restart() {
        let config = |secret: &str, lifetime| Config {
            client_id: "id".into(),
            client_secret: secret.into(),
            subscription_key: "key".into(),
            msn: "123456".into(),
            token_lifetime: lifetime,
            admin_token: None,
            max_stored_bytes: usize::MAX,
        };
        let state = |secret: &str, lifetime| {
            State::new(
                config(secret, lifetime),
                Store::default(),
                None,
                Record::new(false, None, None, usize::MAX),
                Budgets::new(1024, 1024, 1024, 1024),
            )
        };
        let hour = Duration::from_secs(3600);
        let mut first = state("secret", hour);
        let (token, exp, issued) = first.issue_token();
        let now = crate::clock::unix_millis(std::time::SystemTime::now()) / 1000;
        assert!(issued <= now && issued + 1 >= now, "issued {issued}, now {now}");
        assert_eq!(exp, issued + 3600, "Unix seconds");
        let payload = token.split('.').nth(1).unwrap();
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["exp"], exp);
        assert_eq!(claims["nbf"], issued);
        assert_eq!(first.verify(&token), Ok(()));
        assert_eq!(state("secret", hour).verify(&token), Ok(()), "a restart with the same credentials");
        assert!(state("other", hour).verify(&token).is_err(), "another emulator's key");
        let (signed, _) = token.rsplit_once('.').unwrap();
        assert!(first.verify(&format!("{signed}.forged")).is_err());
        assert!(first.verify("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.emulator").is_err());
        assert!(first.verify("").is_err());
        first.token_generation += 1;
        assert_eq!(first.verify(&token), Err("Access denied: the access token has expired."));
        let mut short = state("secret", Duration::ZERO);
        let expired = short.issue_token().0;
        assert!(short.verify(&expired).is_err());
        assert_eq!(short.token_count, 1);
    }
}
