//! Account steps: PIN (AfterLogin, RegisterPin), SetGender, view-all and ClientStart (§5.1).

use super::Client;
use crate::error::{Error, Result};
use crate::packets::codec;
use crate::packets::{GenderResult, PinReply, ViewAll, ViewAllHeader};

impl Client {
    /// AfterLogin `(opt1, opt2, pin)` → PinOperation mode. (1,1) asks whether a PIN exists,
    /// (1,0) checks `pin`, (2,0) starts a PIN change; (0,_) ends the session (no answer: the
    /// caller should use `closed_within`).
    pub async fn after_login(&mut self, opt1: u8, opt2: u8, pin: Option<&str>) -> Result<u8> {
        let op = self.required(self.profile.client.after_login, "AfterLogin")?;
        let reply = self.server_op(self.profile.server.pin_operation, "PinOperation")?;
        let body =
            codec::encode_after_login(&self.profile.layout, opt1, opt2, pin, self.account_id)?;
        self.send(op, &body).await?;
        let body = self.wait_for(reply, self.timeout, "PinOperation").await?;
        codec::parse_mode("PinOperation", &body)
    }

    /// RegisterPin with `Some(pin)` → PinUpdate (stored) or PinOperation (refused).
    /// `None` cancels (opt 0): the server ends the session and nothing is awaited.
    pub async fn register_pin(&mut self, pin: Option<&str>) -> Result<Option<PinReply>> {
        let op = self.required(self.profile.client.register_pin, "RegisterPin")?;
        let operation = self.server_op(self.profile.server.pin_operation, "PinOperation")?;
        let update = self.server_op(self.profile.server.pin_update, "PinUpdate")?;
        self.send(op, &codec::encode_register_pin(pin)?).await?;
        if pin.is_none() {
            return Ok(None);
        }
        let packet = self
            .recv_until_any(&[update, operation], self.timeout, "PinUpdate/PinOperation")
            .await?;
        let reply = if packet.opcode == update {
            PinReply::Update(codec::parse_mode("PinUpdate", &packet.body)?)
        } else {
            PinReply::Operation(codec::parse_mode("PinOperation", &packet.body)?)
        };
        Ok(Some(reply))
    }

    /// SetGender `(confirmed, gender)` → SetAccountResult.
    pub async fn set_gender(&mut self, confirmed: bool, gender: u8) -> Result<GenderResult> {
        let op = self.required(self.profile.client.set_gender, "SetGender")?;
        let reply = self.server_op(self.profile.server.set_account_result, "SetAccountResult")?;
        self.send(op, &[u8::from(confirmed), gender]).await?;
        let body = self
            .wait_for(reply, self.timeout, "SetAccountResult")
            .await?;
        codec::parse_gender_result(&body)
    }

    /// ViewAll: the count packet, then one packet per world it announced (§14.2).
    pub async fn view_all(&mut self) -> Result<ViewAll> {
        let op = self.required(self.profile.client.view_all, "ViewAll")?;
        let reply = self.server_op(self.profile.server.view_all, "CharacterViewAll")?;
        self.send(op, &codec::encode_view_all(&self.profile.layout)?)
            .await?;
        let body = self
            .wait_for(reply, self.timeout, "CharacterViewAll")
            .await?;
        let (worlds, character_count) = match codec::parse_view_all_header(&body)? {
            ViewAllHeader::Failed(code) => return Ok(ViewAll::Failed { code }),
            ViewAllHeader::Count { worlds, characters } => (worlds, characters),
        };
        let mut out = Vec::new();
        for _ in 0..worlds {
            let body = self
                .wait_for(reply, self.timeout, "CharacterViewAll(world)")
                .await?;
            out.push(codec::parse_view_all_world(&self.profile.layout, &body)?);
        }
        Ok(ViewAll::Characters {
            character_count,
            worlds: out,
        })
    }

    /// ClientStart (0x23 in v83): empty, unanswered.
    pub async fn client_start(&mut self) -> Result<()> {
        let op = self.required(self.profile.client.client_start, "ClientStart")?;
        self.send(op, &[]).await
    }

    fn server_op(&self, opcode: Option<u16>, what: &'static str) -> Result<u16> {
        opcode.ok_or_else(|| Error::Unsupported {
            what,
            version: self.version.to_string(),
        })
    }
}
