//! The one error type of the client: transport, framing, crypto-header and packet-layout failures.

use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong while speaking the login protocol as a client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The socket failed (connect, read or write).
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),

    /// Nothing (or not the awaited packet) arrived before the deadline.
    #[error("timeout after {} ms waiting for {waiting_for}", after.as_millis())]
    Timeout {
        /// What the client was waiting for (a packet name or "hello").
        waiting_for: String,
        /// How long it waited.
        after: Duration,
    },

    /// The peer closed the connection while the client waited for something.
    #[error("connection closed by the server while waiting for {waiting_for}")]
    Closed {
        /// What the client was waiting for.
        waiting_for: String,
    },

    /// The raw hello did not match the version the client was told to speak.
    #[error("bad hello: {field} is {got}, expected {expected}")]
    BadHello {
        /// Name of the hello field.
        field: &'static str,
        /// Value the client expected.
        expected: String,
        /// Value received.
        got: String,
    },

    /// A received 4-byte header did not carry `0xFFFF - major` under the current receive IV.
    #[error("bad header {header:02X?}: version word 0x{got:04X}, expected 0x{expected:04X}")]
    BadHeader {
        /// The raw header bytes.
        header: [u8; 4],
        /// The version word the header decodes to.
        got: u16,
        /// The version word the client expects (`0xFFFF - major`).
        expected: u16,
    },

    /// A packet with another opcode arrived where only one kind was acceptable.
    #[error("unexpected opcode 0x{got:02X} while waiting for {waiting_for}")]
    UnexpectedOpcode {
        /// What the client was waiting for.
        waiting_for: String,
        /// The opcode received.
        got: u16,
    },

    /// A packet was shorter than its layout, had trailing bytes, or held an impossible value.
    #[error("malformed {packet}: {detail} at offset {offset}")]
    Malformed {
        /// Packet name (as in the spec).
        packet: &'static str,
        /// Byte offset in the body after the opcode.
        offset: usize,
        /// What was wrong.
        detail: String,
    },

    /// The server answered a step with a refusal that has no typed result (e.g. ServerStatus
    /// "full" instead of CharacterList).
    #[error("{what} refused: {detail}")]
    Refused {
        /// The step.
        what: &'static str,
        /// What the server sent instead.
        detail: String,
    },

    /// The version is not one of the shipped ones (§8), so its opcodes and layouts are unknown.
    #[error(
        "version {0} is not supported (shipped: GMS/12, GMS/83, GMS/87, GMS/92, GMS/95, JMS/185)"
    )]
    UnknownVersion(String),

    /// The step does not exist for this version (no opcode configured in §8).
    #[error("{what} is not supported for {version}")]
    Unsupported {
        /// The step or message.
        what: &'static str,
        /// The version, as `REGION/major/minor`.
        version: String,
    },

    /// A caller-supplied value cannot be put on the wire (too long, not numeric, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Error {
    /// Shorthand for a timeout error.
    pub(crate) fn timeout(waiting_for: impl Into<String>, after: Duration) -> Self {
        Error::Timeout {
            waiting_for: waiting_for.into(),
            after,
        }
    }

    /// Shorthand for a malformed-packet error.
    pub(crate) fn malformed(
        packet: &'static str,
        offset: usize,
        detail: impl Into<String>,
    ) -> Self {
        Error::Malformed {
            packet,
            offset,
            detail: detail.into(),
        }
    }
}
