//! JSON-lines requests (`gateway-protocol.md`, client → server): one line decoded and validated
//! into a session [`Request`]; pure decoding, no I/O.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::session::request::{Credentials, Request};

/// The longest `unknown op` value echoed back in an error message, in bytes.
const MAX_ECHOED_OP: usize = 32;

/// Why a line is not a valid request; the session answers `error` `BAD_REQUEST` with this
/// message. Messages name fields, never their values, so no secret reaches the client or a log.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// The line is not UTF-8.
    #[error("line is not valid utf-8")]
    NotUtf8,
    /// The line is not one JSON value.
    #[error("line is not valid json")]
    NotJson,
    /// The line is JSON, but not an object.
    #[error("line is not a json object")]
    NotAnObject,
    /// The object has no `op` (or `op` is null).
    #[error("op is required")]
    MissingOp,
    /// `op` names no request; holds at most the first 32 bytes of it.
    #[error("unknown op {0:?}")]
    UnknownOp(String),
    /// A field of the request is missing, of the wrong type or out of range.
    #[error("{field} {why}")]
    BadField {
        field: &'static str,
        why: &'static str,
    },
}

/// Decodes one line (without its `\n`; a trailing `\r` is stripped) into a validated request.
/// Unknown fields are ignored and a JSON `null` counts as an absent field.
pub fn decode_request(line: &[u8]) -> Result<Request, RequestError> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = std::str::from_utf8(line).map_err(|_| RequestError::NotUtf8)?;
    let fields: Fields<'_> =
        serde_json::from_str(text).map_err(|error| match error.classify() {
            serde_json::error::Category::Data => RequestError::NotAnObject,
            _ => RequestError::NotJson,
        })?;
    fields.into_request()
}

/// Every field any request may carry, decoded in one pass without judging types: validation per
/// `op` happens afterwards, so a field irrelevant to the op never fails the line.
#[derive(Default)]
struct Fields<'a> {
    op: Option<Scalar<'a>>,
    account_name: Option<Scalar<'a>>,
    password: Option<Scalar<'a>>,
    hwid: Option<Scalar<'a>>,
    accepted: Option<Scalar<'a>>,
    character_id: Option<Scalar<'a>>,
    world_id: Option<Scalar<'a>>,
    channel_id: Option<Scalar<'a>>,
}

impl<'a> Fields<'a> {
    fn into_request(self) -> Result<Request, RequestError> {
        let op = match self.op {
            None => return Err(RequestError::MissingOp),
            Some(Scalar::Str(op)) => op,
            Some(_) => return Err(bad("op", "must be a string")),
        };
        match &*op {
            "login" => Ok(Request::Login(Credentials {
                account_name: text(
                    self.account_name,
                    "accountName",
                    64,
                    "must be 1 to 64 bytes",
                )?,
                password: text(self.password, "password", 128, "must be 1 to 128 bytes")?,
                hwid: hwid(self.hwid)?,
            })),
            "accept_license" => match self.accepted {
                Some(Scalar::Bool(accepted)) => Ok(Request::AcceptLicense { accepted }),
                None => Err(bad("accepted", "is required")),
                Some(_) => Err(bad("accepted", "must be true or false")),
            },
            "select_character" => Ok(Request::SelectCharacter {
                character_id: integer(
                    self.character_id,
                    "characterId",
                    "must be an integer from 0 to 4294967295",
                )?,
                world_id: integer(self.world_id, "worldId", "must be an integer from 0 to 255")?,
                channel_id: integer(
                    self.channel_id,
                    "channelId",
                    "must be an integer from 0 to 255",
                )?,
            }),
            "logout" => Ok(Request::Logout),
            "ping" => Ok(Request::Ping),
            other => Err(RequestError::UnknownOp(
                truncated(other, MAX_ECHOED_OP).to_owned(),
            )),
        }
    }
}

fn bad(field: &'static str, why: &'static str) -> RequestError {
    RequestError::BadField { field, why }
}

/// A required string of 1 to `max` bytes.
fn text(
    value: Option<Scalar<'_>>,
    field: &'static str,
    max: usize,
    why: &'static str,
) -> Result<String, RequestError> {
    match value {
        Some(Scalar::Str(s)) if (1..=max).contains(&s.len()) => Ok(s.into_owned()),
        Some(Scalar::Str(_)) => Err(bad(field, why)),
        None => Err(bad(field, "is required")),
        Some(_) => Err(bad(field, "must be a string")),
    }
}

/// An optional hwid: absent or "" gives "", else 32 hex digits of any case, lowercased.
fn hwid(value: Option<Scalar<'_>>) -> Result<String, RequestError> {
    const WHY: &str = "must be empty or 32 hex digits";
    match value {
        None => Ok(String::new()),
        Some(Scalar::Str(s)) if s.is_empty() => Ok(String::new()),
        Some(Scalar::Str(s)) if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(s.to_ascii_lowercase())
        }
        Some(_) => Err(bad("hwid", WHY)),
    }
}

/// A required integer that fits `T`: negative, too large and non-integral numbers fail.
fn integer<T: TryFrom<u64>>(
    value: Option<Scalar<'_>>,
    field: &'static str,
    why: &'static str,
) -> Result<T, RequestError> {
    match value {
        Some(Scalar::UInt(n)) => T::try_from(n).map_err(|_| bad(field, why)),
        None => Err(bad(field, "is required")),
        Some(_) => Err(bad(field, why)),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncated(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One field's value, whatever its JSON type; deserialising it never fails (nested arrays and
/// objects are skipped, strings borrow from the line unless they contain escapes).
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    UInt(u64),
    /// A negative integer, a fraction, or an integer too large for u64.
    OtherNumber,
    /// An array or an object.
    Compound,
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::UInt(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(v).map_or(Scalar::OtherNumber, Scalar::UInt))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Scalar::OtherNumber)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }

    /// Known keys are kept (the last of duplicates wins, as in Go); others are skipped unparsed.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Op => &mut fields.op,
                Key::AccountName => &mut fields.account_name,
                Key::Password => &mut fields.password,
                Key::Hwid => &mut fields.hwid,
                Key::Accepted => &mut fields.accepted,
                Key::CharacterId => &mut fields.character_id,
                Key::WorldId => &mut fields.world_id,
                Key::ChannelId => &mut fields.channel_id,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            // `Option<Scalar>` turns a JSON null into None: null counts as absent.
            *slot = map.next_value::<Option<Scalar<'de>>>()?;
        }
        Ok(fields)
    }
}

/// A key of the request object, matched without allocating.
enum Key {
    Op,
    AccountName,
    Password,
    Hwid,
    Accepted,
    CharacterId,
    WorldId,
    ChannelId,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "op" => Key::Op,
            "accountName" => Key::AccountName,
            "password" => Key::Password,
            "hwid" => Key::Hwid,
            "accepted" => Key::Accepted,
            "characterId" => Key::CharacterId,
            "worldId" => Key::WorldId,
            "channelId" => Key::ChannelId,
            _ => Key::Other,
        })
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
