//! Secret-bearing request fields (password, PIN, PIC, machine id, MACs, passport) whose `Debug`
//! never shows the value.

use std::fmt;

/// Bytes that must never reach a log: `Debug` prints only the length.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps secret bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw bytes (compare, forward; never log).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as lossy UTF-8 (exact for ASCII), e.g. for the Kafka `password` field.
    pub fn expose_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// Byte length.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

/// The 16-byte machine id of the login request (Atlas's "hwid").
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct MachineId([u8; 16]);

impl MachineId {
    /// Wraps the raw bytes.
    pub fn new(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn expose(&self) -> [u8; 16] {
        self.0
    }

    /// The Kafka `hwid`: 32 lowercase hex digits.
    pub fn hwid(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for MachineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MachineId(<redacted>)")
    }
}
