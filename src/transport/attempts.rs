//! The retry loop of one call: which failures are tried again, how long it
//! waits, and what the call ends with.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header;
use reqwest::StatusCode;
use tokio::time::Instant;

use super::call::{Call, Limits, Prepared};
use super::exchange::{self, NoAnswer};
use super::gateway::Gateway;
use super::reply::Reply;
use crate::error::{Error, ErrorBody};
use crate::retry::{fits_before, is_retryable_status, parse_retry_after, RetryPolicy, RETRY_COST, TIMEOUT_RETRY_COST};

/// Why no further attempt is made.
enum NoRetry {
    /// Attempts used up, or the deadline would pass.
    Done,
    /// The shared retry budget is spent.
    BudgetSpent,
}

/// Makes the attempts of one call: each waits for a valid token, then
/// crosses the wire ([`exchange::attempt`]); a failure that may pass is
/// tried again after a backoff, while attempts, deadline and the shared
/// budget allow. A 401 gets one token refresh and one resend.
pub(super) async fn run(
    gateway: &Arc<Gateway>,
    call: &Call,
    prepared: &Prepared,
    limits: &Limits,
    count: &AtomicU32,
) -> Result<Reply, Error> {
    let (policy, deadline) = (&limits.policy, limits.deadline);
    let mut attempt: u32 = 0;
    let mut refreshed = false;
    let mut after_unknown_outcome = false;
    loop {
        // With a cached token this is ready at once; otherwise it waits
        // for the background refresh, at most until the deadline.
        let token = match call.auth {
            true => Some(gateway.authorizer.authorization(gateway, limits).await?),
            false => None,
        };
        attempt += 1;
        count.store(attempt, Ordering::Relaxed);
        let received = match exchange::attempt(gateway, call, prepared, token.as_ref(), limits).await {
            Ok(received) => received,
            Err(no_answer) => {
                let (cost, reason) = match &no_answer {
                    NoAnswer::TimedOut(_) => (TIMEOUT_RETRY_COST, "timeout"),
                    NoAnswer::Lost(_) => (RETRY_COST, "connection lost"),
                    NoAnswer::NotSent(_) => (RETRY_COST, "connection failed"),
                };
                let may_have_arrived = !matches!(no_answer, NoAnswer::NotSent(_));
                let error = match no_answer {
                    NoAnswer::TimedOut(after) => Error::Timeout { operation: call.op, after },
                    NoAnswer::Lost(source) | NoAnswer::NotSent(source) => Error::Transport {
                        operation: call.op,
                        source: Arc::new(source),
                        uncertain: after_unknown_outcome,
                    },
                };
                if let Err(why) = pause_before_retry(gateway, policy, attempt, deadline, None, cost, reason).await {
                    return Err(final_error(why, error));
                }
                after_unknown_outcome |= may_have_arrived;
                continue;
            }
        };
        let status = received.status;
        let retry_after = received
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let reply = Reply {
            op: call.op,
            status,
            retry_after,
            body: received.body,
            truncated: received.truncated,
            cap: received.cap,
            after_unknown_outcome,
        };
        if received.elsewhere {
            // Only a client that follows redirects gets here, and this one
            // never does: an answer from elsewhere is not the service's.
            return Err(reply.malformed(
                "the answer came from another address than the one requested (a redirect was followed); it is not taken as the service's",
            ));
        }
        if status.is_success() {
            gateway.budget.refill();
            return Ok(reply);
        }
        if status == StatusCode::UNAUTHORIZED && !refreshed {
            if let Some(token) = &token {
                refreshed = true;
                attempt -= 1;
                gateway.authorizer.refused(token);
                tracing::info!("the API refused the access token; fetching a new one and sending once more");
                continue;
            }
        }
        if !is_retryable_status(status) {
            return Ok(reply);
        }
        if let Some(wait) = retry_after.filter(|wait| !fits_before(*wait, deadline)) {
            // A 429 or 423 refused the request: nothing was changed. A
            // 5xx is returned as it is: the request may have taken effect.
            if matches!(status.as_u16(), 423 | 429) {
                return Err(Error::RateLimited {
                    operation: call.op,
                    status,
                    retry_after: wait,
                    body: ErrorBody::parse(&reply.body),
                    uncertain: reply.after_unknown_outcome,
                });
            }
            return Ok(reply);
        }
        let reason = status.canonical_reason().unwrap_or("retryable status");
        match pause_before_retry(gateway, policy, attempt, deadline, retry_after, RETRY_COST, reason).await {
            Ok(()) => {}
            Err(NoRetry::Done) => return Ok(reply),
            Err(NoRetry::BudgetSpent) => return Err(final_error(NoRetry::BudgetSpent, reply.error())),
        }
        // A 5xx may come from a gateway in front of a backend that did
        // the work: the next attempt's 409 may be this call's own write.
        after_unknown_outcome |= status.is_server_error();
    }
}

/// Waits before the next attempt, or says why no retry is allowed.
async fn pause_before_retry(
    gateway: &Gateway,
    policy: &RetryPolicy,
    attempt: u32,
    deadline: Instant,
    retry_after: Option<Duration>,
    cost: u32,
    reason: &str,
) -> Result<(), NoRetry> {
    if attempt >= policy.max_attempts {
        return Err(NoRetry::Done);
    }
    let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt, &gateway.rng));
    if !fits_before(delay, deadline) {
        tracing::info!(attempt, reason, "not retrying: the call's deadline would pass");
        return Err(NoRetry::Done);
    }
    if !gateway.budget.try_spend(cost) {
        tracing::warn!(
            attempt,
            reason,
            "retry withheld: too many calls are failing, the retry budget is spent"
        );
        return Err(NoRetry::BudgetSpent);
    }
    tracing::info!(attempt, delay_ms = delay.as_millis() as u64, reason, "retrying");
    tokio::time::sleep(delay).await;
    Ok(())
}

/// The error a call ends with when no retry follows: the last failure,
/// wrapped when the shared budget withheld the retry.
fn final_error(why: NoRetry, error: Error) -> Error {
    match why {
        NoRetry::Done => error,
        NoRetry::BudgetSpent => Error::RetriesWithheld { last: Box::new(error) },
    }
}
