//! Simulated atlas-character-factory: `POST characters/seed` validates, answers 202 with a
//! transaction id, then (after the data file's `seedDelayMs`) creates the character with its
//! starter equipment and reports through the [`SeedSink`](super::SeedSink).
//!
//! What the factory can check at once is a 400: unreadable body, name not 3–12 letters/digits
//! (or Japanese kana/kanji), gender above 1, unknown account or world, unknown job index.
//! Conflicts found while creating (name taken, no free slot in that world) are accepted and
//! then reported with `seed_failed`.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::http::{error, json_response, SimRequest, SimResponse};
use super::router::not_allowed;
use super::store::{new_inventory, TenantState};
use super::{SeedOrigin, Shared, SimTenant};
use crate::rest::jsonapi::{document, Document};
use crate::rest::{Asset, Character, SeedRequest, CHARACTERS};

pub(crate) fn handle(shared: &Arc<Shared>, tenant: &SimTenant, req: &SimRequest) -> SimResponse {
    if req.method != Method::POST {
        return not_allowed();
    }
    let seed = match Document::parse(CHARACTERS, &req.body)
        .and_then(|doc| doc.one(CHARACTERS).and_then(SeedRequest::decode))
    {
        Ok(seed) => seed,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    if let Err(reason) = shared.with_tenant(tenant.id, |t| validate(&seed, t)) {
        return error(StatusCode::BAD_REQUEST, &reason);
    }
    let transaction = Uuid::new_v4().to_string();
    let origin = SeedOrigin {
        tenant: tenant.clone(),
        traceparent: req.header("traceparent").map(str::to_owned),
        tracestate: req.header("tracestate").map(str::to_owned),
    };
    tokio::spawn(create(shared.clone(), origin, seed));
    let data = json!({"type": CHARACTERS, "id": transaction, "attributes": {}});
    json_response(StatusCode::ACCEPTED, &document(data))
}

/// A v83 job index → the first job id: 0 Noblesse, 1 Beginner, 2 Aran (Legend), 3 Evan.
pub(crate) fn job_id(job_index: u32) -> Option<u16> {
    match job_index {
        0 => Some(1000),
        1 => Some(0),
        2 => Some(2000),
        3 => Some(2001),
        _ => None,
    }
}

/// 3–12 characters, each an ASCII letter or digit, kana, or CJK ideograph (anchored).
pub(crate) fn valid_name(name: &str) -> bool {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || ('\u{3040}'..='\u{309F}').contains(&c)
            || ('\u{30A0}'..='\u{30FF}').contains(&c)
            || ('\u{4E00}'..='\u{9FAF}').contains(&c)
    };
    (3..=12).contains(&name.chars().count()) && name.chars().all(allowed)
}

fn validate(seed: &SeedRequest, t: &TenantState) -> Result<(), String> {
    if !valid_name(&seed.name) {
        return Err("name must be 3 to 12 letters or digits".into());
    }
    if seed.gender > 1 || u8::try_from(seed.skin_color).is_err() {
        return Err("gender or skin colour out of range".into());
    }
    if !t.accounts.contains_key(&seed.account_id) {
        return Err(format!("account {} does not exist", seed.account_id));
    }
    if !t.worlds.contains_key(&seed.world_id) {
        return Err(format!("world {} does not exist", seed.world_id));
    }
    job_id(seed.job_index)
        .map(|_| ())
        .ok_or_else(|| format!("job index {} is unknown", seed.job_index))
}

async fn create(shared: Arc<Shared>, origin: SeedOrigin, seed: SeedRequest) {
    tokio::time::sleep(shared.seed_delay).await;
    let outcome = shared.with_tenant(origin.tenant.id, |t| build(t, &seed));
    match outcome {
        Ok(id) => shared.seeds.seed_created(&origin, seed.account_id, id),
        Err(reason) => shared.seeds.seed_failed(&origin, seed.account_id, &reason),
    }
}

fn build(t: &mut TenantState, seed: &SeedRequest) -> Result<u32, String> {
    if !t.characters_named(&seed.name).is_empty() {
        return Err(format!("name {} is taken", seed.name));
    }
    let slots = t
        .accounts
        .get(&seed.account_id)
        .map_or(0, |a| a.character_slots);
    let used = t
        .characters_where(Some(seed.account_id), Some(seed.world_id))
        .len();
    if slots > 0 && used >= usize::from(slots.unsigned_abs()) {
        return Err("no free character slot".into());
    }
    let id = t.next_character_id();
    let mut next_asset = t.next_asset_id();
    let equipped = starter_equips(seed)
        .into_iter()
        .map(|(slot, template_id)| {
            let id = next_asset.to_string();
            next_asset += 1;
            Asset {
                id,
                slot,
                template_id,
                ..Asset::default()
            }
        })
        .collect();
    t.inventories.insert(id, new_inventory(id, equipped));
    t.characters.insert(id, character(id, seed));
    Ok(id)
}

/// Top −5, bottom −6, shoes −7, weapon −11 (templates of 0 are skipped).
fn starter_equips(seed: &SeedRequest) -> Vec<(i16, u32)> {
    [
        (-5, seed.top),
        (-6, seed.bottom),
        (-7, seed.shoes),
        (-11, seed.weapon),
    ]
    .into_iter()
    .filter(|(_, template)| *template != 0)
    .collect()
}

fn character(id: u32, seed: &SeedRequest) -> Character {
    Character {
        id,
        account_id: seed.account_id,
        world_id: seed.world_id,
        name: seed.name.clone(),
        level: seed.level.max(1),
        strength: seed.strength,
        dexterity: seed.dexterity,
        intelligence: seed.intelligence,
        luck: seed.luck,
        hp: seed.hp.into(),
        max_hp: seed.hp.into(),
        mp: seed.mp.into(),
        max_mp: seed.mp.into(),
        job_id: job_id(seed.job_index).unwrap_or(0),
        skin_color: u8::try_from(seed.skin_color).unwrap_or(0),
        gender: seed.gender,
        hair: seed.hair + seed.hair_color,
        face: seed.face,
        sp: vec![0; 10],
        map_id: seed.map_id,
        ..Character::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_anchored() {
        assert!(valid_name("Alice") && valid_name("abc") && valid_name("あいう"));
        assert!(!valid_name("ab") && !valid_name("thirteenchars") && !valid_name("bad name!"));
    }

    #[test]
    fn hair_colour_is_added_to_the_hair_id() {
        let mut seed = SeedRequest::new(1, 0, "Nova");
        (seed.hair, seed.hair_color, seed.job_index) = (30030, 2, 3);
        let c = character(9, &seed);
        assert_eq!(
            (c.hair, c.job_id, c.hp, c.level, c.strength),
            (30032, 2001, 50, 1, 13)
        );
    }
}
