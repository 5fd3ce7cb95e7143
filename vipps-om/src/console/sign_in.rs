//! Signing in and out with a named token: the form, the session it starts
//! (a cookie naming a session kept on the server), where sign-in lands (a
//! page asked for before signing in), and the limit on failed sign-ins per
//! client, so one client's failures never refuse another's correct token.
//! Sign-in and sign-out come only from the console's own pages
//! (`Sec-Fetch-Site`, else `Origin`).

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use headers::HeaderMapExt as _;
use serde::Deserialize;

use super::audit::Entry;
use super::language::{Arg, Lang, Words};
use super::origin::{forwarded_host, from_own_page};
use super::pages::{self, Cx};
use super::paths;
use super::server::Peer;
use super::sessions::LIFETIME;
use super::throttle::FAILURES_ALLOWED;
use super::trouble::Trouble;
use super::visitor::{Via, Visitor};
use super::Console;

/// The session cookie.
pub const COOKIE: &str = "vipps_om_session";

pub(super) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.typed_get::<headers::Cookie>()?;
    cookies.get(COOKIE).map(str::to_owned)
}

/// `true` for a path on this console: not another host's
/// `//evil.example` or `/\evil.example`, nothing a browser would read
/// differently.
pub fn own_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2048
        && !path.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        // Sign-out takes a form post only.
        && !path.starts_with(paths::LOGOUT)
}

/// A path to land on after sign-in: a path on this console, not sign-in
/// itself; `/` otherwise.
pub fn landing(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_owned();
    };
    let own = own_path(next) && !(next == paths::LOGIN || next.starts_with("/login?") || next.starts_with(paths::LOGOUT));
    if own {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The sign-in page's address that lands on `next` after.
pub(super) fn login_for(next: &str) -> String {
    if next == "/" {
        return paths::LOGIN.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{}?next={encoded}", paths::LOGIN)
}

pub(super) fn too_many(words: &Words, address: IpAddr, wait: Duration) -> (StatusCode, [(HeaderName, HeaderValue); 1], String) {
    let seconds = wait.as_secs().max(1);
    let message = words.with(
        "signin-too-many",
        [
            ("count", Arg::Count(FAILURES_ALLOWED)),
            ("client", Arg::Data(address.to_string())),
            ("seconds", Arg::Count(seconds as usize)),
        ],
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from(seconds))],
        message,
    )
}

/// Counts a failed sign-in by `client`, logs it naming the client, and
/// records it in the audit log.
pub(super) fn failed(console: &Console, address: IpAddr, via: Via) {
    let count = console.access.throttle.fail(address);
    tracing::warn!(target: "vipps_om::console", "sign-in refused: wrong access token from client {address} ({count} in the last minute, {FAILURES_ALLOWED} allowed)");
    let entry = Entry::new("sign-in", "", via, address).outcome("wrong-token");
    if let Err(e) = console.audit.record(&entry) {
        tracing::error!(target: "vipps_om::console", "{e}");
    }
}

/// Where sign-in lands.
#[derive(Deserialize)]
pub struct Landing {
    next: Option<String>,
}

/// The sign-in form; a person signed in already goes on.
pub async fn login_page(
    State(console): State<Console>,
    visitor: Option<Extension<Visitor>>,
    headers: HeaderMap,
    query: Result<Query<Landing>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = landing(query.ok().and_then(|q| q.0.next).as_deref());
    if visitor.is_some() || !console.access.has_tokens() {
        return Redirect::to(&next).into_response();
    }
    let cx = Cx::bare(Words::new(Lang::of_request(&headers)), &login_for(&next));
    pages::login(&cx, None, &next).into_response()
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub struct Login {
    token: String,
    #[serde(default)]
    next: Option<String>,
}

/// Signs in with a named token: a session of that person, on the server.
pub async fn login(
    State(console): State<Console>,
    connected: Option<Extension<ConnectInfo<Peer>>>,
    headers: HeaderMap,
    form: Result<Form<Login>, FormRejection>,
) -> Response {
    let headers = &headers;
    let access = &console.access;
    let words = Words::new(Lang::of_request(headers));
    let peer = connected.map(|c| c.0 .0.addr().ip());
    let address = access.address_of(peer, headers);
    // Where it lands, kept through every answer of this form.
    let form = form.ok().map(|Form(form)| form);
    let next = landing(form.as_ref().and_then(|f| f.next.as_deref()));
    let cx = Cx::bare(words, &login_for(&next));
    if !from_own_page(headers, forwarded_host(access, peer, headers)) {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: sent from another site's page (client {address})");
        let trouble = Trouble::other_site(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    if !access.has_tokens() {
        return Redirect::to(&next).into_response();
    }
    if let Some(wait) = access.throttle.wait(address) {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: client {address} failed too often; it waits {} s", wait.as_secs().max(1));
        let (status, headers, message) = too_many(&words, address, wait);
        return (status, headers, pages::login(&cx, Some(&message), &next)).into_response();
    }
    let Some(form) = form else {
        return (
            StatusCode::BAD_REQUEST,
            pages::login(&cx, Some(&words.get("signin-form-broken")), &next),
        )
            .into_response();
    };
    let Some(who) = access.staff.holder(&form.token).map(str::to_owned) else {
        failed(&console, address, Via::Token);
        let page = pages::login(&cx, Some(&words.get("signin-wrong-token")), &next);
        return (StatusCode::UNAUTHORIZED, page).into_response();
    };
    let id = match access.sessions.start(&who, Via::Token) {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(target: "vipps_om::console", "{e}");
            let trouble = Trouble::internal(&words);
            return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
        }
    };
    if let Err(e) = console
        .audit
        .record(&Entry::new("sign-in", &who, Via::Token, address).outcome("signed-in"))
    {
        // Not recorded, not signed in.
        access.sessions.end(&id);
        tracing::error!(target: "vipps_om::console", "{e}");
        let trouble = Trouble::audit_failed(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    tracing::info!(target: "vipps_om::console", "{who} signed in from {address}");
    // Secure when a TLS proxy in front says the browser came by https.
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let cookie = format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        LIFETIME.as_secs(),
        if https { "; Secure" } else { "" }
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Signs out: the session ends on the server, and the cookie is cleared.
pub async fn logout(
    State(console): State<Console>,
    connected: Option<Extension<ConnectInfo<Peer>>>,
    visitor: Option<Extension<Visitor>>,
    headers: HeaderMap,
) -> Response {
    let words = Words::new(Lang::of_request(&headers));
    let peer = connected.map(|c| c.0 .0.addr().ip());
    if !from_own_page(&headers, forwarded_host(&console.access, peer, &headers)) {
        let trouble = Trouble::other_site(&words);
        return (trouble.status, pages::trouble(&Cx::bare(words, "/"), &trouble)).into_response();
    }
    if let Some(Extension(visitor)) = visitor {
        if let Some(id) = &visitor.session {
            console.access.sessions.end(id);
            let entry = Entry::new("sign-out", &visitor.who, visitor.via, visitor.address).outcome("signed-out");
            if let Err(e) = console.audit.record(&entry) {
                tracing::error!(target: "vipps_om::console", "{e}");
            }
            tracing::info!(target: "vipps_om::console", "{} signed out", visitor.who);
        }
    }
    let mut response = Redirect::to(paths::LOGIN).into_response();
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
    fn landing_stays_on_the_console() {
        assert_eq!(landing(Some("/orders/ecom/order-1?x=1")), "/orders/ecom/order-1?x=1");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/login",
            "/login?next=/x",
            "/logout",
            "/a b",
            "/a\tb",
            "",
        ] {
            assert_eq!(landing(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(landing(None), "/");
        assert_eq!(
            login_for("/orders/ecom/o?a=1&b=2"),
            "/login?next=%2Forders%2Fecom%2Fo%3Fa%3D1%26b%3D2"
        );
        assert_eq!(login_for("/"), "/login");
    }
}
