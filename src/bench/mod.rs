//! Helpers of the load generator (`src/bin/loadgen.rs`, `make bench`): a gateway client, Kafka
//! baselines and preloads with the service's own client defaults, latency statistics and the
//! results table. Not used by the service itself.
//!
//! - [`gateway`]: a client of the gateway protocol (connect from a chosen loopback address,
//!   `hello`, `login`, line counting).
//! - [`kafka`]: producers and consumers with `kafka::client`'s defaults, the two-hop round-trip
//!   baseline, the bare drain baseline, preloading STATE_CHANGED events.
//! - [`stats`]: latency percentiles.
//! - [`report`]: one JSON line per measured figure, and the table printed from them.

pub mod gateway;
pub mod kafka;
pub mod report;
pub mod stats;
