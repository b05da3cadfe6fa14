//! What a client asks of its session, in the session's own terms: each client protocol decodes
//! its frames into these, and the session actor turns them into state-machine inputs.

use std::fmt;

/// One decoded, validated client request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Login(Credentials),
    AcceptLicense {
        accepted: bool,
    },
    SelectCharacter {
        character_id: u32,
        world_id: u8,
        channel_id: u8,
    },
    Logout,
    Ping,
    /// A game socket's request after login.
    Game(GameRequest),
}

/// The game socket's requests after login (each behind Atlas's LoggedIn validator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GameRequest {
    /// The answer to the session's keep-alive (the game socket's Pong).
    Pong,
    /// The worlds and their channels (the game socket's server list).
    ListWorlds,
    /// How full a world is (the game socket's request carries a u16: no world has an id
    /// beyond a byte, and such a world is shown full, as Atlas's failed look-up is).
    WorldStatus { world_id: u16 },
    /// The account's characters in a world, to play on one of its channels.
    ListCharacters { world_id: u8, channel_id: u8 },
    /// Play a listed character on the channel chosen with the list, with the PIC the client
    /// gave (or registers).
    PlayCharacter { character_id: u32, pic: PicAnswer },
    /// The PIN dialog after login (AfterLogin).
    Pin(PinRequest),
    /// Register (or change) the PIN; `None`: the client cancelled.
    RegisterPin { pin: Option<Secret> },
    /// The gender of an account that has none yet; `confirmed` false: declined.
    SetGender { confirmed: bool, gender: u8 },
    /// Whether a new character may take this name.
    CheckName { name: String },
    /// Create a character in the chosen world.
    CreateCharacter(Box<NewCharacter>),
    /// Delete a character, with the PIC (none on versions that send a birth date instead).
    DeleteCharacter {
        character_id: u32,
        pic: Option<Secret>,
    },
    /// Every world's characters at once.
    ViewAll,
    /// Play a character chosen from the view of every world (on a channel the session picks).
    PlayFromAll {
        character_id: u32,
        world_id: u32,
        pic: PicAnswer,
    },
}

/// What the client does in the PIN dialog after login (AfterLogin's two option bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinRequest {
    /// (0, _): the client closed the dialog.
    Cancel,
    /// (1, 1): which dialog to show (register a PIN, or enter it).
    Ask,
    /// (1, 0): the PIN, to check.
    Check(Secret),
    /// (2, 0): the current PIN, to change it.
    Change(Secret),
    /// Any other pair.
    Unknown,
}

/// A secret the client sent (a PIN, a PIC): its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Secret {
        Secret(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its length in characters.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A new character as the client describes it (the factory fixes level, stats and map).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCharacter {
    pub name: String,
    pub job_index: u32,
    pub sub_job_index: u32,
    pub face: u32,
    pub hair: u32,
    pub hair_color: u32,
    pub skin_color: u32,
    pub top: u32,
    pub bottom: u32,
    pub shoes: u32,
    pub weapon: u32,
    /// None on versions whose request has no gender (the account's is used).
    pub gender: Option<u8>,
}

/// The second password a game client sends with a character select.
#[derive(Clone, PartialEq, Eq)]
pub enum PicAnswer {
    /// None (a client told that PIC is not in use).
    Without,
    /// The PIC, to check.
    Given(String),
    /// A new PIC, to register (the account has none yet).
    Registering(String),
}

impl fmt::Debug for PicAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PicAnswer::Without => "Without",
            PicAnswer::Given(_) => "Given(<redacted>)",
            PicAnswer::Registering(_) => "Registering(<redacted>)",
        })
    }
}

impl Request {
    /// The request's name, for its span.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Login(_) => "login",
            Request::AcceptLicense { .. } => "accept_license",
            Request::SelectCharacter { .. } => "select_character",
            Request::Logout => "logout",
            Request::Ping => "ping",
            Request::Game(game) => game.name(),
        }
    }
}

impl GameRequest {
    /// The request's name, for its span.
    pub fn name(&self) -> &'static str {
        match self {
            GameRequest::Pong => "pong",
            GameRequest::ListWorlds => "list_worlds",
            GameRequest::WorldStatus { .. } => "world_status",
            GameRequest::ListCharacters { .. } => "list_characters",
            GameRequest::PlayCharacter { .. } => "play_character",
            GameRequest::Pin(_) => "pin",
            GameRequest::RegisterPin { .. } => "register_pin",
            GameRequest::SetGender { .. } => "set_gender",
            GameRequest::CheckName { .. } => "check_name",
            GameRequest::CreateCharacter(_) => "create_character",
            GameRequest::DeleteCharacter { .. } => "delete_character",
            GameRequest::ViewAll => "view_all",
            GameRequest::PlayFromAll { .. } => "play_from_all",
        }
    }
}

/// What a request needs before the session may serve it (a game socket's validator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Nothing.
    None,
    /// The account logged in at the account service; otherwise the request is dropped.
    LoggedIn,
}

/// What a client's protocol hands its session: a request, or why there is none.
#[derive(Debug)]
pub enum ClientInput {
    Request(Request, Guard),
    /// A frame that is not a valid request; says why (never quoting a secret).
    Malformed(String),
    /// A frame longer than the protocol allows.
    TooLong,
    /// A frame the session does not serve (an unknown opcode, say), dropped; the label says why.
    Dropped(&'static str),
    /// The client broke the protocol beyond repair (a frame header that fails its check).
    Invalid,
    /// The connection failed.
    Broken,
}

/// A login's credentials. Its `Debug` never shows the password or the hwid.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account_name: String,
    pub password: String,
    /// "" or 32 lowercase hex characters.
    pub hwid: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("account_name", &self.account_name)
            .field("password", &format_args!("<redacted>"))
            .field("hwid", &format_args!("<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password_or_the_hwid() {
        let c = Credentials {
            account_name: "admin".into(),
            password: "hunter2".into(),
            hwid: "00112233445566778899aabbccddeeff".into(),
        };
        let shown = format!("{c:?} {:?}", Request::Login(c.clone()));
        assert!(shown.contains("admin"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("00112233"),
            "{shown}"
        );
    }
}
