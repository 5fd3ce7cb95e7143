//! [`EmulatorBuilder`]: the emulator's credentials, port, state file and
//! record of requests, and starting it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use super::state::{Config, State};
use super::store::{StateFile, Store};
use super::{server, Emulator, CLIENT_ID, CLIENT_SECRET, MSN, SUBSCRIPTION_KEY};
use crate::error::Error;

/// Settings for an [`Emulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    client_id: String,
    client_secret: String,
    subscription_key: String,
    msn: String,
    token_lifetime: Duration,
    port: u16,
    state_file: Option<PathBuf>,
    record_requests: bool,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            subscription_key: SUBSCRIPTION_KEY.into(),
            msn: MSN.into(),
            token_lifetime: Duration::from_secs(3600),
            port: 0,
            state_file: None,
            record_requests: true,
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
        self.token_lifetime = lifetime.min(crate::MAX_DURATION);
        self
    }

    /// The loopback port to listen on (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keeps the state (orders, images, categories) in this file: read at
    /// start when it exists, written after every change, atomically. One
    /// emulator at a time may use a file (a lock file beside it says so); a
    /// file that cannot be written is refused at start.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Records every request for [`Emulator::requests`] (the default). A
    /// long-running server turns this off, so that memory does not grow
    /// with the requests it answers.
    pub fn record_requests(mut self, record: bool) -> Self {
        self.record_requests = record;
        self
    }

    /// Starts the emulator on `127.0.0.1`. Fails when the settings could not
    /// make a client, the port is taken, or the state file cannot be read.
    pub async fn start(self) -> Result<Emulator, Error> {
        let config = Config {
            client_id: self.client_id,
            client_secret: self.client_secret,
            subscription_key: self.subscription_key,
            msn: self.msn,
            token_lifetime: self.token_lifetime,
        };
        let (state_file, store) = match &self.state_file {
            Some(path) => {
                let (file, store) = StateFile::open(path).map_err(Error::config)?;
                (Some(file), store)
            }
            None => (None, Store::default()),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|e| Error::config(format!("the emulator cannot listen on 127.0.0.1:{}: {e}", self.port)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::config(format!("the emulator's address is unknown: {e}")))?;
        let state = Arc::new(Mutex::new(State {
            config: config.clone(),
            issued_tokens: Default::default(),
            token_count: 0,
            store,
            state_file,
            record_requests: self.record_requests,
            requests: Vec::new(),
            faults: Vec::new(),
            latency: Duration::ZERO,
        }));
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
        emulator.server = Some(tokio::spawn(server::serve(listener, state, stopped, Duration::from_secs(5))));
        Ok(emulator)
    }
}
