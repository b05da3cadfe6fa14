//! Message box, account status (consumed from `EVENT_TOPIC_ACCOUNT_STATUS`): which accounts are
//! logged in, as `atlas-account` reports them.

use serde::{Deserialize, Serialize};

use super::de::{from_slice_or_default, null_default};
use super::DecodeError;

/// `{"account_id":u32,"name":s,"status":s}`: the only snake_case field of the contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// The account the status is about.
    #[serde(rename = "account_id", default, deserialize_with = "null_default")]
    pub account_id: u32,
    /// The account's name.
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    /// `LOGGED_IN`, `LOGGED_OUT`, or a status login ignores (`CREATED`, `DELETED`, ...).
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
}

impl StatusEvent {
    /// Decodes one message value.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(from_slice_or_default(bytes)?)
    }

    /// `Some(true)` for `LOGGED_IN`, `Some(false)` for `LOGGED_OUT`, `None` for any other status
    /// (the peer also sends `CREATED` and `DELETED`).
    pub fn logged_in(&self) -> Option<bool> {
        match self.status.as_str() {
            "LOGGED_IN" => Some(true),
            "LOGGED_OUT" => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_logged_in_decodes() {
        let got = StatusEvent::decode(br#"{"account_id":1,"name":"admin","status":"LOGGED_IN"}"#)
            .expect("golden vector decodes");
        let want = StatusEvent {
            account_id: 1,
            name: "admin".into(),
            status: "LOGGED_IN".into(),
        };
        assert_eq!(got, want);
        assert_eq!(got.logged_in(), Some(true));
    }

    #[test]
    fn logged_out_is_some_false() {
        let got = StatusEvent::decode(br#"{"account_id":2,"name":"b","status":"LOGGED_OUT"}"#)
            .expect("decodes");
        assert_eq!(got.logged_in(), Some(false));
    }

    #[test]
    fn other_statuses_are_none() {
        for status in ["CREATED", "DELETED", "", "logged_in"] {
            let event = StatusEvent {
                status: status.into(),
                ..StatusEvent::default()
            };
            assert_eq!(event.logged_in(), None, "{status}");
        }
    }

    #[test]
    fn camel_case_account_id_is_not_the_field() {
        let got = StatusEvent::decode(br#"{"accountId":1,"status":"LOGGED_IN"}"#)
            .expect("unknown field ignored");
        assert_eq!(got.account_id, 0);
    }

    #[test]
    fn missing_and_null_fields_are_zero_values() {
        let got =
            StatusEvent::decode(br#"{"account_id":null,"status":"LOGGED_OUT"}"#).expect("decodes");
        assert_eq!((got.account_id, got.name.as_str()), (0, ""));
        assert_eq!(got.logged_in(), Some(false));
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let got = StatusEvent::decode(
            br#"{"extra":[1],"account_id":3,"name":"c","status":"LOGGED_IN","more":null}"#,
        )
        .expect("decodes");
        assert_eq!(got.account_id, 3);
    }

    #[test]
    fn account_id_as_a_string_is_an_error() {
        let got = StatusEvent::decode(br#"{"account_id":"1","status":"LOGGED_IN"}"#);
        assert!(matches!(got, Err(DecodeError::Json(_))));
    }

    #[test]
    fn out_of_range_negative_or_fractional_account_id_is_an_error() {
        for id in ["4294967296", "-1", "1.5", "1e2"] {
            let text = format!(r#"{{"account_id":{id},"status":"LOGGED_IN"}}"#);
            assert!(StatusEvent::decode(text.as_bytes()).is_err(), "{id}");
        }
    }

    #[test]
    fn non_json_is_an_error() {
        assert!(StatusEvent::decode(b"LOGGED_IN").is_err());
        assert!(StatusEvent::decode(b"").is_err());
        assert!(StatusEvent::decode(br#"{"account_id":1"#).is_err());
    }
}
