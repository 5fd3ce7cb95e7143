//! Helpers shared by the integration tests: a wiremock server with the
//! token endpoint and a catch-all that fails on any unexpected request.
#![allow(dead_code)]

pub mod loopback;
pub mod spec;
mod support;

#[allow(unused_imports)]
pub use support::*;

use std::time::Duration;

use serde_json::json;
use vipps_order_management::{Amount, Client, ClientBuilder, Currency, OrderLine, Receipt, RetryPolicy, TaxRate};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "test-client-secret-Zx9";
pub const SUBSCRIPTION_KEY: &str = "test-subscription-key-Qw7";
pub const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.test-token-Kj3";
pub const MSN: &str = "123456";

pub const PNG: &[u8] = include_bytes!("../../examples/assets/receipt-logo.png");

/// The token answer as documented: every number a string.
pub fn token_body(token: &str, expires_in: &str) -> serde_json::Value {
    json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": "0",
        "expires_on": "4102444800",
        "not_before": "4102441200",
        "resource": "00000002-0000-0000-c000-000000000000",
        "access_token": token,
    })
}

/// The token endpoint's answer as raw HTTP/1.1, for the hand-written
/// socket servers that play faults wiremock cannot.
pub fn raw_token_answer() -> String {
    loopback::json_answer("200 OK", &token_body(TOKEN, "3600").to_string())
}

/// A mock server answering the token endpoint `token_fetches` times (exactly),
/// with a catch-all at the lowest priority that must never be hit.
pub async fn server_with_token(token_fetches: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .and(header("client_id", CLIENT_ID))
        .and(header("client_secret", CLIENT_SECRET))
        .and(header("Ocp-Apim-Subscription-Key", SUBSCRIPTION_KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(TOKEN, "3600")))
        .expect(token_fetches)
        .named("token endpoint")
        .mount(&server)
        .await;
    catch_all(&server).await;
    server
}

/// Fails the test (on drop) if any request matches nothing else.
pub async fn catch_all(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599))
        .with_priority(u8::MAX)
        .expect(0)
        .named("unexpected request")
        .mount(server)
        .await;
}

/// Token answers given in turn, each exactly once (the last one too).
pub async fn tokens_in_turn(server: &MockServer, answers: Vec<ResponseTemplate>) {
    let last = answers.len() - 1;
    for (i, answer) in answers.into_iter().enumerate() {
        let mut mock = Mock::given(method("POST"))
            .and(path("/accesstoken/get"))
            .respond_with(answer)
            .expect(1)
            .with_priority(1 + i as u8);
        if i < last {
            mock = mock.up_to_n_times(1);
        }
        mock.mount(server).await;
    }
}

pub fn token_answer(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(token_body(token, "3600"))
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    builder_for(server.uri())
}

/// The test client's settings for any base URL, with fast retries.
pub fn builder_for(base: String) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .subscription_key(SUBSCRIPTION_KEY)
        .merchant_serial_number(MSN)
        .system_name("acme-shop")
        .system_version("4.2.0")
        .plugin_name("acme-vipps")
        .plugin_version("1.0.1")
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("test settings are valid")
}

/// Reads a file of the shared reference material (`../shared`). Tests that
/// call this are `#[ignore]`d, so that a missing `../shared` is never counted
/// as a pass; `.ci/run` runs them with `--ignored` where it exists. Run
/// without it, they fail and say why.
pub fn shared_file(rel: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "{} is needed (the shared reference material next to the repository): {e}",
            p.display()
        )
    })
}

/// Starts `n` calls at once (each made by `call(i)`) and waits for all.
pub async fn all_at_once<F, Fut, T>(n: usize, call: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(call(i))).collect();
    let mut out = Vec::with_capacity(n);
    for h in handles {
        out.push(h.await.expect("the call's task panicked"));
    }
    out
}

/// A one-line receipt: `name` for 12.50 NOK, 25 % VAT.
pub fn receipt_of(name: &str) -> Receipt {
    let line = OrderLine::new("1", name, Amount::from_minor(1250), Amount::from_minor(1000), TaxRate::percent(25));
    Receipt::new(Currency::Nok, vec![line])
}

/// A v2 category: a receipt link.
pub fn a_category() -> vipps_order_management::Category {
    vipps_order_management::Category::new(vipps_order_management::CategoryType::Receipt, "https://shop.example/o/1")
}

/// Moves tokio's clock (the client's token clock) forward.
pub async fn advance(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

/// Fails when any of `secrets` is in `text`, without printing the text
/// (it may be a log with the secret in it): what leaked, and where.
pub fn assert_clean(text: &str, secrets: &[&str]) {
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            !text.contains(s),
            "secret number {} of {} leaked, at byte {:?}",
            i + 1,
            secrets.len(),
            text.find(s)
        );
    }
}

/// An order answer's receipt sum as the service computes it, exactly (in
/// `i128`): each line's `totalAmount`, a returned line's negative.
pub fn exact_sum(answer: &serde_json::Value) -> Option<i128> {
    let lines = answer.pointer("/receipt/orderLines")?.as_array()?;
    Some(
        lines
            .iter()
            .map(|l| {
                let amount = i128::from(l["totalAmount"].as_i64().unwrap_or(0));
                if l["isReturn"] == serde_json::Value::Bool(true) {
                    -amount
                } else {
                    amount
                }
            })
            .sum(),
    )
}
