//! The client-write baseline of the routing figure: the same number of `server_ip`-sized lines,
//! written with no service and no Kafka by one thread, one system call per line, round-robin
//! over loopback connections, and read by this process's clients exactly as the held sessions
//! read theirs. It is the cost the routing figure cannot go below on this machine: every routed
//! event is one line to a different client.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpSocket;
use tokio::sync::Semaphore;

use crate::gateway::Sources;
use crate::harness::wait_until;
use crate::report::Record;

/// Connections set up at once (the listener's backlog is small).
const CONNECT_CONCURRENCY: usize = 100;

/// Connections the open-file limit leaves room for: each costs a descriptor at both ends, both
/// in this process.
pub fn affordable(wanted: usize) -> usize {
    let limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
        })
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1024);
    wanted.min(limit.saturating_sub(500) / 2)
}

/// Writes `events` lines over `conns` connections (see the module) and records the rate under
/// `key`.
pub async fn fanout(
    key: &str,
    sources: &Sources,
    conns: usize,
    events: usize,
    out: &Path,
) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (go, start) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || -> anyhow::Result<Duration> {
        let mut streams = Vec::with_capacity(conns);
        for _ in 0..conns {
            let (s, _) = listener.accept()?;
            s.set_nodelay(true)?;
            streams.push(s);
        }
        start.recv()?;
        let t0 = Instant::now();
        let mut line = Vec::with_capacity(128);
        for i in 0..events {
            line.clear();
            writeln!(
                line,
                r#"{{"event":"server_ip","ipAddress":"10.0.0.5","port":7575,"characterId":{}}}"#,
                i / conns + 1
            )?;
            streams[i % conns].write_all(&line)?;
        }
        Ok(t0.elapsed())
    });

    let received = Arc::new(AtomicU64::new(0));
    let permits = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut connects = Vec::with_capacity(conns);
    for i in 0..conns {
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let (source, received) = (sources.get(i), Arc::clone(&received));
        connects.push(tokio::task::spawn_local(async move {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(source, 0))?;
            let stream = tokio::time::timeout(Duration::from_secs(30), socket.connect(addr))
                .await
                .map_err(|_| anyhow!("connect timed out"))??;
            drop(permit);
            stream.set_nodelay(true)?;
            tokio::task::spawn_local(count(stream, received));
            Ok::<_, anyhow::Error>(())
        }));
    }
    for c in connects {
        c.await?.context("fan-out client")?;
    }
    let t0 = Instant::now();
    go.send(())
        .map_err(|_| anyhow!("the fan-out writer stopped"))?;
    let r = Arc::clone(&received);
    wait_until(key, || Ok(r.load(Ordering::Relaxed) >= events as u64)).await?;
    let secs = t0.elapsed().as_secs_f64();
    let writing = writer
        .join()
        .map_err(|_| anyhow!("the fan-out writer panicked"))??;
    Record::new(key)
        .set("writer_seconds", writing.as_secs_f64())
        .set("events", events as f64)
        .set("connections", conns as f64)
        .set("seconds", secs)
        .set("per_s", events as f64 / secs)
        .append(out)
}

/// Counts `server_ip` lines the way the held sessions' clients do.
async fn count(stream: tokio::net::TcpStream, received: Arc<AtomicU64>) {
    let mut reader = BufReader::with_capacity(1024, stream);
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if buf.windows(11).any(|w| w == b"\"server_ip\"") {
            received.fetch_add(1, Ordering::Relaxed);
        }
    }
}
