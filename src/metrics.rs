//! Metrics: their names, the process-wide Prometheus recorder, and the recording helpers the
//! other boxes call. Labels are tenants, topics, reasons and outcomes, never session or account
//! ids. Rendered as Prometheus text by the admin listener.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram, Counter};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const SESSIONS_ACTIVE: &str = "login_sessions_active";
pub const SESSIONS_ENDED: &str = "login_sessions_ended_total";
pub const SESSIONS_REFUSED: &str = "login_sessions_refused_total";
pub const LOGINS: &str = "login_logins_total";
pub const LOGIN_DURATION: &str = "login_login_duration_seconds";
pub const EVENTS_CONSUMED: &str = "login_events_consumed_total";
pub const MESSAGES_PRODUCED: &str = "login_messages_produced_total";
pub const PRODUCE_DURATION: &str = "login_produce_duration_seconds";
pub const CONSUMER_LAG: &str = "login_consumer_lag";
pub const REQUESTS_DROPPED: &str = "login_requests_dropped_total";

/// Histogram buckets, in seconds: sub-millisecond to the login timeout.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder once per process; `None` if another recorder was installed
/// first (metrics then go there).
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_gauge!(SESSIONS_ACTIVE, "Live login sessions, by tenant.");
    describe_counter!(SESSIONS_ENDED, "Sessions ended, by tenant and reason.");
    describe_counter!(
        SESSIONS_REFUSED,
        "Connections refused by a session limit, by tenant and limit."
    );
    describe_counter!(LOGINS, "Answered logins, by tenant and outcome.");
    describe_histogram!(
        LOGIN_DURATION,
        Unit::Seconds,
        "Client login to its answer, by tenant."
    );
    describe_counter!(EVENTS_CONSUMED, "Consumed events, by topic and outcome.");
    describe_counter!(MESSAGES_PRODUCED, "Produced messages, by topic and result.");
    describe_histogram!(
        PRODUCE_DURATION,
        Unit::Seconds,
        "Send to delivery report, by topic."
    );
    describe_gauge!(
        CONSUMER_LAG,
        "Consumer lag in messages, by topic and partition."
    );
    describe_counter!(
        REQUESTS_DROPPED,
        "Client requests dropped unserved (a game packet before login, an unknown opcode, ...), by tenant and reason."
    );
}

/// The counter of consumed events of `topic` with `outcome` (kept by the router).
pub fn consumed(topic: &str, outcome: &'static str) -> Counter {
    counter!(EVENTS_CONSUMED, "topic" => topic.to_owned(), "outcome" => outcome)
}

pub fn produced(topic: &str, ok: bool, took: Duration) {
    let result = if ok { "ok" } else { "error" };
    counter!(MESSAGES_PRODUCED, "topic" => topic.to_owned(), "result" => result).increment(1);
    histogram!(PRODUCE_DURATION, "topic" => topic.to_owned()).record(took.as_secs_f64());
}

pub fn session_started(tenant: &str) {
    gauge!(SESSIONS_ACTIVE, "tenant" => tenant.to_owned()).increment(1.0);
}

pub fn session_ended(tenant: &str, reason: &'static str) {
    gauge!(SESSIONS_ACTIVE, "tenant" => tenant.to_owned()).decrement(1.0);
    counter!(SESSIONS_ENDED, "tenant" => tenant.to_owned(), "reason" => reason).increment(1);
}

pub fn session_refused(tenant: &str, limit: &'static str) {
    counter!(SESSIONS_REFUSED, "tenant" => tenant.to_owned(), "limit" => limit).increment(1);
}

/// A login got its answer: `outcome` is `ok`, `license_required`, `banned`, or the lowercased
/// error code (`incorrect_password`, `system_error`, ...).
pub fn login_answered(tenant: &str, outcome: &'static str, took: Duration) {
    counter!(LOGINS, "tenant" => tenant.to_owned(), "outcome" => outcome).increment(1);
    histogram!(LOGIN_DURATION, "tenant" => tenant.to_owned()).record(took.as_secs_f64());
}

pub fn consumer_lag(topic: &str, partition: i32, lag: i64) {
    gauge!(CONSUMER_LAG, "topic" => topic.to_owned(), "partition" => partition.to_string())
        .set(lag as f64);
}

/// A client request was dropped unserved; `reason` is one of a fixed set of labels.
pub fn request_dropped(tenant: &str, reason: &'static str) {
    counter!(REQUESTS_DROPPED, "tenant" => tenant.to_owned(), "reason" => reason).increment(1);
}
