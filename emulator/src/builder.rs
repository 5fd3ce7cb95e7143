//! [`EmulatorBuilder`]: the emulator's credentials, address, state file,
//! record of requests, admin token and the bounds of its server, and
//! starting it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::journal::Journal;
use super::memory_budget::Budgets;
use super::record::Record;
use super::server::{self, Bounds};
use super::state::{Config, State};
use super::store::Store;
use super::{Emulator, CLIENT_ID, CLIENT_SECRET, MSN, SUBSCRIPTION_KEY};
use vipps_order_management::Error;

/// The most connections a server may be told to hold: far beyond any
/// descriptor limit, and within what its semaphore can count.
const MAX_CONNECTIONS: usize = 1_000_000;

/// Settings for an [`Emulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    client_id: String,
    client_secret: String,
    subscription_key: String,
    msn: String,
    token_lifetime: Duration,
    listen: SocketAddr,
    state_file: Option<PathBuf>,
    record_requests: bool,
    record_limit: Option<usize>,
    record_body_cap: Option<usize>,
    record_bytes: usize,
    max_stored_bytes: usize,
    admin_token: Option<String>,
    bounds: Bounds,
}

/// The most bytes of requests the record keeps by default.
pub(super) const RECORD_BYTES: usize = 64 * 1024 * 1024;
/// The most bytes stored by default (as the state file's lines).
pub(super) const MAX_STORED_BYTES: usize = 256 * 1024 * 1024;

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            subscription_key: SUBSCRIPTION_KEY.into(),
            msn: MSN.into(),
            token_lifetime: Duration::from_secs(3600),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            record_requests: true,
            record_limit: None,
            record_body_cap: None,
            record_bytes: RECORD_BYTES,
            max_stored_bytes: MAX_STORED_BYTES,
            admin_token: None,
            bounds: Bounds::default(),
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

    /// The merchant serial number of [`Emulator::client`] (any other is
    /// served too, each with state of its own).
    pub fn merchant_serial_number(mut self, v: impl Into<String>) -> Self {
        self.msn = v.into();
        self
    }

    /// How long issued tokens live (default one hour, as in the test
    /// environment; at most a day).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime.min(vipps_order_management::MAX_DURATION);
        self
    }

    /// The loopback port to listen on (default 0: any free port), on
    /// `127.0.0.1`.
    pub fn port(mut self, port: u16) -> Self {
        self.listen = SocketAddr::from(([127, 0, 0, 1], port));
        self
    }

    /// The address to listen on (default `127.0.0.1:0`). Beyond loopback
    /// anyone who reaches it can use it: its credentials are no secret.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Keeps the state (orders, images, categories) in this file, a journal
    /// of changes: read at start when it exists, each change appended
    /// before it is answered. One emulator at a time may use a file (the
    /// file is locked, whatever path or link leads to it); a file that is
    /// not an emulator's state, or is read-only, is refused at start.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Records requests for [`Emulator::requests`] and the admin API (the
    /// default), or not at all.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// Records at most the latest `limit` requests, and of each body at
    /// most `body_cap` bytes: a long-running server's memory then stays
    /// bounded (the default records everything, whole, as tests want).
    pub fn record_limit(mut self, limit: usize, body_cap: usize) -> Self {
        self.record_limit = Some(limit);
        self.record_body_cap = Some(body_cap);
        self
    }

    /// Keeps at most this many bytes of recorded requests (default 64 MiB),
    /// the oldest dropped first; the admin API's health counts the drops.
    pub fn record_bytes(mut self, bytes: usize) -> Self {
        self.record_bytes = bytes;
        self
    }

    /// Stores at most this many bytes of images, categories and receipts,
    /// counted as the state file's lines (default 256 MiB, which takes
    /// about two to three times as much memory). A change past it is
    /// refused with 507 Insufficient Storage, saying so; a reset makes room.
    pub fn max_stored_bytes(mut self, bytes: usize) -> Self {
        self.max_stored_bytes = bytes;
        self
    }

    /// Lets clients beyond this machine (or naming it by a host name) use
    /// the admin API (`/_emulator/...`) when they send this token as
    /// `Authorization: Bearer`. Without it, only clients on this machine
    /// that name it by IP address or as `localhost` may. Web pages never
    /// may, token or not.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// At most this many connections at once (default 1024, at least 1,
    /// at most 1,000,000); more wait to be accepted.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.bounds.max_connections = n.clamp(1, MAX_CONNECTIONS);
        self
    }

    /// At most this many connections at once from one client, an IPv4
    /// address or an IPv6 /64 (default 256, a quarter of the default
    /// total; at least 1): one client's idle or slow connections leave the
    /// rest for the others. Its connections past it are closed as they
    /// come.
    pub fn max_connections_per_client(mut self, n: usize) -> Self {
        self.bounds.max_connections_per_client = n.clamp(1, MAX_CONNECTIONS);
        self
    }

    /// How long a connection may sit without a request under way before it
    /// is closed, and how long a request's head may take to arrive
    /// (default 10 s each; at most a day).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.bounds.idle_timeout = timeout.min(vipps_order_management::MAX_DURATION);
        self
    }

    /// How long a request's body may take to arrive (default 30 s; at most
    /// a day).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.bounds.body_timeout = timeout.min(vipps_order_management::MAX_DURATION);
        self
    }

    /// How many bytes of request bodies may be held at once, across all
    /// connections (default 64 MiB); a body that does not fit is answered
    /// 503 with `Retry-After`.
    pub fn body_memory(mut self, bytes: usize) -> Self {
        self.bounds.body_memory = bytes;
        self
    }

    /// How many bytes of request bodies one client (an IPv4 address or an
    /// IPv6 /64) may hold at once (default 32 MiB, half the default
    /// total): one client's stalled uploads spend its share, not
    /// everyone's. Its body past the share is answered 503 with
    /// `Retry-After`.
    pub fn body_memory_per_client(mut self, bytes: usize) -> Self {
        self.bounds.body_memory_per_client = bytes;
        self
    }

    /// How many bytes of answers may be held at once while clients read
    /// them, across all connections (default 256 MiB), and how many one
    /// client may hold (default 64 MiB; one answer of any size within the
    /// total when it holds none): a client that asks for large answers and
    /// does not read them spends its own share. An answer that
    /// does not fit is answered 503 with `Retry-After`.
    pub fn answer_memory(mut self, bytes: usize, per_client: usize) -> Self {
        self.bounds.answer_memory = bytes;
        self.bounds.answer_memory_per_client = per_client;
        self
    }

    /// Starts the emulator. Fails when the settings could not make a
    /// client, the address cannot be listened on, or the state file cannot
    /// be used.
    pub async fn start(self) -> Result<Emulator, Error> {
        let config = Config {
            client_id: self.client_id,
            client_secret: self.client_secret,
            subscription_key: self.subscription_key,
            msn: self.msn,
            token_lifetime: self.token_lifetime,
            admin_token: self.admin_token.as_deref().map(|t| hmac_sha512::Hash::hash(t.as_bytes())),
            max_stored_bytes: self.max_stored_bytes,
        };
        // The address first: an emulator that cannot listen creates no
        // state file.
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|e| Error::config(format!("the emulator cannot listen on {}: {e}", self.listen)))?;
        let (journal, store) = match &self.state_file {
            Some(path) => {
                let (journal, store) = Journal::open(path).map_err(Error::config)?;
                (Some(journal), store)
            }
            None => (None, Store::default()),
        };
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(format!("the emulator's address is unknown: {e}")))?;
        let record = Record::new(self.record_requests, self.record_limit, self.record_body_cap, self.record_bytes);
        let b = &self.bounds;
        let budgets = Budgets::new(b.body_memory, b.body_memory_per_client, b.answer_memory, b.answer_memory_per_client);
        let state = Arc::new(Mutex::new(State::new(config.clone(), store, journal, record, budgets.clone())));
        let (stop, stopped) = watch::channel(false);
        let mut emulator = Emulator {
            addr,
            state: state.clone(),
            config,
            stop,
            server: None,
        };
        // Its own settings must make a client, or `client()` could not.
        emulator.client_builder().build()?;
        emulator.server = Some(tokio::spawn(server::serve(listener, state, stopped, self.bounds, budgets)));
        Ok(emulator)
    }
}
