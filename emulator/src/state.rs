//! Everything the emulator holds: its settings, the store of what merchants
//! stored (`store`, kept in the state file by `journal`), the record of
//! requests (`record`), and the faults waiting to act (`fault`). Requests
//! take its lock briefly: to decide and keep a change, to take a fault, to
//! read a count. What takes long (reading a body, checking it against the
//! spec, writing out an answer) is done outside it (`dispatch`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use super::answer::{problem, Answer};
use super::fault::Fault;
use super::journal::{Compaction, Journal};
use super::memory_budget::Budgets;
use super::record::Record;
use super::store::{Prepared, Store};

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
    /// The most bytes stored (as the state file's lines), all merchants
    /// together: a change past it is refused with 507.
    pub(super) max_stored_bytes: usize,
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
    /// Turns true when the fault is deleted: the requests it holds go on
    /// at once, as if it had never acted.
    pub(super) deleted: watch::Sender<bool>,
}

/// Everything the emulator holds.
pub(super) struct State {
    pub(super) config: Config,
    /// The key its access tokens are signed with (so none is kept, and
    /// they hold across a restart with the same credentials).
    pub(super) token_key: [u8; 64],
    /// Tokens of an earlier generation are expired
    /// ([`Emulator::expire_tokens`](super::Emulator::expire_tokens)).
    pub(super) token_generation: u64,
    /// How many access tokens were issued in all.
    pub(super) token_count: usize,
    pub(super) store: Store,
    /// The state file, when there is one.
    pub(super) journal: Option<Journal>,
    pub(super) record: Record,
    pub(super) faults: Vec<Injected>,
    /// Faults used up that may still hold requests (by their delay): their
    /// ids, and the sign that lets those requests go when deleted.
    pub(super) spent: Vec<(u64, watch::Sender<bool>)>,
    pub(super) next_fault_id: u64,
    pub(super) latency: Duration,
    /// The server's memory budgets (for the admin API's health).
    pub(super) budgets: Budgets,
    /// Work run off the async workers at once, at most (checks of large
    /// bodies, large answers and listings): what it holds in memory while
    /// it runs is bounded too.
    pub(super) heavy: Arc<tokio::sync::Semaphore>,
}

/// Compacts the state file after a reset, so that what was reset leaves the
/// disk: the snapshot written outside the lock (off the async workers),
/// put in place under it, and again if another reset came meanwhile. A
/// failure is logged: the file is whole either way, only longer.
pub(super) async fn compact(shared: &Arc<Mutex<State>>, mut compaction: Compaction) {
    loop {
        let written = tokio::task::spawn_blocking(move || compaction.write())
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
        let mut state = lock(shared);
        let Some(journal) = state.journal.as_mut() else { return };
        match journal.finish_compaction(written) {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                let file = journal.path.display().to_string();
                tracing::warn!(target: "vipps_order_management_emulator", error = %e, %file, "could not compact the state file after a reset; what was reset is gone from memory but stays in the file until the next reset");
                return;
            }
        }
        match state.begin_compaction() {
            Some(next) => compaction = next,
            None => return,
        }
    }
}

/// How much heavy work runs off the async workers at once: as many as two
/// machines' worth of cores would take, no more.
const HEAVY_AT_ONCE: usize = 4;

/// Runs `work` off the async workers (on the blocking pool), at most
/// [`HEAVY_AT_ONCE`] at a time; a 500 if it could not finish (it panicked:
/// a bug, said in the log).
pub(super) async fn off_the_workers<T: Send + 'static>(
    shared: &Arc<Mutex<State>>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Answer> {
    let heavy = lock(shared).heavy.clone();
    // The semaphore is never closed.
    let _turn = heavy.acquire_owned().await;
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(target: "vipps_order_management_emulator", error = %e, "the emulator failed while handling a request; this is a bug in the emulator");
        problem(500, "Internal Server Error", "the emulator failed while handling this request; please report it", vec![])
    })
}

/// The state's lock, taken even when a panic poisoned it (every change is
/// whole before it is applied, so what it guards is never half made).
pub(super) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    /// A new state with these settings and this store.
    pub(super) fn new(config: Config, store: Store, journal: Option<Journal>, record: Record, budgets: Budgets) -> State {
        let token_key = hmac_sha512::HMAC::mac(
            format!("vipps-om emulator access tokens\n{}\n{}", config.client_id, config.subscription_key),
            config.client_secret.as_bytes(),
        );
        State {
            config,
            token_key,
            token_generation: 0,
            token_count: 0,
            store,
            journal,
            record,
            faults: Vec::new(),
            spent: Vec::new(),
            next_fault_id: 1,
            latency: Duration::ZERO,
            budgets,
            heavy: Arc::new(tokio::sync::Semaphore::new(HEAVY_AT_ONCE)),
        }
    }

    /// Keeps a change (in the state file first, when there is one) and
    /// applies it. When the file cannot keep it, nothing changes and the
    /// error says why.
    pub(super) fn keep(&mut self, prepared: Prepared) -> std::io::Result<()> {
        if let Some(journal) = &mut self.journal {
            journal.append(&prepared)?;
        }
        self.store.apply(prepared.change, prepared.line.len());
        Ok(())
    }

    /// Begins compacting the state file as the store is now (after a
    /// reset), if there is one and no compaction is under way.
    pub(super) fn begin_compaction(&mut self) -> Option<Compaction> {
        let State { journal, store, .. } = self;
        journal.as_mut()?.begin_compaction(store)
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
            deleted: watch::Sender::new(false),
        });
        id
    }

    /// Deletes the faults whose ids `deleted` picks, waiting or used up
    /// but still holding requests, and lets those requests go on; how many.
    pub(super) fn delete_faults(&mut self, deleted: impl Fn(u64) -> bool) -> usize {
        let before = self.faults.len() + self.spent.len();
        self.faults.retain(|f| {
            if deleted(f.id) {
                f.deleted.send_replace(true);
                return false;
            }
            true
        });
        self.spent.retain(|(id, sign)| {
            if deleted(*id) {
                sign.send_replace(true);
                return false;
            }
            true
        });
        before - self.faults.len() - self.spent.len()
    }
}
