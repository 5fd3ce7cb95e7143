//! The emulator's HTTP server: HTTP/1.1 and HTTP/2, each request handed to
//! [`State::respond`] and answered (or its connection closed) as that
//! decides, one log line per request. It is bounded as a shared service
//! must be: at most so many connections; a connection idle (no request
//! under way) for too long is closed, whatever its protocol and whatever
//! pings it answers; a request head or body that takes too long ends its
//! connection; request bodies under way share one memory budget; an error
//! accepting connections (out of file descriptors) backs off instead of
//! spinning. It stops cleanly when told to.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::answer::{problem, Answer, Reaction};
use super::body_budget::BodyBudget;
use super::incoming::Incoming;
use super::state::State;

/// The largest request body read: an image of 2 MiB in base64 and more.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// The largest request head (request line and headers) read: 64 KiB.
const MAX_HEAD: usize = 64 * 1024;
/// Requests under way get this long to finish when the server stops.
const GRACE: Duration = Duration::from_secs(5);

/// The bounds of the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) max_connections: usize,
    /// A connection with no request under way for this long is closed; an
    /// HTTP/1 request head gets this long.
    pub(super) idle_timeout: Duration,
    /// A request body gets this long to arrive.
    pub(super) body_timeout: Duration,
    /// Bytes of request bodies held at once, all connections together.
    pub(super) body_memory: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_connections: 1024,
            idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            body_memory: 64 * 1024 * 1024,
        }
    }
}

/// The request is answered by closing its connection.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the emulator closes the connection without an answer")
    }
}

impl std::error::Error for CloseConnection {}

/// What the connections share.
struct Shared {
    state: Arc<Mutex<State>>,
    bounds: Bounds,
    budget: BodyBudget,
    /// When the server started: activity is counted from it.
    epoch: Instant,
}

/// Serves `listener` until `stop` turns true; then stops accepting, lets
/// requests under way finish (for up to five seconds), and closes the rest.
pub(super) async fn serve(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    mut stop: watch::Receiver<bool>,
    bounds: Bounds,
    budget: BodyBudget,
) {
    let shared = Arc::new(Shared {
        state,
        bounds,
        budget,
        epoch: Instant::now(),
    });
    let slots = Arc::new(Semaphore::new(bounds.max_connections));
    let mut connections = JoinSet::new();
    let mut backoff = Duration::ZERO;
    loop {
        // A free slot first: past the bound, connections wait in the
        // kernel's queue instead of being taken and starved.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = stop_requested(&mut stop) => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    backoff = Duration::ZERO;
                    let shared = shared.clone();
                    let stop = stop.clone();
                    connections.spawn(async move {
                        connection(stream, peer, shared, stop).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    // Out of descriptors, or the like: wait, more each time,
                    // rather than spin on an error that will not pass at once.
                    backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                    tracing::warn!(target: "vipps_order_management_emulator", error = %e, wait_ms = backoff.as_millis() as u64, "cannot accept a connection; waiting");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = stop_requested(&mut stop) => break,
                    }
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = stop_requested(&mut stop) => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, async { while connections.join_next().await.is_some() {} }).await;
    connections.shutdown().await;
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, before any later await.
    let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
}

/// What a connection did last, for the idle check: when (in milliseconds
/// from the server's start) its last request began or ended, and how many
/// of its requests are under way. Bytes do not count: an HTTP/2 client
/// answers the server's pings, and a connection that only pings is idle.
#[derive(Default)]
struct Activity {
    last_ms: AtomicU64,
    in_flight: AtomicUsize,
}

impl Activity {
    fn touch(&self, epoch: Instant) {
        self.last_ms.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// Resolves when the connection has had no request under way for the idle
/// timeout.
async fn idle(activity: &Activity, epoch: Instant, timeout: Duration) {
    let step = (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
    loop {
        tokio::time::sleep(step).await;
        let last = Duration::from_millis(activity.last_ms.load(Ordering::Relaxed));
        if activity.in_flight.load(Ordering::Relaxed) == 0 && epoch.elapsed().saturating_sub(last) >= timeout {
            return;
        }
    }
}

/// A request under way on a connection, for as long as it lives: it ends
/// (the answer sent, or the request dropped because its client went away)
/// when this is dropped.
struct UnderWay<'a> {
    activity: &'a Activity,
    epoch: Instant,
}

impl<'a> UnderWay<'a> {
    fn new(activity: &'a Activity, epoch: Instant) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        UnderWay { activity, epoch }
    }
}

impl Drop for UnderWay<'_> {
    fn drop(&mut self) {
        self.activity.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.activity.touch(self.epoch);
    }
}

async fn connection(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let activity = Arc::new(Activity::default());
    activity.touch(shared.epoch);
    let service = {
        let (shared, activity) = (shared.clone(), activity.clone());
        hyper::service::service_fn(move |req| {
            let (shared, activity) = (shared.clone(), activity.clone());
            async move {
                activity.touch(shared.epoch);
                let _under_way = UnderWay::new(&activity, shared.epoch);
                request(&shared, req, peer).await
            }
        })
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client that never finishes its request head is let go; so is an
    // HTTP/2 client that stops answering pings.
    // Request heads are bounded in size too (64 KiB), so the record of
    // requests is bounded by its count.
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(shared.bounds.idle_timeout)
        .max_buf_size(MAX_HEAD);
    builder
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .max_header_list_size(MAX_HEAD as u32)
        .keep_alive_interval(Some(shared.bounds.idle_timeout))
        .keep_alive_timeout(shared.bounds.idle_timeout);
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = idle(&activity, shared.epoch, shared.bounds.idle_timeout) => {}
        () = stop_requested(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Why a body was not read whole.
enum Unread {
    /// Past [`MAX_BODY`].
    TooLarge,
    /// The budget for bodies under way is spent.
    Busy,
    /// It did not arrive in time.
    TooSlow,
    /// The client went away.
    Gone,
}

/// Reads a body whole, counting it against the shared budget; the permit
/// holds its part of the budget until the request is answered.
async fn read_body(body: Body, shared: &Shared) -> Result<(Bytes, Option<OwnedSemaphorePermit>), Unread> {
    let collect = async {
        let mut body = body;
        let mut bytes = BytesMut::new();
        let mut held: Option<OwnedSemaphorePermit> = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| Unread::Gone)?;
            let Ok(data) = frame.into_data() else { continue };
            if bytes.len() + data.len() > MAX_BODY {
                return Err(Unread::TooLarge);
            }
            shared
                .budget
                .grow(&mut held, bytes.len(), bytes.len() + data.len())
                .map_err(|_| Unread::Busy)?;
            bytes.extend_from_slice(&data);
        }
        Ok((bytes.freeze(), held))
    };
    tokio::time::timeout(shared.bounds.body_timeout, collect)
        .await
        .unwrap_or(Err(Unread::TooSlow))
}

async fn request(shared: &Shared, req: Request<Body>, peer: SocketAddr) -> Result<Response<Full<Bytes>>, CloseConnection> {
    let (parts, body) = req.into_parts();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let mut line = LogLine::new(method.clone(), path.clone(), peer);
    let (body, _budget) = match read_body(body, shared).await {
        Ok(read) => read,
        Err(Unread::Gone) | Err(Unread::TooSlow) => {
            line.ended(Ending::Closed);
            return Err(CloseConnection);
        }
        Err(unread) => {
            let mut answer = match unread {
                Unread::TooLarge => problem(413, "Payload Too Large", "The request body is larger than 8 MiB", vec![]),
                _ => problem(
                    503,
                    "Service Unavailable",
                    "The emulator holds as many request bodies as it may at once; try again in a moment",
                    vec![],
                ),
            };
            if answer.status == 503 {
                answer.headers.push(("Retry-After", "1".to_owned()));
            }
            line.ended(Ending::Answered(answer.status));
            return Ok(response(answer));
        }
    };
    let incoming = Incoming {
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        peer,
    };
    let disposition = shared.state.lock().unwrap_or_else(|e| e.into_inner()).respond(&incoming);
    if !disposition.delay.is_zero() {
        tokio::time::sleep(disposition.delay).await;
    }
    line.ended(match &disposition.reaction {
        Reaction::Send(answer) => Ending::Answered(answer.status),
        Reaction::CloseConnection => Ending::Closed,
    });
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

/// How a request ended, for its log line.
#[derive(Clone, Copy)]
enum Ending {
    /// Answered with this status.
    Answered(u16),
    /// Its connection was closed without an answer (a fault, or a body
    /// that did not arrive).
    Closed,
}

/// The one log line of a request, on the `vipps_order_management_emulator`
/// target, written when the request ends, or when it is dropped before (its
/// client went away, or the server stopped): whatever it changed is logged.
struct LogLine {
    method: String,
    path: String,
    peer: SocketAddr,
    started: std::time::Instant,
    ending: Option<Ending>,
}

impl LogLine {
    fn new(method: String, path: String, peer: SocketAddr) -> Self {
        LogLine {
            method,
            path,
            peer,
            started: std::time::Instant::now(),
            ending: None,
        }
    }

    fn ended(&mut self, ending: Ending) {
        self.ending = Some(ending);
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let (method, path, peer) = (&self.method, &self.path, self.peer);
        let ms = self.started.elapsed().as_millis() as u64;
        match self.ending {
            Some(Ending::Answered(status)) => {
                tracing::info!(target: "vipps_order_management_emulator", %peer, "{method} {path} -> {status} ({ms} ms)")
            }
            Some(Ending::Closed) => {
                tracing::info!(target: "vipps_order_management_emulator", %peer, "{method} {path} -> connection closed ({ms} ms)")
            }
            None => tracing::info!(
                target: "vipps_order_management_emulator",
                %peer,
                "{method} {path} -> ended without an answer: the client went away, or the server stopped ({ms} ms)"
            ),
        }
    }
}
