//! Exact counts: connections are reused, and tokens are fetched once however
//! many first calls there are.

mod common;

use std::time::Duration;

use common::*;
use vipps_order_management::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_for(base: String) -> Client {
    builder_for(base).build().unwrap()
}

#[tokio::test]
async fn a_thousand_sequential_calls_use_one_connection() {
    let (addr, counts) = loopback::start().await;
    let client = client_for(format!("http://{addr}"));
    for _ in 0..1000 {
        client.ecom("o-1").get().await.unwrap();
    }
    assert_eq!(counts.get(), (1, 1, 1000));
}

#[tokio::test]
async fn sixty_four_concurrent_callers_open_at_most_64_connections() {
    let (addr, counts) = loopback::start().await;
    let client = client_for(format!("http://{addr}"));
    client.warm_up().await.unwrap();
    for _round in 0..5 {
        for result in all_at_once(64, |_| {
            let c = client.clone();
            async move { c.ecom("o-1").get().await }
        })
        .await
        {
            result.unwrap();
        }
    }
    let (accepts, tokens, api) = counts.get();
    assert!((1..=64).contains(&accepts), "{accepts} connections");
    assert_eq!((tokens, api), (1, 320));
}

/// 10,000 concurrent first calls cause one token request, and a refresh
/// under the same load exactly one more. HTTP/2 (prior knowledge) keeps it
/// to one connection, so the test needs no more file descriptors than usual.
#[tokio::test]
async fn ten_thousand_first_calls_fetch_one_token_and_a_refresh_one_more() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body(TOKEN, "3600"))
                .set_delay(Duration::from_millis(50)),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(20_000)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let client = builder(&server).http_client(|http| http.http2_prior_knowledge()).build().unwrap();
    for wave in 0..2 {
        if wave == 1 {
            // 56 minutes on: the token is inside its refresh margin.
            tokio::time::pause();
            tokio::time::advance(Duration::from_secs(56 * 60)).await;
            tokio::time::resume();
        }
        for result in all_at_once(10_000, |_| {
            let c = client.clone();
            async move { c.ecom("o-1").get().await }
        })
        .await
        {
            result.unwrap();
        }
    }
}
