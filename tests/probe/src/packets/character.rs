//! CharacterEntry = GW_CharacterStat + AvatarLook + family/rank tail (§5.2, §14.5, §14.6, §14.7).

use crate::error::Result;
use crate::profile::{ExtendSp, Layout, StatShape, StatTail};
use crate::wire::Reader;

/// Width of the NUL-padded name in the stat block.
const NAME_WIDTH: usize = 13;

/// One character as the login server shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharacterEntry {
    /// GW_CharacterStat.
    pub stats: CharacterStats,
    /// AvatarLook.
    pub look: AvatarLook,
    /// Family byte (list entries; absent in view-all entries).
    pub family: Option<u8>,
    /// Rank block, absent for GMs (`hasRank` 0).
    pub rank: Option<Rank>,
}

/// GW_CharacterStat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CharacterStats {
    /// Character id.
    pub id: u32,
    /// Name (13 NUL-padded bytes on the wire).
    pub name: String,
    /// Gender.
    pub gender: u8,
    /// Skin colour.
    pub skin: u8,
    /// Face id.
    pub face: u32,
    /// Hair id.
    pub hair: u32,
    /// Pet serial numbers (1 in GMS 12, else 3).
    pub pet_sns: Vec<u64>,
    /// Level.
    pub level: u8,
    /// Job id.
    pub job: u16,
    /// STR.
    pub str: u16,
    /// DEX.
    pub dex: u16,
    /// INT.
    pub int: u16,
    /// LUK.
    pub luk: u16,
    /// HP (u16 on the wire before v95).
    pub hp: u32,
    /// Max HP.
    pub max_hp: u32,
    /// MP.
    pub mp: u32,
    /// Max MP.
    pub max_mp: u32,
    /// AP.
    pub ap: u16,
    /// SP.
    pub sp: Sp,
    /// EXP.
    pub exp: u32,
    /// Fame.
    pub fame: i16,
    /// Gachapon EXP (absent in GMS 12).
    pub gacha_exp: Option<u32>,
    /// Map id.
    pub map_id: u32,
    /// Spawn point.
    pub spawn_point: u8,
    /// nPlaytime (absent in GMS 12).
    pub playtime: Option<u32>,
    /// nSubJob (v87+, JMS).
    pub sub_job: Option<u16>,
}

/// Skill points: one number, or the ExtendSP table of Evan/Resistance jobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sp {
    /// `u16 sp`.
    Single(u16),
    /// `u8 count | count × (u8 jobLevel, u8 sp)`.
    Extended(Vec<(u8, u8)>),
}

impl Default for Sp {
    fn default() -> Self {
        Sp::Single(0)
    }
}

/// AvatarLook. GMS 12 does not repeat gender/skin/face/hair (copied from the stats, mega false).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AvatarLook {
    /// Gender.
    pub gender: u8,
    /// Skin colour.
    pub skin: u8,
    /// Face id.
    pub face: u32,
    /// The `!mega` byte (non-zero = true).
    pub mega: bool,
    /// Hair id.
    pub hair: u32,
    /// Visible equips `(slot, itemId)`.
    pub equips: Vec<(u8, u32)>,
    /// Equips hidden under a cash item.
    pub masked_equips: Vec<(u8, u32)>,
    /// Weapon sticker (cash weapon) item id.
    pub weapon_sticker: u32,
    /// Pet item ids (3 × u32; GMS 12: one u64).
    pub pets: Vec<u64>,
}

/// The ranking block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rank {
    /// World rank.
    pub rank: u32,
    /// World rank move.
    pub rank_move: u32,
    /// Job rank.
    pub job_rank: u32,
    /// Job rank move.
    pub job_rank_move: u32,
}

/// Parses one entry; `view_all` entries have no family byte (§14.2).
pub(crate) fn parse_entry(
    layout: &Layout,
    r: &mut Reader<'_>,
    view_all: bool,
) -> Result<CharacterEntry> {
    let stats = parse_stats(&layout.stat, r)?;
    let look = if layout.legacy_entry {
        parse_look_gms12(&stats, r)?
    } else {
        parse_look(r)?
    };
    let family = if view_all {
        None
    } else {
        Some(r.u8("family")?)
    };
    if layout.legacy_entry {
        r.u32("u32 before rank")?;
    }
    let rank = if r.bool("hasRank")? {
        Some(Rank {
            rank: r.u32("rank")?,
            rank_move: r.u32("rankMove")?,
            job_rank: r.u32("jobRank")?,
            job_rank_move: r.u32("jobRankMove")?,
        })
    } else {
        None
    };
    Ok(CharacterEntry {
        stats,
        look,
        family,
        rank,
    })
}

fn parse_stats(shape: &StatShape, r: &mut Reader<'_>) -> Result<CharacterStats> {
    let mut s = CharacterStats {
        id: r.u32("characterId")?,
        name: r.padded_string(NAME_WIDTH, "name")?,
        gender: r.u8("gender")?,
        skin: r.u8("skin")?,
        face: r.u32("face")?,
        hair: r.u32("hair")?,
        ..CharacterStats::default()
    };
    for _ in 0..shape.pet_sns {
        s.pet_sns.push(r.u64("petSN")?);
    }
    s.level = r.u8("level")?;
    s.job = r.u16("job")?;
    s.str = r.u16("str")?;
    s.dex = r.u16("dex")?;
    s.int = r.u16("int")?;
    s.luk = r.u16("luk")?;
    let mut pool = |field: &str| -> Result<u32> {
        if shape.wide_hp {
            r.u32(field)
        } else {
            r.u16(field).map(u32::from)
        }
    };
    s.hp = pool("hp")?;
    s.max_hp = pool("maxHp")?;
    s.mp = pool("mp")?;
    s.max_mp = pool("maxMp")?;
    s.ap = r.u16("ap")?;
    s.sp = parse_sp(shape.extend_sp, s.job, r)?;
    s.exp = r.u32("exp")?;
    s.fame = r.i16("fame")?;
    if shape.gacha_exp {
        s.gacha_exp = Some(r.u32("gachaExp")?);
    }
    s.map_id = r.u32("mapId")?;
    s.spawn_point = r.u8("spawnPoint")?;
    parse_stat_tail(shape.tail, &mut s, r)?;
    Ok(s)
}

fn parse_stat_tail(tail: StatTail, s: &mut CharacterStats, r: &mut Reader<'_>) -> Result<()> {
    match tail {
        StatTail::Gms12 => {
            r.take(16, "u64, u32, u32 after spawnPoint")?;
        }
        StatTail::Playtime => s.playtime = Some(r.u32("nPlaytime")?),
        StatTail::PlaytimeSubJob => {
            s.playtime = Some(r.u32("nPlaytime")?);
            s.sub_job = Some(r.u16("nSubJob")?);
        }
        StatTail::Jms => {
            s.sub_job = Some(r.u16("subJob")?);
            r.take(8, "8 bytes after subJob")?;
            s.playtime = Some(r.u32("nPlaytime")?);
            r.take(8, "u32, u32 after nPlaytime")?;
        }
    }
    Ok(())
}

/// Evan is 2001 and 22xx; Resistance is 3xxx (§14.6).
fn parse_sp(rule: ExtendSp, job: u16, r: &mut Reader<'_>) -> Result<Sp> {
    let evan = job == 2001 || job / 100 == 22;
    let resistance = job / 1000 == 3;
    let extended = match rule {
        ExtendSp::Never => false,
        ExtendSp::Evan => evan,
        ExtendSp::EvanResistance => evan || resistance,
    };
    if !extended {
        return Ok(Sp::Single(r.u16("sp")?));
    }
    let count = r.u8("extendSpCount")?;
    let mut table = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        table.push((r.u8("extendSpJobLevel")?, r.u8("extendSp")?));
    }
    Ok(Sp::Extended(table))
}

fn parse_look(r: &mut Reader<'_>) -> Result<AvatarLook> {
    let mut look = AvatarLook {
        gender: r.u8("look.gender")?,
        skin: r.u8("look.skin")?,
        face: r.u32("look.face")?,
        mega: r.bool("look.mega")?,
        hair: r.u32("look.hair")?,
        ..AvatarLook::default()
    };
    look.equips = parse_equips(r, 0xFF, "equip")?;
    look.masked_equips = parse_equips(r, 0xFF, "maskedEquip")?;
    look.weapon_sticker = r.u32("weaponSticker")?;
    for _ in 0..3 {
        look.pets.push(u64::from(r.u32("petId")?));
    }
    Ok(look)
}

/// [B]'s GMS 12 look: equip lists ended by `00`, `u32 0`, `u64 pet` (§14.5, inference).
fn parse_look_gms12(stats: &CharacterStats, r: &mut Reader<'_>) -> Result<AvatarLook> {
    Ok(AvatarLook {
        gender: stats.gender,
        skin: stats.skin,
        face: stats.face,
        mega: false,
        hair: stats.hair,
        equips: parse_equips(r, 0x00, "equip")?,
        masked_equips: parse_equips(r, 0x00, "maskedEquip")?,
        weapon_sticker: r.u32("weaponSticker")?,
        pets: vec![r.u64("pet")?],
    })
}

/// `{u8 slot | u32 itemId}*` ended by `terminator`.
fn parse_equips(r: &mut Reader<'_>, terminator: u8, field: &str) -> Result<Vec<(u8, u32)>> {
    let mut out = Vec::new();
    loop {
        let slot = r.u8(field)?;
        if slot == terminator {
            return Ok(out);
        }
        out.push((slot, r.u32(field)?));
    }
}
