//! `vipps-om`: everything about an order from the command line (category,
//! receipt, images, v3 categories), and the emulator of the API as a server
//! for any stack. `vipps-om --help` lists the commands, the configuration
//! and the exit codes.
//!
//! ```text
//! cargo install --path vipps-om          # from a clone of the repository
//! vipps-om emulator                      # in one terminal
//! vipps-om --base-url http://127.0.0.1:8081 get-order ecom order-123
//! ```
//!
//! The binary's `main.rs` only calls [`run`]. Here `args` holds the command
//! line, `commands` one function per command, `files` the files commands
//! read, `outbox` the `vipps-om outbox` commands, `config` the client,
//! `output` and `failure` what is printed and the exit codes, `logging` the
//! logs, `signal` what stops a server, and [`console`] the support console.
//! Everything goes through the public API of `vipps-order-management`:
//! this crate cannot reach anything else of it.
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod args;
mod commands;
mod config;
pub mod console;
mod failure;
mod files;
mod logging;
mod outbox;
mod output;
mod signal;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::Cli;
use crate::failure::Failure;
use crate::output::Printer;

/// Runs `vipps-om` with the process's arguments and returns its exit code
/// (documented in `vipps-om --help`).
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let printer = Printer { json: cli.json };
    let log = logging::init(cli.verbose, cli.command.serves());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            printer.failure(&Failure::Usage(format!("cannot start the async runtime: {e}")));
            return ExitCode::from(5);
        }
    };
    if let Some(dropped) = log.counter() {
        runtime.spawn(logging::Log::say_drops(dropped));
    }
    let outcome = runtime.block_on(commands::run(&cli, printer)).and_then(|output| match output {
        Some(o) => printer.success(&o).map(|()| o.exit_code),
        None => Ok(0),
    });
    // Work left on the blocking pool (a state file's compaction a stop cut
    // short: the next start compacts again) does not hold the exit up.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    log.finish();
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            printer.failure(&failure);
            failure.exit_code()
        }
    }
}

/// `--help` and `--version` print and succeed; anything else is a usage
/// error (exit 2), as JSON when `--json` was asked for.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // The arguments as the OS gave them: one that is not UTF-8 is the
    // usage error being reported, not a reason to crash.
    if std::env::args_os().any(|a| a == "--json") {
        let message = e.render().to_string();
        let failure = Failure::Usage(message.trim().trim_start_matches("error: ").to_owned());
        Printer { json: true }.failure(&failure);
    } else {
        let _ = e.print();
    }
    ExitCode::from(2)
}
