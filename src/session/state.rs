//! The session state machine: a pure function from (state, input) to effects. No actors, no
//! I/O, no wire format of any client protocol: the session actor feeds it client requests, peer
//! events and timers, and performs the effects it returns (tell the client, publish through the
//! producer, end the session).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::message::account_session::{ChannelParams, CreateBody, EventBody, StatusEvent};
use crate::message::seed::SeedBody;
use crate::session::directory::Holder;
use crate::session::output::{LoginOutcome, Output, PeerCode, Problem, Refusal, Unavailable};
use crate::session::request::Credentials;

pub use crate::session::output::EndReason;

/// Where a session is in the login flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Connected, not authenticated, no login in flight.
    Connected,
    /// A CREATE was sent for login `attempt`; waiting for the peer's answer.
    LoggingIn { attempt: u32, account_name: String },
    /// The peer asked for the licence agreement; waiting for the client's answer.
    LicensePending { account_name: String },
    /// Logged in; may choose a character (and ask for a channel transition).
    Authenticated { account_name: String },
    /// The session ended; every further input is ignored. Keeps the bound account's name (for
    /// the directory's name index).
    Ended { account_name: Option<String> },
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
    /// `select_character`, with the facts the actor looked up: the channel's address from the
    /// configuration (None when unknown) and whether the account counts as logged in.
    SelectCharacter {
        character_id: u32,
        channel: Option<(String, u16)>,
        account_logged_in: bool,
    },
    Logout,
    Ping,
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
    LoginTimedOut {
        attempt: u32,
    },
    /// The CREATE of `attempt` could not be delivered.
    CreateFailed {
        attempt: u32,
    },
    /// The PROGRESS_STATE could not be delivered.
    ProgressFailed,
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
    /// The session is now bound to `account_id`: index it and produce session CREATED.
    Bind { account_id: u32 },
    /// Publish PROGRESS_STATE 2 with these channel params (failure: `ProgressFailed`).
    SendProgress(ChannelParams),
    /// Publish LOGOUT for an account a stale login answer logged in, so the peer releases it.
    Release { account_id: u32 },
    /// Count the first answer to the login in flight, which took `took`.
    LoginAnswered {
        outcome: LoginOutcome,
        took: Duration,
    },
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

/// The whole state of one session.
#[derive(Debug, Clone)]
pub struct State {
    pub phase: Phase,
    /// The bound account (0 until the peer answered a login).
    pub account_id: u32,
    /// The client's IP as written into CREATE.
    pub ip_address: String,
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
    /// The time of the input being handled.
    now: Instant,
    pub settings: Settings,
}

impl State {
    pub fn new(ip_address: String, settings: Settings) -> State {
        State {
            phase: Phase::Connected,
            account_id: 0,
            ip_address,
            attempts: 0,
            unanswered: 0,
            created_seq: None,
            bad_requests: 0,
            failures: VecDeque::new(),
            login_sent: None,
            now: Instant::now(),
            settings,
        }
    }

    /// The bound account's name, once the peer answered a login (and still after the end).
    pub fn account_name(&self) -> Option<&str> {
        match &self.phase {
            Phase::LicensePending { account_name } | Phase::Authenticated { account_name } => {
                Some(account_name)
            }
            Phase::Ended { account_name } => account_name.as_deref(),
            _ => None,
        }
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
            return Vec::new();
        }
        if !matches!(
            input,
            Input::BadRequest { .. } | Input::TooLong | Input::Peer { .. } | Input::Seed(_)
        ) {
            self.bad_requests = 0;
        }
        let mut effects = match input {
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
            Input::BadRequest { message } => self.bad_request(message),
            Input::TooLong => vec![
                problem(Problem::TooLong),
                Effect::End(EndReason::ProtocolViolation),
            ],
            Input::Peer { seq, event } => self.peer(seq, event),
            Input::Seed(body) => self.seed(body),
            Input::LoginTimedOut { attempt } => self.login_failed_if_current(attempt, false),
            Input::CreateFailed { attempt } => self.login_failed_if_current(attempt, true),
            Input::ProgressFailed => vec![problem(Problem::Unavailable(Unavailable::Kafka))],
            Input::End(reason) => vec![Effect::End(reason)],
        };
        self.count_login_answer(&mut effects);
        if effects.iter().any(|e| matches!(e, Effect::End(_))) {
            let account_name = match std::mem::replace(&mut self.phase, Phase::Connected) {
                Phase::LicensePending { account_name } | Phase::Authenticated { account_name } => {
                    Some(account_name)
                }
                _ => None,
            };
            self.phase = Phase::Ended { account_name };
        }
        effects
    }

    fn login(&mut self, credentials: Credentials, holder: Option<Holder>) -> Vec<Effect> {
        if matches!(self.phase, Phase::Connected) && self.too_many_failures() {
            return vec![
                Effect::Tell(Output::LoginRefused(Refusal::TooManyAttempts)),
                Effect::End(EndReason::ProtocolViolation),
            ];
        }
        match self.phase {
            Phase::Connected => {}
            Phase::LoggingIn { .. } => return vec![problem(Problem::LoginInProgress)],
            _ => return vec![problem(Problem::AlreadyLoggedIn)],
        }
        self.attempts += 1;
        self.unanswered += 1;
        self.login_sent = Some(self.now);
        self.phase = Phase::LoggingIn {
            attempt: self.attempts,
            account_name: credentials.account_name.clone(),
        };
        let body = CreateBody {
            account_name: credentials.account_name,
            password: credentials.password,
            ip_address: self.ip_address.clone(),
            hwid: credentials.hwid,
        };
        let holder = holder.filter(|_| self.settings.replace_duplicates);
        let mut effects = Vec::with_capacity(2);
        if let Some(holder) = holder {
            effects.push(Effect::Replace(holder.session_id));
        }
        effects.push(Effect::SendCreate {
            attempt: self.attempts,
            body,
            after_logout_of: holder.map(|h| h.account_id),
        });
        effects
    }

    fn accept_license(&mut self, accepted: bool) -> Vec<Effect> {
        let Phase::LicensePending { account_name } = &self.phase else {
            return vec![problem(Problem::NotAwaitingLicense)];
        };
        if !accepted {
            return vec![Effect::End(EndReason::LicenseDeclined)];
        }
        let account_name = account_name.clone();
        self.phase = Phase::Authenticated {
            account_name: account_name.clone(),
        };
        vec![Effect::Tell(Output::LoginAccepted {
            account_id: self.account_id,
            account_name,
        })]
    }

    fn select_character(
        &mut self,
        character_id: u32,
        channel: Option<(String, u16)>,
        logged_in: bool,
    ) -> Vec<Effect> {
        if !matches!(self.phase, Phase::Authenticated { .. }) || !logged_in {
            return vec![problem(Problem::NotLoggedIn)];
        }
        match channel {
            None => vec![problem(Problem::UnknownChannel)],
            Some((ip_address, port)) => vec![Effect::SendProgress(ChannelParams {
                ip_address,
                port,
                character_id,
            })],
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

    fn peer(&mut self, seq: u64, event: StatusEvent) -> Vec<Effect> {
        match event.body {
            EventBody::Created => {
                self.login_answered(seq, event.account_id, &event.account_name, false)
            }
            EventBody::LicenseAgreementRequired => {
                self.login_answered(seq, event.account_id, &event.account_name, true)
            }
            EventBody::Error(body) => {
                if !matches!(self.phase, Phase::LoggingIn { .. }) {
                    // The answer of a timed-out or failed login: nothing to tell anyone.
                    self.unanswered = self.unanswered.saturating_sub(1);
                    return Vec::new();
                }
                self.unanswered = self.unanswered.saturating_sub(1);
                self.phase = Phase::Connected;
                let code = PeerCode::parse(&body.code);
                if code.is_credential_failure() {
                    self.failures.push_back(self.now);
                }
                if code == PeerCode::DeletedOrBlocked {
                    vec![Effect::Tell(Output::Banned {
                        permanent: body.until.is_zero(),
                        reason: body.reason,
                        until: body.until,
                    })]
                } else {
                    vec![Effect::Tell(Output::LoginRefused(Refusal::Peer(code)))]
                }
            }
            EventBody::StateChanged {
                params: Some(p), ..
            } if matches!(self.phase, Phase::Authenticated { .. }) && !p.ip_address.is_empty() => {
                vec![Effect::Tell(Output::ChannelReady {
                    ip_address: p.ip_address,
                    port: p.port,
                    character_id: p.character_id,
                })]
            }
            EventBody::StateChanged { .. } | EventBody::Unknown(_) => Vec::new(),
        }
    }

    /// A CREATED or REQUEST_LICENSE_AGREEMENT: the peer logged `account_id` in for this session.
    fn login_answered(
        &mut self,
        seq: u64,
        account_id: u32,
        answered_name: &str,
        licence: bool,
    ) -> Vec<Effect> {
        let current = match &self.phase {
            Phase::LoggingIn { account_name, .. } => {
                // With older logins unanswered, an answer naming another account is one of theirs.
                let stale = self.unanswered > 1
                    && !answered_name.is_empty()
                    && !answered_name.eq_ignore_ascii_case(account_name);
                (!stale).then(|| account_name.clone())
            }
            _ => None,
        };
        let Some(requested_name) = current else {
            if account_id == 0 || self.account_id == account_id {
                return Vec::new(); // nothing logged in, or a redelivered answer of our login
            }
            // The answer of a login that timed out or failed, or one the peer processed again
            // (at-least-once): the account is logged in at the peer for nobody.
            self.unanswered = self.unanswered.saturating_sub(1);
            return vec![Effect::Release { account_id }];
        };
        self.unanswered = self.unanswered.saturating_sub(1);
        self.account_id = account_id;
        self.created_seq = Some(seq);
        let account_name = if answered_name.is_empty() {
            requested_name
        } else {
            answered_name.to_owned()
        };
        let reply = if licence {
            self.phase = Phase::LicensePending { account_name };
            Output::LicenseRequired { account_id }
        } else {
            self.phase = Phase::Authenticated {
                account_name: account_name.clone(),
            };
            Output::LoginAccepted {
                account_id,
                account_name,
            }
        };
        vec![Effect::Bind { account_id }, Effect::Tell(reply)]
    }

    fn seed(&mut self, body: SeedBody) -> Vec<Effect> {
        if self.account_id == 0 {
            return Vec::new();
        }
        match body {
            SeedBody::Created { character_id } => {
                vec![Effect::Tell(Output::CharacterCreated { character_id })]
            }
            SeedBody::Failed { reason } => {
                vec![Effect::Tell(Output::CharacterCreationFailed { reason })]
            }
            SeedBody::Unknown(_) => Vec::new(),
        }
    }

    /// A login that timed out (`undelivered`: whose CREATE could not even be sent) fails with
    /// SYSTEM_ERROR if it is still the one in flight.
    fn login_failed_if_current(&mut self, attempt: u32, undelivered: bool) -> Vec<Effect> {
        if undelivered {
            self.unanswered = self.unanswered.saturating_sub(1);
        }
        match self.phase {
            Phase::LoggingIn {
                attempt: current, ..
            } if current == attempt => {
                self.phase = Phase::Connected;
                vec![Effect::Tell(Output::LoginRefused(Refusal::Unavailable))]
            }
            _ => Vec::new(),
        }
    }
}

impl State {
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

    /// Whether the failed logins within the window reached the limit.
    fn too_many_failures(&mut self) -> bool {
        let Settings {
            max_login_failures: max,
            login_failure_window: window,
            ..
        } = self.settings;
        while self
            .failures
            .front()
            .is_some_and(|t| self.now.duration_since(*t) >= window)
        {
            self.failures.pop_front();
        }
        max != 0 && self.failures.len() >= max as usize
    }
}

fn problem(problem: Problem) -> Effect {
    Effect::Tell(Output::Problem(problem))
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
