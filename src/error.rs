//! The crate's one error type, with messages written for merchant staff.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::model::Receipt;
use crate::operation::Operation;

/// What can go wrong. Every message says what happened and what to do;
/// the underlying error stays reachable through
/// [`std::error::Error::source`]. Errors are cheap to clone, so one failure
/// (a token fetch that many calls waited for) can be handed to each of them.
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
    Config {
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The API answered with an error status.
    #[error("{}", api_message(*.operation, *.status, .body, *.retry_after, *.uncertain))]
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
    Auth {
        /// The HTTP status (401 or 403 as a rule).
        status: StatusCode,
        /// The gateway's or service's body.
        body: ErrorBody,
    },

    /// The API asked to wait longer than the call's deadline allows.
    #[error("{}", rate_limited_message(*.operation, *.status, *.retry_after, .body, *.uncertain))]
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
    Timeout {
        /// The operation that timed out.
        operation: Operation,
        /// The time that was allowed.
        after: Duration,
    },

    /// A response arrived but could not be read as the API documents it.
    #[error("the answer to {} (HTTP {}) was not what the API documents, so it could not be read: {:?}. Report this with the body to the SDK maintainers.", .operation.describe(), .status, .snippet)]
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
    RetriesWithheld {
        /// The failure of the last attempt.
        last: Box<Error>,
    },

    /// A receipt was already stored for the order, and it is not the one
    /// this call sent. Receipts cannot be changed.
    #[error("a different receipt is already stored for this order, and receipts cannot be changed. Compare the stored receipt with yours; if yours is right, it needs a new order id.{}", instance_suffix(.body))]
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
    #[error("{}", unverified_message(.source.as_deref()))]
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
    /// No usable answer: the network, a timeout, rate limiting, a 5xx after
    /// the retries, retries withheld, or a receipt that could not be
    /// compared yet. Trying again later may succeed.
    Unavailable,
    /// An answer the API does not document: an unreadable body, or a status
    /// such as a redirect.
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

/// One field that broke a rule: `{name, reason}` as in the API's
/// `invalidParams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Violation {
    /// The field, as the API names it (`orderLines[1].unitInfo.quantity`).
    pub name: String,
    /// The rule it broke.
    pub reason: String,
}

impl Violation {
    /// A violation of a rule by a field.
    #[must_use]
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Violation {
            name: name.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

/// An error body as the API or its gateway sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// An RFC 7807 problem, the API's own error format.
    Problem(Box<Problem>),
    /// The API gateway's `{statusCode, message}`.
    Gateway(GatewayError),
    /// Anything else, as text (cut at 2 KiB).
    Text(String),
    /// No body at all.
    Empty,
}

/// An RFC 7807 `application/problem+json` body. Build one with
/// `Problem::default()` and set its fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub problem_type: Option<String>,
    /// A short summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What went wrong in this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The occurrence's id (often a trace id): quote it to Vipps MobilePay support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The HTTP status the server meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// The offending fields (`invalidParams`, or `extraDetails` in newer APIs).
    #[serde(default, alias = "extraDetails", skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<Violation>,
}

/// The API gateway's error body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GatewayError {
    /// The status the gateway meant.
    #[serde(default)]
    pub status_code: Option<i64>,
    /// The gateway's message.
    #[serde(default)]
    pub message: Option<String>,
}

const TEXT_CAP: usize = 2048;

impl ErrorBody {
    /// Reads an error body: a problem, a gateway body, else text.
    pub fn parse(bytes: &[u8]) -> ErrorBody {
        let trimmed = bytes.trim_ascii();
        if trimmed.is_empty() {
            return ErrorBody::Empty;
        }
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(trimmed) {
            let has = |k: &str| map.contains_key(k);
            if has("title") || has("detail") || has("instance") || has("invalidParams") || has("extraDetails") || has("type") {
                if let Ok(p) = serde_json::from_value::<Problem>(serde_json::Value::Object(map.clone())) {
                    return ErrorBody::Problem(Box::new(p));
                }
            }
            if has("message") || has("statusCode") {
                if let Ok(g) = serde_json::from_value::<GatewayError>(serde_json::Value::Object(map)) {
                    return ErrorBody::Gateway(g);
                }
            }
        }
        ErrorBody::Text(cut(&String::from_utf8_lossy(trimmed), TEXT_CAP))
    }

    /// The problem, when the body is one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ErrorBody::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// The problem's `instance` id, when there is one.
    pub fn instance(&self) -> Option<&str> {
        self.problem().and_then(|p| p.instance.as_deref())
    }

    /// The most useful one-line summary of the body, if any.
    fn summary(&self) -> Option<String> {
        match self {
            ErrorBody::Problem(p) => {
                let mut parts: Vec<String> = Vec::new();
                match (&p.title, &p.detail) {
                    (Some(t), Some(d)) if t != d => parts.push(format!("{t} ({d})")),
                    (Some(t), _) => parts.push(t.clone()),
                    (None, Some(d)) => parts.push(d.clone()),
                    (None, None) => {}
                }
                if !p.invalid_params.is_empty() {
                    let fields: Vec<String> = p.invalid_params.iter().map(|v| v.to_string()).collect();
                    parts.push(fields.join("; "));
                }
                (!parts.is_empty()).then(|| printable(&parts.join(": ")).into_owned())
            }
            ErrorBody::Gateway(g) => g.message.as_deref().map(|m| printable(m).into_owned()),
            ErrorBody::Text(t) => Some(cut(&printable(t), 200)),
            ErrorBody::Empty => None,
        }
    }
}

/// Text from a server made safe to print in one line on a terminal or in a
/// log: control characters (line breaks, escape sequences) and the Unicode
/// marks that reorder text are shown escaped (`\u{1b}`) instead of acting.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    fn acts(c: char) -> bool {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(acts) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Cuts `text` to at most `max` bytes on a character boundary.
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
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

    pub(crate) fn config(reason: impl Into<String>) -> Error {
        Error::Config { reason: reason.into() }
    }

    /// The class of the failure (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::Invalid,
            Error::Config { .. } | Error::Auth { .. } => ErrorKind::Configuration,
            Error::Api { status, .. } => match status.as_u16() {
                400 | 422 => ErrorKind::Invalid,
                401 | 403 => ErrorKind::Configuration,
                404 => ErrorKind::NotFound,
                409 => ErrorKind::Conflict,
                423 | 429 | 500..=599 => ErrorKind::Unavailable,
                _ => ErrorKind::Unexpected,
            },
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

    /// `true` when the same call may succeed if tried again later:
    /// transport errors, timeouts, 423, 429 and 5xx, and a receipt whose
    /// comparison failed for one of those reasons.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } | Error::RetriesWithheld { .. } => true,
            Error::Api { status, .. } => crate::retry::is_retryable_status(*status),
            // A receipt is stored: calling again compares again, which
            // helps unless the keys or the request are wrong.
            Error::ReceiptUnverified { .. } => matches!(self.kind(), ErrorKind::Unavailable | ErrorKind::Unexpected),
            _ => false,
        }
    }

    /// `true` for a timeout.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::RetriesWithheld { last } => last.is_timeout(),
            _ => false,
        }
    }
}

fn invalid_message(violations: &[Violation]) -> String {
    let list: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    format!(
        "the request was not sent because it breaks the API's rules: {}. Correct the value and try again.",
        list.join("; ")
    )
}

fn instance_suffix(body: &ErrorBody) -> String {
    body.instance()
        .map(|id| format!(" (Vipps MobilePay error id {id})"))
        .unwrap_or_default()
}

fn api_message(op: Operation, status: StatusCode, body: &ErrorBody, retry_after: Option<Duration>, uncertain: bool) -> String {
    let what = match (status.as_u16(), op) {
        (400, _) => "Vipps MobilePay refused the request as invalid. Correct the request; sending it again unchanged will fail again.".to_owned(),
        (401, _) => "Vipps MobilePay did not accept the access token even after a fresh one was fetched. Check that the client id, client secret, subscription key and merchant serial number belong together.".to_owned(),
        (403, _) => "the API keys are valid but have no access to the Order Management API for this merchant serial number. In the merchant portal (portal.vipps.no), check that the sales unit has the API product and that the keys belong to this merchant serial number.".to_owned(),
        (404, Operation::GetOrder) => "no category or receipt is stored for this order. Check the order id and payment type (ECOM for eCom and ePayment, RECURRING for Recurring charges).".to_owned(),
        (404, Operation::GetCategory | Operation::DeleteCategory) => "no category with this id exists (it may have been deleted). Check the category id.".to_owned(),
        (404, _) => "Vipps MobilePay found nothing at this address. Check the order id, payment type and base URL.".to_owned(),
        (409, Operation::PostReceipt) => "a receipt already exists for this order, and receipts cannot be changed once posted. Get the order to see the stored receipt.".to_owned(),
        (409, Operation::UploadImage) => "an image with this id already exists, and images cannot be overwritten. Reuse the stored image or upload under a new id.".to_owned(),
        (409, _) => "the request conflicts with what is already stored. Get the order to see its current state.".to_owned(),
        (423, _) | (429, _) => {
            let wait = retry_after
                .map(|d| format!(" after {}s", d.as_secs()))
                .unwrap_or_else(|| " in a little while".to_owned());
            if uncertain {
                format!("Vipps MobilePay is limiting requests, so the call ends here (try again{wait}). {}", earlier_attempt(op))
            } else {
                format!("Vipps MobilePay is limiting requests. Nothing was changed; try again{wait}.")
            }
        }
        (300..=399, _) => "the server answered with a redirect, which is not followed so that credentials never go to another host. Check the base URL.".to_owned(),
        (500..=599, _) => {
            let wait = retry_after
                .map(|d| format!(" It asked to wait {}s before the next try.", d.as_secs()))
                .unwrap_or_default();
            format!(
                "Vipps MobilePay had a problem on its side.{wait} {} If it persists, contact Vipps MobilePay support with the error id.",
                after_no_answer(op)
            )
        }
        _ => "Vipps MobilePay answered with an unexpected error.".to_owned(),
    };
    let mut message = format!("{} failed with HTTP {status}: {what}", capitalize(op.describe()));
    if let Some(summary) = body.summary() {
        message.push_str(&format!(" The server said: {summary}."));
    }
    message.push_str(&instance_suffix(body));
    message
}

fn auth_message(status: StatusCode, body: &ErrorBody) -> String {
    let mut message = format!(
        "Vipps MobilePay refused the API credentials (HTTP {status}). Check the client id, client secret and subscription key in the merchant portal (portal.vipps.no) and that they are for the chosen environment (test or production)."
    );
    if let Some(summary) = body.summary() {
        message.push_str(&format!(" The server said: {summary}."));
    }
    message.push_str(&instance_suffix(body));
    message
}

/// What a caller should do after a request whose outcome is unknown (no
/// answer, or a 5xx): whether it may have taken effect, and whether calling
/// again is safe.
fn after_no_answer(op: Operation) -> &'static str {
    match op {
        Operation::PostReceipt => {
            "The receipt may or may not have been stored. Call post_receipt again with the same receipt: that is safe, it never stores a receipt twice."
        }
        Operation::UploadImage => {
            "The image may or may not have been stored. Uploading it again is safe: under an id derived from the bytes an existing image counts as uploaded."
        }
        Operation::AddCategory => {
            "The category may or may not have been added. List the order's categories before adding it again, or it may appear twice."
        }
        Operation::DeleteCategory => "The category may or may not have been deleted; it is safe to try again.",
        _ => "It is safe to try again.",
    }
}

fn transport_message(op: Operation, e: &reqwest::Error, uncertain: bool) -> String {
    let then = match (e.is_connect(), uncertain) {
        (true, false) => "Nothing was sent; it is safe to try again.".to_owned(),
        (true, true) => format!("This attempt sent nothing. {}", earlier_attempt(op)),
        (false, _) => after_no_answer(op).to_owned(),
    };
    format!(
        "could not reach Vipps MobilePay while {}: {}. Check the network and the base URL. {then}",
        op.describe(),
        transport_kind(e)
    )
}

/// For a call that ends on a refusal after an earlier attempt whose
/// outcome is unknown.
fn earlier_attempt(op: Operation) -> String {
    format!(
        "An earlier attempt of this call got no answer or a 5xx, and may have taken effect. {}",
        after_no_answer(op)
    )
}

fn rate_limited_message(op: Operation, status: StatusCode, wait: Duration, body: &ErrorBody, uncertain: bool) -> String {
    let then = if uncertain {
        earlier_attempt(op)
    } else {
        "Nothing was changed; try again after that time.".to_owned()
    };
    format!(
        "Vipps MobilePay is limiting requests ({status}) and asked to wait {}s, longer than this call may take. {then}{}",
        wait.as_secs(),
        instance_suffix(body)
    )
}

fn unverified_message(source: Option<&Error>) -> String {
    let why = match source {
        Some(e) => format!("getting the order failed: {e}"),
        None => "the order showed no receipt yet".to_owned(),
    };
    format!(
        "A receipt is already stored for this order (perhaps by this very call), but it could not be compared with the one sent ({why}). Call post_receipt again with the same receipt: that is safe, and it will compare again."
    )
}

fn transport_kind(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        "the connection could not be opened"
    } else if e.is_redirect() {
        "the server answered with a redirect, which is not followed"
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer"
    } else {
        "the connection failed"
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
