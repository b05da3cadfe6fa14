//! The service binary: configuration, telemetry, then the application until a signal.

use login_orchestrator::{app, config::Config, telemetry};

fn main() -> std::process::ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("login-orchestrator: configuration error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let telemetry = telemetry::init(
        &config.env.log_filter,
        config.env.log_format,
        config.env.otlp_endpoint.as_deref(),
    );
    let result = actix::System::new().block_on(app::run(config));
    telemetry.shutdown();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "The service stopped.");
            eprintln!("login-orchestrator: {error}");
            // A configuration from the configuration service that is unusable is a
            // configuration error, as one in the environment or the service file.
            match error {
                app::StartError::Config(_) => std::process::ExitCode::from(2),
                _ => std::process::ExitCode::FAILURE,
            }
        }
    }
}
