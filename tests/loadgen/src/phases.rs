//! The load generator's longer phases against a running service: memory per idle session, and
//! routing, filtering and shutdown drain on one service (each throughput beside a bare drain of
//! the same events).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use uuid::Uuid;

use crate::fanout;
use crate::gateway::{LineCounters, Sources, MARKER_BASE};
use crate::harness::{alive, hold, hold_any, settled_rss, signal, wait_until, Held, Perf, SOURCES};
use crate::kafka::{self as bk, Preload};
use crate::report::Record;
use login_orchestrator::tenant::Tenant;

/// What the throughput phase needs.
pub struct Throughput {
    pub gateway: SocketAddr,
    pub bootstrap: String,
    pub tenant: Tenant,
    pub pid: u32,
    pub sessions: usize,
    pub events: usize,
    pub topic: String,
    pub status_topic: String,
    /// The service's other consumed topics (idle during the throughput phase).
    pub idle_topics: Vec<String>,
    pub out: PathBuf,
}

/// RSS of the idle service, then after each step of connected, logged-in sessions of `proto`
/// (accounts from `first`), as record `key`.
pub async fn memory(
    gateway: SocketAddr,
    proto: &crate::logins::Proto,
    pid: u32,
    mut steps: Vec<usize>,
    first: usize,
    key: &str,
    out: &Path,
) -> anyhow::Result<()> {
    steps.sort_unstable();
    let sources = Sources::probe(SOURCES);
    let counters = Arc::new(LineCounters::default());
    let base = settled_rss(pid).await?;
    let mut record = Record::new(key).set("rss_idle_kib", base as f64);
    let mut held = Vec::new();
    for step in steps {
        let start = Instant::now();
        let more = hold_any(
            gateway,
            proto,
            first + held.len(),
            step - held.len(),
            &sources,
            &counters,
        )
        .await?;
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
    record.append(out)
}

/// Routing, filtering (each beside a bare drain of the same events) and the shutdown drain,
/// on one service holding `--sessions` logged-in sessions.
pub async fn throughput(p: &Throughput) -> anyhow::Result<()> {
    let (gateway, pid, sessions, events) = (p.gateway, p.pid, p.sessions, p.events);
    let (bootstrap, topic, status_topic) = (&*p.bootstrap, &*p.topic, &*p.status_topic);
    let (tenant, out) = (p.tenant.clone(), p.out.clone());
    let sources = Sources::probe(SOURCES);
    let counters = Arc::new(LineCounters::default());

    let start = Instant::now();
    let mut held = hold(gateway, 0, sessions, &sources, &counters).await?;
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
    let (loaded, ends1, perf, t0) = resume(preload, pid, bootstrap, topic, "routing")?;
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
    perf.stop();
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
    drain_baseline("routing_drain", bootstrap, topic, &ends0, &ends1, &[], &out).await?;

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
    let (loaded, ends1, perf, t0) = resume(preload, pid, bootstrap, topic, "filtering")?;
    let c = Arc::clone(&counters);
    wait_until("filtering", || Ok(c.get(&c.markers) >= marker_count)).await?;
    let secs = t0.elapsed().as_secs_f64();
    perf.stop();
    let foreign = loaded - marker_count;
    Record::new("filtering")
        .set("events", foreign as f64)
        .set("seconds", secs)
        .set("per_s", loaded as f64 / secs)
        .append(&out)?;
    drain_baseline(
        "filtering_drain",
        bootstrap,
        topic,
        &ends0,
        &ends1,
        &[],
        &out,
    )
    .await?;
    // The same drain with the service's two other consumed topics assigned (idle), as the
    // service consumes: what the extra partitions cost the test broker's fetches.
    let idle = p.idle_topics.clone();
    drain_baseline(
        "filtering_drain_3topics",
        bootstrap,
        topic,
        &ends0,
        &ends1,
        &idle,
        &out,
    )
    .await?;

    // The shutdown drain is of `sessions` live sessions: replace those the service closed.
    let closed = counters.closed_slots.lock().expect("lock").len();
    if closed > 0 {
        eprintln!("loadgen: logging in {closed} sessions again for the shutdown drain");
        let more = hold(gateway, held.len(), closed, &sources, &counters).await?;
        held.extend(more);
    }
    shutdown(bootstrap, status_topic, pid, &held, &counters, &out).await?;

    // The routing figure's client-write floor, once the service's connections are gone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let conns = fanout::affordable(sessions);
    fanout::fanout("routing_fanout", &sources, conns, events, &out).await
}

async fn drain_baseline(
    key: &str,
    bootstrap: &str,
    topic: &str,
    ends0: &[(i32, i64)],
    ends1: &[(i32, i64)],
    idle: &[String],
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let ranges = bk::ranges(ends0, ends1);
    let (bootstrap, topic, idle) = (bootstrap.to_owned(), topic.to_owned(), idle.to_vec());
    let (n, took) =
        tokio::task::spawn_blocking(move || bk::drain(&bootstrap, &topic, &ranges, &idle))
            .await??;
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
    let perf = Perf::start("shutdown");
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
    perf.stop();
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

/// What was loaded, the end offsets after the preload, and the measured window's profile and
/// start.
type Resumed = (u64, Vec<(i32, i64)>, Perf, Instant);

/// After a preload with the service stopped (SIGSTOP): the end offsets, then the service resumed
/// (also when the preload failed) and the measured window started. Returns what was loaded.
fn resume(
    preload: anyhow::Result<(u64, Duration)>,
    pid: u32,
    bootstrap: &str,
    topic: &str,
    phase: &str,
) -> anyhow::Result<Resumed> {
    let (loaded, load_time) = match preload {
        Ok(x) => x,
        Err(e) => {
            signal(pid, "CONT")?;
            return Err(e);
        }
    };
    let ends = bk::end_offsets(bootstrap, topic)?;
    eprintln!(
        "loadgen: preloaded {loaded} events in {:.1} s (service stopped)",
        load_time.as_secs_f64()
    );
    let perf = Perf::start(phase);
    signal(pid, "CONT")?;
    Ok((loaded, ends, perf, Instant::now()))
}
