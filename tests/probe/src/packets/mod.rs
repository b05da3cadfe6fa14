//! Packet layouts: builders for what the client sends, strict parsers for what it receives.

pub mod codes;

mod account;
mod char_list;
mod character;
mod login;
mod manage;
mod select;
mod view_all;
mod world;

#[cfg(test)]
mod tests;

pub use account::{GenderResult, PinReply};
pub use char_list::CharacterList;
pub use character::{AvatarLook, CharacterEntry, CharacterStats, Rank, Sp};
pub use login::{AuthSuccess, LoginOutcome};
pub use manage::{CreateOutcome, DeleteOutcome, NameCheck, NewCharacter};
pub use select::{ServerIp, PLACEHOLDER_HDD, PLACEHOLDER_MAC};
pub use view_all::{ViewAll, ViewAllWorld};
pub use world::{Balloon, Channel, Recommendation, ServerList, World};

pub(crate) use view_all::ViewAllHeader;
pub(crate) use world::WorldPacket;

/// Crate-internal access to the builders and parsers, grouped by packet family.
pub(crate) mod codec {
    pub(crate) use super::account::{
        encode_after_login, encode_register_pin, parse_gender_result, parse_mode,
    };
    pub(crate) use super::char_list::{encode_request as encode_list_request, parse as parse_list};
    pub(crate) use super::login::{
        encode_request as encode_login, parse_status as parse_login_status,
    };
    pub(crate) use super::manage::{
        encode_check_name, encode_create, encode_delete, parse_add_character,
        parse_delete_response, parse_name_response,
    };
    pub(crate) use super::select::{
        encode_register_pic, encode_select, encode_select_with_pic, encode_view_all_register_pic,
        encode_view_all_select, encode_view_all_with_pic, parse_server_ip,
    };
    pub(crate) use super::view_all::{
        encode_request as encode_view_all, parse_header as parse_view_all_header,
        parse_world as parse_view_all_world,
    };
    pub(crate) use super::world::{
        parse_entry as parse_world_entry, parse_recommendations, parse_select_world,
        parse_server_status,
    };
}
