//! Login-stage requests (§5.1): login, licence, gender, PIN, client start/error.

use super::secret::{MachineId, Secret};
use crate::gateway::maple::packet::{lossy, ReadError, Reader};
use crate::gateway::maple::rules::Rules;

/// 0x01 Login: `str name | str password | u8[16] machineId | u32 gameRoomClient |
/// u8 gameStartMode | u8 unknown1 [| u8 unknown2 | u32 partnerCode]` (tail: GMS ≥ 61; absent
/// for GMS 12 and JMS, §14.5, §14.7). A stock v95 client sends password and Nexon passport in
/// the two string slots (§14.6); the wire shape is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRequest {
    /// Account name bytes.
    pub name: Vec<u8>,
    /// Password.
    pub password: Secret,
    /// Machine id.
    pub machine_id: MachineId,
    /// `gameRoomClient`.
    pub game_room_client: u32,
    /// `gameStartMode`.
    pub game_start_mode: u8,
    /// First trailing byte.
    pub unknown1: u8,
    /// Second trailing byte (GMS ≥ 61).
    pub unknown2: Option<u8>,
    /// Partner code (GMS ≥ 61).
    pub partner_code: Option<u32>,
}

impl LoginRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let name = r.str_vec()?;
        let password = Secret::new(r.str_vec()?);
        let machine_id = MachineId::new(r.array()?);
        let (game_room_client, game_start_mode, unknown1) = (r.u32()?, r.u8()?, r.u8()?);
        let (unknown2, partner_code) = if rules.login_partner_code {
            (Some(r.u8()?), Some(r.u32()?))
        } else {
            (None, None)
        };
        Ok(Self {
            name,
            password,
            machine_id,
            game_room_client,
            game_start_mode,
            unknown1,
            unknown2,
            partner_code,
        })
    }

    /// The account name as lossy UTF-8.
    pub fn name_lossy(&self) -> String {
        lossy(&self.name)
    }
}

/// 0x07 AcceptTos: `u8 accepted` (0 = declined).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptTosRequest {
    /// The raw answer byte.
    pub accepted: u8,
}

impl AcceptTosRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        Ok(Self {
            accepted: Reader::new(body).u8()?,
        })
    }
}

/// 0x08 SetGender: `u8 confirmed | u8 gender`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetGenderRequest {
    /// Non-zero = confirmed.
    pub confirmed: u8,
    /// Chosen gender.
    pub gender: u8,
}

impl SetGenderRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        Ok(Self {
            confirmed: r.u8()?,
            gender: r.u8()?,
        })
    }
}

/// 0x09 AfterLogin: `u8 opt1 [| u8 opt2 [| u32 accountId (GMS < 83) ] | str pin]`.
///
/// `opt2` is required when `opt1 ≠ 0`. The PIN part is optional: a (1, 1) "show the PIN
/// dialog" request carries none (`[C]` reads it only when bytes remain); once present it must be
/// complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterLoginRequest {
    /// First option byte.
    pub opt1: u8,
    /// Second option byte (when `opt1 ≠ 0`).
    pub opt2: Option<u8>,
    /// Account id (GMS < 83, when a PIN follows).
    pub account_id: Option<u32>,
    /// PIN (when sent).
    pub pin: Option<Secret>,
}

impl AfterLoginRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let opt1 = r.u8()?;
        let mut out = Self {
            opt1,
            opt2: None,
            account_id: None,
            pin: None,
        };
        if opt1 == 0 {
            return Ok(out);
        }
        out.opt2 = Some(r.u8()?);
        if r.remaining() == 0 {
            return Ok(out);
        }
        if rules.after_login_account_id {
            out.account_id = Some(r.u32()?);
        }
        out.pin = Some(Secret::new(r.str_vec()?));
        Ok(out)
    }
}

/// 0x0A RegisterPin: `u8 opt [| str pin when opt == 1]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterPinRequest {
    /// 0 = cancel, 1 = register.
    pub opt: u8,
    /// New PIN (when `opt == 1`).
    pub pin: Option<Secret>,
}

impl RegisterPinRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let opt = r.u8()?;
        let pin = if opt == 1 {
            Some(Secret::new(r.str_vec()?))
        } else {
            None
        };
        Ok(Self { opt, pin })
    }
}

/// StartError (`[H]` 0x19 in v83): `str message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartErrorRequest {
    /// The client's error text.
    pub message: Vec<u8>,
}

impl StartErrorRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        Ok(Self {
            message: Reader::new(body).str_vec()?,
        })
    }

    /// The message as lossy UTF-8.
    pub fn message_lossy(&self) -> String {
        lossy(&self.message)
    }
}
