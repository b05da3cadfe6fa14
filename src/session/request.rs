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
        }
    }
}

/// What a client's protocol hands its session: a request, or why there is none.
#[derive(Debug)]
pub enum ClientInput {
    Request(Request),
    /// A frame that is not a valid request; says why (never quoting a secret).
    Malformed(String),
    /// A frame longer than the protocol allows.
    TooLong,
    /// The connection failed, or the client broke the protocol beyond repair.
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
