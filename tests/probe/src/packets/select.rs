//! Character select requests (0x13 / 0x1D / 0x1E, and the view-all forms 0x0E / 0x1F / 0x20,
//! §5.1) and the ServerIP answer (§5.2, §14.3).

use std::net::Ipv4Addr;

use crate::error::Result;
use crate::profile::Layout;
use crate::wire::{Reader, Writer};

/// MAC string the client sends in select requests (a placeholder, never a real machine's).
pub const PLACEHOLDER_MAC: &str = "00-00-00-00-00-00";
/// HDD serial string the client sends in select requests (a placeholder).
pub const PLACEHOLDER_HDD: &str = "00000000";

/// ServerIP: where to connect for the game, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerIp {
    /// Result 0: the channel server address.
    Channel {
        /// IPv4 address.
        ip: Ipv4Addr,
        /// Port.
        port: u16,
        /// The selected character.
        character_id: u32,
        /// bAuthenCode.
        authen_code: u8,
        /// ulPremiumArgument (absent in GMS 12).
        premium: Option<u32>,
    },
    /// Any other result: `u8 code | u8 mode`.
    Refused {
        /// Result code (4 wrong PIC, 7 under inspection, 9 system error …).
        code: u8,
        /// subMode byte.
        mode: u8,
    },
}

/// `u32 charId | [str mac | str macHdd]`.
pub(crate) fn encode_select(layout: &Layout, char_id: u32) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.u32(char_id);
    macs(layout, &mut w)?;
    Ok(w.into_inner())
}

/// `str pic | u32 charId | [str mac | str macHdd]`.
pub(crate) fn encode_select_with_pic(layout: &Layout, pic: &str, char_id: u32) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.string(pic)?.u32(char_id);
    macs(layout, &mut w)?;
    Ok(w.into_inner())
}

/// `u8 opt | u32 charId | [str mac | str macHdd] | str pic`.
pub(crate) fn encode_register_pic(layout: &Layout, char_id: u32, pic: &str) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.u8(1).u32(char_id);
    macs(layout, &mut w)?;
    w.string(pic)?;
    Ok(w.into_inner())
}

/// `u32 charId | u32 worldId | str mac | str macHdd` (0x0E; the view-all forms always carry
/// both strings).
pub(crate) fn encode_view_all_select(char_id: u32, world_id: u32) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.u32(char_id).u32(world_id);
    both_macs(&mut w)?;
    Ok(w.into_inner())
}

/// `u8 opt | u32 charId | u32 worldId | str mac | str macHdd | str pic` (0x1F).
pub(crate) fn encode_view_all_register_pic(
    char_id: u32,
    world_id: u32,
    pic: &str,
) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.u8(1).u32(char_id).u32(world_id);
    both_macs(&mut w)?;
    w.string(pic)?;
    Ok(w.into_inner())
}

/// `str pic | u32 charId | u32 worldId | str mac | str macHdd` (0x20).
pub(crate) fn encode_view_all_with_pic(pic: &str, char_id: u32, world_id: u32) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.string(pic)?.u32(char_id).u32(world_id);
    both_macs(&mut w)?;
    Ok(w.into_inner())
}

fn both_macs(w: &mut Writer) -> Result<()> {
    w.string(PLACEHOLDER_MAC)?.string(PLACEHOLDER_HDD)?;
    Ok(())
}

fn macs(layout: &Layout, w: &mut Writer) -> Result<()> {
    if layout.select_macs {
        w.string(PLACEHOLDER_MAC)?.string(PLACEHOLDER_HDD)?;
    }
    Ok(())
}

/// Parses ServerIP.
pub(crate) fn parse_server_ip(layout: &Layout, body: &[u8]) -> Result<ServerIp> {
    let mut r = Reader::new("ServerIP", body);
    let code = r.u8("result")?;
    let mode = r.u8("subMode")?;
    if code != 0 {
        r.finish()?;
        return Ok(ServerIp::Refused { code, mode });
    }
    let ip = Ipv4Addr::from(r.array::<4>("ip")?);
    let port = r.u16("port")?;
    let character_id = r.u32("characterId")?;
    let authen_code = r.u8("bAuthenCode")?;
    let premium = if layout.server_ip_premium {
        Some(r.u32("ulPremiumArgument")?)
    } else {
        None
    };
    r.finish()?;
    Ok(ServerIp::Channel {
        ip,
        port,
        character_id,
        authen_code,
        premium,
    })
}
