//! The emulator as a shared service under attack: a normal client's
//! latency (a receipt posted, then its order read, 1,000 times) with no
//! other client, and beside each attack issue 25 found, made from another
//! address of this machine (127.0.0.2), as another client is. Prints one
//! JSON line per row (BENCHMARKS.md §8 is made from them).
//!
//! ```sh
//! cargo run --release --example emulator_attacks
//! cargo run --release --example emulator_attacks -- 302000   # receipts stored for the health attack
//! ```

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};
use vipps_order_management::{Amount, Client, Currency, OrderLine, Receipt, RetryPolicy, TaxRate};
use vipps_order_management_emulator::Emulator;

/// The attacker's address: another client than the normal one (127.0.0.1).
const ATTACKER: [u8; 4] = [127, 0, 0, 2];

fn receipt() -> Receipt {
    let line = OrderLine::new(
        "sku-1",
        "Wool socks",
        Amount::from_minor(29_800),
        Amount::from_minor(23_840),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

/// A receipt of about `bytes` of JSON, as a heavy client sends it.
fn heavy_receipt(bytes: usize) -> Vec<u8> {
    let line = serde_json::json!({
        "name": "x".repeat(900), "id": "1", "totalAmount": 1250,
        "totalAmountExcludingTax": 1000, "totalTaxAmount": 250, "taxRate": 2500
    });
    let per_line = line.to_string().len() + 1;
    let lines = vec![line; bytes / per_line];
    serde_json::to_vec(&serde_json::json!({"orderLines": lines, "bottomLine": {"currency": "NOK"}})).unwrap()
}

/// The value below which `q` of the sorted samples lie, in milliseconds.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// The normal client: 1,000 receipts posted and their orders read, one
/// after the other; every call's latency, sorted. A call that fails counts
/// as failed (and its time is kept).
async fn normal_client(client: &Client, prefix: &str) -> (Vec<Duration>, usize) {
    let (mut took, mut failed) = (Vec::with_capacity(2000), 0);
    let receipt = receipt();
    for i in 0..1000 {
        let order = client.ecom(format!("{prefix}-{i}"));
        let t = Instant::now();
        failed += usize::from(order.post_receipt(&receipt).await.is_err());
        took.push(t.elapsed());
        let t = Instant::now();
        failed += usize::from(order.get().await.is_err());
        took.push(t.elapsed());
    }
    took.sort();
    (took, failed)
}

fn print_row(attack: &str, detail: &str, sorted: &[Duration], failed: usize) {
    println!(
        r#"{{"what":"attack","attack":"{attack}","detail":"{detail}","samples":{},"failed":{failed},"p50_ms":{:.3},"p99_ms":{:.3},"max_ms":{:.3}}}"#,
        sorted.len(),
        quantile(sorted, 0.5),
        quantile(sorted, 0.99),
        quantile(sorted, 1.0)
    );
}

/// A connection to `addr` from the attacker's address.
async fn attacker_connection(addr: SocketAddr) -> Option<TcpStream> {
    let socket = TcpSocket::new_v4().ok()?;
    socket.bind((ATTACKER, 0).into()).ok()?;
    socket.connect(addr).await.ok()
}

/// An HTTP client on the attacker's address.
fn attacker_http() -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(ATTACKER)).build().unwrap()
}

/// Runs `tasks` copies of `work` until `stop`, each as fast as it can.
fn flood<F, Fut>(tasks: usize, stop: &Arc<AtomicBool>, work: F) -> Vec<tokio::task::JoinHandle<usize>>
where
    F: Fn() -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    (0..tasks)
        .map(|_| {
            let (stop, work) = (stop.clone(), work.clone());
            tokio::spawn(async move {
                let mut done = 0;
                while !stop.load(Ordering::Relaxed) {
                    work().await;
                    done += 1;
                }
                done
            })
        })
        .collect()
}

async fn settle(stop: Arc<AtomicBool>, tasks: Vec<tokio::task::JoinHandle<usize>>) -> usize {
    stop.store(true, Ordering::Relaxed);
    let mut done = 0;
    for t in tasks {
        done += t.await.unwrap_or(0);
    }
    done
}

fn emulator() -> vipps_order_management_emulator::EmulatorBuilder {
    Emulator::builder()
}

async fn client(emulator: &Emulator) -> Client {
    let client = emulator.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    client.warm_up().await.unwrap();
    client
}

#[tokio::main]
async fn main() {
    // The attacker's own reqwest clients need the process's TLS provider
    // (the SDK hands its own client one and installs none).
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let stored = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000usize);

    // No attack.
    let emu = emulator().start().await.unwrap();
    let c = client(&emu).await;
    let (took, failed) = normal_client(&c, "calm").await;
    print_row("none", "the normal client alone", &took, failed);
    emu.stop().await;

    // 1. Heavy receipts: two clients posting 7.9 MB receipts without pause.
    let emu = emulator().start().await.unwrap();
    let c = client(&emu).await;
    let body = Arc::new(heavy_receipt(7_900_000));
    let (url, token, key) = (
        format!("{}/order-management/v2/ECOM/receipts/", emu.base_url()),
        emu.access_token(),
        emu.subscription_key().to_owned(),
    );
    let heavy = attacker_http();
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = flood(2, &stop, move || {
        let (heavy, body, url, token, key, next) = (heavy.clone(), body.clone(), url.clone(), token.clone(), key.clone(), next.clone());
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let _ = heavy
                .post(format!("{url}heavy-{i}"))
                .bearer_auth(token)
                .header("Ocp-Apim-Subscription-Key", key)
                .header("Merchant-Serial-Number", "123456")
                .header("Content-Type", "application/json")
                .body(body.to_vec())
                .send()
                .await;
        }
    });
    let (took, failed) = normal_client(&c, "heavy").await;
    let done = settle(stop, tasks).await;
    print_row(
        "heavy_receipts",
        &format!("2 clients posting 7.9 MB receipts ({done} sent)"),
        &took,
        failed,
    );
    emu.stop().await;

    // 2. Listing 1,000 large recorded requests, without pause.
    let emu = emulator().record_limit(1000, 64 * 1024).start().await.unwrap();
    let c = client(&emu).await;
    let http = attacker_http();
    let filler = vec![b'{'; 100_000];
    for i in 0..1000 {
        let _ = http
            .post(format!("{}/order-management/v2/ECOM/receipts/fill-{i}", emu.base_url()))
            .body(filler.clone())
            .send()
            .await;
    }
    let listing = format!("http://127.0.0.1:{}/_emulator/requests", emu.local_addr().port());
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = flood(2, &stop, move || {
        let (http, listing) = (http.clone(), listing.clone());
        async move {
            if let Ok(answer) = http.get(listing).send().await {
                let _ = answer.bytes().await;
            }
        }
    });
    let (took, failed) = normal_client(&c, "listing").await;
    let done = settle(stop, tasks).await;
    print_row(
        "record_listing",
        &format!("2 clients listing 1,000 records of 64 KiB ({done} listings)"),
        &took,
        failed,
    );
    emu.stop().await;

    // 3. Health, polled without pause, over many stored receipts.
    let emu = emulator().record_requests(false).start().await.unwrap();
    let c = client(&emu).await;
    {
        let next = Arc::new(AtomicUsize::new(0));
        let mut writers = Vec::new();
        for _ in 0..32 {
            let (c, next) = (c.clone(), next.clone());
            writers.push(tokio::spawn(async move {
                let receipt = receipt();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= stored {
                        return;
                    }
                    let _ = c.ecom(format!("stored-{i}")).post_receipt(&receipt).await;
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
    }
    let http = attacker_http();
    let health = format!("http://127.0.0.1:{}/_emulator/health", emu.local_addr().port());
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = flood(2, &stop, move || {
        let (http, health) = (http.clone(), health.clone());
        async move {
            if let Ok(answer) = http.get(health).send().await {
                let _ = answer.bytes().await;
            }
        }
    });
    let (took, failed) = normal_client(&c, "health").await;
    let done = settle(stop, tasks).await;
    let held = emu.receipt_count();
    print_row(
        "health_polling",
        &format!("2 clients polling health over {held} receipts ({done} polls)"),
        &took,
        failed,
    );
    emu.stop().await;

    // 4. 2,000 slow connections from one address.
    let emu = emulator().start().await.unwrap();
    let c = client(&emu).await;
    let addr = emu.local_addr();
    let mut hostile = Vec::new();
    for i in 0..500 {
        hostile.extend(attacker_connection(addr).await);
        if let Some(mut s) = attacker_connection(addr).await {
            let _ = s.write_all(b"GET /order-management/v2/ECOM/o HTTP/1.1\r\nHost: x\r\n").await;
            hostile.push(s);
        }
        if let Some(mut s) = attacker_connection(addr).await {
            let head = format!("POST /order-management/v2/ECOM/receipts/h-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{{");
            let _ = s.write_all(head.as_bytes()).await;
            hostile.push(s);
        }
        if let Some(mut s) = attacker_connection(addr).await {
            let _ = s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
            hostile.push(s);
        }
    }
    let (took, failed) = normal_client(&c, "slow").await;
    print_row(
        "slow_connections",
        "2,000 connections from one address: 500 each idle, an unfinished head, a slow body, a silent HTTP/2 preface",
        &took,
        failed,
    );
    drop(hostile);
    emu.stop().await;

    // 5. Eight stalled uploads of 8 MiB from one address.
    let emu = emulator().start().await.unwrap();
    let c = client(&emu).await;
    let addr = emu.local_addr();
    let mut stalled = Vec::new();
    for i in 0..8 {
        if let Some(mut s) = attacker_connection(addr).await {
            let head = format!("POST /order-management/v2/ECOM/receipts/s-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n");
            let _ = s.write_all(head.as_bytes()).await;
            // All but the last KiB, then nothing (the server may refuse
            // part of it: the write is not waited on past a second).
            let _ = tokio::time::timeout(Duration::from_secs(1), s.write_all(&vec![b' '; 8 * 1024 * 1024 - 1024])).await;
            stalled.push(s);
        }
    }
    let (took, failed) = normal_client(&c, "stalled").await;
    print_row(
        "stalled_uploads",
        "8 uploads of 8 MiB from one address, stalled before their last KiB",
        &took,
        failed,
    );
    drop(stalled);
    emu.stop().await;

    // 6. Tokens fetched without pause.
    let emu = emulator().start().await.unwrap();
    let c = client(&emu).await;
    let http = attacker_http();
    let (url, id, secret, key) = (
        format!("{}/accesstoken/get", emu.base_url()),
        emu.client_id().to_owned(),
        emu.client_secret().to_owned(),
        emu.subscription_key().to_owned(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let tasks = flood(4, &stop, move || {
        let (http, url, id, secret, key) = (http.clone(), url.clone(), id.clone(), secret.clone(), key.clone());
        async move {
            let _ = http
                .post(url)
                .header("client_id", id)
                .header("client_secret", secret)
                .header("Ocp-Apim-Subscription-Key", key)
                .send()
                .await;
        }
    });
    let (took, failed) = normal_client(&c, "tokens").await;
    let done = settle(stop, tasks).await;
    print_row(
        "token_flood",
        &format!("4 clients fetching tokens ({done} issued, none kept)"),
        &took,
        failed,
    );
    emu.stop().await;
}
