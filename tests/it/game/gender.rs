//! SetGender (0x08) end to end, for an account the peer created without a gender (10): a
//! choice is recorded at the account service (PATCH) and answered SetAccountResult(g, 1); a
//! declined one is SetAccountResult(g, 0) and Atlas's LOGOUT only (the connection stays and
//! the client logs in again); an account with a gender cannot change it.

use super::*;

async fn gender(g: &Game, id: u32) -> u8 {
    g.rest.account(&g.ctx(), id).await.expect("account").gender
}

#[actix_rt::test]
async fn an_account_without_a_gender_chooses_one_once() {
    let mut g = Setup::default().own_tenant().start().await;
    let (mut c, auth, session) = g.logged_in("dana", "dana").await;
    assert_eq!(
        auth.gender, GENDER_UNCHOSEN,
        "the client opens the gender dialog"
    );
    let set = c.set_gender(true, 1).await.expect("SetAccountResult");
    assert_eq!((set.gender, set.success), (1, true));
    assert_eq!(gender(&g, 9).await, 1, "PATCHed at the account service");
    // The session goes on, signed in.
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    // Chosen now: a second choice is dropped.
    let op = opcodes().client.set_gender.expect("SetGender");
    c.send(op, &[1, 0]).await.expect("sent");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "gender_chosen")],
        1.0,
    )
    .await;
    assert_eq!(gender(&g, 9).await, 1);
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    assert_eq!(c.skipped_packets(), 0, "no SetAccountResult");
    let cmd = g.topics.command.clone();
    assert!(g.records(&cmd, session, "LOGOUT").is_empty());
    drop(c);
    g.assert_ended_once(session, 9).await;
}

/// Declined (or a gender other than 0 and 1, which counts as declined): SetAccountResult
/// with success 0 and a LOGOUT only; nothing is recorded, and the client logs in again on the
/// same connection and is asked again.
#[actix_rt::test]
async fn a_declined_gender_signs_the_account_out_and_keeps_the_connection() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("dana", "dana").await;
    let declined = c.set_gender(false, 0).await.expect("SetAccountResult");
    assert_eq!((declined.gender, declined.success), (0, false));
    g.assert_signed_out(session, 9, 1).await;
    assert_eq!(gender(&g, 9).await, GENDER_UNCHOSEN);

    let auth = login_again(&mut c, "dana", "dana").await;
    assert_eq!(auth.gender, GENDER_UNCHOSEN, "asked again");
    let invalid = c.set_gender(true, 7).await.expect("SetAccountResult");
    assert_eq!((invalid.gender, invalid.success), (7, false));
    g.assert_signed_out(session, 9, 2).await;
    assert_eq!(gender(&g, 9).await, GENDER_UNCHOSEN);

    login_again(&mut c, "dana", "dana").await;
    let set = c.set_gender(true, 0).await.expect("SetAccountResult");
    assert_eq!((set.gender, set.success), (0, true));
    assert_eq!(gender(&g, 9).await, 0);
    drop(c);
    g.assert_ended_with(session, &[9, 9, 9], 9).await;
}

/// Atlas lets any logged-in client change its account's gender; here an account that has one
/// keeps it, unanswered.
#[actix_rt::test]
async fn an_account_with_a_gender_cannot_change_it() {
    let mut g = Setup::default().own_tenant().start().await;
    let (mut c, auth, session) = g.logged_in("alice", "alice").await;
    assert_eq!(auth.gender, 1);
    let op = opcodes().client.set_gender.expect("SetGender");
    c.send(op, &[1, 0]).await.expect("sent");
    c.send(op, &[0, 0]).await.expect("sent");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "gender_chosen")],
        2.0,
    )
    .await;
    assert_eq!(gender(&g, 5).await, 1);
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    assert_eq!(c.skipped_packets(), 0, "no SetAccountResult");
    drop(c);
    g.assert_ended_once(session, 5).await;
}
