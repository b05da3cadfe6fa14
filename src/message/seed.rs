//! Message box, seed status (consumed from `EVENT_TOPIC_SEED_STATUS`): `atlas-character-factory`
//! reports, by account, whether a character it was asked to create exists now.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::de::{body_or_default, from_slice_or_default, null_default, null_default_cow};
use super::DecodeError;

/// `{"accountId":u32,"type":"CREATED"|"FAILED","body":B}`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The account whose session asked for the character.
    pub account_id: u32,
    /// What happened, by `type`.
    pub body: SeedBody,
}

/// The event by its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedBody {
    /// `CREATED`, body `{"characterId":u32}`.
    Created {
        /// The new character.
        character_id: u32,
    },
    /// `FAILED` (newer peers), body `{"reason":s}`.
    Failed {
        /// Why, as the peer wrote it.
        reason: String,
    },
    /// Any other `type`: the caller skips it with a warning.
    Unknown(String),
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire<'a> {
    #[serde(default, deserialize_with = "null_default")]
    account_id: u32,
    #[serde(
        rename = "type",
        default,
        borrow,
        deserialize_with = "null_default_cow"
    )]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    body: Option<&'a RawValue>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatedBody {
    #[serde(default, deserialize_with = "null_default")]
    character_id: u32,
}

#[derive(Default, Deserialize)]
struct FailedBody {
    #[serde(default, deserialize_with = "null_default")]
    reason: String,
}

impl StatusEvent {
    /// Decodes one message value.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let wire: Wire = from_slice_or_default(bytes)?;
        let body = match wire.kind.as_ref() {
            "CREATED" => SeedBody::Created {
                character_id: body_or_default::<CreatedBody>(wire.body)?.character_id,
            },
            "FAILED" => SeedBody::Failed {
                reason: body_or_default::<FailedBody>(wire.body)?.reason,
            },
            other => SeedBody::Unknown(other.to_owned()),
        };
        Ok(Self {
            account_id: wire.account_id,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<StatusEvent, DecodeError> {
        StatusEvent::decode(text.as_bytes())
    }

    #[test]
    fn golden_created_decodes() {
        let got = decode(r#"{"accountId":1,"type":"CREATED","body":{"characterId":5}}"#)
            .expect("golden vector decodes");
        let want = StatusEvent {
            account_id: 1,
            body: SeedBody::Created { character_id: 5 },
        };
        assert_eq!(got, want);
    }

    #[test]
    fn failed_carries_its_reason() {
        let got = decode(r#"{"accountId":2,"type":"FAILED","body":{"reason":"name taken"}}"#)
            .expect("decodes");
        assert_eq!(
            got.body,
            SeedBody::Failed {
                reason: "name taken".into()
            }
        );
        assert_eq!(got.account_id, 2);
    }

    #[test]
    fn unknown_type_is_unknown() {
        let got = decode(r#"{"accountId":1,"type":"DELETED","body":{"characterId":5}}"#)
            .expect("decodes");
        assert_eq!(got.body, SeedBody::Unknown("DELETED".into()));
    }

    #[test]
    fn body_null_or_absent_gives_zero_values() {
        let got = decode(r#"{"accountId":1,"type":"CREATED","body":null}"#).expect("decodes");
        assert_eq!(got.body, SeedBody::Created { character_id: 0 });
        let got = decode(r#"{"accountId":1,"type":"FAILED"}"#).expect("decodes");
        assert_eq!(
            got.body,
            SeedBody::Failed {
                reason: String::new()
            }
        );
    }

    #[test]
    fn missing_and_null_envelope_fields_are_zero_values() {
        let got = decode(r#"{"type":"CREATED","body":{"characterId":null}}"#).expect("decodes");
        assert_eq!(
            got,
            StatusEvent {
                account_id: 0,
                body: SeedBody::Created { character_id: 0 }
            }
        );
        let got = decode(r#"{"accountId":null,"type":null}"#).expect("decodes");
        assert_eq!(got.body, SeedBody::Unknown(String::new()));
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let got = decode(
            r#"{"x":1,"accountId":1,"type":"CREATED","body":{"name":"n","characterId":5},"y":{}}"#,
        )
        .expect("decodes");
        assert_eq!(got.body, SeedBody::Created { character_id: 5 });
    }

    #[test]
    fn wrong_types_are_errors() {
        for text in [
            r#"{"accountId":"1","type":"CREATED","body":{"characterId":5}}"#,
            r#"{"accountId":1,"type":"CREATED","body":{"characterId":"5"}}"#,
            r#"{"accountId":1,"type":"CREATED","body":[5]}"#,
            r#"{"accountId":1,"type":"FAILED","body":{"reason":7}}"#,
            r#"{"accountId":1,"type":5}"#,
        ] {
            assert!(matches!(decode(text), Err(DecodeError::Json(_))), "{text}");
        }
    }

    #[test]
    fn out_of_range_negative_or_fractional_ids_are_errors() {
        for n in ["4294967296", "-5", "5.5", "5e0"] {
            let body =
                format!(r#"{{"accountId":1,"type":"CREATED","body":{{"characterId":{n}}}}}"#);
            assert!(decode(&body).is_err(), "{body}");
            let env = format!(r#"{{"accountId":{n},"type":"CREATED"}}"#);
            assert!(decode(&env).is_err(), "{env}");
        }
    }

    #[test]
    fn non_json_is_an_error() {
        assert!(decode("CREATED").is_err());
        assert!(decode(r#"{"accountId":1,"type":"CREATED","body":{"#).is_err());
    }
}
