//! Golden bodies of the server-list burst, v83 (§5.2, §9 #5), written out by hand.

use super::*;
use crate::gateway::maple::model::WorldView;
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::{body, hex, world};

/// §5.2 ServerListEntry for world 3 "Scania", flag 2, event "ev", channels 0 (load 5) and
/// 1 (load 0x102): names 1-based, world byte = world id, channel byte = id - 1.
const V83_ENTRY: &str = "03 06 00 53 63 61 6E 69 61 02 02 00 65 76 64 00 64 00 00 02 \
    0A 00 53 63 61 6E 69 61 20 2D 20 31 05 00 00 00 03 FF 00 \
    0A 00 53 63 61 6E 69 61 20 2D 20 32 02 01 00 00 03 00 00 \
    00 00";

fn world3() -> WorldView {
    WorldView { id: 3, ..world() }
}

#[test]
fn v83_server_list_entry() {
    let r = Rules::gms83();
    assert_eq!(
        body(&r, |w| server_list_entry(w, &r, &world3())),
        hex(V83_ENTRY)
    );
}

#[test]
fn v83_server_list_entry_with_a_balloon() {
    let r = Rules::gms83();
    let mut wv = world3();
    wv.channels.clear();
    wv.balloons.push(crate::gateway::maple::model::BalloonView {
        x: 1,
        y: 2,
        message: "m".into(),
    });
    let out = body(&r, |w| server_list_entry(w, &r, &wv));
    assert_eq!(
        &out[out.len() - 10..],
        &hex("00 01 00 01 00 02 00 01 00 6D")[..]
    );
}

#[test]
fn v83_server_list_end_select_world_and_status() {
    let r = Rules::gms83();
    assert_eq!(body(&r, server_list_end), hex("FF"));
    assert_eq!(body(&r, |w| select_world(w, 0)), hex("00 00 00 00"));
    assert_eq!(body(&r, |w| server_status(w, 1)), hex("01 00"));
}

#[test]
fn v83_recommendations_list_only_worlds_with_a_message() {
    let r = Rules::gms83();
    let worlds = [
        WorldView {
            id: 1,
            recommended_message: "hi".into(),
            ..world()
        },
        WorldView { id: 2, ..world() },
    ];
    let out = body(&r, |w| server_list_recommendations(w, &worlds));
    assert_eq!(out, hex("01 01 00 00 00 02 00 68 69"));
    assert_eq!(body(&r, |w| server_list_recommendations(w, &[])), hex("00"));
}
