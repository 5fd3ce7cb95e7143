//! Every error variant from a realistic response, with a message that says
//! what happened and what to do.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

use vipps_order_management::{Category, CategoryType, Error, ErrorBody, Operation, Receipt, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn receipt() -> Receipt {
    receipt_of("Socks")
}

async fn answer(server: &MockServer, m: &str, p: &str, t: ResponseTemplate, times: u64) {
    Mock::given(method(m))
        .and(path(p))
        .respond_with(t)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_problem_with_invalid_params_names_each_field() {
    let server = server_with_token(1).await;
    let problem = json!({
        "type": "https://datatracker.ietf.org/doc/html/rfc7231#section-6.5.1",
        "title": "One or more validation errors occurred.",
        "detail": "BadRequest",
        "instance": "00-616e415f5af7584eb4d9369d0fe8d7cc-48b90041faff204c-00",
        "invalidParams": [{"name": "OrderLines[0].TaxRate", "reason": "The field TaxRate must be between 0 and 10000."}]
    });
    answer(
        &server,
        "POST",
        "/order-management/v2/ECOM/receipts/o-1",
        ResponseTemplate::new(400).set_body_raw(problem.to_string(), "application/problem+json"),
        1,
    )
    .await;
    let err = client(&server).ecom("o-1").post_receipt(&receipt()).await.unwrap_err();
    let text = err.to_string();
    assert_eq!(err.status().unwrap().as_u16(), 400);
    assert!(!err.is_retryable());
    let p = err.problem().unwrap();
    assert_eq!(p.invalid_params[0].name, "OrderLines[0].TaxRate");
    for needle in [
        "refused the request as invalid",
        "OrderLines[0].TaxRate",
        "between 0 and 10000",
        "00-616e415f5af7584eb4d9369d0fe8d7cc-48b90041faff204c-00",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[tokio::test]
async fn a_gateway_403_points_to_the_portal() {
    let server = server_with_token(1).await;
    answer(
        &server,
        "PUT",
        "/order-management/v2/ECOM/categories/o-1",
        ResponseTemplate::new(403).set_body_json(json!({"statusCode": 403, "message": "Out of call volume quota."})),
        1,
    )
    .await;
    let err = client(&server)
        .ecom("o-1")
        .put_category(&Category::new(CategoryType::Receipt, "https://shop.example/o/1"))
        .await
        .unwrap_err();
    assert!(matches!(err.body(), Some(ErrorBody::Gateway(_))));
    let text = err.to_string();
    assert!(
        text.contains("portal.vipps.no") && text.contains("Out of call volume quota."),
        "{text}"
    );
}

fn conflict_answer() -> ResponseTemplate {
    ResponseTemplate::new(409).set_body_raw(
        r#"{"title":"Conflict","detail":"Receipt already exists","instance":"i-1"}"#,
        "application/problem+json",
    )
}

#[tokio::test]
async fn a_409_with_a_different_stored_receipt_says_receipts_cannot_change() {
    let server = server_with_token(1).await;
    answer(&server, "POST", "/order-management/v2/ECOM/receipts/o-1", conflict_answer(), 1).await;
    let mut other = receipt();
    other.order_lines[0].name = "Hat".into();
    answer(
        &server,
        "GET",
        "/order-management/v2/ECOM/o-1",
        ResponseTemplate::new(200).set_body_json(json!({ "receipt": other })),
        1,
    )
    .await;
    let err = client(&server).ecom("o-1").post_receipt(&receipt()).await.unwrap_err();
    assert!(err.is_conflict() && !err.is_retryable(), "{err:?}");
    assert!(
        matches!(&err, Error::ReceiptConflict { stored, .. } if stored.order_lines[0].name == "Hat"),
        "{err:?}"
    );
    assert!(err.to_string().contains("receipts cannot be changed"), "{err}");
}

#[tokio::test]
async fn a_404_on_the_reconciling_get_is_not_a_not_found_receipt() {
    let server = server_with_token(1).await;
    answer(&server, "POST", "/order-management/v2/ECOM/receipts/o-1", conflict_answer(), 1).await;
    answer(
        &server,
        "GET",
        "/order-management/v2/ECOM/o-1",
        ResponseTemplate::new(404).set_body_json(json!({"title": "Not Found", "detail": "No order", "instance": "i-2"})),
        1,
    )
    .await;
    let err = client(&server).ecom("o-1").post_receipt(&receipt()).await.unwrap_err();
    assert!(matches!(err, Error::ReceiptUnverified { .. }), "{err:?}");
    // Not "not found" for the receipt: the 409 says one is stored, and the
    // order may just not show it yet. Calling again is safe, and may help.
    assert!(!err.is_not_found() && !err.is_conflict() && err.is_retryable(), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(err.problem().and_then(|p| p.instance.as_deref()), Some("i-1"));
    let source = std::error::Error::source(&err).expect("the get-order failure is the source");
    assert!(source.to_string().contains("HTTP 404"), "{source}");
    let text = err.to_string();
    // The receipt may be this call's own: no claim that nothing changed.
    assert!(!text.contains("Nothing was changed"), "{text}");
    for needle in ["already stored", "could not be compared", "Call post_receipt again"] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
}

#[tokio::test]
async fn html_and_empty_bodies_keep_the_status() {
    let server = server_with_token(1).await;
    answer(
        &server,
        "GET",
        "/order-management/v2/ECOM/html",
        ResponseTemplate::new(502).set_body_raw("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html"),
        1,
    )
    .await;
    answer(&server, "GET", "/order-management/v2/ECOM/empty", ResponseTemplate::new(404), 1).await;
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    let err = client.ecom("html").get().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 502);
    assert!(err.is_retryable());
    assert!(matches!(err.body(), Some(ErrorBody::Text(t)) if t.contains("502 Bad Gateway")));
    assert!(err.to_string().contains("on its side"), "{err}");
    let err = client.ecom("empty").get().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.body(), Some(&ErrorBody::Empty));
}

#[tokio::test]
async fn an_undecodable_answer_is_a_decode_error_with_a_snippet() {
    let server = server_with_token(1).await;
    answer(
        &server,
        "GET",
        "/order-management/v2/ECOM/o-1",
        ResponseTemplate::new(200).set_body_raw("{\"receipt\": [trunc", "application/json"),
        1,
    )
    .await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    match &err {
        Error::Decode {
            snippet,
            status,
            operation,
            ..
        } => {
            assert_eq!(snippet, "{\"receipt\": [trunc");
            assert_eq!(status.as_u16(), 200);
            assert_eq!(*operation, Operation::GetOrder);
        }
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = vipps_order_management::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .client_id("a")
        .client_secret("b")
        .subscription_key("c")
        .merchant_serial_number("1")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.is_connect() && !err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("could not reach Vipps MobilePay"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
}

/// A server whose get-order answers once, after 5 s.
async fn slow_order_server() -> MockServer {
    let server = server_with_token(1).await;
    answer(
        &server,
        "GET",
        "/order-management/v2/ECOM/o-1",
        ResponseTemplate::new(200)
            .set_body_json(json!({}))
            .set_delay(Duration::from_secs(5)),
        1,
    )
    .await;
    server
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = slow_order_server().await;
    let client = builder(&server)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("did not answer within 0.2s"), "{err}");
}

/// A 403 is the API's refusal (`Error::Api`) on every operation; only
/// from the token endpoint is it the credentials' (`Error::Auth`).
#[tokio::test]
async fn a_403_is_the_apis_refusal_except_from_the_token_endpoint() {
    let server = server_with_token(1).await;
    answer(&server, "GET", "/order-management/v2/ECOM/o-1", ResponseTemplate::new(403), 1).await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(403))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}

/// A connection refused on every attempt sent nothing: no attempt counts
/// as one that may have taken effect, and the error says nothing was sent.
#[tokio::test]
async fn refused_connections_on_every_attempt_claim_nothing_was_stored() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that gives one token and is gone.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 16 * 1024];
        let _ = stream.read(&mut buf).await;
        let body = token_body(TOKEN, "3600").to_string();
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).await.unwrap();
    });
    let quick = RetryPolicy::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2));
    let client = builder_for(base).retry_policy(quick).build().unwrap();
    client.warm_up().await.unwrap();
    served.await.unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt()).await.unwrap_err();
    match &err {
        Error::Transport { uncertain, .. } => assert!(!uncertain, "{err}"),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Nothing was sent"), "{err}");
    assert!(!err.to_string().contains("may have taken effect"), "{err}");
}

/// The predicates look through what an error wraps, each the same way: a
/// timeout or a refused connection behind withheld retries or behind an
/// unverified receipt is still one.
#[test]
fn the_predicates_look_through_wrapped_errors_alike() {
    let timeout = || Error::timeout(Operation::GetOrder, Duration::from_secs(2));
    let withheld = Error::retries_withheld(timeout());
    let unverified = Error::receipt_unverified(ErrorBody::Empty, Some(timeout()));
    let both = Error::receipt_unverified(ErrorBody::Empty, Some(Error::retries_withheld(timeout())));
    for err in [&withheld, &unverified, &both] {
        assert!(err.is_timeout(), "{err:?}");
        assert!(!err.is_connect(), "{err:?}");
    }
    let nothing = Error::receipt_unverified(ErrorBody::Empty, None);
    assert!(!nothing.is_timeout() && !nothing.is_connect());
}

/// A timeout of the merchant's own HTTP settings (shorter than the
/// client's) is a transport error that `is_timeout` says is one, and no
/// connection failure.
#[tokio::test]
async fn the_http_clients_own_timeout_is_a_timeout() {
    let server = slow_order_server().await;
    let client = builder(&server)
        .http_client(|b| b.timeout(Duration::from_millis(200)))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_timeout() && !err.is_connect(), "{err:?}");
}
