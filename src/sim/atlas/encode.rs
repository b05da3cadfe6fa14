//! The simulator's answers as JSON:API documents, built from the client's models so both
//! sides agree on attribute names. Pure.

use serde_json::{json, Map, Value};

use crate::rest::jsonapi::{document, resource};
use crate::rest::{
    Account, Channel, Character, Guild, Inventory, World, ACCOUNTS, ASSETS, CHANNELS, CHARACTERS,
    COMPARTMENTS, GUILDS, INVENTORIES, WORLDS,
};

pub(crate) fn account(a: &Account) -> Value {
    resource(ACCOUNTS, &a.id.to_string(), a)
}

pub(crate) fn character(c: &Character) -> Value {
    resource(CHARACTERS, &c.id.to_string(), c)
}

pub(crate) fn channel(c: &Channel) -> Value {
    resource(CHANNELS, &c.id, c)
}

pub(crate) fn guild(g: &Guild) -> Value {
    resource(GUILDS, &g.id.to_string(), g)
}

/// A world with its `channels` linkage (always) — the channels themselves go to `included`.
pub(crate) fn world(w: &World) -> Value {
    let mut value = resource(WORLDS, &w.id.to_string(), w);
    value["relationships"] = relationship(CHANNELS, w.channels.iter().map(|c| c.id.clone()));
    value
}

/// Worlds as the primary data (one or a list), channels included when asked for.
pub(crate) fn worlds_document(data: Value, worlds: &[&World], include_channels: bool) -> Value {
    let mut doc = document(data);
    if include_channels {
        let included: Vec<Value> = worlds
            .iter()
            .flat_map(|w| &w.channels)
            .map(channel)
            .collect();
        doc["included"] = Value::Array(included);
    }
    doc
}

/// An inventory with its compartments and their assets in `included`.
pub(crate) fn inventory_document(inv: &Inventory) -> Value {
    let mut data = resource(INVENTORIES, &inv.id, inv);
    let ids = inv.compartments.iter().map(|c| c.id.clone());
    data["relationships"] = relationship(COMPARTMENTS, ids);
    let mut included = Vec::new();
    for compartment in &inv.compartments {
        let mut value = resource(COMPARTMENTS, &compartment.id, compartment);
        let ids = compartment.assets.iter().map(|a| a.id.clone());
        value["relationships"] = relationship(ASSETS, ids);
        included.push(value);
        included.extend(
            compartment
                .assets
                .iter()
                .map(|a| resource(ASSETS, &a.id, a)),
        );
    }
    json!({ "data": data, "included": included })
}

/// A configuration resource served as written in the data file.
pub(crate) fn raw(kind: &str, id: &str, attributes: &Map<String, Value>) -> Value {
    document(json!({ "type": kind, "id": id, "attributes": attributes }))
}

fn relationship(kind: &str, ids: impl Iterator<Item = String>) -> Value {
    let data: Vec<Value> = ids.map(|id| json!({ "type": kind, "id": id })).collect();
    json!({ kind: { "data": data } })
}
