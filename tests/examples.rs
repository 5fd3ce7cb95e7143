//! The examples, run as a user runs them, offline on the emulator. `cargo
//! test` builds the examples next to this test.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The example's binary, built now with this test's own features: cargo
/// rebuilds it when its sources changed and does nothing otherwise, so the
/// test never runs a binary older than the code.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if cfg!(feature = "native-tls") {
        build.args(["--features", "native-tls"]);
    }
    if !cfg!(feature = "rustls") {
        build.arg("--no-default-features");
    }
    assert!(build.status().unwrap().success(), "building the {name} example failed");
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn run(name: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(example(name));
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
        "changed cart: 409",
    ] {
        assert!(stdout.contains(needle), "{needle} missing in:\n{stdout}");
    }
}
