//! Golden bodies of the login-stage writers, v83 (§5.2, §14.1, §14.4), written out by hand
//! from the layout tables.

use super::*;
use crate::gateway::maple::model::PicFlag;
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::{account, body, hex};

/// §5.2 AuthSuccess / §14.4 v83 column: 40 + n bytes for n = 5.
const V83_AUTH_SUCCESS: &str = "00 00 00 00 00 00 \
    01 00 00 00 00 00 00 00 \
    05 00 61 64 6D 69 6E \
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
    01 00 00 00 01 00";

#[test]
fn v83_auth_success() {
    let r = Rules::gms83();
    let out = body(&r, |w| auth_success(w, &r, &account()));
    assert_eq!(out, hex(V83_AUTH_SUCCESS));
    assert_eq!(out.len(), 45);
}

#[test]
fn v83_auth_success_flags_follow_the_account() {
    let r = Rules::gms83();
    let mut a = account();
    (a.uses_pin, a.pic_flag, a.gender, a.gm) = (true, PicFlag::Ask, 10, true);
    let out = body(&r, |w| auth_success(w, &r, &a));
    assert_eq!(&out[10..12], &[10, 1]);
    assert_eq!(&out[out.len() - 2..], &[0, 1]);
}

#[test]
fn v83_auth_login_failed() {
    let r = Rules::gms83();
    assert_eq!(
        body(&r, |w| auth_login_failed(w, &r, 4)),
        hex("04 00 00 00 00 00")
    );
}

#[test]
fn v83_auth_temporary_ban() {
    let r = Rules::gms83();
    let out = body(&r, |w| {
        auth_temporary_ban(w, &r, 2, 5, 0x0102_0304_0506_0708)
    });
    assert_eq!(out, hex("02 00 00 00 00 00 05 08 07 06 05 04 03 02 01"));
}

#[test]
fn v83_auth_permanent_ban_is_shape_a_with_a_non_zero_reason() {
    let r = Rules::gms83();
    let out = body(&r, |w| auth_permanent_ban(w, &r, 2, 0));
    assert_eq!(out, hex("02 00 00 00 00 00 01 00 80 05 BB 46 E6 17 02"));
    let out = body(&r, |w| auth_permanent_ban(w, &r, 2, 7));
    assert_eq!(out[6], 7);
}

#[test]
fn v83_account_step_writers() {
    let r = Rules::gms83();
    assert_eq!(body(&r, |w| set_account_result(w, 1, true)), hex("01 01"));
    assert_eq!(body(&r, |w| pin_operation(w, 4)), hex("04"));
    assert_eq!(body(&r, |w| pin_update(w, 0)), hex("00"));
    assert_eq!(body(&r, pic_result), hex("00"));
    assert!(body(&r, ping).is_empty());
}

#[test]
fn jms_login_auth() {
    let r = Rules::gms83();
    let out = body(&r, |w| login_auth(w, LOGIN_AUTH_NAMES[0]));
    assert_eq!(out, hex("08 00 4D 61 70 4C 6F 67 69 6E"));
}
