//! No secret (client secret, subscription key, token) in Debug, Display or
//! errors. (TRACE-level logs: `trace_logs.rs`.)

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

fn assert_clean(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "a secret leaked into: {text}");
    }
}

#[tokio::test]
async fn debug_and_errors_hide_secrets() {
    let server = server_with_token(2).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "denied"})))
        .expect(2)
        .mount(&server)
        .await;
    let b = builder(&server);
    let secrets = [CLIENT_SECRET, SUBSCRIPTION_KEY, "test-token-Kj3"];
    assert_clean(&format!("{b:?}"), &secrets);
    let client = b.build().unwrap();
    assert_clean(&format!("{client:?}"), &secrets);
    let handles = format!("{:?} {:?} {:?}", client.ecom("o-1"), client.images(), client.categories());
    assert!(handles.contains("[redacted]"));
    assert_clean(&handles, &secrets);
    // The refreshed token is refused too: an auth error after one refresh.
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert_clean(&format!("{err:?} {err}"), &secrets);
    let secret = vipps_order_management::Secret::new("hunter2");
    assert_eq!(format!("{secret:?}"), "Secret([redacted])");
}

#[tokio::test]
async fn an_undecodable_token_answer_does_not_show_the_token() {
    let server = wiremock::MockServer::start().await;
    // Truncated: it holds the token but does not decode.
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"access_token":"leaky-token-Zq8","expires_in":"36"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, vipps_order_management::Error::Decode { .. }), "{err:?}");
    assert_clean(&format!("{err:?} {err}"), &["leaky-token-Zq8"]);
}
