//! The LOGGED_IN race: the account service sends LOGGED_IN (account status) and CREATED
//! (account session status) on two topics, so they arrive in either order; a v83 client asks
//! for the server list the moment it reads AuthSuccess, and Atlas's LoggedIn validator would
//! drop that request (and the client would wait forever) if the LOGGED_IN had not arrived.
//! The peer is played by the test here, so each order is certain.

use maple_client::LoginOutcome;
use serde_json::json;

use super::*;

/// When the test sends the account status LOGGED_IN, relative to the CREATED.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LoggedIn {
    /// Consumed before the CREATED is sent.
    Before,
    /// After the client has its server list.
    After,
    /// Never.
    Never,
}

async fn logged_in_status_consumed(g: &Game, n: f64) {
    g.wait_consumed(&g.topics.account_status, "recorded", n)
        .await;
}

/// A client logged in as admin, the test answering its CREATE with CREATED (and nothing else).
async fn logged_in_by_created(g: &mut Game) -> Client {
    let mut c = g.connect().await;
    let answer = async {
        let session = g.session_of("admin").await;
        let body = json!({"ipAddress": "127.0.0.1", "hwid": HWID_HEX});
        g.inject_session_event(session, 1, "admin", "CREATED", body)
            .await;
    };
    let (outcome, ()) = tokio::join!(c.login("admin", "admin", HWID), answer);
    assert!(matches!(outcome.expect("answer"), LoginOutcome::Success(_)));
    c
}

async fn server_list_right_after_auth_success(order: LoggedIn) {
    let mut g = Setup::default().without_account_sim().start().await;
    let mut c = g.connect().await;
    let answer = async {
        let session = g.session_of("admin").await;
        if order == LoggedIn::Before {
            g.inject_account_status(1, "admin", "LOGGED_IN").await;
            logged_in_status_consumed(&g, 1.0).await;
        }
        let body = json!({"ipAddress": "127.0.0.1", "hwid": HWID_HEX});
        g.inject_session_event(session, 1, "admin", "CREATED", body)
            .await;
    };
    let (outcome, ()) = tokio::join!(c.login("admin", "admin", HWID), answer);
    let outcome = outcome.expect("answer");
    assert!(
        matches!(outcome, LoginOutcome::Success(ref a) if a.account_id == 1),
        "{outcome:?}"
    );
    // Straight after AuthSuccess, as the client does (no PIN: pinFlag 1 sends 0x0B at once).
    let list = c
        .server_list()
        .await
        .unwrap_or_else(|e| panic!("{order:?}: {e}"));
    assert_eq!(list.worlds.len(), 3, "{order:?}");
    let chars = c.character_list(0, 0).await.expect("character list");
    assert_eq!(chars.characters.len(), 3);
    if order == LoggedIn::After {
        g.inject_account_status(1, "admin", "LOGGED_IN").await;
        logged_in_status_consumed(&g, 1.0).await;
        assert_eq!(c.server_list().await.expect("again").worlds.len(), 3);
    }
    let session = g.session_of("admin").await;
    g.assert_created(session, "admin", 1).await;
    drop(c);
    g.assert_ended_once(session, 1).await;
}

#[actix_rt::test]
async fn the_server_list_comes_when_logged_in_was_consumed_before_created() {
    server_list_right_after_auth_success(LoggedIn::Before).await;
}

#[actix_rt::test]
async fn the_server_list_comes_when_created_overtakes_logged_in() {
    server_list_right_after_auth_success(LoggedIn::After).await;
}

#[actix_rt::test]
async fn the_server_list_comes_when_no_logged_in_is_seen_at_all() {
    server_list_right_after_auth_success(LoggedIn::Never).await;
}

/// The account was logged in and out before (an earlier session's LOGGED_OUT is the
/// account's last status), and the new login's CREATED overtakes its LOGGED_IN.
#[actix_rt::test]
async fn the_server_list_comes_after_an_earlier_logout_when_created_overtakes_logged_in() {
    let mut g = Setup::default().without_account_sim().start().await;
    g.inject_account_status(1, "admin", "LOGGED_IN").await;
    g.inject_account_status(1, "admin", "LOGGED_OUT").await;
    logged_in_status_consumed(&g, 2.0).await;
    let mut c = logged_in_by_created(&mut g).await;
    let list = c.server_list().await.expect("server list");
    assert_eq!(list.worlds.len(), 3);
    g.inject_account_status(1, "admin", "LOGGED_IN").await;
    logged_in_status_consumed(&g, 3.0).await;
    let session = g.session_of("admin").await;
    drop(c);
    g.assert_ended_once(session, 1).await;
}

/// An earlier session's LOGGED_OUT, delayed, is consumed after the new login's CREATED and
/// before its LOGGED_IN: the server list the client asks for meanwhile waits for the LOGGED_IN
/// and comes (Atlas's validator would drop it, and the client would wait forever).
#[actix_rt::test]
async fn the_server_list_waits_out_a_stale_logged_out_between_created_and_logged_in() {
    let mut g = Setup::default().without_account_sim().start().await;
    let mut c = logged_in_by_created(&mut g).await;
    g.inject_account_status(1, "admin", "LOGGED_OUT").await;
    logged_in_status_consumed(&g, 1.0).await;
    let logged_in = async {
        // Long enough for the request to reach the service before its LOGGED_IN.
        tokio::time::sleep(Duration::from_millis(300)).await;
        g.inject_account_status(1, "admin", "LOGGED_IN").await;
    };
    let (list, ()) = tokio::join!(c.server_list(), logged_in);
    assert_eq!(list.expect("server list").worlds.len(), 3);
    let session = g.session_of("admin").await;
    drop(c);
    g.assert_ended_once(session, 1).await;
}

/// A LOGGED_OUT after the session's CREATED with no LOGGED_IN behind it: the requests that
/// need the account logged in wait a moment, then are dropped and counted as Atlas drops them.
#[actix_rt::test]
async fn requests_after_a_logged_out_with_no_logged_in_behind_it_are_dropped() {
    let mut g = Setup::default().without_account_sim().start().await;
    let mut c = logged_in_by_created(&mut g).await;
    g.inject_account_status(1, "admin", "LOGGED_OUT").await;
    logged_in_status_consumed(&g, 1.0).await;
    c.send(opcodes().client.server_list, &[])
        .await
        .expect("sent");
    g.wait_not_logged_in_drops(1.0).await;
    assert_eq!(c.skipped_packets(), 0, "nothing answered");
    let session = g.session_of("admin").await;
    drop(c);
    g.assert_ended_once(session, 1).await;
}
