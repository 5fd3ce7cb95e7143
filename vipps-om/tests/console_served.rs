//! `vipps-om console` as a process: what only a process has. Its
//! refusals at start (beyond loopback without sign-in, a short token, a
//! staff file's bad line, a copy of the trail it cannot write, the old
//! `--trusted-proxy`, a network as wide as the internet); over TCP through
//! a front end, a flood of wrong tokens from the office's address while a
//! colleague at that address signs in, the log naming the client; a
//! sign-on proxy believed by its address; a lookup that cannot be recorded
//! is not shown; a slow lookup's page saying so at once; the staff file
//! read again when it changes and on SIGHUP, and whoever left signed out
//! at once; a copy of the trail that follows log rotation; its
//! connections bounded and idle ones closed, a request being answered
//! never cut, a request timed from its first byte; stopping on SIGTERM
//! despite a client that never finishes.

mod common;

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command};

use common::console::{replace_file, seed_1042, session_cookie, spawn, temp_path, trail};
use common::{until, without_hanging};
use vipps_om::console::{sqlite_file, Store, FAILURES_ALLOWED};
use vipps_order_management_emulator::Emulator;

const KARI: &str = "kari-7f3a9kq2x1-LmN4pQ8rS2tV6wY0";
const OLA: &str = "ola-2b8c4m1zY2-HjK5nP9qR3sU7vX1zz";
const GUESS: &str = "guess-guess-guess-guess-guess-guess-0";

/// A running `vipps-om console`; killed when dropped.
struct Served {
    child: Child,
    url: String,
    log: PathBuf,
    database: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts it against `base`, with `extra` arguments (its store a SQLite
    /// file of its own unless they name one).
    fn start(base: &str, extra: &[&str]) -> Served {
        let log = temp_path("console", "log");
        let mut args: Vec<String> = ["--json", "--base-url", base, "console", "--listen", "127.0.0.1:0"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let database = match extra.iter().position(|a| *a == "--database-url") {
            Some(at) => extra[at + 1].to_owned(),
            None => {
                let url = sqlite_file(&temp_path("console", "sqlite3"));
                args.extend(["--database-url".to_owned(), url.clone()]);
                url
            }
        };
        args.extend(extra.iter().map(|s| s.to_string()));
        let (child, url) = spawn(&args, std::fs::File::create(&log).unwrap().into());
        Served { child, url, log, database }
    }

    fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_owned()
    }

    /// The console's own log so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The audit trail in its store.
    async fn trail(&self) -> Vec<serde_json::Value> {
        let store = Store::open(&self.database).await.unwrap();
        let entries = trail(&store).await;
        store.close().await;
        entries
    }

    /// Sends the console a signal (`HUP`, `TERM`).
    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
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

fn staff_file(text: &str) -> PathBuf {
    let path = temp_path("staff", "txt");
    std::fs::write(&path, text).unwrap();
    path
}

fn refused(args: &[&str]) -> (Option<i32>, String) {
    let mut database = vec!["--database-url".to_owned(), sqlite_file(&temp_path("refused", "sqlite3"))];
    if args.contains(&"--database-url") {
        database.clear();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", "x")
        .env("VIPPS_CLIENT_SECRET", "y")
        .env("VIPPS_SUBSCRIPTION_KEY", "z")
        .env("VIPPS_MSN", "123456")
        .arg("console")
        .args(&database)
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// It refuses, before it listens, what would leave it open, trusting the
/// internet, or unrecorded.
#[test]
fn unsafe_settings_are_refused_at_start() {
    let (code, err) = refused(&["--listen", "0.0.0.0:0"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--staff") && err.contains("--identity-proxy"), "{err}");
    let (code, err) = refused(&["--staff-token", "short-but-not-32-characters"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("at least 32") && err.contains("vipps-om staff-token"), "{err}");
    let bad = staff_file(&format!("kari {KARI}\nola ola-short\n"));
    let (code, err) = refused(&["--staff", bad.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("line 2") && !err.contains("ola-short"), "{err}");
    let dir = std::env::temp_dir();
    let (code, err) = refused(&["--audit-log", dir.to_str().unwrap()]);
    assert_ne!(code, Some(0));
    assert!(err.contains("audit log"), "{err}");
    let (code, err) = refused(&["--front-end", "proxy.local"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not an address"), "{err}");
    // The flag that mixed two trusts is gone, and says what replaces it.
    let (code, err) = refused(&["--trusted-proxy", "10.0.0.1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--front-end") && err.contains("--identity-proxy"), "{err}");
    // The staff token's old name: refused, naming the new one.
    let (code, err) = refused(&["--access-token", "a-token-that-is-long-enough-0123456789"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--access-token is renamed") && err.contains("--staff-token"), "{err}");
    // The internet as a front end or a sign-on proxy: refused unless forced.
    let staff = staff_file(&format!("kari {KARI}\n"));
    for (flag, net) in [
        ("--front-end", "0.0.0.0/0"),
        ("--identity-proxy", "::/0"),
        ("--front-end", "203.0.0.0/8"),
    ] {
        let (code, err) = refused(&["--staff", staff.to_str().unwrap(), flag, net]);
        assert_eq!(code, Some(2), "{flag} {net}");
        assert!(err.contains(net) && err.contains("--trust-wide-networks"), "{err}");
    }
    let (code, err) = refused(&["--database-url", "mysql://db.example/console"]);
    assert_ne!(code, Some(0));
    assert!(err.contains("neither Postgres"), "{err}");
    let (code, err) = refused(&["--time-zone", "Europe/Atlantis"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Europe/Atlantis"), "{err}");
}

/// The office behind a TLS front end (127.0.0.2 here), one NAT address: a
/// script floods wrong tokens; a colleague at the same address signs in
/// and looks the order up; the console's log names the office's address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_through_a_front_end_leaves_a_right_token_signing_in_and_the_log_names_the_client() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let staff = staff_file(&format!("# the shop's customer service\nkari@butikk.example {KARI}\n"));
    let served = Served::start(&emu.base_url(), &["--staff", staff.to_str().unwrap(), "--front-end", "127.0.0.2"]);
    let login = format!("{}/login", served.url);
    let origin = served.url.clone();
    let front_end = client_from("127.0.0.2");
    let post = |token: &str| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .append_pair("next", "/orders/ecom/order-1042")
            .finish();
        front_end
            .post(&login)
            .header("origin", &origin)
            .header("x-forwarded-for", "203.0.113.50")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for _ in 0..FAILURES_ALLOWED {
        assert_eq!(post(GUESS).await.unwrap().status(), 401);
    }
    let limited = post(GUESS).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // The colleague, the same address, meanwhile: in, and on the order.
    let signed = post(KARI).await.unwrap();
    assert_eq!(signed.status(), 303);
    assert_eq!(signed.headers()["location"], "/orders/ecom/order-1042");
    let cookie = session_cookie(&signed);
    let page = front_end
        .get(format!("{}/orders/ecom/order-1042", served.url))
        .header("cookie", &cookie)
        .header("x-forwarded-for", "203.0.113.50")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    // The log is written by a thread of its own: waited for.
    until("the wrong tokens said", || {
        let log = served.log();
        log.contains("wrong access token from client 203.0.113.50") && log.contains("right tokens still sign in")
    })
    .await;
    let log = served.log();
    assert!(log.contains("wrong access token from client 203.0.113.50"), "{log}");
    assert!(
        log.contains("past the limit") && log.contains("right tokens still sign in"),
        "{log}"
    );
    assert!(!log.contains("guess-guess") && !log.contains(KARI), "no token in the log");
    let trail = served.trail().await;
    assert!(trail
        .iter()
        .any(|e| e["event"] == "lookup" && e["who"] == "kari@butikk.example" && e["client"] == "203.0.113.50"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_on_proxy_is_believed_by_its_address_only() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let served = Served::start(
        &emu.base_url(),
        &["--identity-proxy", "127.0.0.1", "--user-header", "X-Auth-Request-Email"],
    );
    let ask = |ip: &str| {
        client_from(ip)
            .get(format!("{}/orders/ecom/order-1042", served.url))
            .header("x-auth-request-email", "kari@butikk.example")
            .send()
    };
    assert_eq!(ask("127.0.0.1").await.unwrap().status(), 200);
    assert_eq!(ask("127.0.0.2").await.unwrap().status(), 401);
    let trail = served.trail().await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["who"], "kari@butikk.example");
    until("the ignored header said", || {
        served
            .log()
            .contains("ignored the x-auth-request-email header of a request from 127.0.0.2")
    })
    .await;
}

/// A lookup that cannot be recorded is not shown: the store refuses the
/// entry (a trigger stands in for a full disk or a revoked grant), the
/// page says so; once it takes entries again, pages are shown again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_that_cannot_be_recorded_is_not_shown() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let served = Served::start(&emu.base_url(), &[]);
    let client = client_from("127.0.0.1");
    let look = || async {
        let page = client
            .get(format!("{}/orders/ecom/order-1042", served.url))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        (page.status().as_u16(), page.text().await.unwrap())
    };
    assert_eq!(look().await.0, 200);
    let db = sqlx::sqlite::SqlitePool::connect(&served.database).await.unwrap();
    sqlx::query("CREATE TRIGGER full BEFORE INSERT ON vipps_om_console_audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        .execute(&db)
        .await
        .unwrap();
    let (status, body) = look().await;
    assert_eq!(status, 503);
    assert!(
        body.contains("The lookup could not be recorded") && !body.contains("Ullsokker"),
        "{body}"
    );
    until("the failure said", || served.log().contains("database or disk is full")).await;
    sqlx::query("DROP TRIGGER full").execute(&db).await.unwrap();
    db.close().await;
    assert_eq!(look().await.0, 200);
    let lookups = served.trail().await.into_iter().filter(|e| e["event"] == "lookup").count();
    assert_eq!(lookups, 2, "each page shown was recorded first, and only those");
}

/// A lookup slower than three seconds: the page says so at once, and the
/// order follows on the same page when the answer comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_lookup_says_so_and_the_order_follows() {
    use std::time::Duration;
    use vipps_order_management::Operation;
    use vipps_order_management_emulator::Fault;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    emu.inject(Fault::stall(Duration::from_millis(4500)).only(Operation::GetOrder));
    let served = Served::start(&emu.base_url(), &[]);
    let mut page = client_from("127.0.0.1")
        .get(format!("{}/orders/ecom/order-1042", served.url))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let first = String::from_utf8(page.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.contains("Vipps MobilePay is slow to answer"), "{first}");
    assert!(
        !first.contains("Ullsokker") && !first.contains("</html>"),
        "the order is not there yet: {first}"
    );
    let mut rest = String::new();
    while let Some(chunk) = without_hanging("the rest of the page", page.chunk()).await.unwrap() {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        rest.contains(r#"<div class="arrived">"#) && rest.contains("Ullsokker") && rest.trim_end().ends_with("</html>"),
        "{rest}"
    );
    // Recorded before the order was sent.
    assert_eq!(served.trail().await.len(), 1);
}

/// People join and leave without a restart: the staff file is read again
/// when it changes and on SIGHUP, and whoever left, or got a new token, is
/// out at once, every sign-in and their old token.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_leaves_the_staff_file_is_signed_out_at_once() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let staff = staff_file(&format!("kari@butikk.example {KARI}\nola@butikk.example {OLA}\n"));
    let served = Served::start(&emu.base_url(), &["--staff", staff.to_str().unwrap()]);
    let client = client_from("127.0.0.1");
    let sign_in = |token: &str| {
        client
            .post(format!("{}/login", served.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={token}"))
            .send()
    };
    let ola = session_cookie(&sign_in(OLA).await.unwrap());
    let kari = session_cookie(&sign_in(KARI).await.unwrap());
    let page = |cookie: String| {
        client
            .get(format!("{}/orders/ecom/order-1042", served.url))
            .header("cookie", cookie)
            .send()
    };
    let api = |token: &str| {
        client
            .get(format!("{}/api/orders/ecom/order-1042", served.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(page(ola.clone()).await.unwrap().status(), 200);
    assert_eq!(api(OLA).await.unwrap().status(), 200);

    // Ola leaves: the file is written anew (as a configuration tool does,
    // by renaming a new file over it).
    replace_file(&staff, &format!("kari@butikk.example {KARI}\n"));
    until("the staff file read again", || {
        served.log().contains("was read again as it changed") && served.log().contains("sign-ins ended")
    })
    .await;
    assert!(
        served
            .log()
            .contains(r#"left: ["ola@butikk.example"]; new tokens: []; joined: []; 1 sign-ins ended"#),
        "{}",
        served.log()
    );
    assert_eq!(page(ola.clone()).await.unwrap().status(), 303, "Ola's sign-in ended");
    assert_eq!(api(OLA).await.unwrap().status(), 401, "and Ola's token");
    assert_eq!(page(kari.clone()).await.unwrap().status(), 200, "Kari stays");

    // A mistake in the file changes nothing, and says so.
    std::fs::write(&staff, "kari@butikk.example short\n").unwrap();
    until("the mistake said", || served.log().contains("not taken")).await;
    assert_eq!(page(kari.clone()).await.unwrap().status(), 200);

    // Kari gets a new token; Ola comes back. SIGHUP reads it: the
    // console stays up, Kari's old sign-in and token end, the new ones work.
    let kari_new = "kari-new-9x8y7z6w5v-QrStUvWxYz012345";
    std::fs::write(&staff, format!("kari@butikk.example {kari_new}\nola@butikk.example {OLA}\n")).unwrap();
    served.signal("HUP");
    until("the staff file read on SIGHUP", || {
        served.log().contains("was read again on SIGHUP")
    })
    .await;
    // Read once with the changes (as it changed, or on SIGHUP, whichever
    // came first), Kari's one sign-in of the old token ended.
    let changed = r#"new tokens: ["kari@butikk.example"]; joined: ["ola@butikk.example"]; 1 sign-ins ended"#;
    until("the changes said", || served.log().contains(changed)).await;
    assert_eq!(served.log().matches(changed).count(), 1, "{}", served.log());
    let refused_old = api(KARI).await.unwrap().status();
    assert_eq!(refused_old, 401);
    assert_eq!(page(kari.clone()).await.unwrap().status(), 303, "the old token's sign-in ended");
    assert_eq!(api(kari_new).await.unwrap().status(), 200);
    assert_eq!(api(OLA).await.unwrap().status(), 200, "Ola is back");
    // Still serving after SIGHUP (it used to end the process).
    until("no one left, said", || served.log().contains("left: []")).await;
    assert_eq!(client.get(format!("{}/health", served.url)).send().await.unwrap().status(), 200);

    // Ola, who has no sign-in, gets a new token: nothing to end, nothing
    // recorded.
    let ola_new = "ola-new-1a2b3c4d5e-ZyXwVuTsRqPoNm98";
    std::fs::write(&staff, format!("kari@butikk.example {kari_new}\nola@butikk.example {ola_new}\n")).unwrap();
    served.signal("HUP");
    until("Ola's new token read", || {
        served
            .log()
            .contains(r#"new tokens: ["ola@butikk.example"]; joined: []; 0 sign-ins ended"#)
    })
    .await;
    assert!(!served.log().contains("names no one"), "said only of a file that names no one");

    // A file emptied (every line a comment): everyone is out at once,
    // and the console still refuses every token (it never opens up).
    std::fs::write(&staff, "# everyone out, for now\n").unwrap();
    until("the emptied file taken", || served.log().contains("names no one")).await;
    until("the emptied file read", || served.log().contains("0 people")).await;
    assert_eq!(page(kari.clone()).await.unwrap().status(), 303);
    assert_eq!(api(kari_new).await.unwrap().status(), 401);
    assert_eq!(api(ola_new).await.unwrap().status(), 401);

    // The trail: each ending, once, by the console.
    let ended: Vec<(String, String)> = served
        .trail()
        .await
        .into_iter()
        .filter(|e| e["via"] == "console")
        .map(|e| (e["who"].as_str().unwrap().to_owned(), e["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        ended,
        [
            ("ola@butikk.example".to_owned(), "left-staff".to_owned()),
            ("kari@butikk.example".to_owned(), "new-token".to_owned())
        ],
        "emptied, nobody had a sign-in left to end"
    );
}

/// The shared `--staff-token` next to a staff file stays, whatever the
/// file says when it is read again; a file written in two parts is read
/// once it is whole; a byte-order mark is not part of a name.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_token_stays_and_a_file_written_in_parts_is_read_whole() {
    use std::io::Write as _;
    const SHARED: &str = "shared-9z8y7x6w5v-AbCdEfGhIjKlMnOp";
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let staff = staff_file(&format!("\u{feff}kari@butikk.example {KARI}\r\nola@butikk.example {OLA}\r\n"));
    let served = Served::start(&emu.base_url(), &["--staff", staff.to_str().unwrap(), "--staff-token", SHARED]);
    let client = client_from("127.0.0.1");
    let api = |token: &str| {
        client
            .get(format!("{}/api/orders/ecom/order-1042", served.url))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(api(SHARED).await.unwrap().status(), 200);
    assert_eq!(api(KARI).await.unwrap().status(), 200);
    served.signal("HUP");
    until("the staff file read on SIGHUP", || {
        served.log().contains("was read again on SIGHUP")
    })
    .await;
    assert_eq!(api(SHARED).await.unwrap().status(), 200, "the shared token stays");
    // Written in place in two parts, a pause between: read once whole.
    let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(&staff).unwrap();
    file.write_all(format!("kari@butikk.example {KARI}\n").as_bytes()).unwrap();
    file.flush().unwrap();
    // The writer's own pace (half the console's quiet time): the behaviour
    // under test, not a wait for something.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    file.write_all(format!("ola@butikk.example {OLA}\n").as_bytes()).unwrap();
    drop(file);
    until("the file read again", || served.log().matches("was read again").count() >= 2).await;
    let log = served.log();
    assert!(
        !log.contains(r#"left: ["ola@butikk.example"]"#),
        "Ola was never read as gone: {log}"
    );
    assert_eq!(api(OLA).await.unwrap().status(), 200);
    assert_eq!(api(SHARED).await.unwrap().status(), 200);
    let looked: Vec<String> = served
        .trail()
        .await
        .into_iter()
        .map(|e| e["who"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        looked.contains(&"kari@butikk.example".to_owned()),
        "the name without the byte-order mark: {looked:?}"
    );
}

/// With `--audit-log -` stdout carries the trail's JSON lines and nothing
/// else: the banner goes to stderr.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trail_on_stdout_is_json_lines_alone() {
    use std::io::Read as _;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let database = sqlite_file(&temp_path("stdout", "sqlite3"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_vipps-om"))
        .env_clear()
        .env("VIPPS_CLIENT_ID", vipps_order_management_emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", vipps_order_management_emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", vipps_order_management_emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", vipps_order_management_emulator::MSN)
        .args(["--json", "--base-url", &emu.base_url(), "console", "--listen", "127.0.0.1:0"])
        .args(["--database-url", &database, "--audit-log", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The banner, on stderr.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    loop {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "no banner: {banner}"
        );
        banner.push_str(&line);
        if line.trim_end() == "}" {
            break;
        }
    }
    let url = serde_json::from_str::<serde_json::Value>(&banner).unwrap()["url"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    for _ in 0..3 {
        let page = client_from("127.0.0.1")
            .get(format!("{url}/orders/ecom/order-1042"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let _ = child.wait();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines.iter().all(|l| l["event"] == "lookup"));
}

/// A console told to stop while a lookup waits for the API finishes that
/// page saying so, rather than cutting it off.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_console_says_so_on_a_page_waiting_for_the_api() {
    use std::time::Duration;
    use vipps_order_management::Operation;
    use vipps_order_management_emulator::Fault;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    emu.inject(Fault::stall(Duration::from_secs(20)).only(Operation::GetOrder));
    let mut served = Served::start(&emu.base_url(), &[]);
    let mut page = client_from("127.0.0.1")
        .get(format!("{}/orders/ecom/order-1042", served.url))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let first = String::from_utf8(page.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.contains("slow to answer"), "{first}");
    served.signal("TERM");
    let mut rest = String::new();
    while let Some(chunk) = without_hanging("the rest of the page", page.chunk()).await.unwrap() {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        rest.contains("The console is restarting") && rest.trim_end().ends_with("</html>"),
        "{rest}"
    );
    let mut status = None;
    until("the console's end", || {
        status = served.child.try_wait().unwrap();
        status.is_some()
    })
    .await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(served.trail().await.is_empty(), "nothing was shown, nothing recorded");
}

/// SIGHUP without a staff file: said, and nothing ends.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_never_ends_the_console() {
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &[]);
    served.signal("HUP");
    until("SIGHUP said", || served.log().contains("SIGHUP: there is no staff file")).await;
    let health = client_from("127.0.0.1").get(format!("{}/health", served.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

/// The trail copied to a file, which log rotation moves away: followed by
/// a new file at its path, said once in the console's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_of_the_trail_follows_log_rotation() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let copy = temp_path("audit", "jsonl");
    let served = Served::start(&emu.base_url(), &["--audit-log", copy.to_str().unwrap()]);
    let client = client_from("127.0.0.1");
    let look = || async {
        let page = client.get(format!("{}/orders/ecom/order-1042", served.url)).send().await.unwrap();
        assert_eq!(page.status(), 200);
    };
    let lines = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default().lines().count();
    look().await;
    look().await;
    until("two lines copied", || lines(&copy) == 2).await;
    let rotated = copy.with_extension("jsonl.1");
    std::fs::rename(&copy, &rotated).unwrap();
    look().await;
    look().await;
    until("two lines in the new file", || lines(&copy) == 2).await;
    assert_eq!(lines(&rotated), 2);
    let line: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&copy).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!((line["event"].as_str(), line["outcome"].as_str()), (Some("lookup"), Some("shown")));
    assert!(line["id"].as_i64().is_some(), "the copy names the entry's number in the trail");
    until("the moved file said", || served.log().contains("was moved or deleted")).await;
    assert_eq!(served.log().matches("was moved or deleted").count(), 1, "{}", served.log());
}

/// At most N connections: past them a client waits for a free slot (it is
/// not answered while the slots are held), and is served once one frees.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_maximum_connections_a_client_waits_for_a_free_slot() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "60"]);
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
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "1"]);
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
    let served = Served::start(&emu.base_url(), &["--max-connections", "2", "--idle-timeout", "2"]);
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
    use vipps_order_management::Operation;
    use vipps_order_management_emulator::Fault;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    emu.inject(Fault::stall(Duration::from_millis(2500)).only(Operation::GetOrder));
    let served = Served::start(&emu.base_url(), &["--idle-timeout", "1"]);
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
    let served = Served::start(&emu.base_url(), &["--idle-timeout", "5"]);
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

/// HTTP/2 with prior knowledge (h2c, as some front ends speak to their
/// back ends) is served like HTTP/1.1: the host the request was sent to is
/// its `:authority`.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_prior_knowledge_is_served() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let served = Served::start(&emu.base_url(), &[]);
    common::pick_crypto_provider();
    let h2 = reqwest::Client::builder().http2_prior_knowledge().build().unwrap();
    for path in ["/health", "/", "/orders/ecom/order-1042"] {
        let page = h2.get(format!("{}{path}", served.url)).send().await.unwrap();
        assert_eq!(page.version(), reqwest::Version::HTTP_2);
        assert_eq!(page.status(), 200, "{path}: {}", page.text().await.unwrap());
    }
}

/// A client that never finishes its request does not keep the console
/// from stopping.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_stops_on_sigterm_despite_a_client_that_never_finishes() {
    use tokio::io::AsyncWriteExt;
    let emu = Emulator::start().await.unwrap();
    let c = Served::start(&emu.base_url(), &[]);
    let mut half = tokio::net::TcpStream::connect(c.addr()).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    // Connections are taken in the order they came: once a later one is
    // answered (and closed), the half request's is surely taken, not still
    // in the kernel's queue when the stop drops the listener.
    let mut later = tokio::net::TcpStream::connect(c.addr()).await.unwrap();
    later
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    use tokio::io::AsyncReadExt;
    without_hanging("a later connection's answer", later.read_to_end(&mut answer))
        .await
        .unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
    let _ = Command::new("kill").args(["-TERM", &c.child.id().to_string()]).status();
    let mut c = c;
    let exited = tokio::task::spawn_blocking(move || {
        let status = c.child.wait().unwrap();
        (status, c)
    });
    let (status, c) = without_hanging("the console after SIGTERM", exited).await.unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        c.log().contains("1 connection(s) still open after five seconds were closed"),
        "the cut said: {}",
        c.log()
    );
    drop(half);
}

/// A console stopped with SIGTERM writes out its copies of the trail
/// first: every entry kept is in the copy when the process has ended.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_copies_of_the_trail_are_whole_when_the_console_stops() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let copy = temp_path("audit", "jsonl");
    let mut served = Served::start(&emu.base_url(), &["--audit-log", copy.to_str().unwrap()]);
    let client = client_from("127.0.0.1");
    for _ in 0..20 {
        let page = client.get(format!("{}/orders/ecom/order-1042", served.url)).send().await.unwrap();
        assert_eq!(page.status(), 200);
    }
    served.signal("TERM");
    let mut status = None;
    until("the console's end after SIGTERM", || {
        status = served.child.try_wait().unwrap();
        status.is_some()
    })
    .await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let lines = std::fs::read_to_string(&copy).unwrap().lines().count();
    assert_eq!(lines, 20, "every entry kept was copied before it stopped");
    assert_eq!(served.trail().await.len(), 20);
}

/// The store is kept tidy from the start: entries past the retention are
/// removed (and said in the log), ended sign-ins and old wrong-token
/// counts forgotten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_kept_tidy_from_the_start() {
    let emu = Emulator::start().await.unwrap();
    let database = sqlite_file(&temp_path("tidy", "sqlite3"));
    let store = Store::open(&database).await.unwrap();
    let mut old =
        vipps_om::console::Entry::new(vipps_om::console::Event::Lookup, "kari", vipps_om::console::Via::Token, None).outcome("shown");
    old.time = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 3);
    store.keep(&old).await.unwrap();
    let mut recent = old.clone();
    recent.time = jiff::Timestamp::now();
    store.keep(&recent).await.unwrap();
    let ended = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    store
        .start_session("kari", "token", "c", ended, std::time::Duration::from_secs(3600), 20)
        .await
        .unwrap();
    store.fail("192.0.2.1", ended, std::time::Duration::from_secs(60)).await.unwrap();
    store.close().await;
    let served = Served::start(&emu.base_url(), &["--database-url", &database, "--audit-retention-days", "2"]);
    until("the old entry removed", || {
        served.log().contains("1 audit entries older than the retention were removed")
    })
    .await;
    let store = Store::open(&database).await.unwrap();
    assert_eq!(trail(&store).await.len(), 1, "the recent entry stays");
    assert_eq!(store.session_count().await.unwrap(), 0, "the ended sign-in is gone");
    assert_eq!(
        store
            .forget_old_failures(jiff::Timestamp::now(), std::time::Duration::from_secs(60))
            .await
            .unwrap(),
        0,
        "and the old count"
    );
    store.close().await;
}
