//! The simulated character factory's reports on Kafka: a [`SeedSink`] that produces the seed
//! status events atlas-character-factory would (`wire-contract.md` §2) to
//! `EVENT_TOPIC_SEED_STATUS`, with the request's tenant headers (§3, through
//! [`headers::outgoing`]), a child of the request's trace, and the account's key (§4). Talks
//! to the broker through one idempotent producer ([`client::producer_config`]).

use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use serde::Serialize;
use tracing::{debug, info_span, warn};

use super::{SeedOrigin, SeedSink};
use crate::config::KafkaProperties;
use crate::kafka::{client, headers, keys};
use crate::message::go_json;
use crate::tenant::Tenant;

/// Produces seed status events; cheap to clone (one shared producer), so the owner can keep a
/// clone to [`flush`](KafkaSeeds::flush) at shutdown after handing one to the simulator.
#[derive(Clone)]
pub struct KafkaSeeds {
    producer: FutureProducer,
    topic: String,
}

/// `{"accountId":u32,"type":s,"body":B}`, members in this order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event<'a, B> {
    account_id: u32,
    #[serde(rename = "type")]
    kind: &'a str,
    body: B,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatedBody {
    character_id: u32,
}

#[derive(Serialize)]
struct FailedBody<'a> {
    reason: &'a str,
}

/// `{"accountId":…,"type":"CREATED","body":{"characterId":…}}`, compact, as Go writes it.
pub fn created_payload(account_id: u32, character_id: u32) -> Vec<u8> {
    let body = CreatedBody { character_id };
    encode(account_id, "CREATED", body)
}

/// `{"accountId":…,"type":"FAILED","body":{"reason":…}}`, compact, with Go's escaping.
pub fn failed_payload(account_id: u32, reason: &str) -> Vec<u8> {
    encode(account_id, "FAILED", FailedBody { reason })
}

fn encode<B: Serialize>(account_id: u32, kind: &str, body: B) -> Vec<u8> {
    let event = Event {
        account_id,
        kind,
        body,
    };
    go_json::to_vec(&event).expect("a struct of integers and strings always serialises")
}

impl KafkaSeeds {
    /// A producer for `topic` on `bootstrap`, with the service's producer settings and the
    /// `KAFKA_*` pass-through. Connects lazily: no broker round trip here.
    pub fn new(
        bootstrap: &str,
        kafka: &KafkaProperties,
        topic: &str,
    ) -> Result<KafkaSeeds, KafkaError> {
        let producer = client::producer_config(bootstrap, kafka).create()?;
        Ok(KafkaSeeds {
            producer,
            topic: topic.to_owned(),
        })
    }

    /// The topic the events go to.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Waits up to `timeout` for every enqueued event to be delivered (dropping the last clone
    /// of a producer discards what it still holds). Blocking: call it off the async threads.
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.producer.flush(timeout)
    }

    /// Enqueues one event without waiting; its delivery is awaited by a task of the current
    /// tokio runtime, which only logs a failure.
    fn produce(&self, origin: &SeedOrigin, account_id: u32, kind: &'static str, payload: &[u8]) {
        let span = info_span!("seed_status", account_id, kind);
        headers::adopt_parent(&span, Some(&trace_headers(origin)));
        let t = &origin.tenant;
        let tenant = Tenant::from_parts(t.id, &t.region, t.major, t.minor);
        let key = keys::account_key(account_id);
        let record = FutureRecord::to(&self.topic)
            .key(&key[..])
            .headers(headers::outgoing(&tenant, &span))
            .payload(payload);
        match self.producer.send_result(record) {
            Ok(delivery) => {
                debug!(topic = %self.topic, account_id, kind, "Atlas simulator: seed status enqueued.");
                let topic = self.topic.clone();
                let report = async move {
                    if !matches!(delivery.await, Ok(Ok(_))) {
                        warn!(
                            topic,
                            account_id, kind, "Atlas simulator: seed status not delivered."
                        );
                    }
                };
                // Outside a runtime the delivery still happens; only its report is not read.
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(report);
                }
            }
            Err((error, _)) => {
                warn!(%error, topic = %self.topic, account_id, kind, "Atlas simulator: seed status not enqueued.");
            }
        }
    }
}

/// The request's trace context as message headers, for [`headers::adopt_parent`].
fn trace_headers(origin: &SeedOrigin) -> OwnedHeaders {
    let mut carried = OwnedHeaders::new_with_capacity(2);
    for (key, value) in [
        ("traceparent", &origin.traceparent),
        ("tracestate", &origin.tracestate),
    ] {
        if let Some(value) = value {
            carried = carried.insert(Header {
                key,
                value: Some(value.as_bytes()),
            });
        }
    }
    carried
}

impl SeedSink for KafkaSeeds {
    fn seed_created(&self, origin: &SeedOrigin, account_id: u32, character_id: u32) {
        let payload = created_payload(account_id, character_id);
        self.produce(origin, account_id, "CREATED", &payload);
    }

    fn seed_failed(&self, origin: &SeedOrigin, account_id: u32, reason: &str) {
        let payload = failed_payload(account_id, reason);
        self.produce(origin, account_id, "FAILED", &payload);
    }
}

#[cfg(test)]
mod tests {
    use rdkafka::message::Headers;
    use uuid::Uuid;

    use super::*;
    use crate::message::seed::{SeedBody, StatusEvent};
    use crate::sim::atlas::SimTenant;

    fn origin(traceparent: Option<&str>, tracestate: Option<&str>) -> SeedOrigin {
        SeedOrigin {
            tenant: SimTenant {
                id: Uuid::nil(),
                region: "GMS".into(),
                major: 83,
                minor: 1,
            },
            traceparent: traceparent.map(str::to_owned),
            tracestate: tracestate.map(str::to_owned),
        }
    }

    #[test]
    fn created_is_the_factory_s_exact_json() {
        assert_eq!(
            created_payload(6, 42),
            br#"{"accountId":6,"type":"CREATED","body":{"characterId":42}}"#
        );
    }

    #[test]
    fn failed_carries_the_reason_with_go_s_escaping() {
        assert_eq!(
            failed_payload(6, "name <Bob> & co is taken"),
            br#"{"accountId":6,"type":"FAILED","body":{"reason":"name \u003cBob\u003e \u0026 co is taken"}}"#
        );
    }

    #[test]
    fn the_service_s_decoder_reads_both_events_back() {
        let created = StatusEvent::decode(&created_payload(u32::MAX, 7)).expect("created");
        assert_eq!(
            (created.account_id, created.body),
            (u32::MAX, SeedBody::Created { character_id: 7 })
        );
        let failed =
            StatusEvent::decode(&failed_payload(3, "no free character slot")).expect("failed");
        assert_eq!(
            failed.body,
            SeedBody::Failed {
                reason: "no free character slot".into()
            }
        );
    }

    #[test]
    fn the_request_s_trace_context_becomes_headers_to_adopt() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let h = trace_headers(&origin(Some(tp), Some("congo=t61rcWkgMzE")));
        let pairs: Vec<(&str, Option<&[u8]>)> = h.iter().map(|x| (x.key, x.value)).collect();
        assert_eq!(
            pairs,
            [
                ("traceparent", Some(tp.as_bytes())),
                ("tracestate", Some(&b"congo=t61rcWkgMzE"[..]))
            ]
        );
        assert_eq!(trace_headers(&origin(None, None)).count(), 0);
    }
}
