//! Robustness: bytes that are not frames end the session cleanly (once), packets the session
//! does not serve are dropped and counted without ending it, and a REST service that fails or
//! hangs gives the client an answer it can show, never a hung session.

use std::time::{Duration, Instant};

use maple_client::crypto::build_header;
use maple_client::{Error, LoginOutcome, ServerIp};

use super::*;

/// The C→S header version word of v83.
const CLIENT_VERSION: u16 = 83;

/// Checks that the service still serves: a new client logs in and gets the server list.
async fn still_serving(g: &mut Game, name: &str) {
    let (mut c, _, session) = g.logged_in(name, name).await;
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    drop(c);
    g.assert_ended_once(session, if name == "bob" { 6 } else { 5 })
        .await;
}

#[actix_rt::test]
async fn garbage_bytes_end_the_session_once_and_the_service_goes_on() {
    let mut g = Game::default().await;
    let mut c = g.connect().await;
    let (send_iv, _) = c.ivs();
    // A header whose version word is not 83 under the IV, then noise.
    let mut garbage = build_header(send_iv, CLIENT_VERSION ^ 0x5A5A, 16).to_vec();
    garbage.extend(XorShift(0x9E37_79B9_7F4A_7C15).bytes(60));
    c.send_raw_bytes(&garbage).await.expect("written");
    assert!(c.closed_within(Duration::from_secs(5)).await.expect("read"));
    g.assert_unbound_ends(1).await;
    still_serving(&mut g, "bob").await;
}

#[actix_rt::test]
async fn a_frame_whose_header_fails_its_check_ends_a_logged_in_session_once() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let mut frame = c
        .seal_only(opcodes().client.pong.expect("Pong"), &[])
        .expect("sealed");
    frame[1] ^= 0x01; // the version word's high byte no longer matches the IV
    c.send_raw_bytes(&frame).await.expect("written");
    assert!(c.closed_within(Duration::from_secs(5)).await.expect("read"));
    g.assert_ended_once(session, 1).await;
    still_serving(&mut g, "alice").await;
}

#[actix_rt::test]
async fn an_over_long_length_ends_the_session_once() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let (send_iv, _) = c.ivs();
    // A valid header announcing a body far beyond any request (the longest, a login, is
    // under 100 bytes), and the start of such a body.
    let mut frame = build_header(send_iv, CLIENT_VERSION, 60_000).to_vec();
    frame.extend(vec![0u8; 512]);
    c.send_raw_bytes(&frame).await.expect("written");
    assert!(c.closed_within(Duration::from_secs(5)).await.expect("read"));
    g.assert_ended_once(session, 1).await;
    still_serving(&mut g, "bob").await;
}

#[actix_rt::test]
async fn a_frame_cut_short_by_the_clients_close_ends_the_session_once() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let frame = c
        .seal_only(opcodes().client.server_list, &[])
        .expect("sealed");
    c.send_raw_bytes(&frame[..frame.len() - 1])
        .await
        .expect("written");
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(c);
    g.assert_ended_once(session, 1).await;
    still_serving(&mut g, "alice").await;
}

#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn a_frame_left_half_sent_ends_the_session_after_30_seconds() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let frame = c
        .seal_only(opcodes().client.server_list, &[])
        .expect("sealed");
    // Only the header: the body never comes.
    c.send_raw_bytes(&frame[..4]).await.expect("written");
    let sent = Instant::now();
    assert!(c
        .closed_within(Duration::from_secs(40))
        .await
        .expect("read"));
    let after = sent.elapsed();
    assert!(after >= Duration::from_secs(29), "ended after {after:?}");
    g.assert_ended_once(session, 1).await;
    still_serving(&mut g, "bob").await;
}

#[actix_rt::test]
async fn unknown_opcodes_and_packets_before_login_are_dropped_and_counted() {
    let mut g = Setup::default().own_tenant().start().await;
    let mut c = g.connect().await;
    c.send(0x7777, &[]).await.expect("unknown opcode");
    c.send(opcodes().client.server_list, &[])
        .await
        .expect("server list before login");
    c.send(
        opcodes().client.server_status.expect("ServerStatus"),
        &0u16.to_le_bytes(),
    )
    .await
    .expect("status before login");
    g.wait_not_logged_in_drops(2.0).await;
    assert_eq!(
        g.tenant_metric(
            "login_requests_dropped_total",
            &[("reason", "unknown_opcode")]
        )
        .await,
        1.0
    );
    // Nothing was answered, and the same connection logs in and is served.
    let outcome = c.login("admin", "admin", HWID).await.expect("login");
    assert!(matches!(outcome, LoginOutcome::Success(_)), "{outcome:?}");
    assert_eq!(c.skipped_packets(), 0, "no answer to a dropped packet");
    c.send(0x7777, &[1, 2, 3]).await.expect("unknown opcode");
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    assert_eq!(c.skipped_packets(), 0);
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "unknown_opcode")],
        2.0,
    )
    .await;
    let session = g.session_of("admin").await;
    drop(c);
    g.assert_ended_once(session, 1).await;
}

#[actix_rt::test]
async fn failing_rest_services_get_visible_answers_and_the_session_goes_on() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    // The world service fails: an empty server list (its end, world 0 preselected, no
    // recommendations), and every world shows full.
    g.fault(Fault::status("worlds", 500));
    g.fault(Fault::status("worlds/0", 500));
    let empty = c.server_list().await.expect("an answer");
    assert!(empty.worlds.is_empty());
    assert_eq!(empty.selected_world, Some(0));
    assert!(empty.recommendations.is_empty());
    assert_eq!(c.server_status(0).await.expect("an answer"), 2);
    let refused = c.character_list(0, 0).await.expect_err("shown full");
    assert!(matches!(refused, Error::Refused { .. }), "{refused}");
    g.sim.faults().clear();
    // An inventory that cannot be read: the character is listed without equipment.
    g.fault(Fault::status("characters/5/inventory", 500));
    let bare = c
        .character_list(0, 0)
        .await
        .expect("the list once worlds are back");
    assert_eq!(bare.characters.len(), 1);
    assert!(bare.characters[0].look.equips.is_empty());
    g.sim.faults().clear();
    let list = c.character_list(0, 0).await.expect("the list");
    assert!(!list.characters[0].look.equips.is_empty());
    // The channel service fails: ServerIP SERVER_UNDER_INSPECTION (7).
    g.fault(Fault::status("worlds/0/channels/0", 500));
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("an answer");
    assert_eq!(ip, ServerIp::Refused { code: 7, mode: 0 });
    assert!(g
        .observer
        .of(&g.topics.command, session, "PROGRESS_STATE")
        .is_empty());
    g.sim.faults().clear();
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("an answer");
    assert!(
        matches!(
            ip,
            ServerIp::Channel {
                character_id: 5,
                ..
            }
        ),
        "{ip:?}"
    );
    drop(c);
    g.assert_ended_once(session, 5).await;
}

#[actix_rt::test]
async fn slow_rest_services_time_out_into_the_same_answers() {
    let mut g = Setup::default().env("REST_TIMEOUT_MS", "300").start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    g.fault(Fault::delay("worlds", Duration::from_secs(5)));
    g.fault(Fault::delay("worlds/0", Duration::from_secs(5)));
    let asked = Instant::now();
    assert!(c.server_list().await.expect("an answer").worlds.is_empty());
    assert_eq!(c.server_status(0).await.expect("an answer"), 2);
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    g.sim.faults().clear();
    c.character_list(0, 0).await.expect("the list");
    g.fault(Fault::delay("worlds/0/channels/0", Duration::from_secs(5)));
    let ip = c
        .select_character_with_pic(5, "1234")
        .await
        .expect("an answer");
    assert_eq!(ip, ServerIp::Refused { code: 7, mode: 0 });
    g.sim.faults().clear();
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// The account cannot be read when the peer has logged it in: the login fails (6) and the
/// account is released at once with a LOGOUT (the peer would hold it for nobody); the session
/// stays, and logs in once the service is back.
#[actix_rt::test]
async fn an_account_that_cannot_be_read_fails_the_login_and_is_released() {
    for fault in [
        Fault::status("accounts/5", 500),
        Fault::delay("accounts/5", Duration::from_secs(5)),
    ] {
        let mut g = Setup::default().env("REST_TIMEOUT_MS", "300").start().await;
        g.fault(fault.clone());
        let mut c = g.connect().await;
        let outcome = c.login("alice", "alice", HWID).await.expect("an answer");
        assert_eq!(outcome, LoginOutcome::Failed { code: 6 }, "{fault:?}");
        let session = g.session_of("alice").await;
        let cmd = g.topics.command.clone();
        g.observer
            .wait_until("the release", |seen| {
                seen.iter()
                    .any(|r| r.topic == cmd && r.json()["type"] == "LOGOUT")
            })
            .await;
        let release = g.records(&cmd, session, "LOGOUT");
        assert_eq!(release.len(), 1);
        assert_eq!(release[0]["accountId"], 5);
        assert!(g
            .records(&g.topics.session_status.clone(), session, "CREATED")
            .is_empty());
        g.sim.faults().clear();
        let mut answer = c.login("alice", "alice", HWID).await.expect("an answer");
        for _ in 0..50 {
            if answer != (LoginOutcome::Failed { code: 7 }) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            answer = c.login("alice", "alice", HWID).await.expect("an answer");
        }
        assert!(matches!(answer, LoginOutcome::Success(_)), "{answer:?}");
        drop(c);
        g.assert_ended_with(session, &[5, 5], 5).await;
    }
}
