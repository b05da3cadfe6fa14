//! Little-endian packet body builder (payload after the opcode).

use crate::error::{Error, Result};

/// Growing byte buffer with the §3.7 encodings.
#[derive(Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty body.
    pub fn new() -> Self {
        Writer::default()
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// u16 LE.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// u32 LE.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// Raw bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// A u16-length-prefixed string; fails past 65535 bytes.
    pub fn string(&mut self, v: &str) -> Result<&mut Self> {
        let len = u16::try_from(v.len())
            .map_err(|_| Error::InvalidArgument(format!("string of {} bytes", v.len())))?;
        self.u16(len);
        self.buf.extend_from_slice(v.as_bytes());
        Ok(self)
    }

    /// The finished payload.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}
