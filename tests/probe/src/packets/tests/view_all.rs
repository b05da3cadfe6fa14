//! CharacterViewAll (§5.2, §14.2).

use super::character::{look, ranked, stat_after_sp, stat_head};
use super::{assert_malformed, cat, h, layout};
use crate::packets::codec::{encode_view_all, parse_view_all_header, parse_view_all_world};
use crate::packets::ViewAllHeader;

/// A v83 view-all entry: stat | look | rank, no family byte (§14.2).
fn entry(id: u8) -> Vec<u8> {
    cat(&[
        &stat_head(id, 100),
        &h("00 00"),
        &stat_after_sp(),
        &h("00 00 00 00"),
        &look(),
        &ranked(),
    ])
}

#[test]
fn header_is_count_or_a_failure_code() {
    // §5.2 count: `u8 1 | u32 worldCount | u32 charCount`; failures are one byte
    assert_eq!(
        parse_view_all_header(&h("01 .. 02 00 00 00 .. 03 00 00 00")).unwrap(),
        ViewAllHeader::Count {
            worlds: 2,
            characters: 3
        }
    );
    assert_eq!(
        parse_view_all_header(&h("03")).unwrap(),
        ViewAllHeader::Failed(3)
    );
    assert_malformed(parse_view_all_header(&h("01 02 00")), "CharacterViewAll", 1);
}

#[test]
fn v83_world_packet_takes_the_login_opt_byte_when_present() {
    // §14.2 per world: `u8 0 | u8 worldId | u8 n | n × entry | [u8 loginOpt]`
    let v83 = layout("GMS", 83);
    let with = cat(&[&h("00 .. 01 .. 01"), &entry(5), &h("02")]);
    let w = parse_view_all_world(&v83, &with).unwrap();
    assert_eq!(
        (w.world_id, w.characters[0].stats.id, w.login_opt),
        (1, 5, Some(2))
    );
    assert_eq!(w.characters[0].family, None);
    let without = &with[..with.len() - 1];
    assert_eq!(parse_view_all_world(&v83, without).unwrap().login_opt, None);
}

#[test]
fn v95_world_packet_requires_the_login_opt_byte() {
    let body = h("00 .. 00 .. 00");
    assert_malformed(
        parse_view_all_world(&layout("GMS", 95), &body),
        "CharacterViewAll(world)",
        3,
    );
    assert_eq!(
        parse_view_all_world(&layout("GMS", 95), &h("00 00 00 01"))
            .unwrap()
            .login_opt,
        Some(1)
    );
}

#[test]
fn requests_are_empty_for_v83_and_full_above() {
    // §5.1 0x0D v83 empty; GMS > 83: `u8 mode; str passport; str machineId; u32; u8 mode`
    assert!(encode_view_all(&layout("GMS", 83)).unwrap().is_empty());
    assert_eq!(
        encode_view_all(&layout("GMS", 87)).unwrap(),
        h("00 .. 00 00 .. 00 00 .. 00 00 00 00 .. 00")
    );
}
