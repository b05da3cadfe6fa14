//! The name check (0x15) and the deletion (0x17) end to end: the name rule and the character
//! search, the PIC with its attempts, the ownership and guild-leader checks, the DELETE, and
//! each answer code (creation is in `created`).

use std::time::Duration;

use login_orchestrator::rest::AccountChange;
use maple_client::{DeleteOutcome, Error, NameCheck};

use super::*;

/// CharacterNameResponse codes of the v83 template.
const NAME_OK: u8 = 0;
const NOT_ALLOWED: u8 = 2;
const SYSTEM_ERROR: u8 = 3;

/// DeleteCharacterResponse codes of the v83 template.
const DELETED: u8 = 0;
const UNKNOWN_ERROR: u8 = 9;
const WRONG_PIC: u8 = 20;
const GUILD_MASTER: u8 = 22;

fn name(name: &str, code: u8) -> NameCheck {
    NameCheck {
        name: name.to_owned(),
        code,
    }
}

fn deletion(character_id: u32, code: u8) -> DeleteOutcome {
    DeleteOutcome { character_id, code }
}

/// Whether the REST services still have the character.
async fn exists(g: &Game, id: u32) -> bool {
    match g.rest.character(&g.ctx(), id).await {
        Ok(_) => true,
        Err(e) if e.is_not_found() => false,
        Err(e) => panic!("character {id}: {e}"),
    }
}

async fn pic_attempts(g: &Game, account_id: u32) -> u32 {
    let account = g.rest.account(&g.ctx(), account_id).await;
    account.expect("account").pic_attempts
}

fn listed(list: &maple_client::CharacterList) -> Vec<u32> {
    list.characters.iter().map(|e| e.stats.id).collect()
}

#[actix_rt::test]
async fn a_name_is_free_taken_or_against_the_rule_and_a_failed_search_is_a_system_error() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("bob", "bob").await;
    // Free: 3 to 12 letters or digits (kana and kanji included), at most 12 bytes.
    for free in [
        "Bobby",
        "abc",
        "Bob2026",
        "TwelveChars1",
        "あいう",
        "剣士です",
    ] {
        assert_eq!(c.check_name(free).await.expect(free), name(free, NAME_OK));
    }
    // Taken, whatever the case (Atlas answers a taken name NOT_ALLOWED too).
    for taken in ["Admin", "admin", "ALICE"] {
        let answer = c.check_name(taken).await.expect(taken);
        assert_eq!(answer, name(taken, NOT_ALLOWED));
    }
    // Against the rule: too short or long (in characters, or in bytes for the entry's
    // 13-byte field), other characters, or three allowed ones in a row among others (which
    // Atlas's unanchored rule lets through).
    for bad in [
        "ab",
        "Thirteen13chr",
        "あいうえお",
        "Bob by",
        "Bob!",
        "ab!cde",
        "",
    ] {
        let answer = c.check_name(bad).await.expect(bad);
        assert_eq!(answer, name(bad, NOT_ALLOWED), "{bad:?}");
    }
    // The character search fails: SYSTEM_ERROR, where Atlas says NOT_ALLOWED.
    g.fault(Fault::status("characters", 500).on("GET"));
    assert_eq!(
        c.check_name("Bobby").await.expect("answer"),
        name("Bobby", SYSTEM_ERROR)
    );
    g.sim.faults().clear();
    assert_eq!(
        c.check_name("Bobby").await.expect("answer"),
        name("Bobby", NAME_OK)
    );
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    g.assert_ended_once(session, 6).await;
}

#[actix_rt::test]
async fn the_right_pic_deletes_a_character_which_leaves_the_list() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    let list = c.character_list(0, 0).await.expect("alice's list");
    assert_eq!(listed(&list), [5]);
    // Alice is a member of the guild Atlas, not its leader.
    let answer = c.delete_character("1234", 5).await.expect("answer");
    assert_eq!(answer, deletion(5, DELETED));
    assert!(!exists(&g, 5).await, "deleted at the character service");
    assert_eq!(pic_attempts(&g, 5).await, 0);
    let ctx = g.ctx();
    let guild = g.rest.guild_of(&ctx, 1).await.expect("guilds");
    let members: Vec<u32> = guild
        .expect("Admin's guild")
        .members
        .iter()
        .map(|m| m.character_id)
        .collect();
    assert_eq!(members, [1, 3], "no longer a member");
    let list = c.character_list(0, 0).await.expect("alice's list");
    assert!(list.characters.is_empty());
    // Gone from the session's list too: neither deleted again nor selected.
    let again = c.delete_character("1234", 5).await.expect("answer");
    assert_eq!(again, deletion(5, UNKNOWN_ERROR));
    let select = c.select_character_with_pic(5, "1234").await;
    assert!(matches!(select, Err(Error::Closed { .. })), "{select:?}");
    g.assert_ended_once(session, 5).await;
}

#[actix_rt::test]
async fn a_wrong_pic_is_refused_with_20_and_recorded_and_the_right_one_then_deletes() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    c.character_list(0, 0).await.expect("carol's list");
    let answer = c.delete_character("1111", 120).await.expect("answer");
    assert_eq!(answer, deletion(120, WRONG_PIC));
    assert_eq!(pic_attempts(&g, 8).await, 1, "recorded");
    assert!(exists(&g, 120).await);
    let answer = c.delete_character("2468", 120).await.expect("answer");
    assert_eq!(answer, deletion(120, DELETED));
    assert_eq!(pic_attempts(&g, 8).await, 0, "a right PIC resets the count");
    assert!(!exists(&g, 120).await);
    drop(c);
    g.assert_ended_once(session, 8).await;
}

#[actix_rt::test]
async fn the_fifth_wrong_pic_of_a_deletion_ends_the_session_once() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    c.character_list(0, 0).await.expect("carol's list");
    for attempt in 1..=4 {
        let answer = c.delete_character("1111", 120).await.expect("answer");
        assert_eq!(answer, deletion(120, WRONG_PIC), "attempt {attempt}");
    }
    let fifth = c.delete_character("1111", 120).await;
    assert!(matches!(fifth, Err(Error::Closed { .. })), "{fifth:?}");
    g.assert_ended_once(session, 8).await;
    assert_eq!(pic_attempts(&g, 8).await, 5);
    assert!(exists(&g, 120).await, "nothing deleted");
}

/// A guild's leader cannot be deleted (22); a member, or a character in no guild (the empty
/// guild list, the newest Atlas's fix), can.
#[actix_rt::test]
async fn a_guild_leader_is_not_deleted_and_members_or_guildless_characters_are() {
    let mut g = Game::default().await;
    let ctx = g.ctx();
    let admin = g.rest.account(&ctx, 1).await.expect("admin");
    g.rest
        .change_account(&ctx, &admin, AccountChange::Pic("8642".into()))
        .await
        .expect("admin's PIC");
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let list = c.character_list(0, 0).await.expect("admin's list");
    assert_eq!(listed(&list), [1, 2, 3]);
    let leader = c.delete_character("8642", 1).await.expect("answer");
    assert_eq!(leader, deletion(1, GUILD_MASTER));
    assert!(exists(&g, 1).await);
    let member = c.delete_character("8642", 3).await.expect("answer");
    assert_eq!(member, deletion(3, DELETED));
    let guildless = c.delete_character("8642", 2).await.expect("answer");
    assert_eq!(guildless, deletion(2, DELETED));
    assert!(!exists(&g, 2).await && !exists(&g, 3).await);
    assert_eq!(pic_attempts(&g, 1).await, 0);
    let list = c.character_list(0, 0).await.expect("admin's list");
    assert_eq!(listed(&list), [1]);
    drop(c);
    g.assert_ended_once(session, 1).await;
}

/// Only a character of the account's last list may be deleted (Atlas deletes any id): another
/// account's, or one of another world, is refused with 9 before its PIC is even checked, and
/// nothing is deleted.
#[actix_rt::test]
async fn a_character_not_in_the_last_list_is_refused_with_9_and_not_deleted() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    c.character_list(0, 0).await.expect("carol's list");
    for foreign in [5, 1] {
        let answer = c.delete_character("2468", foreign).await.expect("answer");
        assert_eq!(answer, deletion(foreign, UNKNOWN_ERROR));
        assert!(exists(&g, foreign).await, "character {foreign} kept");
    }
    let answer = c.delete_character("1111", 5).await.expect("answer");
    assert_eq!(answer, deletion(5, UNKNOWN_ERROR), "not even a wrong PIC");
    assert_eq!(pic_attempts(&g, 8).await, 0, "no PIC checked");
    drop(c);
    g.assert_ended_once(session, 8).await;

    // The account's own character, listed in another world than the last list's.
    let (mut admin, _, session) = g.logged_in("admin", "admin").await;
    let list = admin.character_list(1, 0).await.expect("admin's world 1");
    assert_eq!(listed(&list), [4]);
    let answer = admin.delete_character("", 2).await.expect("answer");
    assert_eq!(answer, deletion(2, UNKNOWN_ERROR));
    assert!(exists(&g, 2).await);
    drop(admin);
    g.assert_ended_once(session, 1).await;
}

/// A character or guild service that fails is 9 (UNKNOWN_ERROR), and nothing is deleted.
#[actix_rt::test]
async fn a_failing_service_is_answered_9_and_the_character_is_kept() {
    let mut g = Game::default().await;
    let (mut c, _, session) = g.logged_in("carol", "carol").await;
    c.character_list(0, 0).await.expect("carol's list");
    for fault in [
        Fault::status("characters/120", 500).on("GET"),
        Fault::status("guilds", 500),
        Fault::status("characters/120", 500).on("DELETE"),
    ] {
        // Once: the service's call uses it up (and the check below is served).
        g.fault(fault.clone().times(1));
        let answer = c.delete_character("2468", 120).await.expect("answer");
        assert_eq!(answer, deletion(120, UNKNOWN_ERROR), "{fault:?}");
        assert!(g.sim.faults().list().is_empty(), "{fault:?} was met");
        assert!(exists(&g, 120).await, "{fault:?}");
    }
    let answer = c.delete_character("2468", 120).await.expect("answer");
    assert_eq!(answer, deletion(120, DELETED));
    drop(c);
    g.assert_ended_once(session, 8).await;
}

/// One PIC check at a time: a deletion sent while a select's PIC is being recorded is dropped
/// (and counted), and cannot take the select's answer: the character is not deleted with a
/// wrong PIC, and the select goes on.
#[actix_rt::test]
async fn a_deletion_sent_while_a_selects_pic_is_checked_does_not_take_its_answer() {
    let mut g = Setup::default().own_tenant().start().await;
    let (mut c, _, session) = g.logged_in("alice", "alice").await;
    c.character_list(0, 0).await.expect("alice's list");
    // The account service holds the select's attempt record while the deletion arrives (and
    // would answer the deletion's after it).
    let slow = |ms| Fault::delay("accounts/5/pic-attempts", Duration::from_millis(ms)).times(1);
    g.fault(slow(500));
    g.fault(slow(1000));
    let string = |s: &str| [&(s.len() as u16).to_le_bytes()[..], s.as_bytes()].concat();
    let client = opcodes().client;
    let select = [
        string("1234"),
        5u32.to_le_bytes().to_vec(),
        string("00-00-00-00-00-00"),
        string("00000000"),
    ]
    .concat();
    c.send(client.select_with_pic.expect("SelectWithPic"), &select)
        .await
        .expect("select");
    let delete = [string("0000"), 5u32.to_le_bytes().to_vec()].concat();
    c.send(client.delete_character, &delete)
        .await
        .expect("delete");
    g.wait_tenant_metric(
        "login_requests_dropped_total",
        &[("reason", "check_in_flight")],
        1.0,
    )
    .await;
    let ip = c
        .recv_until(opcodes().server.server_ip)
        .await
        .expect("the select's ServerIP");
    assert_eq!(ip.body[..2], [0, 0], "the select goes on");
    assert!(exists(&g, 5).await, "not deleted with a wrong PIC");
    assert_eq!(pic_attempts(&g, 5).await, 0);
    assert_eq!(c.skipped_packets(), 0, "no DeleteCharacterResponse");
    drop(c);
    g.assert_ended_once(session, 5).await;
}
