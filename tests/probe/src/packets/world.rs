//! Server-list burst (ServerListEntry/End, SelectWorld, Recommendations) and ServerStatus (§5.2, §8).

use crate::error::Result;
use crate::profile::{Layout, WorldShape};
use crate::wire::Reader;

/// One world of the server list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct World {
    /// World id.
    pub id: u8,
    /// World name.
    pub name: String,
    /// Flag: 0 none, 1 event, 2 new, 3 hot (absent in GMS 12: 0).
    pub state: u8,
    /// Event message (absent in GMS 12: empty).
    pub event_message: String,
    /// Event EXP % (absent in GMS 12: 0).
    pub exp_rate: u16,
    /// Event drop % (absent in GMS 12: 0).
    pub drop_rate: u16,
    /// Character creation blocked (GMS ≥ 83 only).
    pub block_char_creation: bool,
    /// Channels.
    pub channels: Vec<Channel>,
    /// Balloon messages (absent in GMS 12).
    pub balloons: Vec<Balloon>,
}

/// One channel of a world entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Display name, e.g. "Scania - 1".
    pub name: String,
    /// Current capacity (nUserNo).
    pub load: u32,
    /// World id byte (nWorldID).
    pub world_id: u8,
    /// Channel id byte (Atlas writes channelId - 1, §5.2).
    pub id: u8,
    /// Adult channel flag.
    pub adult: bool,
}

/// A world-selection balloon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balloon {
    /// X position.
    pub x: u16,
    /// Y position.
    pub y: u16,
    /// Text.
    pub message: String,
}

/// A recommended world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// World id.
    pub world_id: u32,
    /// Reason text.
    pub reason: String,
}

/// The whole burst answered to a server-list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerList {
    /// Worlds in the order received.
    pub worlds: Vec<World>,
    /// SelectWorld's world id (absent for GMS 12).
    pub selected_world: Option<u32>,
    /// Recommendations (absent for GMS 12).
    pub recommendations: Vec<Recommendation>,
}

/// A ServerListEntry packet: a world, or the `0xFF` end marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WorldPacket {
    /// ServerListEntry.
    Entry(World),
    /// ServerListEnd.
    End,
}

/// Parses a ServerListEntry / ServerListEnd body.
pub(crate) fn parse_entry(layout: &Layout, body: &[u8]) -> Result<WorldPacket> {
    if body.first() == Some(&0xFF) {
        let mut r = Reader::new("ServerListEnd", body);
        r.take(1, "end")?;
        r.finish()?;
        return Ok(WorldPacket::End);
    }
    let mut r = Reader::new("ServerListEntry", body);
    let mut w = World {
        id: r.u8("worldId")?,
        name: r.string("worldName")?,
        ..World::default()
    };
    if layout.world != WorldShape::Gms12 {
        w.state = r.u8("state")?;
        w.event_message = r.string("eventMessage")?;
        w.exp_rate = r.u16("eventExpRate")?;
        w.drop_rate = r.u16("eventDropRate")?;
    }
    if layout.world == WorldShape::Gms {
        w.block_char_creation = r.bool("blockCharCreation")?;
    }
    let count = r.u8("channelCount")?;
    for _ in 0..count {
        w.channels.push(parse_channel(&mut r)?);
    }
    if layout.world != WorldShape::Gms12 {
        let balloons = r.u16("balloonCount")?;
        for _ in 0..balloons {
            w.balloons.push(Balloon {
                x: r.u16("balloonX")?,
                y: r.u16("balloonY")?,
                message: r.string("balloonMessage")?,
            });
        }
    }
    r.finish()?;
    Ok(WorldPacket::Entry(w))
}

fn parse_channel(r: &mut Reader<'_>) -> Result<Channel> {
    Ok(Channel {
        name: r.string("channelName")?,
        load: r.u32("currentCapacity")?,
        world_id: r.u8("channelWorldId")?,
        id: r.u8("channelId")?,
        adult: r.bool("adult")?,
    })
}

/// SelectWorld: `u32 worldId`.
pub(crate) fn parse_select_world(body: &[u8]) -> Result<u32> {
    let mut r = Reader::new("SelectWorld", body);
    let id = r.u32("worldId")?;
    r.finish()?;
    Ok(id)
}

/// ServerListRecommendations: `u8 n | n × {u32 worldId | str reason}`.
pub(crate) fn parse_recommendations(body: &[u8]) -> Result<Vec<Recommendation>> {
    let mut r = Reader::new("ServerListRecommendations", body);
    let n = r.u8("count")?;
    let mut out = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        out.push(Recommendation {
            world_id: r.u32("worldId")?,
            reason: r.string("reason")?,
        });
    }
    r.finish()?;
    Ok(out)
}

/// ServerStatus: `u16 status` (0 normal, 1 highly populated, 2 full).
pub(crate) fn parse_server_status(body: &[u8]) -> Result<u16> {
    let mut r = Reader::new("ServerStatus", body);
    let status = r.u16("status")?;
    r.finish()?;
    Ok(status)
}
