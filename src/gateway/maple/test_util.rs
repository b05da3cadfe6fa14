//! Test helpers shared by the unit tests: hex literals and sample views.

use super::model::{AccountView, ChannelView, CharacterView, EquipSlot, EquipmentView, WorldView};
use super::packet::Writer;
use super::rules::Rules;

/// Bytes of a hex string with optional spaces (`"0A 00 FF"`).
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// The body one writer call produces (no opcode).
pub(crate) fn body(rules: &Rules, f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut Writer::new(&mut out, rules.opcode_width));
    out
}

/// Deterministic xorshift PRNG for property-style loops.
pub(crate) struct Prng(pub u64);

impl Prng {
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// Account "admin", id 1, gender 0, PIN off, PIC to register, 3 slots.
pub(crate) fn account() -> AccountView {
    AccountView {
        id: 1,
        name: "admin".into(),
        uses_pin: false,
        character_slots: 3,
        ..AccountView::default()
    }
}

/// World 0 "Scania" with channels 0 and 1.
pub(crate) fn world() -> WorldView {
    WorldView {
        id: 0,
        name: "Scania".into(),
        flag: 2,
        event_message: "ev".into(),
        recommended_message: String::new(),
        channels: vec![
            ChannelView { id: 0, capacity: 5 },
            ChannelView {
                id: 1,
                capacity: 0x0102,
            },
        ],
        balloons: Vec::new(),
    }
}

/// A level-10 beginner with two visible items and one masked item.
pub(crate) fn character() -> CharacterView {
    CharacterView {
        id: 0x0102_0304,
        name: "Hero".into(),
        gender: 1,
        skin: 2,
        face: 20000,
        hair: 30000,
        level: 10,
        job: 100,
        str: 4,
        dex: 5,
        int: 6,
        luk: 7,
        hp: 50,
        max_hp: 60,
        mp: 5,
        max_mp: 6,
        ap: 3,
        sp: vec![2],
        exp: 0x0A0B,
        fame: -1,
        gacha_exp: 9,
        map_id: 100_000_000,
        spawn_point: 0,
        sub_job: 0,
        gm: false,
        equipment: EquipmentView {
            visible: vec![
                EquipSlot {
                    slot: 5,
                    item_id: 1_040_002,
                },
                EquipSlot {
                    slot: 11,
                    item_id: 1_302_000,
                },
            ],
            masked: vec![EquipSlot {
                slot: 5,
                item_id: 1_040_006,
            }],
            weapon_sticker: 0,
        },
        rank: Default::default(),
    }
}
