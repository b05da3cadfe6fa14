//! The `guilds` domain (atlas-guild): which guild a character is in, so delete can refuse a
//! leader. Talks to `GUILDS_SERVICE_URL`.

use serde::{Deserialize, Serialize};

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::jsonapi::Resource;

/// JSON:API type of a guild.
pub const GUILDS: &str = "guilds";

/// A guild and its members.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Guild {
    #[serde(skip)]
    pub id: u32,
    pub world_id: u8,
    pub name: String,
    pub notice: String,
    pub points: u32,
    pub capacity: u32,
    pub logo: u32,
    pub logo_color: u32,
    pub logo_background: u32,
    pub logo_background_color: u32,
    pub leader_id: u32,
    pub members: Vec<GuildMember>,
}

/// One member entry of a guild's `members` attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GuildMember {
    pub character_id: u32,
    pub name: String,
    pub job_id: u16,
    pub level: u8,
    pub title: u8,
    pub online: bool,
    pub alliance_title: u8,
}

impl Guild {
    /// True when the character leads this guild.
    pub fn is_leader(&self, character_id: u32) -> bool {
        self.leader_id == character_id
    }

    pub(crate) fn decode(resource: &Resource) -> Result<Guild, RestError> {
        let f = resource.fields();
        Ok(Guild {
            id: resource.numeric_id()?,
            world_id: f.get("worldId")?,
            name: f.get("name")?,
            notice: f.get("notice")?,
            points: f.get("points")?,
            capacity: f.get("capacity")?,
            logo: f.get("logo")?,
            logo_color: f.get("logoColor")?,
            logo_background: f.get("logoBackground")?,
            logo_background_color: f.get("logoBackgroundColor")?,
            leader_id: f.get("leaderId")?,
            members: f.get("members")?,
        })
    }
}

impl RestClient {
    /// GET `guilds?filter[members.id]={characterId}`. An empty list (or a 404) is "no guild",
    /// not an error (the fix of §9 #7).
    pub async fn guild_of(
        &self,
        ctx: &Context,
        character_id: u32,
    ) -> Result<Option<Guild>, RestError> {
        let path = format!("guilds?filter[members.id]={character_id}");
        match self.get(ctx, Domain::Guilds, &path, GUILDS).await {
            Ok(doc) => doc.many().first().map(Guild::decode).transpose(),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}
