//! Server-list burst and ServerStatus (§5.2, §8).

use super::{assert_malformed, cat, h, layout, s};
use crate::packets::codec::{
    parse_recommendations, parse_select_world, parse_server_status, parse_world_entry,
};
use crate::packets::{Balloon, Channel, Recommendation, WorldPacket};

/// One §5.2 channel: `str name | u32 load | u8 world | u8 channelId-1 | u8 adult`.
fn channel(name: &str, id: u8) -> Vec<u8> {
    cat(&[&s(name), &h("10 00 00 00 .. 00"), &[id], &h("00")])
}

#[test]
fn v83_entry_parses_channels_and_balloons() {
    let body = cat(&[
        &h("00"),                   // worldId 0
        &s("Scania"),               // worldName
        &h("02"),                   // state: new
        &s("hi"),                   // eventMessage
        &h("64 00 .. 64 00 .. 00"), // rates 100/100, block char creation 0
        &h("02"),                   // channelCount
        &channel("Scania - 1", 0xFF),
        &channel("Scania - 2", 0x00),
        &h("01 00 .. 0A 00 14 00"), // one balloon at (10, 20)
        &s("welcome"),
    ]);
    let WorldPacket::Entry(w) = parse_world_entry(&layout("GMS", 83), &body).unwrap() else {
        panic!("not an entry");
    };
    assert_eq!(
        (w.id, w.name.as_str(), w.state, w.exp_rate),
        (0, "Scania", 2, 100)
    );
    assert_eq!(
        w.channels[0],
        Channel {
            name: "Scania - 1".into(),
            load: 16,
            world_id: 0,
            id: 0xFF,
            adult: false
        }
    );
    assert_eq!(w.channels.len(), 2);
    let balloon = Balloon {
        x: 10,
        y: 20,
        message: "welcome".into(),
    };
    assert_eq!(w.balloons, vec![balloon]);
}

#[test]
fn end_marker_is_one_byte() {
    // §5.2 ServerListEnd: `u8 0xFF` (V2's second packet)
    let gms = layout("GMS", 83);
    assert_eq!(parse_world_entry(&gms, &h("FF")).unwrap(), WorldPacket::End);
    assert_malformed(parse_world_entry(&gms, &h("FF 00")), "ServerListEnd", 1);
}

#[test]
fn jms_entry_has_no_block_byte() {
    // §8: id, name, state, event, rates (no block byte), channels, u16 0
    let body = cat(&[
        &h("01"),
        &s("Kaede"),
        &h("00"),
        &s(""),
        &h("64 00 64 00 .. 00 .. 00 00"),
    ]);
    let WorldPacket::Entry(w) = parse_world_entry(&layout("JMS", 185), &body).unwrap() else {
        panic!("not an entry");
    };
    assert_eq!(
        (w.id, w.channels.len(), w.block_char_creation),
        (1, 0, false)
    );
}

#[test]
fn gms12_entry_has_only_id_name_and_channels() {
    // §8: id, name, channels (no state/rates), no balloon u16
    let body = cat(&[&h("00"), &s("Scania"), &h("01"), &channel("Scania - 1", 0)]);
    let WorldPacket::Entry(w) = parse_world_entry(&layout("GMS", 12), &body).unwrap() else {
        panic!("not an entry");
    };
    assert_eq!((w.channels.len(), w.balloons.len()), (1, 0));
}

#[test]
fn truncated_channel_names_the_field_offset() {
    let body = cat(&[
        &h("00"),
        &s("W"),
        &h("00"),
        &s(""),
        &h("64 00 64 00 00 01"),
        &s("W - 1"),
    ]);
    // 1 + 3 + 1 + 2 + 6 + 7: the channel name ends at offset 20; its u32 capacity is missing
    assert_malformed(
        parse_world_entry(&layout("GMS", 83), &body),
        "ServerListEntry",
        20,
    );
}

#[test]
fn select_world_recommendations_and_status() {
    // §5.2 SelectWorld `u32 0`; Recommendations `u8 n | {u32 worldId | str reason}`
    assert_eq!(parse_select_world(&h("00 00 00 00")).unwrap(), 0);
    let rec = cat(&[&h("01 .. 03 00 00 00"), &s("fun")]);
    assert_eq!(
        parse_recommendations(&rec).unwrap(),
        vec![Recommendation {
            world_id: 3,
            reason: "fun".into()
        }]
    );
    assert_eq!(parse_recommendations(&h("00")).unwrap(), vec![]);
    // §5.2 ServerStatus `u16 status`
    assert_eq!(parse_server_status(&h("02 00")).unwrap(), 2);
    assert_malformed(parse_server_status(&h("02")), "ServerStatus", 0);
}
