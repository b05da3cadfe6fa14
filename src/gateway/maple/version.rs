//! Client versions: a tenant's region and major/minor version, and the set this codec supports.

use std::fmt;

/// The game region of a tenant (Atlas's `region` string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// Global MapleStory (`"GMS"`).
    Gms,
    /// Japanese MapleStory (`"JMS"`).
    Jms,
}

impl Region {
    /// Parses Atlas's region string (`"GMS"`, `"JMS"`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "GMS" => Some(Self::Gms),
            "JMS" => Some(Self::Jms),
            _ => None,
        }
    }

    /// Atlas's spelling of the region.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gms => "GMS",
            Self::Jms => "JMS",
        }
    }
}

/// A tenant's client version (`region`, `majorVersion`, `minorVersion` of the tenant config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// Region of the client.
    pub region: Region,
    /// Major version (83 for GMS v83); goes into the hello and the packet headers.
    pub major: u16,
    /// Minor version (1 in every shipped template); goes only into the hello string.
    pub minor: u16,
}

/// The (region, major) pairs with complete rules and built-in opcode tables (§8).
const SUPPORTED: [Version; 6] = [
    Version::new(Region::Gms, 12, 1),
    Version::new(Region::Gms, 83, 1),
    Version::new(Region::Gms, 87, 1),
    Version::new(Region::Gms, 92, 1),
    Version::new(Region::Gms, 95, 1),
    Version::new(Region::Jms, 185, 1),
];

impl Version {
    /// Builds a version value.
    pub const fn new(region: Region, major: u16, minor: u16) -> Self {
        Self {
            region,
            major,
            minor,
        }
    }

    /// GMS 83.1, the reference version of the spec.
    pub const fn gms83() -> Self {
        Self::new(Region::Gms, 83, 1)
    }

    /// The supported versions (minor 1 as in the templates; any minor is accepted).
    pub fn supported() -> &'static [Version] {
        &SUPPORTED
    }

    /// Whether region and major are supported (the minor never matters).
    pub fn is_supported(&self) -> bool {
        SUPPORTED
            .iter()
            .any(|v| v.region == self.region && v.major == self.major)
    }

    /// Checks the version against [`Version::supported`].
    pub fn check(self) -> Result<Self, VersionError> {
        if self.is_supported() {
            Ok(self)
        } else {
            Err(VersionError::Unsupported {
                version: self,
                supported: SupportedList,
            })
        }
    }

    /// True for GMS with `major <= n`.
    pub(crate) fn gms_le(&self, n: u16) -> bool {
        self.region == Region::Gms && self.major <= n
    }

    /// True for GMS with `major >= n`.
    pub(crate) fn gms_ge(&self, n: u16) -> bool {
        self.region == Region::Gms && self.major >= n
    }

    /// True for JMS.
    pub(crate) fn is_jms(&self) -> bool {
        self.region == Region::Jms
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}.{}", self.region.as_str(), self.major, self.minor)
    }
}

/// Displays the supported list inside an error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedList;

impl fmt::Display for SupportedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in SUPPORTED.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{} {}", v.region.as_str(), v.major)?;
        }
        Ok(())
    }
}

/// Why a version cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Region and major are not in [`Version::supported`].
    #[error("unsupported client version {version}; supported: {supported}")]
    Unsupported {
        /// The version asked for.
        version: Version,
        /// The supported versions (for the message).
        supported: SupportedList,
    },
    /// The region string is neither GMS nor JMS.
    #[error("unknown region {0:?}; supported: GMS, JMS")]
    UnknownRegion(String),
}

impl Version {
    /// Parses Atlas's tenant fields and checks that the version is supported.
    pub fn from_tenant(region: &str, major: u16, minor: u16) -> Result<Self, VersionError> {
        let region =
            Region::parse(region).ok_or_else(|| VersionError::UnknownRegion(region.to_owned()))?;
        Self::new(region, major, minor).check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_versions_are_the_six_templates() {
        let names: Vec<String> = Version::supported().iter().map(|v| v.to_string()).collect();
        assert_eq!(
            names,
            [
                "GMS 12.1",
                "GMS 83.1",
                "GMS 87.1",
                "GMS 92.1",
                "GMS 95.1",
                "JMS 185.1"
            ]
        );
    }

    #[test]
    fn unsupported_version_error_lists_the_supported_ones() {
        let err = Version::from_tenant("GMS", 84, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported client version GMS 84.1; supported: GMS 12, GMS 83, GMS 87, GMS 92, GMS 95, JMS 185"
        );
    }

    #[test]
    fn region_parsing_is_case_insensitive_and_rejects_others() {
        assert_eq!(
            Version::from_tenant("jms", 185, 1).unwrap().region,
            Region::Jms
        );
        assert!(matches!(
            Version::from_tenant("KMS", 1, 1),
            Err(VersionError::UnknownRegion(_))
        ));
    }

    #[test]
    fn any_minor_of_a_supported_major_is_accepted() {
        assert!(Version::new(Region::Gms, 83, 7).check().is_ok());
    }
}
