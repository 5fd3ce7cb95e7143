//! [`ClientBuilder`]: a client's settings, from code or from the
//! `VIPPS_*` variables, checked once by [`ClientBuilder::build`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::base_url::{shown_url, BaseUrl};
use super::environment::Environment;
use super::{Client, Inner};
use crate::auth::{TokenCache, TokenEndpoint};
use crate::error::Error;
use crate::headers::SYSTEM_HEADERS;
use crate::operation::Operation;
use crate::retry::{RetryBudget, RetryPolicy, BUDGET_CAPACITY, MAX_DURATION};
use crate::secret::Secret;
use crate::transport::Gateway;
use crate::validate;

/// Per-attempt time allowed by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to open a connection by default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long before expiry a token is refreshed by default.
pub const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(5 * 60);

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
    /// The `Vipps-System-*` headers' values, in the order of
    /// [`SYSTEM_HEADERS`].
    system: [Option<String>; 4],
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    token_margin: Option<Duration>,
    retry: Option<RetryPolicy>,
    retry_seed: Option<u64>,
    http: Option<HttpSettings>,
}

/// The caller's settings for the HTTP client (see
/// [`ClientBuilder::http_client`]).
type HttpSettings = Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>;

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
    /// The settings in the `VIPPS_*` variables as `lookup` finds them (see
    /// [`Client::from_env`]): every missing required variable named in one
    /// error.
    pub(crate) fn from_variables(lookup: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder, Error> {
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
        for (value, header) in b.system.iter_mut().zip(&SYSTEM_HEADERS) {
            if let Some(v) = optional(header.variable) {
                *value = Some(v);
            }
        }
        Ok(b)
    }

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
        self.system[0] = Some(v.into());
        self
    }

    /// `Vipps-System-Version`: its version.
    pub fn system_version(mut self, v: impl Into<String>) -> Self {
        self.system[1] = Some(v.into());
        self
    }

    /// `Vipps-System-Plugin-Name`: the plugin (`vipps-woocommerce`).
    pub fn plugin_name(mut self, v: impl Into<String>) -> Self {
        self.system[2] = Some(v.into());
        self
    }

    /// `Vipps-System-Plugin-Version`: its version.
    pub fn plugin_version(mut self, v: impl Into<String>) -> Self {
        self.system[3] = Some(v.into());
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

    /// Adds your own settings to the HTTP client this crate builds: a
    /// proxy, TLS roots, another TLS configuration, default headers. `with`
    /// gets reqwest's builder (0.13, re-exported as
    /// [`vipps_order_management::reqwest`](crate::reqwest)) with this
    /// crate's settings (the TLS of its features, the connect timeout) and
    /// returns it with yours; the crate then turns redirects off, whatever
    /// `with` set, so that no credential, receipt or merchant serial number
    /// ever follows a redirect to another host.
    ///
    /// ```no_run
    /// use vipps_order_management::{reqwest, Client};
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let proxy = reqwest::Proxy::https("http://proxy.internal:3128")?;
    /// let client = Client::builder()
    ///     .client_id("id")
    ///     .client_secret("secret")
    ///     .subscription_key("key")
    ///     .merchant_serial_number("123456")
    ///     .http_client(move |http| http.proxy(proxy.clone()))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// A TLS setting of your own that needs rustls' process-wide crypto
    /// provider (with this crate's `rustls` feature, reqwest is built with
    /// `rustls-no-provider`) makes `build()` fail with an `Error::Config`
    /// saying so, unless your program installs one first
    /// (`rustls::crypto::ring::default_provider().install_default()`).
    pub fn http_client(mut self, with: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static) -> Self {
        self.http = Some(Arc::new(with));
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base = BaseUrl::parse(self.base_url.as_deref().unwrap_or(Environment::Test.base_url()))?;
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
        let client_id_header = header_value("client id", &client_id, Shown::Yes)?;
        let client_secret_header = header_value("client secret", client_secret.expose(), Shown::Never)?;
        let subscription_key_header = header_value("subscription key", subscription_key.expose(), Shown::Never)?;
        let msn_header = header_value("merchant serial number", &msn, Shown::Yes)?;

        let mut system_headers = Vec::new();
        for (header, value) in SYSTEM_HEADERS.iter().zip(self.system) {
            let name = header.shown;
            if let Some(value) = value {
                if let Some(v) = validate::system_header(name, &value).into_iter().next() {
                    return Err(Error::config(format!("the {name} header {}", v.reason)));
                }
                system_headers.push((header.name.clone(), header_value(name, &value, Shown::Yes)?));
            }
        }

        let timeout = timeout_setting("timeout", self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let connect_timeout = timeout_setting("connect timeout", self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))?;
        let http = http_client(&base, connect_timeout, self.http.as_deref())?;
        let rng = match self.retry_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let endpoint = TokenEndpoint::new(
            base.join(Operation::FetchToken.path("", None))?,
            client_id_header,
            client_secret_header.clone(),
        );
        let tokens = Arc::new(TokenCache::new(
            self.token_margin.unwrap_or(DEFAULT_TOKEN_MARGIN).min(MAX_DURATION),
            endpoint,
        ));
        let gateway = Gateway {
            http,
            subscription_key: subscription_key_header,
            merchant_serial_number: msn_header,
            system_headers,
            never_shown: vec![client_secret_header],
            timeout,
            retry: self.retry.unwrap_or_default(),
            budget: RetryBudget::new(BUDGET_CAPACITY),
            rng: Mutex::new(rng),
            authorizer: tokens.clone(),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                gateway: Arc::new(gateway),
                tokens,
                base,
                msn,
                client_secret,
            }),
        })
    }
}

/// The HTTP client: this crate's settings, then the caller's, then
/// redirects off, last, so that nothing can turn them on.
fn http_client(
    base: &BaseUrl,
    connect_timeout: Duration,
    caller: Option<&(dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync)>,
) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90));
    // native-tls wins when both are on: features add up, and asking for it
    // while keeping the default must not be ignored.
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    let builder = builder.tls_backend_preconfigured(crate::tls::rustls_config()?);
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    if base.as_url().scheme() == "https" && caller.is_none() {
        return Err(Error::config(
            "this build of vipps-order-management has no TLS, so it cannot reach an https base URL: \
             enable its `rustls` (default) or `native-tls` feature, or give the HTTP client a TLS backend with .http_client(..)",
        ));
    }
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    let _ = base;
    let builder = match caller {
        Some(with) => with(builder),
        None => builder,
    };
    let builder = builder.redirect(reqwest::redirect::Policy::none());
    // reqwest panics instead of failing when a rustls backend finds no
    // crypto provider: that is a setting to fix, not a crash.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build())) {
        Ok(Ok(http)) => Ok(http),
        Ok(Err(e)) => Err(Error::config(format!("the HTTP client could not be built: {e}"))),
        Err(_) => Err(Error::config(
            "the HTTP client could not be built: its TLS settings need rustls' process-wide crypto provider, and none is installed; \
             install one at start (rustls::crypto::ring::default_provider().install_default()) or leave the TLS to this crate",
        )),
    }
}

/// A timeout setting: more than zero, clamped to [`MAX_DURATION`].
fn timeout_setting(what: &str, value: Duration) -> Result<Duration, Error> {
    if value.is_zero() {
        return Err(Error::config(format!(
            "the {what} is zero, so every call would fail at once; leave it unset for the default"
        )));
    }
    Ok(value.min(MAX_DURATION))
}

/// Whether a setting's value may be shown in a message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    Yes,
    /// A secret: never shown, and its header is marked sensitive.
    Never,
}

/// A setting as the header value it is sent as, or a configuration error
/// naming it.
fn header_value(what: &str, value: &str, shown: Shown) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| match shown {
        Shown::Yes => Error::config(format!("the {what} `{value}` holds characters that cannot be sent in a header")),
        Shown::Never => Error::config(format!("the {what} holds characters that cannot be sent in a header")),
    })?;
    header.set_sensitive(shown == Shown::Never);
    Ok(header)
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
            assert_eq!(e.kind(), crate::error::ErrorKind::Configuration);
            let text = e.to_string();
            assert!(
                text.contains("no TLS") && text.contains("`rustls`") && text.contains("http_client"),
                "{text}"
            );
            // A loopback emulator needs no TLS, and an HTTP client of one's
            // own brings its own.
            assert!(settings().base_url("http://127.0.0.1:8080").build().is_ok());
            assert!(settings().http_client(|http| http).build().is_ok());
        }
    }
}
