//! The game socket's flow after login, as Atlas's login serves it: the server list, a world's
//! load, a world's character list, and a character select (with its PIC) that asks the account
//! service to move the session to a channel. Where Atlas stays silent on a failure, the client
//! is told something it can show (an empty list, a full world, a select error).

use crate::message::account_session::ChannelParams;
use crate::rest::{AccountChange, AttemptKind, AttemptResult, Channel, RestError, World};
use crate::session::fetch::{Answer, Query, RosterAnswer};
use crate::session::output::{Output, PicState, Problem, SelectRefusal, Unavailable};
use crate::session::request::PicAnswer;

use super::{problem, Awaiting, Effect, EndReason, Flow, GameRequest, Phase, Selecting, State};

/// The load a world is shown with when it cannot be read (the client shows it as full).
const FULL: u16 = 2;

/// The dropped-request reason of a PIN or PIC check (or a PIC registration) asked for while
/// another is at the account service.
const CHECK_IN_FLIGHT: &str = "check_in_flight";

impl State {
    pub(super) fn game_request(&mut self, request: GameRequest) -> Vec<Effect> {
        // Served in any phase (Atlas's Pong has no validator: the client is pinged at its login
        // screen too); its effect, a new quiet period, is already done.
        if matches!(request, GameRequest::Pong) {
            return Vec::new();
        }
        if !matches!(self.phase, Phase::Authenticated { .. }) {
            return vec![Effect::Dropped("not_logged_in")];
        }
        let uses_pin = matches!(self.flow, Flow::Game { pin: true, .. });
        if !uses_pin
            && matches!(
                request,
                GameRequest::Pin(_) | GameRequest::RegisterPin { .. }
            )
        {
            return vec![Effect::Dropped("pin_unused")];
        }
        if self.pin_required(&request) {
            // Atlas serves a client that skips the PIN it was asked for; this login does not.
            return vec![Effect::Dropped("pin_required")];
        }
        match request {
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
            GameRequest::PlayCharacter { character_id, pic } => {
                let owned = self.game.listed.contains(&character_id);
                let selecting = Selecting {
                    character_id,
                    from_all: None,
                };
                self.play(selecting, owned, pic)
            }
            GameRequest::PlayFromAll {
                character_id,
                world_id,
                pic,
            } => {
                let world = u8::try_from(world_id).ok();
                let owned =
                    world.is_some_and(|w| self.game.listed_all.contains(&(character_id, w)));
                let selecting = Selecting {
                    character_id,
                    from_all: Some(world.unwrap_or_default()),
                };
                self.play(selecting, owned, pic)
            }
            GameRequest::Pin(request) => self.pin(request),
            GameRequest::RegisterPin { pin } => self.register_pin(pin),
            GameRequest::SetGender { confirmed, gender } => self.set_gender(confirmed, gender),
            GameRequest::CheckName { name } => self.check_name(name),
            GameRequest::CreateCharacter(new) => self.create_character(*new),
            GameRequest::DeleteCharacter { character_id, pic } => {
                self.delete_character(character_id, pic)
            }
            GameRequest::ViewAll => vec![Effect::Fetch(Query::AllCharacters {
                account_id: self.account_id,
            })],
            GameRequest::Pong => Vec::new(),
        }
    }

    /// Whether the request must wait for the PIN (a tenant with `usesPin` whose client has not
    /// entered it in this login): only the PIN dialog, the gender dialog before it, and the
    /// keep-alive are served until then.
    fn pin_required(&self, request: &GameRequest) -> bool {
        let uses_pin = matches!(self.flow, Flow::Game { pin: true, .. });
        uses_pin
            && !self.game.pin_passed
            && !matches!(
                request,
                GameRequest::Pin(_)
                    | GameRequest::RegisterPin { .. }
                    | GameRequest::SetGender { .. }
                    | GameRequest::Pong
            )
    }

    /// A select: only of a character the account owns (`owned`: shown to it in the list it
    /// was chosen from), with the PIC when the account uses one.
    fn play(&mut self, selecting: Selecting, owned: bool, pic: PicAnswer) -> Vec<Effect> {
        let Some(account) = self.game.account.clone().filter(|_| owned) else {
            // A character the account does not own (or not in the world chosen): Atlas does not
            // check; the reference v83 servers close the connection, and so does this one.
            return vec![
                Effect::Dropped("character_not_owned"),
                Effect::End(EndReason::ProtocolViolation),
            ];
        };
        match (self.pic_state(&account), pic) {
            (PicState::Unused, _) => self.channel_of(selecting),
            (PicState::Unregistered, PicAnswer::Registering(_)) if self.game.awaiting.is_some() => {
                vec![Effect::Dropped(CHECK_IN_FLIGHT)]
            }
            (PicState::Unregistered, PicAnswer::Registering(new)) => {
                self.game.awaiting = Some(Awaiting::Select(selecting));
                vec![Effect::Fetch(Query::ChangeAccount {
                    account,
                    change: AccountChange::Pic(new),
                })]
            }
            (PicState::Registered, PicAnswer::Given(given) | PicAnswer::Registering(given)) => {
                // A registered PIC is checked whatever packet carries it (Atlas stays silent
                // on a register for an account that has one).
                let success = given == account.pic;
                self.attempt(AttemptKind::Pic, success, Awaiting::Select(selecting))
            }
            // A client that skips the PIC the session asked for.
            (_, _) => vec![
                Effect::Dropped("pic_skipped"),
                Effect::End(EndReason::ProtocolViolation),
            ],
        }
    }

    /// Records a PIN or PIC check at the account service; `then` goes on once it is recorded.
    /// One check at a time: a request that needs one while another is being recorded is
    /// dropped (the record's answer goes to the request that asked for it).
    pub(super) fn attempt(
        &mut self,
        kind: AttemptKind,
        success: bool,
        then: Awaiting,
    ) -> Vec<Effect> {
        if self.game.awaiting.is_some() {
            return vec![Effect::Dropped(CHECK_IN_FLIGHT)];
        }
        self.game.awaiting = Some(then);
        vec![Effect::Fetch(Query::Attempt {
            kind,
            account_id: self.account_id,
            success,
            ip_address: self.ip_address.clone(),
            hwid: self.hwid.clone(),
        })]
    }

    /// The character goes on: the chosen channel's address is read (or, chosen from the view
    /// of every world, that world's channels).
    fn channel_of(&mut self, selecting: Selecting) -> Vec<Effect> {
        let character_id = selecting.character_id;
        if let Some(world_id) = selecting.from_all {
            return vec![Effect::Fetch(Query::WorldChannels {
                world_id,
                character_id,
            })];
        }
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
            } => channel(character_id, result.ok()),
            Answer::WorldChannels {
                character_id,
                result,
            } => channel(character_id, result.ok().and_then(least_loaded)),
            Answer::Attempt {
                kind,
                success,
                result,
            } => self.attempt_recorded(kind, success, result),
            Answer::AccountChanged { change, result } => self.account_changed(change, result),
            Answer::NewCharacter {
                character_id,
                result,
            } => self.new_character(character_id, result),
            Answer::NameTaken { name, result } => self.name_checked(name, result),
            Answer::Seeded(result) => self.seeded(result),
            Answer::Deleted {
                character_id,
                result,
            } => self.deleted(character_id, result),
            Answer::AllCharacters(result) => self.all_characters(result),
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
            // a full world so, and stays silent on the others). No world is chosen: nothing is
            // created in it (Atlas stores a world only once its list passed).
            Ok(RosterAnswer::UnknownWorld | RosterAnswer::Full) | Err(_) => {
                self.game.chosen = None;
                self.game.listed.clear();
                vec![Effect::Tell(Output::WorldStatus(FULL))]
            }
        }
    }

    /// A PIN or PIC check was recorded: a right one goes on, a wrong one is told (or ends the
    /// session once the account service says the limit is reached).
    fn attempt_recorded(
        &mut self,
        kind: AttemptKind,
        success: bool,
        recorded: Result<AttemptResult, RestError>,
    ) -> Vec<Effect> {
        let Some(awaiting) = self.game.awaiting.take() else {
            return Vec::new();
        };
        if !success && recorded.as_ref().is_ok_and(|r| r.limit_reached) {
            return vec![Effect::End(EndReason::TooManyAttempts)];
        }
        match (kind, awaiting) {
            (AttemptKind::Pic, Awaiting::Select(selecting)) if success => {
                self.channel_of(selecting)
            }
            (AttemptKind::Pic, Awaiting::Select(_)) => {
                vec![Effect::Tell(Output::SelectRefused(SelectRefusal::WrongPic))]
            }
            (AttemptKind::Pic, Awaiting::Delete(character_id)) => {
                self.pic_checked_for_delete(character_id, success)
            }
            (AttemptKind::Pin, awaiting @ (Awaiting::PinCheck | Awaiting::PinChange)) => {
                self.pin_checked(awaiting, success)
            }
            _ => Vec::new(),
        }
    }

    /// An account change (re-sent whole) came back: the session keeps the account as changed.
    fn account_changed(
        &mut self,
        change: AccountChange,
        changed: Result<Box<crate::rest::Account>, RestError>,
    ) -> Vec<Effect> {
        let ok = changed.is_ok();
        // The change applies to the account as it is now: the answer is the account this PATCH
        // was sent with, which another change answered meanwhile may have moved on from.
        if ok {
            if let Some(account) = &mut self.game.account {
                **account = account.changed(&change);
            }
        }
        match change {
            AccountChange::Pic(_) => match self.game.awaiting.take() {
                Some(Awaiting::Select(selecting)) if ok => self.channel_of(selecting),
                // The PIC could not be registered: the select cannot go on.
                Some(Awaiting::Select(_)) => vec![Effect::Tell(Output::SelectRefused(
                    SelectRefusal::Unavailable,
                ))],
                _ => Vec::new(),
            },
            AccountChange::Pin(_) => self.pin_registered(ok),
            AccountChange::Gender(gender) => self.gender_set(gender, ok),
            // The licence: the client waits for nothing of it (Atlas ignores a failure too).
            AccountChange::Tos(_) => Vec::new(),
        }
    }
}

fn sorted(worlds: Result<Vec<World>, RestError>) -> Vec<World> {
    let mut worlds = worlds.unwrap_or_default();
    worlds.sort_by_key(|w| w.id);
    worlds
}

/// The channel a character chosen from the view of every world goes to: the least loaded
/// (Atlas picks one at random) of those a game client can be sent to (an IPv4 address: a host
/// name has no place in ServerIP), the lowest id among equals; none when the world has none.
/// A world whose channels all have host names gives its least loaded (which is refused).
fn least_loaded(channels: Vec<Channel>) -> Option<Channel> {
    let reachable = |c: &Channel| c.ip_address.parse::<std::net::Ipv4Addr>().is_ok();
    channels.into_iter().min_by_key(|c| {
        let load = u64::from(c.current_capacity) * 1000 / u64::from(c.max_capacity.max(1));
        (!reachable(c), load, c.channel_id)
    })
}

/// The character moves to `channel`; without one (unreadable, or no channel open) the select
/// is refused and the session stays.
fn channel(character_id: u32, channel: Option<Channel>) -> Vec<Effect> {
    match channel {
        Some(channel) if channel.ip_address.parse::<std::net::Ipv4Addr>().is_ok() => {
            vec![Effect::SendProgress(ChannelParams {
                ip_address: channel.ip_address,
                port: channel.port,
                character_id,
            })]
        }
        // Refused before PROGRESS_STATE: the peer would move the account into transition for
        // a client that cannot be told where to go.
        Some(channel) => {
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
        None => vec![Effect::Tell(Output::SelectRefused(
            SelectRefusal::Unavailable,
        ))],
    }
}
