//! Framing crypto of §3: one [`FrameCipher`] per direction (header, Shanda, chunked AES-OFB, shuffle).

mod aes_ofb;
mod header;
mod shanda;
mod shuffle;

pub use aes_ofb::{IvExpansion, FIRST_CHUNK, LATER_CHUNK};
pub use header::{body_len, build as build_header, version_word};
pub use shuffle::shuffle;

use crate::error::{Error, Result};

/// Cipher state of one direction of a session: the current 4-byte IV and the fixed rules.
///
/// The client sends with (hello IV @7, version `major`) and receives with
/// (hello IV @11, version `0xFFFF - major`); a test server uses the same type in reverse roles.
#[derive(Debug, Clone)]
pub struct FrameCipher {
    iv: [u8; 4],
    version: u16,
    expansion: IvExpansion,
    shanda: bool,
}

impl FrameCipher {
    /// A direction state seeded with `iv`, writing/expecting `version` in headers.
    pub fn new(iv: [u8; 4], version: u16, expansion: IvExpansion, shanda: bool) -> Self {
        FrameCipher {
            iv,
            version,
            expansion,
            shanda,
        }
    }

    /// The IV the next packet will use.
    pub fn iv(&self) -> [u8; 4] {
        self.iv
    }

    /// The header version word of this direction.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Encrypts `body` (opcode + payload) into `header ++ ciphertext` and advances the IV (§3.6).
    pub fn seal(&mut self, body: &[u8]) -> Result<Vec<u8>> {
        let len = u16::try_from(body.len()).map_err(|_| {
            Error::InvalidArgument(format!("body of {} bytes exceeds 65535", body.len()))
        })?;
        let mut frame = Vec::with_capacity(4 + body.len());
        frame.extend_from_slice(&header::build(self.iv, self.version, len));
        let mut data = body.to_vec();
        if self.shanda {
            shanda::encrypt(&mut data);
        }
        aes_ofb::apply(self.expansion.expand(self.iv), &mut data);
        frame.extend_from_slice(&data);
        self.iv = shuffle::shuffle(self.iv);
        Ok(frame)
    }

    /// Checks that `header` carries this direction's version under the current IV and returns
    /// the announced body length.
    pub fn check_header(&self, header: [u8; 4]) -> Result<usize> {
        let got = header::version_word(self.iv, header);
        if got != self.version {
            return Err(Error::BadHeader {
                header,
                got,
                expected: self.version,
            });
        }
        Ok(usize::from(header::body_len(header)))
    }

    /// Decrypts a body in place (AES, then Shanda) and advances the IV (§3.6).
    pub fn open(&mut self, body: &mut [u8]) {
        aes_ofb::apply(self.expansion.expand(self.iv), body);
        if self.shanda {
            shanda::decrypt(body);
        }
        self.iv = shuffle::shuffle(self.iv);
    }
}
