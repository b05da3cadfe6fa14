//! # Atlas REST simulator
//!
//! An in-process stand-in for the Atlas REST services login calls (accounts, worlds,
//! channels, characters, inventory, guilds, character factory, configurations), for the
//! service's demo mode and for integration tests. A hyper HTTP/1 server speaking JSON:API,
//! stateful and per tenant; the character factory's seed status events leave through a
//! [`SeedSink`] ([`KafkaSeeds`] produces them on the seed status topic).
//!
//! # Layout
//! - `data`: the data file ([`SimData`]; its shape is documented there).
//! - `store`: per-tenant state and its rules (PATCH, attempts, delete, look-ups).
//! - `http`: hyper glue, query decoding, response builders.
//! - `router`: tenant headers, faults, dispatch; `accounts`, `worlds`, `characters`, `seed`,
//!   `configurations`: one file per simulated service; `encode`: JSON:API answers.
//! - `faults`: [`Fault`] / [`Faults`], the delay and failure knobs.
//! - `kafka_seeds`: [`KafkaSeeds`], the [`SeedSink`] that produces seed status events to Kafka
//!   as atlas-character-factory does.
//!
//! Paths are served at the root and under `/api/` alike, so a client's root may be
//! `http://addr/` or `http://addr/api/`.

mod accounts;
mod characters;
mod configurations;
mod data;
mod encode;
mod faults;
mod http;
mod kafka_seeds;
mod router;
mod seed;
mod store;
mod worlds;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use data::SimData;
pub use faults::{Fault, Faults};
pub use kafka_seeds::{created_payload, failed_payload, KafkaSeeds};

use data::RawConfig;
use store::{Store, TenantState};

/// The tenant a request was made for, from its `TENANT_ID`, `REGION`, `MAJOR_VERSION` and
/// `MINOR_VERSION` headers (versions as decimal text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimTenant {
    pub id: Uuid,
    pub region: String,
    pub major: u16,
    pub minor: u16,
}

/// Who asked for a seed: the tenant of the `POST characters/seed` and the W3C trace context it
/// carried (`traceparent`, and `tracestate` when sent), so that a sink can report in that trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOrigin {
    pub tenant: SimTenant,
    pub traceparent: Option<String>,
    pub tracestate: Option<String>,
}

/// Where the simulated character factory reports seeds, as atlas-character-factory does on
/// `EVENT_TOPIC_SEED_STATUS`. Called from a tokio task after the 202 was answered, once the
/// character exists (so a `GET characters/{id}` right after `seed_created` finds it); a sink
/// must not block (it runs on the simulator's runtime).
pub trait SeedSink: Send + Sync + 'static {
    /// A seed succeeded: `{"accountId":…,"type":"CREATED","body":{"characterId":…}}`.
    fn seed_created(&self, origin: &SeedOrigin, account_id: u32, character_id: u32);
    /// A seed failed after it was accepted: `{"accountId":…,"type":"FAILED","body":{"reason":…}}`.
    fn seed_failed(&self, origin: &SeedOrigin, account_id: u32, reason: &str);
}

/// A sink that drops every event (for runs that do not care).
pub struct NoSeeds;

impl SeedSink for NoSeeds {
    fn seed_created(&self, _: &SeedOrigin, _: u32, _: u32) {}
    fn seed_failed(&self, _: &SeedOrigin, _: u32, _: &str) {}
}

/// Why the simulator could not start or load its data.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The data file could not be read.
    #[error("cannot read sim data {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The data document is malformed; names the place.
    #[error("bad sim data at {reason}")]
    Data { reason: String },
}

/// State shared by every connection of one simulator.
pub(crate) struct Shared {
    store: Mutex<Store>,
    pub faults: Faults,
    pub seeds: Box<dyn SeedSink>,
    pub attempt_limit: u32,
    pub seed_delay: Duration,
    pub services: RawConfig,
    pub tenant_configs: RawConfig,
}

impl Shared {
    /// Runs `f` on a tenant's state under the store lock (never held across an await).
    pub fn with_tenant<T>(&self, id: Uuid, f: impl FnOnce(&mut TenantState) -> T) -> T {
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(store.tenant(id))
    }
}

/// The simulator's entry point.
pub struct AtlasSim;

impl AtlasSim {
    /// Binds `addr` (use port 0 for a free one) and serves until the returned handle is
    /// stopped or dropped.
    pub async fn start(
        addr: SocketAddr,
        data: SimData,
        seeds: Box<dyn SeedSink>,
    ) -> Result<RunningSim, SimError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let faults = Faults::default();
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::new(data.tenants, data.default)),
            faults: faults.clone(),
            seeds,
            attempt_limit: data.attempt_limit,
            seed_delay: data.seed_delay,
            services: data.services,
            tenant_configs: data.tenant_configs,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, shared.clone(), stopped));
        tracing::debug!(%addr, "Atlas REST simulator listening.");
        Ok(RunningSim {
            addr,
            shared,
            faults,
            stop,
            task,
        })
    }
}

/// A running simulator; dropping it stops it.
pub struct RunningSim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    faults: Faults,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningSim {
    /// Whether an account of a tenant has accepted the licence here (`tos`, which the game
    /// flow PATCHes): for the embedded account simulator (`Book::with_recorded_licences`).
    pub fn licences(&self) -> crate::sim::book::RecordedLicences {
        let shared = self.shared.clone();
        Box::new(move |tenant, account_id| {
            shared.with_tenant(tenant, |t| {
                t.accounts.get(&account_id).is_some_and(|a| a.tos)
            })
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A root for the client: `http://<addr>/` (also served under `/api/`).
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The fault knobs (shared with `POST /sim/faults`).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops accepting, ends open connections, and waits for the server task.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}
