//! The server-list burst, a world's status, and character lists read from the REST services.

use maple_client::{Channel, Error, Rank, Sp};

use super::*;

#[actix_rt::test]
async fn the_server_list_burst_shows_every_world_with_its_hydrated_channels() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let list = c.server_list().await.expect("server list");
    let ids: Vec<u8> = list.worlds.iter().map(|w| w.id).collect();
    assert_eq!(ids, [0, 1, 2], "sorted by world id");

    let scania = &list.worlds[0];
    assert_eq!(scania.name, "Scania");
    assert_eq!((scania.state, scania.event_message.as_str()), (0, ""));
    assert_eq!((scania.exp_rate, scania.drop_rate), (100, 100));
    assert!(!scania.block_char_creation);
    assert!(scania.balloons.is_empty());
    // Channels from the REST `included` array (Atlas [B] sent N zeroed channels): the name
    // with the 1-based number, the load, the world id, and Atlas's `channelId - 1` byte.
    let channel = |name: &str, load, id| Channel {
        name: name.to_owned(),
        load,
        world_id: 0,
        id,
        adult: false,
    };
    assert_eq!(
        scania.channels,
        [
            channel("Scania - 1", 12, 0xFF),
            channel("Scania - 2", 3, 0),
            channel("Scania - 3", 0, 1)
        ]
    );

    let bera = &list.worlds[1];
    assert_eq!((bera.name.as_str(), bera.state), ("Bera", 2));
    assert_eq!(bera.event_message, "Double EXP weekend");
    assert_eq!(bera.channels.len(), 2);
    assert!(bera.channels.iter().all(|ch| ch.world_id == 1));
    assert_eq!(list.worlds[2].channels[0].world_id, 2);

    assert_eq!(
        list.selected_world,
        Some(0),
        "Atlas always preselects world 0"
    );
    let recommended: Vec<(u32, &str)> = list
        .recommendations
        .iter()
        .map(|r| (r.world_id, r.reason.as_str()))
        .collect();
    assert_eq!(recommended, [(1, "A fresh start on Bera!")]);
    assert_eq!(c.skipped_packets(), 0, "nothing else in the burst");

    // Asked again (0x04 as well as 0x0B), the same burst.
    let again = c.server_list().await.expect("again");
    assert_eq!(again, list);
    c.send(0x04, &[]).await.expect("ServerListRequest 0x04");
    assert_eq!(
        c.read_server_list().await.expect("0x04 burst").worlds,
        list.worlds
    );
    drop(c);
    g.assert_ended_once(session, 1).await;
}

#[actix_rt::test]
async fn a_worlds_status_is_its_capacity_status_and_an_unknown_world_shows_full() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    assert_eq!(c.server_status(0).await.expect("world 0"), 0);
    assert_eq!(c.server_status(2).await.expect("world 2"), 2);
    assert_eq!(c.server_status(9).await.expect("no world 9"), 2);
    // The request's world id is a u16: one beyond a byte cannot be a world either.
    assert_eq!(c.server_status(300).await.expect("world 300"), 2);
    drop(c);
    g.assert_ended_once(session, 1).await;
}

#[actix_rt::test]
async fn a_character_list_shows_equipment_a_gm_and_an_evans_sp_as_v83_reads_them() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    c.server_list().await.expect("server list");
    let list = c.character_list(0, 1).await.expect("character list");
    assert_eq!(list.status, 0);
    assert_eq!(list.login_opt, Some(0), "no PIC yet");
    assert_eq!(list.slots, Some(6));
    let names: Vec<&str> = list
        .characters
        .iter()
        .map(|e| e.stats.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Admin", "Nova", "Brawler"],
        "world 0's characters of account 1"
    );

    let admin = &list.characters[0];
    let s = &admin.stats;
    assert_eq!((s.id, s.level, s.job), (1, 200, 900));
    assert_eq!((s.str, s.dex, s.int, s.luk), (999, 999, 999, 999));
    assert_eq!(
        (s.hp, s.max_hp, s.mp, s.max_mp),
        (30000, 30000, 30000, 30000)
    );
    assert_eq!((s.face, s.hair, s.map_id), (20000, 30030, 180_000_000));
    assert_eq!(s.pet_sns, [0, 0, 0]);
    assert_eq!(s.gacha_exp, Some(0));
    assert_eq!(s.playtime, Some(0));
    assert_eq!(admin.family, Some(0));
    assert_eq!(admin.rank, None, "a GM has no rank block");
    // The cash hat shows over the regular one, which is listed as masked; by body position.
    assert_eq!(
        admin.look.equips,
        [
            (1, 1_002_186),
            (5, 1_042_003),
            (6, 1_062_007),
            (7, 1_072_010),
            (11, 1_302_000)
        ]
    );
    assert_eq!(admin.look.masked_equips, [(1, 1_002_140)]);
    assert_eq!(
        (admin.look.gender, admin.look.face, admin.look.hair),
        (0, 20000, 30030)
    );
    assert!(admin.look.mega);
    assert_eq!(admin.look.weapon_sticker, 0);

    // An Evan (job 2200): v83 has no ExtendSP, so a plain u16 SP (the list's first value),
    // where Atlas [B] writes nothing and leaves the packet short.
    let nova = &list.characters[1];
    assert_eq!(
        (nova.stats.job, nova.stats.sp.clone()),
        (2200, Sp::Single(1))
    );
    assert_eq!(nova.look.masked_equips, [(5, 1_041_002)]);
    assert!(nova.look.equips.contains(&(5, 1_042_158)));
    let zero = Rank {
        rank: 0,
        rank_move: 0,
        job_rank: 0,
        job_rank_move: 0,
    };
    assert_eq!(nova.rank, Some(zero), "a player has the rank block");
    assert_eq!(list.characters[2].stats.sp, Sp::Single(5));

    // Another world, another list (the account's character there).
    let bera = c.character_list(1, 0).await.expect("world 1");
    let names: Vec<&str> = bera
        .characters
        .iter()
        .map(|e| e.stats.name.as_str())
        .collect();
    assert_eq!(names, ["BeraHunter"]);
    // A full world answers ServerStatus 2 instead of a list.
    let full = c.character_list(2, 0).await.expect_err("world 2 is full");
    assert!(matches!(full, Error::Refused { .. }), "{full}");
    // An account with no characters in a world gets an empty list, with its trailer.
    let (mut bob, _, bob_session) = g.logged_in("bob", "bob").await;
    let empty = bob.character_list(0, 0).await.expect("bob's list");
    assert!(empty.characters.is_empty());
    assert_eq!((empty.login_opt, empty.slots), (Some(0), Some(3)));
    drop((c, bob));
    g.assert_ended_once(session, 1).await;
    g.assert_ended_once(bob_session, 6).await;
}

/// Ten characters make a CharacterList body of about 1,750 bytes: the AES layer restarts its
/// keystream at byte 1456 (§3.3), which no shorter packet shows.
#[actix_rt::test]
async fn a_character_list_longer_than_one_aes_chunk_arrives_whole() {
    let mut g = Game::default().await;
    let (mut c, auth, session) = g.logged_in("crowd", "crowd").await;
    assert_eq!(auth.account_id, 7);
    let list = c.character_list(0, 0).await.expect("character list");
    assert_eq!(list.characters.len(), 10);
    for (i, entry) in list.characters.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        assert_eq!(entry.stats.id, 100 + i);
        assert_eq!(entry.stats.name, format!("Crowd{i:02}"));
        assert_eq!(u32::from(entry.stats.level), 10 + i);
        assert_eq!(entry.look.equips.len(), 5);
    }
    assert_eq!(list.slots, Some(12));
    // Per entry: 93 bytes of stats, 11 + 5×5 + 2 + 4 + 12 of look, 1 family, 17 rank = 165.
    let body = 1 + 1 + 10 * 165 + 1 + 4;
    assert!(
        body > 1456 + 2,
        "the test needs a body over one chunk: {body}"
    );
    drop(c);
    g.assert_ended_once(session, 7).await;
}
