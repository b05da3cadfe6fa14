//! Behaviour of the session state machine, without actors or a broker.

use super::*;
use crate::message::account_session::{
    ChannelParams, ErrorBody, EventBody, TransitionParams, Until,
};
use crate::message::seed::SeedBody;
use crate::session::directory::Holder;
use crate::session::output::LoginOutcome;
use crate::session::output::{AccountInfo, PeerCode, Problem, Refusal};
use crate::session::request::Credentials;
use uuid::Uuid;

fn state() -> State {
    State::new(
        "192.168.1.10".into(),
        Flow::Gateway,
        Settings {
            max_bad_requests: 2,
            max_login_failures: 3,
            login_failure_window: Duration::from_secs(600),
            replace_duplicates: false,
        },
    )
}

fn login(name: &str) -> Input {
    Input::Login {
        credentials: Credentials {
            account_name: name.into(),
            password: "pw".into(),
            hwid: String::new(),
        },
        holder: None,
    }
}

/// What the gateway tells of an account.
fn info(id: u32, name: &str) -> AccountInfo {
    AccountInfo {
        id,
        name: name.into(),
        ..AccountInfo::default()
    }
}

/// The effects without the login metrics (their durations depend on the clock).
fn acting(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| !matches!(e, Effect::LoginAnswered { .. }))
        .collect()
}

/// Steps `s` and drops the login metrics.
fn step(s: &mut State, input: Input) -> Vec<Effect> {
    acting(s.step(input))
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
    step(&mut s, login("admin"));
    step(&mut s, peer(1, "admin", EventBody::Created));
    s
}

fn told(effects: &[Effect]) -> &Output {
    match effects {
        [.., Effect::Tell(o)] => o,
        other => panic!("expected something told last: {other:?}"),
    }
}

fn problem_of(effects: &[Effect]) -> Problem {
    match told(effects) {
        Output::Problem(p) => p.clone(),
        other => panic!("expected a problem: {other:?}"),
    }
}

#[test]
fn login_sends_create_with_the_client_ip_and_accountid_zero() {
    let mut s = state();
    let effects = step(&mut s, login("admin"));
    match &effects[..] {
        [Effect::SendCreate {
            attempt: 1, body, ..
        }] => {
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
    step(&mut s, login("admin"));
    let effects = step(&mut s, peer(1, "admin", EventBody::Created));
    assert_eq!(
        effects,
        vec![
            Effect::Bind { account_id: 1 },
            Effect::Tell(Output::LoginAccepted(info(1, "admin"))),
        ]
    );
    assert_eq!(s.created_seq, Some(7));
    assert!(!s.login_unanswered());
}

#[test]
fn a_redelivered_created_is_not_a_second_session_created() {
    let mut s = logged_in();
    assert_eq!(step(&mut s, peer(1, "admin", EventBody::Created)), vec![]);
}

#[test]
fn a_second_login_while_one_is_in_flight_is_refused() {
    let mut s = state();
    step(&mut s, login("admin"));
    assert_eq!(
        problem_of(&step(&mut s, login("admin"))),
        Problem::LoginInProgress
    );
}

#[test]
fn a_login_on_an_authenticated_session_is_refused() {
    let mut s = logged_in();
    assert_eq!(
        problem_of(&step(&mut s, login("admin"))),
        Problem::AlreadyLoggedIn
    );
}

#[test]
fn licence_request_binds_then_acceptance_logs_in() {
    let mut s = state();
    step(&mut s, login("admin"));
    let effects = step(
        &mut s,
        peer(1, "admin", EventBody::LicenseAgreementRequired),
    );
    assert_eq!(
        effects,
        vec![
            Effect::Bind { account_id: 1 },
            Effect::Tell(Output::LicenseRequired(info(1, "admin")))
        ]
    );
    let effects = step(&mut s, Input::AcceptLicense { accepted: true });
    assert_eq!(
        effects,
        vec![Effect::Tell(Output::LoginAccepted(info(1, "admin")))]
    );
}

#[test]
fn declining_the_licence_ends_the_session() {
    let mut s = state();
    step(&mut s, login("admin"));
    step(
        &mut s,
        peer(1, "admin", EventBody::LicenseAgreementRequired),
    );
    assert_eq!(
        step(&mut s, Input::AcceptLicense { accepted: false }),
        vec![Effect::End(EndReason::LicenseDeclined)]
    );
    assert!(matches!(s.phase, Phase::Ended { .. }));
    assert_eq!(s.account_id, 1, "the LOGOUT must carry the bound account");
}

#[test]
fn accepting_a_licence_nobody_asked_for_is_an_error() {
    let mut s = logged_in();
    assert_eq!(
        problem_of(&step(&mut s, Input::AcceptLicense { accepted: true })),
        Problem::NotAwaitingLicense
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
        step(&mut s, login("admin"));
        let effects = step(&mut s, error_event(code, 0, Until::Ticks(0)));
        assert_eq!(
            effects,
            vec![Effect::Tell(Output::LoginRefused(Refusal::Peer(
                PeerCode::parse(code)
            )))]
        );
        assert_eq!(s.phase, Phase::Connected);
        assert!(matches!(
            step(&mut s, login("admin"))[..],
            [Effect::SendCreate { attempt: 2, .. }]
        ));
    }
}

#[test]
fn a_ban_with_until_is_temporary_and_without_is_permanent() {
    let mut s = state();
    step(&mut s, login("admin"));
    let effects = step(
        &mut s,
        error_event("DELETED_OR_BLOCKED", 1, Until::Ticks(133500000000000000)),
    );
    assert_eq!(
        told(&effects),
        &Output::Banned {
            permanent: false,
            reason: 1,
            until: Until::Ticks(133500000000000000)
        }
    );

    let mut s = state();
    step(&mut s, login("admin"));
    let effects = step(
        &mut s,
        error_event(
            "DELETED_OR_BLOCKED",
            2,
            Until::Time("0001-01-01T00:00:00Z".into()),
        ),
    );
    assert_eq!(
        told(&effects),
        &Output::Banned {
            permanent: true,
            reason: 2,
            until: Until::Time("0001-01-01T00:00:00Z".into())
        }
    );
}

#[test]
fn select_character_sends_progress_state_with_the_channel_address() {
    let mut s = logged_in();
    let effects = step(
        &mut s,
        Input::SelectCharacter {
            character_id: 5,
            channel: Some(("10.0.0.5".into(), 7575)),
            account_logged_in: true,
        },
    );
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
    let refused = step(
        &mut s,
        Input::SelectCharacter {
            character_id: 5,
            channel: Some(("h".into(), 1)),
            account_logged_in: false,
        },
    );
    assert_eq!(problem_of(&refused), Problem::NotLoggedIn);
    let unknown = step(
        &mut s,
        Input::SelectCharacter {
            character_id: 5,
            channel: None,
            account_logged_in: true,
        },
    );
    assert_eq!(problem_of(&unknown), Problem::UnknownChannel);
    let mut fresh = state();
    let early = step(
        &mut fresh,
        Input::SelectCharacter {
            character_id: 5,
            channel: Some(("h".into(), 1)),
            account_logged_in: true,
        },
    );
    assert_eq!(problem_of(&early), Problem::NotLoggedIn);
}

#[test]
fn state_changed_with_an_address_tells_the_client_its_channel() {
    let mut s = logged_in();
    let params = TransitionParams {
        character_id: 5,
        ip_address: "10.0.0.5".into(),
        port: 7575,
    };
    let effects = step(
        &mut s,
        peer(
            1,
            "admin",
            EventBody::StateChanged {
                state: 2,
                params: Some(params),
            },
        ),
    );
    assert_eq!(
        effects,
        vec![Effect::Tell(Output::ChannelReady {
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
        step(
            &mut s,
            peer(
                1,
                "admin",
                EventBody::StateChanged {
                    state: 0,
                    params: Some(empty)
                }
            )
        ),
        vec![]
    );
    assert_eq!(
        step(
            &mut s,
            peer(
                1,
                "admin",
                EventBody::StateChanged {
                    state: 0,
                    params: None
                }
            )
        ),
        vec![]
    );
}

#[test]
fn seed_events_reach_only_a_bound_session() {
    let mut s = state();
    assert_eq!(
        step(&mut s, Input::Seed(SeedBody::Created { character_id: 5 })),
        vec![]
    );
    let mut s = logged_in();
    assert_eq!(
        step(&mut s, Input::Seed(SeedBody::Created { character_id: 5 })),
        vec![Effect::Tell(Output::CharacterCreated {
            character_id: 5,
            character: None
        })]
    );
    assert_eq!(
        step(
            &mut s,
            Input::Seed(SeedBody::Failed {
                reason: "name taken".into()
            })
        ),
        vec![Effect::Tell(Output::CharacterCreationFailed {
            reason: "name taken".into()
        })]
    );
}

#[test]
fn a_login_timeout_fails_the_login_and_a_late_created_is_released() {
    let mut s = state();
    step(&mut s, login("admin"));
    assert_eq!(
        step(&mut s, Input::LoginTimedOut { attempt: 1 }),
        vec![Effect::Tell(Output::LoginRefused(Refusal::Unavailable))]
    );
    assert_eq!(s.phase, Phase::Connected);
    assert_eq!(
        step(&mut s, peer(1, "admin", EventBody::Created)),
        vec![Effect::Release { account_id: 1 }]
    );
    assert_eq!(s.account_id, 0);
    assert!(!s.login_unanswered());
}

#[test]
fn once_a_login_is_answered_its_timeout_can_do_nothing_so_the_actor_drops_it() {
    let mut s = state();
    assert!(!s.logging_in());
    step(&mut s, login("admin"));
    assert!(s.logging_in());
    step(&mut s, peer(1, "admin", EventBody::Created));
    assert!(!s.logging_in(), "{:?}", s.phase);
    assert_eq!(step(&mut s, Input::LoginTimedOut { attempt: 1 }), vec![]);
}

#[test]
fn a_stale_timer_does_not_fail_a_newer_login() {
    let mut s = state();
    step(&mut s, login("admin"));
    step(&mut s, Input::LoginTimedOut { attempt: 1 });
    step(&mut s, login("admin"));
    assert_eq!(step(&mut s, Input::LoginTimedOut { attempt: 1 }), vec![]);
    assert!(matches!(s.phase, Phase::LoggingIn { attempt: 2, .. }));
}

#[test]
fn a_late_answer_for_another_account_during_a_retry_is_released() {
    let mut s = state();
    step(&mut s, login("alice"));
    step(&mut s, Input::LoginTimedOut { attempt: 1 });
    step(&mut s, login("bob"));
    assert_eq!(
        step(&mut s, peer(3, "alice", EventBody::Created)),
        vec![Effect::Release { account_id: 3 }]
    );
    let effects = step(&mut s, peer(4, "bob", EventBody::Created));
    assert_eq!(effects[0], Effect::Bind { account_id: 4 });
}

#[test]
fn a_create_that_cannot_be_sent_fails_with_system_error() {
    let mut s = state();
    step(&mut s, login("admin"));
    assert_eq!(
        step(&mut s, Input::CreateFailed { attempt: 1 }),
        vec![Effect::Tell(Output::LoginRefused(Refusal::Unavailable))]
    );
    assert!(!s.login_unanswered());
    assert!(matches!(
        step(&mut s, login("admin"))[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn bad_requests_in_a_row_end_the_session_but_a_good_one_resets_the_count() {
    let mut s = state();
    let bad = || Input::BadRequest {
        message: "not json".into(),
    };
    assert_eq!(
        problem_of(&step(&mut s, bad())),
        Problem::BadRequest("not json".into())
    );
    step(&mut s, bad());
    step(&mut s, Input::Ping);
    step(&mut s, bad());
    step(&mut s, bad());
    let effects = step(&mut s, bad());
    assert_eq!(
        effects.last(),
        Some(&Effect::End(EndReason::ProtocolViolation))
    );
}

#[test]
fn a_too_long_line_is_an_error_then_a_protocol_violation() {
    let mut s = state();
    let effects = step(&mut s, Input::TooLong);
    assert_eq!(problem_of(&effects[..1]), Problem::TooLong);
    assert_eq!(effects[1], Effect::End(EndReason::ProtocolViolation));
}

#[test]
fn a_session_ends_once_and_ignores_everything_after() {
    let mut s = logged_in();
    assert_eq!(
        step(&mut s, Input::Logout),
        vec![Effect::End(EndReason::Logout)]
    );
    assert_eq!(step(&mut s, Input::End(EndReason::ClientClosed)), vec![]);
    assert_eq!(step(&mut s, Input::Logout), vec![]);
    assert_eq!(
        step(&mut s, peer(1, "admin", EventBody::Created)),
        vec![],
        "the account it ends with (its end's LOGOUT releases it)"
    );
}

#[test]
fn a_login_answer_reaching_an_ended_session_is_released() {
    let mut s = state();
    step(&mut s, login("admin"));
    step(&mut s, Input::End(EndReason::ClientClosed));
    assert_eq!(
        step(&mut s, peer(1, "admin", EventBody::Created)),
        vec![Effect::Release { account_id: 1 }],
        "the session ended with account 0: account 1 is logged in for nobody"
    );
    assert_eq!(
        step(
            &mut s,
            peer(1, "admin", EventBody::LicenseAgreementRequired)
        ),
        vec![Effect::Release { account_id: 1 }]
    );
    assert_eq!(step(&mut s, peer(0, "admin", EventBody::Created)), vec![]);
}

#[test]
fn every_end_reason_with_an_open_connection_is_told() {
    assert!(EndReason::Shutdown.is_told());
    assert!(EndReason::IdleTimeout.is_told());
    assert!(!EndReason::ClientClosed.is_told());
    assert!(!EndReason::Crashed.is_told());
}

#[test]
fn too_many_failed_logins_in_the_window_end_the_session() {
    let t0 = Instant::now();
    let mut s = state();
    for i in 0..3 {
        let at = t0 + Duration::from_secs(i);
        assert!(matches!(
            acting(s.step_at(login("admin"), at))[..],
            [Effect::SendCreate { .. }]
        ));
        acting(s.step_at(error_event("INCORRECT_PASSWORD", 0, Until::Ticks(0)), at));
    }
    let effects = acting(s.step_at(login("admin"), t0 + Duration::from_secs(4)));
    assert_eq!(
        effects,
        vec![
            Effect::Tell(Output::LoginRefused(Refusal::TooManyAttempts)),
            Effect::End(EndReason::ProtocolViolation),
        ]
    );
}

#[test]
fn failed_logins_older_than_the_window_are_forgotten() {
    let t0 = Instant::now();
    let mut s = state();
    for _ in 0..3 {
        acting(s.step_at(login("admin"), t0));
        acting(s.step_at(error_event("NOT_REGISTERED", 0, Until::Ticks(0)), t0));
    }
    let later = t0 + Duration::from_secs(601);
    assert!(matches!(
        acting(s.step_at(login("admin"), later))[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn system_errors_do_not_count_as_failed_logins() {
    let mut s = state();
    for _ in 0..5 {
        step(&mut s, login("admin"));
        step(&mut s, error_event("SYSTEM_ERROR", 0, Until::Ticks(0)));
    }
    assert!(matches!(
        step(&mut s, login("admin"))[..],
        [Effect::SendCreate { .. }]
    ));
}

#[test]
fn the_bound_account_name_is_kept_after_the_end_and_absent_for_an_unbound_session() {
    let mut s = logged_in();
    assert_eq!(s.account_name(), Some("admin"));
    step(&mut s, Input::End(EndReason::Logout));
    assert!(matches!(s.phase, Phase::Ended { .. }));
    assert_eq!(s.account_name(), Some("admin"));
    let mut unbound = state();
    step(&mut unbound, Input::End(EndReason::ClientClosed));
    assert_eq!(unbound.account_name(), None);
}

#[test]
fn the_first_answer_to_a_login_is_counted_once_with_its_round_trip() {
    let t0 = Instant::now();
    let mut s = state();
    s.step_at(login("admin"), t0);
    let effects = s.step_at(
        peer(1, "admin", EventBody::Created),
        t0 + Duration::from_millis(40),
    );
    assert_eq!(
        effects.last(),
        Some(&Effect::LoginAnswered {
            outcome: LoginOutcome::Accepted,
            took: Duration::from_millis(40)
        })
    );
    assert_eq!(s.step(peer(1, "admin", EventBody::Created)), vec![]);
    let mut s = state();
    s.step_at(login("admin"), t0);
    let effects = s.step_at(error_event("WEIRD_CODE", 0, Until::Ticks(0)), t0);
    let Some(Effect::LoginAnswered { outcome, .. }) = effects.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(outcome.label(), "other");
}

#[test]
fn under_replace_a_login_held_elsewhere_ends_the_holder_and_waits_for_its_logout() {
    let holder = Holder {
        session_id: Uuid::from_u128(9),
        account_id: 1,
    };
    let with_holder = |name: &str| match login(name) {
        Input::Login { credentials, .. } => Input::Login {
            credentials,
            holder: Some(holder),
        },
        _ => unreachable!(),
    };
    let mut rejecting = state();
    assert!(matches!(
        &rejecting.step(with_holder("admin"))[..],
        [Effect::SendCreate {
            after_logout_of: None,
            ..
        }]
    ));
    let mut s = state();
    s.settings.replace_duplicates = true;
    match &s.step(with_holder("admin"))[..] {
        [Effect::Replace(id), Effect::SendCreate {
            after_logout_of: Some(1),
            ..
        }] => assert_eq!(*id, holder.session_id),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_login_answer_the_peer_processed_again_after_an_error_is_released() {
    // CREATE → ERROR, then the peer re-processes the CREATE (redelivery) and answers CREATED.
    let mut s = state();
    step(&mut s, login("admin"));
    step(&mut s, error_event("SYSTEM_ERROR", 0, Until::Ticks(0)));
    assert_eq!(
        step(&mut s, peer(1, "admin", EventBody::Created)),
        vec![Effect::Release { account_id: 1 }]
    );
    assert_eq!(s.account_id, 0, "the session stays unbound");
    // Also for a bound session, for an account other than its own.
    let mut bound = logged_in();
    assert_eq!(
        step(
            &mut bound,
            peer(9, "other", EventBody::LicenseAgreementRequired)
        ),
        vec![Effect::Release { account_id: 9 }]
    );
    assert_eq!(
        step(&mut bound, peer(1, "admin", EventBody::Created)),
        vec![]
    );
}
