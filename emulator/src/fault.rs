//! Faults to inject: an error answer instead of the real one, a connection
//! closed without an answer, or a late answer; each before the request is
//! handled (nothing changes) or after it (the change is stored, and then
//! the answer goes wrong, as when a gateway times out in front of a
//! backend that finished). A fault matches an operation, an order id and a
//! merchant, or any of them, and acts on the next N matching requests, or
//! on each with a probability drawn from a seeded generator.
//!
//! One model serves Rust ([`Emulator::inject`](super::Emulator::inject))
//! and HTTP (`POST /_emulator/faults`): a `Fault` is the admin API's JSON.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::answer::{problem, Answer, Reaction};
use vipps_order_management::Operation;

/// A fault to inject with [`Emulator::inject`](super::Emulator::inject), or
/// as JSON with `POST /_emulator/faults` (the same fields, camelCase).
///
/// ```
/// use std::time::Duration;
/// use vipps_order_management_emulator::Fault;
/// use vipps_order_management::Operation;
/// // The next receipt POST is refused with 503: nothing is stored.
/// let refused = Fault::status(503).only(Operation::PostReceipt);
/// // The next one for order o-1 is stored, then answered 504 as a
/// // timing-out gateway would.
/// let lost = Fault::status(504).after_store().only(Operation::PostReceipt).order("o-1");
/// // The next one is stored, then the connection closes without an answer.
/// let dropped = Fault::drop_connection().after_store();
/// // The next request is handled, and answered two seconds late.
/// let slow = Fault::stall(Duration::from_secs(2));
/// // A fifth of the get-orders, at random but the same each run, answer 503.
/// let chaos = Fault::status(503).only(Operation::GetOrder).probability(0.2).seed(7);
/// # let _ = (refused, lost, dropped, slow, chaos);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[must_use]
pub struct Fault {
    /// Only requests of this operation (any, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operation: Option<Operation>,
    /// Only requests for this order id (any, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    /// Only requests with this merchant serial number (any, when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    merchant: Option<String>,
    /// Answer with this status (a problem body unless `body` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// The answer's body, instead of a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    /// The answer's content type, with `body` (default `application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    content_type: Option<String>,
    /// A `Retry-After` to send with the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<String>,
    /// Close the connection without an answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    close_connection: bool,
    /// Hold the answer back this long (milliseconds).
    #[serde(default, skip_serializing_if = "is_zero")]
    delay_ms: u64,
    /// Act before the request is handled (nothing changes) or after it
    /// (the change is stored first).
    #[serde(default)]
    when: When,
    /// How many matching requests it acts on (default 1; unlimited with a
    /// probability and no count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<usize>,
    /// Act on each matching request with this probability (0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    /// The seed of the probability's generator, so that a run repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// When a fault acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum When {
    /// Instead of handling the request: nothing changes.
    #[default]
    Before,
    /// After handling it: what it changes is stored.
    After,
}

/// What a fault does to the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// Answers with the fault's status and body.
    Status,
    /// Closes the connection without an answer.
    CloseConnection,
    /// Sends the real answer (late, when the fault has a delay).
    RealAnswer,
}

/// What a request is, as faults match it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Target<'r> {
    pub(super) operation: Option<Operation>,
    pub(super) order_id: Option<&'r str>,
    pub(super) merchant: Option<&'r str>,
}

impl Fault {
    /// The longest a fault holds a request back: ten minutes.
    pub const MAX_DELAY: Duration = Duration::from_secs(600);

    fn new(when: When) -> Fault {
        Fault {
            operation: None,
            order_id: None,
            merchant: None,
            status: None,
            body: None,
            content_type: None,
            retry_after: None,
            close_connection: false,
            delay_ms: 0,
            when,
            times: None,
            probability: None,
            seed: None,
        }
    }

    /// Answer with this status (and a problem body) instead of handling the
    /// request.
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            ..Fault::new(When::Before)
        }
    }

    /// Close the connection without answering, instead of handling the
    /// request.
    pub fn drop_connection() -> Fault {
        Fault {
            close_connection: true,
            ..Fault::new(When::Before)
        }
    }

    /// Handle the request for real (state changes happen), but hold the
    /// answer back this long: a client that times out has lost the answer
    /// of a request that took effect.
    pub fn stall(delay: Duration) -> Fault {
        Fault::new(When::After).delay(delay)
    }

    /// Handle the request for real first (a receipt is stored, an image
    /// kept), and only then answer with the fault's status or drop the
    /// connection: the request took effect, but the client cannot know.
    pub fn after_store(mut self) -> Fault {
        self.when = When::After;
        self
    }

    /// Hold the answer back this long, besides what else the fault does
    /// (milliseconds are kept; at most ten minutes, [`Fault::MAX_DELAY`]).
    pub fn delay(mut self, delay: Duration) -> Fault {
        self.delay_ms = delay.min(Fault::MAX_DELAY).as_millis() as u64;
        self
    }

    /// For the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Only for requests of this operation.
    pub fn only(mut self, op: Operation) -> Fault {
        self.operation = Some(op);
        self
    }

    /// Only for requests for this order id (in the path of the v2 calls,
    /// the query of a v3 list, or the body of a v3 add).
    pub fn order(mut self, order_id: impl Into<String>) -> Fault {
        self.order_id = Some(order_id.into());
        self
    }

    /// Only for requests with this merchant serial number.
    pub fn merchant(mut self, msn: impl Into<String>) -> Fault {
        self.merchant = Some(msn.into());
        self
    }

    /// Act on each matching request with this probability (0 to 1),
    /// without a limit unless [`Fault::times`] sets one.
    pub fn probability(mut self, p: f64) -> Fault {
        self.probability = Some(p);
        self
    }

    /// Seed the probability's generator, so that a run repeats.
    pub fn seed(mut self, seed: u64) -> Fault {
        self.seed = Some(seed);
        self
    }

    /// Answer with this body and content type.
    pub fn body(mut self, body: impl Into<String>, content_type: &str) -> Fault {
        self.body = Some(body.into());
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Send this `Retry-After` value with the answer.
    pub fn retry_after(mut self, value: impl Into<String>) -> Fault {
        self.retry_after = Some(value.into());
        self
    }

    /// What is wrong with the fault as given (the admin API's 400), if
    /// anything.
    pub(super) fn problems(&self) -> Vec<vipps_order_management::Violation> {
        let mut found = Vec::new();
        let mut fail = |name: &str, reason: &str| found.push(vipps_order_management::Violation::new(name, reason));
        if self.close_connection && (self.status.is_some() || self.body.is_some()) {
            fail("closeConnection", "closes the connection: it cannot go with a status or body");
        }
        if self.status.is_none() && (self.body.is_some() || self.retry_after.is_some()) {
            fail("status", "is needed with a body or a Retry-After");
        }
        if self
            .status
            .is_some_and(|s| !(200..=599).contains(&s) || matches!(s, 204 | 205 | 304))
        {
            fail(
                "status",
                "must be the status of an answer with a body, 200 to 599 (not 204, 205 or 304; 1xx are not answers)",
            );
        }
        for (name, value) in [("retryAfter", &self.retry_after), ("contentType", &self.content_type)] {
            if value.as_deref().is_some_and(|v| hyper::header::HeaderValue::from_str(v).is_err()) {
                fail(name, "holds characters a header cannot carry");
            }
        }
        if self.times == Some(0) {
            fail("times", "must be 1 or more (to stop a fault, delete it)");
        }
        // The gateway's own rule (`access.rs`): no other merchant is served.
        if self
            .merchant
            .as_deref()
            .is_some_and(|m| !vipps_order_management::validate::merchant_serial_number("merchant", m).is_empty())
        {
            fail("merchant", "must be a merchant serial number (digits)");
        }
        if self.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            fail("probability", "must be between 0 and 1");
        }
        if self.seed.is_some() && self.probability.is_none() {
            fail("seed", "seeds the probability: give one");
        }
        if self.delay_ms > Fault::MAX_DELAY.as_millis() as u64 {
            fail("delayMs", "must be at most 600000 (ten minutes): a held request holds a connection");
        }
        if self.status.is_none() && !self.close_connection && self.delay_ms == 0 {
            fail("status", "a fault needs a status, closeConnection, or a delayMs");
        }
        found
    }

    /// How many matching requests it acts on: `None` for no limit.
    pub(super) fn limit(&self) -> Option<usize> {
        match (self.times, self.probability) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        }
    }

    /// The generator of its probability: seeded when asked.
    pub(super) fn generator(&self) -> fastrand::Rng {
        self.seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed)
    }

    /// The probability it acts with (1 when none is set).
    pub(super) fn chance(&self) -> f64 {
        self.probability.unwrap_or(1.0)
    }

    pub(super) fn matches(&self, target: &Target<'_>) -> bool {
        self.operation.is_none_or(|op| target.operation == Some(op))
            && self.order_id.as_deref().is_none_or(|id| target.order_id == Some(id))
            && self.merchant.as_deref().is_none_or(|msn| target.merchant == Some(msn))
    }

    pub(super) fn when(&self) -> When {
        self.when
    }

    pub(super) fn effect(&self) -> Effect {
        match (self.close_connection, self.status) {
            (true, _) => Effect::CloseConnection,
            (false, Some(_)) => Effect::Status,
            (false, None) => Effect::RealAnswer,
        }
    }

    pub(super) fn delay_time(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    /// How the fault answers the request.
    pub(super) fn reaction(&self) -> Reaction {
        if self.close_connection {
            return Reaction::CloseConnection;
        }
        let status = self.status.unwrap_or(500);
        let mut answer = match &self.body {
            Some(body) => Answer {
                status,
                content_type: self.content_type.clone().unwrap_or_else(|| "application/json".to_owned()),
                body: body.clone(),
                headers: Vec::new(),
            },
            // A status HTTP cannot carry becomes a 500 that says so, never
            // an answer that could pass for success.
            None if !(100..=999).contains(&status) => problem(
                500,
                "Injected fault",
                &format!("The emulator was told to answer {status}, which is no HTTP status; it answers 500"),
                vec![],
            ),
            None => problem(
                status,
                "Injected fault",
                &format!("The emulator was told to answer {status}"),
                vec![],
            ),
        };
        if let Some(wait) = &self.retry_after {
            answer.headers.push(("Retry-After", wait.clone()));
        }
        Reaction::Send(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rust_and_the_json_model_are_one() {
        let fault = Fault::status(503)
            .only(Operation::PostReceipt)
            .order("o-1")
            .merchant("123456")
            .retry_after("2")
            .times(2)
            .after_store();
        let json = serde_json::to_value(&fault).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"operation": "post_receipt", "orderId": "o-1", "merchant": "123456", "status": 503,
                               "retryAfter": "2", "when": "after", "times": 2})
        );
        assert_eq!(serde_json::from_value::<Fault>(json).unwrap(), fault);
        let stall = serde_json::to_value(Fault::stall(Duration::from_millis(250))).unwrap();
        assert_eq!(stall, serde_json::json!({"delayMs": 250, "when": "after"}));
        let dropped: Fault = serde_json::from_str(r#"{"closeConnection": true}"#).unwrap();
        assert_eq!(dropped, Fault::drop_connection());
        assert!(
            serde_json::from_str::<Fault>(r#"{"status": 503, "colour": "red"}"#).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn faults_that_make_no_sense_are_named() {
        let problem = |f: &str| serde_json::from_str::<Fault>(f).unwrap().problems().first().map(|v| v.name.clone());
        assert_eq!(problem(r#"{"status": 503}"#), None);
        assert_eq!(problem(r#"{"delayMs": 10}"#), None);
        assert_eq!(problem(r#"{}"#).as_deref(), Some("status"));
        assert_eq!(problem(r#"{"status": 42}"#).as_deref(), Some("status"));
        assert_eq!(
            problem(r#"{"closeConnection": true, "status": 503}"#).as_deref(),
            Some("closeConnection")
        );
        assert_eq!(problem(r#"{"status": 503, "probability": 1.5}"#).as_deref(), Some("probability"));
        assert_eq!(problem(r#"{"status": 503, "seed": 1}"#).as_deref(), Some("seed"));
        assert_eq!(problem(r#"{"retryAfter": "1", "delayMs": 5}"#).as_deref(), Some("status"));
        // Statuses that are no answer, or carry no body.
        for status in [100, 101, 199, 204, 205, 304, 600] {
            assert_eq!(
                problem(&format!(r#"{{"status": {status}}}"#)).as_deref(),
                Some("status"),
                "{status}"
            );
        }
        for status in [200, 201, 400, 409, 429, 503, 599] {
            assert_eq!(problem(&format!(r#"{{"status": {status}}}"#)), None, "{status}");
        }
        // Headers it could not send.
        assert_eq!(problem(r#"{"status": 503, "retryAfter": "a\nb"}"#).as_deref(), Some("retryAfter"));
        assert_eq!(
            problem(r#"{"status": 503, "body": "x", "contentType": "a\r\nX-Evil: 1"}"#).as_deref(),
            Some("contentType")
        );
        assert_eq!(problem(r#"{"status": 503, "times": 0}"#).as_deref(), Some("times"));
        assert_eq!(problem(r#"{"status": 503, "merchant": "abc"}"#).as_deref(), Some("merchant"));
        assert_eq!(problem(r#"{"status": 503, "merchant": "123456"}"#), None);
    }

    #[test]
    fn limits_and_matching() {
        assert_eq!(Fault::status(500).limit(), Some(1));
        assert_eq!(Fault::status(500).probability(0.5).limit(), None);
        assert_eq!(Fault::status(500).probability(0.5).times(3).limit(), Some(3));
        let f = Fault::status(500).only(Operation::GetOrder).order("o-1");
        let target = |operation, order_id| Target {
            operation,
            order_id,
            merchant: Some("1"),
        };
        assert!(f.matches(&target(Some(Operation::GetOrder), Some("o-1"))));
        assert!(!f.matches(&target(Some(Operation::GetOrder), Some("o-2"))));
        assert!(!f.matches(&target(Some(Operation::PostReceipt), Some("o-1"))));
        assert!(!f.matches(&target(None, None)));
        assert!(Fault::status(500).matches(&target(None, None)), "no filter matches every request");
        let mut a = Fault::status(500).probability(0.5).seed(9).generator();
        let mut b = Fault::status(500).probability(0.5).seed(9).generator();
        assert_eq!(
            (0..32).map(|_| a.f64()).collect::<Vec<_>>(),
            (0..32).map(|_| b.f64()).collect::<Vec<_>>()
        );
    }
}
