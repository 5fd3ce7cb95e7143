//! TRACE-level logs of a whole flow, errors and retries included, hold no
//! secret. The only test in this binary (it installs a global subscriber).

mod common;

use common::{assert_clean, Captured, PNG};
use vipps_order_management_emulator::{self as emulator, Emulator, Fault};

use vipps_order_management::{Category, CategoryType, ImageUpload, Operation};

#[tokio::test]
async fn trace_logs_of_a_whole_flow_hold_no_secret() {
    let captured = Captured::default();
    let subscriber = captured.subscriber(tracing::Level::TRACE);
    // Global, and alone in this test binary: tracing caches callsite
    // interest process-wide, so a thread-local subscriber would miss events.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client();
    let image = client.images().upload(&ImageUpload::from_bytes(PNG).unwrap()).await.unwrap();
    let order = client.ecom("flow-1");
    order
        .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/o/1").with_image(image))
        .await
        .unwrap();
    // A failure and a retry, and an expired token, so error paths log too.
    emulator.inject(Fault::status(503).only(Operation::PostReceipt));
    emulator.expire_tokens();
    order.post_receipt(&common::receipt_of("Socks")).await.unwrap();
    order.get().await.unwrap();
    let _ = client.ecom("missing").get().await.unwrap_err();

    let tokens: Vec<String> = emulator
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(|v| v.trim_start_matches("Bearer ").to_owned()))
        .collect();
    assert!(tokens.len() >= 2);
    let logs = captured.text();
    assert!(
        logs.contains("post_receipt") && logs.contains("retrying"),
        "the flow was not logged: {logs}"
    );
    // Each call ends in one line that says how: a success, or a failure
    // with its status (the order that is missing answered 404).
    assert!(
        logs.lines().any(|l| l.contains("call succeeded") && l.contains("get_order")),
        "{logs}"
    );
    assert!(
        logs.lines().any(|l| l.contains("call failed") && l.contains("status=404")),
        "{logs}"
    );
    assert!(
        !logs.lines().any(|l| l.contains("call failed") && l.contains("status=200")),
        "{logs}"
    );
    let mut secrets: Vec<&str> = vec![emulator::CLIENT_SECRET, emulator::SUBSCRIPTION_KEY];
    secrets.extend(tokens.iter().map(String::as_str));
    assert_clean(&logs, &secrets);

    // A request its client gives up on while the answer is held back still
    // gets its one line: what it changed is in the log.
    emulator.inject(Fault::stall(std::time::Duration::from_secs(3600)).only(Operation::GetOrder));
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr()).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut stream,
        b"GET /order-management/v2/ECOM/given-up-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n",
    )
    .await
    .unwrap();
    common::without_hanging("the request to be received", async {
        while !emulator.requests().iter().any(|r| r.path.ends_with("/given-up-1")) {
            tokio::task::yield_now().await;
        }
    })
    .await;
    drop(stream);
    common::without_hanging("the line of the request given up on", async {
        loop {
            let logs = captured.text();
            if logs
                .lines()
                .any(|l| l.contains("GET /order-management/v2/ECOM/given-up-1 -> ended without an answer"))
            {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}
