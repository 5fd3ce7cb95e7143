//! The outbox in the SQLite file of one machine (a POS, a small shop): a delivery enqueued inside
//! the merchant's transaction, committed with the order or not at all.
//!
//! ```no_run
//! # async fn demo(pool: sqlx::SqlitePool, receipt: vipps_order_management::Receipt) -> Result<(), Box<dyn std::error::Error>> {
//! use vipps_order_management::PaymentType;
//! use vipps_order_management_outbox::{sqlite, Delivery};
//!
//! let mut tx = pool.begin().await?;
//! sqlx::query("UPDATE orders SET state = 'captured' WHERE id = ?1").bind("order-1").execute(&mut *tx).await?;
//! sqlite::enqueue(&mut tx, &Delivery::receipt("123456", PaymentType::Ecom, "order-1", receipt)?).await?;
//! tx.commit().await?; // the receipt is delivered exactly when the order is captured
//! # Ok(()) }
//! ```

use std::time::SystemTime;

use sqlx::SqliteConnection;

use crate::delivery::Delivery;
use crate::enqueue::{enqueue_on, Enqueued};
use crate::error::OutboxError;

/// Enqueues `delivery` on `conn`: inside the merchant's transaction (pass
/// `&mut tx`), it is committed with the rest of the transaction or not at
/// all. The rules are [`crate::Outbox::enqueue`]'s. The table must exist:
/// [`crate::Outbox::open`] (or [`migrate`]) makes it once, at start.
pub async fn enqueue(conn: &mut SqliteConnection, delivery: &Delivery) -> Result<Enqueued, OutboxError> {
    enqueue_on!(conn, delivery, SystemTime::now())
}

/// Makes or updates the outbox's table in the SQLite database, through
/// the merchant's own pool (what [`crate::Outbox::open`] does too).
pub async fn migrate(pool: &sqlx::SqlitePool) -> Result<(), OutboxError> {
    let mut migrator = sqlx::migrate!("migrations/sqlite");
    migrator.dangerous_set_table_name(crate::database::MIGRATIONS_TABLE);
    migrator.set_ignore_missing(true);
    migrator
        .run(pool)
        .await
        .map_err(|e| OutboxError::database_said("make its table", e.to_string()))
}
