//! The worker: claims due deliveries under a lease, delivers each through
//! the SDK, and records how it ended: delivered, tried again later on the
//! schedule (honouring `Retry-After`), or dead with the error in staff
//! words. Any number of workers on any number of machines share one
//! outbox; the jobs of a worker that died come back when its lease ends. A
//! graceful stop claims nothing more, lets what is under way finish within
//! the grace time, and gives back the rest.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::task::JoinSet;
use vipps_order_management::RetryPolicy;

use crate::claims::{Claimed, End};
use crate::database::{Backend, Outbox};
use crate::delivering::{deliver_with, Clients, Delivered, Failure};
use crate::error::OutboxError;
use crate::schedule::{Next, Schedule};

/// What a worker did, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerReport {
    /// Deliveries stored (or found stored).
    pub delivered: u64,
    /// Failures that will be tried again.
    pub retried: u64,
    /// Deliveries given up on.
    pub dead: u64,
    /// Deliveries given back at a stop, unfinished.
    pub released: u64,
}

/// A worker on an outbox. Build it, then [`Worker::run`] it until a stop,
/// or [`Worker::drain`] what is due now.
///
/// ```no_run
/// # async fn demo(client: vipps_order_management::Client) -> Result<(), vipps_order_management_outbox::OutboxError> {
/// use vipps_order_management_outbox::{Clients, Outbox, Worker};
/// let outbox = Outbox::open("sqlite://outbox.db").await?;
/// let worker = Worker::new(outbox, Clients::new().merchant(client));
/// worker.run(async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Worker {
    outbox: Outbox,
    clients: Arc<Clients>,
    owner: Arc<str>,
    concurrency: usize,
    lease: Duration,
    poll: Duration,
    grace: Duration,
    schedule: Schedule,
    keep_delivered: Option<Duration>,
}

/// The longest one SDK call of a delivery may take, whatever the lease.
const CALL_DEADLINE: Duration = Duration::from_secs(30);

/// This machine's name, for the worker's id.
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned())
}

impl Worker {
    /// A worker delivering the outbox's deliveries with `clients`: 16 at a
    /// time, each under a lease of two minutes, looking for due work every
    /// second, on the default [`Schedule`], delivered rows kept 30 days.
    #[must_use]
    pub fn new(outbox: Outbox, clients: Clients) -> Worker {
        let owner = format!(
            "{}/{}/{}",
            host_name(),
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Worker {
            outbox,
            clients: Arc::new(clients),
            owner: owner.into(),
            concurrency: 16,
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(1),
            grace: Duration::from_secs(30),
            schedule: Schedule::default(),
            keep_delivered: Some(Duration::from_secs(30 * 24 * 3600)),
        }
    }

    /// How many deliveries it works on at once (at least one).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How long a claimed delivery is the worker's alone (default two
    /// minutes; at least two seconds): if the worker dies, its deliveries
    /// are due again this long after it claimed them. Each delivery's calls
    /// end within half of it (and within 30 s), so a live worker always
    /// finishes before its lease runs out.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_secs(2));
        self
    }

    /// How often it looks for due work when there was none (default one
    /// second).
    #[must_use]
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every.max(Duration::from_millis(1));
        self
    }

    /// How long a stop waits for deliveries under way before giving them
    /// back (default 30 s).
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The retry schedule of failed deliveries.
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// How long delivered rows are kept before the worker deletes them
    /// (default 30 days; `None` keeps them for good).
    #[must_use]
    pub fn keep_delivered(mut self, keep: Option<Duration>) -> Self {
        self.keep_delivered = keep;
        self
    }

    /// The name it holds leases under: host, process and a random part.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.owner
    }

    /// The SDK policy of one delivery's calls: done within half the lease.
    fn policy(&self) -> RetryPolicy {
        RetryPolicy::default().deadline((self.lease / 2).min(CALL_DEADLINE))
    }

    /// Works until `stop` completes, then stops gracefully: claims nothing
    /// more, lets the deliveries under way finish within the grace time,
    /// gives back the rest. The database being unreachable is waited out
    /// (logged), never an end.
    pub async fn run(&self, stop: impl Future<Output = ()>) -> Result<WorkerReport, OutboxError> {
        self.work(stop, false).await
    }

    /// Delivers what is due now, and what becomes due while it works, until
    /// nothing is; returns what it did. For tests, scripts and cron.
    pub async fn drain(&self) -> Result<WorkerReport, OutboxError> {
        self.work(std::future::pending(), true).await
    }

    async fn work(&self, stop: impl Future<Output = ()>, until_idle: bool) -> Result<WorkerReport, OutboxError> {
        let mut report = WorkerReport::default();
        let mut tasks: JoinSet<(Claimed, End)> = JoinSet::new();
        // What each task holds, to give back what a stop cuts short.
        let mut held: HashMap<tokio::task::Id, i64> = HashMap::new();
        let mut ended: Vec<(Claimed, End)> = Vec::new();
        let served: Option<Vec<String>> = self.clients.served().map(|v| v.into_iter().map(str::to_owned).collect());
        let mut stop = std::pin::pin!(stop);
        let mut last_prune: Option<tokio::time::Instant> = None;
        // Ends are recorded and slots refilled once a quarter of the slots
        // are free (or none is busy): one statement records many ends, one
        // claims many deliveries.
        let refill = (self.concurrency / 4).max(1);
        loop {
            while let Some(done) = tasks.try_join_next_with_id() {
                Worker::collect(&mut held, &mut ended, done);
            }
            let free = self.concurrency.saturating_sub(tasks.len());
            let due = free >= refill || tasks.is_empty();
            let mut idle = false;
            let mut recorded = false;
            if due {
                // The ends recorded and new deliveries claimed: on Postgres
                // at once, on two connections; on SQLite, whose writers take
                // turns, one after the other.
                let msns: Option<Vec<&str>> = served.as_ref().map(|v| v.iter().map(String::as_str).collect());
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                let ends = std::mem::take(&mut ended);
                recorded = !ends.is_empty();
                let claimed = if self.outbox.backend() == Backend::Postgres {
                    tokio::join!(
                        self.record(&mut report, ends),
                        self.outbox.claim(&self.owner, self.lease, limit, msns.as_deref()),
                    )
                    .1
                } else {
                    self.record(&mut report, ends).await;
                    self.outbox.claim(&self.owner, self.lease, limit, msns.as_deref()).await
                };
                match claimed {
                    Ok(claimed) => {
                        idle = claimed.len() < free;
                        for job in claimed {
                            let id = job.job.id;
                            let handle = tasks.spawn(self.clone().one(job));
                            held.insert(handle.id(), id);
                        }
                    }
                    Err(e) if until_idle => return Err(e),
                    Err(e) => {
                        idle = true;
                        tracing::warn!(error = %e, "the outbox worker could not claim deliveries; trying again");
                    }
                }
            }
            // Draining ends when a claim found nothing after every end was
            // recorded: a claim beside a record (Postgres) may not yet see
            // an image delivered, and the categories waiting for it.
            if idle && until_idle && tasks.is_empty() && !recorded {
                break;
            }
            if !until_idle {
                self.prune(&mut last_prune).await;
            }
            tokio::select! {
                () = &mut stop => break,
                Some(done) = tasks.join_next_with_id(), if !tasks.is_empty() => Worker::collect(&mut held, &mut ended, done),
                () = tokio::time::sleep(self.poll), if idle => {}
            }
        }
        // The stop: what is under way may finish within the grace time.
        let deadline = tokio::time::Instant::now() + self.grace;
        while !tasks.is_empty() {
            match tokio::time::timeout_at(deadline, tasks.join_next_with_id()).await {
                Ok(Some(done)) => Worker::collect(&mut held, &mut ended, done),
                Ok(None) => break,
                Err(_) => {
                    tasks.abort_all();
                    while let Some(done) = tasks.join_next_with_id().await {
                        Worker::collect(&mut held, &mut ended, done);
                    }
                }
            }
        }
        self.record(&mut report, ended).await;
        let unfinished: Vec<i64> = held.into_values().collect();
        if !unfinished.is_empty() {
            self.outbox.release(&self.owner, &unfinished).await?;
            report.released += unfinished.len() as u64;
        }
        Ok(report)
    }

    /// Takes a finished task's end; its job is no longer held by a task
    /// (a task aborted at the end of the grace time still is: it is given
    /// back).
    fn collect(
        held: &mut HashMap<tokio::task::Id, i64>,
        ended: &mut Vec<(Claimed, End)>,
        done: Result<(tokio::task::Id, (Claimed, End)), tokio::task::JoinError>,
    ) {
        match done {
            Ok((id, end)) => {
                held.remove(&id);
                ended.push(end);
            }
            Err(e) if e.is_cancelled() => {}
            // A delivery that panicked stays held: its lease runs out and
            // it is tried again.
            Err(e) => {
                held.remove(&e.id());
                tracing::error!(error = %e, "an outbox delivery task failed");
            }
        }
    }

    /// Records how deliveries ended: the delivered in one statement, the
    /// rest one by one; logged at their level, counted. An end that cannot
    /// be recorded is logged: its lease runs out and the delivery is tried
    /// again (safely: it is idempotent).
    async fn record(&self, report: &mut WorkerReport, ended: Vec<(Claimed, End)>) {
        if ended.is_empty() {
            return;
        }
        let delivered: Vec<(&Claimed, Delivered)> = ended
            .iter()
            .filter_map(|(claimed, end)| match end {
                End::Delivered(how) => Some((claimed, *how)),
                _ => None,
            })
            .collect();
        for (claimed, how) in &delivered {
            let job = &claimed.job;
            tracing::debug!(id = job.id, kind = %job.kind, order_id = %job.order_id, outcome = how.as_str(), "outbox delivery done");
        }
        match self.outbox.finish_delivered(&self.owner, &delivered).await {
            Ok(n) => report.delivered += n,
            Err(e) => tracing::warn!(error = %e, "the outbox worker could not record deliveries as delivered; they will be tried again"),
        }
        for (claimed, end) in &ended {
            let job = &claimed.job;
            match end {
                End::Delivered(_) => continue,
                End::Retry(at, error) => {
                    let wait = at.duration_since(SystemTime::now()).unwrap_or_default();
                    tracing::warn!(id = job.id, kind = %job.kind, order_id = %job.order_id, attempts = job.attempts, retry_in_s = wait.as_secs(), error = %error, "outbox delivery failed; it will be tried again");
                }
                End::Dead(error) => {
                    tracing::error!(id = job.id, kind = %job.kind, order_id = %job.order_id, merchant_serial_number = %job.merchant_serial_number, attempts = job.attempts, error = %error, "outbox delivery is dead: staff must act");
                }
            }
            match self.outbox.finish(&self.owner, claimed, end).await {
                Ok(true) if matches!(end, End::Dead(_)) => report.dead += 1,
                Ok(true) => report.retried += 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "the outbox worker could not record a delivery's end; it will be tried again"),
            }
        }
    }

    /// Deletes old delivered rows, at most hourly.
    async fn prune(&self, last: &mut Option<tokio::time::Instant>) {
        let Some(keep) = self.keep_delivered else { return };
        if last.is_some_and(|at| at.elapsed() < Duration::from_secs(3600)) {
            return;
        }
        *last = Some(tokio::time::Instant::now());
        if let Err(e) = self.outbox.prune_delivered(keep).await {
            tracing::warn!(error = %e, "the outbox worker could not delete old delivered rows");
        }
    }

    /// Delivers one claimed job: how it ended (recorded by the loop).
    async fn one(self, claimed: Claimed) -> (Claimed, End) {
        let end = match claimed.job.delivery() {
            Err(why) => End::Dead(format!(
                "the outbox's row cannot be delivered as written: {}. Fix the row (or enqueue a corrected one) and retry it",
                why.trim_end_matches('.')
            )),
            Ok(delivery) => match deliver_with(&self.clients, &delivery, Some(self.policy())).await {
                Ok(how) => End::Delivered(how),
                Err(failure) => self.after(&claimed, &failure),
            },
        };
        (claimed, end)
    }

    /// What follows a failure: dead at once when retrying cannot help (or
    /// a 404 after the read-lag window), else the schedule's next try.
    fn after(&self, claimed: &Claimed, failure: &Failure) -> End {
        let now = SystemTime::now();
        let age = claimed.job.age(now);
        if failure.is_permanent() {
            return End::Dead(failure.to_string());
        }
        if failure.is_not_found() && age >= self.schedule.read_lag_window() {
            return End::Dead(format!(
                "{failure} The order was still unknown {} minutes after the delivery was enqueued: check the order id and the merchant serial number, then retry",
                age.as_secs() / 60
            ));
        }
        let tried_for = now.duration_since(claimed.tries_since).unwrap_or_default();
        match self
            .schedule
            .next(claimed.job.attempts, tried_for, failure.retry_after(), fastrand::f64())
        {
            Next::After(wait) => End::Retry(now + wait, failure.to_string()),
            Next::GiveUp => End::Dead(format!(
                "it kept failing for {} hours, so the outbox stopped trying. The last failure: {failure}",
                tried_for.as_secs() / 3600
            )),
        }
    }
}
