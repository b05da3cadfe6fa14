//! The client-facing side: one TCP listener per tenant (`listener`), each speaking its tenant's
//! client protocol. A protocol is a folder of its own that turns an accepted socket into a ready
//! [`Connection`](crate::session::connection::Connection): framing and decoding of requests,
//! encoding of the session's outputs. Today: the JSON-lines protocol of `gateway-protocol.md`
//! (`json_lines`).

pub mod json_lines;
pub(crate) mod listener;
pub mod maple;

use std::net::SocketAddr;

use tokio::net::TcpStream;

use crate::session::connection::Connection;
use crate::tenant::TenantIdx;

/// The client protocol of a tenant's listener, with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `gateway-protocol.md`: lines of at most `max_line` bytes.
    JsonLines { max_line: usize },
}

impl Protocol {
    /// Sets up an accepted socket of `tenant` for this protocol.
    pub fn connection(self, tenant: TenantIdx, stream: TcpStream, peer: SocketAddr) -> Connection {
        let (read, write) = stream.into_split();
        match self {
            Protocol::JsonLines { max_line } => {
                json_lines::connection(tenant, peer, read, Box::new(write), max_line)
            }
        }
    }
}
