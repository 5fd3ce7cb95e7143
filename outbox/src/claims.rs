//! What a worker does to the table: claims due deliveries under a lease
//! (Postgres: `FOR UPDATE SKIP LOCKED`, so that any number of workers never
//! take the same row; SQLite: one statement, one writer at a time), and
//! records how each ended. A worker records an end only while it holds the
//! lease and the row is the one it took (a v2 category replaced meanwhile
//! is pending again, with its newer body).

use std::time::{Duration, SystemTime};

use crate::database::{Backend, Outbox};
use crate::delivering::Delivered;
use crate::error::OutboxError;
use crate::job::{from_row, millis, span, Job, COLUMNS};

/// A job a worker holds: the row as it took it.
#[derive(Debug, Clone)]
pub(crate) struct Claimed {
    pub job: Job,
    pub revision: i64,
    pub tries_since: SystemTime,
}

/// How a claimed job ended.
#[derive(Debug, Clone)]
pub(crate) enum End {
    Delivered(Delivered),
    /// Try again at this moment; the failure in staff words.
    Retry(SystemTime, String),
    /// Give up, with the failure in staff words.
    Dead(String),
}

impl Outbox {
    /// Claims up to `limit` due deliveries for `owner` until `lease` from
    /// now, each one's attempts counted; of the merchant serial numbers in
    /// `served` only, when given. A category waits while the image it names
    /// is pending.
    ///
    /// A claimed delivery's next try is its lease's end: if its worker
    /// dies, that is when it is tried again. So the held are not due, and
    /// a claim reads only due rows from the index, however many are held.
    pub(crate) async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        limit: u32,
        served: Option<&[&str]>,
    ) -> Result<Vec<Claimed>, OutboxError> {
        let now = millis(SystemTime::now());
        let served_clause = match served {
            None => String::new(),
            Some([]) => " AND 1 = 0".to_owned(),
            Some(msns) => {
                let marks: Vec<String> = (0..msns.len()).map(|i| format!("${}", i + 5)).collect();
                format!(" AND d.merchant_serial_number IN ({})", marks.join(", "))
            }
        };
        let skip_locked = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE vipps_om_outbox SET lease_owner = $1, lease_until = $2, next_try_at = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT d.id FROM vipps_om_outbox d \
               WHERE d.state = 'pending' AND d.next_try_at <= $3 AND (d.lease_until IS NULL OR d.lease_until <= $3){served_clause} \
               AND (d.image_id IS NULL OR NOT EXISTS (SELECT 1 FROM vipps_om_outbox i \
                 WHERE i.merchant_serial_number = d.merchant_serial_number AND i.payment_type = '' AND i.order_id = '' \
                 AND i.kind = 'image' AND i.item = d.image_id AND i.state = 'pending')) \
               ORDER BY d.next_try_at, d.id LIMIT $4{skip_locked}) \
             RETURNING {COLUMNS}"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(now.saturating_add(span(lease)))
            .bind(now)
            .bind(i64::from(limit));
        for msn in served.unwrap_or_default() {
            query = query.bind(*msn);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(|e| self.failed("claim deliveries", &e))?;
        rows.iter()
            .map(|row| {
                let (job, revision, tries_since) = from_row(row).map_err(|e| self.failed("read a claimed delivery", &e))?;
                Ok(Claimed {
                    job,
                    revision,
                    tries_since,
                })
            })
            .collect()
    }

    /// Records how a claimed job ended; `false` when the worker no longer
    /// held it (its lease ran out and another took it) or the row changed
    /// meanwhile (then the lease is released and the newer body waits).
    pub(crate) async fn finish(&self, owner: &str, claimed: &Claimed, end: &End) -> Result<bool, OutboxError> {
        let now = millis(SystemTime::now());
        let id = claimed.job.id;
        let query = match end {
            End::Delivered(how) => sqlx::query(
                "UPDATE vipps_om_outbox SET state = 'delivered', outcome = $1, finished_at = $2, last_error = NULL, \
                 lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND revision = $5",
            )
            .bind(how.as_str())
            .bind(now),
            End::Retry(at, error) => sqlx::query(
                "UPDATE vipps_om_outbox SET next_try_at = $1, last_error = $2, last_error_at = $6, \
                 lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND revision = $5",
            )
            .bind(millis(*at))
            .bind(error.as_str()),
            End::Dead(error) => sqlx::query(
                "UPDATE vipps_om_outbox SET state = 'dead', last_error = $1, last_error_at = $2, finished_at = $2, \
                 lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4 AND revision = $5",
            )
            .bind(error.as_str())
            .bind(now),
        };
        let mut query = query.bind(id).bind(owner).bind(claimed.revision);
        if matches!(end, End::Retry(..)) {
            query = query.bind(now);
        }
        let done = query
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("record a delivery's end", &e))?
            .rows_affected();
        if done == 0 {
            self.release(owner, &[id]).await?;
        }
        Ok(done > 0)
    }

    /// Records many delivered jobs in one statement (one commit for all:
    /// what lets a worker keep up with the API); returns how many it
    /// recorded. A job no longer held, or changed meanwhile, is not
    /// recorded (and, still held, its lease is released).
    ///
    /// The jobs go as one JSON parameter (`[[id, revision, already], …]`),
    /// so that the statement's text is always the same: prepared once per
    /// connection, never parsed again.
    pub(crate) async fn finish_delivered(&self, owner: &str, done: &[(&Claimed, Delivered)]) -> Result<u64, OutboxError> {
        if done.is_empty() {
            return Ok(0);
        }
        let jobs: Vec<(i64, i64, bool)> = done
            .iter()
            .map(|(c, how)| (c.job.id, c.revision, *how == Delivered::AlreadyStored))
            .collect();
        let jobs = serde_json::to_string(&jobs).unwrap_or_else(|_| "[]".to_owned());
        let sql = match self.backend {
            Backend::Postgres => {
                "UPDATE vipps_om_outbox o SET state = 'delivered', \
                 outcome = CASE WHEN (j.e ->> 2)::boolean THEN 'already stored' ELSE 'stored' END, \
                 finished_at = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL \
                 FROM jsonb_array_elements($3::jsonb) AS j(e) \
                 WHERE o.lease_owner = $1 AND o.id = (j.e ->> 0)::bigint AND o.revision = (j.e ->> 1)::bigint"
            }
            Backend::Sqlite => {
                "UPDATE vipps_om_outbox SET state = 'delivered', \
                 outcome = CASE WHEN (SELECT json_extract(j.value, '$[2]') FROM json_each($3) j \
                   WHERE json_extract(j.value, '$[0]') = vipps_om_outbox.id) THEN 'already stored' ELSE 'stored' END, \
                 finished_at = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL \
                 WHERE lease_owner = $1 AND (id, revision) IN \
                   (SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each($3) j)"
            }
        };
        let recorded = sqlx::query(sql)
            .bind(owner)
            .bind(millis(SystemTime::now()))
            .bind(&jobs)
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("record delivered deliveries", &e))?
            .rows_affected();
        if recorded < done.len() as u64 {
            let ids: Vec<i64> = done.iter().map(|(c, _)| c.job.id).collect();
            self.release(owner, &ids).await?;
        }
        Ok(recorded)
    }

    /// Gives back jobs a worker holds and will not finish (a graceful
    /// stop), or that changed while it delivered them: due again at once,
    /// the try not counted.
    pub(crate) async fn release(&self, owner: &str, ids: &[i64]) -> Result<(), OutboxError> {
        for id in ids {
            sqlx::query(
                "UPDATE vipps_om_outbox SET lease_owner = NULL, lease_until = NULL, next_try_at = $3, \
                 attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE id = $1 AND lease_owner = $2",
            )
            .bind(*id)
            .bind(owner)
            .bind(millis(SystemTime::now()))
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("give back a delivery", &e))?;
        }
        Ok(())
    }

    /// Deletes deliveries that were delivered more than `older_than` ago;
    /// returns how many. (Enqueueing one of them again delivers it again,
    /// which the API answers as already stored.)
    pub async fn prune_delivered(&self, older_than: Duration) -> Result<u64, OutboxError> {
        let before = millis(SystemTime::now()).saturating_sub(span(older_than));
        let done = sqlx::query("DELETE FROM vipps_om_outbox WHERE state = 'delivered' AND finished_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(|e| self.failed("delete old deliveries", &e))?;
        Ok(done.rows_affected())
    }
}
