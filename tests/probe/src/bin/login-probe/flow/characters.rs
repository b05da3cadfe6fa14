//! The character steps after the world's list: the name check, the creation (a default look,
//! answered once the character factory's seed event reached the server), the deletion (with
//! the PIC, or the birth date on GMS 12) and the view of every world's characters.

use maple_client::packets::codes;
use maple_client::{CharacterList, Client, NewCharacter, ViewAll};

use super::{describe, refuse, timed, usage, Failure};
use crate::args::{Args, Delete};
use crate::report::Reporter;

/// What the steps know of the account's characters in `--world`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Roster {
    /// The list's characters, then the one created, in order.
    pub ids: Vec<u32>,
    /// The list's login option (0 register a PIC, 1 enter it, 2 none; absent without PIC).
    pub login_opt: Option<u8>,
    /// The account's gender (the default look's).
    pub gender: u8,
    /// The character `--create` made.
    pub created: Option<u32>,
    /// The character `--delete` deleted.
    pub deleted: Option<u32>,
}

impl Roster {
    pub fn new(list: &CharacterList, gender: u8) -> Roster {
        Roster {
            ids: list.characters.iter().map(|c| c.stats.id).collect(),
            login_opt: list.login_opt,
            gender,
            created: None,
            deleted: None,
        }
    }

    /// The characters still there, in order.
    pub fn present(&self) -> impl Iterator<Item = u32> + '_ {
        self.ids
            .iter()
            .copied()
            .filter(|id| Some(*id) != self.deleted)
    }
}

/// The birth date a GMS 12 deletion sends without `--pic` (the server does not check it).
pub(super) const DEFAULT_BIRTH_DATE: &str = "19700101";

/// The name check, the creation and the deletion, as far as asked for.
pub(super) async fn run(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    roster: &mut Roster,
) -> Result<usize, Failure> {
    let mut steps = 0;
    if let Some(name) = &args.check_name {
        steps += name_step(client, rep, name).await?;
    }
    if let Some(name) = &args.create {
        if args.check_name.as_deref() != Some(name.as_str()) {
            steps += name_step(client, rep, name).await?;
        }
        steps += create_step(client, rep, name, roster).await?;
    }
    if let Some(delete) = args.delete {
        let id = match delete {
            Delete::Id(id) => id,
            Delete::Created => roster.created.expect("--delete created follows --create"),
        };
        steps += delete_step(client, args, rep, id, roster).await?;
    }
    Ok(steps)
}

async fn name_step(client: &mut Client, rep: &Reporter, name: &str) -> Result<usize, Failure> {
    let (answer, t) = timed(rep, "name", client.check_name(name)).await?;
    let code_name = codes::name_check_name(answer.code);
    if !answer.available() {
        let msg = format!(
            "name {name:?} is not available: code {} ({code_name})",
            answer.code
        );
        return Err(refuse(rep, "name", t, msg));
    }
    rep.step(
        "name",
        t,
        true,
        &format!("name {name:?} is free ({code_name})"),
    );
    Ok(1)
}

async fn create_step(
    client: &mut Client,
    rep: &Reporter,
    name: &str,
    roster: &mut Roster,
) -> Result<usize, Failure> {
    let new = default_look(name, roster.gender);
    let (outcome, t) = timed(rep, "create", client.create_character(&new)).await?;
    let Some(entry) = outcome.entry.filter(|_| outcome.code == 0) else {
        let msg = format!(
            "AddCharacterEntry code {} ({})",
            outcome.code,
            codes::add_character_name(outcome.code)
        );
        return Err(refuse(rep, "create", t, msg));
    };
    let id = entry.stats.id;
    roster.created = Some(id);
    roster.ids.push(id);
    let detail = format!(
        "{} (AddCharacterEntry once the seed event arrived)",
        describe::character(&entry.stats)
    );
    rep.step("create", t, true, &detail);
    Ok(1)
}

async fn delete_step(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    id: u32,
    roster: &mut Roster,
) -> Result<usize, Failure> {
    let by_birth_date = client.profile().deletes_by_birth_date();
    let pic = args.pic.as_ref().map(|p| p.0.as_str());
    let secret = deletion_secret(by_birth_date, roster.login_opt, pic)
        .map_err(|m| usage(rep, "delete", m))?;
    let (answer, t) = timed(rep, "delete", client.delete_character(secret, id)).await?;
    let code_name = codes::delete_result_name(answer.code);
    if answer.code != 0 || answer.character_id != id {
        let msg = format!(
            "character {} not deleted: code {} ({code_name})",
            answer.character_id, answer.code
        );
        return Err(refuse(rep, "delete", t, msg));
    }
    roster.deleted = Some(id);
    rep.step(
        "delete",
        t,
        true,
        &format!("character {id} deleted ({code_name})"),
    );
    Ok(1)
}

/// What DeleteCharacter carries: the birth date on GMS 12 (`--pic`, or a default); the PIC,
/// which login option 1 (a PIC registered) requires; otherwise whatever was given (unchecked).
pub(super) fn deletion_secret(
    by_birth_date: bool,
    login_opt: Option<u8>,
    pic: Option<&str>,
) -> Result<&str, String> {
    match (by_birth_date, login_opt, pic) {
        (true, _, pic) => Ok(pic.unwrap_or(DEFAULT_BIRTH_DATE)),
        (false, Some(1), None) => {
            Err("login option 1 needs the PIC to delete; pass --pic or LOGIN_PROBE_PIC".into())
        }
        (false, _, pic) => Ok(pic.unwrap_or("")),
    }
}

/// ViewAllCharacters: the count and every world's packet. No character at all (SEARCH_FAILED)
/// is an answer; any other failure code is a refusal.
pub(super) async fn view_all_step(client: &mut Client, rep: &Reporter) -> Result<ViewAll, Failure> {
    let (view, t) = timed(rep, "view-all", client.view_all()).await?;
    match &view {
        ViewAll::Failed { code } if *code != 3 => {
            let msg = format!(
                "CharacterViewAll code {code} ({})",
                codes::view_all_failure_name(*code)
            );
            Err(refuse(rep, "view-all", t, msg))
        }
        _ => {
            rep.step("view-all", t, true, &describe::view_all(&view));
            Ok(view)
        }
    }
}

/// A beginner Adventurer of `gender` (10, not chosen, counts as male) with the look the v83
/// creation screen offers first.
pub(super) fn default_look(name: &str, gender: u8) -> NewCharacter {
    let female = gender == 1;
    let pick = |male: u32, female_id: u32| if female { female_id } else { male };
    NewCharacter {
        name: name.to_owned(),
        job: 1,
        sub_job: 0,
        face: pick(20000, 21000),
        hair: pick(30000, 31000),
        hair_color: 0,
        skin: 0,
        top: pick(1_040_002, 1_041_002),
        bottom: pick(1_060_002, 1_061_002),
        shoes: 1_072_001,
        weapon: 1_302_000,
        gender: u8::from(female),
        stats: [13, 4, 4, 4],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_look_follows_the_account_gender() {
        let male = default_look("Probe", 0);
        assert_eq!(
            (
                male.name.as_str(),
                male.job,
                male.gender,
                male.face,
                male.top
            ),
            ("Probe", 1, 0, 20000, 1_040_002)
        );
        let female = default_look("Probe", 1);
        assert_eq!(
            (female.gender, female.face, female.hair, female.bottom),
            (1, 21000, 31000, 1_061_002)
        );
        assert_eq!(default_look("Probe", 10), male, "not chosen: male");
        assert_eq!(male.stats.iter().map(|&s| u32::from(s)).sum::<u32>(), 25);
    }

    #[test]
    fn the_deletion_carries_the_pic_the_account_needs() {
        assert_eq!(deletion_secret(false, Some(1), Some("1234")), Ok("1234"));
        assert!(deletion_secret(false, Some(1), None)
            .unwrap_err()
            .contains("--pic"));
        // No PIC registered yet (0), none in use (2), or a version without: not checked.
        assert_eq!(deletion_secret(false, Some(0), None), Ok(""));
        assert_eq!(deletion_secret(false, Some(2), Some("9")), Ok("9"));
        assert_eq!(deletion_secret(false, None, None), Ok(""));
        // GMS 12: the birth date.
        assert_eq!(deletion_secret(true, None, None), Ok(DEFAULT_BIRTH_DATE));
        assert_eq!(
            deletion_secret(true, None, Some("19991231")),
            Ok("19991231")
        );
    }

    #[test]
    fn the_roster_keeps_the_created_and_leaves_out_the_deleted() {
        let mut roster = Roster::new(&CharacterList::default(), 0);
        roster.ids = vec![1, 2];
        roster.created = Some(9);
        roster.ids.push(9);
        roster.deleted = Some(1);
        assert_eq!(roster.present().collect::<Vec<_>>(), [2, 9]);
    }
}
