//! Reader tests (§5.1, §8, §14): every request for v83, the per-version shapes, truncation,
//! and redacted `Debug`.

use super::*;
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::{OpcodeWidth, Rules};
use crate::gateway::maple::test_util::hex;
use crate::gateway::maple::version::{Region, Version};

fn rules(region: Region, major: u16) -> Rules {
    Rules::for_version(Version::new(region, major, 1)).unwrap()
}

fn bytes(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut Writer::new(&mut out, OpcodeWidth::U16));
    out
}

/// V3's login body (after the opcode).
fn login_body() -> Vec<u8> {
    hex("05 00 61 64 6D 69 6E 05 00 61 64 6D 69 6E 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF \
         00 00 00 00 00 00 00 00 00 00 00")
}

/// Every strict prefix of a valid body is an error.
fn assert_prefixes_fail(handler: Handler, rules: &Rules, body: &[u8]) {
    assert!(
        read_request(handler, rules, body).is_ok(),
        "{handler:?} full body"
    );
    for n in 0..body.len() {
        assert!(
            read_request(handler, rules, &body[..n]).is_err(),
            "{handler:?} prefix {n}"
        );
    }
}

fn v83_bodies() -> Vec<(Handler, Vec<u8>)> {
    let macs = |w: &mut Writer<'_>| {
        w.str("a").str("b");
    };
    vec![
        (Handler::Login, login_body()),
        (Handler::CharacterListWorld, hex("02 00 01 7F 00 00 01")),
        (Handler::ServerStatus, hex("01 00")),
        (Handler::AcceptTos, hex("01")),
        (Handler::SetGender, hex("01 00")),
        (Handler::ViewAllSelected, bytes(|w| macs(w.u32(7).u32(1)))),
        (Handler::ViewAllPong, hex("01")),
        (Handler::CharacterSelect, bytes(|w| macs(w.u32(7)))),
        (
            Handler::CheckName,
            bytes(|w| {
                w.str("Hero");
            }),
        ),
        (Handler::CreateCharacter, create_body()),
        (
            Handler::DeleteCharacter,
            bytes(|w| {
                w.str("1234").u32(7);
            }),
        ),
        (
            Handler::RegisterPic,
            bytes(|w| {
                macs(w.u8(0).u32(7));
                w.str("1234");
            }),
        ),
        (
            Handler::CharacterSelectWithPic,
            bytes(|w| macs(w.str("1234").u32(7))),
        ),
        (
            Handler::ViewAllRegisterPic,
            bytes(|w| {
                macs(w.u8(0).u32(7).u32(1));
                w.str("1234");
            }),
        ),
        (
            Handler::ViewAllWithPic,
            bytes(|w| macs(w.str("1234").u32(7).u32(1))),
        ),
        (
            Handler::StartError,
            bytes(|w| {
                w.str("err");
            }),
        ),
    ]
}

fn create_body() -> Vec<u8> {
    bytes(|w| {
        w.str("Hero").u32(1).u32(20000).u32(30000).u32(7).u32(2);
        w.u32(1_040_002)
            .u32(1_060_002)
            .u32(1_072_001)
            .u32(1_302_000)
            .u8(1);
    })
}

#[test]
fn every_v83_request_rejects_every_truncation() {
    let rules = Rules::gms83();
    for (handler, body) in v83_bodies() {
        assert_prefixes_fail(handler, &rules, &body);
    }
}

#[test]
fn v83_login_reads_the_v3_body() {
    let Request::Login(l) = read_request(Handler::Login, &Rules::gms83(), &login_body()).unwrap()
    else {
        panic!("not a login")
    };
    assert_eq!(
        (l.name_lossy(), l.password.expose()),
        ("admin".to_owned(), &b"admin"[..])
    );
    assert_eq!(l.machine_id.hwid(), "00112233445566778899aabbccddeeff");
    assert_eq!(
        (l.game_room_client, l.game_start_mode, l.unknown1),
        (0, 0, 0)
    );
    assert_eq!((l.unknown2, l.partner_code), (Some(0), Some(0)));
}

#[test]
fn login_debug_shows_neither_password_nor_machine_id() {
    let mut body = bytes(|w| {
        w.str("admin").str("hunter2secret");
    });
    body.extend(hex(
        "DE AD BE EF 00 11 22 33 44 55 66 77 88 99 AA BB 00 00 00 00 00 00 00 00 00 00 00",
    ));
    let login = LoginRequest::read(&body, &Rules::gms83()).unwrap();
    let debug = format!("{login:?} {:?}", Request::Login(login.clone()));
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(!debug.to_lowercase().contains("dead"), "{debug}");
    assert!(!debug.contains("222"), "{debug}");
    assert!(debug.contains("redacted"));
}

#[test]
fn pin_and_pic_debug_are_redacted() {
    let pin = RegisterPinRequest::read(&hex("01 04 00 39 38 37 36"), &Rules::gms83()).unwrap();
    assert!(!format!("{pin:?}").contains("9876") && !format!("{pin:?}").contains("57"));
    let body = bytes(|w| {
        w.str("5555").u32(7).str("a").str("b");
    });
    let pic = CharacterSelectWithPicRequest::read(&body, &Rules::gms83()).unwrap();
    assert!(!format!("{pic:?}").contains("5555"));
    assert_eq!(pic.pic.expose(), b"5555");
}

#[test]
fn v83_small_requests_read_their_fields() {
    let r = Rules::gms83();
    let world = CharacterListWorldRequest::read(&hex("02 00 01 7F 00 00 01"), &r).unwrap();
    assert_eq!(
        world,
        CharacterListWorldRequest {
            game_start_mode: Some(2),
            world_id: 0,
            channel_id: 1,
            socket_addr: Some(0x0100_007F)
        }
    );
    assert_eq!(
        ServerStatusRequest::read(&hex("01 00"), &r)
            .unwrap()
            .world_id,
        1
    );
    assert_eq!(AcceptTosRequest::read(&hex("01"), &r).unwrap().accepted, 1);
    assert_eq!(
        SetGenderRequest::read(&hex("01 01 FF"), &r).unwrap(),
        SetGenderRequest {
            confirmed: 1,
            gender: 1
        }
    );
    assert_eq!(ViewAllPongRequest::read(&hex("01"), &r).unwrap().render, 1);
    assert_eq!(ViewAllRequest::read(&[], &r).unwrap().fields, None);
    let name = CheckNameRequest::read(&hex("04 00 48 65 72 6F"), &r).unwrap();
    assert_eq!(name.name_lossy(), "Hero");
    let err = StartErrorRequest::read(&hex("03 00 65 72 72"), &r).unwrap();
    assert_eq!(err.message_lossy(), "err");
}

#[test]
fn empty_requests_need_no_body() {
    let r = Rules::gms83();
    assert_eq!(
        read_request(Handler::ServerListRequest, &r, &[]),
        Ok(Request::ServerListRequest)
    );
    assert_eq!(read_request(Handler::Pong, &r, &[]), Ok(Request::Pong));
    assert_eq!(
        read_request(Handler::ClientStart, &r, &[]),
        Ok(Request::ClientStart)
    );
    assert_eq!(
        read_request(Handler::NoOp, &r, &[1, 2]),
        Ok(Request::Unread(Handler::NoOp))
    );
}

#[test]
fn after_login_reads_options_and_an_optional_pin() {
    let r = Rules::gms83();
    let read = |h: &str| AfterLoginRequest::read(&hex(h), &r);
    assert_eq!(
        read("00").unwrap(),
        AfterLoginRequest {
            opt1: 0,
            opt2: None,
            account_id: None,
            pin: None
        }
    );
    assert_eq!(read("01 01").unwrap().pin, None);
    let with_pin = read("01 00 04 00 31 32 33 34").unwrap();
    assert_eq!(
        (with_pin.opt2, with_pin.pin.unwrap().expose()),
        (Some(0), &b"1234"[..])
    );
    for bad in ["", "01", "01 00 04", "01 00 04 00 31"] {
        assert!(read(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn gms12_after_login_has_an_account_id_before_the_pin() {
    let r = rules(Region::Gms, 12);
    let req = AfterLoginRequest::read(&hex("01 00 07 00 00 00 04 00 31 32 33 34"), &r).unwrap();
    assert_eq!(
        (req.account_id, req.pin.unwrap().expose()),
        (Some(7), &b"1234"[..])
    );
}

#[test]
fn register_pin_reads_the_pin_only_for_option_1() {
    let r = Rules::gms83();
    assert_eq!(RegisterPinRequest::read(&hex("00"), &r).unwrap().pin, None);
    let req = RegisterPinRequest::read(&hex("01 04 00 31 32 33 34"), &r).unwrap();
    assert_eq!(req.pin.unwrap().expose(), b"1234");
    assert!(RegisterPinRequest::read(&hex("01 04 00 31"), &r).is_err());
    assert!(RegisterPinRequest::read(&[], &r).is_err());
}

#[test]
fn v83_create_character_reads_every_field() {
    let c = CreateCharacterRequest::read(&create_body(), &Rules::gms83()).unwrap();
    assert_eq!(
        (c.name_lossy(), c.job_index, c.sub_job, c.face, c.hair),
        ("Hero".into(), 1, None, 20000, 30000)
    );
    assert_eq!(
        (c.hair_color, c.skin_color, c.top, c.bottom),
        (Some(7), Some(2), 1_040_002, 1_060_002)
    );
    assert_eq!(
        (c.shoes, c.weapon, c.gender, c.stats),
        (1_072_001, 1_302_000, Some(1), None)
    );
}

#[test]
fn v83_selects_read_ids_macs_and_pics() {
    let r = Rules::gms83();
    let Request::ViewAllRegisterPic(v) =
        read_request(Handler::ViewAllRegisterPic, &r, &v83_bodies()[13].1).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (v.opt, v.character_id, v.world_id, v.pic.expose()),
        (0, 7, 1, &b"1234"[..])
    );
    assert_eq!(
        (v.macs.mac.expose(), v.macs.mac_hdd.unwrap().expose()),
        (&b"a"[..], &b"b"[..])
    );
    let Request::DeleteCharacter(d) =
        read_request(Handler::DeleteCharacter, &r, &v83_bodies()[10].1).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        (d.character_id, d.pic.unwrap().expose(), d.birth_date),
        (7, &b"1234"[..], None)
    );
    let s = CharacterSelectRequest::read(&v83_bodies()[7].1, &r).unwrap();
    assert_eq!((s.character_id, s.macs.is_some()), (7, true));
}

#[test]
fn trailing_bytes_are_ignored() {
    let r = Rules::gms83();
    let mut body = login_body();
    body.extend([1, 2, 3]);
    assert!(LoginRequest::read(&body, &r).is_ok());
    assert!(CharacterSelectRequest::read(&hex("07 00 00 00 01 00 61 01 00 62 FF FF"), &r).is_ok());
}

#[test]
fn a_negative_string_length_is_an_error() {
    let r = Rules::gms83();
    assert!(CheckNameRequest::read(&hex("00 80 41"), &r).is_err());
    assert!(LoginRequest::read(&hex("FF FF"), &r).is_err());
}
