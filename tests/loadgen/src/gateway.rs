//! A client of the gateway protocol for the load generator: connects from a chosen loopback
//! source address (so that more connections fit than one address has ephemeral ports), reads
//! `hello`, logs in, and counts the lines that follow.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpSocket;
use uuid::Uuid;

/// How long one expected line may take before the client gives up.
pub const LINE_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a client waits for the hello before it takes the connection for lost and connects
/// again (at most `CONNECT_TRIES` times in all). A burst of connects can overflow the server's
/// accept queue; the kernel then answers with SYN cookies, and a connection whose final ACK is
/// dropped looks established to the client, which waits for a hello that never comes.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
pub const CONNECT_TRIES: u32 = 4;

/// Connects and reads the hello through `attempt`, again after a failure, at most
/// `CONNECT_TRIES` times; returns the client, the time the failed attempts took and their count.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> anyhow::Result<(T, Duration, u32)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let (mut lost, mut wasted) = (0, Duration::ZERO);
    loop {
        let start = Instant::now();
        match attempt().await {
            Ok(client) => return Ok((client, wasted, lost)),
            Err(e) if lost + 1 >= CONNECT_TRIES => {
                return Err(e.context(format!("{CONNECT_TRIES} connects, none said hello")))
            }
            Err(_) => {
                lost += 1;
                wasted += start.elapsed();
            }
        }
    }
}

/// The `characterId` of marker STATE_CHANGED events starts with these digits, so a client can
/// tell a marker's `server_ip` line without decoding it.
pub const MARKER_BASE: u32 = 4_123_456_000;
const MARKER_TEXT: &[u8] = b"\"characterId\":4123456";

/// One server line, as far as the load generator cares.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    pub event: String,
    #[serde(default)]
    pub session_id: Option<Uuid>,
    #[serde(default)]
    pub account_id: Option<u32>,
    #[serde(default)]
    pub code: Option<serde_json::Value>,
    #[serde(default)]
    pub reason: Option<serde_json::Value>,
}

/// The loopback source addresses clients connect from, in turn.
#[derive(Debug, Clone)]
pub struct Sources(Arc<Vec<IpAddr>>);

impl Sources {
    /// Up to `n` addresses 127.0.0.2, 127.0.0.3, ... that can be bound here (Linux routes all of
    /// 127.0.0.0/8 to the loopback interface); 127.0.0.1 alone when none can.
    pub fn probe(n: usize) -> Sources {
        let mut found = Vec::new();
        for k in 2..(2 + n as u8) {
            let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, k));
            if std::net::TcpListener::bind((ip, 0)).is_ok() {
                found.push(ip);
            }
        }
        if found.is_empty() {
            found.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        Sources(Arc::new(found))
    }

    pub fn get(&self, i: usize) -> IpAddr {
        self.0[i % self.0.len()]
    }
}

/// A TCP connection to `addr` from `source` (port chosen by the kernel), no delay set.
pub async fn connect_from(
    addr: SocketAddr,
    source: IpAddr,
) -> anyhow::Result<tokio::net::TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket
        .bind(SocketAddr::new(source, 0))
        .with_context(|| format!("binding {source}"))?;
    let stream = tokio::time::timeout(LINE_TIMEOUT, socket.connect(addr))
        .await
        .map_err(|_| anyhow!("connect to {addr} timed out"))??;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// A connected client that has read its `hello`.
pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    buf: Vec<u8>,
    pub session_id: Uuid,
    pub account_id: u32,
    /// How long the TCP connect took, and then the `hello`.
    pub connect_time: Duration,
    pub hello_time: Duration,
}

/// The account name of bench account `i` (the accounts file of `loadgen accounts` lists them).
pub fn account_name(i: usize) -> String {
    format!("bench{i:06}")
}

impl Client {
    /// Connects to `gateway` from `source` and reads `hello`.
    pub async fn connect(gateway: SocketAddr, source: IpAddr) -> anyhow::Result<Client> {
        let start = Instant::now();
        let stream = connect_from(gateway, source).await?;
        let connected = Instant::now();
        let (read, writer) = stream.into_split();
        let mut client = Client {
            reader: BufReader::with_capacity(1024, read),
            writer,
            buf: Vec::with_capacity(256),
            session_id: Uuid::nil(),
            account_id: 0,
            connect_time: connected - start,
            hello_time: Duration::ZERO,
        };
        let raw = client.next_raw_within(HELLO_TIMEOUT).await?;
        let hello: Line = serde_json::from_slice(raw)
            .with_context(|| format!("undecodable hello {:?}", String::from_utf8_lossy(raw)))?;
        client.hello_time = connected.elapsed();
        match (hello.event.as_str(), hello.session_id) {
            ("hello", Some(id)) => client.session_id = id,
            _ => bail!("expected hello, got {:?}", hello.event),
        }
        Ok(client)
    }

    async fn next_raw(&mut self) -> anyhow::Result<&[u8]> {
        self.next_raw_within(LINE_TIMEOUT).await
    }

    async fn next_raw_within(&mut self, limit: Duration) -> anyhow::Result<&[u8]> {
        self.buf.clear();
        let n = tokio::time::timeout(limit, self.reader.read_until(b'\n', &mut self.buf))
            .await
            .map_err(|_| anyhow!("no line from the server within {limit:?}"))??;
        if n == 0 {
            bail!("the server closed the connection");
        }
        Ok(&self.buf)
    }

    /// The next line, decoded.
    pub async fn next_line(&mut self) -> anyhow::Result<Line> {
        let raw = self.next_raw().await?;
        serde_json::from_slice(raw)
            .with_context(|| format!("undecodable line {:?}", String::from_utf8_lossy(raw)))
    }

    pub async fn send(&mut self, line: &str) -> anyhow::Result<()> {
        self.writer.write_all(line.as_bytes()).await?;
        Ok(())
    }

    /// Logs in and returns the time from writing `login` to reading `login_ok`. A licence prompt
    /// is accepted (and then counts in the time), so that auto-registered accounts work too.
    pub async fn login(&mut self, name: &str, password: &str) -> anyhow::Result<Duration> {
        let request = format!(
            "{{\"op\":\"login\",\"accountName\":\"{name}\",\"password\":\"{password}\",\"hwid\":\"\"}}\n"
        );
        let start = Instant::now();
        self.send(&request).await?;
        loop {
            let line = self.next_line().await?;
            match line.event.as_str() {
                "login_ok" => {
                    self.account_id = line.account_id.unwrap_or(0);
                    return Ok(start.elapsed());
                }
                "license_agreement" => {
                    self.send("{\"op\":\"accept_license\",\"accepted\":true}\n")
                        .await?
                }
                other => bail!(
                    "login of {name}: {other} {}",
                    line.code.or(line.reason).unwrap_or_default()
                ),
            }
        }
    }

    /// Reads lines until the connection closes, counting `server_ip` lines (markers apart) into
    /// `counters`. Cheap per line: a byte search, no JSON decode.
    pub async fn count_lines(mut self, counters: Arc<LineCounters>, slot: usize) {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let line = &self.buf[..];
            if contains(line, b"\"server_ip\"") {
                if contains(line, MARKER_TEXT) {
                    counters.markers.fetch_add(1, Ordering::Relaxed);
                } else {
                    counters.server_ip.fetch_add(1, Ordering::Relaxed);
                }
            } else if contains(line, b"\"bye\"") {
                counters.byes.fetch_add(1, Ordering::Relaxed);
            } else {
                counters.other.fetch_add(1, Ordering::Relaxed);
            }
        }
        counters.closed.fetch_add(1, Ordering::Relaxed);
        counters.closed_slots.lock().expect("lock").insert(slot);
    }
}

/// What the held clients have received since they logged in.
#[derive(Debug, Default)]
pub struct LineCounters {
    pub server_ip: AtomicU64,
    pub markers: AtomicU64,
    pub byes: AtomicU64,
    pub other: AtomicU64,
    pub closed: AtomicU64,
    /// The `slot`s of the clients whose connection closed.
    pub closed_slots: std::sync::Mutex<std::collections::HashSet<usize>>,
}

impl LineCounters {
    pub fn get(&self, which: &AtomicU64) -> u64 {
        which.load(Ordering::Relaxed)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
