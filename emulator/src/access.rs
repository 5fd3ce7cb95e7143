//! Who may call the emulator: the token endpoint (the credentials in, an
//! expiring token out), and the gateway's checks on every other request
//! (subscription key, token, merchant serial number), answered as the
//! gateway answers them.

use std::time::Instant;

use base64::Engine as _;
use hyper::header::AUTHORIZATION;
use serde_json::json;

use super::answer::{bad_request, gateway, json_body, Answer};
use super::received::Received;
use super::state::State;
use crate::clock::unix_now;
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
        let lifetime = self.config.token_lifetime;
        let now = unix_now();
        let exp = now.saturating_add(lifetime.as_secs());
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"exp":{exp},"nbf":{now},"jti":"{}"}}"#, uuid::Uuid::new_v4()));
        let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.{payload}.emulator");
        let issued = Instant::now();
        let expiry = issued.checked_add(lifetime).unwrap_or(issued);
        // Forget the tokens that expired: their memory is not kept for ever.
        while self.expiries.front().is_some_and(|(at, _)| *at <= issued) {
            if let Some((_, old)) = self.expiries.pop_front() {
                self.issued_tokens.remove(&old);
            }
        }
        self.issued_tokens.insert(token.clone(), expiry);
        self.expiries.push_back((expiry, token.clone()));
        self.token_count += 1;
        (token, exp, now)
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
        match bearer(req).and_then(|t| self.issued_tokens.get(t)) {
            None => return Err(gateway(401, "Access denied due to missing or invalid access token.")),
            Some(expiry) if Instant::now() >= *expiry => return Err(gateway(401, "Access denied: the access token has expired.")),
            Some(_) => {}
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

    use crate::body_budget::BodyBudget;
    use crate::record::Record;
    use crate::state::{Config, State};
    use crate::store::Store;

    #[test]
    fn expired_tokens_are_forgotten_as_new_ones_are_issued() {
        let config = |lifetime| Config {
            client_id: "id".into(),
            client_secret: "secret".into(),
            subscription_key: "key".into(),
            msn: "123456".into(),
            token_lifetime: lifetime,
            admin_token: None,
        };
        let state = |lifetime| {
            State::new(
                config(lifetime),
                Store::default(),
                None,
                Record::new(false, None, None),
                BodyBudget::new(1024),
            )
        };
        let mut short = state(Duration::ZERO);
        for _ in 0..1000 {
            short.issue_token();
        }
        assert!(short.issued_tokens.len() <= 1, "{} kept", short.issued_tokens.len());
        assert_eq!(short.token_count, 1000);
        let mut long = state(Duration::from_secs(3600));
        for _ in 0..100 {
            long.issue_token();
        }
        assert_eq!(long.issued_tokens.len(), 100, "valid tokens are kept");
    }
}
