//! The session ledger: this instance's live sessions, recorded in a compacted Kafka topic of its
//! own (`<prefix><SERVICE_ID>`, one partition, keyed by sessionId). A session's records, in
//! order: its start (acknowledged before its client's hello), its binding to an account (before
//! the login answer's offset is stored), the start of its end (with the session status topic's
//! floor, before LOGOUT and DESTROYED are produced), and a tombstone once DESTROYED is on its
//! topic. After a crash, the next start with the same SERVICE_ID reads it back (`recovery`) and
//! ends every session that was live, exactly once, before the gateway opens. Kafka is the one
//! piece of infrastructure the service already needs, which is why the record lives there
//! rather than in a local file (a file would be lost with the pod that crashed).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kafka::producer::{Delivered, Publish};
use crate::tenant::Tenant;

/// What is recorded of a live session: enough to end it without the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub tenant_id: Uuid,
    pub region: String,
    pub major_version: u16,
    pub minor_version: u16,
    pub account_id: u32,
    /// Set once the session's end began: per partition of the session status topic, an offset
    /// below its DESTROYED (recovery looks there for it before ending the session again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending: Option<Vec<(i32, i64)>>,
}

impl Entry {
    pub fn new(tenant: &Tenant, account_id: u32) -> Entry {
        Entry {
            tenant_id: tenant.id,
            region: tenant.region.clone(),
            major_version: tenant.major_version,
            minor_version: tenant.minor_version,
            account_id,
            ending: None,
        }
    }

    /// The four tenant values, as on a message.
    pub fn tenant_headers(&self) -> (Uuid, &str, u16, u16) {
        (
            self.tenant_id,
            &self.region,
            self.major_version,
            self.minor_version,
        )
    }

    pub fn tenant(&self) -> Tenant {
        Tenant::from_parts(
            self.tenant_id,
            &self.region,
            self.major_version,
            self.minor_version,
        )
    }
}

/// Builds ledger records (sent through the producer actor).
#[derive(Clone)]
pub struct Ledger {
    topic: Arc<str>,
    /// What the producer delivered to the session status topic, for the `ending` records.
    status: Arc<Delivered>,
}

impl Ledger {
    pub fn new(topic: &str, status: Arc<Delivered>) -> Ledger {
        Ledger {
            topic: topic.into(),
            status,
        }
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The record that a session's end begins (before its LOGOUT and DESTROYED).
    pub fn ending(&self, id: Uuid, mut entry: Entry) -> Publish {
        entry.ending = Some(self.status.floor());
        self.live(id, &entry)
    }

    /// The record of a live session (at connect, and again once bound to an account).
    pub fn live(&self, id: Uuid, entry: &Entry) -> Publish {
        let payload = serde_json::to_vec(entry).expect("plain struct serialises");
        Publish {
            topic: Arc::clone(&self.topic),
            key: key(id),
            headers: Default::default(),
            payload: Some(payload),
        }
    }

    /// The tombstone of an ended session.
    pub fn ended(&self, id: Uuid) -> Publish {
        Publish {
            topic: Arc::clone(&self.topic),
            key: key(id),
            headers: Default::default(),
            payload: None,
        }
    }
}

fn key(id: Uuid) -> Vec<u8> {
    id.hyphenated().to_string().into_bytes()
}

/// The live sessions a ledger's records describe: the last record per key wins, a tombstone
/// (or an unreadable record) removes the key.
pub fn live_sessions<'a>(
    records: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>,
) -> HashMap<Uuid, Entry> {
    let mut live = HashMap::new();
    for (key, value) in records {
        let Some(id) = std::str::from_utf8(key)
            .ok()
            .and_then(|k| Uuid::parse_str(k).ok())
        else {
            continue;
        };
        match value.and_then(|v| serde_json::from_slice::<Entry>(v).ok()) {
            Some(entry) => live.insert(id, entry),
            None => live.remove(&id),
        };
    }
    live
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(account_id: u32) -> Entry {
        Entry {
            tenant_id: Uuid::nil(),
            region: "GMS".into(),
            major_version: 83,
            minor_version: 1,
            account_id,
            ending: None,
        }
    }

    fn ledger() -> Ledger {
        Ledger::new("t", Arc::new(Delivered::new("status", [(0, 41), (1, 7)])))
    }

    #[test]
    fn the_last_record_wins_and_a_tombstone_removes() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let ledger = ledger();
        let records = [
            ledger.live(a, &entry(0)),
            ledger.live(b, &entry(0)),
            ledger.live(a, &entry(7)),
            ledger.ended(b),
            ledger.live(c, &entry(0)),
            ledger.ended(c),
        ];
        let live = live_sessions(
            records
                .iter()
                .map(|p| (p.key.as_slice(), p.payload.as_deref())),
        );
        assert_eq!(live.len(), 1);
        assert_eq!(live[&a].account_id, 7);
    }

    #[test]
    fn unreadable_records_are_passed_over() {
        let id = Uuid::new_v4().to_string();
        let live = live_sessions([
            (b"not a uuid".as_slice(), Some(&b"{}"[..])),
            (id.as_bytes(), Some(&b"garbage"[..])),
        ]);
        assert!(live.is_empty());
    }

    #[test]
    fn an_entry_round_trips_with_its_tenant() {
        let e = entry(3);
        let p = ledger().live(Uuid::nil(), &e);
        let back: Entry = serde_json::from_slice(p.payload.as_deref().unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.tenant().major_header(), [0, 83]);
        let old = br#"{"tenantId":"00000000-0000-0000-0000-000000000000","region":"GMS","majorVersion":83,"minorVersion":1,"accountId":3}"#;
        assert_eq!(
            serde_json::from_slice::<Entry>(old).unwrap(),
            e,
            "records of earlier runs"
        );
    }

    #[test]
    fn an_ending_record_carries_the_status_topics_floor() {
        let p = ledger().ending(Uuid::nil(), entry(3));
        let back: Entry = serde_json::from_slice(p.payload.as_deref().unwrap()).unwrap();
        assert_eq!(back.ending, Some(vec![(0, 41), (1, 7)]));
        assert_eq!(back.account_id, 3);
    }
}
