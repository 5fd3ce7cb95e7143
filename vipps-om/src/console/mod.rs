//! `vipps-om console`: a read-only web console for a customer-service
//! department: everything the Order Management API holds about an order
//! (receipt, VAT by rate, links), in the staff's language, without the
//! Vipps MobilePay portal; who looked at which order in an audit log.
//!
//! `access` finds who each request is (loopback, a sign-on proxy's
//! header via `proxy`, named tokens from `staff` with `sessions` on the
//! server) and limits failed sign-ins per client (`throttle`); `audit`
//! records each lookup and sign-in; `handlers` answers the routes, `lookup`
//! cleans what staff paste and reads the order; `pages` renders it, with
//! words from `language` (Fluent) and numbers from `numbers` (ICU4X);
//! `trouble` says what went wrong and what to do. Every answer carries a
//! strict Content-Security-Policy and `nosniff`; no page runs a script or
//! loads anything from another host.

mod access;
mod audit;
mod handlers;
mod language;
mod lookup;
mod numbers;
mod pages;
mod proxy;
mod server;
mod sessions;
mod staff;
mod throttle;
mod trouble;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use vipps_order_management::Client;

use crate::failure::Failure;
use crate::output::{Output, Printer};
pub use access::{Access, AccessBuilder, Via};
pub use audit::Audit;
pub use language::Lang;
pub use proxy::{parse_net, DEFAULT_USER_HEADER};
pub use server::{Peer, IDLE, MAX_CONNECTIONS};
pub use staff::{StaffTokens, MIN_TOKEN_LEN};
pub use throttle::FAILURES_ALLOWED;

/// What every handler shares: the API client (cheap to clone), who may
/// use the console, and the audit log.
#[derive(Debug, Clone)]
pub struct Console {
    client: Client,
    access: Arc<Access>,
    audit: Arc<Audit>,
}

impl Console {
    /// A console reading orders with `client`, letting in whom `access`
    /// lets in, recording lookups in `audit`.
    pub fn new(client: Client, access: Access, audit: Audit) -> Console {
        Console {
            client,
            access: Arc::new(access),
            audit: Arc::new(audit),
        }
    }

    /// Who may use it.
    pub fn access(&self) -> &Access {
        &self.access
    }
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
        .route("/lang/{code}", get(handlers::choose_language))
        .route("/assets/console.css", get(handlers::stylesheet))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::wrong_method)
        .layer(middleware::from_fn_with_state(console.clone(), access::guard))
        .layer(middleware::from_fn(whole_body))
        .layer(middleware::from_fn(headers_and_log))
        .with_state(console)
}

/// Reads a request's body whole, at most `MAX_BODY` bytes within
/// `REQUEST_TIME`, before anything answers it: a client that trickles a
/// body, or sends a large one, is answered 408 or 413 and holds nothing.
async fn whole_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(server::REQUEST_TIME, axum::body::to_bytes(body, server::MAX_BODY)).await;
    let words = language::Words::new(language::Lang::of_request(&parts.headers));
    let trouble = match read {
        Ok(Ok(bytes)) => return next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Ok(Err(_)) => trouble::Trouble::too_large(&words),
        Err(_) => trouble::Trouble::too_slow(&words),
    };
    let cx = pages::Cx::bare(words, "/");
    (trouble.status, pages::trouble(&cx, &trouble)).into_response()
}

/// The headers every answer carries, and one log line per request.
async fn headers_and_log(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let connection = request.extensions().get::<ConnectInfo<Peer>>().map(|c| c.0.clone());
    let peer = connection.as_ref().map_or_else(|| "-".to_owned(), |p| p.addr().ip().to_string());
    // Its connection is not idle while this is answered.
    let _answering = connection.as_ref().map(Peer::answering);
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
    response
}

/// How `vipps-om console` is started.
#[derive(Debug)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// One shared access token (its holder is recorded as `shared-token`).
    pub access_token: Option<String>,
    /// The staff file: `name token` a line.
    pub staff: Option<PathBuf>,
    /// The sign-on proxies believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header the proxy names the person in.
    pub user_header: HeaderName,
    /// The audit log's file.
    pub audit_log: PathBuf,
    /// The most connections at once.
    pub max_connections: usize,
    /// How long a connection may sit idle.
    pub idle_timeout: std::time::Duration,
}

/// The access `settings` ask for: nobody signs in on loopback without
/// staff or a proxy; beyond loopback one of them is needed.
fn access(settings: &Settings) -> Result<Access, Failure> {
    let mut staff = match &settings.staff {
        Some(path) => StaffTokens::read(path).map_err(Failure::Config)?,
        None => StaffTokens::new(),
    };
    if let Some(token) = settings.access_token.as_deref().filter(|t| !t.is_empty()) {
        staff.add("shared-token", token).map_err(Failure::Usage)?;
    }
    if staff.is_empty() && settings.trusted_proxies.is_empty() {
        if !settings.listen.ip().is_loopback() {
            return Err(Failure::Usage(format!(
                "the console would listen on {}, beyond this machine, with no sign-in: name the staff with --staff FILE (or --access-token), or the company's sign-on proxy with --trusted-proxy, and put TLS in front",
                settings.listen
            )));
        }
        return Ok(Access::loopback());
    }
    let mut builder = Access::builder().staff(staff).user_header(settings.user_header.clone());
    for net in &settings.trusted_proxies {
        builder = builder.trusted_proxy(*net);
    }
    builder.build().map_err(Failure::Usage)
}

/// Serves the console until Ctrl-C or SIGTERM.
pub(crate) async fn serve(client: Client, settings: Settings, printer: Printer) -> Result<(), Failure> {
    let access = access(&settings)?;
    let audit = Audit::open(&settings.audit_log).map_err(Failure::Config)?;
    let listen = settings.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::Config(format!("the console cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Config(format!("the console's address is unknown: {e}")))?;
    let url = format!("http://{addr}/");
    let sign_in = match (access.has_tokens(), access.proxy()) {
        (false, None) => "nobody signs in: it answers this machine only",
        (true, None) => "staff sign in with their access tokens",
        (false, Some(_)) => "staff are named by the sign-on proxy",
        (true, Some(_)) => "staff are named by the sign-on proxy, or sign in with their access tokens",
    };
    let audit_path = audit.path().display().to_string();
    let console = Console::new(client, access, audit);
    let text = format!(
        "Support console at {url}\nIt talks to {} and changes nothing; {sign_in}.\nEach lookup is recorded in {audit_path}.\nStop it with Ctrl-C.",
        console.client.base_url(),
    );
    let stop_signal = crate::signal::shutdown();
    printer.success(&Output::new(
        text,
        json!({
            "url": url,
            "apiBaseUrl": console.client.base_url().as_str(),
            "signIn": {
                "tokens": console.access.has_tokens(),
                "proxy": console.access.proxy().map(|p| p.user_header().as_str()),
            },
            "auditLog": audit_path,
        }),
    ))?;
    // On Ctrl-C or SIGTERM: no new connections, requests under way get five
    // seconds, then the rest (a client that never finishes) are dropped.
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    let listener = server::Bounded::new(listener, settings.max_connections, settings.idle_timeout);
    let server = axum::serve(listener, app(console).into_make_service_with_connect_info::<Peer>()).with_graceful_shutdown(async {
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
