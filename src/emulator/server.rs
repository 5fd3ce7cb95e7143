//! The emulator's HTTP server: HTTP/1.1 and HTTP/2 on a loopback port,
//! each request handed to [`State::respond`] and answered (or its
//! connection closed) as that decides, one log line per request.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::answer::{problem, Answer, Reaction};
use super::dispatch::Incoming;
use super::state::State;

/// The largest request body read: an image of 2 MiB in base64 and more.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// The request is answered by closing its connection.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the emulator closes the connection without an answer (an injected fault)")
    }
}

impl std::error::Error for CloseConnection {}

/// Serves `listener` until `stop` turns true; then stops accepting, lets
/// requests under way finish (for up to `grace`), and closes the rest.
pub(super) async fn serve(listener: TcpListener, state: Arc<Mutex<State>>, mut stop: watch::Receiver<bool>, grace: Duration) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let state = state.clone();
                let stop = stop.clone();
                connections.spawn(connection(stream, peer, state, stop));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stop_requested(&mut stop) => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, async { while connections.join_next().await.is_some() {} }).await;
    connections.shutdown().await;
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, before any later await.
    let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
}

async fn connection(stream: tokio::net::TcpStream, peer: SocketAddr, state: Arc<Mutex<State>>, mut stop: watch::Receiver<bool>) {
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        async move { request(state, req, peer).await }
    });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client that never finishes its request head is let go.
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = stop_requested(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn request(state: Arc<Mutex<State>>, req: Request<Body>, peer: SocketAddr) -> Result<Response<Full<Bytes>>, CloseConnection> {
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            let answer = problem(413, "Payload Too Large", "The request body is larger than 8 MiB", vec![]);
            log(&method, &path, peer, Some(answer.status), started);
            return Ok(response(answer));
        }
        // The client went away while sending.
        Err(_) => return Err(CloseConnection),
    };
    let incoming = Incoming {
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let disposition = state.lock().unwrap_or_else(|e| e.into_inner()).respond(&incoming);
    if !disposition.delay.is_zero() {
        tokio::time::sleep(disposition.delay).await;
    }
    let status = match &disposition.reaction {
        Reaction::Send(answer) => Some(answer.status),
        Reaction::CloseConnection => None,
    };
    log(&incoming.method, &incoming.path, peer, status, started);
    match disposition.reaction {
        Reaction::Send(answer) => Ok(response(answer)),
        Reaction::CloseConnection => Err(CloseConnection),
    }
}

fn response(answer: Answer) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(answer.status);
    if !answer.body.is_empty() {
        builder = builder.header(hyper::header::CONTENT_TYPE, answer.content_type.as_str());
    }
    for (name, value) in &answer.headers {
        builder = builder.header(*name, value.as_str());
    }
    builder.body(Full::new(Bytes::from(answer.body))).unwrap_or_else(|_| {
        // Only a status or header HTTP cannot carry gets here: a 500, never
        // an empty answer that could pass for success.
        let mut failed = Response::new(Full::new(Bytes::from_static(b"the emulator could not build its answer")));
        *failed.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        failed
    })
}

/// One line per request, on the `vipps_order_management::emulator` target:
/// the status answered, or `None` for a connection closed without one.
fn log(method: &str, path: &str, peer: SocketAddr, status: Option<u16>, started: std::time::Instant) {
    let ms = started.elapsed().as_millis() as u64;
    match status {
        Some(status) => tracing::info!(target: "vipps_order_management::emulator", %peer, "{method} {path} -> {status} ({ms} ms)"),
        None => tracing::info!(target: "vipps_order_management::emulator", %peer, "{method} {path} -> connection closed ({ms} ms)"),
    }
}
