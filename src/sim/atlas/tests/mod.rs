//! Tests of the simulator driven by the REST client: every call, state changes, seeds,
//! tenants, faults and delays. Each test starts its own simulator on 127.0.0.1:0.

mod accounts;
mod characters;
mod faults;
mod seed;
mod tenants;
mod worlds;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::{AtlasSim, RunningSim, SeedOrigin, SeedSink, SimData, SimTenant};
use crate::rest::{ClientConfig, Context, Endpoints, RestClient};

pub(super) const GMS83: &str = "083839c6-c47c-42a6-9585-76492795d123";

/// A seed status event as the sink saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum SeedEvent {
    Created {
        tenant: SimTenant,
        account: u32,
        character: u32,
        traceparent: Option<String>,
    },
    Failed {
        tenant: SimTenant,
        account: u32,
        reason: String,
    },
}

#[derive(Default)]
pub(super) struct Recorder(Mutex<Vec<SeedEvent>>);

struct Sink(Arc<Recorder>);

impl SeedSink for Sink {
    fn seed_created(&self, origin: &SeedOrigin, account: u32, character: u32) {
        let event = SeedEvent::Created {
            tenant: origin.tenant.clone(),
            account,
            character,
            traceparent: origin.traceparent.clone(),
        };
        self.0 .0.lock().expect("lock").push(event);
    }
    fn seed_failed(&self, origin: &SeedOrigin, account: u32, reason: &str) {
        let event = SeedEvent::Failed {
            tenant: origin.tenant.clone(),
            account,
            reason: reason.into(),
        };
        self.0 .0.lock().expect("lock").push(event);
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<SeedEvent> {
        self.0.lock().expect("lock").clone()
    }

    /// Polls for the first event until a deadline.
    pub async fn first(&self, within: Duration) -> Option<SeedEvent> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(event) = self.events().first() {
                return Some(event.clone());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None
    }
}

pub(super) struct Harness {
    pub sim: RunningSim,
    pub client: RestClient,
    pub seeds: Arc<Recorder>,
}

pub(super) async fn start() -> Harness {
    start_with(SimData::demo().expect("demo data")).await
}

pub(super) async fn start_with(data: SimData) -> Harness {
    let seeds = Arc::new(Recorder::default());
    let addr = "127.0.0.1:0".parse().expect("addr");
    let sim = AtlasSim::start(addr, data, Box::new(Sink(seeds.clone())))
        .await
        .expect("sim");
    let client = client_for(&sim, Duration::from_secs(2));
    Harness { sim, client, seeds }
}

pub(super) fn client_for(sim: &RunningSim, timeout: Duration) -> RestClient {
    let endpoints = Endpoints::new(Some(sim.base_url()), vec![]).expect("endpoints");
    RestClient::new(
        endpoints,
        ClientConfig {
            timeout,
            ..ClientConfig::default()
        },
    )
    .expect("client")
}

pub(super) fn gms83() -> Context {
    Context::new(Uuid::parse_str(GMS83).expect("uuid"), "GMS", 83, 1)
}
