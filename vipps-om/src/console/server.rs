//! How the console listens: at most `MAX_CONNECTIONS` connections at once
//! (the next waits to be accepted). While none of its requests is being
//! answered, a connection is closed when it sends nothing for `IDLE`, or
//! when a request that has begun to arrive is not whole within
//! `REQUEST_TIME` (or `IDLE`, if shorter): a client that trickles its
//! headers a byte at a time, or never finishes them, cannot hold the
//! slots. A request being answered (waiting for the API) is never cut by
//! either; its body is read whole, within `REQUEST_TIME`, before it is
//! answered (`layers.rs`).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

/// The most connections served at once, unless set.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a connection may send nothing between requests, unless set.
pub const IDLE: Duration = Duration::from_secs(30);
/// The largest request body taken (the sign-in form is a few hundred bytes).
pub const MAX_BODY: usize = 16 * 1024;
/// How long a request may take to arrive: its head, and then its body.
pub const REQUEST_TIME: Duration = Duration::from_secs(10);

/// The requests of one connection being answered.
#[derive(Debug, Default)]
struct Busy(AtomicUsize);

/// Who is at the other end of a connection: its address, and its count
/// of requests being answered. In each request's extensions (as
/// `ConnectInfo<Peer>`).
#[derive(Debug, Clone)]
pub struct Peer {
    addr: SocketAddr,
    busy: Arc<Busy>,
}

impl Peer {
    /// A peer at `addr` (for a request made in-process, as tests do).
    pub fn at(addr: SocketAddr) -> Peer {
        Peer {
            addr,
            busy: Arc::default(),
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Marks a request of this connection as being answered, until the
    /// returned guard is dropped.
    pub fn answering(&self) -> Answering {
        self.busy.0.fetch_add(1, Ordering::SeqCst);
        Answering(self.busy.clone())
    }
}

/// A request being answered; see [`Peer::answering`].
#[derive(Debug)]
pub struct Answering(Arc<Busy>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A TCP listener with a bounded number of connections.
#[derive(Debug)]
pub struct Bounded {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    idle: Duration,
}

impl Bounded {
    /// Listens with `listener`, serving at most `max` connections at once,
    /// closing those idle for `idle`.
    pub fn new(listener: TcpListener, max: usize, idle: Duration) -> Bounded {
        Bounded {
            listener,
            slots: Arc::new(Semaphore::new(max.clamp(1, 1_000_000))),
            idle,
        }
    }
}

impl Listener for Bounded {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        loop {
            // Never closed: the semaphore lives as long as the listener.
            let Ok(slot) = self.slots.clone().acquire_owned().await else {
                continue;
            };
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        Connection {
                            stream,
                            _slot: slot,
                            busy: Arc::default(),
                            idle_for: self.idle,
                            idle: Box::pin(tokio::time::sleep(self.idle)),
                            arriving: None,
                        },
                        addr,
                    );
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little
                    // rather than spin.
                    tracing::warn!(target: "vipps_om::console", "accepting a connection failed: {e}");
                    drop(slot);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl Connected<IncomingStream<'_, Bounded>> for Peer {
    fn connect_info(stream: IncomingStream<'_, Bounded>) -> Peer {
        Peer {
            addr: *stream.remote_addr(),
            busy: stream.io().busy.clone(),
        }
    }
}

/// One connection: its slot, held until it closes, and its idle timer.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    busy: Arc<Busy>,
    idle_for: Duration,
    idle: Pin<Box<Sleep>>,
    /// The deadline of a request that has begun to arrive and is not yet
    /// being answered.
    arriving: Option<Pin<Box<Sleep>>>,
}

impl Connection {
    fn answering(&self) -> bool {
        self.busy.0.load(Ordering::SeqCst) > 0
    }

    /// Restarts the idle timer, and arms it for this connection's task: it
    /// wakes the connection when it runs out, even when hyper would not
    /// read again until something arrived (after an answer, on a
    /// connection kept alive).
    fn progressed(&mut self, cx: &mut Context<'_>) {
        let until = tokio::time::Instant::now() + self.idle_for;
        self.idle.as_mut().reset(until);
        // Just restarted, so pending: polled to be woken, not for an answer.
        let _ = self.idle.as_mut().poll(cx);
    }

    /// Bytes came in: the connection is not idle, and when no request of
    /// it is being answered, these bytes begin one, which must then be
    /// whole in time.
    fn received(&mut self, cx: &mut Context<'_>) {
        self.progressed(cx);
        if !self.answering() && self.arriving.is_none() {
            self.arriving = Some(Box::pin(tokio::time::sleep(REQUEST_TIME.min(self.idle_for))));
        }
    }

    /// `Err` when the connection sat idle too long, or a request took too
    /// long to arrive, with nothing being answered.
    fn within_idle_limits(&mut self, cx: &mut Context<'_>) -> std::io::Result<()> {
        if self.answering() {
            self.arriving = None;
            self.progressed(cx);
            return Ok(());
        }
        if let Some(deadline) = self.arriving.as_mut() {
            if deadline.as_mut().poll(cx).is_ready() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "a request did not arrive in time",
                ));
            }
        }
        match self.idle.as_mut().poll(cx) {
            Poll::Ready(()) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "idle connection closed")),
            Poll::Pending => Ok(()),
        }
    }
}

use std::future::Future as _;

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                self.received(cx);
                // A client that always has a byte ready is checked too.
                match self.within_idle_limits(cx) {
                    Ok(()) => Poll::Ready(Ok(())),
                    Err(e) => Poll::Ready(Err(e)),
                }
            }
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => match self.within_idle_limits(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    // An answer going out: the request it answers was taken.
                    self.arriving = None;
                    self.progressed(cx);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.within_idle_limits(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
