//! Everything the emulator holds: its settings, the tokens it issued, what
//! merchants stored (`store`, kept in the state file by `journal`), the
//! record of requests (`record`), and the faults waiting to act (`fault`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::body_budget::BodyBudget;
use super::fault::Fault;
use super::journal::Journal;
use super::record::Record;
use super::store::{Change, Store};

/// The emulator's settings.
#[derive(Clone)]
pub(super) struct Config {
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) subscription_key: String,
    pub(super) msn: String,
    pub(super) token_lifetime: Duration,
    /// The SHA-512 of the admin API's token, when one is set: then clients
    /// beyond loopback may use the admin API with it.
    pub(super) admin_token: Option<[u8; 64]>,
}

/// A fault injected and waiting: its id, what is left of it, and the
/// generator of its probability.
#[derive(Debug)]
pub(super) struct Injected {
    pub(super) id: u64,
    pub(super) fault: Fault,
    /// How many more requests it acts on; `None`: no limit.
    pub(super) remaining: Option<usize>,
    pub(super) generator: fastrand::Rng,
}

/// Everything the emulator holds.
pub(super) struct State {
    pub(super) config: Config,
    /// Issued access tokens and when each expires.
    pub(super) issued_tokens: HashMap<String, Instant>,
    /// The same tokens in the order they expire, so that expired ones are
    /// forgotten as new ones are issued (memory stays bounded).
    pub(super) expiries: VecDeque<(Instant, String)>,
    /// How many access tokens were issued in all.
    pub(super) token_count: usize,
    pub(super) store: Store,
    /// The state file, when there is one.
    pub(super) journal: Option<Journal>,
    pub(super) record: Record,
    pub(super) faults: Vec<Injected>,
    pub(super) next_fault_id: u64,
    pub(super) latency: Duration,
    /// The server's budget for request bodies (for the admin API's health).
    pub(super) body_budget: BodyBudget,
}

impl State {
    /// A new state with these settings and this store.
    pub(super) fn new(config: Config, store: Store, journal: Option<Journal>, record: Record, body_budget: BodyBudget) -> State {
        State {
            config,
            issued_tokens: HashMap::new(),
            expiries: VecDeque::new(),
            token_count: 0,
            store,
            journal,
            record,
            faults: Vec::new(),
            next_fault_id: 1,
            latency: Duration::ZERO,
            body_budget,
        }
    }

    /// Keeps a change (in the state file first, when there is one) and
    /// applies it. When the file cannot keep it, nothing changes and the
    /// error says why.
    pub(super) fn keep(&mut self, change: Change) -> std::io::Result<()> {
        if let Some(journal) = &mut self.journal {
            journal.append(&change)?;
        }
        self.store.apply(change);
        Ok(())
    }

    /// Injects a fault; its id.
    pub(super) fn inject(&mut self, fault: Fault) -> u64 {
        let id = self.next_fault_id;
        self.next_fault_id += 1;
        self.faults.push(Injected {
            id,
            remaining: fault.limit(),
            generator: fault.generator(),
            fault,
        });
        id
    }
}
