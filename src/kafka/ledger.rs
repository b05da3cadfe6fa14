//! The session ledger: this instance's live sessions, recorded in a compacted Kafka topic of its
//! own (`<prefix><SERVICE_ID>`, keyed by sessionId, a tombstone once the session's DESTROYED is
//! on its topic). After a crash, the next start with the same SERVICE_ID reads it back and ends
//! every session that was live — LOGOUT then DESTROYED — before the gateway opens, so no account
//! stays logged in at the account service. Kafka is the one piece of infrastructure the service
//! already needs, which is why the record lives there rather than in a local file (a file would
//! be lost with the pod that crashed).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::Recipient;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};
use tracing::{debug, info, info_span, warn};
use uuid::Uuid;

use crate::kafka::outbox::{end_session, Ending, Outbox};
use crate::kafka::producer::Publish;
use crate::tenant::Tenant;

/// What is recorded of a live session: enough to end it without the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub tenant_id: Uuid,
    pub region: String,
    pub major_version: u16,
    pub minor_version: u16,
    pub account_id: u32,
}

impl Entry {
    pub fn new(tenant: &Tenant, account_id: u32) -> Entry {
        Entry {
            tenant_id: tenant.id,
            region: tenant.region.clone(),
            major_version: tenant.major_version,
            minor_version: tenant.minor_version,
            account_id,
        }
    }

    /// The four tenant values, as on a message.
    pub fn tenant_headers(&self) -> (Uuid, &str, u16, u16) {
        (
            self.tenant_id,
            &self.region,
            self.major_version,
            self.minor_version,
        )
    }

    fn tenant(&self) -> Tenant {
        Tenant::from_parts(
            self.tenant_id,
            &self.region,
            self.major_version,
            self.minor_version,
        )
    }
}

/// Writes ledger records through the producer actor.
#[derive(Clone)]
pub struct Ledger {
    topic: Arc<str>,
}

impl Ledger {
    pub fn new(topic: &str) -> Ledger {
        Ledger {
            topic: topic.into(),
        }
    }

    /// The record of a live session (at connect, and again once bound to an account).
    pub fn live(&self, id: Uuid, entry: &Entry) -> Publish {
        let payload = serde_json::to_vec(entry).expect("plain struct serialises");
        Publish {
            topic: Arc::clone(&self.topic),
            key: key(id),
            headers: Default::default(),
            payload: Some(payload),
        }
    }

    /// The tombstone of an ended session.
    pub fn ended(&self, id: Uuid) -> Publish {
        Publish {
            topic: Arc::clone(&self.topic),
            key: key(id),
            headers: Default::default(),
            payload: None,
        }
    }
}

fn key(id: Uuid) -> Vec<u8> {
    id.hyphenated().to_string().into_bytes()
}

/// The live sessions a ledger's records describe: the last record per key wins, a tombstone
/// (or an unreadable record) removes the key.
pub fn live_sessions<'a>(
    records: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>,
) -> HashMap<Uuid, Entry> {
    let mut live = HashMap::new();
    for (key, value) in records {
        let Some(id) = std::str::from_utf8(key)
            .ok()
            .and_then(|k| Uuid::parse_str(k).ok())
        else {
            continue;
        };
        match value.and_then(|v| serde_json::from_slice::<Entry>(v).ok()) {
            Some(entry) => live.insert(id, entry),
            None => live.remove(&id),
        };
    }
    live
}

/// Creates the ledger topic if needed (compacted, one partition: records of one session stay in
/// order), reads it to its end, and ends every session it shows live. Returns those sessions.
pub async fn recover(
    client: &ClientConfig,
    topic: &str,
    outbox: &Outbox,
    producer: &Recipient<Publish>,
    ledger: &Ledger,
) -> Result<Vec<(Uuid, Entry)>, KafkaError> {
    ensure_topic(client, topic).await?;
    debug!(topic, "Reading the session ledger.");
    let live = read_to_end(client.clone(), topic.to_owned()).await?;
    if live.is_empty() {
        return Ok(Vec::new());
    }
    warn!(
        sessions = live.len(),
        "Ending the sessions a previous run left live."
    );
    let mut ended = Vec::new();
    for (id, entry) in live {
        let tenant = entry.tenant();
        let end = {
            let span = info_span!("recover", session_id = %id, account_id = entry.account_id);
            let _entered = span.enter();
            let ending = Ending {
                tenant: &tenant,
                session: id,
                account_id: entry.account_id,
            };
            end_session(outbox, ledger, producer.clone(), ending)
        };
        if end.await.is_ok() {
            ended.push((id, entry));
        }
    }
    info!(sessions = ended.len(), "Sessions of a previous run ended.");
    Ok(ended)
}

async fn ensure_topic(client: &ClientConfig, topic: &str) -> Result<(), KafkaError> {
    if topic_exists(client.clone(), topic.to_owned()).await? {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = client.create()?;
    let new = NewTopic::new(topic, 1, TopicReplication::Fixed(-1)).set("cleanup.policy", "compact");
    let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(10)));
    let created = tokio::time::timeout(
        Duration::from_secs(15),
        admin.create_topics(&[new], &options),
    )
    .await
    .map_err(|_| KafkaError::AdminOp(RDKafkaErrorCode::RequestTimedOut))??;
    for result in created {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => return Err(KafkaError::AdminOp(code)),
        }
    }
    Ok(())
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

/// Reads every record of the topic's partition 0 up to the end it has now (blocking client,
/// on a worker thread).
async fn read_to_end(
    mut client: ClientConfig,
    topic: String,
) -> Result<HashMap<Uuid, Entry>, KafkaError> {
    tokio::task::spawn_blocking(move || {
        client
            .set("group.id", format!("ledger-reader-{}", Uuid::new_v4()))
            .set("enable.auto.commit", "false");
        let consumer: BaseConsumer = client.create()?;
        let timeout = Duration::from_secs(10);
        let (low, high) = consumer.fetch_watermarks(&topic, 0, timeout)?;
        let mut records = Vec::new();
        if high > low {
            let mut tpl = TopicPartitionList::new();
            tpl.add_partition_offset(&topic, 0, Offset::Offset(low))?;
            consumer.assign(&tpl)?;
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while std::time::Instant::now() < deadline {
                match consumer.poll(Duration::from_millis(200)) {
                    Some(Ok(m)) => {
                        records.push((
                            m.key().unwrap_or_default().to_vec(),
                            m.payload().map(<[u8]>::to_vec),
                        ));
                        if m.offset() + 1 >= high {
                            break;
                        }
                    }
                    Some(Err(error)) => return Err(error),
                    None => {}
                }
            }
        }
        Ok(live_sessions(
            records.iter().map(|(k, v)| (k.as_slice(), v.as_deref())),
        ))
    })
    .await
    .map_err(|_| KafkaError::Canceled)?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(account_id: u32) -> Entry {
        Entry {
            tenant_id: Uuid::nil(),
            region: "GMS".into(),
            major_version: 83,
            minor_version: 1,
            account_id,
        }
    }

    #[test]
    fn the_last_record_wins_and_a_tombstone_removes() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let ledger = Ledger::new("t");
        let records = [
            ledger.live(a, &entry(0)),
            ledger.live(b, &entry(0)),
            ledger.live(a, &entry(7)),
            ledger.ended(b),
            ledger.live(c, &entry(0)),
            ledger.ended(c),
        ];
        let live = live_sessions(
            records
                .iter()
                .map(|p| (p.key.as_slice(), p.payload.as_deref())),
        );
        assert_eq!(live.len(), 1);
        assert_eq!(live[&a].account_id, 7);
    }

    #[test]
    fn unreadable_records_are_passed_over() {
        let id = Uuid::new_v4().to_string();
        let live = live_sessions([
            (b"not a uuid".as_slice(), Some(&b"{}"[..])),
            (id.as_bytes(), Some(&b"garbage"[..])),
        ]);
        assert!(live.is_empty());
    }

    #[test]
    fn an_entry_round_trips_with_its_tenant() {
        let e = entry(3);
        let p = Ledger::new("t").live(Uuid::nil(), &e);
        let back: Entry = serde_json::from_slice(p.payload.as_deref().unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.tenant().major_header(), [0, 83]);
    }
}
