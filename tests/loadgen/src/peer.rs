//! Baselines through the same peer and broker with no service: the login's Kafka round trip
//! (CREATE → account simulator → CREATED, as the service sends and reads it), and the cost of a
//! durable connect (a TCP connect and one awaited produce of a ledger-sized record).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::gateway::{account_name, connect_from, Sources};
use crate::kafka::{self as bk, consumer_config, event_headers, producer_config};
use crate::stats::{Latencies, Turns};
use login_orchestrator::kafka::keys;
use login_orchestrator::message::account_session::{Command, CreateBody};
use login_orchestrator::message::session::StatusEvent;
use login_orchestrator::tenant::Tenant;

/// The topics of the same-peer round trip, as the service has them.
pub struct PeerTopics {
    /// COMMAND_TOPIC_ACCOUNT_SESSION: where CREATE goes.
    pub command: String,
    /// EVENT_TOPIC_ACCOUNT_SESSION_STATUS: where CREATED comes back.
    pub answers: String,
    /// The service's other consumed topics (account status, where the peer's LOGGED_IN goes,
    /// and seed status): assigned too, so the client's consumer has the service's shape.
    pub others: Vec<String>,
}

/// The messages a service of this contract must send beside the CREATE, with no service logic:
/// for a bare client shaped like the service.
pub struct ServiceShape {
    /// A one-partition topic standing for the session ledger: the session's start (awaited
    /// before the login) and its binding to the account (awaited before the answer).
    pub ledger: String,
    /// EVENT_TOPIC_SESSION_STATUS: the session CREATED produced once bound.
    pub status: String,
}

type Answer = Result<(Instant, u32), String>;
type Pending = Arc<Mutex<HashMap<Uuid, oneshot::Sender<Answer>>>>;

/// A ledger-sized record (the service's `Entry`) keyed by the session id.
fn ledger_record(session: Uuid, account_id: u32) -> (String, String) {
    let payload = format!(
        r#"{{"tenantId":"cee1d8b3-eb44-4808-8795-dfc6ef909ff1","region":"GMS","majorVersion":83,"minorVersion":1,"accountId":{account_id}}}"#
    );
    (session.hyphenated().to_string(), payload)
}

async fn awaited(
    producer: &FutureProducer,
    topic: &str,
    key: &[u8],
    payload: &[u8],
    headers: Option<rdkafka::message::OwnedHeaders>,
) -> anyhow::Result<()> {
    let mut record = FutureRecord::to(topic).key(key).payload(payload);
    if let Some(h) = headers {
        record = record.headers(h);
    }
    producer
        .send(record, Timeout::After(Duration::from_secs(5)))
        .await
        .map(|_| ())
        .map_err(|(e, _)| anyhow!("produce to {topic}: {e}"))
}

/// `count` measured round trips CREATE → simulator → CREATED of accounts `first…` after a
/// warm-up of max(concurrency, 50), `concurrency` in flight: the login without the service.
/// Returns the latencies and the rate's seconds (from the end of the warm-up).
/// With `shape`, each login also sends what the service must (see [`ServiceShape`]): the
/// ledger record before the CREATE, and once CREATED is read the binding record (awaited), then
/// the session CREATED; the time is then from the first record to the binding's acknowledgement.
pub async fn same_peer(
    bootstrap: &str,
    tenant: &Tenant,
    topics: &PeerTopics,
    count: usize,
    concurrency: usize,
    first: usize,
    shape: Option<&ServiceShape>,
) -> anyhow::Result<(Latencies, f64)> {
    if let Some(shape) = shape {
        bk::create_topics(bootstrap, &[&shape.ledger], 1).await?;
    }
    let shape: Option<Arc<(String, String)>> =
        shape.map(|s| Arc::new((s.ledger.clone(), s.status.clone())));
    let consumer: StreamConsumer = consumer_config(bootstrap).create()?;
    let mut tpl = TopicPartitionList::new();
    for topic in std::iter::once(&topics.answers).chain(&topics.others) {
        for (p, end) in bk::end_offsets(bootstrap, topic)? {
            tpl.add_partition_offset(topic, p, Offset::Offset(end))?;
        }
    }
    consumer.assign(&tpl)?;
    let pending: Pending = Default::default();
    let receiver = {
        let (pending, answers) = (Arc::clone(&pending), topics.answers.clone());
        tokio::task::spawn_local(async move {
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Answer {
                session_id: Uuid,
                #[serde(default)]
                account_id: u32,
                #[serde(rename = "type")]
                kind: String,
            }
            loop {
                let Ok(m) = consumer.recv().await else {
                    continue;
                };
                if m.topic() != answers {
                    continue;
                }
                let at = Instant::now();
                let Some(a) = m
                    .payload()
                    .and_then(|p| serde_json::from_slice::<Answer>(p).ok())
                else {
                    continue;
                };
                if let Some(tx) = pending.lock().expect("lock").remove(&a.session_id) {
                    let _ = tx.send(match a.kind.as_str() {
                        "CREATED" => Ok((at, a.account_id)),
                        other => Err(other.to_owned()),
                    });
                }
            }
        })
    };
    let producer: FutureProducer = producer_config(bootstrap).create()?;
    let concurrency = concurrency.max(1);
    let turns = Turns::new(count, concurrency);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (producer, pending, turns, tenant) = (
            producer.clone(),
            Arc::clone(&pending),
            turns.clone(),
            tenant.clone(),
        );
        let command = topics.command.clone();
        let shape = shape.clone();
        workers.push(tokio::task::spawn_local(async move {
            let mut lat = Latencies::with_capacity(turns.total() / concurrency + 1);
            loop {
                let Some((i, measured)) = turns.take() else {
                    return Ok::<_, anyhow::Error>(lat);
                };
                let name = account_name(first + i);
                let session = Uuid::new_v4();
                let body = CreateBody {
                    account_name: name.clone(),
                    password: name.clone(),
                    ip_address: "127.0.0.2".into(),
                    hwid: String::new(),
                };
                // As the service sends it: account 0 while unbound, the tenant's headers and a
                // traceparent; the delivery report is not on the answer's path.
                let payload = Command::create(session, 0, body).to_json();
                let key = keys::account_key(0);
                let (tx, rx) = oneshot::channel();
                pending.lock().expect("lock").insert(session, tx);
                let start = Instant::now();
                if let Some(shape) = &shape {
                    let (key, payload) = ledger_record(session, 0);
                    awaited(
                        &producer,
                        &shape.0,
                        key.as_bytes(),
                        payload.as_bytes(),
                        None,
                    )
                    .await?;
                }
                let record = FutureRecord::to(&command)
                    .key(&key[..])
                    .payload(&payload)
                    .headers(event_headers(&tenant, i as u64));
                let delivery = producer.send_result(record).map_err(|(e, _)| e)?;
                tokio::task::spawn_local(delivery);
                let at = tokio::time::timeout(Duration::from_secs(30), rx)
                    .await
                    .map_err(|_| anyhow!("CREATE of {name} not answered within 30 s"))??;
                let (mut at, account_id) = match at {
                    Ok(answer) => answer,
                    Err(kind) => bail!("CREATE of {name} answered {kind}"),
                };
                if let Some(shape) = &shape {
                    // As the service does since its crash-window fixes: the binding's record
                    // is confirmed first, then the client is told and session CREATED is
                    // produced (its delivery not awaited).
                    let (key, payload) = ledger_record(session, account_id);
                    awaited(
                        &producer,
                        &shape.0,
                        key.as_bytes(),
                        payload.as_bytes(),
                        None,
                    )
                    .await?;
                    at = Instant::now();
                    let status = StatusEvent::created(session, account_id).to_json();
                    let key = keys::account_key(account_id);
                    let record = FutureRecord::to(&shape.1)
                        .key(&key[..])
                        .payload(&status)
                        .headers(event_headers(&tenant, i as u64));
                    let delivery = producer.send_result(record).map_err(|(e, _)| e)?;
                    tokio::task::spawn_local(delivery);
                }
                if measured {
                    lat.push(at - start);
                }
            }
        }));
    }
    let mut all = Latencies::with_capacity(count);
    for w in workers {
        all.extend(w.await??);
    }
    let secs = turns
        .measured_from()
        .map_or(f64::NAN, |t| t.elapsed().as_secs_f64());
    receiver.abort();
    Ok((all, secs))
}

/// The floor of a durable connect: a TCP connect to a listener of this process, then one
/// produce of a ledger-sized record (keyed by a session id, to a one-partition topic like the
/// service's ledger) awaited until the broker acknowledged it; `count` after a warm-up of
/// max(concurrency, 50), `concurrency` at a time. Returns the latencies and the rate's seconds.
pub async fn connect_floor(
    bootstrap: &str,
    sources: &Sources,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<(Latencies, f64)> {
    let topic = format!("bench-ledger-{}", Uuid::new_v4().simple());
    bk::create_topics(bootstrap, &[&topic], 1).await?;
    let listener = listener(1024)?;
    let addr: SocketAddr = listener.local_addr()?;
    let held = tokio::task::spawn_local(async move {
        let mut streams = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            streams.push(s);
        }
    });
    let producer: FutureProducer = producer_config(bootstrap).create()?;
    // The first produce opens the connection and fetches metadata: not measured.
    let ledger_entry = |id: Uuid| {
        let payload = format!(
            r#"{{"tenantId":"{}","region":"GMS","majorVersion":83,"minorVersion":1,"accountId":0}}"#,
            Uuid::new_v4()
        );
        (id.hyphenated().to_string(), payload)
    };
    let (key, payload) = ledger_entry(Uuid::new_v4());
    producer
        .send(
            FutureRecord::to(&topic).key(&key).payload(&payload),
            Timeout::After(Duration::from_secs(10)),
        )
        .await
        .map_err(|(e, _)| e)?;
    let concurrency = concurrency.max(1);
    let turns = Turns::new(count, concurrency);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (producer, turns, sources, topic) = (
            producer.clone(),
            turns.clone(),
            sources.clone(),
            topic.clone(),
        );
        workers.push(tokio::task::spawn_local(async move {
            let mut lat = Latencies::with_capacity(turns.total() / concurrency + 1);
            let mut open = Vec::new();
            loop {
                let Some((i, measured)) = turns.take() else {
                    return Ok::<_, anyhow::Error>(lat);
                };
                let start = Instant::now();
                let stream = connect_from(addr, sources.get(i)).await?;
                let (key, payload) = ledger_entry(Uuid::new_v4());
                producer
                    .send(
                        FutureRecord::to(&topic).key(&key).payload(&payload),
                        Timeout::After(Duration::from_secs(5)),
                    )
                    .await
                    .map_err(|(e, _)| e)?;
                if measured {
                    lat.push(start.elapsed());
                }
                open.push(stream);
            }
        }));
    }
    let mut all = Latencies::with_capacity(count);
    for w in workers {
        all.extend(w.await??);
    }
    let secs = turns
        .measured_from()
        .map_or(f64::NAN, |t| t.elapsed().as_secs_f64());
    held.abort();
    Ok((all, secs))
}

/// A loopback listener on a free port with room for `backlog` connections not yet accepted (a
/// plain `bind` gets 128, which a burst of connects from a busy process overflows: the kernel
/// then drops SYNs and the client retries a second later).
pub fn listener(backlog: u32) -> std::io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind("127.0.0.1:0".parse().expect("address"))?;
    socket.listen(backlog)
}
