//! `vipps-om emulator` as a team's shared service: what it acknowledged
//! survives `kill -9` (and nothing is left beside the state file), a state
//! file it must not use is refused at start with a message naming it and
//! left as it was, and `--listen` serves beyond loopback with a warning and
//! a clean health check.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use vipps_order_management_emulator as emulator;

/// A folder of this test's own.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vipps-om-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn emulator_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vipps-om"));
    cmd.env_remove("VIPPS_EMULATOR_ADMIN_TOKEN")
        .arg("--json")
        .arg("emulator")
        .args(args);
    cmd
}

/// A running emulator: the process and its banner.
struct Running {
    child: Child,
    banner: Value,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = emulator_command(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let banner = common::read_banner(&mut child);
        Running { child, banner }
    }

    fn base(&self) -> String {
        self.banner["baseUrl"].as_str().unwrap().to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `vipps-om emulator` expecting it to refuse to start.
fn refused(args: &[&str]) -> Output {
    let out = emulator_command(args).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "it started");
    out
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

const RECEIPT: &str = r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_acknowledged_survives_kill_9_and_nothing_is_left_beside_the_file() {
    let dir = folder("kill");
    let state = dir.join("state.jsonl");
    let server = Running::start(&["--port", "0", "--state", state.to_str().unwrap()]);
    let base = server.base();
    let http = common::http();
    let token = fetch_token(&http, &base).await;
    // Eight writers post receipts until the emulator is killed under them.
    let mut writers = Vec::new();
    for w in 0..8 {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..10_000 {
                let order = format!("w{w}-{i}");
                let sent = post(&http, &base, &token, &order).await;
                match sent {
                    Some(201) => acknowledged.push(order),
                    Some(status) => panic!("{order}: {status}"),
                    None => break,
                }
            }
            acknowledged
        }));
    }
    // Kill it once writes are flowing.
    common::without_hanging("writes flowing", async {
        while std::fs::metadata(&state).map(|m| m.len()).unwrap_or(0) < 50_000 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    drop(server);
    assert!(acknowledged.len() > 10, "only {} writes before the kill", acknowledged.len());
    assert_eq!(listing(&dir), vec!["state.jsonl"], "no temporary file, no lock file");
    // Every acknowledged receipt is there after a restart.
    let server = Running::start(&["--port", "0", "--state", state.to_str().unwrap()]);
    let base = server.base();
    let token = fetch_token(&http, &base).await;
    for order in &acknowledged {
        let answer = http
            .get(format!("{base}/order-management/v2/ECOM/{order}"))
            .bearer_auth(&token)
            .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
            .header("Merchant-Serial-Number", emulator::MSN)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 200, "{order} was acknowledged and lost");
    }
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn fetch_token(http: &reqwest::Client, base: &str) -> String {
    let answer: Value = http
        .post(format!("{base}/accesstoken/get"))
        .header("client_id", emulator::CLIENT_ID)
        .header("client_secret", emulator::CLIENT_SECRET)
        .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// A receipt POST: its status, or `None` when no answer came (killed).
async fn post(http: &reqwest::Client, base: &str, token: &str, order: &str) -> Option<u16> {
    http.post(format!("{base}/order-management/v2/ECOM/receipts/{order}"))
        .bearer_auth(token)
        .header("Ocp-Apim-Subscription-Key", emulator::SUBSCRIPTION_KEY)
        .header("Merchant-Serial-Number", emulator::MSN)
        .header("Content-Type", "application/json")
        .body(RECEIPT)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

#[test]
fn a_state_file_it_must_not_use_is_refused_at_start_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder("refuse");
    // Another program's JSON, with a `version` of its own.
    let foreign = dir.join("package.json");
    std::fs::write(&foreign, "{\"name\": \"shop\", \"version\": \"1.0.0\"}\n").unwrap();
    let out = refused(&["--port", "0", "--state", foreign.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(foreign.to_str().unwrap()) && message.contains("not an emulator state"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&foreign).unwrap(),
        "{\"name\": \"shop\", \"version\": \"1.0.0\"}\n"
    );
    // A read-only state file (refused even for root, who could write it).
    let read_only = dir.join("read-only.jsonl");
    std::fs::write(&read_only, "").unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = refused(&["--port", "0", "--state", read_only.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    assert_eq!(std::fs::read(&read_only).unwrap(), b"");
    // A file in use, through a hard link or a symlink.
    let used = dir.join("used.jsonl");
    let server = Running::start(&["--port", "0", "--state", used.to_str().unwrap()]);
    let hard = dir.join("hard.jsonl");
    std::fs::hard_link(&used, &hard).unwrap();
    let soft = dir.join("soft.jsonl");
    std::os::unix::fs::symlink(&used, &soft).unwrap();
    for other in [&hard, &soft, &used] {
        let out = refused(&["--port", "0", "--state", other.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("in use by another emulator") && stderr.contains(other.to_str().unwrap()),
            "{stderr}"
        );
    }
    // An address in use: no state file is created for an emulator that
    // cannot listen.
    let busy = server.banner["listen"].as_str().unwrap().to_owned();
    let never = dir.join("never.jsonl");
    let out = refused(&["--listen", &busy, "--state", never.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen"), "{out:?}");
    // A link to nothing is named as one.
    let dangling = dir.join("dangling.jsonl");
    std::os::unix::fs::symlink(dir.join("gone.jsonl"), &dangling).unwrap();
    let out = refused(&["--port", "0", "--state", dangling.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"), "{out:?}");
    // An empty admin token (an unset variable in a compose file) is said.
    let out = refused(&["--port", "0", "--admin-token", ""]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("admin token"), "{out:?}");
    drop(server);
    assert_eq!(
        listing(&dir),
        vec![
            "dangling.jsonl",
            "hard.jsonl",
            "package.json",
            "read-only.jsonl",
            "soft.jsonl",
            "used.jsonl"
        ],
        "nothing was left beside them (no lock files, no state file of an emulator that could not listen)"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_serves_beyond_loopback_with_a_warning_and_a_clean_health_check() {
    let server = Running::start(&["--listen", "0.0.0.0:0"]);
    let warning = server.banner["warning"].as_str().unwrap();
    assert!(warning.contains("beyond this machine") && warning.contains("public"), "{warning}");
    assert!(server.banner["listen"].as_str().unwrap().starts_with("0.0.0.0:"));
    let health: Value = common::http()
        .get(format!("{}/_emulator/health", server.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let out = refused(&["--port", "0", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "--port and --listen are one or the other");
}

/// A server whose stderr nobody reads (a pipe nobody drains, a paused
/// terminal) keeps answering: past the lines it holds, log lines are
/// dropped and counted, and the count is said once stderr is read again;
/// it stops on SIGTERM at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_nobody_reads_never_stops_the_emulator() {
    use std::io::Read as _;
    let mut child = emulator_command(&["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let banner = common::read_banner(&mut child);
    let health = format!("{}/_emulator/health", banner["baseUrl"].as_str().unwrap().trim_end_matches('/'));
    let http = common::http();
    // A line a request: past the pipe's 64 KiB (about 600 lines) the old
    // emulator hung; past the 10,000 lines held, lines are dropped.
    common::without_hanging("12,000 requests with stderr unread", async {
        for _ in 0..12_000 {
            let answer = http.get(&health).send().await.unwrap();
            assert_eq!(answer.status(), 200);
        }
    })
    .await;
    // Read again: the lines held come out, then the count of those dropped
    // (said every ten seconds while it grows).
    let mut stderr = child.stderr.take().unwrap();
    let log = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 65536];
        loop {
            let n = stderr.read(&mut chunk).unwrap();
            assert!(n > 0, "the log ended before saying what it dropped");
            seen.extend_from_slice(&chunk[..n]);
            if String::from_utf8_lossy(&seen).contains("were dropped: stderr was not read") {
                return (String::from_utf8_lossy(&seen).into_owned(), stderr);
            }
        }
    });
    let (log, _stderr) = common::without_hanging("the count of dropped lines", log).await.unwrap();
    assert!(
        log.matches("GET /_emulator/health -> 200").count() >= 9_000,
        "the lines held were kept"
    );
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = common::without_hanging("the emulator after SIGTERM", tokio::task::spawn_blocking(move || child.wait()))
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}
