//! Character-select requests (§5.1): plain, PIC register/verify, and their view-all forms.

use super::secret::Secret;
use crate::gateway::maple::packet::{ReadError, Reader};
use crate::gateway::maple::rules::Rules;

/// The client's MAC strings (`str mac [| str macHdd]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Macs {
    /// MAC list.
    pub mac: Secret,
    /// MAC + HDD serial (GMS).
    pub mac_hdd: Option<Secret>,
}

impl Macs {
    fn read(r: &mut Reader<'_>, rules: &Rules) -> Result<Self, ReadError> {
        let mac = Secret::new(r.str_vec()?);
        let mac_hdd = if rules.mac_hdd {
            Some(Secret::new(r.str_vec()?))
        } else {
            None
        };
        Ok(Self { mac, mac_hdd })
    }

    /// View-all packets always carry both strings.
    fn read_both(r: &mut Reader<'_>) -> Result<Self, ReadError> {
        let mac = Secret::new(r.str_vec()?);
        Ok(Self {
            mac,
            mac_hdd: Some(Secret::new(r.str_vec()?)),
        })
    }
}

/// 0x13 CharacterSelect: `u32 charId [| str mac | str macHdd]` (strings GMS > 12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacterSelectRequest {
    /// Character id.
    pub character_id: u32,
    /// MACs when the version sends them.
    pub macs: Option<Macs>,
}

impl CharacterSelectRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let character_id = r.u32()?;
        let macs = if rules.select_macs {
            Some(Macs::read_both(&mut r)?)
        } else {
            None
        };
        Ok(Self { character_id, macs })
    }
}

/// 0x1D RegisterPic: `u8 opt | u32 charId | str mac | [str macHdd (GMS)] | str pic`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterPicRequest {
    /// Option byte.
    pub opt: u8,
    /// Character id.
    pub character_id: u32,
    /// MACs.
    pub macs: Macs,
    /// The new PIC.
    pub pic: Secret,
}

impl RegisterPicRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (opt, character_id) = (r.u8()?, r.u32()?);
        let macs = Macs::read(&mut r, rules)?;
        Ok(Self {
            opt,
            character_id,
            macs,
            pic: Secret::new(r.str_vec()?),
        })
    }
}

/// 0x1E CharacterSelectWithPic: `str pic | u32 charId | str mac | [str macHdd (GMS)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacterSelectWithPicRequest {
    /// The PIC.
    pub pic: Secret,
    /// Character id.
    pub character_id: u32,
    /// MACs.
    pub macs: Macs,
}

impl CharacterSelectWithPicRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (pic, character_id) = (Secret::new(r.str_vec()?), r.u32()?);
        Ok(Self {
            pic,
            character_id,
            macs: Macs::read(&mut r, rules)?,
        })
    }
}

/// 0x0E ViewAllSelected: `u32 charId | u32 worldId | str mac | str macHdd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllSelectedRequest {
    /// Character id.
    pub character_id: u32,
    /// World id.
    pub world_id: u32,
    /// MACs.
    pub macs: Macs,
}

impl ViewAllSelectedRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (character_id, world_id) = (r.u32()?, r.u32()?);
        Ok(Self {
            character_id,
            world_id,
            macs: Macs::read_both(&mut r)?,
        })
    }
}

/// 0x1F ViewAllRegisterPic: `u8 opt | u32 charId | u32 worldId | str mac | str macHdd | str pic`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllRegisterPicRequest {
    /// Option byte.
    pub opt: u8,
    /// Character id.
    pub character_id: u32,
    /// World id.
    pub world_id: u32,
    /// MACs.
    pub macs: Macs,
    /// The new PIC.
    pub pic: Secret,
}

impl ViewAllRegisterPicRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (opt, character_id, world_id) = (r.u8()?, r.u32()?, r.u32()?);
        let macs = Macs::read_both(&mut r)?;
        Ok(Self {
            opt,
            character_id,
            world_id,
            macs,
            pic: Secret::new(r.str_vec()?),
        })
    }
}

/// 0x20 ViewAllWithPic: `str pic | u32 charId | u32 worldId | str mac | str macHdd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllWithPicRequest {
    /// The PIC.
    pub pic: Secret,
    /// Character id.
    pub character_id: u32,
    /// World id.
    pub world_id: u32,
    /// MACs.
    pub macs: Macs,
}

impl ViewAllWithPicRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (pic, character_id, world_id) = (Secret::new(r.str_vec()?), r.u32()?, r.u32()?);
        Ok(Self {
            pic,
            character_id,
            world_id,
            macs: Macs::read_both(&mut r)?,
        })
    }
}
