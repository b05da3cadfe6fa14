//! The consume loop: one rdkafka consumer in group `Login Service - <SERVICE_ID>`, subscribed to
//! the three consumed topics, on its own thread. Each message is routed (`router`) and only then
//! its offset stored (at-least-once); offsets are committed in the background and on stop.
//!
//! Start positions: a group with committed offsets resumes from them (a late answer to a login
//! of a session that died with the previous process is then still seen and released). A new
//! group starts at the end of every topic: session-scoped history cannot concern sessions that
//! did not exist yet, and every account a session of this instance holds logs in after the
//! instance starts, so the registry needs no replay either. The end offsets are resolved in the
//! rebalance callback, before readiness is signalled, so that a client admitted right after
//! assignment cannot have its answer fall before the start position.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, StreamConsumer};
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
) -> Result<StreamConsumer<AssignmentContext>, KafkaError> {
    let consumer: StreamConsumer<AssignmentContext> =
        config.create_with_context(AssignmentContext {
            health,
            assigned_before: AtomicBool::new(false),
        })?;
    consumer.subscribe(topics)?;
    Ok(consumer)
}

/// Asks a running consume loop to stop and commit; answered with the commit's result.
pub type StopRequest = oneshot::Sender<Result<(), KafkaError>>;

/// Consumes and routes until asked to stop; then commits the stored offsets and answers.
pub async fn run(
    consumer: StreamConsumer<AssignmentContext>,
    mut router: Router,
    mut stop: oneshot::Receiver<StopRequest>,
) {
    loop {
        tokio::select! {
            biased;
            request = &mut stop => {
                let result = consumer.commit_consumer_state(CommitMode::Sync).or_else(|e| match e {
                    KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset) => Ok(()),
                    e => Err(e),
                });
                match &result {
                    Ok(()) => info!("Consumer offsets committed."),
                    Err(error) => warn!(%error, "Final offset commit failed."),
                }
                if let Ok(reply) = request {
                    let _ = reply.send(result);
                }
                return;
            }
            received = consumer.recv() => match received {
                Ok(msg) => {
                    let outcome: Outcome = router.dispatch(&msg);
                    let _ = outcome;
                    if let Err(error) = consumer.store_offset_from_message(&msg) {
                        warn!(%error, topic = msg.topic(), "Could not store an offset.");
                    }
                }
                Err(KafkaError::MessageConsumption(RDKafkaErrorCode::UnknownTopicOrPartition)) => {
                    debug!("A consumed topic does not exist yet; retrying.");
                }
                Err(error) => {
                    warn!(%error, "Consumer error.");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

use rdkafka::Message as _;
