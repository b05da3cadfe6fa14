//! AES layer (§3.3): AES-256 with the fixed MapleStory key in OFB mode, the body cut into a
//! 1456-byte chunk and then 1460-byte chunks, each chunk restarting the keystream from the same
//! 16-byte IV (a fresh `ofb` instance per chunk, RustCrypto `aes` + `ofb`).

use aes::Aes256;
use ofb::cipher::{InnerIvInit, KeyInit, StreamCipher, StreamCipherCoreWrapper};
use ofb::OfbCore;

use crate::gateway::maple::rules::IvExpansion;

/// The 32-byte AES-256 key (§3.3; Atlas `var key`).
const KEY: [u8; 32] = [
    0x13, 0, 0, 0, 0x08, 0, 0, 0, 0x06, 0, 0, 0, 0xB4, 0, 0, 0, 0x1B, 0, 0, 0, 0x0F, 0, 0, 0, 0x33,
    0, 0, 0, 0x52, 0, 0, 0,
];

/// First chunk size.
const FIRST_CHUNK: usize = 1456;
/// Size of every later chunk.
const NEXT_CHUNK: usize = 1460;

/// The key schedule of [`KEY`], computed once per process and shared by every session's two
/// directions (it is about half a kilobyte, and the key is the same for all of them).
fn schedule() -> &'static Aes256 {
    static SCHEDULE: std::sync::OnceLock<Aes256> = std::sync::OnceLock::new();
    SCHEDULE.get_or_init(|| Aes256::new(&KEY.into()))
}

/// The AES-OFB layer of one direction.
#[derive(Clone)]
pub(crate) struct AesOfb {
    aes: &'static Aes256,
    expansion: IvExpansion,
}

impl std::fmt::Debug for AesOfb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AesOfb")
            .field("expansion", &self.expansion)
            .finish_non_exhaustive()
    }
}

impl AesOfb {
    /// The layer for a version's IV expansion.
    pub(crate) fn new(expansion: IvExpansion) -> Self {
        Self {
            aes: schedule(),
            expansion,
        }
    }

    /// XORs `data` with the chunked keystream of `iv` (encrypt and decrypt are the same).
    pub(crate) fn apply(&self, iv: [u8; 4], data: &mut [u8]) {
        let iv16 = expand_iv(iv, self.expansion);
        let (first, rest) = data.split_at_mut(data.len().min(FIRST_CHUNK));
        self.apply_chunk(&iv16, first);
        for chunk in rest.chunks_mut(NEXT_CHUNK) {
            self.apply_chunk(&iv16, chunk);
        }
    }

    fn apply_chunk(&self, iv16: &[u8; 16], chunk: &mut [u8]) {
        let core = OfbCore::inner_iv_init(self.aes, &(*iv16).into());
        StreamCipherCoreWrapper::from_core(core).apply_keystream(chunk);
    }
}

/// The 16-byte OFB IV of a 4-byte packet IV.
pub(crate) fn expand_iv(iv: [u8; 4], expansion: IvExpansion) -> [u8; 16] {
    match expansion {
        IvExpansion::FirstByte => [iv[0]; 16],
        IvExpansion::Repeat => {
            let mut out = [0u8; 16];
            for (i, b) in out.iter_mut().enumerate() {
                *b = iv[i % 4];
            }
            out
        }
    }
}
