//! The handler, validator and writer names of Atlas's socket configuration, as enums.

/// Declares a name enum with its Atlas configuration names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $atlas:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("Atlas name `", $atlas, "`.")] $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name used in Atlas's configuration.
            pub fn atlas_name(self) -> &'static str {
                match self {
                    $($name::$variant => $atlas,)*
                }
            }

            /// The value for an Atlas configuration name (exact spelling).
            pub fn from_atlas_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.atlas_name() == name)
            }
        }
    };
}

named_enum! {
    /// A C→S handler (§4.1, §8). `WorldSelect` and `CreateSecurity` carry assumed Atlas names
    /// (the spec names only the behaviour); `NoOp` swallows the packet.
    Handler {
        /// 0x01 login request.
        Login = "LoginHandle",
        /// Server-list request (0x04 and 0x0B in v83).
        ServerListRequest = "ServerListRequestHandle",
        /// World + channel chosen: character list.
        CharacterListWorld = "CharacterListWorldHandle",
        /// World load query.
        ServerStatus = "ServerStatusHandle",
        /// Licence answer.
        AcceptTos = "AcceptTosHandle",
        /// Gender dialog answer.
        SetGender = "SetGenderHandle",
        /// PIN step after login.
        AfterLogin = "AfterLoginHandle",
        /// PIN registration.
        RegisterPin = "RegisterPinHandle",
        /// View-all characters.
        ViewAll = "CharacterViewAllHandle",
        /// View-all select without PIC.
        ViewAllSelected = "CharacterViewAllSelectedHandle",
        /// View-all render ack.
        ViewAllPong = "CharacterViewAllPongHandle",
        /// Select without PIC.
        CharacterSelect = "CharacterSelectedHandle",
        /// Name check.
        CheckName = "CharacterCheckNameHandle",
        /// Character creation.
        CreateCharacter = "CreateCharacterHandle",
        /// Character deletion.
        DeleteCharacter = "DeleteCharacterHandle",
        /// Keep-alive answer (`[H]`).
        Pong = "PongHandle",
        /// Client start error report (`[H]`).
        StartError = "StartErrorHandle",
        /// Select + register PIC.
        RegisterPic = "RegisterPicHandle",
        /// Select with PIC.
        CharacterSelectWithPic = "CharacterSelectedPicHandle",
        /// View-all select + register PIC.
        ViewAllRegisterPic = "CharacterViewAllSelectedPicRegisterHandle",
        /// View-all select with PIC.
        ViewAllWithPic = "CharacterViewAllSelectedPicHandle",
        /// Client start notice.
        ClientStart = "ClientStartHandle",
        /// Swallowed packet.
        NoOp = "NoOpHandler",
        /// GMS 12 world select (→ ServerLoad); layout not in the spec, no reader.
        WorldSelect = "WorldSelectHandle",
        /// JMS security step (→ LoginAuth); layout not in the spec, no reader.
        CreateSecurity = "CreateSecurityHandle",
    }
}

named_enum! {
    /// A handler's validator (§4.1).
    Validator {
        /// Always passes.
        NoOp = "NoOpValidator",
        /// Passes only for a logged-in account.
        LoggedIn = "LoggedInValidator",
    }
}

named_enum! {
    /// An S→C writer (§4.2, §8).
    WriterKind {
        /// Login accepted.
        AuthSuccess = "AuthSuccess",
        /// Temporary ban.
        AuthTemporaryBan = "AuthTemporaryBan",
        /// Permanent ban.
        AuthPermanentBan = "AuthPermanentBan",
        /// Login refused.
        AuthLoginFailed = "AuthLoginFailed",
        /// World load.
        ServerStatus = "ServerStatus",
        /// Gender result.
        SetAccountResult = "SetAccountResult",
        /// PIN step.
        PinOperation = "PinOperation",
        /// PIN registration result.
        PinUpdate = "PinUpdate",
        /// View-all characters.
        CharacterViewAll = "CharacterViewAll",
        /// One world of the server list.
        ServerListEntry = "ServerListEntry",
        /// End of the server list.
        ServerListEnd = "ServerListEnd",
        /// Characters of a world.
        CharacterList = "CharacterList",
        /// Channel address (or select error).
        ServerIp = "ServerIP",
        /// Name check result.
        CharacterNameResponse = "CharacterNameResponse",
        /// Created character.
        AddCharacterEntry = "AddCharacterEntry",
        /// Deletion result.
        DeleteCharacterResponse = "DeleteCharacterResponse",
        /// Keep-alive (`[H]`).
        Ping = "Ping",
        /// Preselected world.
        SelectWorld = "SelectWorld",
        /// Recommended worlds.
        ServerListRecommendations = "ServerListRecommendations",
        /// PIC result (registered, never sent).
        PicResult = "PicResult",
        /// JMS login auth.
        LoginAuth = "LoginAuth",
        /// GMS 12 server load (layout not in the spec, no writer).
        ServerLoad = "ServerLoad",
    }
}
