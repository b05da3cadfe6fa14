//! The simulator's account book and rules: what `atlas-account` answers to each account-session
//! command, as a pure function of the book, the command and the time.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::account;
use crate::message::account_session::{ChannelParams, CreateBody, TransitionParams};

/// How long a session in transition to a channel lives before it expires silently.
pub const TRANSITION_TTL: Duration = Duration::from_secs(5);

/// One account of the accounts file. `Debug` leaves the password out.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: u32,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub ban: Option<Ban>,
    #[serde(default)]
    pub license_accepted: bool,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("ban", &self.ban)
            .field("license_accepted", &self.license_accepted)
            .finish()
    }
}

/// A ban: `until` 0 is permanent.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Ban {
    pub reason: u8,
    #[serde(default)]
    pub until: u64,
}

/// The accounts file (`config/accounts.json`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountsFile {
    #[serde(default)]
    pub auto_register: bool,
    pub accounts: Vec<Account>,
}

/// Why the accounts file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The file is not an accounts file.
    #[error("{path}: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    /// Two accounts share an id or a name.
    #[error("{path}: duplicate account {what}")]
    Duplicate { path: String, what: String },
}

impl AccountsFile {
    /// Reads and checks an accounts file (`config/accounts.json`).
    pub fn load(path: &std::path::Path) -> Result<AccountsFile, AccountsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AccountsError::Io {
            path: shown.clone(),
            source,
        })?;
        AccountsFile::parse(&text, &shown)
    }

    pub fn parse(text: &str, origin: &str) -> Result<AccountsFile, AccountsError> {
        let file: AccountsFile =
            serde_json::from_str(text).map_err(|source| AccountsError::Json {
                path: origin.to_owned(),
                source,
            })?;
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for a in &file.accounts {
            if !ids.insert(a.id) || a.id == 0 {
                return Err(AccountsError::Duplicate {
                    path: origin.to_owned(),
                    what: format!("id {} (ids are unique and not 0)", a.id),
                });
            }
            if !names.insert(a.name.to_ascii_lowercase()) {
                return Err(AccountsError::Duplicate {
                    path: origin.to_owned(),
                    what: format!("name {:?}", a.name),
                });
            }
        }
        Ok(file)
    }
}

/// A decoded account-session command.
#[derive(Debug, Clone)]
pub enum Command {
    Create(CreateBody),
    ProgressState { state: u8, params: ChannelParams },
    Logout,
}

/// Where an output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutTopic {
    AccountStatus,
    AccountSessionStatus,
}

/// One message the peer sends: topic, key account, JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub topic: OutTopic,
    pub account_id: u32,
    pub payload: Vec<u8>,
}

/// An account logged in at the peer, and the session holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub account_id: u32,
    pub session_id: Uuid,
    /// Handed over to a channel (PROGRESS_STATE 2); expires after [`TRANSITION_TTL`].
    pub in_transition: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    LoggedIn(Uuid),
    Transition(Uuid, Instant),
}

/// The peer's state: accounts and their session entries, per tenant.
#[derive(Debug)]
pub struct Book {
    accounts: HashMap<String, Account>,
    /// Account id → its key in `accounts` (the lowercase name): a name by id in one look-up.
    by_id: HashMap<u32, String>,
    auto_register: bool,
    next_id: u32,
    sessions: HashMap<(Uuid, u32), Entry>,
    /// How many of `sessions` are transitions: their expiry is only looked for when there are
    /// any (a scan of every entry per command made the simulator quadratic in held sessions).
    transitions: usize,
    /// Where else a licence acceptance is recorded (see [`Book::with_recorded_licences`]).
    recorded_licences: Option<Recorded>,
}

/// A [`RecordedLicences`] in a book, shown as a marker by `Debug`.
struct Recorded(RecordedLicences);

impl std::fmt::Debug for Recorded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordedLicences")
    }
}

/// Whether an account of a tenant has accepted the licence elsewhere: the REST simulator's
/// `tos`, which the game flow PATCHes (in Atlas one service holds both).
pub type RecordedLicences = Box<dyn Fn(Uuid, u32) -> bool + Send>;

impl Book {
    pub fn new(file: AccountsFile) -> Book {
        let next_id = file.accounts.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        let accounts: HashMap<String, Account> = file
            .accounts
            .into_iter()
            .map(|a| (a.name.to_ascii_lowercase(), a))
            .collect();
        let by_id = accounts.iter().map(|(k, a)| (a.id, k.clone())).collect();
        Book {
            accounts,
            by_id,
            auto_register: file.auto_register,
            next_id,
            sessions: HashMap::new(),
            transitions: 0,
            recorded_licences: None,
        }
    }

    /// Sets a session entry, keeping the count of transitions.
    fn set_entry(&mut self, key: (Uuid, u32), entry: Entry) {
        if matches!(entry, Entry::Transition(..)) {
            self.transitions += 1;
        }
        if let Some(Entry::Transition(..)) = self.sessions.insert(key, entry) {
            self.transitions -= 1;
        }
    }

    /// Removes a session entry, keeping the count of transitions.
    fn remove_entry(&mut self, key: &(Uuid, u32)) {
        if let Some(Entry::Transition(..)) = self.sessions.remove(key) {
            self.transitions -= 1;
        }
    }

    /// Counts a licence recorded by `recorded` as accepted, beside the accounts file's
    /// `licenseAccepted`: the embedded mode's REST simulator holds the acceptance a game client
    /// records, so that it is asked once, as Atlas's account service asks it.
    pub fn with_recorded_licences(mut self, recorded: RecordedLicences) -> Book {
        self.recorded_licences = Some(Recorded(recorded));
        self
    }

    /// Whether an account holds a session entry in a tenant (for tests and the demo).
    pub fn has_session(&self, tenant: Uuid, account_id: u32) -> bool {
        self.sessions.contains_key(&(tenant, account_id))
    }

    /// The accounts of `tenant` logged in at `now`, with the session holding each (a session
    /// in transition to a channel counts until its transition expires), by account id.
    pub fn held(&self, tenant: Uuid, now: Instant) -> Vec<Held> {
        let mut held: Vec<Held> = self
            .sessions
            .iter()
            .filter(|((t, _), _)| *t == tenant)
            .filter_map(|((_, account_id), entry)| match *entry {
                Entry::LoggedIn(session_id) => Some(Held {
                    account_id: *account_id,
                    session_id,
                    in_transition: false,
                }),
                Entry::Transition(session_id, at) => {
                    (now.saturating_duration_since(at) <= TRANSITION_TTL).then_some(Held {
                        account_id: *account_id,
                        session_id,
                        in_transition: true,
                    })
                }
            })
            .collect();
        held.sort_by_key(|h| h.account_id);
        held
    }

    /// The peer's answer to one command of `tenant` (region matters for the licence).
    pub fn handle(
        &mut self,
        tenant: Uuid,
        region: &str,
        session_id: Uuid,
        account_id: u32,
        command: Command,
        now: Instant,
    ) -> Vec<Output> {
        if self.transitions > 0 {
            let mut expired = 0;
            self.sessions.retain(|_, e| {
                let keep = !matches!(e, Entry::Transition(_, at) if now.duration_since(*at) > TRANSITION_TTL);
                expired += usize::from(!keep);
                keep
            });
            self.transitions -= expired;
        }
        match command {
            Command::Create(body) => self.create(tenant, region, session_id, body),
            Command::ProgressState { state, params } => {
                self.progress(tenant, session_id, account_id, state, params, now)
            }
            Command::Logout => self.logout(tenant, session_id, account_id),
        }
    }

    fn create(
        &mut self,
        tenant: Uuid,
        region: &str,
        session_id: Uuid,
        body: CreateBody,
    ) -> Vec<Output> {
        let key = body.account_name.to_ascii_lowercase();
        if !self.accounts.contains_key(&key) {
            if !self.auto_register {
                return vec![error(session_id, 0, "", "NOT_REGISTERED", 0, 0, &body)];
            }
            let id = self.next_id;
            self.next_id += 1;
            let account = Account {
                id,
                name: body.account_name.clone(),
                password: body.password.clone(),
                ban: None,
                license_accepted: false,
            };
            self.accounts.insert(key.clone(), account);
            self.by_id.insert(id, key.clone());
        }
        let account = &self.accounts[&key];
        let (id, name) = (account.id, account.name.clone());
        if let Some(ban) = account.ban {
            return vec![error(
                session_id,
                id,
                &name,
                "DELETED_OR_BLOCKED",
                ban.reason,
                ban.until,
                &body,
            )];
        }
        if self.sessions.contains_key(&(tenant, id)) {
            return vec![error(
                session_id,
                id,
                &name,
                "ALREADY_LOGGED_IN",
                0,
                0,
                &body,
            )];
        }
        if account.password != body.password {
            return vec![error(
                session_id,
                id,
                &name,
                "INCORRECT_PASSWORD",
                0,
                0,
                &body,
            )];
        }
        let accepted = account.license_accepted
            || self
                .recorded_licences
                .as_ref()
                .is_some_and(|recorded| (recorded.0)(tenant, id));
        let licence_pending = !accepted && region != "JMS";
        self.set_entry((tenant, id), Entry::LoggedIn(session_id));
        let answer = if licence_pending {
            session_event(session_id, id, &name, "REQUEST_LICENSE_AGREEMENT", ())
        } else {
            session_event(
                session_id,
                id,
                &name,
                "CREATED",
                Seen {
                    ip_address: &body.ip_address,
                    hwid: &body.hwid,
                },
            )
        };
        vec![status(id, &name, "LOGGED_IN"), answer]
    }

    fn progress(
        &mut self,
        tenant: Uuid,
        session_id: Uuid,
        account_id: u32,
        state: u8,
        params: ChannelParams,
        now: Instant,
    ) -> Vec<Output> {
        let name = self.name_of(account_id);
        let echo = |params: ChannelParams| {
            let params = TransitionParams {
                character_id: params.character_id,
                ip_address: params.ip_address,
                port: params.port,
            };
            session_event(
                session_id,
                account_id,
                &name,
                "STATE_CHANGED",
                StateChanged { state, params },
            )
        };
        match state {
            2 => {
                self.set_entry((tenant, account_id), Entry::Transition(session_id, now));
                vec![echo(params)]
            }
            0 => {
                self.remove_entry(&(tenant, account_id));
                vec![status(account_id, &name, "LOGGED_OUT"), echo(params)]
            }
            _ => Vec::new(),
        }
    }

    fn logout(&mut self, tenant: Uuid, session_id: Uuid, account_id: u32) -> Vec<Output> {
        if account_id == 0 {
            return Vec::new();
        }
        match self.sessions.get(&(tenant, account_id)) {
            Some(Entry::LoggedIn(holder)) if *holder == session_id => {
                self.remove_entry(&(tenant, account_id));
                vec![status(account_id, &self.name_of(account_id), "LOGGED_OUT")]
            }
            _ => Vec::new(), // no entry, another session's, or in transition to a channel
        }
    }

    fn name_of(&self, account_id: u32) -> String {
        self.by_id
            .get(&account_id)
            .and_then(|key| self.accounts.get(key))
            .map(|a| a.name.clone())
            .unwrap_or_default()
    }
}

/// `{"sessionId","accountId","accountName","type","body"}` as the peer writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionEvent<'a, B> {
    session_id: Uuid,
    account_id: u32,
    account_name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    body: B,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Seen<'a> {
    ip_address: &'a str,
    hwid: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    code: &'a str,
    reason: u8,
    until: u64,
    ip_address: &'a str,
    hwid: &'a str,
}

#[derive(Serialize)]
struct StateChanged {
    state: u8,
    params: TransitionParams,
}

fn session_event<B: Serialize>(
    session_id: Uuid,
    account_id: u32,
    name: &str,
    kind: &str,
    body: B,
) -> Output {
    let event = SessionEvent {
        session_id,
        account_id,
        account_name: name,
        kind,
        body,
    };
    Output {
        topic: OutTopic::AccountSessionStatus,
        account_id,
        payload: to_json(&event),
    }
}

fn error(
    session_id: Uuid,
    account_id: u32,
    name: &str,
    code: &str,
    reason: u8,
    until: u64,
    body: &CreateBody,
) -> Output {
    let error = ErrorBody {
        code,
        reason,
        until,
        ip_address: &body.ip_address,
        hwid: &body.hwid,
    };
    session_event(session_id, account_id, name, "ERROR", error)
}

fn status(account_id: u32, name: &str, status: &str) -> Output {
    let event = account::StatusEvent {
        account_id,
        name: name.to_owned(),
        status: status.to_owned(),
    };
    Output {
        topic: OutTopic::AccountStatus,
        account_id,
        payload: to_json(&event),
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    crate::message::go_json::to_vec(value).expect("plain structs always serialise")
}

#[cfg(test)]
#[path = "book_tests.rs"]
mod tests;

#[cfg(test)]
mod held_tests {
    use super::*;

    #[test]
    fn held_lists_a_tenants_logged_in_accounts_and_transitions_until_they_expire() {
        let file = AccountsFile::parse(
            r#"{"accounts":[{"id":1,"name":"a","password":"a","licenseAccepted":true},
                {"id":2,"name":"b","password":"b","licenseAccepted":true}]}"#,
            "test",
        )
        .unwrap();
        let mut book = Book::new(file);
        let (tenant, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (s1, s2, s3) = (
            Uuid::from_u128(11),
            Uuid::from_u128(12),
            Uuid::from_u128(13),
        );
        let t0 = Instant::now();
        let create = |name: &str| {
            Command::Create(CreateBody {
                account_name: name.into(),
                password: name.into(),
                ip_address: "127.0.0.1".into(),
                hwid: String::new(),
            })
        };
        book.handle(tenant, "GMS", s1, 0, create("a"), t0);
        book.handle(tenant, "GMS", s2, 0, create("b"), t0);
        book.handle(other, "GMS", s3, 0, create("a"), t0);
        let channel = ChannelParams {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            character_id: 1,
        };
        let progress = Command::ProgressState {
            state: 2,
            params: channel,
        };
        book.handle(tenant, "GMS", s2, 2, progress, t0);
        let held = |in_transition, account_id, session_id| Held {
            account_id,
            session_id,
            in_transition,
        };
        assert_eq!(
            book.held(tenant, t0),
            vec![held(false, 1, s1), held(true, 2, s2)]
        );
        assert_eq!(book.held(other, t0), vec![held(false, 1, s3)]);
        let later = t0 + TRANSITION_TTL + Duration::from_millis(1);
        assert_eq!(book.held(tenant, later), vec![held(false, 1, s1)]);
        book.handle(tenant, "GMS", s1, 1, Command::Logout, later);
        assert!(book.held(tenant, later).is_empty());
    }
}
