//! Logging and tracing: a `tracing` subscriber with a log layer (text or JSON, level from
//! `RUST_LOG` or Atlas's `LOG_LEVEL`) and an OpenTelemetry layer, so that every span has a W3C
//! trace context that Kafka headers carry across services. Spans are exported over OTLP/HTTP
//! only when an endpoint is configured.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::prelude::*;

pub use crate::config::LogFormat;

/// The target of spans that give log lines their context but are not exported as traces.
pub const UNTRACED: &str = "login_orchestrator::untraced";

/// The installed tracing pipeline; `shutdown` exports what is still buffered.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Flushes and stops the span exporter (a no-op without one).
    pub fn shutdown(&self) {
        let _ = self.provider.shutdown();
    }
}

/// Installs the global subscriber (a second call installs nothing but still returns a
/// pipeline). `filter` is an `EnvFilter` directive such as `info` or
/// `login_orchestrator=debug`; `otlp_endpoint` is the collector's base URL.
pub fn init(filter: &str, format: LogFormat, otlp_endpoint: Option<&str>) -> Telemetry {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let log = match format {
        // Colours only on a terminal: a log file or collector gets plain text (and each
        // session's span keeps its fields without escape codes).
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .boxed(),
    }
    .with_filter(filter);
    let mut builder = SdkTracerProvider::builder().with_resource(
        Resource::builder()
            .with_service_name("login-orchestrator")
            .build(),
    );
    if let Some(endpoint) = otlp_endpoint {
        match opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(traces_url(endpoint))
            .build()
        {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(error) => eprintln!("login-orchestrator: spans will not be exported: {error}"),
        }
    }
    // Trace context is kept for this crate's spans whatever the log level, so that produced
    // messages always carry a `traceparent`; without an exporter spans go nowhere.
    let provider = builder.build();
    // Lean spans: no thread or source-location attributes, no busy/idle timing and no
    // OpenTelemetry context activation on each enter (trace context is taken from spans
    // explicitly when a message is produced). Spans of the `UNTRACED` target (the long-lived
    // per-session span, which gives log lines their session_id) are left out: a span that lives
    // as long as a player stays logged in makes no useful trace, and its OpenTelemetry data
    // would cost every idle session about 1.6 KiB.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("login-orchestrator"))
        .with_threads(false)
        .with_location(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
        .with_filter(
            Targets::new()
                .with_target("login_orchestrator", LevelFilter::INFO)
                .with_target(UNTRACED, LevelFilter::OFF),
        );
    let _ = tracing_subscriber::registry()
        .with(log)
        .with(otel)
        .try_init();
    Telemetry { provider }
}

/// The OTLP/HTTP traces URL of a collector's base URL.
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_path_is_added_once() {
        assert_eq!(
            traces_url("http://jaeger:4318"),
            "http://jaeger:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://jaeger:4318/"),
            "http://jaeger:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }
}
