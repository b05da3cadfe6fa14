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

/// As [`hold`], through either protocol: a game client (no session id known to it) answers the
/// server's pings until its connection closes, counting nothing.
pub async fn hold_any(
    gateway: SocketAddr,
    proto: &crate::logins::Proto,
    first: usize,
    n: usize,
    sources: &Sources,
    counters: &Arc<LineCounters>,
) -> anyhow::Result<Vec<Held>> {
    let version = match proto {
        crate::logins::Proto::Json => return hold(gateway, first, n, sources, counters).await,
        crate::logins::Proto::Maple(version) => version,
    };
    let permits = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let mut tasks = Vec::with_capacity(n);
    for i in first..first + n {
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let (source, version) = (sources.get(i), version.clone());
        tasks.push(tokio::task::spawn_local(async move {
            let name = account_name(i);
            let result = async {
                let (mut client, _, _) = crate::gateway::retrying(|| {
                    crate::game::GameClient::connect(gateway, source, &version)
                })
                .await?;
                client.login(&name, &name).await?;
                Ok::<_, anyhow::Error>(client)
            }
            .await;
            drop(permit);
            let client = result.with_context(|| format!("game session {i}"))?;
            let held = Held {
                session_id: Uuid::nil(),
                account_id: client.account_id,
                name,
            };
            tokio::task::spawn_local(client.idle());
            Ok::<_, anyhow::Error>(held)
        }));
    }
    let mut held = Vec::with_capacity(n);
    for t in tasks {
        held.push(t.await??);
    }
    Ok(held)
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
                let (mut client, _, _) =
                    crate::gateway::retrying(|| Client::connect(gateway, sources.get(i))).await?;
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

/// CPU time (user + system) of some processes over a run, from `/proc/<pid>/stat` (clock
/// ticks, 10 ms each here): where a run's CPU went, per process and per operation.
pub struct CpuWatch(Vec<(String, u32, u64)>);

/// CPU time of `pid` so far, in clock ticks (0 when it is gone).
fn cpu_ticks(pid: u32) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    num(11) + num(12)
}

impl CpuWatch {
    /// `spec` is `name=pid,name=pid` (may be empty); this process is added as `loadgen`.
    pub fn start(spec: Option<&str>) -> anyhow::Result<CpuWatch> {
        let mut procs = vec![("loadgen".to_owned(), std::process::id())];
        for item in spec
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
        {
            let (name, pid) = item
                .split_once('=')
                .ok_or_else(|| anyhow!("--cpu {item}: name=pid"))?;
            procs.push((name.to_owned(), pid.parse()?));
        }
        Ok(CpuWatch(
            procs
                .into_iter()
                .map(|(n, p)| {
                    let t = cpu_ticks(p);
                    (n, p, t)
                })
                .collect(),
        ))
    }

    /// Sets `cpu_us_<name>` (CPU microseconds per operation) for each process on `record`.
    pub fn finish(self, ops: usize, mut record: crate::report::Record) -> crate::report::Record {
        let hz = 100.0; // USER_HZ is 100 on Linux
        for (name, pid, before) in self.0 {
            let used = cpu_ticks(pid).saturating_sub(before) as f64 / hz;
            record = record.set(&format!("cpu_us_{name}"), used * 1e6 / ops.max(1) as f64);
        }
        record
    }
}
