//! Behaviour of the game flow (the game socket's session), without actors, sockets or REST.

use std::time::Duration;

use super::*;
use crate::message::account_session::EventBody;
use crate::rest::{AttemptKind, AttemptResult, Channel, RestError, World};
use crate::session::fetch::RosterAnswer;
use crate::session::output::{
    AccountInfo, CharacterInfo, PicState, Refusal, Roster, SelectRefusal,
};
use crate::session::request::PicAnswer;

pub(super) fn state() -> State {
    State::new(
        "10.1.2.3".into(),
        Flow::Game {
            pic: true,
            pin: false,
            worlds_at_login: false,
        },
        Settings {
            max_bad_requests: 2,
            max_login_failures: 0,
            login_failure_window: Duration::from_secs(60),
            replace_duplicates: false,
        },
    )
}

pub(super) fn account(pic: &str) -> Box<Account> {
    Box::new(Account {
        id: 1,
        name: "admin".into(),
        pic: pic.into(),
        gender: 0,
        character_slots: 6,
        ..Account::default()
    })
}

pub(super) fn unavailable() -> RestError {
    RestError::Timeout {
        method: "GET",
        path: "worlds".into(),
        timeout: Duration::from_secs(2),
    }
}

/// The effects without the login metrics.
pub(super) fn step(s: &mut State, input: Input) -> Vec<Effect> {
    s.step(input)
        .into_iter()
        .filter(|e| !matches!(e, Effect::LoginAnswered { .. }))
        .collect()
}

pub(super) fn created() -> Input {
    Input::Peer {
        seq: 3,
        event: crate::message::account_session::StatusEvent {
            session_id: Uuid::nil(),
            account_id: 1,
            account_name: "admin".into(),
            body: EventBody::Created,
        },
    }
}

pub(super) fn login(s: &mut State) {
    step(
        s,
        Input::Login {
            credentials: Credentials {
                account_name: "admin".into(),
                password: "admin".into(),
                hwid: "00112233445566778899aabbccddeeff".into(),
            },
            holder: None,
        },
    );
}

/// Logged in with an account whose PIC is `pic`.
pub(super) fn logged_in(pic: &str) -> State {
    let mut s = state();
    login(&mut s);
    step(&mut s, created());
    step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(account(pic)))),
    );
    s
}

pub(super) fn game(request: GameRequest) -> Input {
    Input::Game(request)
}

/// Logged in and listed world 0 channel 1 with characters 7 and 8.
pub(super) fn listed(pic: &str) -> State {
    let mut s = logged_in(pic);
    step(
        &mut s,
        game(GameRequest::ListCharacters {
            world_id: 0,
            channel_id: 1,
        }),
    );
    let roster = Roster {
        account: AccountInfo::default(),
        characters: [7, 8]
            .map(|id| CharacterInfo {
                character: crate::rest::Character {
                    id,
                    ..Default::default()
                },
                ..Default::default()
            })
            .to_vec(),
    };
    step(
        &mut s,
        Input::Fetched(Answer::Roster {
            world_id: 0,
            result: Ok(RosterAnswer::Listed(account(pic), roster)),
        }),
    );
    s
}

pub(super) fn play(character_id: u32, pic: PicAnswer) -> Input {
    game(GameRequest::PlayCharacter { character_id, pic })
}

#[test]
fn a_login_answer_reads_the_account_before_binding_and_telling_the_client() {
    let mut s = state();
    login(&mut s);
    assert_eq!(
        step(&mut s, created()),
        vec![Effect::Fetch(Query::LoginAccount { account_id: 1 })]
    );
    assert_eq!(s.account_id, 1, "an end from now on releases the account");
    let effects = step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(account("")))),
    );
    assert_eq!(
        effects,
        vec![
            Effect::Bind { account_id: 1 },
            Effect::Tell(Output::LoginAccepted(AccountInfo {
                id: 1,
                name: "admin".into(),
                gender: 0,
                gm: false,
                pic: PicState::Unregistered,
                character_slots: 6,
            })),
        ]
    );
}

#[test]
fn an_account_that_cannot_be_read_fails_the_login_and_releases_the_account() {
    let mut s = state();
    login(&mut s);
    step(&mut s, created());
    let effects = step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Err(unavailable()))),
    );
    assert_eq!(
        effects,
        vec![
            Effect::Release { account_id: 1 },
            Effect::Tell(Output::LoginRefused(Refusal::Unavailable)),
        ]
    );
    assert_eq!((s.account_id, &s.phase), (0, &Phase::Connected));
}

#[test]
fn a_session_ending_while_its_account_is_read_ends_with_that_account() {
    let mut s = state();
    login(&mut s);
    step(&mut s, created());
    assert_eq!(
        step(&mut s, Input::End(EndReason::ClientClosed)),
        vec![Effect::End(EndReason::ClientClosed)]
    );
    assert_eq!(
        s.account_id, 1,
        "the LOGOUT carries the account the peer logged in"
    );
}

#[test]
fn the_server_list_is_sorted_and_empty_when_the_worlds_cannot_be_read() {
    let mut s = logged_in("1234");
    assert_eq!(
        step(&mut s, game(GameRequest::ListWorlds)),
        vec![Effect::Fetch(Query::Worlds)]
    );
    let world = |id| World {
        id,
        ..World::default()
    };
    let effects = step(
        &mut s,
        Input::Fetched(Answer::Worlds(Ok(vec![world(1), world(0)]))),
    );
    assert_eq!(
        effects,
        vec![Effect::Tell(Output::Worlds(vec![world(0), world(1)]))]
    );
    let effects = step(&mut s, Input::Fetched(Answer::Worlds(Err(unavailable()))));
    assert_eq!(effects, vec![Effect::Tell(Output::Worlds(vec![]))]);
}

#[test]
fn a_world_that_cannot_be_read_is_shown_full() {
    let mut s = logged_in("1234");
    let load = World {
        capacity_status: 1,
        ..World::default()
    };
    assert_eq!(
        step(&mut s, Input::Fetched(Answer::WorldStatus(Ok(load)))),
        vec![Effect::Tell(Output::WorldStatus(1))]
    );
    assert_eq!(
        step(
            &mut s,
            Input::Fetched(Answer::WorldStatus(Err(unavailable())))
        ),
        vec![Effect::Tell(Output::WorldStatus(2))]
    );
    // The v83 request's world id is a u16: beyond a byte there is no world to read.
    assert_eq!(
        step(&mut s, game(GameRequest::WorldStatus { world_id: 300 })),
        vec![Effect::Tell(Output::WorldStatus(2))]
    );
    assert_eq!(
        step(&mut s, game(GameRequest::WorldStatus { world_id: 255 })),
        vec![Effect::Fetch(Query::WorldStatus { world_id: 255 })]
    );
}

#[test]
fn a_character_list_remembers_its_characters_and_an_unknown_or_full_world_is_told_full() {
    let s = listed("1234");
    assert_eq!(s.game.listed, [7, 8]);
    assert_eq!(s.game.chosen, Some((0, 1)));
    for answer in [
        Ok(RosterAnswer::UnknownWorld),
        Ok(RosterAnswer::Full),
        Err(unavailable()),
    ] {
        let mut s = listed("1234");
        let effects = step(
            &mut s,
            Input::Fetched(Answer::Roster {
                world_id: 0,
                result: answer,
            }),
        );
        assert_eq!(effects, vec![Effect::Tell(Output::WorldStatus(2))]);
        assert!(s.game.listed.is_empty());
        assert_eq!(s.game.chosen, None, "no world to create in");
    }
}

#[test]
fn a_character_not_in_the_last_list_cannot_be_played() {
    let mut s = listed("1234");
    assert_eq!(
        step(&mut s, play(99, PicAnswer::Given("1234".into()))),
        vec![
            Effect::Dropped("character_not_owned"),
            Effect::End(EndReason::ProtocolViolation)
        ]
    );
}

#[test]
fn a_right_pic_is_recorded_then_the_channel_is_read_and_the_session_moves_there() {
    let mut s = listed("1234");
    let effects = step(&mut s, play(7, PicAnswer::Given("1234".into())));
    assert_eq!(
        effects,
        vec![Effect::Fetch(Query::Attempt {
            kind: AttemptKind::Pic,
            account_id: 1,
            success: true,
            ip_address: "10.1.2.3".into(),
            hwid: "00112233445566778899aabbccddeeff".into(),
        })]
    );
    let recorded = Answer::Attempt {
        kind: AttemptKind::Pic,
        success: true,
        result: Ok(AttemptResult::default()),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(recorded)),
        vec![Effect::Fetch(Query::Channel {
            world_id: 0,
            channel_id: 1,
            character_id: 7
        })]
    );
    let channel = Channel {
        ip_address: "10.0.0.5".into(),
        port: 7575,
        ..Channel::default()
    };
    let answer = Answer::Channel {
        character_id: 7,
        result: Ok(channel),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(answer)),
        vec![Effect::SendProgress(ChannelParams {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            character_id: 7
        })]
    );
    // PROGRESS_STATE undelivered: the client, waiting for ServerIP, is told the select failed.
    assert_eq!(
        step(&mut s, Input::ProgressFailed),
        vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable
        ))]
    );
    let named = Answer::Channel {
        character_id: 7,
        result: Ok(Channel {
            ip_address: "channel-1.scania.local".into(),
            port: 7575,
            ..Channel::default()
        }),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(named)),
        vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable
        ))],
        "no PROGRESS_STATE for an address ServerIP cannot carry"
    );
    let failed = Answer::Channel {
        character_id: 7,
        result: Err(unavailable()),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(failed)),
        vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable
        ))]
    );
}

#[test]
fn a_wrong_pic_is_refused_until_the_account_service_says_the_limit_is_reached() {
    let mut s = listed("1234");
    let effects = step(&mut s, play(7, PicAnswer::Given("0000".into())));
    assert!(matches!(
        &effects[..],
        [Effect::Fetch(Query::Attempt { success: false, .. })]
    ));
    let wrong = |limit_reached| Answer::Attempt {
        kind: AttemptKind::Pic,
        success: false,
        result: Ok(AttemptResult {
            attempts: 1,
            limit_reached,
        }),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(wrong(false))),
        vec![Effect::Tell(Output::SelectRefused(SelectRefusal::WrongPic))]
    );
    step(&mut s, play(7, PicAnswer::Given("0000".into())));
    assert_eq!(
        step(&mut s, Input::Fetched(wrong(true))),
        vec![Effect::End(EndReason::TooManyAttempts)]
    );
}

#[test]
fn a_first_pic_is_registered_before_the_character_moves() {
    let mut s = listed("");
    let effects = step(&mut s, play(8, PicAnswer::Registering("4321".into())));
    let [Effect::Fetch(Query::ChangeAccount { change, .. })] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(change, &crate::rest::AccountChange::Pic("4321".into()));
    let changed = Answer::AccountChanged {
        change: crate::rest::AccountChange::Pic("4321".into()),
        result: Ok(account("4321")),
    };
    assert!(matches!(
        &step(&mut s, Input::Fetched(changed))[..],
        [Effect::Fetch(Query::Channel {
            character_id: 8,
            ..
        })]
    ));
    assert_eq!(s.game.account.as_ref().unwrap().pic, "4321");
}

#[test]
fn a_client_that_skips_the_pic_it_was_asked_for_is_ended() {
    let mut s = listed("1234");
    assert_eq!(
        step(&mut s, play(7, PicAnswer::Without)),
        vec![
            Effect::Dropped("pic_skipped"),
            Effect::End(EndReason::ProtocolViolation)
        ]
    );
}

#[test]
fn without_pic_a_select_goes_straight_to_the_channel() {
    let mut s = listed("");
    s.flow = Flow::Game {
        pic: false,
        pin: false,
        worlds_at_login: false,
    };
    assert!(matches!(
        &step(&mut s, play(7, PicAnswer::Without))[..],
        [Effect::Fetch(Query::Channel {
            character_id: 7,
            ..
        })]
    ));
}

#[test]
fn game_requests_before_login_are_dropped() {
    let mut s = state();
    assert_eq!(
        step(&mut s, game(GameRequest::ListWorlds)),
        vec![Effect::Dropped("not_logged_in")]
    );
    assert_eq!(
        step(&mut s, Input::Refused),
        vec![Effect::Dropped("not_logged_in")]
    );
}

#[test]
fn a_pong_is_served_before_login_too() {
    let mut s = state();
    assert_eq!(step(&mut s, game(GameRequest::Pong)), vec![]);
    assert_eq!(
        step(&mut s, game(GameRequest::ListWorlds)),
        vec![Effect::Dropped("not_logged_in")]
    );
}

#[test]
fn a_quiet_game_client_is_pinged_once_per_quiet_period_and_ended_past_the_idle_limit() {
    let mut s = logged_in("1234");
    let max_idle = Duration::from_secs(3600);
    let quiet = |idle| Input::Quiet { idle, max_idle };
    assert_eq!(step(&mut s, quiet(Duration::from_secs(10))), vec![]);
    assert_eq!(
        step(&mut s, quiet(PING_AFTER)),
        vec![Effect::Tell(Output::Ping)]
    );
    assert_eq!(step(&mut s, quiet(PING_AFTER * 2)), vec![], "once");
    step(&mut s, game(GameRequest::Pong));
    assert_eq!(
        step(&mut s, quiet(PING_AFTER)),
        vec![Effect::Tell(Output::Ping)],
        "a request starts a new quiet period"
    );
    assert_eq!(
        step(&mut s, quiet(max_idle + Duration::from_secs(1))),
        vec![Effect::End(EndReason::IdleTimeout)]
    );
}

#[test]
fn a_created_character_is_read_before_the_client_is_told() {
    let mut s = logged_in("1234");
    s.game.creating = Some("Nova".into());
    let seed = SeedBody::Created { character_id: 9 };
    assert_eq!(
        step(&mut s, Input::Seed(seed)),
        vec![Effect::Fetch(Query::NewCharacter { character_id: 9 })]
    );
    let mut info = Box::new(CharacterInfo::default());
    info.character.account_id = 1;
    info.character.name = "Nova".into();
    let effects = step(
        &mut s,
        Input::Fetched(Answer::NewCharacter {
            character_id: 9,
            result: Ok(info.clone()),
        }),
    );
    assert_eq!(
        effects,
        vec![Effect::Tell(Output::CharacterCreated {
            character_id: 9,
            character: Some(info)
        })]
    );
}

/// The peer's answer to the login: the licence agreement is required.
fn licence_required() -> Input {
    Input::Peer {
        seq: 4,
        event: crate::message::account_session::StatusEvent {
            session_id: Uuid::nil(),
            account_id: 1,
            account_name: "admin".into(),
            body: EventBody::LicenseAgreementRequired,
        },
    }
}

#[test]
fn an_accepted_licence_is_recorded_at_the_account_service() {
    let mut s = state();
    login(&mut s);
    step(&mut s, licence_required());
    let effects = step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(account("1234")))),
    );
    assert!(matches!(
        &effects[..],
        [
            Effect::Bind { .. },
            Effect::Tell(Output::LicenseRequired(_))
        ]
    ));
    let effects = step(&mut s, Input::AcceptLicense { accepted: true });
    assert!(matches!(
        &effects[..],
        [
            Effect::Fetch(Query::ChangeAccount {
                change: crate::rest::AccountChange::Tos(true),
                ..
            }),
            Effect::Tell(Output::LoginAccepted(_))
        ]
    ));
}

#[test]
fn a_gender_chosen_while_the_licence_is_recorded_keeps_the_licence_accepted() {
    use crate::rest::AccountChange;
    let mut s = state();
    login(&mut s);
    step(&mut s, licence_required());
    let mut newbie = account("");
    newbie.gender = 10;
    step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(newbie.clone()))),
    );
    step(&mut s, Input::AcceptLicense { accepted: true });
    // The client answers the gender dialog before the licence's PATCH is answered.
    let effects = step(
        &mut s,
        game(GameRequest::SetGender {
            confirmed: true,
            gender: 1,
        }),
    );
    let [Effect::Fetch(Query::ChangeAccount { account: sent, .. })] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert!(sent.tos, "the gender's PATCH does not undo the licence");
    // The answers come back in the other order; each applies its own change only.
    let answered = |change: AccountChange| {
        let result = Ok(Box::new(newbie.changed(&change)));
        Input::Fetched(Answer::AccountChanged { change, result })
    };
    step(&mut s, answered(AccountChange::Gender(1)));
    step(&mut s, answered(AccountChange::Tos(true)));
    let account = s.game.account.as_ref().expect("the account");
    assert_eq!((account.tos, account.gender), (true, 1));
}

#[test]
fn a_login_or_a_hand_off_is_in_flight_until_the_client_is_told() {
    let mut s = state();
    assert!(!s.in_flight());
    login(&mut s);
    assert!(s.in_flight(), "the login");
    step(&mut s, created());
    assert!(s.in_flight(), "the account being read");
    step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(account("1234")))),
    );
    assert!(!s.in_flight());
    let mut s = listed("1234");
    step(&mut s, play(7, PicAnswer::Given("1234".into())));
    assert!(s.in_flight(), "the PIC check of a select");
    let recorded = Answer::Attempt {
        kind: AttemptKind::Pic,
        success: true,
        result: Ok(AttemptResult::default()),
    };
    step(&mut s, Input::Fetched(recorded));
    assert!(s.in_flight(), "the channel read");
    let answer = Answer::Channel {
        character_id: 7,
        result: Ok(Channel {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            ..Channel::default()
        }),
    };
    step(&mut s, Input::Fetched(answer));
    assert!(s.in_flight(), "PROGRESS_STATE sent, STATE_CHANGED awaited");
    let changed = Input::Peer {
        seq: 9,
        event: crate::message::account_session::StatusEvent {
            session_id: Uuid::nil(),
            account_id: 1,
            account_name: "admin".into(),
            body: EventBody::StateChanged {
                state: 2,
                params: Some(crate::message::account_session::TransitionParams {
                    ip_address: "10.0.0.5".into(),
                    port: 7575,
                    character_id: 7,
                }),
            },
        },
    };
    assert!(matches!(
        &step(&mut s, changed)[..],
        [Effect::Tell(Output::ChannelReady { .. })]
    ));
    assert!(!s.in_flight(), "told where to go");
}

#[test]
fn a_jms_login_answer_brings_the_server_list_unasked() {
    let mut s = state();
    s.flow = Flow::Game {
        pic: false,
        pin: false,
        worlds_at_login: true,
    };
    login(&mut s);
    step(&mut s, created());
    let effects = step(
        &mut s,
        Input::Fetched(Answer::LoginAccount(Ok(account("")))),
    );
    assert!(matches!(
        &effects[..],
        [
            Effect::Bind { account_id: 1 },
            Effect::Tell(Output::LoginAccepted(_)),
            Effect::Fetch(Query::Worlds)
        ]
    ));
}
