//! What every request of a client shares: the HTTP client, the headers the
//! SDK sends, the secrets kept out of errors, the per-attempt timeout, the
//! default retry policy, the shared retry budget and jitter, and where a
//! call's access token comes from.
//!
//! The transport depends on nothing above it: the client builds a
//! [`Gateway`] and hands it every call, and the access tokens arrive
//! through the [`Authorizer`] the gateway was given (the token cache in
//! `auth`, which makes its own calls through this same gateway).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::call::{CallOptions, Limits};
use crate::error::Error;
use crate::retry::{RetryBudget, RetryPolicy};

/// A future that borrows what it was made from.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the `Authorization` header of a call comes from.
pub(crate) trait Authorizer: Send + Sync {
    /// The `Authorization` header value for an attempt (marked sensitive),
    /// waited for at most until the call's deadline. It may make calls of
    /// its own through `gateway` (the token endpoint).
    fn authorization<'a>(&'a self, gateway: &'a Arc<Gateway>, limits: &'a Limits) -> BoxFuture<'a, Result<HeaderValue, Error>>;

    /// The API refused `authorization` (a 401): forget it, unless another
    /// caller already replaced it, so that N refusals cause one refresh.
    fn refused(&self, authorization: &HeaderValue);
}

/// What every request of a client shares (see the module's docs).
pub(crate) struct Gateway {
    pub(crate) http: reqwest::Client,
    /// The subscription key, marked sensitive.
    pub(crate) subscription_key: HeaderValue,
    /// The merchant serial number a call sends unless it overrides it.
    pub(crate) merchant_serial_number: HeaderValue,
    /// `Vipps-System-*` headers, sent with every request.
    pub(crate) system_headers: Vec<(HeaderName, HeaderValue)>,
    /// Values that an error answer echoing the request must never show
    /// (the client secret; the subscription key and the access token are
    /// hidden as well, as they are sent).
    pub(crate) never_shown: Vec<HeaderValue>,
    /// The per-attempt timeout unless a call overrides it.
    pub(crate) timeout: Duration,
    /// The retry policy unless a call overrides it.
    pub(crate) retry: RetryPolicy,
    /// The retry budget that every call of every clone draws on.
    pub(crate) budget: RetryBudget,
    /// The jitter of backoffs.
    pub(crate) rng: Mutex<fastrand::Rng>,
    pub(crate) authorizer: Arc<dyn Authorizer>,
}

impl Gateway {
    /// The limits of a call that starts now, under `options`.
    pub(crate) fn limits(&self, options: &CallOptions) -> Limits {
        Limits::start(options.retry.clone().unwrap_or_else(|| self.retry.clone()))
    }
}
