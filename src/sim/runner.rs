//! Connects the simulator's book to Kafka: reads the command topic from its current end (no
//! consumer group, so it is ready at once), answers each command on the two status topics with
//! the command's tenant headers, a child `traceparent`, and keys by account id. A [`SimControl`]
//! pauses and resumes it (a stalled account service, which then works off its backlog in
//! order) and asks it which accounts it holds logged in and how far it has read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, info, info_span, warn};
use uuid::Uuid;

use crate::kafka::{client, headers, keys};
use crate::sim::book::{Book, Command, Held, OutTopic};
use crate::tenant::Tenant;

/// The topics the simulator reads and writes.
#[derive(Debug, Clone)]
pub struct SimTopics {
    pub command: String,
    pub account_status: String,
    pub account_session_status: String,
}

/// A simulator connected to a broker, positioned at the end of the command topic.
pub struct Sim {
    consumer: StreamConsumer,
    producer: FutureProducer,
    topics: SimTopics,
    book: Book,
    /// Per partition of the command topic, the offset of the next command to handle.
    next: BTreeMap<i32, i64>,
    /// Commands handled so far.
    handled: u64,
    /// Kept so that the control channels stay open for as long as the simulator runs.
    control: SimControl,
    paused: watch::Receiver<bool>,
    queries: mpsc::UnboundedReceiver<Query>,
}

/// A handle on a simulator, running or not: pauses and resumes its consumption, and asks what
/// it holds. Cheap to clone; the questions are answered while it is paused too.
#[derive(Clone)]
pub struct SimControl {
    paused: Arc<watch::Sender<bool>>,
    queries: mpsc::UnboundedSender<Query>,
}

/// How far a simulator has read the command topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Per partition, the offset of the next command it will handle.
    pub next: BTreeMap<i32, i64>,
    /// Commands handled since it connected.
    pub handled: u64,
}

enum Query {
    Held(Uuid, oneshot::Sender<Vec<Held>>),
    Progress(oneshot::Sender<Progress>),
}

impl SimControl {
    /// Stops reading commands (they wait on their topic) until [`SimControl::resume`].
    pub fn pause(&self) {
        self.paused.send_replace(true);
    }

    /// Reads commands again, the backlog first, in order.
    pub fn resume(&self) {
        self.paused.send_replace(false);
    }

    /// The accounts of `tenant` logged in at the simulator now (see [`Book::held`]); `None`
    /// when the simulator has stopped.
    pub async fn held(&self, tenant: Uuid) -> Option<Vec<Held>> {
        let (tx, rx) = oneshot::channel();
        self.queries.send(Query::Held(tenant, tx)).ok()?;
        rx.await.ok()
    }

    /// How far the simulator has read; `None` when it has stopped.
    pub async fn progress(&self) -> Option<Progress> {
        let (tx, rx) = oneshot::channel();
        self.queries.send(Query::Progress(tx)).ok()?;
        rx.await.ok()
    }
}

impl Sim {
    /// Connects and positions the consumer; commands produced after this returns are answered.
    pub fn connect(
        bootstrap: &str,
        kafka: &crate::config::KafkaProperties,
        topics: SimTopics,
        book: Book,
    ) -> Result<Sim, KafkaError> {
        let mut consumer_config = client::consumer_config(bootstrap, kafka);
        consumer_config.set("group.id", format!("account-sim-{}", Uuid::new_v4()));
        consumer_config.set("enable.auto.commit", "false");
        let consumer: StreamConsumer = consumer_config.create()?;
        let timeout = Duration::from_secs(10);
        let metadata = consumer.fetch_metadata(Some(&topics.command), timeout)?;
        let mut tpl = TopicPartitionList::new();
        for topic in metadata.topics() {
            for partition in topic.partitions() {
                let (_, high) =
                    consumer.fetch_watermarks(&topics.command, partition.id(), timeout)?;
                tpl.add_partition_offset(&topics.command, partition.id(), Offset::Offset(high))?;
            }
        }
        if tpl.count() == 0 {
            return Err(KafkaError::Subscription(format!(
                "topic {} has no partitions",
                topics.command
            )));
        }
        consumer.assign(&tpl)?;
        let next = tpl
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(n) => Some((e.partition(), n)),
                _ => None,
            })
            .collect();
        let producer = client::producer_config(bootstrap, kafka).create()?;
        info!(topic = %topics.command, partitions = tpl.count(), "Account simulator listening.");
        let (paused_tx, paused) = watch::channel(false);
        let (queries_tx, queries) = mpsc::unbounded_channel();
        Ok(Sim {
            consumer,
            producer,
            topics,
            book,
            next,
            handled: 0,
            control: SimControl {
                paused: Arc::new(paused_tx),
                queries: queries_tx,
            },
            paused,
            queries,
        })
    }

    /// A handle to pause, resume and question this simulator.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// Answers commands until `stop` completes (none while paused; questions always).
    pub async fn run(mut self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let paused = *self.paused.borrow_and_update();
            tokio::select! {
                _ = &mut stop => return,
                // Never closed, never in error: `self.control` holds the senders.
                Some(query) = self.queries.recv() => self.query(query),
                _ = self.paused.changed() => {}
                received = self.consumer.recv(), if !paused => match received {
                    Ok(msg) => {
                        let msg = msg.detach();
                        self.answer(&msg).await;
                        self.next.insert(msg.partition(), msg.offset() + 1);
                        self.handled += 1;
                    }
                    Err(error) => {
                        warn!(%error, "Simulator consumer error.");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
    }

    fn query(&self, query: Query) {
        match query {
            Query::Held(tenant, reply) => {
                let _ = reply.send(self.book.held(tenant, Instant::now()));
            }
            Query::Progress(reply) => {
                let _ = reply.send(Progress {
                    next: self.next.clone(),
                    handled: self.handled,
                });
            }
        }
    }

    async fn answer(&mut self, msg: &rdkafka::message::OwnedMessage) {
        let Some(tenant) = Tenant::from_headers(&headers::tenant_headers(msg.headers())) else {
            warn!(
                offset = msg.offset(),
                "Simulator: command without valid tenant headers ignored."
            );
            return;
        };
        let Some((session_id, account_id, command)) = decode(msg.payload().unwrap_or_default())
        else {
            warn!(
                offset = msg.offset(),
                "Simulator: undecodable command ignored."
            );
            return;
        };
        let span = info_span!("account_sim", %session_id, account_id);
        headers::adopt_parent(&span, msg.headers());
        let outputs = self.book.handle(
            tenant.id,
            &tenant.region,
            session_id,
            account_id,
            command,
            Instant::now(),
        );
        for output in outputs {
            let topic = match output.topic {
                OutTopic::AccountStatus => &self.topics.account_status,
                OutTopic::AccountSessionStatus => &self.topics.account_session_status,
            };
            let key = keys::account_key(output.account_id);
            let record = FutureRecord::to(topic)
                .key(&key[..])
                .headers(headers::outgoing(&tenant, &span))
                .payload(&output.payload);
            // Enqueued in order (one partition per account keeps it), delivered in the
            // background: awaiting each delivery would serialise the simulator on the broker's
            // round trip and make it the bottleneck of every login benchmark.
            match self.producer.send_result(record) {
                Ok(delivery) => {
                    let topic = topic.clone();
                    actix_rt::spawn(async move {
                        if !matches!(delivery.await, Ok(Ok(_))) {
                            warn!(topic, "Simulator: answer not delivered.");
                        }
                    });
                }
                Err((error, _)) => warn!(%error, topic, "Simulator: answer not enqueued."),
            }
        }
        debug!(%session_id, "Simulator answered a command.");
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Incoming<'a> {
    #[serde(default)]
    session_id: Uuid,
    #[serde(default)]
    account_id: u32,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
}

/// Decodes a command with the project's own body types.
fn decode(payload: &[u8]) -> Option<(Uuid, u32, Command)> {
    let incoming: Incoming<'_> = serde_json::from_slice(payload).ok()?;
    let body = incoming.body.map(RawValue::get).unwrap_or("null");
    let command = match &*incoming.kind {
        "CREATE" => Command::Create(serde_json::from_str(body).ok()?),
        "PROGRESS_STATE" => {
            let p: crate::message::account_session::ProgressStateBody =
                serde_json::from_str(body).ok()?;
            Command::ProgressState {
                state: p.state,
                params: p.params,
            }
        }
        "LOGOUT" => Command::Logout,
        _ => return None,
    };
    Some((incoming.session_id, incoming.account_id, command))
}
