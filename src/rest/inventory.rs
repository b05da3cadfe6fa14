//! The `inventory` domain (atlas-inventory): a character's compartments and their assets,
//! hydrated from `included`, and the equipped items login draws. Talks to
//! `INVENTORY_SERVICE_URL`.

use serde::Serialize;

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::jsonapi::{Document, Resource};

/// JSON:API type of an inventory.
pub const INVENTORIES: &str = "inventories";
/// JSON:API type of a compartment (one per inventory type).
pub const COMPARTMENTS: &str = "compartments";
/// JSON:API type of an asset (an item in a slot).
pub const ASSETS: &str = "assets";
/// Compartment `type` of equipment (2 use, 3 setup, 4 etc, 5 cash).
pub const EQUIP: u8 = 1;

/// A character's inventory.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    #[serde(skip)]
    pub id: String,
    pub character_id: u32,
    #[serde(skip)]
    pub compartments: Vec<Compartment>,
}

/// One compartment (equip, use, setup, etc, cash) with its assets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Compartment {
    #[serde(skip)]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: u8,
    pub capacity: u32,
    #[serde(skip)]
    pub assets: Vec<Asset>,
}

/// An item in a slot. Equipped items have negative slots; cash equips are at `-1xx`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    #[serde(skip)]
    pub id: String,
    pub slot: i16,
    pub template_id: u32,
    /// As sent (RFC 3339 text, or a number rendered as text).
    pub expiration: String,
    pub created_at: String,
    pub quantity: u32,
    pub owner_id: u32,
    pub flag: u16,
    pub cash_id: String,
    pub pet_id: u32,
}

impl Asset {
    /// For an equipped asset: the body position (hat 1, top 5, …, weapon 11) and whether it
    /// is the cash layer (slot ≤ −101, folded with +100); `None` for an unequipped asset.
    pub fn equip_position(&self) -> Option<(u8, bool)> {
        let position = -i32::from(self.slot);
        match position {
            1..=100 => u8::try_from(position).ok().map(|p| (p, false)),
            101..=355 => u8::try_from(position - 100).ok().map(|p| (p, true)),
            _ => None,
        }
    }

    pub(crate) fn decode(resource: &Resource) -> Result<Asset, RestError> {
        let f = resource.fields();
        Ok(Asset {
            id: resource.id.clone(),
            slot: f.get("slot")?,
            template_id: f.get("templateId")?,
            expiration: f.text("expiration")?,
            created_at: f.text("createdAt")?,
            quantity: f.get("quantity")?,
            owner_id: f.get("ownerId")?,
            flag: f.get("flag")?,
            cash_id: f.text("cashId")?,
            pet_id: f.get("petId")?,
        })
    }
}

impl Inventory {
    /// The compartment of a type, if the service sent it.
    pub fn compartment(&self, kind: u8) -> Option<&Compartment> {
        self.compartments.iter().find(|c| c.kind == kind)
    }

    /// Assets of the equip compartment with negative slots, ordered −1, −2, …, −101, ….
    pub fn equipped(&self) -> Vec<&Asset> {
        let mut items: Vec<&Asset> = self
            .compartment(EQUIP)
            .map(|c| c.assets.iter().filter(|a| a.slot < 0).collect())
            .unwrap_or_default();
        items.sort_by_key(|a| std::cmp::Reverse(a.slot));
        items
    }

    pub(crate) fn decode(doc: &Document, resource: &Resource) -> Result<Inventory, RestError> {
        let compartments = doc
            .related(resource, COMPARTMENTS)
            .into_iter()
            .map(|c| Compartment::decode(doc, c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Inventory {
            id: resource.id.clone(),
            character_id: resource.fields().get("characterId")?,
            compartments,
        })
    }
}

impl Compartment {
    fn decode(doc: &Document, resource: &Resource) -> Result<Compartment, RestError> {
        let f = resource.fields();
        let assets = doc
            .related(resource, ASSETS)
            .into_iter()
            .map(Asset::decode)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Compartment {
            id: resource.id.clone(),
            kind: f.get("type")?,
            capacity: f.get("capacity")?,
            assets,
        })
    }
}

impl RestClient {
    /// GET `characters/{id}/inventory`, compartments and assets hydrated.
    pub async fn inventory(
        &self,
        ctx: &Context,
        character_id: u32,
    ) -> Result<Inventory, RestError> {
        let path = format!("characters/{character_id}/inventory");
        let doc = self.get(ctx, Domain::Inventory, &path, INVENTORIES).await?;
        Inventory::decode(&doc, doc.one(INVENTORIES)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(slot: i16) -> Asset {
        Asset {
            slot,
            ..Asset::default()
        }
    }

    #[test]
    fn equip_positions_fold_the_cash_layer() {
        assert_eq!(asset(-1).equip_position(), Some((1, false)));
        assert_eq!(asset(-11).equip_position(), Some((11, false)));
        assert_eq!(asset(-101).equip_position(), Some((1, true)));
        assert_eq!(asset(3).equip_position(), None);
        assert_eq!(asset(i16::MIN).equip_position(), None);
    }

    #[test]
    fn equipped_is_the_negative_slots_of_the_equip_compartment() {
        let equip = Compartment {
            kind: EQUIP,
            assets: vec![asset(1), asset(-101), asset(-5), asset(-1)],
            ..Compartment::default()
        };
        let cash = Compartment {
            kind: 5,
            assets: vec![asset(-3)],
            ..Compartment::default()
        };
        let inv = Inventory {
            compartments: vec![cash, equip],
            ..Inventory::default()
        };
        let slots: Vec<i16> = inv.equipped().iter().map(|a| a.slot).collect();
        assert_eq!(slots, [-1, -5, -101]);
        assert!(Inventory::default().equipped().is_empty());
    }
}
