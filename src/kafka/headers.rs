//! Message headers: the four tenant headers (versions as 2-byte big-endian) and the W3C trace
//! context (`traceparent`, `tracestate`), written from and read into `tracing` spans through
//! OpenTelemetry's TraceContext propagator.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::tenant::{Tenant, TenantHeaders};

pub const TENANT_ID: &str = "TENANT_ID";
pub const REGION: &str = "REGION";
pub const MAJOR_VERSION: &str = "MAJOR_VERSION";
pub const MINOR_VERSION: &str = "MINOR_VERSION";

/// The headers of a produced message: the tenant's four headers, then the trace context of
/// `span` (normally `Span::current()`, the span of whatever caused the message).
pub fn outgoing(tenant: &Tenant, span: &tracing::Span) -> OwnedHeaders {
    let headers = OwnedHeaders::new_with_capacity(6)
        .insert(Header {
            key: TENANT_ID,
            value: Some(&tenant.id_header()[..]),
        })
        .insert(Header {
            key: REGION,
            value: Some(tenant.region.as_bytes()),
        })
        .insert(Header {
            key: MAJOR_VERSION,
            value: Some(&tenant.major_header()[..]),
        })
        .insert(Header {
            key: MINOR_VERSION,
            value: Some(&tenant.minor_header()[..]),
        });
    let mut injector = HeaderInjector(Some(headers));
    TraceContextPropagator::new().inject_context(&span.context(), &mut injector);
    injector.0.unwrap_or_default()
}

/// The W3C trace context of `span` as text (`traceparent`, and `tracestate` when there is one),
/// for calls that carry it elsewhere than in Kafka headers (REST).
pub fn trace_context(span: &tracing::Span) -> (Option<String>, Option<String>) {
    let mut fields = TextFields::default();
    TraceContextPropagator::new().inject_context(&span.context(), &mut fields);
    (fields.traceparent, fields.tracestate)
}

#[derive(Default)]
struct TextFields {
    traceparent: Option<String>,
    tracestate: Option<String>,
}

impl Injector for TextFields {
    fn set(&mut self, key: &str, value: String) {
        match key {
            _ if value.is_empty() => {}
            "traceparent" => self.traceparent = Some(value),
            "tracestate" => self.tracestate = Some(value),
            _ => {}
        }
    }
}

struct HeaderInjector(Option<OwnedHeaders>);

impl Injector for HeaderInjector {
    fn set(&mut self, key: &str, value: String) {
        if value.is_empty() {
            return; // `tracestate` only when an upstream one exists
        }
        let headers = self.0.take().unwrap_or_default();
        self.0 = Some(headers.insert(Header {
            key,
            value: Some(value.as_bytes()),
        }));
    }
}

/// The four tenant header values of a consumed message, by one pass over its headers.
pub fn tenant_headers<H: Headers>(headers: Option<&H>) -> TenantHeaders<'_> {
    let mut found = TenantHeaders::default();
    let Some(headers) = headers else { return found };
    for header in headers.iter() {
        match header.key {
            TENANT_ID => found.id = header.value,
            REGION => found.region = header.value,
            MAJOR_VERSION => found.major = header.value,
            MINOR_VERSION => found.minor = header.value,
            _ => {}
        }
    }
    found
}

/// Makes `span` the child of the trace context carried by `headers`; without a valid
/// `traceparent` the span stays the root of a new trace.
pub fn adopt_parent<H: Headers>(span: &tracing::Span, headers: Option<&H>) {
    Carried::of(headers).adopt(span);
}

/// The trace context a consumed message carries (`traceparent`, and `tracestate` when there is
/// one), copied out of its headers without parsing, so that the span it parents can be made
/// later, and only where one is needed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// A version-00 `traceparent` is exactly 55 bytes; other lengths are kept boxed.
    traceparent: Option<Traceparent>,
    tracestate: Option<Box<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Traceparent {
    V00([u8; 55]),
    Other(Box<str>),
}

impl Carried {
    /// The trace headers of a consumed message (matched case-insensitively, as the
    /// propagator does).
    pub fn of<H: Headers>(headers: Option<&H>) -> Carried {
        let mut carried = Carried::default();
        let Some(headers) = headers else {
            return carried;
        };
        for header in headers.iter() {
            let Some(value) = header.value else { continue };
            if header.key.eq_ignore_ascii_case("traceparent") {
                carried.traceparent = Some(match <[u8; 55]>::try_from(value) {
                    Ok(fixed) => Traceparent::V00(fixed),
                    Err(_) => Traceparent::Other(String::from_utf8_lossy(value).into()),
                });
            } else if header.key.eq_ignore_ascii_case("tracestate") {
                carried.tracestate = Some(String::from_utf8_lossy(value).into());
            }
        }
        carried
    }

    /// Makes `span` the child of this context; without a valid `traceparent` the span stays the
    /// root of a new trace.
    pub fn adopt(&self, span: &tracing::Span) {
        if self.traceparent.is_none() {
            return;
        }
        let cx = TraceContextPropagator::new().extract(self);
        if opentelemetry::trace::TraceContextExt::span(&cx)
            .span_context()
            .is_valid()
        {
            // Fails only when no OpenTelemetry layer is installed; then there is nothing to adopt.
            let _ = span.set_parent(cx);
        }
    }
}

impl Extractor for Carried {
    fn get(&self, key: &str) -> Option<&str> {
        if key.eq_ignore_ascii_case("traceparent") {
            match self.traceparent.as_ref()? {
                Traceparent::V00(bytes) => std::str::from_utf8(bytes).ok(),
                Traceparent::Other(text) => Some(text),
            }
        } else if key.eq_ignore_ascii_case("tracestate") {
            self.tracestate.as_deref()
        } else {
            None
        }
    }

    fn keys(&self) -> Vec<&str> {
        let mut keys = Vec::new();
        if self.traceparent.is_some() {
            keys.push("traceparent");
        }
        if self.tracestate.is_some() {
            keys.push("tracestate");
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TenantConfig;
    use tracing_subscriber::prelude::*;

    fn tenant() -> Tenant {
        Tenant::new(
            0,
            &TenantConfig {
                id: "083839c6-c47c-42a6-9585-76492795d123".parse().unwrap(),
                region: "GMS".into(),
                major_version: 83,
                minor_version: 1,
                port: 0,
                channels: vec![],
                ..Default::default()
            },
        )
    }

    fn get<'a>(h: &'a OwnedHeaders, key: &str) -> Option<&'a [u8]> {
        h.iter().find(|x| x.key == key).and_then(|x| x.value)
    }

    /// Runs `f` with a subscriber that has an OpenTelemetry layer, as the service installs.
    fn with_otel<R>(f: impl FnOnce() -> R) -> R {
        use opentelemetry::trace::TracerProvider as _;
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("test"));
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f)
    }

    #[test]
    fn outgoing_headers_carry_tenant_bytes() {
        let h = outgoing(&tenant(), &tracing::Span::none());
        assert_eq!(
            get(&h, TENANT_ID),
            Some(&b"083839c6-c47c-42a6-9585-76492795d123"[..])
        );
        assert_eq!(get(&h, REGION), Some(&b"GMS"[..]));
        assert_eq!(get(&h, MAJOR_VERSION), Some(&[0x00, 0x53][..]));
        assert_eq!(get(&h, MINOR_VERSION), Some(&[0x00, 0x01][..]));
    }

    #[test]
    fn tenant_headers_are_read_back_in_any_order() {
        let h = OwnedHeaders::new()
            .insert(Header {
                key: "traceparent",
                value: Some("x"),
            })
            .insert(Header {
                key: MINOR_VERSION,
                value: Some(&[0u8, 1][..]),
            })
            .insert(Header {
                key: REGION,
                value: Some("GMS"),
            })
            .insert(Header {
                key: MAJOR_VERSION,
                value: Some(&[0u8, 0x53][..]),
            })
            .insert(Header {
                key: TENANT_ID,
                value: Some("083839c6-c47c-42a6-9585-76492795d123"),
            });
        let found = tenant_headers(Some(&h));
        assert_eq!(crate::tenant::Tenants::new(&[]).find(&found), None);
        assert_eq!(found.region, Some(&b"GMS"[..]));
        assert_eq!(found.major, Some(&[0x00, 0x53][..]));
        assert_eq!(found.minor, Some(&[0x00, 0x01][..]));
        assert_eq!(found.id.map(<[u8]>::len), Some(36));
    }

    #[test]
    fn a_child_span_keeps_the_trace_id_of_the_consumed_traceparent() {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let consumed = OwnedHeaders::new()
            .insert(Header {
                key: "traceparent",
                value: Some(parent),
            })
            .insert(Header {
                key: "tracestate",
                value: Some("congo=t61rcWkgMzE"),
            });
        let produced = with_otel(|| {
            let span = tracing::info_span!("consume");
            adopt_parent(&span, Some(&consumed));
            outgoing(&tenant(), &span)
        });
        let tp = std::str::from_utf8(get(&produced, "traceparent").unwrap()).unwrap();
        assert_eq!(tp.len(), 55, "{tp}");
        assert!(
            tp.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{tp}"
        );
        assert!(
            !tp.contains("00f067aa0ba902b7"),
            "a new span id is expected: {tp}"
        );
        assert!(tp.ends_with("-01"), "{tp}");
        assert_eq!(
            get(&produced, "tracestate"),
            Some(&b"congo=t61rcWkgMzE"[..])
        );
    }

    #[test]
    fn without_a_traceparent_a_new_trace_is_started() {
        let produced = with_otel(|| {
            let span = tracing::info_span!("consume");
            adopt_parent(&span, Some(&OwnedHeaders::new()));
            outgoing(&tenant(), &span)
        });
        let tp = std::str::from_utf8(get(&produced, "traceparent").unwrap()).unwrap();
        assert!(tp.starts_with("00-") && tp.len() == 55, "{tp}");
        assert!(get(&produced, "tracestate").is_none());
    }

    #[test]
    fn a_malformed_traceparent_starts_a_new_trace() {
        let consumed = OwnedHeaders::new().insert(Header {
            key: "traceparent",
            value: Some("00-zz-yy-01"),
        });
        let produced = with_otel(|| {
            let span = tracing::info_span!("consume");
            adopt_parent(&span, Some(&consumed));
            outgoing(&tenant(), &span)
        });
        let tp = std::str::from_utf8(get(&produced, "traceparent").unwrap()).unwrap();
        assert_eq!(tp.len(), 55, "{tp}");
    }
}
