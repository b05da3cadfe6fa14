//! The game socket's flow after login, as Atlas's login serves it: the server list, a world's
//! load, a world's character list, and a character select (with its PIC) that asks the account
//! service to move the session to a channel. Where Atlas stays silent on a failure, the client
//! is told something it can show (an empty list, a full world, a select error).

use crate::message::account_session::ChannelParams;
use crate::rest::{AccountChange, AttemptResult, Channel, RestError, World};
use crate::session::fetch::{Answer, Query, RosterAnswer};
use crate::session::output::{
    CharacterInfo, Output, PicState, Problem, SelectRefusal, Unavailable,
};
use crate::session::request::PicAnswer;

use super::{problem, Effect, EndReason, Flow, GameRequest, Phase, State};

/// The load a world is shown with when it cannot be read (the client shows it as full).
const FULL: u16 = 2;

impl State {
    pub(super) fn game_request(&mut self, request: GameRequest) -> Vec<Effect> {
        let authenticated = matches!(self.phase, Phase::Authenticated { .. });
        match request {
            // Served in any phase (Atlas's Pong has no validator: the client is pinged at its
            // login screen too); its effect, a new quiet period, is already done.
            GameRequest::Pong => Vec::new(),
            _ if !authenticated => vec![Effect::Dropped("not_logged_in")],
            GameRequest::ListWorlds => vec![Effect::Fetch(Query::Worlds)],
            GameRequest::WorldStatus { world_id } => match u8::try_from(world_id) {
                Ok(world_id) => vec![Effect::Fetch(Query::WorldStatus { world_id })],
                // No world has such an id: shown full, as a world that cannot be read.
                Err(_) => vec![Effect::Tell(Output::WorldStatus(FULL))],
            },
            GameRequest::ListCharacters {
                world_id,
                channel_id,
            } => {
                self.game.chosen = Some((world_id, channel_id));
                vec![Effect::Fetch(Query::Roster {
                    account_id: self.account_id,
                    world_id,
                })]
            }
            GameRequest::PlayCharacter { character_id, pic } => self.play(character_id, pic),
        }
    }

    /// A select: only of a character of the last list, with the PIC when the account uses one.
    fn play(&mut self, character_id: u32, pic: PicAnswer) -> Vec<Effect> {
        let listed = self.game.listed.contains(&character_id);
        let Some(account) = self.game.account.clone().filter(|_| listed) else {
            // A character the account does not own (or not in the world chosen): Atlas does not
            // check; the reference v83 servers close the connection, and so does this one.
            return vec![
                Effect::Dropped("character_not_owned"),
                Effect::End(EndReason::ProtocolViolation),
            ];
        };
        match (self.pic_state(&account), pic) {
            (PicState::Unused, _) => self.channel_of(character_id),
            (PicState::Unregistered, PicAnswer::Registering(new)) => {
                self.game.selecting = Some(character_id);
                vec![Effect::Fetch(Query::ChangeAccount {
                    account,
                    change: AccountChange::Pic(new),
                })]
            }
            (PicState::Registered, PicAnswer::Given(given) | PicAnswer::Registering(given)) => {
                // A registered PIC is checked whatever packet carries it (Atlas stays silent
                // on a register for an account that has one).
                let success = given == account.pic;
                self.game.selecting = success.then_some(character_id);
                vec![Effect::Fetch(Query::PicAttempt {
                    account_id: self.account_id,
                    success,
                    ip_address: self.ip_address.clone(),
                    hwid: self.hwid.clone(),
                })]
            }
            // A client that skips the PIC the session asked for.
            (_, _) => vec![
                Effect::Dropped("pic_skipped"),
                Effect::End(EndReason::ProtocolViolation),
            ],
        }
    }

    /// The character goes on: the chosen channel's address is read.
    fn channel_of(&mut self, character_id: u32) -> Vec<Effect> {
        let Some((world_id, channel_id)) = self.game.chosen else {
            return vec![Effect::Dropped("no_world_chosen")];
        };
        vec![Effect::Fetch(Query::Channel {
            world_id,
            channel_id,
            character_id,
        })]
    }

    /// The PROGRESS_STATE could not be delivered. A game client waits for a ServerIP, which
    /// the peer's STATE_CHANGED will never bring: it is told the select failed (the gateway's
    /// client gets its `UNAVAILABLE` error, which the game socket has no packet for).
    pub(super) fn progress_failed(&self) -> Vec<Effect> {
        match self.flow {
            Flow::Game { .. } => vec![Effect::Tell(Output::SelectRefused(
                SelectRefusal::Unavailable,
            ))],
            Flow::Gateway => vec![problem(Problem::Unavailable(Unavailable::Kafka))],
        }
    }

    pub(super) fn fetched(&mut self, answer: Answer) -> Vec<Effect> {
        match answer {
            Answer::LoginAccount(read) => self.login_account(read),
            _ if !matches!(self.phase, Phase::Authenticated { .. }) => Vec::new(),
            Answer::Worlds(worlds) => vec![Effect::Tell(Output::Worlds(sorted(worlds)))],
            Answer::WorldStatus(world) => {
                let load = world.map_or(FULL, |w| w.capacity_status);
                vec![Effect::Tell(Output::WorldStatus(load))]
            }
            Answer::Roster { world_id, result } => self.roster(world_id, result),
            Answer::Channel {
                character_id,
                result,
            } => channel(character_id, result),
            Answer::NewCharacter {
                character_id,
                result,
            } => new_character(character_id, result),
            Answer::PicAttempt { success, result } => self.pic_recorded(success, result),
            Answer::AccountChanged(changed) => self.account_changed(changed),
        }
    }

    fn roster(&mut self, world_id: u8, result: Result<RosterAnswer, RestError>) -> Vec<Effect> {
        if self.game.chosen.map(|(w, _)| w) != Some(world_id) {
            return Vec::new(); // the answer of an earlier choice
        }
        match result {
            Ok(RosterAnswer::Listed(account, mut roster)) => {
                roster.account = self.account_info(&account.name);
                roster.account.pic = self.pic_state(&account);
                self.game.listed = roster.characters.iter().map(|c| c.character.id).collect();
                self.game.account = Some(account);
                vec![Effect::Tell(Output::Characters(Box::new(roster)))]
            }
            // Unknown, full or unreadable: the client is told the world is full (Atlas answers
            // a full world so, and stays silent on the others).
            Ok(RosterAnswer::UnknownWorld | RosterAnswer::Full) | Err(_) => {
                self.game.listed.clear();
                vec![Effect::Tell(Output::WorldStatus(FULL))]
            }
        }
    }

    fn pic_recorded(
        &mut self,
        success: bool,
        recorded: Result<AttemptResult, RestError>,
    ) -> Vec<Effect> {
        let selecting = self.game.selecting.take();
        if success {
            return selecting.map_or_else(Vec::new, |c| self.channel_of(c));
        }
        match recorded {
            Ok(attempts) if attempts.limit_reached => {
                vec![Effect::End(EndReason::TooManyAttempts)]
            }
            _ => vec![Effect::Tell(Output::SelectRefused(SelectRefusal::WrongPic))],
        }
    }

    fn account_changed(
        &mut self,
        changed: Result<Box<crate::rest::Account>, RestError>,
    ) -> Vec<Effect> {
        let selecting = self.game.selecting.take();
        match changed {
            Ok(account) => {
                self.game.account = Some(account);
                selecting.map_or_else(Vec::new, |c| self.channel_of(c))
            }
            // The PIC could not be registered: the select cannot go on.
            Err(_) if selecting.is_some() => {
                vec![Effect::Tell(Output::SelectRefused(
                    SelectRefusal::Unavailable,
                ))]
            }
            Err(_) => Vec::new(), // a change the client waits for nothing of (the licence)
        }
    }
}

fn sorted(worlds: Result<Vec<World>, RestError>) -> Vec<World> {
    let mut worlds = worlds.unwrap_or_default();
    worlds.sort_by_key(|w| w.id);
    worlds
}

/// The channel read for a select: the account service is asked to move the session there,
/// unless the game client could not be sent there (its ServerIP carries four IPv4 bytes; a
/// host name or an IPv6 address would leave the account "in transition" for nobody).
fn channel(character_id: u32, result: Result<Channel, RestError>) -> Vec<Effect> {
    match result {
        Ok(channel) if channel.ip_address.parse::<std::net::Ipv4Addr>().is_ok() => {
            vec![Effect::SendProgress(ChannelParams {
                ip_address: channel.ip_address,
                port: channel.port,
                character_id,
            })]
        }
        Ok(channel) => {
            tracing::warn!(
                ip = %channel.ip_address,
                world_id = channel.world_id,
                channel_id = channel.channel_id,
                "A channel address that is not IPv4 cannot be sent to a game client; select refused."
            );
            vec![Effect::Tell(Output::SelectRefused(
                SelectRefusal::Unavailable,
            ))]
        }
        Err(_) => vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable,
        ))],
    }
}

fn new_character(character_id: u32, result: Result<Box<CharacterInfo>, RestError>) -> Vec<Effect> {
    match result {
        Ok(character) => vec![Effect::Tell(Output::CharacterCreated {
            character_id,
            character: Some(character),
        })],
        Err(_) => vec![Effect::Tell(Output::CharacterCreationFailed {
            reason: "the new character could not be read".into(),
        })],
    }
}
