//! What a call is: its operation (and so its method), URL, body and headers; the
//! per-call settings every operation handle offers; and the limits (policy
//! and deadline) fixed when it starts.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{self, HeaderName, HeaderValue};
use tokio::time::Instant;
use url::Url;

use crate::error::Error;
use crate::headers::{
    as_read, CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, MERCHANT_SERIAL_NUMBER_HEADER, SUBSCRIPTION_KEY_HEADER, SYSTEM_HEADERS,
};
use crate::operation::Operation;
use crate::retry::{later, RetryPolicy, MAX_DURATION};
use crate::secret::Secret;
use crate::validate::{self, Violations};

/// Per-call settings shared by every operation handle.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    /// Overrides the client's merchant serial number (partners).
    pub(crate) msn: Option<String>,
    /// Overrides the client's retry policy.
    pub(crate) retry: Option<RetryPolicy>,
    /// Overrides the client's per-attempt timeout.
    pub(crate) timeout: Option<Duration>,
    /// Extra headers, checked when the call is made (values redacted in
    /// `Debug`: they may be secrets of the caller's).
    pub(crate) headers: Vec<(String, Secret)>,
}

/// `true` for a header the SDK sets itself (`name` as read, see
/// [`as_read`]); a call cannot add it.
fn set_by_the_sdk(name: &str) -> bool {
    let own = [
        header::AUTHORIZATION,
        SUBSCRIPTION_KEY_HEADER,
        MERCHANT_SERIAL_NUMBER_HEADER,
        CLIENT_ID_HEADER,
        CLIENT_SECRET_HEADER,
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::ACCEPT,
        header::USER_AGENT,
        header::HOST,
        header::TRANSFER_ENCODING,
        header::CONNECTION,
    ];
    own.iter()
        .chain(SYSTEM_HEADERS.iter().map(|h| &h.name))
        .any(|own| as_read(own.as_str()) == name)
}

/// Headers that change how the request is taken or its answer comes back,
/// which the SDK reads as the API's own answer: hop-by-hop headers (for
/// one connection, not the service), conditional and ranged requests (a
/// 304 or a 206 with part of a body), encodings the SDK does not decode,
/// cookies (state the SDK does not keep), and the gateway's own controls
/// (`Ocp-Apim-*`, such as its request tracing).
const ANSWER_HEADERS: [&str; 17] = [
    "keep-alive",
    "proxy-connection",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
    "expect",
    "accept-encoding",
    "content-encoding",
    "range",
    "if-range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "cookie",
    "max-forwards",
];

/// Why a call cannot add this header, when it cannot. Names are compared
/// as servers and gateways may read them: case-insensitively, and with `_`
/// taken as `-`.
fn refused_header(name: &HeaderName) -> Option<&'static str> {
    let name = as_read(name.as_str());
    if set_by_the_sdk(&name) {
        Some("is set by the SDK itself; use the client's settings (or .merchant_serial_number(..) for the merchant serial number)")
    } else if ANSWER_HEADERS.contains(&name.as_str()) || name.starts_with("ocp-apim-") {
        Some("changes how the request is taken or its answer sent (a hop-by-hop, conditional, ranged, encoding or cookie header, or a gateway control), and the SDK reads the answer as the API's own")
    } else {
        None
    }
}

/// What a call sends besides its body, checked once before its first
/// attempt: the merchant serial number, the extra headers, the timeout of
/// each attempt.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) msn: HeaderValue,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) timeout: Duration,
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
    /// The limits of a call that starts now under this policy.
    pub(crate) fn start(policy: RetryPolicy) -> Limits {
        let deadline = later(Instant::now(), policy.deadline);
        Limits { policy, deadline }
    }

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
    /// The full URL, from the table of the API (made by `Client::send`, or
    /// the token endpoint).
    pub(crate) url: Url,
    pub(crate) body: Option<Bytes>,
    /// Send `Authorization: Bearer` (everything but the token fetch).
    pub(crate) auth: bool,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) options: CallOptions,
}

impl Call {
    /// An authenticated call without body or query.
    pub(crate) fn new(op: Operation, url: Url, options: CallOptions) -> Call {
        Call {
            op,
            url,
            body: None,
            auth: true,
            headers: Vec::new(),
            options,
        }
    }

    /// Checks what the call's options add, against the client's defaults:
    /// an `InvalidInput` naming each problem, before anything is sent.
    pub(super) fn prepare(&self, client_msn: &HeaderValue, client_timeout: Duration) -> Result<Prepared, Error> {
        let mut violations = Violations::default();
        let msn = match &self.options.msn {
            None => Some(client_msn.clone()),
            Some(msn) => {
                violations.extend(validate::merchant_serial_number("Merchant-Serial-Number", msn));
                HeaderValue::from_str(msn).ok()
            }
        };
        let mut headers = Vec::with_capacity(self.options.headers.len());
        for (name, value) in &self.options.headers {
            let field = format!("headers.{name}");
            let Ok(header) = HeaderName::from_bytes(name.as_bytes()) else {
                violations.fail(field, "is not a valid header name");
                continue;
            };
            if let Some(why) = refused_header(&header) {
                violations.fail(field, why);
                continue;
            }
            if headers.iter().any(|(seen, _)| *seen == header) {
                violations.fail(field, "is given twice; give each header once");
                continue;
            }
            match HeaderValue::from_str(value.expose()) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    headers.push((header, v));
                }
                Err(_) => violations.fail(field, "holds characters that cannot be sent in a header"),
            }
        }
        let timeout = self.options.timeout.unwrap_or(client_timeout);
        if timeout.is_zero() {
            violations.fail(
                "timeout",
                "is zero, so the call would fail at once; leave it unset for the client's",
            );
        }
        violations.into_result()?;
        Ok(Prepared {
            // Set whenever no violation was found.
            msn: msn.unwrap_or_else(|| client_msn.clone()),
            headers,
            timeout: timeout.min(MAX_DURATION),
        })
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
        pub fn retry_policy(mut self, policy: crate::retry::RetryPolicy) -> Self {
            self.options.retry = Some(policy);
            self
        }

        /// Allows each attempt of this call this long, connecting and
        /// reading included, instead of the client's
        /// [`timeout`](crate::ClientBuilder::timeout); the whole call stays
        /// bounded by the retry policy's deadline. Zero is refused when the
        /// call is made; more than a day is clamped to a day.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// Sends this header with the call too: an `Idempotency-Key`, a
        /// trace id of your own. A header the SDK sets itself
        /// (`Authorization`, `Ocp-Apim-Subscription-Key`,
        /// `Merchant-Serial-Number`, the `Vipps-System-*` headers,
        /// `Content-Type`, `Accept`, `User-Agent`, ..., also spelled with
        /// `_` for `-`) is refused with
        /// [`Error::InvalidInput`](crate::Error::InvalidInput) when the call
        /// is made, as is one that changes how the answer comes back
        /// (hop-by-hop headers such as `Keep-Alive` or `Upgrade`, `Range`,
        /// `If-*`, `Accept-Encoding`, the gateway's `Ocp-Apim-*`), a header
        /// given twice, and a name or value HTTP cannot carry; nothing is
        /// sent then. The value is never shown in `Debug` or logs.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options
                .headers
                .push((name.into(), crate::secret::Secret::new(value.into())));
            self
        }
    };
}
pub(crate) use call_options_setters;
