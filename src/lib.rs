//! # login-orchestrator
//!
//! The login side of an Atlas (MapleStory) back end on Kafka, wire-compatible with the Go
//! `atlas-login` service: same topics, JSON, headers, keys and consumer group.
//!
//! # Layout
//! - [`config`]: environment variables and the service configuration, read once at start-up
//!   (`env`, `service`: the service file and the checks, `remote`: Atlas's configuration
//!   service).
//! - [`message`]: the serde wire types of every consumed and produced message (`account`,
//!   `account_session`, `seed`, `session`, and `go_json`, Go's JSON escaping).
//! - [`tenant`]: configured tenants and their header bytes.
//! - [`kafka`]: client settings (`client`), the producer actor (`producer`), one builder per
//!   produced message and the one end sequence (`outbox`), the crash-recovery ledger
//!   (`ledger`), the consume loop (`consumer`), its routing step (`router`) and the
//!   acknowledged hand-off to the sessions' thread (`delivery`), `headers` and `keys`.
//! - [`session`]: session terms only, no client wire format: one actor per session (`actor`),
//!   its pure state machine (`state`) with its inputs (`request`) and outputs (`output`), the
//!   connection it serves (`connection`, `outbound`), the supervisor (`supervisor`), the
//!   directory the consume loop routes through (`directory`), this instance's recognisable
//!   session ids (`ids`) and the account registry (`registry`).
//! - [`gateway`]: the client-facing TCP listeners (`listener`) and one folder per client
//!   protocol, which turns a socket into a ready connection: `json_lines`
//!   (`gateway-protocol.md`: `framing`, `request`, `event`).
//! - [`rest`]: the client of Atlas's REST services (accounts, worlds, channels, characters,
//!   inventory, guilds, character factory, configurations; `endpoints`, `client`, `jsonapi`).
//! - [`sim`]: the account-service simulator (`book` of rules, Kafka `runner`).
//! - [`app`]: start-up and the one shutdown order; [`telemetry`]: logs and trace context;
//!   `admin`: the `/healthz`, `/readyz`, `/metrics` listener; `metrics`: metric names and
//!   recording; `embedded`: the embedded broker of `make run`.
//!
//! The public modules are what the binaries, the integration tests, the load generator
//! (`tests/loadgen`) and the fuzz targets use; the rest is private to the crate.

pub(crate) mod admin;
pub mod app;
pub mod config;
pub(crate) mod embedded;
pub mod gateway;
pub mod kafka;
pub mod message;
pub(crate) mod metrics;
pub mod rest;
pub mod session;
pub mod sim;
pub mod telemetry;
pub mod tenant;

/// The per-event hot path's pieces, for the criterion benchmarks (`tests/benches`) only.
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod internals {
    pub use crate::gateway::maple::{shanda_decrypt, shanda_encrypt};
    pub use crate::kafka::delivery::{BatchAck, Deliverer};
    pub use crate::kafka::outbox::Outbox;
    pub use crate::kafka::producer::{Publish, PublishError};
    pub use crate::kafka::router::{ConsumedTopics, Outcome, Router};
    pub use crate::session::directory::Directory;
    pub use crate::session::ids::SessionIds;
    pub use crate::session::registry::AccountRegistry;
}
