//! Behaviour of the account dialogs after login (PIN, gender), without actors or REST.

use super::game_tests::{account, created, game, logged_in, login, step, unavailable};
use super::*;
use crate::rest::{AccountChange, AttemptKind, AttemptResult};
use crate::session::output::PinPrompt;
use crate::session::request::{PinRequest, Secret};

/// Logged in on a tenant that uses PIN, with an account whose PIN is `pin` and gender
/// `gender`.
fn with_pin(pin: &str, gender: u8) -> State {
    let mut s = super::game_tests::state();
    s.flow = Flow::Game {
        pic: true,
        pin: true,
        worlds_at_login: false,
    };
    login(&mut s);
    step(&mut s, created());
    let mut a = account("1234");
    a.pin = pin.into();
    a.gender = gender;
    step(&mut s, Input::Fetched(Answer::LoginAccount(Ok(a))));
    s
}

fn pin(request: PinRequest) -> Input {
    game(GameRequest::Pin(request))
}

fn recorded(success: bool, limit_reached: bool) -> Input {
    Input::Fetched(Answer::Attempt {
        kind: AttemptKind::Pin,
        success,
        result: Ok(AttemptResult {
            attempts: u32::from(!success),
            limit_reached,
        }),
    })
}

fn told(prompt: PinPrompt) -> Vec<Effect> {
    vec![Effect::Tell(Output::Pin(prompt))]
}

#[test]
fn the_pin_dialog_asks_to_register_a_pin_or_to_enter_it() {
    let mut s = with_pin("", 0);
    assert_eq!(
        step(&mut s, pin(PinRequest::Ask)),
        told(PinPrompt::Register)
    );
    let mut s = with_pin("1111", 0);
    assert_eq!(step(&mut s, pin(PinRequest::Ask)), told(PinPrompt::Enter));
}

#[test]
fn until_the_pin_is_entered_only_the_dialogs_are_served() {
    let mut s = with_pin("1111", 0);
    assert_eq!(
        step(&mut s, game(GameRequest::ListWorlds)),
        vec![Effect::Dropped("pin_required")]
    );
    let effects = step(&mut s, pin(PinRequest::Check(Secret::new("1111"))));
    assert_eq!(
        effects,
        vec![Effect::Fetch(Query::Attempt {
            kind: AttemptKind::Pin,
            account_id: 1,
            success: true,
            ip_address: "10.1.2.3".into(),
            hwid: "00112233445566778899aabbccddeeff".into(),
        })]
    );
    assert_eq!(
        step(&mut s, recorded(true, false)),
        told(PinPrompt::Accepted)
    );
    assert_eq!(
        step(&mut s, game(GameRequest::ListWorlds)),
        vec![Effect::Fetch(Query::Worlds)]
    );
}

#[test]
fn a_wrong_pin_is_told_invalid_until_the_limit_ends_the_session_once() {
    let mut s = with_pin("1111", 0);
    let effects = step(&mut s, pin(PinRequest::Check(Secret::new("9999"))));
    assert!(matches!(
        &effects[..],
        [Effect::Fetch(Query::Attempt { success: false, .. })]
    ));
    assert_eq!(
        step(&mut s, recorded(false, false)),
        told(PinPrompt::Invalid)
    );
    step(&mut s, pin(PinRequest::Check(Secret::new("9999"))));
    assert_eq!(
        step(&mut s, recorded(false, true)),
        vec![Effect::End(EndReason::TooManyAttempts)]
    );
    assert!(step(&mut s, pin(PinRequest::Ask)).is_empty(), "ended");
}

#[test]
fn an_attempt_the_account_service_could_not_record_is_still_a_wrong_pin() {
    let mut s = with_pin("1111", 0);
    step(&mut s, pin(PinRequest::Check(Secret::new("9999"))));
    let failed = Input::Fetched(Answer::Attempt {
        kind: AttemptKind::Pin,
        success: false,
        result: Err(unavailable()),
    });
    assert_eq!(step(&mut s, failed), told(PinPrompt::Invalid));
}

#[test]
fn cancelling_the_pin_dialog_or_an_unknown_step_ends_the_session() {
    let mut s = with_pin("1111", 0);
    assert_eq!(
        step(&mut s, pin(PinRequest::Cancel)),
        vec![Effect::End(EndReason::Logout)]
    );
    let mut s = with_pin("1111", 0);
    assert_eq!(
        step(&mut s, pin(PinRequest::Unknown)),
        vec![Effect::End(EndReason::ProtocolViolation)]
    );
}

#[test]
fn a_registered_pin_is_told_and_signs_the_account_out_keeping_the_connection() {
    let mut s = with_pin("", 0);
    let effects = step(
        &mut s,
        game(GameRequest::RegisterPin {
            pin: Some(Secret::new("2468")),
        }),
    );
    let [Effect::Fetch(Query::ChangeAccount { change, .. })] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(change, &AccountChange::Pin("2468".into()));
    let mut changed = account("1234");
    changed.pin = "2468".into();
    let effects = step(
        &mut s,
        Input::Fetched(Answer::AccountChanged {
            change: AccountChange::Pin("2468".into()),
            result: Ok(changed),
        }),
    );
    assert_eq!(
        effects,
        vec![
            Effect::Tell(Output::PinRegistered),
            Effect::SignOut {
                account_id: 1,
                account_name: "admin".into()
            }
        ]
    );
    assert_eq!(s.phase, Phase::Connected, "the session stays, unbound");
    assert_eq!(s.account_id, 0, "its end releases nothing more");
    assert_eq!(
        s.create_account_id(),
        1,
        "a login after it carries it, as Atlas's does"
    );
    // The client logs in again on the same connection.
    login(&mut s);
    assert!(matches!(s.phase, Phase::LoggingIn { .. }));
}

#[test]
fn a_pin_is_registered_only_with_four_characters_and_once_cancelled_ends_once() {
    let mut s = with_pin("", 0);
    let register = |p: &str| {
        game(GameRequest::RegisterPin {
            pin: Some(Secret::new(p)),
        })
    };
    assert_eq!(step(&mut s, register("12")), told(PinPrompt::Failed));
    assert_eq!(
        step(&mut s, register("123456")),
        vec![Effect::End(EndReason::ProtocolViolation)]
    );
    let mut s = with_pin("", 0);
    assert_eq!(
        step(&mut s, game(GameRequest::RegisterPin { pin: None })),
        vec![Effect::End(EndReason::Logout)],
        "Atlas ends this session twice; once here"
    );
}

#[test]
fn a_pin_is_changed_only_after_the_current_one_was_entered() {
    let mut s = with_pin("1111", 0);
    let register = || {
        game(GameRequest::RegisterPin {
            pin: Some(Secret::new("2222")),
        })
    };
    assert_eq!(
        step(&mut s, register()),
        vec![Effect::Dropped("pin_required")],
        "Atlas lets any logged-in client overwrite the PIN"
    );
    step(&mut s, pin(PinRequest::Change(Secret::new("1111"))));
    assert_eq!(
        step(&mut s, recorded(true, false)),
        told(PinPrompt::Register)
    );
    assert!(matches!(
        &step(&mut s, register())[..],
        [Effect::Fetch(Query::ChangeAccount { .. })]
    ));
}

#[test]
fn a_failed_pin_registration_is_told_and_keeps_the_login() {
    let mut s = with_pin("", 0);
    step(
        &mut s,
        game(GameRequest::RegisterPin {
            pin: Some(Secret::new("2468")),
        }),
    );
    let effects = step(
        &mut s,
        Input::Fetched(Answer::AccountChanged {
            change: AccountChange::Pin("2468".into()),
            result: Err(unavailable()),
        }),
    );
    assert_eq!(effects, told(PinPrompt::Failed));
    assert!(matches!(s.phase, Phase::Authenticated { .. }));
}

#[test]
fn pin_requests_are_dropped_on_a_tenant_without_pin() {
    let mut s = logged_in("1234");
    assert_eq!(
        step(&mut s, pin(PinRequest::Ask)),
        vec![Effect::Dropped("pin_unused")]
    );
}

#[test]
fn a_chosen_gender_is_recorded_and_told() {
    let mut s = with_pin("", 10);
    let effects = step(
        &mut s,
        game(GameRequest::SetGender {
            confirmed: true,
            gender: 1,
        }),
    );
    let [Effect::Fetch(Query::ChangeAccount { change, .. })] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(change, &AccountChange::Gender(1));
    let mut changed = account("1234");
    changed.gender = 1;
    let effects = step(
        &mut s,
        Input::Fetched(Answer::AccountChanged {
            change: AccountChange::Gender(1),
            result: Ok(changed),
        }),
    );
    assert_eq!(
        effects,
        vec![Effect::Tell(Output::GenderSet {
            gender: 1,
            success: true
        })]
    );
    assert_eq!(s.game.account.as_ref().unwrap().gender, 1);
}

#[test]
fn a_declined_or_failed_gender_is_told_and_signs_the_account_out() {
    let mut s = with_pin("", 10);
    let effects = step(
        &mut s,
        game(GameRequest::SetGender {
            confirmed: false,
            gender: 0,
        }),
    );
    assert!(matches!(
        &effects[..],
        [
            Effect::Tell(Output::GenderSet { success: false, .. }),
            Effect::SignOut { account_id: 1, .. }
        ]
    ));
    let mut s = with_pin("", 10);
    step(
        &mut s,
        game(GameRequest::SetGender {
            confirmed: true,
            gender: 0,
        }),
    );
    let effects = step(
        &mut s,
        Input::Fetched(Answer::AccountChanged {
            change: AccountChange::Gender(0),
            result: Err(unavailable()),
        }),
    );
    assert!(matches!(
        &effects[..],
        [
            Effect::Tell(Output::GenderSet { success: false, .. }),
            Effect::SignOut { .. }
        ]
    ));
}

#[test]
fn a_second_gender_choice_while_the_first_is_at_the_account_service_is_dropped() {
    let mut s = with_pin("", 10);
    let choose = |gender| {
        game(GameRequest::SetGender {
            confirmed: true,
            gender,
        })
    };
    assert!(matches!(
        &step(&mut s, choose(1))[..],
        [Effect::Fetch(Query::ChangeAccount { .. })]
    ));
    assert_eq!(
        step(&mut s, choose(0)),
        vec![Effect::Dropped("gender_in_flight")]
    );
    step(
        &mut s,
        Input::Fetched(Answer::AccountChanged {
            change: AccountChange::Gender(1),
            result: Err(unavailable()),
        }),
    );
    // Answered (here: failed, and signed out): nothing waits any more.
    assert!(!s.game.gender_in_flight);
}

#[test]
fn an_account_with_a_gender_cannot_change_it() {
    let mut s = with_pin("", 0);
    assert_eq!(
        step(
            &mut s,
            game(GameRequest::SetGender {
                confirmed: true,
                gender: 1
            })
        ),
        vec![Effect::Dropped("gender_chosen")]
    );
}
