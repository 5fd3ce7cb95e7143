//! Logs on stderr: the crate's tracing, at the level `-v` asks for or as
//! `RUST_LOG` says. The emulator server always logs its requests.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, serving_emulator: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => {
            let level = match verbose {
                0 => "off",
                1 => "debug",
                _ => "trace",
            };
            let mut directives = format!("vipps_order_management={level}");
            if serving_emulator && verbose == 0 {
                directives.push_str(",vipps_order_management::emulator=info");
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
