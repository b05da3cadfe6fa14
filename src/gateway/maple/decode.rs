//! A decrypted game packet as a session input: its opcode through the tenant's handler table,
//! its body through the handler's reader, the handler's validator as the request's guard.

use super::requests::{read_request, LoginRequest, Request as Packet};
use super::socket::Setup;
use super::{lossy, Handler, Validator};
use crate::session::request::{ClientInput, Credentials, Guard, PicAnswer, Request};

/// The longest account name and password a login may carry, in bytes (as the gateway's).
const MAX_NAME: usize = 64;
const MAX_PASSWORD: usize = 128;

/// What the session gets of one packet.
pub fn input_of(setup: &Setup, packet: &super::Packet) -> ClientInput {
    let Some(opcode) = packet.opcode() else {
        return ClientInput::Malformed("a packet without an opcode".into());
    };
    let Some(entry) = setup.table.handler(opcode) else {
        return ClientInput::Dropped("unknown_opcode");
    };
    let guard = match entry.validator {
        Validator::NoOp => Guard::None,
        Validator::LoggedIn => Guard::LoggedIn,
    };
    match read_request(entry.handler, &setup.rules, packet.body()) {
        Ok(Packet::Login(login)) => match credentials(login) {
            Some(credentials) => ClientInput::Request(Request::Login(credentials), guard),
            None => ClientInput::Malformed("a login with an over-long name or password".into()),
        },
        Ok(read) => match request_of(read) {
            Ok(request) => ClientInput::Request(request, guard),
            Err(ignored) => ClientInput::Dropped(ignored),
        },
        Err(error) => ClientInput::Malformed(format!("{}: {error}", entry.handler.atlas_name())),
    }
}

/// The session request of a packet, or the label of one it does not serve.
fn request_of(packet: Packet) -> Result<Request, &'static str> {
    Ok(match packet {
        Packet::Login(_) => return Err("unsupported"), // read above
        Packet::ServerListRequest => Request::ListWorlds,
        Packet::ServerStatus(status) => Request::WorldStatus {
            world_id: status.world_id,
        },
        Packet::CharacterListWorld(list) => Request::ListCharacters {
            world_id: list.world_id,
            channel_id: list.channel_id,
        },
        Packet::AcceptTos(tos) => Request::AcceptLicense {
            accepted: tos.accepted != 0,
        },
        Packet::CharacterSelect(select) => Request::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Without,
        },
        Packet::CharacterSelectWithPic(select) => Request::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Given(select.pic.expose_lossy()),
        },
        Packet::RegisterPic(select) => Request::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Registering(select.pic.expose_lossy()),
        },
        Packet::Pong => Request::Pong,
        Packet::ClientStart | Packet::ViewAllPong(_) | Packet::StartError(_) => {
            return Err("client_notice")
        }
        Packet::Unread(Handler::NoOp) => return Err("no_op"),
        Packet::Unread(_) => return Err("unsupported"),
        Packet::SetGender(_)
        | Packet::AfterLogin(_)
        | Packet::RegisterPin(_)
        | Packet::ViewAll(_)
        | Packet::ViewAllSelected(_)
        | Packet::ViewAllRegisterPic(_)
        | Packet::ViewAllWithPic(_)
        | Packet::CheckName(_)
        | Packet::CreateCharacter(_)
        | Packet::DeleteCharacter(_) => return Err("unsupported"),
    })
}

/// A login's credentials (the machine id as the hwid Atlas sends: 32 lowercase hex digits);
/// `None` for over-long ones. Empty ones go to the account service, which answers them.
fn credentials(login: LoginRequest) -> Option<Credentials> {
    let account_name = lossy(&login.name);
    let password = login.password.expose_lossy();
    (account_name.len() <= MAX_NAME && password.len() <= MAX_PASSWORD).then(|| Credentials {
        account_name,
        password,
        hwid: login.machine_id.hwid(),
    })
}
