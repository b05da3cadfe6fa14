//! The login lifecycle through the gateway: happy path, each error, bans, licence, endings.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;
use crate::world::World;

#[actix_rt::test]
async fn peer_errors_reach_the_client_and_the_session_may_retry() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    assert_eq!(
        c.login("nobody", "x").await,
        json!({"event":"login_failed","code":"NOT_REGISTERED"})
    );
    assert_eq!(
        c.login("admin", "wrong").await,
        json!({"event":"login_failed","code":"INCORRECT_PASSWORD"})
    );
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    let mut second = w.client().await;
    assert_eq!(
        second.login("admin", "admin").await,
        json!({"event":"login_failed","code":"ALREADY_LOGGED_IN"})
    );
    // The gateway's own refusals.
    c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
        .await;
    assert_eq!(c.expect("error").await["code"], "ALREADY_LOGGED_IN");
    w.shutdown().await;
}

#[actix_rt::test]
async fn bans_are_temporary_with_until_and_permanent_without() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    assert_eq!(
        c.login("banned", "banned").await,
        json!({"event":"banned","permanent":false,"reason":1,"until":133500000000000000u64})
    );
    assert_eq!(
        c.login("exiled", "exiled").await,
        json!({"event":"banned","permanent":true,"reason":2,"until":0})
    );
    w.shutdown().await;
}

#[actix_rt::test]
async fn licence_accepted_logs_in_and_declined_ends_the_session() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    assert_eq!(
        c.login("newbie", "newbie").await,
        json!({"event":"license_agreement","accountId":2})
    );
    c.send(json!({"op":"accept_license","accepted":true})).await;
    assert_eq!(
        c.recv().await,
        json!({"event":"login_ok","accountId":2,"accountName":"newbie"})
    );
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    let first = c.session_id;
    w.assert_ended_once(first, 2).await;

    // The peer handles the LOGOUT (keyed by account) and the next CREATE (keyed 0) on
    // different partitions: until it has seen the LOGOUT it rightly answers ALREADY_LOGGED_IN.
    let mut d = w.client().await;
    let answer = d.login_when_released("newbie", "newbie").await;
    assert_eq!(answer["event"], "license_agreement");
    d.send(json!({"op":"accept_license","accepted":false}))
        .await;
    assert_eq!(
        d.recv().await,
        json!({"event":"bye","reason":"license_declined"})
    );
    assert!(d.closed().await);
    w.assert_ended_once(d.session_id, 2).await;
    w.shutdown().await;
}

#[actix_rt::test]
async fn select_character_checks_login_and_channel() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(c.expect("error").await["code"], "NOT_LOGGED_IN");
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    c.send(json!({"op":"select_character","characterId":1,"worldId":9,"channelId":9}))
        .await;
    assert_eq!(c.expect("error").await["code"], "UNKNOWN_CHANNEL");
    c.send(json!({"op":"select_character","characterId":7,"worldId":1,"channelId":2}))
        .await;
    assert_eq!(
        c.recv().await,
        json!({"event":"server_ip","ipAddress":"10.0.1.2","port":7600,"characterId":7})
    );
    w.shutdown().await;
}

#[actix_rt::test]
async fn every_way_of_ending_sends_one_logout_and_one_destroyed() {
    let mut w = World::start(true, &service_json(Some((100, 1500))), &[]).await;
    // Client close without logout.
    let mut closed = w.client().await;
    assert_eq!(closed.login("admin", "admin").await["event"], "login_ok");
    let closed_id = closed.session_id;
    drop(closed);
    // Logout before logging in.
    let mut early = w.client().await;
    early.send(json!({"op":"logout"})).await;
    assert_eq!(early.recv().await, json!({"event":"bye","reason":"logout"}));
    // Protocol violation: a line too long.
    let mut long = w.client().await;
    long.send_raw(&vec![b'x'; 9000]).await;
    assert_eq!(long.expect("error").await["code"], "LINE_TOO_LONG");
    assert_eq!(
        long.recv().await,
        json!({"event":"bye","reason":"protocol_violation"})
    );
    // Idle timeout (1.5 s here) of a logged-in session that keeps quiet.
    let mut idle = w.client().await;
    assert_eq!(idle.login("alice", "alice").await["event"], "login_ok");
    assert_eq!(
        idle.recv().await,
        json!({"event":"bye","reason":"idle_timeout"})
    );
    assert!(idle.closed().await);

    w.assert_ended_once(closed_id, 1).await;
    w.assert_ended_once(early.session_id, 0).await;
    w.assert_ended_once(long.session_id, 0).await;
    w.assert_ended_once(idle.session_id, 5).await;
    w.shutdown().await;
}

#[actix_rt::test]
async fn shutdown_ends_every_live_session() {
    let mut w = World::default().await;
    let mut clients = Vec::new();
    for (name, id) in [("admin", 1), ("alice", 5), ("bob", 6)] {
        let mut c = w.client().await;
        assert_eq!(c.login(name, name).await["event"], "login_ok");
        clients.push((c, id));
    }
    let mut anonymous = w.client().await;
    anonymous.send(json!({"op":"ping"})).await;
    anonymous.expect("pong").await;
    clients.push((anonymous, 0));
    w.shutdown().await;
    for (c, id) in &mut clients {
        assert_eq!(c.recv().await, json!({"event":"bye","reason":"shutdown"}));
        assert!(c.closed().await);
        let sid = c.session_id;
        w.assert_ended_once(sid, *id).await;
    }
}

#[actix_rt::test]
async fn a_login_without_answer_times_out_and_a_late_created_is_released() {
    let mut w = World::start(false, &service_json(None), &[("LOGIN_TIMEOUT_MS", "500")]).await;
    let mut c = w.client().await;
    let sid = c.session_id;
    assert_eq!(
        c.login("admin", "admin").await,
        json!({"event":"login_failed","code":"SYSTEM_ERROR"})
    );
    peer_created(&w, sid).await;
    let cmd = w.topics.command.clone();
    w.observer
        .wait_until("the release LOGOUT", |seen| {
            seen.iter()
                .any(|r| r.topic == cmd && r.json()["type"] == "LOGOUT")
        })
        .await;
    let logout = w.observer.of(&cmd, sid, "LOGOUT")[0].json();
    assert_eq!(logout["accountId"], 1);
    // The session was not logged in by the late answer.
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(c.expect("error").await["code"], "NOT_LOGGED_IN");
    w.shutdown().await;
}

#[actix_rt::test]
async fn a_late_created_for_a_session_that_is_gone_is_released() {
    let mut w = World::start(false, &service_json(None), &[]).await;
    let mut c = w.client().await;
    let sid = c.session_id;
    w.login_until_create(&mut c).await;
    let cmd = w.topics.command.clone();
    drop(c);
    // The session ended with account 0 (the peer ignores that LOGOUT) ...
    w.assert_ended_once(sid, 0).await;
    // ... then the answer arrives: the account must be released.
    peer_created(&w, sid).await;
    w.observer
        .wait_until("the release LOGOUT", |seen| {
            seen.iter().any(|r| {
                r.topic == cmd && r.json()["type"] == "LOGOUT" && r.json()["accountId"] == 1
            })
        })
        .await;
    // No session CREATED for it: nobody holds it.
    assert!(w
        .observer
        .of(&w.topics.session_status, sid, "CREATED")
        .is_empty());
    w.shutdown().await;
}

#[actix_rt::test]
async fn two_instances_answer_only_their_own_clients() {
    let mut w = World::default().await;
    let second = start(w.config(&[])).await;
    let mut a = w.client().await;
    let mut b = Client::connect(second.gateway[0]).await;
    assert_eq!(a.login("admin", "admin").await["accountId"], 1);
    assert_eq!(b.login("alice", "alice").await["accountId"], 5);
    a.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    b.send(json!({"op":"select_character","characterId":2,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(a.expect("server_ip").await["characterId"], 1);
    assert_eq!(b.expect("server_ip").await["characterId"], 2);
    // Nothing else arrived on either.
    a.send(json!({"op":"ping"})).await;
    b.send(json!({"op":"ping"})).await;
    a.expect("pong").await;
    b.expect("pong").await;
    tokio::time::timeout(Duration::from_secs(30), second.shutdown())
        .await
        .unwrap();
    w.shutdown().await;
}

#[actix_rt::test]
async fn bad_requests_get_errors_and_too_many_end_the_session() {
    let mut w = World::start(
        true,
        &service_json(None),
        &[("GATEWAY_MAX_BAD_REQUESTS", "3")],
    )
    .await;
    let mut c = w.client().await;
    c.send_raw(b"not json\n").await;
    assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    c.send_raw(b"{\"op\":\"fly\"}\r\n").await;
    assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    c.send_raw(b"\xff\xfe\n").await;
    assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    c.send(json!({"op":"ping","extra":1})).await;
    c.expect("pong").await;
    for _ in 0..3 {
        c.send_raw(b"[]\n").await;
        assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    }
    c.send_raw(b"{}\n").await;
    assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    assert_eq!(
        c.recv().await,
        json!({"event":"bye","reason":"protocol_violation"})
    );
    assert!(c.closed().await);
    w.shutdown().await;
}

#[actix_rt::test]
async fn a_panicking_session_actor_still_ends_its_session_once() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    let found = w.app.as_ref().unwrap().panic_session(c.session_id).await;
    assert!(found);
    assert!(
        c.closed().await,
        "the crashed session's connection is closed"
    );
    w.assert_ended_once(c.session_id, 1).await;
    // The service goes on: a new client logs in with the same account.
    let mut d = w.client().await;
    assert_eq!(d.login("admin", "admin").await["event"], "login_ok");
    w.shutdown().await;
}

#[actix_rt::test]
async fn duplicate_login_replace_ends_the_holder_and_logs_the_new_session_in() {
    let mut w = World::start(true, &service_json(None), &[("DUPLICATE_LOGIN", "replace")]).await;
    let mut old = w.client().await;
    assert_eq!(old.login("admin", "admin").await["event"], "login_ok");
    let mut new = w.client().await;
    let answer = new.login("ADMIN", "admin").await;
    assert_eq!(answer["event"], "login_ok", "{answer}");
    assert_eq!(old.recv().await, json!({"event":"bye","reason":"replaced"}));
    assert!(old.closed().await);
    w.assert_ended_once(old.session_id, 1).await;
    new.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    new.expect("server_ip").await;
    w.shutdown().await;
}

#[actix_rt::test]
async fn duplicate_login_reject_is_the_atlas_behaviour() {
    let mut w = World::default().await;
    let mut old = w.client().await;
    assert_eq!(old.login("admin", "admin").await["event"], "login_ok");
    let mut new = w.client().await;
    assert_eq!(
        new.login("admin", "admin").await["code"],
        "ALREADY_LOGGED_IN"
    );
    old.send(json!({"op":"ping"})).await;
    old.expect("pong").await;
    w.shutdown().await;
}

/// Every peer error code reaches the client as the contract says, including the two the
/// simulator never sends (SYSTEM_ERROR, TOO_MANY_ATTEMPTS), and `until` as an RFC 3339 string.
#[actix_rt::test]
async fn every_peer_error_code_reaches_the_client() {
    let mut w = World::start(false, &service_json(None), &[]).await;
    let mut c = w.client().await;
    let sid = c.session_id;
    let inj = Injector::new();
    let topic = w.topics.account_session_status.clone();
    let codes = [
        "SYSTEM_ERROR",
        "NOT_REGISTERED",
        "ALREADY_LOGGED_IN",
        "INCORRECT_PASSWORD",
        "TOO_MANY_ATTEMPTS",
    ];
    for code in codes {
        c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
            .await;
        let error = json!({"sessionId":sid,"accountId":0,"accountName":"","type":"ERROR",
            "body":{"code":code,"reason":0,"until":0,"ipAddress":"127.0.0.1","hwid":""}});
        inj.send(&topic, 0, &gms(), error.to_string().as_bytes())
            .await;
        assert_eq!(c.recv().await, json!({"event":"login_failed","code":code}));
    }
    c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
        .await;
    let ban = json!({"sessionId":sid,"accountId":1,"accountName":"admin","type":"ERROR",
        "body":{"code":"DELETED_OR_BLOCKED","reason":3,"until":"2027-01-01T00:00:00Z"}});
    inj.send(&topic, 1, &gms(), ban.to_string().as_bytes())
        .await;
    assert_eq!(
        c.recv().await,
        json!({"event":"banned","permanent":false,"reason":3,"until":"2027-01-01T00:00:00Z"})
    );
    w.shutdown().await;
}

/// The peer's CREATED for session `sid` (account 1, `admin`), as a late answer arrives.
async fn peer_created(w: &World, sid: Uuid) {
    let created =
        json!({"sessionId":sid,"accountId":1,"accountName":"admin","type":"CREATED","body":{}})
            .to_string();
    Injector::new()
        .send(
            &w.topics.account_session_status,
            1,
            &gms(),
            created.as_bytes(),
        )
        .await;
}

#[actix_rt::test]
async fn a_cooperative_sticky_consumer_serves_logins_and_ends_sessions_once() {
    let extra = [("KAFKA_PARTITION_ASSIGNMENT_STRATEGY", "cooperative-sticky")];
    let mut w = World::start(true, &service_json(None), &extra).await;
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(c.expect("server_ip").await["port"], 7575);
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    w.assert_ended_once(c.session_id, 1).await;
    w.shutdown().await;
}

#[actix_rt::test]
async fn the_drain_lets_a_login_in_flight_finish_and_ends_every_session_once() {
    let mut w = World::start(false, &service_json(None), &[("DRAIN_DEADLINE_MS", "3000")]).await;
    let admin = w.app.as_ref().unwrap().admin;
    let mut idle = w.client().await;
    let mut answered = w.client().await;
    let mut unanswered = w.client().await;
    w.login_until_create(&mut answered).await;
    unanswered
        .send(json!({"op":"login","accountName":"alice","password":"alice"}))
        .await;
    let cmd = w.topics.command.clone();
    w.observer
        .wait_until("both CREATEs", |seen| {
            seen.iter()
                .filter(|r| r.topic == cmd && r.json()["type"] == "CREATE")
                .count()
                == 2
        })
        .await;
    assert_eq!(admin_get(admin, "/readyz").await.0, 200);

    let app = w.app.take().unwrap();
    let shutdown = actix_rt::spawn(app.shutdown());
    let mut readyz = 200;
    for _ in 0..100 {
        readyz = admin_get(admin, "/readyz").await.0;
        if readyz == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(readyz, 503, "not ready from the drain's first moment");
    // The idle session ends at once; the logins in flight are left to finish.
    assert_eq!(
        idle.recv().await,
        json!({"event":"bye","reason":"shutdown"})
    );
    peer_created(&w, answered.session_id).await;
    assert_eq!(answered.recv().await["event"], "login_ok");
    assert_eq!(
        answered.recv().await,
        json!({"event":"bye","reason":"shutdown"}),
        "ended once its login was answered"
    );
    // The unanswered login ends at the deadline.
    assert_eq!(
        unanswered.recv().await,
        json!({"event":"bye","reason":"shutdown"})
    );
    tokio::time::timeout(Duration::from_secs(30), shutdown)
        .await
        .expect("shutdown in time")
        .unwrap();
    w.assert_ended_once(idle.session_id, 0).await;
    w.assert_ended_once(answered.session_id, 1).await;
    w.assert_ended_once(unanswered.session_id, 0).await;
}
