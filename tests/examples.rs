//! The quick start and the support CLI, run as a user runs them, offline
//! on the emulator. `cargo test` builds the examples next to this test.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        // Only this test target was built (`cargo test --test examples`).
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", name, "--features", "emulator"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success());
    }
    path
}

fn run(name: &str, args: &[&str]) -> Output {
    let program = match name {
        "vipps-om" => PathBuf::from(env!("CARGO_BIN_EXE_vipps-om")),
        _ => example(name),
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("VIPPS_") {
            cmd.env_remove(key);
        }
    }
    cmd.output().unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn quickstart_runs_offline_to_a_printed_order() {
    let out = run("quickstart", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let first = stdout.lines().next().unwrap();
    assert!(first.contains("emulator"), "first line: {first}");
    for needle in [
        "Wool socks",
        "[shipping]",
        "[returned]",
        "-199.00",
        "Sum (NOK)",
        "358.00",
        "Category: RECEIPT -> https://shop.example.com/orders/quickstart-",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in:\n{stdout}");
    }
}

#[test]
fn cli_commands_on_the_emulator() {
    let out = run("vipps-om", &["--emulator", "token"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("token OK: valid for"));
    assert!(!text(&out.stdout).contains("eyJ"), "the token itself must not be printed");

    let logo = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/assets/receipt-logo.png");
    let out = run("vipps-om", &["--emulator", "upload-image", logo, "--id", "logo-1"]);
    assert_eq!(text(&out.stdout).trim(), "logo-1");

    let out = run(
        "vipps-om",
        &[
            "--emulator",
            "put-category",
            "ecom",
            "o-1",
            "RECEIPT",
            "https://shop.example/o/1",
            "--image",
            "logo-1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let receipt = std::env::temp_dir().join(format!("vipps-om-test-{}.json", std::process::id()));
    std::fs::write(
        &receipt,
        r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}"#,
    )
    .unwrap();
    let out = run(
        "vipps-om",
        &["--emulator", "post-receipt", "recurring", "charge-1", receipt.to_str().unwrap()],
    );
    assert!(
        text(&out.stdout).starts_with("receipt posted for charge-1"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_file(&receipt).unwrap();

    let out = run(
        "vipps-om",
        &["--emulator", "add-category", "ecom", "o-1", "TICKET", "https://shop.example/t/1"],
    );
    assert!(uuid_like(text(&out.stdout).trim()), "{}", text(&out.stdout));
    let out = run("vipps-om", &["--emulator", "list-categories", "o-1"]);
    assert_eq!(text(&out.stdout).trim(), "[]", "a fresh emulator has none");

    // API error: exit 1, human message on stderr.
    let out = run("vipps-om", &["--emulator", "get-order", "ecom", "nothing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("404 Not Found") && text(&out.stderr).contains("no category or receipt"));
    let out = run("vipps-om", &["--emulator", "get-category", "337f5e5d-288b-40d5-be14-901cc3acacc0"]);
    assert_eq!(out.status.code(), Some(1));
    // Validation error: exit 1, nothing sent.
    let out = run(
        "vipps-om",
        &["--emulator", "put-category", "ecom", "bad id", "RECEIPT", "https://x.example"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("orderId"));
    // Usage errors: exit 2.
    assert_eq!(run("vipps-om", &["--emulator", "get-order", "bitcoin", "x"]).status.code(), Some(2));
    assert_eq!(run("vipps-om", &["frobnicate"]).status.code(), Some(2));
    // Without VIPPS_* and without --emulator: the missing variable is named.
    let out = run("vipps-om", &["token"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("VIPPS_CLIENT_ID"));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[test]
fn the_merchant_examples_run_offline() {
    let out = run("partner", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for needle in [
        "Bakery Bergen (212121) sees: Order at Bakery Bergen",
        "Bikes Oslo (343434) sees: Order at Bikes Oslo",
        "565656 sees: nothing (404)",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in:\n{stdout}");
    }
    let out = run("recurring", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("receipt posted for charge chr-") && stdout.contains("Sum (NOK)"),
        "{stdout}"
    );
    let out = run("web_handler", &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for needle in [
        r#"delivery 1: 200 OK {"alreadyStored":false"#,
        r#"delivery 2: 200 OK {"alreadyStored":true"#,
        "bad cart: 422",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in:\n{stdout}");
    }
}
