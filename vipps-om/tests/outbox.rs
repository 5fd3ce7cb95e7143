//! `vipps-om outbox` run as staff, scripts and other stacks run it:
//! deliveries added from files and JSON lines (all or none), listed,
//! shown, retried and discarded; the worker as a service that stops on
//! SIGTERM and, killed with SIGKILL, leaves nothing behind that another
//! worker does not deliver; and a shop in another language inserting the
//! documented row with plain SQL (`psql`) on a real Postgres.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::outbox::{sigterm, vipps_om, worker};

use serde_json::Value;
use vipps_order_management::{Operation, PaymentType, Receipt};
use vipps_order_management_emulator::{self as emulator, Emulator, Fault};

const RECEIPT: &str = r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}"#;

fn run(base: &str, database: &str, args: &[&str]) -> Output {
    vipps_om(base, database).args(args).output().unwrap()
}

fn run_with_stdin(base: &str, database: &str, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = vipps_om(base, database)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

fn error_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stderr).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stderr)))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vipps-om-outbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn receipt_file(name: &str, receipt: &str) -> PathBuf {
    let path = temp(name);
    std::fs::write(&path, receipt).unwrap();
    path
}

/// A JSON line adding the receipt of `order`.
fn line(order: &str) -> String {
    format!(
        r#"{{"kind":"receipt","merchantSerialNumber":"{}","paymentType":"ECOM","orderId":"{order}","body":{RECEIPT}}}"#,
        emulator::MSN
    )
}

/// The outbox's counts, by the binary.
fn status(base: &str, database: &str) -> Value {
    json_of(&run(base, database, &["--json", "outbox", "status"]))
}

fn sqlite(name: &str) -> String {
    let path = temp(&format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    format!("sqlite://{}", path.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_scripts_add_see_and_act() {
    let emulator = Emulator::start().await.unwrap();
    let base = emulator.base_url();
    let db = sqlite("staff");
    let file = receipt_file("receipt.json", RECEIPT);
    let file = file.to_str().unwrap();

    let out = run(&base, &db, &["--json", "outbox", "post-receipt", "ecom", "order-1", file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_of(&out)["result"], "added");
    let id = json_of(&out)["id"].as_i64().unwrap();
    let out = run(&base, &db, &["outbox", "post-receipt", "ecom", "order-1", file]);
    assert!(text(&out.stdout).contains("already"), "{}", text(&out.stdout));
    // A different receipt for the order: refused, saying which delivery
    // holds it.
    let other = receipt_file("other.json", &RECEIPT.replace("Socks", "Shoes"));
    let out = run(
        &base,
        &db,
        &["--json", "outbox", "post-receipt", "ecom", "order-1", other.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let error = error_of(&out);
    assert_eq!(
        (error["error"]["kind"].as_str(), error["error"]["delivery"].as_i64()),
        (Some("conflict"), Some(id))
    );

    // JSON lines: one refused line and nothing is added.
    let lines = format!("{}\n\n{{\"kind\":\"receipt\"}}\n{}\n", line("order-2"), line("order-3"));
    let out = run_with_stdin(&base, &db, &["outbox", "add"], &lines);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("line 3:"), "{}", text(&out.stderr));
    assert_eq!(status(&base, &db)["pending"], 1);
    let lines = format!("{}\n{}\n", line("order-2"), line("order-3"));
    let out = run_with_stdin(&base, &db, &["--json", "outbox", "add", "-"], &lines);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_of(&out)["deliveries"].as_array().unwrap().len(), 2);
    // A conflict inside a batch names its line; a misspelled field and
    // bytes that are not UTF-8 are refused, not dropped or replaced.
    let conflict = line("order-2").replace("Socks", "Shoes");
    let out = run_with_stdin(&base, &db, &["outbox", "add"], &format!("{}\n{conflict}\n", line("order-9")));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("line 2: a different receipt is already in the outbox"),
        "{}",
        text(&out.stderr)
    );
    let typo = line("order-10").replace("\"taxRate\"", "\"quantty\":2,\"taxRate\"");
    let out = run_with_stdin(&base, &db, &["outbox", "add"], &typo);
    assert!(
        text(&out.stderr).contains("orderLines[0].quantty (not a field of the API's body: a typo?)"),
        "{}",
        text(&out.stderr)
    );
    let latin1 = temp("latin1.jsonl");
    let (before, after) = line("order-11")
        .split_once("Socks")
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    std::fs::write(&latin1, [before.as_bytes(), b"Bl\xe5b\xe6r", after.as_bytes()].concat()).unwrap();
    let out = run(&base, &db, &["outbox", "add", latin1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line 1: not UTF-8 text"), "{}", text(&out.stderr));
    assert_eq!(status(&base, &db)["pending"], 3, "nothing of a refused batch");

    // A receipt that cannot be stored: the order holds another already.
    emulator
        .client()
        .ecom("taken")
        .post_receipt(&serde_json::from_str::<Receipt>(&RECEIPT.replace("Socks", "Hat")).unwrap())
        .await
        .unwrap();
    run_with_stdin(&base, &db, &["outbox", "add"], &line("taken"));
    let listed = json_of(&run(&base, &db, &["--json", "outbox", "list"]));
    assert_eq!(listed["deliveries"].as_array().unwrap().len(), 4);
    assert_eq!(
        listed["deliveries"][0]["body"]["orderLines"][0]["name"], "Socks",
        "the body as JSON"
    );

    // The worker delivers, then stops on SIGTERM.
    let mut child = worker(&base, &db, &[]);
    vipps_om_test_support::until_blocking("the worker empties the outbox", || status(&base, &db)["pending"] == 0);
    sigterm(&child);
    assert!(child.wait().unwrap().success());
    assert_eq!(emulator.receipt_count(), 4);
    let dead = json_of(&run(&base, &db, &["--json", "outbox", "list", "--state", "dead"]));
    let dead = &dead["deliveries"][0];
    assert_eq!(dead["orderId"], "taken");
    assert!(dead["lastError"].as_str().unwrap().contains("different receipt"), "{dead}");
    let dead_id = dead["id"].as_i64().unwrap().to_string();

    // Staff: show, retry, discard.
    let shown = text(&run(&base, &db, &["outbox", "show", &dead_id]).stdout);
    assert!(shown.contains("state: dead") && shown.contains("last error"), "{shown}");
    let out = run(&base, &db, &["--json", "outbox", "retry", &dead_id]);
    assert_eq!(json_of(&out)["state"], "pending");
    let out = run(
        &base,
        &db,
        &["--json", "outbox", "discard", &dead_id, "--reason", "kari: a new order was made"],
    );
    assert_eq!(
        (json_of(&out)["state"].as_str(), json_of(&out)["outcome"].as_str()),
        (Some("discarded"), Some("kari: a new order was made"))
    );
    let out = run(&base, &db, &["--json", "outbox", "retry", &id.to_string()]);
    assert_eq!(out.status.code(), Some(1), "a delivered one cannot be retried");
    let out = run(&base, &db, &["--json", "outbox", "show", "99999"]);
    assert_eq!(
        (out.status.code(), error_of(&out)["error"]["kind"].as_str()),
        (Some(4), Some("not_found"))
    );
    let out = run(&base, &db, &["outbox", "status"]);
    assert_eq!(text(&out.stdout).trim(), "0 pending, 0 dead");
    // A list that does not show all says so.
    let listed = json_of(&run(
        &base,
        &db,
        &["--json", "outbox", "list", "--state", "delivered", "--limit", "2"],
    ));
    assert_eq!(
        (listed["deliveries"].as_array().unwrap().len(), listed["total"].as_u64()),
        (2, Some(3))
    );
    let out = run(&base, &db, &["outbox", "list", "--state", "delivered", "--limit", "2"]);
    assert!(
        text(&out.stdout).contains("2 of 3 shown, the oldest first"),
        "{}",
        text(&out.stdout)
    );
    // An empty reason is a usage error; a reason's control characters are
    // shown escaped.
    let out = run(&base, &db, &["outbox", "discard", &dead_id, "--reason", " "]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&base, &db, &["outbox", "retry", &dead_id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(
        &base,
        &db,
        &["outbox", "discard", &dead_id, "--reason", "kari\u{1b}[31m red\r\nforged"],
    );
    assert!(
        !text(&out.stdout).contains('\u{1b}') && !text(&out.stdout).contains("\r\nforged"),
        "{:?}",
        text(&out.stdout)
    );
    // Every dead one at once.
    let out = run(&base, &db, &["--json", "outbox", "retry", "--all-dead"]);
    assert_eq!(json_of(&out)["retried"], 0);
    // A mistyped path is no empty outbox.
    let out = run(&base, &db.replace("staff.db", "stafff.db"), &["outbox", "list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("there is no outbox at"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_leaves_nothing_undelivered() {
    let emulator = Emulator::start().await.unwrap();
    let base = emulator.base_url();
    let db = sqlite("killed");
    // The receipt's first request is held: the worker is killed while it
    // holds the delivery.
    emulator.inject(Fault::stall(std::time::Duration::from_secs(600)).only(Operation::PostReceipt));
    run_with_stdin(&base, &db, &["outbox", "add"], &line("order-1"));
    let mut first = worker(&base, &db, &["--lease", "2"]);
    vipps_om_test_support::until("the delivery's request reaches the emulator", || {
        !emulator.requests_for(Operation::PostReceipt).is_empty()
    })
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(status(&base, &db)["pending"], 1);
    // Another worker takes it when the dead one's lease ends.
    let mut second = worker(&base, &db, &["--lease", "2"]);
    vipps_om_test_support::until("the second worker delivers it", || status(&base, &db)["pending"] == 0).await;
    sigterm(&second);
    assert!(second.wait().unwrap().success());
    assert!(emulator.receipt_for(emulator::MSN, PaymentType::Ecom, "order-1").is_some());
    let listed = json_of(&run(&base, &db, &["--json", "outbox", "list", "--state", "delivered"]));
    assert_eq!(listed["deliveries"][0]["attempts"], 2, "{listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_cannot_work_are_refused() {
    let out = run("http://127.0.0.1:1", "mysql://db/shop", &["outbox", "status"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("neither Postgres"), "{}", text(&out.stderr));
    let out = run("http://127.0.0.1:1", "", &["outbox", "status"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let out = run(
        "http://127.0.0.1:1",
        "postgres://nobody:s3cret@127.0.0.1:1/shop",
        &["outbox", "status"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("s3cret"), "{}", text(&out.stderr));
    let db = sqlite("settings");
    let out = vipps_om("http://127.0.0.1:1", &db)
        .env_remove("VIPPS_MSN")
        .args(["outbox", "post-receipt", "ecom", "o-1", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the file first: {}", text(&out.stderr));
    let file = receipt_file("settings.json", RECEIPT);
    let out = vipps_om("http://127.0.0.1:1", &db)
        .env_remove("VIPPS_MSN")
        .args(["outbox", "post-receipt", "ecom", "o-1", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("--msn"), "{}", text(&out.stderr));
}

/// The README's plain SQL, as a shop in another language runs it.
fn readme_sql() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../outbox/README.md")).unwrap();
    let start = readme.find("```sql\n").expect("the README's SQL block") + "```sql\n".len();
    readme[start..][..readme[start..].find("```").unwrap()].to_owned()
}

/// `psql`, from the Postgres the tests use.
fn psql() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin/psql")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_in_another_language_inserts_the_documented_row() {
    let Some(pg) = common::postgres::database("outbox_plain_sql").await else {
        return;
    };
    let Some(psql) = psql() else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI installs Postgres, psql with it");
        println!("SKIP: no psql: the plain-SQL test did not run");
        return;
    };
    let emulator = Emulator::start().await.unwrap();
    let base = emulator.base_url();
    // The table, made by the tool; the shop's own orders table.
    assert!(run(&base, &pg.url, &["outbox", "status"]).status.success());
    let shop = |sql: &str| {
        let out = Command::new(&psql)
            .args([pg.url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
            .output()
            .unwrap();
        assert!(out.status.success(), "psql: {}", text(&out.stderr));
    };
    shop("CREATE TABLE orders (id TEXT PRIMARY KEY, state TEXT); INSERT INTO orders VALUES ('php-1', 'new'), ('php-2', 'new')");
    shop(&readme_sql());
    // The same, for another order, rolled back: nothing to deliver.
    shop(&readme_sql().replace("php-1", "php-2").replace("COMMIT;", "ROLLBACK;"));
    assert_eq!(status(&base, &pg.url)["pending"], 1);
    let mut child = worker(&base, &pg.url, &[]);
    vipps_om_test_support::until_blocking("the worker delivers the shop's row", || status(&base, &pg.url)["pending"] == 0);
    sigterm(&child);
    assert!(child.wait().unwrap().success());
    let stored = emulator
        .receipt_for(emulator::MSN, PaymentType::Ecom, "php-1")
        .expect("the shop's receipt");
    assert_eq!(stored.order_lines[0].name, "Socks");
    assert!(emulator.receipt_for(emulator::MSN, PaymentType::Ecom, "php-2").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_once_delivers_what_is_due_and_exits() {
    let emulator = Emulator::start().await.unwrap();
    let base = emulator.base_url();
    let db = sqlite("once");
    run_with_stdin(
        &base,
        &db,
        &["outbox", "add"],
        &format!("{}\n{}\n", line("order-1"), line("order-2")),
    );
    let out = run(&base, &db, &["--json", "outbox", "work", "--once"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let done = json_of(&out);
    assert_eq!((done["delivered"].as_u64(), done["dead"].as_u64()), (Some(2), Some(0)), "{done}");
    assert_eq!(emulator.receipt_count(), 2);
    let out = run(&base, &db, &["outbox", "work", "--once"]);
    assert_eq!(text(&out.stdout).trim(), "0 delivered, 0 to be tried again, 0 dead");
}
