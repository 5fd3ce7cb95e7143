//! Logs on stderr: the crate's tracing, at the level `-v` asks for or as
//! `RUST_LOG` says. The servers (emulator, console) always log their
//! requests, one line each, and never wait on their log: a thread of its
//! own writes it, and when nobody reads stderr (a pipe nobody drains, a
//! paused terminal, a stalled log shipper) lines past a bound are dropped
//! and counted, and the count is said in the log once it moves again.

use std::time::Duration;

use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Lines a server's log holds while stderr is not read (about a megabyte).
const HELD_LINES: usize = 10_000;
/// How often a server says how many lines it dropped, when it dropped any.
const DROPS_SAID_EVERY: Duration = Duration::from_secs(10);

/// The log of this process; for a server, its writer's thread and what it
/// dropped.
pub struct Log {
    writer: Option<(WorkerGuard, ErrorCounter)>,
}

impl Log {
    /// Says in the log, every ten seconds, how many lines were dropped
    /// since it last said so (a server's task; it never ends).
    pub async fn say_drops(dropped: ErrorCounter) {
        let mut said = 0;
        loop {
            tokio::time::sleep(DROPS_SAID_EVERY).await;
            let now = dropped.dropped_lines();
            if now > said {
                tracing::warn!(target: "vipps_om::logging", "{} log line(s) were dropped: stderr was not read fast enough", now - said);
                said = now;
            }
        }
    }

    /// The counter a server's task watches.
    pub fn counter(&self) -> Option<ErrorCounter> {
        self.writer.as_ref().map(|(_, dropped)| dropped.clone())
    }

    /// At exit: the lines held are written out (for up to a second), unless
    /// stderr has stopped taking them, when the process does not wait.
    pub fn finish(self) {
        if let Some((guard, dropped)) = self.writer {
            if dropped.dropped_lines() > 0 {
                std::mem::forget(guard);
            } else {
                drop(guard);
            }
        }
    }
}

pub fn init(verbose: u8, server: bool) -> Log {
    // RUST_LOG decides when it is set and valid; an invalid one is ignored
    // (EnvFilter would print its complaints next to the command's output).
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|d| !d.trim().is_empty())
        .and_then(|d| EnvFilter::try_new(d).ok());
    let filter = match from_env {
        Some(filter) => filter,
        None => {
            let level = match verbose {
                0 => "off",
                1 => "debug",
                _ => "trace",
            };
            let mut directives = format!("vipps_order_management={level}");
            if server {
                directives.push_str(",vipps_order_management_emulator=info,vipps_order_management_outbox=info,vipps_om::console=info,vipps_om::outbox=info,vipps_om::logging=info");
            }
            EnvFilter::new(directives)
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        // A log that cannot be written (a full disk, a closed pipe) must
        // not stop a server: tracing-subscriber would report it with
        // `eprintln!`, which panics when stderr fails, in the request.
        .log_internal_errors(false);
    if !server {
        let _ = builder.with_writer(std::io::stderr).try_init();
        return Log { writer: None };
    }
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(HELD_LINES)
        .thread_name("vipps-om-log")
        .finish(std::io::stderr());
    let dropped = writer.error_counter();
    let _ = builder.with_writer(writer).try_init();
    Log {
        writer: Some((guard, dropped)),
    }
}
