//! The outbox, offline, in one command: a shop captures orders and, in the
//! same SQLite transaction, enqueues their receipts; a worker delivers them
//! to the emulator and is killed half way (no graceful stop: its tasks are
//! dropped mid-delivery); another worker starts, takes over the dead one's
//! deliveries when their lease ends, and delivers the rest. Every receipt is
//! stored once; the one that cannot be stored is shown, dead, with why.
//!
//! ```text
//! cargo run -p vipps-order-management-outbox --example offline
//! ```

use std::time::Duration;

use vipps_order_management::{Amount, Currency, Operation, OrderLine, PaymentType, Receipt, TaxRate};
use vipps_order_management_emulator::{Emulator, Fault};
use vipps_order_management_outbox::{database, sqlite, Clients, Delivery, Filter, JobState, Outbox, Worker};

const ORDERS: usize = 20;

fn receipt(order: usize, item: &str) -> Receipt {
    let price = 1000 + 125 * i64::try_from(order).unwrap_or(0);
    let line = OrderLine::new(
        "1",
        item,
        Amount::from_minor(price),
        Amount::from_minor(price * 4 / 5),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::start().await?;
    let msn = emulator.merchant_serial_number().to_owned();
    let dir = std::env::temp_dir().join(format!("vipps-outbox-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = database::sqlite_file(&dir.join("shop.db"));

    // The shop: its own table, and the outbox beside it in the same file.
    let outbox = Outbox::open(&url).await?;
    let shop = sqlx::SqlitePool::connect(&url).await?;
    sqlx::query("CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, state TEXT NOT NULL)")
        .execute(&shop)
        .await?;
    // Someone else already stored another receipt for order-13: the shop's
    // receipt for it can never be stored.
    emulator.client().ecom("order-13").post_receipt(&receipt(13, "Gift card")).await?;
    for n in 1..=ORDERS {
        let order = format!("order-{n}");
        let mut tx = shop.begin().await?;
        sqlx::query("INSERT INTO orders (id, state) VALUES (?1, 'captured')")
            .bind(&order)
            .execute(&mut *tx)
            .await?;
        sqlite::enqueue(
            &mut tx,
            &Delivery::receipt(&msn, PaymentType::Ecom, order.as_str(), receipt(n, "Coffee beans"))?,
        )
        .await?;
        tx.commit().await?;
    }
    println!("{ORDERS} orders captured, each with its receipt in the outbox, in one transaction each");

    // The first worker, one delivery at a time, killed half way: while
    // order-10's receipt is stored but its answer not yet back (the
    // emulator holds the answer), the worst moment there is.
    emulator.inject(Fault::stall(Duration::from_secs(60)).only(Operation::PostReceipt).order("order-10"));
    let first = Worker::new(outbox.clone(), Clients::new().merchant(emulator.client()))
        .concurrency(1)
        .lease(Duration::from_secs(2));
    let running = tokio::spawn(async move { first.run(std::future::pending()).await });
    while emulator.receipt_for(&msn, PaymentType::Ecom, "order-10").is_none() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.abort();
    let _ = running.await;
    let summary = outbox.summary().await?;
    println!(
        "the first worker was killed while the answer to order-10's receipt was on its way: {} deliveries still pending",
        summary.pending
    );

    // The second worker delivers the rest, including what the first held
    // when it died (once its two-second lease is over).
    let second = Worker::new(outbox.clone(), Clients::new().merchant(emulator.client())).poll_interval(Duration::from_millis(100));
    while outbox.summary().await?.pending > 0 {
        second.drain().await?;
        if outbox.summary().await?.pending > 0 {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    let delivered = outbox
        .list(&Filter::undelivered().states([JobState::Delivered]).limit(1000))
        .await?;
    let again = delivered.iter().filter(|j| j.outcome.as_deref() == Some("already stored")).count();
    println!(
        "delivered: {} receipts, {again} of them found already stored (the one the killed worker had sent): none stored twice",
        delivered.len()
    );
    println!("receipts the emulator holds: {} (one per order)", emulator.receipt_count());
    for job in outbox.list(&Filter::undelivered().states([JobState::Dead])).await? {
        println!(
            "dead: {} (delivery {}, tries: {}): {}",
            job.order_id,
            job.id,
            job.attempts,
            job.last_error.unwrap_or_default()
        );
    }
    outbox.close().await;
    shop.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
