//! The emulator's HTTP server: HTTP/1.1 and HTTP/2, each request handed to
//! [`State::respond`] and answered (or its connection closed) as that
//! decides, one log line per request. It is bounded as a shared service
//! must be: at most so many connections; a connection idle (no request
//! under way, nothing received) for too long is closed, whatever its
//! protocol; a request head or body that takes too long ends its
//! connection; request bodies under way share one memory budget; an error
//! accepting connections (out of file descriptors) backs off instead of
//! spinning. It stops cleanly when told to.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::answer::{problem, Answer, Reaction};
use super::dispatch::Incoming;
use super::state::State;

/// The largest request body read: an image of 2 MiB in base64 and more.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// Requests under way get this long to finish when the server stops.
const GRACE: Duration = Duration::from_secs(5);

/// The bounds of the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) max_connections: usize,
    /// A connection with no request under way and nothing received for
    /// this long is closed; an HTTP/1 request head gets this long.
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

/// Bodies are counted against the memory budget in units of this many
/// bytes (the budget is a semaphore of units).
const UNIT: usize = 1024;

/// The request is answered by closing its connection.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the emulator closes the connection without an answer")
    }
}

impl std::error::Error for CloseConnection {}

/// The memory budget for request bodies under way, all connections
/// together: a semaphore of [`UNIT`]s.
#[derive(Debug, Clone)]
pub(super) struct BodyBudget {
    units: Arc<Semaphore>,
    total: usize,
}

impl BodyBudget {
    pub(super) fn new(bytes: usize) -> BodyBudget {
        let total = (bytes / UNIT).max(1);
        BodyBudget {
            units: Arc::new(Semaphore::new(total)),
            total,
        }
    }

    /// The bytes of bodies held now (in whole units).
    pub(super) fn held_bytes(&self) -> usize {
        (self.total - self.units.available_permits()) * UNIT
    }
}

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
                    tracing::warn!(target: "vipps_order_management::emulator", error = %e, wait_ms = backoff.as_millis() as u64, "cannot accept a connection; waiting");
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

/// What a connection did last, for the idle check: the time (in
/// milliseconds from the server's start) it last received or sent bytes,
/// and how many of its requests are under way.
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

/// A stream that notes its traffic in an [`Activity`].
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    epoch: Instant,
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.touch(this.epoch);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch(this.epoch);
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Resolves when the connection has had no request under way and no
/// traffic for the idle timeout.
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

async fn connection(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let activity = Arc::new(Activity::default());
    activity.touch(shared.epoch);
    let io = Watched {
        stream,
        activity: activity.clone(),
        epoch: shared.epoch,
    };
    let service = {
        let (shared, activity) = (shared.clone(), activity.clone());
        hyper::service::service_fn(move |req| {
            let (shared, activity) = (shared.clone(), activity.clone());
            async move {
                activity.in_flight.fetch_add(1, Ordering::Relaxed);
                let answered = request(&shared, req, peer).await;
                activity.in_flight.fetch_sub(1, Ordering::Relaxed);
                activity.touch(shared.epoch);
                answered
            }
        })
    };
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    // A client that never finishes its request head is let go; so is an
    // HTTP/2 client that stops answering pings.
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(shared.bounds.idle_timeout);
    builder
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(Some(shared.bounds.idle_timeout))
        .keep_alive_timeout(shared.bounds.idle_timeout);
    let conn = builder.serve_connection(TokioIo::new(io), service);
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
            let units = (bytes.len() + data.len()).div_ceil(UNIT) - bytes.len().div_ceil(UNIT);
            if units > 0 {
                let more = shared
                    .budget
                    .units
                    .clone()
                    .try_acquire_many_owned(units as u32)
                    .map_err(|_| Unread::Busy)?;
                match &mut held {
                    Some(permit) => permit.merge(more),
                    None => held = Some(more),
                }
            }
            bytes.extend_from_slice(&data);
        }
        Ok((bytes.freeze(), held))
    };
    tokio::time::timeout(shared.bounds.body_timeout, collect)
        .await
        .unwrap_or(Err(Unread::TooSlow))
}

async fn request(shared: &Shared, req: Request<Body>, peer: SocketAddr) -> Result<Response<Full<Bytes>>, CloseConnection> {
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let (body, _budget) = match read_body(body, shared).await {
        Ok(read) => read,
        Err(Unread::Gone) | Err(Unread::TooSlow) => {
            log(&method, &path, peer, None, started);
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
            log(&method, &path, peer, Some(answer.status), started);
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
