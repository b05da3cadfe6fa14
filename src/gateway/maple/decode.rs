//! A decrypted game packet as a session input: its opcode through the tenant's handler table,
//! its body through the handler's reader, the handler's validator as the request's guard.

use super::requests::{read_request, AfterLoginRequest, LoginRequest, Request as Packet};
use super::socket::Setup;
use super::{lossy, Handler, Validator};
use crate::session::request::{
    ClientInput, Credentials, GameRequest, Guard, NewCharacter, PicAnswer, PinRequest, Request,
    Secret,
};

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
    let game = match packet {
        Packet::Login(_) => return Err("unsupported"), // read above
        Packet::AcceptTos(tos) => {
            return Ok(Request::AcceptLicense {
                accepted: tos.accepted != 0,
            })
        }
        Packet::ServerListRequest => GameRequest::ListWorlds,
        Packet::ServerStatus(status) => GameRequest::WorldStatus {
            world_id: status.world_id,
        },
        Packet::CharacterListWorld(list) => GameRequest::ListCharacters {
            world_id: list.world_id,
            channel_id: list.channel_id,
        },
        Packet::CharacterSelect(select) => GameRequest::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Without,
        },
        Packet::CharacterSelectWithPic(select) => GameRequest::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Given(select.pic.expose_lossy()),
        },
        Packet::RegisterPic(select) => GameRequest::PlayCharacter {
            character_id: select.character_id,
            pic: PicAnswer::Registering(select.pic.expose_lossy()),
        },
        Packet::ViewAllSelected(select) => GameRequest::PlayFromAll {
            character_id: select.character_id,
            world_id: select.world_id,
            pic: PicAnswer::Without,
        },
        Packet::ViewAllWithPic(select) => GameRequest::PlayFromAll {
            character_id: select.character_id,
            world_id: select.world_id,
            pic: PicAnswer::Given(select.pic.expose_lossy()),
        },
        Packet::ViewAllRegisterPic(select) => GameRequest::PlayFromAll {
            character_id: select.character_id,
            world_id: select.world_id,
            pic: PicAnswer::Registering(select.pic.expose_lossy()),
        },
        Packet::AfterLogin(after) => GameRequest::Pin(pin_request(after)),
        Packet::RegisterPin(register) => GameRequest::RegisterPin {
            pin: register
                .pin
                .filter(|_| register.opt == 1)
                .map(|pin| Secret::new(pin.expose_lossy())),
        },
        Packet::SetGender(gender) => GameRequest::SetGender {
            confirmed: gender.confirmed != 0,
            gender: gender.gender,
        },
        Packet::CheckName(check) => GameRequest::CheckName {
            name: check.name_lossy(),
        },
        Packet::CreateCharacter(create) => GameRequest::CreateCharacter(Box::new(NewCharacter {
            name: create.name_lossy(),
            job_index: create.job_index,
            sub_job_index: create.sub_job.map_or(0, u32::from),
            face: create.face,
            hair: create.hair,
            hair_color: create.hair_color.unwrap_or(0),
            skin_color: create.skin_color.unwrap_or(0),
            top: create.top,
            bottom: create.bottom,
            shoes: create.shoes,
            weapon: create.weapon,
            gender: create.gender,
        })),
        Packet::DeleteCharacter(delete) => GameRequest::DeleteCharacter {
            character_id: delete.character_id,
            pic: delete.pic.map(|pic| Secret::new(pic.expose_lossy())),
        },
        Packet::ViewAll(_) => GameRequest::ViewAll,
        Packet::Pong => GameRequest::Pong,
        Packet::ClientStart | Packet::ViewAllPong(_) | Packet::StartError(_) => {
            return Err("client_notice")
        }
        Packet::Unread(Handler::NoOp) => return Err("no_op"),
        Packet::Unread(_) => return Err("unsupported"),
    };
    Ok(Request::Game(game))
}

/// AfterLogin's option pair as the PIN dialog's step (§5.1).
fn pin_request(after: AfterLoginRequest) -> PinRequest {
    let pin = after.pin.map(|pin| Secret::new(pin.expose_lossy()));
    match (after.opt1, after.opt2, pin) {
        (0, _, _) => PinRequest::Cancel,
        (1, Some(1), _) => PinRequest::Ask,
        (1, Some(0), Some(pin)) => PinRequest::Check(pin),
        (2, Some(0), Some(pin)) => PinRequest::Change(pin),
        _ => PinRequest::Unknown,
    }
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

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
