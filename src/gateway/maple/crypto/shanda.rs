//! Shanda layer (§3.4, "MapleStory custom encryption"): three rounds of a forward and a
//! backward byte pass; every region but JMS.

/// Encrypts `d` in place. Never inlined: inlined into the frame sealing it compiles to a
/// longer loop (measured: the send path at 1.26-1.80x of its two cipher layers inlined,
/// 0.99-1.02x not; BENCHMARKS.md).
#[inline(never)]
pub fn encrypt(d: &mut [u8]) {
    for _ in 0..3 {
        forward_encrypt(d);
        backward_encrypt(d);
    }
}

/// Decrypts `d` in place (never inlined, as [`encrypt`]).
#[inline(never)]
pub fn decrypt(d: &mut [u8]) {
    for _ in 0..3 {
        backward_decrypt(d);
        forward_decrypt(d);
    }
}

/// The length counter `j` for position `i` of a forward pass: `L - i`, wrapping to a byte.
fn counter(len: usize, i: usize) -> u8 {
    (len - i).to_le_bytes()[0]
}

fn forward_encrypt(d: &mut [u8]) {
    let len = d.len();
    let mut b = 0u8;
    for (i, x) in d.iter_mut().enumerate() {
        let j = counter(len, i);
        let c = (x.rotate_left(3).wrapping_add(j)) ^ b;
        b = c;
        *x = (!c.rotate_right(u32::from(j) % 8)).wrapping_add(0x48);
    }
}

fn backward_encrypt(d: &mut [u8]) {
    let len = d.len();
    let mut b = 0u8;
    for (k, x) in d.iter_mut().rev().enumerate() {
        let j = counter(len, k);
        let c = (x.rotate_left(4).wrapping_add(j)) ^ b;
        b = c;
        *x = (c ^ 0x13).rotate_right(3);
    }
}

fn backward_decrypt(d: &mut [u8]) {
    let len = d.len();
    let mut b = 0u8;
    for (k, x) in d.iter_mut().rev().enumerate() {
        let j = counter(len, k);
        let t = x.rotate_left(3) ^ 0x13;
        *x = ((t ^ b).wrapping_sub(j)).rotate_right(4);
        b = t;
    }
}

fn forward_decrypt(d: &mut [u8]) {
    let len = d.len();
    let mut b = 0u8;
    for (i, x) in d.iter_mut().enumerate() {
        let j = counter(len, i);
        let t = (!x.wrapping_sub(0x48)).rotate_left(u32::from(j) % 8);
        *x = ((t ^ b).wrapping_sub(j)).rotate_right(3);
        b = t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanda_matches_the_v2_vector() {
        let mut d = [0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00];
        encrypt(&mut d);
        assert_eq!(d, [0xF5, 0x5A, 0xF5, 0x3F, 0x56, 0x1A, 0x26, 0xF0]);
        decrypt(&mut d);
        assert_eq!(d, [0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn shanda_round_trips_lengths_across_the_byte_counter_wrap() {
        for len in [0usize, 1, 2, 255, 256, 257, 600] {
            let orig: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut d = orig.clone();
            encrypt(&mut d);
            decrypt(&mut d);
            assert_eq!(d, orig, "len {len}");
        }
    }
}
