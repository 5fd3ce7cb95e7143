//! The client's defences against a server that misbehaves: a server that
//! never answers or stalls mid-body times out in bounded time, junk bodies
//! on every status are typed errors, a redirect reaches nothing, and an
//! answer is read up to its cap and never past it.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use vipps_order_management::{reqwest, Error, ErrorBody, ErrorKind, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A raw server: answers the token endpoint properly, and for anything else
/// sends `reply` (maybe nothing) and then holds the connection open.
async fn stalling_server(reply: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..20 {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            if head.starts_with(b"POST /accesstoken/get") {
                let _ = socket.write_all(raw_token_answer().as_bytes()).await;
            } else {
                let _ = socket.write_all(reply).await;
            }
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

async fn assert_times_out(base: String) {
    let client = builder_for(base)
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(10))
                .deadline(Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    let err = without_hanging("the call", client.ecom("o-1").get()).await.unwrap_err();
    // Each attempt ended by its own timeout, the last one by it or by the
    // call's deadline, whichever came first.
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(300) || after == Duration::from_secs(2)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_in_bounded_time() {
    assert_times_out(stalling_server(b"").await).await;
}

#[tokio::test]
async fn a_server_that_stalls_mid_body_times_out_in_bounded_time() {
    assert_times_out(
        stalling_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"receipt\":").await,
    )
    .await;
}

#[tokio::test]
async fn junk_bodies_on_every_status_are_typed_errors() {
    let junk = "x".repeat(10 * 1024 * 1024);
    let bodies: [(&str, String); 4] = [
        ("html", "<!DOCTYPE html><html><body>Service down</body></html>".into()),
        ("truncated", "{\"title\": \"Bad\", \"invalidParams\": [{\"name\"".into()),
        ("empty", String::new()),
        ("junk", junk),
    ];
    let statuses = [200u16, 400, 401, 403, 404, 409, 422, 423, 429, 500, 502, 503, 504];
    // Each 401 costs one token refresh: one fetch to start, one per body.
    let server = server_with_token(1 + bodies.len() as u64).await;
    for status in statuses {
        for (name, body) in &bodies {
            Mock::given(method("GET"))
                .and(path(format!("/order-management/v2/ECOM/{name}-{status}")))
                .respond_with(ResponseTemplate::new(status).set_body_raw(body.clone(), "text/html"))
                .expect(if status == 401 { 2 } else { 1 })
                .mount(&server)
                .await;
        }
    }
    let client = builder(&server).retry_policy(RetryPolicy::none()).build().unwrap();
    for status in statuses {
        for (name, _) in &bodies {
            let err = client.ecom(format!("{name}-{status}")).get().await.unwrap_err();
            if status == 200 {
                match &err {
                    Error::Decode { snippet, .. } => assert!(snippet.chars().count() <= 201),
                    other => panic!("{name}-{status}: {other:?}"),
                }
            } else {
                assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{name}-{status}: {err:?}");
                match err.body() {
                    Some(ErrorBody::Text(t)) => assert!(t.len() <= 2048 + 4, "{name}-{status} kept {} bytes", t.len()),
                    Some(ErrorBody::Empty) => assert_eq!(*name, "empty"),
                    other => panic!("{name}-{status}: {other:?}"),
                }
                assert!(err.to_string().len() < 4096);
            }
        }
    }
}

/// A 307 (or 302) to another loopback port: whatever HTTP settings the
/// merchant adds, even ones that follow redirects, nothing reaches that
/// port, not even a connection, and the call fails instead of taking
/// another host's answer as the service's.
#[tokio::test]
async fn a_redirect_to_another_port_reaches_nothing_there() {
    let (elsewhere, counts) = loopback::start().await;
    let follow = |b: vipps_order_management::ClientBuilder| {
        b.http_client(|http| http.redirect(reqwest::redirect::Policy::limited(10)))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    // The token endpoint redirects: the client secret stays here.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/accesstoken/get"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", format!("http://{elsewhere}/accesstoken/get").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;
    let err = follow(builder(&server)).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert!(err.to_string().contains("redirect"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Unexpected);
    // The receipt POST redirects: the receipt, the subscription key and the
    // merchant serial number stay here, and no id from elsewhere is `Ok`.
    let server = server_with_token(1).await;
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/o-1"))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", format!("http://{elsewhere}/steal").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let err = follow(builder(&server))
        .ecom("o-1")
        .post_receipt(&receipt_of("Socks"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(307), "{err:?}");
    assert!(!err.is_retryable());
    // A 302 on a read, with the crate's own HTTP settings.
    let server = server_with_token(1).await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", format!("http://{elsewhere}/steal").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(counts.get(), (0, 0, 0), "connections, token requests and API requests elsewhere");
}

/// An answer past its cap is an error on every path, a success included:
/// a receipt POST answered with 100 KiB (64 KiB is read of such an answer)
/// or one that says 20 MiB, and an order of 20 MiB (16 MiB is read).
#[tokio::test]
async fn an_answer_past_its_cap_is_never_a_success() {
    let server = server_with_token(1).await;
    let long_id = format!("\"{}\"", "a".repeat(100 * 1024));
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/long"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(long_id, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let huge = "x".repeat(20 * 1024 * 1024);
    Mock::given(method("POST"))
        .and(path("/order-management/v2/ECOM/receipts/huge"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(huge.clone(), "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/huge"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    for id in ["long", "huge"] {
        let err = client.ecom(id).post_receipt(&receipt_of("Socks")).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{id}: {err:?}");
        assert!(err.to_string().contains("larger than 65536 bytes"), "{id}: {err}");
    }
    let err = client.ecom("huge").get().await.unwrap_err();
    assert!(err.to_string().contains("larger than 16777216 bytes"), "{err}");
    let err = client.ecom("huge").get_raw().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

/// One answer per connection from a hand-written server: the token, or the
/// body `answer` gives for the request's path, then the connection closed.
async fn answering_server(answer: fn(&str) -> String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                while request.len() < head_end + length {
                    let n = stream.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                }
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let reply = if path.starts_with("/accesstoken") {
                    raw_token_answer()
                } else {
                    answer(&path)
                };
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    base
}

/// A JSON string of exactly `n` bytes, quotes included.
fn json_string_of(n: usize) -> String {
    format!("\"{}\"", "a".repeat(n - 2))
}

/// A 201 with this body in chunks of at most 10,000 bytes.
fn chunked_201(body: &str) -> String {
    let mut out =
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_owned();
    for chunk in body.as_bytes().chunks(10_000) {
        out.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), std::str::from_utf8(chunk).unwrap()));
    }
    out.push_str("0\r\n\r\n");
    out
}

/// The cap holds at its edge, whatever says the length: an answer of
/// exactly the cap is read whole (with a `Content-Length`, or in chunks
/// whose last one fills it), one byte more is an error even when no
/// `Content-Length` announced it.
#[tokio::test]
async fn an_answer_of_exactly_its_cap_is_read_and_one_byte_more_is_not() {
    const CAP: usize = 64 * 1024;
    let base = answering_server(|path| match path.rsplit('/').next().unwrap_or("") {
        "exact-length" => format!(
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {CAP}\r\nConnection: close\r\n\r\n{}",
            json_string_of(CAP)
        ),
        "exact-chunks" => chunked_201(&json_string_of(CAP)),
        "one-more-chunked" => chunked_201(&json_string_of(CAP + 1)),
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
    })
    .await;
    let client = builder_for(base).retry_policy(RetryPolicy::none()).build().unwrap();
    for id in ["exact-length", "exact-chunks"] {
        let posted = client.ecom(id).post_receipt(&receipt_of("Socks")).await;
        assert!(posted.is_ok(), "{id}: {posted:?}");
    }
    let err = client
        .ecom("one-more-chunked")
        .post_receipt(&receipt_of("Socks"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than 65536 bytes"), "{err}");
}

/// An error answer is read up to 64 KiB, whatever the operation: a
/// get-order refused with a problem of 100 KiB is not taken as one (it is
/// shown cut, as text), while an order itself may be 16 MiB.
#[tokio::test]
async fn an_error_answer_is_read_up_to_its_own_cap() {
    let server = server_with_token(1).await;
    let problem = json!({"title": "Not Found", "detail": "x".repeat(100 * 1024)});
    Mock::given(method("GET"))
        .and(path("/order-management/v2/ECOM/o-1"))
        .respond_with(ResponseTemplate::new(404).set_body_json(&problem))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).ecom("o-1").get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err:?}");
    assert!(err.problem().is_none(), "a problem past 64 KiB was read whole: {err:?}");
    assert!(matches!(err.body(), Some(ErrorBody::Text(_))), "{err:?}");
}
