//! Character-management requests (§5.1, §8): name check, creation, deletion.

use super::secret::Secret;
use crate::gateway::maple::packet::{lossy, ReadError, Reader};
use crate::gateway::maple::rules::{CreateShape, DeleteShape, Rules};

/// 0x15 CheckName: `str name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckNameRequest {
    /// Name bytes.
    pub name: Vec<u8>,
}

impl CheckNameRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        Ok(Self {
            name: Reader::new(body).str_vec()?,
        })
    }

    /// The name as lossy UTF-8.
    pub fn name_lossy(&self) -> String {
        lossy(&self.name)
    }
}

/// 0x16 CreateCharacter. Fields a version does not send are `None`, except `job_index`,
/// which GMS 12 implies as 1 (§8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateCharacterRequest {
    /// Name bytes.
    pub name: Vec<u8>,
    /// Job index (1 implied for GMS 12).
    pub job_index: u32,
    /// Sub-job (GMS ≥ 87, JMS).
    pub sub_job: Option<u16>,
    /// Face id.
    pub face: u32,
    /// Hair id.
    pub hair: u32,
    /// Hair colour (not JMS).
    pub hair_color: Option<u32>,
    /// Skin colour (not JMS).
    pub skin_color: Option<u32>,
    /// Top item id.
    pub top: u32,
    /// Bottom item id.
    pub bottom: u32,
    /// Shoes item id.
    pub shoes: u32,
    /// Weapon item id.
    pub weapon: u32,
    /// Gender (GMS ≥ 83; GMS 12 implies 0, JMS sends none).
    pub gender: Option<u8>,
    /// Rolled STR/DEX/INT/LUK (GMS 12 only).
    pub stats: Option<[u8; 4]>,
}

impl CreateCharacterRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let mut c = Self {
            name: r.str_vec()?,
            job_index: 1,
            ..Self::default()
        };
        if rules.create != CreateShape::Legacy {
            c.job_index = r.u32()?;
        }
        if matches!(rules.create, CreateShape::SubJob | CreateShape::Jms) {
            c.sub_job = Some(r.u16()?);
        }
        (c.face, c.hair) = (r.u32()?, r.u32()?);
        if rules.create != CreateShape::Jms {
            (c.hair_color, c.skin_color) = (Some(r.u32()?), Some(r.u32()?));
        }
        (c.top, c.bottom, c.shoes, c.weapon) = (r.u32()?, r.u32()?, r.u32()?, r.u32()?);
        match rules.create {
            CreateShape::Legacy => c.stats = Some(r.array()?),
            CreateShape::Classic | CreateShape::SubJob => c.gender = Some(r.u8()?),
            CreateShape::Jms => {}
        }
        Ok(c)
    }

    /// The name as lossy UTF-8.
    pub fn name_lossy(&self) -> String {
        lossy(&self.name)
    }
}

/// 0x17 DeleteCharacter: `str pic | u32 charId` (GMS ≥ 83), `u32 dob | u32 charId`
/// (GMS ≤ 82), `u32 charId` (JMS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteCharacterRequest {
    /// PIC (GMS ≥ 83).
    pub pic: Option<Secret>,
    /// Birth date (GMS ≤ 82; Atlas does not check it).
    pub birth_date: Option<u32>,
    /// Character id.
    pub character_id: u32,
}

impl DeleteCharacterRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let (pic, birth_date) = match rules.delete {
            DeleteShape::Pic => (Some(Secret::new(r.str_vec()?)), None),
            DeleteShape::BirthDate => (None, Some(r.u32()?)),
            DeleteShape::CharacterIdOnly => (None, None),
        };
        Ok(Self {
            pic,
            birth_date,
            character_id: r.u32()?,
        })
    }
}
