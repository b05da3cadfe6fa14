//! Crash recovery at start-up: reads this instance's session ledger to its end and ends, exactly
//! once, every session a previous run left live, with the account the ledger recorded for it —
//! before the gateway opens. A session whose end had begun (its `ending` record) may already
//! have its DESTROYED on the session status topic: recovery looks for it there, from the floor
//! the record carries, and only tombstones such a session. Every step is retried until it
//! succeeds, also while the broker cannot be reached at start-up: the service does not open its
//! gateway with a previous run's sessions unended, and does not exit for a broker that is away
//! for a while (its admin listener says why it is not ready).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use actix::Recipient;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tracing::{debug, info, info_span, warn};
use uuid::Uuid;

use crate::kafka::ledger::{live_sessions, Entry, Ledger};
use crate::kafka::outbox::{end_session, Ending, Outbox};
use crate::kafka::producer::{publish, Publish};

/// How long reading a topic to its end may take before the read is an error (and is retried).
const READ_DEADLINE: Duration = Duration::from_secs(30);

/// The wait between two attempts of a recovery step that failed.
const RETRY_BACKOFF: Duration = Duration::from_secs(1);

/// How long a read goes on past the end the broker reported once records stop coming, and at
/// most (see [`read_topic`]).
const PAST_THE_END: Duration = Duration::from_secs(1);
const PAST_THE_END_AT_MOST: Duration = Duration::from_secs(3);

/// What recovery needs of the running service.
pub struct Recovery<'a> {
    pub client: &'a ClientConfig,
    pub ledger: &'a Ledger,
    pub outbox: &'a Outbox,
    pub producer: &'a Recipient<Publish>,
    /// EVENT_TOPIC_SESSION_STATUS, where an ended session's DESTROYED is.
    pub status_topic: &'a str,
}

impl Recovery<'_> {
    /// Creates the ledger topic if needed, then ends what the ledger shows live; returns the
    /// sessions it found live, with the account each was ended with.
    pub async fn run(&self) -> Result<HashMap<Uuid, u32>, KafkaError> {
        let created = retrying("create the session ledger", || {
            ensure_topic(self.client, self.ledger.topic())
        })
        .await;
        let live = if created {
            HashMap::new() // a ledger made just now holds nothing
        } else {
            retrying("read the session ledger", || self.read_ledger()).await
        };
        let accounts = live.iter().map(|(id, e)| (*id, e.account_id)).collect();
        if live.is_empty() {
            return Ok(accounts);
        }
        warn!(
            sessions = live.len(),
            "Ending the sessions a previous run left live."
        );
        let destroyed = retrying("look for DESTROYED already sent", || self.destroyed(&live)).await;
        let mut ended = 0;
        for (id, entry) in live {
            if destroyed.contains(&id) {
                debug!(session_id = %id, "Already destroyed; forgetting it.");
                retrying("tombstone", || self.tombstone(id)).await;
            } else {
                retrying("end a session", || self.end(id, &entry)).await;
                ended += 1;
            }
        }
        info!(
            ended,
            already_destroyed = destroyed.len(),
            "Sessions of a previous run ended."
        );
        Ok(accounts)
    }

    async fn read_ledger(&self) -> Result<HashMap<Uuid, Entry>, KafkaError> {
        let topic = self.ledger.topic().to_owned();
        let records = read_topic(
            self.client.clone(),
            topic,
            HashMap::new(),
            Vec::new(),
            |records, key, value| records.push((key.to_vec(), value.map(<[u8]>::to_vec))),
        )
        .await?;
        Ok(live_sessions(
            records.iter().map(|(k, v)| (k.as_slice(), v.as_deref())),
        ))
    }

    /// The sessions among `live` whose end had begun and whose DESTROYED is on its topic.
    async fn destroyed(&self, live: &HashMap<Uuid, Entry>) -> Result<HashSet<Uuid>, KafkaError> {
        let (ending, floor) = ending_sessions(live);
        if ending.is_empty() {
            return Ok(HashSet::new());
        }
        let topic = self.status_topic.to_owned();
        let (_, found) = read_topic(
            self.client.clone(),
            topic,
            floor,
            (ending, HashSet::new()),
            |(ending, found), _, value| {
                if let Some(id) = value.and_then(destroyed_session) {
                    if ending.contains(&id) {
                        found.insert(id);
                    }
                }
            },
        )
        .await?;
        Ok(found)
    }

    async fn end(&self, id: Uuid, entry: &Entry) -> Result<(), KafkaError> {
        let tenant = entry.tenant();
        let end = {
            let span = info_span!("recover", session_id = %id, account_id = entry.account_id);
            let _entered = span.enter();
            let ending = Ending {
                tenant: &tenant,
                session: id,
                account_id: entry.account_id,
            };
            end_session(self.outbox, self.ledger, self.producer.clone(), ending)
        };
        end.await.map_err(|_| KafkaError::Canceled)
    }

    async fn tombstone(&self, id: Uuid) -> Result<(), KafkaError> {
        publish(self.producer, self.ledger.ended(id))
            .await
            .map_err(|_| KafkaError::Canceled)
    }
}

/// The sessions whose end had begun, and per status partition the lowest floor among theirs
/// (where their DESTROYED events may start).
fn ending_sessions(live: &HashMap<Uuid, Entry>) -> (HashSet<Uuid>, HashMap<i32, i64>) {
    let mut floor: HashMap<i32, i64> = HashMap::new();
    let mut ending = HashSet::new();
    for (id, entry) in live {
        let Some(entry_floor) = &entry.ending else {
            continue;
        };
        ending.insert(*id);
        for (partition, offset) in entry_floor {
            let at = floor.entry(*partition).or_insert(*offset);
            *at = (*at).min(*offset);
        }
    }
    (ending, floor)
}

/// The session id of a session status DESTROYED event.
fn destroyed_session(payload: &[u8]) -> Option<Uuid> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Status<'a> {
        session_id: Uuid,
        #[serde(rename = "type", borrow)]
        kind: &'a str,
    }
    let status: Status = serde_json::from_slice(payload).ok()?;
    (status.kind == "DESTROYED").then_some(status.session_id)
}

/// Runs `step` until it succeeds, waiting between attempts.
async fn retrying<T, F, Fut>(what: &str, mut step: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, KafkaError>>,
{
    loop {
        match step().await {
            Ok(value) => return value,
            Err(error) => {
                warn!(%error, step = what, "Recovery step failed; retrying.");
                tokio::time::sleep(RETRY_BACKOFF).await;
            }
        }
    }
}

/// The configuration of recovery's own clients: `client`'s, reconnecting to a broker that
/// came back within a second (as the service's producer and consumer do) unless the operator
/// chose otherwise; librdkafka's own 10 s backoff could outlast a metadata request's deadline
/// and fail a step that would succeed.
fn helper(client: &ClientConfig) -> ClientConfig {
    let mut client = client.clone();
    if client.get("reconnect.backoff.max.ms").is_none() {
        client.set("reconnect.backoff.max.ms", "1000");
    }
    client
}

/// Creates `topic` (compacted, one partition) unless it exists; whether it was created now.
async fn ensure_topic(client: &ClientConfig, topic: &str) -> Result<bool, KafkaError> {
    if topic_exists(helper(client), topic.to_owned()).await? {
        return Ok(false);
    }
    let admin: AdminClient<DefaultClientContext> = helper(client).create()?;
    let new = NewTopic::new(topic, 1, TopicReplication::Fixed(-1)).set("cleanup.policy", "compact");
    let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
    let created = tokio::time::timeout(
        Duration::from_secs(15),
        admin.create_topics(&[new], &options),
    )
    .await
    .map_err(|_| KafkaError::AdminOp(RDKafkaErrorCode::RequestTimedOut))??;
    let mut made = true;
    for result in created {
        match result {
            Ok(_) => {}
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => made = false,
            Err((_, code)) => return Err(KafkaError::AdminOp(code)),
        }
    }
    Ok(made)
}

/// Whether the broker knows the topic (asked without creating it).
async fn topic_exists(mut client: ClientConfig, topic: String) -> Result<bool, KafkaError> {
    tokio::task::spawn_blocking(move || {
        client.set("allow.auto.create.topics", "false");
        let consumer: BaseConsumer = client.create()?;
        let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
        Ok(metadata
            .topics()
            .iter()
            .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty()))
    })
    .await
    .map_err(|_| KafkaError::Canceled)?
}

/// The current end of every partition of `topic` (none when the topic does not exist), asked
/// again until the broker answers: the floor of every session's end starts here, so the service
/// cannot start without it.
pub async fn topic_ends(
    client: ClientConfig,
    topic: String,
) -> Result<Vec<(i32, i64)>, KafkaError> {
    let client = helper(&client);
    let ends = retrying("read the session status topic's ends", || {
        let (client, topic) = (client.clone(), topic.clone());
        async move {
            tokio::task::spawn_blocking(move || {
                let consumer: BaseConsumer = client.create()?;
                partition_ranges(&consumer, &topic)
                    .map(|ranges| ranges.into_iter().map(|(p, _, high)| (p, high)).collect())
            })
            .await
            .map_err(|_| KafkaError::Canceled)?
        }
    })
    .await;
    Ok(ends)
}

/// `(partition, low, high)` of every partition of `topic`.
fn partition_ranges(
    consumer: &BaseConsumer,
    topic: &str,
) -> Result<Vec<(i32, i64, i64)>, KafkaError> {
    let timeout = Duration::from_secs(10);
    let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
    let mut ranges = Vec::new();
    for t in metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
    {
        for p in t.partitions() {
            let (low, high) = consumer.fetch_watermarks(topic, p.id(), timeout)?;
            ranges.push((p.id(), low, high));
        }
    }
    Ok(ranges)
}

/// Reads every partition of `topic` from `from` (its offset per partition; the beginning for
/// the others) to its end, calling `each(state, key, value)` per record; returns the state. The
/// end is the one the broker reports (ListOffsets) and then, past it, wherever records stop
/// coming for [`PAST_THE_END`] (at most [`PAST_THE_END_AT_MOST`]): a broker may report an end below records it has acknowledged
/// (tansu 0.6.0, the test broker, does so for a while after a producer's connection was cut
/// with records in flight), and a record missed here is a session ended twice or with the
/// wrong account. Errs unless the read got there within the deadline: a partial read could
/// miss a tombstone or a DESTROYED.
async fn read_topic<S, F>(
    mut client: ClientConfig,
    topic: String,
    from: HashMap<i32, i64>,
    mut state: S,
    mut each: F,
) -> Result<S, KafkaError>
where
    S: Send + 'static,
    F: FnMut(&mut S, &[u8], Option<&[u8]>) + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        client = helper(&client);
        client
            .set("group.id", format!("recovery-reader-{}", Uuid::new_v4()))
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "false");
        if client.get("fetch.wait.max.ms").is_none() {
            // An idle partition answers at once: "nothing came" then means "nothing is there".
            client.set("fetch.wait.max.ms", "10");
        }
        let consumer: BaseConsumer = client.create()?;
        let mut ends = HashMap::new();
        let mut tpl = TopicPartitionList::new();
        for (partition, low, high) in partition_ranges(&consumer, &topic)? {
            let start = from.get(&partition).copied().unwrap_or(low).max(low);
            // Every partition, also one the broker says holds nothing from `start` on.
            tpl.add_partition_offset(&topic, partition, Offset::Offset(start))?;
            if start < high {
                ends.insert(partition, high);
            }
        }
        info!(%topic, ends = ?ends, "Reading a topic to its end.");
        if tpl.count() == 0 {
            return Ok(state);
        }
        consumer.assign(&tpl)?;
        let deadline = Instant::now() + READ_DEADLINE;
        let (mut last_record, mut past_the_end) = (Instant::now(), 0u64);
        // Set once the reported ends are reached: however busy the topic (other instances
        // write to the status topic), the read past them stops there.
        let mut cap: Option<Instant> = None;
        loop {
            if ends.is_empty() {
                let cap = *cap.get_or_insert_with(|| Instant::now() + PAST_THE_END_AT_MOST);
                if last_record.elapsed() >= PAST_THE_END || Instant::now() >= cap {
                    break;
                }
            }
            if Instant::now() >= deadline {
                return Err(KafkaError::MessageConsumption(
                    RDKafkaErrorCode::RequestTimedOut,
                ));
            }
            match consumer.poll(Duration::from_millis(20)) {
                Some(Ok(m)) => {
                    each(&mut state, m.key().unwrap_or_default(), m.payload());
                    last_record = Instant::now();
                    match ends.get(&m.partition()) {
                        Some(end) if m.offset() + 1 >= *end => {
                            ends.remove(&m.partition());
                        }
                        Some(_) => {}
                        None => past_the_end += 1,
                    }
                }
                Some(Err(error)) => return Err(error),
                None => {}
            }
        }
        if past_the_end > 0 {
            warn!(%topic, records = past_the_end, "The broker reported an end below records it holds; read them too.");
        }
        Ok(state)
    })
    .await
    .map_err(|_| KafkaError::Canceled)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_destroyed_event_names_its_session() {
        let id = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";
        let destroyed = format!(
            r#"{{"sessionId":"{id}","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"DESTROYED"}}"#
        );
        assert_eq!(
            destroyed_session(destroyed.as_bytes()),
            Some(id.parse().unwrap())
        );
        let created = destroyed.replace("DESTROYED", "CREATED");
        assert_eq!(destroyed_session(created.as_bytes()), None);
        assert_eq!(destroyed_session(b"not json"), None);
    }

    #[test]
    fn only_sessions_whose_end_began_are_looked_for_from_their_lowest_floor() {
        let entry = |ending: Option<Vec<(i32, i64)>>| Entry {
            tenant_id: Uuid::nil(),
            region: "GMS".into(),
            major_version: 83,
            minor_version: 1,
            account_id: 1,
            ending,
        };
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let live = HashMap::from([
            (a, entry(Some(vec![(0, 50), (1, 9)]))),
            (b, entry(Some(vec![(0, 40)]))),
            (c, entry(None)),
        ]);
        let (ending, floor) = ending_sessions(&live);
        assert_eq!(ending, HashSet::from([a, b]));
        assert_eq!(floor, HashMap::from([(0, 40), (1, 9)]));
    }
}
