//! The support console under a department's load: STAFF people at once,
//! each signed in with their own token through the front end, each
//! looking up LOOKUPS orders one after another as staff do (the lookup
//! form, its redirect, the order's page). Prints one JSON line: how many
//! pages, how fast, and the latency of each page (p50, p95, p99, max).
//! `scripts/console-load.sh` starts the deployment it runs against
//! (BENCHMARKS.md §9).
//!
//! ```sh
//! cargo run --release -p vipps-om --example console_load -- FRONT_END_URL STAFF_FILE EMULATOR_URL [LOOKUPS]
//! ```

use std::time::{Duration, Instant};

use vipps_order_management::{Amount, Client, Currency, OrderLine, Receipt, TaxRate};
use vipps_order_management_emulator::{CLIENT_ID, CLIENT_SECRET, MSN, SUBSCRIPTION_KEY};

/// How many orders the staff look up among.
const ORDERS: usize = 50;

/// A receipt of six lines, as a shop sends them.
fn receipt(n: usize) -> Receipt {
    let lines = (0..6)
        .map(|i| {
            OrderLine::new(
                format!("sku-{n}-{i}"),
                format!("Vare {i} i ordre {n}"),
                Amount::from_minor(12_500),
                Amount::from_minor(10_000),
                TaxRate::percent(25),
            )
        })
        .collect();
    Receipt::new(Currency::Nok, lines)
}

/// The value below which `q` of the sorted samples lie, in milliseconds.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().collect();
    let (front, staff_file, emulator) = match &args[..] {
        [_, front, staff, emulator, ..] => (front.trim_end_matches('/').to_owned(), staff.clone(), emulator.clone()),
        _ => {
            eprintln!("usage: console_load FRONT_END_URL STAFF_FILE EMULATOR_URL [LOOKUPS]");
            std::process::exit(2);
        }
    };
    let lookups: usize = args.get(4).and_then(|n| n.parse().ok()).unwrap_or(20);
    // The orders, stored as a shop stores them.
    let client = Client::builder()
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .subscription_key(SUBSCRIPTION_KEY)
        .merchant_serial_number(MSN)
        .base_url(emulator.as_str())
        .build()
        .expect("the emulator's client");
    for n in 0..ORDERS {
        client
            .ecom(format!("load-{n}"))
            .post_receipt(&receipt(n))
            .await
            .expect("a receipt stored");
    }
    let tokens: Vec<String> = std::fs::read_to_string(&staff_file)
        .expect("the staff file")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    let started = Instant::now();
    let mut people = Vec::new();
    for (who, token) in tokens.into_iter().enumerate() {
        let front = front.clone();
        people.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client");
            let t = Instant::now();
            let signed = http
                .post(format!("{front}/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("token={token}"))
                .send()
                .await
                .expect("sign-in");
            assert_eq!(signed.status(), 303, "a right token signs in");
            let mut took = vec![t.elapsed()];
            let cookie = signed.headers()["set-cookie"]
                .to_str()
                .expect("a cookie")
                .split(';')
                .next()
                .expect("a cookie")
                .to_owned();
            for i in 0..lookups {
                let order = format!("load-{}", (who * 7 + i) % ORDERS);
                let t = Instant::now();
                let form = http
                    .get(format!("{front}/lookup?paymentType=ecom&orderId=%23{order}"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .expect("the lookup form");
                assert_eq!(form.status(), 303, "the form leads to the order");
                took.push(t.elapsed());
                let location = form.headers()["location"].to_str().expect("a location").to_owned();
                let t = Instant::now();
                let page = http
                    .get(format!("{front}{location}"))
                    .header("cookie", &cookie)
                    .header("accept-language", "nb")
                    .send()
                    .await
                    .expect("the order's page");
                assert_eq!(page.status(), 200, "the order is shown");
                let body = page.text().await.expect("the page");
                took.push(t.elapsed());
                assert!(body.contains(&order), "the page is the order's");
            }
            took
        }));
    }
    let mut all = Vec::new();
    let mut staff = 0;
    for person in people {
        all.extend(person.await.expect("a person's lookups"));
        staff += 1;
    }
    let elapsed = started.elapsed();
    all.sort();
    println!(
        "{}",
        serde_json::json!({
            "measurement": "console pages through the front end",
            "staff": staff,
            "pages": all.len(),
            "seconds": elapsed.as_secs_f64(),
            "pagesPerSecond": all.len() as f64 / elapsed.as_secs_f64(),
            "p50Ms": quantile(&all, 0.50),
            "p95Ms": quantile(&all, 0.95),
            "p99Ms": quantile(&all, 0.99),
            "maxMs": quantile(&all, 1.0),
        })
    );
}
