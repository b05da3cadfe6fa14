//! The simulator's data file (`config/atlas-sim.json`): its shape, loading and validation.
//! Reads a file or a string; talks to nothing else.
//!
//! # Shape
//! ```text
//! {
//!   "attemptLimit": 5,     // PIN/PIC failures that answer limitReached (default 5)
//!   "seedDelayMs": 20,     // wait before a seed's status event is emitted (default 20)
//!   "configurations": {    // served as written, whatever the tenant headers say
//!     "services": [ { "id": "<service uuid>" | "default",  // default: for any other id
//!                     "tasks": [ {"type","interval","duration"} ],
//!                     "tenants": [ {"id": "<tenant uuid>", "port": 8300,
//!                                   // not Atlas's; honoured by the embedded mode only:
//!                                   "protocol"?: "maple" | "json-lines",
//!                                   "channels"?: [ {"worldId","channelId","ipAddress","port"} ] } ] } ],
//!     "tenants":  [ { "id": "<tenant uuid>", "region": "GMS", "majorVersion": 83,
//!                     "minorVersion": 1, "usesPin": false, "socket"?: {…}, … } ]
//!   },
//!   "tenants": {           // keyed by tenant uuid, or "default"
//!     "<tenant uuid>" | "default": {
//!       "accounts":   [ { "id": 1, <accounts attributes> } ],
//!       "worlds":     [ { "id": 0, <worlds attributes>,
//!                         "channels": [ { "channelId": 0, <channels attributes>, "id"?: "<uuid>" } ] } ],
//!       "characters": [ { "id": 1, <characters attributes>,
//!                         "equipped": [ { "slot": -1, "templateId": 1002140, <assets attributes> } ] } ],
//!       "guilds":     [ { "id": 1, <guilds attributes incl. "members": [ {"characterId": 1, …} ]> } ]
//!     }
//!   }
//! }
//! ```
//! Attribute names are the JSON:API attribute names of maple-protocol.md §7, read with the
//! client's Go-tolerant decoders (a missing attribute is the zero value; `sp` is the comma
//! list). A channel's `worldId` is its world's id; a channel without `id` gets a fixed uuid
//! made from world and channel ids. Each character gets an inventory with the five
//! compartments (capacity 24) and its `equipped` assets in the equip compartment.
//! A tenant without a section of its own is served a private copy of `default` (made on its
//! first request); with no `default` either, it sees empty services.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::store::{new_inventory, TenantState};
use super::SimError;
use crate::rest::jsonapi::{Document, Resource};
use crate::rest::{Account, Asset, Channel, Character, Guild, RestError, World};

/// A raw configuration resource: id and attributes, served unchanged.
pub(crate) type RawConfig = BTreeMap<String, Map<String, Value>>;

/// Everything a simulator starts with.
#[derive(Clone, Debug)]
pub struct SimData {
    /// Consecutive PIN/PIC failures at which `limitReached` is answered.
    pub attempt_limit: u32,
    /// Wait between a seed's 202 and its status event.
    pub seed_delay: Duration,
    pub(crate) services: RawConfig,
    pub(crate) tenant_configs: RawConfig,
    pub(crate) tenants: HashMap<Uuid, TenantState>,
    pub(crate) default: TenantState,
}

impl Default for SimData {
    fn default() -> Self {
        SimData {
            attempt_limit: 5,
            seed_delay: Duration::from_millis(20),
            services: RawConfig::new(),
            tenant_configs: RawConfig::new(),
            tenants: HashMap::new(),
            default: TenantState::default(),
        }
    }
}

impl SimData {
    /// The bundled demo data (`config/atlas-sim.json`).
    pub fn demo() -> Result<SimData, SimError> {
        SimData::from_json(include_str!("../../../config/atlas-sim.json"))
    }

    /// Reads a data file.
    pub fn load(path: impl AsRef<Path>) -> Result<SimData, SimError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SimError::Read {
            path: path.display().to_string(),
            source,
        })?;
        SimData::from_json(&text)
    }

    /// Parses a data document (shape in this module's doc).
    pub fn from_json(text: &str) -> Result<SimData, SimError> {
        let root: Value = serde_json::from_str(text).map_err(|e| data_error("file", e))?;
        let mut data = SimData::default();
        if let Some(limit) = number(&root, "attemptLimit")? {
            data.attempt_limit = u32::try_from(limit).map_err(|e| data_error("attemptLimit", e))?;
        }
        if let Some(ms) = number(&root, "seedDelayMs")? {
            data.seed_delay = Duration::from_millis(ms);
        }
        let configs = root.get("configurations");
        data.services = raw_configs(configs.and_then(|c| c.get("services")), "services")?;
        data.tenant_configs = raw_configs(configs.and_then(|c| c.get("tenants")), "tenants")?;
        for (key, section) in root
            .get("tenants")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let state = tenant_state(section).map_err(|e| data_error(key, e))?;
            if key == "default" {
                data.default = state;
            } else {
                let id = Uuid::parse_str(key).map_err(|e| data_error(key, e))?;
                data.tenants.insert(id, state);
            }
        }
        Ok(data)
    }

    /// The ids of the tenants with a section of their own.
    pub fn tenant_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.tenants.keys().copied().collect();
        ids.sort();
        ids
    }
}

fn data_error(place: &str, error: impl ToString) -> SimError {
    SimError::Data {
        reason: format!("{place}: {}", error.to_string()),
    }
}

fn number(root: &Value, key: &str) -> Result<Option<u64>, SimError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| data_error(key, "not a non-negative integer")),
    }
}

fn raw_configs(list: Option<&Value>, kind: &str) -> Result<RawConfig, SimError> {
    let mut out = RawConfig::new();
    for entry in list.and_then(Value::as_array).into_iter().flatten() {
        let mut attrs = entry.as_object().cloned().unwrap_or_default();
        let id = match attrs.remove("id") {
            Some(Value::String(id)) => id.to_ascii_lowercase(),
            _ => return Err(data_error(kind, "a configuration needs a string id")),
        };
        out.insert(id, attrs);
    }
    Ok(out)
}

fn entries<'a>(section: &'a Value, name: &str) -> impl Iterator<Item = &'a Value> {
    section
        .get(name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn tenant_state(section: &Value) -> Result<TenantState, RestError> {
    let mut state = TenantState::default();
    for entry in entries(section, "accounts") {
        let account = Account::decode(&Resource::flat("accounts", entry.clone())?)?;
        state.accounts.insert(account.id, account);
    }
    for entry in entries(section, "worlds") {
        let world = world(entry)?;
        state.worlds.insert(world.id, world);
    }
    let mut next_asset = 1;
    for entry in entries(section, "characters") {
        let character = Character::decode(&Resource::flat("characters", entry.clone())?)?;
        let equipped = equipped(entry, &mut next_asset)?;
        state
            .inventories
            .insert(character.id, new_inventory(character.id, equipped));
        state.characters.insert(character.id, character);
    }
    for entry in entries(section, "guilds") {
        let guild = Guild::decode(&Resource::flat("guilds", entry.clone())?)?;
        state.guilds.insert(guild.id, guild);
    }
    Ok(state)
}

fn world(entry: &Value) -> Result<World, RestError> {
    let mut world = World::decode(
        &Document::default(),
        &Resource::flat("worlds", entry.clone())?,
    )?;
    for channel in entries(entry, "channels") {
        let mut channel = Channel::decode(&Resource::flat("channels", channel.clone())?)?;
        channel.world_id = world.id;
        if channel.id.is_empty() {
            let seed = 0x5157_0000_0000_4000_8000_0000_0000_0000_u128;
            let low = (u128::from(world.id) << 8) | u128::from(channel.channel_id);
            channel.id = Uuid::from_u128(seed | low).to_string();
        }
        world.channels.push(channel);
    }
    world.channels.sort_by_key(|c| c.channel_id);
    Ok(world)
}

fn equipped(entry: &Value, next_asset: &mut u32) -> Result<Vec<Asset>, RestError> {
    let mut assets = Vec::new();
    for item in entries(entry, "equipped") {
        let mut asset = Asset::decode(&Resource::flat("assets", item.clone())?)?;
        if asset.id.is_empty() {
            asset.id = next_asset.to_string();
            *next_asset += 1;
        }
        assets.push(asset);
    }
    Ok(assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_demo_data_loads() {
        let data = SimData::demo().expect("demo data");
        assert_eq!(data.attempt_limit, 5);
        let gms83 = Uuid::parse_str("083839c6-c47c-42a6-9585-76492795d123").expect("uuid");
        assert_eq!(data.tenant_ids(), [gms83]);
        let names: Vec<&str> = data.tenants[&gms83]
            .accounts
            .values()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["admin", "newbie", "banned", "exiled", "alice", "bob"]
        );
        assert!(!data.default.accounts.is_empty());
    }

    #[test]
    fn bad_entries_name_where_they_are() {
        let bad_key = SimData::from_json(r#"{"tenants":{"nope":{}}}"#).expect_err("key");
        assert!(bad_key.to_string().contains("nope"), "{bad_key}");
        let bad_num = r#"{"tenants":{"default":{"worlds":[{"id":0,"capacityStatus":-1}]}}}"#;
        let err = SimData::from_json(bad_num).expect_err("number").to_string();
        assert!(err.contains("worlds.capacityStatus"), "{err}");
        let bad_limit = SimData::from_json(r#"{"attemptLimit":-1}"#).expect_err("limit");
        assert!(
            bad_limit.to_string().contains("attemptLimit"),
            "{bad_limit}"
        );
    }
}
