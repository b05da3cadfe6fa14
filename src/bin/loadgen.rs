//! `loadgen`: the load generator of `make bench` (see `scripts/bench.sh` and BENCHMARKS.md).
//! It speaks the gateway protocol to a running service and Kafka to the same broker, measures
//! one phase per invocation and appends one JSON line per figure to `--out`; `report` prints
//! the table. Every loop is bounded in count and time; traffic stays on 127.0.0.0/8.
//!
//! ```text
//! loadgen accounts   --count N                      accounts file for account-sim (stdout)
//! loadgen topics     --bootstrap B --names a,b,…    create topics (4 partitions)
//! loadgen rtt        --bootstrap B --service F --count N --concurrency C --echo concurrent|serial --key K --out R
//! loadgen login      --gateway A --count N --concurrency C --first I --key K --out R
//! loadgen memory     --gateway A --pid P --steps 10000,50000 --out R
//! loadgen throughput --gateway A --bootstrap B --service F --pid P --sessions S --events E
//!                    --topic T --status-topic T2 --out R      routing, filtering, shutdown
//! loadgen report     --results R                    the table
//! ```

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use login_orchestrator::bench::gateway::{
    account_name, Client, LineCounters, Sources, MARKER_BASE,
};
use login_orchestrator::bench::kafka::{self as bk, Echo, Preload};
use login_orchestrator::bench::report::{self, Record};
use login_orchestrator::bench::stats::Latencies;
use login_orchestrator::config::ServiceConfig;
use login_orchestrator::tenant::Tenant;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::Semaphore;
use uuid::Uuid;

/// Source addresses clients rotate over: 127.0.0.2 … 127.0.0.9.
const SOURCES: usize = 8;
/// Logins in flight while building up held sessions (the simulator answers one at a time).
const SETUP_CONCURRENCY: usize = 200;
/// Upper bound of any one wait for the service.
const PHASE_TIMEOUT: Duration = Duration::from_secs(300);

struct Args(HashMap<String, String>);

impl Args {
    fn parse(args: &[String]) -> anyhow::Result<Args> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(k) = it.next() {
            let k = k
                .strip_prefix("--")
                .ok_or_else(|| anyhow!("unexpected argument {k}"))?;
            let v = it.next().ok_or_else(|| anyhow!("--{k} needs a value"))?;
            map.insert(k.to_owned(), v.clone());
        }
        Ok(Args(map))
    }
    fn str(&self, k: &str) -> anyhow::Result<&str> {
        self.0
            .get(k)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("--{k} is required"))
    }
    fn num<T: std::str::FromStr>(&self, k: &str) -> anyhow::Result<T> {
        self.str(k)?
            .parse()
            .map_err(|_| anyhow!("--{k}: not a number"))
    }
    fn out(&self) -> anyhow::Result<PathBuf> {
        Ok(PathBuf::from(self.str("out")?))
    }
    fn gateway(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.str("gateway")?.parse()?)
    }
    fn tenant(&self) -> anyhow::Result<Tenant> {
        let service = ServiceConfig::load(std::path::Path::new(self.str("service")?))
            .map_err(|e| anyhow!("{e}"))?;
        let first = service
            .tenants
            .first()
            .ok_or_else(|| anyhow!("no tenant"))?;
        Ok(Tenant::new(0, first))
    }
}

fn main() -> std::process::ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = argv.split_first() else {
        eprintln!(
            "usage: loadgen accounts|topics|rtt|login|memory|throughput|report --key value …"
        );
        return std::process::ExitCode::from(2);
    };
    let result = Args::parse(rest).and_then(|args| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, run(cmd, args))
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("loadgen {cmd}: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cmd: &str, args: Args) -> anyhow::Result<()> {
    match cmd {
        "accounts" => accounts(args.num("count")?),
        "topics" => {
            let names: Vec<&str> = args.str("names")?.split(',').collect();
            bk::create_topics(args.str("bootstrap")?, &names, 4).await
        }
        "rtt" => rtt(&args).await,
        "login" => login(&args).await,
        "memory" => memory(&args).await,
        "throughput" => throughput(&args).await,
        "report" => {
            let records = report::load(std::path::Path::new(args.str("results")?))?;
            print!("{}", report::table(&records));
            Ok(())
        }
        other => bail!("unknown command {other}"),
    }
}

/// An accounts file with `count` licensed accounts `bench000000`… (password = name), and
/// auto-registration on for any other name.
fn accounts(count: usize) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write!(out, "{{\"autoRegister\":true,\"accounts\":[")?;
    for i in 0..count {
        let name = account_name(i);
        let sep = if i == 0 { "" } else { "," };
        write!(
            out,
            "{sep}{{\"id\":{},\"name\":\"{name}\",\"password\":\"{name}\",\"licenseAccepted\":true}}",
            i + 1
        )?;
    }
    writeln!(out, "]}}")?;
    Ok(())
}

async fn rtt(args: &Args) -> anyhow::Result<()> {
    let echo = match args.str("echo")? {
        "concurrent" => Echo::Concurrent,
        "serial" => Echo::Serial,
        other => bail!("--echo {other}: concurrent or serial"),
    };
    let (count, concurrency): (usize, usize) = (args.num("count")?, args.num("concurrency")?);
    let (mut lat, secs) = bk::two_hop(
        args.str("bootstrap")?,
        &args.tenant()?,
        count,
        concurrency,
        echo,
    )
    .await?;
    let p = lat.percentiles();
    Record::new(args.str("key")?)
        .set("count", p.count as f64)
        .set("concurrency", concurrency as f64)
        .set("p50_ms", p.p50_ms)
        .set("p99_ms", p.p99_ms)
        .set("p999_ms", p.p999_ms)
        .set("per_s", p.count as f64 / secs)
        .append(&args.out()?)
}

/// Logins at a fixed concurrency: each client connects, logs in (timed from `login` to
/// `login_ok`), logs out and waits for the close; then the next account.
async fn login(args: &Args) -> anyhow::Result<()> {
    let gateway = args.gateway()?;
    let (count, concurrency, first): (usize, usize, usize) = (
        args.num("count")?,
        args.num("concurrency")?,
        args.num("first")?,
    );
    let sources = Sources::probe(SOURCES);
    let warmup = concurrency.max(50);
    let total = count + warmup;
    let next = Arc::new(AtomicUsize::new(0));
    let mut measured_from = None;
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (next, sources) = (Arc::clone(&next), sources.clone());
        workers.push(tokio::task::spawn_local(async move {
            let mut lat = Latencies::with_capacity(total / concurrency.max(1) + 1);
            let mut warm_done = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>((lat, warm_done));
                }
                if i == warmup {
                    warm_done = Some(Instant::now());
                }
                let name = account_name(first + i);
                let mut client = Client::connect(gateway, sources.get(i)).await?;
                let took = client.login(&name, &name).await?;
                if i >= warmup {
                    lat.push(took);
                }
                client.logout().await?;
            }
        }));
    }
    let mut all = Latencies::with_capacity(count);
    for w in workers {
        let (lat, warm) = w.await??;
        all.extend(lat);
        measured_from = measured_from.or(warm);
    }
    let secs = measured_from.unwrap_or(start).elapsed().as_secs_f64();
    let p = all.percentiles();
    Record::new(args.str("key")?)
        .set("count", p.count as f64)
        .set("concurrency", concurrency as f64)
        .set("p50_ms", p.p50_ms)
        .set("p99_ms", p.p99_ms)
        .set("p999_ms", p.p999_ms)
        .set("per_s", p.count as f64 / secs)
        .append(&args.out()?)
}

/// A logged-in client kept open, reading and counting its lines in the background.
struct Held {
    session_id: Uuid,
    account_id: u32,
    name: String,
}

/// Connects and logs in accounts `first..first+n`, SETUP_CONCURRENCY at a time; every client
/// then counts its lines into `counters` until its connection closes.
async fn hold(
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

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmRSS for {pid}"))
}

/// RSS once it stopped moving (sessions settled), at most a few seconds.
async fn settled_rss(pid: u32) -> anyhow::Result<u64> {
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

async fn memory(args: &Args) -> anyhow::Result<()> {
    let (gateway, pid): (SocketAddr, u32) = (args.gateway()?, args.num("pid")?);
    let mut steps: Vec<usize> = args
        .str("steps")?
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    steps.sort_unstable();
    let sources = Sources::probe(SOURCES);
    let counters = Arc::new(LineCounters::default());
    let base = settled_rss(pid).await?;
    let mut record = Record::new("memory").set("rss_idle_kib", base as f64);
    let mut held = Vec::new();
    for step in steps {
        let start = Instant::now();
        let more = hold(gateway, held.len(), step - held.len(), &sources, &counters).await?;
        held.extend(more);
        let setup = start.elapsed().as_secs_f64();
        let rss = settled_rss(pid).await?;
        let per = (rss.saturating_sub(base) * 1024) as f64 / step as f64;
        eprintln!(
            "loadgen: {step} sessions in {setup:.1} s; service RSS {rss} KiB ({:.0} bytes/session)",
            per
        );
        record = record
            .set(&format!("rss_kib_at_{step}"), rss as f64)
            .set(&format!("bytes_per_session_at_{step}"), per)
            .set(&format!("setup_s_at_{step}"), setup);
    }
    if let Ok(note) = std::env::var("BENCH_MEMORY_NOTE") {
        if !note.is_empty() {
            record = record.note(note);
        }
    }
    record.append(&args.out()?)
}

fn signal(pid: u32, sig: &str) -> anyhow::Result<()> {
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
async fn wait_until(
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

/// Routing, filtering (each beside a bare drain of the same events) and the shutdown drain,
/// on one service holding `--sessions` logged-in sessions.
async fn throughput(args: &Args) -> anyhow::Result<()> {
    let (gateway, pid): (SocketAddr, u32) = (args.gateway()?, args.num("pid")?);
    let (sessions, events): (usize, usize) = (args.num("sessions")?, args.num("events")?);
    let (bootstrap, topic, status_topic) = (
        args.str("bootstrap")?,
        args.str("topic")?,
        args.str("status-topic")?,
    );
    let tenant = args.tenant()?;
    let out = args.out()?;
    let sources = Sources::probe(SOURCES);
    let counters = Arc::new(LineCounters::default());

    let start = Instant::now();
    let held = hold(gateway, 0, sessions, &sources, &counters).await?;
    eprintln!(
        "loadgen: {sessions} sessions logged in after {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let events = events - events % sessions; // the same number for every session

    // Routing: every held session gets events/sessions STATE_CHANGED, interleaved.
    let ends0 = bk::end_offsets(bootstrap, topic)?;
    signal(pid, "STOP")?;
    let preload = {
        let held: Vec<(Uuid, u32, String)> = held
            .iter()
            .map(|h| (h.session_id, h.account_id, h.name.clone()))
            .collect();
        let (bootstrap, topic, tenant) = (bootstrap.to_owned(), topic.to_owned(), tenant.clone());
        tokio::task::spawn_blocking(move || {
            bk::preload(
                &bootstrap,
                &topic,
                &tenant,
                (0..events).map(|i| {
                    let (s, a, n) = &held[i % held.len()];
                    Preload {
                        session_id: *s,
                        account_id: *a,
                        account_name: n.clone(),
                        character_id: (i / held.len()) as u32 + 1,
                        partition: None,
                    }
                }),
            )
        })
        .await?
    };
    let (loaded, load_time) = match preload {
        Ok(x) => x,
        Err(e) => {
            signal(pid, "CONT")?;
            return Err(e);
        }
    };
    let ends1 = bk::end_offsets(bootstrap, topic)?;
    eprintln!(
        "loadgen: preloaded {loaded} events in {:.1} s (service stopped)",
        load_time.as_secs_f64()
    );
    signal(pid, "CONT")?;
    let t0 = Instant::now();
    let c = Arc::clone(&counters);
    let mut progress = (0, Instant::now());
    wait_until("routing", || {
        let got = c.get(&c.server_ip);
        if got != progress.0 {
            progress = (got, Instant::now());
        }
        // Sessions the service closed get no more lines: stop once nothing moved for 5 s.
        Ok(
            got >= loaded
                || (c.get(&c.closed) > 0 && progress.1.elapsed() > Duration::from_secs(5)),
        )
    })
    .await?;
    let closed = c.get(&c.closed);
    let got = c.get(&c.server_ip);
    let secs = if closed > 0 {
        (progress.1 - t0).as_secs_f64()
    } else {
        t0.elapsed().as_secs_f64()
    };
    let mut r = Record::new("routing")
        .set("events", loaded as f64)
        .set("received", got as f64)
        .set("sessions", sessions as f64)
        .set("closed", closed as f64)
        .set("seconds", secs)
        .set("per_s", got as f64 / secs);
    if closed > 0 {
        r = r.note(format!(
            "the service closed {closed} of {sessions} sessions during routing (their clients got \
             {} of {loaded} server_ip lines); the rate is of the lines received, until the last one",
            got
        ));
    }
    r.append(&out)?;
    drain_baseline("routing_drain", bootstrap, topic, &ends0, &ends1, &out).await?;

    // Filtering: events for sessions this instance does not hold, then one marker per partition
    // for a held session: its server_ip line means the partition was consumed up to there.
    let ends0 = bk::end_offsets(bootstrap, topic)?;
    let partitions: Vec<i32> = ends0.iter().map(|(p, _)| *p).collect();
    let live: Vec<&Held> = {
        let closed = counters.closed_slots.lock().expect("lock");
        held.iter()
            .enumerate()
            .filter(|(i, _)| !closed.contains(i))
            .map(|(_, h)| h)
            .collect()
    };
    if live.len() < partitions.len() {
        bail!("too few live sessions left for the filtering markers");
    }
    let markers: Vec<(Uuid, u32, String, i32)> = partitions
        .iter()
        .enumerate()
        .map(|(k, p)| {
            (
                live[k].session_id,
                live[k].account_id,
                live[k].name.clone(),
                *p,
            )
        })
        .collect();
    let marker_count = markers.len() as u64;
    signal(pid, "STOP")?;
    let preload = {
        let (bootstrap, topic, tenant) = (bootstrap.to_owned(), topic.to_owned(), tenant.clone());
        tokio::task::spawn_blocking(move || {
            let foreign = (0..events).map(|i| Preload {
                session_id: Uuid::new_v4(),
                account_id: 1_000_000 + i as u32,
                account_name: format!("other{i}"),
                character_id: 1,
                partition: None,
            });
            let marks = markers
                .into_iter()
                .enumerate()
                .map(|(k, (s, a, n, p))| Preload {
                    session_id: s,
                    account_id: a,
                    account_name: n,
                    character_id: MARKER_BASE + k as u32,
                    partition: Some(p),
                });
            bk::preload(&bootstrap, &topic, &tenant, foreign.chain(marks))
        })
        .await?
    };
    let (loaded, load_time) = match preload {
        Ok(x) => x,
        Err(e) => {
            signal(pid, "CONT")?;
            return Err(e);
        }
    };
    let ends1 = bk::end_offsets(bootstrap, topic)?;
    eprintln!(
        "loadgen: preloaded {loaded} events in {:.1} s (service stopped)",
        load_time.as_secs_f64()
    );
    signal(pid, "CONT")?;
    let t0 = Instant::now();
    let c = Arc::clone(&counters);
    wait_until("filtering", || Ok(c.get(&c.markers) >= marker_count)).await?;
    let secs = t0.elapsed().as_secs_f64();
    let foreign = loaded - marker_count;
    Record::new("filtering")
        .set("events", foreign as f64)
        .set("seconds", secs)
        .set("per_s", loaded as f64 / secs)
        .append(&out)?;
    drain_baseline("filtering_drain", bootstrap, topic, &ends0, &ends1, &out).await?;

    shutdown(bootstrap, status_topic, pid, &held, &counters, &out).await
}

async fn drain_baseline(
    key: &str,
    bootstrap: &str,
    topic: &str,
    ends0: &[(i32, i64)],
    ends1: &[(i32, i64)],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let ranges = bk::ranges(ends0, ends1);
    let (bootstrap, topic) = (bootstrap.to_owned(), topic.to_owned());
    let (n, took) =
        tokio::task::spawn_blocking(move || bk::drain(&bootstrap, &topic, &ranges)).await??;
    let secs = took.as_secs_f64();
    Record::new(key)
        .set("events", n as f64)
        .set("seconds", secs)
        .set("per_s", n as f64 / secs)
        .append(out)
}

/// SIGTERM with every held session live; the time until all their DESTROYED are on the topic.
async fn shutdown(
    bootstrap: &str,
    status_topic: &str,
    pid: u32,
    held: &[Held],
    counters: &Arc<LineCounters>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    // The sessions still live: those the service closed earlier had their DESTROYED already.
    let ids: HashSet<Uuid> = {
        let closed = counters.closed_slots.lock().expect("lock");
        held.iter()
            .enumerate()
            .filter(|(i, _)| !closed.contains(i))
            .map(|(_, h)| h.session_id)
            .collect()
    };
    let consumer: StreamConsumer = bk::consumer_config(bootstrap).create()?;
    let mut tpl = TopicPartitionList::new();
    for (p, end) in bk::end_offsets(bootstrap, status_topic)? {
        tpl.add_partition_offset(status_topic, p, Offset::Offset(end))?;
    }
    consumer.assign(&tpl)?;
    // Let the consumer connect and issue its first fetches before the clock starts.
    let _ = tokio::time::timeout(Duration::from_millis(1500), consumer.recv()).await;

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Status {
        session_id: Uuid,
        #[serde(rename = "type")]
        kind: String,
    }
    signal(pid, "TERM")?;
    let t0 = Instant::now();
    let mut destroyed = HashSet::new();
    let mut last = t0;
    while destroyed.len() < ids.len() && t0.elapsed() < Duration::from_secs(60) {
        match tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
            Ok(Ok(m)) => {
                let Some(s) = m
                    .payload()
                    .and_then(|p| serde_json::from_slice::<Status>(p).ok())
                else {
                    continue;
                };
                if s.kind == "DESTROYED"
                    && ids.contains(&s.session_id)
                    && destroyed.insert(s.session_id)
                {
                    last = Instant::now();
                }
            }
            Ok(Err(_)) => {}
            Err(_) => break, // nothing more within 5 s
        }
    }
    let secs = (last - t0).as_secs_f64();
    let exited = {
        let mut waited = 0;
        while alive(pid) && waited < 300 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
        t0.elapsed().as_secs_f64()
    };
    let mut r = Record::new("shutdown")
        .set("sessions", ids.len() as f64)
        .set("destroyed", destroyed.len() as f64)
        .set("seconds", secs)
        .set("process_exit_s", exited)
        .set("byes", counters.get(&counters.byes) as f64);
    if destroyed.len() < ids.len() {
        r = r.note(format!(
            "only {} of {} DESTROYED seen within 60 s",
            destroyed.len(),
            ids.len()
        ));
    }
    r.append(out)
}

/// Whether the process runs (a zombie waiting for its parent does not count).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            !matches!(stat.rsplit(')').next().map(str::trim_start), Some(s) if s.starts_with('Z') || s.starts_with('X'))
        }
        Err(_) => false,
    }
}
