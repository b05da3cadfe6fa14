//! Client → server framing: a `tokio_util` [`Decoder`] that reads the 4-byte header, validates
//! it against the receive IV (Atlas does not; §1.2, §3.2), bounds the body length, waits for
//! the whole body (never a short frame, §9 #1) and decrypts it in place.

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::Decoder;

use super::crypto::RecvCipher;
use super::rules::OpcodeWidth;

/// Default bound on a C→S body: no login-server request comes near it.
pub const DEFAULT_MAX_BODY_LEN: usize = 8192;

/// Why the byte stream cannot be framed; every variant ends the connection.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The header does not carry the expected version under the current IV.
    #[error("bad packet header {header:02x?}")]
    BadHeader {
        /// The four header bytes.
        header: [u8; 4],
    },
    /// The header announces a body longer than the configured maximum.
    #[error("packet body of {len} bytes exceeds the maximum of {max}")]
    TooLong {
        /// Announced body length.
        len: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The underlying stream failed (or ended inside a frame).
    #[error("socket read failed: {0}")]
    Io(#[from] io::Error),
}

/// One decrypted C→S packet: opcode + payload. `Debug` shows the opcode and length only (a
/// login body carries the password).
#[derive(Clone, PartialEq, Eq)]
pub struct Packet {
    bytes: Bytes,
    width: OpcodeWidth,
}

impl Packet {
    /// Wraps a decrypted body.
    pub fn new(bytes: Bytes, width: OpcodeWidth) -> Self {
        Self { bytes, width }
    }

    /// The opcode, or `None` when the body is shorter than the opcode width.
    pub fn opcode(&self) -> Option<u16> {
        match self.width {
            OpcodeWidth::U8 => self.bytes.first().map(|b| u16::from(*b)),
            OpcodeWidth::U16 => match *self.bytes {
                [lo, hi, ..] => Some(u16::from_le_bytes([lo, hi])),
                _ => None,
            },
        }
    }

    /// The payload after the opcode (empty when there is none).
    pub fn body(&self) -> &[u8] {
        let skip = match self.width {
            OpcodeWidth::U8 => 1,
            OpcodeWidth::U16 => 2,
        };
        self.bytes.get(skip..).unwrap_or_default()
    }

    /// The whole decrypted body, opcode included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The whole decrypted body, owned.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }
}

impl std::fmt::Debug for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packet")
            .field("opcode", &self.opcode())
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Frames and decrypts C→S packets; owns the connection's [`RecvCipher`].
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    cipher: RecvCipher,
    max_body_len: usize,
}

impl FrameDecoder {
    /// A decoder with [`DEFAULT_MAX_BODY_LEN`].
    pub fn new(cipher: RecvCipher) -> Self {
        Self::with_max_body_len(cipher, DEFAULT_MAX_BODY_LEN)
    }

    /// A decoder rejecting bodies longer than `max_body_len`.
    pub fn with_max_body_len(cipher: RecvCipher, max_body_len: usize) -> Self {
        Self {
            cipher,
            max_body_len,
        }
    }

    /// The receive state (its IV is the one the next frame must use).
    pub fn cipher(&self) -> &RecvCipher {
        &self.cipher
    }
}

impl Decoder for FrameDecoder {
    type Item = Packet;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Packet>, FrameError> {
        let Some(&[h0, h1, h2, h3]) = src.get(..4) else {
            src.reserve(4);
            return Ok(None);
        };
        let header = [h0, h1, h2, h3];
        let len = usize::from(
            self.cipher
                .check(header)
                .ok_or(FrameError::BadHeader { header })?,
        );
        if len > self.max_body_len {
            return Err(FrameError::TooLong {
                len,
                max: self.max_body_len,
            });
        }
        if src.len() < 4 + len {
            src.reserve(4 + len - src.len());
            return Ok(None);
        }
        let mut frame = src.split_to(4 + len);
        frame.advance(4);
        self.cipher.decrypt(&mut frame);
        Ok(Some(Packet::new(
            frame.freeze(),
            self.cipher.opcode_width(),
        )))
    }
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
