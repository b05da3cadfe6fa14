//! World-stage requests (§5.1): character list of a world, world status, view-all.

use super::secret::Secret;
use crate::gateway::maple::packet::{ReadError, Reader};
use crate::gateway::maple::rules::Rules;

/// 0x05 CharacterListWorld: `[u8 gameStartMode (GMS ≥ 83)] | u8 worldId | u8 channelId |
/// [i32 socketAddr (GMS ≥ 72, JMS)]` (`[H]`'s gates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharacterListWorldRequest {
    /// `gameStartMode` when the version sends it.
    pub game_start_mode: Option<u8>,
    /// World id.
    pub world_id: u8,
    /// Channel id (0-based).
    pub channel_id: u8,
    /// Client socket address when the version sends it.
    pub socket_addr: Option<i32>,
}

impl CharacterListWorldRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let game_start_mode = if rules.world_start_mode {
            Some(r.u8()?)
        } else {
            None
        };
        let (world_id, channel_id) = (r.u8()?, r.u8()?);
        let socket_addr = if rules.world_socket_addr {
            Some(r.i32()?)
        } else {
            None
        };
        Ok(Self {
            game_start_mode,
            world_id,
            channel_id,
            socket_addr,
        })
    }
}

/// 0x06 ServerStatus: `u16 worldId` (GMS) or `u8 worldId` (others, `[H]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerStatusRequest {
    /// World id.
    pub world_id: u16,
}

impl ServerStatusRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        let mut r = Reader::new(body);
        let world_id = if rules.status_world_u16 {
            r.u16()?
        } else {
            u16::from(r.u8()?)
        };
        Ok(Self { world_id })
    }
}

/// Extra fields of a GMS > 83 ViewAll request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllFields {
    /// `gameStartMode`.
    pub game_start_mode: u8,
    /// Nexon passport.
    pub nexon_passport: Secret,
    /// Machine id string.
    pub machine_id: Secret,
    /// `gameRoomClient`.
    pub game_room_client: u32,
    /// Second `gameStartMode`.
    pub game_start_mode2: u8,
}

/// 0x0D ViewAll: empty for v83 and JMS; GMS > 83: `u8 | str passport | str machineId | u32 |
/// u8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllRequest {
    /// The GMS > 83 fields.
    pub fields: Option<ViewAllFields>,
}

impl ViewAllRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], rules: &Rules) -> Result<Self, ReadError> {
        if !rules.view_all_request_fields {
            return Ok(Self { fields: None });
        }
        let mut r = Reader::new(body);
        let fields = ViewAllFields {
            game_start_mode: r.u8()?,
            nexon_passport: Secret::new(r.str_vec()?),
            machine_id: Secret::new(r.str_vec()?),
            game_room_client: r.u32()?,
            game_start_mode2: r.u8()?,
        };
        Ok(Self {
            fields: Some(fields),
        })
    }
}

/// 0x0F ViewAllPong: `u8 render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewAllPongRequest {
    /// Render flag.
    pub render: u8,
}

impl ViewAllPongRequest {
    /// Reads the body after the opcode.
    pub fn read(body: &[u8], _rules: &Rules) -> Result<Self, ReadError> {
        Ok(Self {
            render: Reader::new(body).u8()?,
        })
    }
}
