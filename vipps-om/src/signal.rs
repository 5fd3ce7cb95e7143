//! The signals a server command takes: Ctrl-C and SIGTERM stop it, SIGHUP
//! (on Unix) asks it to read its files again.

use std::future::Future;

/// Starts listening for Ctrl-C and (on Unix) SIGTERM at once, and returns
/// the future that resolves at the first of them. Called before a server
/// says it is ready, so that a stop sent right after the banner stops it
/// cleanly instead of killing it.
pub fn shutdown() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, Signal, SignalKind};
        // `signal` registers the handler when called, not when polled.
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async fn first(signal: std::io::Result<Signal>) {
            match signal {
                Ok(mut s) => {
                    s.recv().await;
                }
                // No handler: this one never stops the server.
                Err(_) => std::future::pending::<()>().await,
            }
        }
        async move {
            tokio::select! {
                _ = first(interrupt) => {}
                _ = first(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Starts listening for SIGHUP at once (so that one sent right after the
/// banner does not end the process, as it would with no handler) and
/// calls `on_hangup` at each. Nothing on other systems.
pub fn hangups(on_hangup: impl Fn() + Send + 'static) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                on_hangup();
            }
        });
    }
    #[cfg(not(unix))]
    let _ = on_hangup;
    Ok(())
}
