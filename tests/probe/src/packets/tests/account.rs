//! PIN, gender and TOS packets (§5.1, §5.2).

use super::{assert_malformed, cat, h, layout, s};
use crate::packets::codec::{
    encode_after_login, encode_register_pin, parse_gender_result, parse_mode,
};
use crate::packets::GenderResult;

#[test]
fn after_login_sends_the_pin_only_when_given() {
    // §5.1 0x09: `u8 opt1; if opt1≠0: u8 opt2; str pin` ([H]: GMS < 83 `u32 accountId` first)
    let v83 = layout("GMS", 83);
    assert_eq!(encode_after_login(&v83, 1, 1, None, 7).unwrap(), h("01 01"));
    assert_eq!(encode_after_login(&v83, 0, 0, None, 7).unwrap(), h("00"));
    assert_eq!(
        encode_after_login(&v83, 1, 0, Some("1234"), 7).unwrap(),
        cat(&[&h("01 00"), &s("1234")])
    );
    assert_eq!(
        encode_after_login(&layout("GMS", 12), 1, 0, Some("1234"), 7).unwrap(),
        cat(&[&h("01 00 .. 07 00 00 00"), &s("1234")])
    );
}

#[test]
fn register_pin_is_opt_then_pin() {
    // §5.1 0x0A: `u8 opt; if opt==1: str pin`
    assert_eq!(
        encode_register_pin(Some("1234")).unwrap(),
        cat(&[&h("01"), &s("1234")])
    );
    assert_eq!(encode_register_pin(None).unwrap(), h("00"));
}

#[test]
fn one_byte_answers_parse() {
    // §5.2 PinOperation / PinUpdate `u8 mode`; SetAccountResult `u8 gender | u8 success`
    assert_eq!(parse_mode("PinOperation", &h("04")).unwrap(), 4);
    assert_malformed(parse_mode("PinUpdate", &h("")), "PinUpdate", 0);
    assert_malformed(parse_mode("PinUpdate", &h("00 00")), "PinUpdate", 1);
    assert_eq!(
        parse_gender_result(&h("01 01")).unwrap(),
        GenderResult {
            gender: 1,
            success: true
        }
    );
}
