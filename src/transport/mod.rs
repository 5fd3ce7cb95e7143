//! Making one call: the request's headers, its access token, its retries
//! under a deadline and the shared budget, its body cap, and its tracing
//! span. Every operation goes through [`execute`]; a call that makes more
//! than one request (a receipt's reconciling get-order) makes the later
//! ones with [`execute_within`], under the limits of the first.
//!
//! `call` holds what a call is and may take, `reply` what it ended with,
//! `attempts` the retry loop, and `exchange` one attempt on the wire.

mod attempts;
mod call;
mod exchange;
mod reply;

use std::sync::atomic::{AtomicU32, Ordering};

use tokio::time::Instant;
use tracing::{field, Instrument};

pub(crate) use call::{call_options_setters, json_body, Call, CallOptions, Limits};
pub(crate) use reply::Reply;

use crate::client::Client;
use crate::error::{Error, ErrorBody};

/// Makes the call: retries, token refresh and deadline included, under
/// limits that start now.
pub(crate) async fn execute(client: &Client, call: Call) -> Result<Reply, Error> {
    let limits = client.limits(&call.options);
    execute_within(client, call, &limits).await
}

/// Makes the call within limits that an enclosing call already set.
pub(crate) async fn execute_within(client: &Client, call: Call, limits: &Limits) -> Result<Reply, Error> {
    let prepared = call.prepare(&client.inner.msn_header, client.inner.timeout)?;
    let span = tracing::info_span!(
        "vipps_order_management",
        operation = call.op.name(),
        method = %call.method,
        host = call.url.host_str(),
        path = call.url.path(),
        status = field::Empty,
        attempts = field::Empty,
        latency_ms = field::Empty,
        instance = field::Empty,
    );
    let started = Instant::now();
    // Boxed: the attempt loop's state is large, and a small outer future
    // is cheaper for callers to spawn and move.
    let count = AtomicU32::new(0);
    let attempts = Box::pin(attempts::run(client, &call, &prepared, limits, &count));
    if span.is_disabled() {
        // No subscriber wants it: skip the per-poll span bookkeeping.
        return attempts.await;
    }
    let result = attempts.instrument(span.clone()).await;
    // Recorded once, at the end: a field recorded per attempt would be
    // logged once per attempt.
    span.record("attempts", count.load(Ordering::Relaxed));
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    let _entered = span.enter();
    match &result {
        Ok(reply) if reply.status.is_success() => {
            span.record("status", reply.status.as_u16());
            tracing::debug!("call succeeded");
        }
        Ok(reply) => {
            span.record("status", reply.status.as_u16());
            if let Some(id) = ErrorBody::parse(&reply.body).instance() {
                span.record("instance", id);
            }
            tracing::warn!(status = reply.status.as_u16(), "call failed");
        }
        Err(e) => {
            if let Some(status) = e.status() {
                span.record("status", status.as_u16());
            }
            if let Some(id) = e.body().and_then(ErrorBody::instance) {
                span.record("instance", id);
            }
            tracing::warn!(error = %e, "call failed");
        }
    }
    result
}
