//! `loadgen`: the load generator of `make bench` (see `tests/tools/bench.sh` and BENCHMARKS.md).
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
//!                    --topic T --status-topic T2 [--idle-topics A,B] --out R
//!                                                             routing, filtering, shutdown
//! loadgen report     --results R                    the table
//! ```

mod fanout;
mod gateway;
mod harness;
mod kafka;
mod phases;
mod report;
mod stats;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::gateway::{account_name, Client, Sources};
use crate::harness::SOURCES;
use crate::kafka::{self as bk, Echo};
use crate::report::Record;
use crate::stats::Latencies;
use anyhow::{anyhow, bail};
use login_orchestrator::config::ServiceConfig;
use login_orchestrator::tenant::Tenant;

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
        "merge" => merge(&args),
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
    latency_record(args.str("key")?, &mut lat, concurrency, secs).append(&args.out()?)
}

/// Logins at a fixed concurrency: each client connects and logs in (timed from `login` to
/// `login_ok`) and stays connected until the run ends; then the next account.
async fn login(args: &Args) -> anyhow::Result<()> {
    let gateway = args.gateway()?;
    let (count, concurrency, first): (usize, usize, usize) = (
        args.num("count")?,
        args.num("concurrency")?,
        args.num("first")?,
    );
    let sources = Sources::probe(SOURCES);
    // With --tap B: note the broker timestamps of CREATE and CREATED beside the run.
    let tap = match args.0.get("tap") {
        Some(bootstrap) => Some(bk::Tap::start(
            bootstrap,
            &[
                "COMMAND_TOPIC_ACCOUNT_SESSION",
                "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
            ],
        )?),
        None => None,
    };
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
            let mut stamps = Vec::new();
            let mut open = Vec::new();
            let mut warm_done = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>((lat, stamps, warm_done, open));
                }
                if i == warmup {
                    warm_done = Some(Instant::now());
                }
                let name = account_name(first + i);
                let mut client = Client::connect(gateway, sources.get(i)).await?;
                let sent = bk::epoch_ms();
                let took = client.login(&name, &name).await?;
                if i >= warmup {
                    lat.push(took);
                    stamps.push((client.session_id, sent, sent + took.as_secs_f64() * 1000.0));
                }
                // The session stays open until the run ends, as a player's would: no LOGOUT
                // traffic of earlier logins overlaps the measured ones.
                open.push(client);
            }
        }));
    }
    let mut all = Latencies::with_capacity(count);
    let mut stamps = Vec::new();
    let mut clients = Vec::new();
    for w in workers {
        let (lat, s, warm, open) = w.await??;
        clients.extend(open);
        all.extend(lat);
        stamps.extend(s);
        measured_from = measured_from.or(warm);
    }
    let secs = measured_from.unwrap_or(start).elapsed().as_secs_f64();
    drop(clients);
    if let Some(tap) = tap {
        breakdown(
            args.str("breakdown-key")?,
            tap.finish()?,
            &stamps,
            &args.out()?,
        )?;
    }
    if let Some(path) = args.0.get("samples") {
        all.append_to(std::path::Path::new(path))?;
    }
    latency_record(args.str("key")?, &mut all, concurrency, secs)
        .set("seconds", secs)
        .append(&args.out()?)
}

async fn memory(args: &Args) -> anyhow::Result<()> {
    let steps: Vec<usize> = args
        .str("steps")?
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    phases::memory(args.gateway()?, args.num("pid")?, steps, &args.out()?).await
}

async fn throughput(args: &Args) -> anyhow::Result<()> {
    phases::throughput(&phases::Throughput {
        gateway: args.gateway()?,
        bootstrap: args.str("bootstrap")?.to_owned(),
        tenant: args.tenant()?,
        pid: args.num("pid")?,
        sessions: args.num("sessions")?,
        events: args.num("events")?,
        topic: args.str("topic")?.to_owned(),
        status_topic: args.str("status-topic")?.to_owned(),
        idle_topics: args
            .str("idle-topics")
            .map(|t| t.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        out: args.out()?,
    })
    .await
}

/// Medians of the three legs of a login, from the client's clock and the broker timestamps
/// (millisecond resolution): request to CREATE handed to the service's producer; CREATE to
/// CREATED handed to the simulator's producer (hop 1 and the simulator); CREATED to `login_ok`
/// at the client (hop 2 and the service).
fn breakdown(
    key: &str,
    seen: HashMap<(uuid::Uuid, String), i64>,
    stamps: &[(uuid::Uuid, f64, f64)],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for (id, sent, ok) in stamps {
        let create = seen.get(&(*id, "CREATE".to_owned()));
        let created = seen.get(&(*id, "CREATED".to_owned()));
        if let (Some(&create), Some(&created)) = (create, created) {
            a.push(create as f64 - sent);
            b.push((created - create) as f64);
            c.push(ok - created as f64);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    Record::new(key)
        .set("samples", a.len() as f64)
        .set("to_create_ms", median(&mut a))
        .set("create_to_created_ms", median(&mut b))
        .set("created_to_ok_ms", median(&mut c))
        .append(out)
}

/// Percentiles over the samples of several `login` runs (chunks with a fresh broker each), and
/// their combined rate, as one record `--key`.
fn merge(args: &Args) -> anyhow::Result<()> {
    let key = args.str("key")?;
    let out = args.out()?;
    let mut all = Latencies::read_from(std::path::Path::new(args.str("samples")?))?;
    let parts: Vec<Record> = report::load(&out)?
        .into_values()
        .filter(|r| r.key.starts_with(&format!("{key}#")))
        .collect();
    let count: f64 = parts.iter().filter_map(|r| r.values.get("count")).sum();
    let secs: f64 = parts.iter().filter_map(|r| r.values.get("seconds")).sum();
    let p = all.percentiles();
    Record::new(key)
        .set("count", p.count as f64)
        .set("chunks", parts.len() as f64)
        .set("p50_ms", p.p50_ms)
        .set("p99_ms", p.p99_ms)
        .set("p999_ms", p.p999_ms)
        .set("per_s", count / secs)
        .append(&out)
}

/// The record of a latency run: count, concurrency, percentiles and rate.
fn latency_record(key: &str, lat: &mut Latencies, concurrency: usize, secs: f64) -> Record {
    let p = lat.percentiles();
    Record::new(key)
        .set("count", p.count as f64)
        .set("concurrency", concurrency as f64)
        .set("p50_ms", p.p50_ms)
        .set("p99_ms", p.p99_ms)
        .set("p999_ms", p.p999_ms)
        .set("per_s", p.count as f64 / secs)
}
