//! What staff and other stacks see and do: list deliveries (the
//! undelivered oldest first), show one, retry one now, discard one with a
//! reason, and the counts an operator alerts on.

use std::time::SystemTime;

use serde::Serialize;
use sqlx::Row as _;

use crate::database::Outbox;
use crate::error::OutboxError;
use crate::job::{from_row, millis, moment, Job, JobState, COLUMNS};

/// Which deliveries a listing shows.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Filter {
    /// In these states (none: pending and dead, the undelivered).
    pub states: Vec<JobState>,
    /// Of this order only.
    pub order_id: Option<String>,
    /// Of this merchant serial number only.
    pub merchant_serial_number: Option<String>,
    /// At most this many (default 100, at most 10,000).
    pub limit: Option<u32>,
}

impl Filter {
    /// `select` with this filter's conditions, and what they bind, in order.
    fn clause(&self, select: &str) -> (String, Vec<String>) {
        let states: Vec<JobState> = if self.states.is_empty() {
            vec![JobState::Pending, JobState::Dead]
        } else {
            self.states.clone()
        };
        let mut binds: Vec<String> = states.iter().map(|s| s.as_str().to_owned()).collect();
        let marks: Vec<String> = (1..=binds.len()).map(|n| format!("${n}")).collect();
        let mut sql = format!("{select} WHERE state IN ({})", marks.join(", "));
        if let Some(order) = &self.order_id {
            binds.push(order.clone());
            sql.push_str(&format!(" AND order_id = ${}", binds.len()));
        }
        if let Some(msn) = &self.merchant_serial_number {
            binds.push(msn.clone());
            sql.push_str(&format!(" AND merchant_serial_number = ${}", binds.len()));
        }
        (sql, binds)
    }

    /// The undelivered: pending and dead, oldest first.
    #[must_use]
    pub fn undelivered() -> Filter {
        Filter::default()
    }

    /// Every delivery of one order, whatever its state.
    #[must_use]
    pub fn order(order_id: impl Into<String>) -> Filter {
        Filter {
            states: vec![JobState::Pending, JobState::Delivered, JobState::Dead, JobState::Discarded],
            order_id: Some(order_id.into()),
            ..Filter::default()
        }
    }

    /// Only these states.
    #[must_use]
    pub fn states(mut self, states: impl IntoIterator<Item = JobState>) -> Filter {
        self.states = states.into_iter().collect();
        self
    }

    /// Of this merchant serial number only.
    #[must_use]
    pub fn merchant_serial_number(mut self, msn: impl Into<String>) -> Filter {
        self.merchant_serial_number = Some(msn.into());
        self
    }

    /// At most this many.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Filter {
        self.limit = Some(limit);
        self
    }
}

/// The counts an operator watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Summary {
    /// Deliveries waiting (or being tried).
    pub pending: u64,
    /// Deliveries given up on, waiting for staff.
    pub dead: u64,
    /// When the oldest pending delivery was enqueued.
    #[serde(serialize_with = "as_millis_opt")]
    pub oldest_pending: Option<SystemTime>,
}

fn as_millis_opt<S: serde::Serializer>(at: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_i64(millis(*at)),
        None => s.serialize_none(),
    }
}

impl Outbox {
    /// The deliveries `filter` asks for, oldest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<Job>, OutboxError> {
        let (mut sql, binds) = filter.clause(&format!("SELECT {COLUMNS} FROM vipps_om_outbox"));
        sql.push_str(&format!(" ORDER BY created_at, id LIMIT ${}", binds.len() + 1));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in &binds {
            query = query.bind(bind.as_str());
        }
        let limit = filter.limit.unwrap_or(100).clamp(1, 10_000);
        let rows = query
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.failed("list deliveries", &e))?;
        rows.iter()
            .map(|row| from_row(row).map(|(job, ..)| job).map_err(|e| self.failed("read a delivery", &e)))
            .collect()
    }

    /// One delivery.
    pub async fn job(&self, id: i64) -> Result<Job, OutboxError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM vipps_om_outbox WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.failed("read a delivery", &e))?
            .ok_or(OutboxError::NotFound(id))?;
        from_row(&row).map(|(job, ..)| job).map_err(|e| self.failed("read a delivery", &e))
    }

    /// Tries a dead, discarded or pending delivery again now, with a fresh
    /// run of tries (the schedule starts over: its tries count from 0, its
    /// four days from now). A delivered one is refused: there is nothing to
    /// retry.
    pub async fn retry(&self, id: i64) -> Result<Job, OutboxError> {
        let now = millis(SystemTime::now());
        let done = sqlx::query(
            "UPDATE vipps_om_outbox SET state = 'pending', next_try_at = $1, tries_since = $1, attempts = 0, outcome = NULL, \
             finished_at = NULL WHERE id = $2 AND state <> 'delivered'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.failed("retry a delivery", &e))?;
        let job = self.job(id).await?;
        if done.rows_affected() == 0 {
            return Err(OutboxError::Refused {
                id,
                state: job.state,
                what: "it was delivered; there is nothing to retry".to_owned(),
            });
        }
        Ok(job)
    }

    /// Sets a pending or dead delivery aside for good, with `reason` (who
    /// and why, for whoever looks later). Retry brings it back. A delivered
    /// one is refused.
    pub async fn discard(&self, id: i64, reason: &str) -> Result<Job, OutboxError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(OutboxError::config(
                "a discard needs a reason (who, and why): it is kept for whoever looks at the delivery later",
            ));
        }
        let now = millis(SystemTime::now());
        let done = sqlx::query(
            "UPDATE vipps_om_outbox SET state = 'discarded', outcome = $1, finished_at = $2 \
             WHERE id = $3 AND state IN ('pending', 'dead')",
        )
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.failed("discard a delivery", &e))?;
        let job = self.job(id).await?;
        if done.rows_affected() == 0 {
            let what = match job.state {
                JobState::Discarded => "it was discarded already",
                _ => "it was delivered; there is nothing to discard",
            };
            return Err(OutboxError::Refused {
                id,
                state: job.state,
                what: what.to_owned(),
            });
        }
        Ok(job)
    }

    /// Tries every dead delivery again now (of one merchant serial number,
    /// when given), each with a fresh run of tries: after what made many
    /// dead at once (keys refused while they were being changed) is fixed.
    /// Returns how many.
    pub async fn retry_dead(&self, merchant_serial_number: Option<&str>) -> Result<u64, OutboxError> {
        let now = millis(SystemTime::now());
        let done = sqlx::query(
            "UPDATE vipps_om_outbox SET state = 'pending', next_try_at = $1, tries_since = $1, attempts = 0, outcome = NULL, \
             finished_at = NULL WHERE state = 'dead' AND (CAST($2 AS TEXT) IS NULL OR merchant_serial_number = $2)",
        )
        .bind(now)
        .bind(merchant_serial_number)
        .execute(&self.pool)
        .await
        .map_err(|e| self.failed("retry the dead deliveries", &e))?;
        Ok(done.rows_affected())
    }

    /// How many deliveries `filter` matches (its limit aside).
    pub async fn count(&self, filter: &Filter) -> Result<u64, OutboxError> {
        let (sql, binds) = filter.clause("SELECT COUNT(*) FROM vipps_om_outbox");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in &binds {
            query = query.bind(bind.as_str());
        }
        let row = query.fetch_one(&self.pool).await.map_err(|e| self.failed("count deliveries", &e))?;
        let n: i64 = row.try_get(0).map_err(|e| self.failed("count deliveries", &e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The counts an operator watches: pending, dead, the oldest pending.
    pub async fn summary(&self) -> Result<Summary, OutboxError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM vipps_om_outbox WHERE state = 'pending'), \
                    (SELECT COUNT(*) FROM vipps_om_outbox WHERE state = 'dead'), \
                    (SELECT MIN(created_at) FROM vipps_om_outbox WHERE state = 'pending')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.failed("count deliveries", &e))?;
        let read = |e: sqlx::Error| self.failed("count deliveries", &e);
        let pending: i64 = row.try_get(0).map_err(read)?;
        let dead: i64 = row.try_get(1).map_err(read)?;
        let oldest: Option<i64> = row.try_get(2).map_err(read)?;
        Ok(Summary {
            pending: u64::try_from(pending).unwrap_or(0),
            dead: u64::try_from(dead).unwrap_or(0),
            oldest_pending: oldest.map(moment),
        })
    }
}
