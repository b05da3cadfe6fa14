//! librdkafka client settings: the service's defaults, then every `KAFKA_*` pass-through on top,
//! so operators can reach TLS/SASL clusters or tune the clients without code changes.

use rdkafka::ClientConfig;

/// Both clients reconnect to a broker that came back within a second (`reconnect.backoff.max.ms`
/// 1000 rather than librdkafka's 10 s), so logins work again soon after an outage.
///
/// Producer defaults. Callers await delivery (a session answers its client only once its command
/// is on the topic), so `linger.ms` is 0 rather than librdkafka's 5: each awaited send would
/// otherwise pay the linger (measured here: even 1 ms cost several ms per awaited send); under
/// load, messages still batch while earlier requests are in flight. Idempotence with `acks=all` keeps every command on the topic exactly once
/// and in order per partition, even across retries.
pub const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("reconnect.backoff.max.ms", "1000"),
    ("enable.idempotence", "true"),
    ("acks", "all"),
    ("linger.ms", "0"),
];

/// Consumer defaults. Offsets are stored by hand once an event was handed to its session
/// (at-least-once) and committed in the background. `fetch.wait.max.ms` is low so that a broker
/// which holds fetches for their whole wait (the test broker does) adds no latency to a login;
/// a real Kafka answers a waiting fetch as soon as data arrives, so there it only costs idle
/// fetch requests. `max.partition.fetch.bytes` is 8 MiB rather than 1 MiB: catching up on a
/// backlog then takes an eighth of the fetch requests, and each request of this consumer also
/// covers its idle topics' partitions (measured with `make bench`: filtering went from 0.63-0.81x
/// to 0.88-1.18x of a bare drain); memory stays bounded by `queued.max.messages.kbytes`.
/// `auto.offset.reset=latest` because a new group must not replay history (see `consumer` for
/// the start positions).
pub const CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("reconnect.backoff.max.ms", "1000"),
    ("enable.auto.commit", "true"),
    ("enable.auto.offset.store", "false"),
    ("auto.offset.reset", "latest"),
    ("fetch.wait.max.ms", "10"),
    ("max.partition.fetch.bytes", "8388608"),
    ("enable.partition.eof", "false"),
];

/// A client configuration: bootstrap servers, the given defaults, then the pass-through
/// `KAFKA_*` settings (which win).
pub fn client_config(
    bootstrap: &str,
    defaults: &[(&str, &str)],
    overrides: &[(String, String)],
) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    for (k, v) in defaults {
        config.set(*k, *v);
    }
    for (k, v) in overrides {
        config.set(k, v);
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_through_settings_override_defaults() {
        let c = client_config(
            "a:1,b:2",
            PRODUCER_DEFAULTS,
            &[
                ("linger.ms".into(), "3".into()),
                ("security.protocol".into(), "SASL_SSL".into()),
            ],
        );
        assert_eq!(c.get("bootstrap.servers"), Some("a:1,b:2"));
        assert_eq!(c.get("linger.ms"), Some("3"));
        assert_eq!(c.get("acks"), Some("all"));
        assert_eq!(c.get("security.protocol"), Some("SASL_SSL"));
    }
}
