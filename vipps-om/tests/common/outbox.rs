//! `vipps-om outbox` as a process: the command with the emulator's
//! credentials and an outbox, and its worker.

use std::process::{Child, Command, Stdio};

use vipps_order_management_emulator as emulator;

/// `vipps-om` with the emulator's credentials at `base` and the outbox at
/// `database`, nothing else from this process's environment.
pub fn vipps_om(base: &str, database: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vipps-om"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VIPPS_BASE_URL", base)
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .env("DATABASE_URL", database);
    cmd
}

/// Starts `vipps-om outbox work` with `extra` and waits for its banner.
pub fn worker(base: &str, database: &str, extra: &[&str]) -> Child {
    let mut child = vipps_om(base, database)
        .args(["--json", "outbox", "work", "--poll-ms", "20"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let banner = super::read_banner(&mut child);
    assert!(banner["worker"].as_str().is_some(), "{banner}");
    child
}

/// Sends SIGTERM.
pub fn sigterm(child: &Child) {
    let done = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(done.success());
}
