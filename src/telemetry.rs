//! Logging and tracing: a `tracing` subscriber with a log layer (text or JSON, level from
//! `RUST_LOG` or Atlas's `LOG_LEVEL`) and an OpenTelemetry layer, so that every span has a W3C
//! trace context that Kafka headers carry across services.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::prelude::*;

pub use crate::config::LogFormat;

/// Installs the global subscriber; a second call does nothing. `filter` is an `EnvFilter`
/// directive such as `info` or `login_orchestrator=debug`.
pub fn init(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let log = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_target(false).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .boxed(),
    }
    .with_filter(filter);
    // Trace context is kept for this crate's spans whatever the log level, so that produced
    // messages always carry a `traceparent`. No exporter: spans are not sent anywhere.
    let provider = SdkTracerProvider::builder().build();
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("login-orchestrator"))
        .with_filter(Targets::new().with_target("login_orchestrator", LevelFilter::INFO));
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(otel)
        .try_init();
}
