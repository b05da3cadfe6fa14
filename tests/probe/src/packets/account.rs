//! Account dialogs: AcceptTos, SetGender, AfterLogin (PIN), RegisterPin and their answers (§5).

use crate::error::Result;
use crate::profile::Layout;
use crate::wire::{Reader, Writer};

/// SetAccountResult: `u8 gender | u8 success`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenderResult {
    /// Gender echoed.
    pub gender: u8,
    /// Whether the change was stored.
    pub success: bool,
}

/// The answer to a PIN step: PinOperation (0x06) or PinUpdate (0x07), each `u8 mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinReply {
    /// PinOperation mode: 0 OK, 1 register, 2 invalid, 3 connection failed, 4 enter PIN, 7 already logged in.
    Operation(u8),
    /// PinUpdate mode: 0 OK, 1 error.
    Update(u8),
}

/// `u8 opt1 | [u8 opt2 | [u32 accountId (GMS < 83)] | str pin]`.
pub(crate) fn encode_after_login(
    layout: &Layout,
    opt1: u8,
    opt2: u8,
    pin: Option<&str>,
    account_id: u32,
) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.u8(opt1);
    if opt1 != 0 {
        w.u8(opt2);
        if let Some(pin) = pin {
            if layout.after_login_account_id {
                w.u32(account_id);
            }
            w.string(pin)?;
        }
    }
    Ok(w.into_inner())
}

/// `u8 opt | [str pin]`: opt 1 with a PIN, 0 to cancel.
pub(crate) fn encode_register_pin(pin: Option<&str>) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    match pin {
        Some(pin) => {
            w.u8(1).string(pin)?;
        }
        None => {
            w.u8(0);
        }
    }
    Ok(w.into_inner())
}

/// Parses a one-byte mode body (PinOperation, PinUpdate).
pub(crate) fn parse_mode(packet: &'static str, body: &[u8]) -> Result<u8> {
    let mut r = Reader::new(packet, body);
    let mode = r.u8("mode")?;
    r.finish()?;
    Ok(mode)
}

/// Parses SetAccountResult.
pub(crate) fn parse_gender_result(body: &[u8]) -> Result<GenderResult> {
    let mut r = Reader::new("SetAccountResult", body);
    let out = GenderResult {
        gender: r.u8("gender")?,
        success: r.bool("success")?,
    };
    r.finish()?;
    Ok(out)
}
