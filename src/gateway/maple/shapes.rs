//! The small shape values a [`Rules`](super::Rules) is made of: one enum or flag set per
//! packet area whose layout differs between versions (§8, §14).

/// Width of the opcode at the start of every packet, both directions (§1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpcodeWidth {
    /// One byte (GMS ≤ 28).
    U8,
    /// Two bytes, little-endian (everything else).
    U16,
}

/// How the 4-byte IV becomes the 16-byte AES-OFB IV (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IvExpansion {
    /// `iv[0]` sixteen times (GMS ≤ 12, Atlas's `FillIvZeroGenerator`).
    FirstByte,
    /// The 4 bytes four times (everything else).
    Repeat,
}

/// Shape of the AuthSuccess body (§5.2, §8, §14.4, §14.5, §14.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthSuccessShape {
    /// GMS ≤ 28: `00 00 u32 0, id, gender, gm, admin, str name, 24 zero bytes`.
    Legacy,
    /// GMS ≥ 29 with per-version fields.
    Gms(GmsAuthSuccess),
    /// JMS 185: no reserved u32, three strings (§14.7).
    Jms,
}

/// Optional AuthSuccess fields of GMS ≥ 29 (§14.4, §14.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GmsAuthSuccess {
    /// `u8 countryId` after the admin field (GMS ≥ 72).
    pub country: bool,
    /// `u32 nNumOfCharacter` (GMS ≥ 61).
    pub num_of_character: bool,
    /// `u8 pinFlag | u8 picFlag` (GMS ≥ 83).
    pub pin_pic: bool,
    /// Trailing 8-byte client key (GMS ≥ 84).
    pub client_key: bool,
    /// Admin field is u16 instead of u8 (GMS ≥ 93; the evidence is v95 and `[R]`'s Big-Bang gate).
    pub wide_admin: bool,
}

/// Shape of a ServerListEntry (§5.2, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerListShape {
    /// GMS 12: `id, name, channels` (no state, event, rates, block byte or balloons).
    Legacy,
    /// GMS v83–v95 full entry.
    Gms,
    /// JMS: like GMS without the block-char-creation byte.
    Jms,
}

/// Which jobs carry the extended SP table instead of a u16 SP (§14.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendSp {
    /// Every job writes a u16 SP (GMS < 84: the client has no Evan; JMS 185 **(inference)**).
    Never,
    /// Evan jobs (2001, 2200–2218) write the table (GMS 84–92).
    Evan,
    /// Evan and Resistance (3xxx) jobs (GMS ≥ 93; the evidence is v95).
    EvanAndResistance,
}

/// What follows `u8 spawnPoint` in GW_CharacterStat (§8, §14.5, §14.6, §14.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatTail {
    /// GMS 12 as Atlas's v12 code writes it: `u64 0, u32 0, u32 0` (§14.5 "follow `[B]`").
    Legacy,
    /// Nothing (GMS 13–61).
    Nothing,
    /// `u32 nPlaytime` (GMS 62–86).
    Playtime,
    /// `u32 nPlaytime | u16 nSubJob` (GMS ≥ 87; v92 by inference, §14.6).
    PlaytimeSubJob,
    /// JMS: `u16 nSubJob | u64 0 | u32 nPlaytime | u32 0 | u32 0` (§14.7).
    Jms,
}

/// Shape of GW_CharacterStat (§5.2, §14.5, §14.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatShape {
    /// Number of u64 pet serials (1 below GMS 61, else 3).
    pub pets: u8,
    /// `u32 gachaExp` after fame (GMS ≥ 62, JMS).
    pub gacha_exp: bool,
    /// HP/MaxHP/MP/MaxMP are u32 (GMS ≥ 93; the evidence is v95).
    pub hp_u32: bool,
    /// Extended SP rule.
    pub extend_sp: ExtendSp,
    /// Fields after the spawn point.
    pub tail: StatTail,
}

/// Shape of AvatarLook and the entry tail (§5.2, §14.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryShape {
    /// GMS 12 look (`[B]`): no gender/skin/face/mega/hair header, `00` list terminators, u64 pet.
    pub legacy_look: bool,
    /// Pet item ids after the weapon sticker (1 below GMS 61, else 3).
    pub look_pets: u8,
    /// `u8 0` family byte after the look in list entries (GMS 12 `[B]`, GMS ≥ 73, JMS).
    pub family_byte: bool,
    /// GMS 12 (`[B]`) ranked tail `u32 1 | u8 1 | 4 × u32` instead of `u8 1 | 4 × u32`.
    pub legacy_rank: bool,
}

/// Fields around the entries of CharacterList (§5.2, §14.6, §14.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListShape {
    /// JMS: `str ""` between status and count.
    pub jms_header: bool,
    /// `u8 loginOpt` after the entries (GMS ≥ 83, JMS).
    pub login_opt: bool,
    /// JMS: `u8 m_bQuerySSNOnCreateNewCharacter` (0) after loginOpt.
    pub query_ssn: bool,
    /// `u32 slots` (GMS ≥ 61, JMS).
    pub slots: bool,
    /// `u32 nBuyCharCount` (GMS ≥ 91 per `[R]`'s gate, i.e. v92/v95; JMS).
    pub buy_char_count: bool,
}

/// Shape of the CreateCharacter request (§5.1, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateShape {
    /// GMS 12: name, face, hair, hairColor, skin, 4 equips, 4 × u8 stats.
    Legacy,
    /// GMS 83: name, job, face, hair, hairColor, skin, 4 equips, gender.
    Classic,
    /// GMS ≥ 87: as Classic with `u16 subJob` after the job.
    SubJob,
    /// JMS: name, job, subJob, face, hair, 4 equips.
    Jms,
}

/// Shape of the DeleteCharacter request (§5.1, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteShape {
    /// GMS ≤ 82: `u32 dob | u32 charId`.
    BirthDate,
    /// GMS ≥ 83: `str pic | u32 charId`.
    Pic,
    /// JMS: `u32 charId`.
    CharacterIdOnly,
}
