//! # login-orchestrator
//!
//! The login side of an Atlas (MapleStory) back end on Kafka, wire-compatible with the Go
//! `atlas-login` service: same topics, JSON, headers, keys and consumer group.
//!
//! # Layout
//! - [`config`]: environment variables and the service file, read once at start-up.
//! - [`message`]: the serde wire types of every consumed and produced message.
//! - [`tenant`]: configured tenants and their header bytes.
//! - [`kafka`]: the producer actor, the consume loop and its router, headers and keys.
//! - [`session`]: one actor per login session, its pure state machine, the supervisor, the
//!   directory the consume loop routes through, and the account registry.
//! - [`gateway`]: the client-facing TCP listeners and their line protocol.
//! - [`app`]: start-up and the one shutdown order; [`telemetry`]: logs and trace context.

pub mod admin;
pub mod app;
pub mod bench;
pub mod config;
pub mod embedded;
pub mod gateway;
pub mod kafka;
pub mod message;
pub mod metrics;
pub mod session;
pub mod sim;
pub mod telemetry;
pub mod tenant;
