//! The `character factory` domain (atlas-character-factory): `POST characters/seed` starts a
//! character creation whose outcome arrives later on the seed-status Kafka topic. Talks to
//! `CHARACTER_FACTORY_SERVICE_URL`.

use reqwest::Method;
use serde::Serialize;
use uuid::Uuid;

use super::characters::CHARACTERS;
use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::jsonapi::{self, Resource};

/// What login asks the factory to create (§5.1 0x16, §7).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedRequest {
    pub account_id: u32,
    pub world_id: u8,
    pub name: String,
    pub gender: u8,
    pub job_index: u32,
    pub sub_job_index: u32,
    pub face: u32,
    pub hair: u32,
    pub hair_color: u32,
    pub skin_color: u32,
    pub top: u32,
    pub bottom: u32,
    pub shoes: u32,
    pub weapon: u32,
    pub level: u8,
    pub strength: u16,
    pub dexterity: u16,
    pub intelligence: u16,
    pub luck: u16,
    pub hp: u16,
    pub mp: u16,
    pub map_id: u32,
}

impl SeedRequest {
    /// A request with login's fixed values: level 1, 13/4/4/4, hp 50, mp 5, map 0; the look
    /// (job, face, hair, colours, equips, gender) is left for the caller to fill in.
    pub fn new(account_id: u32, world_id: u8, name: impl Into<String>) -> SeedRequest {
        SeedRequest {
            account_id,
            world_id,
            name: name.into(),
            level: 1,
            strength: 13,
            dexterity: 4,
            intelligence: 4,
            luck: 4,
            hp: 50,
            mp: 5,
            ..SeedRequest::default()
        }
    }

    pub(crate) fn decode(resource: &Resource) -> Result<SeedRequest, RestError> {
        let f = resource.fields();
        Ok(SeedRequest {
            account_id: f.get("accountId")?,
            world_id: f.get("worldId")?,
            name: f.get("name")?,
            gender: f.get("gender")?,
            job_index: f.get("jobIndex")?,
            sub_job_index: f.get("subJobIndex")?,
            face: f.get("face")?,
            hair: f.get("hair")?,
            hair_color: f.get("hairColor")?,
            skin_color: f.get("skinColor")?,
            top: f.get("top")?,
            bottom: f.get("bottom")?,
            shoes: f.get("shoes")?,
            weapon: f.get("weapon")?,
            level: f.get("level")?,
            strength: f.get("strength")?,
            dexterity: f.get("dexterity")?,
            intelligence: f.get("intelligence")?,
            luck: f.get("luck")?,
            hp: f.get("hp")?,
            mp: f.get("mp")?,
            map_id: f.get("mapId")?,
        })
    }
}

impl RestClient {
    /// POST `characters/seed` (a `characters` resource, id `"0"` as Go marshals a new one).
    /// Returns the transaction id, or `None` when the factory accepted with an empty body.
    pub async fn seed_character(
        &self,
        ctx: &Context,
        seed: &SeedRequest,
    ) -> Result<Option<Uuid>, RestError> {
        let body = jsonapi::document(jsonapi::resource(CHARACTERS, "0", seed));
        let doc = self
            .write(
                ctx,
                Method::POST,
                Domain::CharacterFactory,
                "characters/seed",
                CHARACTERS,
                &body,
            )
            .await?;
        let Some(doc) = doc else { return Ok(None) };
        let id = &doc.one(CHARACTERS)?.id;
        Uuid::parse_str(id)
            .map(Some)
            .map_err(|_| RestError::decode(CHARACTERS, "id", "transaction id is not a uuid"))
    }
}
