//! Tenants at run time: the configured tenants with their header bytes precomputed, so that the
//! consume loop matches the four tenant headers of a message without allocating.

use uuid::Uuid;

use crate::config::TenantConfig;

/// Index of a tenant in the configuration (`tenants[i]` of the service file).
pub type TenantIdx = u16;

/// One tenant: its identity and the exact header bytes it is sent and recognised with.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub index: TenantIdx,
    pub id: Uuid,
    pub region: String,
    pub major_version: u16,
    pub minor_version: u16,
    id_text: [u8; 36],
}

impl Tenant {
    pub fn new(index: TenantIdx, config: &TenantConfig) -> Tenant {
        let tenant = Tenant::from_parts(
            config.id,
            &config.region,
            config.major_version,
            config.minor_version,
        );
        Tenant { index, ..tenant }
    }

    /// The tenant a message's headers name, when they are well formed (any tenant, configured
    /// or not): how a peer answers in the tenant of the command it received.
    /// A tenant from its four values (the session ledger keeps them).
    pub fn from_parts(id: Uuid, region: &str, major_version: u16, minor_version: u16) -> Tenant {
        let mut id_text = [0u8; 36];
        id.as_hyphenated().encode_lower(&mut id_text);
        Tenant {
            index: 0,
            id,
            region: region.to_owned(),
            major_version,
            minor_version,
            id_text,
        }
    }

    pub fn from_headers(h: &TenantHeaders<'_>) -> Option<Tenant> {
        let id: [u8; 36] = h.id?.try_into().ok()?;
        let uuid = Uuid::try_parse_ascii(&id).ok()?;
        let region = std::str::from_utf8(h.region?).ok()?.to_owned();
        let major = u16::from_be_bytes(h.major?.try_into().ok()?);
        let minor = u16::from_be_bytes(h.minor?.try_into().ok()?);
        Some(Tenant {
            index: 0,
            id: uuid,
            region,
            major_version: major,
            minor_version: minor,
            id_text: id,
        })
    }

    /// The tenant id as text, for logs and metric labels.
    pub fn label(&self) -> &str {
        // The bytes are the lowercase hyphenated UUID: always ASCII.
        std::str::from_utf8(&self.id_text).unwrap_or_default()
    }

    /// `TENANT_ID`: the UUID as 36 lowercase ASCII characters.
    pub fn id_header(&self) -> &[u8; 36] {
        &self.id_text
    }

    /// `MAJOR_VERSION`: 2 raw bytes, big-endian.
    pub fn major_header(&self) -> [u8; 2] {
        self.major_version.to_be_bytes()
    }

    /// `MINOR_VERSION`: 2 raw bytes, big-endian.
    pub fn minor_header(&self) -> [u8; 2] {
        self.minor_version.to_be_bytes()
    }

    fn matches(&self, h: &TenantHeaders<'_>) -> bool {
        h.id == Some(&self.id_text[..])
            && h.region == Some(self.region.as_bytes())
            && h.major == Some(&self.major_header()[..])
            && h.minor == Some(&self.minor_header()[..])
    }
}

/// The four tenant header values as found on a consumed message (absent ones are `None`).
#[derive(Debug, Default, Clone, Copy)]
pub struct TenantHeaders<'a> {
    pub id: Option<&'a [u8]>,
    pub region: Option<&'a [u8]>,
    pub major: Option<&'a [u8]>,
    pub minor: Option<&'a [u8]>,
}

/// All configured tenants, in configuration order.
#[derive(Debug, Clone)]
pub struct Tenants(Vec<Tenant>);

impl Tenants {
    pub fn new(configs: &[TenantConfig]) -> Tenants {
        Tenants(
            configs
                .iter()
                .enumerate()
                .map(|(i, c)| Tenant::new(i as TenantIdx, c))
                .collect(),
        )
    }

    pub fn get(&self, index: TenantIdx) -> &Tenant {
        &self.0[usize::from(index)]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tenant> {
        self.0.iter()
    }

    /// The tenant whose id, region, major and minor version all match exactly, if any.
    /// A `TENANT_ID` that is not 36 bytes or versions that are not 2 bytes match nothing.
    pub fn find(&self, headers: &TenantHeaders<'_>) -> Option<TenantIdx> {
        self.0.iter().find(|t| t.matches(headers)).map(|t| t.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TenantConfig {
        TenantConfig {
            id: "083839c6-c47c-42a6-9585-76492795d123".parse().unwrap(),
            region: "GMS".into(),
            major_version: 83,
            minor_version: 1,
            port: 0,
            channels: vec![],
            ..Default::default()
        }
    }

    fn gms() -> TenantHeaders<'static> {
        TenantHeaders {
            id: Some(b"083839c6-c47c-42a6-9585-76492795d123"),
            region: Some(b"GMS"),
            major: Some(&[0x00, 0x53]),
            minor: Some(&[0x00, 0x01]),
        }
    }

    #[test]
    fn header_bytes_follow_the_contract() {
        let t = Tenant::new(0, &config());
        assert_eq!(t.id_header(), b"083839c6-c47c-42a6-9585-76492795d123");
        assert_eq!(t.major_header(), [0x00, 0x53]);
        assert_eq!(t.minor_header(), [0x00, 0x01]);
    }

    #[test]
    fn exact_headers_match_their_tenant() {
        assert_eq!(Tenants::new(&[config()]).find(&gms()), Some(0));
    }

    #[test]
    fn any_differing_header_matches_no_tenant() {
        let tenants = Tenants::new(&[config()]);
        let cases = [
            TenantHeaders {
                id: Some(b"083839c6-c47c-42a6-9585-76492795d12"),
                ..gms()
            },
            TenantHeaders {
                id: Some(b"083839c6-c47c-42a6-9585-76492795d1234"),
                ..gms()
            },
            TenantHeaders {
                id: Some(b"083839C6-C47C-42A6-9585-76492795D123"),
                ..gms()
            },
            TenantHeaders {
                region: Some(b"JMS"),
                ..gms()
            },
            TenantHeaders {
                major: Some(b"83"),
                ..gms()
            },
            TenantHeaders {
                major: Some(&[0, 0, 0x53]),
                ..gms()
            },
            TenantHeaders {
                minor: Some(&[0x00, 0x02]),
                ..gms()
            },
            TenantHeaders {
                minor: None,
                ..gms()
            },
            TenantHeaders::default(),
        ];
        for case in cases {
            assert_eq!(tenants.find(&case), None, "{case:?}");
        }
    }
}
