//! The supervisor and its sessions without sockets or a broker: connections over in-memory
//! pipes, a capturing producer.

use super::*;
use crate::session::testing::{self, connection, until, Capture};

fn start(capture: &Capture, limits: crate::session::Limits) -> Addr<SessionSupervisor> {
    start_with_directory(capture, limits).0
}

fn start_with_directory(
    capture: &Capture,
    limits: crate::session::Limits,
) -> (Addr<SessionSupervisor>, Arc<Directory>) {
    let services = testing::services(capture.clone().start().recipient(), limits);
    let directory = Arc::clone(&services.directory);
    let supervisor = SessionSupervisor::new(services, Arc::clone(&directory), None).start();
    (supervisor, directory)
}

#[actix::test]
async fn a_session_starts_recorded_and_ends_once_with_logout_then_destroyed() {
    let capture = Capture::default();
    let supervisor = start(&capture, testing::limits());
    let (conn, mut client) = connection("192.168.1.10:5000");
    supervisor.do_send(Connect(conn));
    let hello = client.expect("hello").await;
    assert_eq!(capture.kinds(), ["record"], "recorded before the hello");
    assert_eq!(
        capture.sent.lock().unwrap()[0].key,
        hello["sessionId"].as_str().unwrap().as_bytes(),
        "the ledger is keyed by session id"
    );
    client.send(r#"{"op":"logout"}"#).await;
    client.expect("bye").await;
    until("the end sequence", || capture.kinds().len() == 5).await;
    assert_eq!(
        capture.kinds(),
        ["record", "record", "LOGOUT", "DESTROYED", "tombstone"]
    );
    let sent = capture.sent.lock().unwrap().clone();
    let topics: Vec<&str> = sent.iter().map(|s| s.topic.as_str()).collect();
    assert_eq!(topics, ["ledger", "ledger", "cmd", "status", "ledger"]);
    assert!(
        sent[1].json.as_ref().unwrap()["ending"].is_array(),
        "the end's start is recorded before LOGOUT"
    );
    for end in &sent[2..4] {
        let json = end.json.as_ref().unwrap();
        assert_eq!(json["sessionId"], hello["sessionId"]);
        assert_eq!(json["accountId"], 0);
    }
}

#[actix::test]
async fn a_connection_over_the_per_ip_limit_is_told_in_its_protocol_and_closed() {
    let capture = Capture::default();
    let limits = crate::session::Limits {
        max_sessions: 100,
        max_sessions_per_ip: 1,
    };
    let supervisor = start(&capture, limits);
    let (first, mut one) = connection("10.1.1.1:1000");
    supervisor.do_send(Connect(first));
    one.expect("hello").await;
    let (second, mut two) = connection("10.1.1.1:1001");
    supervisor.do_send(Connect(second));
    let refused = two.expect("error").await;
    assert_eq!(refused["code"], "UNAVAILABLE");
    assert_eq!(
        refused["message"],
        "too many sessions (max_sessions_per_ip)"
    );
    assert!(two.line().await.is_none(), "then closed");
    let (other_ip, mut three) = connection("10.1.1.2:1000");
    supervisor.do_send(Connect(other_ip));
    three.expect("hello").await;
    assert_eq!(
        capture.kinds(),
        ["record", "record"],
        "no session for the refused one"
    );
}

#[actix::test]
async fn shutdown_ends_every_session_and_answers_once_their_ends_are_sent() {
    let capture = Capture::default();
    let supervisor = start(&capture, testing::limits());
    let mut clients = Vec::new();
    for port in 0..3 {
        let (conn, mut client) = connection(&format!("10.0.0.1:{}", 2000 + port));
        supervisor.do_send(Connect(conn));
        client.expect("hello").await;
        clients.push(client);
    }
    supervisor.send(Shutdown::now()).await.unwrap();
    let kinds = capture.kinds();
    assert_eq!(kinds.iter().filter(|k| *k == "LOGOUT").count(), 3);
    assert_eq!(kinds.iter().filter(|k| *k == "DESTROYED").count(), 3);
    assert_eq!(kinds.iter().filter(|k| *k == "tombstone").count(), 3);
    assert_eq!(
        kinds.iter().filter(|k| *k == "record").count(),
        6,
        "starts and ends"
    );
    for client in &mut clients {
        assert_eq!(client.expect("bye").await["reason"], "shutdown");
    }
    let (late, mut refused) = connection("10.0.0.9:1");
    supervisor.do_send(Connect(late));
    assert!(
        refused.line().await.is_none(),
        "no session after shutdown began"
    );
}

#[actix::test]
async fn a_session_whose_start_cannot_be_recorded_is_told_and_ended() {
    let capture = Capture::default();
    capture
        .fail
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let supervisor = start(&capture, testing::limits());
    let (conn, mut client) = connection("10.0.0.1:3000");
    supervisor.do_send(Connect(conn));
    let told = client.expect("error").await;
    assert_eq!(told["code"], "UNAVAILABLE");
    assert!(client.line().await.is_none(), "no hello, connection closed");
}

/// Two sessions: `idle` says hello only, `busy` has a login in flight (its CREATE sent).
async fn idle_and_busy(
    supervisor: &Addr<SessionSupervisor>,
    capture: &Capture,
) -> (testing::Pipe, testing::Pipe, Uuid) {
    let (conn, mut idle) = connection("10.0.0.1:4000");
    supervisor.do_send(Connect(conn));
    idle.expect("hello").await;
    let (conn, mut busy) = connection("10.0.0.2:4000");
    supervisor.do_send(Connect(conn));
    let hello = busy.expect("hello").await;
    let id = Uuid::parse_str(hello["sessionId"].as_str().unwrap()).unwrap();
    busy.send(r#"{"op":"login","accountName":"admin","password":"admin"}"#)
        .await;
    until("the CREATE", || {
        capture.kinds().contains(&"CREATE".to_owned())
    })
    .await;
    (idle, busy, id)
}

#[actix::test]
async fn the_drain_ends_idle_sessions_at_once_and_a_login_in_flight_once_answered() {
    let capture = Capture::default();
    let (supervisor, directory) = start_with_directory(&capture, testing::limits());
    let (mut idle, mut busy, id) = idle_and_busy(&supervisor, &capture).await;
    // A deadline no test run reaches: the busy session can only end by its answer.
    let shutdown = supervisor.send(Shutdown {
        drain: Duration::from_secs(3600),
    });
    let shutdown = actix::spawn(shutdown);
    assert_eq!(idle.expect("bye").await["reason"], "shutdown");
    until("the idle session's end", || {
        capture.kinds().iter().filter(|k| *k == "DESTROYED").count() == 1
    })
    .await;
    let session = directory.session(&id).expect("still live").clone();
    session.do_send(testing::created(id, 1));
    assert_eq!(busy.expect("login_ok").await["accountId"], 1);
    assert_eq!(busy.expect("bye").await["reason"], "shutdown");
    tokio::time::timeout(Duration::from_secs(60), shutdown)
        .await
        .expect("the shutdown answers once the answered session ended")
        .unwrap()
        .unwrap();
    let kinds = capture.kinds();
    assert_eq!(kinds.iter().filter(|k| *k == "LOGOUT").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "DESTROYED").count(), 2);
}

#[actix::test]
async fn at_the_drains_deadline_a_session_still_in_flight_ends_once() {
    let capture = Capture::default();
    let supervisor = start(&capture, testing::limits());
    let (mut idle, mut busy, _) = idle_and_busy(&supervisor, &capture).await;
    supervisor
        .send(Shutdown {
            drain: Duration::from_millis(200),
        })
        .await
        .unwrap();
    assert_eq!(idle.expect("bye").await["reason"], "shutdown");
    assert_eq!(busy.expect("bye").await["reason"], "shutdown");
    let kinds = capture.kinds();
    assert_eq!(kinds.iter().filter(|k| *k == "LOGOUT").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "DESTROYED").count(), 2);
}
