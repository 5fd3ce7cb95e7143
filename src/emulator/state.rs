//! Everything the emulator holds: its settings, the tokens it issued, what
//! merchants stored (kept in `store`, saved to the state file), the record
//! of requests, and the faults waiting to be injected.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::fault::Fault;
use super::record::RecordedRequest;
use super::store::{StateFile, Store};

/// The emulator's settings.
#[derive(Clone)]
pub(super) struct Config {
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) subscription_key: String,
    pub(super) msn: String,
    pub(super) token_lifetime: Duration,
}

/// Everything the emulator holds.
pub(super) struct State {
    pub(super) config: Config,
    /// Issued access tokens and when each expires.
    pub(super) issued_tokens: HashMap<String, Instant>,
    /// How many access tokens were issued in all.
    pub(super) token_count: usize,
    pub(super) store: Store,
    pub(super) state_file: Option<StateFile>,
    pub(super) record_requests: bool,
    pub(super) requests: Vec<RecordedRequest>,
    pub(super) faults: Vec<Fault>,
    pub(super) latency: Duration,
}
