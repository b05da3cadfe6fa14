//! A session's way out to its client, written from the session's actor without a task of its
//! own: lines are appended to a buffer and flushed with one non-blocking write once the actor
//! has handled what its mailbox holds. Only a write the socket cannot take at once continues in
//! a short-lived task, which also finishes the last lines (a `bye`) after the actor is gone and
//! then closes the connection's write side.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::rc::Rc;
use std::time::Duration;

use tokio::net::tcp::OwnedWriteHalf;

/// Bytes a session may have waiting for its client before it counts as not reading (about a
/// thousand lines). A burst of events for one session is handled in one go by its actor before
/// the flush, so this is sized for bursts; a client that does not read is caught by the write
/// timeout and, once its socket buffers and this buffer are full, by this limit.
pub const OUTBOUND_LIMIT: usize = 128 * 1024;

/// How long a write may wait for a client that does not read before the connection is given up.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A buffer left with more than this after a burst is given back, not kept for the session's
/// life.
const KEEP_CAPACITY: usize = 4 * 1024;

/// What became of a line handed to [`Outbound::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Buffered; it goes out with the next flush.
    Queued,
    /// The client has more than [`OUTBOUND_LIMIT`] bytes unread.
    Stalled,
    /// The connection's write side is gone (closed, failed, or given up after a stalled write).
    Closed,
}

/// The write side of one client connection (single-threaded: it lives on its actor's thread).
pub struct Outbound(Rc<RefCell<Shared>>);

struct Shared {
    sink: Sink,
    pending: Vec<u8>,
    /// Close the write side once everything pending is written.
    closing: bool,
}

enum Sink {
    /// Nothing in flight: the actor writes directly.
    Idle(OwnedWriteHalf),
    /// A task is finishing a write the socket could not take at once.
    Draining(actix_rt::task::JoinHandle<()>),
    /// Closed, failed or aborted.
    Gone,
}

impl Outbound {
    pub fn new(write: OwnedWriteHalf) -> Outbound {
        Outbound(Rc::new(RefCell::new(Shared {
            sink: Sink::Idle(write),
            pending: Vec::new(),
            closing: false,
        })))
    }

    /// Buffers one line (with its `\n`); [`Outbound::flush`] writes it.
    pub fn push(&self, line: &[u8]) -> Pushed {
        self.push_with(|buf| buf.extend_from_slice(line))
    }

    /// Buffers the line `write` appends to the buffer (so that it is encoded in place).
    pub fn push_with(&self, write: impl FnOnce(&mut Vec<u8>)) -> Pushed {
        let mut s = self.0.borrow_mut();
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

    /// Writes what is buffered, as far as the socket takes it now; the rest is left to a task.
    pub fn flush(&self) {
        let mut s = self.0.borrow_mut();
        let Sink::Idle(write) = &s.sink else {
            return; // a drain task takes what was added meanwhile; or the sink is gone
        };
        let mut written = 0;
        let outcome = loop {
            if written == s.pending.len() {
                break Ok(());
            }
            match write.try_write(&s.pending[written..]) {
                Ok(0) => break Err(()),
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break Err(()),
            }
        };
        if outcome.is_err() {
            s.fail();
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
    fn fail(&mut self) {
        self.sink = Sink::Gone;
        self.pending = Vec::new();
    }

    /// Everything pending was written: give a burst's buffer back, close if asked to.
    fn settle(&mut self) {
        if self.pending.capacity() > KEEP_CAPACITY {
            self.pending = Vec::new();
        }
        self.settle_closing();
    }

    fn settle_closing(&mut self) {
        if self.closing && self.pending.is_empty() && matches!(self.sink, Sink::Idle(_)) {
            self.sink = Sink::Gone; // dropping the write half sends FIN
        }
    }
}

/// Finishes the writes the socket could not take at once, including lines added meanwhile;
/// hands the write half back when done (or closes it, if the session closed meanwhile).
async fn drain(shared: Rc<RefCell<Shared>>, write: OwnedWriteHalf) {
    loop {
        match tokio::time::timeout(WRITE_TIMEOUT, write.writable()).await {
            Ok(Ok(())) => {}
            _ => return shared.borrow_mut().fail(),
        }
        let mut s = shared.borrow_mut();
        let mut written = 0;
        while written < s.pending.len() {
            match write.try_write(&s.pending[written..]) {
                Ok(0) => return s.fail(),
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return s.fail(),
            }
        }
        s.pending.drain(..written);
        if s.pending.is_empty() {
            s.sink = Sink::Idle(write);
            return s.settle();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio::net::{TcpListener, TcpStream};

    async fn pair() -> (Outbound, TcpStream, tokio::net::tcp::OwnedReadHalf) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (read, write) = server.into_split();
        (Outbound::new(write), client, read)
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
