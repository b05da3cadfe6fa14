//! A character the factory created for the session's account: the seed status CREATED makes
//! the service read it from the REST services and show it (AddCharacterEntry); a failed seed
//! or an unreadable character shows the error entry.

use login_orchestrator::rest::SeedRequest;
use serde_json::json;

use super::*;

/// AddCharacterEntry's error code in the v83 template (UNKNOWN_ERROR).
const UNKNOWN_ERROR: u8 = 99;

fn seed(account_id: u32, name: &str) -> SeedRequest {
    let mut seed = SeedRequest::new(account_id, 0, name);
    (seed.job_index, seed.face, seed.hair, seed.hair_color) = (1, 20001, 30020, 0);
    (seed.top, seed.bottom, seed.shoes, seed.weapon) = (1_040_002, 1_060_002, 1_072_001, 1_302_000);
    seed
}

#[actix_rt::test]
async fn a_seed_created_event_shows_the_new_character_read_from_rest() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    // The factory (the REST simulator) creates it and reports on the seed topic.
    let ctx = g.ctx();
    g.rest
        .seed_character(&ctx, &seed(6, "Bobby"))
        .await
        .expect("seed accepted");
    let created = c.read_add_character().await.expect("AddCharacterEntry");
    assert_eq!(created.code, 0);
    let entry = created.entry.expect("the new character");
    let id = entry.stats.id;
    let stored = g.rest.character(&ctx, id).await.expect("the character");
    assert_eq!(
        (entry.stats.name.as_str(), stored.name.as_str()),
        ("Bobby", "Bobby")
    );
    assert_eq!(stored.account_id, 6);
    assert_eq!((entry.stats.face, entry.stats.hair), (20001, 30020));
    assert_eq!(entry.stats.level, stored.level);
    assert!(
        !entry.look.equips.is_empty(),
        "its starter equipment: {:?}",
        entry.look
    );
    assert!(entry.rank.is_some());
    // Another account's seed does not reach this session.
    g.inject_seed(json!({"accountId": 1, "type": "CREATED", "body": {"characterId": 1}}))
        .await;
    let seeds = g.topics.seed_status.clone();
    g.wait_consumed(&seeds, "not_ours", 1.0).await;
    // Now listed (and selectable).
    let list = c.character_list(0, 0).await.expect("bob's list");
    assert_eq!(list.characters.len(), 1);
    assert_eq!(list.characters[0].stats.id, id);
    assert_eq!(
        c.skipped_packets(),
        0,
        "no AddCharacterEntry for account 1's seed"
    );
    drop(c);
    g.assert_ended_once(session, 6).await;
}

#[actix_rt::test]
async fn a_failed_seed_or_an_unreadable_character_shows_the_error_entry() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    let ctx = g.ctx();
    // The factory refuses a taken name after accepting the seed: seed status FAILED.
    g.rest
        .seed_character(&ctx, &seed(6, "Admin"))
        .await
        .expect("seed accepted");
    let failed = c.read_add_character().await.expect("AddCharacterEntry");
    assert_eq!((failed.code, failed.entry), (UNKNOWN_ERROR, None));
    // A CREATED for a character the REST services do not have.
    g.inject_seed(json!({"accountId": 6, "type": "CREATED", "body": {"characterId": 999}}))
        .await;
    let missing = c.read_add_character().await.expect("AddCharacterEntry");
    assert_eq!((missing.code, missing.entry), (UNKNOWN_ERROR, None));
    // A character whose read fails (the character service answers 500).
    g.fault(Fault::status("characters/5", 500));
    g.inject_seed(json!({"accountId": 6, "type": "CREATED", "body": {"characterId": 5}}))
        .await;
    let broken = c.read_add_character().await.expect("AddCharacterEntry");
    assert_eq!((broken.code, broken.entry), (UNKNOWN_ERROR, None));
    g.sim.faults().clear();
    // The session goes on.
    assert_eq!(c.server_list().await.expect("server list").worlds.len(), 3);
    drop(c);
    g.assert_ended_once(session, 6).await;
}
