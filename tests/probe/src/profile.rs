//! Per-version packet rules as data (§8 table, §14): which fields exist in what the client
//! sends and parses. Code elsewhere reads these flags instead of comparing version numbers.

use crate::opcodes::{self, ClientOpcodes, ServerOpcodes};

/// Everything version-specific the client needs beyond the crypto rules.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Opcodes the client sends.
    pub client: ClientOpcodes,
    /// Opcodes the server sends.
    pub server: ServerOpcodes,
    pub(crate) layout: Layout,
}

impl Profile {
    /// Whether DeleteCharacter carries the birth date (`u32` YYYYMMDD, GMS ≤ 82) where later
    /// versions carry the PIC.
    pub fn deletes_by_birth_date(&self) -> bool {
        self.layout.delete == DeleteShape::BirthDate
    }
}

/// Field presence per version (crate-private; see the `const` tables below).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// Login request ends with `u8 0, u32 partnerCode` (GMS ≥ 61, §14.5).
    pub login_partner_code: bool,
    /// Login results start `u8 code, u8 regStat, u32 reserved` (GMS) rather than `u8, u8` (JMS).
    pub result_reserved: bool,
    /// AuthSuccess shape (§5.2, §14.4, §14.5, §14.7).
    pub auth: AuthShape,
    /// JMS pushes the server-list burst right after AuthSuccess (§6.1).
    pub server_list_after_auth: bool,
    /// ServerListEntry shape (§5.2, §8).
    pub world: WorldShape,
    /// SelectWorld and Recommendations follow ServerListEnd.
    pub world_burst_tail: bool,
    /// CharacterListWorld request carries `u8 gameStartMode` first.
    pub list_game_start_mode: bool,
    /// CharacterListWorld request ends with `i32 socketAddr`.
    pub list_socket_addr: bool,
    /// CharacterList carries `str ""` after the status (JMS).
    pub list_header_string: bool,
    /// CharacterList trailer.
    pub list_trailer: ListTrailer,
    /// GW_CharacterStat shape.
    pub stat: StatShape,
    /// AvatarLook and entry-tail shape is GMS 12's ([B], §14.5).
    pub legacy_entry: bool,
    /// CreateCharacter request shape.
    pub create: CreateShape,
    /// DeleteCharacter request shape.
    pub delete: DeleteShape,
    /// Select requests carry `str mac, str macHdd`.
    pub select_macs: bool,
    /// ServerIP success ends with `u32 ulPremiumArgument`.
    pub server_ip_premium: bool,
    /// ViewAll request is `u8, str, str, u32, u8` (GMS > 83) rather than empty.
    pub view_all_request_full: bool,
    /// ViewAll per-world packet must end with `u8 loginOpt` (v95); elsewhere it is optional.
    pub view_all_login_opt_required: bool,
    /// AfterLogin carries `u32 accountId` before the PIN (GMS < 83).
    pub after_login_account_id: bool,
}

/// AuthSuccess body variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthShape {
    /// GMS ≤ 28: no country, `u64 ×3` after the name.
    Gms12,
    /// GMS 83+: country, flags; `u16` sub-grade (v95) and the 8-byte client key (v84+).
    Gms {
        wide_sub_grade: bool,
        client_key: bool,
    },
    /// JMS 185: three strings, no reserved u32.
    Jms,
}

/// ServerListEntry variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WorldShape {
    /// id, name, channels; no state/rates/block byte, no balloons.
    Gms12,
    /// The v83 layout.
    Gms,
    /// v83 without the block byte.
    Jms,
}

/// CharacterList trailer variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListTrailer {
    /// Nothing after the entries (GMS 12).
    None,
    /// `u8 loginOpt | u32 slots` and, if `buy_count`, `u32 nBuyCharCount`.
    Gms { buy_count: bool },
    /// `u8 loginOpt | u8 querySSN | u32 slots | u32 nBuyCharCount`.
    Jms,
}

/// GW_CharacterStat variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatShape {
    /// Number of `u64` pet serial numbers (1 for GMS 12, else 3).
    pub pet_sns: usize,
    /// HP/MaxHP/MP/MaxMP are u32 (v95) rather than u16.
    pub wide_hp: bool,
    /// Which jobs carry ExtendSP instead of `u16 sp`.
    pub extend_sp: ExtendSp,
    /// `u32 gachaExp` present.
    pub gacha_exp: bool,
    /// What follows `u8 spawnPoint`.
    pub tail: StatTail,
}

/// Jobs whose SP is an ExtendSP table (§14.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtendSp {
    /// Always `u16 sp`.
    Never,
    /// Evan (2001, 22xx).
    Evan,
    /// Evan and Resistance (3xxx).
    EvanResistance,
}

/// What follows the spawn point in GW_CharacterStat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatTail {
    /// `u64, u32, u32` ([B] GMS 12).
    Gms12,
    /// `u32 nPlaytime` (v83).
    Playtime,
    /// `u32 nPlaytime | u16 nSubJob` (v87+).
    PlaytimeSubJob,
    /// `u16 subJob | 8 bytes | u32 nPlaytime | u32 | u32` (JMS 185).
    Jms,
}

/// CreateCharacter request variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CreateShape {
    /// name, face, hair, hairColor, skin, 4 equips, `u8` STR/DEX/INT/LUK.
    Gms12,
    /// name, job, face … weapon, gender; `sub_job` adds `u16 subJob` after the job.
    Gms { sub_job: bool },
    /// name, job, subJob, face, hair, 4 equips.
    Jms,
}

/// DeleteCharacter request variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteShape {
    /// `u32 dob | u32 charId` (GMS ≤ 82).
    BirthDate,
    /// `str pic | u32 charId`.
    Pic,
    /// `u32 charId` (JMS).
    IdOnly,
}

const GMS83_LAYOUT: Layout = Layout {
    login_partner_code: true,
    result_reserved: true,
    auth: AuthShape::Gms {
        wide_sub_grade: false,
        client_key: false,
    },
    server_list_after_auth: false,
    world: WorldShape::Gms,
    world_burst_tail: true,
    list_game_start_mode: true,
    list_socket_addr: true,
    list_header_string: false,
    list_trailer: ListTrailer::Gms { buy_count: false },
    stat: StatShape {
        pet_sns: 3,
        wide_hp: false,
        extend_sp: ExtendSp::Never,
        gacha_exp: true,
        tail: StatTail::Playtime,
    },
    legacy_entry: false,
    create: CreateShape::Gms { sub_job: false },
    delete: DeleteShape::Pic,
    select_macs: true,
    server_ip_premium: true,
    view_all_request_full: false,
    view_all_login_opt_required: false,
    after_login_account_id: false,
};

const GMS87_LAYOUT: Layout = Layout {
    auth: AuthShape::Gms {
        wide_sub_grade: false,
        client_key: true,
    },
    stat: StatShape {
        extend_sp: ExtendSp::Evan,
        tail: StatTail::PlaytimeSubJob,
        ..GMS83_LAYOUT.stat
    },
    create: CreateShape::Gms { sub_job: true },
    view_all_request_full: true,
    ..GMS83_LAYOUT
};

const GMS92_LAYOUT: Layout = Layout {
    list_trailer: ListTrailer::Gms { buy_count: true },
    ..GMS87_LAYOUT
};

const GMS95_LAYOUT: Layout = Layout {
    auth: AuthShape::Gms {
        wide_sub_grade: true,
        client_key: true,
    },
    stat: StatShape {
        wide_hp: true,
        extend_sp: ExtendSp::EvanResistance,
        ..GMS87_LAYOUT.stat
    },
    view_all_login_opt_required: true,
    ..GMS92_LAYOUT
};

const GMS12_LAYOUT: Layout = Layout {
    login_partner_code: false,
    auth: AuthShape::Gms12,
    world: WorldShape::Gms12,
    world_burst_tail: false,
    list_game_start_mode: false,
    list_socket_addr: false,
    list_trailer: ListTrailer::None,
    stat: StatShape {
        pet_sns: 1,
        wide_hp: false,
        extend_sp: ExtendSp::Never,
        gacha_exp: false,
        tail: StatTail::Gms12,
    },
    legacy_entry: true,
    create: CreateShape::Gms12,
    delete: DeleteShape::BirthDate,
    select_macs: false,
    server_ip_premium: false,
    after_login_account_id: true,
    ..GMS83_LAYOUT
};

const JMS185_LAYOUT: Layout = Layout {
    login_partner_code: false,
    result_reserved: false,
    auth: AuthShape::Jms,
    server_list_after_auth: true,
    world: WorldShape::Jms,
    list_game_start_mode: false,
    list_header_string: true,
    list_trailer: ListTrailer::Jms,
    stat: StatShape {
        tail: StatTail::Jms,
        ..GMS83_LAYOUT.stat
    },
    create: CreateShape::Jms,
    delete: DeleteShape::IdOnly,
    select_macs: false,
    ..GMS83_LAYOUT
};

/// The profile of one of the shipped versions (§8): GMS 12, 83, 87, 92, 95 and JMS 185.
pub(crate) fn lookup(region: &str, major: u16) -> Option<&'static Profile> {
    static GMS12: Profile = profile(opcodes::GMS12_CLIENT, opcodes::GMS12_SERVER, GMS12_LAYOUT);
    static GMS83: Profile = profile(opcodes::GMS83_CLIENT, opcodes::GMS83_SERVER, GMS83_LAYOUT);
    static GMS87: Profile = profile(opcodes::GMS87_CLIENT, opcodes::GMS83_SERVER, GMS87_LAYOUT);
    static GMS92: Profile = profile(opcodes::GMS92_CLIENT, opcodes::GMS83_SERVER, GMS92_LAYOUT);
    static GMS95: Profile = profile(opcodes::GMS95_CLIENT, opcodes::GMS95_SERVER, GMS95_LAYOUT);
    static JMS185: Profile = profile(
        opcodes::JMS185_CLIENT,
        opcodes::JMS185_SERVER,
        JMS185_LAYOUT,
    );
    match (region, major) {
        ("GMS", 12) => Some(&GMS12),
        ("GMS", 83) => Some(&GMS83),
        ("GMS", 87) => Some(&GMS87),
        ("GMS", 92) => Some(&GMS92),
        ("GMS", 95) => Some(&GMS95),
        ("JMS", 185) => Some(&JMS185),
        _ => None,
    }
}

const fn profile(client: ClientOpcodes, server: ServerOpcodes, layout: Layout) -> Profile {
    Profile {
        client,
        server,
        layout,
    }
}
