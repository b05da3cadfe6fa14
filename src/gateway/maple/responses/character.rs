//! Character-list and character-management writers (§5.2, §14.6, §14.7).

use super::entry::{character_entry, EntryKind};
use crate::gateway::maple::model::{AccountView, CharacterView};
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::Rules;

/// CharacterList (0x0B), status 0. v83: `u8 0 | u8 n | n × entry | u8 loginOpt | u32 slots`;
/// v92/v95 add `u32 0` (nBuyCharCount); JMS: `u8 0 | str "" | u8 n | entries | u8 loginOpt |
/// u8 0 | u32 slots | u32 0`; GMS 12 has no trailer. At most 255 entries; the login option is
/// `account.pic_flag`.
pub fn character_list(
    w: &mut Writer<'_>,
    rules: &Rules,
    account: &AccountView,
    characters: &[CharacterView],
) {
    let l = rules.list;
    w.u8(0);
    if l.jms_header {
        w.str("");
    }
    let n = characters.len().min(255);
    w.u8(u8::try_from(n).unwrap_or(u8::MAX));
    for c in characters.iter().take(n) {
        character_entry(w, rules, c, EntryKind::List);
    }
    if l.login_opt {
        w.u8(account.pic_flag.byte());
    }
    if l.query_ssn {
        w.u8(0);
    }
    if l.slots {
        w.u32(account.character_slots);
    }
    if l.buy_char_count {
        w.u32(0);
    }
}

/// AddCharacterEntry (0x0E) success: `u8 code (OK) | entry`.
pub fn add_character_ok(w: &mut Writer<'_>, rules: &Rules, code: u8, c: &CharacterView) {
    w.u8(code);
    character_entry(w, rules, c, EntryKind::List);
}

/// AddCharacterEntry (0x0E) error: `u8 code` only.
pub fn add_character_error(w: &mut Writer<'_>, code: u8) {
    w.u8(code);
}

/// CharacterNameResponse (0x0D): `str name | u8 code`.
pub fn character_name_response(w: &mut Writer<'_>, name: &[u8], code: u8) {
    w.str_bytes(name).u8(code);
}

/// DeleteCharacterResponse (0x0F): `u32 charId | u8 code`.
pub fn delete_character_response(w: &mut Writer<'_>, character_id: u32, code: u8) {
    w.u32(character_id).u8(code);
}
