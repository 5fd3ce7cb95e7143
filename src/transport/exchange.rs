//! One attempt on the wire: the request as sent, and its answer as read.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::StatusCode;
use tokio::time::Instant;

use super::call::{Call, Limits, Prepared};
use super::gateway::Gateway;
use crate::headers::{MERCHANT_SERIAL_NUMBER_HEADER, SUBSCRIPTION_KEY_HEADER};
use crate::operation::Operation;
use crate::retry::later;

/// The most read of an error answer, or of an operation's answer that is
/// a few words (an id, a token): 64 KiB.
pub(crate) const SMALL_ANSWER_CAP: usize = 64 * 1024;
/// The most read of an answer that holds stored data (an order, a list of
/// categories): 16 MiB, far beyond a receipt of thousands of lines.
pub(crate) const LARGE_ANSWER_CAP: usize = 16 * 1024 * 1024;

/// How much of an answer is read: an answer past it is an error, and a call
/// holds at most this much of it (plus one network chunk) in memory.
pub(crate) fn answer_cap(op: Operation, status: StatusCode) -> usize {
    match op {
        Operation::GetOrder | Operation::ListCategories | Operation::GetCategory if status.is_success() => LARGE_ANSWER_CAP,
        _ => SMALL_ANSWER_CAP,
    }
}

/// An answer as read from the wire.
#[derive(Debug)]
pub(super) struct Received {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    /// The body went on past its cap and was cut there (or not read at all,
    /// when its `Content-Length` said so).
    pub(super) truncated: bool,
    /// The cap it was read under.
    pub(super) cap: usize,
    /// The answer came from another URL than the one requested: a redirect
    /// was followed somewhere.
    pub(super) elsewhere: bool,
}

const USER_AGENT: &str = concat!("vipps-order-management-rust/", env!("CARGO_PKG_VERSION"));

/// Why an attempt got no answer.
pub(super) enum NoAnswer {
    /// The request may have reached the server.
    Lost(reqwest::Error),
    /// The request never left (connection refused, DNS).
    NotSent(reqwest::Error),
    /// No answer within this time (the attempt's timeout or the call's deadline).
    TimedOut(Duration),
}

/// One attempt on the wire: the request with every header, its answer's
/// status, headers and body (read up to its cap), all within one timer that
/// ends at the earlier of the attempt's own timeout and the call's deadline.
pub(super) async fn attempt(
    gateway: &Gateway,
    call: &Call,
    prepared: &Prepared,
    authorization: Option<&HeaderValue>,
    limits: &Limits,
) -> Result<Received, NoAnswer> {
    let mut request = gateway
        .http
        .request(call.op.method(), call.url.clone())
        .header(header::USER_AGENT, USER_AGENT)
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/json")
        .header(SUBSCRIPTION_KEY_HEADER, gateway.subscription_key.clone())
        .header(MERCHANT_SERIAL_NUMBER_HEADER, prepared.msn.clone());
    for (name, value) in gateway.system_headers.iter().chain(&call.headers).chain(&prepared.headers) {
        request = request.header(name, value);
    }
    if let Some(authorization) = authorization {
        request = request.header(header::AUTHORIZATION, authorization.clone());
    }
    if let Some(body) = &call.body {
        request = request.body(body.clone());
    }
    let exchange = async {
        let mut response = request.send().await?;
        let status = response.status();
        let elsewhere = response.url() != &call.url;
        let headers = std::mem::take(response.headers_mut());
        let cap = answer_cap(call.op, status);
        // An answer that says it is larger than its cap is read only as far
        // as a small preview (for the error message), then dropped.
        let too_large = response.content_length().is_some_and(|n| n > cap as u64);
        let limit = if too_large { cap.min(SMALL_ANSWER_CAP) } else { cap };
        let mut body = BytesMut::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = limit - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        let truncated = truncated || too_large;
        let body = if status.is_success() {
            body.freeze()
        } else {
            // An error answer may echo what was sent (a gateway reflecting
            // the request): the client's secrets never leave in an error.
            let mut secrets: Vec<&[u8]> = gateway.never_shown.iter().map(HeaderValue::as_bytes).collect();
            secrets.push(gateway.subscription_key.as_bytes());
            secrets.extend(authorization.map(|a| a.as_bytes().strip_prefix(b"Bearer ").unwrap_or(a.as_bytes())));
            secrets.extend(prepared.headers.iter().map(|(_, value)| value.as_bytes()));
            crate::secret::redact(body.freeze(), &secrets)
        };
        Ok::<_, reqwest::Error>(Received {
            status,
            headers,
            body,
            truncated,
            cap,
            elsewhere,
        })
    };
    let own = later(Instant::now(), prepared.timeout);
    let (ends, after) = if own < limits.deadline {
        (own, prepared.timeout)
    } else {
        (limits.deadline, limits.policy.deadline)
    };
    match tokio::time::timeout_at(ends, exchange).await {
        Err(_) => Err(NoAnswer::TimedOut(after)),
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(e)) if e.is_connect() => Err(NoAnswer::NotSent(e)),
        Ok(Err(e)) => Err(NoAnswer::Lost(e)),
    }
}
