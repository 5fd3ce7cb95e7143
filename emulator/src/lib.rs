//! An emulator of the Vipps MobilePay Order Management API, in-process for
//! tests or as a server for any stack (`vipps-om emulator`), built on the
//! public API of the SDK, [`vipps_order_management`]. The API is offered
//! in production only, so this is where an integration is tested first.
//!
//! It listens on loopback by default, or any address it is given (HTTP/1.1
//! and HTTP/2), and answers like the service as its contract and guides
//! describe it:
//!
//! - The access token endpoint checks the credentials and issues expiring
//!   tokens; every operation checks the token, the subscription key and the
//!   merchant serial number.
//! - Requests are validated against the spec's schemas (types, required
//!   and nullable fields, minimums, lengths, patterns, enumerations,
//!   formats) and the service's own rules (line sums, a tax rate on every
//!   line), answering 400 problems whose `invalidParams` name each field.
//! - State is kept per merchant serial number, and stored as sent (every
//!   field, deprecated ones included): images cannot be overwritten, a
//!   category PUT replaces the last one, a receipt is stored once (409
//!   after that), get order answers 404 until something is stored. With
//!   [`EmulatorBuilder::state_file`] it survives restarts.
//! - It routes as the gateway does: fixed path parts and the token path in
//!   any case, payment types in any case, empty path segments 404.
//!
//! For tests it records every request, shows what it stored, and injects
//! [`Fault`]s: error answers, closed connections and late answers, before
//! or after the request takes effect.
//!
//! ```
//! use vipps_order_management_emulator::Emulator;
//! use vipps_order_management::{Category, CategoryType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), vipps_order_management::Error> {
//! let emulator = Emulator::start().await?;
//! let client = emulator.client();
//! client
//!     .ecom("order-1")
//!     .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/o/1"))
//!     .await?;
//! assert!(emulator.category(vipps_order_management::PaymentType::Ecom, "order-1").is_some());
//! # Ok(()) }
//! ```

#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod access;
mod admin;
mod answer;
mod builder;
mod clock;
mod dispatch;
mod fault;
mod handlers;
mod journal;
mod memory_budget;
mod received;
mod record;
mod schema;
mod server;
pub mod serving;
mod state;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tokio::sync::watch;

pub use builder::EmulatorBuilder;
pub use fault::Fault;
pub use record::RecordedRequest;
use state::{Config, State};
use store::order_key;

use vipps_order_management::Error;
use vipps_order_management::Operation;
use vipps_order_management::{Category, CategoryV3, PaymentType, Receipt};
use vipps_order_management::{Client, ClientBuilder};

/// The emulator's default client id.
pub const CLIENT_ID: &str = "emulator-client-id";
/// The emulator's default client secret.
pub const CLIENT_SECRET: &str = "emulator-client-secret";
/// The emulator's default subscription key.
pub const SUBSCRIPTION_KEY: &str = "emulator-subscription-key";
/// The emulator's default merchant serial number.
pub const MSN: &str = "123456";

/// A running emulator. It stops when dropped (or with
/// [`Emulator::serve_until`]).
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    config: Config,
    stop: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Emulator {
    /// Starts an emulator with the default credentials on a free port.
    pub async fn start() -> Result<Emulator, Error> {
        EmulatorBuilder::default().start().await
    }

    /// Settings for an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The base URL for clients on this machine, `http://127.0.0.1:<port>`
    /// (loopback also when it listens on every address).
    pub fn base_url(&self) -> String {
        let here = match self.addr.ip() {
            std::net::IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::from(([127, 0, 0, 1], self.addr.port())),
            std::net::IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, self.addr.port())),
            _ => self.addr,
        };
        format!("http://{here}")
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
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
        // `start` built a client from these very settings, so this cannot fail.
        self.client_builder()
            .build()
            .expect("the emulator's own settings were checked when it started")
    }

    /// The client id the emulator accepts.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The client secret the emulator accepts (a test credential).
    pub fn client_secret(&self) -> &str {
        &self.config.client_secret
    }

    /// The subscription key the emulator expects.
    pub fn subscription_key(&self) -> &str {
        &self.config.subscription_key
    }

    /// The merchant serial number [`Emulator::client`] sends.
    pub fn merchant_serial_number(&self) -> &str {
        &self.config.msn
    }

    /// Serves until `signal` completes, then stops: no new connections,
    /// requests under way finish (for up to five seconds).
    ///
    /// The signal is any future: a channel as below, or
    /// `async { let _ = tokio::signal::ctrl_c().await; }` with tokio's
    /// `signal` feature enabled in your own dependency on tokio.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), vipps_order_management::Error> {
    /// use vipps_order_management_emulator::Emulator;
    /// let emulator = Emulator::builder().port(8081).state_file("emulator-state.json").start().await?;
    /// println!("serving at {}", emulator.base_url());
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// // Hand `stop` to whatever ends the server (a shutdown hook, a test).
    /// # drop(stop);
    /// emulator.serve_until(async { let _ = stopped.await; }).await;
    /// # Ok(()) }
    /// ```
    pub async fn serve_until(self, signal: impl std::future::Future<Output = ()>) {
        signal.await;
        self.stop().await;
    }

    /// Stops now and waits until it has stopped: no new connections,
    /// requests under way finish (for up to five seconds), and its state
    /// file is released, so that another emulator may open it at once.
    /// Dropping an emulator stops it too, but without waiting.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Every request received (the latest, when the record is limited),
    /// oldest first. The admin API's own requests are not recorded.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().record.requests.iter().map(|r| RecordedRequest::clone(r)).collect()
    }

    /// The requests received for one operation.
    pub fn requests_for(&self, op: Operation) -> Vec<RecordedRequest> {
        self.state()
            .record
            .requests
            .iter()
            .filter(|r| r.operation == Some(op))
            .map(|r| RecordedRequest::clone(r))
            .collect()
    }

    /// An access token this emulator accepts, issued as its token endpoint
    /// issues them (and counted by [`Emulator::tokens_issued`]): for
    /// requests made by hand, with another HTTP client, in tests of code
    /// that does not use [`Client`].
    pub fn access_token(&self) -> String {
        self.state().issue_token().0
    }

    /// How many tokens the token endpoint issued.
    pub fn tokens_issued(&self) -> usize {
        self.state().token_count
    }

    /// The ids of the images stored for the default merchant, sorted.
    pub fn image_ids(&self) -> Vec<String> {
        self.state()
            .store
            .merchant(&self.config.msn)
            .map(|m| m.images.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A stored image's bytes (default merchant).
    pub fn image(&self, id: &str) -> Option<Vec<u8>> {
        let state = self.state();
        let src = &state.store.merchant(&self.config.msn)?.images.get(id)?.value;
        base64::engine::general_purpose::STANDARD.decode(src.as_bytes()).ok()
    }

    fn stored(
        &self,
        msn: &str,
        payment_type: &PaymentType,
        order_id: &str,
        part: fn(&store::StoredOrder) -> Option<&store::Kept<Value>>,
    ) -> Option<Value> {
        let state = self.state();
        let order = state.store.merchant(msn)?.orders.get(&order_key(payment_type, order_id))?;
        part(order).map(|kept| Value::clone(&kept.value))
    }

    /// The stored v2 category of an order (default merchant).
    pub fn category(&self, payment_type: PaymentType, order_id: &str) -> Option<Category> {
        self.category_for(&self.config.msn, payment_type, order_id)
    }

    /// The stored v2 category of an order of this merchant.
    pub fn category_for(&self, msn: &str, payment_type: PaymentType, order_id: &str) -> Option<Category> {
        let value = self.stored(msn, &payment_type, order_id, |o| o.category.as_ref())?;
        serde_json::from_value(value).ok()
    }

    /// The stored receipt of an order (default merchant).
    pub fn receipt(&self, payment_type: PaymentType, order_id: &str) -> Option<Receipt> {
        self.receipt_for(&self.config.msn, payment_type, order_id)
    }

    /// The stored receipt of an order of this merchant.
    pub fn receipt_for(&self, msn: &str, payment_type: PaymentType, order_id: &str) -> Option<Receipt> {
        serde_json::from_value(self.receipt_json(msn, payment_type, order_id)?).ok()
    }

    /// The stored receipt of an order of this merchant, exactly as sent.
    pub fn receipt_json(&self, msn: &str, payment_type: PaymentType, order_id: &str) -> Option<Value> {
        self.stored(msn, &payment_type, order_id, |o| o.receipt.as_ref())
    }

    /// How many receipts are stored, for all merchants.
    pub fn receipt_count(&self) -> usize {
        self.state().store.receipt_count()
    }

    /// The stored v3 categories of the default merchant, oldest first.
    pub fn categories_v3(&self) -> Vec<CategoryV3> {
        let state = self.state();
        state
            .store
            .merchant(&self.config.msn)
            .map(|m| {
                m.categories_v3
                    .iter()
                    .filter_map(|c| <CategoryV3 as serde::Deserialize>::deserialize(&*c.value).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The state file, when one was given.
    pub fn state_file(&self) -> Option<PathBuf> {
        self.state().journal.as_ref().map(|j| j.path.clone())
    }

    /// Injects a fault, and returns its id (as the admin API shows it).
    ///
    /// ```
    /// # async fn demo() -> Result<(), vipps_order_management::Error> {
    /// use vipps_order_management_emulator::{Emulator, Fault};
    /// use vipps_order_management::Operation;
    /// let emulator = Emulator::start().await?;
    /// emulator.inject(Fault::status(503).times(2).only(Operation::PostReceipt));
    /// # Ok(()) }
    /// ```
    pub fn inject(&self, fault: Fault) -> u64 {
        self.state().inject(fault)
    }

    /// The faults waiting to act: each with its id and how many more
    /// requests it acts on (`None`: no limit).
    pub fn faults(&self) -> Vec<(u64, Fault, Option<usize>)> {
        self.state().faults.iter().map(|f| (f.id, f.fault.clone(), f.remaining)).collect()
    }

    /// Removes every fault waiting to act.
    pub fn clear_faults(&self) {
        self.state().delete_faults(|_| true);
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

    /// Makes every issued token expired now (tokens issued after it are
    /// good).
    pub fn expire_tokens(&self) {
        self.state().token_generation += 1;
    }
}
