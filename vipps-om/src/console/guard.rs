//! The guard in front of every page and API call: it finds who a request
//! is from (see `access` for who may be), puts the [`Visitor`] in the
//! request for the handlers, and sends everyone else to sign in.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use headers::authorization::Bearer;
use headers::{Authorization, HeaderMapExt as _};

use super::language::{Lang, Words};
use super::origin::addressed_to_this_machine;
use super::pages::{self, Cx};
use super::paths;
use super::server::Peer;
use super::sign_in::{failed, landing, login_for, session_cookie, too_many};
use super::trouble::Trouble;
use super::visitor::{Via, Visitor};
use super::Console;
use crate::failure::error_json;

fn peer(request_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    request_extensions.get::<ConnectInfo<Peer>>().map(|c| c.0.addr().ip())
}

/// Finds who a request is from, and lets it through when they may be
/// answered; the sign-in page, the stylesheet and the language switch are
/// open to all.
pub async fn guard(State(console): State<Console>, mut request: Request, next: Next) -> Response {
    let access = &console.access;
    let peer = peer(request.extensions());
    let address = access.address_of(peer, request.headers());
    let words = Words::new(Lang::of_request(request.headers()));
    let path = request.uri().path().to_owned();
    let open_path = path == paths::LOGIN || path == paths::LOGOUT || path.starts_with(paths::ASSETS) || path.starts_with(paths::LANGUAGES);

    if access.is_open() {
        if !addressed_to_this_machine(request.headers()) {
            let trouble = Trouble::misdirected(&words);
            let cx = Cx::bare(words, &path);
            return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
        }
        // One name in the audit log, whatever the browser's language.
        request.extensions_mut().insert(Visitor {
            who: "this machine".to_owned(),
            via: Via::Loopback,
            address,
            session: None,
        });
        return next.run(request).await;
    }

    // The sign-on proxy's word, when it comes from the proxy.
    if let (Some(proxy), Some(peer)) = (&access.proxy, peer) {
        if let Some(user) = proxy.user(peer, request.headers()) {
            request.extensions_mut().insert(Visitor {
                who: user,
                via: Via::Proxy,
                address,
                session: None,
            });
            return next.run(request).await;
        }
    }

    // A token sent with the request (tools), limited like the form.
    if request.headers().contains_key(header::AUTHORIZATION) {
        if let Some(wait) = access.throttle.wait(address) {
            let (status, headers, message) = too_many(&Words::new(Lang::En), address, wait);
            tracing::warn!(target: "vipps_om::console", "bearer token refused: client {address} failed too often");
            return (status, headers, Json(error_json("rate-limited", 429, &message))).into_response();
        }
        let bearer = request.headers().typed_get::<Authorization<Bearer>>();
        match bearer.as_ref().and_then(|b| access.staff.holder(b.token())) {
            Some(who) => {
                request.extensions_mut().insert(Visitor {
                    who: who.to_owned(),
                    via: Via::Bearer,
                    address,
                    session: None,
                });
                return next.run(request).await;
            }
            None => {
                failed(&console, address, Via::Bearer);
                return bearer_wanted("that token is no one's on this console: send your own as Authorization: Bearer");
            }
        }
    }

    if let Some(id) = session_cookie(request.headers()) {
        if let Some((who, via)) = access.sessions.find(&id) {
            request.extensions_mut().insert(Visitor {
                who,
                via,
                address,
                session: Some(id),
            });
            return next.run(request).await;
        }
    }

    if open_path {
        return next.run(request).await;
    }
    if path.starts_with(paths::API) {
        return bearer_wanted("sign in first: send your access token as Authorization: Bearer");
    }
    if !access.has_tokens() {
        // Behind single sign-on only, and the proxy did not say who.
        let trouble = Trouble::not_signed_on(&words);
        let cx = Cx::bare(words, &path);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    let wanted = match request.uri().query() {
        Some(query) if request.method() == Method::GET => format!("{path}?{query}"),
        _ if request.method() == Method::GET => path,
        _ => "/".to_owned(),
    };
    Redirect::to(&login_for(&landing(Some(&wanted)))).into_response()
}

/// A 401 for the JSON API, asking for a staff token as a bearer token.
fn bearer_wanted(message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
        Json(error_json("configuration", 401, message)),
    )
        .into_response()
}
