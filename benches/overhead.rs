//! The client's cost next to hand-written reqwest calls, side by side in
//! one run: post-receipt and get-order at concurrency 1 and 64 against a
//! minimal loopback server (the hand-written side sends the same headers
//! and serializes the same receipt struct per call); and a 500-line receipt validated and serialized
//! versus serialized alone. `cargo bench --bench overhead`;
//! `scripts/bench-report.sh` turns the results into BENCHMARKS.md.

#[path = "../tests/common/loopback.rs"]
mod loopback;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reqwest::header::{HeaderMap, HeaderValue};
use vipps_order_management::{validate, Client, Currency, LineItem, Money, Order, QuantityUnit, Receipt, ReceiptBuilder};

fn receipt(lines: usize) -> Receipt {
    let nok = |m| Money::new(m, Currency::Nok);
    let mut b = ReceiptBuilder::new(Currency::Nok).receipt_number("42");
    for i in 0..lines {
        b = b.line(
            LineItem::new(format!("sku-{i}"), format!("Item number {i}"), nok(14_900 + i as i64), "2", 2500)
                .unit(QuantityUnit::Pcs)
                .product_url(format!("https://shop.example/p/{i}")),
        );
    }
    b.build().unwrap()
}

/// The headers the client sends, written by hand.
fn raw_headers(token: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
    h.insert("Ocp-Apim-Subscription-Key", HeaderValue::from_static("bench-key"));
    h.insert("Merchant-Serial-Number", HeaderValue::from_static("123456"));
    h.insert("Vipps-System-Name", HeaderValue::from_static("bench"));
    h.insert("Vipps-System-Version", HeaderValue::from_static("1.0.0"));
    h.insert(
        "User-Agent",
        HeaderValue::from_static(concat!("vipps-order-management-rust/", env!("CARGO_PKG_VERSION"))),
    );
    h.insert("Accept", HeaderValue::from_static("application/json"));
    h.insert("Content-Type", HeaderValue::from_static("application/json"));
    h
}

#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    base: String,
    headers: HeaderMap,
    receipt: std::sync::Arc<Receipt>,
}

impl Raw {
    async fn post_receipt(&self) {
        let r = self
            .http
            .post(format!("{}/order-management/v2/ECOM/receipts/order-1", self.base))
            .headers(self.headers.clone())
            // A hand-written call serializes its receipt too.
            .body(serde_json::to_vec(&*self.receipt).unwrap())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
    }

    async fn get_order(&self) {
        let r = self
            .http
            .get(format!("{}/order-management/v2/ECOM/order-1", self.base))
            .headers(self.headers.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let body = r.bytes().await.unwrap();
        let _: Order = serde_json::from_slice(&body).unwrap();
    }
}

fn calls(c: &mut Criterion) {
    let (addr, _counts) = loopback::start_on_thread();
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = Client::builder()
        .base_url(base.clone())
        .client_id("bench")
        .client_secret("bench-secret")
        .subscription_key("bench-key")
        .merchant_serial_number("123456")
        .system_name("bench")
        .system_version("1.0.0")
        .build()
        .unwrap();
    rt.block_on(client.warm_up()).unwrap();
    let small = std::sync::Arc::new(receipt(3));
    let raw = Raw {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Production code sets a timeout, as the client does (10 s).
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap(),
        base,
        headers: raw_headers("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.loopback"),
        receipt: small.clone(),
    };
    for op in ["post_receipt", "get_order"] {
        let mut group = c.benchmark_group(op);
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for concurrency in [1u64, 64] {
            group.throughput(Throughput::Elements(concurrency));
            group.bench_with_input(BenchmarkId::new("client", concurrency), &concurrency, |b, &n| {
                b.to_async(&rt).iter(|| {
                    let client = client.clone();
                    let small = small.clone();
                    async move {
                        let mut set = tokio::task::JoinSet::new();
                        for _ in 0..n {
                            let (client, small) = (client.clone(), small.clone());
                            set.spawn(async move {
                                let order = client.ecom("order-1");
                                if op == "post_receipt" {
                                    order.post_receipt(&small).await.map(drop)
                                } else {
                                    order.get().await.map(drop)
                                }
                            });
                        }
                        while let Some(r) = set.join_next().await {
                            r.unwrap().unwrap();
                        }
                    }
                })
            });
            group.bench_with_input(BenchmarkId::new("raw", concurrency), &concurrency, |b, &n| {
                b.to_async(&rt).iter(|| {
                    let raw = raw.clone();
                    async move {
                        let mut set = tokio::task::JoinSet::new();
                        for _ in 0..n {
                            let raw = raw.clone();
                            set.spawn(async move {
                                if op == "post_receipt" {
                                    raw.post_receipt().await
                                } else {
                                    raw.get_order().await
                                }
                            });
                        }
                        while let Some(r) = set.join_next().await {
                            r.unwrap();
                        }
                    }
                })
            });
        }
        group.finish();
    }
}

fn serialization(c: &mut Criterion) {
    let big = receipt(500);
    let mut group = c.benchmark_group("receipt_500_lines");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("validate_and_serialize", |b| {
        b.iter(|| {
            assert!(validate::receipt(&big).is_empty());
            serde_json::to_vec(&big).unwrap()
        })
    });
    group.bench_function("serialize", |b| b.iter(|| serde_json::to_vec(&big).unwrap()));
    group.finish();
}

criterion_group!(benches, calls, serialization);
criterion_main!(benches);
