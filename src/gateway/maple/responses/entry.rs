//! The character entry shared by CharacterList, AddCharacterEntry and view-all (§5.2, §14.5,
//! §14.6, §14.7): GW_CharacterStat, AvatarLook and the rank tail.
//!
//! GMS 12 follows Atlas's v12 code (`[B]`) where §14.5 leaves the entry unsettled; GMS 92 uses
//! the v87 stat block with u16 HP/MP as §14.6 infers.

use crate::gateway::maple::model::{CharacterView, EquipSlot};
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::{ExtendSp, Rules, StatTail};

/// Where an entry is written: list entries carry the family byte, view-all entries do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// CharacterList / AddCharacterEntry.
    List,
    /// CharacterViewAll per-world packet.
    ViewAll,
}

/// Stat + look + `[u8 0 family]` + rank tail (GM: `u8 0`; else `u8 1 | 4 × u32`). GMS 12
/// writes `u32 1` before the rank flag, a GM's too: `[B]` writes it ahead of the flag (the
/// newest Atlas hoisted the flag before it), so it precedes the GM check (§14.5, unsettled).
pub fn character_entry(w: &mut Writer<'_>, rules: &Rules, c: &CharacterView, kind: EntryKind) {
    character_stat(w, rules, c);
    avatar_look(w, rules, c);
    if kind == EntryKind::List && rules.entry.family_byte {
        w.u8(0);
    }
    if rules.entry.legacy_rank {
        w.u32(1);
    }
    if c.gm {
        w.u8(0);
        return;
    }
    let r = c.rank;
    w.u8(1)
        .u32(r.rank)
        .u32(r.rank_move)
        .u32(r.job_rank)
        .u32(r.job_rank_move);
}

/// GW_CharacterStat (v83: `u32 id | char[13] name | u8 gender | u8 skin | u32 face | u32 hair |
/// 3 × u64 pet | u8 level | u16 job | 4 × u16 stats | 4 × u16 hp/mp | u16 ap | sp | u32 exp |
/// i16 fame | u32 gachaExp | u32 mapId | u8 spawnPoint | u32 0`).
pub fn character_stat(w: &mut Writer<'_>, rules: &Rules, c: &CharacterView) {
    let s = rules.stat;
    w.u32(c.id)
        .name13(&c.name)
        .u8(c.gender)
        .u8(c.skin)
        .u32(c.face)
        .u32(c.hair);
    w.zeros(8 * usize::from(s.pets)).u8(c.level).u16(c.job);
    w.u16(c.str).u16(c.dex).u16(c.int).u16(c.luk);
    for v in [c.hp, c.max_hp, c.mp, c.max_mp] {
        if s.hp_u32 {
            w.u32(v);
        } else {
            w.u16(u16::try_from(v).unwrap_or(u16::MAX));
        }
    }
    w.u16(c.ap);
    skill_points(w, s.extend_sp, c);
    w.u32(c.exp).i16(c.fame);
    if s.gacha_exp {
        w.u32(c.gacha_exp);
    }
    w.u32(c.map_id).u8(c.spawn_point);
    stat_tail(w, s.tail, c);
}

fn stat_tail(w: &mut Writer<'_>, tail: StatTail, c: &CharacterView) {
    match tail {
        StatTail::Legacy => w.u64(0).u32(0).u32(0),
        StatTail::Nothing => w,
        StatTail::Playtime => w.u32(0),
        StatTail::PlaytimeSubJob => w.u32(0).u16(c.sub_job),
        StatTail::Jms => w.u16(c.sub_job).u64(0).u32(0).u32(0).u32(0),
    };
}

/// Evan (2001, 2200–2218) and, from GMS 93, Resistance (3xxx) jobs.
fn uses_extend_sp(rule: ExtendSp, job: u16) -> bool {
    let evan = job == 2001 || (2200..=2218).contains(&job);
    match rule {
        ExtendSp::Never => false,
        ExtendSp::Evan => evan,
        ExtendSp::EvanAndResistance => evan || job / 1000 == 3,
    }
}

/// `u16 sp[0]`, or ExtendSP `u8 n | n × (u8 jobLevel, u8 sp)` for the non-zero entries (SP
/// saturated to a byte). Never omitted (Atlas `[B]` writes nothing for Evan, a short packet).
fn skill_points(w: &mut Writer<'_>, rule: ExtendSp, c: &CharacterView) {
    if !uses_extend_sp(rule, c.job) {
        w.u16(c.sp.first().copied().unwrap_or(0));
        return;
    }
    let pairs = || {
        let levels = 1..=u8::MAX;
        levels.zip(&c.sp).filter(|(_, sp)| **sp != 0).take(255)
    };
    w.u8(u8::try_from(pairs().count()).unwrap_or(u8::MAX));
    for (level, sp) in pairs() {
        w.u8(level).u8(u8::try_from(*sp).unwrap_or(u8::MAX));
    }
}

/// AvatarLook (v83: `u8 gender | u8 skin | u32 face | u8 1 | u32 hair | visible… | FF |
/// masked… | FF | u32 weaponSticker | 3 × u32 pet`; GMS 12: lists ended by `00`, then
/// `u32 sticker | u64 pet`).
pub fn avatar_look(w: &mut Writer<'_>, rules: &Rules, c: &CharacterView) {
    let e = rules.entry;
    let end = if e.legacy_look { 0x00 } else { 0xFF };
    if !e.legacy_look {
        w.u8(c.gender).u8(c.skin).u32(c.face).u8(1).u32(c.hair);
    }
    equip_list(w, &c.equipment.visible, end);
    equip_list(w, &c.equipment.masked, end);
    w.u32(c.equipment.weapon_sticker);
    if e.legacy_look {
        w.u64(0);
    } else {
        w.zeros(4 * usize::from(e.look_pets));
    }
}

fn equip_list(w: &mut Writer<'_>, items: &[EquipSlot], end: u8) {
    for item in items {
        w.u8(item.slot).u32(item.item_id);
    }
    w.u8(end);
}
