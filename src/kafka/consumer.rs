//! The consume loop: one rdkafka consumer in group `Login Service - <SERVICE_ID>`, subscribed to
//! the three consumed topics, polled on a thread of its own. Each message is routed (`router`)
//! and only then its offset stored (at-least-once; stores are batched per partition, at most
//! `STORE_EVERY` messages apart and at every pause); offsets are committed in the background and
//! on stop.
//!
//! Start positions: a group with committed offsets resumes from them (a late answer to a login
//! of a session that died with the previous process is then still seen and released). A new
//! group starts at the end of every topic: session-scoped history cannot concern sessions that
//! did not exist yet, and every account a session of this instance holds logs in after the
//! instance starts, so the registry needs no replay either. The end offsets are resolved in the
//! rebalance callback, before readiness is signalled, so that a client admitted right after
//! assignment cannot have its answer fall before the start position.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, ClientContext};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rdkafka::statistics::Statistics;
use tokio::sync::oneshot;
use tracing::{debug, error, info, warn};

use crate::admin::Health;
use crate::kafka::router::{Outcome, Router};
use crate::metrics;

/// How long the rebalance callback may spend resolving start offsets.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Consumer context: resolves start offsets on assignment, and keeps readiness (assignment,
/// broker reachability) and the consumer-lag gauges current from librdkafka's statistics.
pub struct AssignmentContext {
    health: Arc<Health>,
    /// Whether this process was assigned partitions before (see `resolve_start_offsets`).
    assigned_before: AtomicBool,
}

impl ClientContext for AssignmentContext {
    fn stats(&self, stats: Statistics) {
        let up = stats
            .brokers
            .values()
            .any(|b| b.nodeid >= 0 && b.state == "UP");
        self.health.set_broker_up(up);
        for (name, topic) in &stats.topics {
            for (partition, p) in &topic.partitions {
                if *partition >= 0 && p.consumer_lag >= 0 {
                    metrics::consumer_lag(name, *partition, p.consumer_lag);
                }
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if matches!(
            error.rdkafka_error_code(),
            Some(RDKafkaErrorCode::AllBrokersDown)
        ) {
            self.health.set_broker_up(false);
        }
        warn!(%error, reason, "Kafka client error.");
    }
}

impl ConsumerContext for AssignmentContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: rdkafka::types::RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        use rdkafka::types::RDKafkaRespErr::*;
        match err {
            RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let first = !self.assigned_before.swap(true, Ordering::Relaxed);
                let starts = resolve_start_offsets(consumer, tpl, first);
                if let Err(error) = consumer.assign(tpl) {
                    error!(%error, "Partition assignment failed.");
                    return;
                }
                if starts.count() > 0 {
                    if let Err(error) = consumer.commit(&starts, CommitMode::Sync) {
                        warn!(%error, "Could not commit the start offsets of a new group.");
                    }
                }
                info!(partitions = tpl.count(), "Partitions assigned.");
                self.health.set_assigned(tpl.count() > 0);
            }
            RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                self.health.set_assigned(false);
                if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
                    debug!(%error, "Commit on revocation did not succeed.");
                }
                if let Err(error) = consumer.unassign() {
                    error!(%error, "Partition revocation failed.");
                }
                info!("Partitions revoked.");
            }
            other => {
                warn!(error = ?other, "Rebalance error.");
                let _ = consumer.unassign();
                self.health.set_assigned(false);
            }
        }
    }
}

/// Partitions with a committed offset resume there. On this process's first assignment the
/// others start at the current end, resolved now (not lazily by librdkafka) so that readiness
/// implies a fixed start position, and those starts are committed at once: a later rejoin (after
/// an outage longer than the session timeout, say) then resumes there instead of jumping to a
/// new end past answers nobody has read yet. A partition still without a commit on a later
/// assignment starts at its beginning: replayed events of unknown sessions are cheap misses.
/// Returns the starts to commit once the partitions are assigned.
fn resolve_start_offsets(
    consumer: &BaseConsumer<AssignmentContext>,
    tpl: &mut TopicPartitionList,
    first: bool,
) -> TopicPartitionList {
    let committed = consumer
        .committed_offsets(tpl.clone(), RESOLVE_TIMEOUT)
        .unwrap_or_else(|error| {
            warn!(%error, "Could not read committed offsets.");
            TopicPartitionList::new()
        });
    let mut starts = Vec::new();
    let mut to_commit = TopicPartitionList::new();
    for elem in tpl.elements() {
        let (topic, partition) = (elem.topic().to_owned(), elem.partition());
        let start = match committed
            .find_partition(&topic, partition)
            .map(|e| e.offset())
        {
            Some(Offset::Offset(n)) => Offset::Offset(n),
            _ if !first => Offset::Beginning,
            _ => match consumer.fetch_watermarks(&topic, partition, RESOLVE_TIMEOUT) {
                Ok((_, high)) => {
                    let _ = to_commit.add_partition_offset(&topic, partition, Offset::Offset(high));
                    Offset::Offset(high)
                }
                Err(_) => Offset::End,
            },
        };
        starts.push((topic, partition, start));
    }
    for (topic, partition, start) in starts {
        if let Err(error) = tpl.set_partition_offset(&topic, partition, start) {
            warn!(%error, topic, partition, "Could not set a start offset.");
        }
    }
    to_commit
}

/// Creates the consumer and subscribes it; `health` learns when it holds partitions.
pub fn subscribe(
    config: &ClientConfig,
    topics: &[&str],
    health: Arc<Health>,
) -> Result<BaseConsumer<AssignmentContext>, KafkaError> {
    let consumer: BaseConsumer<AssignmentContext> =
        config.create_with_context(AssignmentContext {
            health,
            assigned_before: AtomicBool::new(false),
        })?;
    consumer.subscribe(topics)?;
    Ok(consumer)
}

/// Asks a running consume loop to stop and commit; answered with the commit's result.
pub type StopRequest = oneshot::Sender<Result<(), KafkaError>>;

/// How long one poll waits for a message; also how soon the loop sees a stop request.
const POLL_WAIT: Duration = Duration::from_millis(50);

/// Routed messages whose offsets are stored in one go (and at every pause in the stream).
const STORE_EVERY: usize = 512;

/// Routed events handed to the sessions' thread in one go, at most; a batch also goes as soon
/// as no message is waiting, so batching never delays an event.
const DELIVER_EVERY: usize = 256;

/// Starts the consume loop on a thread of its own (a plain blocking poll loop: no async runtime
/// between librdkafka's queue and the router).
pub fn spawn(
    consumer: BaseConsumer<AssignmentContext>,
    router: Router,
    stop: oneshot::Receiver<StopRequest>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("consume-loop".into())
        .spawn(move || run(consumer, router, stop))
}

/// Consumes and routes until asked to stop (or the stop sender is dropped); then stores and
/// commits the offsets of what was routed and answers.
pub fn run(
    consumer: BaseConsumer<AssignmentContext>,
    mut router: Router,
    mut stop: oneshot::Receiver<StopRequest>,
) {
    let mut routed = Routed::default();
    loop {
        match stop.try_recv() {
            Ok(request) => return finish(&consumer, &mut router, &mut routed, Some(request)),
            Err(oneshot::error::TryRecvError::Closed) => {
                return finish(&consumer, &mut router, &mut routed, None)
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        // While routed events wait for delivery, only look at what is already there.
        let wait = if router.pending() == 0 {
            POLL_WAIT
        } else {
            Duration::ZERO
        };
        match consumer.poll(wait) {
            Some(Ok(msg)) => {
                let _: Outcome = router.dispatch(&msg);
                routed.note(msg.topic(), msg.partition(), msg.offset());
                if router.pending() >= DELIVER_EVERY {
                    router.flush();
                }
                if routed.count >= STORE_EVERY {
                    router.flush();
                    routed.store(&consumer);
                }
            }
            Some(Err(KafkaError::MessageConsumption(
                RDKafkaErrorCode::UnknownTopicOrPartition,
            ))) => {
                debug!("A consumed topic does not exist yet; retrying.");
            }
            Some(Err(error)) => {
                warn!(%error, "Consumer error.");
                std::thread::sleep(Duration::from_millis(100));
            }
            None => {
                router.flush();
                routed.store(&consumer);
            }
        }
    }
}

fn finish(
    consumer: &BaseConsumer<AssignmentContext>,
    router: &mut Router,
    routed: &mut Routed,
    request: Option<StopRequest>,
) {
    router.flush();
    routed.store(consumer);
    let result = consumer
        .commit_consumer_state(CommitMode::Sync)
        .or_else(|e| match e {
            KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset) => Ok(()),
            e => Err(e),
        });
    match &result {
        Ok(()) => info!("Consumer offsets committed."),
        Err(error) => warn!(%error, "Final offset commit failed."),
    }
    if let Some(reply) = request {
        let _ = reply.send(result);
    }
}

/// The highest routed offset of each partition since the last store (at-least-once: an offset
/// is stored only after its message was routed).
#[derive(Default)]
struct Routed {
    next: Vec<(String, i32, i64)>,
    count: usize,
}

impl Routed {
    fn note(&mut self, topic: &str, partition: i32, offset: i64) {
        self.count += 1;
        match self
            .next
            .iter_mut()
            .find(|(t, p, _)| *p == partition && t == topic)
        {
            Some(entry) => entry.2 = entry.2.max(offset + 1),
            None => self.next.push((topic.to_owned(), partition, offset + 1)),
        }
    }

    fn store(&mut self, consumer: &BaseConsumer<AssignmentContext>) {
        if self.count == 0 {
            return;
        }
        self.count = 0;
        let mut tpl = TopicPartitionList::with_capacity(self.next.len());
        for (topic, partition, next) in &self.next {
            let _ = tpl.add_partition_offset(topic, *partition, Offset::Offset(*next));
        }
        // A partition revoked meanwhile refuses its store; its new owner resumes from the
        // last commit, so those events are seen again, never lost.
        if let Err(error) = consumer.store_offsets(&tpl) {
            debug!(%error, "Could not store some offsets.");
        }
        self.next.clear();
    }
}

use rdkafka::Message as _;
