//! A load run that measures the client's overhead next to hand-written
//! reqwest calls, interleaved so that machine noise hits both alike:
//! each round runs a batch through the client and the same batch by hand
//! (alternating which goes first) against a minimal loopback server, and
//! the ratio is taken per round. The hand-written side sends the same
//! headers and serializes the same receipt struct on each call, as real
//! hand-written code must; it skips everything else the client does
//! (validation, token cache, retries, timers, tracing, error parsing).
//!
//! ```text
//! cargo run --release --example load -- [rounds] [calls-per-batch]
//! cargo run --release --example load -- single <client|raw> <get|post> <concurrency> <calls>
//! cargo run --release --example load -- receipt <lines> <rounds>
//! ```
//!
//! The first form prints one JSON line per (operation, concurrency) with
//! the median and spread of calls per second for both, and the median ratio
//! client/raw. The second runs one side alone, for counting its
//! instructions with `valgrind --tool=callgrind` (exact and repeatable,
//! unlike wall-clock time on a shared machine). The third times validating
//! and serializing a receipt against serializing it alone, alternating 50
//! iterations of each per round, and prints the median ratio.

#[path = "../tests/common/loopback.rs"]
mod loopback;

use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{HeaderMap, HeaderValue};
use vipps_order_management::{Client, Currency, LineItem, Money, Order, Receipt, ReceiptBuilder};

const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.loopback";

fn receipt() -> Receipt {
    let nok = |m| Money::new(m, Currency::Nok);
    ReceiptBuilder::new(Currency::Nok)
        .line(LineItem::new("sku-1", "Wool socks", nok(14_900), "2", 2500))
        .line(LineItem::new("sku-2", "Coffee", nok(32_000), "0.5", 1500))
        .line(LineItem::new("ship", "Delivery", nok(9_900), "1", 2500).shipping())
        .build()
        .unwrap()
}

#[derive(Clone)]
struct Raw {
    http: reqwest::Client,
    base: Arc<str>,
    headers: HeaderMap,
    receipt: Arc<Receipt>,
}

impl Raw {
    async fn call(&self, post: bool) {
        let request = if post {
            self.http
                .post(format!("{}/order-management/v2/ECOM/receipts/order-1", self.base))
                // A hand-written call serializes its receipt too.
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
async fn batch<F, Fut>(calls: usize, concurrency: usize, f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
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

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Validate + serialize against serialize alone, interleaved.
fn receipt_ratio(lines: usize, rounds: usize) {
    let nok = |m| Money::new(m, Currency::Nok);
    let mut b = ReceiptBuilder::new(Currency::Nok);
    for i in 0..lines {
        b = b.line(
            LineItem::new(format!("sku-{i}"), format!("Item number {i}"), nok(14_900 + i as i64), "2", 2500)
                .product_url(format!("https://shop.example/p/{i}")),
        );
    }
    let receipt = b.build().unwrap();
    let time = |validate: bool| {
        let started = Instant::now();
        for _ in 0..50 {
            if validate {
                assert!(vipps_order_management::validate::receipt(std::hint::black_box(&receipt)).is_empty());
            }
            std::hint::black_box(serde_json::to_vec(std::hint::black_box(&receipt)).unwrap());
        }
        started.elapsed().as_secs_f64() / 50.0
    };
    let (mut both, mut alone, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (v, s) = if round % 2 == 0 {
            let v = time(true);
            (v, time(false))
        } else {
            let s = time(false);
            (time(true), s)
        };
        both.push(v * 1e6);
        alone.push(s * 1e6);
        ratios.push(v / s);
    }
    let (b, a, r) = (median(&mut both), median(&mut alone), median(&mut ratios));
    println!(
        r#"{{"receipt_lines":{lines},"rounds":{rounds},"validate_and_serialize_us":{b:.1},"serialize_us":{a:.1},"ratio":{r:.3},"ratio_min":{:.3},"ratio_max":{:.3}}}"#,
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("receipt") {
        let n: Vec<usize> = all.iter().filter_map(|a| a.parse().ok()).collect();
        receipt_ratio(n.first().copied().unwrap_or(500), n.get(1).copied().unwrap_or(101));
        return;
    }
    let single = all.first().map(String::as_str) == Some("single");
    let args: Vec<usize> = all.iter().filter_map(|a| a.parse().ok()).collect();
    let rounds = args.first().copied().unwrap_or(15).max(5);
    let calls = args.get(1).copied().unwrap_or(2000);
    let (addr, counts) = loopback::start_on_thread();
    let base = format!("http://{addr}");
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
    client.warm_up().await.unwrap();
    let small = Arc::new(receipt());
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
    let raw = Raw {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Production code sets a timeout, as the client does (10 s).
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap(),
        base: base.into(),
        headers,
        receipt: small.clone(),
    };
    if single {
        let side = all.get(1).map(String::as_str).unwrap_or("client");
        let post = all.get(2).map(String::as_str) == Some("post");
        let (concurrency, calls) = (args.first().copied().unwrap_or(64), args.get(1).copied().unwrap_or(10_000));
        let rate = if side == "raw" {
            batch(calls, concurrency, || {
                let raw = raw.clone();
                async move { raw.call(post).await }
            })
            .await
        } else {
            batch(calls, concurrency, || {
                let (c, r) = (client.clone(), small.clone());
                async move {
                    let order = c.ecom("order-1");
                    if post {
                        order.post_receipt(&r).await.map(drop).unwrap()
                    } else {
                        order.get().await.map(drop).unwrap()
                    }
                }
            })
            .await
        };
        let (accepts, tokens, api) = counts.get();
        assert_eq!(api, calls, "every call reached the server");
        println!(
            r#"{{"side":"{side}","post":{post},"concurrency":{concurrency},"calls":{calls},"cps":{rate:.0},"connections":{accepts},"token_requests":{tokens},"api_requests":{api}}}"#
        );
        return;
    }
    for (op, post) in [("post_receipt", true), ("get_order", false)] {
        for concurrency in [1usize, 64] {
            let run_client = || {
                let (c, r) = (client.clone(), small.clone());
                async move {
                    let order = c.ecom("order-1");
                    if post {
                        order.post_receipt(&r).await.map(drop).unwrap()
                    } else {
                        order.get().await.map(drop).unwrap()
                    }
                }
            };
            let run_raw = || {
                let raw = raw.clone();
                async move { raw.call(post).await }
            };
            // Warm-up round, not counted.
            batch(calls / 4, concurrency, run_client).await;
            batch(calls / 4, concurrency, run_raw).await;
            let (mut c_rates, mut r_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..rounds {
                let (c, r) = if round % 2 == 0 {
                    let c = batch(calls, concurrency, run_client).await;
                    (c, batch(calls, concurrency, run_raw).await)
                } else {
                    let r = batch(calls, concurrency, run_raw).await;
                    (batch(calls, concurrency, run_client).await, r)
                };
                c_rates.push(c);
                r_rates.push(r);
                ratios.push(c / r);
            }
            let spread = |v: &mut Vec<f64>| {
                v.sort_by(|a, b| a.total_cmp(b));
                (v[0], v[v.len() - 1])
            };
            let (cm, rm, ratio) = (median(&mut c_rates), median(&mut r_rates), median(&mut ratios));
            let ((cl, ch), (rl, rh), (ql, qh)) = (spread(&mut c_rates), spread(&mut r_rates), spread(&mut ratios));
            println!(
                r#"{{"op":"{op}","concurrency":{concurrency},"rounds":{rounds},"calls_per_batch":{calls},"client_cps":{cm:.0},"client_min":{cl:.0},"client_max":{ch:.0},"raw_cps":{rm:.0},"raw_min":{rl:.0},"raw_max":{rh:.0},"ratio":{ratio:.3},"ratio_min":{ql:.3},"ratio_max":{qh:.3}}}"#
            );
        }
    }
    let (accepts, tokens, _) = counts.get();
    println!(r#"{{"connections_opened":{accepts},"token_requests":{tokens}}}"#);
}
