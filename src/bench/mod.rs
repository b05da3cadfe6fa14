//! Helpers of the load generator (`src/bin/loadgen.rs`, `make bench`): a gateway client, Kafka
//! baselines and preloads with the service's own client defaults, latency statistics and the
//! results table. Not used by the service itself.
//!
//! - [`gateway`]: a client of the gateway protocol (connect from a chosen loopback address,
//!   `hello`, `login`, line counting).
//! - [`kafka`]: producers and consumers with `kafka::client`'s defaults, the two-hop round-trip
//!   baseline, the bare drain baseline, preloading STATE_CHANGED events.
//! - [`fanout`]: the client-write floor of the routing figure (lines to many connections, no
//!   service).
//! - [`harness`]: held sessions, RSS, signals, bounded waits, optional `perf record`.
//! - [`phases`]: the memory phase, and routing / filtering / shutdown drain on one service.
//! - [`stats`]: latency percentiles.
//! - [`report`]: one JSON line per measured figure, and the table printed from them.

pub mod fanout;
pub mod gateway;
pub mod harness;
pub mod kafka;
pub mod phases;
pub mod report;
pub mod stats;
