//! The service binary: telemetry, configuration, then the application until a signal.

use login_orchestrator::{app, config::Config, telemetry};

fn main() -> std::process::ExitCode {
    let format = match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => telemetry::LogFormat::Json,
        _ => telemetry::LogFormat::Text,
    };
    let filter = telemetry::filter_from(
        std::env::var("RUST_LOG").ok().as_deref(),
        std::env::var("LOG_LEVEL").ok().as_deref(),
    );
    telemetry::init(&filter, format);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("login-orchestrator: configuration error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    match actix::System::new().block_on(app::run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "The service stopped.");
            eprintln!("login-orchestrator: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
