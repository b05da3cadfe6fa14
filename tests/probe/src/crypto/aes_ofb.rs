//! AES-256-OFB body layer with the per-chunk keystream restart of §3.3 (block function from `aes`).

use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use aes::Aes256;

/// The fixed AES-256 key of §3.3.
const KEY: [u8; 32] = [
    0x13, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0xB4, 0x00, 0x00, 0x00,
    0x1B, 0x00, 0x00, 0x00, 0x0F, 0x00, 0x00, 0x00, 0x33, 0x00, 0x00, 0x00, 0x52, 0x00, 0x00, 0x00,
];

/// Size of the first chunk of a body.
pub const FIRST_CHUNK: usize = 1456;
/// Size of every later chunk.
pub const LATER_CHUNK: usize = 1460;

/// How a 4-byte packet IV becomes the 16-byte AES IV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IvExpansion {
    /// The 4 bytes repeated four times (every version but GMS ≤ 12).
    Repeat4,
    /// `iv[0]` repeated sixteen times (GMS ≤ 12).
    FirstByte,
}

impl IvExpansion {
    /// Expands a 4-byte IV to the 16-byte OFB IV.
    pub fn expand(self, iv: [u8; 4]) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            *b = match self {
                IvExpansion::Repeat4 => iv[i % 4],
                IvExpansion::FirstByte => iv[0],
            };
        }
        out
    }
}

/// XORs `data` with the OFB keystream of `iv16`, restarting the keystream at every chunk.
/// OFB is symmetric, so this both encrypts and decrypts.
pub fn apply(iv16: [u8; 16], data: &mut [u8]) {
    let cipher = Aes256::new(&Array::from(KEY));
    let mut start = 0;
    let mut chunk = FIRST_CHUNK;
    while start < data.len() {
        let end = data.len().min(start + chunk);
        xor_keystream(&cipher, iv16, &mut data[start..end]);
        start = end;
        chunk = LATER_CHUNK;
    }
}

/// One OFB run over one chunk: keystream E(iv), E(E(iv)), … XORed in.
fn xor_keystream(cipher: &Aes256, iv16: [u8; 16], chunk: &mut [u8]) {
    let mut block = Array::from(iv16);
    for part in chunk.chunks_mut(16) {
        cipher.encrypt_block(&mut block);
        for (b, k) in part.iter_mut().zip(block.iter()) {
            *b ^= k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_expansion_fills_sixteen() {
        assert_eq!(IvExpansion::FirstByte.expand([0x52, 1, 2, 3]), [0x52; 16]);
    }

    #[test]
    fn repeat_expansion_repeats_four_times() {
        let iv = IvExpansion::Repeat4.expand([1, 2, 3, 4]);
        assert_eq!(&iv[..8], &[1, 2, 3, 4, 1, 2, 3, 4]);
        assert_eq!(&iv[12..], &[1, 2, 3, 4]);
    }

    #[test]
    fn keystream_restarts_at_chunk_borders() {
        let iv = IvExpansion::Repeat4.expand([0x52, 0x30, 0x78, 0x61]);
        let mut zeros = vec![0u8; 3000];
        apply(iv, &mut zeros);
        assert_eq!(zeros[..16], zeros[FIRST_CHUNK..FIRST_CHUNK + 16]);
        let third = FIRST_CHUNK + LATER_CHUNK;
        assert_eq!(zeros[..16], zeros[third..third + 16]);
        assert_ne!(zeros[..16], zeros[16..32]);
    }
}
