//! `account-sim`: the account-service simulator as a process of its own, against any broker
//! (`BOOTSTRAP_SERVERS`), answering account-session commands like atlas-account.

use login_orchestrator::config;
use login_orchestrator::sim::book::{AccountsFile, Book};
use login_orchestrator::sim::runner::{Sim, SimTopics};
use login_orchestrator::telemetry;

fn main() -> std::process::ExitCode {
    let env = match config::sim_from_env() {
        Ok(env) => env,
        Err(error) => {
            eprintln!("account-sim: configuration error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let _telemetry = telemetry::init(&env.log_filter, env.log_format, None);
    let Some(bootstrap) = env.bootstrap_servers.clone() else {
        eprintln!("account-sim: BOOTSTRAP_SERVERS is not set (the service's embedded mode runs the simulator in-process)");
        return std::process::ExitCode::from(2);
    };
    let book = match AccountsFile::load(&env.accounts_file) {
        Ok(file) => Book::new(file),
        Err(error) => {
            eprintln!("account-sim: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let topics = SimTopics {
        command: env.topics.command_account_session.clone(),
        account_status: env.topics.event_account_status.clone(),
        account_session_status: env.topics.event_account_session_status.clone(),
    };
    actix::System::new().block_on(async move {
        match Sim::connect(&bootstrap, &env.kafka, topics, book) {
            Ok(sim) => {
                sim.run(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await;
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("account-sim: {error}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
