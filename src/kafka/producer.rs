//! The producer actor: one long-lived idempotent rdkafka producer for the whole process.
//! Everyone publishes through `Recipient<Publish>`; delivery is awaited and its outcome returned.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use rdkafka::error::KafkaError;
use rdkafka::message::OwnedHeaders;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};
use rdkafka::util::Timeout;
use rdkafka::ClientConfig;
use tracing::{info, warn};

use crate::kafka::{headers, keys};
use crate::tenant::Tenant;

/// How long a send may wait for room in librdkafka's local queue before it fails.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a message did not reach its topic.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PublishError {
    /// The broker refused the message, or it timed out in librdkafka (`message.timeout.ms`).
    #[error("delivery failed: {0}")]
    Delivery(KafkaError),
    /// The producer actor is gone (the process is shutting down).
    #[error("producer is stopped")]
    Stopped,
}

/// Produce one message and report its delivery. Its `Debug` shows the payload's size only (a
/// CREATE carries a password).
#[derive(Message)]
#[rtype(result = "Result<(), PublishError>")]
pub struct Publish {
    pub topic: Arc<str>,
    pub key: Vec<u8>,
    pub headers: OwnedHeaders,
    /// `None` is a tombstone (compacted topics).
    pub payload: Option<Vec<u8>>,
}

impl std::fmt::Debug for Publish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publish")
            .field("topic", &self.topic)
            .field("key", &self.key)
            .field("payload_len", &self.payload.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

impl Publish {
    /// A message of `tenant` keyed by `account_id`, carrying the current span's trace context.
    pub fn new(topic: &Arc<str>, tenant: &Tenant, account_id: u32, payload: Vec<u8>) -> Publish {
        Publish {
            topic: Arc::clone(topic),
            key: keys::account_key(account_id).to_vec(),
            headers: headers::outgoing(tenant, &tracing::Span::current()),
            payload: Some(payload),
        }
    }
}

/// Wait until every queued message is delivered or `timeout` passes.
#[derive(Message)]
#[rtype(result = "Result<(), PublishError>")]
pub struct Flush {
    pub timeout: Duration,
}

/// Owner of the process's single rdkafka producer.
pub struct Producer {
    inner: FutureProducer,
    /// Where deliveries to one topic (the session status topic) are remembered.
    watched: Option<Arc<Delivered>>,
}

impl Producer {
    pub fn new(config: &ClientConfig) -> Result<Producer, KafkaError> {
        Ok(Producer {
            inner: config.create()?,
            watched: None,
        })
    }

    /// Remembers the offsets of what it delivers to `delivered`'s topic there.
    pub fn watching(mut self, delivered: Arc<Delivered>) -> Producer {
        self.watched = Some(delivered);
        self
    }
}

/// The highest offset delivered on each partition of one topic, seeded with the topic's ends
/// at start-up: a message produced after a snapshot of it lies above the snapshot's offset of
/// its partition (crash recovery looks for a session's DESTROYED from there).
#[derive(Debug)]
pub struct Delivered {
    pub topic: Arc<str>,
    offsets: std::sync::Mutex<std::collections::BTreeMap<i32, i64>>,
}

impl Delivered {
    pub fn new(topic: &str, ends: impl IntoIterator<Item = (i32, i64)>) -> Delivered {
        Delivered {
            topic: topic.into(),
            offsets: std::sync::Mutex::new(ends.into_iter().collect()),
        }
    }

    fn record(&self, partition: i32, offset: i64) {
        let mut offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        let at = offsets.entry(partition).or_insert(offset);
        *at = (*at).max(offset);
    }

    /// Per partition, an offset below every message produced from now on.
    pub fn floor(&self) -> Vec<(i32, i64)> {
        let offsets = self.offsets.lock().unwrap_or_else(|e| e.into_inner());
        offsets.iter().map(|(p, o)| (*p, *o)).collect()
    }
}

impl Actor for Producer {
    type Context = Context<Self>;

    fn stopping(&mut self, _: &mut Self::Context) -> Running {
        // Dropping an rdkafka producer purges its queue: give queued messages a last chance, on
        // a blocking thread (never the actors' thread), which the runtime waits for as it ends.
        let queued = self.inner.in_flight_count();
        if queued > 0 {
            info!(queued, "Flushing the producer before it stops.");
            let producer = self.inner.clone();
            actix_rt::task::spawn_blocking(move || {
                if let Err(error) = producer.flush(Duration::from_secs(5)) {
                    warn!(%error, "Producer flush on stop did not finish.");
                }
            });
        }
        Running::Stop
    }
}

impl Handler<Publish> for Producer {
    type Result = ResponseFuture<Result<(), PublishError>>;

    fn handle(&mut self, msg: Publish, _: &mut Self::Context) -> Self::Result {
        let producer = self.inner.clone();
        let watched = self
            .watched
            .as_ref()
            .filter(|w| w.topic == msg.topic)
            .cloned();
        Box::pin(async move {
            let mut record = FutureRecord::to(&msg.topic)
                .key(&msg.key[..])
                .headers(msg.headers);
            if let Some(payload) = &msg.payload {
                record = record.payload(payload);
            }
            let sent = std::time::Instant::now();
            let delivered = producer.send(record, Timeout::After(QUEUE_TIMEOUT)).await;
            crate::metrics::produced(&msg.topic, delivered.is_ok(), sent.elapsed());
            match delivered {
                Ok(delivery) => {
                    if let Some(watched) = watched {
                        watched.record(delivery.partition, delivery.offset);
                    }
                    Ok(())
                }
                Err((error, _)) => {
                    warn!(topic = %msg.topic, %error, "Message not delivered.");
                    Err(PublishError::Delivery(error))
                }
            }
        })
    }
}

impl Handler<Flush> for Producer {
    type Result = ResponseFuture<Result<(), PublishError>>;

    fn handle(&mut self, msg: Flush, _: &mut Self::Context) -> Self::Result {
        let producer = self.inner.clone();
        Box::pin(async move {
            let flushed = tokio::task::spawn_blocking(move || producer.flush(msg.timeout)).await;
            match flushed {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(PublishError::Delivery(error)),
                Err(_) => Err(PublishError::Stopped),
            }
        })
    }
}

/// Sends `msg` through `producer` and awaits its delivery.
pub async fn publish(producer: &Recipient<Publish>, msg: Publish) -> Result<(), PublishError> {
    producer
        .send(msg)
        .await
        .unwrap_or(Err(PublishError::Stopped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_the_highest_delivered_offset_per_partition_from_the_seeded_ends() {
        let d = Delivered::new("status", [(0, 10), (1, 0)]);
        d.record(0, 12);
        d.record(0, 11);
        d.record(2, 5);
        assert_eq!(d.floor(), vec![(0, 12), (1, 0), (2, 5)]);
    }
}
