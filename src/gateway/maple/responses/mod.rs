//! Server → client writers (§5.2, §8, §14): each appends one packet body *after the opcode*
//! to a [`Writer`](super::Writer); the caller writes the opcode first (`w.opcode(op)`), usually
//! inside [`SendCipher::write_packet`](super::SendCipher::write_packet). Code and mode bytes
//! are arguments, resolved by the caller from its [`OpcodeTable`](super::OpcodeTable).

mod character;
mod entry;
mod login;
mod select;
mod world;

pub use character::{
    add_character_error, add_character_ok, character_list, character_name_response,
    delete_character_response,
};
pub use entry::{avatar_look, character_entry, character_stat, EntryKind};
pub use login::{
    auth_login_failed, auth_permanent_ban, auth_success, auth_temporary_ban, ban_reason,
    login_auth, pic_result, pin_operation, pin_update, ping, set_account_result,
    DEFAULT_BAN_REASON, LOGIN_AUTH_NAMES,
};
pub use select::{server_ip_error, server_ip_ok, view_all_code, view_all_count, view_all_world};
pub use world::{
    select_world, server_list_end, server_list_entry, server_list_recommendations, server_status,
};

#[cfg(test)]
#[path = "login_tests.rs"]
mod login_tests;

#[cfg(test)]
#[path = "world_tests.rs"]
mod world_tests;

#[cfg(test)]
#[path = "character_tests.rs"]
mod character_tests;

#[cfg(test)]
#[path = "versions_tests.rs"]
mod versions_tests;
