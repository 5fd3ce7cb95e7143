//! `vipps-om console` over HTTP: the order page (escaped, with its table,
//! sum and links), the JSON endpoint, the error pages by class, the
//! security headers, and the access token beyond loopback.

mod common;

use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};
use vipps_order_management::emulator::{self, Emulator, Fault};
use vipps_order_management::{
    Amount, Category, CategoryType, Client, Currency, NewCategory, Operation, OrderLine, PaymentType, Receipt, TaxRate,
};

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

/// A running console; killed when dropped.
struct Console {
    child: Child,
    url: String,
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn console(base: &str, extra: &[&str], client_id: &str) -> Console {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", client_id)
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
    Console {
        child,
        url: banner["url"].as_str().unwrap().trim_end_matches('/').to_owned(),
    }
}

/// A client that does not follow redirects, so they can be checked.
fn browser() -> reqwest::Client {
    common::pick_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page's text, whatever its status.
async fn text(web: &reqwest::Client, url: String) -> String {
    web.get(url).send().await.unwrap().text().await.unwrap()
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
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let web = browser();

    let form = web.get(format!("{}/", c.url)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let h = form.headers();
    assert!(h["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(form
        .text()
        .await
        .unwrap()
        .contains(r#"<form class="lookup" method="get" action="/lookup">"#));

    let to = web
        .get(format!("{}/lookup?paymentType=ecom&orderId=o-1", c.url))
        .send()
        .await
        .unwrap();
    assert_eq!(to.status(), 303);
    assert_eq!(to.headers()["location"], "/orders/ecom/o-1");

    let page = web.get(format!("{}/orders/ecom/o-1", c.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    let html = page.text().await.unwrap();
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

    let api = web.get(format!("{}/api/orders/ecom/o-1", c.url)).send().await.unwrap();
    assert_eq!(api.status(), 200);
    let body: Value = api.json().await.unwrap();
    let stored = emu.receipt_json(emulator::MSN, PaymentType::Ecom, "o-1").unwrap();
    assert_eq!(body["order"]["receipt"], stored);
    assert_eq!(body["categories"][0]["type"], "TICKET");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_pages_that_say_what_to_do() {
    let emu = Emulator::start().await.unwrap();
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let web = browser();
    let get = |path: &str| {
        let (web, url) = (web.clone(), format!("{}{path}", c.url));
        async move {
            let r = web.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = get("/orders/ecom/nothing-here").await;
    assert_eq!(status, 404);
    assert!(
        html.contains("No receipt or category yet") && html.contains("Error id for Vipps MobilePay support"),
        "{html}"
    );
    let (status, html) = get("/orders/bitcoin/o-1").await;
    assert_eq!(status, 400);
    assert!(html.contains("Unknown payment type"));
    let (status, html) = get("/lookup?paymentType=ecom&orderId=..").await;
    assert_eq!(status, 400);
    assert!(html.contains("cannot be looked up"));
    emu.inject(Fault::status(503).times(3).only(Operation::GetOrder));
    let (status, html) = get("/orders/ecom/o-1").await;
    assert_eq!(status, 503);
    assert!(html.contains("Vipps MobilePay did not answer") && html.contains("Try again in a minute"));
    let (status, body) = get("/api/orders/ecom/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["kind"], "not_found");
    // Keys that do not work: the shop's keys lack access.
    let wrong = console(&emu.base_url(), &[], "not-the-shops-client-id");
    let r = web.get(format!("{}/orders/ecom/o-1", wrong.url)).send().await.unwrap();
    assert_eq!(r.status(), 502);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("The shop&#39;s keys lack access") || html.contains("The shop's keys lack access"),
        "{html}"
    );
    assert!(!html.contains(emulator::CLIENT_SECRET), "no secret in a page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_are_only_made_of_web_urls() {
    let emu = Emulator::start().await.unwrap();
    // Another client of the service stored a script URL (a URI, as the
    // spec allows): the console shows it as text.
    let token = emu.access_token();
    let put = common::http()
        .put(format!("{}/order-management/v2/ECOM/categories/js-1", emu.base_url()))
        .bearer_auth(token)
        .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
        .header("Merchant-Serial-Number", emulator::MSN)
        .json(&json!({"category": "GENERAL", "orderDetailsUrl": "javascript:alert(1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let html = text(&browser(), format!("{}/orders/ecom/js-1", c.url)).await;
    assert!(
        html.contains("<span>javascript:alert(1)</span>") && !html.contains("href=\"javascript:"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_guards_the_console() {
    // Beyond loopback, no token: refused before listening.
    let out = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", "x")
        .env("VIPPS_CLIENT_SECRET", "y")
        .env("VIPPS_SUBSCRIPTION_KEY", "z")
        .env("VIPPS_MSN", "123456")
        .args(["console", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--access-token"));

    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let token = "staff-only-7f3a-9kq2";
    let c = console(&emu.base_url(), &["--access-token", token], emulator::CLIENT_ID);
    let web = browser();
    let r = web.get(format!("{}/orders/ecom/o-1", c.url)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/login"));
    let r = web.get(format!("{}/api/orders/ecom/o-1", c.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let login = |value: &str| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", value)
            .finish();
        web.post(format!("{}/login", c.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let wrong = login("guess").await.unwrap();
    assert_eq!(wrong.status(), 401);
    let right = login(token).await.unwrap();
    assert_eq!(right.status(), 303);
    let cookie = right.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains(token), "the cookie does not hold the token");
    assert!(cookie.contains("Max-Age=43200"), "a session ends: {cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let page = web
        .get(format!("{}/orders/ecom/o-1", c.url))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().contains(token), "the token is never in a page");
    let api = web
        .get(format!("{}/api/orders/ecom/o-1", c.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    // Signing out clears the cookie.
    let out = web.post(format!("{}/logout", c.url)).header("cookie", &pair).send().await.unwrap();
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    // Guessing is limited: after ten wrong tokens in a minute (one was
    // tried above), even the right one waits.
    for _ in 0..9 {
        assert_eq!(login("guess").await.unwrap().status(), 401);
    }
    assert_eq!(login(token).await.unwrap().status(), 429);
    // A token too short to resist guessing is refused at start.
    let out = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", "x")
        .env("VIPPS_CLIENT_SECRET", "y")
        .env("VIPPS_SUBSCRIPTION_KEY", "z")
        .env("VIPPS_MSN", "123456")
        .args(["console", "--listen", "127.0.0.1:0", "--access-token", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unguarded_console_answers_only_requests_addressed_here() {
    let emu = Emulator::start().await.unwrap();
    seed(&emu.client()).await;
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let web = browser();
    // DNS rebinding: a page elsewhere that renamed its host to 127.0.0.1.
    let r = web
        .get(format!("{}/api/orders/ecom/o-1", c.url))
        .header("host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    assert!(!r.text().await.unwrap().contains("Socks"));
    let port = c.url.rsplit(':').next().unwrap().to_owned();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let r = web
            .get(format!("{}/api/orders/ecom/o-1", c.url))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
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
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let web = browser();
    let ecom = text(&web, format!("{}/orders/ecom/o-1", c.url)).await;
    assert!(ecom.contains("TICKET") && !ecom.contains("BOOKING"));
    let recurring = web.get(format!("{}/orders/recurring/o-1", c.url)).send().await.unwrap();
    assert_eq!(recurring.status(), 200, "its own v3 category is worth a page");
    let recurring = recurring.text().await.unwrap();
    assert!(recurring.contains("BOOKING") && !recurring.contains("TICKET"));
    let api: Value = web
        .get(format!("{}/api/orders/recurring/o-1", c.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["categories"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_the_consoles_own_answers() {
    let emu = Emulator::start().await.unwrap();
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let web = browser();
    for path in [
        "/lookup",
        "/lookup?paymentType=ecom",
        "/lookup?paymentType=ECOM&orderId=a&orderId=b",
        "/orders/ecom/%FF",
    ] {
        let r = web.get(format!("{}{path}", c.url)).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        assert!(r.text().await.unwrap().contains("Order support"), "{path}: the console's own page");
    }
    let r = web.get(format!("{}/api/orders/ecom/%FF", c.url)).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["kind"], "invalid");
}

/// A client that never finishes its request does not keep the console
/// from stopping.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_stops_despite_a_client_that_never_finishes() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let c = console(&emu.base_url(), &[], emulator::CLIENT_ID);
    let addr = c.url.trim_start_matches("http://").to_owned();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let _ = Command::new("kill").args(["-TERM", &c.child.id().to_string()]).status();
    let mut c = c;
    let status = tokio::task::spawn_blocking(move || {
        let status = c.child.wait().unwrap();
        (status, c)
    })
    .await
    .unwrap()
    .0;
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    drop(half);
}
