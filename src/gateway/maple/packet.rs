//! Wire primitives (§3.7): a [`Writer`] appending little-endian fields to a `Vec<u8>` and a
//! strict, panic-free [`Reader`] over a packet body.
//!
//! Reader policy: a read past the end is a [`ReadError`] (a truncated request is malformed;
//! Atlas instead reads zeros, §1.2), bytes left after the last field are ignored (clients may
//! send more than a version's reader knows). Strings are kept as raw bytes: Atlas transcodes
//! Shift-JIS, this library does not (no Shift-JIS dependency); callers needing text use the
//! lossy UTF-8 helpers, which are exact for ASCII.

use super::rules::OpcodeWidth;

/// FILETIME of 1970-01-01 (100 ns ticks since 1601-01-01).
pub const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

/// Far-future FILETIME used for permanent bans: 2079-01-01, bytes `00 80 05 BB 46 E6 17 02`
/// (`[C]`'s `DEFAULT_TIME`, §14.1).
pub const FILETIME_FAR_FUTURE: u64 = 150_842_304_000_000_000;

/// Converts Unix seconds to a FILETIME (`unix·10⁷ + epoch`, as `[H]`'s `msTime`), saturating.
pub fn filetime_from_unix_secs(secs: i64) -> u64 {
    let ticks = i128::from(secs) * 10_000_000 + i128::from(FILETIME_UNIX_EPOCH);
    u64::try_from(ticks.max(0)).unwrap_or(u64::MAX)
}

/// Appends packet fields to a buffer; every method is infallible and returns `&mut Self`.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    width: OpcodeWidth,
}

impl<'a> Writer<'a> {
    /// A writer appending to `buf`; `width` decides how [`Writer::opcode`] encodes.
    pub fn new(buf: &'a mut Vec<u8>, width: OpcodeWidth) -> Self {
        Self { buf, width }
    }

    /// The opcode in the version's width (a u8-width opcode keeps its low byte; table opcodes
    /// for such versions are checked to fit when the table is built).
    pub fn opcode(&mut self, op: u16) -> &mut Self {
        match self.width {
            OpcodeWidth::U8 => self.u8(op.to_le_bytes()[0]),
            OpcodeWidth::U16 => self.u16(op),
        }
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// u16 LE.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// u32 LE.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// u64 LE.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// i16 LE.
    pub fn i16(&mut self, v: i16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// i32 LE.
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// Bool as one byte 0/1.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }

    /// Raw bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// `n` zero bytes.
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.buf.resize(self.buf.len() + n, 0);
        self
    }

    /// String: u16 LE byte length + bytes (at most 0xFFFF bytes are written; such a packet is
    /// too long to send anyway).
    pub fn str_bytes(&mut self, v: &[u8]) -> &mut Self {
        let v = v.get(..usize::from(u16::MAX)).unwrap_or(v);
        self.u16(u16::try_from(v.len()).unwrap_or(u16::MAX))
            .bytes(v)
    }

    /// String of UTF-8 text (ASCII in practice, §3.7).
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.str_bytes(v.as_bytes())
    }

    /// Fixed-width field: `v` truncated to `width` bytes, NUL-padded.
    pub fn padded(&mut self, v: &[u8], width: usize) -> &mut Self {
        let v = v.get(..width).unwrap_or(v);
        self.bytes(v).zeros(width - v.len())
    }

    /// Character name in stats: 13 raw bytes, NUL-padded, truncated (§3.7).
    pub fn name13(&mut self, v: &str) -> &mut Self {
        self.padded(v.as_bytes(), 13)
    }

    /// FILETIME (u64 LE of 100 ns ticks since 1601).
    pub fn filetime(&mut self, v: u64) -> &mut Self {
        self.u64(v)
    }
}

/// Why a request body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The body ends before the field being read.
    #[error("packet truncated: {needed} bytes needed at offset {offset}, {remaining} left")]
    Truncated {
        /// Offset of the field in the body.
        offset: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left.
        remaining: usize,
    },
    /// A string length prefix of 0x8000 or more (negative as Atlas's int16).
    #[error("string length {len:#06x} at offset {offset} is out of range")]
    StringLength {
        /// Offset of the length prefix.
        offset: usize,
        /// The prefix value.
        len: u16,
    },
}

/// Reads fields from a body; never panics, errors past the end, ignores trailing bytes.
/// `Debug` shows offsets only (bodies may carry secrets).
#[derive(Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Current offset.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// `n` raw bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let end = self.pos.checked_add(n);
        let slice = end.and_then(|end| self.buf.get(self.pos..end));
        let slice = slice.ok_or(ReadError::Truncated {
            offset: self.pos,
            needed: n,
            remaining: self.remaining(),
        })?;
        self.pos += n;
        Ok(slice)
    }

    /// A fixed-size array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, ReadError> {
        Ok(u8::from_le_bytes(self.array()?))
    }

    /// u16 LE.
    pub fn u16(&mut self) -> Result<u16, ReadError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// u32 LE.
    pub fn u32(&mut self) -> Result<u32, ReadError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// u64 LE.
    pub fn u64(&mut self) -> Result<u64, ReadError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// i16 LE.
    pub fn i16(&mut self) -> Result<i16, ReadError> {
        Ok(i16::from_le_bytes(self.array()?))
    }

    /// i32 LE.
    pub fn i32(&mut self) -> Result<i32, ReadError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// Bool: any non-zero byte is true.
    pub fn bool(&mut self) -> Result<bool, ReadError> {
        Ok(self.u8()? != 0)
    }

    /// String bytes: u16 LE length (< 0x8000) + bytes.
    pub fn str(&mut self) -> Result<&'a [u8], ReadError> {
        let offset = self.pos;
        let len = self.u16()?;
        if len >= 0x8000 {
            self.pos = offset;
            return Err(ReadError::StringLength { offset, len });
        }
        self.bytes(usize::from(len))
    }

    /// String bytes, owned.
    pub fn str_vec(&mut self) -> Result<Vec<u8>, ReadError> {
        self.str().map(<[u8]>::to_vec)
    }
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("pos", &self.pos)
            .field("len", &self.buf.len())
            .finish()
    }
}

/// Lossy UTF-8 view of wire string bytes (exact for ASCII).
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
#[path = "packet_tests.rs"]
mod tests;
