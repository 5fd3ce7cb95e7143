//! What every request passes through before and after its handler: the
//! body read whole within its bounds, the security headers on every
//! answer, and one log line per request.

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use crate::console::pages::language::{Lang, Words};
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, Cx};
use crate::console::service::server::{self, Peer};

/// Reads a request's body whole, at most `MAX_BODY` bytes within
/// `REQUEST_TIME`, before anything answers it: a client that trickles a
/// body, or sends a large one, is answered 408 or 413 and holds nothing.
pub(in crate::console) async fn whole_body(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    // The request's language, negotiated here once for every later part
    // (the guard, the handlers, the pages: `Lang::of_parts`).
    let lang = Lang::of_request(&parts.headers);
    parts.extensions.insert(lang);
    let read = tokio::time::timeout(server::REQUEST_TIME, axum::body::to_bytes(body, server::MAX_BODY)).await;
    let words = Words::new(lang);
    let trouble = match read {
        Ok(Ok(bytes)) => return next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Ok(Err(_)) => Trouble::too_large(&words),
        Err(_) => Trouble::too_slow(&words),
    };
    let cx = Cx::bare(words, "/");
    (trouble.status, pages::trouble(&cx, &trouble)).into_response()
}

/// The headers every answer carries, and one log line per request.
pub(in crate::console) async fn headers_and_log(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let connection = request.extensions().get::<ConnectInfo<Peer>>().map(|c| c.0.clone());
    let peer = connection.as_ref().map_or_else(|| "-".to_owned(), |p| p.addr().ip().to_string());
    // Its connection is not idle while this is answered, the answer's
    // body included (a slow lookup's page is sent in two parts).
    let answering = connection.as_ref().map(Peer::answering);
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Order ids in addresses never leave for another site; a form posted
    // to the console itself still carries its Origin (under no-referrer,
    // browsers send `Origin: null`).
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    tracing::info!(target: "vipps_om::console", "{method} {path} -> {} ({} ms, from {peer})", response.status().as_u16(), started.elapsed().as_millis());
    match answering {
        Some(answering) => response.map(|body| Body::new(answering.hold(body))),
        None => response,
    }
}
