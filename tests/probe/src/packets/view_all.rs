//! CharacterViewAll (0x08): the count packet and one packet per world (§5.2, §14.2).

use crate::error::Result;
use crate::packets::character::{parse_entry, CharacterEntry};
use crate::packets::login::GAME_START_MODE;
use crate::profile::Layout;
use crate::wire::{Reader, Writer};

/// The first view-all packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ViewAllHeader {
    /// `u8 1 | u32 worldCount | u32 charCount`.
    Count {
        /// Number of per-world packets to follow.
        worlds: u32,
        /// Characters over all worlds.
        characters: u32,
    },
    /// Any other one-byte code (2 error, 3 or 5 search failed …).
    Failed(u8),
}

/// The answer to a view-all request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewAll {
    /// The count packet and every per-world packet it announced.
    Characters {
        /// charCount of the count packet.
        character_count: u32,
        /// The per-world packets in the order received.
        worlds: Vec<ViewAllWorld>,
    },
    /// A one-byte failure code (2 error, 3 search failed; [C] uses 5).
    Failed {
        /// The code.
        code: u8,
    },
}

/// One per-world view-all packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewAllWorld {
    /// World id.
    pub world_id: u8,
    /// Entries (no family byte).
    pub characters: Vec<CharacterEntry>,
    /// Trailing m_bLoginOpt (required for v95, optional elsewhere, §14.2).
    pub login_opt: Option<u8>,
}

/// ViewAll request: empty, or `u8 mode | str passport | str machineId | u32 | u8 mode` (GMS > 83).
pub(crate) fn encode_request(layout: &Layout) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    if layout.view_all_request_full {
        w.u8(GAME_START_MODE).string("")?.string("")?;
        w.u32(0).u8(GAME_START_MODE);
    }
    Ok(w.into_inner())
}

/// Parses the first packet.
pub(crate) fn parse_header(body: &[u8]) -> Result<ViewAllHeader> {
    let mut r = Reader::new("CharacterViewAll", body);
    let code = r.u8("code")?;
    let out = if code == 1 {
        ViewAllHeader::Count {
            worlds: r.u32("worldCount")?,
            characters: r.u32("charCount")?,
        }
    } else {
        ViewAllHeader::Failed(code)
    };
    r.finish()?;
    Ok(out)
}

/// Parses a per-world packet: `u8 0 | u8 worldId | u8 n | n × entry | [u8 loginOpt]`.
pub(crate) fn parse_world(layout: &Layout, body: &[u8]) -> Result<ViewAllWorld> {
    let mut r = Reader::new("CharacterViewAll(world)", body);
    let code = r.u8("code")?;
    if code != 0 {
        return Err(r.error(format!("code {code}, expected 0 (NORMAL)")));
    }
    let world_id = r.u8("worldId")?;
    let n = r.u8("count")?;
    let mut characters = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        characters.push(parse_entry(layout, &mut r, true)?);
    }
    let login_opt = if layout.view_all_login_opt_required || r.remaining() > 0 {
        Some(r.u8("loginOpt")?)
    } else {
        None
    };
    r.finish()?;
    Ok(ViewAllWorld {
        world_id,
        characters,
        login_opt,
    })
}
