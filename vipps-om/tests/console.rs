//! The support console, in-process (its axum `Router`, driven with
//! `tower::ServiceExt::oneshot`): the order page (escaped, with its table,
//! sum and links), the JSON endpoint, the error pages by class, the
//! security headers and the access token. The served console (`vipps-om
//! console` as a process) is checked for what only a process has: its
//! refusals at start, and stopping on a signal.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt as _;
use vipps_om::console::{app, Access, Console};
use vipps_order_management::emulator::{self, Emulator, Fault};
use vipps_order_management::{
    Amount, Category, CategoryType, Client, Currency, NewCategory, Operation, OrderLine, PaymentType, Receipt, TaxRate,
};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

/// The console's routes over `client`, guarded by `token` when given.
fn console_app(client: Client, token: Option<&str>) -> Router {
    let access = token.map(|t| Arc::new(Access::new(t).unwrap()));
    app(Console { client, access })
}

/// One answer, read whole.
struct Page {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

/// Sends `request` (addressed to this machine unless it says otherwise).
async fn send(app: &Router, mut request: Request<Body>) -> Page {
    if !request.headers().contains_key(header::HOST) {
        request.headers_mut().insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
    }
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Page {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(app: &Router, path: &str) -> Page {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// A running `vipps-om console`; killed when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(base: &str, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .args(["--json", "--base-url", base, "console", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let banner = common::read_banner(&mut child);
    Served {
        child,
        url: banner["url"].as_str().unwrap().trim_end_matches('/').to_owned(),
    }
}

/// Adds a v3 category to an order.
async fn add_v3(client: &Client, payment_type: PaymentType, order_id: &str, category: CategoryType, url: &str) {
    client
        .categories()
        .add(&NewCategory::new(payment_type, order_id, category, url))
        .await
        .unwrap();
}

async fn seed(client: &Client) {
    let vat = TaxRate::percent(25);
    let a = Amount::from_minor;
    let lines = vec![
        OrderLine::new("sku-1", HOSTILE, a(29_800), a(23_840), vat),
        OrderLine::new("ship", "Home delivery", a(9_900), a(7_920), vat).shipping(),
        OrderLine::new("sku-3", "Cotton scarf", a(19_900), a(15_920), vat).returned(),
    ];
    let order = client.ecom("o-1");
    order
        .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/orders/o-1").with_image("logo-1"))
        .await
        .unwrap();
    order.post_receipt(&Receipt::new(Currency::Nok, lines)).await.unwrap();
    add_v3(
        client,
        PaymentType::Ecom,
        "o-1",
        CategoryType::Ticket,
        "https://shop.example/tickets/o-1",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_page_shows_everything_escaped_with_strict_headers() {
    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let app = console_app(emu.client(), None);

    let form = get(&app, "/").await;
    assert_eq!(form.status, 200);
    assert!(form.header("content-security-policy").starts_with("default-src 'none'"));
    assert_eq!(form.header("x-content-type-options"), "nosniff");
    assert!(form.body.contains(r#"<form class="lookup" method="get" action="/lookup">"#));

    let to = get(&app, "/lookup?paymentType=ecom&orderId=o-1").await;
    assert_eq!(to.status, 303);
    assert_eq!(to.header("location"), "/orders/ecom/o-1");

    let page = get(&app, "/orders/ecom/o-1").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    let html = &page.body;
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the hostile name shows as text"
    );
    assert!(!html.contains(HOSTILE) && !html.contains("<script"), "no markup from the service");
    for needle in [
        "298.00 NOK",
        "-199.00 NOK",
        "Shipping",
        "Returned",
        // 298.00 + 99.00 - 199.00
        "198.00 NOK",
        r#"<a href="https://shop.example/orders/o-1" rel="noopener noreferrer">"#,
        "logo-1",
        "TICKET",
        "https://shop.example/tickets/o-1",
    ] {
        assert!(html.contains(needle), "{needle} missing in the page");
    }

    let api = get(&app, "/api/orders/ecom/o-1").await;
    assert_eq!(api.status, 200);
    assert!(api.header("content-type").starts_with("application/json"));
    let body = api.json();
    let stored = emu.receipt_json(emulator::MSN, PaymentType::Ecom, "o-1").unwrap();
    assert_eq!(body["order"]["receipt"], stored);
    assert_eq!(body["categories"][0]["type"], "TICKET");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_pages_that_say_what_to_do() {
    let emu = Emulator::start().await.unwrap();
    let app = console_app(emu.client(), None);
    let page = get(&app, "/orders/ecom/nothing-here").await;
    assert_eq!(page.status, 404);
    assert!(
        page.body.contains("No receipt or category yet") && page.body.contains("Error id for Vipps MobilePay support"),
        "{}",
        page.body
    );
    let page = get(&app, "/orders/bitcoin/o-1").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Unknown payment type"));
    let page = get(&app, "/lookup?paymentType=ecom&orderId=..").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("cannot be looked up"));
    emu.inject(Fault::status(503).times(3).only(Operation::GetOrder));
    let page = get(&app, "/orders/ecom/o-1").await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("Vipps MobilePay did not answer") && page.body.contains("Try again in a minute"));
    let api = get(&app, "/api/orders/ecom/nothing-here").await;
    assert_eq!(api.status, 404);
    assert_eq!(api.json()["error"]["kind"], "not_found");
    // Keys that do not work: the shop's keys lack access.
    let wrong = emu.client_builder().client_id("not-the-shops-client-id").build().unwrap();
    let page = get(&console_app(wrong, None), "/orders/ecom/o-1").await;
    assert_eq!(page.status, 502);
    assert!(
        page.body.contains("The shop&#39;s keys lack access") || page.body.contains("The shop's keys lack access"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(emulator::CLIENT_SECRET), "no secret in a page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_only_made_of_web_urls() {
    let emu = Emulator::start().await.unwrap();
    // Another client of the service stored a script URL (a URI, as the
    // spec allows): the console shows it as text.
    let put = common::http()
        .put(format!("{}/order-management/v2/ECOM/categories/js-1", emu.base_url()))
        .bearer_auth(emu.access_token())
        .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
        .header("Merchant-Serial-Number", emulator::MSN)
        .json(&json!({"category": "GENERAL", "orderDetailsUrl": "javascript:alert(1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let html = get(&console_app(emu.client(), None), "/orders/ecom/js-1").await.body;
    assert!(
        html.contains("<span>javascript:alert(1)</span>") && !html.contains("href=\"javascript:"),
        "{html}"
    );
}

/// A form post of the sign-in page.
fn login(value: &str) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", value)
        .finish();
    Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_guards_the_console() {
    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let token = "staff-only-7f3a-9kq2";
    let app = console_app(emu.client(), Some(token));
    let page = get(&app, "/orders/ecom/o-1").await;
    assert_eq!((page.status, page.header("location")), (303, "/login"));
    assert_eq!(get(&app, "/api/orders/ecom/o-1").await.status, 401);
    let wrong = send(&app, login("guess")).await;
    assert_eq!(wrong.status, 401);
    let right = send(&app, login(token)).await;
    assert_eq!(right.status, 303);
    let cookie = right.header("set-cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains(token), "the cookie does not hold the token");
    assert!(cookie.contains("Max-Age=43200"), "a session ends: {cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let with_cookie = |path: &str| Request::get(path).header("cookie", &pair).body(Body::empty()).unwrap();
    let page = send(&app, with_cookie("/orders/ecom/o-1")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(token), "the token is never in a page");
    let bearer = Request::get("/api/orders/ecom/o-1")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, bearer).await.status, 200);
    // Signing out clears the cookie.
    let out = send(&app, Request::post("/logout").header("cookie", &pair).body(Body::empty()).unwrap()).await;
    assert_eq!(out.status, 303);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    // Guessing is limited: after ten wrong tokens in a minute (one was
    // tried above), even the right one waits.
    for _ in 0..9 {
        assert_eq!(send(&app, login("guess")).await.status, 401);
    }
    assert_eq!(send(&app, login(token)).await.status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unguarded_console_answers_only_requests_addressed_here() {
    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let app = console_app(emu.client(), None);
    // DNS rebinding: a page elsewhere that renamed its host to 127.0.0.1.
    let rebound = Request::get("/api/orders/ecom/o-1")
        .header("host", "attacker.example")
        .body(Body::empty())
        .unwrap();
    let page = send(&app, rebound).await;
    assert_eq!(page.status, 421);
    assert!(!page.body.contains("Socks"));
    for host in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"] {
        let here = Request::get("/api/orders/ecom/o-1")
            .header("host", host)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, here).await.status, 200, "{host}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_v3_categories_are_those_of_its_payment_type() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    seed(&client).await;
    // The same order id as a Recurring charge: another payment.
    add_v3(
        &client,
        PaymentType::Recurring,
        "o-1",
        CategoryType::Booking,
        "https://other.example/b",
    )
    .await;
    let app = console_app(client, None);
    let ecom = get(&app, "/orders/ecom/o-1").await.body;
    assert!(ecom.contains("TICKET") && !ecom.contains("BOOKING"));
    let recurring = get(&app, "/orders/recurring/o-1").await;
    assert_eq!(recurring.status, 200, "its own v3 category is worth a page");
    assert!(recurring.body.contains("BOOKING") && !recurring.body.contains("TICKET"));
    let api = get(&app, "/api/orders/recurring/o-1").await.json();
    assert_eq!(api["categories"].as_array().unwrap().len(), 1);
    assert_eq!(api["order"], Value::Null, "nothing stored under v2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_the_consoles_own_answers() {
    let emu = Emulator::start().await.unwrap();
    let app = console_app(emu.client(), None);
    for path in [
        "/lookup",
        "/lookup?paymentType=ecom",
        "/lookup?paymentType=ECOM&orderId=a&orderId=b",
        "/orders/ecom/%FF",
    ] {
        let page = get(&app, path).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.header("content-type").starts_with("text/html"), "{path}");
        assert!(page.body.contains("Order support"), "{path}: the console's own page");
    }
    let api = get(&app, "/api/orders/ecom/%FF").await;
    assert_eq!(api.status, 400);
    assert_eq!(api.json()["error"]["kind"], "invalid");
}

/// `vipps-om console` refuses, before it listens, what would leave it open:
/// an address beyond loopback without an access token, a token too short
/// to resist guessing. Served with a token, it answers over TCP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_console_refuses_unsafe_settings_and_answers() {
    let refused = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vipps-om"))
            .env_clear()
            .env("VIPPS_CLIENT_ID", "x")
            .env("VIPPS_CLIENT_SECRET", "y")
            .env("VIPPS_SUBSCRIPTION_KEY", "z")
            .env("VIPPS_MSN", "123456")
            .arg("console")
            .args(args)
            .output()
            .unwrap()
    };
    let out = refused(&["--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--access-token"));
    let out = refused(&["--listen", "127.0.0.1:0", "--access-token", "a"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16"));

    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let token = "staff-only-7f3a-9kq2";
    let served = serve(&emu.base_url(), &["--access-token", token]);
    let api = common::http()
        .get(format!("{}/api/orders/ecom/o-1", served.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

/// A client that never finishes its request does not keep the console
/// from stopping.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_stops_despite_a_client_that_never_finishes() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let c = serve(&emu.base_url(), &[]);
    let addr = c.url.trim_start_matches("http://").to_owned();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let _ = Command::new("kill").args(["-TERM", &c.child.id().to_string()]).status();
    let mut c = c;
    let exited = tokio::task::spawn_blocking(move || {
        let status = c.child.wait().unwrap();
        (status, c)
    });
    // A guard against a hang, not a timing target: the console gives
    // requests under way five seconds, then drops them.
    let status = tokio::time::timeout(std::time::Duration::from_secs(60), exited)
        .await
        .expect("the console had not stopped a minute after SIGTERM")
        .unwrap()
        .0;
    assert!(status.success(), "{status:?}");
    drop(half);
}
