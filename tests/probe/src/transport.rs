//! Framed socket I/O: exact hello read, header check, buffered frame reassembly under deadlines.
//!
//! Reads go into a buffer through cancel-safe `read` calls, so a deadline that fires in the middle
//! of a frame loses nothing: the next receive continues where the last one stopped.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::time::{timeout_at, Instant};

use crate::crypto::FrameCipher;
use crate::error::{Error, Result};
use crate::hello::{self, Hello};
use crate::version::Version;

/// A point in time to give up at, with the budget it came from (for error messages).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now() + budget,
            budget,
        }
    }

    /// The timeout error for `what`.
    pub fn expired(&self, what: &str) -> Error {
        Error::timeout(what, self.budget)
    }
}

/// One client connection after the hello: socket, read buffer and both cipher states.
pub(crate) struct Connection {
    stream: TcpStream,
    rbuf: Vec<u8>,
    send: FrameCipher,
    recv: FrameCipher,
}

impl Connection {
    /// Connects, reads the raw hello exactly, checks it and seeds both directions (§2, §3.1).
    pub async fn open(
        addr: impl ToSocketAddrs,
        version: &Version,
        budget: Duration,
    ) -> Result<(Connection, Hello)> {
        let deadline = Deadline::after(budget);
        let stream = timeout_at(deadline.at, TcpStream::connect(addr))
            .await
            .map_err(|_| deadline.expired("connect"))??;
        Connection::over_by(stream, version, deadline).await
    }

    /// Reads the hello on an already connected socket and seeds both directions, as `open`.
    pub async fn over(
        stream: TcpStream,
        version: &Version,
        budget: Duration,
    ) -> Result<(Connection, Hello)> {
        Connection::over_by(stream, version, Deadline::after(budget)).await
    }

    async fn over_by(
        stream: TcpStream,
        version: &Version,
        deadline: Deadline,
    ) -> Result<(Connection, Hello)> {
        stream.set_nodelay(true)?;
        let mut conn = Connection {
            stream,
            rbuf: Vec::new(),
            send: version.cipher([0; 4], version.send_version_word()),
            recv: version.cipher([0; 4], version.recv_version_word()),
        };
        let hello = conn.read_hello(deadline).await?;
        hello.check(version)?;
        conn.send = version.cipher(hello.send_iv, version.send_version_word());
        conn.recv = version.cipher(hello.recv_iv, version.recv_version_word());
        Ok((conn, hello))
    }

    async fn read_hello(&mut self, deadline: Deadline) -> Result<Hello> {
        self.fill(hello::PREFIX_LEN, deadline, "hello").await?;
        let mut prefix = [0u8; hello::PREFIX_LEN];
        prefix.copy_from_slice(&self.rbuf[..hello::PREFIX_LEN]);
        let total = hello::PREFIX_LEN + Hello::minor_len(&prefix)? + hello::SUFFIX_LEN;
        self.fill(total, deadline, "hello").await?;
        let hello = Hello::parse(&self.rbuf[..total])?;
        self.rbuf.drain(..total);
        Ok(hello)
    }

    /// The local address of the socket.
    pub fn local_addr(&self) -> Result<std::net::SocketAddr> {
        Ok(self.stream.local_addr()?)
    }

    /// The IV the next sent packet will use.
    pub fn send_iv(&self) -> [u8; 4] {
        self.send.iv()
    }

    /// The IV the next received packet must use.
    pub fn recv_iv(&self) -> [u8; 4] {
        self.recv.iv()
    }

    /// Encrypts and writes one body (opcode + payload).
    pub async fn send_body(&mut self, body: &[u8], deadline: Deadline) -> Result<()> {
        let frame = self.seal(body)?;
        self.write_raw(&frame, deadline).await
    }

    /// Encrypts one body into a frame without writing it (the send IV advances).
    pub fn seal(&mut self, body: &[u8]) -> Result<Vec<u8>> {
        self.send.seal(body)
    }

    /// Writes bytes as they are (no header, no crypto, no IV change).
    pub async fn write_raw(&mut self, bytes: &[u8], deadline: Deadline) -> Result<()> {
        timeout_at(deadline.at, self.stream.write_all(bytes))
            .await
            .map_err(|_| deadline.expired("write"))??;
        Ok(())
    }

    /// Reads one frame, checks its header, decrypts it and returns the body (opcode + payload).
    pub async fn recv_body(&mut self, deadline: Deadline, what: &str) -> Result<Vec<u8>> {
        self.fill(4, deadline, what).await?;
        let header = [self.rbuf[0], self.rbuf[1], self.rbuf[2], self.rbuf[3]];
        let len = self.recv.check_header(header)?;
        self.fill(4 + len, deadline, what).await?;
        let mut body: Vec<u8> = self.rbuf.drain(..4 + len).skip(4).collect();
        self.recv.open(&mut body);
        Ok(body)
    }

    /// Reads and discards until the peer closes (true) or `budget` passes (false).
    pub async fn closed_within(&mut self, budget: Duration) -> Result<bool> {
        let deadline = Deadline::after(budget);
        self.rbuf.clear();
        let mut chunk = [0u8; 4096];
        loop {
            match timeout_at(deadline.at, self.stream.read(&mut chunk)).await {
                Err(_) => return Ok(false),
                Ok(Ok(0)) => return Ok(true),
                Ok(Ok(_)) => continue,
                Ok(Err(e)) if is_reset(&e) => return Ok(true),
                Ok(Err(e)) => return Err(e.into()),
            }
        }
    }

    /// Reads until the buffer holds at least `n` bytes.
    async fn fill(&mut self, n: usize, deadline: Deadline, what: &str) -> Result<()> {
        let mut chunk = [0u8; 4096];
        while self.rbuf.len() < n {
            let read = timeout_at(deadline.at, self.stream.read(&mut chunk))
                .await
                .map_err(|_| deadline.expired(what))?;
            match read {
                Ok(0) => {
                    return Err(Error::Closed {
                        waiting_for: what.to_string(),
                    })
                }
                Ok(k) => self.rbuf.extend_from_slice(&chunk[..k]),
                Err(e) if is_reset(&e) => {
                    return Err(Error::Closed {
                        waiting_for: what.to_string(),
                    })
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
    )
}
