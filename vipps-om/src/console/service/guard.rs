//! The guard in front of every page and API call: it finds how a request
//! reached the console (`Hops`, from the front ends) and who it is from
//! (see `access` for who may be), puts both in the request for the
//! handlers, and sends everyone else to sign in.

use std::net::{IpAddr, Ipv4Addr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use headers::authorization::Bearer;
use headers::{Authorization, HeaderMapExt as _};

use crate::console::access::entry::{Entry, Event};
use crate::console::access::identity::Named;
use crate::console::access::visitor::{Via, Visitor};
use crate::console::pages::language::{Lang, Words};
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, store_failed, Cx};
use crate::console::paths;
use crate::console::service::origin::addressed_to_this_machine;
use crate::console::service::server::Peer;
use crate::console::service::sign_in::{landing, login_for, refuse, session_cookie, too_many, Refused};
use crate::console::Console;
use crate::failure::error_json;

fn peer(request_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    request_extensions.get::<ConnectInfo<Peer>>().map(|c| c.0.addr().ip())
}

/// `true` for what is open to all: sign-in and sign-out, the stylesheet,
/// the language switch, the health check.
fn open_to_all(path: &str) -> bool {
    path == paths::LOGIN
        || path == paths::LOGOUT
        || path == paths::HEALTH
        || path.starts_with(paths::ASSETS)
        || path.starts_with(paths::LANGUAGES)
}

/// Finds who a request is from, and lets it through when they may be
/// answered.
pub async fn guard(State(console): State<Console>, mut request: Request, next: Next) -> Response {
    let access = &console.access;
    let peer = peer(request.extensions());
    let hops = access.hops(peer, request.headers());
    let address = hops.client;
    request.extensions_mut().insert(hops);
    let words = Words::new(Lang::of_parts(request.extensions(), request.headers()));
    let path = request.uri().path().to_owned();
    let api = path.starts_with(paths::API);
    if console.outbox.is_some() {
        request.extensions_mut().insert(pages::OutboxShown);
    }

    if access.is_open() {
        if !addressed_to_this_machine(request.headers()) {
            let trouble = Trouble::misdirected(&words);
            return (trouble.status, pages::trouble(&Cx::bare(words, &path), &trouble)).into_response();
        }
        // One name in the audit trail, whatever the browser's language.
        request.extensions_mut().insert(Visitor {
            who: "this machine".to_owned(),
            via: Via::Loopback,
            address,
            auditor: true,
            session: None,
        });
        return next.run(request).await;
    }

    // The sign-on proxy's word, when it comes from the proxy itself.
    if let Some(identity) = &access.identity {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        match identity.name(peer, request.headers()) {
            Named::Person { user, auditor } => {
                request.extensions_mut().insert(Visitor {
                    who: user,
                    via: Via::Proxy,
                    address,
                    auditor,
                    session: None,
                });
                return next.run(request).await;
            }
            Named::Refused(why) => {
                tracing::warn!(target: "vipps_om::console", "refused a request from the sign-on proxy for client {address}: {why}");
                let entry = Entry::new(Event::SignIn, "", Via::Proxy, Some(address)).outcome("identity-refused");
                if let Err(e) = console.audit.record(entry).await {
                    return store_failed(&e, &words, &path, api);
                }
                let trouble = Trouble::identity_refused(&words);
                if api {
                    return (trouble.status, Json(error_json(trouble.outcome, trouble.status.as_u16(), &why))).into_response();
                }
                return (trouble.status, pages::trouble(&Cx::bare(words, &path), &trouble)).into_response();
            }
            Named::Nobody if identity.claimed_by(peer, request.headers()) => {
                tracing::warn!(target: "vipps_om::console", "ignored the {} header of a request from {peer} (client {address}): only the sign-on proxy names people", identity.user_header());
            }
            Named::Nobody => {}
        }
    }

    // A staff token sent with the request (tools): `Authorization: Bearer`
    // only. Another scheme (a front end's Basic or Negotiate gate) is not
    // a staff token, and not a wrong one; on what is open to all, a wrong
    // one is not counted either.
    let bearer = request.headers().typed_get::<Authorization<Bearer>>();
    if let Some(bearer) = bearer.filter(|_| access.has_tokens() && !open_to_all(&path)) {
        let staff = access.staff();
        if let Some(person) = staff.holder(bearer.token()) {
            request.extensions_mut().insert(Visitor {
                who: person.name().to_owned(),
                via: Via::Bearer,
                address,
                auditor: person.auditor(),
                session: None,
            });
            return next.run(request).await;
        }
        return match refuse(&console, address, Via::Bearer).await {
            Ok(Refused::Wrong) => bearer_wanted("that token is no one's on this console: send your own as Authorization: Bearer"),
            Ok(refused @ Refused::TooMany { .. }) => {
                let (status, headers, message) = too_many(&Words::new(Lang::En), address, refused);
                (status, headers, Json(error_json("rate-limited", 429, &message))).into_response()
            }
            Err(e) => store_failed(&e, &words, &path, true),
        };
    }

    if let Some(id) = session_cookie(request.headers()) {
        match access.sessions.find(&id).await {
            Ok(Some(session)) => {
                let staff = access.staff();
                // Theirs while this console's staff file gives them the
                // token it was started with: whoever left, or has a new
                // token, is out. Not ended here: during a rollout another
                // console may already have the newer file that names them
                // (the console that reads a person's leaving ends their
                // sign-ins: `staff_file`).
                if let Some(person) = staff.person(&session.who).filter(|p| p.credential() == session.credential) {
                    request.extensions_mut().insert(Visitor {
                        who: session.who,
                        via: Via::Token,
                        address,
                        auditor: person.auditor(),
                        session: Some(id),
                    });
                    return next.run(request).await;
                }
            }
            Ok(None) => {}
            Err(e) => return store_failed(&e, &words, &path, api),
        }
    }

    if open_to_all(&path) {
        return next.run(request).await;
    }
    if api {
        return bearer_wanted("sign in first: send your staff token as Authorization: Bearer");
    }
    if !access.has_tokens() {
        // Behind single sign-on only, and the proxy did not say who.
        let trouble = Trouble::not_signed_on(&words);
        return (trouble.status, pages::trouble(&Cx::bare(words, &path), &trouble)).into_response();
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
