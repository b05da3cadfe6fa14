//! CharacterListWorld request and the CharacterList answer (§5.1, §5.2, §8, §14.6, §14.7).

use std::net::Ipv4Addr;

use crate::error::Result;
use crate::packets::character::{parse_entry, CharacterEntry};
use crate::packets::login::GAME_START_MODE;
use crate::profile::{Layout, ListTrailer};
use crate::wire::{Reader, Writer};

/// The characters of one world, with the trailer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CharacterList {
    /// Status byte (Atlas always 0; other values carry no entries).
    pub status: u8,
    /// Entries in the order received.
    pub characters: Vec<CharacterEntry>,
    /// m_bLoginOpt (hasPic): 0 register PIC, 1 ask PIC, 2 no PIC (absent in GMS 12).
    pub login_opt: Option<u8>,
    /// JMS `m_bQuerySSNOnCreateNewCharacter`.
    pub query_ssn: Option<u8>,
    /// Character slots (absent in GMS 12).
    pub slots: Option<u32>,
    /// nBuyCharCount (v92, v95, JMS).
    pub buy_count: Option<u32>,
}

/// `[u8 gameStartMode] | u8 world | u8 channel | [i32 socketAddr]`.
pub(crate) fn encode_request(layout: &Layout, world: u8, channel: u8, local: Ipv4Addr) -> Vec<u8> {
    let mut w = Writer::new();
    if layout.list_game_start_mode {
        w.u8(GAME_START_MODE);
    }
    w.u8(world).u8(channel);
    if layout.list_socket_addr {
        w.bytes(&local.octets());
    }
    w.into_inner()
}

/// Parses CharacterList.
pub(crate) fn parse(layout: &Layout, body: &[u8]) -> Result<CharacterList> {
    let mut r = Reader::new("CharacterList", body);
    let mut list = CharacterList {
        status: r.u8("status")?,
        ..CharacterList::default()
    };
    if list.status != 0 {
        return Ok(list);
    }
    if layout.list_header_string {
        r.string("header string")?;
    }
    let count = r.u8("count")?;
    for _ in 0..count {
        list.characters.push(parse_entry(layout, &mut r, false)?);
    }
    match layout.list_trailer {
        ListTrailer::None => {}
        ListTrailer::Gms { buy_count } => {
            list.login_opt = Some(r.u8("loginOpt")?);
            list.slots = Some(r.u32("slots")?);
            if buy_count {
                list.buy_count = Some(r.u32("nBuyCharCount")?);
            }
        }
        ListTrailer::Jms => {
            list.login_opt = Some(r.u8("loginOpt")?);
            list.query_ssn = Some(r.u8("querySSN")?);
            list.slots = Some(r.u32("slots")?);
            list.buy_count = Some(r.u32("nBuyCharCount")?);
        }
    }
    r.finish()?;
    Ok(list)
}
