//! Atlas's resources (worlds, characters and their equipped items) as the codec's view structs:
//! what a world shows in the server list, what a character entry shows (§5.2).

use std::collections::BTreeMap;

use super::model::{ChannelView, CharacterView, EquipSlot, EquipmentView, WorldView};
use crate::rest::World;
use crate::session::output::CharacterInfo;

/// A world with its hydrated channels.
pub fn world_view(world: &World) -> WorldView {
    WorldView {
        id: world.id,
        name: world.name.clone(),
        flag: world.state,
        event_message: world.event_message.clone(),
        recommended_message: world.recommended_message.clone(),
        channels: world
            .channels
            .iter()
            .map(|c| ChannelView {
                id: c.channel_id,
                capacity: c.current_capacity,
            })
            .collect(),
        balloons: Vec::new(),
    }
}

/// A character and its equipment.
pub fn character_view(info: &CharacterInfo) -> CharacterView {
    let c = &info.character;
    CharacterView {
        id: c.id,
        name: c.name.clone(),
        gender: c.gender,
        skin: c.skin_color,
        face: c.face,
        hair: c.hair,
        level: c.level,
        job: c.job_id,
        str: c.strength,
        dex: c.dexterity,
        int: c.intelligence,
        luk: c.luck,
        hp: c.hp,
        max_hp: c.max_hp,
        mp: c.mp,
        max_mp: c.max_mp,
        ap: c.ap,
        sp: c.sp.clone(),
        exp: c.experience,
        fame: c.fame,
        gacha_exp: c.gachapon_experience,
        map_id: c.map_id,
        spawn_point: 0,
        sub_job: 0,
        gm: c.gm == 1,
        equipment: equipment(info),
        rank: Default::default(),
    }
}

/// The avatar's two item lists: per body position the cash item when there is one, else the
/// regular item (visible); the regular items under a cash item (masked). By position.
fn equipment(info: &CharacterInfo) -> EquipmentView {
    let mut regular = BTreeMap::new();
    let mut cash = BTreeMap::new();
    for asset in info.inventory.equipped() {
        match asset.equip_position() {
            Some((position, true)) => cash.entry(position).or_insert(asset.template_id),
            Some((position, false)) => regular.entry(position).or_insert(asset.template_id),
            None => continue,
        };
    }
    let slot = |(slot, item_id): (&u8, &u32)| EquipSlot {
        slot: *slot,
        item_id: *item_id,
    };
    let mut visible: BTreeMap<u8, u32> = regular.clone();
    visible.extend(cash.iter().map(|(p, i)| (*p, *i)));
    EquipmentView {
        visible: visible.iter().map(slot).collect(),
        masked: regular
            .iter()
            .filter(|(p, _)| cash.contains_key(p))
            .map(slot)
            .collect(),
        weapon_sticker: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::{Asset, Character, Compartment, Inventory, EQUIP};

    fn asset(slot: i16, template_id: u32) -> Asset {
        Asset {
            slot,
            template_id,
            ..Asset::default()
        }
    }

    #[test]
    fn a_cash_item_shows_over_the_regular_one_which_is_masked() {
        let inventory = Inventory {
            compartments: vec![Compartment {
                kind: EQUIP,
                assets: vec![
                    asset(-1, 1002140),   // hat
                    asset(-101, 1002186), // cash hat over it
                    asset(-5, 1040002),   // top
                    asset(-11, 1302000),  // weapon
                    asset(3, 1002000),    // in the bag: not worn
                ],
                ..Compartment::default()
            }],
            ..Inventory::default()
        };
        let info = CharacterInfo {
            character: Character::default(),
            inventory,
        };
        let e = equipment(&info);
        let pairs = |l: &[EquipSlot]| l.iter().map(|s| (s.slot, s.item_id)).collect::<Vec<_>>();
        assert_eq!(
            pairs(&e.visible),
            [(1, 1002186), (5, 1040002), (11, 1302000)]
        );
        assert_eq!(pairs(&e.masked), [(1, 1002140)]);
    }
}
