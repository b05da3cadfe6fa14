//! The embedded broker: librdkafka's mock cluster, a Kafka-protocol broker inside this process
//! on an ephemeral 127.0.0.1 port, used when `BOOTSTRAP_SERVERS` is unset. For trying the
//! service only: it keeps just the newest 100,000 messages per partition and everything is gone
//! when the process exits.

use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, Producer as _};

/// A running mock cluster; dropping it stops the broker.
pub struct EmbeddedBroker {
    _owner: BaseProducer,
    bootstrap: String,
}

impl EmbeddedBroker {
    /// Starts a one-broker cluster with `topics` created, each with its partition count.
    pub fn start(topics: &[(&str, i32)]) -> Result<EmbeddedBroker, KafkaError> {
        let owner: BaseProducer = ClientConfig::new()
            .set("test.mock.num.brokers", "1")
            .create()?;
        let cluster = owner
            .client()
            .mock_cluster()
            .ok_or(KafkaError::ClientCreation(
                "librdkafka did not start a mock cluster".into(),
            ))?;
        // SAFETY: the pointer is the owner client's live mock cluster, checked for null; the
        // call only sets a number on it. Without it a consumer group's first join waits 3 s.
        unsafe {
            let raw = rdkafka::bindings::rd_kafka_handle_mock_cluster(owner.client().native_ptr());
            if !raw.is_null() {
                rdkafka::bindings::rd_kafka_mock_group_initial_rebalance_delay_ms(raw, 0);
            }
        }
        for (topic, partitions) in topics {
            match cluster.create_topic(topic, *partitions, 1) {
                Ok(()) | Err(KafkaError::AdminOp(RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err(error) => return Err(error),
            }
        }
        let bootstrap = cluster.bootstrap_servers();
        drop(cluster);
        Ok(EmbeddedBroker {
            _owner: owner,
            bootstrap,
        })
    }

    /// The broker's address, e.g. `127.0.0.1:39861`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap
    }
}
