//! An in-process emulator of the Order Management API (feature `emulator`).
//!
//! It listens on loopback and answers like the service as its contract and
//! guides describe it: the access token endpoint checks the credentials and
//! issues expiring tokens; every operation checks the token, subscription key
//! and merchant serial number, validates the request (answering 400 problems
//! whose `invalidParams` name each offending field), and keeps state: images
//! cannot be overwritten, a category PUT replaces the last one, a receipt is
//! stored once (409 after that), get order answers 404 until something is
//! stored. Payment types match case-insensitively.
//!
//! For tests it records every request, shows what it stored, and injects
//! faults (error statuses, 429 with `Retry-After`, latency, stalled answers,
//! expired tokens).
//!
//! ```
//! use vipps_order_management::emulator::Emulator;
//! use vipps_order_management::{Category, CategoryType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), vipps_order_management::Error> {
//! let emulator = Emulator::start().await;
//! let client = emulator.client();
//! client
//!     .ecom("order-1")
//!     .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/o/1"))
//!     .await?;
//! assert!(emulator.category(vipps_order_management::PaymentType::Ecom, "order-1").is_some());
//! # Ok(()) }
//! ```

mod routes;
mod schema;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use crate::client::{Client, ClientBuilder};
use crate::model::{Category, CategoryV3, PaymentType, Receipt};
use crate::operation::Operation;
use routes::{Config, Handler, State};

/// The emulator's default client id.
pub const CLIENT_ID: &str = "emulator-client-id";
/// The emulator's default client secret.
pub const CLIENT_SECRET: &str = "emulator-client-secret";
/// The emulator's default subscription key.
pub const SUBSCRIPTION_KEY: &str = "emulator-subscription-key";
/// The emulator's default merchant serial number.
pub const MSN: &str = "123456";

/// A running emulator. It stops when dropped.
pub struct Emulator {
    server: MockServer,
    state: Arc<Mutex<State>>,
    config: Config,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.server.uri())
            .finish_non_exhaustive()
    }
}

/// Settings for an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    client_id: String,
    client_secret: String,
    subscription_key: String,
    msn: String,
    token_lifetime: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            subscription_key: SUBSCRIPTION_KEY.into(),
            msn: MSN.into(),
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

impl EmulatorBuilder {
    /// The client id the token endpoint accepts.
    pub fn client_id(mut self, v: impl Into<String>) -> Self {
        self.client_id = v.into();
        self
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(mut self, v: impl Into<String>) -> Self {
        self.client_secret = v.into();
        self
    }

    /// The subscription key every call must carry.
    pub fn subscription_key(mut self, v: impl Into<String>) -> Self {
        self.subscription_key = v.into();
        self
    }

    /// The merchant serial number of [`Emulator::client`].
    pub fn merchant_serial_number(mut self, v: impl Into<String>) -> Self {
        self.msn = v.into();
        self
    }

    /// How long issued tokens live (default one hour, as in the test environment).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Starts the emulator on a free loopback port.
    pub async fn start(self) -> Emulator {
        let config = Config {
            client_id: self.client_id,
            client_secret: self.client_secret,
            subscription_key: self.subscription_key,
            msn: self.msn,
            token_lifetime: self.token_lifetime,
        };
        let state = Arc::new(Mutex::new(State::new(config.clone())));
        let server = MockServer::builder().disable_request_recording().start().await;
        Mock::given(any()).respond_with(Handler(state.clone())).mount(&server).await;
        Emulator { server, state, config }
    }
}

/// One request the emulator received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The operation the path and method name, if any.
    pub operation: Option<Operation>,
}

impl RecordedRequest {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// A fault to inject: an answer instead of the real one, or a stalled
/// real answer. See [`Emulator::inject`].
#[derive(Debug, Clone)]
pub struct Fault {
    times: usize,
    only: Option<Operation>,
    kind: FaultKind,
}

#[derive(Debug, Clone)]
enum FaultKind {
    Answer {
        status: u16,
        body: String,
        content_type: String,
        retry_after: Option<String>,
    },
    Stall(Duration),
}

impl Fault {
    /// Answer with this status (and a problem body) instead of handling the request.
    pub fn status(status: u16) -> Fault {
        let body = serde_json::json!({
            "type": format!("https://developer.vippsmobilepay.com/docs/APIs/order-management-api/errors/{status}"),
            "title": "Injected fault",
            "detail": format!("The emulator was told to answer {status}"),
            "instance": "00-00000000000000000000000000000000-0000000000000000-00",
            "status": status,
        });
        Fault {
            times: 1,
            only: None,
            kind: FaultKind::Answer {
                status,
                body: body.to_string(),
                content_type: "application/problem+json".into(),
                retry_after: None,
            },
        }
    }

    /// Handle the request for real (state changes happen), but hold the
    /// answer back this long: a client that times out has lost the answer
    /// of a request that took effect.
    pub fn stall(delay: Duration) -> Fault {
        Fault {
            times: 1,
            only: None,
            kind: FaultKind::Stall(delay),
        }
    }

    /// For the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    /// Only for requests of this operation.
    pub fn only(mut self, op: Operation) -> Fault {
        self.only = Some(op);
        self
    }

    /// Answer with this body and content type.
    pub fn body(mut self, body: impl Into<String>, content_type: &str) -> Fault {
        if let FaultKind::Answer {
            body: b, content_type: c, ..
        } = &mut self.kind
        {
            *b = body.into();
            *c = content_type.to_owned();
        }
        self
    }

    /// Send this `Retry-After` value with the answer.
    pub fn retry_after(mut self, value: impl Into<String>) -> Fault {
        if let FaultKind::Answer { retry_after, .. } = &mut self.kind {
            *retry_after = Some(value.into());
        }
        self
    }
}

impl Emulator {
    /// Starts an emulator with the default credentials.
    pub async fn start() -> Emulator {
        EmulatorBuilder::default().start().await
    }

    /// Settings for an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// A client builder with the emulator's URL and credentials, for adding
    /// more settings.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .base_url(self.base_url())
            .client_id(self.config.client_id.clone())
            .client_secret(self.config.client_secret.clone())
            .subscription_key(self.config.subscription_key.clone())
            .merchant_serial_number(self.config.msn.clone())
            .system_name("emulator-test")
            .system_version(env!("CARGO_PKG_VERSION"))
    }

    /// A ready client for this emulator.
    pub fn client(&self) -> Client {
        self.client_builder().build().expect("the emulator's own settings are valid")
    }

    /// The merchant serial number [`Emulator::client`] sends.
    pub fn merchant_serial_number(&self) -> &str {
        &self.config.msn
    }

    /// The subscription key the emulator expects.
    pub fn subscription_key(&self) -> &str {
        &self.config.subscription_key
    }

    /// Every request received, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    /// The requests received for one operation.
    pub fn requests_for(&self, op: Operation) -> Vec<RecordedRequest> {
        self.state().requests.iter().filter(|r| r.operation == Some(op)).cloned().collect()
    }

    /// How many tokens the token endpoint issued.
    pub fn tokens_issued(&self) -> usize {
        self.state().tokens_issued
    }

    /// The stored images' ids, sorted.
    pub fn image_ids(&self) -> Vec<String> {
        self.state().images.keys().cloned().collect()
    }

    /// A stored image's bytes.
    pub fn image(&self, id: &str) -> Option<Vec<u8>> {
        self.state().images.get(id).cloned()
    }

    /// The stored v2 category of an order.
    pub fn category(&self, payment_type: PaymentType, order_id: &str) -> Option<Category> {
        self.state().categories.get(&(payment_type, order_id.to_owned())).cloned()
    }

    /// The stored receipt of an order.
    pub fn receipt(&self, payment_type: PaymentType, order_id: &str) -> Option<Receipt> {
        self.state().receipts.get(&(payment_type, order_id.to_owned())).cloned()
    }

    /// How many receipts are stored.
    pub fn receipt_count(&self) -> usize {
        self.state().receipts.len()
    }

    /// The stored v3 categories, oldest first.
    pub fn categories_v3(&self) -> Vec<CategoryV3> {
        self.state().v3.clone()
    }

    /// Injects a fault.
    ///
    /// ```
    /// # async fn demo() {
    /// use vipps_order_management::emulator::{Emulator, Fault};
    /// use vipps_order_management::Operation;
    /// let emulator = Emulator::start().await;
    /// emulator.inject(Fault::status(503).times(2).only(Operation::PostReceipt));
    /// # }
    /// ```
    pub fn inject(&self, fault: Fault) {
        if fault.times > 0 {
            self.state().faults.push(fault);
        }
    }

    /// Answers the next `n` requests of any operation with `status`.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.inject(Fault::status(status).times(n));
    }

    /// Answers the next `n` requests with 429 and `Retry-After: <seconds>`.
    pub fn rate_limit_next(&self, n: usize, retry_after_secs: u64) {
        self.inject(Fault::status(429).times(n).retry_after(retry_after_secs.to_string()));
    }

    /// Delays every answer by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// Makes every issued token expired now.
    pub fn expire_tokens(&self) {
        let now = std::time::Instant::now();
        for expiry in self.state().tokens.values_mut() {
            *expiry = now;
        }
    }
}
