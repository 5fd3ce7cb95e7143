//! What the benchmarks and `examples/load.rs` share: the receipt they send,
//! the client under test, the hand-written baseline, and a batch runner.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use vipps_order_management::{Amount, Client, Currency, LineItem, Money, Order, Quantity, Receipt, ReceiptBuilder, TaxRate};

/// The token the loopback server issues.
pub const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.loopback";

/// A receipt of `lines` lines, each with a product link.
pub fn receipt(lines: usize) -> Receipt {
    let nok = |m| Money::new(Amount::from_minor(m), Currency::Nok);
    let mut b = ReceiptBuilder::new(Currency::Nok).receipt_number("42");
    for i in 0..lines {
        b = b.line(
            LineItem::new(
                format!("sku-{i}"),
                format!("Item number {i}"),
                nok(14_900 + i as i64),
                Quantity::from(2),
                TaxRate::percent(25),
            )
            .product_url(format!("https://shop.example/p/{i}")),
        );
    }
    b.build().unwrap()
}

/// The client under test, for the loopback server at `base`.
pub fn client(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .client_id("bench")
        .client_secret("bench-secret")
        .subscription_key("bench-key")
        .merchant_serial_number("123456")
        .system_name("bench")
        .system_version("1.0.0")
        .build()
        .unwrap()
}

/// One call through the client: post the receipt, or get the order.
pub async fn client_call(client: Client, receipt: Arc<Receipt>, post: bool) {
    let order = client.ecom("order-1");
    if post {
        order.post_receipt(&receipt).await.map(drop).unwrap()
    } else {
        order.get().await.map(drop).unwrap()
    }
}

/// The same calls written by hand with a pre-built `reqwest::Client`: the
/// same headers, the receipt struct serialized per call, the answer read and
/// (for get) decoded, and a timeout as production code must have. Nothing
/// else: no validation, token cache, retries, tracing or error parsing.
#[derive(Clone)]
pub struct HandWritten {
    http: reqwest::Client,
    base: Arc<str>,
    headers: HeaderMap,
    receipt: Arc<Receipt>,
}

impl HandWritten {
    pub fn new(base: &str, receipt: Arc<Receipt>) -> Self {
        let mut headers = HeaderMap::new();
        for (k, v) in [
            ("Authorization", format!("Bearer {TOKEN}")),
            ("Ocp-Apim-Subscription-Key", "bench-key".into()),
            ("Merchant-Serial-Number", "123456".into()),
            ("Vipps-System-Name", "bench".into()),
            ("Vipps-System-Version", "1.0.0".into()),
            (
                "User-Agent",
                concat!("vipps-order-management-rust/", env!("CARGO_PKG_VERSION")).into(),
            ),
            ("Accept", "application/json".into()),
            ("Content-Type", "application/json".into()),
        ] {
            headers.insert(k, HeaderValue::from_str(&v).unwrap());
        }
        pick_crypto_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        HandWritten {
            http,
            base: base.into(),
            headers,
            receipt,
        }
    }

    pub async fn call(self, post: bool) {
        let request = if post {
            self.http
                .post(format!("{}/order-management/v2/ECOM/receipts/order-1", self.base))
                .body(serde_json::to_vec(&*self.receipt).unwrap())
        } else {
            self.http.get(format!("{}/order-management/v2/ECOM/order-1", self.base))
        };
        let response = request.headers(self.headers.clone()).send().await.unwrap();
        assert!(response.status().is_success());
        let body = response.bytes().await.unwrap();
        if !post {
            let _: Order = serde_json::from_slice(&body).unwrap();
        }
    }
}

/// Runs `calls` calls, `concurrency` at a time; returns calls per second.
pub async fn batch<F, Fut>(calls: usize, concurrency: usize, f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let started = Instant::now();
    let mut done = 0;
    while done < calls {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..concurrency.min(calls - done) {
            set.spawn(f());
        }
        while let Some(r) = set.join_next().await {
            r.unwrap();
            done += 1;
        }
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

/// Picks ring as the process's rustls crypto provider, as an application
/// that builds reqwest clients of its own does (the crate's own client is
/// configured with ring and installs none).
pub fn pick_crypto_provider() {
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
}
