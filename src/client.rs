//! The client, its builder and its settings.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use url::{Host, Url};

use crate::auth::TokenCache;
use crate::error::Error;
use crate::model::{OrderId, PaymentType};
use crate::order::OrderRequest;
use crate::retry::{RetryBudget, RetryPolicy, BUDGET_CAPACITY, MAX_DURATION};
use crate::secret::Secret;
use crate::validate;
use crate::{categories::Categories, image::Images};

/// Which Vipps MobilePay servers to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// The test servers, `https://apitest.vipps.no` (test keys, test app).
    Test,
    /// The production servers, `https://api.vipps.no`.
    Production,
}

impl Environment {
    /// The environment's base URL (the host root).
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Test => "https://apitest.vipps.no",
            Environment::Production => "https://api.vipps.no",
        }
    }
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Environment::Test => "test",
            Environment::Production => "production",
        })
    }
}

/// Per-attempt time allowed by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to open a connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long before expiry a token is refreshed by default.
pub const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(5 * 60);

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
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    /// The subscription key as a header value, marked sensitive.
    pub(crate) subscription_key_header: HeaderValue,
    pub(crate) msn: String,
    /// The merchant serial number as a header value.
    pub(crate) msn_header: HeaderValue,
    pub(crate) system_headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) budget: RetryBudget,
    pub(crate) rng: Mutex<fastrand::Rng>,
    pub(crate) tokens: TokenCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base.as_str())
            .field("client_id", &i.client_id)
            .field("client_secret", &i.client_secret)
            .field("subscription_key", &Secret::new(""))
            .field("merchant_serial_number", &i.msn)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
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
        Self::builder_from(|name| std::env::var(name).ok())?.build()
    }

    /// [`Client::from_env`] over any lookup, returning the builder so more
    /// can be set before `build()`. Every missing required variable is
    /// named in one error.
    pub fn builder_from(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
        const REQUIRED: [&str; 4] = ["VIPPS_CLIENT_ID", "VIPPS_CLIENT_SECRET", "VIPPS_SUBSCRIPTION_KEY", "VIPPS_MSN"];
        let value = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let missing: Vec<&str> = REQUIRED.into_iter().filter(|name| value(name).is_none()).collect();
        match missing.as_slice() {
            [] => {}
            [one] => {
                return Err(Error::config(format!(
                    "the environment variable {one} is not set; set it to the value from the merchant portal"
                )))
            }
            many => {
                return Err(Error::config(format!(
                    "the environment variables {} are not set; set them to the values from the merchant portal",
                    many.join(", ")
                )))
            }
        }
        let required = |name: &str| value(name).unwrap_or_default();
        let mut b = Client::builder()
            .client_id(required("VIPPS_CLIENT_ID"))
            .client_secret(required("VIPPS_CLIENT_SECRET"))
            .subscription_key(required("VIPPS_SUBSCRIPTION_KEY"))
            .merchant_serial_number(required("VIPPS_MSN"));
        match lookup("VIPPS_ENV").as_deref().map(str::trim) {
            None | Some("") => {}
            Some(v) if v.eq_ignore_ascii_case("test") => b = b.environment(Environment::Test),
            Some(v) if v.eq_ignore_ascii_case("production") => b = b.environment(Environment::Production),
            Some(v) => return Err(Error::config(format!("VIPPS_ENV is `{v}`; it must be `test` or `production`"))),
        }
        if let Some(url) = lookup("VIPPS_BASE_URL").filter(|v| !v.trim().is_empty()) {
            b = b.base_url(url);
        }
        let optional = |name: &str| lookup(name).filter(|v| !v.is_empty());
        if let Some(v) = optional("VIPPS_SYSTEM_NAME") {
            b = b.system_name(v);
        }
        if let Some(v) = optional("VIPPS_SYSTEM_VERSION") {
            b = b.system_version(v);
        }
        if let Some(v) = optional("VIPPS_PLUGIN_NAME") {
            b = b.plugin_name(v);
        }
        if let Some(v) = optional("VIPPS_PLUGIN_VERSION") {
            b = b.plugin_version(v);
        }
        Ok(b)
    }

    /// The calls on one order: category, receipt, get.
    ///
    /// ```no_run
    /// # async fn demo(client: vipps_order_management::Client) -> Result<(), vipps_order_management::Error> {
    /// use vipps_order_management::PaymentType;
    /// let order = client.order(PaymentType::Ecom, "order-123").get().await?;
    /// # let _ = order; Ok(()) }
    /// ```
    pub fn order(&self, payment_type: PaymentType, order_id: impl Into<OrderId>) -> OrderRequest<'_> {
        OrderRequest::new(self, payment_type, order_id.into())
    }

    /// [`Client::order`] for an eCom or ePayment payment.
    pub fn ecom(&self, order_id: impl Into<OrderId>) -> OrderRequest<'_> {
        self.order(PaymentType::Ecom, order_id)
    }

    /// [`Client::order`] for a Recurring charge (the order id is the charge id).
    pub fn recurring(&self, order_id: impl Into<OrderId>) -> OrderRequest<'_> {
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
        &self.inner.base
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
        let limits = self.limits(&crate::transport::CallOptions::default());
        let token = self.inner.tokens.settle(self, &limits).await?;
        Ok(token.remaining())
    }
}

/// Settings for a [`Client`]. Setters never fail; [`ClientBuilder::build`]
/// checks everything and reports the first problem.
#[derive(Default, Clone)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    subscription_key: Option<Secret>,
    msn: Option<String>,
    system_name: Option<String>,
    system_version: Option<String>,
    plugin_name: Option<String>,
    plugin_version: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    token_margin: Option<Duration>,
    retry: Option<RetryPolicy>,
    retry_seed: Option<u64>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(shown_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("subscription_key", &self.subscription_key)
            .field("merchant_serial_number", &self.msn)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Talk to the test or production servers (default: test).
    pub fn environment(mut self, env: Environment) -> Self {
        self.base_url = Some(env.base_url().to_owned());
        self
    }

    /// Talk to another base URL (the host root: a proxy, a mock, the
    /// emulator). Must be https; plain http only for loopback hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The client id (`client_id`) from the merchant portal.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// The client secret from the merchant portal.
    pub fn client_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The subscription key (`Ocp-Apim-Subscription-Key`).
    pub fn subscription_key(mut self, key: impl Into<Secret>) -> Self {
        self.subscription_key = Some(key.into());
        self
    }

    /// The merchant serial number (MSN) of the sales unit.
    pub fn merchant_serial_number(mut self, msn: impl Into<String>) -> Self {
        self.msn = Some(msn.into());
        self
    }

    /// `Vipps-System-Name`: the e-commerce system (`woocommerce`).
    pub fn system_name(mut self, v: impl Into<String>) -> Self {
        self.system_name = Some(v.into());
        self
    }

    /// `Vipps-System-Version`: its version.
    pub fn system_version(mut self, v: impl Into<String>) -> Self {
        self.system_version = Some(v.into());
        self
    }

    /// `Vipps-System-Plugin-Name`: the plugin (`vipps-woocommerce`).
    pub fn plugin_name(mut self, v: impl Into<String>) -> Self {
        self.plugin_name = Some(v.into());
        self
    }

    /// `Vipps-System-Plugin-Version`: its version.
    pub fn plugin_version(mut self, v: impl Into<String>) -> Self {
        self.plugin_version = Some(v.into());
        self
    }

    /// Time allowed for one attempt, connecting and reading included
    /// (default 10 s). The whole call is bounded by the retry policy's
    /// deadline. Zero is refused by `build()`; more than a day
    /// ([`MAX_DURATION`](crate::MAX_DURATION)) is clamped to a day.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to open a connection (default 5 s). Ignored when you
    /// hand in your own `reqwest::Client`. Zero is refused by `build()`;
    /// more than a day is clamped to a day.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long before expiry a token is replaced in the background
    /// (default 5 minutes, and never more than half the token's lifetime).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_margin = Some(margin);
        self
    }

    /// The retry policy for every call (calls can override it).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Seeds the backoff jitter, for reproducible tests.
    pub fn retry_seed(mut self, seed: u64) -> Self {
        self.retry_seed = Some(seed);
        self
    }

    /// Uses your own `reqwest::Client` (0.13: proxies, TLS roots, another
    /// crypto provider). It should not follow redirects; the one this crate
    /// builds does not. The connect timeout setting does not apply to it.
    ///
    /// With this crate's default `rustls` feature, reqwest is built with
    /// `rustls-no-provider`: building a `reqwest::Client` yourself then
    /// panics with "No rustls crypto provider is configured" unless your
    /// reqwest dependency enables its `rustls` feature or your program
    /// installs a provider first (`rustls` with its `ring` feature:
    /// `rustls::crypto::ring::default_provider().install_default()`).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base = parse_base_url(self.base_url.as_deref().unwrap_or(Environment::Test.base_url()))?;
        let client_id = self
            .client_id
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::config("the client id is missing; set it with .client_id(..)"))?;
        let client_secret = self
            .client_secret
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::config("the client secret is missing; set it with .client_secret(..)"))?;
        let subscription_key = self
            .subscription_key
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::config("the subscription key is missing; set it with .subscription_key(..)"))?;
        let msn = self
            .msn
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| Error::config("the merchant serial number is missing; set it with .merchant_serial_number(..)"))?;
        if let Some(v) = validate::merchant_serial_number("merchant serial number", &msn).into_iter().next() {
            return Err(Error::config(format!("the {} {}", v.name, v.reason)));
        }
        check_header_value("client id", &client_id)?;
        check_header_value("client secret", client_secret.expose())
            .map_err(|_| Error::config("the client secret holds characters that cannot be sent in a header"))?;
        check_header_value("subscription key", subscription_key.expose())
            .map_err(|_| Error::config("the subscription key holds characters that cannot be sent in a header"))?;

        let mut system_headers = Vec::new();
        for (name, value) in [
            ("Vipps-System-Name", self.system_name),
            ("Vipps-System-Version", self.system_version),
            ("Vipps-System-Plugin-Name", self.plugin_name),
            ("Vipps-System-Plugin-Version", self.plugin_version),
        ] {
            if let Some(value) = value {
                if let Some(v) = validate::system_header(name, &value).into_iter().next() {
                    return Err(Error::config(format!("the {name} header {}", v.reason)));
                }
                system_headers.push((
                    HeaderName::from_static(static_lower(name)),
                    HeaderValue::from_str(&value).map_err(|_| Error::config(format!("{name} is not a valid header value")))?,
                ));
            }
        }

        let timeout = checked_timeout("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = checked_timeout("connect timeout", self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(connect_timeout)
                    .pool_idle_timeout(Duration::from_secs(90));
                // native-tls wins when both are on: features add up, and
                // asking for it while keeping the default must not be
                // ignored.
                #[cfg(feature = "native-tls")]
                let builder = builder.tls_backend_native();
                #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
                let builder = builder.tls_backend_preconfigured(crate::tls::rustls_config()?);
                #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
                if base.scheme() == "https" {
                    return Err(Error::config(
                        "this build of vipps-order-management has no TLS, so it cannot reach an https base URL: \
                         enable its `rustls` (default) or `native-tls` feature, or hand in an HTTP client with .http_client(..)",
                    ));
                }
                builder
                    .build()
                    .map_err(|e| Error::config(format!("the HTTP client could not be built: {e}")))?
            }
        };
        let rng = match self.retry_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let mut subscription_key_header = HeaderValue::from_str(subscription_key.expose())
            .map_err(|_| Error::config("the subscription key holds characters that cannot be sent in a header"))?;
        subscription_key_header.set_sensitive(true);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                client_id,
                client_secret,
                subscription_key_header,
                msn_header: HeaderValue::from_str(&msn)
                    .map_err(|_| Error::config("the merchant serial number cannot be sent in a header"))?,
                msn,
                system_headers,
                timeout,
                retry: self.retry.unwrap_or_default(),
                budget: RetryBudget::new(BUDGET_CAPACITY),
                rng: Mutex::new(rng),
                tokens: TokenCache::new(self.token_margin.unwrap_or(DEFAULT_TOKEN_MARGIN).min(MAX_DURATION)),
            }),
        })
    }
}

fn static_lower(name: &'static str) -> &'static str {
    match name {
        "Vipps-System-Name" => "vipps-system-name",
        "Vipps-System-Version" => "vipps-system-version",
        "Vipps-System-Plugin-Name" => "vipps-system-plugin-name",
        _ => "vipps-system-plugin-version",
    }
}

/// A timeout setting: more than zero, clamped to [`MAX_DURATION`].
fn checked_timeout(what: &str, value: Duration) -> Result<Duration, Error> {
    if value.is_zero() {
        return Err(Error::config(format!(
            "the {what} is zero, so every call would fail at once; leave it unset for the default"
        )));
    }
    Ok(value.min(MAX_DURATION))
}

/// A base URL as it may be shown in messages and `Debug`. User info needs
/// an `@`, and URL parsers read it in more shapes than one would guess
/// (`https:user:pw@host`), so text holding an `@` is never shown: only its
/// scheme and host, when it parses.
pub(crate) fn shown_url(raw: &str) -> String {
    if !raw.contains('@') {
        return raw.to_owned();
    }
    match Url::parse(raw.trim()) {
        Ok(url) => match url.host_str() {
            Some(host) => format!("{}://{host} (the rest not shown: it may hold a password)", url.scheme()),
            None => "[not shown: it may hold a password]".to_owned(),
        },
        Err(_) => "[not shown: it may hold a password]".to_owned(),
    }
}

fn check_header_value(what: &str, value: &str) -> Result<(), Error> {
    HeaderValue::from_str(value)
        .map(drop)
        .map_err(|_| Error::config(format!("the {what} `{value}` holds characters that cannot be sent in a header")))
}

/// Checks a base URL: https, or http to a loopback host; no query, no
/// user info. Messages never repeat a user name or password it held.
pub(crate) fn parse_base_url(input: &str) -> Result<Url, Error> {
    let raw = &shown_url(input);
    let url = Url::parse(input.trim()).map_err(|e| Error::config(format!("the base URL `{raw}` is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::config(format!(
                "the base URL `{raw}` uses plain http; use https (http is only allowed for loopback hosts such as 127.0.0.1 and localhost)"
            )))
        }
        _ => {
            return Err(Error::config(format!(
                "the base URL `{raw}` must be an https URL such as https://api.vipps.no"
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "the base URL `{raw}` holds a user name or password; remove it: the API is authenticated with the client id, secret and subscription key"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!("the base URL `{raw}` must not hold a query or fragment")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ClientBuilder {
        Client::builder()
            .client_id("id")
            .client_secret("secret")
            .subscription_key("key")
            .merchant_serial_number("123456")
    }

    /// Which TLS a build has is decided by its features; a build with none
    /// says so when it is built, not with a network error on the first call.
    #[test]
    fn the_tls_of_this_build() {
        let https = settings().build();
        if cfg!(any(feature = "rustls", feature = "native-tls")) {
            assert!(https.is_ok(), "{https:?}");
        } else {
            let e = https.unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Configuration);
            let text = e.to_string();
            assert!(
                text.contains("no TLS") && text.contains("`rustls`") && text.contains("http_client"),
                "{text}"
            );
            // A loopback emulator needs no TLS, and an HTTP client of one's
            // own brings its own.
            assert!(settings().base_url("http://127.0.0.1:8080").build().is_ok());
            assert!(settings().http_client(reqwest::Client::new()).build().is_ok());
        }
    }

    #[test]
    fn base_urls() {
        assert!(parse_base_url("https://api.vipps.no").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://[::1]:8080").is_ok());
        assert!(parse_base_url("http://localhost:1").is_ok());
        assert!(parse_base_url("http://api.vipps.no").is_err());
        assert!(parse_base_url("http://10.0.0.1").is_err());
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("nonsense").is_err());
        assert!(parse_base_url("https://x/?a=b").is_err());
    }

    #[test]
    fn user_info_is_never_echoed() {
        for raw in [
            "https://user:hunter2@api.vipps.no",
            "https://:hunter2@api.vipps.no/x",
            "https://user:hunter2@api.vipps.no:99999",
            "http://user:hunter2@10.0.0.1",
            "https:user:hunter2@api.vipps.no",
            "https:/user:hunter2@api.vipps.no",
            "https:\\\\user:hunter2@api.vipps.no",
            "https:/\t/user:hunter2@api.vipps.no",
            "https://user:hun/ter2@api.vipps.no",
            "https://user:hun#ter2@api.vipps.no",
            "https://user:hun?ter2@api.vipps.no",
            "mailto:user:hunter2@api.vipps.no",
            "user:hunter2@api.vipps.no",
        ] {
            let err = parse_base_url(raw).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{raw}: {err}");
            assert!(!format!("{err:?}").contains("hunter2"), "{raw}: {err:?}");
            let builder = ClientBuilder::default().base_url(raw);
            assert!(!format!("{builder:?}").contains("hunter2"), "{raw}");
        }
        assert_eq!(
            shown_url("https://a:b@h/p@q"),
            "https://h (the rest not shown: it may hold a password)"
        );
        assert_eq!(shown_url("no url"), "no url");
    }
}
