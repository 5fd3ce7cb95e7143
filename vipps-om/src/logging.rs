//! Logs on stderr: the crate's tracing, at the level `-v` asks for or as
//! `RUST_LOG` says. The servers (emulator, console) always log their
//! requests, one line each.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, server: bool) {
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
                directives.push_str(",vipps_order_management_emulator=info,vipps_om::console=info");
            }
            EnvFilter::new(directives)
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        // A log that cannot be written (a full disk, a closed pipe) must
        // not stop a server: tracing-subscriber would report it with
        // `eprintln!`, which panics when stderr fails, in the request.
        .log_internal_errors(false)
        .try_init();
}
