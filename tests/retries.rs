//! Retries: which failures are tried again and how often (each status and
//! method, with exact request counts), `Retry-After` in seconds and as a
//! date, the deadline over the whole call, and the shared retry budget
//! that stops a retry storm and refills with successes.

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::*;
use serde_json::json;

use vipps_order_management::{Client, Error, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Calls one operation by HTTP method: GET get order, PUT category, POST receipt.
async fn call(client: &Client, http_method: &str, order_id: &str) -> Result<(), Error> {
    let order = client.ecom(order_id);
    match http_method {
        "GET" => order.get().await.map(drop),
        "PUT" => order.put_category(&a_category()).await,
        _ => order.post_receipt(&receipt_of("Socks")).await.map(drop),
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
