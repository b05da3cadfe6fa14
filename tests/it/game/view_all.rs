//! View all characters (0x0D) and its selects (0x0E, 0x1F, 0x20) end to end: the count
//! packet and one packet per world (empty worlds included, sorted by id, each ending with the
//! login option byte Atlas's v83 packet lacks), the no-characters and error answers, and a
//! character chosen from the view sent to its world's least-loaded channel; one not in the
//! view closes the connection, a world without a usable channel is a ServerIP error.

use maple_client::{Error, ServerIp, ViewAll, ViewAllWorld};

use super::select::{assert_progress, channel};
use super::*;

/// CharacterViewAll's one-byte answers in the v83 template.
const ERROR_VIEW_ALL: u8 = 2;
const SEARCH_FAILED: u8 = 3;

const UNDER_INSPECTION: ServerIp = ServerIp::Refused { code: 7, mode: 0 };
const WRONG_PIC: ServerIp = ServerIp::Refused { code: 4, mode: 0 };

/// [`test_data`] with loads that make the least-loaded channel of worlds 0 and 1 another than
/// their first (world 0: channel 1 at [`CHANNEL_IP`], load 3; world 1: channel 1, 127.0.0.1:7676),
/// a world without channels (3, Windia), and two more characters of alice's: `Khaini` in the
/// full world 2 and `Windy` in world 3.
fn view_data() -> Value {
    let mut data = test_data();
    let section = &mut data["tenants"]["default"];
    section["worlds"][0]["channels"][2]["currentCapacity"] = json!(50);
    section["worlds"][1]["channels"][0]["currentCapacity"] = json!(40);
    section["worlds"][1]["channels"][1]["currentCapacity"] = json!(10);
    let worlds = section["worlds"].as_array_mut().expect("worlds");
    worlds.push(
        json!({"id": 3, "name": "Windia", "state": 0, "eventMessage": "",
        "recommendedMessage": "", "capacityStatus": 0, "channels": []}),
    );
    let characters = section["characters"].as_array_mut().expect("characters");
    for (id, world, name) in [(130, 2, "Khaini"), (131, 3, "Windy")] {
        characters.push(
            json!({"id": id, "accountId": 5, "worldId": world, "name": name,
            "level": 12, "jobId": 200, "hp": 200, "maxHp": 200, "mp": 100, "maxMp": 100,
            "sp": "1", "mapId": 100000000, "hair": 31000, "face": 21000, "gm": 0}),
        );
    }
    data
}

async fn start() -> Game {
    Setup::default().with_data(view_data()).start().await
}

/// The worlds of a view with the ids of their characters, and their login option bytes.
fn shape(worlds: &[ViewAllWorld]) -> Vec<(u8, Vec<u32>, Option<u8>)> {
    worlds
        .iter()
        .map(|w| {
            let ids = w.characters.iter().map(|e| e.stats.id).collect();
            (w.world_id, ids, w.login_opt)
        })
        .collect()
}

async fn view(c: &mut Client) -> (u32, Vec<ViewAllWorld>) {
    match c.view_all().await.expect("CharacterViewAll") {
        ViewAll::Characters {
            character_count,
            worlds,
        } => (character_count, worlds),
        failed => panic!("{failed:?}"),
    }
}

fn no_progress(g: &Game) {
    let cmd = g.topics.command.clone();
    assert_eq!(
        g.count(&cmd, "PROGRESS_STATE"),
        0,
        "{:#?}",
        g.observer.summary()
    );
}

#[actix_rt::test]
async fn the_view_is_a_count_then_every_world_in_order_each_with_the_login_option() {
    let mut g = start().await;
    // admin has no PIC: login option 0 (register one).
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let (count, worlds) = view(&mut c).await;
    assert_eq!(count, 4);
    assert_eq!(
        shape(&worlds),
        [
            (0, vec![1, 2, 3], Some(0)),
            (1, vec![4], Some(0)),
            (2, vec![], Some(0)),
            (3, vec![], Some(0)),
        ]
    );
    let names: Vec<&str> = worlds[0]
        .characters
        .iter()
        .map(|e| e.stats.name.as_str())
        .collect();
    assert_eq!(names, ["Admin", "Nova", "Brawler"]);
    assert!(
        worlds[0].characters.iter().all(|e| e.family.is_none()),
        "view-all entries have no family byte"
    );
    // Nothing follows the packets the count announced.
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 4);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 1).await;

    // alice has a PIC: login option 1 (ask for it); her characters in the full and the
    // channel-less worlds are shown too.
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    let (count, worlds) = view(&mut c).await;
    assert_eq!(count, 3);
    assert_eq!(
        shape(&worlds),
        [
            (0, vec![5], Some(1)),
            (1, vec![], Some(1)),
            (2, vec![130], Some(1)),
            (3, vec![131], Some(1)),
        ]
    );
    drop(c);
    g.assert_ended_once(session, 5).await;
}

#[actix_rt::test]
async fn no_character_is_search_failed_and_a_failing_service_is_the_view_error() {
    let mut g = start().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    let none = c.view_all().await.expect("CharacterViewAll");
    assert_eq!(
        none,
        ViewAll::Failed {
            code: SEARCH_FAILED
        }
    );
    drop(c);
    g.assert_ended_once(session, 6).await;

    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    for fault in [
        Fault::status("worlds", 500),
        Fault::status("characters", 500).on("GET"),
    ] {
        g.fault(fault.clone());
        let failed = c.view_all().await.expect("CharacterViewAll");
        assert_eq!(
            failed,
            ViewAll::Failed {
                code: ERROR_VIEW_ALL
            },
            "{fault:?}"
        );
        g.sim.faults().clear();
    }
    // The session goes on, and the view recovers.
    assert_eq!(view(&mut c).await.0, 4);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 1).await;
}

/// With the PIC (0x20): a wrong one is ServerIP 4 and recorded (Atlas stays silent), as is a
/// wrong one in a register packet (0x1F) of an account that has a PIC; the right one goes to
/// the world's least-loaded channel.
#[actix_rt::test]
async fn a_character_chosen_with_its_pic_goes_to_the_worlds_least_loaded_channel() {
    let mut g = start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    view(&mut c).await;
    let wrong = c.view_all_select_with_pic(5, 0, "0000").await;
    assert_eq!(wrong.expect("ServerIP"), WRONG_PIC);
    let ctx = g.ctx();
    assert_eq!(
        g.rest.account(&ctx, 5).await.expect("alice").pic_attempts,
        1
    );
    // A register packet for an account that has a PIC checks it (Atlas stays silent).
    let registering = c.view_all_register_pic(5, 0, "0001").await;
    assert_eq!(registering.expect("ServerIP"), WRONG_PIC);
    let alice = g.rest.account(&ctx, 5).await.expect("alice");
    assert_eq!((alice.pic_attempts, alice.pic.as_str()), (2, "1234"));
    no_progress(&g);
    let ip = c.view_all_select_with_pic(5, 0, "1234").await;
    assert_eq!(ip.expect("ServerIP"), channel(CHANNEL_IP, CHANNEL_PORT, 5));
    assert_progress(&mut g, session, 5, "192.0.2.7", CHANNEL_PORT, 5).await;
    assert_eq!(
        g.rest.account(&ctx, 5).await.expect("alice").pic_attempts,
        0
    );
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// A channel known by a host name cannot be put in ServerIP: the least-loaded channel the
/// client can be sent to is chosen (the standard data's world 0: channel 2, load 0, has a host
/// name; channel 1, load 3, is the next).
#[actix_rt::test]
async fn a_channel_without_an_ipv4_address_is_passed_over() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    view(&mut c).await;
    let ip = c.view_all_select_with_pic(5, 0, "1234").await;
    assert_eq!(ip.expect("ServerIP"), channel(CHANNEL_IP, CHANNEL_PORT, 5));
    assert_progress(&mut g, session, 5, "192.0.2.7", CHANNEL_PORT, 5).await;
    drop(c);
    g.assert_ended_once(session, 5).await;
}

/// Registering a PIC (0x1F) for an account without one: recorded, then the least-loaded
/// channel of the character's world.
#[actix_rt::test]
async fn a_character_chosen_while_registering_a_pic_goes_to_the_worlds_least_loaded_channel() {
    let mut g = start().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    view(&mut c).await;
    let ip = c.view_all_register_pic(4, 1, "4321").await;
    assert_eq!(ip.expect("ServerIP"), channel([127, 0, 0, 1], 7676, 4));
    assert_progress(&mut g, session, 1, "127.0.0.1", 7676, 4).await;
    let ctx = g.ctx();
    assert_eq!(g.rest.account(&ctx, 1).await.expect("admin").pic, "4321");
    drop(c);
    g.assert_ended_once(session, 1).await;
}

/// Every GMS account selects with a PIC: a plain select from the view (0x0E) skips the PIC
/// the session asked for, and closes the connection.
#[actix_rt::test]
async fn a_plain_select_from_the_view_skipping_the_pic_closes_the_connection() {
    let mut g = start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    view(&mut c).await;
    let plain = c.view_all_select(5, 0).await;
    assert!(matches!(plain, Err(Error::Closed { .. })), "{plain:?}");
    g.assert_ended_once(session, 5).await;
    no_progress(&g);
}

/// Only a character of the session's last view, in the world it was shown in, may be chosen
/// from it (Atlas destroys the session on a mismatch too): before any view (a world's list
/// does not count), in another world, or another account's, the connection closes with no
/// PROGRESS_STATE and no PIC checked or registered.
#[actix_rt::test]
async fn a_character_not_in_the_view_or_not_in_that_world_closes_the_connection() {
    let mut g = start().await;
    let ctx = g.ctx();
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    c.character_list(0, 0).await.expect("alice's list");
    let unviewed = c.view_all_select_with_pic(5, 0, "1234").await;
    assert!(
        matches!(unviewed, Err(Error::Closed { .. })),
        "{unviewed:?}"
    );
    g.assert_ended_once(session, 5).await;

    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    view(&mut c).await;
    let elsewhere = c.view_all_register_pic(4, 0, "4321").await;
    assert!(
        matches!(elsewhere, Err(Error::Closed { .. })),
        "BeraHunter is in world 1: {elsewhere:?}"
    );
    g.assert_ended_once(session, 1).await;
    assert_eq!(g.rest.account(&ctx, 1).await.expect("admin").pic, "");

    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    view(&mut c).await;
    let foreign = c.view_all_select_with_pic(5, 0, "2468").await;
    assert!(
        matches!(foreign, Err(Error::Closed { .. })),
        "alice's: {foreign:?}"
    );
    g.assert_ended_once(session, 8).await;
    assert_eq!(
        g.rest.account(&ctx, 8).await.expect("carol").pic_attempts,
        0
    );
    assert_eq!(
        g.rest.account(&ctx, 5).await.expect("alice").pic_attempts,
        0
    );
    no_progress(&g);
}

/// A full world, one without channels, or channels that cannot be read: ServerIP
/// SERVER_UNDER_INSPECTION (7), where Atlas stays silent; the session stays and another
/// character goes on.
#[actix_rt::test]
async fn a_world_without_a_usable_channel_is_a_server_ip_error() {
    let mut g = start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    view(&mut c).await;
    let full = c.view_all_select_with_pic(130, 2, "1234").await;
    assert_eq!(full.expect("ServerIP"), UNDER_INSPECTION, "world 2 is full");
    let empty = c.view_all_select_with_pic(131, 3, "1234").await;
    assert_eq!(
        empty.expect("ServerIP"),
        UNDER_INSPECTION,
        "world 3 has none"
    );
    g.fault(Fault::status("worlds/0/channels", 500).times(1));
    let unreadable = c.view_all_select_with_pic(5, 0, "1234").await;
    assert_eq!(unreadable.expect("ServerIP"), UNDER_INSPECTION);
    no_progress(&g);
    let ip = c.view_all_select_with_pic(5, 0, "1234").await;
    assert_eq!(ip.expect("ServerIP"), channel(CHANNEL_IP, CHANNEL_PORT, 5));
    assert_progress(&mut g, session, 5, "192.0.2.7", CHANNEL_PORT, 5).await;
    drop(c);
    g.assert_ended_once(session, 5).await;
}
