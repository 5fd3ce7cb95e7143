//! Logs on stderr: the crate's tracing, at the level `-v` asks for or as
//! `RUST_LOG` says. The servers (emulator, console) always log their
//! requests, one line each.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, server: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => {
            let level = match verbose {
                0 => "off",
                1 => "debug",
                _ => "trace",
            };
            let mut directives = format!("vipps_order_management={level}");
            if server {
                directives.push_str(",vipps_order_management::emulator=info,vipps_om::console=info");
            }
            EnvFilter::new(directives)
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
