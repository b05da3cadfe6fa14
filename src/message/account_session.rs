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
mod tests {
    use super::*;

    const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";
    const HWID: &str = "00112233445566778899aabbccddeeff";

    fn session() -> Uuid {
        Uuid::parse_str(SESSION).expect("golden session id parses")
    }

    fn create_body() -> CreateBody {
        CreateBody {
            account_name: "admin".into(),
            password: "s3cr3t-pa55".into(),
            ip_address: "192.168.1.10".into(),
            hwid: HWID.into(),
        }
    }

    fn event(text: &str) -> Result<StatusEvent, DecodeError> {
        Envelope::decode(text.as_bytes())?.into_event()
    }

    /// An event for the golden session and account 1 with the given type and body text.
    fn typed(kind: &str, body: &str) -> Result<StatusEvent, DecodeError> {
        event(&format!(
            r#"{{"sessionId":"{SESSION}","accountId":1,"accountName":"admin","type":"{kind}","body":{body}}}"#
        ))
    }

    fn error_body(body: &str) -> Result<ErrorBody, DecodeError> {
        match typed("ERROR", body)?.body {
            EventBody::Error(error) => Ok(error),
            other => panic!("not an error body: {other:?}"),
        }
    }

    fn params_of(body: &str) -> Option<TransitionParams> {
        match typed("STATE_CHANGED", body)
            .expect("state changed decodes")
            .body
        {
            EventBody::StateChanged { params, .. } => params,
            other => panic!("not state changed: {other:?}"),
        }
    }

    #[test]
    fn golden_create_serialises_byte_for_byte() {
        let body = CreateBody {
            password: "admin".into(),
            ..create_body()
        };
        let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":0,"author":"LOGIN","type":"CREATE","body":{"accountName":"admin","password":"admin","ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#;
        assert_eq!(
            Command::create(session(), 0, body).to_json(),
            want.as_bytes()
        );
    }

    #[test]
    fn golden_progress_state_serialises_byte_for_byte() {
        let params = ChannelParams {
            ip_address: "10.0.0.5".into(),
            port: 7575,
            character_id: 1,
        };
        let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"author":"LOGIN","type":"PROGRESS_STATE","body":{"state":2,"params":{"ipAddress":"10.0.0.5","port":7575,"characterId":1}}}"#;
        assert_eq!(
            Command::progress_state(session(), 1, 2, params).to_json(),
            want.as_bytes()
        );
    }

    #[test]
    fn golden_logout_serialises_byte_for_byte() {
        let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"author":"LOGIN","type":"LOGOUT","body":{}}"#;
        assert_eq!(Command::logout(session(), 1).to_json(), want.as_bytes());
    }

    #[test]
    fn logout_body_is_an_empty_object() {
        assert_eq!(
            serde_json::to_string(&LogoutBody {}).expect("serialises"),
            "{}"
        );
    }

    #[test]
    fn commands_carry_the_login_author() {
        let command = Command::logout(session(), 1);
        assert_eq!((command.author, command.kind), ("LOGIN", "LOGOUT"));
        assert_eq!(Command::create(session(), 0, create_body()).kind, "CREATE");
    }

    #[test]
    fn create_body_strings_are_escaped() {
        let body = CreateBody {
            password: "a\"b\\c\u{1}é".into(),
            ..create_body()
        };
        let json = Command::create(session(), 0, body).to_json();
        let text = String::from_utf8(json).expect("utf-8");
        assert!(text.contains(r#""password":"a\"b\\c\u0001é""#), "{text}");
    }

    #[test]
    fn debug_of_create_body_redacts_password_and_hwid() {
        let body = create_body();
        for text in [format!("{body:?}"), format!("{body:#?}")] {
            assert!(!text.contains("s3cr3t-pa55"), "{text}");
            assert!(!text.contains(HWID), "{text}");
            assert!(
                text.contains("<redacted>") && text.contains("admin"),
                "{text}"
            );
        }
    }

    #[test]
    fn debug_of_create_command_redacts_password_and_hwid() {
        let command = Command::create(session(), 0, create_body());
        for text in [format!("{command:?}"), format!("{command:#?}")] {
            assert!(!text.contains("s3cr3t-pa55"), "{text}");
            assert!(!text.contains(HWID), "{text}");
            assert!(text.contains(SESSION), "{text}");
        }
    }

    #[test]
    fn golden_created_decodes() {
        let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"CREATED","body":{"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#)
            .expect("golden vector decodes");
        let want = StatusEvent {
            session_id: session(),
            account_id: 1,
            account_name: "admin".into(),
            body: EventBody::Created,
        };
        assert_eq!(got, want);
    }

    #[test]
    fn golden_request_license_agreement_decodes() {
        let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"REQUEST_LICENSE_AGREEMENT","body":null}"#)
            .expect("golden vector decodes");
        assert_eq!((got.session_id, got.account_id), (session(), 1));
        assert_eq!(got.body, EventBody::LicenseAgreementRequired);
    }

    #[test]
    fn golden_state_changed_decodes() {
        let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"STATE_CHANGED","body":{"state":2,"params":{"characterId":1,"ipAddress":"10.0.0.5","port":7575}}}"#)
            .expect("golden vector decodes");
        let params = TransitionParams {
            character_id: 1,
            ip_address: "10.0.0.5".into(),
            port: 7575,
        };
        assert_eq!(
            got.body,
            EventBody::StateChanged {
                state: 2,
                params: Some(params)
            }
        );
        assert_eq!(got.account_name, "admin");
    }

    #[test]
    fn golden_not_registered_error_decodes() {
        let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":0,"accountName":"","type":"ERROR","body":{"code":"NOT_REGISTERED","reason":0,"until":0,"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#)
            .expect("golden vector decodes");
        let want = ErrorBody {
            code: "NOT_REGISTERED".into(),
            reason: 0,
            until: Until::Ticks(0),
        };
        assert_eq!(
            (got.session_id, got.account_id, got.account_name.as_str()),
            (session(), 0, "")
        );
        assert_eq!(got.body, EventBody::Error(want));
    }

    #[test]
    fn golden_deleted_or_blocked_error_decodes_with_a_non_zero_until() {
        let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"ERROR","body":{"code":"DELETED_OR_BLOCKED","reason":1,"until":133500000000000000,"ipAddress":"","hwid":""}}"#)
            .expect("golden vector decodes");
        let EventBody::Error(error) = got.body else {
            panic!("not an error: {got:?}")
        };
        assert_eq!(
            (error.code.as_str(), error.reason),
            ("DELETED_OR_BLOCKED", 1)
        );
        assert_eq!(error.until, Until::Ticks(133_500_000_000_000_000));
        assert!(!error.until.is_zero());
    }

    #[test]
    fn envelope_decodes_without_decoding_the_body() {
        let text = format!(
            r#"{{"sessionId":"{SESSION}","accountId":7,"accountName":"admin","type":"STATE_CHANGED","body":{{"state":"x"}}}}"#
        );
        let envelope = Envelope::decode(text.as_bytes()).expect("envelope decodes");
        assert_eq!((envelope.session_id, envelope.account_id), (session(), 7));
        assert_eq!(
            (envelope.account_name.as_ref(), envelope.kind.as_ref()),
            ("admin", "STATE_CHANGED")
        );
        assert!(matches!(envelope.account_name, Cow::Borrowed(_)));
        assert_eq!(envelope.body.map(RawValue::get), Some(r#"{"state":"x"}"#));
        assert!(matches!(envelope.into_event(), Err(DecodeError::Json(_))));
    }

    #[test]
    fn debug_of_envelope_hides_the_body() {
        let text =
            format!(r#"{{"sessionId":"{SESSION}","type":"CREATED","body":{{"hwid":"{HWID}"}}}}"#);
        let envelope = Envelope::decode(text.as_bytes()).expect("decodes");
        let debug = format!("{envelope:?}");
        assert!(
            !debug.contains(HWID) && debug.contains("CREATED"),
            "{debug}"
        );
    }

    #[test]
    fn missing_and_null_envelope_fields_are_zero_values() {
        for text in [
            r#"{"type":"CREATED"}"#,
            r#"{"sessionId":null,"accountId":null,"accountName":null,"type":"CREATED","body":null}"#,
        ] {
            let got = event(text).expect("decodes");
            let want = StatusEvent {
                session_id: Uuid::nil(),
                account_id: 0,
                account_name: String::new(),
                body: EventBody::Created,
            };
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn a_null_message_is_an_unknown_zero_event() {
        let got = event("null").expect("decodes");
        assert!(got.session_id.is_nil());
        assert_eq!(got.body, EventBody::Unknown(String::new()));
    }

    #[test]
    fn unknown_fields_are_ignored_in_envelope_and_bodies() {
        let text = format!(
            r#"{{"x":[1],"sessionId":"{SESSION}","accountId":1,"type":"ERROR","tenant":{{}},"body":{{"code":"SYSTEM_ERROR","extra":true}}}}"#
        );
        let got = event(&text).expect("decodes");
        let want = ErrorBody {
            code: "SYSTEM_ERROR".into(),
            ..ErrorBody::default()
        };
        assert_eq!(got.body, EventBody::Error(want));
    }

    #[test]
    fn unknown_type_is_unknown() {
        let got = typed("DELETED", "{}").expect("decodes");
        assert_eq!(got.body, EventBody::Unknown("DELETED".into()));
    }

    #[test]
    fn body_null_or_absent_gives_zero_bodies() {
        let base = format!(r#"{{"sessionId":"{SESSION}","accountId":1"#);
        for kind in [
            "STATE_CHANGED",
            "ERROR",
            "CREATED",
            "REQUEST_LICENSE_AGREEMENT",
        ] {
            for tail in [r#","body":null}"#, "}"] {
                let got = event(&format!(r#"{base},"type":"{kind}"{tail}"#)).expect("decodes");
                let want = match kind {
                    "STATE_CHANGED" => EventBody::StateChanged {
                        state: 0,
                        params: None,
                    },
                    "ERROR" => EventBody::Error(ErrorBody::default()),
                    "CREATED" => EventBody::Created,
                    _ => EventBody::LicenseAgreementRequired,
                };
                assert_eq!(got.body, want, "{kind}{tail}");
            }
        }
    }

    #[test]
    fn state_changed_params_never_fail_the_event() {
        for params in [
            "null",
            r#""10.0.0.5:7575""#,
            "[1,2,3]",
            "7",
            r#"{"ipAddress":5}"#,
            r#"{"port":70000}"#,
            r#"{"characterId":-1}"#,
        ] {
            let body = format!(r#"{{"state":2,"params":{params}}}"#);
            assert_eq!(params_of(&body), None, "{params}");
        }
        assert_eq!(params_of(r#"{"state":2}"#), None);
    }

    #[test]
    fn state_changed_params_tolerate_missing_null_and_unknown_members() {
        let got =
            params_of(r#"{"state":2,"params":{"ipAddress":"10.0.0.5","port":null,"worldId":1}}"#);
        let want = TransitionParams {
            ip_address: "10.0.0.5".into(),
            ..TransitionParams::default()
        };
        assert_eq!(got, Some(want));
    }

    #[test]
    fn state_out_of_range_or_mistyped_is_an_error() {
        for state in ["256", "-1", "2.5", "2e0", r#""2""#] {
            let body = format!(r#"{{"state":{state},"params":null}}"#);
            assert!(
                matches!(typed("STATE_CHANGED", &body), Err(DecodeError::Json(_))),
                "{state}"
            );
        }
        assert!(typed("STATE_CHANGED", "[2]").is_err());
        assert!(typed("STATE_CHANGED", r#""x""#).is_err());
    }

    #[test]
    fn reason_out_of_range_negative_or_fractional_is_an_error() {
        for reason in ["256", "-1", "1.5", "1e0", r#""1""#] {
            let body = format!(r#"{{"code":"DELETED_OR_BLOCKED","reason":{reason}}}"#);
            assert!(
                matches!(error_body(&body), Err(DecodeError::Json(_))),
                "{reason}"
            );
        }
    }

    #[test]
    fn until_missing_or_null_is_zero_ticks() {
        for body in [r#"{"code":"X"}"#, r#"{"code":"X","until":null}"#] {
            let error = error_body(body).expect("decodes");
            assert_eq!(error.until, Until::Ticks(0));
            assert!(error.until.is_zero());
        }
    }

    #[test]
    fn until_as_zero_time_strings_is_zero() {
        for text in [
            "0001-01-01T00:00:00Z",
            "0001-01-01T00:00:00+00:00",
            "0001-01-01T00:00:00.000Z",
            "0001-01-01T01:00:00+01:00",
        ] {
            let error = error_body(&format!(r#"{{"until":"{text}"}}"#)).expect("decodes");
            assert_eq!(error.until, Until::Time(text.into()));
            assert!(error.until.is_zero(), "{text}");
        }
    }

    #[test]
    fn until_as_a_real_time_string_is_not_zero() {
        for text in [
            "2026-05-01T12:30:00Z",
            "2026-05-01T12:30:00.5+02:00",
            "0001-01-01T00:00:01Z",
        ] {
            let error = error_body(&format!(r#"{{"until":"{text}"}}"#)).expect("decodes");
            assert!(!error.until.is_zero(), "{text}");
        }
    }

    #[test]
    fn invalid_until_string_is_an_until_error() {
        for text in ["", "tomorrow", "2026-13-01T00:00:00Z", "2026-05-01", "0"] {
            let got = error_body(&format!(r#"{{"until":"{text}"}}"#));
            assert!(
                matches!(got, Err(DecodeError::Until { ref value, .. }) if value == text),
                "{text}"
            );
        }
    }

    #[test]
    fn until_negative_fractional_or_mistyped_is_a_json_error() {
        for until in [
            "-1",
            "1.5",
            "1e3",
            "18446744073709551616",
            "true",
            "{}",
            "[]",
        ] {
            let got = error_body(&format!(r#"{{"until":{until}}}"#));
            assert!(matches!(got, Err(DecodeError::Json(_))), "{until}");
        }
    }

    #[test]
    fn until_serialises_as_the_peer_sent_it() {
        let ticks = serde_json::to_string(&Until::Ticks(133_500_000_000_000_000)).expect("ok");
        assert_eq!(ticks, "133500000000000000");
        let time = serde_json::to_string(&Until::Time("0001-01-01T00:00:00Z".into())).expect("ok");
        assert_eq!(time, r#""0001-01-01T00:00:00Z""#);
    }

    #[test]
    fn unvalidated_garbage_until_is_not_zero() {
        assert!(!Until::Time("garbage".into()).is_zero());
        assert!(!Until::Ticks(1).is_zero());
    }

    #[test]
    fn wrong_envelope_types_are_errors() {
        for text in [
            format!(r#"{{"sessionId":"{SESSION}","accountId":"1","type":"CREATED"}}"#),
            format!(r#"{{"sessionId":"{SESSION}","accountId":4294967296,"type":"CREATED"}}"#),
            format!(r#"{{"sessionId":"{SESSION}","accountId":-1,"type":"CREATED"}}"#),
            format!(r#"{{"sessionId":"{SESSION}","accountId":1.5,"type":"CREATED"}}"#),
            format!(r#"{{"sessionId":"{SESSION}","accountName":1,"type":"CREATED"}}"#),
            format!(r#"{{"sessionId":"{SESSION}","type":7}}"#),
            r#"{"sessionId":"not-a-uuid","type":"CREATED"}"#.to_owned(),
            r#"{"sessionId":"","type":"CREATED"}"#.to_owned(),
            r#"{"sessionId":12,"type":"CREATED"}"#.to_owned(),
        ] {
            assert!(
                matches!(Envelope::decode(text.as_bytes()), Err(DecodeError::Json(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn non_json_is_an_error() {
        for text in [
            "",
            "CREATED",
            "[]",
            r#"{"sessionId":"#,
            "{\"type\":\"CREATED\"} x",
        ] {
            assert!(Envelope::decode(text.as_bytes()).is_err(), "{text}");
        }
        assert!(Envelope::decode(&[0xff, 0xfe]).is_err());
    }
}
