//! CharacterList and its entries for every shipped version (§5.2, §8, §14.5–14.7).

use super::{assert_malformed, cat, h, layout};
use crate::packets::codec::parse_list;
use crate::packets::{Rank, Sp};

/// §5.2 GW_CharacterStat up to `u16 ap` for character 1 "admin", job `job`, u16 HP/MP.
pub(super) fn stat_head(id: u8, job: u16) -> Vec<u8> {
    cat(&[
        &[id, 0, 0, 0],                               // id
        &h("61 64 6D 69 6E 00 00 00 00 00 00 00 00"), // name[13] "admin"
        &h("00 .. 01 .. 21 4E 00 00 .. 4E 75 00 00"), // gender, skin, face 20001, hair 30030
        &[0; 24],                                     // petSN ×3
        &h("0A"),                                     // level 10
        &job.to_le_bytes(),                           // job
        &h("0D 00 04 00 04 00 04 00"),                // STR DEX INT LUK
        &h("32 00 32 00 05 00 05 00"),                // HP MaxHP MP MaxMP
        &h("00 00"),                                  // AP
    ])
}

/// §5.2 from `u32 exp` to `u8 spawnPoint` (gachaExp present).
pub(super) fn stat_after_sp() -> Vec<u8> {
    h("E8 03 00 00 .. 05 00 .. 00 00 00 00 .. 00 E1 F5 05 .. 00") // exp 1000, fame 5, map 100000000
}

/// §5.2 AvatarLook (v83 … v95, JMS): two equips, no masked ones.
pub(super) fn look() -> Vec<u8> {
    cat(&[
        &h("00 01 21 4E 00 00 01 4E 75 00 00"), // gender skin face !mega hair
        &h("05 82 DE 0F 00 .. 06 A2 2C 10 00 .. FF"), // top 1040002, pants 1060002
        &h("FF"),                               // masked list
        &h("00 00 00 00"),                      // weapon sticker
        &[0; 12],                               // pets ×3
    ])
}

/// Rank tail: `u8 1 | 4 × u32`.
pub(super) fn ranked() -> Vec<u8> {
    h("01 .. 01 00 00 00 .. 02 00 00 00 .. 03 00 00 00 .. 04 00 00 00")
}

/// A full v83 list entry (family byte 0, ranked).
pub(super) fn v83_entry(id: u8) -> Vec<u8> {
    cat(&[
        &stat_head(id, 100),
        &h("00 00"),
        &stat_after_sp(),
        &h("00 00 00 00"),
        &look(),
        &h("00"),
        &ranked(),
    ])
}

#[test]
fn v83_list_parses_stats_look_rank_and_trailer() {
    // §5.2 CharacterList: status 0 | count | entries | u8 hasPic | u32 slots
    let body = cat(&[&h("00 01"), &v83_entry(1), &h("01 .. 06 00 00 00")]);
    let list = parse_list(&layout("GMS", 83), &body).unwrap();
    assert_eq!(
        (list.login_opt, list.slots, list.buy_count),
        (Some(1), Some(6), None)
    );
    let c = &list.characters[0];
    assert_eq!(
        (
            c.stats.id,
            c.stats.name.as_str(),
            c.stats.level,
            c.stats.job
        ),
        (1, "admin", 10, 100)
    );
    assert_eq!(
        (c.stats.str, c.stats.max_hp, c.stats.exp, c.stats.fame),
        (13, 50, 1000, 5)
    );
    assert_eq!(
        (c.stats.map_id, c.stats.playtime, c.stats.sub_job),
        (100_000_000, Some(0), None)
    );
    assert_eq!(c.stats.sp, Sp::Single(0));
    assert_eq!(c.look.equips, vec![(5, 1_040_002), (6, 1_060_002)]);
    assert!(c.look.mega && c.look.masked_equips.is_empty());
    assert_eq!(c.family, Some(0));
    assert_eq!(
        c.rank,
        Some(Rank {
            rank: 1,
            rank_move: 2,
            job_rank: 3,
            job_rank_move: 4
        })
    );
}

#[test]
fn gm_entry_has_no_rank_block() {
    let gm = cat(&[
        &stat_head(2, 900),
        &h("00 00"),
        &stat_after_sp(),
        &h("00 00 00 00"),
        &look(),
        &h("00 .. 00"),
    ]);
    let body = cat(&[&h("00 02"), &v83_entry(1), &gm, &h("00 03 00 00 00")]);
    let list = parse_list(&layout("GMS", 83), &body).unwrap();
    assert_eq!(list.characters.len(), 2);
    assert_eq!(list.characters[1].rank, None);
}

#[test]
fn empty_v83_list_is_status_count_and_trailer() {
    let list = parse_list(&layout("GMS", 83), &h("00 00 .. 02 .. 03 00 00 00")).unwrap();
    assert!(list.characters.is_empty());
    assert_eq!(list.login_opt, Some(2));
}

#[test]
fn truncated_list_names_the_missing_field() {
    // entry cut before the last rank word (jobRankMove): the error is at the cut
    let body = cat(&[&h("00 01"), &v83_entry(1)]);
    let cut = &body[..body.len() - 4];
    assert_malformed(
        parse_list(&layout("GMS", 83), cut),
        "CharacterList",
        cut.len(),
    );
    // a complete entry without the trailer: loginOpt is missing at the end
    assert_malformed(
        parse_list(&layout("GMS", 83), &body),
        "CharacterList",
        body.len(),
    );
}

#[test]
fn v87_entry_has_sub_job_and_evan_extend_sp() {
    // §14.6: Evan (2200) SP is `u8 count | (u8 jobLevel, u8 sp)*`; stat ends `u32 playtime | u16 subJob`
    let entry = cat(&[
        &stat_head(1, 2200),
        &h("02 .. 01 05 .. 02 03"),
        &stat_after_sp(),
        &h("10 00 00 00 .. 01 00"),
        &look(),
        &h("00"),
        &ranked(),
    ]);
    let body = cat(&[&h("00 01"), &entry, &h("00 06 00 00 00")]);
    let list = parse_list(&layout("GMS", 87), &body).unwrap();
    let st = &list.characters[0].stats;
    assert_eq!(st.sp, Sp::Extended(vec![(1, 5), (2, 3)]));
    assert_eq!((st.playtime, st.sub_job), (Some(16), Some(1)));
}

#[test]
fn v92_trailer_adds_buy_count() {
    // §14.6 CharacterList trailer v92/v95: `u8 loginOpt | u32 slots | u32 nBuyCharCount`
    let list = parse_list(
        &layout("GMS", 92),
        &h("00 00 .. 01 .. 06 00 00 00 .. 02 00 00 00"),
    )
    .unwrap();
    assert_eq!((list.slots, list.buy_count), (Some(6), Some(2)));
    assert_malformed(
        parse_list(&layout("GMS", 92), &h("00 00 01 06 00 00 00")),
        "CharacterList",
        7,
    );
}

#[test]
fn v95_entry_has_u32_pools_and_resistance_extend_sp() {
    // §14.6: v95 HP/MaxHP/MP/MaxMP u32; ExtendSP also for 3xxx
    let mut head = stat_head(1, 3200);
    head.truncate(head.len() - 10); // drop the u16 pools and AP
    let entry = cat(&[
        &head,
        &h("E8 03 00 00 .. E8 03 00 00 .. 64 00 00 00 .. 64 00 00 00 .. 00 00"),
        &h("00"), // ExtendSP count 0
        &stat_after_sp(),
        &h("00 00 00 00 .. 00 00"),
        &look(),
        &h("00 .. 00"),
    ]);
    let body = cat(&[&h("00 01"), &entry, &h("02 .. 06 00 00 00 .. 00 00 00 00")]);
    let list = parse_list(&layout("GMS", 95), &body).unwrap();
    let st = &list.characters[0].stats;
    assert_eq!(
        (st.hp, st.max_mp, st.sp.clone()),
        (1000, 100, Sp::Extended(vec![]))
    );
}

#[test]
fn jms_list_has_header_string_and_long_trailer() {
    // §14.7: `u8 status, str "", u8 count` | entry | `u8 loginOpt, u8 querySSN, u32 slots, u32 buy`
    // JMS stat after portal: `u16 | 8 bytes | u32 nPlaytime | u32 | u32`
    let entry = cat(&[
        &stat_head(4, 0),
        &h("00 00"),
        &stat_after_sp(),
        &h("03 00 .. 00 00 00 00 00 00 00 00 .. 20 00 00 00 .. 00 00 00 00 .. 00 00 00 00"),
        &look(),
        &h("00 .. 00"),
    ]);
    let body = cat(&[
        &h("00 .. 00 00 .. 01"),
        &entry,
        &h("02 .. 00 .. 03 00 00 00 .. 00 00 00 00"),
    ]);
    let list = parse_list(&layout("JMS", 185), &body).unwrap();
    let st = &list.characters[0].stats;
    assert_eq!((st.sub_job, st.playtime), (Some(3), Some(32)));
    assert_eq!(
        (list.login_opt, list.query_ssn, list.slots),
        (Some(2), Some(0), Some(3))
    );
}

#[test]
fn gms12_entry_follows_b() {
    // §14.5 v12 [B]: 1 pet SN, no gachaExp, tail `u64, u32, u32`; look without the repeated
    // appearance, lists ended by 00, `u32 0, u64 pet`; family byte; `u32 1, u8 1, 4 × u32`; no trailer
    let mut head = stat_head(1, 0);
    head.drain(35..51); // keep one of the three pet SNs (offsets 27..51)
    let entry = cat(&[
        &head,
        &h("00 00"),
        &h("E8 03 00 00 .. 05 00 .. 00 E1 F5 05 .. 00"),
        &[0; 16],
        &h("05 82 DE 0F 00 .. 00 .. 00 .. 00 00 00 00 .. 00 00 00 00 00 00 00 00"),
        &h("00 .. 01 00 00 00"),
        &ranked(),
    ]);
    let list = parse_list(&layout("GMS", 12), &cat(&[&h("00 01"), &entry])).unwrap();
    let c = &list.characters[0];
    assert_eq!(
        (c.stats.pet_sns.len(), c.stats.gacha_exp, c.stats.fame),
        (1, None, 5)
    );
    assert_eq!(
        (c.look.equips.clone(), c.look.face),
        (vec![(5, 1_040_002)], 20001)
    );
    assert_eq!((list.login_opt, list.slots), (None, None));
}

#[test]
fn nonzero_status_carries_no_entries() {
    let list = parse_list(&layout("GMS", 83), &h("01")).unwrap();
    assert_eq!((list.status, list.characters.len()), (1, 0));
}
