//! The game client: a connected session with typed login-server steps on top of raw packet I/O.

mod account;
mod characters;
mod io;
mod login;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use tokio::net::ToSocketAddrs;

use crate::error::{Error, Result};
use crate::hello::Hello;
use crate::profile::Profile;
use crate::transport::Connection;
use crate::version::Version;

pub use io::Packet;

/// Shortest wait used for answers that come back through Kafka (§13 trap 3).
pub const MIN_REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// A connected client session (one TCP connection to the login server).
pub struct Client {
    conn: Connection,
    version: Version,
    profile: &'static Profile,
    timeout: Duration,
    reply_timeout: Duration,
    auto_pong: bool,
    pings_seen: u32,
    skipped: u32,
    account_id: u32,
    burst_pending: bool,
}

impl Client {
    /// Connects, reads and checks the raw hello (§2) and seeds both cipher directions.
    ///
    /// `timeout` bounds the connect + hello and becomes the per-step timeout; answers that wait
    /// on Kafka (login, TOS, create, select) use [`Client::reply_timeout`], at least 30 s.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        version: Version,
        timeout: Duration,
    ) -> Result<(Client, Hello)> {
        let profile = version.profile()?;
        let (conn, hello) = Connection::open(addr, &version, timeout).await?;
        Ok((Client::new(conn, version, profile, timeout), hello))
    }

    /// As [`Client::connect`], on a socket the caller connected (for example from a chosen
    /// source address): reads and checks the hello within `timeout`.
    pub async fn over(
        stream: tokio::net::TcpStream,
        version: Version,
        timeout: Duration,
    ) -> Result<(Client, Hello)> {
        let profile = version.profile()?;
        let (conn, hello) = Connection::over(stream, &version, timeout).await?;
        Ok((Client::new(conn, version, profile, timeout), hello))
    }

    fn new(
        conn: Connection,
        version: Version,
        profile: &'static Profile,
        timeout: Duration,
    ) -> Client {
        Client {
            conn,
            version,
            profile,
            timeout,
            reply_timeout: timeout.max(MIN_REPLY_TIMEOUT),
            auto_pong: false,
            pings_seen: 0,
            skipped: 0,
            account_id: 0,
            burst_pending: false,
        }
    }

    /// The version spoken.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Opcodes and layouts of the version.
    pub fn profile(&self) -> &'static Profile {
        self.profile
    }

    /// Per-step timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets the per-step timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Timeout for answers that depend on Kafka round trips.
    pub fn reply_timeout(&self) -> Duration {
        self.reply_timeout
    }

    /// Sets the timeout for Kafka-backed answers (no lower bound when set explicitly).
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    /// When on, a Ping skipped by `recv_until*` is answered with Pong (if the version has one).
    pub fn set_auto_pong(&mut self, on: bool) {
        self.auto_pong = on;
    }

    /// Pings received while waiting in `recv_until*`.
    pub fn pings_seen(&self) -> u32 {
        self.pings_seen
    }

    /// Packets skipped (pings included) while waiting in `recv_until*`.
    pub fn skipped_packets(&self) -> u32 {
        self.skipped
    }

    /// Account id of the last AuthSuccess (0 before).
    pub fn account_id(&self) -> u32 {
        self.account_id
    }

    /// IVs the next sent and received packets will use (for diagnostics and negative tests).
    pub fn ivs(&self) -> ([u8; 4], [u8; 4]) {
        (self.conn.send_iv(), self.conn.recv_iv())
    }

    /// The local IPv4 address (0.0.0.0 if not IPv4), sent as `socketAddr`.
    fn local_ipv4(&self) -> Ipv4Addr {
        match self.conn.local_addr().map(|a| a.ip()) {
            Ok(IpAddr::V4(ip)) => ip,
            _ => Ipv4Addr::UNSPECIFIED,
        }
    }

    /// An opcode the version must have, or `Unsupported`.
    fn required(&self, opcode: Option<u16>, what: &'static str) -> Result<u16> {
        opcode.ok_or_else(|| Error::Unsupported {
            what,
            version: self.version.to_string(),
        })
    }
}
