//! Who may use the console, and who each request is.
//!
//! - **On loopback, without sign-in** (`Access::loopback`): the console
//!   answers only requests addressed to this machine (a web page elsewhere
//!   cannot reach it by renaming a host: DNS rebinding), as "this machine".
//! - **Behind single sign-on** (`--trusted-proxy`): the proxy names the
//!   person in a header, believed from the proxy's addresses only.
//! - **Named access tokens** (`--staff FILE`, `--access-token`): staff sign
//!   in with a form, which starts a session kept on the server; tools send
//!   the token as `Authorization: Bearer`.
//!
//! Failed sign-ins (form and bearer alike) are limited per client, so one
//! client's failures never refuse another's correct token. Sign-in and
//! sign-out come only from the console's own pages (`Sec-Fetch-Site`, else
//! `Origin`). A page
//! asked for before signing in is where sign-in lands.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use headers::authorization::Bearer;
use headers::{Authorization, HeaderMapExt as _};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::Entry;
use super::language::{Arg, Lang, Words};
use super::pages::{self, Cx};
use super::proxy::TrustedProxy;
use super::server::Peer;
use super::sessions::{Sessions, LIFETIME, MAX_SESSIONS};
use super::staff::StaffTokens;
use super::throttle::{Throttle, FAILURES_ALLOWED, MAX_CLIENTS};
use super::trouble::Trouble;
use super::Console;

/// The session cookie.
pub const COOKIE: &str = "vipps_om_session";

/// How a person was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// A console on loopback without sign-in: whoever uses this machine.
    Loopback,
    /// The single sign-on proxy's header.
    Proxy,
    /// A session started with a named token on the sign-in form.
    Token,
    /// A named token sent as `Authorization: Bearer`.
    Bearer,
}

/// Who a request comes from, as the guard found: in the request's
/// extensions for the handlers.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The person's name (a staff name, the proxy's user), or "this
    /// machine" on an open loopback console.
    pub who: String,
    /// How they were recognised.
    pub via: Via,
    /// Their address (behind a trusted proxy, the address it forwards).
    pub client: IpAddr,
    /// The session's id, for sign-out.
    session: Option<String>,
}

/// Who may use the console: nobody signs in (loopback), or named tokens,
/// or a trusted sign-on proxy, or both; the sessions under way and the
/// recent failed sign-ins.
#[derive(Debug)]
pub struct Access {
    staff: StaffTokens,
    proxy: Option<TrustedProxy>,
    sessions: Sessions,
    throttle: Throttle,
}

/// Builds the [`Access`] of a console that staff sign in to.
#[derive(Debug, Default)]
pub struct AccessBuilder {
    staff: StaffTokens,
    proxies: Vec<IpNet>,
    user_header: Option<HeaderName>,
    max_sessions: Option<usize>,
}

impl AccessBuilder {
    /// Staff who sign in with their own tokens.
    pub fn staff(mut self, staff: StaffTokens) -> Self {
        self.staff = staff;
        self
    }

    /// Believes the sign-on proxy at `net` (an address or a network).
    pub fn trusted_proxy(mut self, net: IpNet) -> Self {
        self.proxies.push(net);
        self
    }

    /// The header the proxy names the person in (`X-Forwarded-Email`
    /// unless set).
    pub fn user_header(mut self, name: HeaderName) -> Self {
        self.user_header = Some(name);
        self
    }

    /// At most this many sign-ins at once (10 000 unless set).
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = Some(max);
        self
    }

    /// The access, or why it would let nobody in.
    pub fn build(self) -> Result<Access, String> {
        if self.staff.is_empty() && self.proxies.is_empty() {
            return Err("name the staff (--staff FILE or --access-token) or the sign-on proxy (--trusted-proxy)".to_owned());
        }
        let proxy = (!self.proxies.is_empty()).then(|| {
            let header = self
                .user_header
                .unwrap_or_else(|| HeaderName::from_static(super::proxy::DEFAULT_USER_HEADER));
            TrustedProxy::new(self.proxies, header)
        });
        Ok(Access {
            staff: self.staff,
            proxy,
            sessions: Sessions::new(self.max_sessions.unwrap_or(MAX_SESSIONS)),
            throttle: Throttle::new(MAX_CLIENTS),
        })
    }
}

impl Access {
    /// A console on loopback that nobody signs in to.
    pub fn loopback() -> Access {
        Access {
            staff: StaffTokens::new(),
            proxy: None,
            sessions: Sessions::new(1),
            throttle: Throttle::new(1),
        }
    }

    /// The access of a console that staff sign in to.
    pub fn builder() -> AccessBuilder {
        AccessBuilder::default()
    }

    /// `true` when nobody signs in (loopback only).
    pub fn is_open(&self) -> bool {
        self.staff.is_empty() && self.proxy.is_none()
    }

    /// `true` when staff sign in with tokens (the sign-in form exists).
    pub fn has_tokens(&self) -> bool {
        !self.staff.is_empty()
    }

    /// The sign-on proxy, when there is one.
    pub fn proxy(&self) -> Option<&TrustedProxy> {
        self.proxy.as_ref()
    }

    /// How many sign-ins are under way.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// The address a request comes from: behind a trusted proxy, the one
    /// it forwards; the unspecified address when unknown (a request made
    /// in-process).
    fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        match &self.proxy {
            Some(proxy) => proxy.client(peer, headers),
            None => peer.to_canonical(),
        }
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.typed_get::<headers::Cookie>()?;
    cookies.get(COOKIE).map(str::to_owned)
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
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `true` when a sign-in or sign-out comes from the console's own page.
/// A browser says so in `Sec-Fetch-Site` (which no page can set): it must
/// be `same-origin` (or `none`: typed by the person). A browser too old
/// for it sends `Origin`, which must name the host the request was sent
/// to. A request with neither is no browser's, and no other site's page
/// can make it.
fn from_own_page(headers: &HeaderMap, forwarded_host: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = forwarded_host.or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()));
    let origin = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok());
    let authority = origin.as_ref().and_then(|o| {
        let host = o.host_str()?;
        Some(match o.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    });
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.trim()))
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
        && !path.starts_with("/logout")
}

/// A path to land on after sign-in: a path on this console, not sign-in
/// itself; `/` otherwise.
pub fn landing(next: Option<&str>) -> String {
    let Some(next) = next else {
        return "/".to_owned();
    };
    let own = own_path(next) && !(next == "/login" || next.starts_with("/login?") || next.starts_with("/logout"));
    if own {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The sign-in page's address that lands on `next` after.
fn login_for(next: &str) -> String {
    if next == "/" {
        return "/login".to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/login?next={encoded}")
}

/// The host a trusted proxy says the browser asked for.
fn forwarded_host<'h>(access: &Access, peer: Option<IpAddr>, headers: &'h HeaderMap) -> Option<&'h str> {
    let proxy = access.proxy.as_ref()?;
    if !proxy.trusts(peer?) {
        return None;
    }
    headers.get("x-forwarded-host")?.to_str().ok()
}

fn peer(request_extensions: &axum::http::Extensions) -> Option<IpAddr> {
    request_extensions.get::<ConnectInfo<Peer>>().map(|c| c.0.addr().ip())
}

fn too_many(words: &Words, client: IpAddr, wait: Duration) -> (StatusCode, [(HeaderName, HeaderValue); 1], String) {
    let seconds = wait.as_secs().max(1);
    let message = words.with(
        "signin-too-many",
        [
            ("count", Arg::Count(FAILURES_ALLOWED)),
            ("client", Arg::Data(client.to_string())),
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
fn failed(console: &Console, client: IpAddr, via: Via) {
    let count = console.access.throttle.fail(client);
    tracing::warn!(target: "vipps_om::console", "sign-in refused: wrong access token from client {client} ({count} in the last minute, {FAILURES_ALLOWED} allowed)");
    let entry = Entry::new("sign-in", "", via, client).outcome("wrong-token");
    if let Err(e) = console.audit.record(&entry) {
        tracing::error!(target: "vipps_om::console", "{e}");
    }
}

/// Finds who a request is from, and lets it through when they may be
/// answered; the sign-in page, the stylesheet and the language switch are
/// open to all.
pub async fn guard(State(console): State<Console>, mut request: Request, next: Next) -> Response {
    let access = &console.access;
    let peer = peer(request.extensions());
    let client = access.client(peer, request.headers());
    let words = Words::new(Lang::of_request(request.headers()));
    let path = request.uri().path().to_owned();
    let open_path = path == "/login" || path == "/logout" || path.starts_with("/assets/") || path.starts_with("/lang/");

    if access.is_open() {
        if !addressed_here(request.headers()) {
            let trouble = Trouble::misdirected(&words);
            let cx = Cx::bare(words, &path);
            return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
        }
        // One name in the audit log, whatever the browser's language.
        request.extensions_mut().insert(Visitor {
            who: "this machine".to_owned(),
            via: Via::Loopback,
            client,
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
                client,
                session: None,
            });
            return next.run(request).await;
        }
    }

    // A token sent with the request (tools), limited like the form.
    if request.headers().contains_key(header::AUTHORIZATION) {
        if let Some(wait) = access.throttle.wait(client) {
            let (status, headers, message) = too_many(&Words::new(Lang::En), client, wait);
            tracing::warn!(target: "vipps_om::console", "bearer token refused: client {client} failed too often");
            return (
                status,
                headers,
                Json(json!({ "error": { "kind": "rate-limited", "status": 429, "message": message } })),
            )
                .into_response();
        }
        let bearer = request.headers().typed_get::<Authorization<Bearer>>();
        match bearer.as_ref().and_then(|b| access.staff.holder(b.token())) {
            Some(who) => {
                request.extensions_mut().insert(Visitor {
                    who: who.to_owned(),
                    via: Via::Bearer,
                    client,
                    session: None,
                });
                return next.run(request).await;
            }
            None => {
                failed(&console, client, Via::Bearer);
                let body = json!({ "error": { "kind": "configuration", "status": 401, "message": "that token is no one's on this console: send your own as Authorization: Bearer" } });
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
                    Json(body),
                )
                    .into_response();
            }
        }
    }

    if let Some(id) = session_cookie(request.headers()) {
        if let Some((who, via)) = access.sessions.find(&id) {
            request.extensions_mut().insert(Visitor {
                who,
                via,
                client,
                session: Some(id),
            });
            return next.run(request).await;
        }
    }

    if open_path {
        return next.run(request).await;
    }
    if path.starts_with("/api/") {
        let body = json!({ "error": { "kind": "configuration", "status": 401, "message": "sign in first: send your access token as Authorization: Bearer" } });
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))],
            Json(body),
        )
            .into_response();
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
    let client = access.client(peer, headers);
    // Where it lands, kept through every answer of this form.
    let form = form.ok().map(|Form(form)| form);
    let next = landing(form.as_ref().and_then(|f| f.next.as_deref()));
    let cx = Cx::bare(words, &login_for(&next));
    if !from_own_page(headers, forwarded_host(access, peer, headers)) {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: sent from another site's page (client {client})");
        let trouble = Trouble::other_site(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    if !access.has_tokens() {
        return Redirect::to(&next).into_response();
    }
    if let Some(wait) = access.throttle.wait(client) {
        tracing::warn!(target: "vipps_om::console", "sign-in refused: client {client} failed too often; it waits {} s", wait.as_secs().max(1));
        let (status, headers, message) = too_many(&words, client, wait);
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
        failed(&console, client, Via::Token);
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
        .record(&Entry::new("sign-in", &who, Via::Token, client).outcome("signed-in"))
    {
        // Not recorded, not signed in.
        access.sessions.end(&id);
        tracing::error!(target: "vipps_om::console", "{e}");
        let trouble = Trouble::audit_failed(&words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    tracing::info!(target: "vipps_om::console", "{who} signed in from {client}");
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
            let entry = Entry::new("sign-out", &visitor.who, visitor.via, visitor.client).outcome("signed-out");
            if let Err(e) = console.audit.record(&entry) {
                tracing::error!(target: "vipps_om::console", "{e}");
            }
            tracing::info!(target: "vipps_om::console", "{} signed out", visitor.who);
        }
    }
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
    fn own_pages_only() {
        let check = |pairs: &[(&'static str, &str)], forwarded: Option<&str>| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            from_own_page(&h, forwarded)
        };
        assert!(check(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")], None));
        assert!(check(
            &[("host", "Console.Shop.Example"), ("origin", "https://console.shop.example")],
            None
        ));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:9999")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "null")], None));
        assert!(check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-origin")], None));
        // Chromium's form post under a no-referrer policy: Origin null,
        // but Sec-Fetch-Site says where it came from.
        assert!(check(
            &[("host", "127.0.0.1:8080"), ("origin", "null"), ("sec-fetch-site", "same-origin")],
            None
        ));
        assert!(!check(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "cross-site")
            ],
            None
        ));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-site")], None));
        assert!(check(&[("host", "127.0.0.1:8080")], None));
        assert!(check(
            &[("host", "10.0.0.5:8080"), ("origin", "https://console.shop.example")],
            Some("console.shop.example")
        ));
    }

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
