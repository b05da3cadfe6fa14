//! Crash recovery: after `kill -9` and a restart with the same SERVICE_ID, every session that
//! was live at the crash gets its LOGOUT and DESTROYED, before the gateway opens again.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;
use crate::world::start_sim;

/// A service process, killed when dropped (a failing test leaves no process behind).
pub struct Service(pub Option<Child>);

impl Service {
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("running")
    }

    /// Takes the process out of the guard (to wait for it elsewhere).
    pub fn take(&mut self) -> Child {
        self.0.take().expect("running")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn spawn(
    topics: &Topics,
    service_id: Uuid,
    service: &std::path::Path,
    ledger_prefix: &str,
) -> Service {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_login-orchestrator"));
    for (k, v) in topics.env() {
        cmd.env(k, v);
    }
    cmd.env("BOOTSTRAP_SERVERS", bootstrap())
        .env("SERVICE_ID", service_id.to_string())
        .env("SERVICE_CONFIG", service)
        .env("ADMIN_ADDRESS", "127.0.0.1:0")
        .env("SESSION_LEDGER_TOPIC_PREFIX", ledger_prefix)
        .env("KAFKA_SESSION_TIMEOUT_MS", "6000")
        .env("KAFKA_HEARTBEAT_INTERVAL_MS", "1000")
        .env("LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|child| Service(Some(child)))
        .expect("start the service binary")
}

async fn wait_open(addr: std::net::SocketAddr) {
    let end = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < end, "the service did not open its gateway");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_rt::test]
async fn a_restart_after_kill_9_ends_every_session_the_crash_left_live() {
    let topics = Topics::create().await;
    let _sim = start_sim(&topics);
    let dir = std::env::temp_dir().join(format!("lo-recovery-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let service = dir.join("service.json");
    std::fs::write(
        &service,
        service_json(None).replace("\"port\":0,", &format!("\"port\":{port},")),
    )
    .unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let service_id = Uuid::new_v4();
    let prefix = format!("test-ledger-{}-", Uuid::new_v4().simple());

    let mut first = spawn(&topics, service_id, &service, &prefix);
    wait_open(addr).await;
    let mut admin = Client::connect(addr).await;
    assert_eq!(admin.login("admin", "admin").await["event"], "login_ok");
    let mut alice = Client::connect(addr).await;
    assert_eq!(alice.login("alice", "alice").await["event"], "login_ok");
    let mut anonymous = Client::connect(addr).await;
    anonymous.send(json!({"op":"ping"})).await;
    anonymous.expect("pong").await;
    let mut ended = Client::connect(addr).await;
    ended.send(json!({"op":"logout"})).await;
    ended.expect("bye").await;
    let sessions = [
        (admin.session_id, 1),
        (alice.session_id, 5),
        (anonymous.session_id, 0),
    ];

    let mut observer = Observer::new(&[&topics.command, &topics.session_status]);
    // The ended session's DESTROYED is on its topic: the ledger has its tombstone next.
    let status = topics.session_status.clone();
    let ended_id = ended.session_id.to_string();
    observer
        .wait_until("the logged-out session's DESTROYED", |seen| {
            seen.iter()
                .any(|r| r.topic == status && r.json()["sessionId"] == ended_id)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.child().kill().unwrap(); // SIGKILL: no shutdown, no LOGOUT
    first.child().wait().unwrap();
    observer.settle(Duration::from_millis(500)).await;
    for (id, _) in sessions {
        assert!(
            observer.of(&topics.command, id, "LOGOUT").is_empty(),
            "no LOGOUT before the restart"
        );
    }

    let mut second = spawn(&topics, service_id, &service, &prefix);
    wait_open(addr).await;
    let cmd = topics.command.clone();
    observer
        .wait_until(
            "LOGOUT and DESTROYED of every session live at the crash",
            |seen| {
                sessions.iter().all(|(id, _)| {
                    let id = id.to_string();
                    seen.iter().any(|r| {
                        r.topic == cmd
                            && r.json()["sessionId"] == id
                            && r.json()["type"] == "LOGOUT"
                    }) && seen.iter().any(|r| {
                        r.topic == status
                            && r.json()["sessionId"] == id
                            && r.json()["type"] == "DESTROYED"
                    })
                })
            },
        )
        .await;
    observer.settle(Duration::from_millis(500)).await;
    for (id, account) in sessions {
        let logouts = observer.of(&topics.command, id, "LOGOUT");
        let destroyed = observer.of(&topics.session_status, id, "DESTROYED");
        assert_eq!(
            (logouts.len(), destroyed.len()),
            (1, 1),
            "{id}: {:#?}",
            observer.summary()
        );
        assert_eq!(logouts[0].json()["accountId"], account);
        assert_eq!(destroyed[0].json()["accountId"], account);
        assert_eq!(logouts[0].header("TENANT_ID"), Some(TENANT.as_bytes()));
    }
    // The session that had ended normally is not ended twice.
    assert_eq!(
        observer
            .of(&topics.session_status, ended.session_id, "DESTROYED")
            .len(),
        1
    );
    // And the restarted service works.
    let mut again = Client::connect(addr).await;
    assert_eq!(again.login("admin", "admin").await["event"], "login_ok");
    Command::new("kill")
        .arg("-TERM")
        .arg(second.child().id().to_string())
        .status()
        .unwrap();
    let mut second = second.take();
    let code = tokio::task::spawn_blocking(move || second.wait().unwrap())
        .await
        .unwrap();
    assert!(code.success(), "{code:?}");
}

/// A ledger record of a session of tenant GMS 83.1 bound to `account`, its end begun (from the
/// start of every status partition) or not.
fn ledger_record(account: u32, ending: bool) -> String {
    let ending = if ending {
        r#","ending":[[0,0],[1,0],[2,0],[3,0]]"#
    } else {
        ""
    };
    format!(
        r#"{{"tenantId":"{TENANT}","region":"GMS","majorVersion":83,"minorVersion":1,"accountId":{account}{ending}}}"#
    )
}

#[actix_rt::test]
async fn recovery_ends_once_and_never_ends_again_a_session_whose_destroyed_is_on_its_topic() {
    let topics = Topics::create().await;
    let service_id = Uuid::new_v4();
    let prefix = format!("test-ledger-{}-", Uuid::new_v4().simple());
    let ledger = format!("{prefix}{service_id}");
    let injector = Injector::new();
    // A crash between DESTROYED and the tombstone: the DESTROYED is on its topic and the
    // ledger still shows the session, with its end begun.
    let (done, begun, live) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let destroyed = format!(
        r#"{{"sessionId":"{done}","accountId":7,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"DESTROYED"}}"#
    );
    injector
        .send(&topics.session_status, 7, &gms(), destroyed.as_bytes())
        .await;
    for (id, account, ending) in [(done, 7, true), (begun, 8, true), (live, 9, false)] {
        injector
            .send_keyed(
                &ledger,
                id.to_string().as_bytes(),
                ledger_record(account, ending).as_bytes(),
            )
            .await;
    }
    let service_id = service_id.to_string();
    let extra = [
        ("SERVICE_ID", service_id.as_str()),
        ("SESSION_LEDGER_TOPIC_PREFIX", prefix.as_str()),
    ];
    let mut w =
        crate::world::World::start_on(topics.clone(), true, &service_json(None), &extra).await;
    w.assert_ended_once(begun, 8).await;
    w.assert_ended_once(live, 9).await;
    let obs = &mut w.observer;
    obs.drain();
    assert!(
        obs.of(&topics.command, done, "LOGOUT").is_empty(),
        "{:#?}",
        obs.summary()
    );
    assert_eq!(obs.of(&topics.session_status, done, "DESTROYED").len(), 1);
    // The ledger forgot all three: a second restart ends nothing.
    let mut ledger_view = Observer::new(&[&ledger]);
    ledger_view
        .wait_until("three tombstones", |seen| {
            seen.iter().filter(|r| r.payload.is_empty()).count() == 3
        })
        .await;
    w.shutdown().await;
}
