//! The game socket side of the load generator: a GMS client session through `maple_client`, the
//! independent client of `tests/probe` (it shares no code with the service's codec), connected
//! from a chosen loopback source address like the JSON-lines clients.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::bail;
use maple_client::{Client as Maple, LoginOutcome, Version};

use crate::gateway::{connect_from, HELLO_TIMEOUT};

/// AuthLoginFailed's licence-agreement code (§5.2): answered with AcceptTos.
const LICENCE: u8 = 23;

/// A connected game client that has read and checked its hello.
pub struct GameClient {
    client: Maple,
    pub account_id: u32,
    /// How long the TCP connect took, and then the hello.
    pub connect_time: Duration,
    pub hello_time: Duration,
}

impl GameClient {
    /// Connects to `gateway` from `source` and reads the hello.
    pub async fn connect(
        gateway: SocketAddr,
        source: IpAddr,
        version: &Version,
    ) -> anyhow::Result<GameClient> {
        let start = Instant::now();
        let stream = connect_from(gateway, source).await?;
        let connected = Instant::now();
        // The hello's timeout becomes the per-step one; the login's reply waits at least 30 s.
        let (client, _hello) = Maple::over(stream, version.clone(), HELLO_TIMEOUT).await?;
        Ok(GameClient {
            client,
            account_id: 0,
            connect_time: connected - start,
            hello_time: connected.elapsed(),
        })
    }

    /// Logs in (hwid all zeros) and returns the time from writing the login packet to reading
    /// AuthSuccess. A licence prompt is accepted (and then counts in the time).
    pub async fn login(&mut self, name: &str, password: &str) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let mut outcome = self.client.login(name, password, [0; 16]).await?;
        if outcome == (LoginOutcome::Failed { code: LICENCE }) {
            outcome = self
                .client
                .accept_tos(true)
                .await?
                .unwrap_or(LoginOutcome::Failed { code: LICENCE });
        }
        match outcome {
            LoginOutcome::Success(auth) => {
                self.account_id = auth.account_id;
                Ok(start.elapsed())
            }
            other => bail!("game login of {name}: {}", other.summary()),
        }
    }

    /// Stays connected, answering the server's pings, until the connection closes.
    pub async fn idle(mut self) {
        self.client.set_auto_pong(true);
        let _ = self
            .client
            .recv_until_any(&[], Duration::from_secs(24 * 3600), "the end")
            .await;
    }
}
