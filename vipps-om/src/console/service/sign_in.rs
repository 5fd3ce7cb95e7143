//! Signing in and out: the form, the sign-in it starts (a cookie naming a
//! sign-in kept in the shared store), where sign-in lands (a page asked
//! for before signing in), wrong tokens refused and counted per client
//! (`throttle`), and sign-out: of the console for a token's sign-in, of
//! the company's sign-on for the proxy's people. Sign-in and sign-out come
//! only from the console's own pages (`Sec-Fetch-Site`, else `Origin`).

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use headers::HeaderMapExt as _;
use serde::Deserialize;

use crate::console::access::entry::{Entry, Event};
use crate::console::access::front_end::Hops;
use crate::console::access::store::StoreError;
use crate::console::access::throttle::{ALL_ALLOWED, FAILURES_ALLOWED};
use crate::console::access::visitor::{Via, Visitor};
use crate::console::pages::language::{Arg, Lang, Words};
use crate::console::pages::store_failed;
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, Cx};
use crate::console::paths;
use crate::console::service::origin::from_own_page;
use crate::console::Console;

/// The session cookie.
pub const COOKIE: &str = "vipps_om_session";

/// Wrong tokens past a client's limit are said in the console's log at
/// the first and at every this many after (the trail counts each).
const LOG_EVERY: u64 = 100;

pub(in crate::console) fn session_cookie(headers: &HeaderMap) -> Option<String> {
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
pub(in crate::console) fn login_for(next: &str) -> String {
    if next == "/" {
        return paths::LOGIN.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{}?next={encoded}", paths::LOGIN)
}

/// The answer to a wrong token from a client past the limit: 429, when to
/// try again, and words that say a right token still works.
pub(in crate::console) fn too_many(
    words: &Words,
    client: IpAddr,
    refused: Refused,
) -> (StatusCode, [(HeaderName, HeaderValue); 1], String) {
    let (count, wait, everyone) = match refused {
        Refused::TooMany { count, wait, everyone } => (count, wait, everyone),
        Refused::Wrong => (0, Duration::ZERO, false),
    };
    let seconds = wait.as_secs().max(1);
    let seconds_arg = ("seconds", Arg::Count(usize::try_from(seconds).unwrap_or(usize::MAX)));
    let message = if everyone {
        words.with("signin-too-many-all", [seconds_arg])
    } else {
        words.with(
            "signin-too-many",
            [
                ("count", Arg::Count(usize::try_from(count).unwrap_or(usize::MAX))),
                ("client", Arg::Data(client.to_string())),
                seconds_arg,
            ],
        )
    };
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, HeaderValue::from(seconds))],
        message,
    )
}

/// How a wrong token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::console) enum Refused {
    /// As wrong: the client is within its limit.
    Wrong,
    /// As one too many from this client (`count` in the window, which
    /// ends in `wait`), or from all clients together (`everyone`).
    TooMany { count: u64, wait: Duration, everyone: bool },
}

/// Refuses a wrong token from `client`: counted, logged naming the
/// client, and recorded in the audit trail (past the limit, counted into
/// the client's one entry for the window).
pub(in crate::console) async fn refuse(console: &Console, client: IpAddr, via: Via) -> Result<Refused, StoreError> {
    let verdict = console.access.throttle.fail(client).await?;
    // Past the limit of all clients together, the entry counts many
    // clients' tries: it names none.
    let entry = Entry::new(Event::SignIn, "", via, (!verdict.everyone).then_some(client));
    if !verdict.too_many {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: wrong access token from client {client} ({} in the last minute, {FAILURES_ALLOWED} allowed)", verdict.count);
        console.audit.record(entry.outcome("wrong-token")).await?;
        return Ok(Refused::Wrong);
    }
    let allowed = if verdict.everyone { ALL_ALLOWED } else { FAILURES_ALLOWED };
    let past = verdict.count.saturating_sub(allowed);
    let said = past == 1 || past.is_multiple_of(LOG_EVERY);
    if verdict.everyone && said {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: wrong access token from client {client}, past the limit of all clients together ({} in the last minute, {ALL_ALLOWED} allowed): refused as too many for {} s; right tokens still sign in", verdict.count, verdict.wait.as_secs().max(1));
    } else if !verdict.everyone && said {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: wrong access tokens from client {client} past the limit ({} in the last minute, {FAILURES_ALLOWED} allowed): refused as too many for {} s; right tokens still sign in", verdict.count, verdict.wait.as_secs().max(1));
    }
    console.audit.record_counted(entry.outcome("throttled"), &verdict.key).await?;
    Ok(Refused::TooMany {
        count: verdict.count,
        wait: verdict.wait,
        everyone: verdict.everyone,
    })
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
    lang: Lang,
    query: Result<Query<Landing>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = landing(query.ok().and_then(|q| q.0.next).as_deref());
    if visitor.is_some() || !console.access.has_tokens() {
        return Redirect::to(&next).into_response();
    }
    let cx = Cx::bare(Words::new(lang), &login_for(&next));
    pages::login(&cx, None, &next).into_response()
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub struct Login {
    token: String,
    #[serde(default)]
    next: Option<String>,
}

/// Signs in with a named token: a sign-in of that person, in the store.
/// A right token always signs in, whatever others sent from the same
/// address.
pub async fn login(
    State(console): State<Console>,
    hops: Extension<Hops>,
    lang: Lang,
    headers: HeaderMap,
    form: Result<Form<Login>, FormRejection>,
) -> Response {
    let headers = &headers;
    let access = &console.access;
    let words = Words::new(lang);
    let address = hops.client;
    // Where it lands, kept through every answer of this form.
    let form = form.ok().map(|Form(form)| form);
    let next = landing(form.as_ref().and_then(|f| f.next.as_deref()));
    let here = login_for(&next);
    let cx = Cx::bare(words, &here);
    if !from_own_page(headers, hops.host.as_deref()) {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: sent from another site's page (client {address})");
        let trouble = Trouble::other_site(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    if !access.has_tokens() {
        return Redirect::to(&next).into_response();
    }
    let Some(form) = form else {
        return (
            StatusCode::BAD_REQUEST,
            pages::login(&cx, Some(&words.get("signin-form-broken")), &next),
        )
            .into_response();
    };
    let staff = access.staff();
    let Some(person) = staff.holder(&form.token) else {
        return match refuse(&console, address, Via::Token).await {
            Ok(Refused::Wrong) => (
                StatusCode::UNAUTHORIZED,
                pages::login(&cx, Some(&words.get("signin-wrong-token")), &next),
            )
                .into_response(),
            Ok(refused @ Refused::TooMany { .. }) => {
                let (status, headers, message) = too_many(&words, address, refused);
                (status, headers, pages::login(&cx, Some(&message), &next)).into_response()
            }
            Err(e) => store_failed(&e, &words, &here, false),
        };
    };
    let who = person.name().to_owned();
    let id = match access.sessions.start(&who, Via::Token, &person.credential()).await {
        Ok(id) => id,
        Err(e) => return store_failed(&e, &words, &here, false),
    };
    let entry = Entry::new(Event::SignIn, &who, Via::Token, Some(address)).outcome("signed-in");
    if let Err(e) = console.audit.record(entry).await {
        // Not recorded, not signed in.
        let _ = access.sessions.end(&id).await;
        tracing::error!(target: "vipps_om::console", "{e}");
        let trouble = Trouble::audit_failed(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    tracing::info!(target: "vipps_om::console", "{who} signed in from {address}");
    // Secure when a front end says the browser came by https.
    let cookie = format!(
        "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        access.sessions.lifetime().as_secs(),
        if hops.https { "; Secure" } else { "" }
    );
    let mut response = Redirect::to(&next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Signs out. A token's sign-in ends in the store (on every instance at
/// once) and the cookie is cleared; a person named by the sign-on proxy
/// is sent to sign out of it (where the console was told it is), or told
/// where to.
pub async fn logout(
    State(console): State<Console>,
    hops: Extension<Hops>,
    visitor: Option<Extension<Visitor>>,
    lang: Lang,
    headers: HeaderMap,
) -> Response {
    let words = Words::new(lang);
    if !from_own_page(&headers, hops.host.as_deref()) {
        let trouble = Trouble::other_site(&words);
        return (trouble.status, pages::trouble(&Cx::bare(words, "/"), &trouble)).into_response();
    }
    if let Some(Extension(visitor)) = &visitor {
        if visitor.via == Via::Proxy {
            let sign_out = console.access.identity().and_then(|p| p.sign_out_url());
            return match sign_out {
                Some(url) => Redirect::to(url).into_response(),
                None => {
                    let cx = Cx {
                        visitor: Some(visitor.clone()),
                        ..Cx::bare(words, "/")
                    };
                    pages::signed_on(&cx).into_response()
                }
            };
        }
        if let Some(id) = &visitor.session {
            match console.access.sessions.end(id).await {
                Ok(_) => {
                    let entry = Entry::by(Event::SignOut, visitor).outcome("signed-out");
                    if let Err(e) = console.audit.record(entry).await {
                        tracing::error!(target: "vipps_om::console", "{e}");
                    }
                    tracing::info!(target: "vipps_om::console", "{} signed out", visitor.who);
                }
                Err(e) => return store_failed(&e, &words, "/", false),
            }
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

    #[test]
    fn too_many_says_when_and_that_a_right_token_works() {
        let refused = |wait, everyone| Refused::TooMany { count: 11, wait, everyone };
        let client = "192.0.2.4".parse().unwrap();
        let (status, headers, message) = too_many(&Words::new(Lang::En), client, refused(Duration::from_millis(41_500), false));
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[0].1, "41");
        assert!(
            message.contains("11 wrong") && message.contains("192.0.2.4") && message.contains("41 seconds"),
            "{message}"
        );
        assert!(message.contains("still signs you in"), "{message}");
        let (_, headers, all) = too_many(&Words::new(Lang::En), client, refused(Duration::ZERO, true));
        assert_eq!(headers[0].1, "1");
        assert!(
            all.contains("too many wrong tokens") && !all.contains("192.0.2.4") && all.contains("still signs you in"),
            "{all}"
        );
    }
}
