//! One builder per produced message: the account-session commands and the session status events,
//! each with its topic, its tenant's headers, the current span's trace context and its key, so
//! that no other box assembles one by hand. [`end_session`] is the one sequence that ends a
//! session on Kafka.

use std::sync::Arc;

use actix::Recipient;
use uuid::Uuid;

use crate::kafka::ledger::{Entry, Ledger};
use crate::kafka::producer::{publish, Publish, PublishError};
use crate::message::account_session::{ChannelParams, Command, CreateBody};
use crate::message::session::StatusEvent;
use crate::tenant::Tenant;

/// The produced topics, and the messages login sends to them.
#[derive(Debug, Clone)]
pub struct Outbox {
    /// COMMAND_TOPIC_ACCOUNT_SESSION
    command: Arc<str>,
    /// EVENT_TOPIC_SESSION_STATUS
    status: Arc<str>,
}

impl Outbox {
    pub fn new(command_topic: &str, status_topic: &str) -> Outbox {
        Outbox {
            command: command_topic.into(),
            status: status_topic.into(),
        }
    }

    /// CREATE: log `session` in with the client's credentials (`account_id` 0 while unbound).
    pub fn create(
        &self,
        tenant: &Tenant,
        session: Uuid,
        account_id: u32,
        body: CreateBody,
    ) -> Publish {
        let json = Command::create(session, account_id, body).to_json();
        Publish::new(&self.command, tenant, account_id, json)
    }

    /// PROGRESS_STATE 2: hand the session over to a channel.
    pub fn progress(
        &self,
        tenant: &Tenant,
        session: Uuid,
        account_id: u32,
        params: ChannelParams,
    ) -> Publish {
        let json = Command::progress_state(session, account_id, 2, params).to_json();
        Publish::new(&self.command, tenant, account_id, json)
    }

    /// LOGOUT: the session ends, or releases an account a stale login answer logged in.
    pub fn logout(&self, tenant: &Tenant, session: Uuid, account_id: u32) -> Publish {
        let json = Command::logout(session, account_id).to_json();
        Publish::new(&self.command, tenant, account_id, json)
    }

    /// Session status CREATED: the session was bound to `account_id`.
    pub fn created(&self, tenant: &Tenant, session: Uuid, account_id: u32) -> Publish {
        let json = StatusEvent::created(session, account_id).to_json();
        Publish::new(&self.status, tenant, account_id, json)
    }

    /// Session status DESTROYED: the session ended.
    pub fn destroyed(&self, tenant: &Tenant, session: Uuid, account_id: u32) -> Publish {
        let json = StatusEvent::destroyed(session, account_id).to_json();
        Publish::new(&self.status, tenant, account_id, json)
    }
}

/// What ending one session on Kafka takes.
pub struct Ending<'a> {
    pub tenant: &'a Tenant,
    pub session: Uuid,
    pub account_id: u32,
}

/// Ends a session on Kafka, in this order: the ledger's record that the end began (with the
/// status topic's floor; awaited, so that a crash after DESTROYED is recognised by recovery),
/// LOGOUT (the peer releases the account before the session is gone), DESTROYED, and only once
/// DESTROYED is on its topic the ledger's tombstone (a crash before it has recovery look for the
/// DESTROYED instead of sending another). Builds the messages in the caller's span, so they
/// carry its trace context. Errs with the first message that could not be delivered.
pub fn end_session(
    outbox: &Outbox,
    ledger: &Ledger,
    producer: Recipient<Publish>,
    ending: Ending<'_>,
) -> impl std::future::Future<Output = Result<(), PublishError>> + 'static {
    let Ending {
        tenant,
        session,
        account_id,
    } = ending;
    let marker = ledger.ending(session, Entry::new(tenant, account_id));
    let logout = outbox.logout(tenant, session, account_id);
    let destroyed = outbox.destroyed(tenant, session, account_id);
    let tombstone = ledger.ended(session);
    async move {
        publish(&producer, marker).await?;
        let logout = publish(&producer, logout).await;
        publish(&producer, destroyed).await?;
        publish(&producer, tombstone).await?;
        logout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";

    fn tenant() -> Tenant {
        Tenant::from_parts(
            "083839c6-c47c-42a6-9585-76492795d123".parse().unwrap(),
            "GMS",
            83,
            1,
        )
    }

    #[test]
    fn every_message_goes_to_its_topic_keyed_by_its_account_with_golden_json() {
        let o = Outbox::new("cmd", "status");
        let (t, id) = (tenant(), SESSION.parse().unwrap());
        let logout = o.logout(&t, id, 1);
        assert_eq!(&*logout.topic, "cmd");
        assert_eq!(logout.key, [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            logout.payload.as_deref(),
            Some(&br#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"author":"LOGIN","type":"LOGOUT","body":{}}"#[..])
        );
        let destroyed = o.destroyed(&t, id, 1);
        assert_eq!(&*destroyed.topic, "status");
        assert_eq!(
            destroyed.payload.as_deref(),
            Some(&br#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"DESTROYED"}"#[..])
        );
        assert_eq!(&*o.created(&t, id, 0).topic, "status");
        assert_eq!(o.created(&t, id, 0).key, [0; 8]);
    }
}
