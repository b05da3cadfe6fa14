//! The game socket's character requests: the name check, the creation (asked of the character
//! factory, answered once its seed event arrives), the deletion (PIC, ownership and guild
//! checked), and the view of every world's characters.

use crate::rest::{AttemptKind, RestError, SeedRequest};
use crate::session::fetch::{DeleteAnswer, Query};
use crate::session::output::{
    AllCharacters, CharacterInfo, Deletion, NameVerdict, Output, PicState,
};
use crate::session::request::{NewCharacter, Secret};

use super::{Awaiting, Effect, State};

/// The shortest and longest name, in characters (Atlas's rule).
const NAME_CHARS: std::ops::RangeInclusive<usize> = 3..=12;
/// The longest name in bytes: the character entry's name field holds 13 bytes with its NUL.
const NAME_BYTES: usize = 12;

/// Atlas's name rule, anchored (Atlas's regex is not, so any name with three allowed
/// characters in a row passes there): 3 to 12 letters or digits of ASCII, hiragana, katakana
/// or the CJK ideographs, fitting the entry's name field.
pub fn name_allowed(name: &str) -> bool {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric()
            || ('\u{3040}'..='\u{309F}').contains(&c)
            || ('\u{30A0}'..='\u{30FF}').contains(&c)
            || ('\u{4E00}'..='\u{9FAF}').contains(&c)
    };
    NAME_CHARS.contains(&name.chars().count())
        && name.len() <= NAME_BYTES
        && name.chars().all(allowed)
}

impl State {
    pub(super) fn check_name(&mut self, name: String) -> Vec<Effect> {
        if !name_allowed(&name) {
            return vec![Effect::Tell(Output::NameChecked {
                name,
                verdict: NameVerdict::NotAllowed,
            })];
        }
        vec![Effect::Fetch(Query::NameTaken { name })]
    }

    pub(super) fn name_checked(
        &mut self,
        name: String,
        taken: Result<bool, RestError>,
    ) -> Vec<Effect> {
        let verdict = match taken {
            Ok(false) => NameVerdict::Available,
            Ok(true) => NameVerdict::Taken,
            Err(_) => NameVerdict::Unavailable,
        };
        vec![Effect::Tell(Output::NameChecked { name, verdict })]
    }

    /// A creation in the world of the last character list, asked of the factory; the client
    /// is answered when the factory's seed event arrives.
    pub(super) fn create_character(&mut self, new: NewCharacter) -> Vec<Effect> {
        let (Some((world_id, _)), Some(account)) = (self.game.chosen, &self.game.account) else {
            return vec![creation_failed("no world was chosen")];
        };
        if !name_allowed(&new.name) {
            // The client checks the name first; a client that did not is refused here.
            return vec![creation_failed("the name breaks the name rule")];
        }
        if self.game.creating.is_some() {
            return vec![Effect::Dropped("creation_in_flight")];
        }
        self.game.creating = Some(new.name.clone());
        let mut seed = SeedRequest::new(self.account_id, world_id, new.name);
        seed.gender = new.gender.unwrap_or(account.gender);
        seed.job_index = new.job_index;
        seed.sub_job_index = new.sub_job_index;
        seed.face = new.face;
        seed.hair = new.hair;
        seed.hair_color = new.hair_color;
        seed.skin_color = new.skin_color;
        seed.top = new.top;
        seed.bottom = new.bottom;
        seed.shoes = new.shoes;
        seed.weapon = new.weapon;
        vec![Effect::Fetch(Query::Seed(Box::new(seed)))]
    }

    /// The factory's answer to the creation request (its outcome comes as a seed event).
    pub(super) fn seeded(&mut self, result: Result<(), RestError>) -> Vec<Effect> {
        if result.is_ok() || self.game.creating.take().is_none() {
            return Vec::new();
        }
        vec![creation_failed("the character factory refused the request")]
    }

    /// The seed event's character, read: if it is the one this session asked for, shown to
    /// the client, and selectable.
    pub(super) fn new_character(
        &mut self,
        character_id: u32,
        result: Result<Box<CharacterInfo>, RestError>,
    ) -> Vec<Effect> {
        let Some(requested) = self.game.creating.as_deref() else {
            return Vec::new(); // answered already
        };
        match result {
            Ok(character)
                if character.character.account_id == self.account_id
                    && character.character.name.eq_ignore_ascii_case(requested) =>
            {
                self.game.creating = None;
                self.game.listed.push(character_id);
                vec![Effect::Tell(Output::CharacterCreated {
                    character_id,
                    character: Some(character),
                })]
            }
            // Another request's (another client of the factory created one for the account
            // meanwhile), or not this account's: nothing to show, the session's own is awaited.
            Ok(_) => Vec::new(),
            Err(_) => {
                self.game.creating = None;
                vec![creation_failed("the new character could not be read")]
            }
        }
    }

    /// DeleteCharacter: the PIC first (when the account has one), then the services.
    pub(super) fn delete_character(
        &mut self,
        character_id: u32,
        pic: Option<Secret>,
    ) -> Vec<Effect> {
        let Some(account) = self.game.account.as_ref() else {
            return vec![Effect::Dropped("no_account")];
        };
        if !self.game.listed.contains(&character_id) {
            // Not shown to this account: Atlas does not check; nothing is deleted here.
            return vec![deleted(character_id, Deletion::Failed)];
        }
        match (self.pic_state(account), pic) {
            (PicState::Registered, Some(pic)) => {
                let success = pic.expose() == account.pic;
                self.attempt(AttemptKind::Pic, success, Awaiting::Delete(character_id))
            }
            // No PIC in use, or a version whose request carries a birth date instead (which
            // Atlas does not check either).
            (_, _) => self.delete_now(character_id),
        }
    }

    /// The PIC check of a deletion was recorded (the limit was not reached).
    pub(super) fn pic_checked_for_delete(
        &mut self,
        character_id: u32,
        success: bool,
    ) -> Vec<Effect> {
        if success {
            self.delete_now(character_id)
        } else {
            vec![deleted(character_id, Deletion::WrongPic)]
        }
    }

    fn delete_now(&mut self, character_id: u32) -> Vec<Effect> {
        vec![Effect::Fetch(Query::DeleteCharacter {
            account_id: self.account_id,
            character_id,
        })]
    }

    pub(super) fn deleted(
        &mut self,
        character_id: u32,
        result: Result<DeleteAnswer, RestError>,
    ) -> Vec<Effect> {
        let outcome = match result {
            Ok(DeleteAnswer::Deleted) => {
                self.game.listed.retain(|c| *c != character_id);
                self.game.listed_all.retain(|(c, _)| *c != character_id);
                Deletion::Deleted
            }
            Ok(DeleteAnswer::GuildLeader) => Deletion::GuildLeader,
            Ok(DeleteAnswer::NotOwned) | Err(_) => Deletion::Failed,
        };
        vec![deleted(character_id, outcome)]
    }

    /// The view of every world: what the account may select from it is remembered.
    pub(super) fn all_characters(
        &mut self,
        result: Result<Vec<(u8, Vec<CharacterInfo>)>, RestError>,
    ) -> Vec<Effect> {
        let Ok(worlds) = result else {
            self.game.listed_all.clear();
            return vec![Effect::Tell(Output::AllCharactersUnavailable)];
        };
        self.game.listed_all = worlds
            .iter()
            .flat_map(|(world, characters)| {
                characters
                    .iter()
                    .filter(|c| c.character.account_id == self.account_id)
                    .map(|c| (c.character.id, *world))
            })
            .collect();
        if self.game.listed_all.is_empty() {
            return vec![Effect::Tell(Output::NoCharacters)];
        }
        let pic = self
            .game
            .account
            .as_ref()
            .map_or(PicState::Unused, |a| self.pic_state(a));
        vec![Effect::Tell(Output::AllCharacters(Box::new(
            AllCharacters { worlds, pic },
        )))]
    }
}

fn creation_failed(reason: &str) -> Effect {
    Effect::Tell(Output::CharacterCreationFailed {
        reason: reason.to_owned(),
    })
}

fn deleted(character_id: u32, outcome: Deletion) -> Effect {
    Effect::Tell(Output::CharacterDeleted {
        character_id,
        outcome,
    })
}
