//! Behaviour of the character requests (name check, creation, deletion, view of every world),
//! without actors or REST.

use super::characters::name_allowed;
use super::game_tests::{account, game, listed, logged_in, step, unavailable};
use super::*;
use crate::rest::{AttemptKind, AttemptResult, Channel, Character};
use crate::session::fetch::DeleteAnswer;
use crate::session::output::{CharacterInfo, Deletion, NameVerdict, PicState, SelectRefusal};
use crate::session::request::{NewCharacter, PicAnswer, Secret};

fn character(id: u32, account_id: u32) -> CharacterInfo {
    named(id, account_id, "")
}

fn named(id: u32, account_id: u32, name: &str) -> CharacterInfo {
    CharacterInfo {
        character: Character {
            id,
            account_id,
            name: name.into(),
            ..Character::default()
        },
        ..CharacterInfo::default()
    }
}

fn pic_recorded(success: bool, limit_reached: bool) -> Input {
    Input::Fetched(Answer::Attempt {
        kind: AttemptKind::Pic,
        success,
        result: Ok(AttemptResult {
            attempts: 1,
            limit_reached,
        }),
    })
}

#[test]
fn the_name_rule_is_atlass_anchored() {
    for ok in ["abc", "Maple123", "abcdefghijkl", "かたかな", "漢字漢字"] {
        assert!(name_allowed(ok), "{ok}");
    }
    for bad in [
        "ab",
        "abcdefghijklm",
        "a b c",
        "abc!",
        "",
        "日本語日本語",
        "admin\u{0}",
    ] {
        assert!(!name_allowed(bad), "{bad}");
    }
    // Atlas's regex is unanchored: three allowed characters anywhere pass there.
    assert!(!name_allowed("abc$$$"));
}

#[test]
fn a_name_is_checked_against_the_rule_then_the_characters() {
    let mut s = listed("");
    assert_eq!(
        step(&mut s, game(GameRequest::CheckName { name: "a!".into() })),
        vec![Effect::Tell(Output::NameChecked {
            name: "a!".into(),
            verdict: NameVerdict::NotAllowed
        })]
    );
    assert_eq!(
        step(
            &mut s,
            game(GameRequest::CheckName {
                name: "Hero".into()
            })
        ),
        vec![Effect::Fetch(Query::NameTaken {
            name: "Hero".into()
        })]
    );
    for (result, verdict) in [
        (Ok(false), NameVerdict::Available),
        (Ok(true), NameVerdict::Taken),
        (Err(unavailable()), NameVerdict::Unavailable),
    ] {
        let answer = Answer::NameTaken {
            name: "Hero".into(),
            result,
        };
        assert_eq!(
            step(&mut s, Input::Fetched(answer)),
            vec![Effect::Tell(Output::NameChecked {
                name: "Hero".into(),
                verdict
            })]
        );
    }
}

fn new_character(name: &str) -> Input {
    game(GameRequest::CreateCharacter(Box::new(NewCharacter {
        name: name.into(),
        job_index: 1,
        face: 20000,
        hair: 30000,
        top: 1040002,
        bottom: 1060002,
        shoes: 1072001,
        weapon: 1302000,
        gender: Some(1),
        ..NewCharacter::default()
    })))
}

#[test]
fn a_creation_asks_the_factory_for_the_chosen_world_and_waits_for_the_seed_event() {
    let mut s = listed("");
    let effects = step(&mut s, new_character("Hero"));
    let [Effect::Fetch(Query::Seed(seed))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (seed.account_id, seed.world_id, seed.name.as_str()),
        (1, 0, "Hero")
    );
    assert_eq!((seed.gender, seed.job_index, seed.weapon), (1, 1, 1302000));
    assert_eq!(
        (seed.level, seed.strength, seed.hp, seed.mp),
        (1, 13, 50, 5),
        "login's fixed values"
    );
    assert!(step(&mut s, Input::Fetched(Answer::Seeded(Ok(())))).is_empty());
    assert_eq!(
        step(&mut s, Input::Seed(SeedBody::Created { character_id: 12 })),
        vec![Effect::Fetch(Query::NewCharacter { character_id: 12 })]
    );
    let read = Answer::NewCharacter {
        character_id: 12,
        result: Ok(Box::new(named(12, 1, "hero"))),
    };
    assert!(matches!(
        &step(&mut s, Input::Fetched(read))[..],
        [Effect::Tell(Output::CharacterCreated {
            character_id: 12,
            character: Some(_)
        })]
    ));
    assert!(
        s.game.listed.contains(&12),
        "the new character may be played"
    );
    assert!(
        step(&mut s, Input::Seed(SeedBody::Created { character_id: 13 })).is_empty(),
        "a seed event this session did not ask for"
    );
}

/// A seed event names the account and the character only: the character read is the
/// session's when it has the requested name; another's (another client of the factory asked
/// for the same account meanwhile) is not shown, and the session's own is still awaited.
#[test]
fn a_seed_event_of_another_request_is_not_the_answer_to_the_sessions() {
    let mut s = listed("");
    step(&mut s, new_character("Hero"));
    step(&mut s, Input::Fetched(Answer::Seeded(Ok(()))));
    let read = |id, name: &str| {
        Input::Fetched(Answer::NewCharacter {
            character_id: id,
            result: Ok(Box::new(named(id, 1, name))),
        })
    };
    assert_eq!(
        step(&mut s, Input::Seed(SeedBody::Created { character_id: 13 })),
        vec![Effect::Fetch(Query::NewCharacter { character_id: 13 })]
    );
    assert!(
        step(&mut s, read(13, "Other")).is_empty(),
        "not the session's"
    );
    assert!(!s.game.listed.contains(&13));
    let other_account = Input::Fetched(Answer::NewCharacter {
        character_id: 14,
        result: Ok(Box::new(named(14, 2, "Hero"))),
    });
    step(&mut s, Input::Seed(SeedBody::Created { character_id: 14 }));
    assert!(step(&mut s, other_account).is_empty(), "not the account's");
    step(&mut s, Input::Seed(SeedBody::Created { character_id: 12 }));
    assert!(matches!(
        &step(&mut s, read(12, "Hero"))[..],
        [Effect::Tell(Output::CharacterCreated {
            character_id: 12,
            ..
        })]
    ));
    assert!(s.game.creating.is_none(), "answered");
    assert!(step(&mut s, read(12, "Hero")).is_empty(), "answered once");
}

#[test]
fn a_factory_error_or_a_failed_seed_gets_the_error_entry() {
    let failed = |effects: &[Effect]| {
        matches!(
            effects,
            [Effect::Tell(Output::CharacterCreationFailed { .. })]
        )
    };
    let mut s = listed("");
    step(&mut s, new_character("Hero"));
    assert!(failed(&step(
        &mut s,
        Input::Fetched(Answer::Seeded(Err(unavailable())))
    )));
    step(&mut s, new_character("Hero"));
    assert!(failed(&step(
        &mut s,
        Input::Seed(SeedBody::Failed {
            reason: "name taken".into()
        })
    )));
    let mut s = logged_in("");
    assert!(
        failed(&step(&mut s, new_character("Hero"))),
        "no world chosen"
    );
    let mut s = listed("");
    assert!(
        failed(&step(&mut s, new_character("!!"))),
        "a name the rule refuses"
    );
}

#[test]
fn a_deletion_checks_the_pic_then_asks_the_services() {
    let mut s = listed("1234");
    let delete = |pic: &str| {
        game(GameRequest::DeleteCharacter {
            character_id: 7,
            pic: Some(Secret::new(pic)),
        })
    };
    assert!(matches!(
        &step(&mut s, delete("1234"))[..],
        [Effect::Fetch(Query::Attempt {
            kind: AttemptKind::Pic,
            success: true,
            ..
        })]
    ));
    assert_eq!(
        step(&mut s, pic_recorded(true, false)),
        vec![Effect::Fetch(Query::DeleteCharacter {
            account_id: 1,
            character_id: 7
        })]
    );
    let deleted = |result| {
        Input::Fetched(Answer::Deleted {
            character_id: 7,
            result,
        })
    };
    let told = |outcome| {
        vec![Effect::Tell(Output::CharacterDeleted {
            character_id: 7,
            outcome,
        })]
    };
    assert_eq!(
        step(&mut s, deleted(Ok(DeleteAnswer::GuildLeader))),
        told(Deletion::GuildLeader)
    );
    assert_eq!(
        step(&mut s, deleted(Ok(DeleteAnswer::NotOwned))),
        told(Deletion::Failed)
    );
    assert_eq!(
        step(&mut s, deleted(Err(unavailable()))),
        told(Deletion::Failed)
    );
    assert_eq!(
        step(&mut s, deleted(Ok(DeleteAnswer::Deleted))),
        told(Deletion::Deleted)
    );
    assert!(!s.game.listed.contains(&7));
    assert_eq!(
        step(&mut s, delete("1234")),
        told(Deletion::Failed),
        "a character no longer listed is not asked for"
    );
}

/// One check at a time: a deletion while a select's PIC is being recorded is dropped, and the
/// record's answer goes to the select that asked for it.
#[test]
fn a_deletion_while_a_select_checks_its_pic_is_dropped() {
    let mut s = listed("1234");
    let select = game(GameRequest::PlayCharacter {
        character_id: 7,
        pic: PicAnswer::Given("1234".into()),
    });
    assert!(matches!(
        &step(&mut s, select)[..],
        [Effect::Fetch(Query::Attempt { success: true, .. })]
    ));
    let delete = game(GameRequest::DeleteCharacter {
        character_id: 8,
        pic: Some(Secret::new("0000")),
    });
    assert_eq!(
        step(&mut s, delete),
        vec![Effect::Dropped("check_in_flight")]
    );
    assert!(matches!(
        &step(&mut s, pic_recorded(true, false))[..],
        [Effect::Fetch(Query::Channel {
            character_id: 7,
            ..
        })]
    ));
}

#[test]
fn a_deletion_with_a_wrong_pic_is_refused_until_the_limit_ends_the_session() {
    let mut s = listed("1234");
    let delete = || {
        game(GameRequest::DeleteCharacter {
            character_id: 8,
            pic: Some(Secret::new("0000")),
        })
    };
    step(&mut s, delete());
    assert_eq!(
        step(&mut s, pic_recorded(false, false)),
        vec![Effect::Tell(Output::CharacterDeleted {
            character_id: 8,
            outcome: Deletion::WrongPic
        })]
    );
    step(&mut s, delete());
    assert_eq!(
        step(&mut s, pic_recorded(false, true)),
        vec![Effect::End(EndReason::TooManyAttempts)]
    );
}

#[test]
fn a_character_of_another_account_is_never_asked_to_be_deleted() {
    let mut s = listed("");
    assert_eq!(
        step(
            &mut s,
            game(GameRequest::DeleteCharacter {
                character_id: 99,
                pic: Some(Secret::new(""))
            })
        ),
        vec![Effect::Tell(Output::CharacterDeleted {
            character_id: 99,
            outcome: Deletion::Failed
        })]
    );
}

/// Logged in, viewed every world: world 0 holds 7, world 1 holds 8 and 9.
fn viewed(pic: &str) -> State {
    let mut s = logged_in(pic);
    assert_eq!(
        step(&mut s, game(GameRequest::ViewAll)),
        vec![Effect::Fetch(Query::AllCharacters { account_id: 1 })]
    );
    let worlds = vec![
        (0, vec![character(7, 1)]),
        (1, vec![character(8, 1), character(9, 1)]),
        (2, vec![]),
    ];
    let effects = step(&mut s, Input::Fetched(Answer::AllCharacters(Ok(worlds))));
    let [Effect::Tell(Output::AllCharacters(all))] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!((all.worlds.len(), all.character_count()), (3, 3));
    assert_eq!(
        all.pic,
        if pic.is_empty() {
            PicState::Unregistered
        } else {
            PicState::Registered
        }
    );
    s
}

#[test]
fn the_view_of_every_world_tells_none_found_or_unavailable() {
    let mut s = logged_in("");
    assert_eq!(
        step(
            &mut s,
            Input::Fetched(Answer::AllCharacters(Ok(vec![(0, vec![])])))
        ),
        vec![Effect::Tell(Output::NoCharacters)]
    );
    assert_eq!(
        step(
            &mut s,
            Input::Fetched(Answer::AllCharacters(Err(unavailable())))
        ),
        vec![Effect::Tell(Output::AllCharactersUnavailable)]
    );
}

fn from_all(character_id: u32, world_id: u32, pic: PicAnswer) -> Input {
    game(GameRequest::PlayFromAll {
        character_id,
        world_id,
        pic,
    })
}

/// The answer to the select of character 8: its world's channels.
fn channels_of_8(s: &mut State, channels: Vec<Channel>) -> Vec<Effect> {
    step(
        s,
        Input::Fetched(Answer::WorldChannels {
            character_id: 8,
            result: Ok(channels),
        }),
    )
}

#[test]
fn a_character_from_the_view_goes_to_its_worlds_least_loaded_channel() {
    let mut s = viewed("1234");
    step(&mut s, from_all(8, 1, PicAnswer::Given("1234".into())));
    assert_eq!(
        step(&mut s, pic_recorded(true, false)),
        vec![Effect::Fetch(Query::WorldChannels {
            world_id: 1,
            character_id: 8
        })]
    );
    let channel = |id, current, ip: &str| Channel {
        channel_id: id,
        current_capacity: current,
        max_capacity: 100,
        ip_address: ip.into(),
        port: 7575 + u16::from(id),
        ..Channel::default()
    };
    let channels = vec![
        channel(0, 90, "10.0.0.1"),
        channel(1, 10, "10.0.0.2"),
        channel(2, 10, "10.0.0.3"),
    ];
    assert_eq!(
        channels_of_8(&mut s, channels),
        vec![Effect::SendProgress(ChannelParams {
            ip_address: "10.0.0.2".into(),
            port: 7576,
            character_id: 8
        })]
    );
    assert_eq!(
        channels_of_8(&mut s, vec![]),
        vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable
        ))],
        "a full or unknown world is told, where Atlas stays silent"
    );
    // A host name cannot be sent to the client: the least loaded of the others is chosen.
    let named = vec![
        channel(0, 90, "10.0.0.1"),
        channel(1, 0, "channel-1.local"),
        channel(2, 50, "10.0.0.3"),
    ];
    assert_eq!(
        channels_of_8(&mut s, named),
        vec![Effect::SendProgress(ChannelParams {
            ip_address: "10.0.0.3".into(),
            port: 7577,
            character_id: 8
        })]
    );
    let only_named = vec![channel(0, 0, "channel-0.local")];
    assert_eq!(
        channels_of_8(&mut s, only_named),
        vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable
        ))],
        "no channel the client can be sent to"
    );
}

#[test]
fn a_character_from_the_view_in_another_world_or_of_another_account_ends_the_session() {
    let mut s = viewed("1234");
    assert!(matches!(
        &step(&mut s, from_all(8, 0, PicAnswer::Given("1234".into())))[..],
        [
            Effect::Dropped("character_not_owned"),
            Effect::End(EndReason::ProtocolViolation)
        ]
    ));
    let mut s = viewed("1234");
    assert!(matches!(
        &step(&mut s, from_all(50, 1, PicAnswer::Without))[..],
        [
            Effect::Dropped(_),
            Effect::End(EndReason::ProtocolViolation)
        ]
    ));
}

#[test]
fn a_first_pic_registered_from_the_view_sends_the_character_on() {
    let mut s = viewed("");
    let effects = step(
        &mut s,
        from_all(7, 0, PicAnswer::Registering("5555".into())),
    );
    assert!(matches!(
        &effects[..],
        [Effect::Fetch(Query::ChangeAccount { .. })]
    ));
    let changed = Answer::AccountChanged {
        change: crate::rest::AccountChange::Pic("5555".into()),
        result: Ok(account("5555")),
    };
    assert_eq!(
        step(&mut s, Input::Fetched(changed)),
        vec![Effect::Fetch(Query::WorldChannels {
            world_id: 0,
            character_id: 7
        })]
    );
}
