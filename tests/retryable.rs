//! One definition of retryable. For every status from 300 to 599, the
//! client's retry loop (how many attempts it makes), `Error::kind()` and
//! `Error::is_retryable()` agree with each other and with the documented
//! set (423, 429, 500, 502, 503, 504: 501, 505 and the rest are not
//! retried); answers that never come are retried and retryable; and the
//! receipt's reconcile outcomes follow the same rule (`tests/reconcile.rs`
//! pins each of them).

mod common;

use std::time::Duration;

use common::*;
use vipps_order_management::{Error, ErrorBody, ErrorKind, Operation, RetryPolicy, StatusCode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// The statuses the documentation (README, `RetryPolicy`) calls retried.
const DOCUMENTED: [u16; 6] = [423, 429, 500, 502, 503, 504];

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(2))
}

#[test]
fn the_class_of_every_status_says_whether_it_is_retryable() {
    for status in 100..=599u16 {
        let err = Error::api(Operation::GetOrder, StatusCode::from_u16(status).unwrap(), ErrorBody::Empty);
        let retryable = DOCUMENTED.contains(&status);
        assert_eq!(err.is_retryable(), retryable, "{status}");
        assert_eq!(err.kind() == ErrorKind::Unavailable, retryable, "{status}: {:?}", err.kind());
        if retryable {
            assert!(!err.to_string().contains("trying again does not change"), "{status}: {err}");
        } else if (500..=599).contains(&status) {
            assert_eq!(err.kind(), ErrorKind::Unexpected, "{status}");
            assert!(err.to_string().contains("trying again does not change"), "{status}: {err}");
        }
    }
}

#[tokio::test]
async fn every_status_is_retried_exactly_when_it_is_retryable() {
    let statuses: Vec<u16> = (300..=599).collect();
    // 401 gets its one token refresh and resend: two fetches in all.
    let server = server_with_token(2).await;
    for status in &statuses {
        let attempts = match status {
            401 => 2,
            s if DOCUMENTED.contains(s) => 3,
            _ => 1,
        };
        Mock::given(method("GET"))
            .and(path(format!("/order-management/v2/ECOM/s-{status}")))
            .respond_with(ResponseTemplate::new(*status))
            .expect(attempts)
            .mount(&server)
            .await;
    }
    let client = builder(&server).retry_policy(quick()).build().unwrap();
    for status in statuses {
        let err = client.ecom(format!("s-{status}")).get().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
        let retryable = DOCUMENTED.contains(&status);
        assert_eq!(err.is_retryable(), retryable, "{status}: {err:?}");
        assert_eq!(err.kind() == ErrorKind::Unavailable, retryable, "{status}: {:?}", err.kind());
    }
    server.verify().await;
}

#[tokio::test]
async fn an_answer_that_never_comes_is_retried_and_retryable() {
    // A server that takes each request and closes the connection unanswered.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = [0u8; 4096];
            let n = socket.read(&mut head).await.unwrap_or(0);
            if head[..n].starts_with(b"POST /accesstoken/get") {
                use tokio::io::AsyncWriteExt;
                let _ = socket.write_all(raw_token_answer().as_bytes()).await;
                continue;
            }
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let client = builder_for(format!("http://{addr}")).retry_policy(quick()).build().unwrap();
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable() && err.kind() == ErrorKind::Unavailable);
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3, "three attempts");
    // A closed port: nothing was sent, and trying again may work.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let err = builder_for(format!("http://{closed}"))
        .retry_policy(quick())
        .build()
        .unwrap()
        .ecom("o-1")
        .get()
        .await
        .unwrap_err();
    assert!(err.is_retryable() && err.kind() == ErrorKind::Unavailable, "{err:?}");
}

/// A 401's token refresh and resend is not one of the call's attempts: a
/// 401 and then a 503 on every attempt makes one request more than the
/// policy's attempts (and fetches two tokens).
#[tokio::test]
async fn the_resend_after_a_401_is_no_attempt_of_its_own() {
    let server = server_with_token(2).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .with_priority(2)
        .mount(&server)
        .await;
    let client = builder(&server).retry_policy(quick()).build().unwrap();
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    server.verify().await;
}
