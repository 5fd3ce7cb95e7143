//! `vipps-om console`: a read-only web page for customer support that shows
//! everything about an order (receipt, category, v3 categories) from the
//! Order Management API, without the Vipps MobilePay portal.
//!
//! `handlers` answers the routes, `lookup` reads an order from the API,
//! `pages` renders it (maud: markup checked at compile time, every value
//! escaped), `trouble` says what went wrong and what to do, and `access`
//! guards a console that listens beyond loopback. Every answer carries a strict
//! Content-Security-Policy and `nosniff`; no page runs a script or loads
//! anything from another host.

mod access;
mod handlers;
mod lookup;
mod pages;
mod trouble;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use vipps_order_management::Client;

use crate::failure::Failure;
use crate::output::{Output, Printer};
pub use access::Access;

/// What every handler shares: the API client (cheap to clone) and the
/// access check, when there is one.
#[derive(Debug, Clone)]
pub struct Console {
    /// The API client the console reads orders with.
    pub client: Client,
    /// The access check of a console that listens beyond loopback; `None`
    /// for a loopback console, which answers only requests addressed here.
    pub access: Option<Arc<Access>>,
}

/// The console's routes, with the access check and the security headers.
pub fn app(console: Console) -> Router {
    Router::new()
        .route("/", get(handlers::index))
        .route("/lookup", get(handlers::lookup))
        .route("/orders/{payment_type}/{order_id}", get(handlers::order_page))
        .route("/api/orders/{payment_type}/{order_id}", get(handlers::order_json))
        .route("/login", get(access::login_page).post(access::login))
        .route("/logout", post(access::logout))
        .route("/assets/console.css", get(handlers::stylesheet))
        .fallback(handlers::not_found)
        .layer(middleware::from_fn_with_state(console.clone(), access::guard))
        .layer(middleware::from_fn(headers_and_log))
        .with_state(console)
}

/// The headers every answer carries, and one log line per request.
async fn headers_and_log(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
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
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    tracing::info!(target: "vipps_om::console", "{method} {path} -> {} ({} ms)", response.status().as_u16(), started.elapsed().as_millis());
    response
}

/// Serves the console until Ctrl-C or SIGTERM. Beyond loopback it needs an
/// access token.
pub(crate) async fn serve(client: Client, listen: SocketAddr, access_token: Option<String>, printer: Printer) -> Result<(), Failure> {
    let access_token = access_token.filter(|t| !t.is_empty());
    if !listen.ip().is_loopback() && access_token.is_none() {
        return Err(Failure::Usage(format!(
            "the console would listen on {listen}, beyond this machine: give it an access token with --access-token (or VIPPS_CONSOLE_ACCESS_TOKEN), and put a TLS proxy in front"
        )));
    }
    if let Some(token) = access_token.as_deref().filter(|t| t.chars().count() < access::MIN_TOKEN_LEN) {
        return Err(Failure::Usage(format!(
            "the access token is {} characters long; it must be at least {} (for example 32 random letters and digits)",
            token.chars().count(),
            access::MIN_TOKEN_LEN
        )));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::Config(format!("the console cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Config(format!("the console's address is unknown: {e}")))?;
    let url = format!("http://{addr}/");
    let guarded = access_token.is_some();
    let access = match access_token {
        Some(token) => Some(Arc::new(Access::new(&token).map_err(Failure::Config)?)),
        None => None,
    };
    let console = Console { client, access };
    let text = format!(
        "Support console at {url}\nIt talks to {} and changes nothing.{}\nStop it with Ctrl-C.",
        console.client.base_url(),
        if guarded { "\nSign in with the access token." } else { "" }
    );
    let stop_signal = crate::signal::shutdown();
    printer.success(&Output::new(
        text,
        json!({ "url": url, "apiBaseUrl": console.client.base_url().as_str(), "accessToken": guarded }),
    ))?;
    // On Ctrl-C or SIGTERM: no new connections, requests under way get five
    // seconds, then the rest (a client that never finishes) are dropped.
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app(console)).with_graceful_shutdown(async {
        let _ = stop.await;
    });
    let server = tokio::spawn(async move { server.await });
    stop_signal.await;
    let _ = stopping.send(());
    match tokio::time::timeout(std::time::Duration::from_secs(5), server).await {
        Ok(Ok(Err(e))) => return Err(Failure::Config(format!("the console stopped: {e}"))),
        Ok(_) => {}
        Err(_) => tracing::info!(target: "vipps_om::console", "connections still open after five seconds were dropped"),
    }
    tracing::info!(target: "vipps_om::console", "stopped");
    Ok(())
}
