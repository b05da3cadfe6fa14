//! Per-call context: the tenant headers and the W3C trace context sent on every REST call.
//!
//! On REST the versions are **decimal text** (`MAJOR_VERSION: 83`), as Atlas's
//! `requests/header.go` writes HTTP headers; on Kafka they are 2 raw big-endian bytes
//! (wire-contract.md §3). Nothing here does I/O.

use uuid::Uuid;

/// Who the call is for and which trace it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub tenant_id: Uuid,
    pub region: String,
    pub major: u16,
    pub minor: u16,
    /// `00-<trace id>-<span id>-<flags>`; a fresh one is made per call when absent.
    pub traceparent: Option<String>,
    /// Sent only when present, unchanged.
    pub tracestate: Option<String>,
}

impl Context {
    /// A tenant's context without a trace (each call then starts a new one).
    pub fn new(tenant_id: Uuid, region: impl Into<String>, major: u16, minor: u16) -> Context {
        Context {
            tenant_id,
            region: region.into(),
            major,
            minor,
            traceparent: None,
            tracestate: None,
        }
    }

    /// The context of start-up calls made before any tenant is known (configuration look-ups):
    /// the nil tenant id, an empty region and version 0.0, as Go's zero-value tenant sends.
    pub fn startup() -> Context {
        Context::new(Uuid::nil(), "", 0, 0)
    }

    /// The same context inside the given trace.
    pub fn with_trace(mut self, traceparent: String, tracestate: Option<String>) -> Context {
        self.traceparent = Some(traceparent);
        self.tracestate = tracestate;
        self
    }

    /// The headers of a call, in the order sent; `traceparent` is made up when absent.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let traceparent = self.traceparent.clone().unwrap_or_else(new_traceparent);
        let mut headers = vec![
            ("TENANT_ID", self.tenant_id.hyphenated().to_string()),
            ("REGION", self.region.clone()),
            ("MAJOR_VERSION", self.major.to_string()),
            ("MINOR_VERSION", self.minor.to_string()),
            ("traceparent", traceparent),
        ];
        if let Some(state) = &self.tracestate {
            headers.push(("tracestate", state.clone()));
        }
        headers
    }
}

/// A sampled root `traceparent` with random trace and span ids.
pub fn new_traceparent() -> String {
    let trace = Uuid::new_v4().simple().to_string();
    let span = &Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gms83() -> Context {
        let id = Uuid::parse_str("083839C6-C47C-42A6-9585-76492795D123").expect("uuid");
        Context::new(id, "GMS", 83, 1)
    }

    #[test]
    fn tenant_headers_are_lowercase_uuid_and_decimal_versions() {
        let headers = gms83().headers();
        assert_eq!(
            headers[0],
            ("TENANT_ID", "083839c6-c47c-42a6-9585-76492795d123".into())
        );
        assert_eq!(headers[1], ("REGION", "GMS".into()));
        assert_eq!(headers[2], ("MAJOR_VERSION", "83".into()));
        assert_eq!(headers[3], ("MINOR_VERSION", "1".into()));
        assert_eq!(headers.len(), 5, "no tracestate unless given");
    }

    #[test]
    fn a_missing_traceparent_is_made_up_in_w3c_form() {
        let headers = gms83().headers();
        let (name, value) = &headers[4];
        assert_eq!(*name, "traceparent");
        let parts: Vec<&str> = value.split('-').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(
            (parts[0], parts[1].len(), parts[2].len(), parts[3]),
            ("00", 32, 16, "01")
        );
        assert!(value[3..]
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit()));
    }

    #[test]
    fn a_given_trace_is_propagated_unchanged() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string();
        let ctx = gms83().with_trace(tp.clone(), Some("congo=t61rcWkgMzE".into()));
        let headers = ctx.headers();
        assert_eq!(headers[4], ("traceparent", tp));
        assert_eq!(headers[5], ("tracestate", "congo=t61rcWkgMzE".into()));
    }

    #[test]
    fn startup_context_is_the_zero_tenant() {
        let headers = Context::startup().headers();
        assert_eq!(headers[0].1, "00000000-0000-0000-0000-000000000000");
        assert_eq!((headers[2].1.as_str(), headers[3].1.as_str()), ("0", "0"));
    }
}
