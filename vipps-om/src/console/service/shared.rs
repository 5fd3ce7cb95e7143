//! What every handler shares: the [`Console`].

use std::sync::Arc;
use std::time::Duration;

use vipps_order_management::Client;
use vipps_order_management_outbox::Outbox;

use crate::console::access::audit::Audit;
use crate::console::access::Access;

/// How long a lookup may take before its page says the API is slow (and
/// shows the answer when it comes), unless set.
pub const SLOW_NOTICE: Duration = Duration::from_secs(3);

/// What every handler shares: the API client (cheap to clone), who may
/// use the console, the audit trail, and how times are shown.
#[derive(Debug, Clone)]
pub struct Console {
    pub(in crate::console) client: Client,
    pub(in crate::console) access: Arc<Access>,
    pub(in crate::console) audit: Arc<Audit>,
    pub(in crate::console) zone: jiff::tz::TimeZone,
    pub(in crate::console) slow_notice: Duration,
    /// Becomes `true` when the console is told to stop.
    pub(in crate::console) stopping: tokio::sync::watch::Receiver<bool>,
    /// The shop's outbox, whose deliveries the pages show.
    pub(in crate::console) outbox: Option<Outbox>,
}

impl Console {
    /// A console reading orders with `client`, letting in whom `access`
    /// lets in, recording in `audit`; times in the system's time zone.
    pub fn new(client: Client, access: Access, audit: Audit) -> Console {
        Console {
            client,
            access: Arc::new(access),
            audit: Arc::new(audit),
            zone: jiff::tz::TimeZone::system(),
            slow_notice: SLOW_NOTICE,
            stopping: tokio::sync::watch::channel(false).1,
            outbox: None,
        }
    }

    /// Shows each order's deliveries from the shop's `outbox` next to its
    /// receipt, lets staff try one again now, and lists the undelivered.
    pub fn with_outbox(mut self, outbox: Outbox) -> Console {
        self.outbox = Some(outbox);
        self
    }

    /// Stops waiting for the API when `stopping` becomes `true`: a page
    /// under way says the console is stopping instead of being cut off.
    pub fn stops_with(mut self, stopping: tokio::sync::watch::Receiver<bool>) -> Console {
        self.stopping = stopping;
        self
    }

    /// Resolves once the console is told to stop (never, for one that is
    /// not).
    pub(in crate::console) async fn stopped(&self) {
        let mut stopping = self.stopping.clone();
        if stopping.wait_for(|stop| *stop).await.is_err() {
            // The sender is gone without a stop: never.
            std::future::pending::<()>().await;
        }
    }

    /// Shows times in `zone` (the department's).
    pub fn time_zone(mut self, zone: jiff::tz::TimeZone) -> Console {
        self.zone = zone;
        self
    }

    /// A lookup that takes longer than `after` shows a page saying so at
    /// once, and the answer when it comes.
    pub fn slow_notice(mut self, after: Duration) -> Console {
        self.slow_notice = after;
        self
    }

    /// Who may use it.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The audit trail.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }
}
