//! A delivery as the outbox holds it: its row, its state, its tries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::delivery::{Delivery, Kind};

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JobState {
    /// Waiting for its next try (or being tried, under a worker's lease).
    Pending,
    /// Stored by the API (or found already stored).
    Delivered,
    /// Given up: it cannot succeed by trying again (the last error says
    /// why), or it kept failing for longer than the schedule allows. Staff
    /// may retry it.
    Dead,
    /// Set aside by staff, with a reason. Staff may retry it.
    Discarded,
}

impl JobState {
    /// The name in the table's `state` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Delivered => "delivered",
            JobState::Dead => "dead",
            JobState::Discarded => "discarded",
        }
    }

    /// The state a `state` column names.
    #[must_use]
    pub fn parse(name: &str) -> Option<JobState> {
        [JobState::Pending, JobState::Delivered, JobState::Dead, JobState::Discarded]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One delivery in the outbox, as staff see it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Job {
    /// Its id in the outbox.
    pub id: i64,
    /// The merchant serial number it acts for.
    pub merchant_serial_number: String,
    /// `ECOM` or `RECURRING`; empty for an image.
    pub payment_type: String,
    /// The order; empty for an image.
    pub order_id: String,
    /// What it delivers, as the `kind` column says (an unknown kind, from
    /// a row written by hand, stays as written).
    pub kind: String,
    /// A v3 category's URL, an image's id; empty otherwise.
    pub item: String,
    /// Where it is.
    pub state: JobState,
    /// How many times a worker took it.
    pub attempts: u32,
    /// When it was enqueued.
    #[serde(serialize_with = "as_millis")]
    pub created_at: SystemTime,
    /// When it is tried next (pending).
    #[serde(serialize_with = "as_millis")]
    pub next_try_at: SystemTime,
    /// The last failure, in staff words.
    pub last_error: Option<String>,
    /// When it last failed.
    #[serde(serialize_with = "as_millis_opt")]
    pub last_error_at: Option<SystemTime>,
    /// How it ended: `stored`, `already stored`, or a discard's reason.
    pub outcome: Option<String>,
    /// When it ended.
    #[serde(serialize_with = "as_millis_opt")]
    pub finished_at: Option<SystemTime>,
    /// The worker that holds it now, if one does.
    pub lease_owner: Option<String>,
    /// The API request's JSON body.
    pub body: String,
}

impl Job {
    /// The kind, when it is one the outbox knows.
    #[must_use]
    pub fn known_kind(&self) -> Option<Kind> {
        Kind::parse(&self.kind)
    }

    /// The delivery it holds, checked; or what is wrong with its row.
    pub fn delivery(&self) -> Result<Delivery, String> {
        Delivery::from_parts(
            &self.merchant_serial_number,
            &self.payment_type,
            &self.order_id,
            &self.kind,
            &self.body,
        )
    }

    /// How long it has waited, at `now`.
    #[must_use]
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.created_at).unwrap_or_default()
    }
}

/// Unix milliseconds of a moment (before 1970: zero).
pub(crate) fn millis(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The moment of Unix milliseconds (negative: 1970).
pub(crate) fn moment(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// A length of time in milliseconds, saturating.
pub(crate) fn span(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn as_millis<S: serde::Serializer>(at: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(millis(*at))
}

fn as_millis_opt<S: serde::Serializer>(at: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_i64(millis(*at)),
        None => s.serialize_none(),
    }
}

/// The columns a [`Job`] is read from, in this order.
pub(crate) const COLUMNS: &str = "id, merchant_serial_number, payment_type, order_id, kind, item, state, attempts, created_at, \
     next_try_at, last_error, last_error_at, outcome, finished_at, lease_owner, body, revision, tries_since";

/// A job, its revision and the start of its tries, from a row of [`COLUMNS`].
pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<(Job, i64, SystemTime), sqlx::Error> {
    use sqlx::Row as _;
    let state: String = row.try_get(6)?;
    let attempts: i64 = row.try_get::<i64, _>(7).or_else(|_| row.try_get::<i32, _>(7).map(i64::from))?;
    let job = Job {
        id: row.try_get(0)?,
        merchant_serial_number: row.try_get(1)?,
        payment_type: row.try_get(2)?,
        order_id: row.try_get(3)?,
        kind: row.try_get(4)?,
        item: row.try_get(5)?,
        // A state written by hand that is none of the four reads as dead:
        // staff see it, and no worker takes it.
        state: JobState::parse(&state).unwrap_or(JobState::Dead),
        attempts: u32::try_from(attempts).unwrap_or(0),
        created_at: moment(row.try_get(8)?),
        next_try_at: moment(row.try_get(9)?),
        last_error: row.try_get(10)?,
        last_error_at: row.try_get::<Option<i64>, _>(11)?.map(moment),
        outcome: row.try_get(12)?,
        finished_at: row.try_get::<Option<i64>, _>(13)?.map(moment),
        lease_owner: row.try_get(14)?,
        body: row.try_get(15)?,
    };
    let revision: i64 = row.try_get(16)?;
    let tries_since = moment(row.try_get(17)?);
    Ok((job, revision, tries_since))
}
