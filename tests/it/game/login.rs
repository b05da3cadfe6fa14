//! Login answers as a v83 client reads them: AuthSuccess, the failure codes (never Atlas's 99
//! for a code the peer may send), bans in the client's 15-byte shape, the licence agreement.

use std::time::Duration;

use maple_client::packets::codes::PERMANENT_BAN_FILETIME;
use maple_client::LoginOutcome;
use serde_json::json;

use super::*;

#[actix_rt::test]
async fn a_login_is_answered_with_auth_success_and_ends_once_at_close() {
    let mut g = Game::default().await;
    let (client, auth, session) = g.logged_in("admin", "admin").await;
    assert_eq!(auth.account_id, 1);
    assert_eq!(auth.account_name, "admin");
    assert_eq!(auth.gender, 0);
    assert_eq!(auth.grade, 0, "no GM flag");
    assert_eq!(auth.pin_flag, Some(1), "usesPin false: no PIN dialog");
    assert_eq!(
        auth.login_opt,
        Some(0),
        "no PIC yet: the client registers one"
    );
    assert_eq!(
        auth.character_count,
        Some(1),
        "Atlas's constant nNumOfCharacter"
    );
    assert_eq!(auth.client_key, None, "v83 has no client key");
    g.assert_created(session, "admin", 1).await;
    assert_eq!(client.account_id(), 1);

    // An account with a PIC is asked for it (login option 1); its gender is shown.
    let (alice, auth, alice_session) = g.logged_in("alice", "alice").await;
    assert_eq!((auth.account_id, auth.gender), (5, 1));
    assert_eq!(auth.login_opt, Some(1));

    drop(client);
    g.assert_ended_once(session, 1).await;
    drop(alice);
    g.assert_ended_once(alice_session, 5).await;
}

#[actix_rt::test]
async fn wrong_password_unknown_account_and_already_logged_in_get_their_codes() {
    let mut g = Game::default().await;
    let mut c = g.connect().await;
    let wrong = c.login("admin", "nope", HWID).await.expect("answer");
    assert_eq!(wrong, LoginOutcome::Failed { code: 4 });
    let unknown = c.login("nobody", "x", HWID).await.expect("answer");
    assert_eq!(unknown, LoginOutcome::Failed { code: 5 });
    // The session stays and may retry.
    let ok = c.login("admin", "admin", HWID).await.expect("answer");
    assert!(
        matches!(ok, LoginOutcome::Success(ref a) if a.account_id == 1),
        "{ok:?}"
    );
    let session = g.session_of("admin").await;
    // Logged in, the same connection logs in again (a client back at its login screen): told
    // ALREADY_LOGGED_IN as Atlas's peer would answer, without a CREATE; the session goes on.
    let back = c.login("admin", "admin", HWID).await.expect("answer");
    assert_eq!(back, LoginOutcome::Failed { code: 7 });
    assert_eq!(c.server_list().await.expect("still served").worlds.len(), 3);

    let mut twice = g.connect().await;
    let again = twice.login("admin", "admin", HWID).await.expect("answer");
    assert_eq!(again, LoginOutcome::Failed { code: 7 });
    let second = {
        let cmd = g.topics.command.clone();
        g.observer
            .wait_until("two CREATEs for admin", |seen| {
                seen.iter()
                    .filter(|r| {
                        r.topic == cmd
                            && r.json()["type"] == "CREATE"
                            && r.json()["body"]["accountName"] == "admin"
                    })
                    .count()
                    >= 3
            })
            .await;
        let all: Vec<Uuid> = g
            .observer
            .seen
            .iter()
            .filter(|r| r.topic == cmd && r.json()["body"]["accountName"] == "admin")
            .map(|r| r.json()["sessionId"].as_str().unwrap().parse().unwrap())
            .collect();
        *all.iter()
            .find(|s| **s != session)
            .expect("the second session")
    };
    // The refused session was never bound: no session CREATED; it ends unbound.
    drop(twice);
    g.assert_ended_once(second, 0).await;
    assert!(g
        .records(&g.topics.session_status.clone(), second, "CREATED")
        .is_empty());
    drop(c);
    g.assert_ended_once(session, 1).await;
    let cmd = g.topics.command.clone();
    assert_eq!(
        g.records(&cmd, session, "CREATE").len(),
        3,
        "wrong, unknown, right: none for the login on the logged-in session"
    );
}

/// The peer codes the v83 template has no key for: Atlas sends byte 99 ("will likely cause a
/// client crash"); the service sends the nearest reason (SYSTEM_ERROR_1 6, TOO_MANY_CONNECTIONS
/// 10), and 6 for a login the peer never answers.
#[actix_rt::test]
async fn system_error_too_many_attempts_and_no_answer_are_never_byte_99() {
    let mut g = Setup::default()
        .without_account_sim()
        .env("LOGIN_TIMEOUT_MS", "1500")
        .start()
        .await;
    let mut c = g.connect().await;
    for (code, byte) in [("SYSTEM_ERROR", 6), ("TOO_MANY_ATTEMPTS", 10)] {
        let creates_before = g.count(&g.topics.command.clone(), "CREATE");
        let cmd = g.topics.command.clone();
        let answer = async {
            g.observer
                .wait_until("the CREATE", |seen| {
                    seen.iter()
                        .filter(|r| r.topic == cmd && r.json()["type"] == "CREATE")
                        .count()
                        > creates_before
                })
                .await;
            let session = g.session_of("admin").await;
            let body = json!({"code": code, "reason": 0, "until": 0, "ipAddress": "127.0.0.1",
                "hwid": HWID_HEX});
            g.inject_session_event(session, 0, "", "ERROR", body).await;
        };
        let (outcome, ()) = tokio::join!(c.login("admin", "admin", HWID), answer);
        assert_eq!(
            outcome.expect("answer"),
            LoginOutcome::Failed { code: byte },
            "{code}"
        );
    }
    // No answer at all: SYSTEM_ERROR after LOGIN_TIMEOUT_MS.
    let asked = std::time::Instant::now();
    let outcome = c.login("admin", "admin", HWID).await.expect("answer");
    assert_eq!(outcome, LoginOutcome::Failed { code: 6 });
    assert!(
        asked.elapsed() >= Duration::from_millis(1400),
        "{:?}",
        asked.elapsed()
    );
    let session = g.session_of("admin").await;
    drop(c);
    g.assert_ended_once(session, 0).await;
}

#[actix_rt::test]
async fn bans_have_the_clients_15_byte_shape_with_reason_and_date() {
    let mut g = Game::default().await;
    let mut c = g.connect().await;
    // The simulator's temporary ban: a numeric FILETIME.
    let temporary = c.login("banned", "banned", HWID).await.expect("answer");
    assert_eq!(
        temporary,
        LoginOutcome::TemporaryBan {
            reason: 1,
            until: 133_500_000_000_000_000
        }
    );
    // Its permanent ban (until 0): the same shape with a far-future date (§14.1 shape A).
    let permanent = c.login("exiled", "exiled", HWID).await.expect("answer");
    assert_eq!(
        permanent,
        LoginOutcome::PermanentBan {
            reason: Some(2),
            until: Some(PERMANENT_BAN_FILETIME)
        }
    );
    let session = g.session_of("banned").await;
    drop(c);
    g.assert_ended_once(session, 0).await;
}

/// Newer peers write `until` as RFC 3339 (Go's zero time meaning none), and may send no reason.
#[actix_rt::test]
async fn a_ban_until_an_rfc3339_time_or_go_zero_time_is_shown_as_such() {
    let mut g = Setup::default().without_account_sim().start().await;
    let mut c = g.connect().await;
    // 2030-01-01T00:00:00Z = 1893456000 s after the Unix epoch, in FILETIME ticks.
    let in_2030 = 1_893_456_000u64 * 10_000_000 + 116_444_736_000_000_000;
    let cases = [
        (
            json!("2030-01-01T00:00:00Z"),
            3,
            LoginOutcome::TemporaryBan {
                reason: 3,
                until: in_2030,
            },
        ),
        (
            json!("2030-01-01T01:00:00+01:00"),
            0,
            LoginOutcome::TemporaryBan {
                reason: 1,
                until: in_2030,
            },
        ),
        (
            json!("0001-01-01T00:00:00Z"),
            4,
            LoginOutcome::PermanentBan {
                reason: Some(4),
                until: Some(PERMANENT_BAN_FILETIME),
            },
        ),
    ];
    for (n, (until, reason, expected)) in cases.into_iter().enumerate() {
        let cmd = g.topics.command.clone();
        let answer = async {
            g.observer
                .wait_until("the CREATE", |seen| {
                    seen.iter()
                        .filter(|r| r.topic == cmd && r.json()["type"] == "CREATE")
                        .count()
                        > n
                })
                .await;
            let session = g.session_of("banned").await;
            let body = json!({"code": "DELETED_OR_BLOCKED", "reason": reason, "until": until,
                "ipAddress": "", "hwid": ""});
            g.inject_session_event(session, 3, "banned", "ERROR", body)
                .await;
        };
        let (outcome, ()) = tokio::join!(c.login("banned", "banned", HWID), answer);
        assert_eq!(outcome.expect("answer"), expected, "case {n}");
    }
    let session = g.session_of("banned").await;
    drop(c);
    g.assert_ended_once(session, 0).await;
}

#[actix_rt::test]
async fn the_licence_is_asked_for_then_accepted_and_recorded_at_the_account_service() {
    let mut g = Game::default().await;
    let mut c = g.connect().await;
    let asked = c.login("newbie", "newbie", HWID).await.expect("answer");
    assert_eq!(asked, LoginOutcome::Failed { code: 23 });
    let session = g.session_of("newbie").await;
    // Bound at the licence request already (as Atlas: session CREATED with the account).
    g.assert_created(session, "newbie", 2).await;
    let accepted = c.accept_tos(true).await.expect("answer");
    let Some(LoginOutcome::Success(auth)) = accepted else {
        panic!("{accepted:?}");
    };
    assert_eq!((auth.account_id, auth.account_name.as_str()), (2, "newbie"));
    assert_eq!(auth.gender, 10, "gender not chosen yet");
    let ctx = g.ctx();
    let mut tos = false;
    for _ in 0..100 {
        tos = g.rest.account(&ctx, 2).await.expect("account 2").tos;
        if tos {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(tos, "the acceptance is PATCHed to the account service");
    // Logged in now: the server list comes.
    let worlds = c.server_list().await.expect("server list");
    assert!(!worlds.worlds.is_empty());
    drop(c);
    g.assert_ended_once(session, 2).await;
}

#[actix_rt::test]
async fn a_declined_licence_closes_the_connection_and_ends_the_session_once() {
    let mut g = Game::default().await;
    let mut c = g.connect().await;
    let asked = c.login("newbie", "newbie", HWID).await.expect("answer");
    assert_eq!(asked, LoginOutcome::Failed { code: 23 });
    let session = g.session_of("newbie").await;
    assert_eq!(c.accept_tos(false).await.expect("sent"), None);
    assert!(
        c.closed_within(Duration::from_secs(5)).await.expect("read"),
        "the server closes the connection"
    );
    g.assert_ended_once(session, 2).await;
    let ctx = g.ctx();
    assert!(!g.rest.account(&ctx, 2).await.expect("account 2").tos);
    // The account was released: it logs in again.
    let mut again = g.connect().await;
    let mut answer = again.login("newbie", "newbie", HWID).await.expect("answer");
    for _ in 0..50 {
        if answer != (LoginOutcome::Failed { code: 7 }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = again.login("newbie", "newbie", HWID).await.expect("answer");
    }
    assert_eq!(answer, LoginOutcome::Failed { code: 23 });
}

/// `LOGIN_MAX_FAILURES` wrong passwords: the next login is refused with TOO_MANY_CONNECTIONS
/// (10, the template's nearest reason for TOO_MANY_ATTEMPTS) and the connection closes.
#[actix_rt::test]
async fn too_many_failed_logins_are_refused_with_10_and_the_connection_closes() {
    let mut g = Setup::default()
        .env("LOGIN_MAX_FAILURES", "3")
        .start()
        .await;
    let mut c = g.connect().await;
    for _ in 0..3 {
        let wrong = c.login("admin", "nope", HWID).await.expect("answer");
        assert_eq!(wrong, LoginOutcome::Failed { code: 4 });
    }
    let refused = c.login("admin", "admin", HWID).await.expect("answer");
    assert_eq!(refused, LoginOutcome::Failed { code: 10 });
    assert!(c.closed_within(Duration::from_secs(5)).await.expect("read"));
    let session = g.session_of("admin").await;
    g.assert_ended_once(session, 0).await;
    assert_eq!(
        g.records(&g.topics.command.clone(), session, "CREATE")
            .len(),
        3,
        "the refused login never reached the account service"
    );
}

/// `DUPLICATE_LOGIN=replace`: a second login of the account ends the first session (its
/// connection closes) and is sent once the account service has logged the account out.
#[actix_rt::test]
async fn a_replacing_login_closes_the_first_game_session_and_logs_in() {
    let mut g = Setup::default()
        .env("DUPLICATE_LOGIN", "replace")
        .start()
        .await;
    let (mut first, _, first_session) = g.logged_in("admin", "admin").await;
    let mut second = g.connect().await;
    let outcome = second.login("admin", "admin", HWID).await.expect("answer");
    assert!(
        matches!(outcome, LoginOutcome::Success(ref a) if a.account_id == 1),
        "{outcome:?}"
    );
    assert!(first
        .closed_within(Duration::from_secs(5))
        .await
        .expect("read"));
    g.assert_ended_once(first_session, 1).await;
    assert_eq!(second.server_list().await.expect("served").worlds.len(), 3);
    let cmd = g.topics.command.clone();
    let second_session = g
        .observer
        .seen
        .iter()
        .filter(|r| r.topic == cmd && r.json()["type"] == "CREATE")
        .map(|r| {
            r.json()["sessionId"]
                .as_str()
                .unwrap()
                .parse::<Uuid>()
                .unwrap()
        })
        .find(|s| *s != first_session)
        .expect("the second session's CREATE");
    g.assert_created(second_session, "admin", 1).await;
    drop(second);
    g.assert_ended_once(second_session, 1).await;
}
