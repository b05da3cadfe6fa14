//! The 4-byte packet header (§3.2): version and body length XOR-masked with the IV in effect
//! before the packet's shuffle.

/// The header of a `len`-byte body under `iv` and header version `ver`.
pub fn build_header(iv: [u8; 4], ver: u16, len: u16) -> [u8; 4] {
    let [v0, v1] = ver.to_le_bytes();
    let [l0, l1] = len.to_le_bytes();
    let h0 = iv[2] ^ v0;
    let h1 = iv[3] ^ v1;
    [h0, h1, h0 ^ l0, h1 ^ l1]
}

/// The body length a header announces (`(h0 | h1<<8) ^ (h2 | h3<<8)`).
pub fn header_length(h: [u8; 4]) -> u16 {
    u16::from_le_bytes([h[0], h[1]]) ^ u16::from_le_bytes([h[2], h[3]])
}

/// Whether a header carries version `ver` under `iv` (the check Atlas skips and `[C]` makes).
pub fn check_header(h: [u8; 4], iv: [u8; 4], ver: u16) -> bool {
    let [v0, v1] = ver.to_le_bytes();
    h[0] ^ iv[2] == v0 && h[1] ^ iv[3] == v1
}
