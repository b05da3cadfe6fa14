//! Server-list burst writers (§5.2, §8, §9 #5): entries, end, preselected world,
//! recommendations, and the world status answer.

use crate::gateway::maple::model::{ChannelView, WorldView};
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::{Rules, ServerListShape};

/// Event EXP and drop rates Atlas always announces (percent).
const EVENT_RATE: u16 = 100;

/// ServerListEntry (0x0A), one world. GMS v83: `u8 id | str name | u8 flag | str event |
/// u16 100 | u16 100 | u8 0 | u8 n | n × channel | u16 balloons | balloons`; JMS drops the
/// block byte; GMS 12 writes only `id | name | n | channels` (§8), its channel entries assumed
/// to be the v83 ones **(inference: the spec lists no v12 channel layout)**. At most 255
/// channels.
pub fn server_list_entry(w: &mut Writer<'_>, rules: &Rules, world: &WorldView) {
    w.u8(world.id).str(&world.name);
    if rules.server_list != ServerListShape::Legacy {
        w.u8(world.flag)
            .str(&world.event_message)
            .u16(EVENT_RATE)
            .u16(EVENT_RATE);
    }
    if rules.server_list == ServerListShape::Gms {
        w.u8(0);
    }
    let n = world.channels.len().min(255);
    w.u8(u8::try_from(n).unwrap_or(u8::MAX));
    for channel in world.channels.iter().take(n) {
        server_list_channel(w, world, channel);
    }
    if rules.server_list != ServerListShape::Legacy {
        balloons(w, world);
    }
}

/// One channel: `str "<world> - <id+1>" | u32 load | u8 worldId | u8 id-1 | u8 0 (adult)`.
///
/// As the newest Atlas (`[H]`, §9 #5): name shows the 1-based number, the world byte is the world
/// id, and the channel byte stays Atlas's `channelId - 1` (0xFF for channel 0).
fn server_list_channel(w: &mut Writer<'_>, world: &WorldView, channel: &ChannelView) {
    let name = format!("{} - {}", world.name, u16::from(channel.id) + 1);
    w.str(&name).u32(channel.capacity).u8(world.id);
    w.u8(channel.id.wrapping_sub(1)).u8(0);
}

/// `u16 n | n × {u16 x | u16 y | str message}` (`[B]` always n = 0).
fn balloons(w: &mut Writer<'_>, world: &WorldView) {
    let n = world.balloons.len().min(usize::from(u16::MAX));
    w.u16(u16::try_from(n).unwrap_or(u16::MAX));
    for b in world.balloons.iter().take(n) {
        w.u16(b.x).u16(b.y).str(&b.message);
    }
}

/// ServerListEnd (0x0A): `u8 0xFF`.
pub fn server_list_end(w: &mut Writer<'_>) {
    w.u8(0xFF);
}

/// SelectWorld (0x1A): `u32 worldId` (Atlas always 0).
pub fn select_world(w: &mut Writer<'_>, world_id: u32) {
    w.u32(world_id);
}

/// ServerListRecommendations (0x1B): `u8 n | n × {u32 worldId | str reason}` for the worlds
/// with a non-empty recommendation (at most 255).
pub fn server_list_recommendations(w: &mut Writer<'_>, worlds: &[WorldView]) {
    let recommended = || {
        worlds
            .iter()
            .filter(|x| !x.recommended_message.is_empty())
            .take(255)
    };
    w.u8(u8::try_from(recommended().count()).unwrap_or(u8::MAX));
    for world in recommended() {
        w.u32(u32::from(world.id)).str(&world.recommended_message);
    }
}

/// ServerStatus (0x03): `u16 status` (0 normal, 1 highly populated, 2 full).
pub fn server_status(w: &mut Writer<'_>, status: u16) {
    w.u16(status);
}
