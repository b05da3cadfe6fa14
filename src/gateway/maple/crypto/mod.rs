//! The packet crypto of §3: header, AES-256-OFB per chunk, Shanda, IV shuffle, and the two
//! per-connection direction objects ([`SendCipher`], [`RecvCipher`]) that combine them in the
//! order of §3.6.

mod aes_ofb;
mod cipher;
mod header;
mod shanda;
mod shuffle;

pub use cipher::{PacketTooLong, RecvCipher, SendCipher};
pub use header::{build_header, check_header, header_length};
/// The Shanda layer alone, for the codec's criterion benchmark.
#[cfg(feature = "bench-internals")]
pub use shanda::{decrypt as shanda_decrypt, encrypt as shanda_encrypt};
pub use shuffle::shuffle_iv;

#[cfg(test)]
#[path = "vectors_tests.rs"]
mod vectors_tests;
