//! `loadgen`: the load generator of `make bench` (see `tests/tools/bench.sh` and BENCHMARKS.md).
//! It speaks the gateway protocol to a running service and Kafka to the same broker, measures
//! one phase per invocation and appends one JSON line per figure to `--out`; `report` prints
//! the table. Every loop is bounded in count and time; traffic stays on 127.0.0.0/8.
//!
//! ```text
//! loadgen accounts   --count N [--atlas-sim F --atlas-sim-base B --tenant T]
//!                                                   accounts file for account-sim (stdout), and
//!                                                   the REST simulator's data of the same accounts
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
mod game;
mod gateway;
mod harness;
mod kafka;
mod logins;
mod peer;
mod phases;
mod report;
mod stats;

use crate::gateway::{account_name, Sources};
use crate::harness::SOURCES;
use crate::kafka::{self as bk, Echo};
use crate::report::Record;
use crate::stats::Latencies;
use anyhow::{anyhow, bail};
use login_orchestrator::config::ServiceConfig;
use login_orchestrator::tenant::Tenant;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// `--protocol json` (the default) or `maple` with `--version R/major/minor`.
    fn proto(&self) -> anyhow::Result<logins::Proto> {
        match self.0.get("protocol").map(String::as_str) {
            None | Some("json") => Ok(logins::Proto::Json),
            Some("maple") => Ok(logins::Proto::Maple(
                self.str("version")?
                    .parse()
                    .map_err(|e| anyhow!("--version: {e}"))?,
            )),
            Some(other) => bail!("--protocol {other}: json or maple"),
        }
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
        "accounts" => {
            let count = args.num("count")?;
            if let Some(path) = args.0.get("atlas-sim") {
                atlas_sim_data(
                    count,
                    std::path::Path::new(args.str("atlas-sim-base")?),
                    args.str("tenant")?,
                    std::path::Path::new(path),
                )?;
            }
            accounts(count)
        }
        "topics" => {
            let names: Vec<&str> = args.str("names")?.split(',').collect();
            bk::create_topics(args.str("bootstrap")?, &names, 4).await
        }
        "rtt" => rtt(&args).await,
        "login" => login(&args).await,
        "peer" => same_peer(&args).await,
        "connect" => connect(&args).await,
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

/// The REST simulator's data for the same accounts (ids 1…, as `accounts` numbers them): the
/// base file (`config/atlas-sim.json`) with the accounts of `tenant`'s section replaced by the
/// bench accounts (no PIN or PIC, terms accepted, gender chosen), so that a game login's
/// `GET accounts/{id}` finds every one of them. Everything else (worlds, channels, the
/// configurations) is kept.
fn atlas_sim_data(
    count: usize,
    base: &std::path::Path,
    tenant: &str,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let mut data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(base)?)?;
    let section = data
        .get_mut("tenants")
        .and_then(|t| t.as_object_mut())
        .ok_or_else(|| anyhow!("{}: no tenants", base.display()))?
        .entry(tenant.to_owned())
        .or_insert_with(|| serde_json::json!({}));
    let accounts: Vec<serde_json::Value> = (0..count)
        .map(|i| {
            let name = account_name(i);
            serde_json::json!({
                "id": i + 1, "name": name, "password": name, "pin": "", "pic": "",
                "pinAttempts": 0, "picAttempts": 0, "loggedIn": 0, "lastLogin": 0, "gender": 0,
                "banned": false, "tos": true, "language": "en", "country": "us",
                "characterSlots": 3
            })
        })
        .collect();
    section
        .as_object_mut()
        .ok_or_else(|| anyhow!("tenant section {tenant} is not an object"))?
        .insert("accounts".into(), accounts.into());
    std::fs::write(out, serde_json::to_vec(&data)?)?;
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
    if let Some(path) = args.0.get("samples") {
        lat.append_to(std::path::Path::new(path))?;
    }
    latency_record(args.str("key")?, &mut lat, concurrency, secs)
        .set("seconds", secs)
        .append(&args.out()?)
}

/// Logins at a fixed concurrency (see `logins`): `--protocol json` (default) or `maple` with
/// `--version R/major/minor`; one record with every leg's percentiles and the rate.
async fn login(args: &Args) -> anyhow::Result<()> {
    let gateway = args.gateway()?;
    let (count, concurrency, first): (usize, usize, usize) = (
        args.num("count")?,
        args.num("concurrency")?,
        args.num("first")?,
    );
    let proto = args.proto()?;
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
    let cpu = harness::CpuWatch::start(args.0.get("cpu").map(String::as_str))?;
    let mut run = logins::run(gateway, &proto, count, concurrency, first, &sources).await?;
    if let Some(tap) = tap {
        breakdown(
            args.str("breakdown-key")?,
            tap.finish()?,
            &run.stamps,
            &args.out()?,
        )?;
    }
    if let Some(path) = args.0.get("samples") {
        run.legs.append_to(std::path::Path::new(path))?;
    }
    let record = Record::new(args.str("key")?)
        .set("count", run.count as f64)
        .set("concurrency", concurrency as f64)
        .set("per_s", run.count as f64 / run.seconds)
        .set("seconds", run.seconds)
        .set("lost", f64::from(run.lost));
    let record = cpu.finish(run.turns, record);
    run.legs.set_on(record).append(&args.out()?)
}

/// The same-peer round trip (see `peer`): CREATE → simulator → CREATED with no service.
async fn same_peer(args: &Args) -> anyhow::Result<()> {
    let (count, concurrency, first): (usize, usize, usize) = (
        args.num("count")?,
        args.num("concurrency")?,
        args.num("first")?,
    );
    let topics = peer::PeerTopics {
        command: args.str("command-topic")?.to_owned(),
        answers: args.str("answer-topic")?.to_owned(),
        others: args
            .str("other-topics")
            .map(|t| t.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
    };
    let cpu = harness::CpuWatch::start(args.0.get("cpu").map(String::as_str))?;
    // --shape service: also the ledger records and the session CREATED (see `peer`).
    let shape = match args.0.get("shape").map(String::as_str) {
        None | Some("peer") => None,
        Some("service") => Some(peer::ServiceShape {
            ledger: format!("bench-ledger-{}", uuid::Uuid::new_v4().simple()),
            status: args.str("status-topic")?.to_owned(),
        }),
        Some(other) => bail!("--shape {other}: peer or service"),
    };
    let (mut lat, secs) = peer::same_peer(
        args.str("bootstrap")?,
        &args.tenant()?,
        &topics,
        count,
        concurrency,
        first,
        shape.as_ref(),
    )
    .await?;
    if let Some(path) = args.0.get("samples") {
        lat.append_to(std::path::Path::new(path))?;
    }
    let record = latency_record(args.str("key")?, &mut lat, concurrency, secs);
    cpu.finish(stats::Turns::total_of(count, concurrency), record)
        .set("seconds", secs)
        .append(&args.out()?)
}

/// Connect → hello through the service (`--gateway`, `--protocol`), then with `--bootstrap` the
/// floor beside it (see `peer::connect_floor`) as `<key>_floor`.
async fn connect(args: &Args) -> anyhow::Result<()> {
    let (count, concurrency): (usize, usize) = (args.num("count")?, args.num("concurrency")?);
    let sources = Sources::probe(SOURCES);
    let key = args.str("key")?;
    let out = args.out()?;
    let (mut both, mut hellos, secs, lost) = logins::connects(
        args.gateway()?,
        &args.proto()?,
        count,
        concurrency,
        &sources,
    )
    .await?;
    let h = hellos.percentiles();
    latency_record(key, &mut both, concurrency, secs)
        .set("lost", f64::from(lost))
        .set("hello_p50_ms", h.p50_ms)
        .set("hello_p99_ms", h.p99_ms)
        .append(&out)?;
    if let Some(bootstrap) = args.0.get("bootstrap") {
        let (mut lat, secs) = peer::connect_floor(bootstrap, &sources, count, concurrency).await?;
        latency_record(&format!("{key}_floor"), &mut lat, concurrency, secs).append(&out)?;
    }
    Ok(())
}

async fn memory(args: &Args) -> anyhow::Result<()> {
    let steps: Vec<usize> = args
        .str("steps")?
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    let first = args.0.get("first").map_or(Ok(0), |v| v.parse())?;
    let key = args.0.get("key").map_or("memory", String::as_str);
    phases::memory(
        args.gateway()?,
        &args.proto()?,
        args.num("pid")?,
        steps,
        first,
        key,
        &args.out()?,
    )
    .await
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
/// CREATED handed to the simulator's producer (hop 1 and the simulator); CREATED to the answer
/// at the client (hop 2 and the service).
fn breakdown(
    key: &str,
    (seen, sessions): bk::Tapped,
    stamps: &[(String, f64, f64)],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for (name, sent, ok) in stamps {
        let Some(id) = sessions.get(name) else {
            continue;
        };
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

/// Percentiles over the samples of several `login` runs (chunks with a fresh broker each), every
/// leg's, and their combined rate, as one record `--key`.
fn merge(args: &Args) -> anyhow::Result<()> {
    let key = args.str("key")?;
    let out = args.out()?;
    let samples = std::path::PathBuf::from(args.str("samples")?);
    let parts: Vec<Record> = report::load(&out)?
        .into_values()
        .filter(|r| r.key.starts_with(&format!("{key}#")))
        .collect();
    let count: f64 = parts.iter().filter_map(|r| r.values.get("count")).sum();
    let secs: f64 = parts.iter().filter_map(|r| r.values.get("seconds")).sum();
    let concurrency = parts
        .iter()
        .find_map(|r| r.values.get("concurrency"))
        .copied()
        .unwrap_or(f64::NAN);
    let lost: f64 = parts.iter().filter_map(|r| r.values.get("lost")).sum();
    let mut record = Record::new(key)
        .set("lost", lost)
        .set("chunks", parts.len() as f64)
        .set("concurrency", concurrency)
        .set("seconds", secs)
        .set("per_s", count / secs);
    // CPU per login of each process: the mean over the chunks.
    let mut cpu: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for part in &parts {
        for (name, v) in &part.values {
            if name.starts_with("cpu_us_") {
                cpu.entry(name.clone()).or_default().push(*v);
            }
        }
    }
    for (name, v) in cpu {
        record = record.set(&name, v.iter().sum::<f64>() / v.len() as f64);
    }
    for leg in logins::LEGS {
        let path = logins::leg_path(&samples, leg);
        if !path.exists() {
            continue;
        }
        let p = Latencies::read_from(&path)?.percentiles();
        let name = |q: &str| {
            if leg.is_empty() {
                format!("{q}_ms")
            } else {
                format!("{leg}_{q}_ms")
            }
        };
        if leg.is_empty() {
            record = record.set("count", p.count as f64);
        }
        record = record
            .set(&name("p50"), p.p50_ms)
            .set(&name("p99"), p.p99_ms)
            .set(&name("p999"), p.p999_ms);
    }
    record.append(&out)
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
        .set("max_ms", p.max_ms)
        .set("per_s", p.count as f64 / secs)
}
