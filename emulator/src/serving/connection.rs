//! One connection of a bounded server: its slot, held until it closes;
//! its peer, with the count of its requests under way; and the timers
//! that close it when it idles, when a request is slow to arrive, when an
//! answer stops moving (an HTTP/2 client that grants no more window), or
//! when its client stops reading an answer.
//!
//! Its socket's send buffer is kept small (`SEND_BUFFER`), so that the
//! server sees a slow reader's progress: Linux wakes a waiting writer only
//! once a third of the buffer has drained, and a buffer grown to megabytes
//! would let a client reading 100 kB/s look stalled for tens of seconds.

use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

use super::Bounds;

/// The bytes of a socket's send buffer asked for (Linux doubles it): a
/// reader of 10 kB/s is seen to progress every few seconds, and a client
/// 100 ms away still gets about 2.5 MB/s.
const SEND_BUFFER: usize = 128 * 1024;

/// The requests of one connection under way (of them, the answers being
/// written), how many were ever taken (so the connection sees a request
/// taken between two of its polls), and when an answer last moved.
#[derive(Debug)]
struct Busy {
    under_way: AtomicUsize,
    writing: AtomicUsize,
    taken: AtomicU64,
    epoch: Instant,
    /// When an answer last handed a piece on, in milliseconds from `epoch`.
    moved_ms: AtomicU64,
}

impl Busy {
    fn new() -> Busy {
        Busy {
            under_way: AtomicUsize::new(0),
            writing: AtomicUsize::new(0),
            taken: AtomicU64::new(0),
            epoch: Instant::now(),
            moved_ms: AtomicU64::new(0),
        }
    }

    /// An answer handed a piece on.
    fn moved(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.moved_ms.store(ms, Ordering::SeqCst);
    }

    /// When an answer last handed a piece on.
    fn moved_at(&self) -> Instant {
        self.epoch + Duration::from_millis(self.moved_ms.load(Ordering::SeqCst))
    }
}

/// Who is at the other end of a connection: its address, and its count
/// of requests under way.
#[derive(Debug, Clone)]
pub struct Peer {
    addr: SocketAddr,
    busy: Arc<Busy>,
}

impl Peer {
    /// A peer at `addr` with no connection of a server (for a request made
    /// in-process, as tests do).
    pub fn at(addr: SocketAddr) -> Peer {
        Peer {
            addr,
            busy: Arc::new(Busy::new()),
        }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Marks a request of this connection as taken and under way until the
    /// returned guard is dropped: meanwhile the connection is not idle and
    /// its request is not cut for time. Hold it in the answer's body
    /// ([`Answering::hold`]) so that writing the answer counts too.
    pub fn answering(&self) -> Answering {
        self.busy.under_way.fetch_add(1, Ordering::SeqCst);
        self.busy.taken.fetch_add(1, Ordering::SeqCst);
        Answering(self.busy.clone())
    }
}

/// A request under way; see [`Peer::answering`].
#[derive(Debug)]
pub struct Answering(Arc<Busy>);

impl Answering {
    /// An answer's body that holds this guard until it has been sent whole
    /// (or dropped). From here the request is an answer being written: it
    /// keeps its connection open while it moves.
    pub fn hold<B>(self, body: B) -> Held<B> {
        self.0.writing.fetch_add(1, Ordering::SeqCst);
        self.0.moved();
        Held {
            body,
            pending: Bytes::new(),
            writing: Writing(self.0.clone()),
            _answering: self,
        }
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.under_way.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer being written, until its body is dropped.
#[derive(Debug)]
struct Writing(Arc<Busy>);

impl Drop for Writing {
    fn drop(&mut self) {
        self.0.writing.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An answer's body holding its request's [`Answering`] until the body has
/// been sent (or dropped). It hands its data on in pieces of at most
/// 64 KiB, so that a large answer is under way until most of it has been
/// written, not only until the protocol has buffered it; each piece
/// handed on is the answer moving.
#[derive(Debug)]
pub struct Held<B> {
    body: B,
    pending: Bytes,
    writing: Writing,
    _answering: Answering,
}

/// The largest piece of an answer handed on at once.
const PIECE: usize = 64 * 1024;

impl<B> Body for Held<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        if self.pending.is_empty() {
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => self.pending = data,
                    Err(frame) => return Poll::Ready(Some(Ok(frame))),
                },
                other => return other,
            }
        }
        let n = self.pending.len().min(PIECE);
        let piece = self.pending.split_to(n);
        self.writing.0.moved();
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let mut hint = self.body.size_hint();
        let pending = self.pending.len() as u64;
        hint.set_lower(hint.lower().saturating_add(pending));
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper.saturating_add(pending));
        }
        hint
    }
}

/// One connection: its slot, held until it closes, and its timers.
#[derive(Debug)]
pub(super) struct Connection {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    busy: Arc<Busy>,
    /// How many requests of it had been taken when it last looked.
    seen_taken: u64,
    idle_for: Duration,
    request_time: Duration,
    /// Runs out when nothing is under way and no byte has moved for the
    /// idle time.
    idle: Pin<Box<Sleep>>,
    /// The deadline of a request that has begun to arrive and is not yet
    /// taken.
    arriving: Option<Pin<Box<Sleep>>>,
    /// While a write waits for the client to read (bytes of an answer
    /// still going out), the deadline by which it must read some: only
    /// this may end the connection then.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Connection {
    pub(super) fn new(stream: TcpStream, addr: SocketAddr, slot: OwnedSemaphorePermit, bounds: &Bounds) -> (Connection, Peer) {
        // Inherited by nothing else: this connection's own socket.
        let _ = socket2::SockRef::from(&stream).set_send_buffer_size(SEND_BUFFER);
        let busy = Arc::new(Busy::new());
        let connection = Connection {
            stream,
            _slot: slot,
            busy: busy.clone(),
            seen_taken: 0,
            idle_for: bounds.idle,
            request_time: bounds.request_time.min(bounds.idle),
            idle: Box::pin(tokio::time::sleep(bounds.idle)),
            arriving: None,
            stalled: None,
        };
        (connection, Peer { addr, busy })
    }

    fn under_way(&self) -> bool {
        self.busy.under_way.load(Ordering::SeqCst) > 0
    }

    /// A request under way that is not yet an answer being written: its
    /// service is working on it.
    fn working(&self) -> bool {
        self.busy.under_way.load(Ordering::SeqCst) > self.busy.writing.load(Ordering::SeqCst)
    }

    /// Restarts the idle timer, and arms it for this connection's task: it
    /// wakes the connection when it runs out, even when the protocol would
    /// not read again until something arrived (after an answer, on a
    /// connection kept alive).
    fn progressed(&mut self, cx: &mut Context<'_>) {
        let until = tokio::time::Instant::now() + self.idle_for;
        self.idle.as_mut().reset(until);
        // Just restarted, so pending: polled to be woken, not for an answer.
        let _ = self.idle.as_mut().poll(cx);
    }

    /// A request taken since the last look ends the time its bytes had to
    /// arrive.
    fn notice_taken(&mut self, cx: &mut Context<'_>) {
        let taken = self.busy.taken.load(Ordering::SeqCst);
        if taken != self.seen_taken {
            self.seen_taken = taken;
            self.arriving = None;
            self.progressed(cx);
        }
    }

    /// Bytes came in: the connection is not idle, and when nothing of it is
    /// under way, these bytes begin a request, which must be taken in time.
    fn received(&mut self, cx: &mut Context<'_>) {
        self.notice_taken(cx);
        self.progressed(cx);
        if !self.under_way() && self.arriving.is_none() {
            self.arriving = Some(Box::pin(tokio::time::sleep(self.request_time)));
        }
    }

    /// `Err` when the connection sat idle too long, a request took too long
    /// to arrive, or its answers stopped moving; never while a service is
    /// working on a request, nor while bytes of an answer wait to go out
    /// (`still_read` watches those).
    fn within_limits(&mut self, cx: &mut Context<'_>) -> std::io::Result<()> {
        self.notice_taken(cx);
        if self.working() {
            self.arriving = None;
            self.progressed(cx);
            return Ok(());
        }
        if self.stalled.is_some() {
            return Ok(());
        }
        if self.under_way() {
            // Answers being written, and nothing else: they must move (an
            // HTTP/2 client that grants no more window stops them).
            self.arriving = None;
            let until = self.busy.moved_at() + self.idle_for;
            self.idle.as_mut().reset(until);
            return match self.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "an answer stopped moving")),
                Poll::Pending => Ok(()),
            };
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

    /// `Err` when the client has read nothing of an answer for the idle
    /// time, whatever is under way.
    fn still_read(&mut self, cx: &mut Context<'_>) -> std::io::Result<()> {
        let idle_for = self.idle_for;
        let deadline = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle_for)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading its answer",
            )),
            Poll::Pending => Ok(()),
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                self.received(cx);
                // A client that always has a byte ready is checked too.
                match self.within_limits(cx) {
                    Ok(()) => Poll::Ready(Ok(())),
                    Err(e) => Poll::Ready(Err(e)),
                }
            }
            Poll::Ready(result) => Poll::Ready(result),
            Poll::Pending => match self.within_limits(cx) {
                Ok(()) => Poll::Pending,
                Err(e) => Poll::Ready(Err(e)),
            },
        }
    }
}

impl Connection {
    /// What a write's result means for the timers: bytes written are the
    /// connection moving; a write that waits is watched by `still_read`.
    fn wrote(&mut self, cx: &mut Context<'_>, result: Poll<std::io::Result<usize>>) -> Poll<std::io::Result<usize>> {
        match result {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.stalled = None;
                    self.notice_taken(cx);
                    self.progressed(cx);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                // The client is not reading: only how long it has read
                // nothing may end the connection now.
                match self.still_read(cx) {
                    Ok(()) => Poll::Pending,
                    Err(e) => Poll::Ready(Err(e)),
                }
            }
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, data);
        self.wrote(cx, result)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[std::io::IoSlice<'_>]) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.wrote(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
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
    use tokio::net::TcpListener;
    use tokio::sync::Semaphore;

    use super::*;

    /// A connection accepted with these bounds, its peer, and the client's
    /// end of it.
    async fn accepted(bounds: Bounds) -> (Connection, Peer, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (stream, addr) = listener.accept().await.unwrap();
        let slot = Arc::new(Semaphore::new(1)).acquire_owned().await.unwrap();
        let (connection, peer) = Connection::new(stream, addr, slot, &bounds);
        (connection, peer, client)
    }

    fn idle(idle: Duration) -> Bounds {
        Bounds::default().idle(idle).request_time(Duration::from_secs(3600))
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

    /// Writes until the socket's buffers are full and a write waits for
    /// the client to read; the piece it writes with.
    async fn fill(connection: &mut Connection) -> Vec<u8> {
        let chunk = vec![b'x'; 1 << 20];
        loop {
            let wrote = poll_fn(|cx| Poll::Ready(Pin::new(&mut *connection).poll_write(cx, &chunk))).await;
            match wrote {
                Poll::Ready(Ok(_)) => continue,
                Poll::Pending => return chunk,
                Poll::Ready(Err(e)) => panic!("{e}"),
            }
        }
    }

    /// Waits for `work` (a socket's) on the real clock: a paused clock
    /// would jump to the next timer whenever the socket is not ready yet.
    async fn on_real_time<T>(work: impl std::future::Future<Output = T>) -> T {
        tokio::time::resume();
        let done = work.await;
        tokio::time::pause();
        done
    }

    /// The idle time runs from the last byte written, not from the
    /// connection's start.
    #[tokio::test(start_paused = true)]
    async fn an_answer_written_restarts_the_idle_time() {
        let (mut connection, _peer, _client) = accepted(idle(Duration::from_secs(1))).await;
        tokio::time::advance(Duration::from_millis(700)).await;
        connection.write_all(ANSWER).await.unwrap();
        tokio::time::advance(Duration::from_millis(700)).await;
        assert!(open(&mut connection).await, "1.4 s in, 0.7 s after the answer");
        tokio::time::advance(Duration::from_millis(400)).await;
        assert!(!open(&mut connection).await, "1.1 s after the answer: idle");
    }

    /// A request's time to arrive ends when it is taken; the next request
    /// on the connection has its own, from its own first byte, even when
    /// the first was taken and answered between two of the connection's
    /// looks.
    #[tokio::test(start_paused = true)]
    async fn each_request_has_its_own_time_to_arrive() {
        let bounds = Bounds::default().idle(Duration::from_secs(60)).request_time(Duration::from_secs(1));
        let (mut connection, peer, mut client) = accepted(bounds).await;
        let mut bytes = [0u8; 64];
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        assert!(on_real_time(connection.read(&mut bytes)).await.unwrap() > 0);
        drop(peer.answering());
        tokio::time::advance(Duration::from_millis(1500)).await;
        assert!(open(&mut connection).await, "taken: kept alive past the request time");
        client.write_all(b"G").await.unwrap();
        assert_eq!(on_real_time(connection.read(&mut bytes)).await.unwrap(), 1);
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(open(&mut connection).await, "0.6 s into the second request");
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(!open(&mut connection).await, "1.1 s into it, still not taken");
    }

    /// The request time is never longer than the idle time.
    #[tokio::test(start_paused = true)]
    async fn a_request_has_at_most_the_idle_time_to_arrive() {
        let bounds = Bounds::default().idle(Duration::from_secs(1)).request_time(Duration::from_secs(60));
        let (mut connection, _peer, mut client) = accepted(bounds).await;
        let mut bytes = [0u8; 64];
        for _ in 0..2 {
            client.write_all(b"G").await.unwrap();
            assert_eq!(on_real_time(connection.read(&mut bytes)).await.unwrap(), 1);
            tokio::time::advance(Duration::from_millis(600)).await;
        }
        assert!(!open(&mut connection).await, "bytes kept coming, but 1.2 s after the first");
    }

    /// Shutting the connection down ends it for the client (it reads the
    /// end) while the server still holds it.
    #[tokio::test(start_paused = true)]
    async fn shutting_down_ends_the_stream_for_the_client() {
        let (mut connection, _peer, mut client) = accepted(idle(Duration::from_secs(60))).await;
        connection.write_all(ANSWER).await.unwrap();
        connection.flush().await.unwrap();
        connection.shutdown().await.unwrap();
        let mut got = Vec::new();
        let read = on_real_time(tokio::time::timeout(Duration::from_secs(10), client.read_to_end(&mut got))).await;
        assert!(matches!(read, Ok(Ok(n)) if n == ANSWER.len()), "{read:?}");
        drop(connection);
    }

    /// A request under way keeps its connection, however long.
    #[tokio::test(start_paused = true)]
    async fn a_connection_answering_is_never_idle() {
        let (mut connection, peer, _client) = accepted(idle(Duration::from_secs(1))).await;
        let answering = peer.answering();
        // Seen taken (which restarts the idle time once), then kept open
        // by being under way alone.
        assert!(open(&mut connection).await);
        for _ in 0..5 {
            tokio::time::advance(Duration::from_secs(1)).await;
            assert!(open(&mut connection).await, "under way");
        }
        drop(answering);
        tokio::time::advance(Duration::from_millis(900)).await;
        assert!(open(&mut connection).await, "0.9 s after the answer");
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(!open(&mut connection).await, "1.1 s after it");
    }

    /// An answer sent is no longer being written: the next request on the
    /// connection, while its service works, is never cut for time.
    #[tokio::test(start_paused = true)]
    async fn after_an_answer_the_next_request_is_a_request_again() {
        use http_body_util::Full;
        let (mut connection, peer, _client) = accepted(idle(Duration::from_secs(1))).await;
        drop(peer.answering().hold(Full::new(Bytes::from_static(b"sent"))));
        let working = peer.answering();
        assert!(open(&mut connection).await);
        for _ in 0..5 {
            tokio::time::advance(Duration::from_secs(1)).await;
            assert!(open(&mut connection).await, "its service at work");
        }
        drop(working);
    }

    /// A client that stops reading an answer is let go after the idle
    /// time, though its request is under way.
    #[tokio::test(start_paused = true)]
    async fn an_answer_nobody_reads_ends_the_connection() {
        let (mut connection, peer, _client) = accepted(idle(Duration::from_secs(1))).await;
        let _answering = peer.answering();
        let chunk = fill(&mut connection).await;
        tokio::time::advance(Duration::from_millis(900)).await;
        let wrote = poll_fn(|cx| Poll::Ready(Pin::new(&mut connection).poll_write(cx, &chunk))).await;
        assert!(wrote.is_pending(), "0.9 s unread: still waiting");
        tokio::time::advance(Duration::from_millis(200)).await;
        let wrote = poll_fn(|cx| Poll::Ready(Pin::new(&mut connection).poll_write(cx, &chunk))).await;
        assert!(
            matches!(&wrote, Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut),
            "1.1 s unread: {wrote:?}"
        );
    }

    /// An answer being written keeps its connection while it moves, and
    /// ends it once it has not moved for the idle time (an HTTP/2 client
    /// that grants no more window stops it without stopping the socket).
    #[tokio::test(start_paused = true)]
    async fn an_answer_that_stops_moving_ends_the_connection() {
        use http_body_util::{BodyExt as _, Full};
        let (mut connection, peer, _client) = accepted(idle(Duration::from_secs(1))).await;
        let mut body = peer.answering().hold(Full::new(Bytes::from(vec![7u8; 3 * 65_536])));
        for _ in 0..3 {
            tokio::time::advance(Duration::from_millis(900)).await;
            assert!(open(&mut connection).await, "moved 0.9 s ago");
            let _piece = body.frame().await.unwrap().unwrap();
        }
        tokio::time::advance(Duration::from_millis(900)).await;
        assert!(open(&mut connection).await, "0.9 s after the last piece");
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(!open(&mut connection).await, "1.1 s without moving: let go");
    }

    /// While bytes of an answer wait for the client to read, a pipelined
    /// request's first bytes do not start its time to arrive against the
    /// server: only the client's reading is watched.
    #[tokio::test(start_paused = true)]
    async fn a_pipelined_request_waits_while_an_answer_goes_out() {
        let bounds = Bounds::default().idle(Duration::from_secs(60)).request_time(Duration::from_secs(1));
        let (mut connection, _peer, mut client) = accepted(bounds).await;
        fill(&mut connection).await;
        client.write_all(b"GET /next").await.unwrap();
        let mut bytes = [0u8; 64];
        assert!(on_real_time(connection.read(&mut bytes)).await.unwrap() > 0);
        tokio::time::advance(Duration::from_millis(1500)).await;
        assert!(open(&mut connection).await, "an answer still going out: the next request waits");
    }

    /// The bounds' setters keep what a server can work with.
    #[test]
    fn bounds_are_kept_within_what_a_server_can_use() {
        let bounds = Bounds::default().max_head(1).max_connections(0);
        assert_eq!((bounds.max_head, bounds.max_connections), (8 * 1024, 1));
        let bounds = Bounds::default().max_head(100_000).max_connections(usize::MAX);
        assert_eq!((bounds.max_head, bounds.max_connections), (100_000, 1_000_000));
        let bounds = Bounds::default()
            .idle(Duration::from_secs(1))
            .request_time(Duration::from_secs(2))
            .grace(Duration::from_secs(3));
        assert_eq!(
            (bounds.idle, bounds.request_time, bounds.grace),
            (Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(3))
        );
    }

    /// A held body hands a large answer on in pieces, and holds its guard
    /// until the last.
    #[tokio::test]
    async fn a_held_body_is_under_way_until_its_last_piece() {
        use http_body_util::{BodyExt as _, Full};
        let peer = Peer::at("127.0.0.1:1".parse().unwrap());
        let mut body = peer.answering().hold(Full::new(Bytes::from(vec![7u8; 3 * 65_536 + 5])));
        assert_eq!(body.size_hint().exact(), Some(3 * 65_536 + 5));
        let mut sizes = Vec::new();
        while let Some(frame) = body.frame().await {
            sizes.push(frame.unwrap().into_data().unwrap().len());
            assert_eq!(peer.busy.under_way.load(Ordering::SeqCst), 1, "under way while pieces remain");
        }
        assert_eq!(sizes, [65_536, 65_536, 65_536, 5]);
        assert!(body.is_end_stream());
        drop(body);
        assert_eq!(peer.busy.under_way.load(Ordering::SeqCst), 0);
    }
}
