//! A session's way out to its client, written from the session's actor without a task of its
//! own: encoded frames are appended to a buffer and flushed with one non-blocking write once the
//! actor has handled what its mailbox holds. Only a write the connection cannot take at once
//! continues in a short-lived task, which also finishes the last frames (a `bye`) after the
//! actor is gone and then closes the connection's write side. Any protocol's frames go through
//! it: it only sees bytes.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::ErrorKind;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::AsyncWrite;

/// The write side of a client connection, whatever carries it (a TCP socket's write half; an
/// in-memory pipe in tests). Dropping it closes the connection's write side.
pub type ClientWriter = Box<dyn ClientWrite>;

/// A connection's write side: written to at once when it can take bytes, else by a task that
/// waits for it (`AsyncWrite`).
pub trait ClientWrite: AsyncWrite + Send + Unpin + 'static {
    /// Writes what the connection takes now, without waiting (`WouldBlock` when nothing).
    fn try_write_now(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(self).poll_write(&mut cx, buf) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(ErrorKind::WouldBlock.into()),
        }
    }
}

/// A socket is tried with a plain non-blocking write (not `poll_write`, which trusts readiness
/// the reactor may not have seen yet and would send the first frame through a task).
impl ClientWrite for tokio::net::tcp::OwnedWriteHalf {
    fn try_write_now(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.try_write(buf)
    }
}

/// An in-memory pipe (tests).
impl ClientWrite for tokio::io::WriteHalf<tokio::io::DuplexStream> {}

/// Bytes a session may have waiting for its client before it counts as not reading (about a
/// thousand JSON lines). A burst of events for one session is handled in one go by its actor before
/// the flush, so this is sized for bursts; a client that does not read is caught by the write
/// timeout and, once its socket buffers and this buffer are full, by this limit.
pub const OUTBOUND_LIMIT: usize = 128 * 1024;

/// How long a write may wait for a client that does not read before the connection is given up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What became of a frame handed to [`Outbound::push_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Buffered; it goes out with the next flush.
    Queued,
    /// The client has more than [`OUTBOUND_LIMIT`] bytes unread.
    Stalled,
    /// The connection's write side is gone (closed, failed, or given up after a stalled write).
    Closed,
}

/// Why the write side was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A write waited [`WRITE_TIMEOUT`] for a client that does not read.
    Stalled,
    /// The connection failed (reset, closed by the client).
    Broken,
}

/// The write side of one client connection (single-threaded: it lives on its actor's thread).
pub struct Outbound(Rc<RefCell<Shared>>);

struct Shared {
    sink: Sink,
    pending: Vec<u8>,
    /// Close the write side once everything pending is written.
    closing: bool,
    /// Set when the write side was given up (not when it was closed or aborted).
    failure: Option<Failure>,
    /// Woken when a drain task gives the write side up, so the owner can end the session.
    owner: Option<std::task::Waker>,
    /// How long a write may wait for the client ([`WRITE_TIMEOUT`]).
    timeout: Duration,
}

enum Sink {
    /// Nothing in flight: the actor writes directly.
    Idle(ClientWriter),
    /// A task is finishing a write the socket could not take at once.
    Draining(actix_rt::task::JoinHandle<()>),
    /// Closed, failed or aborted.
    Gone,
}

impl Outbound {
    pub fn new(write: ClientWriter) -> Outbound {
        Outbound::with_timeout(write, WRITE_TIMEOUT)
    }

    /// With a write timeout other than [`WRITE_TIMEOUT`].
    pub fn with_timeout(write: ClientWriter, timeout: Duration) -> Outbound {
        Outbound(Rc::new(RefCell::new(Shared {
            sink: Sink::Idle(write),
            pending: Vec::new(),
            closing: false,
            failure: None,
            owner: None,
            timeout,
        })))
    }

    /// Wakes `waker` when a write the socket could not take at once fails later.
    pub fn watch(&self, waker: &std::task::Waker) {
        let mut s = self.0.borrow_mut();
        if !s.owner.as_ref().is_some_and(|w| w.will_wake(waker)) {
            s.owner = Some(waker.clone());
        }
    }

    /// Why the write side was given up, if it was.
    pub fn failure(&self) -> Option<Failure> {
        self.0.borrow().failure
    }

    /// Buffers one line (with its `\n`); [`Outbound::flush`] writes it.
    #[cfg(test)]
    pub fn push(&self, line: &[u8]) -> Pushed {
        self.push_with(|buf| buf.extend_from_slice(line))
    }

    /// Buffers the frame `write` appends to the buffer (so that it is encoded in place).
    pub fn push_with(&self, write: impl FnOnce(&mut Vec<u8>)) -> Pushed {
        let mut s = self.0.borrow_mut();
        if s.failure == Some(Failure::Stalled) {
            return Pushed::Stalled;
        }
        if matches!(s.sink, Sink::Gone) || s.closing {
            return Pushed::Closed;
        }
        let before = s.pending.len();
        write(&mut s.pending);
        if s.pending.len() > OUTBOUND_LIMIT {
            s.pending.truncate(before);
            return Pushed::Stalled;
        }
        Pushed::Queued
    }

    /// Writes what is buffered, as far as the connection takes it now; the rest is left to a
    /// task.
    pub fn flush(&self) {
        let mut guard = self.0.borrow_mut();
        let s = &mut *guard;
        let Sink::Idle(write) = &mut s.sink else {
            return; // a drain task takes what was added meanwhile; or the sink is gone
        };
        let mut written = 0;
        let outcome = loop {
            if written == s.pending.len() {
                break Ok(());
            }
            match write.try_write_now(&s.pending[written..]) {
                Ok(0) => break Err(()),
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break Err(()),
            }
        };
        if outcome.is_err() {
            s.fail(Failure::Broken);
            return;
        }
        s.pending.drain(..written);
        if !s.pending.is_empty() {
            let Sink::Idle(write) = std::mem::replace(&mut s.sink, Sink::Gone) else {
                unreachable!("checked above")
            };
            s.sink = Sink::Draining(actix_rt::spawn(drain(Rc::clone(&self.0), write)));
        } else {
            s.settle();
        }
    }

    /// Writes what is buffered, then closes the write side (also after the actor is gone).
    pub fn close(&self) {
        self.0.borrow_mut().closing = true;
        self.flush();
        self.0.borrow_mut().settle_closing();
    }

    /// Drops what is buffered and the write side at once (a client that does not read).
    pub fn abort(&self) {
        let mut s = self.0.borrow_mut();
        if let Sink::Draining(task) = std::mem::replace(&mut s.sink, Sink::Gone) {
            task.abort();
        }
        s.pending = Vec::new();
    }
}

impl Shared {
    fn fail(&mut self, why: Failure) {
        self.sink = Sink::Gone;
        self.pending = Vec::new();
        self.failure = Some(why);
        if let Some(owner) = &self.owner {
            owner.wake_by_ref();
        }
    }

    /// Everything pending was written: give the buffer back (an idle session keeps none; the
    /// next frame allocates one again), close if asked to.
    fn settle(&mut self) {
        self.pending = Vec::new();
        self.settle_closing();
    }

    fn settle_closing(&mut self) {
        if self.closing && self.pending.is_empty() && matches!(self.sink, Sink::Idle(_)) {
            self.sink = Sink::Gone; // dropping the write half sends FIN
        }
    }
}

/// Finishes the writes the connection could not take at once, including frames added
/// meanwhile; hands the write side back when done (or closes it, if the session closed
/// meanwhile). Each wait for the client to take more is bounded by the write timeout.
async fn drain(shared: Rc<RefCell<Shared>>, mut write: ClientWriter) {
    let timeout = shared.borrow().timeout;
    loop {
        let wrote = poll_fn(|cx| {
            let mut s = shared.borrow_mut();
            match Pin::new(&mut write).poll_write(cx, &s.pending) {
                Poll::Ready(Ok(n)) if n > 0 => {
                    s.pending.drain(..n);
                    Poll::Ready(Ok(()))
                }
                Poll::Ready(Ok(_)) => Poll::Ready(Err(())),
                Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Poll::Ready(Err(_)) => Poll::Ready(Err(())),
                Poll::Pending => Poll::Pending,
            }
        });
        match tokio::time::timeout(timeout, wrote).await {
            Ok(Ok(())) => {}
            Ok(Err(())) => return shared.borrow_mut().fail(Failure::Broken),
            Err(_) => return shared.borrow_mut().fail(Failure::Stalled),
        }
        let mut s = shared.borrow_mut();
        if s.pending.is_empty() {
            s.sink = Sink::Idle(write);
            return s.settle();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpStream};

    async fn pair() -> (Outbound, TcpStream, tokio::net::tcp::OwnedReadHalf) {
        pair_with(WRITE_TIMEOUT).await
    }

    async fn pair_with(timeout: Duration) -> (Outbound, TcpStream, tokio::net::tcp::OwnedReadHalf) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (read, write) = server.into_split();
        (
            Outbound::with_timeout(Box::new(write), timeout),
            client,
            read,
        )
    }

    #[actix_rt::test]
    async fn an_in_memory_pipe_works_like_a_socket() {
        let (server, mut client) = tokio::io::duplex(64);
        let (_, server) = tokio::io::split(server);
        let out = Outbound::new(Box::new(server));
        let line = line_of(b'p', 40);
        for _ in 0..10 {
            assert_eq!(out.push(&line), Pushed::Queued);
            out.flush(); // more than the pipe holds: the rest goes to a drain task
        }
        out.close();
        drop(out);
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, line.repeat(10));
    }

    #[actix_rt::test]
    async fn lines_go_out_in_order_and_close_sends_eof() {
        let (out, mut client, _read) = pair().await;
        assert_eq!(out.push(b"one\n"), Pushed::Queued);
        assert_eq!(out.push(b"two\n"), Pushed::Queued);
        out.flush();
        assert_eq!(out.push(b"bye\n"), Pushed::Queued);
        out.close();
        assert_eq!(out.push(b"late\n"), Pushed::Closed);
        let mut got = String::new();
        client.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "one\ntwo\nbye\n");
    }

    /// A line of `len` bytes, `\n` included.
    fn line_of(byte: u8, len: usize) -> Vec<u8> {
        let mut line = vec![byte; len - 1];
        line.push(b'\n');
        line
    }

    /// Pushes (and flushes) `line` until the buffer refuses it; the bytes accepted, and why not
    /// more.
    fn fill(out: &Outbound, line: &[u8]) -> (usize, Pushed) {
        let mut pushed = 0;
        loop {
            match out.push(line) {
                Pushed::Queued => pushed += line.len(),
                other => return (pushed, other),
            }
            out.flush();
            assert!(pushed < 1 << 30, "never stalled");
        }
    }

    #[actix_rt::test]
    async fn a_client_that_does_not_read_stalls_and_a_drain_finishes_after_the_owner_is_gone() {
        let (out, mut client, _read) = pair().await;
        let line = line_of(b'x', 1024);
        // Fill the socket buffers and the limit without the client reading.
        let (pushed, why) = fill(&out, &line);
        assert_eq!(why, Pushed::Stalled);
        out.close();
        drop(out); // the actor is gone; the drain task still owns what is pending
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got.len(), pushed);
        assert!(got.chunks(line.len()).all(|c| c == &line[..]));
    }

    #[actix_rt::test]
    async fn a_connection_the_client_dropped_fails_as_broken_and_refuses_more_lines() {
        let (out, client, _read) = pair().await;
        drop(client);
        let mut tries = 0;
        while out.failure().is_none() {
            assert_eq!(out.push(b"{\"event\":\"pong\"}\n"), Pushed::Queued);
            out.flush();
            tokio::time::sleep(Duration::from_millis(5)).await;
            tries += 1;
            assert!(tries < 400, "the write side never failed");
        }
        assert_eq!(out.failure(), Some(Failure::Broken));
        assert_eq!(out.push(b"more\n"), Pushed::Closed);
    }

    struct Flag(std::sync::atomic::AtomicBool);

    impl std::task::Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[actix_rt::test]
    async fn a_write_that_waits_too_long_gives_up_and_wakes_the_owner() {
        let (out, _client, _read) = pair_with(Duration::from_millis(200)).await;
        let flag = Arc::new(Flag(Default::default()));
        out.watch(&std::task::Waker::from(Arc::clone(&flag)));
        let (_, why) = fill(&out, &line_of(b'z', 4096));
        assert_eq!(why, Pushed::Stalled, "the client never reads");
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(out.failure(), Some(Failure::Stalled));
        assert!(
            flag.0.load(std::sync::atomic::Ordering::SeqCst),
            "the owner was not woken"
        );
        assert_eq!(out.push(b"more\n"), Pushed::Stalled);
    }

    #[actix_rt::test]
    async fn abort_drops_what_is_pending_and_closes() {
        let (out, mut client, _read) = pair().await;
        let (pushed, why) = fill(&out, &line_of(b'y', 4096));
        assert_eq!(why, Pushed::Stalled);
        out.abort();
        assert_eq!(out.push(b"more\n"), Pushed::Closed);
        drop(out);
        let mut got = Vec::new();
        // The connection ends (EOF or reset) without what was still buffered here.
        let _ = tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut got))
            .await
            .expect("the connection ended");
        assert!(got.len() < pushed, "{} of {pushed}", got.len());
    }
}
