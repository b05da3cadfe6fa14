//! The handshake (§2): the raw, unencrypted packet sent on accept, carrying the version and both
//! IVs. Its bytes 7..11 are the server's *receive* IV (what the client encrypts with) and
//! bytes 11..15 the server's *send* IV (§13 trap 1).

use super::packet::Writer;
use super::rules::{OpcodeWidth, Rules};

/// Longest hello: 15 fixed bytes + a 5-digit minor string.
const MAX_HELLO: usize = 20;

/// A built hello; derefs to its bytes (16 for a one-digit minor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    buf: [u8; MAX_HELLO],
    len: usize,
}

impl Hello {
    /// The bytes to write to the socket.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

impl std::ops::Deref for Hello {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Hello {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Builds the hello: `u16 len | u16 major | str minor | recv_iv | send_iv | u8 locale`.
///
/// `recv_iv` seeds [`super::RecvCipher`] and `send_iv` [`super::SendCipher`]; the caller picks
/// both at random per connection. The leading u16 is the number of bytes after it: 0x000E for
/// every one-digit minor, exactly as Atlas; Atlas hard-codes 0x000E even for longer minors
/// (§2, §9 #16), this writes the true count instead.
pub fn hello(rules: &Rules, recv_iv: [u8; 4], send_iv: [u8; 4]) -> Hello {
    let minor = rules.version.minor.to_string();
    let mut bytes = Vec::with_capacity(MAX_HELLO);
    Writer::new(&mut bytes, OpcodeWidth::U16)
        .u16(13 + u16::try_from(minor.len()).unwrap_or(5))
        .u16(rules.version.major)
        .str(&minor)
        .bytes(&recv_iv)
        .bytes(&send_iv)
        .u8(rules.locale);
    let mut buf = [0u8; MAX_HELLO];
    for (dst, src) in buf.iter_mut().zip(&bytes) {
        *dst = *src;
    }
    Hello {
        buf,
        len: bytes.len().min(MAX_HELLO),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::maple::version::{Region, Version};

    #[test]
    fn two_digit_minor_gets_its_true_length() {
        let rules = Rules::derive(Version::new(Region::Gms, 83, 12));
        let h = hello(&rules, [1, 2, 3, 4], [5, 6, 7, 8]);
        assert_eq!(h.len(), 17);
        assert_eq!(&h[..9], &[0x0F, 0, 0x53, 0, 2, 0, b'1', b'2', 1]);
    }
}
