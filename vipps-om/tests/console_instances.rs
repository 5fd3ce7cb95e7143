//! Several consoles, one truth: two `vipps-om console` processes on one
//! store behind a small front end that sends each request to the next
//! console in turn (as a load balancer does). Staff sign in on one, look
//! up on the other, sign out on either, and the old cookie is refused by
//! both; a wrong-token flood is counted by both together; a console
//! restarted keeps everyone signed in; the audit trail of both is one.
//! Run on a real Postgres (a throwaway cluster, or `VIPPS_OM_TEST_POSTGRES`;
//! a SKIP line where there is none, a failure under CI), and on one SQLite
//! file shared by both processes.

mod common;

use std::path::Path;
use std::process::Child;

use common::console::{cookie_of, replace_file, seed_1042, session_cookie, spawn, temp_path, trail};
use common::front_end::{FrontEnd, FRONT_END_IP};
use vipps_om::console::{sqlite_file, Store, FAILURES_ALLOWED};
use vipps_order_management_emulator::Emulator;

const KARI: &str = "kari-7f3a9kq2x1-LmN4pQ8rS2tV6wY0";
const GUESS: &str = "guess-guess-guess-guess-guess-guess-0";

/// A running console; killed when dropped.
struct Instance {
    child: Child,
    url: String,
    log: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    fn start(base: &str, database: &str, staff: &Path) -> Instance {
        let args: Vec<String> = [
            "--json",
            "--base-url",
            base,
            "console",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database,
        ]
        .into_iter()
        .chain(["--front-end", FRONT_END_IP, "--staff", &staff.display().to_string()])
        .map(str::to_owned)
        .collect();
        let log = temp_path("instance", "log");
        let (child, url) = spawn(&args, std::fs::File::create(&log).unwrap().into());
        Instance { child, url, log }
    }

    /// Its log so far.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A browser (no redirects followed, no cookies kept: the test keeps the
/// cookie), from the office.
fn browser() -> reqwest::Client {
    common::pick_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(http: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    http.post(format!("{url}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://console.butikk.example")
        .header("host", "console.butikk.example")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap()
}

async fn page(http: &reqwest::Client, url: &str, path: &str, cookie: &str) -> u16 {
    http.get(format!("{url}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The whole story on `database`: two consoles behind the front end.
async fn two_consoles_one_truth(database: &str) {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let staff = temp_path("staff", "txt");
    std::fs::write(&staff, format!("kari@butikk.example {KARI}\n")).unwrap();
    let a = Instance::start(&emu.base_url(), database, &staff);
    let mut b = Instance::start(&emu.base_url(), database, &staff);
    let front = FrontEnd::start(vec![a.url.clone(), b.url.clone()]).await;
    let http = browser();

    // Sign in (on A), then look up, twice (B, then A): one sign-in for both.
    let signed = sign_in(&http, &front.url, KARI).await;
    assert_eq!(signed.status(), 303);
    let set_cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("Secure"), "the front end says https: {set_cookie}");
    let cookie = cookie_of(&set_cookie);
    for turn in ["B", "A"] {
        assert_eq!(page(&http, &front.url, "/orders/ecom/order-1042", &cookie).await, 200, "on {turn}");
    }
    // Each console directly knows the sign-in too.
    for console in [&a.url, &b.url] {
        assert_eq!(page(&http, console, "/orders/ecom/order-1042", &cookie).await, 200, "{console}");
    }

    // A restart signs no one out.
    let b_url = b.url.clone();
    drop(b);
    b = Instance::start(&emu.base_url(), database, &staff);
    assert_ne!(b.url, b_url, "a new process on a new port");
    assert_eq!(
        page(&http, &b.url, "/orders/ecom/order-1042", &cookie).await,
        200,
        "after the restart"
    );
    let front = FrontEnd::start(vec![a.url.clone(), b.url.clone()]).await;

    // A flood through the front end, alternating between the consoles, is
    // counted once for both: past the limit either refuses it as too many.
    for _ in 0..FAILURES_ALLOWED {
        assert_eq!(sign_in(&http, &front.url, GUESS).await.status(), 401);
    }
    for turn in ["A", "B"] {
        assert_eq!(sign_in(&http, &front.url, GUESS).await.status(), 429, "on {turn}");
    }
    // And a right token still signs in.
    let second = sign_in(&http, &front.url, KARI).await;
    assert_eq!(second.status(), 303);

    // Sign out through the front end (one of them): the cookie is refused
    // by both, directly.
    let out = http
        .post(format!("{}/logout", front.url))
        .header("cookie", &cookie)
        .header("origin", "https://console.butikk.example")
        .header("host", "console.butikk.example")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    for console in [&a.url, &b.url] {
        assert_eq!(
            page(&http, console, "/orders/ecom/order-1042", &cookie).await,
            303,
            "replayed on {console}"
        );
    }
    for console in [&a.url, &b.url] {
        let health = http.get(format!("{console}/health")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }

    // One trail for both, naming the office, not the front end.
    let store = Store::open(database).await.unwrap();
    let entries = trail(&store).await;
    store.close().await;
    let lookups = entries.iter().filter(|e| e["event"] == "lookup").count();
    assert_eq!(lookups, 5, "both consoles' lookups in one trail");
    assert!(
        entries.iter().all(|e| e["client"] == "127.0.0.1"),
        "the client, not the front end: {entries:?}"
    );
    let throttled: Vec<_> = entries.iter().filter(|e| e["outcome"] == "throttled").collect();
    assert_eq!(throttled.len(), 1);
    assert_eq!(throttled[0]["attempts"], 2, "one entry for the window, counted by both");
    assert_eq!(entries.iter().filter(|e| e["outcome"] == "signed-out").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_on_one_postgres_are_one_console() {
    let Some(postgres) = common::postgres::database("console_instances").await else {
        return;
    };
    two_consoles_one_truth(&postgres.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_on_one_sqlite_file_are_one_console() {
    two_consoles_one_truth(&sqlite_file(&temp_path("shared", "sqlite3"))).await;
}

/// A rollout: one console has the new staff file (Per joined), the other
/// not yet. Per is in on the first and not on the second, and the second
/// never signs Per out of the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_with_an_older_staff_file_signs_no_one_out_of_the_others() {
    const PER: &str = "per-4d5e6f7g8h-AbCdEfGhIjKlMnOpQr";
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let database = sqlite_file(&temp_path("rollout", "sqlite3"));
    let old = temp_path("staff-old", "txt");
    std::fs::write(&old, format!("kari@butikk.example {KARI}\n")).unwrap();
    let new = temp_path("staff-new", "txt");
    std::fs::write(&new, format!("kari@butikk.example {KARI}\nper@butikk.example {PER}\n")).unwrap();
    let behind = Instance::start(&emu.base_url(), &database, &old);
    let ahead = Instance::start(&emu.base_url(), &database, &new);
    let http = browser();
    let signed = sign_in(&http, &ahead.url, PER).await;
    assert_eq!(signed.status(), 303);
    let cookie = session_cookie(&signed);
    assert_eq!(page(&http, &ahead.url, "/orders/ecom/order-1042", &cookie).await, 200);
    assert_eq!(
        page(&http, &behind.url, "/orders/ecom/order-1042", &cookie).await,
        303,
        "not on the console that does not know Per yet"
    );
    assert_eq!(
        page(&http, &ahead.url, "/orders/ecom/order-1042", &cookie).await,
        200,
        "still signed in where Per is known"
    );

    // Kari gets a new token in the new file; she signs in with it on the
    // console that has it. When the other console gets the file too, it
    // ends her sign-ins of the old token only, never the new one.
    let kari_new = "kari-new-9x8y7z6w5v-QrStUvWxYz012345";
    let both = format!("kari@butikk.example {kari_new}\nper@butikk.example {PER}\n");
    replace_file(&new, &both);
    common::until("the new file read ahead", || {
        ahead.log().contains(r#"new tokens: ["kari@butikk.example"]"#)
    })
    .await;
    let signed = sign_in(&http, &ahead.url, kari_new).await;
    let kari = session_cookie(&signed);
    assert_eq!(page(&http, &ahead.url, "/orders/ecom/order-1042", &kari).await, 200);
    replace_file(&old, &both);
    common::until("the new file read behind", || {
        behind.log().contains(r#"new tokens: ["kari@butikk.example"]"#)
    })
    .await;
    for console in [&ahead.url, &behind.url] {
        assert_eq!(
            page(&http, console, "/orders/ecom/order-1042", &kari).await,
            200,
            "Kari's new sign-in kept on {console}"
        );
    }
}
