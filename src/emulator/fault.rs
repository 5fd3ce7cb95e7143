//! Faults to inject: an error answer instead of the real one, a connection
//! closed without an answer, or a late answer; each before the request is
//! handled (nothing changes) or after it (the change is stored, and then
//! the answer goes wrong, as when a gateway times out in front of a
//! backend that finished).

use std::time::Duration;

use super::answer::{problem, Answer, Reaction};
use crate::operation::Operation;

/// A fault to inject with [`Emulator::inject`](super::Emulator::inject).
///
/// ```
/// use std::time::Duration;
/// use vipps_order_management::emulator::Fault;
/// use vipps_order_management::Operation;
/// // The next receipt POST is refused with 503: nothing is stored.
/// let refused = Fault::status(503).only(Operation::PostReceipt);
/// // The next one is stored, then answered 504 as a timing-out gateway would.
/// let lost = Fault::status(504).after_store().only(Operation::PostReceipt);
/// // The next one is stored, then the connection closes without an answer.
/// let dropped = Fault::drop_connection().after_store();
/// // The next request is handled, and answered two seconds late.
/// let slow = Fault::stall(Duration::from_secs(2));
/// # let _ = (refused, lost, dropped, slow);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Fault {
    times: usize,
    only: Option<Operation>,
    stage: Stage,
    effect: Effect,
    delay: Duration,
    status: u16,
    body: Option<(String, String)>,
    retry_after: Option<String>,
}

/// When a fault acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Instead of handling the request: nothing changes.
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

impl Fault {
    fn new(stage: Stage, effect: Effect) -> Fault {
        Fault {
            times: 1,
            only: None,
            stage,
            effect,
            delay: Duration::ZERO,
            status: 500,
            body: None,
            retry_after: None,
        }
    }

    /// Answer with this status (and a problem body) instead of handling the
    /// request.
    pub fn status(status: u16) -> Fault {
        Fault {
            status,
            ..Fault::new(Stage::Before, Effect::Status)
        }
    }

    /// Close the connection without answering, instead of handling the
    /// request.
    pub fn drop_connection() -> Fault {
        Fault::new(Stage::Before, Effect::CloseConnection)
    }

    /// Handle the request for real (state changes happen), but hold the
    /// answer back this long: a client that times out has lost the answer
    /// of a request that took effect.
    pub fn stall(delay: Duration) -> Fault {
        Fault {
            delay,
            ..Fault::new(Stage::After, Effect::RealAnswer)
        }
    }

    /// Handle the request for real first (a receipt is stored, an image
    /// kept), and only then answer with the fault's status or drop the
    /// connection: the request took effect, but the client cannot know.
    pub fn after_store(mut self) -> Fault {
        self.stage = Stage::After;
        self
    }

    /// For the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    /// Only for requests of this operation.
    pub fn only(mut self, op: Operation) -> Fault {
        self.only = Some(op);
        self
    }

    /// Answer with this body and content type.
    pub fn body(mut self, body: impl Into<String>, content_type: &str) -> Fault {
        self.body = Some((body.into(), content_type.to_owned()));
        self
    }

    /// Send this `Retry-After` value with the answer.
    pub fn retry_after(mut self, value: impl Into<String>) -> Fault {
        self.retry_after = Some(value.into());
        self
    }

    pub(super) fn is_armed(&self) -> bool {
        self.times > 0
    }

    pub(super) fn matches(&self, op: Option<Operation>) -> bool {
        self.times > 0 && self.only.is_none_or(|only| Some(only) == op)
    }

    /// Counts one use; `true` when none is left.
    pub(super) fn use_once(&mut self) -> bool {
        self.times = self.times.saturating_sub(1);
        self.times == 0
    }

    pub(super) fn stage(&self) -> Stage {
        self.stage
    }

    pub(super) fn effect(&self) -> Effect {
        self.effect
    }

    pub(super) fn delay(&self) -> Duration {
        self.delay
    }

    /// How the fault answers the request.
    pub(super) fn reaction(&self) -> Reaction {
        if self.effect == Effect::CloseConnection {
            return Reaction::CloseConnection;
        }
        let mut answer = match &self.body {
            Some((body, content_type)) => Answer {
                status: self.status,
                content_type: content_type.clone(),
                body: body.clone(),
                headers: Vec::new(),
            },
            // A status HTTP cannot carry becomes a 500 that says so, never
            // an answer that could pass for success.
            None if !(100..=999).contains(&self.status) => problem(
                500,
                "Injected fault",
                &format!(
                    "The emulator was told to answer {}, which is no HTTP status; it answers 500",
                    self.status
                ),
                vec![],
            ),
            None => problem(
                self.status,
                "Injected fault",
                &format!("The emulator was told to answer {}", self.status),
                vec![],
            ),
        };
        if let Some(wait) = &self.retry_after {
            answer.headers.push(("Retry-After", wait.clone()));
        }
        Reaction::Send(answer)
    }
}
