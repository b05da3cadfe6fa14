//! Name check, create and delete requests and their answers (§5.1, §5.2, §8).

use crate::error::{Error, Result};
use crate::packets::character::{parse_entry, CharacterEntry};
use crate::profile::{CreateShape, DeleteShape, Layout};
use crate::wire::{Reader, Writer};

/// CharacterNameResponse: `str name | u8 code` (0 OK, 1 already registered, 2 not allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameCheck {
    /// The name echoed back.
    pub name: String,
    /// Result code.
    pub code: u8,
}

impl NameCheck {
    /// True when the name may be used (code 0).
    pub fn available(&self) -> bool {
        self.code == 0
    }
}

/// What to create. Fields a version does not send are ignored (GMS 12 sends no job/gender,
/// JMS no colours/gender, v83 no sub-job; GMS 12 alone sends the four base stats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCharacter {
    /// Name.
    pub name: String,
    /// Job index (0 Cygnus, 1 Adventurer, 2 Aran in v83).
    pub job: u32,
    /// Sub-job (v87+, JMS).
    pub sub_job: u16,
    /// Face id.
    pub face: u32,
    /// Hair id.
    pub hair: u32,
    /// Hair colour.
    pub hair_color: u32,
    /// Skin colour.
    pub skin: u32,
    /// Top item id.
    pub top: u32,
    /// Bottom item id.
    pub bottom: u32,
    /// Shoes item id.
    pub shoes: u32,
    /// Weapon item id.
    pub weapon: u32,
    /// Gender.
    pub gender: u8,
    /// STR, DEX, INT, LUK (GMS 12 only).
    pub stats: [u8; 4],
}

/// AddCharacterEntry: `u8 code | CharacterEntry` (entry only when the code is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateOutcome {
    /// Result code (0 OK, 99 unknown error …).
    pub code: u8,
    /// The new character when the code is 0.
    pub entry: Option<CharacterEntry>,
}

/// DeleteCharacterResponse: `u32 charId | u8 code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// The character.
    pub character_id: u32,
    /// Result code (0 OK, 20 wrong PIC, 22 guild master …).
    pub code: u8,
}

/// Builds CheckName: `str name`.
pub(crate) fn encode_check_name(name: &str) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.string(name)?;
    Ok(w.into_inner())
}

/// Builds CreateCharacter.
pub(crate) fn encode_create(layout: &Layout, c: &NewCharacter) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.string(&c.name)?;
    match layout.create {
        CreateShape::Gms12 => {
            w.u32(c.face).u32(c.hair).u32(c.hair_color).u32(c.skin);
            equips(&mut w, c).bytes(&c.stats);
        }
        CreateShape::Gms { sub_job } => {
            w.u32(c.job);
            if sub_job {
                w.u16(c.sub_job);
            }
            w.u32(c.face).u32(c.hair).u32(c.hair_color).u32(c.skin);
            equips(&mut w, c).u8(c.gender);
        }
        CreateShape::Jms => {
            w.u32(c.job).u16(c.sub_job).u32(c.face).u32(c.hair);
            equips(&mut w, c);
        }
    }
    Ok(w.into_inner())
}

fn equips<'w>(w: &'w mut Writer, c: &NewCharacter) -> &'w mut Writer {
    w.u32(c.top).u32(c.bottom).u32(c.shoes).u32(c.weapon)
}

/// Builds DeleteCharacter; GMS 12 takes the birth date (YYYYMMDD digits) in place of the PIC.
pub(crate) fn encode_delete(layout: &Layout, pic: &str, char_id: u32) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    match layout.delete {
        DeleteShape::Pic => {
            w.string(pic)?;
        }
        DeleteShape::BirthDate => {
            let dob: u32 = pic.parse().map_err(|_| {
                Error::InvalidArgument("GMS 12 deletes by birth date: pass YYYYMMDD digits".into())
            })?;
            w.u32(dob);
        }
        DeleteShape::IdOnly => {}
    }
    w.u32(char_id);
    Ok(w.into_inner())
}

/// Parses CharacterNameResponse.
pub(crate) fn parse_name_response(body: &[u8]) -> Result<NameCheck> {
    let mut r = Reader::new("CharacterNameResponse", body);
    let out = NameCheck {
        name: r.string("name")?,
        code: r.u8("code")?,
    };
    r.finish()?;
    Ok(out)
}

/// Parses AddCharacterEntry.
pub(crate) fn parse_add_character(layout: &Layout, body: &[u8]) -> Result<CreateOutcome> {
    let mut r = Reader::new("AddCharacterEntry", body);
    let code = r.u8("code")?;
    let entry = if code == 0 {
        Some(parse_entry(layout, &mut r, false)?)
    } else {
        None
    };
    r.finish()?;
    Ok(CreateOutcome { code, entry })
}

/// Parses DeleteCharacterResponse.
pub(crate) fn parse_delete_response(body: &[u8]) -> Result<DeleteOutcome> {
    let mut r = Reader::new("DeleteCharacterResponse", body);
    let out = DeleteOutcome {
        character_id: r.u32("characterId")?,
        code: r.u8("code")?,
    };
    r.finish()?;
    Ok(out)
}
