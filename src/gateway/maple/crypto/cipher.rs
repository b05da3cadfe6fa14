//! Per-direction cipher state (§3.1, §3.6): a 4-byte IV, the header version and the version's
//! layers; each packet is sealed or opened and the IV shuffled afterwards.

use super::{aes_ofb::AesOfb, build_header, check_header, header_length, shanda, shuffle_iv};
use crate::gateway::maple::packet::Writer;
use crate::gateway::maple::rules::{OpcodeWidth, Rules};

/// A body longer than a header can announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("packet body of {len} bytes exceeds the 65535-byte frame limit")]
pub struct PacketTooLong {
    /// The body length that was written.
    pub len: usize,
}

/// The layers and IV shared by both directions.
#[derive(Debug, Clone)]
struct State {
    iv: [u8; 4],
    ver: u16,
    shanda: bool,
    width: OpcodeWidth,
    aes: AesOfb,
}

impl State {
    fn new(rules: &Rules, iv: [u8; 4], ver: u16) -> Self {
        Self {
            iv,
            ver,
            shanda: rules.shanda,
            width: rules.opcode_width,
            aes: AesOfb::new(rules.iv_expansion),
        }
    }

    fn seal(&mut self, body: &mut [u8]) {
        if self.shanda {
            shanda::encrypt(body);
        }
        self.aes.apply(self.iv, body);
        self.iv = shuffle_iv(self.iv);
    }

    fn open(&mut self, body: &mut [u8]) {
        self.aes.apply(self.iv, body);
        if self.shanda {
            shanda::decrypt(body);
        }
        self.iv = shuffle_iv(self.iv);
    }
}

/// Server → client state: seeded with the hello's send IV (offset 11), header version
/// `0xFFFF - major`.
#[derive(Debug, Clone)]
pub struct SendCipher(State);

impl SendCipher {
    /// The server's send state for a connection.
    pub fn new(rules: &Rules, send_iv: [u8; 4]) -> Self {
        Self::with_header_version(rules, send_iv, 0xFFFF - rules.version.major)
    }

    /// A send state with an explicit header version (a test client sends with `major`).
    pub fn with_header_version(rules: &Rules, iv: [u8; 4], ver: u16) -> Self {
        Self(State::new(rules, iv, ver))
    }

    /// The IV the next packet uses.
    pub fn iv(&self) -> [u8; 4] {
        self.0.iv
    }

    /// Appends one encrypted frame to `out`: reserves the header, lets `body` write the opcode
    /// and payload in place, encrypts that region in place and fills the header. On a body
    /// over 65535 bytes `out` is restored, the IV is not advanced and an error is returned.
    /// Returns the frame length (header included).
    pub fn write_packet(
        &mut self,
        out: &mut Vec<u8>,
        body: impl FnOnce(&mut Writer<'_>),
    ) -> Result<usize, PacketTooLong> {
        let start = out.len();
        out.extend_from_slice(&[0; 4]);
        body(&mut Writer::new(out, self.0.width));
        let len = out.len() - start - 4;
        let Ok(len16) = u16::try_from(len) else {
            out.truncate(start);
            return Err(PacketTooLong { len });
        };
        self.seal_frame(&mut out[start..], len16);
        Ok(len + 4)
    }

    /// Encrypts an already-laid-out frame: 4 header bytes then `len` body bytes.
    fn seal_frame(&mut self, frame: &mut [u8], len: u16) {
        let header = build_header(self.0.iv, self.0.ver, len);
        let (head, body) = frame.split_at_mut(4);
        head.copy_from_slice(&header);
        self.0.seal(body);
    }
}

/// Client → server state: seeded with the hello's recv IV (offset 7), header version `major`.
#[derive(Debug, Clone)]
pub struct RecvCipher(State);

impl RecvCipher {
    /// The server's receive state for a connection.
    pub fn new(rules: &Rules, recv_iv: [u8; 4]) -> Self {
        Self::with_header_version(rules, recv_iv, rules.version.major)
    }

    /// A receive state with an explicit header version (a test client expects `0xFFFF - major`).
    pub fn with_header_version(rules: &Rules, iv: [u8; 4], ver: u16) -> Self {
        Self(State::new(rules, iv, ver))
    }

    /// The IV the next packet uses.
    pub fn iv(&self) -> [u8; 4] {
        self.0.iv
    }

    /// The body length of a header if it passes the version check under the current IV.
    pub fn check(&self, header: [u8; 4]) -> Option<u16> {
        check_header(header, self.0.iv, self.0.ver).then(|| header_length(header))
    }

    /// Decrypts one body in place and advances the IV.
    pub fn decrypt(&mut self, body: &mut [u8]) {
        self.0.open(body);
    }

    /// The opcode width of the version (for splitting decrypted bodies).
    pub fn opcode_width(&self) -> OpcodeWidth {
        self.0.width
    }
}
