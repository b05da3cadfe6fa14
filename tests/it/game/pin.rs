//! The PIN of a tenant with `usesPin` end to end: AuthSuccess's pinFlag, AfterLogin (0x09)
//! asking, checking and changing it with its attempts recorded at the account service,
//! RegisterPin (0x0A) with its LOGOUT-only path (the client logs in again on the same
//! connection) and its cancel, and nothing else served before the PIN was entered.

use maple_client::{Error, PinReply};

use super::*;

/// PinOperation modes of the v83 template.
const OK: u8 = 0;
const REGISTER: u8 = 1;
const INVALID: u8 = 2;
const CONNECTION_FAILED: u8 = 3;
const ENTER_PIN: u8 = 4;

async fn account(g: &Game, id: u32) -> login_orchestrator::rest::Account {
    g.rest.account(&g.ctx(), id).await.expect("account")
}

/// The PIN dialogs the client is told to show: REGISTER for an account without a PIN,
/// ENTER_PIN for one with a PIN, and a right PIN lets the session go on.
#[actix_rt::test]
async fn the_client_is_asked_to_register_or_enter_its_pin_and_the_right_one_is_ok() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut admin, auth, admin_session) = g.logged_in("admin", "admin").await;
    assert_eq!(
        auth.pin_flag,
        Some(0),
        "usesPin: the client opens the PIN dialog"
    );
    assert_eq!(
        admin.after_login(1, 1, None).await.expect("answer"),
        REGISTER
    );
    drop(admin);
    g.assert_ended_once(admin_session, 1).await;

    let (mut c, auth, session) = g.logged_in("alice", "alice").await;
    assert_eq!(auth.pin_flag, Some(0));
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), ENTER_PIN);
    // A wrong PIN is INVALID and recorded; the right one is OK and resets the count.
    assert_eq!(
        c.after_login(1, 0, Some("0000")).await.expect("answer"),
        INVALID
    );
    assert_eq!(account(&g, 5).await.pin_attempts, 1);
    assert_eq!(c.after_login(1, 0, Some("1234")).await.expect("answer"), OK);
    assert_eq!(account(&g, 5).await.pin_attempts, 0);
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    let list = c.character_list(0, 0).await.expect("alice's list");
    assert_eq!(list.characters[0].stats.id, 5);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// Until the PIN was entered right, only the PIN and gender dialogs (and the keep-alive) are
/// served: Atlas serves a client that skips the PIN it was asked for.
#[actix_rt::test]
async fn requests_before_the_pin_are_dropped_and_served_once_it_was_entered() {
    let mut g = Setup::default().uses_pin().own_tenant().start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), ENTER_PIN);
    let client = opcodes().client;
    c.send(client.server_list, &[]).await.expect("server list");
    c.send(client.character_list, &[1, 0, 0, 127, 0, 0, 1])
        .await
        .expect("character list");
    let view_all = client.view_all.expect("ViewAll");
    c.send(view_all, &[]).await.expect("view all");
    // A wrong PIN does not open the way either.
    assert_eq!(
        c.after_login(1, 0, Some("4321")).await.expect("answer"),
        INVALID
    );
    c.send(client.server_list, &[]).await.expect("server list");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "pin_required")],
        4.0,
    )
    .await;
    assert_eq!(c.skipped_packets(), 0, "nothing answered before the PIN");
    assert_eq!(c.after_login(1, 0, Some("1234")).await.expect("answer"), OK);
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// The gender dialog comes before the PIN's, and is served on a PIN tenant.
#[actix_rt::test]
async fn the_gender_dialog_is_served_before_the_pin() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, auth, session) = g.logged_in("dana", "dana").await;
    assert_eq!((auth.gender, auth.pin_flag), (GENDER_UNCHOSEN, Some(0)));
    let set = c.set_gender(true, 1).await.expect("SetAccountResult");
    assert_eq!((set.gender, set.success), (1, true));
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), REGISTER);
    drop(c);
    g.assert_ended_once(session, 9).await;
}

#[actix_rt::test]
async fn the_fifth_wrong_pin_ends_the_session_once() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), ENTER_PIN);
    for attempt in 1..=4 {
        let answer = c.after_login(1, 0, Some("9999")).await.expect("answer");
        assert_eq!(answer, INVALID, "attempt {attempt}");
    }
    let fifth = c.after_login(1, 0, Some("9999")).await;
    assert!(matches!(fifth, Err(Error::Closed { .. })), "{fifth:?}");
    g.assert_ended_once(session, 5).await;
    assert_eq!(account(&g, 5).await.pin_attempts, 5);
}

/// A PIN registered: PinUpdate OK, then Atlas's LOGOUT only (no DESTROYED): the connection
/// stays, and the client logs in again on it and enters the new PIN.
#[actix_rt::test]
async fn a_registered_pin_signs_the_account_out_and_the_client_logs_in_again_with_it() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), REGISTER);
    let reply = c.register_pin(Some("5678")).await.expect("answer");
    assert_eq!(reply, Some(PinReply::Update(0)));
    assert_eq!(account(&g, 1).await.pin, "5678");
    g.assert_signed_out(session, 1, 1).await;
    // The same connection, the same session.
    let auth = login_again(&mut c, "admin", "admin").await;
    assert_eq!((auth.account_id, auth.pin_flag), (1, Some(0)));
    // Its CREATE carries the account signed out of, as Atlas's session keeps it: the
    // sign-out's LOGOUT and this CREATE share their key (and partition).
    let cmd = g.topics.command.clone();
    let is_create = |r: &Record| r.topic == cmd && r.json()["type"] == "CREATE";
    g.observer
        .wait_until("the second CREATE", |seen| {
            seen.iter().filter(|r| is_create(r)).count() >= 2
        })
        .await;
    let creates: Vec<(serde_json::Value, Vec<u8>)> = g
        .observer
        .seen
        .iter()
        .filter(|r| is_create(r))
        .map(|r| (r.json()["accountId"].clone(), r.key.clone()))
        .collect();
    assert_eq!(
        creates,
        vec![
            (json!(0), 0u64.to_le_bytes().to_vec()),
            (json!(1), 1u64.to_le_bytes().to_vec())
        ]
    );
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), ENTER_PIN);
    assert_eq!(c.after_login(1, 0, Some("5678")).await.expect("answer"), OK);
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    drop(c);
    // The session's end logs the second login out: one LOGOUT each, one DESTROYED.
    g.assert_ended_with(session, &[1, 1], 1).await;
}

/// After the PIN registration's sign-out the session holds no account: its requests are
/// dropped until it logs in again, and its end does not log out the account's new login on
/// another connection (its LOGOUT and DESTROYED carry account 0).
#[actix_rt::test]
async fn a_signed_out_session_holds_no_account_and_its_end_leaves_a_new_login_alone() {
    let mut g = Setup::default().uses_pin().own_tenant().start().await;
    let (mut first, _, session) = g.logged_in("admin", "admin").await;
    assert_eq!(
        first.after_login(1, 1, None).await.expect("answer"),
        REGISTER
    );
    let reply = first.register_pin(Some("5678")).await.expect("answer");
    assert_eq!(reply, Some(PinReply::Update(0)));
    g.assert_signed_out(session, 1, 1).await;
    first
        .send(opcodes().client.server_list, &[])
        .await
        .expect("sent");
    g.wait_not_logged_in_drops(1.0).await;
    // The account logs in on another connection, then the first one closes.
    let mut second = g.connect().await;
    let auth = login_again(&mut second, "admin", "admin").await;
    assert_eq!(auth.account_id, 1);
    assert_eq!(first.skipped_packets(), 0, "nothing answered");
    drop(first);
    g.assert_ended_with(session, &[1, 0], 0).await;
    assert_eq!(
        second
            .after_login(1, 0, Some("5678"))
            .await
            .expect("answer"),
        OK
    );
    assert_eq!(
        second
            .server_list()
            .await
            .expect("server list")
            .worlds
            .len(),
        3
    );
    let cmd = g.topics.command.clone();
    let logouts_of_1 = g
        .observer
        .seen
        .iter()
        .filter(|r| r.topic == cmd && r.json()["type"] == "LOGOUT" && r.json()["accountId"] == 1)
        .count();
    assert_eq!(
        logouts_of_1,
        1,
        "only the sign-out's: {:#?}",
        g.observer.summary()
    );
}

/// RegisterPin's cancel ends the session once (Atlas sends LOGOUT and DESTROYED twice).
#[actix_rt::test]
async fn a_cancelled_pin_registration_ends_the_session_once() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), REGISTER);
    assert_eq!(c.register_pin(None).await.expect("sent"), None);
    assert!(c
        .closed_within(DEADLINE)
        .await
        .expect("the connection closes"));
    g.assert_ended_once(session, 1).await;
    assert_eq!(account(&g, 1).await.pin, "");
}

/// AfterLogin's cancel (0) ends the session once.
#[actix_rt::test]
async fn a_closed_pin_dialog_ends_the_session_once() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    c.send(opcodes().client.after_login.expect("AfterLogin"), &[0])
        .await
        .expect("sent");
    assert!(c
        .closed_within(DEADLINE)
        .await
        .expect("the connection closes"));
    g.assert_ended_once(session, 5).await;
}

/// A PIN shorter than 4 is CONNECTION_FAILED, a longer one ends the session, as Atlas does.
#[actix_rt::test]
async fn a_short_pin_is_refused_and_a_long_one_ends_the_session() {
    let mut g = Setup::default().uses_pin().start().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), REGISTER);
    let short = c.register_pin(Some("123")).await.expect("answer");
    assert_eq!(short, Some(PinReply::Operation(CONNECTION_FAILED)));
    let long = c.register_pin(Some("12345")).await;
    assert!(matches!(long, Err(Error::Closed { .. })), "{long:?}");
    g.assert_ended_once(session, 1).await;
    assert_eq!(account(&g, 1).await.pin, "", "nothing registered");
}

/// A PIN is changed only once the current one was entered (AfterLogin 2/0; Atlas lets any
/// logged-in client overwrite it). The change signs the account out; the session's end then
/// has nothing bound (account 0).
#[actix_rt::test]
async fn a_pin_is_changed_only_after_the_current_one_was_entered() {
    let mut g = Setup::default().uses_pin().own_tenant().start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), ENTER_PIN);
    let register = opcodes().client.register_pin.expect("RegisterPin");
    c.send(register, &[1, 4, 0, b'9', b'9', b'9', b'9'])
        .await
        .expect("sent");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "pin_required")],
        1.0,
    )
    .await;
    assert_eq!(account(&g, 5).await.pin, "1234", "not overwritten");
    assert_eq!(
        c.after_login(2, 0, Some("0000")).await.expect("answer"),
        INVALID
    );
    assert_eq!(account(&g, 5).await.pin_attempts, 1);
    assert_eq!(
        c.after_login(2, 0, Some("1234")).await.expect("answer"),
        REGISTER
    );
    let reply = c.register_pin(Some("9999")).await.expect("answer");
    assert_eq!(reply, Some(PinReply::Update(0)));
    assert_eq!(account(&g, 5).await.pin, "9999");
    assert_eq!(c.skipped_packets(), 0);
    g.assert_signed_out(session, 5, 1).await;
    drop(c);
    g.assert_ended_with(session, &[5, 0], 0).await;
}

/// On a tenant without `usesPin`, AuthSuccess turns the PIN dialog off and the PIN packets
/// are dropped.
#[actix_rt::test]
async fn pin_packets_are_dropped_on_a_tenant_without_pin() {
    let mut g = Setup::default().own_tenant().start().await;
    let (mut c, auth, session) = g.logged_in("alice", "alice").await;
    assert_eq!(auth.pin_flag, Some(1));
    let client = opcodes().client;
    c.send(client.after_login.expect("AfterLogin"), &[1, 1])
        .await
        .expect("sent");
    c.send(client.register_pin.expect("RegisterPin"), &[0])
        .await
        .expect("sent");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "pin_unused")],
        2.0,
    )
    .await;
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    assert_eq!(c.skipped_packets(), 0, "no PinOperation");
    drop(c);
    g.assert_ended_once(session, 5).await;
}
