//! Message box, session status (produced to `EVENT_TOPIC_SESSION_STATUS`): login announces that
//! a session was bound to an account (`CREATED`) and that it ended (`DESTROYED`).

use serde::Serialize;
use uuid::Uuid;

use super::ISSUER;

/// `{"sessionId":uuid,"accountId":u32,"characterId":0,"worldId":0,"channelId":0,
/// "issuer":"LOGIN","type":"CREATED"|"DESTROYED"}`, members in that order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEvent {
    /// The session's id.
    pub session_id: Uuid,
    /// The account the session is bound to.
    pub account_id: u32,
    /// Always 0 from login.
    pub character_id: u32,
    /// Always 0 from login.
    pub world_id: u8,
    /// Always 0 from login.
    pub channel_id: u8,
    /// Always [`ISSUER`]; named `issuer` here (`author` on commands).
    pub issuer: &'static str,
    /// `CREATED` or `DESTROYED`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl StatusEvent {
    /// The session was bound to `account_id`.
    pub fn created(session_id: Uuid, account_id: u32) -> Self {
        Self::new(session_id, account_id, "CREATED")
    }

    /// The session ended.
    pub fn destroyed(session_id: Uuid, account_id: u32) -> Self {
        Self::new(session_id, account_id, "DESTROYED")
    }

    fn new(session_id: Uuid, account_id: u32, kind: &'static str) -> Self {
        Self {
            session_id,
            account_id,
            character_id: 0,
            world_id: 0,
            channel_id: 0,
            issuer: ISSUER,
            kind,
        }
    }

    /// The message value: compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        super::go_json::to_vec(self).expect("a struct of strings and integers always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";

    fn session() -> Uuid {
        Uuid::parse_str(SESSION).expect("golden session id parses")
    }

    #[test]
    fn golden_created_serialises_byte_for_byte() {
        let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"CREATED"}"#;
        assert_eq!(
            StatusEvent::created(session(), 1).to_json(),
            want.as_bytes()
        );
    }

    #[test]
    fn golden_destroyed_serialises_byte_for_byte() {
        let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"DESTROYED"}"#;
        assert_eq!(
            StatusEvent::destroyed(session(), 1).to_json(),
            want.as_bytes()
        );
    }

    #[test]
    fn session_id_is_lowercase_hyphenated() {
        let upper = Uuid::parse_str(&SESSION.to_uppercase()).expect("parses");
        let json = String::from_utf8(StatusEvent::created(upper, 0).to_json()).expect("utf-8");
        assert!(json.starts_with(&format!(r#"{{"sessionId":"{SESSION}","accountId":0,"#)));
    }

    #[test]
    fn largest_account_id_is_written_in_full() {
        let json = StatusEvent::destroyed(Uuid::nil(), u32::MAX).to_json();
        let text = String::from_utf8(json).expect("utf-8");
        assert!(text.contains(r#""accountId":4294967295,"#), "{text}");
        assert!(text.contains(r#""sessionId":"00000000-0000-0000-0000-000000000000""#));
    }
}
