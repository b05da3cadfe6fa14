//! Select requests and ServerIP (§5.1, §5.2, §14.3).

use std::net::Ipv4Addr;

use super::{assert_malformed, cat, h, layout, s};
use crate::packets::codec::{
    encode_register_pic, encode_select, encode_select_with_pic, encode_view_all_register_pic,
    encode_view_all_select, encode_view_all_with_pic, parse_server_ip,
};
use crate::packets::{ServerIp, PLACEHOLDER_HDD, PLACEHOLDER_MAC};

#[test]
fn v83_server_ip_success_has_address_port_id_and_premium() {
    // §14.3 success: `u8 0 | u8 0 | u8[4] IPv4 | u16 port | u32 characterId | u8 | u32`
    let body = h("00 00 .. 7F 00 00 01 .. 89 21 .. 2A 00 00 00 .. 00 .. 00 00 00 00");
    assert_eq!(
        parse_server_ip(&layout("GMS", 83), &body).unwrap(),
        ServerIp::Channel {
            ip: Ipv4Addr::new(127, 0, 0, 1),
            port: 8585,
            character_id: 42,
            authen_code: 0,
            premium: Some(0),
        }
    );
    assert_malformed(
        parse_server_ip(&layout("GMS", 83), &body[..16]),
        "ServerIP",
        13,
    );
}

#[test]
fn server_ip_error_is_two_bytes() {
    // §14.3 error: `u8 code | u8 0`
    assert_eq!(
        parse_server_ip(&layout("GMS", 83), &h("04 00")).unwrap(),
        ServerIp::Refused { code: 4, mode: 0 }
    );
    assert_malformed(
        parse_server_ip(&layout("GMS", 83), &h("07 00 00")),
        "ServerIP",
        2,
    );
}

#[test]
fn gms12_server_ip_has_no_premium_word() {
    // §8 ServerIP OK for GMS 12: no `u32` premium
    let body = h("00 00 .. 0A 00 00 02 .. 89 21 .. 01 00 00 00 .. 00");
    let ServerIp::Channel { premium, ip, .. } = parse_server_ip(&layout("GMS", 12), &body).unwrap()
    else {
        panic!("refused");
    };
    assert_eq!((premium, ip), (None, Ipv4Addr::new(10, 0, 0, 2)));
}

#[test]
fn select_requests_carry_macs_only_for_gms_above_12() {
    // §5.1 0x13: `u32 charId; str mac; str macHdd` (strings only GMS > 12); JMS `u32 charId`
    let macs = cat(&[&s(PLACEHOLDER_MAC), &s(PLACEHOLDER_HDD)]);
    assert_eq!(
        encode_select(&layout("GMS", 83), 42).unwrap(),
        cat(&[&h("2A 00 00 00"), &macs])
    );
    assert_eq!(
        encode_select(&layout("GMS", 12), 42).unwrap(),
        h("2A 00 00 00")
    );
    assert_eq!(
        encode_select(&layout("JMS", 185), 42).unwrap(),
        h("2A 00 00 00")
    );
    // 0x1E: `str pic; u32 charId; str mac; str macHdd`
    assert_eq!(
        encode_select_with_pic(&layout("GMS", 83), "1234", 42).unwrap(),
        cat(&[&s("1234"), &h("2A 00 00 00"), &macs])
    );
    // 0x1D: `u8 opt; u32 charId; str mac; str macHdd; str pic`
    assert_eq!(
        encode_register_pic(&layout("GMS", 83), 42, "1234").unwrap(),
        cat(&[&h("01 .. 2A 00 00 00"), &macs, &s("1234")])
    );
}

#[test]
fn view_all_selects_carry_the_world_and_both_macs() {
    // §5.1 0x0E: `u32 charId; u32 worldId; str mac; str macHdd`
    let macs = cat(&[&s(PLACEHOLDER_MAC), &s(PLACEHOLDER_HDD)]);
    assert_eq!(
        encode_view_all_select(42, 1).unwrap(),
        cat(&[&h("2A 00 00 00 .. 01 00 00 00"), &macs])
    );
    // 0x1F: `u8 opt; u32 charId; u32 worldId; str mac; str macHdd; str pic`
    assert_eq!(
        encode_view_all_register_pic(42, 1, "1234").unwrap(),
        cat(&[&h("01 .. 2A 00 00 00 .. 01 00 00 00"), &macs, &s("1234")])
    );
    // 0x20: `str pic; u32 charId; u32 worldId; str mac; str macHdd`
    assert_eq!(
        encode_view_all_with_pic("1234", 42, 1).unwrap(),
        cat(&[&s("1234"), &h("2A 00 00 00 .. 01 00 00 00"), &macs])
    );
}
