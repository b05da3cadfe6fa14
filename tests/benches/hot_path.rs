//! Micro-benchmarks of the per-event hot path of the consume loop, without a broker: decoding a
//! STATE_CHANGED, matching the tenant headers, and routing one message (`Router::dispatch`) to a
//! held session (hit) or past a session this instance does not hold (miss, the common case with
//! several instances). The router runs with the service's telemetry installed, so a hit pays for
//! its event span and trace-context adoption as in production.
//!
//! `cargo bench --bench hot_path` (`make bench` runs it briefly at the end).

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use login_orchestrator::config::{LogFormat, TenantConfig};
use login_orchestrator::internals::{
    AccountRegistry, BatchAck, ConsumedTopics, Deliverer, Directory, Outbox, Outcome, Publish,
    PublishError, Router, SessionIds,
};
use login_orchestrator::kafka::headers;
use login_orchestrator::message::account_session::Envelope;
use login_orchestrator::session::SessionEvent;
use login_orchestrator::tenant::{Tenant, Tenants};
use rdkafka::message::{Header, OwnedHeaders, OwnedMessage, Timestamp};
use rdkafka::Message as _;
use uuid::Uuid;

const TOPIC: &str = "EVENT_TOPIC_ACCOUNT_SESSION_STATUS";
const SESSIONS: usize = 10_000;

fn tenant_config(id: &str, region: &str) -> TenantConfig {
    TenantConfig {
        id: id.parse().expect("uuid"),
        region: region.into(),
        major_version: 83,
        minor_version: 1,
        port: 0,
        channels: vec![],
        ..Default::default()
    }
}

/// The tenant headers and a `traceparent`, as a peer writes them.
fn event_headers(tenant: &Tenant, n: u64) -> OwnedHeaders {
    let traceparent = format!("00-{:032x}-{:016x}-01", u128::from(n) + 1, n + 1);
    headers::outgoing(tenant, &tracing::Span::none()).insert(Header {
        key: "traceparent",
        value: Some(traceparent.as_bytes()),
    })
}

/// A STATE_CHANGED with a channel address, as atlas-account writes it.
fn state_changed(session_id: Uuid, account_id: u32, name: &str, character_id: u32) -> Vec<u8> {
    format!(
        r#"{{"sessionId":"{session_id}","accountId":{account_id},"accountName":"{name}","type":"STATE_CHANGED","body":{{"state":2,"params":{{"characterId":{character_id},"ipAddress":"10.0.0.5","port":7575}}}}}}"#
    )
    .into_bytes()
}

fn message(tenant: &Tenant, session_id: Uuid, n: u64) -> OwnedMessage {
    let payload = state_changed(session_id, 1 + n as u32, "bench000001", 1);
    OwnedMessage::new(
        Some(payload),
        Some(vec![1, 0, 0, 0, 0, 0, 0, 0]),
        TOPIC.into(),
        Timestamp::CreateTime(0),
        0,
        n as i64,
        Some(event_headers(tenant, n)),
    )
}

/// Swallows whatever the router hands on.
struct Sink;
impl Actor for Sink {
    type Context = Context<Self>;
}
impl Handler<SessionEvent> for Sink {
    type Result = ();
    fn handle(&mut self, _: SessionEvent, _: &mut Context<Self>) {}
}
impl Handler<Publish> for Sink {
    type Result = Result<(), PublishError>;
    fn handle(&mut self, _: Publish, _: &mut Context<Self>) -> Self::Result {
        Ok(())
    }
}

/// A sink actor and the deliverer on a system thread of their own, as the session actors run
/// beside the consume loop.
fn sessions_thread(directory: Arc<Directory>) -> (Addr<Sink>, Addr<Deliverer>) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let system = System::new();
        system.block_on(async move {
            let sink = Sink.start();
            let deliverer = Deliverer::new(directory, sink.clone().recipient()).start();
            tx.send((sink, deliverer)).expect("send");
        });
        system.run().expect("system");
    });
    rx.recv().expect("sink address")
}

fn hot_path(c: &mut Criterion) {
    let _ = login_orchestrator::telemetry::init("warn", LogFormat::Text, None);
    let ours = tenant_config("083839c6-c47c-42a6-9585-76492795d123", "GMS");
    let theirs = tenant_config("d2a7a1a4-0000-4000-8000-000000000001", "JMS");
    let tenants = Arc::new(Tenants::new(std::slice::from_ref(&ours)));
    let tenant = Tenant::new(0, &ours);
    let other_tenant = Tenant::new(0, &theirs);

    let directory = Arc::new(Directory::default());
    let (sink, deliverer) = sessions_thread(Arc::clone(&directory));
    let ids: Vec<Uuid> = (0..SESSIONS).map(|_| Uuid::new_v4()).collect();
    for id in &ids {
        directory.insert(*id, sink.clone().recipient());
    }
    let topics = ConsumedTopics {
        account_status: "EVENT_TOPIC_ACCOUNT_STATUS".into(),
        account_session_status: TOPIC.into(),
        seed_status: "EVENT_TOPIC_SEED_STATUS".into(),
    };
    let mut router = Router::new(
        topics,
        Arc::clone(&tenants),
        Arc::clone(&directory),
        Arc::new(AccountRegistry::default()),
        Outbox::new(
            "COMMAND_TOPIC_ACCOUNT_SESSION",
            "EVENT_TOPIC_SESSION_STATUS",
        ),
        SessionIds::new(Uuid::from_u128(1)),
        deliverer.recipient(),
    );
    // Acknowledgements are drained as the consume loop drains them.
    let (ack_to, acks) = std::sync::mpsc::channel();
    let mut batch = 0;

    let hit = message(&tenant, ids[SESSIONS / 2], 7);
    let miss = message(&tenant, Uuid::new_v4(), 8);
    let foreign_tenant = message(&other_tenant, ids[0], 9);
    let payload = hit.payload().expect("payload").to_vec();

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(1));
    g.bench_function("envelope", |b| {
        b.iter(|| {
            Envelope::decode(black_box(&payload))
                .expect("decodes")
                .account_id
        })
    });
    g.bench_function("envelope_and_body", |b| {
        b.iter(|| {
            Envelope::decode(black_box(&payload))
                .expect("decodes")
                .into_event()
                .expect("decodes")
                .account_id
        })
    });
    g.finish();

    let mut g = c.benchmark_group("tenant");
    g.throughput(Throughput::Elements(1));
    g.bench_function("match", |b| {
        b.iter(|| tenants.find(&headers::tenant_headers(black_box(&hit).headers())))
    });
    g.bench_function("other_tenant", |b| {
        b.iter(|| {
            tenants.find(&headers::tenant_headers(
                black_box(&foreign_tenant).headers(),
            ))
        })
    });
    g.finish();

    let mut g = c.benchmark_group("route");
    g.throughput(Throughput::Elements(1));
    g.bench_function("miss", |b| {
        b.iter(|| assert_eq!(router.dispatch(black_box(&miss)), Outcome::NotOurs))
    });
    g.bench_function("hit", |b| {
        b.iter(|| {
            assert_eq!(router.dispatch(black_box(&hit)), Outcome::Routed);
            // Handed over in batches, as the consume loop does.
            if router.pending() >= 256 {
                batch += 1;
                router.flush(BatchAck::new(batch, ack_to.clone()));
                while acks.try_recv().is_ok() {}
            }
        })
    });
    g.bench_function("other_tenant", |b| {
        b.iter(|| {
            assert_eq!(
                router.dispatch(black_box(&foreign_tenant)),
                Outcome::OtherTenant
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = hot_path
}
criterion_main!(benches);
