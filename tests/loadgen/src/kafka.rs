//! Kafka side of the load generator. Every client here is built from `kafka::client`'s
//! `PRODUCER_DEFAULTS` / `CONSUMER_DEFAULTS`, so the baselines run with the service's settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, FutureProducer, FutureRecord, Producer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde::Serialize;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::stats::Latencies;
use login_orchestrator::kafka::client::{client_config, CONSUMER_DEFAULTS, PRODUCER_DEFAULTS};
use login_orchestrator::kafka::{headers, keys};
use login_orchestrator::message::account_session::TransitionParams;
use login_orchestrator::tenant::Tenant;

const TIMEOUT: Duration = Duration::from_secs(10);

/// A producer with the service's defaults.
pub fn producer_config(bootstrap: &str) -> ClientConfig {
    client_config(bootstrap, PRODUCER_DEFAULTS, &[])
}

/// A consumer with the service's defaults, in a group of its own (it only ever `assign`s).
pub fn consumer_config(bootstrap: &str) -> ClientConfig {
    let mut c = client_config(bootstrap, CONSUMER_DEFAULTS, &[]);
    c.set("group.id", format!("bench-{}", Uuid::new_v4()));
    c
}

/// Creates the topics (4 partitions, as the broker auto-creates them); existing ones are fine.
pub async fn create_topics(bootstrap: &str, names: &[&str], partitions: i32) -> anyhow::Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(bootstrap, &[], &[]).create()?;
    let topics: Vec<NewTopic> = names
        .iter()
        .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1)))
        .collect();
    let results = admin
        .create_topics(
            &topics,
            &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
        )
        .await?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => return Err(anyhow!("creating topic {name}: {code}")),
        }
    }
    Ok(())
}

/// One partition's range of offsets `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub partition: i32,
    pub start: i64,
    pub end: i64,
}

/// The current end offset of every partition of `topic`.
pub fn end_offsets(bootstrap: &str, topic: &str) -> anyhow::Result<Vec<(i32, i64)>> {
    let consumer: BaseConsumer = consumer_config(bootstrap).create()?;
    let metadata = consumer.fetch_metadata(Some(topic), TIMEOUT)?;
    let t = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .ok_or_else(|| anyhow!("no metadata for {topic}"))?;
    let mut ends = Vec::new();
    for p in t.partitions() {
        let (_, high) = consumer.fetch_watermarks(topic, p.id(), TIMEOUT)?;
        ends.push((p.id(), high));
    }
    if ends.is_empty() {
        return Err(anyhow!("topic {topic} has no partitions"));
    }
    ends.sort();
    Ok(ends)
}

/// The ranges written between two `end_offsets` snapshots.
pub fn ranges(before: &[(i32, i64)], after: &[(i32, i64)]) -> Vec<Range> {
    after
        .iter()
        .map(|&(partition, end)| {
            let start = before
                .iter()
                .find(|(p, _)| *p == partition)
                .map_or(0, |(_, s)| *s);
            Range {
                partition,
                start,
                end,
            }
        })
        .collect()
}

/// The headers the peer puts on its events: the tenant's four, and a `traceparent`.
pub fn event_headers(tenant: &Tenant, n: u64) -> OwnedHeaders {
    let traceparent = format!("00-{:032x}-{:016x}-01", u128::from(n) + 1, n + 1);
    headers::outgoing(tenant, &tracing::Span::none()).insert(Header {
        key: "traceparent",
        value: Some(traceparent.as_bytes()),
    })
}

/// `{"sessionId","accountId","accountName","type":"STATE_CHANGED","body":{"state":2,"params":…}}`
/// as atlas-account writes it.
pub fn state_changed(session_id: Uuid, account_id: u32, name: &str, character_id: u32) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Event<'a> {
        session_id: Uuid,
        account_id: u32,
        account_name: &'a str,
        #[serde(rename = "type")]
        kind: &'a str,
        body: Body,
    }
    #[derive(Serialize)]
    struct Body {
        state: u8,
        params: TransitionParams,
    }
    serde_json::to_vec(&Event {
        session_id,
        account_id,
        account_name: name,
        kind: "STATE_CHANGED",
        body: Body {
            state: 2,
            params: TransitionParams {
                character_id,
                ip_address: "127.0.0.1".into(),
                port: 7575,
            },
        },
    })
    .expect("serialises")
}

/// One event to preload.
pub struct Preload {
    pub session_id: Uuid,
    pub account_id: u32,
    pub account_name: String,
    pub character_id: u32,
    /// An explicit partition (markers); otherwise by key, like the peer.
    pub partition: Option<i32>,
}

/// Produces the events to `topic` with the service's producer defaults and waits for delivery.
pub fn preload(
    bootstrap: &str,
    topic: &str,
    tenant: &Tenant,
    events: impl Iterator<Item = Preload>,
) -> anyhow::Result<(u64, Duration)> {
    // The preload is set-up, not a measured figure: larger batches keep the time the service
    // is stopped short. Idempotence and acks=all stay as the service's defaults have them.
    let mut config = producer_config(bootstrap);
    config.set("queue.buffering.max.messages", "1000000");
    config.set("linger.ms", "20");
    config.set("batch.num.messages", "10000");
    let producer: BaseProducer = config.create()?;
    let start = Instant::now();
    let mut n = 0u64;
    for e in events {
        let payload = state_changed(e.session_id, e.account_id, &e.account_name, e.character_id);
        let key = keys::account_key(e.account_id);
        let mut record = BaseRecord::to(topic)
            .key(&key[..])
            .payload(&payload)
            .headers(event_headers(tenant, n));
        if let Some(p) = e.partition {
            record = record.partition(p);
        }
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    record = r;
                    producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(e).context("preload send"),
            }
        }
        n += 1;
        if n.is_multiple_of(10_000) {
            producer.poll(Duration::ZERO);
        }
    }
    producer.flush(Duration::from_secs(120))?;
    Ok((n, start.elapsed()))
}

/// Bare drain: an rdkafka consumer with the service's defaults reads `ranges` of `topic`
/// without decoding; returns the message count and the time from `assign` to the last message.
pub fn drain(
    bootstrap: &str,
    topic: &str,
    ranges: &[Range],
    idle: &[String],
) -> anyhow::Result<(u64, Duration)> {
    let consumer: BaseConsumer = consumer_config(bootstrap).create()?;
    let mut tpl = TopicPartitionList::new();
    let mut expected = 0u64;
    for r in ranges {
        tpl.add_partition_offset(topic, r.partition, Offset::Offset(r.start))?;
        expected += (r.end - r.start).max(0) as u64;
    }
    // Topics consumed beside it that get nothing meanwhile (as the service's other two).
    for other in idle {
        for (p, end) in end_offsets(bootstrap, other)? {
            tpl.add_partition_offset(other, p, Offset::Offset(end))?;
        }
    }
    let start = Instant::now();
    consumer.assign(&tpl)?;
    let mut n = 0u64;
    let mut bytes = 0usize;
    while n < expected {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                bytes += m.payload_len();
                n += 1;
            }
            Some(Err(e)) => return Err(e).context("drain"),
            None if start.elapsed() > Duration::from_secs(300) => {
                return Err(anyhow!("drain stalled at {n} of {expected}"))
            }
            None => {}
        }
    }
    let elapsed = start.elapsed();
    std::hint::black_box(bytes);
    Ok((n, elapsed))
}

/// How the baseline's echo answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Each message is produced onward at once, without waiting for earlier deliveries.
    Concurrent,
    /// Like the account simulator: one message at a time, each answer's deliveries awaited (two
    /// sends, as for a CREATE: first to a side topic the client also reads, as LOGGED_IN goes to
    /// the account status topic, then the answer).
    Serial,
}

/// The two-hop round trip with no service: message → topic A → echo → topic B → back, with the
/// service's producer and consumer settings. `count` measured round trips after a warm-up, at
/// `concurrency` in flight.
async fn round_trip(
    producer: &FutureProducer,
    pending: &Mutex<HashMap<u64, oneshot::Sender<Instant>>>,
    tenant: &Tenant,
    topic: &str,
    id: u64,
) -> anyhow::Result<Duration> {
    let mut payload = vec![b' '; 200];
    payload[..8].copy_from_slice(&id.to_le_bytes());
    let (tx, rx) = oneshot::channel();
    pending.lock().expect("lock").insert(id, tx);
    let key = keys::account_key(id as u32);
    let start = Instant::now();
    let record = FutureRecord::to(topic)
        .key(&key[..])
        .payload(&payload)
        .headers(event_headers(tenant, id));
    let delivery = producer.send_result(record).map_err(|(e, _)| e)?;
    tokio::task::spawn_local(delivery);
    let at = tokio::time::timeout(Duration::from_secs(30), rx)
        .await
        .map_err(|_| anyhow!("warm-up round trip timed out"))??;
    Ok(at - start)
}

pub async fn two_hop(
    bootstrap: &str,
    tenant: &Tenant,
    count: usize,
    concurrency: usize,
    echo: Echo,
) -> anyhow::Result<(Latencies, f64)> {
    let run = Uuid::new_v4().simple().to_string();
    let (a, b, side) = (
        format!("bench-a-{run}"),
        format!("bench-b-{run}"),
        format!("bench-s-{run}"),
    );
    create_topics(bootstrap, &[&a, &b, &side], 4).await?;

    let echo_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let echo_thread = {
        let (bootstrap, a, b, side, stop) = (
            bootstrap.to_owned(),
            a.clone(),
            b.clone(),
            side.clone(),
            Arc::clone(&echo_stop),
        );
        std::thread::spawn(move || echo_loop(&bootstrap, &a, &b, &side, echo, stop))
    };

    let consumer: StreamConsumer = consumer_config(bootstrap).create()?;
    let mut tpl = TopicPartitionList::new();
    // The client also reads the side topic, as the service reads the account status topic the
    // simulator's LOGGED_IN goes to: a fetch answered with it delays the next one.
    // In the simulator-shaped diagnostic the client's consumer also has the shape of the
    // service's: three topics of 4 partitions (the third, like the seed topic, stays idle).
    let idle = format!("bench-i-{run}");
    if echo == Echo::Serial {
        create_topics(bootstrap, &[&idle], 4).await?;
    }
    for p in 0..4 {
        tpl.add_partition_offset(&b, p, Offset::Beginning)?;
        if echo == Echo::Serial {
            tpl.add_partition_offset(&side, p, Offset::Beginning)?;
            tpl.add_partition_offset(&idle, p, Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;
    let producer: FutureProducer = producer_config(bootstrap).create()?;
    let pending: Arc<Mutex<HashMap<u64, oneshot::Sender<Instant>>>> = Default::default();
    let receiver = {
        let pending = Arc::clone(&pending);
        let b = b.clone();
        tokio::task::spawn_local(async move {
            loop {
                let Ok(m) = consumer.recv().await else {
                    continue;
                };
                if m.topic() != b {
                    continue;
                }
                let at = Instant::now();
                let Some(id) = m.payload().and_then(|p| p.get(..8)) else {
                    continue;
                };
                let id = u64::from_le_bytes(id.try_into().expect("8 bytes"));
                if let Some(tx) = pending.lock().expect("lock").remove(&id) {
                    let _ = tx.send(at);
                }
            }
        })
    };

    // Warm-up: connections, metadata and the first fetches, one round trip at a time; then the
    // first `concurrency` of the measured run are left out too (the ramp to full concurrency).
    let warmup = concurrency.max(1);
    let total = count + warmup;
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    round_trip(&producer, &pending, tenant, &a, u64::MAX - 1).await?;
    for i in 0..20u64 {
        round_trip(&producer, &pending, tenant, &a, u64::MAX - 100 - i).await?;
    }
    let measured_from: Arc<Mutex<Option<Instant>>> = Default::default();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let (producer, pending, next, tenant, a) = (
            producer.clone(),
            Arc::clone(&pending),
            Arc::clone(&next),
            tenant.clone(),
            a.clone(),
        );
        let measured_from = Arc::clone(&measured_from);
        workers.push(tokio::task::spawn_local(async move {
            let mut lat = Latencies::with_capacity(total / concurrency.max(1) + 1);
            let mut payload = vec![b' '; 200]; // about the size of a CREATE
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(lat);
                }
                if i == warmup {
                    *measured_from.lock().expect("lock") = Some(Instant::now());
                }
                let id = i as u64;
                payload[..8].copy_from_slice(&id.to_le_bytes());
                let (tx, rx) = oneshot::channel();
                pending.lock().expect("lock").insert(id, tx);
                let key = keys::account_key(i as u32);
                let start = Instant::now();
                let record = FutureRecord::to(&a)
                    .key(&key[..])
                    .payload(&payload)
                    .headers(event_headers(&tenant, id));
                // Like the service's CREATE: the answer is awaited, the delivery report is not
                // on the answer's path.
                let delivery = producer.send_result(record).map_err(|(e, _)| e)?;
                tokio::task::spawn_local(delivery);
                let at = tokio::time::timeout(Duration::from_secs(30), rx)
                    .await
                    .map_err(|_| anyhow!("round trip {i} timed out"))??;
                if i >= warmup {
                    lat.push(at - start);
                }
            }
        }));
    }
    let mut all = Latencies::with_capacity(count);
    for w in workers {
        all.extend(w.await??);
    }
    receiver.abort();
    let secs = measured_from
        .lock()
        .expect("lock")
        .map_or(f64::NAN, |t| t.elapsed().as_secs_f64());
    echo_stop.store(true, std::sync::atomic::Ordering::Relaxed);
    echo_thread.join().map_err(|_| anyhow!("echo panicked"))??;
    Ok((all, secs))
}

fn echo_loop(
    bootstrap: &str,
    a: &str,
    b: &str,
    side: &str,
    echo: Echo,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let consumer: StreamConsumer = consumer_config(bootstrap).create()?;
        let mut tpl = TopicPartitionList::new();
        for p in 0..4 {
            tpl.add_partition_offset(a, p, Offset::Beginning)?;
        }
        consumer.assign(&tpl)?;
        let producer: FutureProducer = producer_config(bootstrap).create()?;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let m = match tokio::time::timeout(Duration::from_millis(200), consumer.recv()).await {
                Ok(Ok(m)) => m,
                _ => continue,
            };
            let key = m.key().unwrap_or_default().to_vec();
            let payload = m.payload().unwrap_or_default().to_vec();
            let headers = m.headers().map(|h| h.detach());
            let record = |topic| {
                let r = FutureRecord::to(topic).key(&key[..]).payload(&payload[..]);
                match &headers {
                    Some(h) => r.headers(h.clone()),
                    None => r,
                }
            };
            match echo {
                Echo::Concurrent => {
                    if let Ok(delivery) = producer.send_result(record(b)) {
                        tokio::task::spawn(delivery);
                    }
                }
                Echo::Serial => {
                    let _ = producer.send(record(side), TIMEOUT).await;
                    let _ = producer.send(record(b), TIMEOUT).await;
                }
            }
        }
        Ok(())
    })
}

/// A consumer beside the measured run that notes the broker timestamp (CreateTime, set when the
/// producer was handed the message) of every message of some topics, by `sessionId` and `type`:
/// where a login's time goes between the service, the broker and the simulator. The session id
/// of each CREATE's account name is noted too (a game client is never told its session id).
pub struct Tap {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<anyhow::Result<Tapped>>,
}

/// What a [`Tap`] saw: timestamps by (session, type), and sessions by CREATE account name.
pub type Tapped = (HashMap<(Uuid, String), i64>, HashMap<String, Uuid>);

impl Tap {
    /// Starts reading `topics` from their current ends.
    pub fn start(bootstrap: &str, topics: &[&str]) -> anyhow::Result<Tap> {
        let consumer: BaseConsumer = consumer_config(bootstrap).create()?;
        let mut tpl = TopicPartitionList::new();
        for topic in topics {
            for (p, end) in end_offsets(bootstrap, topic)? {
                tpl.add_partition_offset(topic, p, Offset::Offset(end))?;
            }
        }
        consumer.assign(&tpl)?;
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Ids {
                session_id: Uuid,
                #[serde(rename = "type")]
                kind: String,
                #[serde(default)]
                body: Option<Name>,
            }
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Name {
                #[serde(default)]
                account_name: Option<String>,
            }
            let mut seen = HashMap::new();
            let mut names = HashMap::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                    let ids = m
                        .payload()
                        .and_then(|p| serde_json::from_slice::<Ids>(p).ok());
                    if let (Some(ids), Some(ts)) = (ids, m.timestamp().to_millis()) {
                        if ids.kind == "CREATE" {
                            if let Some(name) = ids.body.and_then(|b| b.account_name) {
                                names.insert(name.to_ascii_lowercase(), ids.session_id);
                            }
                        }
                        seen.entry((ids.session_id, ids.kind)).or_insert(ts);
                    }
                }
            }
            Ok((seen, names))
        });
        Ok(Tap { stop, thread })
    }

    /// Stops and returns the timestamps (ms since the epoch).
    pub fn finish(self) -> anyhow::Result<Tapped> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().map_err(|_| anyhow!("tap panicked"))?
    }
}

/// Milliseconds since the epoch, as the broker timestamps are.
pub fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
