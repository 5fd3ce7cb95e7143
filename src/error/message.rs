//! What each error says to the merchant's staff: what happened, and what
//! to do about it: the words `Display` for [`Error`](super::Error) shows
//! (its `#[error]` attributes call these).

use std::time::Duration;

use reqwest::StatusCode;

use super::body::{ErrorBody, Violation};
use crate::operation::Operation;
use crate::text::{printable, shorten};

pub(super) fn invalid_message(violations: &[Violation]) -> String {
    let list: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    format!(
        "the request was not sent because it breaks the API's rules: {}. Correct the value and try again.",
        list.join("; ")
    )
}

pub(super) fn instance_suffix(body: &ErrorBody) -> String {
    body.instance()
        .map(|id| format!(" (Vipps MobilePay error id {id})"))
        .unwrap_or_default()
}

pub(super) fn api_message(op: Operation, status: StatusCode, body: &ErrorBody, retry_after: Option<Duration>, uncertain: bool) -> String {
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
        (500..=599, _) if !crate::retry::is_retryable_status(status) => {
            "the server answered with a status that trying again does not change (the method or protocol is not supported there). Check the base URL; if it is right, report this to the SDK maintainers.".to_owned()
        }
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
        message.push_str(&server_said(&summary));
    }
    message.push_str(&instance_suffix(body));
    message
}

pub(super) fn auth_message(status: StatusCode, body: &ErrorBody) -> String {
    let mut message = format!(
        "Vipps MobilePay refused the API credentials (HTTP {status}). Check the client id, client secret and subscription key in the merchant portal (portal.vipps.no) and that they are for the chosen environment (test or production)."
    );
    if let Some(summary) = body.summary() {
        message.push_str(&server_said(&summary));
    }
    message.push_str(&instance_suffix(body));
    message
}

/// What a caller should do after a request whose outcome is unknown (no
/// answer, or a 5xx): whether it may have taken effect, and whether calling
/// again is safe.
pub(super) fn after_no_answer(op: Operation) -> &'static str {
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

pub(super) fn transport_message(op: Operation, e: &reqwest::Error, uncertain: bool) -> String {
    let then = match (e.is_connect(), uncertain) {
        (true, false) => "Nothing was sent; it is safe to try again.".to_owned(),
        (true, true) => format!("This attempt sent nothing. {}", earlier_attempt(op)),
        (false, _) => after_no_answer(op).to_owned(),
    };
    format!(
        "could not reach Vipps MobilePay while {}: {}{}. Check the network and the base URL (for a certificate, any proxy that intercepts TLS). {then}",
        op.describe(),
        transport_kind(e),
        root_cause(e)
    )
}

/// " (the innermost cause)", such as a refused connection or a
/// certificate the TLS library does not trust: what staff need to tell a
/// network problem from a configuration one.
fn root_cause(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let Some(mut cause) = e.source() else {
        return String::new();
    };
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!(" ({})", shorten(&printable(&cause.to_string()), 200))
}

/// For a call that ends on a refusal after an earlier attempt whose
/// outcome is unknown.
fn earlier_attempt(op: Operation) -> String {
    format!(
        "An earlier attempt of this call got no answer or a 5xx, and may have taken effect. {}",
        after_no_answer(op)
    )
}

pub(super) fn rate_limited_message(op: Operation, status: StatusCode, wait: Duration, body: &ErrorBody, uncertain: bool) -> String {
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

pub(super) fn unverified_message(source: Option<&dyn std::fmt::Display>) -> String {
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

/// " The server said: ..." ending with one full stop, whether or not the
/// server's text ends with one.
fn server_said(summary: &str) -> String {
    let summary = summary.trim_end();
    if summary.ends_with(['.', '!', '?']) {
        format!(" The server said: {summary}")
    } else {
        format!(" The server said: {summary}.")
    }
}
