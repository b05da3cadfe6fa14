//! Behaviour of the session state machine, without actors or a broker.

use super::*;
use crate::message::account_session::{ErrorBody, TransitionParams, Until};
use uuid::Uuid;

fn state() -> State {
    State::new(
        "192.168.1.10".into(),
        Settings {
            max_bad_requests: 2,
            max_login_failures: 3,
            login_failure_window: Duration::from_secs(600),
        },
    )
}

fn login(name: &str) -> Input {
    Input::Login(LoginRequest {
        account_name: name.into(),
        password: "pw".into(),
        hwid: String::new(),
    })
}

fn peer(account_id: u32, name: &str, body: EventBody) -> Input {
    Input::Peer {
        seq: 7,
        event: StatusEvent {
            session_id: Uuid::nil(),
            account_id,
            account_name: name.into(),
            body,
        },
    }
}

fn error_event(code: &str, reason: u8, until: Until) -> Input {
    peer(
        0,
        "",
        EventBody::Error(ErrorBody {
            code: code.into(),
            reason,
            until,
        }),
    )
}

fn logged_in() -> State {
    let mut s = state();
    s.step(login("admin"));
    s.step(peer(1, "admin", EventBody::Created));
    s
}

fn reply(effects: &[Effect]) -> &Event {
    match effects {
        [.., Effect::Reply(e)] => e,
        other => panic!("expected a reply last: {other:?}"),
    }
}

fn error_code(effects: &[Effect]) -> ErrorCode {
    match reply(effects) {
        Event::Error { code, .. } => *code,
        other => panic!("expected an error: {other:?}"),
    }
}

#[test]
fn login_sends_create_with_the_client_ip_and_accountid_zero() {
    let mut s = state();
    let effects = s.step(login("admin"));
    match &effects[..] {
        [Effect::SendCreate { attempt: 1, body }] => {
            assert_eq!(body.account_name, "admin");
            assert_eq!(body.ip_address, "192.168.1.10");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.account_id, 0);
    assert!(s.login_unanswered());
}

#[test]
fn peer_created_binds_and_logs_the_client_in() {
    let mut s = state();
    s.step(login("admin"));
    let effects = s.step(peer(1, "admin", EventBody::Created));
    assert_eq!(
        effects,
        vec![
            Effect::Bind { account_id: 1 },
            Effect::Reply(Event::LoginOk {
                account_id: 1,
                account_name: "admin".into()
            }),
        ]
    );
    assert_eq!(s.created_seq, Some(7));
    assert!(!s.login_unanswered());
}

#[test]
fn a_redelivered_created_is_not_a_second_session_created() {
    let mut s = logged_in();
    assert_eq!(s.step(peer(1, "admin", EventBody::Created)), vec![]);
}

#[test]
fn a_second_login_while_one_is_in_flight_is_refused() {
    let mut s = state();
    s.step(login("admin"));
    assert_eq!(
        error_code(&s.step(login("admin"))),
        ErrorCode::LoginInProgress
    );
}

#[test]
fn a_login_on_an_authenticated_session_is_refused() {
    let mut s = logged_in();
    assert_eq!(
        error_code(&s.step(login("admin"))),
        ErrorCode::AlreadyLoggedIn
    );
}

#[test]
fn licence_request_binds_then_acceptance_logs_in() {
    let mut s = state();
    s.step(login("admin"));
    let effects = s.step(peer(1, "admin", EventBody::LicenseAgreementRequired));
    assert_eq!(
        effects,
        vec![
            Effect::Bind { account_id: 1 },
            Effect::Reply(Event::LicenseAgreement { account_id: 1 })
        ]
    );
    let effects = s.step(Input::AcceptLicense { accepted: true });
    assert_eq!(
        effects,
        vec![Effect::Reply(Event::LoginOk {
            account_id: 1,
            account_name: "admin".into()
        })]
    );
}

#[test]
fn declining_the_licence_ends_the_session() {
    let mut s = state();
    s.step(login("admin"));
    s.step(peer(1, "admin", EventBody::LicenseAgreementRequired));
    assert_eq!(
        s.step(Input::AcceptLicense { accepted: false }),
        vec![Effect::End(EndReason::LicenseDeclined)]
    );
    assert!(matches!(s.phase, Phase::Ended { .. }));
    assert_eq!(s.account_id, 1, "the LOGOUT must carry the bound account");
}

#[test]
fn accepting_a_licence_nobody_asked_for_is_an_error() {
    let mut s = logged_in();
    assert_eq!(
        error_code(&s.step(Input::AcceptLicense { accepted: true })),
        ErrorCode::NotAwaitingLicense
    );
}

#[test]
fn peer_errors_fail_the_login_and_the_session_may_retry() {
    for code in [
        "SYSTEM_ERROR",
        "NOT_REGISTERED",
        "ALREADY_LOGGED_IN",
        "INCORRECT_PASSWORD",
        "TOO_MANY_ATTEMPTS",
    ] {
        let mut s = state();
        s.step(login("admin"));
        let effects = s.step(error_event(code, 0, Until::Ticks(0)));
        assert_eq!(
            effects,
            vec![Effect::Reply(Event::LoginFailed { code: code.into() })]
        );
        assert_eq!(s.phase, Phase::Connected);
        assert!(matches!(
            s.step(login("admin"))[..],
            [Effect::SendCreate { attempt: 2, .. }]
        ));
    }
}

#[test]
fn a_ban_with_until_is_temporary_and_without_is_permanent() {
    let mut s = state();
    s.step(login("admin"));
    let effects = s.step(error_event(
        "DELETED_OR_BLOCKED",
        1,
        Until::Ticks(133500000000000000),
    ));
    assert_eq!(
        reply(&effects),
        &Event::Banned {
            permanent: false,
            reason: 1,
            until: serde_json::json!(133500000000000000u64)
        }
    );

    let mut s = state();
    s.step(login("admin"));
    let effects = s.step(error_event(
        "DELETED_OR_BLOCKED",
        2,
        Until::Time("0001-01-01T00:00:00Z".into()),
    ));
    assert_eq!(
        reply(&effects),
        &Event::Banned {
            permanent: true,
            reason: 2,
            until: serde_json::json!("0001-01-01T00:00:00Z")
        }
    );
}

#[test]
fn select_character_sends_progress_state_with_the_channel_address() {
    let mut s = logged_in();
    let effects = s.step(Input::SelectCharacter {
        character_id: 5,
        channel: Some(("10.0.0.5".into(), 7575)),
        account_logged_in: true,
    });
    assert_eq!(
        effects,
        vec![Effect::SendProgress(ChannelParams {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            character_id: 5
        })]
    );
}

#[test]
fn select_character_needs_a_logged_in_account_and_a_known_channel() {
    let mut s = logged_in();
    let refused = s.step(Input::SelectCharacter {
        character_id: 5,
        channel: Some(("h".into(), 1)),
        account_logged_in: false,
    });
    assert_eq!(error_code(&refused), ErrorCode::NotLoggedIn);
    let unknown = s.step(Input::SelectCharacter {
        character_id: 5,
        channel: None,
        account_logged_in: true,
    });
    assert_eq!(error_code(&unknown), ErrorCode::UnknownChannel);
    let mut fresh = state();
    let early = fresh.step(Input::SelectCharacter {
        character_id: 5,
        channel: Some(("h".into(), 1)),
        account_logged_in: true,
    });
    assert_eq!(error_code(&early), ErrorCode::NotLoggedIn);
}

#[test]
fn state_changed_with_an_address_tells_the_client_its_channel() {
    let mut s = logged_in();
    let params = TransitionParams {
        character_id: 5,
        ip_address: "10.0.0.5".into(),
        port: 7575,
    };
    let effects = s.step(peer(
        1,
        "admin",
        EventBody::StateChanged {
            state: 2,
            params: Some(params),
        },
    ));
    assert_eq!(
        effects,
        vec![Effect::Reply(Event::ServerIp {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            character_id: 5
        })]
    );
    let empty = TransitionParams {
        character_id: 0,
        ip_address: String::new(),
        port: 0,
    };
    assert_eq!(
        s.step(peer(
            1,
            "admin",
            EventBody::StateChanged {
                state: 0,
                params: Some(empty)
            }
        )),
        vec![]
    );
    assert_eq!(
        s.step(peer(
            1,
            "admin",
            EventBody::StateChanged {
                state: 0,
                params: None
            }
        )),
        vec![]
    );
}

#[test]
fn seed_events_reach_only_a_bound_session() {
    let mut s = state();
    assert_eq!(
        s.step(Input::Seed(SeedBody::Created { character_id: 5 })),
        vec![]
    );
    let mut s = logged_in();
    assert_eq!(
        s.step(Input::Seed(SeedBody::Created { character_id: 5 })),
        vec![Effect::Reply(Event::CharacterCreated { character_id: 5 })]
    );
    assert_eq!(
        s.step(Input::Seed(SeedBody::Failed {
            reason: "name taken".into()
        })),
        vec![Effect::Reply(Event::CharacterCreationFailed {
            reason: "name taken".into()
        })]
    );
}

#[test]
fn a_login_timeout_fails_the_login_and_a_late_created_is_released() {
    let mut s = state();
    s.step(login("admin"));
    assert_eq!(
        s.step(Input::LoginTimedOut { attempt: 1 }),
        vec![Effect::Reply(Event::LoginFailed {
            code: "SYSTEM_ERROR".into()
        })]
    );
    assert_eq!(s.phase, Phase::Connected);
    assert_eq!(
        s.step(peer(1, "admin", EventBody::Created)),
        vec![Effect::Release { account_id: 1 }]
    );
    assert_eq!(s.account_id, 0);
    assert!(!s.login_unanswered());
}

#[test]
fn a_stale_timer_does_not_fail_a_newer_login() {
    let mut s = state();
    s.step(login("admin"));
    s.step(Input::LoginTimedOut { attempt: 1 });
    s.step(login("admin"));
    assert_eq!(s.step(Input::LoginTimedOut { attempt: 1 }), vec![]);
    assert!(matches!(s.phase, Phase::LoggingIn { attempt: 2, .. }));
}

#[test]
fn a_late_answer_for_another_account_during_a_retry_is_released() {
    let mut s = state();
    s.step(login("alice"));
    s.step(Input::LoginTimedOut { attempt: 1 });
    s.step(login("bob"));
    assert_eq!(
        s.step(peer(3, "alice", EventBody::Created)),
        vec![Effect::Release { account_id: 3 }]
    );
    let effects = s.step(peer(4, "bob", EventBody::Created));
    assert_eq!(effects[0], Effect::Bind { account_id: 4 });
}

#[test]
fn a_create_that_cannot_be_sent_fails_with_system_error() {
    let mut s = state();
    s.step(login("admin"));
    assert_eq!(
        s.step(Input::CreateFailed { attempt: 1 }),
        vec![Effect::Reply(Event::LoginFailed {
            code: "SYSTEM_ERROR".into()
        })]
    );
    assert!(!s.login_unanswered());
    assert!(matches!(
        s.step(login("admin"))[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn bad_requests_in_a_row_end_the_session_but_a_good_one_resets_the_count() {
    let mut s = state();
    let bad = || Input::BadRequest {
        message: "not json".into(),
    };
    assert_eq!(error_code(&s.step(bad())), ErrorCode::BadRequest);
    s.step(bad());
    s.step(Input::Ping);
    s.step(bad());
    s.step(bad());
    let effects = s.step(bad());
    assert_eq!(
        effects.last(),
        Some(&Effect::End(EndReason::ProtocolViolation))
    );
}

#[test]
fn a_too_long_line_is_an_error_then_a_protocol_violation() {
    let mut s = state();
    let effects = s.step(Input::LineTooLong);
    assert_eq!(error_code(&effects[..1]), ErrorCode::LineTooLong);
    assert_eq!(effects[1], Effect::End(EndReason::ProtocolViolation));
}

#[test]
fn a_session_ends_once_and_ignores_everything_after() {
    let mut s = logged_in();
    assert_eq!(s.step(Input::Logout), vec![Effect::End(EndReason::Logout)]);
    assert_eq!(s.step(Input::End(EndReason::ClientClosed)), vec![]);
    assert_eq!(s.step(Input::Logout), vec![]);
    assert_eq!(s.step(peer(1, "admin", EventBody::Created)), vec![]);
}

#[test]
fn every_end_reason_with_an_open_connection_says_bye() {
    assert_eq!(EndReason::Shutdown.bye(), Some(ByeReason::Shutdown));
    assert_eq!(EndReason::IdleTimeout.bye(), Some(ByeReason::IdleTimeout));
    assert_eq!(EndReason::ClientClosed.bye(), None);
    assert_eq!(EndReason::Crashed.bye(), None);
}

#[test]
fn too_many_failed_logins_in_the_window_end_the_session() {
    let t0 = Instant::now();
    let mut s = state();
    for i in 0..3 {
        let at = t0 + Duration::from_secs(i);
        assert!(matches!(
            s.step_at(login("admin"), at)[..],
            [Effect::SendCreate { .. }]
        ));
        s.step_at(error_event("INCORRECT_PASSWORD", 0, Until::Ticks(0)), at);
    }
    let effects = s.step_at(login("admin"), t0 + Duration::from_secs(4));
    assert_eq!(
        effects,
        vec![
            Effect::Reply(Event::LoginFailed {
                code: "TOO_MANY_ATTEMPTS".into()
            }),
            Effect::End(EndReason::ProtocolViolation),
        ]
    );
}

#[test]
fn failed_logins_older_than_the_window_are_forgotten() {
    let t0 = Instant::now();
    let mut s = state();
    for _ in 0..3 {
        s.step_at(login("admin"), t0);
        s.step_at(error_event("NOT_REGISTERED", 0, Until::Ticks(0)), t0);
    }
    let later = t0 + Duration::from_secs(601);
    assert!(matches!(
        s.step_at(login("admin"), later)[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn system_errors_do_not_count_as_failed_logins() {
    let mut s = state();
    for _ in 0..5 {
        s.step(login("admin"));
        s.step(error_event("SYSTEM_ERROR", 0, Until::Ticks(0)));
    }
    assert!(matches!(
        s.step(login("admin"))[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn the_bound_account_name_is_kept_after_the_end_and_absent_for_an_unbound_session() {
    let mut s = logged_in();
    assert_eq!(s.account_name(), Some("admin"));
    s.step(Input::End(EndReason::Logout));
    assert!(matches!(s.phase, Phase::Ended { .. }));
    assert_eq!(s.account_name(), Some("admin"));
    let mut unbound = state();
    unbound.step(Input::End(EndReason::ClientClosed));
    assert_eq!(unbound.account_name(), None);
}
