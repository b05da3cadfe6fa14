//! Sessions: one actix actor per client connection (`actor`), its pure state machine (`state`),
//! the supervisor that starts, indexes and ends them (`supervisor`), the shared lookup tables
//! the consume loop routes through (`directory`), and the account registry (`registry`).

pub mod actor;
pub mod directory;
pub mod ledger;
pub mod registry;
pub mod state;
pub mod supervisor;

use actix::Message;

use crate::message::{account_session, seed};

/// A consumed event handed to the session it concerns, in consumption order.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SessionEvent {
    /// Position of the event in this process's consumption order (see `registry::logged_in`).
    pub seq: u64,
    /// The event's span, child of the event's `traceparent`: effects run inside it.
    pub span: tracing::Span,
    pub inbound: Inbound,
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
    /// COMMAND_TOPIC_ACCOUNT_SESSION
    pub command_topic: std::sync::Arc<str>,
    /// EVENT_TOPIC_SESSION_STATUS
    pub status_topic: std::sync::Arc<str>,
    pub producer: actix::Recipient<crate::kafka::producer::Publish>,
    pub registry: std::sync::Arc<registry::AccountRegistry>,
    pub login_timeout: std::time::Duration,
    pub max_line_bytes: usize,
    pub settings: state::Settings,
    pub limits: Limits,
    /// The session directory (read for `DUPLICATE_LOGIN=replace`).
    pub directory: std::sync::Arc<directory::Directory>,
    /// Where live sessions are recorded for crash recovery.
    pub ledger: ledger::Ledger,
}

/// Admission and abuse limits (see `config/default.env`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Live sessions per instance.
    pub max_sessions: u32,
    /// Live sessions per client IP (0: no limit).
    pub max_sessions_per_ip: u32,
    /// What a login for an account another session of this instance holds does.
    pub duplicate_login: crate::config::DuplicateLogin,
}
