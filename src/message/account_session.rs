//! Message box, account session: commands produced to `COMMAND_TOPIC_ACCOUNT_SESSION` (CREATE,
//! PROGRESS_STATE, LOGOUT) and status events consumed from `EVENT_TOPIC_ACCOUNT_SESSION_STATUS`
//! (CREATED, STATE_CHANGED, REQUEST_LICENSE_AGREEMENT, ERROR), both talking to `atlas-account`.
//!
//! Events decode in two stages: [`Envelope::decode`] reads the ids and type and leaves the body
//! raw, so the consume loop can drop another instance's session cheaply; [`Envelope::into_event`]
//! then decodes the body by type.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::de::{body_or_default, from_slice_or_default, null_default, null_default_cow};
use super::{DecodeError, ISSUER};

/// `{"sessionId":uuid,"accountId":u32,"author":"LOGIN","type":T,"body":B}`, members in that order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Command<B> {
    /// The session the command is for.
    pub session_id: Uuid,
    /// The bound account, 0 while unbound (so the first CREATE carries 0).
    pub account_id: u32,
    /// Always [`ISSUER`]; named `author` here (`issuer` on events).
    pub author: &'static str,
    /// `CREATE`, `PROGRESS_STATE` or `LOGOUT`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The body of that type.
    pub body: B,
}

impl<B> Command<B> {
    fn new(session_id: Uuid, account_id: u32, kind: &'static str, body: B) -> Self {
        Self {
            session_id,
            account_id,
            author: ISSUER,
            kind,
            body,
        }
    }
}

impl<B: Serialize> Command<B> {
    /// The message value: compact JSON.
    ///
    /// # Panics
    /// Never for this module's bodies (strings and integers); only for a body type whose
    /// `Serialize` impl fails.
    pub fn to_json(&self) -> Vec<u8> {
        super::go_json::to_vec(self).expect("command bodies are plain structs and always serialise")
    }
}

impl Command<CreateBody> {
    /// `CREATE`: log the session in with the client's credentials.
    pub fn create(session_id: Uuid, account_id: u32, body: CreateBody) -> Self {
        Self::new(session_id, account_id, "CREATE", body)
    }
}

impl Command<ProgressStateBody> {
    /// `PROGRESS_STATE`: login sends only state 2, the hand-off to the channel in `params`.
    pub fn progress_state(
        session_id: Uuid,
        account_id: u32,
        state: u8,
        params: ChannelParams,
    ) -> Self {
        Self::new(
            session_id,
            account_id,
            "PROGRESS_STATE",
            ProgressStateBody { state, params },
        )
    }
}

impl Command<LogoutBody> {
    /// `LOGOUT`: the session ends (the peer ignores it for account 0 or a session in transition).
    pub fn logout(session_id: Uuid, account_id: u32) -> Self {
        Self::new(session_id, account_id, "LOGOUT", LogoutBody {})
    }
}

/// `{"accountName":s,"password":s,"ipAddress":s,"hwid":s}`. Its `Debug` redacts the password
/// and the hwid, so neither reaches a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    /// The name the client typed.
    pub account_name: String,
    /// The password the client typed: a secret.
    pub password: String,
    /// The client's IP as text (IPv4 dotted; IPv6 in RFC 5952 form).
    pub ip_address: String,
    /// 32 lowercase hex characters, or "".
    pub hwid: String,
}

impl fmt::Debug for CreateBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateBody")
            .field("account_name", &self.account_name)
            .field("password", &Redacted)
            .field("ip_address", &self.ip_address)
            .field("hwid", &Redacted)
            .finish()
    }
}

/// Stands in for a secret in a `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `{"state":u8,"params":P}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressStateBody {
    /// 2: transition to a channel.
    pub state: u8,
    /// Where the client goes.
    pub params: ChannelParams,
}

/// `{"ipAddress":s,"port":u16,"characterId":u32}`: the channel a character moves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelParams {
    /// The channel server's address as text.
    pub ip_address: String,
    /// The channel server's port.
    pub port: u16,
    /// The chosen character.
    pub character_id: u32,
}

/// `{}`: an empty object, not `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LogoutBody {}

/// The first stage of a consumed event: ids and type decoded, body left raw.
/// `{"sessionId":uuid,"accountId":u32,"accountName":s,"type":T,"body":B}`.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<'a> {
    /// The session the event is for (nil when missing or `null`).
    #[serde(default, deserialize_with = "null_default")]
    pub session_id: Uuid,
    /// The account (0 when not found).
    #[serde(default, deserialize_with = "null_default")]
    pub account_id: u32,
    /// Sent by the peer, absent from the seed document: accepted, never required.
    #[serde(default, borrow, deserialize_with = "null_default_cow")]
    pub account_name: Cow<'a, str>,
    /// The event type.
    #[serde(
        rename = "type",
        default,
        borrow,
        deserialize_with = "null_default_cow"
    )]
    pub kind: Cow<'a, str>,
    /// The body, undecoded; `None` when absent or `null`.
    #[serde(default, borrow)]
    pub body: Option<&'a RawValue>,
}

impl fmt::Debug for Envelope<'_> {
    /// Prints the body's size only: a CREATED body echoes the client's hwid.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("session_id", &self.session_id)
            .field("account_id", &self.account_id)
            .field("account_name", &self.account_name)
            .field("kind", &self.kind)
            .field("body_len", &self.body.map(|raw| raw.get().len()))
            .finish()
    }
}

impl<'a> Envelope<'a> {
    /// Decodes the envelope of one message value, borrowing from it.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        Ok(from_slice_or_default(bytes)?)
    }

    /// Decodes the body by type.
    pub fn into_event(self) -> Result<StatusEvent, DecodeError> {
        let body = match self.kind.as_ref() {
            "CREATED" => EventBody::Created,
            "STATE_CHANGED" => {
                let wire: StateChangedWire = body_or_default(self.body)?;
                let params = wire
                    .params
                    .and_then(|raw| from_slice_or_default(raw.get().as_bytes()).ok());
                EventBody::StateChanged {
                    state: wire.state,
                    params,
                }
            }
            "REQUEST_LICENSE_AGREEMENT" => EventBody::LicenseAgreementRequired,
            "ERROR" => {
                let wire: ErrorWire = body_or_default(self.body)?;
                EventBody::Error(ErrorBody {
                    code: wire.code,
                    reason: wire.reason,
                    until: wire.until.checked()?,
                })
            }
            other => EventBody::Unknown(other.to_owned()),
        };
        Ok(StatusEvent {
            session_id: self.session_id,
            account_id: self.account_id,
            account_name: self.account_name.into_owned(),
            body,
        })
    }
}

/// A consumed account-session status event, fully decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The session the event is for.
    pub session_id: Uuid,
    /// The account, to bind the session to.
    pub account_id: u32,
    /// The account's name ("" when the peer did not send it).
    pub account_name: String,
    /// What happened, by `type`.
    pub body: EventBody,
}

/// The event by its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    /// `CREATED`: logged in. The body (`{"ipAddress":..,"hwid":..}`) is ignored.
    Created,
    /// `STATE_CHANGED`: the peer echoes the state and the params of a PROGRESS_STATE.
    StateChanged {
        /// The new state.
        state: u8,
        /// `None` when absent, `null`, or not an object of that shape (Go's params are generic:
        /// they never fail the event).
        params: Option<TransitionParams>,
    },
    /// `REQUEST_LICENSE_AGREEMENT` (body `null`): logged in, the licence is still to accept.
    LicenseAgreementRequired,
    /// `ERROR`: the login failed.
    Error(ErrorBody),
    /// Any other type: the caller skips it with a warning.
    Unknown(String),
}

/// `{"characterId":u32,"ipAddress":s,"port":u16}`: the channel in a STATE_CHANGED echo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionParams {
    /// The character moving.
    #[serde(default, deserialize_with = "null_default")]
    pub character_id: u32,
    /// The channel server's address ("" when none: nothing to tell the client).
    #[serde(default, deserialize_with = "null_default")]
    pub ip_address: String,
    /// The channel server's port.
    #[serde(default, deserialize_with = "null_default")]
    pub port: u16,
}

/// `{"code":s,"reason":u8,"until":u64|RFC 3339,...}` (the echoed `ipAddress` and `hwid` dropped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorBody {
    /// SYSTEM_ERROR, NOT_REGISTERED, DELETED_OR_BLOCKED, ALREADY_LOGGED_IN, INCORRECT_PASSWORD,
    /// TOO_MANY_ATTEMPTS, or a code login passes on as it is.
    pub code: String,
    /// The ban reason (DELETED_OR_BLOCKED).
    pub reason: u8,
    /// The end of a temporary ban; zero for none.
    pub until: Until,
}

/// An error body's `until`, kept as the peer wrote it: a number (older peers) or an RFC 3339
/// string (newer peers; Go's zero time `"0001-01-01T00:00:00Z"` means none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// A number (Windows file-time ticks as the Go peer computes them).
    Ticks(u64),
    /// A validated RFC 3339 date-time string.
    Time(String),
}

/// Go's zero `time.Time`, 0001-01-01T00:00:00Z, in Unix seconds.
const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

impl Until {
    /// Whether this means "no end" (a permanent ban, or none): `Ticks(0)`, or a time string for
    /// Go's zero time in any representation (`Z`, `+00:00`, another offset, zero fractions).
    pub fn is_zero(&self) -> bool {
        match self {
            Until::Ticks(ticks) => *ticks == 0,
            Until::Time(text) => OffsetDateTime::parse(text, &Rfc3339)
                .is_ok_and(|t| t.unix_timestamp() == GO_ZERO_TIME_UNIX && t.nanosecond() == 0),
        }
    }

    /// Validates a time string with the RFC 3339 parser.
    fn checked(self) -> Result<Self, DecodeError> {
        if let Until::Time(text) = &self {
            if let Err(source) = OffsetDateTime::parse(text, &Rfc3339) {
                return Err(DecodeError::Until {
                    value: text.clone(),
                    source,
                });
            }
        }
        Ok(self)
    }
}

impl Default for Until {
    fn default() -> Self {
        Until::Ticks(0)
    }
}

impl Serialize for Until {
    /// Writes it back as the peer sent it: a number or a string.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Until::Ticks(ticks) => s.serialize_u64(*ticks),
            Until::Time(text) => s.serialize_str(text),
        }
    }
}

#[derive(Default, Deserialize)]
struct StateChangedWire<'a> {
    #[serde(default, deserialize_with = "null_default")]
    state: u8,
    #[serde(default, borrow)]
    params: Option<&'a RawValue>,
}

#[derive(Default, Deserialize)]
struct ErrorWire {
    #[serde(default, deserialize_with = "null_default")]
    code: String,
    #[serde(default, deserialize_with = "null_default")]
    reason: u8,
    #[serde(default, deserialize_with = "until_unchecked")]
    until: Until,
}

/// A non-negative integer, a string (validated later, into [`DecodeError::Until`]), or `null`.
fn until_unchecked<'de, D: Deserializer<'de>>(d: D) -> Result<Until, D::Error> {
    d.deserialize_any(UntilVisitor)
}

struct UntilVisitor;

impl Visitor<'_> for UntilVisitor {
    type Value = Until;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a non-negative integer, an RFC 3339 string or null")
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Until, E> {
        Ok(Until::Ticks(v))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Until, E> {
        Ok(Until::Time(v.to_owned()))
    }

    fn visit_unit<E: Error>(self) -> Result<Until, E> {
        Ok(Until::Ticks(0))
    }
}

#[cfg(test)]
#[path = "account_session_tests.rs"]
mod tests;
