//! The access token of a console that listens beyond loopback: a login
//! form sets an HttpOnly, SameSite=Strict cookie; tools may send the token
//! as `Authorization: Bearer`. Tokens are compared in constant time, as
//! SHA-256 digests, so neither their content nor their length leaks.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq as _;

use super::pages;
use super::Console;

const COOKIE: &str = "vipps_om_console";

/// The expected token, as its digest only.
pub struct Access {
    digest: [u8; 32],
}

fn digest(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref());
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Access {
    pub fn new(token: &str) -> Access {
        Access { digest: digest(token) }
    }

    fn token_matches(&self, candidate: &str) -> bool {
        digest(candidate).ct_eq(&self.digest).into()
    }

    /// The cookie value: the token's digest, which proves the token was
    /// given without holding it.
    fn cookie_value(&self) -> String {
        hex(&self.digest)
    }

    fn cookie_matches(&self, value: &str) -> bool {
        let expected = self.cookie_value();
        // Equal lengths are public (hex of 32 bytes); the content is not.
        value.len() == expected.len() && bool::from(value.as_bytes().ct_eq(expected.as_bytes()))
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if bearer.is_some_and(|t| self.token_matches(t)) {
            return true;
        }
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(COOKIE).and_then(|rest| rest.strip_prefix('=')))
            .any(|value| self.cookie_matches(value))
    }
}

/// Lets a request through when the console has no token, when it is the
/// login or the stylesheet, or when it carries the token.
pub async fn guard(State(console): State<Console>, request: Request, next: Next) -> Response {
    let Some(access) = &console.access else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    if path == "/login" || path.starts_with("/assets/") || access.allows(request.headers()) {
        return next.run(request).await;
    }
    if path.starts_with("/api/") {
        let body = json!({ "error": { "kind": "configuration", "status": 401, "message": "this console needs its access token: send it as Authorization: Bearer" } });
        return (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    }
    Redirect::to("/login").into_response()
}

pub async fn login_page() -> Response {
    pages::login(None).into_response()
}

#[derive(Deserialize)]
pub struct Login {
    token: String,
}

pub async fn login(State(console): State<Console>, Form(form): Form<Login>) -> Response {
    match &console.access {
        Some(access) if access.token_matches(&form.token) => {
            let cookie = format!("{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", access.cookie_value());
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Some(_) => (
            StatusCode::UNAUTHORIZED,
            pages::login(Some("That access token is not the console's.")),
        )
            .into_response(),
        None => Redirect::to("/").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cookies_and_bearers() {
        let access = Access::new("s3cret-token");
        assert!(access.token_matches("s3cret-token"));
        assert!(!access.token_matches("s3cret-toke") && !access.token_matches(""));
        let mut headers = HeaderMap::new();
        assert!(!access.allows(&headers));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE}={}", access.cookie_value())).unwrap(),
        );
        assert!(access.allows(&headers));
        headers.insert(header::COOKIE, HeaderValue::from_static("vipps_om_console=00"));
        assert!(!access.allows(&headers));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer s3cret-token"));
        assert!(access.allows(&headers));
        assert!(!access.cookie_value().contains("s3cret"));
    }
}
