//! # maple_client — an independent MapleStory login-protocol client
//!
//! Speaks the login server's encrypted binary protocol as a game client would, written from
//! `maple-protocol.md` alone (it shares no code with the server's codec).
//!
//! # Layout
//! * `version`, `profile`, `opcodes` — the per-version rules (crypto, field presence, opcodes) as data.
//! * `crypto` — header, Shanda, chunked AES-OFB, IV shuffle; one `FrameCipher` per direction.
//! * `wire` — strict little-endian reader and writer.
//! * `hello` — the raw hello.
//! * `packets` — builders for what the client sends, parsers for what it receives.
//! * `transport` — socket I/O with deadlines and frame reassembly.
//! * `client` — [`Client`]: connect, raw send/receive, typed login steps.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use maple_client::{Client, LoginOutcome, ServerIp, Version};
//!
//! # async fn probe() -> maple_client::Result<()> {
//! let version: Version = "GMS/83/1".parse()?;
//! let (mut client, _hello) =
//!     Client::connect("127.0.0.1:8300", version, Duration::from_secs(5)).await?;
//! client.set_auto_pong(true);
//! let LoginOutcome::Success(auth) = client.login("admin", "admin", [0; 16]).await? else {
//!     panic!("login refused");
//! };
//! let worlds = client.server_list().await?;
//! let list = client.character_list(worlds.worlds[0].id, 0).await?;
//! if let Some(first) = list.characters.first() {
//!     let ip = client.select_character_with_pic(first.stats.id, "1234").await?;
//!     assert!(matches!(ip, ServerIp::Channel { .. }), "{ip:?} for account {}", auth.account_id);
//! }
//! # Ok(())
//! # }
//! ```

mod client;
pub mod crypto;
mod error;
mod hello;
mod opcodes;
pub mod packets;
mod profile;
mod transport;
mod version;
mod wire;

pub use client::{Client, Packet, MIN_REPLY_TIMEOUT};
pub use error::{Error, Result};
pub use hello::Hello;
pub use opcodes::{ClientOpcodes, ServerOpcodes};
pub use packets::{
    AuthSuccess, AvatarLook, Balloon, Channel, CharacterEntry, CharacterList, CharacterStats,
    CreateOutcome, DeleteOutcome, GenderResult, LoginOutcome, NameCheck, NewCharacter, PinReply,
    Rank, Recommendation, ServerIp, ServerList, Sp, ViewAll, ViewAllWorld, World,
};
pub use profile::Profile;
pub use version::Version;
