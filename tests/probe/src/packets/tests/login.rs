//! Login request and login-status packets (§3.8 V3, §5.2, §14.1, §14.4, §14.5, §14.7).

use super::{assert_malformed, cat, h, layout, s};
use crate::packets::codec::{encode_login, parse_login_status};
use crate::packets::{AuthSuccess, LoginOutcome};

const HWID: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
];

#[test]
fn v83_request_is_the_v3_plaintext_after_the_opcode() {
    // §3.8 V3 plaintext (43 bytes) minus the 2-byte opcode 01 00
    let want = h("05 00 61 64 6D 69 6E 05 00 61 64 6D 69 6E
                  00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF
                  00 00 00 00 00 00 00 00 00 00 00");
    let got = encode_login(&layout("GMS", 83), "admin", "admin", &HWID).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.len() + 2, 43);
}

#[test]
fn v95_request_has_the_v83_shape() {
    // §14.6 v95 login request (patched client): id, password, machineId, u32, u8, u8, u8, u32
    let v83 = encode_login(&layout("GMS", 83), "a", "b", &HWID).unwrap();
    assert_eq!(
        encode_login(&layout("GMS", 95), "a", "b", &HWID).unwrap(),
        v83
    );
}

#[test]
fn jms_and_gms12_requests_end_after_the_unknown_byte() {
    // §14.7 JMS and §14.5 ≤ v28: no `u8 0 | u32 partnerCode`
    let want = cat(&[&s("a"), &s("b"), &HWID, &h("00 00 00 00 .. 00 .. 00")]);
    assert_eq!(
        encode_login(&layout("JMS", 185), "a", "b", &HWID).unwrap(),
        want
    );
    assert_eq!(
        encode_login(&layout("GMS", 12), "a", "b", &HWID).unwrap(),
        want
    );
}

/// §5.2 / §14.4 AuthSuccess v83 for account 7 "admin": offsets 0..40+n.
fn v83_success() -> Vec<u8> {
    cat(&[
        &h("00 00 .. 00 00 00 00"),    // result 0, regStat 0, reserved u32
        &h("07 00 00 00 .. 00 01 00"), // accountId 7, gender 0, grade 1, admin 0
        &h("00"),                      // country
        &s("admin"),                   // nexonClubID
        &h("00 00"),                   // purchaseExp, chatBlockReason
        &h("00 00 00 00 00 00 00 00"), // chatUnblockDate
        &h("11 22 33 44 55 66 77 08"), // registerDate
        &h("02 00 00 00"),             // nNumOfCharacter 2
        &h("01 .. 00"),                // pinFlag 1 (no PIN), picFlag 0 (register PIC)
    ])
}

#[test]
fn v83_auth_success_parses_every_field() {
    let out = parse_login_status(&layout("GMS", 83), &v83_success()).unwrap();
    let want = AuthSuccess {
        account_id: 7,
        grade: 1,
        country: Some(0),
        account_name: "admin".into(),
        register_date: Some(0x0877_6655_4433_2211),
        character_count: Some(2),
        pin_flag: Some(1),
        login_opt: Some(0),
        ..AuthSuccess::default()
    };
    assert_eq!(out, LoginOutcome::Success(want));
}

#[test]
fn v83_auth_success_with_a_v87_client_key_has_trailing_bytes() {
    let body = cat(&[&v83_success(), &[0; 8]]);
    assert_malformed(
        parse_login_status(&layout("GMS", 83), &body),
        "LoginStatus",
        40 + 5,
    );
}

#[test]
fn v87_auth_success_ends_with_the_client_key() {
    // §14.4: v84/87/92 = v83 + 8-byte client key
    let body = cat(&[&v83_success(), &h("01 02 03 04 05 06 07 08")]);
    let LoginOutcome::Success(out) = parse_login_status(&layout("GMS", 87), &body).unwrap() else {
        panic!("not a success");
    };
    assert_eq!(out.client_key, Some([1, 2, 3, 4, 5, 6, 7, 8]));
    assert_malformed(
        parse_login_status(&layout("GMS", 92), &v83_success()),
        "LoginStatus",
        45,
    );
}

#[test]
fn v95_auth_success_widens_the_sub_grade() {
    // §14.4 v95 column: offset 12 is u16, everything after shifts by one
    let body = cat(&[
        &h("00 00 00 00 00 00 .. 07 00 00 00 .. 01 .. 00 .. 03 01 .. 00"),
        &s("admin"),
        &h("00 00 .. 00 00 00 00 00 00 00 00 .. 00 00 00 00 00 00 00 00"),
        &h("00 00 00 00 .. 01 .. 02 .. 00 00 00 00 00 00 00 00"),
    ]);
    let LoginOutcome::Success(out) = parse_login_status(&layout("GMS", 95), &body).unwrap() else {
        panic!("not a success");
    };
    assert_eq!(
        (out.gender, out.sub_grade, out.login_opt),
        (1, 0x0103, Some(2))
    );
    assert_eq!(out.client_key, Some([0; 8]));
}

#[test]
fn gms12_auth_success_has_24_bytes_after_the_name() {
    // §14.5 v12: `u8 0, u8 0, u32 0 | u32 accountId, u8 gender, u8 gm, u8 admin | str name | u64 ×3`
    let body = cat(&[
        &h("00 00 00 00 00 00 .. 05 00 00 00 .. 01 00 00"),
        &s("bob"),
        &[0; 24],
    ]);
    let LoginOutcome::Success(out) = parse_login_status(&layout("GMS", 12), &body).unwrap() else {
        panic!("not a success");
    };
    assert_eq!((out.account_id, out.gender, out.country), (5, 1, None));
    assert_malformed(
        parse_login_status(&layout("GMS", 12), &body[..body.len() - 1]),
        "LoginStatus",
        18,
    );
}

#[test]
fn jms_auth_success_has_three_strings_and_no_reserved_word() {
    // §14.7 table
    let body = cat(&[
        &h("00 00 .. 09 00 00 00 .. 00 00 00"),
        &s("taro"),
        &s("taro"),
        &h("00 00 00 00 00 00 .. 00 00 00 00 00 00 00 00"),
        &s("taro"),
    ]);
    let LoginOutcome::Success(out) = parse_login_status(&layout("JMS", 185), &body).unwrap() else {
        panic!("not a success");
    };
    assert_eq!((out.account_id, out.account_name.as_str()), (9, "taro"));
}

#[test]
fn failures_parse_by_the_first_byte() {
    // §3.8 V2 body after the opcode: code 4, 0, u32 0
    let gms = layout("GMS", 83);
    assert_eq!(
        parse_login_status(&gms, &h("04 00 00 00 00 00")).unwrap(),
        LoginOutcome::Failed { code: 4 }
    );
    // §8: JMS has no u32 after the code (V5 body)
    assert_eq!(
        parse_login_status(&layout("JMS", 185), &h("04 00")).unwrap(),
        LoginOutcome::Failed { code: 4 }
    );
    assert_malformed(parse_login_status(&gms, &h("04 00 00")), "LoginStatus", 2);
}

#[test]
fn bans_follow_the_two_client_shapes_of_14_1() {
    let gms = layout("GMS", 83);
    // shape A, temporary: code 2 | 0 | u32 0 | reason 5 | FILETIME
    let temp = h("02 00 00 00 00 00 .. 05 .. 00 40 F2 B5 5C 39 DB 01");
    assert_eq!(
        parse_login_status(&gms, &temp).unwrap(),
        LoginOutcome::TemporaryBan {
            reason: 5,
            until: 0x01DB_395C_B5F2_4000
        }
    );
    // shape A, permanent: [C]'s 2079-01-01 FILETIME
    let perm = h("02 00 00 00 00 00 .. 01 .. 00 80 05 BB 46 E6 17 02");
    assert_eq!(
        parse_login_status(&gms, &perm).unwrap(),
        LoginOutcome::PermanentBan {
            reason: Some(1),
            until: Some(150_842_304_000_000_000)
        }
    );
    // shape B: code 3, six bytes
    assert_eq!(
        parse_login_status(&gms, &h("03 00 00 00 00 00")).unwrap(),
        LoginOutcome::PermanentBan {
            reason: None,
            until: None
        }
    );
    // [H]'s 6-byte code-2 ban is 9 bytes short of what the client reads
    assert_malformed(
        parse_login_status(&gms, &h("02 00 00 00 00 00")),
        "LoginStatus",
        6,
    );
}
