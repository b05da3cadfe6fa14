//! The client-facing side: one TCP listener per tenant (`listener`), each speaking its tenant's
//! client protocol. A protocol is a folder of its own that turns an accepted socket into a ready
//! [`Connection`](crate::session::connection::Connection): framing and decoding of requests,
//! encoding of the session's outputs. The MapleStory game socket of `maple-protocol.md`
//! (`maple`: codec, and the session glue), and the JSON-lines protocol of `gateway-protocol.md`
//! (`json_lines`).

pub mod json_lines;
pub(crate) mod listener;
pub mod maple;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;

use crate::config::{ProtocolKind, TenantConfig};
use crate::session::connection::Connection;
use crate::tenant::TenantIdx;

/// The client protocol of a tenant's listener, with its settings.
#[derive(Debug, Clone)]
pub enum Protocol {
    /// `gateway-protocol.md`: lines of at most `max_line` bytes.
    JsonLines { max_line: usize },
    /// `maple-protocol.md`: the tenant's version, opcode tables and code maps.
    Maple(Arc<maple::Setup>),
}

/// Why a tenant's protocol cannot be set up; names the tenant.
#[derive(Debug, thiserror::Error)]
#[error("tenants[{index}] ({id}, {region} {major}.{minor}): {source}")]
pub struct ProtocolError {
    pub index: usize,
    pub id: uuid::Uuid,
    pub region: String,
    pub major: u16,
    pub minor: u16,
    pub source: maple::SetupError,
}

impl Protocol {
    /// The protocol of tenant `index`, with the warnings its configuration deserves.
    pub fn for_tenant(
        index: usize,
        tenant: &TenantConfig,
        max_line: usize,
    ) -> Result<(Protocol, Vec<String>), ProtocolError> {
        match tenant.protocol {
            ProtocolKind::JsonLines => Ok((Protocol::JsonLines { max_line }, Vec::new())),
            ProtocolKind::Maple => {
                let (setup, warnings) =
                    maple::Setup::for_tenant(tenant).map_err(|source| ProtocolError {
                        index,
                        id: tenant.id,
                        region: tenant.region.clone(),
                        major: tenant.major_version,
                        minor: tenant.minor_version,
                        source,
                    })?;
                let warnings = warnings.iter().map(|w| format!("{w:?}")).collect();
                Ok((Protocol::Maple(Arc::new(setup)), warnings))
            }
        }
    }

    /// Sets up an accepted socket of `tenant` for this protocol.
    pub fn connection(&self, tenant: TenantIdx, stream: TcpStream, peer: SocketAddr) -> Connection {
        let (read, write) = stream.into_split();
        match self {
            Protocol::JsonLines { max_line } => {
                json_lines::connection(tenant, peer, read, Box::new(write), *max_line)
            }
            Protocol::Maple(setup) => {
                maple::connection(tenant, peer, read, Box::new(write), Arc::clone(setup))
            }
        }
    }
}
