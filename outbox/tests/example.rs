//! The offline example, run as a newcomer runs it (`cargo run -p
//! vipps-order-management-outbox --example offline`): its story holds.
#![cfg(feature = "sqlite")]

use std::process::Command;

#[test]
fn the_offline_example_delivers_every_receipt_once_and_shows_the_dead_one() {
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "-p", "vipps-order-management-outbox", "--example", "offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    assert!(build.status().unwrap().success(), "building the offline example failed");
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let out = Command::new(dir.join(format!("offline{}", std::env::consts::EXE_SUFFIX)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for said in [
        "20 orders captured",
        "the first worker was killed",
        "delivered: 19 receipts, 1 of them found already stored",
        "receipts the emulator holds: 20 (one per order)",
        "dead: order-13",
        "a different receipt is already stored for this order",
    ] {
        assert!(stdout.contains(said), "{said:?} missing:\n{stdout}");
    }
}
