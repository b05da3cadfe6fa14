//! Login-result and account-step writers (§5.2, §14.1, §14.4, §14.5, §14.7).

use crate::gateway::maple::model::AccountView;
use crate::gateway::maple::packet::{Writer, FILETIME_FAR_FUTURE};
use crate::gateway::maple::rules::{AuthSuccessShape, GmsAuthSuccess, Rules};

/// `nNumOfCharacter` of AuthSuccess: Atlas always sends 1.
const NUM_OF_CHARACTER: u32 = 1;

/// Ban reason sent when the peer gave none (0): a non-zero reason, as §14.1 advises; 1 is the
/// first block reason of the client's list **(inference)**.
pub const DEFAULT_BAN_REASON: u8 = 1;

/// The two strings LoginAuth picks from at random (JMS, §5.2).
pub const LOGIN_AUTH_NAMES: [&str; 2] = ["MapLogin", "MapLogin1"];

/// The reason byte of a ban packet: the peer's, or [`DEFAULT_BAN_REASON`] for 0.
pub fn ban_reason(peer_reason: u8) -> u8 {
    if peer_reason == 0 {
        DEFAULT_BAN_REASON
    } else {
        peer_reason
    }
}

/// `u8 code | u8 0 [| u32 0 (GMS)]`: the head of every login result.
fn result_head(w: &mut Writer<'_>, rules: &Rules, code: u8) {
    w.u8(code).u8(0);
    if rules.login_result_reserved {
        w.u32(0);
    }
}

/// AuthSuccess (0x00): account accepted; shape per version (GMS v83: `00 00 u32 0 | u32 id |
/// u8 gender | u8 gm | u8 0 | u8 0 country | str name | u8 0 | u8 0 | u64 0 | u64 0 | u32 1 |
/// u8 pinFlag | u8 picFlag`, + 8-byte key from v84, u16 admin from v93).
pub fn auth_success(w: &mut Writer<'_>, rules: &Rules, account: &AccountView) {
    match rules.auth_success {
        AuthSuccessShape::Legacy => {
            result_head(w, rules, 0);
            w.u32(account.id).u8(account.gender).bool(account.gm).u8(0);
            w.str(&account.name).zeros(24);
        }
        AuthSuccessShape::Gms(shape) => auth_success_gms(w, rules, shape, account),
        AuthSuccessShape::Jms => {
            w.u8(0)
                .u8(0)
                .u32(account.id)
                .u8(account.gender)
                .bool(account.gm)
                .u8(0);
            w.str(&account.name)
                .str(&account.name)
                .zeros(6)
                .u64(0)
                .str(&account.name);
        }
    }
}

fn auth_success_gms(
    w: &mut Writer<'_>,
    rules: &Rules,
    shape: GmsAuthSuccess,
    account: &AccountView,
) {
    result_head(w, rules, 0);
    w.u32(account.id).u8(account.gender).bool(account.gm);
    if shape.wide_admin {
        w.u16(0);
    } else {
        w.u8(0);
    }
    if shape.country {
        w.u8(0);
    }
    w.str(&account.name).u8(0).u8(0).u64(0).u64(0);
    if shape.num_of_character {
        w.u32(NUM_OF_CHARACTER);
    }
    if shape.pin_pic {
        w.bool(!account.uses_pin).u8(account.pic_flag.byte());
    }
    if shape.client_key {
        w.bytes(&account.client_key);
    }
}

/// AuthLoginFailed (0x00): `u8 code | u8 0 [| u32 0]`.
pub fn auth_login_failed(w: &mut Writer<'_>, rules: &Rules, code: u8) {
    result_head(w, rules, code);
}

/// AuthTemporaryBan (0x00): `u8 code | u8 0 [| u32 0] | u8 reason | u64 until (FILETIME)`;
/// a 0 reason becomes [`DEFAULT_BAN_REASON`].
pub fn auth_temporary_ban(w: &mut Writer<'_>, rules: &Rules, code: u8, reason: u8, until: u64) {
    result_head(w, rules, code);
    w.u8(ban_reason(reason)).filetime(until);
}

/// AuthPermanentBan (0x00), §14.1 shape A: the temporary-ban body with the far-future FILETIME
/// `00 80 05 BB 46 E6 17 02` (`[H]`'s 6-byte body is short for the client's code-2 branch).
/// `code` should be `failedReasonCodes.BANNED` (2). JMS keeps the same tail without the u32
/// (unverified, §14.9 #4).
pub fn auth_permanent_ban(w: &mut Writer<'_>, rules: &Rules, code: u8, reason: u8) {
    auth_temporary_ban(w, rules, code, reason, FILETIME_FAR_FUTURE);
}

/// LoginAuth (JMS 0x18): `str name` (one of [`LOGIN_AUTH_NAMES`]).
pub fn login_auth(w: &mut Writer<'_>, name: &str) {
    w.str(name);
}

/// SetAccountResult (0x04): `u8 gender | u8 success`.
pub fn set_account_result(w: &mut Writer<'_>, gender: u8, success: bool) {
    w.u8(gender).bool(success);
}

/// PinOperation (0x06): `u8 mode`.
pub fn pin_operation(w: &mut Writer<'_>, mode: u8) {
    w.u8(mode);
}

/// PinUpdate (0x07): `u8 mode`.
pub fn pin_update(w: &mut Writer<'_>, mode: u8) {
    w.u8(mode);
}

/// PicResult (0x1C): `u8 0` (registered, never sent by Atlas).
pub fn pic_result(w: &mut Writer<'_>) {
    w.u8(0);
}

/// Ping (0x11, `[H]`): empty body.
pub fn ping(_w: &mut Writer<'_>) {}
