//! JSON-lines events (`gateway-protocol.md`, server → client): what a session tells its client,
//! encoded as one compact JSON object per line, `event` first, camelCase fields.

use std::borrow::Cow;

use serde::Serialize;
use uuid::Uuid;

use crate::message::account_session::Until;
use crate::session::output::{EndReason, Output, Problem, Refusal, Unavailable};

/// The protocol version announced in `hello`.
pub const PROTOCOL_VERSION: u8 = 1;

/// One server → client line, borrowing from the session's [`Output`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    #[serde(rename_all = "camelCase")]
    Hello {
        session_id: Uuid,
        protocol: u8,
    },
    #[serde(rename_all = "camelCase")]
    LoginOk {
        account_id: u32,
        account_name: &'a str,
    },
    #[serde(rename_all = "camelCase")]
    LicenseAgreement {
        account_id: u32,
    },
    #[serde(rename_all = "camelCase")]
    LoginFailed {
        code: &'a str,
    },
    /// `until` as the peer sent it: a number or an RFC 3339 string.
    #[serde(rename_all = "camelCase")]
    Banned {
        permanent: bool,
        reason: u8,
        until: &'a Until,
    },
    #[serde(rename_all = "camelCase")]
    ServerIp {
        ip_address: &'a str,
        port: u16,
        character_id: u32,
    },
    #[serde(rename_all = "camelCase")]
    CharacterCreated {
        character_id: u32,
    },
    #[serde(rename_all = "camelCase")]
    CharacterCreationFailed {
        reason: &'a str,
    },
    Pong,
    #[serde(rename_all = "camelCase")]
    Error {
        code: ErrorCode,
        message: Cow<'a, str>,
    },
    #[serde(rename_all = "camelCase")]
    Bye {
        reason: ByeReason,
    },
}

/// The `code` of an `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    LineTooLong,
    LoginInProgress,
    AlreadyLoggedIn,
    NotLoggedIn,
    UnknownChannel,
    NotAwaitingLicense,
    Unavailable,
}

/// The `reason` of a `bye` event, the last line before the server closes the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ByeReason {
    Logout,
    IdleTimeout,
    Shutdown,
    LicenseDeclined,
    ProtocolViolation,
    Replaced,
}

impl<'a> Event<'a> {
    /// The line for `output`; `None` when the client is not told (an end it cannot hear).
    pub fn of(output: &'a Output) -> Option<Event<'a>> {
        Some(match output {
            Output::Hello { session_id } => Event::Hello {
                session_id: *session_id,
                protocol: PROTOCOL_VERSION,
            },
            Output::LoginAccepted(account) => Event::LoginOk {
                account_id: account.id,
                account_name: &account.name,
            },
            Output::LicenseRequired(account) => Event::LicenseAgreement {
                account_id: account.id,
            },
            Output::LoginRefused(refusal) => Event::LoginFailed {
                code: refusal_code(refusal),
            },
            Output::Banned {
                permanent,
                reason,
                until,
            } => Event::Banned {
                permanent: *permanent,
                reason: *reason,
                until,
            },
            Output::ChannelReady {
                ip_address,
                port,
                character_id,
            } => Event::ServerIp {
                ip_address,
                port: *port,
                character_id: *character_id,
            },
            Output::CharacterCreated { character_id, .. } => Event::CharacterCreated {
                character_id: *character_id,
            },
            Output::CharacterCreationFailed { reason } => Event::CharacterCreationFailed { reason },
            Output::Pong => Event::Pong,
            Output::Problem(problem) => {
                let (code, message) = error_of(problem);
                Event::Error { code, message }
            }
            Output::Ending(reason) => Event::Bye {
                reason: bye_of(*reason)?,
            },
            // The game socket's outputs; the JSON-lines protocol has no requests that ask for
            // them (and no server keep-alive).
            Output::Ping
            | Output::Worlds(_)
            | Output::WorldStatus(_)
            | Output::Characters(_)
            | Output::SelectRefused(_)
            | Output::Pin(_)
            | Output::PinRegistered
            | Output::GenderSet { .. }
            | Output::NameChecked { .. }
            | Output::CharacterDeleted { .. }
            | Output::AllCharacters(_)
            | Output::NoCharacters
            | Output::AllCharactersUnavailable => return None,
        })
    }

    /// Appends the event as one line (compact JSON and `\n`) to `buf`.
    pub fn write_line(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        if serde_json::to_writer(&mut *buf, self).is_err() {
            // Not reachable: every field is a string, an integer, a bool, a UUID or an until.
            buf.truncate(start);
            buf.extend_from_slice(
                br#"{"event":"error","code":"UNAVAILABLE","message":"encoding failed"}"#,
            );
        }
        buf.push(b'\n');
    }
}

/// The `code` of a `login_failed`: the peer's code as sent, or `SYSTEM_ERROR` /
/// `TOO_MANY_ATTEMPTS` for the service's own refusals.
fn refusal_code(refusal: &Refusal) -> &str {
    match refusal {
        Refusal::Peer(code) => code.as_str(),
        Refusal::Unavailable => "SYSTEM_ERROR",
        Refusal::TooManyAttempts => "TOO_MANY_ATTEMPTS",
    }
}

fn error_of(problem: &Problem) -> (ErrorCode, Cow<'_, str>) {
    let fixed = |code, text: &'static str| (code, Cow::Borrowed(text));
    match problem {
        Problem::BadRequest(why) => (ErrorCode::BadRequest, Cow::Borrowed(why.as_str())),
        Problem::TooLong => fixed(ErrorCode::LineTooLong, "line too long"),
        Problem::LoginInProgress => fixed(ErrorCode::LoginInProgress, "a login is in progress"),
        Problem::AlreadyLoggedIn => fixed(
            ErrorCode::AlreadyLoggedIn,
            "this session is already logged in",
        ),
        Problem::NotLoggedIn => fixed(ErrorCode::NotLoggedIn, "the account is not logged in"),
        Problem::UnknownChannel => fixed(ErrorCode::UnknownChannel, "no such world and channel"),
        Problem::NotAwaitingLicense => fixed(
            ErrorCode::NotAwaitingLicense,
            "no licence agreement is pending",
        ),
        Problem::Unavailable(Unavailable::Kafka) => fixed(
            ErrorCode::Unavailable,
            "the service cannot reach Kafka right now",
        ),
        Problem::Unavailable(Unavailable::Limit(limit)) => (
            ErrorCode::Unavailable,
            Cow::Owned(format!("too many sessions ({limit})")),
        ),
    }
}

/// The `bye` of an end the client can still be told.
fn bye_of(reason: EndReason) -> Option<ByeReason> {
    match reason {
        EndReason::Logout => Some(ByeReason::Logout),
        EndReason::IdleTimeout => Some(ByeReason::IdleTimeout),
        EndReason::Shutdown => Some(ByeReason::Shutdown),
        EndReason::LicenseDeclined => Some(ByeReason::LicenseDeclined),
        EndReason::ProtocolViolation => Some(ByeReason::ProtocolViolation),
        EndReason::Replaced => Some(ByeReason::Replaced),
        EndReason::ClientClosed
        | EndReason::ClientStalled
        | EndReason::Crashed
        | EndReason::Unrecorded
        | EndReason::TooManyAttempts => None,
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
