//! Retries, timeouts, tokens under stress, exactly-once writes and the
//! client's defences, each with exact request counts.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vipps_order_management_emulator::{Emulator, Fault};

use vipps_order_management::{
    reqwest, Category, CategoryType, Client, Error, ErrorBody, ErrorKind, ImageUpload, Operation, PaymentType, Receipt, RetryPolicy,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn receipt(name: &str) -> Receipt {
    receipt_of(name)
}

fn category() -> Category {
    Category::new(CategoryType::Receipt, "https://shop.example/o/1")
}

/// Calls one operation by HTTP method: GET get order, PUT category, POST receipt.
async fn call(client: &Client, http_method: &str, order_id: &str) -> Result<(), Error> {
    let order = client.ecom(order_id);
    match http_method {
        "GET" => order.get().await.map(drop),
        "PUT" => order.put_category(&category()).await,
        _ => order.post_receipt(&receipt("Socks")).await.map(drop),
    }
}

fn order_path(http_method: &str, order_id: &str) -> String {
    match http_method {
        "GET" => format!("/order-management/v2/ECOM/{order_id}"),
        "PUT" => format!("/order-management/v2/ECOM/categories/{order_id}"),
        _ => format!("/order-management/v2/ECOM/receipts/{order_id}"),
    }
}

#[tokio::test]
async fn each_status_and_method_gets_the_exact_number_of_attempts() {
    for status in [400u16, 401, 403, 404, 409, 422, 423, 429, 500, 502, 503, 504] {
        let attempts: u64 = match status {
            401 => 2,
            423 | 429 | 500 | 502 | 503 | 504 => 3,
            _ => 1,
        };
        // A 401 costs a token refresh per call: three calls, one start.
        let token_fetches = if status == 401 { 4 } else { 1 };
        let server = server_with_token(token_fetches).await;
        for m in ["GET", "PUT", "POST"] {
            // A receipt's 409 is reconciled with one more get-order (which
            // here answers 409 too, so the receipt stays unverified).
            let expected = if status == 409 && m == "GET" { 2 } else { attempts };
            Mock::given(method(m))
                .and(path(order_path(m, "o-1")))
                .respond_with(ResponseTemplate::new(status).set_body_json(json!({"title": "x", "detail": "y", "instance": "z"})))
                .expect(expected)
                .named(format!("{m} answered {status}"))
                .mount(&server)
                .await;
        }
        let client = client(&server);
        for m in ["GET", "PUT", "POST"] {
            let err = call(&client, m, "o-1").await.unwrap_err();
            assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{m} {status}: {err:?}");
        }
        server.verify().await;
    }
}

async fn first_then_ok(server: &MockServer, first: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(first)
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = server_with_token(1).await;
    first_then_ok(&server, ResponseTemplate::new(429).insert_header("Retry-After", "1")).await;
    let started = Instant::now();
    client(&server).ecom("o-1").get().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited only {:?}", started.elapsed());
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = server_with_token(1).await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    first_then_ok(&server, ResponseTemplate::new(503).insert_header("Retry-After", at.as_str())).await;
    let started = Instant::now();
    client(&server).ecom("o-1").get().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited only {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_over_long_retry_after_fails_at_once_and_garbage_is_ignored() {
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/long"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/garbage"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "whenever"))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.ecom("long").get().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert!(err.to_string().contains("asked to wait 3600s"), "{err}");
    let err = client.ecom("garbage").get().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    // A thousand attempts allowed, 10 to 40 ms apart: only the 400 ms
    // deadline can end the call before the retry budget does (100 retries,
    // then `RetriesWithheld`), so an ordinary 503 after fewer than 100
    // requests shows that the deadline ended it.
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1..100)
        .mount(&server)
        .await;
    let policy = RetryPolicy::default()
        .max_attempts(1000)
        .base_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(40))
        .deadline(Duration::from_millis(400));
    let client = builder(&server).retry_policy(policy).retry_seed(42).build().unwrap();
    let err = without_hanging("the call", client.ecom("o-1").get()).await.unwrap_err();
    // The deadline ended it either way: after an answer, when the next
    // backoff would pass it (the last 503 is returned), or during an
    // attempt that had less time left than its round trip took (a busy
    // machine): a timeout that names the call's 400 ms. Never the budget.
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 503)
            || matches!(&err, Error::Timeout { after, .. } if *after == Duration::from_millis(400)),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn successes_refill_the_retry_budget() {
    // One retry per call (cost 5) from a budget of 500: 100 failing calls
    // spend it, and the 101st is withheld. Five successes give 5 back: one
    // more retry, and no more.
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/failing"))
        .respond_with(ResponseTemplate::new(503))
        .expect(100 * 2 + 1 + 2 + 1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/fine"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(5)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::default().max_attempts(2).base_delay(Duration::from_micros(10)))
        .build()
        .unwrap();
    let order = client.ecom("failing");
    let failing = || order.get();
    for i in 0..100 {
        let err = failing().await.unwrap_err();
        assert!(matches!(err, Error::Api { .. }), "call {i} was retried: {err:?}");
    }
    assert!(
        matches!(failing().await.unwrap_err(), Error::RetriesWithheld { .. }),
        "the budget is spent"
    );
    for _ in 0..5 {
        client.ecom("fine").get().await.unwrap();
    }
    let err = failing().await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "five successes pay for one retry: {err:?}");
    assert!(
        matches!(failing().await.unwrap_err(), Error::RetriesWithheld { .. }),
        "and for no more"
    );
    server.verify().await;
}

#[tokio::test]
async fn the_retry_budget_stops_a_retry_storm() {
    let server = server_with_token(1).await;
    // 100 calls, 3 attempts each would be 300 requests; the budget allows
    // 100 retries in all.
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(100..=200)
        .mount(&server)
        .await;
    let client = client(&server);
    client.warm_up().await.unwrap();
    let errors = all_at_once(100, |_| {
        let c = client.clone();
        async move { c.ecom("o-1").get().await.unwrap_err() }
    })
    .await;
    let mut withheld = 0;
    for err in errors {
        assert_eq!(err.status().unwrap().as_u16(), 503);
        if matches!(err, Error::RetriesWithheld { .. }) {
            withheld += 1;
            assert!(err.to_string().contains("retry budget is spent"), "{err}");
        }
    }
    assert!(withheld > 0, "the budget never ran out");
}

#[tokio::test]
async fn a_receipt_whose_answer_was_lost_is_stored_once() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client_builder().timeout(Duration::from_millis(300)).build().unwrap();
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::PostReceipt));
    let posted = client.ecom("o-1").post_receipt(&receipt("Socks")).await.unwrap();
    assert!(posted.already_stored);
    assert_eq!(emu.receipt_count(), 1);
    assert_eq!(emu.requests_for(Operation::PostReceipt).len(), 2);
    assert_eq!(emu.requests_for(Operation::GetOrder).len(), 1);
}

#[tokio::test]
async fn a_different_stored_receipt_is_a_conflict_error() {
    let emu = Emulator::start().await.unwrap();
    emu.client().ecom("o-1").post_receipt(&receipt("Hat")).await.unwrap();
    let client = emu.client_builder().timeout(Duration::from_millis(300)).build().unwrap();
    emu.inject(Fault::stall(Duration::from_secs(2)).only(Operation::PostReceipt));
    let err = client.ecom("o-1").post_receipt(&receipt("Socks")).await.unwrap_err();
    match &err {
        Error::ReceiptConflict { sent, stored, .. } => {
            assert_eq!(sent.order_lines[0].name, "Socks");
            assert_eq!(stored.order_lines[0].name, "Hat");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_conflict());
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt("Hat")));
}

#[tokio::test]
async fn a_409_on_the_first_attempt_is_reconciled_across_calls() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    assert!(!client.ecom("o-1").post_receipt(&receipt("Socks")).await.unwrap().already_stored);
    // A later call (another try of the job, another process) with the same
    // receipt: stored already, so success.
    let again = client.ecom("o-1").post_receipt(&receipt("Socks")).await.unwrap();
    assert!(again.already_stored);
    // A different receipt for the order: a conflict carrying both.
    let err = client.ecom("o-1").post_receipt(&receipt("Hat")).await.unwrap_err();
    assert!(err.is_conflict() && matches!(err, Error::ReceiptConflict { .. }), "{err:?}");
    assert_eq!(emu.requests_for(Operation::PostReceipt).len(), 3, "one per call");
    assert_eq!(emu.requests_for(Operation::GetOrder).len(), 2, "one per 409");
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt("Socks")));
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

#[tokio::test]
async fn a_thousand_concurrent_cold_calls_fetch_one_token() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    for result in all_at_once(1000, |i| {
        let c = client.clone();
        async move { c.ecom(format!("o-{}", i % 10)).put_category(&category()).await }
    })
    .await
    {
        result.unwrap();
    }
    assert_eq!(emu.tokens_issued(), 1);
}

/// Moves tokio's clock (the client's token clock) forward.
async fn advance(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

#[tokio::test]
async fn tokens_are_replaced_before_the_margin_for_1h_and_24h_lifetimes() {
    for lifetime in [Duration::from_secs(3600), Duration::from_secs(86_400)] {
        let emu = Emulator::builder().token_lifetime(lifetime).start().await.unwrap();
        let client = emu.client();
        let tokens = || {
            let mut seen: Vec<String> = emu
                .requests_for(Operation::GetOrder)
                .iter()
                .filter_map(|r| r.header("authorization").map(str::to_owned))
                .collect();
            seen.dedup();
            seen.len()
        };
        let _ = client.ecom("o-1").get().await;
        // Just outside the 5-minute margin: the same token.
        advance(lifetime - Duration::from_secs(6 * 60)).await;
        let _ = client.ecom("o-1").get().await;
        client.warm_up().await.unwrap();
        assert_eq!((emu.tokens_issued(), tokens()), (1, 1), "{lifetime:?}");
        // Inside the margin: the call goes out at once with the valid token
        // while a new one is fetched in the background...
        advance(Duration::from_secs(2 * 60)).await;
        let _ = client.ecom("o-1").get().await;
        client.warm_up().await.unwrap();
        assert_eq!((emu.tokens_issued(), tokens()), (2, 1), "{lifetime:?}");
        // ...which the next call uses, well before the old one expires.
        let _ = client.ecom("o-1").get().await;
        assert_eq!((emu.tokens_issued(), tokens()), (2, 2), "{lifetime:?}");
    }
}

#[tokio::test]
async fn concurrent_401s_cause_one_refresh() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    client.warm_up().await.unwrap();
    emu.expire_tokens();
    for result in all_at_once(20, |_| {
        let c = client.clone();
        async move { c.ecom("o-1").put_category(&category()).await }
    })
    .await
    {
        result.unwrap();
    }
    assert_eq!(emu.tokens_issued(), 2);
}

#[tokio::test]
async fn a_failed_refresh_keeps_serving_the_valid_token_and_the_client_recovers() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    client.ecom("o-1").put_category(&category()).await.unwrap();
    // Inside the refresh margin, the token endpoint is down: keep the old token.
    advance(Duration::from_secs(57 * 60)).await;
    emu.inject(Fault::status(500).times(3).only(Operation::FetchToken));
    client.ecom("o-1").get().await.unwrap();
    // The background refresh fails after its bounded retries; the still
    // valid token stays in use.
    assert!(client.warm_up().await.unwrap() > Duration::from_secs(60));
    assert_eq!(emu.tokens_issued(), 1);
    assert_eq!(emu.requests_for(Operation::FetchToken).len(), 1 + 3, "bounded token retries");
    // Within the cooldown the next call does not start another refresh.
    client.ecom("o-1").get().await.unwrap();
    client.warm_up().await.unwrap();
    assert_eq!(emu.requests_for(Operation::FetchToken).len(), 1 + 3);
    // After it, the refresh is tried again and succeeds.
    advance(Duration::from_secs(31)).await;
    client.ecom("o-1").get().await.unwrap();
    client.warm_up().await.unwrap();
    assert_eq!(emu.tokens_issued(), 2);
    // An outage of the API; then the client recovers by itself.
    emu.inject(Fault::status(503).times(9).only(Operation::GetOrder));
    assert!(client.ecom("o-1").get().await.unwrap_err().is_retryable());
    assert!(client.ecom("o-1").get().await.unwrap_err().is_retryable());
    assert!(client.ecom("o-1").get().await.unwrap_err().is_retryable());
    client.ecom("o-1").get().await.unwrap();
}

#[tokio::test]
async fn dropping_a_call_mid_flight_does_not_cancel_the_token_fetch() {
    let server = MockServer::start().await;
    // One fetch only: the dropped call's fetch runs on, and the next call
    // gets its token.
    let slow = token_answer(TOKEN).set_delay(Duration::from_secs(1));
    tokens_in_turn(&server, vec![slow]).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = client(&server);
    let dropped = tokio::time::timeout(Duration::from_millis(200), client.ecom("o-1").get()).await;
    assert!(dropped.is_err(), "the first call should have been cut off");
    client.ecom("o-1").get().await.unwrap();
}

/// A raw server: answers the token endpoint properly, and for anything else
/// sends `reply` (maybe nothing) and then holds the connection open.
async fn stalling_server(reply: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..20 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if head.starts_with(b"POST /accesstoken/get") {
                let _ = socket.write_all(raw_token_answer().as_bytes()).await;
            } else {
                let _ = socket.write_all(reply).await;
            }
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

async fn assert_times_out(base: String) {
    let client = builder_for(base)
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(10))
                .deadline(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let err = without_hanging("the call", client.ecom("o-1").get()).await.unwrap_err();
    // Each attempt ended by its own timeout, the last one by it or by the
    // call's deadline, whichever came first.
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(300) || after == Duration::from_secs(2)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_in_bounded_time() {
    assert_times_out(stalling_server(b"").await).await;
}

#[tokio::test]
async fn a_server_that_stalls_mid_body_times_out_in_bounded_time() {
    assert_times_out(
        stalling_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"receipt\":").await,
    )
    .await;
}

#[tokio::test]
async fn junk_bodies_on_every_status_are_typed_errors() {
    let junk = "x".repeat(10 * 1024 * 1024);
    let bodies: [(&str, String); 4] = [
        ("html", "<!DOCTYPE html><html><body>Service down</body></html>".into()),
        ("truncated", "{\"title\": \"Bad\", \"invalidParams\": [{\"name\"".into()),
        ("empty", String::new()),
        ("junk", junk),
    ];
    let statuses = [200u16, 400, 401, 403, 404, 409, 422, 423, 429, 500, 502, 503, 504];
    // Each 401 costs one token refresh: one fetch to start, one per body.
    let server = server_with_token(1 + bodies.len() as u64).await;
    for status in statuses {
        for (name, body) in &bodies {
            Mock::given(method("GET"))
                .and(path(format!("/order-management/v2/ECOM/{name}-{status}")))
                .respond_with(ResponseTemplate::new(status).set_body_raw(body.clone(), "text/html"))
                .expect(if status == 401 { 2 } else { 1 })
                .mount(&server)
                .await;
        }
    }
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    for status in statuses {
        for (name, _) in &bodies {
            let err = client.ecom(format!("{name}-{status}")).get().await.unwrap_err();
            if status == 200 {
                match &err {
                    Error::Decode { snippet, .. } => assert!(snippet.chars().count() <= 201),
                    other => panic!("{name}-{status}: {other:?}"),
                }
            } else {
                assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{name}-{status}: {err:?}");
                match err.body() {
                    Some(ErrorBody::Text(t)) => assert!(t.len() <= 2048 + 4, "{name}-{status} kept {} bytes", t.len()),
                    Some(ErrorBody::Empty) => assert_eq!(*name, "empty"),
                    other => panic!("{name}-{status}: {other:?}"),
                }
                assert!(err.to_string().len() < 4096);
            }
        }
    }
}

/// A 307 (or 302) to another loopback port: whatever HTTP settings the
/// merchant adds, even ones that follow redirects, nothing reaches that
/// port, not even a connection, and the call fails instead of taking
/// another host's answer as the service's.
#[tokio::test]
async fn a_redirect_to_another_port_reaches_nothing_there() {
    let (elsewhere, counts) = loopback::start().await;
    let follow = |b: vipps_order_management::ClientBuilder| {
        b.http_client(|http| http.redirect(reqwest::redirect::Policy::limited(10)))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    // The token endpoint redirects: the client secret stays here.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", format!("http://{elsewhere}/accesstoken/get").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = follow(builder(&server)).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Unexpected);
    // The receipt POST redirects: the receipt, the subscription key and the
    // merchant serial number stay here, and no id from elsewhere is `Ok`.
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/o-1"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", format!("http://{elsewhere}/steal").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let err = follow(builder(&server))
        .ecom("o-1")
        .post_receipt(&receipt("Socks"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert!(!err.is_retryable());
    // A 302 on a read, with the crate's own HTTP settings.
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", format!("http://{elsewhere}/steal").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(counts.get(), (0, 0, 0), "connections, token requests and API requests elsewhere");
}

/// An answer past its cap is an error on every path, a success included:
/// a receipt POST answered with 100 KiB (64 KiB is read of such an answer)
/// or one that says 20 MiB, and an order of 20 MiB (16 MiB is read).
#[tokio::test]
async fn an_answer_past_its_cap_is_never_a_success() {
    let server = server_with_token(1).await;
    let long_id = format!("\"{}\"", "a".repeat(100 * 1024));
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/long"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(long_id, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let huge = "x".repeat(20 * 1024 * 1024);
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/huge"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(huge.clone(), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/huge"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ["long", "huge"] {
        let err = client.ecom(id).post_receipt(&receipt("Socks")).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{id}: {err:?}");
        assert!(err.to_string().contains("larger than 65536 bytes"), "{id}: {err}");
    }
    let err = client.ecom("huge").get().await.unwrap_err();
    assert!(err.to_string().contains("larger than 16777216 bytes"), "{err}");
    let err = client.ecom("huge").get_raw().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

/// One answer per connection from a hand-written server: the token, or the
/// body `answer` gives for the request's path, then the connection closed.
async fn answering_server(answer: fn(&str) -> String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                while request.len() < head_end + length {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                }
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let reply = if path.starts_with("/accesstoken") {
                    raw_token_answer()
                } else {
                    answer(&path)
                };
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    base
}

/// A JSON string of exactly `n` bytes, quotes included.
fn json_string_of(n: usize) -> String {
    format!("\"{}\"", "a".repeat(n - 2))
}

/// A 201 with this body in chunks of at most 10,000 bytes.
fn chunked_201(body: &str) -> String {
    let mut out =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_owned();
    for chunk in body.as_bytes().chunks(10_000) {
        out.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), std::str::from_utf8(chunk).unwrap()));
    }
    out.push_str("0\r\n\r\n");
    out
}

/// The cap holds at its edge, whatever says the length: an answer of
/// exactly the cap is read whole (with a `Content-Length`, or in chunks
/// whose last one fills it), one byte more is an error even when no
/// `Content-Length` announced it.
#[tokio::test]
async fn an_answer_of_exactly_its_cap_is_read_and_one_byte_more_is_not() {
    const CAP: usize = 64 * 1024;
    let base = answering_server(|path| match path.rsplit('/').next().unwrap_or("") {
        "exact-length" => format!(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {CAP}\r\nConnection: close\r\n\r\n{}",
            json_string_of(CAP)
        ),
        "exact-chunks" => chunked_201(&json_string_of(CAP)),
        "one-more-chunked" => chunked_201(&json_string_of(CAP + 1)),
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
    })
    .await;
    let client = builder_for(base).retry_policy(RetryPolicy::none()).build().unwrap();
    for id in ["exact-length", "exact-chunks"] {
        let posted = client.ecom(id).post_receipt(&receipt("Socks")).await;
        assert!(posted.is_ok(), "{id}: {posted:?}");
    }
    let err = client.ecom("one-more-chunked").post_receipt(&receipt("Socks")).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than 65536 bytes"), "{err}");
}

/// An error answer is read up to 64 KiB, whatever the operation: a
/// get-order refused with a problem of 100 KiB is not taken as one (it is
/// shown cut, as text), while an order itself may be 16 MiB.
#[tokio::test]
async fn an_error_answer_is_read_up_to_its_own_cap() {
    let server = server_with_token(1).await;
    let problem = json!({"title": "Not Found", "detail": "x".repeat(100 * 1024)});
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(&problem))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
    assert!(err.problem().is_none(), "a problem past 64 KiB was read whole: {err:?}");
    assert!(matches!(err.body(), Some(ErrorBody::Text(_))), "{err:?}");
}
