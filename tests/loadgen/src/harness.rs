//! Shared pieces of the load generator's phases: held sessions, the service's RSS, signals,
//! bounded waits, and an optional `perf record` of a measured window.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::gateway::{account_name, Client, LineCounters, Sources};

/// Source addresses clients rotate over: 127.0.0.2 … 127.0.0.9.
pub const SOURCES: usize = 8;
/// Logins in flight while building up held sessions (the simulator answers one at a time).
pub const SETUP_CONCURRENCY: usize = 200;
/// Upper bound of any one wait for the service.
pub const PHASE_TIMEOUT: Duration = Duration::from_secs(300);

/// A logged-in client kept open, reading and counting its lines in the background.
pub struct Held {
    pub session_id: Uuid,
    pub account_id: u32,
    pub name: String,
}

/// Connects and logs in accounts `first..first+n`, SETUP_CONCURRENCY at a time; every client
/// then counts its lines into `counters` until its connection closes.
pub async fn hold(
    gateway: SocketAddr,
    first: usize,
    n: usize,
    sources: &Sources,
    counters: &Arc<LineCounters>,
) -> anyhow::Result<Vec<Held>> {
    let permits = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let mut tasks = Vec::with_capacity(n);
    for i in first..first + n {
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let (sources, counters) = (sources.clone(), Arc::clone(counters));
        tasks.push(tokio::task::spawn_local(async move {
            let name = account_name(i);
            let result = async {
                let mut client = Client::connect(gateway, sources.get(i)).await?;
                client.login(&name, &name).await?;
                Ok::<_, anyhow::Error>(client)
            }
            .await;
            drop(permit);
            let client = result.with_context(|| format!("session {i}"))?;
            let held = Held {
                session_id: client.session_id,
                account_id: client.account_id,
                name,
            };
            tokio::task::spawn_local(client.count_lines(counters, i));
            Ok::<_, anyhow::Error>(held)
        }));
    }
    let mut held = Vec::with_capacity(n);
    for t in tasks {
        held.push(t.await??);
    }
    Ok(held)
}

pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS for {pid}"))
}

/// RSS once it stopped moving (sessions settled), at most a few seconds.
pub async fn settled_rss(pid: u32) -> anyhow::Result<u64> {
    let mut last = rss_kib(pid)?;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = rss_kib(pid)?;
        if now.abs_diff(last) < 64 {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

/// With BENCH_PERF_DIR set, a system-wide `perf record` of one measured window (where the time
/// goes: `perf report -i FILE --sort comm,dso,sym`).
pub struct Perf(Option<std::process::Child>);

impl Perf {
    pub fn start(name: &str) -> Perf {
        let Ok(dir) = std::env::var("BENCH_PERF_DIR") else {
            return Perf(None);
        };
        let child = std::process::Command::new("perf")
            .args(["record", "-a", "-F", "999", "-o"])
            .arg(format!("{dir}/perf-{name}.data"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok();
        std::thread::sleep(Duration::from_millis(300)); // perf needs a moment to attach
        Perf(child)
    }

    pub fn stop(mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = signal(child.id(), "INT");
            let _ = child.wait();
        }
    }
}

pub fn signal(pid: u32, sig: &str) -> anyhow::Result<()> {
    let ok = std::process::Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()?
        .success();
    if !ok {
        bail!("kill -{sig} {pid} failed");
    }
    Ok(())
}

/// Waits until `done()` or the phase timeout, checking every millisecond.
pub async fn wait_until(
    what: &str,
    mut done: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let start = Instant::now();
    while !done()? {
        if start.elapsed() > PHASE_TIMEOUT {
            bail!("{what}: not done after {PHASE_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

/// Whether the process runs (a zombie waiting for its parent does not count).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            !matches!(stat.rsplit(')').next().map(str::trim_start), Some(s) if s.starts_with('Z') || s.starts_with('X'))
        }
        Err(_) => false,
    }
}
