//! Making one call: the request's headers, its access token, its retries
//! under a deadline and the shared budget, its body cap, and its tracing
//! span. Every operation goes through [`execute`], the one way in; a call
//! that makes more than one request (a receipt's reconciling get-order)
//! makes the later ones under the limits of the first.
//!
//! `gateway` holds what every call of a client shares (and the
//! `Authorizer` its tokens come from), `call` what a call is and may take,
//! `reply` what it ended with, `attempts` the retry loop, and `exchange`
//! one attempt on the wire. Nothing here knows the `Client`.

mod attempts;
mod call;
mod exchange;
mod gateway;
mod reply;

use std::sync::atomic::{AtomicU32, Ordering};

use tokio::time::Instant;
use tracing::{field, Instrument};

pub(crate) use call::{call_options_setters, json_body, Call, CallOptions, Limits};
pub(crate) use gateway::{Authorizer, BoxFuture, Gateway};
pub(crate) use reply::Reply;

use std::sync::Arc;

use crate::error::{Error, ErrorBody};

/// Makes the call: retries, token refresh and deadline included, within
/// `within`, limits an enclosing call already set, or limits of its own
/// that start now.
pub(crate) async fn execute(gateway: &Arc<Gateway>, call: Call, within: Option<&Limits>) -> Result<Reply, Error> {
    let own;
    let limits = match within {
        Some(limits) => limits,
        None => {
            own = gateway.limits(&call.options);
            &own
        }
    };
    let prepared = call.prepare(&gateway.merchant_serial_number, gateway.timeout)?;
    let span = tracing::info_span!(
        "vipps_order_management",
        operation = call.op.name(),
        method = %call.op.method(),
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
    let attempts = Box::pin(attempts::run(gateway, &call, &prepared, limits, &count));
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
