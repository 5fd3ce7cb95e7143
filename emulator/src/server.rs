//! The emulator's HTTP service: each request's body read within its
//! bounds (its size, its time, and one memory budget for all bodies under
//! way), handed to [`State::respond`] and answered (or its connection
//! closed) as that decides, one log line per request. The connections
//! themselves are bounded by the [`serving`] server it runs on.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::answer::{problem, Answer, Reaction};
use super::dispatch;
use super::memory_budget::{Budgeted, Budgets, Held, NoRoom};
use super::received::Received;
use super::serving::{self, Peer};
use super::state::State;

/// The largest request body read: an image of 2 MB in base64 and more.
const MAX_BODY: usize = 8 * 1024 * 1024;
/// The largest request head (request line and headers) read: 64 KiB.
const MAX_HEAD: usize = 64 * 1024;

/// The bounds of the server.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bounds {
    pub(super) max_connections: usize,
    /// At most this many connections from one client.
    pub(super) max_connections_per_client: usize,
    /// A connection with nothing under way and no byte moving for this
    /// long is closed; a request gets this long to arrive.
    pub(super) idle_timeout: Duration,
    /// A request body gets this long to arrive.
    pub(super) body_timeout: Duration,
    /// Bytes of request bodies held at once, all connections together.
    pub(super) body_memory: usize,
    /// Bytes of request bodies one client may hold at once.
    pub(super) body_memory_per_client: usize,
    /// Bytes of answers being written at once, all connections together.
    pub(super) answer_memory: usize,
    /// Bytes of answers one client may hold at once.
    pub(super) answer_memory_per_client: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_connections: 1024,
            max_connections_per_client: 256,
            idle_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            body_memory: 64 * 1024 * 1024,
            body_memory_per_client: 32 * 1024 * 1024,
            answer_memory: 256 * 1024 * 1024,
            answer_memory_per_client: 64 * 1024 * 1024,
        }
    }
}

impl Bounds {
    /// The server's own part of these bounds.
    fn serving(&self) -> serving::Bounds {
        serving::Bounds::default()
            .max_connections(self.max_connections)
            .max_connections_per_client(self.max_connections_per_client)
            .idle(self.idle_timeout)
            .request_time(self.idle_timeout)
            .max_head(MAX_HEAD)
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

/// The emulator's service: what its requests share.
struct Service {
    state: Arc<Mutex<State>>,
    bounds: Bounds,
    budgets: Budgets,
}

/// Serves `listener` until `stop` turns true; then stops accepting, lets
/// requests under way finish (for up to five seconds), and closes the rest.
pub(super) async fn serve(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    mut stop: watch::Receiver<bool>,
    bounds: Bounds,
    budgets: Budgets,
) {
    let service = Arc::new(Service { state, bounds, budgets });
    let stopped = async move {
        // The guard `wait_for` returns is dropped here, before any later await.
        let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
    };
    let cut = serving::serve(listener, bounds.serving(), stopped, move |peer: Peer| {
        let service = service.clone();
        hyper::service::service_fn(move |req| {
            let (service, peer) = (service.clone(), peer.clone());
            async move {
                // Under way from here until its answer is written whole.
                let answering = peer.answering();
                let answer = request(&service, req, peer.addr()).await?;
                Ok::<_, CloseConnection>(answer.map(|body| answering.hold(body)))
            }
        })
    })
    .await;
    if cut > 0 {
        tracing::info!(target: "vipps_order_management_emulator", "{cut} connection(s) still open after the grace time were closed");
    }
}

/// Why a body was not read whole.
enum Unread {
    /// Past [`MAX_BODY`].
    TooLarge,
    /// The budget for bodies under way, or the client's share of it, is
    /// spent.
    Busy(NoRoom),
    /// It did not arrive in time.
    TooSlow,
    /// The client went away.
    Gone,
}

/// Reads a body whole, counting it against the shared budget; the permit
/// holds its part of the budget until the request is answered.
async fn read_body(body: Incoming, service: &Service, peer: SocketAddr) -> Result<(Bytes, Held), Unread> {
    let collect = async {
        let mut body = body;
        let mut bytes = BytesMut::new();
        let mut held = service.budgets.bodies.hold(peer.ip());
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| Unread::Gone)?;
            let Ok(data) = frame.into_data() else { continue };
            if bytes.len() + data.len() > MAX_BODY {
                return Err(Unread::TooLarge);
            }
            service
                .budgets
                .bodies
                .grow(&mut held, bytes.len(), bytes.len() + data.len())
                .map_err(Unread::Busy)?;
            bytes.extend_from_slice(&data);
        }
        Ok((bytes.freeze(), held))
    };
    tokio::time::timeout(service.bounds.body_timeout, collect)
        .await
        .unwrap_or(Err(Unread::TooSlow))
}

async fn request(service: &Service, req: Request<Incoming>, peer: SocketAddr) -> Result<Response<Budgeted<Full<Bytes>>>, CloseConnection> {
    let (parts, body) = req.into_parts();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let mut line = LogLine::new(method.clone(), path.clone(), peer);
    let (body, _budget) = match read_body(body, service, peer).await {
        Ok(read) => read,
        Err(Unread::Gone) | Err(Unread::TooSlow) => {
            line.ended(Ending::Closed);
            return Err(CloseConnection);
        }
        Err(unread) => {
            let mut answer = match unread {
                Unread::TooLarge => problem(413, "Payload Too Large", "The request body is larger than 8 MiB", vec![]),
                Unread::Busy(NoRoom::ClientShare) => problem(
                    503,
                    "Service Unavailable",
                    "The emulator holds as many request bodies from this client as it may at once (its share of the memory for bodies); try again in a moment",
                    vec![],
                ),
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
            return Ok(response(answer, service.budgets.answers.hold(peer.ip())));
        }
    };
    let received = Received {
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        peer,
    };
    let mut reaction = dispatch::respond(service.state.clone(), Arc::new(received)).await;
    // The answer is held until it is sent whole: within the budget for
    // answers, and the client's share of it.
    let mut held = service.budgets.answers.hold(peer.ip());
    if let Reaction::Send(answer) = &mut reaction {
        if let Err(no_room) = service.budgets.answers.grow(&mut held, 0, answer.body.len()) {
            let whose = match no_room {
                NoRoom::ClientShare => "from this client (its share of the memory for answers) ",
                NoRoom::Budget => "",
            };
            *answer = problem(
                503,
                "Service Unavailable",
                &format!(
                    "The emulator holds as many answers {whose}as it may while they are read; read those first, or try again in a moment"
                ),
                vec![],
            );
            answer.headers.push(("Retry-After", "1".to_owned()));
        }
    }
    line.ended(match &reaction {
        Reaction::Send(answer) => Ending::Answered(answer.status),
        Reaction::CloseConnection => Ending::Closed,
    });
    match reaction {
        Reaction::Send(answer) => Ok(response(answer, held)),
        Reaction::CloseConnection => Err(CloseConnection),
    }
}

/// The answer's response, its body holding its part of the answers'
/// budget until it is sent.
fn response(answer: Answer, held: Held) -> Response<Budgeted<Full<Bytes>>> {
    let mut builder = Response::builder().status(answer.status);
    if !answer.body.is_empty() {
        builder = builder.header(hyper::header::CONTENT_TYPE, answer.content_type.as_str());
    }
    for (name, value) in &answer.headers {
        builder = builder.header(*name, value.as_str());
    }
    match builder.body(Full::new(Bytes::from(answer.body))) {
        Ok(response) => response.map(|body| Budgeted::new(body, held)),
        Err(_) => {
            // Only a status or header HTTP cannot carry gets here: a 500,
            // never an empty answer that could pass for success.
            let failed = Full::new(Bytes::from_static(b"the emulator could not build its answer"));
            let mut failed = Response::new(Budgeted::new(failed, held));
            *failed.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            failed
        }
    }
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
