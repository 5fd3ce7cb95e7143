//! How the console listens: on the bounded server the emulator serves
//! with (`vipps_order_management_emulator::serving`), with the console's
//! own bounds. At most `MAX_CONNECTIONS` connections at once (the next
//! waits to be accepted). While none of its requests is being answered, a
//! connection is closed when nothing moves on it for `IDLE`, or when a
//! request that has begun to arrive is not taken within `REQUEST_TIME` (or
//! `IDLE`, if shorter): a client that trickles its headers a byte at a
//! time, or never finishes them, cannot hold the slots. A request being
//! answered (waiting for the API) is never cut for time; its body is read
//! whole, within `REQUEST_TIME`, before it is answered (`layers.rs`).

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceExt as _;
pub use vipps_order_management_emulator::serving::Peer;
use vipps_order_management_emulator::serving::{self, Bounds};

/// The most connections served at once, unless set.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a connection may sit with nothing moving between requests,
/// unless set.
pub const IDLE: Duration = Duration::from_secs(30);
/// The largest request body taken (the sign-in form is a few hundred bytes).
pub const MAX_BODY: usize = 16 * 1024;
/// How long a request may take to arrive: its head, and then its body.
pub const REQUEST_TIME: Duration = Duration::from_secs(10);

/// Serves `app` on `listener`, at most `max_connections` at once, closing
/// connections idle for `idle`, until `stop` resolves; then requests under
/// way get five seconds, and the rest are closed. Each request carries its
/// connection's [`Peer`] (as `ConnectInfo<Peer>`).
pub(in crate::console) async fn serve(
    listener: TcpListener,
    max_connections: usize,
    idle: Duration,
    app: Router,
    stop: impl Future<Output = ()> + Send,
) {
    let bounds = Bounds::default()
        .max_connections(max_connections)
        .idle(idle)
        .request_time(REQUEST_TIME);
    let cut = serving::serve(listener, bounds, stop, move |peer: Peer| {
        let app = app.clone();
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer.clone()));
            app.clone().oneshot(request)
        })
    })
    .await;
    if cut > 0 {
        tracing::info!(target: "vipps_om::console", "{cut} connection(s) still open after five seconds were closed");
    }
}
