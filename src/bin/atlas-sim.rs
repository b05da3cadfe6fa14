//! `atlas-sim`: the Atlas REST simulator as a process of its own, against any broker
//! (`BOOTSTRAP_SERVERS`): serves Atlas's REST services from `ATLAS_SIM_FILE` on
//! `ATLAS_SIM_ADDRESS` (127.0.0.1:8080 by default) and reports character seeds on
//! `EVENT_TOPIC_SEED_STATUS` as atlas-character-factory does, until SIGTERM or SIGINT.

use std::process::ExitCode;
use std::time::Duration;

use login_orchestrator::config;
use login_orchestrator::sim::atlas::{AtlasSim, KafkaSeeds, SimData};
use login_orchestrator::telemetry;
use tracing::{info, warn};

/// How long seed status events still in the producer may take to leave at exit.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    let env = match config::atlas_sim_from_env() {
        Ok(env) => env,
        Err(error) => {
            eprintln!("atlas-sim: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = telemetry::init(&env.log_filter, env.log_format, None);
    let Some(bootstrap) = env.bootstrap_servers.clone() else {
        eprintln!("atlas-sim: BOOTSTRAP_SERVERS is not set (the service's embedded mode runs the simulator in-process)");
        return ExitCode::from(2);
    };
    let data = match SimData::load(&env.atlas_sim_file) {
        Ok(data) => data,
        Err(error) => {
            eprintln!("atlas-sim: {error} (see ATLAS_SIM_FILE)");
            return ExitCode::from(2);
        }
    };
    let seeds = match KafkaSeeds::new(&bootstrap, &env.kafka, &env.event_seed_status) {
        Ok(seeds) => seeds,
        Err(error) => {
            eprintln!("atlas-sim: cannot create the seed status producer: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("atlas-sim: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async {
        let sim = match AtlasSim::start(env.atlas_sim_address, data, Box::new(seeds.clone())).await
        {
            Ok(sim) => sim,
            Err(error) => {
                eprintln!("atlas-sim: {error}");
                return ExitCode::FAILURE;
            }
        };
        info!(
            address = %sim.addr(),
            base_url = %sim.base_url(),
            data = %env.atlas_sim_file.display(),
            seed_topic = %env.event_seed_status,
            "Atlas REST simulator listening."
        );
        signal().await;
        sim.stop().await;
        ExitCode::SUCCESS
    });
    if let Err(error) = seeds.flush(FLUSH_TIMEOUT) {
        warn!(%error, "Seed status events not all delivered at exit.");
    }
    info!("Atlas REST simulator stopped.");
    code
}

/// Completes on SIGTERM or SIGINT.
async fn signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    tokio::select! {
        _ = async {
            match term.as_mut() {
                Some(term) => { term.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => info!("SIGTERM received."),
        _ = tokio::signal::ctrl_c() => info!("SIGINT received."),
    }
}
