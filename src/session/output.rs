//! What a session tells its client, in the session's own terms: each client protocol (the
//! JSON-lines gateway, the game socket) encodes these into frames of its own wire format.

use uuid::Uuid;

use crate::message::account_session::Until;
use crate::rest::{Character, Inventory, World};

/// One thing the client is told.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The session exists and its start is recorded: the client may talk.
    Hello { session_id: Uuid },
    /// The peer logged the account in (or the licence was accepted).
    LoginAccepted(AccountInfo),
    /// The peer logged the account in, but its licence agreement is still to be accepted.
    LicenseRequired(AccountInfo),
    /// The login failed; the session stays and may retry.
    LoginRefused(Refusal),
    /// The account is blocked: for good when `permanent`, else until `until`.
    Banned {
        permanent: bool,
        reason: u8,
        until: Until,
    },
    /// The chosen character may move to this channel server.
    ChannelReady {
        ip_address: String,
        port: u16,
        character_id: u32,
    },
    /// A character this account asked for was created (with its data, when the session's flow
    /// fetched it).
    CharacterCreated {
        character_id: u32,
        character: Option<Box<CharacterInfo>>,
    },
    /// A character this account asked for could not be created.
    CharacterCreationFailed { reason: String },
    /// The answer to a keep-alive.
    Pong,
    /// A keep-alive the session asks the client to answer (after a quiet period).
    Ping,
    /// The worlds and their channels, sorted by world id (none when they could not be read).
    Worlds(Vec<World>),
    /// How full a world is: 0 normal, 1 highly populated, 2 full (or unknown / unreadable).
    WorldStatus(u16),
    /// The account's characters in the chosen world.
    Characters(Box<Roster>),
    /// A character select that cannot go on; the session stays.
    SelectRefused(SelectRefusal),
    /// The PIN dialog's next step.
    Pin(PinPrompt),
    /// The new PIN is registered (the client logs in again).
    PinRegistered,
    /// The answer to a gender choice.
    GenderSet { gender: u8, success: bool },
    /// Whether a new character may take `name`.
    NameChecked { name: String, verdict: NameVerdict },
    /// What came of a character deletion.
    CharacterDeleted {
        character_id: u32,
        outcome: Deletion,
    },
    /// Every world's characters (worlds sorted by id, empty ones included, as Atlas sends).
    AllCharacters(Box<AllCharacters>),
    /// The account has no character in any world.
    NoCharacters,
    /// The characters of every world could not be read.
    AllCharactersUnavailable,
    /// A request that cannot be served; the session stays unless an [`Output::Ending`] follows.
    Problem(Problem),
    /// The last thing before the connection closes (only for reasons the client can be told).
    Ending(EndReason),
}

/// What a game client is told of its account at login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: u32,
    pub name: String,
    /// 10: not chosen yet (the client asks).
    pub gender: u8,
    pub gm: bool,
    pub pic: PicState,
    pub character_slots: u32,
}

/// Whether the account's characters are selected with a second password (PIC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PicState {
    /// Not in use for this session (the JSON-lines gateway; a client version without PIC).
    #[default]
    Unused,
    /// In use, none registered yet: the client registers one at its first select.
    Unregistered,
    /// In use and registered: the client asks for it at every select.
    Registered,
}

/// A character with what its list entry shows of its inventory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CharacterInfo {
    pub character: Character,
    pub inventory: Inventory,
}

/// The account and its characters in one world.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    pub account: AccountInfo,
    pub characters: Vec<CharacterInfo>,
}

/// The PIN dialog's next step (Atlas's PinOperation modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinPrompt {
    /// The account has no PIN (or is changing it): register one.
    Register,
    /// Enter the PIN.
    Enter,
    /// The PIN was right.
    Accepted,
    /// The PIN was wrong; try again.
    Invalid,
    /// The PIN could not be registered (too short, or the account service failed).
    Failed,
}

/// What a name check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameVerdict {
    Available,
    /// A character has it already.
    Taken,
    /// It breaks the name rule.
    NotAllowed,
    /// The characters could not be searched.
    Unavailable,
}

/// What came of a character deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    Deleted,
    /// The PIC was wrong.
    WrongPic,
    /// The character leads a guild.
    GuildLeader,
    /// Not deleted: not the account's character, or a service failed.
    Failed,
}

/// Every world's characters, for the view of all of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllCharacters {
    pub worlds: Vec<(u8, Vec<CharacterInfo>)>,
    pub pic: PicState,
}

impl AllCharacters {
    pub fn character_count(&self) -> usize {
        self.worlds.iter().map(|(_, c)| c.len()).sum()
    }
}

/// Why a character select cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectRefusal {
    /// The channel's address could not be read.
    Unavailable,
    /// The PIC was wrong.
    WrongPic,
}

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The account service refused it with this code.
    Peer(PeerCode),
    /// The request could not be sent, or got no answer in time (told as `SYSTEM_ERROR`).
    Unavailable,
    /// Too many failed logins on this session (told as `TOO_MANY_ATTEMPTS`).
    TooManyAttempts,
}

/// An account service error code: one of the known ones, or another as the peer sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerCode {
    SystemError,
    NotRegistered,
    DeletedOrBlocked,
    AlreadyLoggedIn,
    IncorrectPassword,
    TooManyAttempts,
    /// A code login does not know; passed on as it is (never used as a metric label).
    Other(String),
}

impl PeerCode {
    /// Every known code, as the peer writes it.
    pub const KNOWN: [(&'static str, PeerCode); 6] = [
        ("SYSTEM_ERROR", PeerCode::SystemError),
        ("NOT_REGISTERED", PeerCode::NotRegistered),
        ("DELETED_OR_BLOCKED", PeerCode::DeletedOrBlocked),
        ("ALREADY_LOGGED_IN", PeerCode::AlreadyLoggedIn),
        ("INCORRECT_PASSWORD", PeerCode::IncorrectPassword),
        ("TOO_MANY_ATTEMPTS", PeerCode::TooManyAttempts),
    ];

    pub fn parse(code: &str) -> PeerCode {
        PeerCode::KNOWN
            .iter()
            .find(|(name, _)| *name == code)
            .map_or_else(|| PeerCode::Other(code.to_owned()), |(_, c)| c.clone())
    }

    /// The code as the peer wrote it.
    pub fn as_str(&self) -> &str {
        match self {
            PeerCode::Other(code) => code,
            known => PeerCode::KNOWN
                .iter()
                .find(|(_, c)| c == known)
                .map_or("", |(name, _)| name),
        }
    }

    /// A bounded metric label: the lowercased name of a known code, `other` otherwise.
    pub fn label(&self) -> &'static str {
        match self {
            PeerCode::SystemError => "system_error",
            PeerCode::NotRegistered => "not_registered",
            PeerCode::DeletedOrBlocked => "deleted_or_blocked",
            PeerCode::AlreadyLoggedIn => "already_logged_in",
            PeerCode::IncorrectPassword => "incorrect_password",
            PeerCode::TooManyAttempts => "too_many_attempts",
            PeerCode::Other(_) => "other",
        }
    }

    /// Whether the code means the credentials were wrong (counted by the failed-login limit).
    pub fn is_credential_failure(&self) -> bool {
        matches!(self, PeerCode::IncorrectPassword | PeerCode::NotRegistered)
    }
}

/// A request that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The request could not be decoded; says why (never quoting a secret).
    BadRequest(String),
    /// The request was longer than the protocol allows.
    TooLong,
    /// A login is in flight already.
    LoginInProgress,
    /// This session is already authenticated.
    AlreadyLoggedIn,
    /// The account is not logged in (yet, or any more).
    NotLoggedIn,
    /// No such world and channel.
    UnknownChannel,
    /// No licence agreement is pending.
    NotAwaitingLicense,
    /// The service cannot serve this now.
    Unavailable(Unavailable),
}

/// Why the service cannot serve a request now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// A command could not be delivered to Kafka.
    Kafka,
    /// A session limit refused the connection (`max_sessions`, `max_sessions_per_ip`).
    Limit(&'static str),
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Logout,
    IdleTimeout,
    Shutdown,
    LicenseDeclined,
    ProtocolViolation,
    Replaced,
    /// The client closed its connection (or it failed).
    ClientClosed,
    /// The client does not read: its outbound queue is full.
    ClientStalled,
    /// The session actor stopped without ending the session (a panic).
    Crashed,
    /// The session's start could not be recorded for crash recovery (Kafka unreachable); the
    /// client was told the service is unavailable.
    Unrecorded,
    /// Too many wrong PINs or PICs: the account service says the limit is reached.
    TooManyAttempts,
}

impl EndReason {
    /// Whether the client's connection is still usable to be told why.
    pub fn is_told(self) -> bool {
        !matches!(
            self,
            EndReason::ClientClosed
                | EndReason::ClientStalled
                | EndReason::Crashed
                | EndReason::Unrecorded
                | EndReason::TooManyAttempts
        )
    }

    /// The metric and log label.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Logout => "logout",
            EndReason::IdleTimeout => "idle_timeout",
            EndReason::Shutdown => "shutdown",
            EndReason::LicenseDeclined => "license_declined",
            EndReason::ProtocolViolation => "protocol_violation",
            EndReason::Replaced => "replaced",
            EndReason::ClientClosed => "client_closed",
            EndReason::ClientStalled => "client_stalled",
            EndReason::Crashed => "crashed",
            EndReason::Unrecorded => "unrecorded",
            EndReason::TooManyAttempts => "too_many_attempts",
        }
    }
}

/// How a login ended, for the login metrics (bounded labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    Accepted,
    LicenseRequired,
    Banned,
    Refused(Refusal),
}

impl LoginOutcome {
    /// The `outcome` label: `ok`, `license_required`, `banned`, a known error code in lower
    /// case, or `other`.
    pub fn label(&self) -> &'static str {
        match self {
            LoginOutcome::Accepted => "ok",
            LoginOutcome::LicenseRequired => "license_required",
            LoginOutcome::Banned => "banned",
            LoginOutcome::Refused(Refusal::Peer(code)) => code.label(),
            LoginOutcome::Refused(Refusal::Unavailable) => "system_error",
            LoginOutcome::Refused(Refusal::TooManyAttempts) => "too_many_attempts",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_round_trip_and_others_pass_through_unlabelled() {
        for (name, code) in PeerCode::KNOWN {
            assert_eq!(PeerCode::parse(name), code);
            assert_eq!(code.as_str(), name);
            assert_eq!(code.label(), name.to_ascii_lowercase());
        }
        let odd = PeerCode::parse("SOMETHING_NEW");
        assert_eq!(odd.as_str(), "SOMETHING_NEW");
        assert_eq!(odd.label(), "other");
        assert_eq!(
            LoginOutcome::Refused(Refusal::Peer(odd)).label(),
            "other",
            "a label never takes a value straight from input"
        );
    }
}
