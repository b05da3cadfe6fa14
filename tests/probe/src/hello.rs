//! The raw 16-byte hello the server sends on accept (§2), parsed and checked from the client side.

use crate::error::{Error, Result};
use crate::version::Version;

/// Bytes of the hello before the minor string: length, major, minor-string length.
pub(crate) const PREFIX_LEN: usize = 6;
/// Bytes after the minor string: two IVs and the locale.
pub(crate) const SUFFIX_LEN: usize = 9;
/// Longest minor string accepted (a u16 has at most 5 digits).
pub(crate) const MAX_MINOR_LEN: usize = 5;

/// The parsed hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// The leading u16 (Atlas hard-codes 0x000E).
    pub length_field: u16,
    /// Major version announced.
    pub major: u16,
    /// Minor version string ("1").
    pub minor: String,
    /// Hello bytes 7..10: the server's receive IV, i.e. the IV the **client encrypts with**.
    pub send_iv: [u8; 4],
    /// Hello bytes 11..14: the server's send IV, i.e. the IV the **client decrypts with**.
    pub recv_iv: [u8; 4],
    /// Locale byte (8, or 3 for JMS).
    pub locale: u8,
}

impl Hello {
    /// The hello a server of `version` sends with the given IVs (for test servers).
    pub fn for_version(version: &Version, send_iv: [u8; 4], recv_iv: [u8; 4]) -> Self {
        Hello {
            length_field: 0x000E,
            major: version.major,
            minor: version.minor.to_string(),
            send_iv,
            recv_iv,
            locale: version.locale(),
        }
    }

    /// The wire bytes (§2 table).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PREFIX_LEN + self.minor.len() + SUFFIX_LEN);
        out.extend_from_slice(&self.length_field.to_le_bytes());
        out.extend_from_slice(&self.major.to_le_bytes());
        out.extend_from_slice(&(self.minor.len() as u16).to_le_bytes());
        out.extend_from_slice(self.minor.as_bytes());
        out.extend_from_slice(&self.send_iv);
        out.extend_from_slice(&self.recv_iv);
        out.push(self.locale);
        out
    }

    /// Length of the minor string announced by the first six bytes, bounded.
    pub(crate) fn minor_len(prefix: &[u8; PREFIX_LEN]) -> Result<usize> {
        let len = usize::from(u16::from_le_bytes([prefix[4], prefix[5]]));
        if len == 0 || len > MAX_MINOR_LEN {
            return Err(bad("minor string length", "1..=5", len.to_string()));
        }
        Ok(len)
    }

    /// Parses a complete hello (exactly `6 + minor + 9` bytes).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let prefix: &[u8; PREFIX_LEN] = bytes
            .get(..PREFIX_LEN)
            .and_then(|p| p.try_into().ok())
            .ok_or_else(|| bad("size", "at least 6 bytes", bytes.len().to_string()))?;
        let m = Self::minor_len(prefix)?;
        let total = PREFIX_LEN + m + SUFFIX_LEN;
        if bytes.len() != total {
            return Err(bad("size", total.to_string(), bytes.len().to_string()));
        }
        let rest = &bytes[PREFIX_LEN + m..];
        Ok(Hello {
            length_field: u16::from_le_bytes([bytes[0], bytes[1]]),
            major: u16::from_le_bytes([bytes[2], bytes[3]]),
            minor: String::from_utf8_lossy(&bytes[PREFIX_LEN..PREFIX_LEN + m]).into_owned(),
            send_iv: [rest[0], rest[1], rest[2], rest[3]],
            recv_iv: [rest[4], rest[5], rest[6], rest[7]],
            locale: rest[8],
        })
    }

    /// Checks the hello against the version the client speaks.
    pub fn check(&self, version: &Version) -> Result<()> {
        let true_len = u16::try_from(self.minor.len()).map_or(u16::MAX, |m| m.saturating_add(13));
        if self.length_field != 0x000E && self.length_field != true_len {
            return Err(bad(
                "length field",
                format!("14 or {true_len}"),
                self.length_field.to_string(),
            ));
        }
        if self.major != version.major {
            return Err(bad(
                "major",
                version.major.to_string(),
                self.major.to_string(),
            ));
        }
        if self.minor != version.minor.to_string() {
            return Err(bad("minor", version.minor.to_string(), self.minor.clone()));
        }
        if self.locale != version.locale() {
            return Err(bad(
                "locale",
                version.locale().to_string(),
                self.locale.to_string(),
            ));
        }
        Ok(())
    }
}

fn bad(field: &'static str, expected: impl Into<String>, got: impl Into<String>) -> Error {
    Error::BadHello {
        field,
        expected: expected.into(),
        got: got.into(),
    }
}
