//! # MapleStory game socket codec (server side)
//!
//! Pure functions and small cipher states for the encrypted binary protocol of
//! `maple-protocol.md`; no I/O, sessions, logging or configuration fetching.
//!
//! Layout:
//! - `version`, `rules`: a tenant's [`Version`] and the [`Rules`] value every other box consults
//!   for the per-version differences (§8, §14).
//! - `crypto`: header, AES-256-OFB per chunk, Shanda, IV shuffle, and the per-direction
//!   [`SendCipher`] / [`RecvCipher`] (§3).
//! - `hello`: the raw handshake (§2).
//! - `frame`: the C→S [`FrameDecoder`] (`tokio_util` codec) yielding [`Packet`]s.
//! - `packet`: [`Writer`] / [`Reader`] primitives (§3.7).
//! - `opcodes`: built-in and configured [`OpcodeTable`]s (§4, §8).
//! - [`requests`]: C→S readers (§5.1). [`responses`]: S→C writers (§5.2).
//! - `model`: the view structs the writers take.
//!
//! The session side: `socket` (a tenant's [`Setup`] and one connection: hello, ciphers, the
//! partial-frame timeout), `decode` (a packet → a session request, its validator → a guard),
//! `encode` (a session output → packets), `views` (Atlas's resources → the view structs).
//!
//! A connection: `let rules = Rules::for_version(v)?;` pick two random IVs, send
//! `hello(&rules, recv_iv, send_iv)`, then frame reads with
//! `FrameDecoder::new(RecvCipher::new(&rules, recv_iv))` and write packets with
//! `SendCipher::new(&rules, send_iv).write_packet(&mut out, |w| { w.opcode(op); … })`.

mod crypto;
mod decode;
mod encode;
mod frame;
mod hello;
mod model;
mod opcodes;
mod packet;
pub mod requests;
pub mod responses;
mod rules;
mod shapes;
mod socket;
mod version;
mod views;

#[cfg(test)]
mod test_util;

#[cfg(test)]
#[path = "flow_tests.rs"]
mod flow_tests;

pub use crypto::{
    build_header, check_header, header_length, shuffle_iv, PacketTooLong, RecvCipher, SendCipher,
};
#[cfg(feature = "bench-internals")]
pub use crypto::{shanda_decrypt, shanda_encrypt};
pub use frame::{FrameDecoder, FrameError, Packet, DEFAULT_MAX_BODY_LEN};
pub use hello::{hello, Hello};
pub use model::{
    AccountView, BalloonView, ChannelView, CharacterView, EquipSlot, EquipmentView, PicFlag,
    RankView, WorldView,
};
pub use opcodes::{
    parse_go_uint16, CodeMap, ConfigError, ConfigWarning, Handler, HandlerEntry, OpcodeTable,
    Validator, WriterEntry, WriterKind, CODES, FAILED_REASON_CODES, MODES,
};
pub use packet::{
    filetime_from_unix_secs, lossy, ReadError, Reader, Writer, FILETIME_FAR_FUTURE,
    FILETIME_UNIX_EPOCH,
};
pub use rules::{
    AuthSuccessShape, CreateShape, DeleteShape, EntryShape, ExtendSp, GmsAuthSuccess, IvExpansion,
    ListShape, OpcodeWidth, Rules, ServerListShape, StatShape, StatTail,
};
pub use socket::{connection, Setup, SetupError, MAX_BODY, PARTIAL_FRAME_TIMEOUT};
pub use version::{Region, SupportedList, Version, VersionError};
