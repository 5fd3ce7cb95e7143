//! Delivering one delivery through the SDK, idempotently: what the worker
//! does with each job it claims, and what any other queue (apalis,
//! graphile-worker, a scheduler of one's own) calls for a job of its own.
//!
//! Each delivery is safe to repeat: a receipt's 409 is reconciled by the
//! SDK (the same receipt stored is success), a v2 category is a PUT, an
//! image under the id made from its bytes is stored once, and a v3
//! category already on its order (the same type, URL and image) counts as
//! delivered.

use std::collections::HashMap;
use std::time::Duration;

use vipps_order_management::{Client, Error, ErrorKind, RetryPolicy};

use crate::delivery::{Delivery, Item};

/// The clients a worker delivers with: one per merchant serial number
/// (a sales unit with its own keys), and, for any other serial number, a
/// partner's client that acts for many.
#[derive(Debug, Clone, Default)]
pub struct Clients {
    merchants: HashMap<String, Client>,
    partner: Option<Client>,
}

impl Clients {
    /// No clients yet.
    #[must_use]
    pub fn new() -> Self {
        Clients::default()
    }

    /// One client for every delivery of its merchant serial number
    /// ([`Client::merchant_serial_number`]).
    #[must_use]
    pub fn merchant(mut self, client: Client) -> Self {
        self.merchants.insert(client.merchant_serial_number().to_owned(), client);
        self
    }

    /// A partner's (or platform's) client, for deliveries of any merchant
    /// serial number without a client of its own: each call names the
    /// delivery's serial number.
    #[must_use]
    pub fn partner(mut self, client: Client) -> Self {
        self.partner = Some(client);
        self
    }

    /// The client that delivers for `msn`.
    #[must_use]
    pub fn for_merchant(&self, msn: &str) -> Option<&Client> {
        self.merchants.get(msn).or(self.partner.as_ref())
    }

    /// The merchant serial numbers served, or `None` when a partner's
    /// client serves any.
    #[must_use]
    pub fn served(&self) -> Option<Vec<&str>> {
        if self.partner.is_some() {
            return None;
        }
        let mut msns: Vec<&str> = self.merchants.keys().map(String::as_str).collect();
        msns.sort_unstable();
        Some(msns)
    }
}

/// How a delivery succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivered {
    /// Stored now.
    Stored,
    /// It was stored already (an earlier try whose answer was lost, another
    /// worker): the service holds exactly this.
    AlreadyStored,
}

impl Delivered {
    /// In words, as the table's `outcome` column keeps it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Delivered::Stored => "stored",
            Delivered::AlreadyStored => "already stored",
        }
    }
}

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug, Clone)]
pub struct Failure {
    class: Class,
    message: String,
    error: Option<Error>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Trying again may succeed (no answer, 429, 5xx, a receipt stored
    /// whose comparison is owed).
    Retryable,
    /// No such order yet: the service may not have seen the payment.
    NotFound,
    /// Trying again cannot succeed (a refused body, refused keys, a
    /// different receipt stored).
    Permanent,
}

impl Failure {
    fn of(error: Error) -> Failure {
        let class = match error.kind() {
            ErrorKind::Unavailable | ErrorKind::Unexpected => Class::Retryable,
            ErrorKind::NotFound => Class::NotFound,
            _ => Class::Permanent,
        };
        Failure {
            class,
            message: error.to_string(),
            error: Some(error),
        }
    }

    /// A failure before any call: nothing can deliver this as it is.
    pub(crate) fn permanent(message: impl Into<String>) -> Failure {
        Failure {
            class: Class::Permanent,
            message: message.into(),
            error: None,
        }
    }

    /// `true` when trying again cannot succeed: the delivery is dead at
    /// once (the message says what to fix).
    #[must_use]
    pub fn is_permanent(&self) -> bool {
        self.class == Class::Permanent
    }

    /// `true` for a 404: no such order. Shortly after a payment that is the
    /// service not having seen it yet (try again); long after, the order
    /// does not exist (give up). The worker draws the line at
    /// [`crate::Schedule::read_lag`].
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.class == Class::NotFound
    }

    /// The wait the service asked for before another try.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.error.as_ref().and_then(Error::retry_after)
    }

    /// The SDK's error, when a call failed.
    #[must_use]
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Delivers `delivery` with the client [`Clients`] holds for its merchant
/// serial number, under the clients' own retry policy. Safe to call again
/// after any failure or crash: see the module's documentation.
pub async fn deliver(clients: &Clients, delivery: &Delivery) -> Result<Delivered, Failure> {
    deliver_with(clients, delivery, None).await
}

/// As [`deliver`], each call under `policy` when given (its deadline bounds
/// the whole delivery's calls).
pub async fn deliver_with(clients: &Clients, delivery: &Delivery, policy: Option<RetryPolicy>) -> Result<Delivered, Failure> {
    let msn = delivery.merchant_serial_number();
    let Some(client) = clients.for_merchant(msn) else {
        return Err(Failure::permanent(format!(
            "no client delivers for merchant serial number {msn}: give the worker that merchant's keys, or a partner's client"
        )));
    };
    // Every call names the delivery's serial number and, when given, runs
    // under the policy.
    macro_rules! set {
        ($handle:expr) => {{
            let handle = $handle.merchant_serial_number(msn);
            match &policy {
                Some(p) => handle.retry_policy(p.clone()),
                None => handle,
            }
        }};
    }
    match delivery.item() {
        Item::Receipt {
            payment_type,
            order_id,
            receipt,
        } => {
            let posted = set!(client.order(payment_type.clone(), order_id.clone()))
                .post_receipt(receipt)
                .await
                .map_err(Failure::of)?;
            Ok(if posted.already_stored {
                Delivered::AlreadyStored
            } else {
                Delivered::Stored
            })
        }
        Item::Category {
            payment_type,
            order_id,
            category,
        } => {
            set!(client.order(payment_type.clone(), order_id.clone()))
                .put_category(category)
                .await
                .map_err(Failure::of)?;
            Ok(Delivered::Stored)
        }
        Item::CategoryV3 { category } => {
            // Added once: one already on the order with the same type, URL
            // and image is this one (an earlier try whose answer was lost).
            let listed = set!(client.categories())
                .list(category.order_id.clone())
                .await
                .map_err(Failure::of)?;
            let there = listed.iter().any(|c| {
                c.payment_type.as_ref() == Some(&category.payment_type)
                    && c.category_type.as_ref() == Some(&category.category_type)
                    && c.url.as_deref() == Some(category.url.as_str())
                    && c.image_id == category.image_id
            });
            if there {
                return Ok(Delivered::AlreadyStored);
            }
            set!(client.categories()).add(category).await.map_err(Failure::of)?;
            Ok(Delivered::Stored)
        }
        Item::Image { image } => {
            set!(client.images()).upload(image).await.map_err(Failure::of)?;
            Ok(Delivered::Stored)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vipps_order_management::{ErrorBody, Operation, StatusCode};

    fn api(status: u16) -> Error {
        Error::api(Operation::PostReceipt, StatusCode::from_u16(status).unwrap(), ErrorBody::parse(b""))
    }

    #[test]
    fn a_failure_says_what_the_service_asked_and_what_it_was() {
        let limited = Failure::of(Error::rate_limited(
            Operation::PostReceipt,
            StatusCode::TOO_MANY_REQUESTS,
            Duration::from_secs(7),
            ErrorBody::parse(b""),
        ));
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
        assert!(!limited.is_permanent() && !limited.is_not_found());
        assert_eq!(limited.error().map(Error::status), Some(Some(StatusCode::TOO_MANY_REQUESTS)));
        assert_eq!(limited.to_string(), limited.error().unwrap().to_string());
        let refused = Failure::permanent("no client");
        assert!(refused.is_permanent() && refused.error().is_none() && refused.retry_after().is_none());
        assert_eq!(refused.to_string(), "no client");
        assert_eq!(
            (Delivered::Stored.as_str(), Delivered::AlreadyStored.as_str()),
            ("stored", "already stored")
        );
        assert!(Failure::of(Error::receipt_unverified(ErrorBody::parse(b""), Some(api(503)))).class == Class::Retryable);
    }

    #[test]
    fn failures_are_classed_by_whether_trying_again_can_help() {
        assert!(Failure::of(api(503)).class == Class::Retryable);
        assert!(Failure::of(api(500)).class == Class::Retryable);
        assert!(Failure::of(api(501)).class == Class::Retryable, "an unexpected answer may pass");
        assert!(Failure::of(api(404)).is_not_found());
        assert!(Failure::of(api(400)).is_permanent());
        assert!(Failure::of(Error::auth(StatusCode::UNAUTHORIZED, ErrorBody::parse(b""))).is_permanent());
        assert!(Failure::of(Error::receipt_unverified(ErrorBody::parse(b""), None)).class == Class::Retryable);
        assert!(Failure::of(Error::receipt_unverified(ErrorBody::parse(b""), Some(api(404)))).class == Class::Retryable);
    }
}
