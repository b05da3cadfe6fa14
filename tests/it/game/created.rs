//! A character created through the client (CreateCharacter 0x16): the service asks the
//! character factory (`POST characters/seed`), and once the factory's seed status CREATED for
//! that request arrives it reads the character from the REST services and shows it
//! (AddCharacterEntry). Only the seed event of the session's own request is answered: a seed
//! someone else asked for, even for the same account, shows nothing.

use login_orchestrator::rest::SeedRequest;
use maple_client::NewCharacter;
use serde_json::json;

use super::select::{assert_progress, channel};
use super::*;

/// A v83 Adventurer as the client's creation screen sends it.
pub fn new_character(name: &str) -> NewCharacter {
    NewCharacter {
        name: name.to_owned(),
        job: 1,
        sub_job: 0,
        face: 20001,
        hair: 30020,
        hair_color: 0,
        skin: 0,
        top: 1_040_002,
        bottom: 1_060_002,
        shoes: 1_072_001,
        weapon: 1_302_000,
        gender: 0,
        stats: [0; 4],
    }
}

/// A seed request as another client of the factory would make it.
fn foreign_seed(account_id: u32, name: &str) -> SeedRequest {
    let mut seed = SeedRequest::new(account_id, 0, name);
    (seed.job_index, seed.face, seed.hair, seed.hair_color) = (1, 20000, 30000, 0);
    (seed.top, seed.bottom, seed.shoes, seed.weapon) = (1_040_002, 1_060_002, 1_072_001, 1_302_000);
    seed
}

/// Waits until the seed status topic holds a CREATED for `account_id` (`n` in all), and
/// returns the character ids, in order.
pub async fn seeds_created(g: &mut Game, account_id: u32, n: usize) -> Vec<u32> {
    let topic = g.topics.seed_status.clone();
    let created = move |r: &Record| {
        let v = r.json();
        r.topic == topic && v["type"] == "CREATED" && v["accountId"] == account_id
    };
    let check = created.clone();
    g.observer
        .wait_until("the seed CREATED", move |seen| {
            seen.iter().filter(|r| check(r)).count() >= n
        })
        .await;
    g.observer
        .seen
        .iter()
        .filter(|r| created(r))
        .map(|r| r.json()["body"]["characterId"].as_u64().unwrap() as u32)
        .collect()
}

#[actix_rt::test]
async fn a_character_created_through_the_client_is_shown_after_its_seed_event_and_selectable() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    let list = c.character_list(0, 0).await.expect("bob's empty list");
    assert!(list.characters.is_empty());
    assert!(c.check_name("Bobby").await.expect("answer").available());
    let created = c
        .create_character(&new_character("Bobby"))
        .await
        .expect("AddCharacterEntry");
    assert_eq!(created.code, 0);
    let entry = created.entry.expect("the new character");
    let id = entry.stats.id;
    // The entry is the character the factory's seed event named, as the REST services hold it.
    assert_eq!(seeds_created(&mut g, 6, 1).await, [id]);
    let ctx = g.ctx();
    let stored = g.rest.character(&ctx, id).await.expect("the character");
    assert_eq!(
        (entry.stats.name.as_str(), stored.name.as_str()),
        ("Bobby", "Bobby")
    );
    assert_eq!((stored.account_id, stored.world_id), (6, 0));
    assert_eq!((entry.stats.face, entry.stats.hair), (20001, 30020));
    assert_eq!(entry.stats.level, stored.level);
    let mut equips: Vec<u32> = entry.look.equips.iter().map(|e| e.1).collect();
    equips.sort_unstable();
    assert_eq!(
        equips,
        [1_040_002, 1_060_002, 1_072_001, 1_302_000],
        "its starter equipment: {:?}",
        entry.look
    );
    assert!(entry.rank.is_some());
    // Selectable at once, without another list (bob has no PIC yet: he registers one).
    let ip = c.register_pic(id, "1357").await.expect("ServerIP");
    assert_eq!(ip, channel([127, 0, 0, 1], 7575, id));
    assert_progress(&mut g, session, 6, "127.0.0.1", 7575, id).await;
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

#[actix_rt::test]
async fn a_seed_the_session_did_not_ask_for_is_not_shown() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    // Another client of the factory creates a character for bob's account: its seed event is
    // consumed and routed to bob's session, which did not ask for it.
    let ctx = g.ctx();
    g.rest
        .seed_character(&ctx, &foreign_seed(6, "Bobette"))
        .await
        .expect("seed accepted");
    let foreign = seeds_created(&mut g, 6, 1).await;
    let seeds = g.topics.seed_status.clone();
    g.wait_consumed(&seeds, "routed", 1.0).await;
    // Another account's seed does not reach the session at all.
    g.inject_seed(json!({"accountId": 1, "type": "CREATED", "body": {"characterId": 1}}))
        .await;
    g.wait_consumed(&seeds, "not_ours", 1.0).await;
    // The session's own creation is answered with its own character, and nothing came before.
    let created = c
        .create_character(&new_character("Bobby"))
        .await
        .expect("AddCharacterEntry");
    let entry = created.entry.expect("the new character");
    assert_eq!(entry.stats.name, "Bobby");
    let all = seeds_created(&mut g, 6, 2).await;
    assert_eq!(all, [foreign[0], entry.stats.id]);
    assert_eq!(
        c.skipped_packets(),
        0,
        "no AddCharacterEntry for a seed the session did not ask for"
    );
    // Both exist at the services; the session lists both.
    let list = c.character_list(0, 0).await.expect("bob's list");
    let mut ids: Vec<u32> = list.characters.iter().map(|e| e.stats.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, all);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// A seed FAILED (a name the factory finds taken once it creates), a factory that refuses the
/// request, and a character that cannot be read after its seed event: each is the error entry
/// (99), and the session goes on.
#[actix_rt::test]
async fn a_failed_seed_a_factory_error_or_an_unreadable_character_shows_the_error_entry() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    let error_entry = |outcome: maple_client::CreateOutcome| {
        assert_eq!((outcome.code, outcome.entry), (UNKNOWN_ERROR, None));
    };
    // The factory accepts the seed, then reports FAILED: the name is taken (the client skipped
    // its name check).
    error_entry(
        c.create_character(&new_character("Admin"))
            .await
            .expect("answer"),
    );
    let failed = g.topics.seed_status.clone();
    g.observer
        .wait_until("the seed FAILED", |seen| {
            seen.iter()
                .any(|r| r.topic == failed && r.json()["type"] == "FAILED")
        })
        .await;
    // The factory is down: no seed event will come.
    g.fault(Fault::status("characters/seed", 500));
    error_entry(
        c.create_character(&new_character("Bobby"))
            .await
            .expect("answer"),
    );
    g.sim.faults().clear();
    // The seed succeeds, but the new character cannot be read.
    g.fault(Fault::status("characters/*", 500).on("GET"));
    error_entry(
        c.create_character(&new_character("Bobby"))
            .await
            .expect("answer"),
    );
    let made = seeds_created(&mut g, 6, 1).await;
    g.sim.faults().clear();
    // The session goes on, and creates again (the unreadable one exists at the services).
    let created = c
        .create_character(&new_character("Bobbie"))
        .await
        .expect("AddCharacterEntry");
    assert_eq!(created.entry.expect("entry").stats.name, "Bobbie");
    let list = c.character_list(0, 0).await.expect("bob's list");
    assert_eq!(list.characters.len(), 2);
    assert!(list.characters.iter().any(|e| e.stats.id == made[0]));
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// The name rule is checked again at creation: a client that skipped the check is refused
/// with the error entry, and the factory is never asked.
#[actix_rt::test]
async fn a_name_breaking_the_rule_is_refused_without_asking_the_factory() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    // A fault the factory's next request would use up: still there after the refusals.
    let sentinel = Fault::status("characters/seed", 503).times(1);
    g.fault(sentinel.clone());
    for name in ["ab", "Bob by", "Thirteen13chr", "Bob!", "あいうえお"] {
        let outcome = c.create_character(&new_character(name)).await;
        let outcome = outcome.unwrap_or_else(|e| panic!("{name:?}: {e}"));
        assert_eq!(
            (outcome.code, outcome.entry),
            (UNKNOWN_ERROR, None),
            "{name:?}"
        );
    }
    assert_eq!(g.sim.faults().list(), [sentinel], "no POST characters/seed");
    let seeds = g.topics.seed_status.clone();
    assert_eq!(g.count(&seeds, "CREATED") + g.count(&seeds, "FAILED"), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// A creation goes to the world of the last character list: a world the list was refused for
/// (full, unknown, or unreadable; Atlas stores the world only once it passed) is none, and
/// the factory is not asked.
#[actix_rt::test]
async fn a_creation_after_a_refused_world_list_is_the_error_entry() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    let sentinel = Fault::status("characters/seed", 503).times(1);
    g.fault(sentinel.clone());
    for world in [2, 9] {
        let refused = c.character_list(world, 0).await;
        assert!(
            matches!(refused, Err(maple_client::Error::Refused { .. })),
            "world {world}: {refused:?}"
        );
        let outcome = c.create_character(&new_character("Bobby")).await;
        let outcome = outcome.expect("AddCharacterEntry");
        assert_eq!(
            (outcome.code, outcome.entry),
            (UNKNOWN_ERROR, None),
            "world {world}"
        );
    }
    assert_eq!(g.sim.faults().list(), [sentinel], "no POST characters/seed");
    g.sim.faults().clear();
    let ctx = g.ctx();
    assert!(g
        .rest
        .characters_of(&ctx, 6, 2)
        .await
        .expect("bob's")
        .is_empty());
    // A list that passed gives the world again.
    c.character_list(0, 0).await.expect("bob's list");
    let created = c
        .create_character(&new_character("Bobby"))
        .await
        .expect("AddCharacterEntry");
    let id = created.entry.expect("the new character").stats.id;
    assert_eq!(g.rest.character(&ctx, id).await.expect("Bobby").world_id, 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// One creation at a time: a second request while the factory has the first is dropped (and
/// counted), and only the first is answered.
#[actix_rt::test]
async fn a_second_creation_while_one_is_in_flight_is_dropped() {
    let mut g = Setup::default().own_tenant().start().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    // The factory holds the first request long enough for the second to arrive meanwhile (and
    // well within REST_TIMEOUT_MS, 2 s).
    g.fault(Fault::delay("characters/seed", std::time::Duration::from_secs(1)).times(1));
    c.send_create_character(&new_character("Bobby"))
        .await
        .expect("first");
    c.send_create_character(&new_character("Bobbie"))
        .await
        .expect("second");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "creation_in_flight")],
        1.0,
    )
    .await;
    let first = c.read_add_character().await.expect("AddCharacterEntry");
    assert_eq!(first.entry.expect("entry").stats.name, "Bobby");
    // Nothing more: the next answer is the list's, which shows the one character.
    let list = c.character_list(0, 0).await.expect("bob's list");
    let names: Vec<&str> = list
        .characters
        .iter()
        .map(|e| e.stats.name.as_str())
        .collect();
    assert_eq!(names, ["Bobby"]);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// Another client's seed for the account that comes while the session's own request is with
/// the factory is not the answer to it: the session shows its own character, when its own seed
/// event comes.
#[actix_rt::test]
async fn a_seed_of_another_request_coming_during_the_sessions_own_is_not_its_answer() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    c.character_list(0, 0).await.expect("bob's empty list");
    // The factory holds the session's request (well within REST_TIMEOUT_MS, 2 s) ...
    let slow = Fault::delay("characters/seed", std::time::Duration::from_millis(1200)).times(1);
    g.fault(slow);
    c.send_create_character(&new_character("Bobby"))
        .await
        .expect("sent");
    let end = std::time::Instant::now() + DEADLINE;
    while !g.sim.faults().list().is_empty() {
        assert!(std::time::Instant::now() < end, "the factory was not asked");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // ... while another client of the factory creates one for the same account.
    let ctx = g.ctx();
    g.rest
        .seed_character(&ctx, &foreign_seed(6, "Bobette"))
        .await
        .expect("seed accepted");
    let foreign = seeds_created(&mut g, 6, 1).await;
    let created = c.read_add_character().await.expect("AddCharacterEntry");
    let entry = created.entry.expect("the new character");
    assert_eq!(entry.stats.name, "Bobby");
    let both = seeds_created(&mut g, 6, 2).await;
    assert_eq!(both, [foreign[0], entry.stats.id]);
    // Nothing else was shown; both exist.
    let list = c.character_list(0, 0).await.expect("bob's list");
    assert_eq!(list.characters.len(), 2);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

/// AddCharacterEntry's error code in the v83 template (UNKNOWN_ERROR).
const UNKNOWN_ERROR: u8 = 99;
