//! The 4-byte packet header of §3.2: version word and body length masked with the current IV.

/// Builds the header for a body of `len` bytes under `iv` (before its shuffle) and `version`.
pub fn build(iv: [u8; 4], version: u16, len: u16) -> [u8; 4] {
    let [v_lo, v_hi] = version.to_le_bytes();
    let [l_lo, l_hi] = len.to_le_bytes();
    let h0 = iv[2] ^ v_lo;
    let h1 = iv[3] ^ v_hi;
    [h0, h1, h0 ^ l_lo, h1 ^ l_hi]
}

/// The body length a header announces.
pub fn body_len(header: [u8; 4]) -> u16 {
    u16::from_le_bytes([header[0], header[1]]) ^ u16::from_le_bytes([header[2], header[3]])
}

/// The version word a header carries under `iv`; a valid header carries the peer's version.
pub fn version_word(iv: [u8; 4], header: [u8; 4]) -> u16 {
    u16::from_le_bytes([header[0] ^ iv[2], header[1] ^ iv[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_header_round_trips() {
        // §3.8 V2: server send IV 52 30 78 61, version 0xFFFF - 83, length 8
        let h = build([0x52, 0x30, 0x78, 0x61], 0xFFAC, 8);
        assert_eq!(h, [0xD4, 0x9E, 0xDC, 0x9E]);
        assert_eq!(body_len(h), 8);
        assert_eq!(version_word([0x52, 0x30, 0x78, 0x61], h), 0xFFAC);
    }
}
