//! The bounded HTTP server the emulator serves with, and the `vipps-om`
//! tool's console too: one piece, so a fix to how connections are bounded
//! reaches both.
//!
//! HTTP/1.1 and HTTP/2 (prior knowledge), each connection handed to a
//! service made for it, bounded as a shared service must be:
//!
//! - at most [`Bounds::max_connections`] connections; past them a client
//!   waits in the kernel's queue, never taken and starved;
//! - at most [`Bounds::max_connections_per_client`] of them from one
//!   client (an IPv4 address, or an IPv6 /64): a client past its share has
//!   its new connections closed at once, so that one client holding
//!   thousands of idle or slow connections leaves the rest for others;
//! - a connection is closed when nothing of it is under way and no byte
//!   has moved either way for [`Bounds::idle`];
//! - a request that has begun to arrive (its first byte, while nothing is
//!   under way) must be taken by the service within
//!   [`Bounds::request_time`] (or the idle time, if shorter): a client
//!   that trickles its head a byte at a time cannot hold a slot;
//! - a request being answered ([`Peer::answering`]) is never cut for
//!   time, however long its service waits, but an answer its client stops
//!   reading for the idle time ends the connection;
//! - request heads are at most [`Bounds::max_head`] bytes;
//! - the host a request was sent to is in `Host` for every protocol (an
//!   HTTP/2 request's `:authority`, an absolute-form request's URI);
//! - an error accepting connections (out of file descriptors) backs off
//!   instead of spinning;
//! - when told to stop, it accepts nothing more, lets requests under way
//!   finish for up to [`Bounds::grace`], and closes the rest.
//!
//! What a service reads of a body, and how long it waits for it, is the
//! service's to bound.

mod connection;

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use connection::Connection;
pub use connection::{Answering, Held, Peer};

/// The most connections a server may be told to hold: far beyond any
/// machine's descriptors, and small enough for a semaphore.
const MAX_CONNECTIONS: usize = 1_000_000;

/// The smallest head bound HTTP/1.1 can work with (hyper's own floor).
const MIN_HEAD: usize = 8 * 1024;

/// The bounds of a server: [`Bounds::default`] and its setters, each kept
/// within what a server can work with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    max_connections: usize,
    /// `None`: a client may hold every connection.
    per_client: Option<usize>,
    idle: Duration,
    request_time: Duration,
    max_head: usize,
    grace: Duration,
}

impl Default for Bounds {
    /// 1024 connections (any number from one client), idle after 10 s, 10 s for a request to arrive,
    /// heads of at most 64 KiB, 5 s of grace.
    fn default() -> Self {
        Bounds {
            max_connections: 1024,
            per_client: None,
            idle: Duration::from_secs(10),
            request_time: Duration::from_secs(10),
            max_head: 64 * 1024,
            grace: Duration::from_secs(5),
        }
    }
}

impl Bounds {
    /// At most `n` connections at once (at least 1, at most 1,000,000).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.clamp(1, MAX_CONNECTIONS);
        self
    }

    /// At most `n` connections at once from one client (an IPv4 address,
    /// or an IPv6 /64; at least 1); its connections past them are closed as
    /// they come. A server behind a proxy sees one client: leave it unset.
    pub fn max_connections_per_client(mut self, n: usize) -> Self {
        self.per_client = Some(n.clamp(1, MAX_CONNECTIONS));
        self
    }

    /// Closes a connection with nothing under way and no byte moving for
    /// this long.
    pub fn idle(mut self, idle: Duration) -> Self {
        self.idle = idle;
        self
    }

    /// Gives a request this long from its first byte to be taken.
    pub fn request_time(mut self, time: Duration) -> Self {
        self.request_time = time;
        self
    }

    /// Takes request heads of at most `bytes` (at least 8 KiB, as HTTP/1.1
    /// needs).
    pub fn max_head(mut self, bytes: usize) -> Self {
        self.max_head = bytes.max(MIN_HEAD);
        self
    }

    /// Gives requests under way this long to finish when the server stops.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }
}

/// Serves `listener` within `bounds`, each connection with the service
/// `make` gives for its [`Peer`], until `stop` resolves; then stops
/// accepting, lets requests under way finish (for up to the grace time),
/// and closes the rest. Returns once every connection is closed, with how
/// many were still open after the grace time (for the caller's log).
pub async fn serve<F, S, B>(listener: TcpListener, bounds: Bounds, stop: impl Future<Output = ()> + Send, make: F) -> usize
where
    F: Fn(Peer) -> S,
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (stopping, stopped) = watch::channel(false);
    let builder = Arc::new(builder(&bounds));
    let slots = Arc::new(Semaphore::new(bounds.max_connections.clamp(1, MAX_CONNECTIONS)));
    let mut connections = JoinSet::new();
    let shares = Shares::default();
    let mut backoff = Duration::ZERO;
    tokio::pin!(stop);
    loop {
        // A free slot first: past the bound, connections wait in the
        // kernel's queue instead of being taken and starved.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            () = &mut stop => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, addr)) => {
                    backoff = Duration::ZERO;
                    let Some(share) = shares.enter(client_of(addr.ip()), bounds.per_client) else {
                        // Past its share: closed at once, its slot free again.
                        drop((stream, slot));
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let (io, peer) = Connection::new(stream, addr, slot, &bounds);
                    let inner = make(peer);
                    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                        host_from_authority(&mut request);
                        inner.call(request)
                    });
                    let (builder, mut stopped) = (builder.clone(), stopped.clone());
                    connections.spawn(async move {
                        let _share = share;
                        let conn = builder.serve_connection(TokioIo::new(io), service);
                        tokio::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => {}
                            () = stop_requested(&mut stopped) => {
                                conn.as_mut().graceful_shutdown();
                                let _ = conn.await;
                            }
                        }
                    });
                }
                Err(e) => {
                    // Out of descriptors, or the like: wait, more each time,
                    // rather than spin on an error that will not pass at once.
                    backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                    tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "cannot accept a connection; waiting");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = &mut stop => break,
                    }
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(bounds.grace, async { while connections.join_next().await.is_some() {} }).await;
    let cut = connections.len();
    connections.shutdown().await;
    cut
}

/// The client a connection or body is counted for: its IPv4 address
/// (an IPv4 client of a server on `[::]` too), or the /64 of its IPv6
/// address (a host is given a /64, and may use any address in it).
pub(crate) fn client_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        v4 => v4,
    }
}

/// How many connections each client holds.
#[derive(Debug, Default, Clone)]
struct Shares(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One connection of a client, counted until dropped.
struct Share {
    shares: Shares,
    client: IpAddr,
}

impl Shares {
    /// Counts a connection of `client`; `None` when it holds its share
    /// (`per_client`) already.
    fn enter(&self, client: IpAddr, per_client: Option<usize>) -> Option<Share> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(client).or_default();
        if per_client.is_some_and(|share| *count >= share) {
            return None;
        }
        *count += 1;
        Some(Share {
            shares: self.clone(),
            client,
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let mut counts = self.shares.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// The protocols' own settings: heads bounded in size; no HTTP/2 pings of
/// the server's own (a dead client is found by its silence).
fn builder(bounds: &Bounds) -> hyper_util::server::conn::auto::Builder<TokioExecutor> {
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().max_buf_size(bounds.max_head);
    builder
        .http2()
        .max_header_list_size(u32::try_from(bounds.max_head).unwrap_or(u32::MAX));
    builder
}

/// The host a request was sent to, in `Host` where services read it:
/// HTTP/2 names it in `:authority` (the URI's authority) and sends no
/// `Host`, and an HTTP/1.1 request in absolute form names it in its URI,
/// which then wins over `Host` (RFC 9112, 3.2.2).
fn host_from_authority<B>(request: &mut Request<B>) {
    let Some(authority) = request.uri().authority() else {
        return;
    };
    if let Ok(host) = hyper::header::HeaderValue::from_str(authority.as_str()) {
        request.headers_mut().insert(hyper::header::HOST, host);
    }
}

/// Resolves once the server is told to stop (or its sender is gone).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, before any later await.
    let _ = stop.wait_for(|stopped| *stopped).await.map(drop);
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt as _;
    use tokio::net::TcpStream;

    use super::*;

    #[test]
    fn each_client_has_its_share_of_connections() {
        assert_eq!(client_of("10.1.2.3".parse().unwrap()), "10.1.2.3".parse::<IpAddr>().unwrap());
        assert_eq!(client_of("::ffff:10.1.2.3".parse().unwrap()), "10.1.2.3".parse::<IpAddr>().unwrap());
        assert_eq!(
            client_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap()),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        let shares = Shares::default();
        let (a, b): (IpAddr, IpAddr) = ([127, 0, 0, 2].into(), [127, 0, 0, 1].into());
        let first = shares.enter(a, Some(2)).unwrap();
        let second = shares.enter(a, Some(2)).unwrap();
        assert!(shares.enter(a, Some(2)).is_none(), "past its share");
        assert!(shares.enter(b, Some(2)).is_some(), "another client has its own");
        drop(first);
        let third = shares.enter(a, Some(2));
        assert!(third.is_some(), "a share comes back when a connection ends");
        drop((second, third));
        assert!(shares.0.lock().unwrap().is_empty(), "no client is remembered once it holds nothing");
        let unbounded: Vec<Share> = (0..100).filter_map(|_| shares.enter(a, None)).collect();
        assert_eq!(unbounded.len(), 100);
    }

    #[test]
    fn the_authority_is_the_host() {
        let mut h2 = Request::builder().uri("http://127.0.0.1:8080/health").body(()).unwrap();
        host_from_authority(&mut h2);
        assert_eq!(h2.headers()["host"], "127.0.0.1:8080");
        let mut absolute = Request::builder()
            .uri("http://localhost/")
            .header("host", "attacker.example")
            .body(())
            .unwrap();
        host_from_authority(&mut absolute);
        assert_eq!(absolute.headers()["host"], "localhost");
        let mut origin_form = Request::builder().uri("/").header("host", "console.example").body(()).unwrap();
        host_from_authority(&mut origin_form);
        assert_eq!(origin_form.headers()["host"], "console.example", "left as sent");
    }

    /// A stop lets the grace time pass for a request under way, then
    /// closes it, and says how many it closed; with none open, none.
    #[tokio::test]
    async fn a_stop_closes_what_is_still_open_after_the_grace_time_and_counts_it() {
        for half_open in [false, true] {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let bounds = Bounds::default().grace(Duration::from_millis(100));
            let server = tokio::spawn(serve(
                listener,
                bounds,
                async {
                    let _ = stopped.await;
                },
                |_peer| {
                    hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(Response::new(http_body_util::Empty::<bytes::Bytes>::new()))
                    })
                },
            ));
            let mut client = TcpStream::connect(addr).await.unwrap();
            if half_open {
                client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
            }
            // The connection taken before the stop: a request answered on
            // another one proves the server has accepted in order.
            let mut probe = TcpStream::connect(addr).await.unwrap();
            probe
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut answer = Vec::new();
            tokio::io::AsyncReadExt::read_to_end(&mut probe, &mut answer).await.unwrap();
            assert!(answer.starts_with(b"HTTP/1.1 200"));
            stop.send(()).unwrap();
            let cut = tokio::time::timeout(Duration::from_secs(60), server).await.unwrap().unwrap();
            assert_eq!(cut, usize::from(half_open), "half open: {half_open}");
            drop(client);
        }
    }
}
