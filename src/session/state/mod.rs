//! The session state machine: a pure function from (state, input) to effects. No actors, no
//! I/O, no wire format of any client protocol: the session actor feeds it client requests, peer
//! events, REST answers and timers, and performs the effects it returns (tell the client,
//! publish through the producer, ask Atlas's REST services, end the session).
//!
//! `login` holds the login flow every protocol shares (CREATE, the peer's answers, licence,
//! failures); `game` the game socket's flow after it (worlds, characters, PIC, channel).

mod account;
mod characters;
mod game;
mod login;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::message::account_session::{ChannelParams, CreateBody, EventBody, StatusEvent};
use crate::message::seed::SeedBody;
use crate::rest::Account;
use crate::session::directory::Holder;
use crate::session::fetch::{Answer, Query};
use crate::session::output::{LoginOutcome, Output, Problem, Unavailable};
use crate::session::request::Credentials;

pub use crate::session::output::EndReason;
pub use crate::session::request::GameRequest;

/// How long a game client may stay quiet before the session asks it for a Pong (Atlas's
/// newest login: 30 s).
pub const PING_AFTER: Duration = Duration::from_secs(30);

/// Where a session is in the login flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Connected, not authenticated, no login in flight.
    Connected,
    /// A CREATE was sent for login `attempt`; waiting for the peer's answer.
    LoggingIn { attempt: u32, account_name: String },
    /// The peer logged the account in; its resource is being read before the client is told
    /// (the game flow). `account_id` is already set, so an end now releases it.
    Binding { account_name: String, licence: bool },
    /// The peer asked for the licence agreement; waiting for the client's answer.
    LicensePending { account_name: String },
    /// Logged in; may choose a character (and ask for a channel transition).
    Authenticated { account_name: String },
    /// The session ended; every further input is ignored. Keeps the bound account's name (for
    /// the directory's name index).
    Ended { account_name: Option<String> },
}

/// What a session's client flow is, by its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The JSON-lines gateway: login, licence, and a select of a configured channel.
    Gateway,
    /// The game socket: the account is read at login, worlds, characters and channels come from
    /// Atlas's REST services; `pic`: characters are selected (and deleted) with a second
    /// password; `pin`: the account's PIN is asked for after login (the tenant's `usesPin`);
    /// `worlds_at_login`: the server list follows the login answer unasked (JMS).
    Game {
        pic: bool,
        pin: bool,
        worlds_at_login: bool,
    },
}

/// What the state machine is told.
#[derive(Debug)]
pub enum Input {
    /// A login; `holder` is the other session of this instance holding the account by that
    /// name, if any (the actor looks it up).
    Login {
        credentials: Credentials,
        holder: Option<Holder>,
    },
    AcceptLicense {
        accepted: bool,
    },
    /// The gateway's `select_character`, with the facts the actor looked up: the channel's
    /// address from the configuration (None when unknown) and whether the account counts as
    /// logged in.
    SelectCharacter {
        character_id: u32,
        channel: Option<(String, u16)>,
        account_logged_in: bool,
    },
    Logout,
    Ping,
    /// A game client's request after login (its validator passed, or it has none).
    Game(GameRequest),
    /// A game client's request its validator refused (the account is not logged in).
    Refused,
    /// A frame that is not a valid request; `message` says why (never quoting a secret).
    BadRequest {
        message: String,
    },
    /// A frame longer than the protocol allows.
    TooLong,
    /// A peer account-session event for this session, consumed at position `seq`.
    Peer {
        seq: u64,
        event: StatusEvent,
    },
    Seed(SeedBody),
    /// The answer to a [`Query`] of an earlier [`Effect::Fetch`].
    Fetched(Answer),
    LoginTimedOut {
        attempt: u32,
    },
    /// The CREATE of `attempt` could not be delivered.
    CreateFailed {
        attempt: u32,
    },
    /// The PROGRESS_STATE could not be delivered.
    ProgressFailed,
    /// The client has been quiet for this long (the idle check).
    Quiet {
        idle: Duration,
        max_idle: Duration,
    },
    /// The session must end for a reason outside the protocol (close, idle, shutdown, ...).
    End(EndReason),
}

/// What the actor must do, in order.
#[derive(Debug, PartialEq)]
pub enum Effect {
    /// Tell the client this.
    Tell(Output),
    /// Publish CREATE (awaited; failure comes back as `CreateFailed`) and arm the login timer;
    /// with `after_logout_of`, only once the peer has logged that account out (or the login
    /// times out waiting).
    SendCreate {
        attempt: u32,
        body: CreateBody,
        after_logout_of: Option<u32>,
    },
    /// End the other session `0` of this instance, which holds the account being logged in
    /// (`DUPLICATE_LOGIN=replace`).
    Replace(Uuid),
    /// The session is now bound to `account_id`: index it, record it, produce session CREATED.
    Bind { account_id: u32 },
    /// Publish PROGRESS_STATE 2 with these channel params (failure: `ProgressFailed`).
    SendProgress(ChannelParams),
    /// Publish LOGOUT for an account a stale login answer logged in, so the peer releases it.
    Release { account_id: u32 },
    /// Publish LOGOUT for the bound account and unbind the session, which stays connected so
    /// that its client logs in again (Atlas's LOGOUT-only paths: a PIN registered, a gender
    /// declined).
    SignOut {
        account_id: u32,
        account_name: String,
    },
    /// Ask Atlas's REST services; the answer comes back as [`Input::Fetched`].
    Fetch(Query),
    /// Count the first answer to the login in flight, which took `took`.
    LoginAnswered {
        outcome: LoginOutcome,
        took: Duration,
    },
    /// Count a request dropped unserved (`reason` is a metric label).
    Dropped(&'static str),
    /// End the session: tell the client why when it can be told, then LOGOUT and DESTROYED,
    /// exactly once.
    End(EndReason),
}

/// Fixed per-session settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub max_bad_requests: u32,
    /// Failed logins tolerated within `login_failure_window` (0: no limit).
    pub max_login_failures: u32,
    pub login_failure_window: Duration,
    /// `DUPLICATE_LOGIN=replace`: a login for an account another session holds ends that one.
    pub replace_duplicates: bool,
}

/// What the game flow keeps of the session's account and choices.
#[derive(Debug, Clone, Default)]
pub struct Game {
    /// The account as the account service last served it (its PIC included).
    pub account: Option<Box<Account>>,
    /// The world and channel of the last character list.
    pub chosen: Option<(u8, u8)>,
    /// The characters of that list: only these may be selected (or deleted).
    pub listed: Vec<u32>,
    /// The characters of the last view of every world, with their world: only these may be
    /// selected from that view.
    pub listed_all: Vec<(u32, u8)>,
    /// What waits for an attempt record or an account change at the account service.
    pub awaiting: Option<Awaiting>,
    /// The name of the character asked of the factory, while its seed event is awaited (a
    /// seed event names only the account and the character: the character read is this
    /// request's when it has this name).
    pub creating: Option<String>,
    /// The PIN was entered right in this login (or the tenant does not use PIN).
    pub pin_passed: bool,
    /// The client was asked for a Pong in this quiet period.
    pub pinged: bool,
    /// A gender choice is at the account service: another SetGender waits for its answer
    /// (dropped, not sent again).
    pub gender_in_flight: bool,
}

/// A character select on its way to a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selecting {
    pub character_id: u32,
    /// Chosen from the view of every world, in this world: the session picks the channel.
    pub from_all: Option<u8>,
}

/// What a PIN or PIC check, or a PIC registration, was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    Select(Selecting),
    Delete(u32),
    /// The PIN entered after login.
    PinCheck,
    /// The PIN entered to change it.
    PinChange,
}

/// The whole state of one session.
#[derive(Debug, Clone)]
pub struct State {
    pub phase: Phase,
    pub flow: Flow,
    /// The bound account (0 until the peer answered a login).
    pub account_id: u32,
    /// The account this connection was last signed out of (0 before any sign-out). Atlas keeps
    /// it as the session's account, so a login after it carries it in CREATE (its `accountId`
    /// and its key, the partition of the sign-out's LOGOUT): see [`State::create_account_id`].
    pub signed_out_of: u32,
    /// The client's IP as written into CREATE.
    pub ip_address: String,
    /// The hwid of the last login (for the account service's attempt records).
    pub hwid: String,
    /// Logins sent so far; numbers each attempt so that stale timers and failures are ignored.
    pub attempts: u32,
    /// CREATEs sent whose answer has not arrived (timed-out ones included).
    pub unanswered: u32,
    /// Consume position of the peer CREATED that bound the account.
    pub created_seq: Option<u64>,
    /// Bad requests in a row.
    pub bad_requests: u32,
    /// When recent logins failed (wrong password, unknown account), oldest first.
    pub failures: VecDeque<Instant>,
    /// When the login in flight was sent, until its first answer (for the login metrics).
    login_sent: Option<Instant>,
    /// A character is on its way to a channel: its channel is being read, or PROGRESS_STATE
    /// was sent and the peer's STATE_CHANGED is awaited.
    pub handoff: bool,
    pub game: Game,
    /// The time of the input being handled.
    now: Instant,
    pub settings: Settings,
}

impl State {
    pub fn new(ip_address: String, flow: Flow, settings: Settings) -> State {
        State {
            phase: Phase::Connected,
            flow,
            account_id: 0,
            signed_out_of: 0,
            ip_address,
            hwid: String::new(),
            attempts: 0,
            unanswered: 0,
            created_seq: None,
            bad_requests: 0,
            failures: VecDeque::new(),
            login_sent: None,
            handoff: false,
            game: Game::default(),
            now: Instant::now(),
            settings,
        }
    }

    /// The bound account's name, once the peer answered a login (and still after the end).
    /// The `accountId` (and key) of a CREATE: the bound account, else the one last signed
    /// out of on this connection, else 0 (a first login), as Atlas's session has it.
    pub fn create_account_id(&self) -> u32 {
        if self.account_id != 0 {
            self.account_id
        } else {
            self.signed_out_of
        }
    }

    pub fn account_name(&self) -> Option<&str> {
        match &self.phase {
            Phase::LicensePending { account_name }
            | Phase::Authenticated { account_name }
            | Phase::Binding { account_name, .. } => Some(account_name),
            Phase::Ended { account_name } => account_name.as_deref(),
            _ => None,
        }
    }

    /// Whether the session has a login or a channel hand-off in flight (what a shutdown's
    /// drain waits for).
    pub fn in_flight(&self) -> bool {
        matches!(self.phase, Phase::LoggingIn { .. } | Phase::Binding { .. })
            || self.handoff
            || matches!(self.game.awaiting, Some(Awaiting::Select(_)))
    }

    /// Whether a login waits for the account service's answer (its timeout still matters).
    pub fn logging_in(&self) -> bool {
        matches!(self.phase, Phase::LoggingIn { .. })
    }

    /// Whether a login answer may still arrive for this session.
    #[cfg(test)]
    pub fn login_unanswered(&self) -> bool {
        self.unanswered > 0
    }

    /// Applies one input and returns the effects to perform.
    /// [`State::step_at`] now.
    #[cfg(test)]
    pub fn step(&mut self, input: Input) -> Vec<Effect> {
        self.step_at(input, Instant::now())
    }

    /// Applies one input, received at `now`, and returns the effects to perform.
    pub fn step_at(&mut self, input: Input, now: Instant) -> Vec<Effect> {
        self.now = now;
        if matches!(self.phase, Phase::Ended { .. }) {
            return self.after_end(&input);
        }
        if is_from_client(&input) {
            self.bad_requests = 0;
            self.game.pinged = false;
        }
        let mut effects = self.dispatch(input);
        self.count_login_answer(&mut effects);
        self.track_handoff(&effects);
        if effects.iter().any(|e| matches!(e, Effect::End(_))) {
            let account_name = self.account_name().map(str::to_owned);
            self.phase = Phase::Ended { account_name };
        }
        effects
    }

    /// An ended session ignores everything but a login answer for an account it does not end
    /// with (its session lingers, or had it in its mailbox): that account is logged in at the
    /// peer for nobody, and is released.
    fn after_end(&self, input: &Input) -> Vec<Effect> {
        let Input::Peer { event, .. } = input else {
            return Vec::new();
        };
        let logged_in = matches!(
            event.body,
            EventBody::Created | EventBody::LicenseAgreementRequired
        );
        if logged_in && event.account_id != 0 && event.account_id != self.account_id {
            vec![Effect::Release {
                account_id: event.account_id,
            }]
        } else {
            Vec::new()
        }
    }

    fn dispatch(&mut self, input: Input) -> Vec<Effect> {
        match input {
            Input::Login {
                credentials,
                holder,
            } => self.login(credentials, holder),
            Input::AcceptLicense { accepted } => self.accept_license(accepted),
            Input::SelectCharacter {
                character_id,
                channel,
                account_logged_in,
            } => self.select_character(character_id, channel, account_logged_in),
            Input::Logout => vec![Effect::End(EndReason::Logout)],
            Input::Ping => vec![Effect::Tell(Output::Pong)],
            Input::Game(request) => self.game_request(request),
            Input::Refused => vec![Effect::Dropped("not_logged_in")],
            Input::BadRequest { message } => self.bad_request(message),
            Input::TooLong => vec![
                problem(Problem::TooLong),
                Effect::End(EndReason::ProtocolViolation),
            ],
            Input::Peer { seq, event } => self.peer(seq, event),
            Input::Seed(body) => self.seed(body),
            Input::Fetched(answer) => self.fetched(answer),
            Input::LoginTimedOut { attempt } => self.login_failed_if_current(attempt, false),
            Input::CreateFailed { attempt } => self.login_failed_if_current(attempt, true),
            Input::ProgressFailed => self.progress_failed(),
            Input::Quiet { idle, max_idle } => self.quiet(idle, max_idle),
            Input::End(reason) => vec![Effect::End(reason)],
        }
    }

    fn bad_request(&mut self, message: String) -> Vec<Effect> {
        self.bad_requests += 1;
        let mut effects = vec![problem(Problem::BadRequest(message))];
        if self.bad_requests > self.settings.max_bad_requests {
            effects.push(Effect::End(EndReason::ProtocolViolation));
        }
        effects
    }

    /// The idle check: ends a session quiet for longer than `max_idle`; asks a game client that
    /// has been quiet for [`PING_AFTER`] for a Pong, once per quiet period.
    fn quiet(&mut self, idle: Duration, max_idle: Duration) -> Vec<Effect> {
        if idle > max_idle {
            return vec![Effect::End(EndReason::IdleTimeout)];
        }
        let game = matches!(self.flow, Flow::Game { .. });
        if game && idle >= PING_AFTER && !self.game.pinged {
            self.game.pinged = true;
            return vec![Effect::Tell(Output::Ping)];
        }
        Vec::new()
    }

    /// A hand-off starts with its channel read (or its PROGRESS_STATE) and ends when the client
    /// is told where to go, or that it cannot.
    fn track_handoff(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::SendProgress(_)
                | Effect::Fetch(Query::Channel { .. } | Query::WorldChannels { .. }) => {
                    self.handoff = true;
                }
                Effect::Tell(
                    Output::ChannelReady { .. }
                    | Output::SelectRefused(_)
                    | Output::Problem(Problem::Unavailable(Unavailable::Kafka)),
                ) => self.handoff = false,
                _ => {}
            }
        }
    }

    /// Adds the login metric for the first answer to the login in flight, if `effects` tell it.
    fn count_login_answer(&mut self, effects: &mut Vec<Effect>) {
        let Some(sent) = self.login_sent else { return };
        let outcome = effects.iter().find_map(|e| match e {
            Effect::Tell(Output::LoginAccepted { .. }) => Some(LoginOutcome::Accepted),
            Effect::Tell(Output::LicenseRequired { .. }) => Some(LoginOutcome::LicenseRequired),
            Effect::Tell(Output::Banned { .. }) => Some(LoginOutcome::Banned),
            Effect::Tell(Output::LoginRefused(r)) => Some(LoginOutcome::Refused(r.clone())),
            _ => None,
        });
        if let Some(outcome) = outcome {
            self.login_sent = None;
            effects.push(Effect::LoginAnswered {
                outcome,
                took: self.now.saturating_duration_since(sent),
            });
        }
    }
}

/// Whether the input is a well-formed request of the client (which resets the bad-request count
/// and the quiet period).
fn is_from_client(input: &Input) -> bool {
    matches!(
        input,
        Input::Login { .. }
            | Input::AcceptLicense { .. }
            | Input::SelectCharacter { .. }
            | Input::Logout
            | Input::Ping
            | Input::Game(_)
    )
}

fn problem(problem: Problem) -> Effect {
    Effect::Tell(Output::Problem(problem))
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "game_tests.rs"]
mod game_tests;

#[cfg(test)]
#[path = "account_tests.rs"]
mod account_tests;

#[cfg(test)]
#[path = "characters_tests.rs"]
mod characters_tests;
