//! Every branch of a receipt's reconciliation after a 409 (a receipt is
//! stored for the order): the same receipt, a different one, none shown,
//! the order missing, and the reconciling get-order failing in each class.
//! Each case asserts the exact outcome and the exact number of requests of
//! each kind (every mock has `.expect(n)`; anything else hits the
//! catch-all, which must never be hit).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use vipps_order_management::{Error, ErrorKind, Operation, Receipt, ReceiptPosted, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const POST: &str = "/order-management/v2/ECOM/receipts/o-1";
const GET: &str = "/order-management/v2/ECOM/o-1";

/// A server whose receipt POST answers 409 once (with error id `i-409`),
/// whose get-order answers `get` exactly `gets` times, and whose token
/// endpoint is asked `tokens` times.
async fn conflict_then(get: ResponseTemplate, gets: u64, tokens: u64) -> MockServer {
    let server = server_with_token(tokens).await;
    Mock::given(method("POST"))
        .and(path(POST))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"title": "Conflict", "instance": "i-409"})))
        .expect(1)
        .named("receipt POST")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(GET))
        .respond_with(get)
        .expect(gets)
        .named("reconciling get-order")
        .mount(&server)
        .await;
    server
}

/// Posts the one-line receipt once, with fast retries (3 attempts).
async fn post(server: &MockServer) -> Result<ReceiptPosted, Error> {
    let client = builder(server)
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let result = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await;
    server.verify().await;
    result
}

fn order_with(receipt: &Receipt) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "receipt": receipt }))
}

/// The get-order failure behind a `ReceiptUnverified`, checked to be one.
fn unverified_source(err: &Error) -> Option<&Error> {
    match err {
        Error::ReceiptUnverified { source, body, .. } => {
            assert_eq!(body.instance(), Some("i-409"), "the 409's error id is kept");
            source.as_deref()
        }
        other => panic!("expected ReceiptUnverified, got {other:?}"),
    }
}

#[tokio::test]
async fn the_same_receipt_stored_is_success_already_stored() {
    let server = conflict_then(order_with(&receipt_of("Socks")), 1, 1).await;
    let posted = post(&server).await.unwrap();
    assert_eq!(posted, ReceiptPosted::new(None, true));
}

#[tokio::test]
async fn a_different_receipt_stored_is_a_conflict_carrying_both() {
    let server = conflict_then(order_with(&receipt_of("Hat")), 1, 1).await;
    let err = post(&server).await.unwrap_err();
    let Error::ReceiptConflict { sent, stored, body, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(**sent, receipt_of("Socks"));
    assert_eq!(**stored, receipt_of("Hat"));
    assert_eq!(body.instance(), Some("i-409"));
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.is_conflict() && !err.is_retryable() && !err.is_not_found());
}

#[tokio::test]
async fn an_order_that_shows_no_receipt_is_unverified_never_success() {
    // The order holds a category only: the 409 said a receipt is stored,
    // and the order does not show it yet. Not "already stored", not a
    // conflict: unverified, and calling again is the remedy.
    let category_only = ResponseTemplate::new(200)
        .set_body_json(json!({"category": {"category": "RECEIPT", "orderDetailsUrl": "https://shop.example/o/1"}}));
    let server = conflict_then(category_only, 1, 1).await;
    let err = post(&server).await.unwrap_err();
    assert!(unverified_source(&err).is_none(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.is_retryable() && !err.is_conflict() && !err.is_not_found());
    assert!(err.to_string().contains("the order showed no receipt yet"), "{err}");
    // An empty order answer is the same case.
    let server = conflict_then(ResponseTemplate::new(200).set_body_json(json!({})), 1, 1).await;
    let err = post(&server).await.unwrap_err();
    assert!(unverified_source(&err).is_none(), "{err:?}");
}

#[tokio::test]
async fn a_missing_order_is_unverified_and_retryable_not_a_not_found() {
    let server = conflict_then(ResponseTemplate::new(404).set_body_json(json!({"title": "Not Found"})), 1, 1).await;
    let err = post(&server).await.unwrap_err();
    let source = unverified_source(&err).expect("the 404 is the source");
    assert!(
        matches!(source, Error::Api { operation: Operation::GetOrder, status, .. } if status.as_u16() == 404),
        "{source:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.is_retryable() && !err.is_not_found() && !err.is_conflict());
}

/// One way the reconciling get-order fails: its answer, how often it is
/// asked (retries included), how many tokens are fetched, and what the
/// receipt call must then say.
struct GetFailure {
    name: &'static str,
    answer: ResponseTemplate,
    gets: u64,
    tokens: u64,
    kind: ErrorKind,
    retryable: bool,
    source: fn(&Error) -> bool,
}

#[tokio::test]
async fn a_failing_reconciling_get_is_unverified_in_its_own_class() {
    let cases = [
        GetFailure {
            name: "503 on every attempt",
            answer: ResponseTemplate::new(503),
            gets: 3,
            tokens: 1,
            kind: ErrorKind::Unavailable,
            retryable: true,
            source: |e| matches!(e, Error::Api { operation: Operation::GetOrder, status, .. } if status.as_u16() == 503),
        },
        GetFailure {
            name: "500 on every attempt",
            answer: ResponseTemplate::new(500),
            gets: 3,
            tokens: 1,
            kind: ErrorKind::Unavailable,
            retryable: true,
            source: |e| matches!(e, Error::Api { status, .. } if status.as_u16() == 500),
        },
        GetFailure {
            name: "429 asking for an hour",
            answer: ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
            gets: 1,
            tokens: 1,
            kind: ErrorKind::Unavailable,
            retryable: true,
            source: |e| {
                matches!(
                    e,
                    Error::RateLimited {
                        operation: Operation::GetOrder,
                        ..
                    }
                )
            },
        },
        GetFailure {
            name: "401 even with a fresh token",
            answer: ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Access denied"})),
            gets: 2,
            tokens: 2,
            kind: ErrorKind::Configuration,
            retryable: false,
            source: |e| matches!(e, Error::Auth { .. }),
        },
        GetFailure {
            name: "403",
            answer: ResponseTemplate::new(403),
            gets: 1,
            tokens: 1,
            kind: ErrorKind::Configuration,
            retryable: false,
            source: |e| matches!(e, Error::Api { status, .. } if status.as_u16() == 403),
        },
        GetFailure {
            name: "400",
            answer: ResponseTemplate::new(400).set_body_json(json!({"title": "Bad Request"})),
            gets: 1,
            tokens: 1,
            kind: ErrorKind::Invalid,
            retryable: false,
            source: |e| matches!(e, Error::Api { status, .. } if status.as_u16() == 400),
        },
        GetFailure {
            name: "an answer that is not the API's order",
            answer: ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
            gets: 1,
            tokens: 1,
            // Calling again would read the same answer: not retryable.
            kind: ErrorKind::Unexpected,
            retryable: false,
            source: |e| {
                matches!(
                    e,
                    Error::Decode {
                        operation: Operation::GetOrder,
                        ..
                    }
                )
            },
        },
    ];
    for case in cases {
        let server = conflict_then(case.answer, case.gets, case.tokens).await;
        let err = post(&server).await.unwrap_err();
        let source = unverified_source(&err).unwrap_or_else(|| panic!("{}: no source in {err:?}", case.name));
        assert!((case.source)(source), "{}: {source:?}", case.name);
        assert_eq!(err.kind(), case.kind, "{}", case.name);
        assert_eq!(err.is_retryable(), case.retryable, "{}", case.name);
        assert!(!err.is_conflict() && !err.is_not_found(), "{}", case.name);
        assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{}", case.name);
        assert!(err.to_string().contains("Call post_receipt again"), "{}: {err}", case.name);
    }
}

#[tokio::test]
async fn a_reconciling_get_without_an_answer_is_unverified_and_retryable() {
    // The get-order never answers within the receipt call's own deadline.
    let server = conflict_then(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)), 1, 1).await;
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap_err();
    let source = unverified_source(&err).expect("the timeout is the source");
    assert!(
        matches!(
            source,
            Error::Timeout {
                operation: Operation::GetOrder,
                ..
            }
        ),
        "{source:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.is_retryable());
    server.verify().await;
}
