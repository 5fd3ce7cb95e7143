//! Access tokens: one fetch for many callers, refresh near expiry, one
//! refresh and one resend on 401, refused credentials.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vipps_order_management::{Error, RetryPolicy};
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
