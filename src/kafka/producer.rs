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

/// Produce one message and report its delivery.
#[derive(Message)]
#[rtype(result = "Result<(), PublishError>")]
pub struct Publish {
    pub topic: Arc<str>,
    pub key: Vec<u8>,
    pub headers: OwnedHeaders,
    /// `None` is a tombstone (compacted topics).
    pub payload: Option<Vec<u8>>,
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
}

impl Producer {
    pub fn new(config: &ClientConfig) -> Result<Producer, KafkaError> {
        Ok(Producer {
            inner: config.create()?,
        })
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
                Ok(_) => Ok(()),
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
