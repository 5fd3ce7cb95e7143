//! Access tokens: one fetch for many callers (a thousand cold calls at
//! once), refresh before the margin for 1 h and 24 h lifetimes, one refresh
//! and one resend on 401 (however many calls get one at once), a failed
//! refresh that keeps the valid token, a dropped call that does not cancel
//! the fetch, refused credentials.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vipps_order_management::{Error, Operation, RetryPolicy};
use vipps_order_management_emulator::{Emulator, Fault};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn get_order_ok(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/order-1"))
        .and(header("Authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn concurrent_first_calls_fetch_one_token() {
    let server = server_with_token(1).await;
    get_order_ok(&server, TOKEN, 50).await;
    let client = client(&server);
    for result in all_at_once(50, |_| {
        let c = client.clone();
        async move { c.ecom("order-1").get().await }
    })
    .await
    {
        result.unwrap();
    }
}

#[tokio::test]
async fn token_numbers_may_be_json_numbers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "token_type": "Bearer", "expires_in": 86398, "ext_expires_in": 0, "expires_on": 1495271273,
            "not_before": 1495184574, "resource": "r", "access_token": TOKEN
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let left = client(&server).warm_up().await.unwrap();
    assert!(left > Duration::from_secs(86_000), "{left:?}");
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_in_the_background() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, vec![token_answer("first-token"), token_answer("second-token")]).await;
    catch_all(&server).await;
    get_order_ok(&server, "first-token", 2).await;
    get_order_ok(&server, "second-token", 1).await;
    let client = client(&server);
    client.ecom("order-1").get().await.unwrap();
    // 56 minutes later the token has 4 minutes left: inside the 5-minute
    // margin. The call does not wait: it goes out with the still-valid
    // token while the refresh runs on its own.
    tokio::time::pause();
    tokio::time::advance(Duration::from_secs(56 * 60)).await;
    tokio::time::resume();
    client.ecom("order-1").get().await.unwrap();
    // Once the refresh is done, calls use the new token.
    client.warm_up().await.unwrap();
    client.ecom("order-1").get().await.unwrap();
}

#[tokio::test]
async fn a_401_refreshes_once_and_resends_once() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, vec![token_answer("stale-token"), token_answer("fresh-token")]).await;
    catch_all(&server).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/order-1"))
        .and(header("Authorization", "Bearer stale-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Access denied due to invalid token"})))
        .expect(1)
        .mount(&server)
        .await;
    get_order_ok(&server, "fresh-token", 1).await;
    client(&server).ecom("order-1").get().await.unwrap();
}

#[tokio::test]
async fn a_second_401_is_an_auth_error_without_a_loop() {
    let server = server_with_token(2).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/order-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Access denied due to invalid token"})))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server).ecom("order-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("Access denied due to invalid token"), "{err}");
}

#[tokio::test]
async fn refused_credentials_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "statusCode": 401,
            "message": "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription."
        })))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).retry_policy(RetryPolicy::default()).build().unwrap();
    let err = client.ecom("order-1").get().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(
        text.contains("refused the API credentials") && text.contains("invalid subscription key"),
        "{text}"
    );
}

#[tokio::test]
async fn a_hanging_refresh_never_delays_calls_while_the_token_is_valid() {
    let server = MockServer::start().await;
    // The second fetch (the refresh) hangs far beyond every timeout.
    let hanging = token_answer("second-token").set_delay(Duration::from_secs(30));
    tokens_in_turn(&server, vec![token_answer("first-token"), hanging]).await;
    catch_all(&server).await;
    get_order_ok(&server, "first-token", 7).await;
    // The client's own policy bounds the background refresh: one attempt,
    // 300 ms.
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none().deadline(Duration::from_secs(1)))
        .build()
        .unwrap();
    client.ecom("order-1").get().await.unwrap();
    advance(Duration::from_secs(56 * 60)).await;
    // Inside the refresh margin: calls with a tight deadline of their own
    // still succeed at once with the valid token; the refresh runs apart.
    for _ in 0..5 {
        let call = client
            .ecom("order-1")
            .retry_policy(RetryPolicy::none().deadline(Duration::from_millis(200)));
        call.get().await.unwrap();
    }
    // The refresh gives up after its own timeout; the valid token stays.
    let left = client.warm_up().await.unwrap();
    assert!(left > Duration::from_secs(3 * 60) && left < Duration::from_secs(5 * 60), "{left:?}");
    // The cool-down: the next call starts no new refresh (the token mocks
    // expect exactly one fetch each).
    client.ecom("order-1").get().await.unwrap();
    client.warm_up().await.unwrap();
}

#[tokio::test]
async fn without_a_valid_token_callers_wait_their_own_deadline_and_the_error_names_the_token_endpoint() {
    let server = MockServer::start().await;
    // One fetch in all, shared by both callers; it answers too late.
    let hanging = token_answer(TOKEN).set_delay(Duration::from_secs(5));
    tokens_in_turn(&server, vec![hanging]).await;
    catch_all(&server).await;
    let client = builder(&server).timeout(Duration::from_secs(2)).build().unwrap();
    for deadline in [Duration::from_millis(300), Duration::from_millis(600)] {
        let started = std::time::Instant::now();
        let err = client
            .ecom("order-1")
            .retry_policy(RetryPolicy::none().deadline(deadline))
            .get()
            .await
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(err, Error::Timeout { operation: vipps_order_management::Operation::FetchToken, after, .. } if after == deadline),
            "{err:?}"
        );
        assert!(err.to_string().contains("while fetching an access token"), "{err}");
        // It waited its own deadline (the error says which ended it).
        assert!(took >= deadline, "{took:?}");
    }
}

#[tokio::test]
async fn a_token_that_lives_zero_seconds_costs_one_fetch_per_refresh() {
    let server = MockServer::start().await;
    // Two waves of 20 callers: one fetch each, however many wait for it.
    let slow = || {
        ResponseTemplate::new(200)
            .set_body_json(token_body(TOKEN, "0"))
            .set_delay(Duration::from_millis(300))
    };
    tokens_in_turn(&server, vec![slow(), slow()]).await;
    catch_all(&server).await;
    get_order_ok(&server, TOKEN, 40).await;
    let client = client(&server);
    for _wave in 0..2 {
        for result in all_at_once(20, |_| {
            let c = client.clone();
            async move { c.ecom("order-1").get().await }
        })
        .await
        {
            result.unwrap();
        }
    }
}

#[tokio::test]
async fn a_token_that_lives_seconds_is_reused_while_valid() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, vec![ResponseTemplate::new(200).set_body_json(token_body(TOKEN, "9"))]).await;
    catch_all(&server).await;
    get_order_ok(&server, TOKEN, 20).await;
    let client = client(&server);
    for _ in 0..20 {
        client.ecom("order-1").get().await.unwrap();
    }
}

/// Polls `work` once, without waiting: what it holds at this instant.
async fn poll_once<F: std::future::Future + Unpin>(work: &mut F) -> std::task::Poll<F::Output> {
    std::future::poll_fn(|cx| std::task::Poll::Ready(std::pin::Pin::new(&mut *work).poll(cx))).await
}

#[tokio::test]
async fn warm_up_inside_the_margin_fetches_a_new_token_and_waits_for_it() {
    let server = MockServer::start().await;
    tokens_in_turn(&server, vec![token_answer("first-token"), token_answer("second-token")]).await;
    catch_all(&server).await;
    get_order_ok(&server, "second-token", 1).await;
    let client = client(&server);
    client.warm_up().await.unwrap();
    // 56 minutes later the token is still valid for 4 minutes, inside the
    // 5-minute margin, and no refresh is under way: warm_up starts one and
    // answers with the new token's lifetime, not the old one's.
    advance(Duration::from_secs(56 * 60)).await;
    let left = client.warm_up().await.unwrap();
    assert!(left > Duration::from_secs(59 * 60), "{left:?}");
    client.ecom("order-1").get().await.unwrap();
}

/// A client holding a first token of an hour (a second one waits on the
/// server), on a stopped clock, and the first token's exact time left.
async fn on_a_stopped_clock(server: &MockServer) -> (vipps_order_management::Client, Duration) {
    tokens_in_turn(server, vec![token_answer("first-token"), token_answer("second-token")]).await;
    // The catch-all fails the test if anything else is asked.
    catch_all(server).await;
    let client = client(server);
    client.warm_up().await.unwrap();
    tokio::time::pause();
    let left = client.warm_up().await.unwrap();
    (client, left)
}

#[tokio::test]
async fn a_token_is_refreshed_from_the_first_instant_of_its_margin() {
    let server = MockServer::start().await;
    let (client, left) = on_a_stopped_clock(&server).await;
    // Step to the instant the 5-minute margin begins.
    tokio::time::advance(left - Duration::from_secs(5 * 60)).await;
    let mut warm_up = Box::pin(client.warm_up());
    let now = poll_once(&mut warm_up).await;
    assert!(
        now.is_pending(),
        "at the margin's first instant the token is no longer fresh, so warm_up refreshes it; it answered {now:?}"
    );
    tokio::time::resume();
    let left = warm_up.await.unwrap();
    assert!(left > Duration::from_secs(59 * 60), "{left:?}");
}

#[tokio::test]
async fn a_token_is_not_sent_in_the_last_seconds_of_its_life() {
    let server = MockServer::start().await;
    // The first token is never sent: the catch-all would see it.
    get_order_ok(&server, "second-token", 1).await;
    let (client, left) = on_a_stopped_clock(&server).await;
    // A token that lives an hour keeps 10 seconds back to cross the
    // network: from the first instant of those, calls wait for a new one.
    tokio::time::advance(left - Duration::from_secs(10)).await;
    let order = client.ecom("order-1");
    let mut get = Box::pin(order.get());
    let now = poll_once(&mut get).await;
    assert!(now.is_pending(), "{now:?}");
    tokio::time::resume();
    get.await.unwrap();
}

#[test]
fn a_refresh_stopped_with_its_runtime_leaves_no_caller_waiting_for_it() {
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // wiremock's server runs on a thread of its own: it outlives the
    // runtime that started it.
    let first = runtime();
    let (server, client) = first.block_on(async {
        let server = MockServer::start().await;
        // The first fetch never answers in time; the second does.
        let hanging = token_answer("never-token").set_delay(Duration::from_secs(60));
        tokens_in_turn(&server, vec![hanging, token_answer("second-token")]).await;
        catch_all(&server).await;
        get_order_ok(&server, "second-token", 1).await;
        let client = client(&server);
        let waited = tokio::time::timeout(Duration::from_millis(200), client.warm_up()).await;
        assert!(waited.is_err(), "the first fetch was meant to hang: {waited:?}");
        (server, client)
    });
    // The refresh's task is dropped with its runtime, mid-fetch.
    drop(first);
    // A caller on another runtime starts a refresh of its own instead of
    // waiting for the one that can never end.
    let second = runtime();
    second.block_on(async {
        without_hanging("the call after a stopped refresh", client.ecom("order-1").get())
            .await
            .unwrap();
    });
    drop(server);
}

#[test]
fn a_client_shows_the_client_id_it_sends_and_never_its_secrets() {
    let shown = format!("{:?}", builder_for("http://127.0.0.1:1".to_owned()).build().unwrap());
    assert!(shown.contains(&format!("client_id: {CLIENT_ID:?}")), "{shown}");
    assert!(!shown.contains(CLIENT_SECRET) && !shown.contains(SUBSCRIPTION_KEY), "{shown}");
}

#[tokio::test]
async fn a_thousand_concurrent_cold_calls_fetch_one_token() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    for result in all_at_once(1000, |i| {
        let c = client.clone();
        async move { c.ecom(format!("o-{}", i % 10)).put_category(&a_category()).await }
    })
    .await
    {
        result.unwrap();
    }
    assert_eq!(emu.tokens_issued(), 1);
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
        async move { c.ecom("o-1").put_category(&a_category()).await }
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
    client.ecom("o-1").put_category(&a_category()).await.unwrap();
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
