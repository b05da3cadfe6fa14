//! Select-stage writers (§5.2, §14.2, §14.3): channel address and view-all results.

use std::net::Ipv4Addr;

use super::entry::{character_entry, EntryKind};
use crate::gateway::maple::model::{CharacterView, PicFlag};
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::Rules;

/// ServerIP (0x0C) success: `u8 code | u8 mode | u8[4] ip | u16 port | u32 charId |
/// u8 0 (bAuthenCode) [| u32 0 (premium; not GMS 12)]`. `code` = `codes.OK`, `mode` =
/// `modes.OK` (both 0; §14.3: the second byte is a sub-mode the client reads, 0 on success).
pub fn server_ip_ok(
    w: &mut Writer<'_>,
    rules: &Rules,
    code: u8,
    mode: u8,
    ip: Ipv4Addr,
    port: u16,
    character_id: u32,
) {
    w.u8(code)
        .u8(mode)
        .bytes(&ip.octets())
        .u16(port)
        .u32(character_id)
        .u8(0);
    if rules.server_ip_premium {
        w.u32(0);
    }
}

/// ServerIP (0x0C) error: `u8 code | u8 mode` (§14.3: mode 0).
pub fn server_ip_error(w: &mut Writer<'_>, code: u8, mode: u8) {
    w.u8(code).u8(mode);
}

/// CharacterViewAll count (0x08): `u8 code (CHARACTER_COUNT) | u32 worldCount | u32 charCount`.
pub fn view_all_count(w: &mut Writer<'_>, code: u8, world_count: u32, character_count: u32) {
    w.u8(code).u32(world_count).u32(character_count);
}

/// CharacterViewAll per world (0x08): `u8 code (NORMAL) | u8 worldId | u8 n | n × entry
/// (no family byte) [| u8 loginOpt (GMS ≥ 83)]`. The trailing login option is written for every
/// GMS ≥ 83 as §14.2 resolves (v83 is contested, v84/v87 ignore it, v95 reads it), with the
/// account's value rather than `[C]`'s or `[H]`'s constant. At most 255 entries.
pub fn view_all_world(
    w: &mut Writer<'_>,
    rules: &Rules,
    code: u8,
    world_id: u8,
    characters: &[CharacterView],
    login_opt: PicFlag,
) {
    let n = characters.len().min(255);
    w.u8(code)
        .u8(world_id)
        .u8(u8::try_from(n).unwrap_or(u8::MAX));
    for c in characters.iter().take(n) {
        character_entry(w, rules, c, EntryKind::ViewAll);
    }
    if rules.view_all_login_opt {
        w.u8(login_opt.byte());
    }
}

/// CharacterViewAll code-only packet (0x08): `u8 code` (SEARCH_FAILED 3, ERROR_VIEW_ALL 2).
pub fn view_all_code(w: &mut Writer<'_>, code: u8) {
    w.u8(code);
}
