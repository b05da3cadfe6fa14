//! The game socket's C→S frame decoder (`gateway::maple::FrameDecoder`), fed frames a client
//! would send followed by any bytes, cut at any points.
//!
//! Checks: it never panics; every decoded packet's length is within the configured bound and
//! its opcode/body split matches the version's opcode width; the packets and the final outcome
//! (waiting, or which error) do not depend on where the stream is cut; and frames built by the
//! send path in the client direction (`SendCipher::with_header_version(rules, iv, major)`, the
//! header version a client sends) come out exactly, in order, up to the first body over the
//! bound, which is refused as `TooLong`. A body over 65535 bytes is refused by the send path
//! (`PacketTooLong`) with the buffer and the IV left as they were.
//!
//! Input layout (missing bytes read as 0):
//! - byte 0: the version, index mod 6 into GMS 83 (0), GMS 12, GMS 87, GMS 92, GMS 95, JMS 185;
//! - bytes 1-4: the IV of both ends;
//! - one byte for the bound: 0 → `DEFAULT_MAX_BODY_LEN`, 1 → 65535, else a u16 LE that follows;
//! - one byte for the cuts (low 2 bits: pieces of 1-3, 1-64 or 1-1500 bytes, or one piece; the
//!   rest seeds the piece sizes);
//! - one byte: the number of bodies (mod 5); per body one byte, even: a u16 LE length then that
//!   many literal bytes (fewer if the input ends), odd: a u24 LE length mod 70,000 and one seed
//!   byte for generated content (chunk boundaries, the 65535-byte limit and beyond);
//! - one byte, odd: the first header of the tail is given the version bytes the decoder expects;
//! - the rest: the tail, raw bytes after the frames.

#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use login_orchestrator::gateway::maple::{
    check_header, header_length, FrameDecoder, FrameError, OpcodeWidth, Packet, PacketTooLong,
    RecvCipher, Region, Rules, SendCipher, Version, DEFAULT_MAX_BODY_LEN,
};
use tokio_util::codec::Decoder;

const VERSIONS: [(Region, u16); 6] = [
    (Region::Gms, 83),
    (Region::Gms, 12),
    (Region::Gms, 87),
    (Region::Gms, 92),
    (Region::Gms, 95),
    (Region::Jms, 185),
];

/// Reads the input front to back; past the end every read is zeros or empty.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
    fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }
    /// An `n`-byte (at most 4) little-endian number.
    fn le(&mut self, n: usize) -> u32 {
        let mut v = [0u8; 4];
        let t = self.take(n.min(4));
        v[..t.len()].copy_from_slice(t);
        u32::from_le_bytes(v)
    }
}

/// xorshift64*: piece sizes and generated body content.
struct Prng(u64);

impl Prng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// What decoding a stream yields: the packets, then how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Decoded {
    packets: Vec<Packet>,
    /// `Ok(bytes left waiting)` or the error's text.
    end: Result<usize, String>,
    /// The receive IV at the end.
    iv: [u8; 4],
}

/// Decodes `stream` fed in `pieces` (lengths summing to its length), as a connection would:
/// every frame available after each read, stopping at the first error.
fn decode(mut decoder: FrameDecoder, stream: &[u8], pieces: &[usize]) -> Decoded {
    let mut buf = BytesMut::new();
    let mut packets = Vec::new();
    let mut at = 0;
    for &n in pieces {
        buf.extend_from_slice(&stream[at..at + n]);
        at += n;
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(packet)) => packets.push(packet),
                Ok(None) => break,
                Err(error) => {
                    return Decoded {
                        packets,
                        end: Err(format!("{error:?}")),
                        iv: decoder.cipher().iv(),
                    }
                }
            }
        }
    }
    Decoded {
        packets,
        end: Ok(buf.len()),
        iv: decoder.cipher().iv(),
    }
}

/// Piece lengths covering `len` bytes, chosen by `cut`.
fn pieces(len: usize, cut: u8, seed: u64) -> Vec<usize> {
    let most = match cut & 3 {
        0 => 3,
        1 => 64,
        2 => 1500,
        _ => return vec![len],
    };
    let mut rng = Prng::new(seed ^ u64::from(cut));
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = (1 + rng.next() % most).min(left as u64) as usize;
        out.push(n);
        left -= n;
    }
    out
}

/// Appends one client frame of `body`; checks the send path's own promises.
fn seal(client: &mut SendCipher, rules: &Rules, stream: &mut Vec<u8>, body: &[u8]) -> bool {
    let (start, iv) = (stream.len(), client.iv());
    let result = client.write_packet(stream, |w| {
        w.bytes(body);
    });
    if body.len() > 0xFFFF {
        assert_eq!(result, Err(PacketTooLong { len: body.len() }));
        assert_eq!(stream.len(), start, "a refused packet left bytes behind");
        assert_eq!(client.iv(), iv, "a refused packet advanced the IV");
        return false;
    }
    assert_eq!(result, Ok(body.len() + 4));
    let header: [u8; 4] = stream[start..start + 4].try_into().expect("4 bytes");
    assert_eq!(usize::from(header_length(header)), body.len());
    assert!(check_header(header, iv, rules.version.major));
    assert_ne!(client.iv(), iv, "the IV did not advance");
    true
}

fn check_packet(packet: &Packet, width: OpcodeWidth, max: usize) {
    let bytes = packet.as_bytes();
    assert!(
        bytes.len() <= max,
        "packet of {} bytes over the bound {max}",
        bytes.len()
    );
    let w = match width {
        OpcodeWidth::U8 => 1,
        OpcodeWidth::U16 => 2,
    };
    let opcode = bytes.get(..w).map(|op| match *op {
        [lo] => u16::from(lo),
        [lo, hi] => u16::from_le_bytes([lo, hi]),
        _ => unreachable!(),
    });
    assert_eq!(packet.opcode(), opcode);
    assert_eq!(packet.body(), bytes.get(w..).unwrap_or_default());
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let (region, major) = VERSIONS[usize::from(input.u8()) % VERSIONS.len()];
    let rules = Rules::for_version(Version::new(region, major, 1)).expect("supported");
    let iv: [u8; 4] = input.take(4).try_into().unwrap_or([0; 4]);
    let max = match input.u8() {
        0 => DEFAULT_MAX_BODY_LEN,
        1 => 0xFFFF,
        _ => input.le(2) as usize,
    };
    let cut = input.u8();

    // The client's frames.
    let mut client = SendCipher::with_header_version(&rules, iv, rules.version.major);
    let mut stream = Vec::new();
    let mut bodies = Vec::new();
    for _ in 0..input.u8() % 5 {
        let kind = input.u8();
        let body = if kind % 2 == 0 {
            let len = input.le(2) as usize;
            input.take(len).to_vec()
        } else {
            let len = input.le(3) as usize % 70_000;
            let mut rng = Prng::new(u64::from(input.u8()));
            (0..len).map(|_| rng.next() as u8).collect()
        };
        if seal(&mut client, &rules, &mut stream, &body) {
            bodies.push(body);
        }
    }
    let forge = input.u8() % 2 == 1;
    let frames_len = stream.len();
    stream.extend_from_slice(input.0);
    if forge && stream.len() >= frames_len + 2 {
        let [v0, v1] = rules.version.major.to_le_bytes();
        let next = client.iv();
        stream[frames_len] = next[2] ^ v0;
        stream[frames_len + 1] = next[3] ^ v1;
    }

    let decoder = FrameDecoder::with_max_body_len(RecvCipher::new(&rules, iv), max);
    let seed = stream.len() as u64;
    let whole = decode(decoder.clone(), &stream, &[stream.len()]);
    let cut_up = decode(decoder, &stream, &pieces(stream.len(), cut, seed));
    assert_eq!(
        whole, cut_up,
        "the outcome depends on where the stream is cut"
    );

    for packet in &whole.packets {
        check_packet(packet, rules.opcode_width, max);
    }
    // The client's frames come out exactly, up to the first one over the bound.
    let fit = bodies.iter().take_while(|b| b.len() <= max).count();
    assert!(whole.packets.len() >= fit, "a client frame was lost");
    for (packet, body) in whole.packets.iter().zip(&bodies[..fit]) {
        assert_eq!(packet.as_bytes(), &body[..], "a client frame changed");
    }
    if let Some(long) = bodies.get(fit) {
        assert_eq!(whole.packets.len(), fit);
        let error = FrameError::TooLong {
            len: long.len(),
            max,
        };
        assert_eq!(whole.end, Err(format!("{error:?}")));
    } else if stream.len() == frames_len {
        assert_eq!(whole.packets.len(), fit);
        assert_eq!(whole.end, Ok(0), "bytes left after whole frames");
        assert_eq!(whole.iv, client.iv(), "the two ends' IVs differ");
    }
});
