//! The crate's one error type and its classification. The wire error
//! bodies it carries are in `body`, the messages it shows people in
//! `message`.

mod body;
mod message;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;

pub use body::{ErrorBody, GatewayError, Problem, Violation};
use message::{
    after_no_answer, api_message, auth_message, instance_suffix, invalid_message, rate_limited_message, transport_message,
    unverified_message,
};

use crate::model::Receipt;
use crate::operation::Operation;
use crate::retry::is_retryable_status;

/// What can go wrong. Every message says what happened and what to do;
/// the underlying error stays reachable through
/// [`std::error::Error::source`]. Errors are cheap to clone, so one failure
/// (a token fetch that many calls waited for) can be handed to each of them.
///
/// The enum and each of its variants are `#[non_exhaustive]`: match with
/// `..`, and build errors (in tests of code that handles them) with the
/// constructors, [`Error::api`] and its siblings. A field or variant the
/// crate adds later is then not a breaking change.
///
/// ```
/// # async fn demo(client: vipps_order_management::Client) {
/// match client.ecom("order-1").get().await {
///     Ok(order) => println!("{order:?}"),
///     Err(e) if e.is_not_found() => println!("nothing stored for order-1 yet"),
///     Err(e) => eprintln!("{e}"), // readable by the merchant's staff
/// }
/// # }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request broke one of the API's rules and was not sent.
    #[error("{}", invalid_message(.violations))]
    #[non_exhaustive]
    InvalidInput {
        /// The first offending field, as the API names it (`orderLines[0].taxRate`).
        field: String,
        /// The rule it broke.
        reason: String,
        /// Every offending field, the first one included.
        violations: Vec<Violation>,
    },

    /// The client's settings are wrong (missing credential, bad base URL, ...).
    #[error("the Vipps MobilePay client is misconfigured: {reason}")]
    #[non_exhaustive]
    Config {
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The API answered with an error status.
    #[error("{}", api_message(*.operation, *.status, .body, *.retry_after, *.uncertain))]
    #[non_exhaustive]
    Api {
        /// The operation that failed.
        operation: Operation,
        /// The HTTP status.
        status: StatusCode,
        /// The parsed error body.
        body: ErrorBody,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
        /// An earlier attempt of this call may have taken effect (its
        /// answer was lost, or was a 5xx), whatever this answer says.
        uncertain: bool,
    },

    /// The credentials were refused when fetching an access token, or a
    /// fresh token was refused by the API.
    #[error("{}", auth_message(*.status, .body))]
    #[non_exhaustive]
    Auth {
        /// The HTTP status (401 or 403 as a rule).
        status: StatusCode,
        /// The gateway's or service's body.
        body: ErrorBody,
    },

    /// The API asked to wait longer than the call's deadline allows.
    #[error("{}", rate_limited_message(*.operation, *.status, *.retry_after, .body, *.uncertain))]
    #[non_exhaustive]
    RateLimited {
        /// The operation that was refused.
        operation: Operation,
        /// The HTTP status (429 or 423).
        status: StatusCode,
        /// How long the server asked to wait.
        retry_after: Duration,
        /// The parsed error body.
        body: ErrorBody,
        /// An earlier attempt of this call may have taken effect (its
        /// answer was lost, or was a 5xx): this refusal changes nothing,
        /// but that one may have.
        uncertain: bool,
    },

    /// The request could not be sent or its answer not received.
    #[error("{}", transport_message(*.operation, .source, *.uncertain))]
    #[non_exhaustive]
    Transport {
        /// The operation that failed.
        operation: Operation,
        /// The HTTP client's error (shared, so the error can be cloned).
        #[source]
        source: Arc<reqwest::Error>,
        /// An earlier attempt of this call may have taken effect (its
        /// answer was lost, or was a 5xx), even when this one sent nothing.
        uncertain: bool,
    },

    /// No answer came within the time allowed.
    #[error("Vipps MobilePay did not answer within {:.1}s while {}. It may be slow or unreachable. {}", .after.as_secs_f64(), .operation.describe(), after_no_answer(*.operation))]
    #[non_exhaustive]
    Timeout {
        /// The operation that timed out.
        operation: Operation,
        /// The time that was allowed.
        after: Duration,
    },

    /// A response arrived but could not be read as the API documents it.
    #[error("the answer to {} (HTTP {}) was not what the API documents, so it could not be read ({}): {:?}. Report this with the body to the SDK maintainers.", .operation.describe(), .status, .source, .snippet)]
    #[non_exhaustive]
    Decode {
        /// The operation whose answer failed to decode.
        operation: Operation,
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The start of the body (at most 200 characters).
        snippet: String,
        /// The JSON error (shared, so the error can be cloned).
        #[source]
        source: Arc<serde_json::Error>,
    },

    /// A call failed and was not retried because too many calls are failing
    /// right now: the client's shared retry budget is spent. This protects
    /// Vipps MobilePay and your backend from retry storms during an outage.
    #[error("{last} It was not retried because too many calls to Vipps MobilePay are failing right now (the retry budget is spent); try again in a while.")]
    #[non_exhaustive]
    RetriesWithheld {
        /// The failure of the last attempt.
        last: Box<Error>,
    },

    /// A receipt was already stored for the order, and it is not the one
    /// this call sent. Receipts cannot be changed.
    #[error("a different receipt is already stored for this order, and receipts cannot be changed. Compare the stored receipt with yours; if yours is right, it needs a new order id.{}", instance_suffix(.body))]
    #[non_exhaustive]
    ReceiptConflict {
        /// The receipt this call sent.
        sent: Box<Receipt>,
        /// The receipt the service has.
        stored: Box<Receipt>,
        /// The body of the 409 answer (with its error id).
        body: ErrorBody,
    },

    /// The service answered that a receipt is already stored for the order
    /// (409), and the stored receipt could not be fetched to compare it with
    /// the one this call sent. Nothing was changed by this call. Calling
    /// `post_receipt` again is safe: it compares again.
    #[error("{}", unverified_message(.source.as_deref().map(|e| e as &dyn std::fmt::Display)))]
    #[non_exhaustive]
    ReceiptUnverified {
        /// The body of the 409 answer.
        body: ErrorBody,
        /// Why the stored receipt could not be compared: the failure of the
        /// get-order call, or `None` when it answered without a receipt.
        #[source]
        source: Option<Box<Error>>,
    },
}

/// The class of a failure, for code that reacts by class rather than by
/// variant: exit codes, HTTP answers, alerts, a support page.
///
/// ```
/// # async fn demo(client: vipps_order_management::Client) {
/// use vipps_order_management::ErrorKind;
/// if let Err(e) = client.ecom("order-1").get().await {
///     match e.kind() {
///         ErrorKind::NotFound => println!("nothing stored for order-1 yet"),
///         ErrorKind::Unavailable => println!("try again later: {e}"),
///         _ => println!("{e}"),
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request broke the API's rules: refused before sending, or by
    /// the service (400, 422). Sending it again unchanged fails again.
    Invalid,
    /// What is stored conflicts with the request for good: a different
    /// receipt, an image id in use (409).
    Conflict,
    /// The client's settings or credentials are wrong, or the keys lack
    /// access to the API (401, 403).
    Configuration,
    /// Nothing is stored for that order or id (404).
    NotFound,
    /// No usable answer, for now: the network, a timeout, 423, 429, 500,
    /// 502, 503 or 504 after the retries, retries withheld, or a receipt
    /// that could not be compared yet. Trying again later may succeed; this
    /// is the one class [`Error::is_retryable`] says yes to.
    Unavailable,
    /// An answer the API does not document: an unreadable body, a redirect,
    /// or a status such as 501 or 505 that trying again does not change.
    Unexpected,
}

impl ErrorKind {
    /// A stable name: `invalid`, `conflict`, `configuration`, `not_found`,
    /// `unavailable`, `unexpected`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "invalid",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Configuration => "configuration",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Unexpected => "unexpected",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// An invalid-input error for one field.
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::from_violations(vec![Violation::new(field, reason)])
    }

    /// An invalid-input error for a non-empty list of violations.
    pub(crate) fn from_violations(violations: Vec<Violation>) -> Error {
        let first = violations.first().cloned().unwrap_or_else(|| Violation::new("request", "invalid"));
        Error::InvalidInput {
            field: first.name,
            reason: first.reason,
            violations,
        }
    }

    /// A [`Error::Config`]: the client's settings are wrong, for `reason`.
    pub fn config(reason: impl Into<String>) -> Error {
        Error::Config { reason: reason.into() }
    }

    /// An [`Error::InvalidInput`] for these violations (the first one is
    /// its `field` and `reason`): for tests of code that handles it.
    pub fn invalid_input(violations: Vec<Violation>) -> Error {
        Error::from_violations(violations)
    }

    /// An [`Error::Api`]: the API answered `status` to `operation` with
    /// `body` (no `Retry-After`; the request had no earlier attempt).
    pub fn api(operation: Operation, status: StatusCode, body: ErrorBody) -> Error {
        Error::Api {
            operation,
            status,
            body,
            retry_after: None,
            uncertain: false,
        }
    }

    /// An [`Error::Auth`]: the credentials were refused with `status`.
    pub fn auth(status: StatusCode, body: ErrorBody) -> Error {
        Error::Auth { status, body }
    }

    /// An [`Error::RateLimited`]: `operation` was refused with `status`,
    /// asking to wait `retry_after`.
    pub fn rate_limited(operation: Operation, status: StatusCode, retry_after: Duration, body: ErrorBody) -> Error {
        Error::RateLimited {
            operation,
            status,
            retry_after,
            body,
            uncertain: false,
        }
    }

    /// An [`Error::Timeout`]: no answer to `operation` within `after`.
    pub fn timeout(operation: Operation, after: Duration) -> Error {
        Error::Timeout { operation, after }
    }

    /// An [`Error::Decode`]: the answer to `operation` (with `status`,
    /// starting with `snippet`) could not be read, as `source` says.
    pub fn decode(operation: Operation, status: StatusCode, snippet: impl Into<String>, source: serde_json::Error) -> Error {
        Error::Decode {
            operation,
            status,
            snippet: snippet.into(),
            source: Arc::new(source),
        }
    }

    /// An [`Error::RetriesWithheld`]: `last` was not retried because the
    /// retry budget is spent.
    pub fn retries_withheld(last: Error) -> Error {
        Error::RetriesWithheld { last: Box::new(last) }
    }

    /// An [`Error::ReceiptConflict`]: `stored` is stored instead of `sent`.
    pub fn receipt_conflict(sent: Receipt, stored: Receipt, body: ErrorBody) -> Error {
        Error::ReceiptConflict {
            sent: Box::new(sent),
            stored: Box::new(stored),
            body,
        }
    }

    /// An [`Error::ReceiptUnverified`]: the 409's `body`, and why the stored
    /// receipt could not be compared (`None`: the order showed none).
    pub fn receipt_unverified(body: ErrorBody, source: Option<Error>) -> Error {
        Error::ReceiptUnverified {
            body,
            source: source.map(Box::new),
        }
    }

    /// The class of the failure (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::Invalid,
            Error::Config { .. } | Error::Auth { .. } => ErrorKind::Configuration,
            Error::Api { status, .. } => status_kind(*status),
            Error::RateLimited { .. } | Error::Transport { .. } | Error::Timeout { .. } | Error::RetriesWithheld { .. } => {
                ErrorKind::Unavailable
            }
            Error::Decode { .. } => ErrorKind::Unexpected,
            Error::ReceiptConflict { .. } => ErrorKind::Conflict,
            // A receipt is stored; the comparison is owed. A 404 on the
            // reconciling get is no "not found" for the receipt.
            Error::ReceiptUnverified { source, .. } => match source.as_deref().map(Error::kind) {
                None | Some(ErrorKind::NotFound) => ErrorKind::Unavailable,
                Some(kind) => kind,
            },
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::Auth { status, .. } | Error::RateLimited { status, .. } | Error::Decode { status, .. } => {
                Some(*status)
            }
            Error::ReceiptConflict { .. } | Error::ReceiptUnverified { .. } => Some(StatusCode::CONFLICT),
            Error::Transport { source, .. } => source.status(),
            Error::RetriesWithheld { last } => last.status(),
            _ => None,
        }
    }

    /// The server's error body, when it sent one.
    pub fn body(&self) -> Option<&ErrorBody> {
        match self {
            Error::Api { body, .. }
            | Error::Auth { body, .. }
            | Error::RateLimited { body, .. }
            | Error::ReceiptConflict { body, .. }
            | Error::ReceiptUnverified { body, .. } => Some(body),
            Error::RetriesWithheld { last } => last.body(),
            _ => None,
        }
    }

    /// The server's RFC 7807 problem, when it sent one.
    pub fn problem(&self) -> Option<&Problem> {
        self.body().and_then(ErrorBody::problem)
    }

    /// `true` when what is stored conflicts with the request for good: a
    /// different receipt is stored ([`Error::ReceiptConflict`]), or the
    /// service answered 409 (an image id that exists). Not for
    /// [`Error::ReceiptUnverified`], where the comparison is still owed.
    pub fn is_conflict(&self) -> bool {
        match self {
            Error::ReceiptConflict { .. } => true,
            Error::ReceiptUnverified { .. } => false,
            Error::RetriesWithheld { last } => last.is_conflict(),
            _ => self.status() == Some(StatusCode::CONFLICT),
        }
    }

    /// `true` for a 404: nothing stored for that order or id.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `true` when the same call may succeed if tried again later: exactly
    /// when [`Error::kind`] is [`ErrorKind::Unavailable`] (the network, a
    /// timeout, 423, 429, 500, 502, 503 and 504, retries withheld, a
    /// receipt whose comparison failed for one of those reasons). The
    /// client's own retries follow the same rule (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    pub fn is_retryable(&self) -> bool {
        self.kind() == ErrorKind::Unavailable
    }

    /// `true` when no connection could be opened at all (refused, no route,
    /// a name that does not resolve): nothing was sent, and the service or
    /// the network is not there, rather than slow or failing. Looks through
    /// what an error wraps, as [`Error::is_timeout`] does.
    pub fn is_connect(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_connect(),
            _ => self.wrapped().is_some_and(Error::is_connect),
        }
    }

    /// `true` for a timeout: the call's own, or the HTTP client's. Looks
    /// through what an error wraps, as [`Error::is_connect`] does.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.is_timeout(),
            _ => self.wrapped().is_some_and(Error::is_timeout),
        }
    }

    /// The wait the service asked for before another try (its
    /// `Retry-After`), when the answer carried one; looks through the
    /// errors this one wraps (withheld retries, an unverified receipt).
    /// A queue that schedules its own retries waits at least this long.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            Error::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => self.wrapped().and_then(Error::retry_after),
        }
    }

    /// The error this one wraps, which the predicates look through: the
    /// last attempt's failure behind withheld retries, the get-order
    /// failure behind an unverified receipt.
    fn wrapped(&self) -> Option<&Error> {
        match self {
            Error::RetriesWithheld { last } => Some(last),
            Error::ReceiptUnverified { source: Some(source), .. } => Some(source),
            _ => None,
        }
    }
}

/// The class of an error status. The statuses worth another attempt
/// ([`is_retryable_status`], which the retry loop follows too) are
/// `Unavailable`, and only they.
fn status_kind(status: StatusCode) -> ErrorKind {
    if is_retryable_status(status) {
        return ErrorKind::Unavailable;
    }
    match status.as_u16() {
        400 | 422 => ErrorKind::Invalid,
        401 | 403 => ErrorKind::Configuration,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        _ => ErrorKind::Unexpected,
    }
}
