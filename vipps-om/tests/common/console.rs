//! Helpers for the console's tests: a console's routes over an emulator
//! with its store in memory, requests from a given client address, its
//! pages read whole, its audit trail read back, and an order as a
//! Norwegian shop sends it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt as _;
use vipps_om::console::{app, Access, Audit, Console, Copies, Filter, Page as Selection, Peer, Store, RETENTION_DAYS};
use vipps_order_management::Client;
use vipps_order_management_emulator::{self as emulator, Emulator};

/// A line name that is markup, with a right-to-left override in it.
pub const HOSTILE: &str = "<img src=x onerror=alert(1)>\u{202e}kcatta";
/// How it shows on a page: as text, the override as a mark.
pub const HOSTILE_SHOWN: &str = r#"&lt;img src=x onerror=alert(1)&gt;<span class="mark" title="U+202E">⟨U+202E⟩</span>kcatta"#;

/// A new, empty file path of this test process (`name-N.ext`).
pub fn temp_path(name: &str, ext: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("vipps-om-console-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}-{}.{ext}", N.fetch_add(1, Ordering::SeqCst)));
    let _ = std::fs::remove_file(&path);
    path
}

/// Replaces the file at `path` with `contents` as a configuration tool
/// does: a new file written beside it, renamed over it.
pub fn replace_file(path: &std::path::Path, contents: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, contents).unwrap();
    std::fs::rename(&next, path).unwrap();
}

/// The `name=value` of a Set-Cookie.
pub fn cookie_of(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The session cookie (`name=value`) an answer sets.
pub fn session_cookie(answer: &reqwest::Response) -> String {
    cookie_of(answer.headers()["set-cookie"].to_str().unwrap())
}

/// Every entry of the audit trail kept in `store`, oldest first, as the
/// export writes them (JSON).
pub async fn trail(store: &Store) -> Vec<Value> {
    let entries = store
        .entries(&Filter::default(), Selection::OldestAfter(None), 100_000)
        .await
        .unwrap();
    entries.iter().map(|e| serde_json::to_value(e).unwrap()).collect()
}

/// A console's routes and its shared store.
pub struct App {
    pub router: Router,
    pub store: Store,
}

impl App {
    /// A console over `client` letting in whom `access` (built on the
    /// console's store, in memory) lets in.
    pub async fn new(client: Client, access: impl FnOnce(&Store) -> Access) -> App {
        let store = Store::memory().await.unwrap();
        App::on(client, store, access)
    }

    /// A console over `client` on `store`.
    pub fn on(client: Client, store: Store, access: impl FnOnce(&Store) -> Access) -> App {
        App::adjusted(client, store, access, |console| console)
    }

    /// A console over `client` on `store`, its settings adjusted (when a
    /// lookup is slow, when it stops).
    pub fn adjusted(client: Client, store: Store, access: impl FnOnce(&Store) -> Access, adjust: impl FnOnce(Console) -> Console) -> App {
        let retention = std::time::Duration::from_secs(u64::from(RETENTION_DAYS) * 24 * 3600);
        let audit = Audit::new(store.clone(), Copies::none(), Some(retention));
        let console = Console::new(client, access(&store), audit).time_zone(jiff::tz::TimeZone::get("Europe/Oslo").unwrap());
        App {
            router: app(adjust(console)),
            store,
        }
    }

    /// A console on loopback that nobody signs in to.
    pub async fn open(client: Client) -> App {
        App::new(client, Access::loopback).await
    }

    /// The audit trail's entries so far, oldest first.
    pub async fn audit(&self) -> Vec<Value> {
        trail(&self.store).await
    }

    /// The audit trail as text, for what it must never hold.
    pub async fn audit_text(&self) -> String {
        serde_json::to_string(&self.audit().await).unwrap()
    }

    /// Sends `request`, from 127.0.0.1 and addressed to 127.0.0.1:8080
    /// unless it says otherwise.
    pub async fn send(&self, mut request: Request<Body>) -> Page {
        if !request.headers().contains_key(header::HOST) {
            request.headers_mut().insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        }
        if request.extensions().get::<ConnectInfo<Peer>>().is_none() {
            let peer: SocketAddr = "127.0.0.1:50000".parse().unwrap();
            request.extensions_mut().insert(ConnectInfo(Peer::at(peer)));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// GETs `path` with the browser asking for `language`.
    pub async fn get_in(&self, language: &str, path: &str) -> Page {
        self.send(Request::get(path).header("accept-language", language).body(Body::empty()).unwrap())
            .await
    }
}

/// Starts `vipps-om ARGS` in a clean environment with the emulator's
/// credentials, its log to `stderr`; the process and the URL its banner
/// gives (once it takes requests).
pub fn spawn(args: &[String], stderr: std::process::Stdio) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let banner = super::read_banner(&mut child);
    let url = banner["url"].as_str().unwrap().trim_end_matches('/').to_owned();
    (child, url)
}

/// What the console logs while `work` runs, on this thread (a test on
/// tokio's current-thread runtime runs the console on it too).
pub async fn logged<T>(work: impl std::future::Future<Output = T>) -> (T, String) {
    super::logged_async(work).await
}

/// A request from the client at `ip`.
pub fn from(ip: &str, mut request: Request<Body>) -> Request<Body> {
    let peer = SocketAddr::new(ip.parse().unwrap(), 50000);
    request.extensions_mut().insert(ConnectInfo(Peer::at(peer)));
    request
}

/// One answer, read whole.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The page's text with its markup's `<bdi>` isolation and Fluent's
    /// isolation marks taken out, for reading sentences.
    pub fn text(&self) -> String {
        self.body
            .replace("<bdi>", "")
            .replace("</bdi>", "")
            .replace(['\u{2068}', '\u{2069}'], "")
    }

    /// How many `<h1` the page has.
    pub fn h1s(&self) -> usize {
        self.body.matches("<h1").count()
    }
}

/// Sends `body` to the emulator as another system would (no SDK checks):
/// `PUT`/`POST` with the emulator's credentials.
pub async fn raw(emu: &Emulator, method: &str, path: &str, body: Value) -> u16 {
    let http = super::http();
    let url = format!("{}{path}", emu.base_url());
    let request = match method {
        "PUT" => http.put(url),
        _ => http.post(url),
    };
    request
        .bearer_auth(emu.access_token())
        .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
        .header("Merchant-Serial-Number", emulator::MSN)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The receipt of a Norwegian shop's order 1042 (as in the issue): 25 %
/// and 15 % VAT, shipping, a return, a discount, æ/ø/å, an EAN-13
/// barcode; line 5's VAT does not match its rate, line 6's total does not
/// match its unit price; the bottom line has every field, old ones too.
pub fn receipt_1042() -> Value {
    json!({
        "orderLines": [
            {"name": "Ullsokker, grå", "id": "sku-1", "totalAmount": 29800, "totalAmountExcludingTax": 23840,
             "totalTaxAmount": 5960, "taxRate": 2500, "discount": 0, "productUrl": "https://butikk.example/p/ullsokker",
             "unitInfo": {"unitPrice": 14900, "quantity": "2", "quantityUnit": "PCS"}},
            {"name": "Kaffebønner, mørkbrent", "id": "sku-2", "totalAmount": 16000, "totalAmountExcludingTax": 13913,
             "totalTaxAmount": 2087, "taxRate": 1500, "unitInfo": {"unitPrice": 32000, "quantity": "0.5", "quantityUnit": "KG"}},
            {"name": "Hjemlevering", "id": "frakt", "totalAmount": 9900, "totalAmountExcludingTax": 7920,
             "totalTaxAmount": 1980, "taxRate": 2500, "isShipping": true},
            {"name": "Skjerf i blå ull", "id": "sku-3", "totalAmount": 19900, "totalAmountExcludingTax": 15920,
             "totalTaxAmount": 3980, "taxRate": 2500, "isReturn": true},
            {"name": "Lue med dusk", "id": "sku-4", "totalAmount": 12500, "totalAmountExcludingTax": 9375,
             "totalTaxAmount": 3125, "taxRate": 2500, "discount": 2500,
             "unitInfo": {"unitPrice": 15000, "quantity": "1", "quantityUnit": "PCS"}},
            {"name": "Votter, røde", "id": "sku-5", "totalAmount": 20000, "totalAmountExcludingTax": 16000,
             "totalTaxAmount": 4000, "taxRate": 2500, "discount": 1000,
             "unitInfo": {"unitPrice": 14900, "quantity": "2", "quantityUnit": "PCS"}}
        ],
        "bottomLine": {
            "currency": "NOK", "receiptNumber": "100042", "posId": "kasse-3",
            "barcode": {"format": "EAN-13", "data": "7080001234567"},
            "tipAmount": 2000, "paymentSources": {"card": 70000, "giftCard": 6200},
            "totalAmount": 68200, "terminalId": "term-9", "giftCardAmount": 6200
        }
    })
}

/// Stores order 1042 (ECOM) in the emulator: an image, its category with
/// the image, its receipt, and a v3 delivery link.
pub async fn seed_1042(emu: &Emulator) {
    let client = emu.client();
    let image = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/assets/receipt-logo.png")).unwrap();
    let upload = vipps_order_management::ImageUpload::from_bytes(image)
        .unwrap()
        .with_id("butikk-logo");
    client.images().upload(&upload).await.unwrap();
    let order = client.ecom("order-1042");
    order
        .put_category(
            &vipps_order_management::Category::new(vipps_order_management::CategoryType::Receipt, "https://butikk.example/ordre/1042")
                .with_image("butikk-logo"),
        )
        .await
        .unwrap();
    assert_eq!(
        raw(emu, "POST", "/order-management/v2/ECOM/receipts/order-1042", receipt_1042()).await,
        201
    );
    let v3 = vipps_order_management::NewCategory::new(
        vipps_order_management::PaymentType::Ecom,
        "order-1042",
        vipps_order_management::CategoryType::Delivery,
        "https://butikk.example/sporing/1042",
    );
    client.categories().add(&v3).await.unwrap();
}

/// Adds a v3 link to an order.
pub async fn add_v3(
    client: &Client,
    payment_type: vipps_order_management::PaymentType,
    order_id: &str,
    kind: vipps_order_management::CategoryType,
    url: &str,
) {
    client
        .categories()
        .add(&vipps_order_management::NewCategory::new(payment_type, order_id, kind, url))
        .await
        .unwrap();
}
