//! A minimal HTTP/1.1 server on loopback with canned Order Management
//! answers: cheap enough that a client's own cost shows. It counts accepted
//! connections, token requests and API requests. Shared by the connection
//! tests and the benchmarks.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server counted.
#[derive(Default)]
pub struct Counts {
    pub accepts: AtomicUsize,
    pub token_requests: AtomicUsize,
    pub api_requests: AtomicUsize,
}

impl Counts {
    pub fn get(&self) -> (usize, usize, usize) {
        (
            self.accepts.load(Ordering::SeqCst),
            self.token_requests.load(Ordering::SeqCst),
            self.api_requests.load(Ordering::SeqCst),
        )
    }
}

pub const TOKEN_BODY: &str = r#"{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"0","expires_on":"4102444800","not_before":"4102441200","resource":"r","access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJleHAiOjQxMDI0NDQ4MDB9.loopback"}"#;
pub const ORDER_BODY: &str = r#"{"category":{"category":"RECEIPT","orderDetailsUrl":"https://shop.example/o/1"},"receipt":{"orderLines":[{"name":"Socks","id":"1","totalAmount":29800,"totalAmountExcludingTax":23840,"totalTaxAmount":5960,"taxRate":2500,"unitInfo":{"unitPrice":14900,"quantity":"2","quantityUnit":"PCS"}},{"name":"Delivery","id":"ship","totalAmount":9900,"totalAmountExcludingTax":7920,"totalTaxAmount":1980,"taxRate":2500,"isShipping":true}],"bottomLine":{"currency":"NOK","receiptNumber":"42"}}}"#;

/// Starts the server on the current runtime; returns its address and counts.
pub async fn start() -> (SocketAddr, Arc<Counts>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            c.accepts.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve(socket, c.clone()));
        }
    });
    (addr, counts)
}

/// Starts the server on its own thread and runtime (for benchmarks).
pub fn start_on_thread() -> (SocketAddr, Arc<Counts>) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            tx.send(start().await).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn serve(mut socket: TcpStream, counts: Arc<Counts>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let (status, body) = if head.starts_with("post /accesstoken/get") {
            counts.token_requests.fetch_add(1, Ordering::SeqCst);
            ("200 OK", TOKEN_BODY)
        } else {
            counts.api_requests.fetch_add(1, Ordering::SeqCst);
            if head.starts_with("get ") {
                ("200 OK", ORDER_BODY)
            } else if head.starts_with("post /order-management/v1/images") {
                ("200 OK", r#"{"imageId":"loopback"}"#)
            } else if head.starts_with("post ") {
                ("201 Created", r#""16328cb8-d769-4c53-90ad-e19777823f0a""#)
            } else {
                ("200 OK", r#""16328cb8-d769-4c53-90ad-e19777823f0a""#)
            }
        };
        buf.drain(..head_end + length);
        if socket.write_all(json_answer(status, body).as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A whole HTTP/1.1 answer with a JSON body.
pub fn json_answer(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
