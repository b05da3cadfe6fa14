//! Test knobs of the simulator: per-path artificial delays and forced failures, set through
//! the [`Faults`] handle or over HTTP (`POST /sim/faults`, `DELETE /sim/faults`).
//!
//! A fault matches a request when its `method` (if any) equals the request's, ignoring case,
//! and its `path` equals the request path without query (`characters/seed`), or is a prefix
//! of it when written with a trailing `*` (`characters/*`). The first matching fault applies:
//! the request waits `delayMs`, then gets `status` (with a JSON:API error body, or an empty
//! body with `Content-Length: 0` when `emptyBody`), or is served normally when `status` is
//! absent. `times` limits how many requests a fault applies to (unlimited when absent).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One delay or forced failure, e.g. `{"path":"characters/seed","status":500}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Fault {
    pub method: Option<String>,
    pub path: String,
    pub status: Option<u16>,
    pub delay_ms: u64,
    pub empty_body: bool,
    pub times: Option<u32>,
}

impl Fault {
    /// Answer `status` on `path`.
    pub fn status(path: &str, status: u16) -> Fault {
        Fault {
            path: path.to_string(),
            status: Some(status),
            ..Fault::default()
        }
    }

    /// Delay every answer on `path` (a long delay makes the service hang).
    pub fn delay(path: &str, delay: Duration) -> Fault {
        Fault {
            path: path.to_string(),
            delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            ..Fault::default()
        }
    }

    /// Only for this HTTP method.
    pub fn on(mut self, method: &str) -> Fault {
        self.method = Some(method.to_string());
        self
    }

    /// Only for the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = Some(n);
        self
    }

    /// Send the status with an empty body.
    pub fn empty(mut self) -> Fault {
        self.empty_body = true;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        let rule = self.path.trim_start_matches('/');
        let path_ok = match rule.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == rule,
        };
        method_ok && path_ok
    }
}

/// The live fault list of a running simulator; clones share it.
#[derive(Clone, Debug, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    /// Adds a fault after the existing ones.
    pub fn add(&self, fault: Fault) {
        self.with(|list| list.push(fault));
    }

    /// Removes every fault.
    pub fn clear(&self) {
        self.with(Vec::clear);
    }

    /// The faults in force.
    pub fn list(&self) -> Vec<Fault> {
        self.with(|list| list.clone())
    }

    /// The fault applying to this request, counting one use of it.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Fault> {
        self.with(|list| {
            let index = list.iter().position(|f| f.matches(method, path))?;
            let fault = list[index].clone();
            if let Some(left) = list[index].times.as_mut() {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    list.remove(index);
                }
            }
            Some(fault)
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Vec<Fault>) -> T) -> T {
        let mut list = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_exact_paths_prefixes_and_methods() {
        let faults = Faults::default();
        faults.add(Fault::status("characters/seed", 500).on("post"));
        faults.add(Fault::status("worlds/*", 503));
        assert!(faults.take("GET", "characters/seed").is_none());
        assert_eq!(
            faults
                .take("POST", "characters/seed")
                .and_then(|f| f.status),
            Some(500)
        );
        assert!(
            faults.take("GET", "worlds").is_none(),
            "prefix needs the slash"
        );
        assert_eq!(
            faults
                .take("GET", "worlds/0/channels")
                .and_then(|f| f.status),
            Some(503)
        );
    }

    #[test]
    fn a_counted_fault_expires() {
        let faults = Faults::default();
        faults.add(Fault::status("accounts/1", 500).times(2));
        assert!(faults.take("GET", "accounts/1").is_some());
        assert!(faults.take("GET", "accounts/1").is_some());
        assert!(faults.take("GET", "accounts/1").is_none());
        assert!(faults.list().is_empty());
    }

    #[test]
    fn faults_read_from_json() {
        let f: Fault =
            serde_json::from_str(r#"{"path":"characters/seed","status":500}"#).expect("json");
        assert_eq!(f, Fault::status("characters/seed", 500));
        let d: Fault =
            serde_json::from_str(r#"{"path":"worlds","delayMs":250,"times":1}"#).expect("json");
        assert_eq!(
            d,
            Fault::delay("worlds", Duration::from_millis(250)).times(1)
        );
    }
}
