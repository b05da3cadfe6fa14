//! A session's outputs as game packets: the hello (raw), then every packet built in place in
//! the outbound buffer and encrypted by the connection's send cipher, with its opcode and code
//! bytes from the tenant's tables. An output with no packet (a gateway-only one) writes nothing.

use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tracing::warn;

use super::model::{AccountView, PicFlag, WorldView};
use super::responses as r;
use super::socket::Setup;
use super::views::{character_view, world_view};
use super::{
    filetime_from_unix_secs, Hello, SendCipher, Writer, WriterKind, CODES, FAILED_REASON_CODES,
    MODES,
};
use crate::message::account_session::Until;
use crate::session::connection::Encode;
use crate::session::output::{
    AccountInfo, AllCharacters, Deletion, NameVerdict, Output, PeerCode, PicState, PinPrompt,
    Problem, Refusal, SelectRefusal,
};

/// The connection's encoder: its send cipher, and its hello until sent.
pub struct Encoder {
    setup: Arc<Setup>,
    send: SendCipher,
    hello: Option<Hello>,
}

impl Encoder {
    pub fn new(setup: Arc<Setup>, send: SendCipher, hello: Hello) -> Encoder {
        Encoder {
            setup,
            send,
            hello: Some(hello),
        }
    }

    /// Writes one packet of `kind` whose body `body` writes (nothing when the tenant's table
    /// has no such writer: Atlas's "writer not found").
    fn packet(&mut self, buf: &mut Vec<u8>, kind: WriterKind, body: impl FnOnce(&mut Writer<'_>)) {
        let Some(opcode) = self.setup.table.opcode(kind) else {
            warn!(
                writer = kind.atlas_name(),
                "The tenant's socket table has no such writer; nothing sent."
            );
            return;
        };
        let written = self.send.write_packet(buf, |w| {
            w.opcode(opcode);
            body(w);
        });
        if written.is_err() {
            warn!(
                writer = kind.atlas_name(),
                "A packet too long for one frame was not sent."
            );
        }
    }

    /// A code byte of the tenant's table, with the template's value when the table lacks it.
    fn code(&self, kind: WriterKind, option: &str, key: &str, template: u8) -> u8 {
        self.setup.table.code(kind, option, key).unwrap_or(template)
    }

    fn account_view(&self, info: &AccountInfo) -> AccountView {
        AccountView {
            id: info.id,
            name: info.name.clone(),
            gender: info.gender,
            gm: info.gm,
            uses_pin: self.setup.uses_pin,
            pic_flag: pic_flag(info.pic),
            character_slots: info.character_slots,
            client_key: [0; 8],
        }
    }
}

impl Encode for Encoder {
    fn encode(&mut self, output: &Output, buf: &mut Vec<u8>) {
        let setup = Arc::clone(&self.setup);
        let rules = &setup.rules;
        match output {
            Output::Hello { .. } => {
                if let Some(hello) = self.hello.take() {
                    buf.extend_from_slice(hello.as_bytes());
                }
            }
            Output::LoginAccepted(info) => {
                let account = self.account_view(info);
                self.packet(buf, WriterKind::AuthSuccess, |w| {
                    r::auth_success(w, rules, &account)
                });
            }
            Output::LicenseRequired(_) => {
                let code = self.code(
                    WriterKind::AuthLoginFailed,
                    FAILED_REASON_CODES,
                    "LICENSE_AGREEMENT",
                    23,
                );
                self.packet(buf, WriterKind::AuthLoginFailed, |w| {
                    r::auth_login_failed(w, rules, code)
                });
            }
            Output::LoginRefused(refusal) => {
                let code = self.refusal_code(refusal);
                self.packet(buf, WriterKind::AuthLoginFailed, |w| {
                    r::auth_login_failed(w, rules, code)
                });
            }
            Output::Banned {
                permanent,
                reason,
                until,
            } => self.ban(buf, *permanent, *reason, until),
            Output::ChannelReady {
                ip_address,
                port,
                character_id,
            } => self.server_ip(buf, ip_address, *port, *character_id),
            Output::CharacterCreated {
                character: Some(info),
                ..
            } => {
                let ok = self.code(WriterKind::AddCharacterEntry, CODES, "OK", 0);
                let view = character_view(info);
                self.packet(buf, WriterKind::AddCharacterEntry, |w| {
                    r::add_character_ok(w, rules, ok, &view)
                });
            }
            Output::CharacterCreationFailed { .. } => {
                let code = self.code(WriterKind::AddCharacterEntry, CODES, "UNKNOWN_ERROR", 99);
                self.packet(buf, WriterKind::AddCharacterEntry, |w| {
                    r::add_character_error(w, code)
                });
            }
            Output::Ping => self.packet(buf, WriterKind::Ping, r::ping),
            Output::Worlds(worlds) => self.server_list(buf, worlds),
            Output::WorldStatus(load) => {
                self.packet(buf, WriterKind::ServerStatus, |w| {
                    r::server_status(w, *load)
                });
            }
            Output::Characters(roster) => {
                let account = self.account_view(&roster.account);
                let views: Vec<_> = roster.characters.iter().map(character_view).collect();
                self.packet(buf, WriterKind::CharacterList, |w| {
                    r::character_list(w, rules, &account, &views)
                });
            }
            Output::SelectRefused(why) => {
                let (key, template) = match why {
                    SelectRefusal::Unavailable => ("SERVER_UNDER_INSPECTION", 7),
                    SelectRefusal::WrongPic => ("INCORRECT_PASSWORD", 4),
                };
                let code = self.code(WriterKind::ServerIp, CODES, key, template);
                self.packet(buf, WriterKind::ServerIp, |w| {
                    r::server_ip_error(w, code, 0)
                });
            }
            Output::Pin(prompt) => {
                let (key, template) = match prompt {
                    PinPrompt::Accepted => ("OK", 0),
                    PinPrompt::Register => ("REGISTER", 1),
                    PinPrompt::Invalid => ("INVALID", 2),
                    PinPrompt::Failed => ("CONNECTION_FAILED", 3),
                    PinPrompt::Enter => ("ENTER_PIN", 4),
                };
                let mode = self.code(WriterKind::PinOperation, MODES, key, template);
                self.packet(buf, WriterKind::PinOperation, |w| r::pin_operation(w, mode));
            }
            Output::PinRegistered => {
                let mode = self.code(WriterKind::PinUpdate, MODES, "OK", 0);
                self.packet(buf, WriterKind::PinUpdate, |w| r::pin_update(w, mode));
            }
            Output::GenderSet { gender, success } => {
                self.packet(buf, WriterKind::SetAccountResult, |w| {
                    r::set_account_result(w, *gender, *success)
                });
            }
            Output::NameChecked { name, verdict } => {
                // A taken name is NOT_ALLOWED, as Atlas answers it.
                let (key, template) = match verdict {
                    NameVerdict::Available => ("OK", 0),
                    NameVerdict::Taken | NameVerdict::NotAllowed => ("NOT_ALLOWED", 2),
                    NameVerdict::Unavailable => ("SYSTEM_ERROR", 3),
                };
                let code = self.code(WriterKind::CharacterNameResponse, CODES, key, template);
                self.packet(buf, WriterKind::CharacterNameResponse, |w| {
                    r::character_name_response(w, name.as_bytes(), code)
                });
            }
            Output::CharacterDeleted {
                character_id,
                outcome,
            } => {
                let (key, template) = match outcome {
                    Deletion::Deleted => ("OK", 0),
                    Deletion::WrongPic => ("SECONDARY_PIN_DOES_NOT_MATCH", 20),
                    Deletion::GuildLeader => ("CANNOT_DELETE_AS_GUILD_MASTER", 22),
                    Deletion::Failed => ("UNKNOWN_ERROR", 9),
                };
                let code = self.code(WriterKind::DeleteCharacterResponse, CODES, key, template);
                self.packet(buf, WriterKind::DeleteCharacterResponse, |w| {
                    r::delete_character_response(w, *character_id, code)
                });
            }
            Output::AllCharacters(all) => self.view_all(buf, all),
            Output::NoCharacters => {
                let code = self.code(WriterKind::CharacterViewAll, CODES, "SEARCH_FAILED", 3);
                self.packet(buf, WriterKind::CharacterViewAll, |w| {
                    r::view_all_code(w, code)
                });
            }
            Output::AllCharactersUnavailable => {
                let code = self.code(WriterKind::CharacterViewAll, CODES, "ERROR_VIEW_ALL", 2);
                self.packet(buf, WriterKind::CharacterViewAll, |w| {
                    r::view_all_code(w, code)
                });
            }
            // A login on a session logged in already (a client back at its login screen):
            // Atlas sends the CREATE, and the account service answers ALREADY_LOGGED_IN (7)
            // since this very session holds the account; the client is told the same.
            Output::Problem(Problem::AlreadyLoggedIn) => {
                let code = self.refusal_code(&Refusal::Peer(PeerCode::AlreadyLoggedIn));
                self.packet(buf, WriterKind::AuthLoginFailed, |w| {
                    r::auth_login_failed(w, rules, code)
                });
            }
            // Nothing to tell a game client: a refused connection before its hello, the
            // gateway's errors and ends (the game client sees the connection close).
            Output::Problem(_) | Output::Ending(_) => {}
            Output::Pong
            | Output::CharacterCreated {
                character: None, ..
            } => {}
        }
    }
}

impl Encoder {
    /// The AuthLoginFailed byte of a refusal: the peer code's key (or its nearest reason:
    /// SYSTEM_ERROR → 6, TOO_MANY_ATTEMPTS → 10), never Atlas's 99 for a known code.
    fn refusal_code(&self, refusal: &Refusal) -> u8 {
        let peer = match refusal {
            Refusal::Peer(code) => code.as_str(),
            Refusal::Unavailable => "SYSTEM_ERROR",
            Refusal::TooManyAttempts => "TOO_MANY_ATTEMPTS",
        };
        let table = &self.setup.table;
        table
            .login_failed_code(peer)
            .or_else(|| table.login_failed_code("SYSTEM_ERROR"))
            .unwrap_or(6)
    }

    fn ban(&mut self, buf: &mut Vec<u8>, permanent: bool, reason: u8, until: &Until) {
        let setup = Arc::clone(&self.setup);
        let rules = &setup.rules;
        let (kind, until) = match filetime(until) {
            Some(until) if !permanent => (WriterKind::AuthTemporaryBan, until),
            _ => (WriterKind::AuthPermanentBan, 0),
        };
        let code = self.setup.table.ban_code(kind).unwrap_or(2);
        // Both bans travel on the login-result opcode (the same writer in every template).
        match kind {
            WriterKind::AuthTemporaryBan => self.packet(buf, kind, |w| {
                r::auth_temporary_ban(w, rules, code, reason, until)
            }),
            _ => self.packet(buf, kind, |w| r::auth_permanent_ban(w, rules, code, reason)),
        }
    }

    fn server_ip(&mut self, buf: &mut Vec<u8>, ip: &str, port: u16, character_id: u32) {
        let setup = Arc::clone(&self.setup);
        let rules = &setup.rules;
        match ip.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => {
                let ok = self.code(WriterKind::ServerIp, CODES, "OK", 0);
                self.packet(buf, WriterKind::ServerIp, |w| {
                    r::server_ip_ok(w, rules, ok, 0, ip, port, character_id)
                });
            }
            Err(_) => {
                // A hostname or an IPv6 address has no place in the packet's four bytes.
                warn!(
                    ip,
                    "A channel address that is not IPv4 cannot be sent to a game client."
                );
                let code = self.code(WriterKind::ServerIp, CODES, "SERVER_UNDER_INSPECTION", 7);
                self.packet(buf, WriterKind::ServerIp, |w| {
                    r::server_ip_error(w, code, 0)
                });
            }
        }
    }

    /// The view of every world: the count, then one packet per world (worlds sorted by id,
    /// empty ones included as Atlas sends them) ending with the account's login option.
    fn view_all(&mut self, buf: &mut Vec<u8>, all: &AllCharacters) {
        let setup = Arc::clone(&self.setup);
        let rules = &setup.rules;
        let count = self.code(WriterKind::CharacterViewAll, CODES, "CHARACTER_COUNT", 1);
        let normal = self.code(WriterKind::CharacterViewAll, CODES, "NORMAL", 0);
        let worlds = u32::try_from(all.worlds.len()).unwrap_or(u32::MAX);
        let characters = u32::try_from(all.character_count()).unwrap_or(u32::MAX);
        self.packet(buf, WriterKind::CharacterViewAll, |w| {
            r::view_all_count(w, count, worlds, characters)
        });
        let login_opt = pic_flag(all.pic);
        for (world_id, characters) in &all.worlds {
            let views: Vec<_> = characters.iter().map(character_view).collect();
            self.packet(buf, WriterKind::CharacterViewAll, |w| {
                r::view_all_world(w, rules, normal, *world_id, &views, login_opt)
            });
        }
    }

    /// The server-list burst: an entry per world (sorted by id), its end, the world to select,
    /// and the recommended worlds.
    fn server_list(&mut self, buf: &mut Vec<u8>, worlds: &[crate::rest::World]) {
        let setup = Arc::clone(&self.setup);
        let rules = &setup.rules;
        let views: Vec<WorldView> = worlds.iter().map(world_view).collect();
        for view in &views {
            self.packet(buf, WriterKind::ServerListEntry, |w| {
                r::server_list_entry(w, rules, view)
            });
        }
        self.packet(buf, WriterKind::ServerListEnd, r::server_list_end);
        if self.setup.table.opcode(WriterKind::SelectWorld).is_some() {
            self.packet(buf, WriterKind::SelectWorld, |w| r::select_world(w, 0));
        }
        if self
            .setup
            .table
            .opcode(WriterKind::ServerListRecommendations)
            .is_some()
        {
            self.packet(buf, WriterKind::ServerListRecommendations, |w| {
                r::server_list_recommendations(w, &views)
            });
        }
    }
}

fn pic_flag(pic: PicState) -> PicFlag {
    match pic {
        PicState::Unused => PicFlag::Disabled,
        PicState::Unregistered => PicFlag::Register,
        PicState::Registered => PicFlag::Ask,
    }
}

/// A ban's end as a FILETIME: a number as the peer computes it, or an RFC 3339 time; `None`
/// for a time that does not parse.
fn filetime(until: &Until) -> Option<u64> {
    match until {
        Until::Ticks(ticks) => Some(*ticks),
        Until::Time(text) => OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|t| filetime_from_unix_secs(t.unix_timestamp())),
    }
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
