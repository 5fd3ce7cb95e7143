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

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    /// A connection accepted by a listener closing those idle for `idle`,
    /// and the client's end of it.
    async fn accepted(idle: Duration) -> (Connection, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut bounded = Bounded::new(listener, 1, idle);
        let client = TcpStream::connect(addr).await.unwrap();
        let (connection, _) = bounded.accept().await;
        (connection, client)
    }

    /// `true` while the connection is open with nothing to read; `false`
    /// once a limit has closed it. One poll, so the (paused) clock does not
    /// move.
    async fn open(connection: &mut Connection) -> bool {
        let mut bytes = [0u8; 16];
        poll_fn(|cx| {
            let mut buf = ReadBuf::new(&mut bytes);
            Poll::Ready(match Pin::new(&mut *connection).poll_read(cx, &mut buf) {
                Poll::Pending => true,
                Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => false,
                other => panic!("neither open nor closed by a limit: {other:?}"),
            })
        })
        .await
    }

    const ANSWER: &[u8] = b"HTTP/1.1 204 No Content\r\n\r\n";

    /// Waits for `work` (a socket's) on the real clock: a paused clock
    /// would jump to the next timer whenever the socket is not ready yet.
    async fn on_real_time<T>(work: impl std::future::Future<Output = T>) -> T {
        tokio::time::resume();
        let done = work.await;
        tokio::time::pause();
        done
    }

    /// The idle time runs from the last answer written, not from the
    /// connection's start.
    #[tokio::test(start_paused = true)]
    async fn an_answer_written_restarts_the_idle_time() {
        let (mut connection, _client) = accepted(Duration::from_secs(1)).await;
        tokio::time::advance(Duration::from_millis(700)).await;
        connection.write_all(ANSWER).await.unwrap();
        tokio::time::advance(Duration::from_millis(700)).await;
        assert!(open(&mut connection).await, "1.4 s in, 0.7 s after the answer");
        tokio::time::advance(Duration::from_millis(400)).await;
        assert!(!open(&mut connection).await, "1.1 s after the answer: idle");
    }

    /// A request's time to arrive ends with its answer; the next request
    /// on the connection has its own, from its own first byte.
    #[tokio::test(start_paused = true)]
    async fn each_request_has_its_own_time_to_arrive() {
        let (mut connection, mut client) = accepted(Duration::from_secs(1)).await;
        let mut bytes = [0u8; 64];
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert!(on_real_time(connection.read(&mut bytes)).await.unwrap() > 0);
        connection.write_all(ANSWER).await.unwrap();
        tokio::time::advance(Duration::from_millis(600)).await;
        client.write_all(b"G").await.unwrap();
        assert_eq!(on_real_time(connection.read(&mut bytes)).await.unwrap(), 1);
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(open(&mut connection).await, "0.6 s into the second request");
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(!open(&mut connection).await, "1.1 s into it, still not whole");
    }

    /// Shutting the connection down ends it for the client (it reads the
    /// end) while the console still holds it.
    #[tokio::test(start_paused = true)]
    async fn shutting_down_ends_the_stream_for_the_client() {
        let (mut connection, mut client) = accepted(Duration::from_secs(60)).await;
        connection.write_all(ANSWER).await.unwrap();
        connection.flush().await.unwrap();
        connection.shutdown().await.unwrap();
        let mut got = Vec::new();
        let read = on_real_time(tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut got))).await;
        assert!(matches!(read, Ok(Ok(n)) if n == ANSWER.len()), "{read:?}");
        drop(connection);
    }

    /// A request being answered keeps its connection, however long.
    #[tokio::test(start_paused = true)]
    async fn a_connection_answering_is_never_idle() {
        let (mut connection, _client) = accepted(Duration::from_secs(1)).await;
        let peer = Peer {
            addr: "127.0.0.1:1".parse().unwrap(),
            busy: connection.busy.clone(),
        };
        let answering = peer.answering();
        tokio::time::advance(Duration::from_secs(5)).await;
        assert!(open(&mut connection).await);
        drop(answering);
        tokio::time::advance(Duration::from_millis(900)).await;
        assert!(open(&mut connection).await, "0.9 s after the answer");
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(!open(&mut connection).await, "1.1 s after it");
    }
}
