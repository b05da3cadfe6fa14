//! Strict little-endian reader: every short read is an error naming packet, field and offset.

use crate::error::{Error, Result};

/// Cursor over a packet body (after the opcode).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    packet: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, which belongs to the packet named `packet`.
    pub fn new(packet: &'static str, buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            packet,
        }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// An error at the current offset.
    pub fn error(&self, detail: impl Into<String>) -> Error {
        Error::malformed(self.packet, self.pos, detail)
    }

    /// Takes `n` bytes or fails naming `field`.
    pub fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.error(format!(
                "need {n} bytes for `{field}`, {} left",
                self.remaining()
            )));
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// A fixed-size byte array.
    pub fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.array::<1>(field)?[0])
    }

    /// A bool byte (non-zero = true).
    pub fn bool(&mut self, field: &str) -> Result<bool> {
        Ok(self.u8(field)? != 0)
    }

    /// u16 LE.
    pub fn u16(&mut self, field: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    /// i16 LE.
    pub fn i16(&mut self, field: &str) -> Result<i16> {
        Ok(i16::from_le_bytes(self.array(field)?))
    }

    /// u32 LE.
    pub fn u32(&mut self, field: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    /// u64 LE.
    pub fn u64(&mut self, field: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A u16-length-prefixed string (bytes decoded as UTF-8, lossily; ASCII is exact).
    pub fn string(&mut self, field: &str) -> Result<String> {
        let len = usize::from(self.u16(field)?);
        let bytes = self.take(len, field)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    /// A fixed-width NUL-padded string (the 13-byte character name).
    pub fn padded_string(&mut self, width: usize, field: &str) -> Result<String> {
        let bytes = self.take(width, field)?;
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(width);
        Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
    }

    /// Ends the packet: trailing bytes mean the layout was not the one the client expects.
    pub fn finish(self) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(format!("{n} trailing bytes"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_read_names_packet_field_and_offset() {
        let mut r = Reader::new("Demo", &[1, 2, 3]);
        assert_eq!(r.u16("a").unwrap(), 0x0201);
        let err = r.u32("b").unwrap_err().to_string();
        assert_eq!(
            err,
            "malformed Demo: need 4 bytes for `b`, 1 left at offset 2"
        );
    }

    #[test]
    fn strings_and_trailing_bytes() {
        let mut r = Reader::new("Demo", &[2, 0, b'h', b'i', b'x', 0, 0, 9]);
        assert_eq!(r.string("s").unwrap(), "hi");
        assert_eq!(r.padded_string(3, "p").unwrap(), "x");
        assert!(r.finish().is_err());
    }

    #[test]
    fn string_longer_than_body_is_an_error() {
        let mut r = Reader::new("Demo", &[0xFF, 0x7F, b'a']);
        assert!(r.string("s").is_err());
    }
}
