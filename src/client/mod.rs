//! The client: [`Client`], what it holds, and the handles of its
//! operations. Its settings are made in `builder`, the servers it talks to
//! are chosen in `environment` and checked in `base_url`.

mod base_url;
mod builder;
mod environment;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

pub(crate) use base_url::{on_this_machine, BaseUrl};
pub use builder::{ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_TOKEN_MARGIN};
pub use environment::Environment;

use crate::api::{Categories, Images, OrderHandle, Reads, Request};
use crate::auth::TokenCache;
use crate::error::Error;
use crate::model::{OrderId, PaymentType};
use crate::secret::Secret;
use crate::transport::{self, Call, CallOptions, Gateway, Limits, Reply};

/// The client for the Order Management API.
///
/// Cheap to clone (an `Arc` inside): clone it, do not wrap it. All clones
/// share one connection pool, one access token cache and one retry budget.
///
/// ```no_run
/// use vipps_order_management::{Client, Environment};
/// # fn demo() -> Result<(), vipps_order_management::Error> {
/// let client = Client::builder()
///     .environment(Environment::Test)
///     .client_id("my-client-id")
///     .client_secret("my-client-secret")
///     .subscription_key("my-subscription-key")
///     .merchant_serial_number("123456")
///     .system_name("acme-shop")
///     .system_version("4.2.0")
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// What every request shares: headers, timeout, retries, tokens.
    pub(crate) gateway: Arc<Gateway>,
    /// The access token, fetched and refreshed for every clone (the
    /// gateway's authorizer).
    pub(crate) tokens: Arc<TokenCache>,
    pub(crate) base: BaseUrl,
    pub(crate) msn: String,
    /// Kept for `Debug`, which shows that it is set and nothing more.
    pub(crate) client_secret: Secret,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base.as_url().as_str())
            .field("client_id", &i.tokens.client_id())
            .field("client_secret", &i.client_secret)
            .field("subscription_key", &Secret::new(""))
            .field("merchant_serial_number", &i.msn)
            .field("timeout", &i.gateway.timeout)
            .field("retry", &i.gateway.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment.
    ///
    /// Required: `VIPPS_CLIENT_ID`, `VIPPS_CLIENT_SECRET`,
    /// `VIPPS_SUBSCRIPTION_KEY`, `VIPPS_MSN`. Optional: `VIPPS_ENV`
    /// (`test`, the default, or `production`), `VIPPS_BASE_URL` (overrides
    /// `VIPPS_ENV`), `VIPPS_SYSTEM_NAME`, `VIPPS_SYSTEM_VERSION`,
    /// `VIPPS_PLUGIN_NAME`, `VIPPS_PLUGIN_VERSION`. A missing or empty
    /// required variable is an error naming it.
    pub fn from_env() -> Result<Client, Error> {
        Self::builder_from_variables(|name| std::env::var(name).ok())?.build()
    }

    /// The builder [`Client::from_env`] makes, with the `VIPPS_*` variables
    /// read through `lookup` (a map, a secrets store, command-line flags
    /// before the environment) instead of the process environment, so more
    /// can be set before `build()`. Every missing required variable is
    /// named in one error.
    pub fn builder_from_variables(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        ClientBuilder::from_variables(lookup)
    }

    /// The name [`Client::builder_from_variables`] had before 0.1.
    #[deprecated(note = "renamed `builder_from_variables`: it reads the VIPPS_* variables through `lookup`")]
    pub fn builder_from(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        Self::builder_from_variables(lookup)
    }

    /// The calls on one order: category, receipt, get.
    ///
    /// ```no_run
    /// # async fn demo(client: vipps_order_management::Client) -> Result<(), vipps_order_management::Error> {
    /// use vipps_order_management::PaymentType;
    /// let order = client.order(PaymentType::Ecom, "order-123").get().await?;
    /// # let _ = order; Ok(()) }
    /// ```
    pub fn order(&self, payment_type: PaymentType, order_id: impl Into<OrderId>) -> OrderHandle<'_> {
        OrderHandle::new(self, payment_type, order_id.into())
    }

    /// [`Client::order`] for an eCom or ePayment payment.
    pub fn ecom(&self, order_id: impl Into<OrderId>) -> OrderHandle<'_> {
        self.order(PaymentType::Ecom, order_id)
    }

    /// [`Client::order`] for a Recurring charge (the order id is the charge id).
    pub fn recurring(&self, order_id: impl Into<OrderId>) -> OrderHandle<'_> {
        self.order(PaymentType::Recurring, order_id)
    }

    /// Image uploads.
    pub fn images(&self) -> Images<'_> {
        Images::new(self)
    }

    /// The v3 categories: several per order, each with its own id.
    pub fn categories(&self) -> Categories<'_> {
        Categories::new(self)
    }

    /// The base URL (host root) the client talks to.
    pub fn base_url(&self) -> &Url {
        self.inner.base.as_url()
    }

    /// The merchant serial number sent unless a call overrides it.
    pub fn merchant_serial_number(&self) -> &str {
        &self.inner.msn
    }

    /// Fetches a token now if none is cached (or it is near expiry), or
    /// waits for the refresh under way, and returns how long the cached
    /// token stays valid. Useful to check the credentials at start-up. The
    /// token itself is never handed out.
    pub async fn warm_up(&self) -> Result<Duration, Error> {
        let limits = self.limits(&CallOptions::default());
        let token = self.inner.tokens.settle(&self.inner.gateway, &limits).await?;
        Ok(token.remaining())
    }

    /// The limits of a call that starts now, under `options`: for a handle
    /// whose call makes more than one request under the same limits.
    pub(crate) fn limits(&self, options: &CallOptions) -> Limits {
        self.inner.gateway.limits(options)
    }

    /// Sends one operation's request, the one way from a handle into the
    /// transport: its URL from the table of the API
    /// ([`Operation::path_template`](crate::operation::Operation::path_template)),
    /// with the request's values; made under the request's limits or its
    /// own; an answer the handle does not read itself (see [`Reads`]) is an
    /// error unless it is a success.
    pub(crate) async fn send(&self, request: Request<'_>) -> Result<Reply, Error> {
        let mut url = self.inner.base.join(request.op.path(request.payment_type, request.id))?;
        if let Some((name, value)) = request.query {
            url.query_pairs_mut().append_pair(name, value);
        }
        let mut call = Call::new(request.op, url, request.options.clone());
        call.body = request.body;
        let reply = transport::execute(&self.inner.gateway, call, request.within).await?;
        match request.reads {
            Reads::Every => Ok(reply),
            Reads::Also(statuses) if statuses.contains(&reply.status) => Ok(reply),
            Reads::Also(_) | Reads::Successes => reply.success(),
        }
    }
}
