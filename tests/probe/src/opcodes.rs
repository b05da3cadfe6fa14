//! Opcode tables of §4 and §8 per shipped version (client-sent and server-sent), as data.

/// Opcodes the client sends. `None` = the version's template configures no handler (§8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOpcodes {
    /// LoginHandle (0x01 everywhere).
    pub login: u16,
    /// ServerListRequestHandle (v83+: 0x0B, which the client sends after AuthSuccess).
    pub server_list: u16,
    /// CharacterListWorldHandle.
    pub character_list: u16,
    /// ServerStatusHandle.
    pub server_status: Option<u16>,
    /// AcceptTosHandle.
    pub accept_tos: Option<u16>,
    /// SetGenderHandle.
    pub set_gender: Option<u16>,
    /// AfterLoginHandle (PIN check).
    pub after_login: Option<u16>,
    /// RegisterPinHandle.
    pub register_pin: Option<u16>,
    /// CharacterViewAllHandle.
    pub view_all: Option<u16>,
    /// ViewAllSelectedHandle (a character chosen from the view of every world, no PIC).
    pub view_all_select: Option<u16>,
    /// ViewAllPicRegisterHandle (chosen from the view, registering a PIC).
    pub view_all_register_pic: Option<u16>,
    /// ViewAllWithPicHandle (chosen from the view, with the PIC).
    pub view_all_with_pic: Option<u16>,
    /// CharacterSelectedHandle (no PIC).
    pub select_character: u16,
    /// CharacterCheckNameHandle.
    pub check_name: u16,
    /// CreateCharacterHandle.
    pub create_character: u16,
    /// DeleteCharacterHandle.
    pub delete_character: u16,
    /// RegisterPicHandle (select + register PIC).
    pub register_pic: Option<u16>,
    /// CharacterSelectedPicHandle.
    pub select_with_pic: Option<u16>,
    /// ClientStartHandle.
    pub client_start: Option<u16>,
    /// PongHandle ([H]).
    pub pong: Option<u16>,
}

/// Opcodes the server sends. `None` = the version has no such writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOpcodes {
    /// AuthSuccess / AuthLoginFailed / AuthTemporaryBan / AuthPermanentBan.
    pub login_status: u16,
    /// ServerStatus.
    pub server_status: Option<u16>,
    /// SetAccountResult.
    pub set_account_result: Option<u16>,
    /// PinOperation.
    pub pin_operation: Option<u16>,
    /// PinUpdate.
    pub pin_update: Option<u16>,
    /// CharacterViewAll.
    pub view_all: Option<u16>,
    /// ServerListEntry and ServerListEnd.
    pub server_list: u16,
    /// CharacterList.
    pub character_list: u16,
    /// ServerIP.
    pub server_ip: u16,
    /// CharacterNameResponse.
    pub name_response: u16,
    /// AddCharacterEntry.
    pub add_character: u16,
    /// DeleteCharacterResponse.
    pub delete_character: u16,
    /// SelectWorld.
    pub select_world: Option<u16>,
    /// ServerListRecommendations.
    pub recommendations: Option<u16>,
    /// PicResult (registered, never sent by Atlas).
    pub pic_result: Option<u16>,
    /// Ping ([H]).
    pub ping: Option<u16>,
}

/// GMS 12 client opcodes (§8).
pub(crate) const GMS12_CLIENT: ClientOpcodes = ClientOpcodes {
    login: 0x01,
    server_list: 0x08,
    character_list: 0x02,
    server_status: None,
    accept_tos: None,
    set_gender: Some(0x05),
    after_login: Some(0x06),
    register_pin: Some(0x07),
    view_all: None,
    view_all_select: None,
    view_all_register_pic: None,
    view_all_with_pic: None,
    select_character: 0x09,
    check_name: 0x0B,
    create_character: 0x0C,
    delete_character: 0x0D,
    register_pic: None,
    select_with_pic: None,
    client_start: None,
    pong: None,
};

/// GMS 83 client opcodes (§4.1; Pong from [H]).
pub(crate) const GMS83_CLIENT: ClientOpcodes = ClientOpcodes {
    login: 0x01,
    server_list: 0x0B,
    character_list: 0x05,
    server_status: Some(0x06),
    accept_tos: Some(0x07),
    set_gender: Some(0x08),
    after_login: Some(0x09),
    register_pin: Some(0x0A),
    view_all: Some(0x0D),
    view_all_select: Some(0x0E),
    view_all_register_pic: Some(0x1F),
    view_all_with_pic: Some(0x20),
    select_character: 0x13,
    check_name: 0x15,
    create_character: 0x16,
    delete_character: 0x17,
    register_pic: Some(0x1D),
    select_with_pic: Some(0x1E),
    client_start: Some(0x23),
    pong: Some(0x18),
};

/// GMS 87 client opcodes: v83's, Pong 0x18 ([H]).
pub(crate) const GMS87_CLIENT: ClientOpcodes = GMS83_CLIENT;

/// GMS 92 client opcodes: v83's, no Pong handler ([H]).
pub(crate) const GMS92_CLIENT: ClientOpcodes = ClientOpcodes {
    pong: None,
    ..GMS83_CLIENT
};

/// GMS 95 client opcodes with [H]'s corrections (delete 0x18, PIC 0x1C/0x1D, view-all PIC
/// 0x1E/0x1F, no Pong).
pub(crate) const GMS95_CLIENT: ClientOpcodes = ClientOpcodes {
    delete_character: 0x18,
    register_pic: Some(0x1C),
    select_with_pic: Some(0x1D),
    view_all_register_pic: Some(0x1E),
    view_all_with_pic: Some(0x1F),
    pong: None,
    ..GMS83_CLIENT
};

/// JMS 185 client opcodes (§8; Pong 0x0E from [H]).
pub(crate) const JMS185_CLIENT: ClientOpcodes = ClientOpcodes {
    login: 0x01,
    server_list: 0x03,
    character_list: 0x04,
    server_status: None,
    accept_tos: None,
    set_gender: None,
    after_login: None,
    register_pin: None,
    view_all: Some(0x0A),
    view_all_select: None,
    view_all_register_pic: None,
    view_all_with_pic: None,
    select_character: 0x06,
    check_name: 0x08,
    create_character: 0x0B,
    delete_character: 0x0D,
    register_pic: Some(0x13),
    select_with_pic: Some(0x14),
    client_start: Some(0x18),
    pong: Some(0x0E),
};

/// GMS 12 server opcodes (§8).
pub(crate) const GMS12_SERVER: ServerOpcodes = ServerOpcodes {
    login_status: 0x01,
    server_status: None,
    set_account_result: Some(0x03),
    pin_operation: Some(0x06),
    pin_update: Some(0x07),
    view_all: None,
    server_list: 0x08,
    character_list: 0x09,
    server_ip: 0x0A,
    name_response: 0x0B,
    add_character: 0x0C,
    delete_character: 0x0D,
    select_world: None,
    recommendations: None,
    pic_result: None,
    ping: None,
};

/// GMS 83–92 server opcodes (§4.2; Ping 0x11 from [H]).
pub(crate) const GMS83_SERVER: ServerOpcodes = ServerOpcodes {
    login_status: 0x00,
    server_status: Some(0x03),
    set_account_result: Some(0x04),
    pin_operation: Some(0x06),
    pin_update: Some(0x07),
    view_all: Some(0x08),
    server_list: 0x0A,
    character_list: 0x0B,
    server_ip: 0x0C,
    name_response: 0x0D,
    add_character: 0x0E,
    delete_character: 0x0F,
    select_world: Some(0x1A),
    recommendations: Some(0x1B),
    pic_result: Some(0x1C),
    ping: Some(0x11),
};

/// GMS 95 server opcodes with [H]'s corrections (SelectWorld 0x18, Recommendations 0x19).
pub(crate) const GMS95_SERVER: ServerOpcodes = ServerOpcodes {
    select_world: Some(0x18),
    recommendations: Some(0x19),
    pic_result: None,
    ..GMS83_SERVER
};

/// JMS 185 server opcodes (§8; Ping 0x09 from [H]).
pub(crate) const JMS185_SERVER: ServerOpcodes = ServerOpcodes {
    login_status: 0x00,
    server_status: None,
    set_account_result: None,
    pin_operation: None,
    pin_update: None,
    view_all: Some(0x14),
    server_list: 0x02,
    character_list: 0x03,
    server_ip: 0x04,
    name_response: 0x05,
    add_character: 0x06,
    delete_character: 0x07,
    select_world: Some(0x16),
    recommendations: Some(0x17),
    pic_result: None,
    ping: Some(0x09),
};
