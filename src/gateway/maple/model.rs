//! Plain view structs the caller maps its own account, world and character data into; the
//! response writers take nothing else (no REST or Kafka types reach this library).

/// The login option byte (`m_bLoginOpt`): AuthSuccess picFlag, CharacterList and view-all
/// trailers (§14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PicFlag {
    /// 0: PIC in use but not registered; the client asks to register one.
    #[default]
    Register,
    /// 1: PIC registered; the client asks for it.
    Ask,
    /// 2: no PIC; the client selects without one.
    Disabled,
}

impl PicFlag {
    /// The wire byte.
    pub fn byte(self) -> u8 {
        match self {
            Self::Register => 0,
            Self::Ask => 1,
            Self::Disabled => 2,
        }
    }
}

/// What AuthSuccess and CharacterList need of an account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountView {
    /// Account id.
    pub id: u32,
    /// Account name (written into the `nexonClubID` slot, §5.2).
    pub name: String,
    /// Gender; 10 makes the client open the gender dialog (§5.2).
    pub gender: u8,
    /// GM grade byte (`nGradeCode`); Atlas always writes 0.
    pub gm: bool,
    /// Tenant `usesPin`; the wire pinFlag is its negation (0 = PIN on).
    pub uses_pin: bool,
    /// Login option (see [`super::Rules::pic_flag`]).
    pub pic_flag: PicFlag,
    /// Character slots (`characterSlots`), CharacterList trailer.
    pub character_slots: u32,
    /// Client key of GMS ≥ 84 AuthSuccess (Atlas sends zeros, §14.4).
    pub client_key: [u8; 8],
}

/// One channel of a world in the server list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelView {
    /// Atlas channel id, 0-based.
    pub id: u8,
    /// Current capacity (`nUserNo`).
    pub capacity: u32,
}

/// A server-list balloon (shown on the world-select map).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BalloonView {
    /// X position.
    pub x: u16,
    /// Y position.
    pub y: u16,
    /// Text.
    pub message: String,
}

/// What the server-list burst needs of a world.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorldView {
    /// World id.
    pub id: u8,
    /// World name.
    pub name: String,
    /// Flag: 0 none, 1 event, 2 new, 3 hot (`state`).
    pub flag: u8,
    /// Event message.
    pub event_message: String,
    /// Recommendation text; empty = not recommended.
    pub recommended_message: String,
    /// Channels, hydrated (§9 #5).
    pub channels: Vec<ChannelView>,
    /// Balloons; Atlas `[B]` sends none.
    pub balloons: Vec<BalloonView>,
}

/// One equipped item as the avatar shows it: `slot` = −position, cash positions folded (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EquipSlot {
    /// Slot byte (1..=0xFE; 0xFF is the list terminator).
    pub slot: u8,
    /// Item template id.
    pub item_id: u32,
}

/// Equipment already resolved by the caller into the two AvatarLook lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EquipmentView {
    /// Visible items (cash item if present, else regular), in the order to write.
    pub visible: Vec<EquipSlot>,
    /// Regular items hidden under a cash item.
    pub masked: Vec<EquipSlot>,
    /// Weapon sticker / cash weapon id (Atlas writes 0).
    pub weapon_sticker: u32,
}

/// Login-screen ranking numbers (all 0 in Atlas `[B]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RankView {
    /// World rank.
    pub rank: u32,
    /// World rank move.
    pub rank_move: u32,
    /// Job rank.
    pub job_rank: u32,
    /// Job rank move.
    pub job_rank_move: u32,
}

/// What a character entry needs of a character.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CharacterView {
    /// Character id.
    pub id: u32,
    /// Name; written as 13 raw bytes, NUL-padded, truncated (§3.7).
    pub name: String,
    /// Gender.
    pub gender: u8,
    /// Skin colour.
    pub skin: u8,
    /// Face id.
    pub face: u32,
    /// Hair id.
    pub hair: u32,
    /// Level.
    pub level: u8,
    /// Job id.
    pub job: u16,
    /// STR.
    pub str: u16,
    /// DEX.
    pub dex: u16,
    /// INT.
    pub int: u16,
    /// LUK.
    pub luk: u16,
    /// HP (u16 on the wire before GMS 93, saturated).
    pub hp: u32,
    /// Max HP.
    pub max_hp: u32,
    /// MP.
    pub mp: u32,
    /// Max MP.
    pub max_mp: u32,
    /// AP.
    pub ap: u16,
    /// SP per job level (Atlas's comma list): `sp[0]` is the u16 SP; extended-SP jobs write
    /// `(index + 1, sp)` for every non-zero entry (§14.6).
    pub sp: Vec<u16>,
    /// EXP.
    pub exp: u32,
    /// Fame.
    pub fame: i16,
    /// Gachapon EXP.
    pub gacha_exp: u32,
    /// Map id.
    pub map_id: u32,
    /// Spawn point (Atlas always writes 0).
    pub spawn_point: u8,
    /// Sub-job (`nSubJob`, GMS ≥ 87 and JMS; Atlas has none and writes 0).
    pub sub_job: u16,
    /// GM characters get no rank block (`character.gm == 1`).
    pub gm: bool,
    /// Resolved equipment.
    pub equipment: EquipmentView,
    /// Rank numbers for non-GM characters.
    pub rank: RankView,
}
