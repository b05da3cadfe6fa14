//! Golden bodies of the writers whose layout differs by version (§8, §14.4–§14.7).

use std::net::Ipv4Addr;

use super::character_tests::{v83_list_entry, RANK, V83_LOOK, V83_STAT};
use super::*;
use crate::gateway::maple::model::{CharacterView, PicFlag, WorldView};
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::{account, body, character, hex, world};
use crate::gateway::maple::version::{Region, Version};

fn rules(region: Region, major: u16) -> Rules {
    Rules::for_version(Version::new(region, major, 1)).unwrap()
}

const V83_AUTH_HEAD: &str = "00 00 00 00 00 00 01 00 00 00 00 00";
const AUTH_TAIL: &str = "05 00 61 64 6D 69 6E \
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 01 00";
const KEY: &str = "01 02 03 04 05 06 07 08";

#[test]
fn auth_success_v87_and_v92_add_the_client_key() {
    let mut a = account();
    a.client_key = [1, 2, 3, 4, 5, 6, 7, 8];
    for major in [87, 92] {
        let r = rules(Region::Gms, major);
        let expected = [hex(V83_AUTH_HEAD), hex("00 00"), hex(AUTH_TAIL), hex(KEY)].concat();
        assert_eq!(body(&r, |w| auth_success(w, &r, &a)), expected, "v{major}");
    }
}

#[test]
fn auth_success_v95_widens_the_admin_field() {
    let r = rules(Region::Gms, 95);
    let mut a = account();
    a.client_key = [1, 2, 3, 4, 5, 6, 7, 8];
    let expected = [
        hex(V83_AUTH_HEAD),
        hex("00 00 00"),
        hex(AUTH_TAIL),
        hex(KEY),
    ]
    .concat();
    let out = body(&r, |w| auth_success(w, &r, &a));
    assert_eq!(out, expected);
    assert_eq!(out.len(), 49 + 5);
}

#[test]
fn auth_success_gms12_is_name_then_24_zero_bytes() {
    let r = rules(Region::Gms, 12);
    let expected = [
        hex("00 00 00 00 00 00 01 00 00 00 00 00 00 05 00 61 64 6D 69 6E"),
        vec![0; 24],
    ]
    .concat();
    assert_eq!(body(&r, |w| auth_success(w, &r, &account())), expected);
}

#[test]
fn auth_success_jms_has_three_strings_and_no_reserved_int() {
    let r = rules(Region::Jms, 185);
    let name = "05 00 61 64 6D 69 6E";
    let expected = [
        hex("00 00 01 00 00 00 00 00 00"),
        hex(name),
        hex(name),
        vec![0; 14],
        hex(name),
    ]
    .concat();
    let out = body(&r, |w| auth_success(w, &r, &account()));
    assert_eq!(out, expected);
    assert_eq!(out.len(), 29 + 15);
}

#[test]
fn jms_login_results_have_no_reserved_int() {
    let r = rules(Region::Jms, 185);
    assert_eq!(body(&r, |w| auth_login_failed(w, &r, 4)), hex("04 00"));
    let out = body(&r, |w| auth_permanent_ban(w, &r, 2, 3));
    assert_eq!(out, hex("02 00 03 00 80 05 BB 46 E6 17 02"));
}

#[test]
fn server_list_entry_gms12_and_jms() {
    let wv = WorldView { id: 3, ..world() };
    let channels = "02 \
        0A 00 53 63 61 6E 69 61 20 2D 20 31 05 00 00 00 03 FF 00 \
        0A 00 53 63 61 6E 69 61 20 2D 20 32 02 01 00 00 03 00 00";
    let head = "03 06 00 53 63 61 6E 69 61";
    let r12 = rules(Region::Gms, 12);
    assert_eq!(
        body(&r12, |w| server_list_entry(w, &r12, &wv)),
        [hex(head), hex(channels)].concat()
    );
    let jms = rules(Region::Jms, 185);
    let expected = [
        hex(head),
        hex("02 02 00 65 76 64 00 64 00"),
        hex(channels),
        hex("00 00"),
    ]
    .concat();
    assert_eq!(body(&jms, |w| server_list_entry(w, &jms, &wv)), expected);
}

#[test]
fn character_list_v87_equals_v83_except_the_sub_job() {
    let r = rules(Region::Gms, 87);
    let out = body(&r, |w| character_list(w, &r, &account(), &[character()]));
    let stat = [hex(V83_STAT), hex("00 00")].concat();
    let expected = [
        hex("00 01"),
        stat,
        hex(V83_LOOK),
        hex("00"),
        hex(RANK),
        hex("00 03 00 00 00"),
    ]
    .concat();
    assert_eq!(out, expected);
}

#[test]
fn character_list_v92_adds_the_buy_count_and_keeps_u16_hp() {
    let r = rules(Region::Gms, 92);
    let out = body(&r, |w| character_list(w, &r, &account(), &[]));
    assert_eq!(out, hex("00 00 00 03 00 00 00 00 00 00 00"));
    let stat = body(&r, |w| character_stat(w, &r, &character()));
    assert_eq!(stat.len(), hex(V83_STAT).len() + 2);
}

#[test]
fn v95_stat_has_u32_hp_mp_and_the_sub_job() {
    let r = rules(Region::Gms, 95);
    let c = CharacterView {
        sub_job: 1,
        ..character()
    };
    let v83 = hex(V83_STAT);
    let hp = hex("32 00 00 00 3C 00 00 00 05 00 00 00 06 00 00 00");
    let expected = [&v83[..62], &hp[..], &v83[70..], &hex("01 00")[..]].concat();
    assert_eq!(body(&r, |w| character_stat(w, &r, &c)), expected);
}

#[test]
fn extended_sp_for_evan_from_v87_and_resistance_from_v95() {
    let evan = CharacterView {
        job: 2200,
        sp: vec![1, 0, 3],
        ..character()
    };
    let r87 = rules(Region::Gms, 87);
    let out = body(&r87, |w| character_stat(w, &r87, &evan));
    assert_eq!(&out[72..77], &hex("02 01 01 03 03")[..]);
    let resistance = CharacterView {
        job: 3200,
        ..character()
    };
    let plain = body(&r87, |w| character_stat(w, &r87, &resistance));
    assert_eq!(&plain[72..74], &hex("02 00")[..]);
    let r95 = rules(Region::Gms, 95);
    let out = body(&r95, |w| character_stat(w, &r95, &resistance));
    assert_eq!(&out[80..83], &hex("01 01 02")[..]);
    let empty = CharacterView {
        job: 2001,
        sp: vec![],
        ..character()
    };
    assert_eq!(body(&r87, |w| character_stat(w, &r87, &empty))[72], 0);
}

#[test]
fn gms12_entry_and_list_follow_the_v12_code() {
    let r = rules(Region::Gms, 12);
    let stat = "04 03 02 01 48 65 72 6F 00 00 00 00 00 00 00 00 00 01 02 20 4E 00 00 30 75 00 00 \
        00 00 00 00 00 00 00 00 0A 64 00 04 00 05 00 06 00 07 00 32 00 3C 00 05 00 06 00 03 00 02 00 \
        0B 0A 00 00 FF FF 00 E1 F5 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
    let look =
        "05 82 DE 0F 00 0B F0 DD 13 00 00 05 86 DE 0F 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
    let tail = ["00 01 00 00 00", RANK].concat();
    let out = body(&r, |w| character_list(w, &r, &account(), &[character()]));
    assert_eq!(
        out,
        [hex("00 01"), hex(stat), hex(look), hex(&tail)].concat()
    );
    // A GM's entry: the v12 code's `u32 1` comes before the rank flag, a GM's `00` too.
    let gm = CharacterView {
        gm: true,
        ..character()
    };
    let out = body(&r, |w| character_list(w, &r, &account(), &[gm]));
    assert_eq!(
        out,
        [hex("00 01"), hex(stat), hex(look), hex("00 01 00 00 00 00")].concat()
    );
}

#[test]
fn jms_character_list_and_stat_tail() {
    let r = rules(Region::Jms, 185);
    let mut a = account();
    a.pic_flag = r.pic_flag(false);
    let out = body(&r, |w| character_list(w, &r, &a, &[character()]));
    // v83 stat without its `u32 0` tail, then `u16 subJob | u64 0 | 3 × u32 0` (§14.7).
    let v83 = hex(V83_STAT);
    let stat = [&v83[..v83.len() - 4], &[0u8; 22][..]].concat();
    let entry = [stat, hex(V83_LOOK), hex("00"), hex(RANK)].concat();
    let expected = [
        hex("00 00 00 01"),
        entry,
        hex("02 00 03 00 00 00 00 00 00 00"),
    ]
    .concat();
    assert_eq!(out, expected);
}

#[test]
fn gms12_server_ip_has_no_premium_int() {
    let r = rules(Region::Gms, 12);
    let out = body(&r, |w| {
        server_ip_ok(w, &r, 0, 0, Ipv4Addr::new(10, 0, 0, 5), 7575, 7)
    });
    assert_eq!(out, hex("00 00 0A 00 00 05 97 1D 07 00 00 00 00"));
}

#[test]
fn view_all_login_option_is_written_for_every_gms_from_83_and_not_for_jms() {
    for (region, major, extra) in [
        (Region::Gms, 87, 1),
        (Region::Gms, 95, 1),
        (Region::Jms, 185, 0),
    ] {
        let r = rules(region, major);
        let out = body(&r, |w| view_all_world(w, &r, 0, 4, &[], PicFlag::Ask));
        assert_eq!(out.len(), 3 + extra, "{region:?} {major}");
    }
    let _ = v83_list_entry;
}
