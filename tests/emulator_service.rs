//! The emulator as a service a whole team can share: its admin API over
//! HTTP (health, reset, the record of requests with bodies, faults by
//! operation, order and merchant), and its bounds (idle connections, slow
//! heads and bodies and silent HTTP/2 clients are let go while a normal
//! client is served; connections wait past the maximum; request bodies
//! share one memory budget). Timing targets (throughput, p99) are in the
//! `emulator_load` example and BENCHMARKS.md; these check behaviour.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vipps_order_management::{Error, Operation, PaymentType};
use vipps_order_management_emulator::{Emulator, Fault};

/// An admin API call: status and JSON answer.
async fn admin(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = http().request(method.parse().unwrap(), format!("{}/_emulator/{path}", emu.base_url()));
    if let Some(body) = body {
        r = r.json(&body);
    }
    let answer = r.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_admin_api_drives_faults_reads_requests_and_resets() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    let (status, health) = admin(&emu, "GET", "health", None).await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    // A 503 and then a dropped connection, for one order's receipt only.
    for fault in [
        json!({"operation": "post_receipt", "orderId": "o-1", "status": 503, "retryAfter": "0"}),
        json!({"operation": "post_receipt", "orderId": "o-1", "closeConnection": true, "when": "after"}),
    ] {
        let (status, added) = admin(&emu, "POST", "faults", Some(fault)).await;
        assert_eq!(status, 201, "{added}");
        assert!(added["id"].is_string());
    }
    let (_, listed) = admin(&emu, "GET", "faults", None).await;
    assert_eq!(listed["faults"].as_array().unwrap().len(), 2);
    assert_eq!(listed["faults"][0]["remaining"], 1);
    // Another order is not touched; o-1 gets the 503, then is stored and
    // its answer lost; the client's retry reconciles it.
    client.ecom("o-2").post_receipt(&receipt_of("Hat")).await.unwrap();
    let posted = client.ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    assert!(posted.already_stored, "stored by the attempt whose connection was dropped");
    assert_eq!(emu.receipt(PaymentType::Ecom, "o-1"), Some(receipt_of("Socks")));
    let (_, listed) = admin(&emu, "GET", "faults", None).await;
    assert!(listed["faults"].as_array().unwrap().is_empty(), "both used up");

    // What was received, filtered, with bodies, secrets not shown.
    let (status, seen) = admin(&emu, "GET", "requests?operation=post_receipt&orderId=o-1", None).await;
    assert_eq!(status, 200);
    let requests = seen["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3, "{seen}");
    assert_eq!(requests[0]["body"]["orderLines"][0]["name"], "Socks");
    assert_eq!(requests[0]["merchant"], emu.merchant_serial_number());
    assert_eq!(requests[0]["headers"]["authorization"], "[not shown]");
    assert_eq!(requests[0]["headers"]["ocp-apim-subscription-key"], "[not shown]");
    assert_eq!(requests[0]["headers"]["vipps-system-name"], "emulator-test");
    let (_, latest) = admin(&emu, "GET", "requests?limit=1", None).await;
    assert_eq!(latest["requests"].as_array().unwrap().len(), 1);
    assert!(latest["total"].as_u64().unwrap() >= 5);
    let (status, _) = admin(&emu, "GET", "requests?operation=nonsense", None).await;
    assert_eq!(status, 400);

    // One merchant's reset, then everything.
    let other = emu.client_builder().merchant_serial_number("654321").build().unwrap();
    other.ecom("o-9").post_receipt(&receipt_of("Scarf")).await.unwrap();
    let (status, _) = admin(&emu, "POST", "reset?merchant=123456", None).await;
    assert_eq!(status, 200);
    assert_eq!(emu.receipt_count(), 1, "the other merchant keeps its receipt");
    let err = client.ecom("o-1").get().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let (status, _) = admin(&emu, "POST", "reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(emu.receipt_count(), 0);
    let (_, seen) = admin(&emu, "GET", "requests", None).await;
    assert_eq!(seen["total"], 0);
}

#[tokio::test]
async fn the_rust_api_and_the_admin_api_are_one_mechanism() {
    let emu = Emulator::start().await.unwrap();
    let id = emu.inject(Fault::status(503).only(Operation::GetOrder).merchant("654321").times(3));
    let (_, listed) = admin(&emu, "GET", "faults", None).await;
    assert_eq!(listed["faults"][0]["id"], id.to_string());
    assert_eq!(listed["faults"][0]["merchant"], "654321");
    assert_eq!(listed["faults"][0]["remaining"], 3);
    let (status, _) = admin(&emu, "DELETE", &format!("faults/{id}"), None).await;
    assert_eq!(status, 200);
    assert!(emu.faults().is_empty());
    let (status, added) = admin(&emu, "POST", "faults", Some(json!({"status": 500, "times": 2}))).await;
    assert_eq!(status, 201);
    let (fault_id, fault, remaining) = emu.faults().pop().unwrap();
    assert_eq!(
        (fault_id.to_string(), remaining),
        (added["id"].as_str().unwrap().to_owned(), Some(2))
    );
    assert_eq!(fault, Fault::status(500).times(2));
    let (status, problem) = admin(&emu, "POST", "faults", Some(json!({"status": 503, "colour": "red"}))).await;
    assert_eq!(status, 400, "{problem}");
    emu.clear_faults();
    assert!(emu.faults().is_empty(), "cleared from Rust");
    let (_, health) = admin(&emu, "GET", "health", None).await;
    assert_eq!(health["maxStoredBytes"], 256 * 1024 * 1024, "the default bound on what is stored");
    let (_, listed) = admin(&emu, "GET", "faults", None).await;
    assert_eq!(listed["faults"], json!([]), "and so over HTTP");
}

/// Waits until a count in the admin API's health meets `done`.
async fn until_health(emu: &Emulator, what: &str, field: &str, done: impl Fn(u64) -> bool) {
    without_hanging(what, async {
        loop {
            let (_, health) = admin(emu, "GET", "health", None).await;
            if done(health[field].as_u64().unwrap_or(0)) {
                return;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}

/// Reads until the server closes the connection (or a minute passes:
/// then it hangs, and the test fails).
async fn closed_by_server(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    without_hanging("the server closing a hostile connection", async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_connections_are_let_go_while_a_normal_client_is_served() {
    let emu = Emulator::builder()
        .idle_timeout(Duration::from_millis(500))
        .body_timeout(Duration::from_millis(500))
        .start()
        .await
        .unwrap();
    let addr = emu.local_addr();
    let mut hostile = Vec::new();
    // From another address of this machine, as another client is: past its
    // share (256) its connections are closed at once, so writes may fail.
    for i in 0..200 {
        // Idle: connected, silent.
        hostile.push(connect_from(HOSTILE, addr).await);
        // A head never finished.
        let mut slow_head = connect_from(HOSTILE, addr).await;
        let _ = slow_head
            .write_all(b"GET /order-management/v2/ECOM/o-1 HTTP/1.1\r\nHost: x\r\n")
            .await;
        hostile.push(slow_head);
        // A whole head, then a body that never comes.
        let mut slow_body = connect_from(HOSTILE, addr).await;
        let _ = slow_body
            .write_all(
                format!("POST /order-management/v2/ECOM/receipts/h-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{{").as_bytes(),
            )
            .await;
        hostile.push(slow_body);
        // The HTTP/2 preface, then silence.
        let mut h2 = connect_from(HOSTILE, addr).await;
        let _ = h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
        hostile.push(h2);
    }
    // A normal client, while all 800 are held, is served every time.
    let client = emu.client();
    for i in 0..50 {
        client.ecom(format!("n-{i}")).post_receipt(&receipt_of("Socks")).await.unwrap();
    }
    assert_eq!(emu.receipt_count(), 50);
    // Every hostile connection is closed by the server.
    let closing: Vec<_> = hostile.into_iter().map(|s| tokio::spawn(closed_by_server(s))).collect();
    for c in closing {
        c.await.unwrap();
    }
    assert_eq!(emu.receipt_count(), 50, "no slow body was stored");
}

/// Another client: an address of this machine other than 127.0.0.1.
const HOSTILE: [u8; 4] = [127, 0, 0, 2];

/// A connection to `addr` from `from` (any port).
async fn connect_from(from: [u8; 4], addr: std::net::SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Issue 25, item 6: one client (one address) holding connections or
/// stalling uploads spends its own share, and another client is served at
/// once. The idle and body times are an hour: without the shares, the
/// other client would wait that long (and `without_hanging` fail).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_cannot_take_the_connections_or_body_memory_of_the_others() {
    let hour = Duration::from_secs(3600);
    let emu = Emulator::builder()
        .max_connections(8)
        .max_connections_per_client(2)
        .idle_timeout(hour)
        .start()
        .await
        .unwrap();
    let addr = emu.local_addr();
    // Eight silent connections: two are held, the rest closed at once.
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(connect_from(HOSTILE, addr).await);
    }
    let client = emu.client();
    without_hanging("another client's call while one holds connections", async {
        client.ecom("n-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    })
    .await;
    // The last is past its share: the server closed it as it came.
    closed_by_server(idle.pop().unwrap()).await;
    drop(idle);
    // Eight uploads of 8 KiB each that stall, 64 KiB in all: its share
    // holds two.
    let emu = Emulator::builder()
        .body_memory(64 * 1024)
        .body_memory_per_client(16 * 1024)
        .body_timeout(hour)
        .idle_timeout(hour)
        .start()
        .await
        .unwrap();
    let (addr, client) = (emu.local_addr(), emu.client());
    let mut stalled = Vec::new();
    for i in 0..8 {
        let mut upload = connect_from(HOSTILE, addr).await;
        let head = format!("POST /order-management/v2/ECOM/receipts/s-{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n");
        let _ = upload.write_all(head.as_bytes()).await;
        let _ = upload.write_all(&[b' '; 8 * 1024]).await;
        stalled.push(upload);
    }
    until_health(&emu, "the server holding the stalled uploads' share", "bodyBytesHeld", |held| {
        held >= 16 * 1024
    })
    .await;
    without_hanging("another client's upload while one stalls its own", async {
        client.ecom("n-2").post_receipt(&receipt_of("Socks")).await.unwrap();
    })
    .await;
    assert_eq!(emu.receipt_count(), 1, "no stalled upload was stored");
    // The last upload is past its share: answered 503 at once.
    let mut last = stalled.pop().unwrap();
    let mut head = vec![0u8; 1024];
    let n = without_hanging("the answer to an upload past its share", last.read(&mut head))
        .await
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(head.contains("from this client"), "the refusal says whose share is spent: {head}");
    drop(stalled);
}

/// Issue 25, item 7: the bounds a builder sets are the ones kept: the bytes
/// stored (a write past them is 507, saying what to do) and the record's
/// bytes (the oldest dropped, counted in health); answers carry their
/// length.
#[tokio::test]
async fn the_stored_and_recorded_bytes_set_are_the_ones_kept() {
    let emu = Emulator::builder().max_stored_bytes(1000).record_bytes(4096).start().await.unwrap();
    let client = emu.client();
    let mut refused = None;
    for i in 0..20 {
        if let Err(e) = client.ecom(format!("o-{i}")).post_receipt(&receipt_of("Socks")).await {
            refused = Some(e);
            break;
        }
    }
    let refused = refused.expect("past 1,000 bytes a write is refused");
    assert!(
        refused.to_string().contains("507") || refused.to_string().contains("Insufficient Storage"),
        "{refused}"
    );
    assert!(refused.to_string().contains("Reset a merchant"), "{refused}");
    assert!(emu.receipt_count() < 20);
    let (_, health) = admin(&emu, "GET", "health", None).await;
    assert!(health["storedBytes"].as_u64().unwrap() <= 1000, "{health}");
    assert!(health["requestsDropped"].as_u64().unwrap() > 0, "{health}");
    assert!(health["requestsRecordedBytes"].as_u64().unwrap() <= 4096, "{health}");
    let answer = http().get(format!("{}/_emulator/health", emu.base_url())).send().await.unwrap();
    assert!(answer.headers().get("content-length").is_some(), "an answer says its length");
}

/// Issue 25 (review): a client that asks for large answers and reads none
/// of them spends its own share of the memory for answers (503 with
/// `Retry-After` past it), and another client is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_its_answers_spends_its_own_share() {
    let emu = Emulator::builder().answer_memory(8 << 20, 1 << 20).start().await.unwrap();
    let (addr, client) = (emu.local_addr(), emu.client());
    client.ecom("big").post_receipt(&receipt_of(&"x".repeat(700_000))).await.unwrap();
    let get = format!(
        "GET /order-management/v2/ECOM/big HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nOcp-Apim-Subscription-Key: {}\r\nMerchant-Serial-Number: {}\r\n\r\n",
        emu.access_token(),
        emu.subscription_key(),
        emu.merchant_serial_number()
    );
    let mut unread = connect_from(HOSTILE, addr).await;
    unread.write_all(get.as_bytes()).await.unwrap();
    until_health(&emu, "the server holding the unread answer", "answerBytesHeld", |held| {
        held >= 700_000
    })
    .await;
    let mut second = connect_from(HOSTILE, addr).await;
    second.write_all(get.as_bytes()).await.unwrap();
    let mut head = vec![0u8; 4096];
    let n = without_hanging("the second answer", second.read(&mut head)).await.unwrap();
    let head = String::from_utf8_lossy(&head[..n]);
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(head.to_ascii_lowercase().contains("retry-after: 1"), "{head}");
    let order = without_hanging("another client's read", client.ecom("big").get()).await.unwrap();
    assert!(order.receipt.is_some());
    drop(unread);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_maximum_connections_wait_for_a_free_slot() {
    let emu = Emulator::builder().max_connections(4).start().await.unwrap();
    let addr = emu.local_addr();
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // Each is answered, so each is surely accepted and holds its slot.
        s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 512];
        assert!(s.read(&mut buf).await.unwrap() > 0);
        held.push(s);
    }
    let mut fifth = tokio::spawn(async move {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).await.unwrap();
        answer
    });
    // Not answered while the four hold their slots (a window with no
    // answer, not a timing target)...
    if let Ok(answered) = tokio::time::timeout(Duration::from_millis(300), &mut fifth).await {
        panic!("answered past the maximum: {answered:?}");
    }
    // ...and the same waiting connection is answered once one lets go.
    drop(held.pop());
    let answer = without_hanging("the waiting connection's answer", fifth).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_share_one_memory_budget() {
    let emu = Emulator::builder().body_memory(64 * 1024).start().await.unwrap();
    let addr = emu.local_addr();
    // One client sends 40 KiB of a 50 KiB body and holds the rest back.
    let mut first = TcpStream::connect(addr).await.unwrap();
    first
        .write_all(b"POST /order-management/v2/ECOM/receipts/big HTTP/1.1\r\nHost: x\r\nContent-Length: 51200\r\n\r\n")
        .await
        .unwrap();
    first.write_all(&[b' '; 40 * 1024]).await.unwrap();
    // Once the server holds it, a second body that does not fit is refused.
    until_health(&emu, "the server holding the first body", "bodyBytesHeld", |held| held >= 40 * 1024).await;
    let second = http()
        .post(format!("{}/order-management/v2/ECOM/receipts/other", emu.base_url()))
        .body(vec![b' '; 40 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(second.status().as_u16(), 503);
    assert_eq!(second.headers()["retry-after"], "1");
    // The budget returns when the first is done.
    drop(first);
    until_health(&emu, "the budget returning", "bodyBytesHeld", |held| held == 0).await;
    let err = emu.client().ecom("o-1").get().await.unwrap_err();
    assert!(matches!(err, Error::Api { .. }) && err.is_not_found(), "served again: {err:?}");
}

/// The idle and body timeouts set are the ones kept: a silent connection
/// and a body that never comes are let go long before the defaults (10 s
/// and 30 s) would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeouts_set_are_the_ones_kept() {
    let emu = Emulator::builder()
        .idle_timeout(Duration::from_millis(200))
        .body_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let mut silent = TcpStream::connect(emu.local_addr()).await.unwrap();
    let mut slow_body = TcpStream::connect(emu.local_addr()).await.unwrap();
    slow_body
        .write_all(b"POST /order-management/v2/ECOM/receipts/o-1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    for (what, stream) in [("silent", &mut silent), ("slow body", &mut slow_body)] {
        let mut rest = Vec::new();
        let _ended = without_hanging(what, stream.read_to_end(&mut rest)).await;
        assert!(rest.is_empty(), "{what}: no answer, the connection closed");
    }
    let took = started.elapsed();
    // A bound far from both sides (0.2 s set, 10 s and 30 s by default), so
    // a busy machine cannot fail it: it tells the setting from the default.
    assert!(took < Duration::from_secs(5), "closed after {took:?}: the default, not the setting");
}

/// A long answer read slowly (far longer than the idle time to arrive) is
/// delivered whole, and the connection stays usable after it: the answer
/// is under way until it is handed on, and a slow reader's progress counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_answer_read_slowly_arrives_whole() {
    let emu = Emulator::builder().idle_timeout(Duration::from_secs(2)).start().await.unwrap();
    let http = http();
    // The record's listing of 20 requests with 60 KB bodies each: an
    // answer of about 1.2 MB, four seconds at the client's pace.
    for i in 0..20 {
        let url = format!("{}/order-management/v2/ECOM/receipts/o-{i}", emu.base_url());
        let _ = http.post(url).body("x".repeat(60_000)).send().await.unwrap();
    }
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    let mut stream = socket.connect(emu.local_addr()).await.unwrap();
    let ask = b"GET /_emulator/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    stream.write_all(ask).await.unwrap();
    let started = std::time::Instant::now();
    let mut got = Vec::new();
    let (head_end, length) = without_hanging("the slow read", async {
        loop {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "cut after {} bytes in {:?}", got.len(), started.elapsed());
            got.extend_from_slice(&chunk[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                    .expect("a length");
                if got.len() >= end + 4 + length {
                    return (end + 4, length);
                }
            }
            // The client's pace (about 300 kB/s) is the behaviour under
            // test, not a wait for something.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    })
    .await;
    assert!(length > 1_100_000, "a long answer: {length} bytes");
    assert_eq!(got.len() - head_end, length, "whole");
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "read slower than the idle time: {:?}",
        started.elapsed()
    );
    // The same connection serves the next request.
    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    without_hanging("the next answer", stream.read_to_end(&mut rest)).await.unwrap();
    assert!(
        rest.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&rest[..rest.len().min(200)])
    );
}

/// The admin API's check of the host name a client used holds over
/// HTTP/2 too, where the host is `:authority` and no `Host` is sent: a
/// name rebound to this machine is refused, the address is served.
#[tokio::test]
async fn the_admin_apis_host_check_holds_over_http2() {
    let emu = Emulator::start().await.unwrap();
    pick_crypto_provider();
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .resolve("rebind.evil.example", emu.local_addr())
        .build()
        .unwrap();
    let port = emu.local_addr().port();
    for (host, expected) in [("rebind.evil.example", 403), ("127.0.0.1", 200)] {
        let answer = h2.get(format!("http://{host}:{port}/_emulator/faults")).send().await.unwrap();
        assert_eq!(answer.version(), reqwest::Version::HTTP_2);
        assert_eq!(answer.status(), expected, "{host}");
    }
}

/// A state file is opened without a word when it is whole, and with one
/// warning when its last line was cut short by a kill (then dropped).
#[tokio::test]
async fn a_torn_state_file_is_said_once_and_a_whole_one_not_at_all() {
    let dir = std::env::temp_dir().join(format!("vipps-om-torn-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.jsonl");
    let _ = std::fs::remove_file(&path);
    let emu = Emulator::builder().state_file(&path).start().await.unwrap();
    emu.client().ecom("o-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    emu.stop().await;
    let whole = std::fs::read(&path).unwrap();
    let start = || async { Emulator::builder().state_file(&path).start().await.unwrap() };
    let (emu, said) = logged_async(start()).await;
    assert!(!said.contains("cut short"), "a whole file opens quietly: {said}");
    emu.stop().await;
    let mut torn = whole.clone();
    torn.extend_from_slice(b"{\"change\":\"rec");
    std::fs::write(&path, &torn).unwrap();
    let (emu, said) = logged_async(start()).await;
    assert_eq!(said.matches("cut short").count(), 1, "{said}");
    assert!(
        emu.client().ecom("o-1").get().await.unwrap().receipt.is_some(),
        "what was kept is kept"
    );
    emu.stop().await;
    assert_eq!(std::fs::read(&path).unwrap(), whole, "the torn line cut away");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Request heads are taken up to 64 KiB (a long header is answered) and
/// refused past it, so the record of requests is bounded by its count.
#[tokio::test]
async fn request_heads_are_bounded_at_64_kib() {
    let emu = Emulator::start().await.unwrap();
    let status = |bytes: usize| {
        let url = format!("{}/_emulator/health", emu.base_url());
        async move {
            let answer = http().get(url).header("x-padding", "p".repeat(bytes)).send().await;
            answer.map(|a| a.status().as_u16()).unwrap_or(0)
        }
    };
    assert_eq!(status(40 * 1024).await, 200, "a 40 KiB head is taken");
    let refused = status(100 * 1024).await;
    assert!(refused == 431 || refused == 0, "a 100 KiB head is refused: {refused}");
}

/// An HTTP/2 client that answers every ping but sends no request is idle:
/// the server's own pings and their answers do not keep it open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_client_that_only_answers_pings_is_let_go() {
    let emu = Emulator::builder().idle_timeout(Duration::from_millis(300)).start().await.unwrap();
    let mut stream = TcpStream::connect(emu.local_addr()).await.unwrap();
    // The preface and an empty SETTINGS frame.
    stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await.unwrap();
    stream.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap();
    let mut pings = 0;
    without_hanging("the server closing a connection that only answers pings", async {
        loop {
            let mut head = [0u8; 9];
            if stream.read_exact(&mut head).await.is_err() {
                return;
            }
            let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
            let mut payload = vec![0u8; len];
            if stream.read_exact(&mut payload).await.is_err() {
                return;
            }
            let (kind, ack) = (head[3], head[4] & 1 == 1);
            let reply = match (kind, ack) {
                // SETTINGS: acknowledged.
                (4, false) => vec![0, 0, 0, 4, 1, 0, 0, 0, 0],
                // PING: answered with its payload.
                (6, false) => {
                    pings += 1;
                    let mut frame = vec![0, 0, 8, 6, 1, 0, 0, 0, 0];
                    frame.extend_from_slice(&payload);
                    frame
                }
                _ => continue,
            };
            if stream.write_all(&reply).await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(pings <= 20, "closed only after {pings} pings");
}

/// A client with real keys pointed at a shared emulator by mistake: the
/// record never shows a secret, in headers, the query or the body.
#[tokio::test]
async fn recorded_requests_never_show_secrets() {
    let emu = Emulator::start().await.unwrap();
    let token_url = format!("{}/accessToken/get", emu.base_url());
    let secret = "real-secret-Vb81";
    http()
        .post(format!("{token_url}?subscription-key={secret}&client_secret={secret}&lang=nb"))
        .header("Proxy-Authorization", format!("Basic {secret}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("grant_type=client_credentials&client_secret={secret}"))
        .send()
        .await
        .unwrap();
    http()
        .post(&token_url)
        .json(&json!({"client_secret": secret, "access_token": secret, "kept": "visible"}))
        .send()
        .await
        .unwrap();
    let (status, record) = admin(&emu, "GET", "requests", None).await;
    assert_eq!(status, 200);
    let shown = record.to_string();
    assert!(!shown.contains(secret), "{shown}");
    let requests = record["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2, "{record}");
    assert!(requests[0]["query"].as_str().unwrap().contains("lang=nb"), "{record}");
    assert!(
        requests[0]["body"].as_str().unwrap().contains("grant_type=client_credentials"),
        "{record}"
    );
    assert_eq!(requests[0]["headers"]["proxy-authorization"], "[not shown]");
    assert_eq!(requests[1]["body"]["kept"], "visible");
    assert_eq!(requests[1]["body"]["client_secret"], "[not shown]");
}

/// Issue 25, item 8: secrets in every shape a client may send them, and
/// a record cut short (a body over the cap), never shown.
#[tokio::test]
async fn recorded_requests_never_show_secrets_in_any_shape() {
    let emu = Emulator::builder().record_limit(100, 64 * 1024).start().await.unwrap();
    let url = format!("{}/order-management/v2/ECOM/receipts/s-1", emu.base_url());
    let secret = "real-secret-Qz42";
    let padding = "x".repeat(70 * 1024);
    let bodies = [
        // Over the record's 64 KiB cap: cut, after the secret was hidden.
        json!({"clientSecret": secret, "padding": padding}).to_string(),
        json!({"auth": {"credentials": [{"password": secret}]}}).to_string(),
        json!({"apiKey": secret, "X-Api-Key": secret}).to_string(),
        // A form sent without the form content type.
        format!("client_id=x&client_secret={secret}"),
    ];
    for body in bodies {
        http().post(&url).header("X-Api-Key", secret).body(body).send().await.unwrap();
    }
    http()
        .get(format!("{}/order-management/v2/ECOM/s-1?token={secret}&other=1", emu.base_url()))
        .send()
        .await
        .unwrap();
    let (status, record) = admin(&emu, "GET", "requests", None).await;
    assert_eq!(status, 200);
    let shown = record.to_string();
    assert!(!shown.contains(secret), "{}", &shown[..shown.len().min(2000)]);
    let requests = record["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 5);
    assert_eq!(requests[0]["bodyTruncated"], true);
    assert_eq!(requests[0]["headers"]["x-api-key"], "[not shown]");
    assert!(requests[3]["body"].as_str().unwrap().contains("client_id=x"), "{}", requests[3]);
    assert!(requests[4]["query"].as_str().unwrap().contains("other=1"), "{}", requests[4]);
    // The Rust record hides the body's secrets too (its headers and query
    // are as sent, for tests of what a client sends).
    assert!(emu.requests().iter().all(|r| !String::from_utf8_lossy(&r.body).contains(secret)));
}

/// Issue 25, item 8: a reset takes what it deleted off the disk too, and
/// a token stays good across a restart (as a real one across deploys).
#[tokio::test]
async fn a_reset_leaves_the_disk_and_a_token_outlives_a_restart() {
    let path = std::env::temp_dir().join(format!("vipps-om-compact-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let first = Emulator::builder().state_file(&path).start().await.unwrap();
    let client = first.client();
    client.ecom("secret-order-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    client.ecom("kept-order-2").post_receipt(&receipt_of("Socks")).await.unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("secret-order-1"));
    let token = first.access_token();
    let (status, _) = admin(&first, "POST", "reset", None).await;
    assert_eq!(status, 200);
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        !on_disk.contains("secret-order-1") && !on_disk.contains("kept-order-2"),
        "{on_disk}"
    );
    client.ecom("kept-order-3").post_receipt(&receipt_of("Socks")).await.unwrap();
    first.stop().await;
    let second = Emulator::builder().state_file(&path).start().await.unwrap();
    assert_eq!(second.receipt_count(), 1, "the compacted file, and what came after it");
    let answer = http()
        .get(format!("{}/order-management/v2/ECOM/kept-order-3", second.base_url()))
        .header("Authorization", format!("Bearer {token}"))
        .header("Ocp-Apim-Subscription-Key", second.subscription_key())
        .header("Merchant-Serial-Number", second.merchant_serial_number())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200, "the first emulator's token");
    second.stop().await;
    std::fs::remove_file(&path).unwrap();
}

/// `stop` waits until the emulator has let its state file go: another
/// emulator opens it at once and has what the first one kept.
#[tokio::test]
async fn a_stopped_emulator_releases_its_state_file_at_once() {
    let path = std::env::temp_dir().join(format!("vipps-om-stop-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let first = Emulator::builder().state_file(&path).start().await.unwrap();
    first.client().ecom("kept-1").post_receipt(&receipt_of("Socks")).await.unwrap();
    first.stop().await;
    let second = Emulator::builder().state_file(&path).start().await.unwrap();
    assert_eq!(second.receipt_count(), 1);
    second.stop().await;
    std::fs::remove_file(&path).unwrap();
}
