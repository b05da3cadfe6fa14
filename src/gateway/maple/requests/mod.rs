//! Client → server readers (§5.1, §8, §14): one typed request per handler, read strictly from
//! the body after the opcode (truncated = [`ReadError`], trailing bytes ignored).

mod character;
mod login;
mod secret;
mod select;
mod world;

pub use character::{CheckNameRequest, CreateCharacterRequest, DeleteCharacterRequest};
pub use login::{
    AcceptTosRequest, AfterLoginRequest, LoginRequest, RegisterPinRequest, SetGenderRequest,
    StartErrorRequest,
};
pub use secret::{MachineId, Secret};
pub use select::{
    CharacterSelectRequest, CharacterSelectWithPicRequest, Macs, RegisterPicRequest,
    ViewAllRegisterPicRequest, ViewAllSelectedRequest, ViewAllWithPicRequest,
};
pub use world::{
    CharacterListWorldRequest, ServerStatusRequest, ViewAllFields, ViewAllPongRequest,
    ViewAllRequest,
};

use super::opcodes::Handler;
use super::packet::ReadError;
use super::rules::Rules;

/// A decoded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// 0x01.
    Login(LoginRequest),
    /// 0x04 / 0x0B (empty body).
    ServerListRequest,
    /// 0x05.
    CharacterListWorld(CharacterListWorldRequest),
    /// 0x06.
    ServerStatus(ServerStatusRequest),
    /// 0x07.
    AcceptTos(AcceptTosRequest),
    /// 0x08.
    SetGender(SetGenderRequest),
    /// 0x09.
    AfterLogin(AfterLoginRequest),
    /// 0x0A.
    RegisterPin(RegisterPinRequest),
    /// 0x0D.
    ViewAll(ViewAllRequest),
    /// 0x0E.
    ViewAllSelected(ViewAllSelectedRequest),
    /// 0x0F.
    ViewAllPong(ViewAllPongRequest),
    /// 0x13.
    CharacterSelect(CharacterSelectRequest),
    /// 0x15.
    CheckName(CheckNameRequest),
    /// 0x16.
    CreateCharacter(CreateCharacterRequest),
    /// 0x17.
    DeleteCharacter(DeleteCharacterRequest),
    /// 0x1D.
    RegisterPic(RegisterPicRequest),
    /// 0x1E.
    CharacterSelectWithPic(CharacterSelectWithPicRequest),
    /// 0x1F.
    ViewAllRegisterPic(ViewAllRegisterPicRequest),
    /// 0x20.
    ViewAllWithPic(ViewAllWithPicRequest),
    /// 0x18 keep-alive answer (empty).
    Pong,
    /// 0x23 (empty).
    ClientStart,
    /// 0x19 in `[H]`.
    StartError(StartErrorRequest),
    /// A handler without a reader (`NoOp`, `WorldSelect`, `CreateSecurity`): body not read.
    Unread(Handler),
}

/// Reads the body (after the opcode) of the packet `handler` serves.
pub fn read_request(handler: Handler, rules: &Rules, body: &[u8]) -> Result<Request, ReadError> {
    use Request as R;
    Ok(match handler {
        Handler::Login => R::Login(LoginRequest::read(body, rules)?),
        Handler::ServerListRequest => R::ServerListRequest,
        Handler::CharacterListWorld => {
            R::CharacterListWorld(CharacterListWorldRequest::read(body, rules)?)
        }
        Handler::ServerStatus => R::ServerStatus(ServerStatusRequest::read(body, rules)?),
        Handler::AcceptTos => R::AcceptTos(AcceptTosRequest::read(body, rules)?),
        Handler::SetGender => R::SetGender(SetGenderRequest::read(body, rules)?),
        Handler::AfterLogin => R::AfterLogin(AfterLoginRequest::read(body, rules)?),
        Handler::RegisterPin => R::RegisterPin(RegisterPinRequest::read(body, rules)?),
        Handler::ViewAll => R::ViewAll(ViewAllRequest::read(body, rules)?),
        Handler::ViewAllSelected => R::ViewAllSelected(ViewAllSelectedRequest::read(body, rules)?),
        Handler::ViewAllPong => R::ViewAllPong(ViewAllPongRequest::read(body, rules)?),
        Handler::CharacterSelect => R::CharacterSelect(CharacterSelectRequest::read(body, rules)?),
        Handler::CheckName => R::CheckName(CheckNameRequest::read(body, rules)?),
        Handler::CreateCharacter => R::CreateCharacter(CreateCharacterRequest::read(body, rules)?),
        Handler::DeleteCharacter => R::DeleteCharacter(DeleteCharacterRequest::read(body, rules)?),
        Handler::RegisterPic => R::RegisterPic(RegisterPicRequest::read(body, rules)?),
        Handler::CharacterSelectWithPic => {
            R::CharacterSelectWithPic(CharacterSelectWithPicRequest::read(body, rules)?)
        }
        Handler::ViewAllRegisterPic => {
            R::ViewAllRegisterPic(ViewAllRegisterPicRequest::read(body, rules)?)
        }
        Handler::ViewAllWithPic => R::ViewAllWithPic(ViewAllWithPicRequest::read(body, rules)?),
        Handler::Pong => R::Pong,
        Handler::ClientStart => R::ClientStart,
        Handler::StartError => R::StartError(StartErrorRequest::read(body, rules)?),
        Handler::NoOp | Handler::WorldSelect | Handler::CreateSecurity => R::Unread(handler),
    })
}

#[cfg(test)]
#[path = "requests_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "versions_tests.rs"]
mod versions_tests;
