//! Login steps: login, AcceptTos, the server-list burst and ServerStatus (§5, §6.1).

use super::Client;
use crate::error::{Error, Result};
use crate::packets::codec;
use crate::packets::{LoginOutcome, ServerList, WorldPacket};

impl Client {
    /// Sends LoginHandle and waits (reply timeout: the answer follows Kafka round trips) for the
    /// login status. On success the account id is kept for later steps.
    pub async fn login(
        &mut self,
        name: &str,
        password: &str,
        hwid: [u8; 16],
    ) -> Result<LoginOutcome> {
        let body = codec::encode_login(&self.profile.layout, name, password, &hwid)?;
        self.send(self.profile.client.login, &body).await?;
        self.await_login_status().await
    }

    /// Answers the licence-agreement request (AuthLoginFailed 23). `true` waits for the new login
    /// status (AuthSuccess); `false` returns `None` at once (the server then closes the session).
    pub async fn accept_tos(&mut self, accepted: bool) -> Result<Option<LoginOutcome>> {
        let op = self.required(self.profile.client.accept_tos, "AcceptTos")?;
        self.send(op, &[u8::from(accepted)]).await?;
        if !accepted {
            return Ok(None);
        }
        self.await_login_status().await.map(Some)
    }

    async fn await_login_status(&mut self) -> Result<LoginOutcome> {
        let body = self
            .wait_for(
                self.profile.server.login_status,
                self.reply_timeout,
                "login status",
            )
            .await?;
        let outcome = codec::parse_login_status(&self.profile.layout, &body)?;
        if let LoginOutcome::Success(s) = &outcome {
            self.account_id = s.account_id;
            self.burst_pending = self.profile.layout.server_list_after_auth;
        }
        Ok(outcome)
    }

    /// Requests the server list and reads the burst: entries until ServerListEnd, then SelectWorld
    /// and Recommendations (none for GMS 12). For JMS the first call after AuthSuccess only reads
    /// the burst the server pushed unasked (§6.1).
    pub async fn server_list(&mut self) -> Result<ServerList> {
        if !std::mem::take(&mut self.burst_pending) {
            self.send(self.profile.client.server_list, &[]).await?;
        }
        self.read_server_list().await
    }

    /// Reads a server-list burst without requesting one.
    pub async fn read_server_list(&mut self) -> Result<ServerList> {
        let server = self.profile.server;
        let mut list = ServerList::default();
        loop {
            let body = self
                .wait_for(server.server_list, self.timeout, "ServerListEntry/End")
                .await?;
            match codec::parse_world_entry(&self.profile.layout, &body)? {
                WorldPacket::Entry(world) => list.worlds.push(world),
                WorldPacket::End => break,
            }
        }
        if !self.profile.layout.world_burst_tail {
            return Ok(list);
        }
        if let (Some(select), Some(recommend)) = (server.select_world, server.recommendations) {
            let body = self.wait_for(select, self.timeout, "SelectWorld").await?;
            list.selected_world = Some(codec::parse_select_world(&body)?);
            let body = self
                .wait_for(recommend, self.timeout, "ServerListRecommendations")
                .await?;
            list.recommendations = codec::parse_recommendations(&body)?;
        }
        Ok(list)
    }

    /// ServerStatus request for `world`: `u16` status (0 normal, 1 highly populated, 2 full).
    pub async fn server_status(&mut self, world: u16) -> Result<u16> {
        let op = self.required(self.profile.client.server_status, "ServerStatus")?;
        let reply = self
            .profile
            .server
            .server_status
            .ok_or(Error::Unsupported {
                what: "ServerStatus",
                version: self.version.to_string(),
            })?;
        self.send(op, &world.to_le_bytes()).await?;
        let body = self.wait_for(reply, self.timeout, "ServerStatus").await?;
        codec::parse_server_status(&body)
    }
}
