//! A small front end for the console's tests, as a department's TLS
//! terminator and load balancer behave: it takes each request, sends it
//! on to the next of its consoles in turn from its own address
//! (127.0.0.3), adds the client to `X-Forwarded-For`, says the browser
//! came by https and which host it asked for, and passes on everything
//! else the client sent, forged identity headers included (as nginx does
//! unless told not to).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, Response};

/// The address the front end reaches the consoles from.
pub const FRONT_END_IP: &str = "127.0.0.3";

struct Backends {
    urls: Vec<String>,
    next: AtomicUsize,
    http: reqwest::Client,
}

/// A running front end; stops when dropped.
pub struct FrontEnd {
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FrontEnd {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Headers that belong to one hop, never passed on.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "transfer-encoding" | "upgrade" | "te" | "trailer" | "proxy-connection" | "host" | "content-length"
    )
}

async fn forward(State(backends): State<Arc<Backends>>, ConnectInfo(client): ConnectInfo<SocketAddr>, request: Request) -> Response<Body> {
    let turn = backends.next.fetch_add(1, Ordering::SeqCst) % backends.urls.len();
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let url = format!("{}{}", backends.urls[turn], parts.uri.path_and_query().map_or("/", |p| p.as_str()));
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let mut out = backends.http.request(parts.method.clone(), url).body(body);
    let mut forwarded_for = None;
    for (name, value) in &parts.headers {
        if hop_by_hop(name) {
            continue;
        }
        if name == "x-forwarded-for" {
            forwarded_for = value.to_str().ok().map(str::to_owned);
            continue;
        }
        out = out.header(name, value);
    }
    let chain = match forwarded_for {
        Some(earlier) => format!("{earlier}, {}", client.ip()),
        None => client.ip().to_string(),
    };
    out = out
        .header("x-forwarded-for", chain)
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", host);
    match out.send().await {
        Ok(answer) => {
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                if !hop_by_hop(name) {
                    response = response.header(name, value);
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            response.body(Body::from(bytes)).unwrap()
        }
        Err(e) => Response::builder().status(502).body(Body::from(e.to_string())).unwrap(),
    }
}

impl FrontEnd {
    /// A front end on loopback before the consoles at `backends` (their
    /// base URLs), each request to the next in turn.
    pub async fn start(backends: Vec<String>) -> FrontEnd {
        super::pick_crypto_provider();
        let http = reqwest::Client::builder()
            .local_address(FRONT_END_IP.parse::<std::net::IpAddr>().unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let state = Arc::new(Backends {
            urls: backends,
            next: AtomicUsize::new(0),
            http,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(forward).with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        FrontEnd { url, task }
    }
}
