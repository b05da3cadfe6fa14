//! Character select: PIC registration and check (attempts counted at the account service),
//! PROGRESS_STATE with the REST channel's address, ServerIP from the peer's STATE_CHANGED.

use std::net::Ipv4Addr;
use std::time::Duration;

use maple_client::{Error, LoginOutcome, ServerIp};
use serde_json::json;

use super::*;

/// A ServerIP sending the client to `ip:port` with `character_id`.
pub fn channel(ip: [u8; 4], port: u16, character_id: u32) -> ServerIp {
    ServerIp::Channel {
        ip: Ipv4Addr::from(ip),
        port,
        character_id,
        authen_code: 0,
        premium: Some(0),
    }
}

const WRONG_PIC: ServerIp = ServerIp::Refused { code: 4, mode: 0 };

/// Waits for the session's PROGRESS_STATE, then checks it is the only one and exactly what the
/// account service reads.
pub async fn assert_progress(
    g: &mut Game,
    session: Uuid,
    account_id: u32,
    ip: &str,
    port: u16,
    character_id: u32,
) {
    let cmd = g.topics.command.clone();
    g.observer
        .wait_until("the PROGRESS_STATE", |seen| {
            seen.iter().any(|r| {
                r.topic == cmd
                    && r.json()["sessionId"] == session.to_string()
                    && r.json()["type"] == "PROGRESS_STATE"
            })
        })
        .await;
    g.observer.settle(Duration::from_millis(200)).await;
    let progress = g.observer.of(&cmd, session, "PROGRESS_STATE");
    assert_eq!(progress.len(), 1, "{:#?}", g.observer.summary());
    assert_eq!(
        progress[0].json(),
        json!({"sessionId": session.to_string(), "accountId": account_id, "author": "LOGIN",
            "type": "PROGRESS_STATE", "body": {"state": 2, "params": {"ipAddress": ip,
            "port": port, "characterId": character_id}}})
    );
    assert_eq!(
        progress[0].key,
        login_orchestrator::kafka::keys::account_key(account_id)
    );
}

#[actix_rt::test]
async fn a_first_select_registers_the_pic_and_moves_to_the_chosen_channel() {
    let mut g = Game::default().await;
    let (mut c, auth, session) = g.logged_in("admin", "admin").await;
    assert_eq!(auth.login_opt, Some(0));
    c.server_list().await.expect("server list");
    let list = c.character_list(0, 1).await.expect("world 0, channel 1");
    assert_eq!(list.login_opt, Some(0));
    let ip = c.register_pic(2, "4321").await.expect("ServerIP");
    assert_eq!(ip, channel(CHANNEL_IP, CHANNEL_PORT, 2));
    assert_progress(&mut g, session, 1, "192.0.2.7", CHANNEL_PORT, 2).await;
    // The ServerIP came from the peer's echo (consumed by the service before the client had
    // it; by the observer some time around then).
    let events = g.topics.account_session_status.clone();
    g.observer
        .wait_until("the STATE_CHANGED", |seen| {
            seen.iter()
                .any(|r| r.topic == events && r.json()["type"] == "STATE_CHANGED")
        })
        .await;
    let echoed = g.records(&events, session, "STATE_CHANGED");
    assert_eq!(echoed.len(), 1, "{:#?}", g.observer.summary());
    assert_eq!(echoed[0]["body"]["params"]["ipAddress"], "192.0.2.7");
    let ctx = g.ctx();
    assert_eq!(g.rest.account(&ctx, 1).await.expect("account").pic, "4321");
    drop(c);
    g.assert_ended_once(session, 1).await;

    // The next login is asked for that PIC (once the peer's transition has expired).
    let mut next = g.connect().await;
    let mut answer = next.login("admin", "admin", HWID).await.expect("answer");
    for _ in 0..100 {
        if answer != (LoginOutcome::Failed { code: 7 }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = next.login("admin", "admin", HWID).await.expect("answer");
    }
    let LoginOutcome::Success(auth) = answer else {
        panic!("{answer:?}");
    };
    assert_eq!(auth.login_opt, Some(1));
}

#[actix_rt::test]
async fn a_wrong_pic_is_refused_with_4_and_the_right_one_moves_on() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    let list = c.character_list(0, 0).await.expect("alice's list");
    assert_eq!(list.login_opt, Some(1));
    assert_eq!(list.characters[0].stats.id, 5);
    assert_eq!(
        c.select_character_with_pic(5, "0000")
            .await
            .expect("answer"),
        WRONG_PIC
    );
    let ctx = g.ctx();
    assert_eq!(
        g.rest.account(&ctx, 5).await.expect("account").pic_attempts,
        1
    );
    assert!(g
        .observer
        .of(&g.topics.command, session, "PROGRESS_STATE")
        .is_empty());
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("answer");
    assert_eq!(ip, channel([127, 0, 0, 1], 7575, 5));
    assert_eq!(
        g.rest.account(&ctx, 5).await.expect("account").pic_attempts,
        0,
        "a right PIC resets the count"
    );
    assert_progress(&mut g, session, 5, "127.0.0.1", 7575, 5).await;
    drop(c);
    g.assert_ended_once(session, 5).await;
}

#[actix_rt::test]
async fn the_fifth_wrong_pic_ends_the_session() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    c.character_list(0, 0).await.expect("carol's list");
    for attempt in 1..=4 {
        let answer = c.select_character_with_pic(120, "1111").await;
        assert_eq!(answer.expect("answer"), WRONG_PIC, "attempt {attempt}");
    }
    let fifth = c.select_character_with_pic(120, "1111").await;
    assert!(matches!(fifth, Err(Error::Closed { .. })), "{fifth:?}");
    g.assert_ended_once(session, 8).await;
    let ctx = g.ctx();
    assert_eq!(
        g.rest.account(&ctx, 8).await.expect("account").pic_attempts,
        5
    );
    assert!(g
        .observer
        .of(&g.topics.command, session, "PROGRESS_STATE")
        .is_empty());
}

/// §14.8: a select of a character the account does not own (or that the last list did not
/// show), or without the PIC the session asked for, closes the connection with no
/// PROGRESS_STATE (the reference v83 servers' answer; Atlas does not check).
#[actix_rt::test]
async fn a_select_of_a_character_not_listed_or_without_the_pic_closes_the_connection() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    c.character_list(0, 0).await.expect("admin's list");
    let foreign = c.register_pic(5, "4321").await;
    assert!(
        matches!(foreign, Err(Error::Closed { .. })),
        "alice's: {foreign:?}"
    );
    g.assert_ended_once(session, 1).await;

    let (mut a, _, alice) = g.logged_in("alice", "alice").await;
    a.character_list(0, 0).await.expect("alice's list");
    let skipped = a.select_character(5).await;
    assert!(
        matches!(skipped, Err(Error::Closed { .. })),
        "no PIC: {skipped:?}"
    );
    g.assert_ended_once(alice, 5).await;
    let cmd = g.topics.command.clone();
    assert_eq!(g.count(&cmd, "PROGRESS_STATE"), 0);
    let ctx = g.ctx();
    assert_eq!(
        g.rest.account(&ctx, 1).await.expect("account").pic,
        "",
        "not registered"
    );
}

/// The client is sent where the peer's STATE_CHANGED says, and only once it said so.
#[actix_rt::test]
async fn server_ip_waits_for_the_peers_state_changed_and_carries_its_address() {
    let mut g = Setup::default().without_account_sim().start().await;
    let mut c = g.connect().await;
    let login = async {
        let session = g.session_of("alice").await;
        g.inject_account_status(5, "alice", "LOGGED_IN").await;
        let body = json!({"ipAddress": "127.0.0.1", "hwid": HWID_HEX});
        g.inject_session_event(session, 5, "alice", "CREATED", body)
            .await;
    };
    let (outcome, ()) = tokio::join!(c.login("alice", "alice", HWID), login);
    assert!(matches!(outcome.expect("answer"), LoginOutcome::Success(_)));
    let session = g.session_of("alice").await;
    c.character_list(0, 1).await.expect("alice's list");
    c.set_reply_timeout(Duration::from_millis(1500));
    let early = c.select_character_with_pic(5, "1234").await;
    assert!(
        matches!(early, Err(Error::Timeout { .. })),
        "no ServerIP yet: {early:?}"
    );
    let cmd = g.topics.command.clone();
    g.observer
        .wait_until("the PROGRESS_STATE", |seen| {
            seen.iter()
                .any(|r| r.topic == cmd && r.json()["type"] == "PROGRESS_STATE")
        })
        .await;
    assert_progress(&mut g, session, 5, "192.0.2.7", CHANNEL_PORT, 5).await;
    // The peer's echo re-sorts the params; its address is what the client is sent to.
    let body = json!({"state": 2, "params": {"characterId": 5, "ipAddress": "198.51.100.4", "port": 8585}});
    g.inject_session_event(session, 5, "alice", "STATE_CHANGED", body)
        .await;
    c.set_reply_timeout(DEADLINE);
    let packet = c
        .recv_until(opcodes().server.server_ip)
        .await
        .expect("ServerIP");
    assert_eq!(packet.body[..2], [0, 0], "result OK, mode 0");
    assert_eq!(packet.body[2..6], [198, 51, 100, 4]);
    assert_eq!(packet.body[6..8], 8585u16.to_le_bytes());
    assert_eq!(packet.body[8..12], 5u32.to_le_bytes());
    // A STATE_CHANGED without an address (the peer's logout echo) tells the client nothing.
    let body = json!({"state": 0, "params": {"characterId": 0, "ipAddress": "", "port": 0}});
    g.inject_session_event(session, 5, "alice", "STATE_CHANGED", body)
        .await;
    let nothing = c.recv_timeout(Duration::from_millis(800)).await;
    assert!(matches!(nothing, Err(Error::Timeout { .. })), "{nothing:?}");
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// A channel the REST services know by a host name cannot be put into ServerIP's four address
/// bytes: the select is refused (SERVER_UNDER_INSPECTION) before the account service is told
/// the player moves there (it would hold the account "in transition" for nobody).
#[actix_rt::test]
async fn a_channel_without_an_ipv4_address_is_refused_before_progress_state() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    c.character_list(0, 2).await.expect("world 0, channel 2");
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("an answer");
    assert_eq!(ip, ServerIp::Refused { code: 7, mode: 0 });
    // Another channel of the same world still works.
    c.character_list(0, 0).await.expect("world 0, channel 0");
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("an answer");
    assert_eq!(ip, channel([127, 0, 0, 1], 7575, 5));
    assert_progress(&mut g, session, 5, "127.0.0.1", 7575, 5).await;
    drop(c);
    g.assert_ended_once(session, 5).await;
}
