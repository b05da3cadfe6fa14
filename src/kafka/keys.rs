//! Message keys: 8 bytes, the account id as a little-endian u32 followed by four zero bytes.

/// The key of every produced message of an account (0 while a session is unbound).
pub fn account_key(account_id: u32) -> [u8; 8] {
    let mut key = [0u8; 8];
    key[..4].copy_from_slice(&account_id.to_le_bytes());
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_little_endian_u32_padded_to_eight_bytes() {
        assert_eq!(account_key(0), [0; 8]);
        assert_eq!(account_key(1), [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            account_key(0x1234_5678),
            [0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]
        );
        assert_eq!(account_key(u32::MAX), [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    }
}
