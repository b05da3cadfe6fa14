//! librdkafka client settings: the service's defaults, then the `KAFKA_*` pass-through on top,
//! so operators can reach TLS/SASL clusters or tune the clients without code changes. A
//! `KAFKA_*` property goes to both clients, but each takes only what librdkafka itself lists as
//! its own (its property table, read once from the linked library), so a consumer-only property
//! never reaches the producer (no CONFWARN lines); `KAFKA_PRODUCER_*` and `KAFKA_CONSUMER_*` go
//! to one client only.

use std::collections::HashMap;
use std::sync::OnceLock;

use rdkafka::ClientConfig;

use crate::config::KafkaProperties;

/// Both clients reconnect to a broker that came back within a second (`reconnect.backoff.max.ms`
/// 1000 rather than librdkafka's 10 s), so logins work again soon after an outage.
///
/// Producer defaults. Callers await delivery (a session answers its client only once its command
/// is on the topic), so `linger.ms` is 0 rather than librdkafka's 5: each awaited send would
/// otherwise pay the linger (measured here: even 1 ms cost several ms per awaited send); under
/// load, messages still batch while earlier requests are in flight. Idempotence with `acks=all`
/// keeps every command on the topic exactly once and in order per partition, even across
/// retries.
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

/// Which client a librdkafka property belongs to (the `C/P` column of its property table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Producer,
    Consumer,
}

/// The producer's configuration: its defaults, then the pass-through properties for it.
pub fn producer_config(bootstrap: &str, kafka: &KafkaProperties) -> ClientConfig {
    client_config(
        bootstrap,
        PRODUCER_DEFAULTS,
        &overrides(kafka, Role::Producer),
    )
}

/// The consumer's configuration: its defaults, then the pass-through properties for it.
pub fn consumer_config(bootstrap: &str, kafka: &KafkaProperties) -> ClientConfig {
    client_config(
        bootstrap,
        CONSUMER_DEFAULTS,
        &overrides(kafka, Role::Consumer),
    )
}

/// A configuration for the admin calls and helper consumers beside the consumer (no defaults,
/// the consumer's pass-through properties).
pub fn admin_config(bootstrap: &str, kafka: &KafkaProperties) -> ClientConfig {
    client_config(bootstrap, &[], &overrides(kafka, Role::Consumer))
}

/// The pass-through properties `role` takes: the common ones that are not the other client's,
/// then its own scoped ones (which win).
pub fn overrides(kafka: &KafkaProperties, role: Role) -> Vec<(String, String)> {
    let own = match role {
        Role::Producer => &kafka.producer,
        Role::Consumer => &kafka.consumer,
    };
    kafka
        .common
        .iter()
        .filter(|(name, _)| belongs_to(name, role))
        .chain(own)
        .cloned()
        .collect()
}

/// A client configuration: bootstrap servers, the given defaults, then the pass-through
/// settings (which win).
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

/// Whether `role` takes the property: librdkafka lists it for both clients (`*`) or for that
/// one; a name it does not list goes to both, so that librdkafka refuses it by name at start-up.
fn belongs_to(name: &str, role: Role) -> bool {
    match scopes().get(name) {
        Some(b'C') => role == Role::Consumer,
        Some(b'P') => role == Role::Producer,
        _ => true,
    }
}

/// librdkafka's property table: property name → `C`, `P` or `*`.
fn scopes() -> &'static HashMap<String, u8> {
    static SCOPES: OnceLock<HashMap<String, u8>> = OnceLock::new();
    SCOPES.get_or_init(|| parse_scopes(&properties_table()))
}

/// The rows `name | C/P | …` of librdkafka's property tables (global and topic).
fn parse_scopes(table: &str) -> HashMap<String, u8> {
    table
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim);
            let (name, scope) = (cells.next()?, cells.next()?);
            let scope = match scope {
                "C" | "P" | "*" => scope.as_bytes()[0],
                _ => return None,
            };
            Some((name.to_owned(), scope))
        })
        .collect()
}

/// librdkafka's own description of its properties (`rd_kafka_conf_properties_show`), as text.
fn properties_table() -> String {
    // SAFETY: a temporary FILE opened here, written by librdkafka, read back and closed here;
    // every pointer is checked for null and used only while the file is open.
    unsafe {
        let file = libc::tmpfile();
        if file.is_null() {
            return String::new();
        }
        rdkafka::bindings::rd_kafka_conf_properties_show(file);
        libc::fflush(file);
        libc::rewind(file);
        let mut text = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = libc::fread(chunk.as_mut_ptr().cast(), 1, chunk.len(), file);
            if n == 0 {
                break;
            }
            text.extend_from_slice(&chunk[..n]);
        }
        libc::fclose(file);
        String::from_utf8_lossy(&text).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(common: &[(&str, &str)], producer: &[(&str, &str)]) -> KafkaProperties {
        let own = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        KafkaProperties {
            common: own(common),
            producer: own(producer),
            consumer: vec![],
        }
    }

    #[test]
    fn pass_through_settings_override_defaults() {
        let kafka = props(
            &[("linger.ms", "3"), ("security.protocol", "SASL_SSL")],
            &[],
        );
        let c = producer_config("a:1,b:2", &kafka);
        assert_eq!(c.get("bootstrap.servers"), Some("a:1,b:2"));
        assert_eq!(c.get("linger.ms"), Some("3"));
        assert_eq!(c.get("acks"), Some("all"));
        assert_eq!(c.get("security.protocol"), Some("SASL_SSL"));
    }

    #[test]
    fn librdkafka_says_which_client_a_property_belongs_to() {
        let table = scopes();
        assert_eq!(table.get("session.timeout.ms"), Some(&b'C'));
        assert_eq!(table.get("linger.ms"), Some(&b'P'));
        assert_eq!(table.get("security.protocol"), Some(&b'*'));
        assert_eq!(table.get("acks"), Some(&b'P'), "topic-level properties too");
        assert_eq!(table.get("auto.offset.reset"), Some(&b'C'));
    }

    #[test]
    fn a_common_property_reaches_only_the_client_it_belongs_to() {
        let kafka = props(
            &[
                ("session.timeout.ms", "6000"),
                ("linger.ms", "2"),
                ("client.id", "login"),
                ("no.such.property", "x"),
            ],
            &[("batch.size", "1000")],
        );
        let names = |role| -> Vec<String> {
            overrides(&kafka, role)
                .into_iter()
                .map(|(k, _)| k)
                .collect()
        };
        assert_eq!(
            names(Role::Producer),
            ["linger.ms", "client.id", "no.such.property", "batch.size"]
        );
        assert_eq!(
            names(Role::Consumer),
            ["session.timeout.ms", "client.id", "no.such.property"]
        );
    }
}
