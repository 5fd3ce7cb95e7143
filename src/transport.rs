//! Sending one call: headers, the token, timeouts, retries, the body cap,
//! and the tracing span. Every operation goes through [`Client::execute`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{field, Instrument};
use url::Url;

use crate::auth::Token;
use crate::client::Client;
use crate::error::{cut, Error, ErrorBody};
use crate::operation::Operation;
use crate::retry::{fits_before, is_retryable_status, later, parse_retry_after, RetryPolicy, RETRY_COST, TIMEOUT_RETRY_COST};
use crate::validate::{self, Report};

/// Error bodies are read up to this many bytes.
pub(crate) const ERROR_BODY_CAP: usize = 1024 * 1024;
/// Success bodies are read up to this many bytes.
pub(crate) const SUCCESS_BODY_CAP: usize = 16 * 1024 * 1024;

const SUBSCRIPTION_KEY: HeaderName = HeaderName::from_static("ocp-apim-subscription-key");
const MERCHANT_SERIAL_NUMBER: HeaderName = HeaderName::from_static("merchant-serial-number");

const USER_AGENT: &str = concat!("vipps-order-management-rust/", env!("CARGO_PKG_VERSION"));

/// Per-call settings shared by every operation handle.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    /// Overrides the client's merchant serial number (partners).
    pub(crate) msn: Option<String>,
    /// Overrides the client's retry policy.
    pub(crate) retry: Option<RetryPolicy>,
}

/// The time one call may take, fixed when it starts and shared by every
/// request it makes: a receipt's reconciling get-order runs under the same
/// deadline as the POST, and its retries draw on the same shared budget.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub(crate) policy: RetryPolicy,
    pub(crate) deadline: Instant,
}

impl Limits {
    /// The error for a call whose deadline passed while `op` was under way.
    pub(crate) fn timed_out(&self, op: Operation) -> Error {
        Error::Timeout {
            operation: op,
            after: self.policy.deadline,
        }
    }
}

/// One call to make.
pub(crate) struct Call {
    pub(crate) op: Operation,
    pub(crate) method: Method,
    /// The full URL (see [`Client::url`]).
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    /// Send `Authorization: Bearer` (everything but the token fetch).
    pub(crate) auth: bool,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) options: CallOptions,
}

impl Call {
    /// An authenticated call without body or query.
    pub(crate) fn new(op: Operation, method: Method, url: Url, options: CallOptions) -> Call {
        Call {
            op,
            method,
            url,
            body: None,
            auth: true,
            headers: Vec::new(),
            options,
        }
    }

    /// The merchant serial number header: the call's own, checked, or the client's.
    fn msn_header(&self, client_default: &HeaderValue) -> Result<HeaderValue, Error> {
        match &self.options.msn {
            None => Ok(client_default.clone()),
            Some(msn) => {
                let mut report = Report::default();
                report.extend(validate::merchant_serial_number("Merchant-Serial-Number", msn));
                report.into_result()?;
                HeaderValue::from_str(msn)
                    .map_err(|_| Error::invalid("Merchant-Serial-Number", "holds characters that cannot be sent in a header"))
            }
        }
    }
}

/// The answer the call ended with (success, or a status not retried).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) op: Operation,
    pub(crate) status: StatusCode,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Bytes,
    /// The body went on past its cap and was cut there.
    pub(crate) truncated: bool,
    /// An earlier attempt may have taken effect (no answer after sending,
    /// or a 5xx), so a 409 may be this call's own write.
    pub(crate) after_unknown_outcome: bool,
}

impl Reply {
    /// The reply when it is a success, else its error.
    pub(crate) fn success(self) -> Result<Reply, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.error())
        }
    }

    /// The error this reply stands for.
    pub(crate) fn error(&self) -> Error {
        let body = ErrorBody::parse(&self.body);
        match self.status {
            StatusCode::UNAUTHORIZED => Error::Auth { status: self.status, body },
            StatusCode::FORBIDDEN if self.op == Operation::FetchToken => Error::Auth { status: self.status, body },
            status => Error::Api {
                operation: self.op,
                status,
                body,
                retry_after: self.retry_after,
                uncertain: self.after_unknown_outcome,
            },
        }
    }

    /// Decodes a JSON body.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if self.truncated {
            return Err(self.malformed(&format!(
                "the answer is larger than {SUCCESS_BODY_CAP} bytes, the most this client reads of an answer"
            )));
        }
        serde_json::from_slice(&self.body).map_err(|source| self.undecodable(source))
    }

    /// A decode error for this reply: a body that decoded but is unusable.
    pub(crate) fn malformed(&self, reason: &str) -> Error {
        self.undecodable(<serde_json::Error as serde::de::Error>::custom(reason))
    }

    /// The decode error with the start of the body, except for the token
    /// endpoint, whose body may hold the access token.
    fn undecodable(&self, source: serde_json::Error) -> Error {
        let snippet = match self.op {
            Operation::FetchToken => "[the token endpoint's answer is not shown]".to_owned(),
            _ => cut(&String::from_utf8_lossy(&self.body), 200),
        };
        Error::Decode {
            operation: self.op,
            status: self.status,
            snippet,
            source: Arc::new(source),
        }
    }

    /// A success body that may be a JSON string, plain text or empty.
    pub(crate) fn text(&self) -> Option<String> {
        let raw = self.body.trim_ascii();
        if raw.is_empty() {
            return None;
        }
        match serde_json::from_slice::<String>(raw) {
            Ok(s) => Some(s),
            Err(_) => Some(String::from_utf8_lossy(raw).into_owned()),
        }
    }
}

/// Why no further attempt is made.
enum NoRetry {
    /// Attempts used up, or the deadline would pass.
    Done,
    /// The shared retry budget is spent.
    Withheld,
}

/// Why an attempt got no answer.
enum NoAnswer {
    /// The request may have reached the server.
    Lost(reqwest::Error),
    /// The request never left (connection refused, DNS).
    NotSent(reqwest::Error),
    /// No answer within this time (the attempt's timeout or the call's deadline).
    TimedOut(Duration),
}

impl Client {
    /// The base URL with these path segments appended, each percent-encoded.
    /// A segment that the URL library would drop or rewrite (`.`, `..`) is
    /// refused, so a request never goes to another path than the one meant.
    pub(crate) fn url<'s>(&self, segments: impl IntoIterator<Item = &'s str> + Clone) -> Result<Url, Error> {
        // The URL library percent-encodes each segment (`/`, `%`, `?`, `#`
        // and `\` included), so a segment stays one segment; it drops `.`
        // and `..`, and an empty one makes an empty segment that no router
        // serves. Those are refused; everything else arrives as given
        // (property-tested in `tests::segments_arrive_as_given`).
        if let Some(bad) = segments.clone().into_iter().find(|s| matches!(*s, "" | "." | "..")) {
            return Err(Error::invalid(
                "path",
                format!("the path segment `{bad}` would be dropped or rewritten by URL normalisation"),
            ));
        }
        let mut url = self.inner.base.clone();
        {
            let Ok(mut path) = url.path_segments_mut() else {
                return Err(Error::config("the base URL cannot hold a path"));
            };
            path.pop_if_empty();
            path.extend(segments);
        }
        Ok(url)
    }

    /// The limits of a call that starts now.
    pub(crate) fn limits(&self, options: &CallOptions) -> Limits {
        let policy = options.retry.clone().unwrap_or_else(|| self.inner.retry.clone());
        let deadline = later(Instant::now(), policy.deadline);
        Limits { policy, deadline }
    }

    /// Makes the call: retries, token refresh and deadline included.
    pub(crate) async fn execute(&self, call: Call) -> Result<Reply, Error> {
        let limits = self.limits(&call.options);
        self.execute_within(call, &limits).await
    }

    /// Makes the call within limits that an enclosing call already set.
    pub(crate) async fn execute_within(&self, call: Call, limits: &Limits) -> Result<Reply, Error> {
        let msn = call.msn_header(&self.inner.msn_header)?;
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
        // One timer per attempt: each attempt ends by the earlier of its own
        // timeout and the call's deadline, and waits between attempts are
        // checked against the deadline before they start.
        // Boxed: the attempt loop's state is large, and a small outer future
        // is cheaper for callers to spawn and move.
        let count = AtomicU32::new(0);
        let attempts = Box::pin(self.attempts(&call, &msn, limits, &count));
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

    async fn attempts(&self, call: &Call, msn: &HeaderValue, limits: &Limits, count: &AtomicU32) -> Result<Reply, Error> {
        let (policy, deadline) = (&limits.policy, limits.deadline);
        let mut attempt: u32 = 0;
        let mut refreshed = false;
        let mut after_unknown_outcome = false;
        loop {
            // With a cached token this is ready at once; otherwise it waits
            // for the background refresh, at most until the deadline.
            let token = match call.auth {
                true => Some(self.inner.tokens.get(self, limits).await?),
                false => None,
            };
            attempt += 1;
            count.store(attempt, Ordering::Relaxed);
            let (status, headers, body, truncated) = match self.attempt(call, msn, token.as_ref(), limits).await {
                Ok(answer) => answer,
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
                    if let Err(why) = self.pause_before_retry(policy, attempt, deadline, None, cost, reason).await {
                        return Err(withheld(why, error));
                    }
                    after_unknown_outcome |= may_have_arrived;
                    continue;
                }
            };
            let retry_after = headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let reply = Reply {
                op: call.op,
                status,
                retry_after,
                body,
                truncated,
                after_unknown_outcome,
            };
            if status.is_success() {
                self.inner.budget.refill();
                return Ok(reply);
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                if let Some(token) = &token {
                    refreshed = true;
                    attempt -= 1;
                    self.inner.tokens.invalidate(token);
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
            match self
                .pause_before_retry(policy, attempt, deadline, retry_after, RETRY_COST, reason)
                .await
            {
                Ok(()) => {}
                Err(NoRetry::Done) => return Ok(reply),
                Err(NoRetry::Withheld) => return Err(withheld(NoRetry::Withheld, reply.error())),
            }
            // A 5xx may come from a gateway in front of a backend that did
            // the work: the next attempt's 409 may be this call's own write.
            after_unknown_outcome |= status.is_server_error();
        }
    }

    /// Waits before the next attempt, or says why no retry is allowed.
    async fn pause_before_retry(
        &self,
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
        let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt, &self.inner.rng));
        if !fits_before(delay, deadline) {
            tracing::info!(attempt, reason, "not retrying: the call's deadline would pass");
            return Err(NoRetry::Done);
        }
        if !self.inner.budget.try_spend(cost) {
            tracing::warn!(
                attempt,
                reason,
                "retry withheld: too many calls are failing, the retry budget is spent"
            );
            return Err(NoRetry::Withheld);
        }
        tracing::info!(attempt, delay_ms = delay.as_millis() as u64, reason, "retrying");
        tokio::time::sleep(delay).await;
        Ok(())
    }

    async fn attempt(
        &self,
        call: &Call,
        msn: &HeaderValue,
        token: Option<&Arc<Token>>,
        limits: &Limits,
    ) -> Result<(StatusCode, HeaderMap, Bytes, bool), NoAnswer> {
        let inner = &self.inner;
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
}

fn withheld(why: NoRetry, error: Error) -> Error {
    match why {
        NoRetry::Done => error,
        NoRetry::Withheld => Error::RetriesWithheld { last: Box::new(error) },
    }
}

/// Serializes a request body.
pub(crate) fn json_body<T: serde::Serialize>(value: &T) -> Bytes {
    // The request types are plain structs of strings, numbers and lists,
    // with no maps and no custom serializers that fail: this cannot fail.
    Bytes::from(serde_json::to_vec(value).expect("request types always serialize"))
}

/// The per-call setters every operation handle offers.
macro_rules! call_options_setters {
    () => {
        /// Sends this merchant serial number instead of the client's: for
        /// partners and platforms acting for many merchants.
        pub fn merchant_serial_number(mut self, msn: impl Into<String>) -> Self {
            self.options.msn = Some(msn.into());
            self
        }

        /// Uses this retry policy instead of the client's.
        pub fn retry_policy(mut self, policy: crate::RetryPolicy) -> Self {
            self.options.retry = Some(policy);
            self
        }
    };
}
pub(crate) use call_options_setters;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Clients on three base URLs (with and without a path), made once:
    /// building an HTTP client is slow.
    fn client(which: usize) -> &'static crate::Client {
        static CLIENTS: std::sync::OnceLock<Vec<crate::Client>> = std::sync::OnceLock::new();
        &CLIENTS.get_or_init(|| {
            ["http://127.0.0.1:1", "http://127.0.0.1:1/", "http://127.0.0.1:1/om/"]
                .into_iter()
                .map(|base| {
                    crate::Client::builder()
                        .client_id("id")
                        .client_secret("secret")
                        .subscription_key("key")
                        .merchant_serial_number("123456")
                        .base_url(base)
                        .build()
                        .unwrap()
                })
                .collect()
        })[which]
    }

    proptest! {
        /// Whatever an id holds, it is refused, or it reaches the server
        /// as exactly one path segment that decodes to itself.
        #[test]
        fn segments_arrive_as_given(
            id in prop_oneof![
                Just(String::new()), Just(".".to_owned()), Just("..".to_owned()),
                "[./%2eE\\\\?#; a-z]{0,6}",
                any::<String>(),
            ],
            base in 0..3usize,
        ) {
            let client = client(base);
            let fixed: Vec<String> = client.inner.base.path_segments().into_iter().flatten().filter(|s| !s.is_empty()).map(str::to_owned).collect();
            match client.url(["order-management", "v2", "ECOM", id.as_str()]) {
                Err(e) => prop_assert!(matches!(id.as_str(), "" | "." | ".."), "{id:?} refused: {e}"),
                Ok(url) => {
                    let got: Vec<String> = url
                        .path_segments()
                        .unwrap()
                        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
                        .collect();
                    let mut want = fixed.clone();
                    want.extend(["order-management", "v2", "ECOM"].map(str::to_owned));
                    want.push(id.clone());
                    prop_assert_eq!(got, want);
                    // And it parses back to the same URL, as reqwest will send it.
                    prop_assert_eq!(url::Url::parse(url.as_str()).unwrap(), url);
                }
            }
        }
    }
}
