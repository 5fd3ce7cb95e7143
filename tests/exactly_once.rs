//! Receipts posted exactly once whatever fails: answers lost after the
//! store (5xx, dropped connections, timeouts), restarts between tries, a
//! server that normalises what it stores, a 409 reconciled on the first
//! attempt and across calls, a different stored receipt a conflict, an
//! image whose answer was lost stored once, and a chaos run of 200 orders.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vipps_order_management::{Amount, TaxRate};
use vipps_order_management::{
    Client, Currency, Error, ImageUpload, Operation, OrderLine, PaymentType, Quantity, QuantityUnit, Receipt, RetryPolicy, UnitInfo,
};
use vipps_order_management_emulator::{Emulator, Fault};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn receipt(name: &str, amount: i64) -> Receipt {
    let line = OrderLine::new(
        "sku-1",
        name,
        Amount::from_minor(amount),
        Amount::from_minor(amount - amount / 5),
        TaxRate::percent(25),
    );
    let mut r = Receipt::new(Currency::Nok, vec![line]);
    r.bottom_line.receipt_number = Some("100042".into());
    r
}

/// The receipt POST for `o-1` answers 409 once: a receipt is stored.
async fn receipt_post_answers_409(server: &wiremock::MockServer) {
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/o-1"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"title": "Conflict", "detail": "exists", "instance": "i"})))
        .expect(1)
        .mount(server)
        .await;
}

/// A client that retries at once, so faults cost no waiting.
fn quick(emu: &Emulator) -> Client {
    emu.client_builder()
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_receipt_stored_then_answered_5xx_or_dropped_is_success() {
    let faults = [
        ("500", Fault::status(500)),
        ("502", Fault::status(502)),
        ("503", Fault::status(503)),
        ("504", Fault::status(504)),
        ("dropped connection", Fault::drop_connection()),
    ];
    for (what, fault) in faults {
        let emu = Emulator::start().await.unwrap();
        emu.inject(fault.after_store().only(Operation::PostReceipt));
        let posted = quick(&emu).ecom("o-1").post_receipt(&receipt("Socks", 1250)).await;
        let posted = posted.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(posted.already_stored, "{what}");
        assert_eq!(emu.receipt_count(), 1, "{what}");
        assert_eq!(emu.requests_for(Operation::PostReceipt).len(), 2, "{what}: the POST and its retry");
        assert_eq!(emu.requests_for(Operation::GetOrder).len(), 1, "{what}: one reconciling get");
    }
}

#[tokio::test]
async fn a_later_call_after_a_lost_last_attempt_or_a_restart_succeeds() {
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::status(504).after_store().only(Operation::PostReceipt));
    // The only attempt is stored, and its answer lost: the call fails, and
    // says what to do.
    let once = emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let err = once.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(504));
    assert!(err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains("may or may not have been stored") && text.contains("post_receipt again"),
        "{text}"
    );
    // The job runs again later, in a new process with a new client.
    let restarted = emu.client();
    let posted = restarted.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap();
    assert!(posted.already_stored);
    // And any number of times more.
    for _ in 0..3 {
        assert!(
            restarted
                .ecom("o-1")
                .post_receipt(&receipt("Socks", 1250))
                .await
                .unwrap()
                .already_stored
        );
    }
    assert_eq!(emu.receipt_count(), 1);
}

#[tokio::test]
async fn a_timeout_on_a_receipt_says_calling_again_is_safe() {
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::stall(Duration::from_secs(3)).only(Operation::PostReceipt));
    let client = emu
        .client_builder()
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Call post_receipt again") && text.contains("never stores a receipt twice"),
        "{text}"
    );
}

/// What a server might do to a receipt it stores: fill in defaults, write
/// quantities with trailing zeros, add the deprecated percentage, send
/// `null` for what was absent.
fn as_a_server_stores_it(r: &Receipt) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    for line in v["orderLines"].as_array_mut().unwrap() {
        let rate = line["taxRate"].as_i64().unwrap();
        line["taxPercentage"] = json!(rate / 100);
        line["isReturn"] = json!(false);
        line["isShipping"] = json!(null);
        line["discount"] = json!(0);
        line["productUrl"] = json!(null);
        if let Some(info) = line.get_mut("unitInfo").and_then(|i| i.as_object_mut()) {
            let q = info["quantity"].as_str().unwrap().to_owned();
            info.insert(
                "quantity".into(),
                json!(if q.contains('.') { format!("{q}0") } else { format!("{q}.00") }),
            );
            info.entry("quantityUnit").or_insert(json!("PCS"));
        }
    }
    v["bottomLine"]["tipAmount"] = json!(0);
    v["bottomLine"]["posId"] = json!(null);
    v["bottomLine"]["paymentSources"] = json!({"giftCard": null, "card": 0});
    v
}

#[tokio::test]
async fn the_stored_receipt_is_compared_as_the_service_may_store_it() {
    let mut sent = receipt("Socks", 1250);
    let mut pieces = UnitInfo::new(Amount::from_minor(625), Quantity::from(2), QuantityUnit::Pcs);
    pieces.quantity_unit = None;
    sent.order_lines[0].unit_info = Some(pieces);
    let mut other_unit = sent.clone();
    other_unit.order_lines[0].unit_info.as_mut().unwrap().quantity_unit = Some(QuantityUnit::Kg);
    for (stored, same) in [(sent.clone(), true), (other_unit, false)] {
        let server = server_with_token(1).await;
        Mock::given(method("POST"))
            .and(path("/order-management/v2/ECOM/receipts/o-1"))
            .respond_with(ResponseTemplate::new(409).set_body_json(json!({"title": "Conflict", "detail": "exists", "instance": "i"})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/order-management/v2/ECOM/o-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "receipt": as_a_server_stores_it(&stored) })))
            .expect(1)
            .mount(&server)
            .await;
        let result = client(&server).ecom("o-1").post_receipt(&sent).await;
        match (same, result) {
            (true, Ok(posted)) => assert!(posted.already_stored),
            (false, Err(Error::ReceiptConflict { stored, .. })) => {
                assert_eq!(stored.order_lines[0].unit_info.as_ref().unwrap().quantity.as_str(), "2.00")
            }
            (same, other) => panic!("same = {same}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_reconciling_get_that_fails_leaves_the_receipt_unverified_and_retryable() {
    let server = server_with_token(1).await;
    receipt_post_answers_409(&server).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    let Error::ReceiptUnverified { source: Some(source), .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(
            **source,
            Error::Api {
                operation: Operation::GetOrder,
                ..
            }
        ),
        "{source:?}"
    );
    assert!(err.is_retryable() && !err.is_conflict() && !err.is_not_found());
    assert!(err.to_string().starts_with("A receipt is already stored"), "{err}");
}

#[tokio::test]
async fn the_reconciling_get_runs_under_the_receipt_calls_deadline() {
    let server = server_with_token(1).await;
    receipt_post_answers_409(&server).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10)))
        .expect(1..)
        .mount(&server)
        .await;
    let deadline = Duration::from_millis(700);
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().deadline(deadline))
        .build()
        .unwrap();
    client.warm_up().await.unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    let Error::ReceiptUnverified { source: Some(source), .. } = &err else {
        panic!("{err:?}")
    };
    // The get-order ended at the receipt call's deadline (its own attempt
    // timeout, 10 s by default, would say so instead).
    assert!(
        matches!(**source, Error::Timeout { operation: Operation::GetOrder, after, .. } if after == deadline),
        "{source:?}"
    );
}

#[tokio::test]
async fn an_existing_image_is_success_under_its_content_id_on_any_attempt() {
    let upload = ImageUpload::from_bytes(PNG).unwrap();
    let content_path = "/order-management/v1/images";
    for refusal in [
        ResponseTemplate::new(409).set_body_json(json!({"title": "Conflict", "detail": "exists", "instance": "i"})),
        ResponseTemplate::new(400).set_body_json(json!({"title": "Bad Request", "detail": "Duplicate imageId", "instance": "i"})),
    ] {
        let server = server_with_token(1).await;
        Mock::given(method("POST"))
            .and(path(content_path))
            .respond_with(refusal)
            .expect(2)
            .mount(&server)
            .await;
        let client = client(&server);
        // The first attempt of a call, under the content-derived id: success.
        assert_eq!(&client.images().upload(&upload).await.unwrap(), upload.id());
        // Under an id of one's own it is a refusal: the id may hold another picture.
        let err = client.images().upload(&upload.clone().with_id("logo")).await.unwrap_err();
        assert!(matches!(err.status().map(|s| s.as_u16()), Some(409 | 400)), "{err:?}");
    }
    // An own id stored and then answered 5xx: the call's own retry succeeds.
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::status(502).after_store().only(Operation::UploadImage));
    let named = upload.with_id("logo");
    assert_eq!(quick(&emu).images().upload(&named).await.unwrap().as_str(), "logo");
    assert_eq!(emu.image_ids(), vec!["logo".to_owned()]);
}

/// At least 200 orders; each POST at random fails before the store (503,
/// 429) or after it (500, 504, a dropped connection), or goes through. The
/// merchant's loop calls `post_receipt` until `Ok`. Every order ends with
/// exactly its own receipt, every loop with `Ok`, and no call reports a
/// conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_every_order_gets_exactly_its_own_receipt() {
    const ORDERS: usize = 200;
    const TRIES: usize = 50;
    let emu = Emulator::start().await.unwrap();
    let mut rng = fastrand::Rng::with_seed(20261127);
    let mut injected = [0usize; 6];
    for _ in 0..ORDERS * 3 {
        let kind = rng.usize(0..6);
        injected[kind] += 1;
        let fault = match kind {
            0 => Fault::stall(Duration::ZERO), // goes through
            1 => Fault::status(503),
            2 => Fault::status(429),
            3 => Fault::status(500).after_store(),
            4 => Fault::status(504).after_store(),
            _ => Fault::drop_connection().after_store(),
        };
        emu.inject(fault.only(Operation::PostReceipt));
    }
    let client = quick(&emu);
    client.warm_up().await.unwrap();
    let mut loops = tokio::task::JoinSet::new();
    for i in 0..ORDERS {
        let client = client.clone();
        loops.spawn(async move {
            let order = format!("chaos-{i}");
            let mine = receipt(&format!("Item {i}"), 1000 + i as i64 * 5);
            let (mut errors, mut conflicts) = (0, 0);
            for _ in 0..TRIES {
                match client.ecom(&order).post_receipt(&mine).await {
                    Ok(posted) => return (order, mine, Ok(posted.already_stored), errors, conflicts),
                    Err(e) => {
                        conflicts += usize::from(e.is_conflict());
                        errors += 1;
                    }
                }
            }
            (order, mine, Err(()), errors, conflicts)
        });
    }
    let (mut reconciled, mut failed_calls) = (0, 0);
    while let Some(done) = loops.join_next().await {
        let (order, mine, outcome, errors, conflicts) = done.unwrap();
        let already = outcome.unwrap_or_else(|()| panic!("{order}: no Ok in {TRIES} calls"));
        assert_eq!(conflicts, 0, "{order} reported a conflict");
        reconciled += usize::from(already);
        failed_calls += errors;
        assert_eq!(emu.receipt(PaymentType::Ecom, &order), Some(mine), "{order}");
    }
    assert_eq!(emu.receipt_count(), ORDERS);
    let posts = emu.requests_for(Operation::PostReceipt).len();
    assert!(posts > ORDERS, "faults were met ({posts} POSTs for {ORDERS} orders)");
    assert!(reconciled > 0, "some answers were lost after the store and reconciled");
    println!("chaos: {ORDERS} orders, {posts} POSTs, faults {injected:?}, {reconciled} reconciled, {failed_calls} calls failed and were called again");
}

/// After an attempt that may have stored the receipt, no error of the same
/// call says that nothing was changed or sent.
#[tokio::test]
async fn no_error_claims_nothing_changed_after_an_attempt_that_may_have_stored() {
    // A stored 500, then rate limited until the attempts run out.
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::status(500).after_store().only(Operation::PostReceipt));
    emu.inject(Fault::status(429).times(2).only(Operation::PostReceipt));
    let err = quick(&emu).ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert_eq!(emu.receipt_count(), 1);
    assert!(matches!(err, Error::Api { uncertain: true, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        !text.contains("Nothing was changed") && text.contains("may have taken effect"),
        "{text}"
    );
    assert!(text.contains("Call post_receipt again"), "{text}");
    // A dropped connection after the store, then a Retry-After beyond the deadline.
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::drop_connection().after_store().only(Operation::PostReceipt));
    emu.inject(Fault::status(429).retry_after("3600").only(Operation::PostReceipt));
    let err = quick(&emu).ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { uncertain: true, .. }), "{err:?}");
    assert!(!err.to_string().contains("Nothing was changed"), "{err}");
    // A 503 after the store, then the reconciling get fails: no claim either.
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::status(503).after_store().only(Operation::PostReceipt));
    emu.inject(Fault::status(503).times(3).only(Operation::GetOrder));
    let err = quick(&emu).ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert!(matches!(err, Error::ReceiptUnverified { .. }) && err.is_retryable(), "{err:?}");
    assert!(!err.to_string().contains("Nothing was changed"), "{err}");
}

/// The receipt POST is read, the connection closed, and the server gone:
/// the retry cannot connect, and the error still says the receipt may have
/// been stored.
#[tokio::test]
async fn a_refused_retry_after_a_lost_answer_says_the_receipt_may_be_stored() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head and the whole body (by Content-Length).
            loop {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).to_string();
                if let Some(head_end) = text.find("\r\n\r\n") {
                    let length = text[..head_end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if seen.len() >= head_end + 4 + length {
                        break;
                    }
                }
            }
            if seen.starts_with(b"POST /accesstoken/get") {
                let _ = socket.write_all(raw_token_answer().as_bytes()).await;
            } else {
                // The receipt arrived; the connection closes without an
                // answer, and the server stops listening.
                drop(socket);
                return;
            }
        }
    });
    let client = builder_for(base)
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert!(matches!(err, Error::Transport { uncertain: true, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        !text.contains("Nothing was sent") && text.contains("may have taken effect"),
        "{text}"
    );
}

#[tokio::test]
async fn a_status_http_cannot_carry_is_a_500_not_a_success() {
    let emu = Emulator::start().await.unwrap();
    emu.inject(Fault::status(1000).only(Operation::PostReceipt));
    let once = emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let err = once.ecom("o-1").post_receipt(&receipt("Socks", 1250)).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
    assert_eq!(emu.receipt_count(), 0);
}

#[tokio::test]
async fn a_receipt_whose_answer_was_lost_is_stored_once() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client_builder().timeout(Duration::from_millis(300)).build().unwrap();
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::PostReceipt));
    let posted = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    assert!(posted.already_stored);
    assert_eq!(emu.receipt_count(), 1);
    assert_eq!(emu.requests_for(Operation::PostReceipt).len(), 2);
    assert_eq!(emu.requests_for(Operation::GetOrder).len(), 1);
}

#[tokio::test]
async fn a_different_stored_receipt_is_a_conflict_error() {
    let emu = Emulator::start().await.unwrap();
    emu.client().ecom("o-1").post_receipt(&receipt_of("Hat")).await.unwrap();
    let client = emu.client_builder().timeout(Duration::from_millis(300)).build().unwrap();
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::PostReceipt));
    let err = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap_err();
    match &err {
        Error::ReceiptConflict { sent, stored, .. } => {
            assert_eq!(sent.order_lines[0].name, "Socks");
            assert_eq!(stored.order_lines[0].name, "Hat");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_conflict());
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt_of("Hat")));
}

#[tokio::test]
async fn a_409_on_the_first_attempt_is_reconciled_across_calls() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    assert!(!client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap().already_stored);
    // A later call (another try of the job, another process) with the same
    // receipt: stored already, so success.
    let again = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    assert!(again.already_stored);
    // A different receipt for the order: a conflict carrying both.
    let err = client.ecom("o-1").post_receipt(&receipt_of("Hat")).await.unwrap_err();
    assert!(err.is_conflict() && matches!(err, Error::ReceiptConflict { .. }), "{err:?}");
    assert_eq!(emu.requests_for(Operation::PostReceipt).len(), 3, "one per call");
    assert_eq!(emu.requests_for(Operation::GetOrder).len(), 2, "one per 409");
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt_of("Socks")));
}

#[tokio::test]
async fn an_image_upload_whose_answer_was_lost_succeeds_once() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client_builder().timeout(Duration::from_millis(300)).build().unwrap();
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::UploadImage));
    let upload = ImageUpload::from_bytes(PNG).unwrap();
    let id = client.images().upload(&upload).await.unwrap();
    assert_eq!(&id, upload.id());
    assert_eq!(emu.image_ids().len(), 1);
    assert_eq!(emu.requests_for(Operation::UploadImage).len(), 2);
    // The same under an id of one's own: the call's own retry succeeds...
    let named = upload.clone().with_id("logo-1");
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::UploadImage));
    assert_eq!(client.images().upload(&named).await.unwrap().as_str(), "logo-1");
    // ...but a later, separate upload under that id is a conflict: the id
    // alone does not say which picture is stored under it.
    assert!(client.images().upload(&named).await.unwrap_err().is_conflict());
}
