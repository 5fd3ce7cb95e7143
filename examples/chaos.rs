//! Exactly-once receipts at scale, offline: many orders against the
//! emulator, with a share of the receipt POSTs failing before the store
//! (503, 429) or after it (500, 504, the connection dropped). Each order's
//! loop calls `post_receipt` until `Ok`, as a merchant's job runner would.
//! At the end every order must hold exactly its own receipt.
//!
//! ```text
//! cargo run --release --example chaos -- [ORDERS] [FAULT_PERCENT] [CONCURRENCY]
//! cargo run --release --example chaos -- 10000 10 64
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use vipps_order_management::{Amount, Currency, Operation, OrderLine, PaymentType, Receipt, RetryPolicy, TaxRate};
use vipps_order_management_emulator::{Emulator, Fault};

fn receipt(i: usize) -> Receipt {
    let total = 1_000 + (i as i64 % 10_000) * 5;
    let line = OrderLine::new(
        format!("sku-{i}"),
        format!("Item {i}"),
        Amount::from_minor(total),
        Amount::from_minor(total - total / 5),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

fn arg(n: usize, default: usize) -> usize {
    std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> ExitCode {
    let (orders, percent, concurrency) = (arg(1, 10_000), arg(2, 10).min(100), arg(3, 64).max(1));
    const TRIES: usize = 100;
    let emulator = match Emulator::start().await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    // A fault queue as long as the expected number of POSTs: each entry a
    // fault with the given probability, else a pass-through.
    let mut rng = fastrand::Rng::with_seed(2026);
    let mut kinds = [0usize; 6];
    for _ in 0..orders * 2 {
        let kind = if rng.usize(0..100) < percent { 1 + rng.usize(0..5) } else { 0 };
        kinds[kind] += 1;
        let fault = match kind {
            0 => Fault::stall(Duration::ZERO),
            1 => Fault::status(503),
            2 => Fault::status(429),
            3 => Fault::status(500).after_store(),
            4 => Fault::status(504).after_store(),
            _ => Fault::drop_connection().after_store(),
        };
        emulator.inject(fault.only(Operation::PostReceipt));
    }
    let client = match emulator
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(2))
                .max_delay(Duration::from_millis(20)),
        )
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency));
    let mut loops = tokio::task::JoinSet::new();
    for i in 0..orders {
        let (client, limit) = (client.clone(), limit.clone());
        loops.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let order = format!("chaos-{i}");
            let (mut calls, mut conflicts) = (0, 0);
            for _ in 0..TRIES {
                calls += 1;
                match client.ecom(&order).post_receipt(&receipt(i)).await {
                    Ok(posted) => return (i, Some(posted.already_stored), calls, conflicts),
                    Err(e) => conflicts += usize::from(e.is_conflict()),
                }
            }
            (i, None, calls, conflicts)
        });
    }
    let (mut ok, mut reconciled, mut calls, mut conflicts, mut wrong) = (0, 0, 0, 0, 0);
    while let Some(Ok((i, outcome, c, k))) = loops.join_next().await {
        calls += c;
        conflicts += k;
        if let Some(already) = outcome {
            ok += 1;
            reconciled += usize::from(already);
        }
        if emulator.receipt(PaymentType::Ecom, &format!("chaos-{i}")) != Some(receipt(i)) {
            wrong += 1;
        }
    }
    let elapsed = started.elapsed();
    let posts = emulator.requests_for(Operation::PostReceipt).len();
    let stored = emulator.receipt_count();
    println!("orders                  {orders}");
    println!("fault share             {percent} % of queued POST answers");
    println!(
        "faults queued           503: {}, 429: {}, stored+500: {}, stored+504: {}, stored+dropped: {}",
        kinds[1], kinds[2], kinds[3], kinds[4], kinds[5]
    );
    println!("receipt POSTs sent      {posts}");
    println!("post_receipt calls      {calls} ({:.3} per order)", calls as f64 / orders as f64);
    println!("loops ended Ok          {ok}");
    println!("Ok after reconciling    {reconciled}");
    println!("conflicts reported      {conflicts}");
    println!("receipts stored         {stored}");
    println!("orders not holding exactly their own receipt  {wrong}");
    println!(
        "time                    {:.1} s ({:.0} orders/s)",
        elapsed.as_secs_f64(),
        orders as f64 / elapsed.as_secs_f64()
    );
    if ok == orders && conflicts == 0 && stored == orders && wrong == 0 {
        println!("PASS: every order holds exactly its own receipt");
        ExitCode::SUCCESS
    } else {
        println!("FAIL");
        ExitCode::FAILURE
    }
}
