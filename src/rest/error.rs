//! The one error type of the REST boundary (every call into Atlas's services returns it).
//!
//! Messages name the method, the path and the status, never a request body: no password, PIN or
//! PIC can reach a message or a log through this type.

use std::error::Error as _;
use std::time::Duration;

use super::endpoints::Domain;

/// Why a call to an Atlas REST service failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Neither the domain's variable nor `BASE_SERVICE_URL` is set.
    #[error("no url for the {domain} service: set {} or BASE_SERVICE_URL", domain.env_name())]
    NotConfigured { domain: Domain },
    /// No complete answer within the client's timeout.
    #[error("{method} {path} timed out after {} ms", timeout.as_millis())]
    Timeout {
        method: &'static str,
        path: String,
        timeout: Duration,
    },
    /// The connection or the HTTP exchange failed (refused, reset, malformed answer, bad header).
    #[error("{method} {path} failed: {reason}")]
    Transport {
        method: &'static str,
        path: String,
        reason: String,
    },
    /// The service answered 404.
    #[error("{method} {path}: not found")]
    NotFound { method: &'static str, path: String },
    /// The service answered 400.
    #[error("{method} {path}: bad request")]
    BadRequest { method: &'static str, path: String },
    /// The service answered a status this call does not accept.
    #[error("{method} {path}: unexpected status {status}")]
    Status {
        method: &'static str,
        path: String,
        status: u16,
    },
    /// The answer is not the JSON:API document expected; names the resource type and field.
    #[error("cannot decode {resource}.{field}: {reason}")]
    Decode {
        resource: String,
        field: String,
        reason: String,
    },
}

impl RestError {
    /// True for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RestError::NotFound { .. })
    }

    pub(crate) fn decode(resource: &str, field: &str, reason: impl ToString) -> RestError {
        RestError::Decode {
            resource: resource.to_string(),
            field: field.to_string(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn from_reqwest(
        method: &'static str,
        path: &str,
        timeout: Duration,
        error: &reqwest::Error,
    ) -> RestError {
        let path = path.to_string();
        if error.is_timeout() {
            return RestError::Timeout {
                method,
                path,
                timeout,
            };
        }
        RestError::Transport {
            method,
            path,
            reason: chain(error),
        }
    }
}

/// `error: cause: cause…`, skipping links that repeat their parent's text.
fn chain(error: &reqwest::Error) -> String {
    let mut reason = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !reason.ends_with(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        source = cause.source();
    }
    reason
}
