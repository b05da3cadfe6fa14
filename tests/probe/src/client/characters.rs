//! Character steps: list, select (plain, with PIC, registering a PIC; from a world's list or from
//! the view of every world), name check, create, delete.

use super::Client;
use crate::error::{Error, Result};
use crate::packets::codec;
use crate::packets::{
    CharacterList, CreateOutcome, DeleteOutcome, NameCheck, NewCharacter, ServerIp,
};

impl Client {
    /// CharacterListWorld for `world`/`channel`, then CharacterList (every entry parsed).
    /// A full world answers ServerStatus instead: reported as [`Error::Refused`].
    pub async fn character_list(&mut self, world: u8, channel: u8) -> Result<CharacterList> {
        let body =
            codec::encode_list_request(&self.profile.layout, world, channel, self.local_ipv4());
        self.send(self.profile.client.character_list, &body).await?;
        let server = self.profile.server;
        let mut accept = vec![server.character_list];
        accept.extend(server.server_status);
        let what = format!("CharacterList (opcode 0x{:02X})", server.character_list);
        let packet = self.recv_until_any(&accept, self.timeout, &what).await?;
        if packet.opcode != server.character_list {
            let status = codec::parse_server_status(&packet.body)?;
            return Err(Error::Refused {
                what: "CharacterList",
                detail: format!("ServerStatus {status} (world full)"),
            });
        }
        codec::parse_list(&self.profile.layout, &packet.body)
    }

    /// CharacterSelect without PIC (login option 2) → ServerIP (reply timeout).
    pub async fn select_character(&mut self, char_id: u32) -> Result<ServerIp> {
        let body = codec::encode_select(&self.profile.layout, char_id)?;
        self.send(self.profile.client.select_character, &body)
            .await?;
        self.await_server_ip().await
    }

    /// CharacterSelectWithPic (login option 1) → ServerIP; a wrong PIC is `Refused { code: 4 }`.
    pub async fn select_character_with_pic(&mut self, char_id: u32, pic: &str) -> Result<ServerIp> {
        let op = self.required(self.profile.client.select_with_pic, "SelectWithPic")?;
        let body = codec::encode_select_with_pic(&self.profile.layout, pic, char_id)?;
        self.send(op, &body).await?;
        self.await_server_ip().await
    }

    /// RegisterPic (login option 0): selects `char_id` and registers `pic` → ServerIP.
    /// Atlas sends nothing when the account already has a PIC (§5.1): that is a timeout here.
    pub async fn register_pic(&mut self, char_id: u32, pic: &str) -> Result<ServerIp> {
        let op = self.required(self.profile.client.register_pic, "RegisterPic")?;
        let body = codec::encode_register_pic(&self.profile.layout, char_id, pic)?;
        self.send(op, &body).await?;
        self.await_server_ip().await
    }

    /// ViewAllSelected: plays `char_id`, chosen from the view of every world in `world`, without
    /// a PIC (login option 2) → ServerIP (reply timeout).
    pub async fn view_all_select(&mut self, char_id: u32, world: u32) -> Result<ServerIp> {
        let op = self.required(self.profile.client.view_all_select, "ViewAllSelected")?;
        let body = codec::encode_view_all_select(char_id, world)?;
        self.send(op, &body).await?;
        self.await_server_ip().await
    }

    /// ViewAllPicRegister (login option 0): plays `char_id` of `world` from the view of every
    /// world and registers `pic` → ServerIP.
    pub async fn view_all_register_pic(
        &mut self,
        char_id: u32,
        world: u32,
        pic: &str,
    ) -> Result<ServerIp> {
        let op = self.required(
            self.profile.client.view_all_register_pic,
            "ViewAllPicRegister",
        )?;
        let body = codec::encode_view_all_register_pic(char_id, world, pic)?;
        self.send(op, &body).await?;
        self.await_server_ip().await
    }

    /// ViewAllWithPic (login option 1): plays `char_id` of `world` from the view of every world
    /// with its PIC → ServerIP. Atlas sends nothing for a wrong PIC (§5.1): that is a timeout
    /// there.
    pub async fn view_all_select_with_pic(
        &mut self,
        char_id: u32,
        world: u32,
        pic: &str,
    ) -> Result<ServerIp> {
        let op = self.required(self.profile.client.view_all_with_pic, "ViewAllWithPic")?;
        let body = codec::encode_view_all_with_pic(pic, char_id, world)?;
        self.send(op, &body).await?;
        self.await_server_ip().await
    }

    async fn await_server_ip(&mut self) -> Result<ServerIp> {
        let body = self
            .wait_for(
                self.profile.server.server_ip,
                self.reply_timeout,
                "ServerIP",
            )
            .await?;
        codec::parse_server_ip(&self.profile.layout, &body)
    }

    /// CheckName → CharacterNameResponse.
    pub async fn check_name(&mut self, name: &str) -> Result<NameCheck> {
        let body = codec::encode_check_name(name)?;
        self.send(self.profile.client.check_name, &body).await?;
        let body = self
            .wait_for(
                self.profile.server.name_response,
                self.timeout,
                "CharacterNameResponse",
            )
            .await?;
        codec::parse_name_response(&body)
    }

    /// CreateCharacter → AddCharacterEntry (reply timeout: answered after the seed event).
    pub async fn create_character(&mut self, new: &NewCharacter) -> Result<CreateOutcome> {
        self.send_create_character(new).await?;
        self.read_add_character().await
    }

    /// Sends CreateCharacter without waiting for its answer (to send another request before
    /// it; [`Client::read_add_character`] reads the answer).
    pub async fn send_create_character(&mut self, new: &NewCharacter) -> Result<()> {
        let body = codec::encode_create(&self.profile.layout, new)?;
        self.send(self.profile.client.create_character, &body).await
    }

    /// Waits (reply timeout) for an AddCharacterEntry without sending anything: the answer to a
    /// character created elsewhere (a seed another client, or a test, asked the factory for).
    pub async fn read_add_character(&mut self) -> Result<CreateOutcome> {
        let body = self
            .wait_for(
                self.profile.server.add_character,
                self.reply_timeout,
                "AddCharacterEntry",
            )
            .await?;
        codec::parse_add_character(&self.profile.layout, &body)
    }

    /// DeleteCharacter with the PIC (GMS 12: the birth date as YYYYMMDD; JMS: PIC unused).
    pub async fn delete_character(&mut self, pic: &str, char_id: u32) -> Result<DeleteOutcome> {
        let body = codec::encode_delete(&self.profile.layout, pic, char_id)?;
        self.send(self.profile.client.delete_character, &body)
            .await?;
        let body = self
            .wait_for(
                self.profile.server.delete_character,
                self.timeout,
                "DeleteCharacterResponse",
            )
            .await?;
        codec::parse_delete_response(&body)
    }
}
