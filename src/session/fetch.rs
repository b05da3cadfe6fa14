//! What a session asks of Atlas's REST services and what comes back, as plain values: the state
//! machine emits a [`Query`], the actor runs it (`session::atlas`) and feeds the [`Answer`] back.

use crate::rest::{
    Account, AccountChange, AttemptKind, AttemptResult, Channel, RestError, SeedRequest, World,
};
use crate::session::output::{CharacterInfo, Roster};

/// One question for the REST services, by purpose.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The account the peer just logged in, before the client is told.
    LoginAccount { account_id: u32 },
    /// Every world with its channels (the server list).
    Worlds,
    /// One world's load.
    WorldStatus { world_id: u8 },
    /// The account's characters in a world (and the world's load, and the account again for
    /// its PIC and slots).
    Roster { account_id: u32, world_id: u8 },
    /// Where a channel listens, for a character moving there.
    Channel {
        world_id: u8,
        channel_id: u8,
        character_id: u32,
    },
    /// A world's channels (none when the world is unknown or full), for a character chosen
    /// from the view of every world.
    WorldChannels { world_id: u8, character_id: u32 },
    /// A character the factory just created.
    NewCharacter { character_id: u32 },
    /// Record a PIN or PIC check at the account service (it counts wrong ones).
    Attempt {
        kind: AttemptKind,
        account_id: u32,
        success: bool,
        ip_address: String,
        hwid: String,
    },
    /// Change the account (re-sent whole, as Atlas does).
    ChangeAccount {
        account: Box<Account>,
        change: AccountChange,
    },
    /// Whether a character has this name.
    NameTaken { name: String },
    /// Ask the character factory for a character.
    Seed(Box<SeedRequest>),
    /// Delete the account's character: read it (another account's is refused), check its
    /// guild (a leader's is refused), delete it.
    DeleteCharacter { account_id: u32, character_id: u32 },
    /// The account's characters in every world.
    AllCharacters { account_id: u32 },
}

/// What a world's character list came to.
#[derive(Debug, Clone, PartialEq)]
pub enum RosterAnswer {
    /// No such world.
    UnknownWorld,
    /// The world is full (capacity status 2).
    Full,
    /// The account (re-read) and its characters there.
    Listed(Box<Account>, Roster),
}

/// What a deletion came to, when the services answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteAnswer {
    Deleted,
    /// The character is another account's (nothing was deleted).
    NotOwned,
    /// The character leads a guild (nothing was deleted).
    GuildLeader,
}

/// The answer to a [`Query`] of the same name.
#[derive(Debug)]
pub enum Answer {
    LoginAccount(Result<Box<Account>, RestError>),
    Worlds(Result<Vec<World>, RestError>),
    WorldStatus(Result<World, RestError>),
    Roster {
        world_id: u8,
        result: Result<RosterAnswer, RestError>,
    },
    Channel {
        character_id: u32,
        result: Result<Channel, RestError>,
    },
    WorldChannels {
        character_id: u32,
        result: Result<Vec<Channel>, RestError>,
    },
    NewCharacter {
        character_id: u32,
        result: Result<Box<CharacterInfo>, RestError>,
    },
    Attempt {
        kind: AttemptKind,
        success: bool,
        result: Result<AttemptResult, RestError>,
    },
    AccountChanged {
        change: AccountChange,
        result: Result<Box<Account>, RestError>,
    },
    NameTaken {
        name: String,
        result: Result<bool, RestError>,
    },
    Seeded(Result<(), RestError>),
    Deleted {
        character_id: u32,
        result: Result<DeleteAnswer, RestError>,
    },
    AllCharacters(Result<Vec<(u8, Vec<CharacterInfo>)>, RestError>),
}
