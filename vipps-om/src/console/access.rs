//! Who may use the console. Without an access token it listens on loopback
//! only, and answers only requests addressed to this machine (a web page
//! elsewhere cannot reach it through a browser by renaming a host: DNS
//! rebinding). With one, staff sign in with a form that sets a signed,
//! expiring, HttpOnly, SameSite=Strict session cookie, and tools send the
//! token as `Authorization: Bearer`. Tokens are compared in constant time
//! as digests; failed sign-ins are limited.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::FormRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use ring::hmac;
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq as _;

use super::pages;
use super::trouble::Trouble;
use super::Console;

const COOKIE: &str = "vipps_om_console";
/// How long a sign-in lasts.
const SESSION: Duration = Duration::from_secs(12 * 60 * 60);
/// The shortest access token taken: guessing must not pay.
pub const MIN_TOKEN_LEN: usize = 16;
/// Failed sign-ins allowed per minute, for all clients together.
const FAILURES_PER_MINUTE: usize = 10;

/// The access token (as its digest only), the key that signs sessions
/// (random, made at start: a restart signs everyone out), and the recent
/// failed sign-ins.
pub struct Access {
    digest: [u8; 32],
    key: hmac::Key,
    failures: Mutex<VecDeque<Instant>>,
}

fn digest(text: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()).as_ref());
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access").finish_non_exhaustive()
    }
}

impl Access {
    /// The access check for this token, with a new random session key.
    pub fn new(token: &str) -> Result<Access, String> {
        let rng = ring::rand::SystemRandom::new();
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &rng).map_err(|_| "no random numbers to sign sessions with".to_owned())?;
        Ok(Access {
            digest: digest(token),
            key,
            failures: Mutex::new(VecDeque::new()),
        })
    }

    fn token_matches(&self, candidate: &str) -> bool {
        digest(candidate).ct_eq(&self.digest).into()
    }

    /// A session: when it ends, and the signature of that.
    fn session_cookie(&self) -> String {
        let until = unix_now().saturating_add(SESSION.as_secs());
        let tag = hmac::sign(&self.key, until.to_string().as_bytes());
        format!("{until}.{}", hex(tag.as_ref()))
    }

    fn session_valid(&self, value: &str) -> bool {
        let Some((until, tag)) = value.split_once('.') else {
            return false;
        };
        let expected = hex(hmac::sign(&self.key, until.as_bytes()).as_ref());
        let signed = tag.len() == expected.len() && bool::from(tag.as_bytes().ct_eq(expected.as_bytes()));
        signed && until.parse::<u64>().is_ok_and(|t| t > unix_now())
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        if bearer.is_some_and(|t| self.token_matches(t)) {
            return true;
        }
        cookie(headers).is_some_and(|value| self.session_valid(value))
    }

    /// Counts a failed sign-in.
    fn note_failure(&self) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.push_back(Instant::now());
    }

    /// `true` when too many sign-ins failed in the last minute.
    fn locked_out(&self) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        while failures.front().is_some_and(|t| t.elapsed() > Duration::from_secs(60)) {
            failures.pop_front();
        }
        failures.len() >= FAILURES_PER_MINUTE
    }
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE).and_then(|rest| rest.strip_prefix('=')))
}

/// `true` when the request is addressed to this machine (`localhost`,
/// `127.0.0.1`, `[::1]`, any port).
fn addressed_here(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Lets a request through when it may be answered: an unguarded console
/// answers requests addressed to this machine; a guarded one answers the
/// sign-in, the stylesheet, and whoever holds the token or a session.
pub async fn guard(State(console): State<Console>, request: Request, next: Next) -> Response {
    let Some(access) = &console.access else {
        if addressed_here(request.headers()) {
            return next.run(request).await;
        }
        let trouble = Trouble::misdirected();
        return (StatusCode::MISDIRECTED_REQUEST, pages::trouble(&trouble, false)).into_response();
    };
    let path = request.uri().path();
    if path == "/login" || path == "/logout" || path.starts_with("/assets/") || access.allows(request.headers()) {
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

pub async fn login(State(console): State<Console>, headers: HeaderMap, form: Result<Form<Login>, FormRejection>) -> Response {
    let Some(access) = &console.access else {
        return Redirect::to("/").into_response();
    };
    if access.locked_out() {
        let page = pages::login(Some(
            "Too many wrong access tokens in the last minute. Wait a minute, then try again.",
        ));
        return (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    }
    match form {
        Ok(Form(form)) if access.token_matches(&form.token) => {
            // Secure when a TLS proxy in front says the browser came by https.
            let https = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https"));
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
                access.session_cookie(),
                SESSION.as_secs(),
                if https { "; Secure" } else { "" }
            );
            let mut response = Redirect::to("/").into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        _ => {
            access.note_failure();
            (
                StatusCode::UNAUTHORIZED,
                pages::login(Some("That access token is not the console's.")),
            )
                .into_response()
        }
    }
}

/// Signs out: the session cookie is cleared.
pub async fn logout() -> Response {
    let mut response = Redirect::to("/login").into_response();
    let clear = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_sessions_and_bearers() {
        let access = Access::new("s3cret-token-long-enough").unwrap();
        assert!(access.token_matches("s3cret-token-long-enough"));
        assert!(!access.token_matches("s3cret-token-long-enoug") && !access.token_matches(""));
        let mut headers = HeaderMap::new();
        assert!(!access.allows(&headers));
        let session = access.session_cookie();
        assert!(!session.contains("s3cret") && !session.contains(&hex(&digest("s3cret-token-long-enough"))));
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; {COOKIE}={session}")).unwrap());
        assert!(access.allows(&headers));
        // Tampered, expired, or signed by another run: refused.
        let (until, tag) = session.split_once('.').unwrap();
        let later = format!("{}.{tag}", until.parse::<u64>().unwrap() + 1);
        let past = format!("1.{}", hex(hmac::sign(&access.key, b"1").as_ref()));
        let other = Access::new("s3cret-token-long-enough").unwrap().session_cookie();
        for bad in [later, past, other, "00".to_owned()] {
            headers.insert(header::COOKIE, HeaderValue::from_str(&format!("{COOKIE}={bad}")).unwrap());
            assert!(!access.allows(&headers), "{bad}");
        }
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer s3cret-token-long-enough"));
        assert!(access.allows(&headers));
    }

    #[test]
    fn only_requests_addressed_here() {
        let host = |h: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
            addressed_here(&headers)
        };
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.2"] {
            assert!(host(ok), "{ok}");
        }
        for bad in [
            "attacker.example:8080",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "[::2]:80",
            "",
        ] {
            assert!(!host(bad), "{bad}");
        }
        assert!(!addressed_here(&HeaderMap::new()));
    }

    #[test]
    fn failed_sign_ins_are_limited() {
        let access = Access::new("s3cret-token-long-enough").unwrap();
        for _ in 0..FAILURES_PER_MINUTE {
            assert!(!access.locked_out());
            access.note_failure();
        }
        assert!(access.locked_out());
    }
}
