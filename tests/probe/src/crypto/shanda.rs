//! Shanda ("MapleStory custom encryption") body layer, §3.4: three rounds of two byte-wise passes.

/// Shanda-encrypts `data` in place (client send path, every region but JMS).
pub fn encrypt(data: &mut [u8]) {
    let len = data.len();
    for _ in 0..3 {
        let mut b = 0u8;
        for j in (1..=len).rev() {
            let i = len - j;
            let jb = j as u8;
            let mut c = data[i].rotate_left(3).wrapping_add(jb) ^ b;
            b = c;
            c = !b.rotate_right(u32::from(jb) % 8);
            data[i] = c.wrapping_add(0x48);
        }
        let mut b = 0u8;
        for j in (1..=len).rev() {
            let i = j - 1;
            let jb = j as u8;
            let c = data[i].rotate_left(4).wrapping_add(jb) ^ b;
            b = c;
            data[i] = (c ^ 0x13).rotate_right(3);
        }
    }
}

/// Shanda-decrypts `data` in place (client receive path, every region but JMS).
pub fn decrypt(data: &mut [u8]) {
    let len = data.len();
    for _ in 0..3 {
        let mut b = 0u8;
        for j in (1..=len).rev() {
            let i = j - 1;
            let jb = j as u8;
            let t = data[i].rotate_left(3) ^ 0x13;
            let c = (t ^ b).wrapping_sub(jb);
            b = t;
            data[i] = c.rotate_right(4);
        }
        let mut b = 0u8;
        for j in (1..=len).rev() {
            let i = len - j;
            let jb = j as u8;
            let t = (!data[i].wrapping_sub(0x48)).rotate_left(u32::from(jb) % 8);
            let c = (t ^ b).wrapping_sub(jb);
            b = t;
            data[i] = c.rotate_right(3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_matches_v2_shanda_line() {
        // §3.8 V2: plaintext → shanda
        let mut d = [0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00];
        encrypt(&mut d);
        assert_eq!(d, [0xF5, 0x5A, 0xF5, 0x3F, 0x56, 0x1A, 0x26, 0xF0]);
    }

    #[test]
    fn decrypt_inverts_encrypt_for_many_lengths() {
        for len in [0usize, 1, 2, 7, 8, 255, 256, 257, 600] {
            let orig: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let mut d = orig.clone();
            encrypt(&mut d);
            decrypt(&mut d);
            assert_eq!(d, orig, "len {len}");
        }
    }
}
