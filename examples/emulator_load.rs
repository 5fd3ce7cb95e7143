//! The emulator as a team's shared service, under load: its state file's
//! throughput, reads while writers post, and how fast a large state loads
//! (a normal client beside hostile ones is `emulator_attacks`). Prints one
//! JSON line per measurement (BENCHMARKS.md §8 is made from them).
//!
//! ```sh
//! cargo run --release --example emulator_load
//! cargo run --release --example emulator_load -- 2000 100000   # receipts, state size
//! ```

use std::time::{Duration, Instant};

use vipps_order_management::{Amount, Client, Currency, OrderLine, Receipt, RetryPolicy, TaxRate};
use vipps_order_management_emulator::Emulator;

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

fn client(emulator: &Emulator) -> Client {
    emulator.client_builder().retry_policy(RetryPolicy::none()).build().unwrap()
}

/// The value below which `q` of the sorted samples lie.
fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Posts `n` receipts with `concurrency` callers; the rate and latencies.
async fn post_many(client: &Client, prefix: &str, n: usize, concurrency: usize) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, next, prefix) = (client.clone(), next.clone(), prefix.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            let receipt = receipt();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return took;
                }
                let t = Instant::now();
                client.ecom(format!("{prefix}-{i}")).post_receipt(&receipt).await.unwrap();
                took.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all)
}

/// `n` sequential get-orders of a stored order: their latencies, sorted.
async fn get_many(client: &Client, n: usize) -> Vec<Duration> {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        client.ecom("read-me").get().await.unwrap();
        took.push(t.elapsed());
    }
    took.sort();
    took
}

fn print_latency(what: &str, extra: &str, sorted: &[Duration]) {
    println!(
        r#"{{"what":"{what}",{extra}"samples":{},"p50_ms":{:.3},"p99_ms":{:.3},"max_ms":{:.3}}}"#,
        sorted.len(),
        quantile(sorted, 0.5),
        quantile(sorted, 0.99),
        quantile(sorted, 1.0)
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let receipts = args.first().copied().unwrap_or(2000);
    let state_size = args.get(1).copied().unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("vipps-om-emulator-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // 1. Receipts with a state file, at concurrency 32.
    let emulator = Emulator::builder()
        .state_file(dir.join("state.jsonl"))
        .record_requests(false)
        .start()
        .await
        .unwrap();
    let c = client(&emulator);
    c.warm_up().await.unwrap();
    let (rate, took) = post_many(&c, "w", receipts, 32).await;
    print_latency(
        "receipts_with_state",
        &format!(r#""receipts":{receipts},"concurrency":32,"per_second":{rate:.0},"#),
        &took,
    );

    // 2. Reads, alone and while 8 writers post.
    c.ecom("read-me").post_receipt(&receipt()).await.unwrap();
    print_latency("get_order_alone", "", &get_many(&c, 2000).await);
    let writers = {
        let c = c.clone();
        tokio::spawn(async move { post_many(&c, "busy", receipts * 4, 8).await })
    };
    let reads = get_many(&c, 2000).await;
    let (writer_rate, _) = writers.await.unwrap();
    print_latency(
        "get_order_with_8_writers",
        &format!(r#""writer_receipts_per_second":{writer_rate:.0},"#),
        &reads,
    );
    emulator.stop().await;

    // 3. A state of `state_size` receipts: written, then loaded.
    let big = dir.join("big.jsonl");
    {
        let emulator = Emulator::builder().state_file(&big).record_requests(false).start().await.unwrap();
        let c = client(&emulator);
        let (rate, _) = post_many(&c, "big", state_size, 32).await;
        eprintln!("wrote {state_size} receipts at {rate:.0}/s");
        emulator.stop().await;
    }
    let bytes = std::fs::metadata(&big).unwrap().len();
    let started = Instant::now();
    let loaded = Emulator::builder().state_file(&big).record_requests(false).start().await.unwrap();
    let load_s = started.elapsed().as_secs_f64();
    assert_eq!(loaded.receipt_count(), state_size);
    println!(r#"{{"what":"state_load","receipts":{state_size},"bytes":{bytes},"seconds":{load_s:.2}}}"#);
    loaded.stop().await;

    let _ = std::fs::remove_dir_all(&dir);
}
