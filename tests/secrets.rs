//! No secret (client secret, subscription key, token) in Debug, Display or
//! errors. (TRACE-level logs: `trace_logs.rs`.)

mod common;

use common::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

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

/// A server (or a gateway before it) that echoes the request's headers in
/// its error answers: the client secret, subscription key, access token and
/// a call's own header values never reach the error, its message, its body
/// or its problem.
#[tokio::test]
async fn an_error_answer_that_echoes_the_request_shows_no_secret() {
    let echo = |request: &wiremock::Request| {
        let headers: Vec<String> = request
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("")))
            .collect();
        headers.join("; ")
    };
    let server = wiremock::MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(move |request: &wiremock::Request| {
            ResponseTemplate::new(400).set_body_json(json!({"title": "Bad request", "detail": echo(request)}))
        })
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    let shown = format!("{err:?} {err} {:?}", err.body());
    assert!(shown.contains("[redacted]"), "the echo is there, its secrets not: {shown}");
    assert_clean(&shown, &[CLIENT_SECRET, SUBSCRIPTION_KEY]);

    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(move |request: &wiremock::Request| {
            ResponseTemplate::new(403).set_body_json(json!({"statusCode": 403, "message": echo(request)}))
        })
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .ecom("o-1")
        .header("X-Partner-Signature", "partner-signature-9f8e7d")
        .get()
        .await
        .unwrap_err();
    let shown = format!("{err:?} {err} {:?}", err.body());
    assert!(shown.contains("[redacted]"), "{shown}");
    assert_clean(&shown, &[SUBSCRIPTION_KEY, "test-token-Kj3", "partner-signature-9f8e7d"]);
    server.verify().await;
}
