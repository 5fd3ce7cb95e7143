//! The outbox against real faults, on SQLite and on a real Postgres:
//! 10,000 receipts across 500 merchant serial numbers, four `vipps-om
//! outbox work` processes, one of them killed with SIGKILL every second and
//! started again; the emulator answering 20 % of receipt posts with 503
//! and `Retry-After`, dropping 5 % of connections before and 5 % after the
//! receipt is stored; then every call failing for longer than the SDK's
//! deadline. At the end every receipt is stored, once and as enqueued;
//! exactly the deliveries made invalid on purpose are dead; nothing is
//! pending.

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::outbox::{sigterm, worker};
use vipps_order_management::{Amount, Currency, Operation, OrderLine, PaymentType, Receipt, TaxRate};
use vipps_order_management_emulator::{Emulator, Fault};
use vipps_order_management_outbox::{Delivery, Filter, JobState, Outbox};

const RECEIPTS: usize = 10_000;
const MERCHANTS: usize = 500;
const WORKERS: usize = 4;
/// Orders that hold another receipt already: their deliveries can never
/// succeed.
const TAKEN: usize = 20;
/// Rows written by hand that no worker can read.
const BROKEN: usize = 10;
/// The workers' lease: the SDK's deadline for a delivery is half of it.
const LEASE_SECONDS: u64 = 4;
/// The outage: every call fails, for longer than the SDK's deadline.
const OUTAGE: Duration = Duration::from_secs(6);

fn msn(n: usize) -> String {
    format!("{}", 200_000 + n % MERCHANTS)
}

fn receipt(n: usize, item: &str) -> Receipt {
    let price = 100 + i64::try_from(n).unwrap();
    let line = OrderLine::new(
        "1",
        item,
        Amount::from_minor(price * 5),
        Amount::from_minor(price * 4),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

/// The chaos the emulator makes of receipt posts: 20 % 503 with
/// Retry-After, 5 % connections dropped before the store, 5 % after it.
/// Each fault is tried in turn, so each one's chance is of what the
/// faults before it let through.
fn inject_chaos(emulator: &Emulator) {
    let receipts = |f: Fault, seed: u64| f.only(Operation::PostReceipt).seed(seed);
    emulator.inject(receipts(Fault::status(503).retry_after("1").probability(0.20), 1));
    emulator.inject(receipts(Fault::drop_connection().probability(0.05 / 0.80), 2));
    emulator.inject(receipts(Fault::drop_connection().after_store().probability(0.05 / 0.75), 3));
}

fn spawn_worker(base: &str, url: &str) -> Child {
    let lease = LEASE_SECONDS.to_string();
    worker(
        base,
        url,
        &[
            "--partner",
            "--lease",
            &lease,
            "--concurrency",
            "16",
            "--grace",
            "1",
            "--first-wait-ms",
            "200",
            "--longest-wait-ms",
            "2000",
        ],
    )
}

async fn chaos(url: &str) {
    let emulator = Emulator::builder().record_requests(false).start().await.unwrap();
    let base = emulator.base_url();
    let outbox = Outbox::open_with(url, 4).await.unwrap();
    let started = Instant::now();

    // What can never be delivered: orders holding another receipt, and
    // rows a shop wrote by hand that are not the API's JSON.
    for n in 0..TAKEN {
        emulator
            .client()
            .ecom(format!("taken-{n}"))
            .merchant_serial_number(msn(n))
            .post_receipt(&receipt(n, "Someone else's"))
            .await
            .unwrap();
    }
    let mut deliveries: Vec<Delivery> = (0..RECEIPTS)
        .map(|n| Delivery::receipt(msn(n), PaymentType::Ecom, format!("order-{n}"), receipt(n, "Coffee")).unwrap())
        .collect();
    deliveries.extend((0..TAKEN).map(|n| Delivery::receipt(msn(n), PaymentType::Ecom, format!("taken-{n}"), receipt(n, "Ours")).unwrap()));
    for batch in deliveries.chunks(1000) {
        outbox.enqueue_all(batch).await.unwrap();
    }
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    for n in 0..BROKEN {
        let insert = format!(
            "INSERT INTO vipps_om_outbox (merchant_serial_number, payment_type, order_id, kind, body) VALUES ('{}', 'ECOM', 'broken-{n}', 'receipt', 'not json')",
            msn(n)
        );
        sqlx::query(sqlx::AssertSqlSafe(insert)).execute(&mut conn).await.unwrap();
    }
    let enqueued = started.elapsed();

    inject_chaos(&emulator);
    let mut workers: Vec<Child> = (0..WORKERS).map(|_| spawn_worker(&base, url)).collect();
    let mut kills = 0;
    let mut outage: Option<Instant> = None;
    let mut outage_over = false;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        // One worker killed without warning, and started again.
        let victim = &mut workers[kills % WORKERS];
        victim.kill().unwrap();
        victim.wait().unwrap();
        *victim = spawn_worker(&base, url);
        kills += 1;
        let summary = outbox.summary().await.unwrap();
        // Half way, every call fails for longer than the SDK's deadline.
        if outage.is_none() && summary.pending <= (RECEIPTS / 2) as u64 {
            emulator.clear_faults();
            emulator.inject(Fault::status(503).times(usize::MAX));
            outage = Some(Instant::now());
        }
        if let Some(at) = outage.filter(|at| !outage_over && at.elapsed() >= OUTAGE) {
            emulator.clear_faults();
            inject_chaos(&emulator);
            outage_over = true;
            println!("the outage lasted {:.1} s", at.elapsed().as_secs_f64());
        }
        if outage_over && summary.pending == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "still {} pending after ten minutes ({kills} kills)",
            summary.pending
        );
    }
    for worker in &workers {
        sigterm(worker);
    }
    for worker in &mut workers {
        assert!(worker.wait().unwrap().success(), "a worker stops cleanly on SIGTERM");
    }
    let took = started.elapsed();

    // Every receipt stored, as enqueued (the emulator stores one per order:
    // a second post is answered 409, and the SDK finds it the same).
    for n in 0..RECEIPTS {
        let stored = emulator.receipt_for(&msn(n), PaymentType::Ecom, &format!("order-{n}"));
        assert_eq!(stored.as_ref(), Some(&receipt(n, "Coffee")), "order-{n} at {}", msn(n));
    }
    assert_eq!(emulator.receipt_count(), RECEIPTS + TAKEN, "no receipt anywhere else");
    // Exactly the invalid ones are dead, each with why.
    let dead = outbox
        .list(&Filter::undelivered().states([JobState::Dead]).limit(1000))
        .await
        .unwrap();
    let mut dead_orders: Vec<String> = dead.iter().map(|j| j.order_id.clone()).collect();
    dead_orders.sort();
    let mut expected: Vec<String> = (0..TAKEN)
        .map(|n| format!("taken-{n}"))
        .chain((0..BROKEN).map(|n| format!("broken-{n}")))
        .collect();
    expected.sort();
    assert_eq!(dead_orders, expected);
    for job in &dead {
        let why = job.last_error.as_deref().unwrap_or_default();
        let said = if job.order_id.starts_with("taken") {
            "different receipt"
        } else {
            "not JSON"
        };
        assert!(why.contains(said), "{}: {why}", job.order_id);
    }
    let summary = outbox.summary().await.unwrap();
    assert_eq!((summary.pending, summary.dead), (0, (TAKEN + BROKEN) as u64));
    let delivered = outbox
        .list(&Filter::undelivered().states([JobState::Delivered]).limit(10_000))
        .await
        .unwrap();
    let again = delivered.iter().filter(|j| j.outcome.as_deref() == Some("already stored")).count();
    let tries: u64 = delivered.iter().map(|j| u64::from(j.attempts)).sum();
    println!(
        "{} on {}: {RECEIPTS} receipts enqueued in {:.1} s, delivered in {:.1} s with {kills} workers killed; {tries} tries, {again} found already stored",
        if url.starts_with("postgres") { "Postgres" } else { "SQLite" },
        outbox.shown(),
        enqueued.as_secs_f64(),
        (took - enqueued).as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_on_sqlite() {
    let path = std::env::temp_dir().join(format!("vipps-om-chaos-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    chaos(&url).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_on_postgres() {
    let Some(pg) = common::postgres::database("outbox_chaos").await else {
        return;
    };
    chaos(&pg.url).await;
}
