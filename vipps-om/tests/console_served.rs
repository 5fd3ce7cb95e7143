//! `vipps-om console` as a process: what only a process has. Its
//! refusals at start (beyond loopback without sign-in, a short token, a
//! staff file's bad line, an audit log it cannot write); over TCP, a flood
//! of wrong tokens from 127.0.0.2 while 127.0.0.1 signs in, the log line
//! naming the flooding client; a sign-on proxy believed by its address; a
//! lookup that cannot be recorded is not shown; its connections bounded
//! and idle ones closed, a request being answered never cut, a request
//! timed from its first byte; stopping on SIGTERM despite a client that never
//! finishes.

mod common;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use common::console::{audit_entries, audit_path, seed_1042};
use common::without_hanging;
use vipps_om::console::FAILURES_ALLOWED;
use vipps_order_management::emulator::{self, Emulator};

const KARI: &str = "kari-7f3a-9kq2-token-x1";

/// A running `vipps-om console`; killed when dropped.
struct Served {
    child: Child,
    url: String,
    log: PathBuf,
    audit: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts it against `base`, with `extra` arguments, through `shell`
    /// (a `sh -c` prefix such as `ulimit -f 1;`) when given.
    fn start(base: &str, extra: &[&str], shell: Option<&str>) -> Served {
        let audit = audit_path();
        let log = audit.with_extension("log");
        let mut args: Vec<String> = ["--json", "--base-url", base, "console", "--listen", "127.0.0.1:0", "--audit-log"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(audit.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        let bin = env!("CARGO_BIN_EXE_vipps-om");
        let mut command = match shell {
            Some(prefix) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("{prefix} exec \"$0\" \"$@\"")).arg(bin).args(&args);
                c
            }
            None => {
                let mut c = Command::new(bin);
                c.args(&args);
                c
            }
        };
        let mut child = command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
            .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
            .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
            .env("VIPPS_MSN", emulator::MSN)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let banner = common::read_banner(&mut child);
        Served {
            child,
            url: banner["url"].as_str().unwrap().trim_end_matches('/').to_owned(),
            log,
            audit,
        }
    }

    fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }
}

/// An HTTP client that comes from `ip` and follows no redirect.
fn client_from(ip: &str) -> reqwest::Client {
    common::pick_crypto_provider();
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn staff_file() -> PathBuf {
    let path = audit_path().with_extension("staff");
    std::fs::write(&path, format!("# the shop's customer service\nkari@butikk.example {KARI}\n")).unwrap();
    path
}

fn refused(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", "x")
        .env("VIPPS_CLIENT_SECRET", "y")
        .env("VIPPS_SUBSCRIPTION_KEY", "z")
        .env("VIPPS_MSN", "123456")
        .arg("console")
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// It refuses, before it listens, what would leave it open or unrecorded.
#[test]
fn unsafe_settings_are_refused_at_start() {
    let audit = audit_path();
    let audit = audit.to_str().unwrap();
    let (code, err) = refused(&["--listen", "0.0.0.0:0", "--audit-log", audit]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--staff") && err.contains("--trusted-proxy"), "{err}");
    let (code, err) = refused(&["--access-token", "short", "--audit-log", audit]);
    assert_eq!(code, Some(2));
    assert!(err.contains("at least 16"), "{err}");
    let bad = audit_path().with_extension("staff");
    std::fs::write(&bad, "kari kari-7f3a-9kq2-token-x1\nola ola-short\n").unwrap();
    let (code, err) = refused(&["--staff", bad.to_str().unwrap(), "--audit-log", audit]);
    assert_ne!(code, Some(0));
    assert!(err.contains("line 2") && !err.contains("ola-short"), "{err}");
    let dir = std::env::temp_dir();
    let (code, err) = refused(&["--audit-log", dir.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("audit log"), "{err}");
    let (code, err) = refused(&["--trusted-proxy", "proxy.local", "--audit-log", audit]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not an address"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_leaves_the_others_signing_in_and_the_log_names_it() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let staff = staff_file();
    let served = Served::start(&emu.base_url(), &["--staff", staff.to_str().unwrap()], None);
    let login = format!("{}/login", served.url);
    let origin = served.url.clone();
    let post = |client: &reqwest::Client, token: &str| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .append_pair("next", "/orders/ecom/order-1042")
            .finish();
        client
            .post(&login)
            .header("origin", &origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let flood = client_from("127.0.0.2");
    for _ in 0..FAILURES_ALLOWED {
        assert_eq!(post(&flood, "guess-guess-guess-1").await.unwrap().status(), 401);
    }
    let limited = post(&flood, "guess-guess-guess-1").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // 127.0.0.1 signs in meanwhile, and lands on the order it asked for.
    let staff_client = client_from("127.0.0.1");
    let signed = post(&staff_client, KARI).await.unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/orders/ecom/order-1042");
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = staff_client
        .get(format!("{}/orders/ecom/order-1042", served.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert!(log.contains("wrong access token from client 127.0.0.2"), "{log}");
    assert!(log.contains("client 127.0.0.2 failed too often"), "{log}");
    assert!(!log.contains("guess-guess") && !log.contains(KARI), "no token in the log");
    let audit = audit_entries(&served.audit);
    assert!(audit
        .iter()
        .any(|e| e["event"] == "lookup" && e["who"] == "kari@butikk.example" && e["client"] == "127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_on_proxy_is_believed_by_its_address_only() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let served = Served::start(
        &emu.base_url(),
        &["--trusted-proxy", "127.0.0.1", "--user-header", "X-Auth-Request-Email"],
        None,
    );
    let ask = |ip: &str| {
        client_from(ip)
            .get(format!("{}/orders/ecom/order-1042", served.url))
            .header("x-auth-request-email", "kari@butikk.example")
            .send()
    };
    assert_eq!(ask("127.0.0.1").await.unwrap().status(), 200);
    assert_eq!(ask("127.0.0.2").await.unwrap().status(), 401);
    let audit = audit_entries(&served.audit);
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["who"], "kari@butikk.example");
}

/// A lookup that cannot be recorded is not shown: the audit log's file
/// may grow no further (`ulimit -f`), and the page says so.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_that_cannot_be_recorded_is_not_shown() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    // Files of at most one 512-byte block; SIGXFSZ ignored, so a write
    // past it fails instead of killing the process.
    let served = Served::start(&emu.base_url(), &[], Some("trap '' XFSZ; ulimit -f 1;"));
    // Its log is one of the files that can grow no further: a log that
    // cannot be written does not stop the console.
    let client = client_from("127.0.0.1");
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let page = client
            .get(format!("{}/orders/ecom/order-1042", served.url))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        let status = page.status().as_u16();
        let body = page.text().await.unwrap();
        if status != 200 {
            assert!(
                body.contains("The lookup could not be recorded") && !body.contains("Ullsokker"),
                "{body}"
            );
        }
        statuses.push(status);
    }
    assert_eq!(statuses[0], 200, "the first lookups fit");
    assert_eq!(*statuses.last().unwrap(), 503, "{statuses:?}");
    let recorded = audit_entries(&served.audit).len();
    assert_eq!(
        recorded,
        statuses.iter().filter(|s| **s == 200).count(),
        "each page shown was recorded first"
    );
    // Whole lines only: the one that did not fit was taken back.
    let text = std::fs::read_to_string(&served.audit).unwrap();
    assert!(text.ends_with('\n'), "{text}");
}

/// An audit log moved away (log rotation) is followed by a new file at
/// its path, said once in the console's log; a log left in place is
/// written on, never reopened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_audit_log_is_followed_by_a_new_file_and_said_once() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let served = Served::start(&emu.base_url(), &[], None);
    let client = client_from("127.0.0.1");
    let look = || async {
        let page = client.get(format!("{}/orders/ecom/order-1042", served.url)).send().await.unwrap();
        assert_eq!(page.status(), 200);
    };
    look().await;
    look().await;
    let rotated = served.audit.with_extension("jsonl.1");
    std::fs::rename(&served.audit, &rotated).unwrap();
    look().await;
    look().await;
    assert_eq!(audit_entries(&rotated).len(), 2);
    assert_eq!(audit_entries(&served.audit).len(), 2);
    // Each entry is recorded before its page is sent, and so is this line.
    let log = std::fs::read_to_string(&served.log).unwrap();
    assert_eq!(log.matches("was moved or deleted").count(), 1, "{log}");
}

/// At most N connections: past them a client waits for a free slot (it is
/// not answered while the slots are held), and is served once one frees.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_maximum_connections_a_client_waits_for_a_free_slot() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "60"], None);
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(served.addr()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
        held.push(s);
    }
    let url = format!("{}/", served.url);
    let mut third = tokio::spawn(async move { client_from("127.0.0.1").get(url).send().await });
    // Not answered while both slots are held (a window with no answer, not
    // a timing target)...
    if let Ok(answered) = tokio::time::timeout(std::time::Duration::from_millis(300), &mut third).await {
        panic!("answered past the maximum of 2 connections: {answered:?}");
    }
    // ...and answered once one lets go.
    drop(held.pop());
    let page = without_hanging("the waiting request", third).await.unwrap().unwrap();
    assert_eq!(page.status(), 200);
}

/// Idle connections (a client that sent half its headers) are closed
/// without an answer, and the next client is served then.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_and_the_next_client_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "1"], None);
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(served.addr()).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
        stalled.push(s);
    }
    // The third is served once an idle one is closed.
    let page = without_hanging(
        "a request while the slots were held",
        client_from("127.0.0.1").get(format!("{}/", served.url)).send(),
    )
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
    for mut s in stalled {
        let mut rest = Vec::new();
        // The connection ends (closed, or reset): read_to_end returns
        // either way; a hang fails the guard.
        let _ended = without_hanging("an idle connection's end", s.read_to_end(&mut rest)).await;
        assert!(
            !String::from_utf8_lossy(&rest).contains("200 OK"),
            "an unfinished request is never answered"
        );
    }
}

/// A client that keeps every slot by trickling its headers, a byte at a
/// time, always just inside the idle timeout: each connection is closed
/// when its request has not arrived whole in time, and others are served.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_cannot_hold_the_slots() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "2"], None);
    let mut trickles = Vec::new();
    for _ in 0..2 {
        let addr = served.addr();
        trickles.push(tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
            // One byte every half second: never idle for the 2 s timeout.
            // The behaviour under test, not a wait for something.
            let mut sent = 0;
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                if s.write_all(b"X").await.is_err() {
                    return sent;
                }
                sent += 1;
            }
        }));
    }
    for t in trickles {
        // The task ends only when the console closes the connection (a
        // write fails); a console that let it trickle on fails the guard.
        let _sent = without_hanging("a trickling connection's end", t).await.unwrap();
    }
    let page = without_hanging(
        "a request after the trickles",
        client_from("127.0.0.1").get(format!("{}/", served.url)).send(),
    )
    .await
    .unwrap();
    assert_eq!(page.status(), 200);
}

/// Reads one HTTP/1.1 answer with a Content-Length from `stream`: its
/// head and body.
#[cfg(unix)]
async fn one_answer(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed before the answer was whole: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&seen).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("a Content-Length");
            if body.len() >= length {
                return text;
            }
        }
    }
}

/// A request waiting on a slow API is answered, however long past the
/// idle timeout it waits; once answered, the connection kept alive is
/// closed when it then sends nothing for the idle timeout.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_being_answered_is_never_cut_and_the_connection_idles_out_after() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use vipps_order_management::emulator::Fault;
    use vipps_order_management::Operation;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    emu.inject(Fault::stall(Duration::from_millis(2500)).only(Operation::GetOrder));
    let served = Served::start(&emu.base_url(), &["--idle-timeout", "1"], None);
    let mut s = tokio::net::TcpStream::connect(served.addr()).await.unwrap();
    let request = format!("GET /orders/ecom/order-1042 HTTP/1.1\r\nHost: {}\r\n\r\n", served.addr());
    s.write_all(request.as_bytes()).await.unwrap();
    let answer = without_hanging("the slow lookup", one_answer(&mut s)).await;
    let answered = std::time::Instant::now();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("order-1042"));
    let head = answer.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
    assert!(!head.contains("connection: close"), "kept alive: {head}");
    // Kept alive, then idle: closed by the console (a hang fails the
    // guard), not at once but once idle (a lower bound: safe on a busy
    // machine).
    let mut rest = Vec::new();
    let _ended = without_hanging("the idle connection's end", s.read_to_end(&mut rest)).await;
    assert!(rest.is_empty(), "nothing more was sent: {}", String::from_utf8_lossy(&rest));
    assert!(
        answered.elapsed() >= Duration::from_millis(500),
        "closed after {:?}",
        answered.elapsed()
    );
}

/// A client slow to start, and then slow with its request, is served when
/// each wait is within the idle timeout and the request within its time:
/// the time runs from its first byte, not from the connection.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_timed_from_its_first_byte() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &["--idle-timeout", "5"], None);
    let mut s = tokio::net::TcpStream::connect(served.addr()).await.unwrap();
    // Three seconds of nothing, the first line, three more, the rest (each
    // wait 2 s inside the limit; the whole past it): the client's pace is
    // the behaviour under test, not a wait for something.
    tokio::time::sleep(Duration::from_secs(3)).await;
    s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rest = format!("Host: {}\r\nConnection: close\r\n\r\n", served.addr());
    s.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = without_hanging("the answer", s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

/// A client that never finishes its request does not keep the console
/// from stopping.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_stops_on_sigterm_despite_a_client_that_never_finishes() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let c = Served::start(&emu.base_url(), &[], None);
    let mut half = tokio::net::TcpStream::connect(c.addr()).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let _ = Command::new("kill").args(["-TERM", &c.child.id().to_string()]).status();
    let mut c = c;
    let exited = tokio::task::spawn_blocking(move || {
        let status = c.child.wait().unwrap();
        (status, c)
    });
    let status = without_hanging("the console after SIGTERM", exited).await.unwrap().0;
    assert!(status.success(), "{status:?}");
    drop(half);
}
