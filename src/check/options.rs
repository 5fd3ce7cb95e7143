//! What the go-live check is asked to do beyond reading: check as a
//! partner, write a test category, in production too, within a time limit.

use std::time::Duration;

use crate::error::Error;
use crate::model::OrderId;

/// What the check is asked to do beyond reading.
///
/// ```
/// use vipps_order_management::check::CheckOptions;
/// let partner = CheckOptions::new().partner();
/// let with_write = CheckOptions::new().write("test-order-1", "https://shop.example/orders/test-order-1");
/// # let _ = (partner, with_write);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
#[non_exhaustive]
pub struct CheckOptions {
    /// Check as a partner or platform: all four `Vipps-System-*` headers
    /// are required (for a direct integration the plugin headers are not).
    pub partner: bool,
    /// Also put a category on this order and read it back.
    pub write: Option<WriteCheck>,
    /// How long the whole check may take ([`CHECK_TIME_LIMIT`](super::CHECK_TIME_LIMIT) when
    /// `None`): what is not answered by then fails, so that a health check
    /// that runs it ends in time even against a server that trickles.
    pub time_limit: Option<Duration>,
}

/// The one write the check may make: a category on a test order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WriteCheck {
    /// The order to put the category on (it shows in the customer's app
    /// when the order is a real payment).
    pub order_id: OrderId,
    /// The category's link.
    pub url: String,
    /// Write against servers that are neither the test environment nor on
    /// this machine (production, or a proxy that may be in front of it).
    /// Without it, such a write is not made, and the item says why.
    pub in_production: bool,
}

impl CheckOptions {
    /// Read-only checks, for a direct integration.
    pub fn new() -> Self {
        CheckOptions::default()
    }

    /// Checks as a partner or platform would be checked (all four system
    /// headers required).
    pub fn partner(mut self) -> Self {
        self.partner = true;
        self
    }

    /// Also puts a category (`GENERAL`, linking to `url`) on `order_id` and
    /// reads it back. Made only against the test environment or a server on
    /// this machine (the emulator) unless [`CheckOptions::in_production`]
    /// says so too: any other base URL may be production, or a proxy in
    /// front of it.
    pub fn write(mut self, order_id: impl Into<OrderId>, url: impl Into<String>) -> Self {
        self.write = Some(WriteCheck {
            order_id: order_id.into(),
            url: url.into(),
            in_production: false,
        });
        self
    }

    /// Lets the write happen against the production servers (or any
    /// other that is not the test environment or this machine): the second
    /// time of asking. Call it after [`CheckOptions::write`]: without a
    /// write it asks for nothing.
    pub fn in_production(mut self) -> Self {
        if let Some(write) = &mut self.write {
            write.in_production = true;
        }
        self
    }

    /// Lets the whole check take at most this long (default
    /// [`CHECK_TIME_LIMIT`](super::CHECK_TIME_LIMIT)).
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Checks what the options ask to send (the write's order id and
    /// link) before anything is sent: an [`Error::InvalidInput`] naming
    /// each problem, so a caller can refuse the request at once rather than
    /// after the check has run.
    pub fn validate(&self) -> Result<(), Error> {
        let Some(write) = &self.write else { return Ok(()) };
        let mut violations = crate::validate::Violations::default();
        violations.extend(crate::validate::order_id("write.orderId", write.order_id.as_str()));
        violations.extend(crate::validate::https_url("write.url", &write.url));
        violations.into_result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_is_checked_before_anything_is_sent() {
        assert!(CheckOptions::new().validate().is_ok());
        assert!(CheckOptions::new().write("o-1", "https://shop.example/o/1").validate().is_ok());
        let e = CheckOptions::new().write("../x", "http://shop.example/").validate().unwrap_err();
        let Error::InvalidInput { violations, .. } = e else {
            panic!("{e:?}")
        };
        let fields: Vec<_> = violations.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(fields, ["write.orderId", "write.url"]);
        assert!(CheckOptions::new().write("", "https://shop.example/").validate().is_err());
    }
}
