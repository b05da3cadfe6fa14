//! The `worlds` and `channels` domains (atlas-world): the server list, world status and the
//! channel a character is sent to. Talks to `WORLDS_SERVICE_URL` and `CHANNELS_SERVICE_URL`.

use serde::Serialize;

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::jsonapi::{Document, Resource};

/// JSON:API type of a world.
pub const WORLDS: &str = "worlds";
/// JSON:API type of a channel.
pub const CHANNELS: &str = "channels";

/// A world with its channels hydrated from `included` (sorted by channel id).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    #[serde(skip)]
    pub id: u8,
    pub name: String,
    pub state: u8,
    pub message: String,
    pub event_message: String,
    pub recommended: bool,
    pub recommended_message: String,
    /// 0 normal, 1 highly populated, 2 full.
    pub capacity_status: u16,
    pub exp_rate: f64,
    pub meso_rate: f64,
    pub item_drop_rate: f64,
    pub quest_exp_rate: f64,
    #[serde(skip)]
    pub channels: Vec<Channel>,
}

/// A channel server of a world. Channel ids are 0-based in Atlas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    /// A uuid as text (kept as sent).
    #[serde(skip)]
    pub id: String,
    pub world_id: u8,
    pub channel_id: u8,
    pub ip_address: String,
    pub port: u16,
    pub current_capacity: u32,
    pub max_capacity: u32,
    /// As sent (RFC 3339 text, or a number rendered as text).
    pub created_at: String,
}

impl World {
    /// Decodes a `worlds` resource and hydrates `channels` from the document's `included`.
    pub(crate) fn decode(doc: &Document, resource: &Resource) -> Result<World, RestError> {
        let f = resource.fields();
        let mut channels = doc
            .related(resource, CHANNELS)
            .into_iter()
            .map(Channel::decode)
            .collect::<Result<Vec<_>, _>>()?;
        channels.sort_by_key(|c| c.channel_id);
        Ok(World {
            id: resource.numeric_id()?,
            name: f.get("name")?,
            state: f.get("state")?,
            message: f.get("message")?,
            event_message: f.get("eventMessage")?,
            recommended: f.get("recommended")?,
            recommended_message: f.get("recommendedMessage")?,
            capacity_status: f.get("capacityStatus")?,
            exp_rate: f.get("expRate")?,
            meso_rate: f.get("mesoRate")?,
            item_drop_rate: f.get("itemDropRate")?,
            quest_exp_rate: f.get("questExpRate")?,
            channels,
        })
    }
}

impl Channel {
    pub(crate) fn decode(resource: &Resource) -> Result<Channel, RestError> {
        let f = resource.fields();
        Ok(Channel {
            id: resource.id.clone(),
            world_id: f.get("worldId")?,
            channel_id: f.get("channelId")?,
            ip_address: f.get("ipAddress")?,
            port: f.get("port")?,
            current_capacity: f.get("currentCapacity")?,
            max_capacity: f.get("maxCapacity")?,
            created_at: f.text("createdAt")?,
        })
    }
}

impl RestClient {
    /// GET `worlds?include=channels`, sorted by world id (the server-list order).
    pub async fn worlds(&self, ctx: &Context) -> Result<Vec<World>, RestError> {
        let doc = self
            .get(ctx, Domain::Worlds, "worlds?include=channels", WORLDS)
            .await?;
        let mut worlds = doc
            .many()
            .iter()
            .map(|r| World::decode(&doc, r))
            .collect::<Result<Vec<_>, _>>()?;
        worlds.sort_by_key(|w| w.id);
        Ok(worlds)
    }

    /// GET `worlds/{id}` without `include` (callers need only the status; channels are
    /// hydrated anyway if the service includes them).
    pub async fn world(&self, ctx: &Context, id: u8) -> Result<World, RestError> {
        let doc = self
            .get(ctx, Domain::Worlds, &format!("worlds/{id}"), WORLDS)
            .await?;
        World::decode(&doc, doc.one(WORLDS)?)
    }

    /// GET `worlds/{w}/channels/{c}`.
    pub async fn channel(
        &self,
        ctx: &Context,
        world: u8,
        channel: u8,
    ) -> Result<Channel, RestError> {
        let path = format!("worlds/{world}/channels/{channel}");
        let doc = self.get(ctx, Domain::Channels, &path, CHANNELS).await?;
        Channel::decode(doc.one(CHANNELS)?)
    }

    /// GET `worlds/{w}/channels`, sorted by channel id.
    pub async fn channels(&self, ctx: &Context, world: u8) -> Result<Vec<Channel>, RestError> {
        let path = format!("worlds/{world}/channels");
        let doc = self.get(ctx, Domain::Channels, &path, CHANNELS).await?;
        let mut channels = doc
            .many()
            .iter()
            .map(Channel::decode)
            .collect::<Result<Vec<_>, _>>()?;
        channels.sort_by_key(|c| c.channel_id);
        Ok(channels)
    }
}
