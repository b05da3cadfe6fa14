//! Routing decisions without a broker: messages built in memory, sessions as capturing actors.

use std::collections::HashMap;
use std::sync::Mutex;

use actix::prelude::*;
use rdkafka::message::{Header, OwnedHeaders, OwnedMessage};
use rdkafka::Timestamp;
use uuid::Uuid;

use super::*;
use crate::config::TenantConfig;
use crate::kafka::delivery::Deliverer;
use crate::kafka::producer::Publish;

const TENANT: &str = "083839c6-c47c-42a6-9585-76492795d123";

/// Records what it receives.
#[derive(Default)]
struct Capture(Arc<Mutex<Vec<Inbound>>>);

impl Actor for Capture {
    type Context = Context<Self>;
}

impl Handler<SessionEvent> for Capture {
    type Result = ();
    fn handle(&mut self, msg: SessionEvent, _: &mut Context<Self>) {
        self.0.lock().unwrap().push(msg.inbound);
    }
}

impl Handler<Publish> for Capture {
    type Result = Result<(), crate::kafka::producer::PublishError>;
    fn handle(&mut self, msg: Publish, _: &mut Context<Self>) -> Self::Result {
        let payload: serde_json::Value =
            serde_json::from_slice(msg.payload.as_deref().unwrap()).unwrap();
        let body = serde_json::json!({ "released": payload });
        self.0
            .lock()
            .unwrap()
            .push(Inbound::Seed(crate::message::seed::SeedBody::Unknown(
                body.to_string(),
            )));
        Ok(())
    }
}

struct Fixture {
    router: Router,
    directory: Arc<Directory>,
    registry: Arc<AccountRegistry>,
    released: Arc<Mutex<Vec<Inbound>>>,
    acks: std::sync::mpsc::Receiver<u64>,
    ack_to: std::sync::mpsc::Sender<u64>,
    batches: u64,
}

impl Fixture {
    /// Hands the routed events over as one batch; its number.
    fn flush(&mut self) -> u64 {
        self.batches += 1;
        let ack = BatchAck::new(self.batches, self.ack_to.clone());
        self.router.flush(ack);
        self.batches
    }
}

/// This instance's session ids in the tests.
fn ids() -> SessionIds {
    SessionIds::new(Uuid::from_u128(0x5e55))
}

fn fixture() -> Fixture {
    let tenants = Arc::new(Tenants::new(&[TenantConfig {
        id: TENANT.parse().unwrap(),
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        port: 0,
        channels: vec![],
        ..Default::default()
    }]));
    let directory = Arc::new(Directory::default());
    let registry = Arc::new(AccountRegistry::default());
    let released = Arc::new(Mutex::new(Vec::new()));
    let producer = Capture(Arc::clone(&released)).start().recipient();
    let topics = ConsumedTopics {
        account_status: "as".into(),
        account_session_status: "ass".into(),
        seed_status: "ss".into(),
    };
    let router = Router::new(
        topics,
        tenants,
        Arc::clone(&directory),
        Arc::clone(&registry),
        Outbox::new("cmd", "status"),
        ids(),
        Deliverer::new(Arc::clone(&directory), producer)
            .start()
            .recipient(),
    );
    let (ack_to, acks) = std::sync::mpsc::channel();
    Fixture {
        router,
        directory,
        registry,
        released,
        acks,
        ack_to,
        batches: 0,
    }
}

fn headers(tenant: &str, major: &[u8]) -> OwnedHeaders {
    OwnedHeaders::new()
        .insert(Header {
            key: "TENANT_ID",
            value: Some(tenant),
        })
        .insert(Header {
            key: "REGION",
            value: Some("GMS"),
        })
        .insert(Header {
            key: "MAJOR_VERSION",
            value: Some(major),
        })
        .insert(Header {
            key: "MINOR_VERSION",
            value: Some(&[0u8, 1][..]),
        })
}

fn message(topic: &str, payload: &str, headers: Option<OwnedHeaders>) -> OwnedMessage {
    OwnedMessage::new(
        Some(payload.as_bytes().to_vec()),
        None,
        topic.into(),
        Timestamp::NotAvailable,
        0,
        7,
        headers,
    )
}

fn gms(topic: &str, payload: &str) -> OwnedMessage {
    message(topic, payload, Some(headers(TENANT, &[0, 0x53])))
}

/// A session in the directory, capturing what it is sent.
fn session(f: &Fixture, id: Uuid) -> Arc<Mutex<Vec<Inbound>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    f.directory
        .insert(id, Capture(Arc::clone(&seen)).start().recipient());
    seen
}

async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

#[actix::test]
async fn an_event_for_a_held_session_is_routed_to_it() {
    let mut f = fixture();
    let id = Uuid::new_v4();
    let seen = session(&f, id);
    let created = format!(
        r#"{{"sessionId":"{id}","accountId":1,"accountName":"admin","type":"CREATED","body":{{}}}}"#
    );
    assert_eq!(f.router.dispatch(&gms("ass", &created)), Outcome::Routed);
    f.flush();
    settle().await;
    assert!(matches!(&seen.lock().unwrap()[..], [Inbound::Peer(e)] if e.account_id == 1));
}

#[actix::test]
async fn a_batch_is_acknowledged_once_its_events_are_in_their_mailboxes() {
    let mut f = fixture();
    let id = Uuid::new_v4();
    let seen = session(&f, id);
    let created = format!(
        r#"{{"sessionId":"{id}","accountId":1,"accountName":"admin","type":"CREATED","body":{{}}}}"#
    );
    f.router.dispatch(&gms("ass", &created));
    f.router.dispatch(&gms("ass", &created));
    assert_eq!(f.router.pending(), 2);
    let batch = f.flush();
    assert_eq!(f.router.pending(), 0);
    assert!(f.acks.try_recv().is_err(), "not before the deliverer ran");
    settle().await;
    assert_eq!(f.acks.try_recv(), Ok(batch));
    assert_eq!(seen.lock().unwrap().len(), 2);
    // A batch whose session ended after routing is acknowledged all the same.
    assert_eq!(f.router.dispatch(&gms("ass", &created)), Outcome::Routed);
    f.directory.remove(id, 0, 0, None);
    let gone = f.flush();
    settle().await;
    assert_eq!(f.acks.try_recv(), Ok(gone));
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "nothing reached the ended session"
    );
}

#[actix::test]
async fn events_of_other_sessions_tenants_or_shapes_are_skipped() {
    let mut f = fixture();
    let other = format!(
        r#"{{"sessionId":"{}","accountId":1,"type":"CREATED","body":{{}}}}"#,
        Uuid::new_v4()
    );
    assert_eq!(f.router.dispatch(&gms("ass", &other)), Outcome::NotOurs);
    // Tenant checks apply to the events of sessions this instance holds.
    let held = Uuid::new_v4();
    let _seen = session(&f, held);
    let other = format!(r#"{{"sessionId":"{held}","accountId":1,"type":"CREATED","body":{{}}}}"#);
    let elsewhere = message(
        "ass",
        &other,
        Some(headers("11111111-c47c-42a6-9585-76492795d123", &[0, 0x53])),
    );
    assert_eq!(f.router.dispatch(&elsewhere), Outcome::OtherTenant);
    let text_major = message("ass", &other, Some(headers(TENANT, b"083")));
    assert_eq!(f.router.dispatch(&text_major), Outcome::NoTenant);
    assert_eq!(
        f.router.dispatch(&message("ass", &other, None)),
        Outcome::NoTenant
    );
    assert_eq!(
        f.router.dispatch(&gms("ass", "not json")),
        Outcome::Undecodable
    );
    assert_eq!(
        f.router.dispatch(&gms("unknown-topic", &other)),
        Outcome::Ignored
    );
}

#[actix::test]
async fn an_unknown_event_type_for_a_held_session_is_ignored() {
    let mut f = fixture();
    let id = Uuid::new_v4();
    let seen = session(&f, id);
    let odd = format!(r#"{{"sessionId":"{id}","accountId":1,"type":"TELEPORTED","body":{{}}}}"#);
    assert_eq!(f.router.dispatch(&gms("ass", &odd)), Outcome::Ignored);
    f.flush();
    settle().await;
    assert!(seen.lock().unwrap().is_empty());
}

#[actix::test]
async fn account_status_is_recorded_in_consumption_order() {
    let mut f = fixture();
    assert_eq!(
        f.router.dispatch(&gms(
            "as",
            r#"{"account_id":1,"name":"admin","status":"LOGGED_IN"}"#
        )),
        Outcome::Recorded
    );
    assert_eq!(
        f.router.dispatch(&gms(
            "as",
            r#"{"account_id":1,"name":"admin","status":"CREATED"}"#
        )),
        Outcome::Ignored
    );
    assert_eq!(
        f.router.dispatch(&gms(
            "as",
            r#"{"account_id":1,"name":"admin","status":"LOGGED_OUT"}"#
        )),
        Outcome::Recorded
    );
    let last = f.registry.last(0, 1).unwrap();
    assert!(!last.logged_in);
    assert_eq!(last.seq, 3);
}

#[actix::test]
async fn seed_events_go_to_every_session_of_the_account() {
    let mut f = fixture();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let (seen_a, seen_b) = (session(&f, a), session(&f, b));
    f.directory.bind(a, 0, 9);
    f.directory.bind(b, 0, 9);
    let seed = r#"{"accountId":9,"type":"CREATED","body":{"characterId":5}}"#;
    assert_eq!(f.router.dispatch(&gms("ss", seed)), Outcome::Routed);
    assert_eq!(
        f.router.dispatch(&gms(
            "ss",
            r#"{"accountId":8,"type":"CREATED","body":{"characterId":5}}"#
        )),
        Outcome::NotOurs
    );
    f.flush();
    settle().await;
    assert_eq!(seen_a.lock().unwrap().len(), 1);
    assert_eq!(seen_b.lock().unwrap().len(), 1);
}

#[actix::test]
async fn a_login_answer_for_a_session_of_this_instance_that_is_gone_releases_the_account() {
    let mut f = fixture();
    let id = ids().next(); // never live here, or ended long ago: the same to the router
    let created = format!(
        r#"{{"sessionId":"{id}","accountId":4,"accountName":"x","type":"CREATED","body":{{}}}}"#
    );
    assert_eq!(f.router.dispatch(&gms("ass", &created)), Outcome::Released);
    let error = format!(
        r#"{{"sessionId":"{id}","accountId":0,"type":"ERROR","body":{{"code":"SYSTEM_ERROR"}}}}"#
    );
    assert_eq!(f.router.dispatch(&gms("ass", &error)), Outcome::NotOurs);
    let foreign = Uuid::new_v4();
    let theirs = created.replace(&id.to_string(), &foreign.to_string());
    assert_eq!(
        f.router.dispatch(&gms("ass", &theirs)),
        Outcome::NotOurs,
        "another instance's session is not released by this one"
    );
    let batch = f.flush();
    settle().await;
    assert_eq!(
        f.acks.try_recv(),
        Ok(batch),
        "acknowledged once the LOGOUT is delivered"
    );
    let released = f.released.lock().unwrap();
    let [Inbound::Seed(crate::message::seed::SeedBody::Unknown(logout))] = &released[..] else {
        panic!("{released:?}")
    };
    let logout: serde_json::Value = serde_json::from_str(logout).unwrap();
    assert_eq!(logout["released"]["type"], "LOGOUT");
    assert_eq!(logout["released"]["accountId"], 4);
    assert_eq!(logout["released"]["sessionId"], id.to_string());
}

#[actix::test]
async fn a_replayed_answer_for_a_session_recovery_ended_with_that_account_is_not_released_again() {
    let mut f = fixture();
    let (recovered, unbound) = (ids().next(), ids().next());
    f.router = std::mem::replace(&mut f.router, fixture().router)
        .with_recovered(HashMap::from([(recovered, 4), (unbound, 0)]));
    let created = |id: Uuid| {
        format!(
            r#"{{"sessionId":"{id}","accountId":4,"accountName":"x","type":"CREATED","body":{{}}}}"#
        )
    };
    assert_eq!(
        f.router.dispatch(&gms("ass", &created(recovered))),
        Outcome::NotOurs
    );
    assert_eq!(
        f.router.dispatch(&gms("ass", &created(unbound))),
        Outcome::Released,
        "recovery ended it unbound: the account of its late answer is still to release"
    );
}

#[test]
fn outcome_discriminants_index_all() {
    for (i, o) in Outcome::ALL.iter().enumerate() {
        assert_eq!(*o as usize, i);
    }
}

#[test]
fn the_leading_session_id_is_read_only_from_gos_field_order() {
    let id = Uuid::new_v4();
    assert_eq!(
        leading_session_id(format!(r#"{{"sessionId":"{id}","accountId":1}}"#).as_bytes()),
        Some(id)
    );
    assert_eq!(
        leading_session_id(format!(r#"{{"accountId":1,"sessionId":"{id}"}}"#).as_bytes()),
        None
    );
    assert_eq!(
        leading_session_id(format!(r#"{{ "sessionId": "{id}"}}"#).as_bytes()),
        None
    );
    assert_eq!(
        leading_session_id(br#"{"sessionId":"not-a-uuid-at-all-but-36-characters!"}"#),
        None
    );
    assert_eq!(leading_session_id(br#"{"sessionId":"#), None);
}

#[actix::test]
async fn a_miss_is_decided_without_headers() {
    let mut f = fixture();
    let other = format!(
        r#"{{"sessionId":"{}","accountId":1,"type":"CREATED","body":{{}}}}"#,
        Uuid::new_v4()
    );
    // No tenant headers at all: still a plain miss, not a skipped poison message.
    assert_eq!(
        f.router.dispatch(&message("ass", &other, None)),
        Outcome::NotOurs
    );
}
