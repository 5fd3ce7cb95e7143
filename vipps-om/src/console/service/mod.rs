//! `vipps-om console` as a service: its settings, the access and the store
//! they ask for, and serving until Ctrl-C or SIGTERM within its bounds,
//! with the staff file read again on SIGHUP and when it changes, and the
//! store kept tidy (ended sign-ins, old wrong sign-ins, entries past the
//! retention) every minute.

pub(in crate::console) mod deliveries;
pub(in crate::console) mod guard;
pub(in crate::console) mod handlers;
pub(in crate::console) mod layers;
pub(in crate::console) mod origin;
pub(in crate::console) mod server;
pub(in crate::console) mod shared;
pub(in crate::console) mod sign_in;
pub(in crate::console) mod staff_file;
pub(in crate::console) mod trail;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::HeaderName;
use ipnet::IpNet;
use serde_json::json;
use vipps_order_management::Client;
use vipps_order_management_outbox::Outbox;

use crate::console::access::audit::Audit;
use crate::console::access::audit::{Copies, Target};
use crate::console::access::front_end::FrontEnds;
use crate::console::access::identity::IdentityProxy;
use crate::console::access::nets::TrustedNets;
use crate::console::access::staff::Person;
use crate::console::access::staff::StaffTokens;
use crate::console::access::store::{sqlite_file, Store};
use crate::console::access::Access;
use crate::console::app;
use crate::console::service::shared::Console;
use crate::failure::Failure;
use crate::output::{Output, Printer};

/// The store of a console started without `--database-url`: a SQLite file
/// in the working directory.
pub const DEFAULT_DATABASE: &str = "vipps-om-console.sqlite3";

/// How `vipps-om console` is started.
#[derive(Debug)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// One staff token shared by all (`--staff-token`; its holder is
    /// recorded as `shared-token`).
    pub shared_staff_token: Option<String>,
    /// The staff file: `name token [auditor]` a line.
    pub staff: Option<PathBuf>,
    /// The front ends believed about the client's address, scheme, host.
    pub front_ends: Vec<IpNet>,
    /// The sign-on proxies believed about who the person is.
    pub identity_proxies: Vec<IpNet>,
    /// Networks as wide as the internet are taken.
    pub trust_wide_networks: bool,
    /// The header the proxy names the person in.
    pub user_header: HeaderName,
    /// The header the proxy names their groups in.
    pub groups_header: HeaderName,
    /// The groups whose members may read the audit trail.
    pub auditor_groups: Vec<String>,
    /// Where staff sign out of the sign-on proxy.
    pub identity_sign_out: Option<String>,
    /// The shared store (`postgres://…`, `sqlite://…`); a SQLite file in
    /// the working directory when `None`.
    pub database_url: Option<String>,
    /// The shop's outbox, whose deliveries the order pages show.
    pub outbox_database_url: Option<String>,
    /// A JSON-lines copy of the audit trail (`-`: stdout).
    pub audit_log: Option<PathBuf>,
    /// A copy of the audit trail to the system log at this socket.
    pub audit_syslog: Option<PathBuf>,
    /// How long audit entries are kept; `None`: for good.
    pub audit_retention: Option<Duration>,
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// How long a sign-in lasts unused.
    pub session_idle: Duration,
    /// The department's time zone (IANA: `Europe/Oslo`); the system's
    /// when `None`.
    pub time_zone: Option<String>,
    /// The most connections at once.
    pub max_connections: usize,
    /// How long a connection may sit idle.
    pub idle_timeout: Duration,
}

/// Who the settings let in, checked before anything is opened: `None` for
/// a console on loopback that nobody signs in to.
struct Plan {
    staff: Option<StaffTokens>,
    shared: Option<Person>,
    front_ends: FrontEnds,
    identity: Option<IdentityProxy>,
}

/// The access `settings` ask for: nobody signs in on loopback without
/// staff or a proxy; beyond loopback one of them is needed.
fn plan(settings: &Settings) -> Result<Plan, Failure> {
    let mut staff = match &settings.staff {
        Some(path) => Some(StaffTokens::read(path).map_err(Failure::Config)?),
        None => None,
    };
    let mut shared = None;
    if let Some(token) = settings.shared_staff_token.as_deref().filter(|t| !t.is_empty()) {
        let mut one = StaffTokens::new();
        one.add("shared-token", token, false).map_err(Failure::Usage)?;
        let person = one.people()[0].clone();
        staff
            .get_or_insert_with(StaffTokens::new)
            .keep(person.clone())
            .map_err(Failure::Usage)?;
        shared = Some(person);
    }
    let wide = settings.trust_wide_networks;
    let front_ends = FrontEnds::new(TrustedNets::new(settings.front_ends.clone(), "--front-end", wide).map_err(Failure::Usage)?);
    let identity = if settings.identity_proxies.is_empty() {
        None
    } else {
        let nets = TrustedNets::new(settings.identity_proxies.clone(), "--identity-proxy", wide).map_err(Failure::Usage)?;
        Some(
            IdentityProxy::new(nets, settings.user_header.clone())
                .auditors(settings.groups_header.clone(), settings.auditor_groups.clone())
                .sign_out(settings.identity_sign_out.clone()),
        )
    };
    if staff.is_none() && identity.is_none() && !settings.listen.ip().is_loopback() {
        return Err(Failure::Usage(format!(
            "the console would listen on {}, beyond this machine, with no sign-in: name the staff with --staff FILE, or the company's sign-on proxy with --identity-proxy, and put TLS in front",
            settings.listen
        )));
    }
    if staff.as_ref().is_some_and(StaffTokens::is_empty) {
        tracing::warn!(target: "vipps_om::console", "the staff file names no one: nobody can sign in with a staff token until it does");
    }
    Ok(Plan {
        staff,
        shared,
        front_ends,
        identity,
    })
}

impl Plan {
    /// The access, its sign-ins and limits in `store`.
    fn access(self, settings: &Settings, store: &Store) -> Result<Access, Failure> {
        if self.staff.is_none() && self.identity.is_none() {
            return Ok(Access::loopback(store));
        }
        let mut builder = Access::builder()
            .front_ends(self.front_ends)
            .session_lifetime(settings.session_lifetime)
            .session_idle(settings.session_idle);
        if let Some(staff) = self.staff {
            builder = builder.staff(staff);
        }
        if let Some(proxy) = self.identity {
            builder = builder.identity_proxy(proxy);
        }
        builder.build(store).map_err(Failure::Usage)
    }
}

/// Where the audit trail is copied.
fn copies(settings: &Settings) -> Result<Copies, Failure> {
    let mut targets = Vec::new();
    match settings.audit_log.as_deref() {
        Some(path) if path.as_os_str() == "-" => targets.push(Target::Stdout),
        Some(path) => targets.push(Target::File(path.to_owned())),
        None => {}
    }
    if let Some(socket) = &settings.audit_syslog {
        targets.push(Target::Syslog(socket.clone()));
    }
    Copies::to(targets).map_err(Failure::Config)
}

/// Removes what has ended from the store, now and every minute.
fn keep_tidy(console: Console) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            let access = &console.access;
            let done = async {
                access.sessions.forget_ended().await?;
                access.throttle.forget_old().await?;
                console.audit.forget_old(jiff::Timestamp::now()).await
            };
            match done.await {
                Ok(0) => {}
                Ok(n) => tracing::info!(target: "vipps_om::console", "{n} audit entries older than the retention were removed"),
                Err(e) => tracing::error!(target: "vipps_om::console", "{e}"),
            }
        }
    });
}

/// Serves the console until Ctrl-C or SIGTERM.
pub(crate) async fn serve(client: Client, settings: Settings, printer: Printer) -> Result<(), Failure> {
    // The signals first: a stop or a SIGHUP while the store opens must
    // neither kill the process nor be lost.
    let mut stop_signal = std::pin::pin!(crate::signal::shutdown());
    let (hangup, mut hangups) = tokio::sync::mpsc::unbounded_channel::<()>();
    crate::signal::hangups(move || {
        let _ = hangup.send(());
    })
    .map_err(|e| Failure::Config(format!("SIGHUP cannot be listened for: {e}")))?;
    // Everything that can be refused is refused before the store is opened
    // (or a SQLite file made).
    let zone = match &settings.time_zone {
        Some(name) => jiff::tz::TimeZone::get(name).map_err(|e| {
            Failure::Usage(format!(
                "--time-zone {name:?} is not a time zone this console knows (such as Europe/Oslo): {e}"
            ))
        })?,
        None => jiff::tz::TimeZone::system(),
    };
    let plan = plan(&settings)?;
    let url = match &settings.database_url {
        Some(url) => url.clone(),
        None => sqlite_file(std::path::Path::new(DEFAULT_DATABASE)),
    };
    let copies = copies(&settings)?;
    let store = tokio::select! {
        store = Store::open(&url) => store.map_err(|e| Failure::Config(e.to_string()))?,
        () = &mut stop_signal => {
            tracing::info!(target: "vipps_om::console", "stopped before it had opened its database");
            return Ok(());
        }
    };
    let outbox = match &settings.outbox_database_url {
        Some(url) => Some(tokio::select! {
            outbox = Outbox::open_existing(url) => outbox.map_err(|e| Failure::Config(format!("the console cannot open the outbox: {e}")))?,
            () = &mut stop_signal => {
                tracing::info!(target: "vipps_om::console", "stopped before it had opened the outbox");
                return Ok(());
            }
        }),
        None => None,
    };
    let shared = plan.shared.clone();
    let access = plan.access(&settings, &store)?;
    let audit = Audit::new(store.clone(), copies, settings.audit_retention);
    let listen = settings.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::Config(format!("the console cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Config(format!("the console's address is unknown: {e}")))?;
    let url = format!("http://{addr}/");
    let sign_in = match (access.has_tokens(), access.identity()) {
        (false, None) => "nobody signs in: it answers this machine only",
        (true, None) => "staff sign in with their staff tokens",
        (false, Some(_)) => "staff are named by the sign-on proxy",
        (true, Some(_)) => "staff are named by the sign-on proxy, or sign in with their staff tokens",
    };
    let zone_name = zone.iana_name().unwrap_or("the system's").to_owned();
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let mut console = Console::new(client, access, audit).time_zone(zone).stops_with(stopped);
    if let Some(outbox) = &outbox {
        console = console.with_outbox(outbox.clone());
    }
    let reload = match &settings.staff {
        Some(path) => Some(staff_file::watch(console.clone(), path.clone(), shared).map_err(Failure::Config)?),
        None => None,
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match &reload {
                Some(reload) => reload.hangup(),
                None => tracing::info!(target: "vipps_om::console", "SIGHUP: there is no staff file to read again"),
            }
        }
    });
    keep_tidy(console.clone());
    let copied = console.audit.copies().describe();
    let retention = settings
        .audit_retention
        .map_or_else(|| "kept for good".to_owned(), |r| format!("kept {} days", r.as_secs() / 86_400));
    let text = format!(
        "Support console at {url}\nIt talks to {} and changes nothing there; {sign_in}.\nSign-ins and the audit trail are kept in {} ({retention}){}.{}\nTimes are shown in {zone_name}. Stop it with Ctrl-C; SIGHUP reads the staff file again.",
        console.client.base_url(),
        store.shown(),
        if copied.is_empty() { String::new() } else { format!(", copied to {copied}") },
        match &outbox {
            Some(o) => format!("\nDeliveries are read from the outbox in {}; staff may try one again now.", o.shown()),
            None => String::new(),
        },
    );
    let access = &console.access;
    let banner = Output::new(
        text,
        json!({
            "url": url,
            "apiBaseUrl": console.client.base_url().as_str(),
            "signIn": {
                "tokens": access.has_tokens(),
                "proxy": access.identity().map(|p| p.user_header().as_str()),
                "identityProxies": access.identity().map(|p| p.nets().nets().iter().map(ToString::to_string).collect::<Vec<_>>()),
                "frontEnds": access.front_ends().nets().nets().iter().map(ToString::to_string).collect::<Vec<_>>(),
                "sessionHours": access.sessions().lifetime().as_secs_f64() / 3600.0,
                "idleMinutes": access.sessions().idle().as_secs_f64() / 60.0,
            },
            "database": store.shown(),
            "outbox": outbox.as_ref().map(Outbox::shown),
            "auditCopies": console.audit.copies().targets().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "auditRetentionDays": settings.audit_retention.map(|r| r.as_secs() / 86_400),
            "timeZone": zone_name,
        }),
    );
    // When stdout carries the trail's copy, it carries nothing else.
    if console.audit.copies().targets().contains(&Target::Stdout) {
        printer.success_on(&banner, &mut std::io::stderr().lock())?;
    } else {
        printer.success(&banner)?;
    }
    // On Ctrl-C or SIGTERM: no new connections; pages waiting for the API
    // say the console is stopping; requests under way get five seconds,
    // then the rest (a client that never finishes) are dropped.
    let audit = console.audit.clone();
    let (stop_serving, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(
        listener,
        settings.max_connections,
        settings.idle_timeout,
        app(console),
        async {
            let _ = stop.await;
        },
    ));
    stop_signal.await;
    let _ = stopping.send(true);
    let _ = stop_serving.send(());
    // Requests under way get five seconds (the server's grace), then the
    // rest are closed.
    if server.await.is_err() {
        tracing::warn!(target: "vipps_om::console", "the server ended abnormally while stopping");
    }
    // The copies of the trail written whole, then the store let go.
    let _ = tokio::task::spawn_blocking(move || audit.copies().close()).await;
    store.close().await;
    if let Some(outbox) = outbox {
        outbox.close().await;
    }
    tracing::info!(target: "vipps_om::console", "stopped");
    Ok(())
}
