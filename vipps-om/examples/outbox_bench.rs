//! The outbox's benchmark (BENCHMARKS.md, "The outbox"): what enqueueing
//! adds to the merchant's commit, and receipts delivered per second by 1,
//! 4 and 16 workers (each working on 16 at once) against the in-process
//! emulator, on Postgres (a throwaway cluster from Debian's `postgresql`,
//! fsync on) and on SQLite (a file, synchronous=FULL), beside the rate of
//! posting the same receipts directly with the SDK at the same
//! concurrency.
//!
//! ```text
//! cargo run --release -p vipps-om --example outbox_bench
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use vipps_order_management::{Amount, Currency, OrderLine, PaymentType, Receipt, TaxRate};
use vipps_order_management_emulator::Emulator;
use vipps_order_management_outbox::{database, postgres, sqlite, Clients, Delivery, Outbox, Worker};

/// Receipts per delivery run.
const DELIVERIES: usize = 4000;
/// Transactions per enqueue measurement.
const TRANSACTIONS: usize = 2000;
/// Deliveries each worker works on at once.
const CONCURRENCY: usize = 16;

fn receipt(n: usize) -> Receipt {
    let price = 100 + i64::try_from(n).unwrap_or(0);
    let line = OrderLine::new(
        "1",
        "Coffee",
        Amount::from_minor(price * 5),
        Amount::from_minor(price * 4),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// p50 and p99 of the merchant's transactions on `$pool` (a `sqlx` pool of
/// the database at `$url`) without and with the enqueue (`$enqueue`).
macro_rules! enqueue_cost {
    ($url:expr, $pool:ty, $enqueue:path, $name:literal) => {{
        let pool = <$pool>::connect($url).await.unwrap();
        sqlx::query("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, state TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        let mut plain = Vec::with_capacity(TRANSACTIONS);
        let mut with = Vec::with_capacity(TRANSACTIONS);
        for n in 0..TRANSACTIONS {
            for enqueue in [false, true] {
                let order = format!("{}-{enqueue}-{n}", $name);
                let delivery = Delivery::receipt("123456", PaymentType::Ecom, order.as_str(), receipt(n)).unwrap();
                let at = Instant::now();
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("INSERT INTO orders (id, state) VALUES ($1, 'captured')")
                    .bind(&order)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                if enqueue {
                    $enqueue(&mut tx, &delivery).await.unwrap();
                }
                tx.commit().await.unwrap();
                if enqueue { &mut with } else { &mut plain }.push(at.elapsed());
            }
        }
        plain.sort();
        with.sort();
        (
            quantile(&plain, 0.5),
            quantile(&plain, 0.99),
            quantile(&with, 0.5),
            quantile(&with, 0.99),
        )
    }};
}

/// Receipts per second delivered by `workers` workers from a fresh run of
/// receipts (`run` keeps the order ids apart).
async fn delivery_rate(url: &str, workers: usize, run: &str) -> f64 {
    let emulator = Emulator::builder().record_requests(false).start().await.unwrap();
    let outbox = Outbox::open_with(url, u32::try_from(workers * 2 + 2).unwrap_or(64)).await.unwrap();
    // An empty outbox: what earlier runs left (the enqueue runs' rows) is
    // not this run's.
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    sqlx::query("DELETE FROM vipps_om_outbox").execute(&mut conn).await.unwrap();
    let deliveries: Vec<Delivery> = (0..DELIVERIES)
        .map(|n| Delivery::receipt("123456", PaymentType::Ecom, format!("{run}-{n}"), receipt(n)).unwrap())
        .collect();
    for batch in deliveries.chunks(1000) {
        outbox.enqueue_all(batch).await.unwrap();
    }
    // The statistics autovacuum keeps (it analyses a table once a tenth
    // of it changed): without them the planner of a table just filled
    // sorts every pending row for each claim instead of reading the index.
    sqlx::query("ANALYZE vipps_om_outbox").execute(&mut conn).await.unwrap();
    let at = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let worker = Worker::new(outbox.clone(), Clients::new().merchant(emulator.client()))
            .concurrency(CONCURRENCY)
            .poll_interval(Duration::from_millis(5));
        tasks.spawn(async move { worker.drain().await.unwrap().delivered });
    }
    let delivered: u64 = tasks.join_all().await.into_iter().sum();
    let took = at.elapsed();
    assert_eq!(delivered as usize, DELIVERIES);
    assert_eq!(emulator.receipt_count(), DELIVERIES);
    outbox.close().await;
    DELIVERIES as f64 / took.as_secs_f64()
}

/// Receipts per second posted directly with the SDK, `concurrency` at once.
async fn direct_rate(concurrency: usize) -> f64 {
    let emulator = Emulator::builder().record_requests(false).start().await.unwrap();
    let client = emulator.client();
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let at = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..DELIVERIES {
        let (client, gate) = (client.clone(), gate.clone());
        tasks.spawn(async move {
            let _slot = gate.acquire().await.unwrap();
            client.ecom(format!("direct-{n}")).post_receipt(&receipt(n)).await.unwrap();
        });
    }
    tasks.join_all().await;
    let took = at.elapsed();
    assert_eq!(emulator.receipt_count(), DELIVERIES);
    DELIVERIES as f64 / took.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("vipps-outbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite_url = database::sqlite_file(&dir.join("bench.db"));
    let pg = vipps_om_test_support::postgres::database_durable("outbox_bench").await;
    println!(
        "machine: {} cores; {DELIVERIES} receipts a delivery run, {TRANSACTIONS} transactions an enqueue run\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    println!("| Database | Commit p50 (ms) | Commit p99 (ms) | With enqueue p50 (ms) | With enqueue p99 (ms) | Added p50 (ms) |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut backends: Vec<(&str, String)> = Vec::new();
    if let Some(pg) = &pg {
        Outbox::open(&pg.url).await.unwrap();
        let (p50, p99, e50, e99) = enqueue_cost!(&pg.url, sqlx::PgPool, postgres::enqueue, "pg");
        println!(
            "| Postgres | {} | {} | {} | {} | {} |",
            ms(p50),
            ms(p99),
            ms(e50),
            ms(e99),
            ms(e50.saturating_sub(p50))
        );
        backends.push(("Postgres", pg.url.clone()));
    }
    Outbox::open(&sqlite_url).await.unwrap();
    let (p50, p99, e50, e99) = enqueue_cost!(&sqlite_url, sqlx::SqlitePool, sqlite::enqueue, "sq");
    println!(
        "| SQLite | {} | {} | {} | {} | {} |",
        ms(p50),
        ms(p99),
        ms(e50),
        ms(e99),
        ms(e50.saturating_sub(p50))
    );
    backends.push(("SQLite", sqlite_url.clone()));

    println!("\n| Path | Workers | Receipts/s |");
    println!("|---|---:|---:|");
    for workers in [1, 4, 16] {
        let direct = direct_rate(workers * CONCURRENCY).await;
        println!(
            "| directly with the SDK, {} at once | {workers} | {direct:.0} |",
            workers * CONCURRENCY
        );
        for (name, url) in &backends {
            let rate = delivery_rate(url, workers, &format!("{name}-{workers}")).await;
            println!(
                "| outbox on {name} | {workers} | {rate:.0} ({:.0} % of direct) |",
                100.0 * rate / direct
            );
        }
    }
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
}
