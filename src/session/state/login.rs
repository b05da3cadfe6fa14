//! The login flow every protocol shares: the CREATE, the peer's answers (and stale or repeated
//! ones), the licence, the failed-login limit, and the gateway's channel select.

use crate::message::account_session::{ChannelParams, CreateBody, EventBody, StatusEvent};
use crate::message::seed::SeedBody;
use crate::rest::{Account, AccountChange, RestError};
use crate::session::directory::Holder;
use crate::session::fetch::Query;
use crate::session::output::{AccountInfo, Output, PeerCode, PicState, Problem, Refusal};
use crate::session::request::Credentials;

use super::{problem, Effect, EndReason, Flow, Phase, State};

impl State {
    pub(super) fn login(
        &mut self,
        credentials: Credentials,
        holder: Option<Holder>,
    ) -> Vec<Effect> {
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
        self.hwid.clone_from(&credentials.hwid);
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

    pub(super) fn accept_license(&mut self, accepted: bool) -> Vec<Effect> {
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
        let mut effects = Vec::with_capacity(2);
        if let Some(account) = &mut self.game.account {
            // The game flow records the acceptance at the account service, as Atlas does; it
            // holds here at once (Atlas ignores a failure), so that a change the client asks
            // before this PATCH is answered (its gender) does not send the licence back unset.
            let change = AccountChange::Tos(true);
            effects.push(Effect::Fetch(Query::ChangeAccount {
                account: account.clone(),
                change: change.clone(),
            }));
            **account = account.changed(&change);
        }
        effects.push(Effect::Tell(Output::LoginAccepted(
            self.account_info(&account_name),
        )));
        effects.extend(self.worlds_at_login());
        effects
    }

    /// What the client is told of its account: the account service's resource in the game
    /// flow, its id and name in the gateway's.
    pub(super) fn account_info(&self, account_name: &str) -> AccountInfo {
        let Some(account) = &self.game.account else {
            return AccountInfo {
                id: self.account_id,
                name: account_name.to_owned(),
                ..AccountInfo::default()
            };
        };
        AccountInfo {
            id: self.account_id,
            name: account_name.to_owned(),
            gender: account.gender,
            gm: false,
            pic: self.pic_state(account),
            character_slots: u32::try_from(account.character_slots).unwrap_or(0),
        }
    }

    /// Whether the account selects with a PIC, and has one.
    pub(super) fn pic_state(&self, account: &Account) -> PicState {
        match self.flow {
            Flow::Game { pic: true, .. } if account.pic.is_empty() => PicState::Unregistered,
            Flow::Game { pic: true, .. } => PicState::Registered,
            _ => PicState::Unused,
        }
    }

    pub(super) fn select_character(
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

    pub(super) fn peer(&mut self, seq: u64, event: StatusEvent) -> Vec<Effect> {
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
        match self.flow {
            Flow::Gateway => self.bound(account_name, licence),
            Flow::Game { .. } => {
                // Atlas reads the account before it answers the client (AuthSuccess shows it).
                self.phase = Phase::Binding {
                    account_name,
                    licence,
                };
                vec![Effect::Fetch(Query::LoginAccount { account_id })]
            }
        }
    }

    /// The account of the login answer was read (the game flow).
    pub(super) fn login_account(&mut self, read: Result<Box<Account>, RestError>) -> Vec<Effect> {
        let Phase::Binding {
            account_name,
            licence,
        } = &self.phase
        else {
            return Vec::new();
        };
        let (account_name, licence) = (account_name.clone(), *licence);
        match read {
            Ok(account) => {
                self.game.account = Some(account);
                self.bound(account_name, licence)
            }
            Err(_) => {
                // The client cannot be shown its account: the login fails, and the account the
                // peer logged in is released; the session may retry.
                let account_id = std::mem::take(&mut self.account_id);
                self.created_seq = None;
                self.phase = Phase::Connected;
                vec![
                    Effect::Release { account_id },
                    Effect::Tell(Output::LoginRefused(Refusal::Unavailable)),
                ]
            }
        }
    }

    /// Bound to the account: announced, then the client is told.
    fn bound(&mut self, account_name: String, licence: bool) -> Vec<Effect> {
        let info = self.account_info(&account_name);
        let reply = if licence {
            self.phase = Phase::LicensePending { account_name };
            Output::LicenseRequired(info)
        } else {
            self.phase = Phase::Authenticated { account_name };
            Output::LoginAccepted(info)
        };
        let mut effects = vec![
            Effect::Bind {
                account_id: self.account_id,
            },
            Effect::Tell(reply),
        ];
        effects.extend(self.worlds_at_login());
        effects
    }

    /// The server list a JMS client gets with its login answer, unasked (Atlas's JMS flow).
    fn worlds_at_login(&self) -> Option<Effect> {
        let unasked = matches!(
            self.flow,
            Flow::Game {
                worlds_at_login: true,
                ..
            }
        );
        (unasked && matches!(self.phase, Phase::Authenticated { .. }))
            .then_some(Effect::Fetch(Query::Worlds))
    }

    pub(super) fn seed(&mut self, body: SeedBody) -> Vec<Effect> {
        if self.account_id == 0 {
            return Vec::new();
        }
        let game = matches!(self.flow, Flow::Game { .. });
        if game && self.game.creating.is_none() {
            // Only the answer to this session's own creation request (another session of the
            // account may have asked).
            return Vec::new();
        }
        match body {
            SeedBody::Created { character_id } if game => {
                // The character is this request's if it has the requested name (read first).
                vec![Effect::Fetch(Query::NewCharacter { character_id })]
            }
            SeedBody::Created { character_id } => vec![Effect::Tell(Output::CharacterCreated {
                character_id,
                character: None,
            })],
            SeedBody::Failed { reason } => {
                // A failure names no character: it ends the creation awaited.
                self.game.creating = None;
                vec![Effect::Tell(Output::CharacterCreationFailed { reason })]
            }
            SeedBody::Unknown(_) => Vec::new(),
        }
    }

    /// A login that timed out (`undelivered`: whose CREATE could not even be sent) fails with
    /// SYSTEM_ERROR if it is still the one in flight.
    pub(super) fn login_failed_if_current(
        &mut self,
        attempt: u32,
        undelivered: bool,
    ) -> Vec<Effect> {
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

    /// Whether the failed logins within the window reached the limit.
    fn too_many_failures(&mut self) -> bool {
        let (max, window) = (
            self.settings.max_login_failures,
            self.settings.login_failure_window,
        );
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
