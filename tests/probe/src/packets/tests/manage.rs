//! Name check, create and delete (§5.1, §5.2, §8).

use super::character::v83_entry;
use super::{assert_malformed, cat, h, layout, s};
use crate::packets::codec::{
    encode_check_name, encode_create, encode_delete, parse_add_character, parse_delete_response,
    parse_name_response,
};
use crate::packets::NewCharacter;

fn beginner() -> NewCharacter {
    NewCharacter {
        name: "probe".into(),
        job: 1,
        sub_job: 0,
        face: 20000,
        hair: 30000,
        hair_color: 0,
        skin: 0,
        top: 1_040_002,
        bottom: 1_060_002,
        shoes: 1_072_001,
        weapon: 1_302_000,
        gender: 0,
        stats: [12, 5, 4, 4],
    }
}

/// The four equips as `u32`s.
fn equips() -> Vec<u8> {
    h("82 DE 0F 00 .. A2 2C 10 00 .. 81 5B 10 00 .. F0 DD 13 00")
}

#[test]
fn create_requests_follow_each_version() {
    let c = beginner();
    let looks = h("20 4E 00 00 .. 30 75 00 00 .. 00 00 00 00 .. 00 00 00 00");
    // §5.1 v83: name; job; face; hair; hairColor; skin; 4 equips; u8 gender
    assert_eq!(
        encode_create(&layout("GMS", 83), &c).unwrap(),
        cat(&[&s("probe"), &h("01 00 00 00"), &looks, &equips(), &h("00")])
    );
    // §8 v87: u16 subJob after the job
    assert_eq!(
        encode_create(&layout("GMS", 87), &c).unwrap(),
        cat(&[
            &s("probe"),
            &h("01 00 00 00 .. 00 00"),
            &looks,
            &equips(),
            &h("00")
        ])
    );
    // §8 v12: no job, no gender; u8 STR DEX INT LUK
    assert_eq!(
        encode_create(&layout("GMS", 12), &c).unwrap(),
        cat(&[&s("probe"), &looks, &equips(), &h("0C 05 04 04")])
    );
    // §8 JMS: job, subJob, face, hair, 4 equips
    assert_eq!(
        encode_create(&layout("JMS", 185), &c).unwrap(),
        cat(&[
            &s("probe"),
            &h("01 00 00 00 .. 00 00 .. 20 4E 00 00 .. 30 75 00 00"),
            &equips()
        ])
    );
}

#[test]
fn delete_requests_follow_each_version() {
    // §5.1 / §8: v83 `str pic; u32 charId`; v12 `u32 dob; u32 charId`; JMS `u32 charId`
    assert_eq!(
        encode_delete(&layout("GMS", 83), "1234", 7).unwrap(),
        cat(&[&s("1234"), &h("07 00 00 00")])
    );
    assert_eq!(
        encode_delete(&layout("GMS", 12), "19900101", 7).unwrap(),
        h("C5 A6 2F 01 .. 07 00 00 00")
    );
    assert!(encode_delete(&layout("GMS", 12), "pic", 7).is_err());
    assert_eq!(
        encode_delete(&layout("JMS", 185), "x", 7).unwrap(),
        h("07 00 00 00")
    );
    assert_eq!(encode_check_name("abc").unwrap(), s("abc"));
}

#[test]
fn answers_parse() {
    // §5.2 CharacterNameResponse `str name | u8 code`
    let name = parse_name_response(&cat(&[&s("abc"), &h("02")])).unwrap();
    assert_eq!(
        (name.name.as_str(), name.code, name.available()),
        ("abc", 2, false)
    );
    // §5.2 DeleteCharacterResponse `u32 charId | u8 code`
    let del = parse_delete_response(&h("07 00 00 00 .. 14")).unwrap();
    assert_eq!((del.character_id, del.code), (7, 20));
    assert_malformed(
        parse_delete_response(&h("07 00 00 00")),
        "DeleteCharacterResponse",
        4,
    );
}

#[test]
fn add_character_entry_carries_the_entry_only_on_success() {
    // §5.2 AddCharacterEntry: `u8 code(OK) | CharacterEntry`; error: `u8 code` only
    let ok = parse_add_character(&layout("GMS", 83), &cat(&[&h("00"), &v83_entry(9)])).unwrap();
    assert_eq!(ok.entry.map(|e| e.stats.id), Some(9));
    let err = parse_add_character(&layout("GMS", 83), &h("63")).unwrap();
    assert_eq!((err.code, err.entry), (99, None));
    assert_malformed(
        parse_add_character(&layout("GMS", 83), &h("00 01")),
        "AddCharacterEntry",
        1,
    );
}
