//! `vipps-om` run as its users run it: each exit code, `--json` on stdout
//! and stderr, file and JSON problems, configuration, logs, and the
//! emulator server (state across restarts, SIGTERM).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{json, Value};
use vipps_order_management::Operation;
use vipps_order_management_emulator::{self as emulator, Emulator, Fault};

const RECEIPT: &str = r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}"#;

fn vipps_om() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vipps-om"));
    for (key, _) in std::env::vars() {
        if key.starts_with("VIPPS_") || key == "RUST_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs `vipps-om` against `base` with the emulator's credentials.
fn run_at(base: &str, args: &[&str]) -> Output {
    vipps_om()
        .env("VIPPS_BASE_URL", base)
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn json_of(b: &[u8]) -> Value {
    serde_json::from_slice(b).unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", text(b)))
}

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vipps-om-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_prints_one_json_document() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();
    let receipt = temp_file("receipt.json", RECEIPT);
    let logo = common::png_file(200);
    let logo = logo.to_str().unwrap();
    let ok = |args: &[&str]| {
        let out = run_at(&base, args);
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        json_of(&out.stdout)
    };
    assert!(ok(&["--json", "token"])["validForSeconds"].as_u64().unwrap() > 3000);
    assert_eq!(ok(&["--json", "upload-image", logo, "--id", "logo-1"])["imageId"], "logo-1");
    let put = ok(&[
        "put-category",
        "--json",
        "ecom",
        "o-1",
        "RECEIPT",
        "https://shop.example/o/1",
        "--image",
        "logo-1",
    ]);
    assert_eq!(put["category"]["orderDetailsUrl"], "https://shop.example/o/1");
    let posted = ok(&["--json", "post-receipt", "ecom", "o-1", receipt.to_str().unwrap()]);
    assert_eq!(posted["alreadyStored"], false);
    // Running it again is safe: the same receipt is already there.
    let again = ok(&["--json", "post-receipt", "ecom", "o-1", receipt.to_str().unwrap()]);
    assert_eq!(again["alreadyStored"], true);
    let order = ok(&["--json", "get-order", "ecom", "o-1"]);
    assert_eq!(order["receipt"], json_of(RECEIPT.as_bytes()));
    let added = ok(&["--json", "add-category", "ecom", "o-1", "TICKET", "https://shop.example/t/1"]);
    let id = added["categoryId"].as_str().unwrap().to_owned();
    assert_eq!(
        ok(&["--json", "list-categories", "o-1"])["categories"][0]["categoryId"],
        id.as_str()
    );
    assert_eq!(ok(&["--json", "get-category", &id])["type"], "TICKET");
    assert_eq!(ok(&["--json", "delete-category", &id])["deleted"], id.as_str());
    // Without --json: readable lines for support staff.
    let out = run_at(&base, &["get-order", "ecom", "o-1"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("Socks") && shown.contains("Sum (NOK)") && shown.contains("12.50"),
        "{shown}"
    );
    assert!(!shown.trim_start().starts_with('{'));
    let out = run_at(&base, &["token"]);
    assert!(text(&out.stdout).starts_with("token OK: valid for"));
    assert!(!text(&out.stdout).contains("eyJ"), "the token itself is never printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_exit_code_by_class_with_a_json_error() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();
    let error = |out: &Output| json_of(&out.stderr)["error"].clone();

    // 1: refused by local validation, named field by field.
    let out = run_at(&base, &["--json", "put-category", "ecom", "bad id", "RECEIPT", "https://x.example"]);
    assert_eq!(code(&out), 1);
    let e = error(&out);
    assert_eq!(e["kind"], "invalid");
    assert_eq!(e["invalidParams"][0]["name"], "orderId");
    assert!(e["message"].as_str().unwrap().contains("orderId"));
    assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    // 1: a conflict (an image id of one's own that exists).
    let logo = common::png_file(200);
    let logo = logo.to_str().unwrap();
    assert_eq!(code(&run_at(&base, &["upload-image", logo, "--id", "taken"])), 0);
    let out = run_at(&base, &["--json", "upload-image", logo, "--id", "taken"]);
    assert_eq!(
        (code(&out), error(&out)["kind"].clone(), error(&out)["status"].clone()),
        (1, json!("conflict"), json!(409))
    );
    // 1: a receipt file whose JSON is broken: which file, line and column.
    let broken = temp_file("broken.json", "{\n  \"orderLines\": [\n    {\"name\": }\n");
    let out = run_at(&base, &["--json", "post-receipt", "ecom", "o-2", broken.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let e = error(&out);
    assert_eq!((e["line"].clone(), e["column"].clone()), (json!(3), json!(14)), "{e}");
    assert!(e["message"].as_str().unwrap().contains("broken.json"), "{e}");
    // 2: usage, and a file that cannot be read says which and why.
    assert_eq!(code(&run_at(&base, &["frobnicate"])), 2);
    assert_eq!(code(&run_at(&base, &["get-order", "bitcoin", "x"])), 2);
    let out = run_at(&base, &["--json", "get-order", "bitcoin", "x"]);
    assert_eq!((code(&out), error(&out)["kind"].clone()), (2, json!("usage")));
    let out = run_at(&base, &["post-receipt", "ecom", "o-2", "no-such-receipt.json"]);
    assert_eq!(code(&out), 2);
    let message = text(&out.stderr);
    assert!(message.contains("cannot read no-such-receipt.json: No such file"), "{message}");
    assert!(!message.contains("misconfigured"), "{message}");
    // 3: every missing variable in one message.
    let out = vipps_om().args(["--json", "token"]).output().unwrap();
    assert_eq!(code(&out), 3);
    let m = error(&out)["message"].as_str().unwrap().to_owned();
    for name in ["VIPPS_CLIENT_ID", "VIPPS_CLIENT_SECRET", "VIPPS_SUBSCRIPTION_KEY", "VIPPS_MSN"] {
        assert!(m.contains(name), "{name} not named in: {m}");
    }
    // 3: refused credentials (401).
    let out = run_at(&base, &["--json", "token"]);
    assert_eq!(code(&out), 0);
    let out = vipps_om()
        .env("VIPPS_BASE_URL", &base)
        .env("VIPPS_CLIENT_ID", "someone-else")
        .env("VIPPS_CLIENT_SECRET", "wrong")
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", "123456")
        .args(["--json", "token"])
        .output()
        .unwrap();
    assert_eq!((code(&out), error(&out)["status"].clone()), (3, json!(401)));
    // 4: nothing stored for the order.
    let out = run_at(&base, &["--json", "get-order", "ecom", "nothing"]);
    assert_eq!(code(&out), 4);
    let e = error(&out);
    assert_eq!((e["kind"].clone(), e["status"].clone()), (json!("not_found"), json!(404)));
    assert!(e["instance"].as_str().unwrap().starts_with("00-"), "{e}");
    assert!(e["title"].is_string() && e["detail"].is_string());
    // 5: no usable answer (5xx after the retries; a closed port).
    emu.inject(Fault::status(503).times(3).only(Operation::GetOrder));
    let out = run_at(&base, &["--json", "get-order", "ecom", "o-1"]);
    assert_eq!((code(&out), error(&out)["kind"].clone()), (5, json!("unavailable")));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = run_at(&dead, &["get-order", "ecom", "o-1"]);
    assert_eq!(code(&out), 5, "{}", text(&out.stderr));
    assert!(text(&out.stderr).starts_with("error: "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_override_the_variables_and_v_turns_on_logs() {
    let emu = Emulator::start().await.unwrap();
    // --base-url and --msn instead of VIPPS_BASE_URL and VIPPS_MSN.
    let out = vipps_om()
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_BASE_URL", "https://api.vipps.no")
        .args(["--base-url", &emu.base_url(), "--msn", "777777", "-v", "token"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let logs = text(&out.stderr);
    assert!(logs.contains("fetch_token") && logs.contains("call succeeded"), "{logs}");
    assert!(!logs.contains(emulator::CLIENT_SECRET), "no secret in the logs");
    // RUST_LOG decides when set.
    let out = vipps_om()
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", "123456")
        .env("RUST_LOG", "vipps_order_management=debug")
        .args(["--base-url", &emu.base_url(), "token"])
        .output()
        .unwrap();
    assert!(text(&out.stderr).contains("call succeeded"));
    // An environment that does not exist is a usage error (exit 2).
    let out = vipps_om().args(["--env", "staging", "token"]).output().unwrap();
    assert_eq!(code(&out), 2);
}

/// `vipps-om emulator` as a server: its banner, then requests until a signal.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Server {
    fn start(state: &Path, log: PathBuf) -> Server {
        let mut child = vipps_om()
            .args(["--json", "emulator", "--port", "0", "--state", state.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let banner = common::read_banner(&mut child);
        assert_eq!(banner["clientId"], emulator::CLIENT_ID);
        Server {
            child,
            base: banner["baseUrl"].as_str().unwrap().to_owned(),
            log,
        }
    }

    /// Sends the signal, then returns the exit status and the log.
    fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        let _ = Command::new("kill").args([signal, &self.child.id().to_string()]).status();
        let status = self.child.wait().unwrap();
        (status, std::fs::read_to_string(&self.log).unwrap())
    }
}

#[test]
#[cfg(unix)]
fn the_emulator_server_keeps_its_state_across_restarts_and_stops_on_a_signal() {
    let state = std::env::temp_dir().join(format!("vipps-om-state-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let receipt = temp_file("server-receipt.json", RECEIPT);
    let server = Server::start(&state, temp_file("server-1.log", ""));
    let out = run_at(&server.base, &["post-receipt", "ecom", "kept-1", receipt.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    // Another merchant does not see it.
    let out = run_at(&server.base, &["--msn", "999999", "get-order", "ecom", "kept-1"]);
    assert_eq!(code(&out), 4);
    let (status, log) = server.stop("-TERM");
    assert!(status.success(), "stopped cleanly on SIGTERM: {status:?}\n{log}");
    // One line per request: each run's token, the receipt, the other
    // merchant's get.
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert!(lines[1].contains("POST /order-management/v2/ECOM/receipts/kept-1 -> 201"), "{log}");
    // The state file is a journal: a header, then one line per change.
    let saved = std::fs::read_to_string(&state).unwrap();
    let lines: Vec<Value> = saved.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0], json!({"vippsOmEmulatorState": 2}), "{saved}");
    assert!(
        lines[1..]
            .iter()
            .any(|c| c["change"] == "receipt" && c["msn"] == "123456" && c["order"] == "ECOM/kept-1"),
        "{saved}"
    );
    // A new server on the same file has it; Ctrl-C (SIGINT) stops it too.
    let server = Server::start(&state, temp_file("server-2.log", ""));
    let out = run_at(&server.base, &["--json", "get-order", "ecom", "kept-1"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(json_of(&out.stdout)["receipt"], json_of(RECEIPT.as_bytes()));
    let (status, log) = server.stop("-INT");
    assert!(status.success(), "stopped cleanly on SIGINT: {status:?}\n{log}");
    std::fs::remove_file(&state).unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_files_are_refused_after_a_limit() {
    let emu = Emulator::start().await.unwrap();
    for args in [
        vec!["--json", "upload-image", "/dev/zero"],
        vec!["--json", "post-receipt", "ecom", "o-1", "/dev/zero"],
    ] {
        let out = run_at(&emu.base_url(), &args);
        assert_eq!(code(&out), 1, "{args:?}: {}", text(&out.stderr));
        let e = json_of(&out.stderr)["error"].clone();
        assert_eq!(e["kind"], "invalid");
        assert!(e["message"].as_str().unwrap().contains("/dev/zero is larger than"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_flags_and_odd_arguments_are_refused_not_guessed() {
    let emu = Emulator::start().await.unwrap();
    // `--base-url "$UNSET"` must not fall back to the real servers.
    for args in [["--json", "--base-url", "", "token"], ["--json", "--msn", " ", "token"]] {
        let out = run_at(&emu.base_url(), &args);
        assert_eq!(code(&out), 3, "{args:?}");
        let e = json_of(&out.stderr)["error"].clone();
        assert_eq!(e["kind"], "configuration");
        assert!(e["message"].as_str().unwrap().contains("is empty"), "{e}");
    }
    // An argument that is not UTF-8: a usage error, not a crash.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bad = std::ffi::OsStr::from_bytes(b"\xff");
        for json_first in [true, false] {
            let mut cmd = vipps_om();
            if json_first {
                cmd.arg("--json");
            }
            cmd.args(["get-order".as_ref(), "ecom".as_ref(), bad]);
            if !json_first {
                cmd.arg("--json");
            }
            let out = cmd.output().unwrap();
            assert_eq!(code(&out), 2, "{}", text(&out.stderr));
            assert!(!text(&out.stderr).contains("panicked"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_file_loses_no_field_silently() {
    let emu = Emulator::start().await.unwrap();
    let typo = temp_file(
        "typo.json",
        r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500,"isShiping":true,"discount":null}],
            "bottomLine":{"currency":"NOK","recieptNumber":"R-77","giftCardAmount":500,"terminalId":"T-9"}}"#,
    );
    let out = run_at(
        &emu.base_url(),
        &["--json", "post-receipt", "ecom", "typo-1", typo.to_str().unwrap()],
    );
    assert_eq!(code(&out), 1, "{}", text(&out.stderr));
    let message = json_of(&out.stderr)["error"]["message"].as_str().unwrap().to_owned();
    for name in [
        "orderLines[0].isShiping (not a field",
        "bottomLine.recieptNumber (not a field",
        "bottomLine.giftCardAmount (deprecated",
        "bottomLine.terminalId (deprecated",
    ] {
        assert!(message.contains(name), "{name} not in {message}");
    }
    assert!(!message.contains("discount"), "a null is no loss: {message}");
    assert_eq!(emu.receipt_count(), 0, "nothing was sent");
    // A byte order mark (as Windows editors write) is no problem.
    let bom = temp_file("bom.json", &format!("\u{feff}{RECEIPT}"));
    assert_eq!(
        code(&run_at(&emu.base_url(), &["post-receipt", "ecom", "bom-1", bom.to_str().unwrap()])),
        0
    );
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_that_cannot_be_written_is_a_failure() {
    let emu = Emulator::start().await.unwrap();
    let out = vipps_om()
        .env("VIPPS_BASE_URL", emu.base_url())
        .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .args(["add-category", "ecom", "full-1", "TICKET", "https://e.example/x"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&out), 5, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("could not be written"));
}

/// `--json get-order` prints the answer as the service sent it: every
/// field (deprecated and unknown ones), numbers exact, nothing reordered
/// into another meaning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_get_order_prints_the_answer_as_received() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let answer = json!({
        "category": {"category": "RECEIPT", "orderDetailsUrl": "https://shop.example/o/1", "imageId": null, "futureField": [1, 2]},
        "receipt": {
            "orderLines": [{"name": "Æble", "id": "1", "totalAmount": 9223372036854775807_i64, "totalAmountExcludingTax": 0,
                            "totalTaxAmount": -9223372036854775808_i64, "taxPercentage": 25, "unitInfo": {"unitPrice": null, "quantity": "0.12345678"}}],
            "bottomLine": {"currency": "NOK", "giftCardAmount": 100, "terminalId": "T-1", "shippingInfo": {"amount": 1, "amountExcludingTax": null, "taxAmount": 0, "taxPercentage": 25}}
        }
    });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "t", "expires_in": "3600"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;
    let out = run_at(&server.uri(), &["--json", "get-order", "ecom", "o-1"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(json_of(&out.stdout), answer);
}

/// `vipps-om check`: every item passes against the emulator with the
/// system headers set; the exit code says whether every checked item
/// passed; the failing item is named with what to do; the tool does not
/// put its own name in the merchant's system headers; and nothing is
/// written unless asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_verifies_the_configuration_item_by_item() {
    let emu = Emulator::start().await.unwrap();
    let base = emu.base_url();
    let with_system = |args: &[&str]| {
        vipps_om()
            .env("VIPPS_BASE_URL", &base)
            .env("VIPPS_CLIENT_ID", emulator::CLIENT_ID)
            .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
            .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
            .env("VIPPS_MSN", emulator::MSN)
            .env("VIPPS_SYSTEM_NAME", "acme-shop")
            .env("VIPPS_SYSTEM_VERSION", "4.2.0")
            .args(args)
            .output()
            .unwrap()
    };
    let out = with_system(&["--json", "check"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    let report = json_of(&out.stdout);
    assert_eq!(report["passed"], true);
    assert_eq!(report["items"].as_array().unwrap().len(), 10);
    assert!(
        report["items"].as_array().unwrap().iter().all(|i| i["status"] != "failed"),
        "{report}"
    );
    assert_eq!(report["items"][9]["name"], "write");
    assert_eq!(report["items"][9]["status"], "not_checked");
    assert!(emu.categories_v3().is_empty() && emu.category(vipps_order_management::PaymentType::Ecom, "check-1").is_none());
    // Asked to write: it writes and reads back.
    let out = with_system(&["check", "--write", "check-1"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("read back"), "{}", text(&out.stdout));
    assert!(emu.category(vipps_order_management::PaymentType::Ecom, "check-1").is_some());
    // Without system headers: the item fails, exit 1, what to do said.
    let out = run_at(&base, &["check"]);
    assert_eq!(code(&out), 1);
    let shown = text(&out.stdout);
    assert!(shown.contains("FAILED") && shown.contains("VIPPS_SYSTEM_NAME"), "{shown}");
    // Refused credentials: the token item fails, the rest is not checked.
    let out = vipps_om()
        .env("VIPPS_BASE_URL", &base)
        .env("VIPPS_CLIENT_ID", "not-the-shops")
        .env("VIPPS_CLIENT_SECRET", emulator::CLIENT_SECRET)
        .env("VIPPS_SUBSCRIPTION_KEY", emulator::SUBSCRIPTION_KEY)
        .env("VIPPS_MSN", emulator::MSN)
        .args(["--json", "check"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let report = json_of(&out.stdout);
    assert_eq!(report["items"][0]["name"], "token");
    assert_eq!(report["items"][0]["status"], "failed");
    assert!(report["items"][0]["whatToDo"].as_str().unwrap().contains("portal.vipps.no"));
    // --yes-production means nothing without --write.
    let out = with_system(&["check", "--yes-production"]);
    assert_eq!(code(&out), 2, "{}", text(&out.stderr));
    // An order id or link the API would refuse is a usage error, before
    // anything is sent.
    let before = emu.requests().len();
    for args in [
        &["--json", "check", "--write", "../x"][..],
        &["--json", "check", "--write", "check-2", "--url", "http://shop.example/o"],
    ] {
        let out = with_system(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", text(&out.stderr));
        let error = json_of(&out.stderr);
        assert_eq!(error["error"]["kind"], "usage", "{error}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(emu.requests().len(), before, "nothing was sent");
}
