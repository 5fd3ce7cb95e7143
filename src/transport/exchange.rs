//! One attempt on the wire: the request as sent, and its answer as read.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::StatusCode;
use tokio::time::Instant;

use super::call::{Call, Limits};
use crate::auth::Token;
use crate::client::Client;
use crate::retry::later;

/// Error bodies are read up to this many bytes.
pub(crate) const ERROR_BODY_CAP: usize = 1024 * 1024;
/// Success bodies are read up to this many bytes.
pub(crate) const SUCCESS_BODY_CAP: usize = 16 * 1024 * 1024;

const SUBSCRIPTION_KEY: HeaderName = HeaderName::from_static("ocp-apim-subscription-key");
const MERCHANT_SERIAL_NUMBER: HeaderName = HeaderName::from_static("merchant-serial-number");

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
    client: &Client,
    call: &Call,
    msn: &HeaderValue,
    token: Option<&Arc<Token>>,
    limits: &Limits,
) -> Result<(StatusCode, HeaderMap, Bytes, bool), NoAnswer> {
    let inner = &client.inner;
    let mut request = inner
        .http
        .request(call.method.clone(), call.url.clone())
        .header(header::USER_AGENT, USER_AGENT)
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/json")
        .header(SUBSCRIPTION_KEY, inner.subscription_key_header.clone())
        .header(MERCHANT_SERIAL_NUMBER, msn.clone());
    for (name, value) in inner.system_headers.iter().chain(call.headers.iter()) {
        request = request.header(name, value);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, token.bearer());
    }
    if let Some(body) = &call.body {
        request = request.body(body.clone());
    }
    let exchange = async {
        let mut response = request.send().await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let cap = if status.is_success() { SUCCESS_BODY_CAP } else { ERROR_BODY_CAP };
        let mut body = BytesMut::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await? {
            let room = cap - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok::<_, reqwest::Error>((status, headers, body.freeze(), truncated))
    };
    let own = later(Instant::now(), inner.timeout);
    let (ends, after) = if own < limits.deadline {
        (own, inner.timeout)
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
