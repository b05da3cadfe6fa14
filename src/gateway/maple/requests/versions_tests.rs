//! Reader shapes of the other supported versions (§8, §14.5–§14.7).

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

/// `str name | str password | 16 × 0xAB | u32 0 | u8 2 | u8 0`: the GMS 12 / JMS login body.
fn short_login() -> Vec<u8> {
    bytes(|w| {
        w.str("a").str("b").bytes(&[0xAB; 16]).u32(0).u8(2).u8(0);
    })
}

#[test]
fn gms12_and_jms_logins_end_after_the_first_trailing_byte() {
    for r in [rules(Region::Gms, 12), rules(Region::Jms, 185)] {
        let l = LoginRequest::read(&short_login(), &r).unwrap();
        assert_eq!(
            (l.game_start_mode, l.unknown2, l.partner_code),
            (2, None, None)
        );
        assert!(LoginRequest::read(&short_login()[..27], &r).is_err());
    }
    assert!(LoginRequest::read(&short_login(), &Rules::gms83()).is_err());
}

#[test]
fn v95_login_has_the_v83_shape() {
    let mut body = short_login();
    body.extend(hex("00 01 00 00 00"));
    let l = LoginRequest::read(&body, &rules(Region::Gms, 95)).unwrap();
    assert_eq!(l.partner_code, Some(1));
}

#[test]
fn character_list_world_per_version() {
    let v12 = CharacterListWorldRequest::read(&hex("01 02"), &rules(Region::Gms, 12)).unwrap();
    assert_eq!(
        (
            v12.game_start_mode,
            v12.world_id,
            v12.channel_id,
            v12.socket_addr
        ),
        (None, 1, 2, None)
    );
    let jms = CharacterListWorldRequest::read(&hex("01 02 01 00 00 00"), &rules(Region::Jms, 185))
        .unwrap();
    assert_eq!(
        (jms.game_start_mode, jms.world_id, jms.socket_addr),
        (None, 1, Some(1))
    );
    assert!(CharacterListWorldRequest::read(&hex("01 02 01"), &rules(Region::Jms, 185)).is_err());
}

#[test]
fn jms_server_status_world_is_one_byte() {
    let req = ServerStatusRequest::read(&hex("03"), &rules(Region::Jms, 185)).unwrap();
    assert_eq!(req.world_id, 3);
}

#[test]
fn v87_view_all_carries_passport_fields() {
    let body = bytes(|w| {
        w.u8(1).str("pp").str("mm").u32(5).u8(6);
    });
    let req = ViewAllRequest::read(&body, &rules(Region::Gms, 87)).unwrap();
    let f = req.fields.unwrap();
    assert_eq!(
        (
            f.game_start_mode,
            f.nexon_passport.expose(),
            f.game_room_client,
            f.game_start_mode2
        ),
        (1, &b"pp"[..], 5, 6)
    );
    assert!(ViewAllRequest::read(&body[..body.len() - 1], &rules(Region::Gms, 87)).is_err());
    assert!(!format!("{f:?}").contains("pp"));
}

#[test]
fn create_character_per_version() {
    let v87 = bytes(|w| {
        w.str("Hero")
            .u32(1)
            .u16(1)
            .u32(20000)
            .u32(30000)
            .u32(7)
            .u32(2);
        w.u32(1).u32(2).u32(3).u32(4).u8(1);
    });
    let c = CreateCharacterRequest::read(&v87, &rules(Region::Gms, 95)).unwrap();
    assert_eq!(
        (c.sub_job, c.face, c.weapon, c.gender),
        (Some(1), 20000, 4, Some(1))
    );

    let v12 = bytes(|w| {
        w.str("Hero")
            .u32(20000)
            .u32(30000)
            .u32(7)
            .u32(2)
            .u32(1)
            .u32(2)
            .u32(3)
            .u32(4);
        w.bytes(&[4, 5, 6, 7]);
    });
    let c = CreateCharacterRequest::read(&v12, &rules(Region::Gms, 12)).unwrap();
    assert_eq!(
        (c.job_index, c.face, c.skin_color, c.stats, c.gender),
        (1, 20000, Some(2), Some([4, 5, 6, 7]), None)
    );
    assert!(CreateCharacterRequest::read(&v12[..v12.len() - 1], &rules(Region::Gms, 12)).is_err());

    let jms = bytes(|w| {
        w.str("Hero")
            .u32(0)
            .u16(0)
            .u32(20000)
            .u32(30000)
            .u32(1)
            .u32(2)
            .u32(3)
            .u32(4);
    });
    let c = CreateCharacterRequest::read(&jms, &rules(Region::Jms, 185)).unwrap();
    assert_eq!(
        (c.hair_color, c.skin_color, c.top, c.weapon, c.gender),
        (None, None, 1, 4, None)
    );
}

#[test]
fn delete_character_per_version() {
    let v12 =
        DeleteCharacterRequest::read(&hex("01 02 03 04 07 00 00 00"), &rules(Region::Gms, 12))
            .unwrap();
    assert_eq!(
        (v12.birth_date, v12.character_id, v12.pic),
        (Some(0x0403_0201), 7, None)
    );
    let jms = DeleteCharacterRequest::read(&hex("07 00 00 00"), &rules(Region::Jms, 185)).unwrap();
    assert_eq!((jms.character_id, jms.pic, jms.birth_date), (7, None, None));
}

#[test]
fn selects_without_macs_for_gms12_and_jms() {
    for r in [rules(Region::Gms, 12), rules(Region::Jms, 185)] {
        let s = CharacterSelectRequest::read(&hex("07 00 00 00"), &r).unwrap();
        assert_eq!((s.character_id, s.macs), (7, None));
    }
}

#[test]
fn jms_pic_packets_have_no_mac_hdd() {
    let body = bytes(|w| {
        w.str("1234").u32(7).str("a");
    });
    let req = CharacterSelectWithPicRequest::read(&body, &rules(Region::Jms, 185)).unwrap();
    assert_eq!((req.character_id, req.macs.mac_hdd), (7, None));
    assert!(CharacterSelectWithPicRequest::read(&body, &Rules::gms83()).is_err());
}
