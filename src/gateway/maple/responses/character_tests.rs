//! Golden bodies of the character writers, v83 (§5.2, §14.2, §14.3), written out by hand.

use std::net::Ipv4Addr;

use super::*;
use crate::gateway::maple::model::PicFlag;
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::{account, body, character, hex};

/// §5.2 GW_CharacterStat of `character()` (v83).
pub(super) const V83_STAT: &str = "04 03 02 01 \
    48 65 72 6F 00 00 00 00 00 00 00 00 00 \
    01 02 20 4E 00 00 30 75 00 00 \
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \
    0A 64 00 04 00 05 00 06 00 07 00 \
    32 00 3C 00 05 00 06 00 03 00 02 00 \
    0B 0A 00 00 FF FF 09 00 00 00 00 E1 F5 05 00 00 00 00 00";

/// §5.2 AvatarLook of `character()` (v83).
pub(super) const V83_LOOK: &str = "01 02 20 4E 00 00 01 30 75 00 00 \
    05 82 DE 0F 00 0B F0 DD 13 00 FF 05 86 DE 0F 00 FF \
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

/// Rank tail of a non-GM character with zero ranks.
pub(super) const RANK: &str = "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

/// A v83 list entry: stat, look, family byte, rank tail.
pub(super) fn v83_list_entry() -> Vec<u8> {
    [hex(V83_STAT), hex(V83_LOOK), hex("00"), hex(RANK)].concat()
}

#[test]
fn v83_character_stat_and_look() {
    let r = Rules::gms83();
    assert_eq!(
        body(&r, |w| character_stat(w, &r, &character())),
        hex(V83_STAT)
    );
    assert_eq!(
        body(&r, |w| avatar_look(w, &r, &character())),
        hex(V83_LOOK)
    );
}

#[test]
fn v83_list_entry_has_the_family_byte_and_view_all_entry_does_not() {
    let r = Rules::gms83();
    let c = character();
    assert_eq!(
        body(&r, |w| character_entry(w, &r, &c, EntryKind::List)),
        v83_list_entry()
    );
    let view_all = [hex(V83_STAT), hex(V83_LOOK), hex(RANK)].concat();
    assert_eq!(
        body(&r, |w| character_entry(w, &r, &c, EntryKind::ViewAll)),
        view_all
    );
}

#[test]
fn v83_gm_entry_has_no_rank_block() {
    let r = Rules::gms83();
    let c = crate::gateway::maple::model::CharacterView {
        gm: true,
        ..character()
    };
    let expected = [hex(V83_STAT), hex(V83_LOOK), hex("00 00")].concat();
    assert_eq!(
        body(&r, |w| character_entry(w, &r, &c, EntryKind::List)),
        expected
    );
}

#[test]
fn v83_evan_still_writes_a_u16_sp_never_a_short_packet() {
    let r = Rules::gms83();
    let c = crate::gateway::maple::model::CharacterView {
        job: 2200,
        sp: vec![],
        ..character()
    };
    let out = body(&r, |w| character_stat(w, &r, &c));
    assert_eq!(out.len(), hex(V83_STAT).len());
}

#[test]
fn v83_character_list() {
    let r = Rules::gms83();
    let out = body(&r, |w| character_list(w, &r, &account(), &[character()]));
    let expected = [hex("00 01"), v83_list_entry(), hex("00 03 00 00 00")].concat();
    assert_eq!(out, expected);
    let empty = body(&r, |w| character_list(w, &r, &account(), &[]));
    assert_eq!(empty, hex("00 00 00 03 00 00 00"));
}

#[test]
fn v83_add_character_entry_ok_and_error() {
    let r = Rules::gms83();
    let out = body(&r, |w| add_character_ok(w, &r, 0, &character()));
    assert_eq!(out, [hex("00"), v83_list_entry()].concat());
    assert_eq!(body(&r, |w| add_character_error(w, 99)), hex("63"));
}

#[test]
fn v83_name_and_delete_responses() {
    let r = Rules::gms83();
    assert_eq!(
        body(&r, |w| character_name_response(w, b"Hero", 2)),
        hex("04 00 48 65 72 6F 02")
    );
    assert_eq!(
        body(&r, |w| delete_character_response(w, 7, 20)),
        hex("07 00 00 00 14")
    );
}

#[test]
fn v83_server_ip_ok_and_error() {
    let r = Rules::gms83();
    let ip = Ipv4Addr::new(10, 0, 0, 5);
    let out = body(&r, |w| server_ip_ok(w, &r, 0, 0, ip, 7575, 7));
    assert_eq!(
        out,
        hex("00 00 0A 00 00 05 97 1D 07 00 00 00 00 00 00 00 00")
    );
    assert_eq!(body(&r, |w| server_ip_error(w, 7, 0)), hex("07 00"));
}

#[test]
fn v83_view_all_packets() {
    let r = Rules::gms83();
    assert_eq!(
        body(&r, |w| view_all_count(w, 1, 1, 2)),
        hex("01 01 00 00 00 02 00 00 00")
    );
    assert_eq!(body(&r, |w| view_all_code(w, 3)), hex("03"));
    let out = body(&r, |w| {
        view_all_world(w, &r, 0, 4, &[character()], PicFlag::Ask)
    });
    let expected = [
        hex("00 04 01"),
        hex(V83_STAT),
        hex(V83_LOOK),
        hex(RANK),
        hex("01"),
    ]
    .concat();
    assert_eq!(out, expected);
    let empty = body(&r, |w| view_all_world(w, &r, 0, 4, &[], PicFlag::Disabled));
    assert_eq!(empty, hex("00 04 00 02"));
}
