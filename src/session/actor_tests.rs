//! The session actor without sockets or a broker: an in-memory connection, a capturing producer
//! and a capturing supervisor.

use std::sync::Mutex;

use super::*;
use crate::session::testing::{self, connection, until, Capture};

/// What the actor tells its supervisor, by kind.
#[derive(Default, Clone)]
struct Notices(Arc<Mutex<Vec<String>>>);

impl Actor for Notices {
    type Context = Context<Self>;
}

impl Handler<Notice> for Notices {
    type Result = ();
    fn handle(&mut self, notice: Notice, _: &mut Context<Self>) {
        let text = match notice {
            Notice::Bound(b) => format!("bound {} {}", b.account_id, b.account_name),
            Notice::Unbound(b) => format!("unbound {} {}", b.account_id, b.account_name),
            Notice::Replace(id) => format!("replace {id}"),
            Notice::Ended(e) => format!("ended {} {}", e.reason.as_str(), e.account_id),
        };
        self.0.lock().unwrap().push(text);
    }
}

fn created(id: Uuid) -> SessionEvent {
    testing::created(id, 1)
}

#[actix::test]
async fn a_login_sends_create_and_the_peers_answer_binds_and_logs_the_client_in() {
    let capture = Capture::default();
    let services = testing::services(capture.clone().start().recipient(), testing::limits());
    let notices = Notices::default();
    let (conn, mut client) = connection("192.168.1.10:5000");
    let id = Uuid::from_u128(42);
    let actor = SessionActor::new(id, conn, services, notices.clone().start().recipient()).start();
    client.expect("hello").await;
    client
        .send(r#"{"op":"login","accountName":"admin","password":"admin"}"#)
        .await;
    until("the CREATE", || capture.kinds().len() == 2).await;
    let create = capture.sent.lock().unwrap()[1].json.clone().unwrap();
    assert_eq!(create["type"], "CREATE");
    assert_eq!(create["accountId"], 0);
    assert_eq!(create["body"]["ipAddress"], "192.168.1.10");

    actor.do_send(created(id));
    let ok = client.expect("login_ok").await;
    assert_eq!(ok["accountId"], 1);
    until("the bind", || capture.kinds().len() == 4).await;
    assert_eq!(capture.kinds(), ["record", "CREATE", "record", "CREATED"]);
    let bound = capture.sent.lock().unwrap()[2].json.clone().unwrap();
    assert_eq!(bound["accountId"], 1, "the ledger knows the bound account");
    assert_eq!(notices.0.lock().unwrap()[..], ["bound 1 admin"]);

    actor.do_send(created(id)); // a redelivery changes nothing
    client.send(r#"{"op":"logout"}"#).await;
    client.expect("bye").await;
    until("the end", || notices.0.lock().unwrap().len() == 2).await;
    assert_eq!(notices.0.lock().unwrap()[1], "ended logout 1");
    assert_eq!(
        capture.kinds().len(),
        4,
        "the supervisor, not the actor, sends the end"
    );
}

#[actix::test]
async fn a_session_actor_that_dies_still_reports_its_end_once() {
    let capture = Capture::default();
    let services = testing::services(capture.clone().start().recipient(), testing::limits());
    let notices = Notices::default();
    let (conn, mut client) = connection("10.0.0.1:1");
    let actor = SessionActor::new(
        Uuid::from_u128(7),
        conn,
        services,
        notices.clone().start().recipient(),
    );
    let addr = actor.start();
    client.expect("hello").await;
    drop(client); // the client goes away
    until("the end", || !notices.0.lock().unwrap().is_empty()).await;
    assert_eq!(notices.0.lock().unwrap()[..], ["ended client_closed 0"]);
    drop(addr);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        notices.0.lock().unwrap().len(),
        1,
        "Drop does not report twice"
    );
}

#[actix::test]
async fn a_login_answer_is_held_until_the_bound_account_is_on_the_ledger() {
    let capture = Capture::default();
    let services = testing::services(capture.clone().start().recipient(), testing::limits());
    let notices = Notices::default();
    let (conn, mut client) = connection("10.0.0.1:1");
    let id = Uuid::from_u128(43);
    let actor = SessionActor::new(id, conn, services, notices.clone().start().recipient()).start();
    client.expect("hello").await;
    client
        .send(r#"{"op":"login","accountName":"admin","password":"admin"}"#)
        .await;
    until("the CREATE", || capture.kinds().len() == 2).await;
    capture.paused.send_replace(true); // the broker does not confirm for now
    let (ack_to, acks) = std::sync::mpsc::channel();
    let mut event = created(id);
    event.hold = Some(crate::kafka::delivery::BatchAck::new(5, ack_to));
    actor.do_send(event);
    until("the binding's ledger record", || capture.kinds().len() == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        acks.try_recv().is_err(),
        "held while the ledger record is unconfirmed"
    );
    assert_eq!(
        capture.kinds().len(),
        3,
        "no session CREATED before the binding is on the ledger"
    );
    capture.paused.send_replace(false);
    client.expect("login_ok").await; // told once the binding is on the ledger
    until("the session CREATED", || capture.kinds().len() == 4).await;
    until("the acknowledgement", || acks.try_recv() == Ok(5)).await;
}
