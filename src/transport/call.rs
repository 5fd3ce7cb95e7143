//! What a call is: its operation, method, URL, body and headers; the
//! per-call settings every operation handle offers; and the limits (policy
//! and deadline) fixed when it starts.

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use tokio::time::Instant;
use url::Url;

use crate::error::Error;
use crate::operation::Operation;
use crate::retry::{later, RetryPolicy};
use crate::validate::{self, Violations};

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
    pub(crate) method: Method,
    /// The full URL (see [`Client::url`](crate::Client)).
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
    pub(super) fn msn_header(&self, client_default: &HeaderValue) -> Result<HeaderValue, Error> {
        match &self.options.msn {
            None => Ok(client_default.clone()),
            Some(msn) => {
                let mut violations = Violations::default();
                violations.extend(validate::merchant_serial_number("Merchant-Serial-Number", msn));
                violations.into_result()?;
                HeaderValue::from_str(msn)
                    .map_err(|_| Error::invalid("Merchant-Serial-Number", "holds characters that cannot be sent in a header"))
            }
        }
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
