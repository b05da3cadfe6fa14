//! Message box: the serde wire types of every Kafka topic login produces or consumes, no I/O.
//!
//! One module per Go package of the peer (`account`, `account_session`, `seed`, `session`), so
//! the types read as `account_session::Command` or `session::StatusEvent`. Produced types encode
//! to the exact compact JSON of the Go service; consumed types decode at least as tolerantly as
//! Go's `encoding/json` (the private `de` helpers): unknown fields ignored, a missing field or a
//! JSON `null` gives the zero value, an out-of-range or non-integral integer is an error.

pub mod account;
pub mod account_session;
mod de;
pub mod go_json;
pub mod seed;
pub mod session;

/// The issuer login writes on everything it produces (`author` on commands, `issuer` on events).
pub const ISSUER: &str = "LOGIN";

/// Why a consumed message could not be decoded; the caller skips it with a warning.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The value is not JSON of the expected shape (wrong type, out-of-range integer, ...).
    #[error("malformed json: {0}")]
    Json(#[from] serde_json::Error),
    /// An error body's `until` is a string but not an RFC 3339 date-time.
    #[error("invalid until {value:?}: {source}")]
    Until {
        /// The string as the peer sent it (a date, never a secret).
        value: String,
        /// What the RFC 3339 parser rejected.
        source: time::error::Parse,
    },
}
