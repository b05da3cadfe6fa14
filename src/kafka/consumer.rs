//! The consume loop: one rdkafka consumer in group `Login Service - <SERVICE_ID>`, subscribed to
//! the three consumed topics, polled on a thread of its own. Each message is routed (`router`);
//! routed events go to the sessions' thread in batches, each acknowledged once its events are in
//! their sessions' mailboxes, and an offset is stored only once every event up to it was
//! acknowledged or skipped (at-least-once; stores are batched per partition, at most
//! `STORE_EVERY` messages apart and at every pause). At most `MAX_IN_FLIGHT` batches wait for
//! their acknowledgement: a slow sessions' thread slows consumption instead of growing a queue.
//! Offsets are committed in the background and on stop.
//!
//! Start positions: a group with committed offsets resumes from them (a late answer to a login
//! of a session that died with the previous process is then still seen and released). A new
//! group starts at the end of every topic: session-scoped history cannot concern sessions that
//! did not exist yet, and every account a session of this instance holds logs in after the
//! instance starts, so the registry needs no replay either. The end offsets are resolved in the
//! rebalance callback, before readiness is signalled, so that a client admitted right after
//! assignment cannot have its answer fall before the start position.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::error::KafkaError;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientConfig, ClientContext};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rdkafka::statistics::Statistics;
use tokio::sync::oneshot;
use tracing::{debug, error, info, warn};

use std::collections::VecDeque;
use std::sync::mpsc;

use crate::admin::Health;
use crate::kafka::delivery::BatchAck;
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
        // `cooperative-sticky` (KAFKA_PARTITION_ASSIGNMENT_STRATEGY) hands partitions over
        // incrementally: only the partitions in `tpl` are added or removed.
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        match err {
            RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let first = !self.assigned_before.swap(true, Ordering::Relaxed);
                let starts = resolve_start_offsets(consumer, tpl, first);
                let assigned = if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                };
                if let Err(error) = assigned {
                    error!(%error, "Partition assignment failed.");
                    return;
                }
                if starts.count() > 0 {
                    if let Err(error) = consumer.commit(&starts, CommitMode::Sync) {
                        warn!(%error, "Could not commit the start offsets of a new group.");
                    }
                }
                info!(
                    partitions = tpl.count(),
                    cooperative, "Partitions assigned."
                );
                self.health.set_assigned(held(consumer) > 0);
            }
            RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                if let Err(error) = consumer.commit_consumer_state(CommitMode::Sync) {
                    debug!(%error, "Commit on revocation did not succeed.");
                }
                let revoked = if cooperative {
                    consumer.incremental_unassign(tpl)
                } else {
                    consumer.unassign()
                };
                if let Err(error) = revoked {
                    error!(%error, "Partition revocation failed.");
                }
                info!(partitions = tpl.count(), cooperative, "Partitions revoked.");
                self.health.set_assigned(held(consumer) > 0);
            }
            other => {
                warn!(error = ?other, "Rebalance error.");
                let _ = consumer.unassign();
                self.health.set_assigned(false);
            }
        }
    }
}

/// How many partitions the consumer holds now.
fn held(consumer: &BaseConsumer<AssignmentContext>) -> usize {
    consumer.assignment().map_or(0, |tpl| tpl.count())
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

/// Batches handed to the sessions' thread and not yet acknowledged, at most (16,384 events).
/// A window this deep lets the consume loop get ahead of the sessions' thread far enough that a
/// session often has several lines waiting at its flush, which go out in one write: with 8
/// batches, routing in `make bench` ran at 0.60x of the client-write floor, against 0.68–0.83x
/// for the unbounded queue before and 0.71–0.84x with 64 (BENCHMARKS.md).
const MAX_IN_FLIGHT: usize = 64;

/// How long the final commit waits for the last batches' acknowledgements.
const FINAL_ACK_WAIT: Duration = Duration::from_secs(2);

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
    let mut window = Window::new();
    loop {
        match stop.try_recv() {
            Ok(request) => return finish(&consumer, &mut router, &mut window, Some(request)),
            Err(oneshot::error::TryRecvError::Closed) => {
                return finish(&consumer, &mut router, &mut window, None)
            }
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let store = |offsets: Routed| offsets.store(&consumer);
        window.collect(Duration::ZERO, store);
        if window.is_full() {
            // The sessions' thread is behind: wait for it rather than queue more.
            window.collect(POLL_WAIT, store);
            continue;
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
                window.note(msg.topic(), msg.partition(), msg.offset());
                if router.pending() >= DELIVER_EVERY {
                    window.deliver(&mut router);
                }
                if window.unsettled() >= STORE_EVERY {
                    window.deliver(&mut router);
                    window.settle(store);
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
                window.deliver(&mut router);
                window.settle(store);
            }
        }
    }
}

fn finish(
    consumer: &BaseConsumer<AssignmentContext>,
    router: &mut Router,
    window: &mut Window,
    request: Option<StopRequest>,
) {
    let store = |offsets: Routed| offsets.store(consumer);
    window.deliver(router);
    window.settle(store);
    let deadline = std::time::Instant::now() + FINAL_ACK_WAIT;
    while !window.batches.is_empty() && std::time::Instant::now() < deadline {
        window.collect(Duration::from_millis(20), store);
    }
    if !window.batches.is_empty() {
        warn!(
            batches = window.batches.len(),
            "Stopping with routed events unacknowledged; they will be consumed again."
        );
    }
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

/// The batches handed to the sessions' thread and not yet acknowledged, with the offsets each
/// one's acknowledgement allows to store, and the offsets noted since the last batch.
struct Window {
    batches: VecDeque<Batch>,
    /// Offsets of messages consumed since the last batch went out (routed events waiting in the
    /// router, or skipped messages).
    current: Routed,
    next_id: u64,
    acks: mpsc::Receiver<u64>,
    ack_to: mpsc::Sender<u64>,
}

struct Batch {
    id: u64,
    acked: bool,
    /// Offsets to store once this batch and every one before it are acknowledged.
    offsets: Routed,
}

impl Window {
    fn new() -> Window {
        let (ack_to, acks) = mpsc::channel();
        Window {
            batches: VecDeque::new(),
            current: Routed::default(),
            next_id: 0,
            acks,
            ack_to,
        }
    }

    fn is_full(&self) -> bool {
        self.batches.len() >= MAX_IN_FLIGHT
    }

    fn note(&mut self, topic: &str, partition: i32, offset: i64) {
        self.current.note(topic, partition, offset);
    }

    /// Messages noted whose offsets are not settled yet.
    fn unsettled(&self) -> usize {
        self.current.count
    }

    /// Hands the router's routed events over as one batch; the offsets noted so far go with it.
    fn deliver(&mut self, router: &mut Router) {
        if router.pending() > 0 {
            router.flush(self.open());
        }
    }

    /// A new batch in flight, carrying the offsets noted so far; its acknowledgement.
    fn open(&mut self) -> BatchAck {
        let id = self.next_id;
        self.next_id += 1;
        self.batches.push_back(Batch {
            id,
            acked: false,
            offsets: std::mem::take(&mut self.current),
        });
        BatchAck::new(id, self.ack_to.clone())
    }

    /// Offsets noted since the last batch (skipped messages only): stored now when nothing is
    /// in flight, else with the last batch in flight (never before an earlier event is in its
    /// mailbox).
    fn settle(&mut self, store: impl FnOnce(Routed)) {
        if self.current.count == 0 {
            return;
        }
        let current = std::mem::take(&mut self.current);
        match self.batches.back_mut() {
            Some(last) => last.offsets.merge(current),
            None => store(current),
        }
    }

    /// Takes the acknowledgements that arrived (waiting up to `wait` for the first), and stores
    /// the offsets of the acknowledged batches at the front, in order.
    fn collect(&mut self, wait: Duration, mut store: impl FnMut(Routed)) {
        let mut first = if wait.is_zero() {
            self.acks.try_recv().ok()
        } else {
            self.acks.recv_timeout(wait).ok()
        };
        while let Some(id) = first.take().or_else(|| self.acks.try_recv().ok()) {
            if let Some(batch) = self.batches.iter_mut().find(|b| b.id == id) {
                batch.acked = true;
            }
        }
        while self.batches.front().is_some_and(|b| b.acked) {
            if let Some(batch) = self.batches.pop_front() {
                store(batch.offsets);
            }
        }
    }
}

/// The highest noted offset of each partition (at-least-once: an offset is stored only after
/// its message was routed and its events delivered).
#[derive(Default)]
struct Routed {
    next: Vec<(String, i32, i64)>,
    count: usize,
}

impl Routed {
    fn note(&mut self, topic: &str, partition: i32, offset: i64) {
        self.count += 1;
        self.raise(topic, partition, offset + 1);
    }

    /// Adds a later range of offsets.
    fn merge(&mut self, later: Routed) {
        self.count += later.count;
        for (topic, partition, next) in &later.next {
            self.raise(topic, *partition, *next);
        }
    }

    fn raise(&mut self, topic: &str, partition: i32, next: i64) {
        match self
            .next
            .iter_mut()
            .find(|(t, p, _)| *p == partition && t == topic)
        {
            Some(entry) => entry.2 = entry.2.max(next),
            None => self.next.push((topic.to_owned(), partition, next)),
        }
    }

    fn store(self, consumer: &BaseConsumer<AssignmentContext>) {
        if self.next.is_empty() {
            return;
        }
        let mut tpl = TopicPartitionList::with_capacity(self.next.len());
        for (topic, partition, next) in &self.next {
            let _ = tpl.add_partition_offset(topic, *partition, Offset::Offset(*next));
        }
        // A partition revoked meanwhile refuses its store; its new owner resumes from the
        // last commit, so those events are seen again, never lost.
        if let Err(error) = consumer.store_offsets(&tpl) {
            debug!(%error, "Could not store some offsets.");
        }
    }
}

use rdkafka::Message as _;

#[cfg(test)]
mod tests {
    use super::*;

    /// The offsets of each store, as (partition, next offset) pairs.
    fn stores(window: &mut Window, wait: Duration) -> Vec<Vec<(i32, i64)>> {
        let mut stored = Vec::new();
        window.collect(wait, |r| {
            stored.push(r.next.iter().map(|(_, p, n)| (*p, *n)).collect())
        });
        stored
    }

    #[test]
    fn offsets_wait_for_their_batch_and_every_earlier_one() {
        let mut w = Window::new();
        w.note("t", 0, 10);
        let first = w.open();
        w.note("t", 0, 11);
        w.note("t", 1, 5);
        let second = w.open();
        w.note("t", 0, 12); // a skipped message after the second batch
        let mut direct = Vec::new();
        w.settle(|r| direct.push(r));
        assert!(direct.is_empty(), "in flight: it waits with the last batch");
        drop(second);
        assert!(
            stores(&mut w, Duration::ZERO).is_empty(),
            "the first is not in yet"
        );
        assert!(!w.batches.is_empty());
        drop(first);
        assert_eq!(
            stores(&mut w, Duration::from_millis(100)),
            vec![vec![(0, 11)], vec![(0, 13), (1, 6)]]
        );
        assert!(w.batches.is_empty());
    }

    #[test]
    fn skipped_messages_are_stored_at_once_when_nothing_is_in_flight() {
        let mut w = Window::new();
        w.note("t", 3, 7);
        assert_eq!(w.unsettled(), 1);
        let mut stored = Vec::new();
        w.settle(|r| stored.push(r.next.clone()));
        assert_eq!(stored, vec![vec![("t".to_owned(), 3, 8)]]);
        assert_eq!(w.unsettled(), 0);
    }

    #[test]
    fn the_window_fills_until_acknowledgements_come_back() {
        let mut w = Window::new();
        let acks: Vec<BatchAck> = (0..MAX_IN_FLIGHT)
            .map(|i| {
                w.note("t", 0, i as i64);
                w.open()
            })
            .collect();
        assert!(w.is_full());
        drop(acks);
        assert_eq!(stores(&mut w, Duration::ZERO).len(), MAX_IN_FLIGHT);
        assert!(!w.is_full());
    }
}
