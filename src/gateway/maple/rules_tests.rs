//! Per-version rules (§1.1, §2, §3, §8, §14).

use super::*;
use crate::gateway::maple::version::Region;

fn rules(region: Region, major: u16) -> Rules {
    Rules::for_version(Version::new(region, major, 1)).unwrap()
}

#[test]
fn transport_rules_per_version() {
    let cases = [
        (
            Region::Gms,
            12,
            OpcodeWidth::U8,
            true,
            IvExpansion::FirstByte,
            8,
        ),
        (
            Region::Gms,
            83,
            OpcodeWidth::U16,
            true,
            IvExpansion::Repeat,
            8,
        ),
        (
            Region::Gms,
            95,
            OpcodeWidth::U16,
            true,
            IvExpansion::Repeat,
            8,
        ),
        (
            Region::Jms,
            185,
            OpcodeWidth::U16,
            false,
            IvExpansion::Repeat,
            3,
        ),
    ];
    for (region, major, width, shanda, iv, locale) in cases {
        let r = rules(region, major);
        assert_eq!(
            (r.opcode_width, r.shanda, r.iv_expansion, r.locale),
            (width, shanda, iv, locale)
        );
    }
}

#[test]
fn derived_thresholds_for_unsupported_versions_follow_the_spec() {
    let v28 = Rules::derive(Version::new(Region::Gms, 28, 1));
    assert_eq!(v28.opcode_width, OpcodeWidth::U8);
    assert_eq!(v28.iv_expansion, IvExpansion::Repeat);
    assert_eq!(v28.auth_success, AuthSuccessShape::Legacy);
    let v84 = Rules::derive(Version::new(Region::Gms, 84, 1));
    assert!(matches!(v84.auth_success, AuthSuccessShape::Gms(s) if s.client_key && !s.wide_admin));
    assert_eq!(v84.stat.extend_sp, ExtendSp::Evan);
}

#[test]
fn auth_success_shapes() {
    let gms = |major| match rules(Region::Gms, major).auth_success {
        AuthSuccessShape::Gms(s) => (
            s.country,
            s.num_of_character,
            s.pin_pic,
            s.client_key,
            s.wide_admin,
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(gms(83), (true, true, true, false, false));
    assert_eq!(gms(87), (true, true, true, true, false));
    assert_eq!(gms(92), (true, true, true, true, false));
    assert_eq!(gms(95), (true, true, true, true, true));
    assert_eq!(
        rules(Region::Gms, 12).auth_success,
        AuthSuccessShape::Legacy
    );
    assert_eq!(rules(Region::Jms, 185).auth_success, AuthSuccessShape::Jms);
}

#[test]
fn character_shapes_per_version() {
    let r83 = rules(Region::Gms, 83);
    assert_eq!(
        (r83.stat.pets, r83.stat.gacha_exp, r83.stat.hp_u32),
        (3, true, false)
    );
    assert_eq!(
        (r83.stat.extend_sp, r83.stat.tail),
        (ExtendSp::Never, StatTail::Playtime)
    );
    assert_eq!(rules(Region::Gms, 87).stat.tail, StatTail::PlaytimeSubJob);
    assert!(!rules(Region::Gms, 92).stat.hp_u32);
    assert_eq!(
        rules(Region::Gms, 95).stat.extend_sp,
        ExtendSp::EvanAndResistance
    );
    let r12 = rules(Region::Gms, 12);
    assert_eq!(
        (r12.stat.pets, r12.stat.gacha_exp, r12.stat.tail),
        (1, false, StatTail::Legacy)
    );
    assert!(r12.entry.legacy_look && r12.entry.legacy_rank && r12.entry.family_byte);
    assert_eq!(rules(Region::Jms, 185).stat.tail, StatTail::Jms);
}

#[test]
fn list_trailers_per_version() {
    let t = |region, major| {
        let l = rules(region, major).list;
        (
            l.jms_header,
            l.login_opt,
            l.query_ssn,
            l.slots,
            l.buy_char_count,
        )
    };
    assert_eq!(t(Region::Gms, 12), (false, false, false, false, false));
    assert_eq!(t(Region::Gms, 83), (false, true, false, true, false));
    assert_eq!(t(Region::Gms, 87), (false, true, false, true, false));
    assert_eq!(t(Region::Gms, 92), (false, true, false, true, true));
    assert_eq!(t(Region::Jms, 185), (true, true, true, true, true));
}

#[test]
fn request_rules_per_version() {
    let r83 = rules(Region::Gms, 83);
    assert!(r83.login_partner_code && r83.world_start_mode && r83.world_socket_addr);
    assert!(!r83.view_all_request_fields && r83.select_macs && r83.mac_hdd);
    assert_eq!(
        (r83.create, r83.delete),
        (CreateShape::Classic, DeleteShape::Pic)
    );
    let r12 = rules(Region::Gms, 12);
    assert!(!r12.login_partner_code && !r12.world_start_mode && !r12.world_socket_addr);
    assert!(r12.after_login_account_id && !r12.select_macs);
    assert_eq!(
        (r12.create, r12.delete),
        (CreateShape::Legacy, DeleteShape::BirthDate)
    );
    let jms = rules(Region::Jms, 185);
    assert!(!jms.login_partner_code && !jms.world_start_mode && jms.world_socket_addr);
    assert_eq!(
        (jms.create, jms.delete),
        (CreateShape::Jms, DeleteShape::CharacterIdOnly)
    );
    assert!(rules(Region::Gms, 87).view_all_request_fields);
}

#[test]
fn pic_flag_is_atlas_like_for_gms_and_disabled_for_jms() {
    assert_eq!(Rules::gms83().pic_flag(true), PicFlag::Ask);
    assert_eq!(Rules::gms83().pic_flag(false), PicFlag::Register);
    assert_eq!(rules(Region::Jms, 185).pic_flag(true), PicFlag::Disabled);
}

#[test]
fn unsupported_versions_are_refused() {
    assert!(Rules::for_version(Version::new(Region::Gms, 84, 1)).is_err());
}
