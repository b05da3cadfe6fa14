//! Login request 0x01 (§5.1, §14.5–14.7) and the login-status answers (§5.2, §14.1, §14.4).

use crate::error::Result;
use crate::packets::codes::{self, PERMANENT_BAN_FILETIME};
use crate::profile::{AuthShape, Layout};
use crate::wire::{Reader, Writer};

/// `gameStartMode` the client sends (V3 sends 0).
pub(crate) const GAME_START_MODE: u8 = 0;

/// What the server answered to a login (or to AcceptTos).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// AuthSuccess.
    Success(AuthSuccess),
    /// AuthLoginFailed with its code (4 wrong password, 23 licence agreement, 99 unmapped …).
    Failed {
        /// The result code byte.
        code: u8,
    },
    /// Code 2 with an unblock date before 2079 (§14.1 shape A).
    TemporaryBan {
        /// Block reason byte.
        reason: u8,
        /// Unblock date, FILETIME.
        until: u64,
    },
    /// Code 2 with a far-future date (shape A), or code 3 "deleted or blocked" (shape B).
    PermanentBan {
        /// Block reason (shape A only).
        reason: Option<u8>,
        /// Unblock date (shape A only).
        until: Option<u64>,
    },
}

impl LoginOutcome {
    /// A short human-readable summary (no secrets).
    pub fn summary(&self) -> String {
        match self {
            LoginOutcome::Success(s) => format!("AuthSuccess account {}", s.account_id),
            LoginOutcome::Failed { code } => {
                format!(
                    "AuthLoginFailed {code} ({})",
                    codes::login_failure_name(*code)
                )
            }
            LoginOutcome::TemporaryBan { reason, until } => {
                format!("AuthTemporaryBan reason {reason} until FILETIME {until}")
            }
            LoginOutcome::PermanentBan { reason, .. } => match reason {
                Some(r) => format!("AuthPermanentBan reason {r}"),
                None => "AuthPermanentBan (deleted or blocked)".to_string(),
            },
        }
    }
}

/// AuthSuccess fields (§5.2 / §14.4 offsets; JMS §14.7; GMS 12 §14.5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthSuccess {
    /// regStat / post-auth flag (byte 1).
    pub reg_stat: u8,
    /// Account id.
    pub account_id: u32,
    /// Gender (10 = choose gender).
    pub gender: u8,
    /// nGradeCode (GM flag).
    pub grade: u8,
    /// Admin byte / nSubGradeCode (u16 in v95; JMS: the second grade byte).
    pub sub_grade: u16,
    /// Country id (GMS ≥ 83).
    pub country: Option<u8>,
    /// nexonClubID (Atlas writes the account name).
    pub account_name: String,
    /// purchaseExp.
    pub purchase_exp: u8,
    /// chatBlockReason.
    pub chat_block_reason: u8,
    /// Chat-unblock FILETIME.
    pub chat_unblock_date: u64,
    /// Register-date FILETIME (GMS ≥ 83).
    pub register_date: Option<u64>,
    /// nNumOfCharacter (GMS ≥ 83).
    pub character_count: Option<u32>,
    /// pinFlag (≠ 0: no PIN dialog) (GMS ≥ 83).
    pub pin_flag: Option<u8>,
    /// picFlag = m_bLoginOpt: 0 register PIC, 1 ask PIC, 2 no PIC (GMS ≥ 83).
    pub login_opt: Option<u8>,
    /// Client key `m_aClientKey` (GMS ≥ 84).
    pub client_key: Option<[u8; 8]>,
}

/// Builds the login request payload (after the opcode).
pub(crate) fn encode_request(
    layout: &Layout,
    name: &str,
    password: &str,
    hwid: &[u8; 16],
) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.string(name)?.string(password)?;
    w.bytes(hwid).u32(0).u8(GAME_START_MODE).u8(0);
    if layout.login_partner_code {
        w.u8(0).u32(0);
    }
    Ok(w.into_inner())
}

/// Parses a login-status packet (opcode 0x00; 0x01 for GMS ≤ 28) by its first byte.
pub(crate) fn parse_status(layout: &Layout, body: &[u8]) -> Result<LoginOutcome> {
    let mut r = Reader::new("LoginStatus", body);
    let code = r.u8("resultCode")?;
    let reg_stat = r.u8("regStat")?;
    if layout.result_reserved {
        r.u32("reserved")?;
    }
    let outcome = match code {
        0 => LoginOutcome::Success(parse_success(layout, reg_stat, &mut r)?),
        codes::login::BANNED => parse_ban(layout, &mut r)?,
        codes::login::DELETED_OR_BLOCKED => LoginOutcome::PermanentBan {
            reason: None,
            until: None,
        },
        code => LoginOutcome::Failed { code },
    };
    r.finish()?;
    Ok(outcome)
}

/// Code 2: `u8 reason | u64 FILETIME`. JMS's ban body is unverified (§14.9 #4): tail optional.
fn parse_ban(layout: &Layout, r: &mut Reader<'_>) -> Result<LoginOutcome> {
    if layout.auth == AuthShape::Jms && r.remaining() == 0 {
        return Ok(LoginOutcome::PermanentBan {
            reason: None,
            until: None,
        });
    }
    let reason = r.u8("blockReason")?;
    let until = r.u64("unblockDate")?;
    if until >= PERMANENT_BAN_FILETIME {
        return Ok(LoginOutcome::PermanentBan {
            reason: Some(reason),
            until: Some(until),
        });
    }
    Ok(LoginOutcome::TemporaryBan { reason, until })
}

fn parse_success(layout: &Layout, reg_stat: u8, r: &mut Reader<'_>) -> Result<AuthSuccess> {
    match layout.auth {
        AuthShape::Gms12 => parse_success_gms12(reg_stat, r),
        AuthShape::Gms {
            wide_sub_grade,
            client_key,
        } => parse_success_gms(reg_stat, wide_sub_grade, client_key, r),
        AuthShape::Jms => parse_success_jms(reg_stat, r),
    }
}

fn parse_success_gms(
    reg_stat: u8,
    wide_sub_grade: bool,
    client_key: bool,
    r: &mut Reader<'_>,
) -> Result<AuthSuccess> {
    let mut s = AuthSuccess {
        reg_stat,
        account_id: r.u32("accountId")?,
        gender: r.u8("gender")?,
        grade: r.u8("nGradeCode")?,
        ..AuthSuccess::default()
    };
    s.sub_grade = if wide_sub_grade {
        r.u16("nSubGradeCode")?
    } else {
        u16::from(r.u8("admin")?)
    };
    s.country = Some(r.u8("countryId")?);
    s.account_name = r.string("nexonClubID")?;
    s.purchase_exp = r.u8("purchaseExp")?;
    s.chat_block_reason = r.u8("chatBlockReason")?;
    s.chat_unblock_date = r.u64("chatUnblockDate")?;
    s.register_date = Some(r.u64("registerDate")?);
    s.character_count = Some(r.u32("nNumOfCharacter")?);
    s.pin_flag = Some(r.u8("pinFlag")?);
    s.login_opt = Some(r.u8("picFlag")?);
    if client_key {
        s.client_key = Some(r.array("clientKey")?);
    }
    Ok(s)
}

fn parse_success_gms12(reg_stat: u8, r: &mut Reader<'_>) -> Result<AuthSuccess> {
    let s = AuthSuccess {
        reg_stat,
        account_id: r.u32("accountId")?,
        gender: r.u8("gender")?,
        grade: r.u8("gmFlag")?,
        sub_grade: u16::from(r.u8("admin")?),
        account_name: r.string("accountName")?,
        ..AuthSuccess::default()
    };
    r.take(24, "u64 ×3 after the name")?;
    Ok(s)
}

/// JMS 185 (§14.7): no reserved u32; two ID strings, six bytes, a FILETIME, a trailing string.
fn parse_success_jms(reg_stat: u8, r: &mut Reader<'_>) -> Result<AuthSuccess> {
    let mut s = AuthSuccess {
        reg_stat,
        account_id: r.u32("accountId")?,
        gender: r.u8("gender")?,
        grade: r.u8("nGradeCode")?,
        sub_grade: u16::from(r.u8("secondGrade")?),
        account_name: r.string("nexonClubID1")?,
        ..AuthSuccess::default()
    };
    r.string("nexonClubID2")?;
    s.purchase_exp = r.u8("purchaseExp")?;
    s.chat_block_reason = r.u8("chatBlockReason")?;
    r.take(4, "flags")?;
    s.chat_unblock_date = r.u64("chatUnblockDate")?;
    r.string("trailingString")?;
    Ok(s)
}
