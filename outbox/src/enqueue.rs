//! Putting a delivery in the outbox: one statement that adds the row
//! unless its key is there, then, when it was, the same (a no-op), a newer
//! v2 category (it replaces the older), or a conflict (an error, before
//! anything is sent).
//!
//! The statements run on whatever connection they are given, so that a
//! merchant's own transaction commits the delivery with its order or not
//! at all ([`crate::postgres::enqueue`], [`crate::sqlite::enqueue`]).

use std::time::SystemTime;

use crate::delivery::{Delivery, Kind, Row};
use crate::error::OutboxError;
use crate::job::JobState;

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Enqueued {
    /// A new delivery, with its id.
    Added(i64),
    /// The same delivery was in the outbox already (in this state): nothing
    /// changed.
    AlreadyThere(i64, JobState),
    /// A v2 category replaced the older one for its order; it is pending
    /// again (the newest is the one delivered).
    Replaced(i64),
}

impl Enqueued {
    /// The delivery's id in the outbox.
    #[must_use]
    pub fn id(self) -> i64 {
        match self {
            Enqueued::Added(id) | Enqueued::AlreadyThere(id, _) | Enqueued::Replaced(id) => id,
        }
    }
}

/// The new row, unless its key is in the table.
pub(crate) const INSERT: &str = "INSERT INTO vipps_om_outbox \
     (merchant_serial_number, payment_type, order_id, kind, item, body, image_id, created_at, tries_since, next_try_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (merchant_serial_number, payment_type, order_id, kind, item) DO NOTHING RETURNING id";

/// The row under a key.
pub(crate) const EXISTING: &str = "SELECT id, body, state FROM vipps_om_outbox \
     WHERE merchant_serial_number = $1 AND payment_type = $2 AND order_id = $3 AND kind = $4 AND item = $5";

/// A v2 category's newer body, pending again from now.
pub(crate) const REPLACE: &str = "UPDATE vipps_om_outbox SET body = $1, image_id = $2, revision = revision + 1, \
     state = 'pending', attempts = 0, tries_since = $3, next_try_at = $4, last_error = NULL, last_error_at = NULL, \
     outcome = NULL, finished_at = NULL WHERE id = $5";

/// What to do when the key was there: `Ok(None)` the same, `Ok(Some(()))`
/// replace it, `Err` a conflict.
pub(crate) fn decide(row: &Row, id: i64, stored_body: &str, state: &str) -> Result<Option<()>, OutboxError> {
    let same = match (
        serde_json::from_str::<serde_json::Value>(stored_body),
        serde_json::from_str::<serde_json::Value>(&row.body),
    ) {
        (Ok(stored), Ok(new)) => stored == new,
        _ => stored_body == row.body,
    };
    if same {
        return Ok(None);
    }
    // A newer v2 category replaces the older; anything set aside by staff
    // (discarded, never to be delivered) makes way for what is enqueued now.
    if row.kind == Kind::Category || state == JobState::Discarded.as_str() {
        return Ok(Some(()));
    }
    Err(OutboxError::Conflict {
        kind: row.kind,
        key: key_words(row),
        id,
        state: JobState::parse(state).unwrap_or(JobState::Dead),
    })
}

/// A delivery's key in words, for errors.
pub(crate) fn key_words(row: &Row) -> String {
    let key = match row.kind {
        Kind::Image => format!("image {} at merchant {}", row.item, row.merchant_serial_number),
        Kind::CategoryV3 => format!(
            "the link {} on order {} ({}) at merchant {}",
            row.item, row.order_id, row.payment_type, row.merchant_serial_number
        ),
        _ => format!(
            "order {} ({}) at merchant {}",
            row.order_id, row.payment_type, row.merchant_serial_number
        ),
    };
    let kind = match row.kind {
        Kind::CategoryV3 => "v3 category",
        other => other.as_str(),
    };
    format!("{key} ({kind})")
}

/// Enqueues `delivery` on `$conn` (a `&mut` connection of any sqlx
/// database the table is in), at `$now`.
macro_rules! enqueue_on {
    ($conn:expr, $delivery:expr, $now:expr) => {{
        use sqlx::Row as _;
        let row = $delivery.row();
        let now = $crate::job::millis($now);
        let failed = |e: sqlx::Error| $crate::error::OutboxError::database("enqueue a delivery", &e);
        let added: Option<i64> = sqlx::query_scalar($crate::enqueue::INSERT)
            .bind(&row.merchant_serial_number)
            .bind(&row.payment_type)
            .bind(&row.order_id)
            .bind(row.kind.as_str())
            .bind(&row.item)
            .bind(&row.body)
            .bind(&row.image_id)
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_optional(&mut *$conn)
            .await
            .map_err(failed)?;
        match added {
            Some(id) => Ok($crate::enqueue::Enqueued::Added(id)),
            None => {
                let existing = sqlx::query($crate::enqueue::EXISTING)
                    .bind(&row.merchant_serial_number)
                    .bind(&row.payment_type)
                    .bind(&row.order_id)
                    .bind(row.kind.as_str())
                    .bind(&row.item)
                    .fetch_one(&mut *$conn)
                    .await
                    .map_err(failed)?;
                let id: i64 = existing.try_get(0).map_err(failed)?;
                let body: String = existing.try_get(1).map_err(failed)?;
                let state: String = existing.try_get(2).map_err(failed)?;
                match $crate::enqueue::decide(&row, id, &body, &state)? {
                    None => Ok($crate::enqueue::Enqueued::AlreadyThere(
                        id,
                        $crate::job::JobState::parse(&state).unwrap_or($crate::job::JobState::Dead),
                    )),
                    Some(()) => {
                        sqlx::query($crate::enqueue::REPLACE)
                            .bind(&row.body)
                            .bind(&row.image_id)
                            .bind(now)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *$conn)
                            .await
                            .map_err(failed)?;
                        Ok($crate::enqueue::Enqueued::Replaced(id))
                    }
                }
            }
        }
    }};
}
pub(crate) use enqueue_on;

impl crate::database::Outbox {
    /// Enqueues a delivery on its own (not inside a transaction of yours:
    /// for that, [`crate::postgres::enqueue`] or
    /// [`crate::sqlite::enqueue`]). Enqueueing the same delivery again is a
    /// no-op; a different receipt, image or v3 category under the same key
    /// is [`OutboxError::Conflict`]; a newer v2 category for an order
    /// replaces the older.
    pub async fn enqueue(&self, delivery: &Delivery) -> Result<Enqueued, OutboxError> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.failed("enqueue a delivery", &e))?;
        let conn: &mut sqlx::AnyConnection = &mut conn;
        enqueue_on!(conn, delivery, SystemTime::now())
    }

    /// Enqueues every delivery, in one transaction: all of them, or none
    /// ([`OutboxError::InBatch`] names the one refused, counting from 0).
    pub async fn enqueue_all(&self, deliveries: &[Delivery]) -> Result<Vec<Enqueued>, OutboxError> {
        // Two of the batch under one key with different bodies: said as
        // such (the database would name a row that the rollback undoes).
        let rows: Vec<Row> = deliveries.iter().map(Delivery::row).collect();
        let mut seen: std::collections::HashMap<(&str, &str, &str, Kind, &str), usize> = std::collections::HashMap::new();
        for (index, row) in rows.iter().enumerate() {
            let key = (
                row.merchant_serial_number.as_str(),
                row.payment_type.as_str(),
                row.order_id.as_str(),
                row.kind,
                row.item.as_str(),
            );
            if let Some(&first) = seen.get(&key) {
                let same = serde_json::from_str::<serde_json::Value>(&rows[first].body).ok()
                    == serde_json::from_str::<serde_json::Value>(&row.body).ok();
                if !same && row.kind != Kind::Category {
                    return Err(OutboxError::InBatch {
                        index,
                        error: Box::new(OutboxError::config(format!(
                            "it has the key of delivery {} of the batch, {}, with a different body",
                            first + 1,
                            key_words(row)
                        ))),
                    });
                }
            }
            seen.insert(key, index);
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.failed("enqueue deliveries", &e))?;
        let mut done = Vec::with_capacity(deliveries.len());
        for (index, delivery) in deliveries.iter().enumerate() {
            let conn: &mut sqlx::AnyConnection = &mut tx;
            // In a block of its own: its `?` ends the block, not this call.
            let enqueued: Result<Enqueued, OutboxError> = async { enqueue_on!(conn, delivery, SystemTime::now()) }.await;
            match enqueued {
                Ok(enqueued) => done.push(enqueued),
                Err(error) => {
                    return Err(OutboxError::InBatch {
                        index,
                        error: Box::new(error),
                    })
                }
            }
        }
        tx.commit().await.map_err(|e| self.failed("commit the deliveries", &e))?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vipps_order_management::{Amount, Category, CategoryType, Currency, OrderLine, PaymentType, Receipt, TaxRate};

    fn receipt(price: i64) -> Delivery {
        let line = OrderLine::new(
            "1",
            "Bun",
            Amount::from_minor(price),
            Amount::from_minor(price * 4 / 5),
            TaxRate::percent(25),
        );
        Delivery::receipt("123456", PaymentType::Ecom, "order-1", Receipt::new(Currency::Nok, vec![line])).unwrap()
    }

    #[test]
    fn the_same_body_in_another_spelling_is_the_same() {
        let row = receipt(100).row();
        let spaced = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&row.body).unwrap()).unwrap();
        assert!(decide(&row, 7, &spaced, "pending").unwrap().is_none());
    }

    #[test]
    fn a_different_receipt_is_a_conflict_that_says_what_to_do() {
        let first = receipt(100).row();
        let second = receipt(200).row();
        let err = decide(&second, 7, &first.body, "delivered").unwrap_err();
        let said = err.to_string();
        assert!(matches!(
            err,
            OutboxError::Conflict {
                id: 7,
                state: JobState::Delivered,
                ..
            }
        ));
        assert!(
            said.contains("order order-1 (ECOM) at merchant 123456") && said.contains("new order id"),
            "{said}"
        );
    }

    #[test]
    fn a_newer_category_replaces_the_older() {
        let old = Delivery::category(
            "123456",
            PaymentType::Ecom,
            "order-1",
            Category::new(CategoryType::OrderConfirmation, "https://shop.example/1"),
        )
        .unwrap()
        .row();
        let new = Delivery::category(
            "123456",
            PaymentType::Ecom,
            "order-1",
            Category::new(CategoryType::Delivery, "https://shop.example/1"),
        )
        .unwrap()
        .row();
        assert_eq!(decide(&new, 3, &old.body, "delivered").unwrap(), Some(()));
        assert_eq!(decide(&new, 3, &new.body, "delivered").unwrap(), None);
    }
}
