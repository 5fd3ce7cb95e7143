//! The outbox's one error type: what failed, and what to do.

/// Why the outbox could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// The delivery is not what the API takes; nothing was enqueued.
    #[error("the delivery was not enqueued: {0}")]
    Invalid(vipps_order_management::Error),

    /// A different receipt (or image, or v3 category) is already enqueued
    /// under the same key; nothing was enqueued.
    #[error("a different {kind} is already in the outbox for {key} (delivery {id}, {state}): receipts and images cannot change once sent. If yours is right, it needs a new order id; if the one in the outbox is wrong and not yet delivered, discard it first (vipps-om outbox discard {id} --reason …) and enqueue yours again")]
    #[non_exhaustive]
    Conflict {
        /// The kind of delivery.
        kind: crate::delivery::Kind,
        /// The key, in words.
        key: String,
        /// The delivery already in the outbox.
        id: i64,
        /// Its state.
        state: crate::job::JobState,
    },

    /// A delivery of a batch ([`crate::Outbox::enqueue_all`]) was refused,
    /// and nothing of the batch was enqueued.
    #[error("delivery {} of the batch was refused, and nothing of the batch was enqueued: {error}", .index + 1)]
    #[non_exhaustive]
    InBatch {
        /// Which, counting from 0.
        index: usize,
        /// Why.
        error: Box<OutboxError>,
    },

    /// No delivery has this id.
    #[error("the outbox holds no delivery {0}; `vipps-om outbox list` shows those it holds")]
    NotFound(i64),

    /// The delivery is not in a state that allows this.
    #[error("delivery {id} is {state}: {what}")]
    #[non_exhaustive]
    Refused {
        /// The delivery.
        id: i64,
        /// Its state.
        state: crate::job::JobState,
        /// Why, and what to do.
        what: String,
    },

    /// The outbox is set up wrongly (its database's address, a setting).
    #[error("the outbox is misconfigured: {0}")]
    Config(String),

    /// The database refused or failed.
    #[error("the outbox could not {what}: {said}. Check that the database is up and reachable; nothing was lost (what was not committed was not acknowledged)")]
    #[non_exhaustive]
    Database {
        /// What the outbox tried.
        what: String,
        /// What the database said.
        said: String,
    },
}

impl OutboxError {
    pub(crate) fn config(reason: impl Into<String>) -> OutboxError {
        OutboxError::Config(reason.into())
    }

    pub(crate) fn database(what: impl Into<String>, e: &sqlx::Error) -> OutboxError {
        OutboxError::database_said(what, said(e))
    }

    pub(crate) fn database_said(what: impl Into<String>, said: impl Into<String>) -> OutboxError {
        OutboxError::Database {
            what: what.into(),
            said: said.into(),
        }
    }
}

/// The driver's error in words for people: a database's own message
/// (with its code), else the driver's.
#[must_use]
pub fn said(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(db) => match db.code() {
            Some(code) => format!("{} (code {code})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}
