//! Per-version wire rules: every difference between client versions, derived from the version
//! as a small value the crypto, readers and writers consult (spec §1.1, §2, §3, §8, §14).
//!
//! Thresholds come from the version evidence the spec cites. Where the only evidence is one
//! version (the GMS 12 shapes, from Atlas's v12 code), the rule is gated on that version alone;
//! versions between the supported ones get the nearest rule but are not served (see
//! [`Version::supported`]).

use super::model::PicFlag;
pub use super::shapes::{
    AuthSuccessShape, CreateShape, DeleteShape, EntryShape, ExtendSp, GmsAuthSuccess, IvExpansion,
    ListShape, OpcodeWidth, ServerListShape, StatShape, StatTail,
};
use super::version::{Version, VersionError};

/// The wire rules of one client version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The version the rules were derived from.
    pub version: Version,
    /// Opcode width (§1.1).
    pub opcode_width: OpcodeWidth,
    /// Shanda layer on (every region but JMS, §3.4).
    pub shanda: bool,
    /// 16-byte IV expansion (§3.3).
    pub iv_expansion: IvExpansion,
    /// Hello locale byte (3 for JMS, else 8, §2).
    pub locale: u8,
    /// Login-result packets carry `u32 0` after `code, 0` (GMS; not JMS).
    pub login_result_reserved: bool,
    /// AuthSuccess shape.
    pub auth_success: AuthSuccessShape,
    /// Login request ends with `u8 | u32 partnerCode` (GMS ≥ 61, §14.5, §14.7).
    pub login_partner_code: bool,
    /// CharacterListWorld starts with `u8 gameStartMode` (GMS ≥ 83, `[H]`).
    pub world_start_mode: bool,
    /// CharacterListWorld ends with `i32 socketAddr` (GMS ≥ 72 `[H]`, JMS).
    pub world_socket_addr: bool,
    /// ServerStatus request world id is u16 (GMS) rather than u8.
    pub status_world_u16: bool,
    /// AfterLogin has `u32 accountId` before the PIN (GMS < 83, `[H]`).
    pub after_login_account_id: bool,
    /// ViewAll request carries passport fields (GMS > 83).
    pub view_all_request_fields: bool,
    /// CharacterSelect carries `str mac | str macHdd` (GMS > 12).
    pub select_macs: bool,
    /// PIC packets carry `str macHdd` after `str mac` (GMS).
    pub mac_hdd: bool,
    /// CreateCharacter request shape.
    pub create: CreateShape,
    /// DeleteCharacter request shape.
    pub delete: DeleteShape,
    /// ServerListEntry shape.
    pub server_list: ServerListShape,
    /// GW_CharacterStat shape.
    pub stat: StatShape,
    /// AvatarLook and entry-tail shape.
    pub entry: EntryShape,
    /// CharacterList header/trailer shape.
    pub list: ListShape,
    /// View-all per-world packets end with `u8 loginOpt` (GMS ≥ 83, §14.2).
    pub view_all_login_opt: bool,
    /// ServerIP OK ends with `u32 ulPremiumArgument` (all but GMS 12).
    pub server_ip_premium: bool,
    /// After AuthSuccess the server sends the server-list burst at once (JMS, §6.1).
    pub server_list_after_auth: bool,
}

impl Rules {
    /// The rules of a supported version; an unsupported one is an error listing the supported.
    pub fn for_version(version: Version) -> Result<Self, VersionError> {
        Ok(Self::derive(version.check()?))
    }

    /// The rules of GMS 83.1.
    pub fn gms83() -> Self {
        Self::derive(Version::gms83())
    }

    /// Derives rules for any version from the thresholds (unsupported ones included).
    pub(crate) fn derive(v: Version) -> Self {
        let gms = !v.is_jms();
        Self {
            version: v,
            opcode_width: if v.gms_le(28) {
                OpcodeWidth::U8
            } else {
                OpcodeWidth::U16
            },
            shanda: gms,
            iv_expansion: if v.gms_le(12) {
                IvExpansion::FirstByte
            } else {
                IvExpansion::Repeat
            },
            locale: if gms { 8 } else { 3 },
            login_result_reserved: gms,
            auth_success: auth_success_shape(v),
            login_partner_code: v.gms_ge(61),
            world_start_mode: v.gms_ge(83),
            world_socket_addr: v.gms_ge(72) || v.is_jms(),
            status_world_u16: gms,
            after_login_account_id: gms && v.major < 83,
            view_all_request_fields: v.gms_ge(84),
            select_macs: v.gms_ge(13),
            mac_hdd: gms,
            create: create_shape(v),
            delete: delete_shape(v),
            server_list: server_list_shape(v),
            stat: stat_shape(v),
            entry: entry_shape(v),
            list: list_shape(v),
            view_all_login_opt: v.gms_ge(83),
            server_ip_premium: !v.gms_le(12),
            server_list_after_auth: v.is_jms(),
        }
    }

    /// The login option byte (AuthSuccess picFlag, CharacterList and view-all trailers, §14.2).
    ///
    /// GMS: `Ask` when the account has a PIC, else `Register` (Atlas's 0/1). JMS: always
    /// `Disabled` (2), which keeps the JMS client on the plain select 0x06 (§14.7, inference).
    pub fn pic_flag(&self, account_has_pic: bool) -> PicFlag {
        match (self.version.is_jms(), account_has_pic) {
            (true, _) => PicFlag::Disabled,
            (false, true) => PicFlag::Ask,
            (false, false) => PicFlag::Register,
        }
    }
}

fn auth_success_shape(v: Version) -> AuthSuccessShape {
    if v.is_jms() {
        return AuthSuccessShape::Jms;
    }
    if v.major <= 28 {
        return AuthSuccessShape::Legacy;
    }
    AuthSuccessShape::Gms(GmsAuthSuccess {
        country: v.major >= 72,
        num_of_character: v.major >= 61,
        pin_pic: v.major >= 83,
        client_key: v.major >= 84,
        wide_admin: v.major >= 93,
    })
}

fn create_shape(v: Version) -> CreateShape {
    match v {
        _ if v.is_jms() => CreateShape::Jms,
        _ if v.major <= 12 => CreateShape::Legacy,
        _ if v.major >= 87 => CreateShape::SubJob,
        _ => CreateShape::Classic,
    }
}

fn delete_shape(v: Version) -> DeleteShape {
    match v {
        _ if v.is_jms() => DeleteShape::CharacterIdOnly,
        _ if v.major <= 82 => DeleteShape::BirthDate,
        _ => DeleteShape::Pic,
    }
}

fn server_list_shape(v: Version) -> ServerListShape {
    match v {
        _ if v.is_jms() => ServerListShape::Jms,
        _ if v.major <= 12 => ServerListShape::Legacy,
        _ => ServerListShape::Gms,
    }
}

fn stat_shape(v: Version) -> StatShape {
    let jms = v.is_jms();
    StatShape {
        pets: if jms || v.major >= 61 { 3 } else { 1 },
        gacha_exp: jms || v.major >= 62,
        hp_u32: v.gms_ge(93),
        extend_sp: match v {
            _ if v.gms_ge(93) => ExtendSp::EvanAndResistance,
            _ if v.gms_ge(84) => ExtendSp::Evan,
            _ => ExtendSp::Never,
        },
        tail: match v {
            _ if jms => StatTail::Jms,
            _ if v.major <= 12 => StatTail::Legacy,
            _ if v.major <= 61 => StatTail::Nothing,
            _ if v.major <= 86 => StatTail::Playtime,
            _ => StatTail::PlaytimeSubJob,
        },
    }
}

fn entry_shape(v: Version) -> EntryShape {
    let legacy = v.gms_le(12);
    EntryShape {
        legacy_look: legacy,
        look_pets: if v.is_jms() || v.major >= 61 { 3 } else { 1 },
        family_byte: legacy || v.is_jms() || v.major >= 73,
        legacy_rank: legacy,
    }
}

fn list_shape(v: Version) -> ListShape {
    let jms = v.is_jms();
    ListShape {
        jms_header: jms,
        login_opt: jms || v.major >= 83,
        query_ssn: jms,
        slots: jms || v.major >= 61,
        buy_char_count: jms || v.major >= 91,
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
