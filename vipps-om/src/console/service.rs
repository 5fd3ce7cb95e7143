//! `vipps-om console` as a service: its settings, the access they ask for,
//! and serving until Ctrl-C or SIGTERM within its bounds.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::HeaderName;
use serde_json::json;
use vipps_order_management::Client;

use super::server::{self, Peer};
use super::{app, Access, Audit, Console, StaffTokens};
use crate::failure::Failure;
use crate::output::{Output, Printer};

/// How `vipps-om console` is started.
#[derive(Debug)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// One staff token shared by all (`--access-token`; its holder is
    /// recorded as `shared-token`).
    pub shared_staff_token: Option<String>,
    /// The staff file: `name token` a line.
    pub staff: Option<PathBuf>,
    /// The sign-on proxies believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header the proxy names the person in.
    pub user_header: HeaderName,
    /// The audit log's file.
    pub audit_log: PathBuf,
    /// The most connections at once.
    pub max_connections: usize,
    /// How long a connection may sit idle.
    pub idle_timeout: std::time::Duration,
}

/// The access `settings` ask for: nobody signs in on loopback without
/// staff or a proxy; beyond loopback one of them is needed.
fn access(settings: &Settings) -> Result<Access, Failure> {
    let mut staff = match &settings.staff {
        Some(path) => StaffTokens::read(path).map_err(Failure::Config)?,
        None => StaffTokens::new(),
    };
    if let Some(token) = settings.shared_staff_token.as_deref().filter(|t| !t.is_empty()) {
        staff.add("shared-token", token).map_err(Failure::Usage)?;
    }
    if staff.is_empty() && settings.trusted_proxies.is_empty() {
        if !settings.listen.ip().is_loopback() {
            return Err(Failure::Usage(format!(
                "the console would listen on {}, beyond this machine, with no sign-in: name the staff with --staff FILE (or --access-token), or the company's sign-on proxy with --trusted-proxy, and put TLS in front",
                settings.listen
            )));
        }
        return Ok(Access::loopback());
    }
    let mut builder = Access::builder().staff(staff).user_header(settings.user_header.clone());
    for net in &settings.trusted_proxies {
        builder = builder.trusted_proxy(*net);
    }
    builder.build().map_err(Failure::Usage)
}

/// Serves the console until Ctrl-C or SIGTERM.
pub(crate) async fn serve(client: Client, settings: Settings, printer: Printer) -> Result<(), Failure> {
    let access = access(&settings)?;
    let audit = Audit::open(&settings.audit_log).map_err(Failure::Config)?;
    let listen = settings.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::Config(format!("the console cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Config(format!("the console's address is unknown: {e}")))?;
    let url = format!("http://{addr}/");
    let sign_in = match (access.has_tokens(), access.proxy()) {
        (false, None) => "nobody signs in: it answers this machine only",
        (true, None) => "staff sign in with their access tokens",
        (false, Some(_)) => "staff are named by the sign-on proxy",
        (true, Some(_)) => "staff are named by the sign-on proxy, or sign in with their access tokens",
    };
    let audit_path = audit.path().display().to_string();
    let console = Console::new(client, access, audit);
    let text = format!(
        "Support console at {url}\nIt talks to {} and changes nothing; {sign_in}.\nEach lookup is recorded in {audit_path}.\nStop it with Ctrl-C.",
        console.client.base_url(),
    );
    let stop_signal = crate::signal::shutdown();
    printer.success(&Output::new(
        text,
        json!({
            "url": url,
            "apiBaseUrl": console.client.base_url().as_str(),
            "signIn": {
                "tokens": console.access.has_tokens(),
                "proxy": console.access.proxy().map(|p| p.user_header().as_str()),
            },
            "auditLog": audit_path,
        }),
    ))?;
    // On Ctrl-C or SIGTERM: no new connections, requests under way get five
    // seconds, then the rest (a client that never finishes) are dropped.
    let (stopping, stop) = tokio::sync::oneshot::channel::<()>();
    let listener = server::Bounded::new(listener, settings.max_connections, settings.idle_timeout);
    let server = axum::serve(listener, app(console).into_make_service_with_connect_info::<Peer>()).with_graceful_shutdown(async {
        let _ = stop.await;
    });
    let server = tokio::spawn(async move { server.await });
    stop_signal.await;
    let _ = stopping.send(());
    match tokio::time::timeout(std::time::Duration::from_secs(5), server).await {
        Ok(Ok(Err(e))) => return Err(Failure::Config(format!("the console stopped: {e}"))),
        Ok(_) => {}
        Err(_) => tracing::info!(target: "vipps_om::console", "connections still open after five seconds were dropped"),
    }
    tracing::info!(target: "vipps_om::console", "stopped");
    Ok(())
}
