//! Reading the shop's outbox: an order's deliveries (what the shop has
//! sent or is still sending to Vipps MobilePay for it), and the
//! undelivered of the whole department, oldest first. Only the console's
//! merchant serial number's: the one its lookups use.

use vipps_order_management::PaymentType;
use vipps_order_management_outbox::{Filter, Job, JobState, Outbox};

/// The most deliveries one page lists.
pub const LISTED: u32 = 500;

/// An order's deliveries: `None` when the console has no outbox; the
/// outbox's error, in words, when it could not be read.
pub type Deliveries = Option<Result<Vec<Job>, String>>;

/// The deliveries of one order of `msn`, every state, oldest first.
pub async fn of_order(outbox: Option<&Outbox>, msn: &str, payment_type: &PaymentType, order_id: &str) -> Deliveries {
    let outbox = outbox?;
    let filter = Filter::order(order_id).merchant_serial_number(msn).limit(LISTED);
    Some(
        outbox
            .list(&filter)
            .await
            .map(|jobs| {
                jobs.into_iter()
                    .filter(|j| j.payment_type.eq_ignore_ascii_case(payment_type.as_str()))
                    .collect()
            })
            .map_err(|e| e.to_string()),
    )
}

/// The undelivered of `msn`: the dead (those staff must act on) and the
/// pending, each the oldest first, at most [`LISTED`] of each, and how
/// many of each there are in all.
pub struct Undelivered {
    /// The dead, oldest first.
    pub dead: Vec<Job>,
    /// How many are dead.
    pub dead_count: u64,
    /// The pending, oldest first.
    pub pending: Vec<Job>,
    /// How many are pending.
    pub pending_count: u64,
}

/// The undelivered of `msn`.
pub async fn undelivered(outbox: &Outbox, msn: &str) -> Result<Undelivered, String> {
    let of = |state| Filter::undelivered().states([state]).merchant_serial_number(msn).limit(LISTED);
    let (dead, pending) = (of(JobState::Dead), of(JobState::Pending));
    let read = async {
        Ok::<_, vipps_order_management_outbox::OutboxError>(Undelivered {
            dead: outbox.list(&dead).await?,
            dead_count: outbox.count(&dead).await?,
            pending: outbox.list(&pending).await?,
            pending_count: outbox.count(&pending).await?,
        })
    };
    read.await.map_err(|e| e.to_string())
}
