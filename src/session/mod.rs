//! Sessions, in session terms only (no client protocol's wire format): one actix actor per
//! client connection (`actor`), its pure state machine (`state`) with its inputs (`request`)
//! and outputs (`output`), the connection it serves (`connection`, `outbound`), the supervisor
//! that starts, indexes and ends them (`supervisor`), the shared lookup tables the consume loop
//! routes through (`directory`), and the account registry (`registry`).

pub(crate) mod actor;
pub(crate) mod atlas;
pub mod connection;
pub(crate) mod directory;
pub mod fetch;
pub(crate) mod ids;
pub mod outbound;
pub mod output;
pub(crate) mod registry;
pub mod request;
pub mod state;
pub(crate) mod supervisor;
#[cfg(test)]
pub(crate) mod testing;

use actix::Message;

use crate::message::{account_session, seed};

/// A consumed event handed to the session it concerns, in consumption order.
#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SessionEvent {
    /// Position of the event in this process's consumption order (see `registry::logged_in`).
    pub seq: u64,
    /// Where the event came from, and the trace context its span will have.
    pub origin: Origin,
    pub inbound: Inbound,
    /// Held until what the event causes is on Kafka (a login answer: the ledger's record of
    /// the bound account, or a release), so that its offset is not stored before.
    pub hold: Option<crate::kafka::delivery::BatchAck>,
}

/// Where a consumed event came from. Its span (child of the event's trace context) is made only
/// when handling the event produces a Kafka message or a log line of its own: most events (a
/// channel address for the client, say) need none, and a span costs more than the rest of
/// routing.
#[derive(Debug, Clone)]
pub struct Origin {
    pub topic: std::sync::Arc<str>,
    pub partition: i32,
    pub offset: i64,
    pub trace: crate::kafka::headers::Carried,
}

impl Origin {
    /// The event's span: under `parent` in the logs, in the event's trace for OpenTelemetry.
    pub fn span(&self, parent: &tracing::Span) -> tracing::Span {
        let span = tracing::info_span!(
            parent: parent,
            "event",
            topic = %self.topic,
            partition = self.partition,
            offset = self.offset
        );
        self.trace.adopt(&span);
        span
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// An account-session status event for this session.
    Peer(account_session::StatusEvent),
    /// A seed status event for this session's account.
    Seed(seed::SeedBody),
}

/// What every session needs from the rest of the service; one per process, shared.
pub struct Services {
    pub tenants: std::sync::Arc<crate::tenant::Tenants>,
    pub service: std::sync::Arc<crate::config::ServiceConfig>,
    /// The builders of every produced message.
    pub outbox: crate::kafka::outbox::Outbox,
    pub producer: actix::Recipient<crate::kafka::producer::Publish>,
    pub registry: std::sync::Arc<registry::AccountRegistry>,
    pub login_timeout: std::time::Duration,
    pub settings: state::Settings,
    pub limits: Limits,
    /// The session directory (read for `DUPLICATE_LOGIN=replace`).
    pub directory: std::sync::Arc<directory::Directory>,
    /// Where live sessions are recorded for crash recovery.
    pub ledger: crate::kafka::ledger::Ledger,
    /// This instance's session ids.
    pub ids: ids::SessionIds,
    /// Atlas's REST services (the game flow's accounts, worlds, channels, characters).
    pub rest: crate::rest::RestClient,
}

/// Admission limits (see `config/default.env`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Live sessions per instance.
    pub max_sessions: u32,
    /// Live sessions per client IP (0: no limit).
    pub max_sessions_per_ip: u32,
}
