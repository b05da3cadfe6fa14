//! The client version (`REGION/major/minor`) and the crypto and framing rules it implies (§1.1, §3).

use std::fmt;
use std::str::FromStr;

use crate::crypto::{FrameCipher, IvExpansion};
use crate::error::{Error, Result};
use crate::profile::{self, Profile};

/// The game version a client speaks, as in the tenant configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    /// `GMS` or `JMS` (upper case).
    pub region: String,
    /// Major version (83 for GMS v83).
    pub major: u16,
    /// Minor version (1 in every shipped template).
    pub minor: u16,
}

impl Version {
    /// A version from its parts; the region is upper-cased.
    pub fn new(region: impl Into<String>, major: u16, minor: u16) -> Self {
        Version {
            region: region.into().to_ascii_uppercase(),
            major,
            minor,
        }
    }

    /// True for region `JMS`.
    pub fn is_jms(&self) -> bool {
        self.region == "JMS"
    }

    /// True for region `GMS`.
    pub fn is_gms(&self) -> bool {
        self.region == "GMS"
    }

    /// Opcodes are u16 LE except for GMS ≤ 28, where they are one byte (§1.1).
    pub fn wide_opcodes(&self) -> bool {
        !(self.is_gms() && self.major <= 28)
    }

    /// Shanda applies to every region but JMS (§3.4).
    pub fn uses_shanda(&self) -> bool {
        !self.is_jms()
    }

    /// `iv[0]`×16 for GMS ≤ 12, else the 4-byte IV ×4 (§3.3).
    pub fn iv_expansion(&self) -> IvExpansion {
        if self.is_gms() && self.major <= 12 {
            IvExpansion::FirstByte
        } else {
            IvExpansion::Repeat4
        }
    }

    /// The hello's locale byte: 3 for JMS, 8 for everything else (§2).
    pub fn locale(&self) -> u8 {
        if self.is_jms() {
            3
        } else {
            8
        }
    }

    /// Header version word of client→server packets: `major` (§3.1).
    pub fn send_version_word(&self) -> u16 {
        self.major
    }

    /// Header version word of server→client packets: `0xFFFF - major` (§3.1).
    pub fn recv_version_word(&self) -> u16 {
        0xFFFF - self.major
    }

    /// A direction cipher for this version seeded with `iv` and header word `version_word`.
    pub fn cipher(&self, iv: [u8; 4], version_word: u16) -> FrameCipher {
        FrameCipher::new(iv, version_word, self.iv_expansion(), self.uses_shanda())
    }

    /// Opcodes and layouts of this version; an error for versions not shipped (§8).
    pub fn profile(&self) -> Result<&'static Profile> {
        profile::lookup(&self.region, self.major)
            .ok_or_else(|| Error::UnknownVersion(self.to_string()))
    }

    /// Encodes an opcode in this version's width.
    pub fn encode_opcode(&self, opcode: u16, out: &mut Vec<u8>) -> Result<()> {
        if self.wide_opcodes() {
            out.extend_from_slice(&opcode.to_le_bytes());
            return Ok(());
        }
        let byte = u8::try_from(opcode).map_err(|_| {
            Error::InvalidArgument(format!("opcode 0x{opcode:X} does not fit one byte"))
        })?;
        out.push(byte);
        Ok(())
    }

    /// Splits a decrypted body into opcode and payload.
    pub fn split_opcode<'a>(&self, body: &'a [u8]) -> Result<(u16, &'a [u8])> {
        let width = if self.wide_opcodes() { 2 } else { 1 };
        if body.len() < width {
            return Err(Error::malformed(
                "packet",
                0,
                "body shorter than its opcode",
            ));
        }
        let opcode = if width == 2 {
            u16::from_le_bytes([body[0], body[1]])
        } else {
            u16::from(body[0])
        };
        Ok((opcode, &body[width..]))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.region, self.major, self.minor)
    }
}

impl FromStr for Version {
    type Err = Error;

    /// Parses `REGION/major/minor`, e.g. `GMS/83/1`.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::InvalidArgument(format!("version {s:?} is not REGION/major/minor"));
        let mut parts = s.split('/');
        let (Some(region), Some(major), Some(minor), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let major = major.parse().map_err(|_| bad())?;
        let minor = minor.parse().map_err(|_| bad())?;
        Ok(Version::new(region, major, minor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_region_major_minor() {
        let v: Version = "gms/83/1".parse().unwrap();
        assert_eq!(v, Version::new("GMS", 83, 1));
        assert_eq!(v.to_string(), "GMS/83/1");
        assert!("GMS/83".parse::<Version>().is_err());
        assert!("GMS/x/1".parse::<Version>().is_err());
    }

    #[test]
    fn rules_follow_region_and_major() {
        let v12 = Version::new("GMS", 12, 1);
        assert!(!v12.wide_opcodes());
        assert_eq!(v12.iv_expansion(), IvExpansion::FirstByte);
        let jms = Version::new("JMS", 185, 1);
        assert!(jms.wide_opcodes() && !jms.uses_shanda());
        assert_eq!(jms.locale(), 3);
        assert_eq!(Version::new("GMS", 83, 1).recv_version_word(), 0xFFAC);
        assert!(Version::new("GMS", 84, 1).profile().is_err());
    }
}
