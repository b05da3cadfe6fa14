//! The golden vectors V1–V7 of §3.8, byte for byte.

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use super::*;
use crate::gateway::maple::frame::FrameDecoder;
use crate::gateway::maple::hello::hello;
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::hex;
use crate::gateway::maple::version::{Region, Version};

const SEND_IV: [u8; 4] = [0x52, 0x30, 0x78, 0x61];
const RECV_IV: [u8; 4] = [0x46, 0x72, 0x7A, 0x42];

fn rules(region: Region, major: u16) -> Rules {
    Rules::for_version(Version::new(region, major, 1)).unwrap()
}

/// Encrypts `plain` (opcode included) as the server would.
fn seal(cipher: &mut SendCipher, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    cipher
        .write_packet(&mut out, |w| {
            w.bytes(plain);
        })
        .unwrap();
    out
}

/// Opens a server frame as a client would (receive IV = server send IV, ver = 0xFFFF - major).
fn client_open(rules: &Rules, iv: [u8; 4], frame: &[u8]) -> Vec<u8> {
    let ver = 0xFFFF - rules.version.major;
    let client = RecvCipher::with_header_version(rules, iv, ver);
    let mut dec = FrameDecoder::with_max_body_len(client, 0xFFFF);
    let packet = dec.decode(&mut BytesMut::from(frame)).unwrap().unwrap();
    packet.as_bytes().to_vec()
}

#[test]
fn v1_hello_gms83() {
    let h = hello(&Rules::gms83(), RECV_IV, SEND_IV);
    assert_eq!(
        &h[..],
        hex("0E 00 53 00 01 00 31 46 72 7A 42 52 30 78 61 08")
    );
}

#[test]
fn v2_auth_login_failed_frame_then_server_list_end() {
    let rules = Rules::gms83();
    let mut send = SendCipher::new(&rules, SEND_IV);
    let plain = hex("00 00 04 00 00 00 00 00");
    let frame = seal(&mut send, &plain);
    assert_eq!(frame, hex("D4 9E DC 9E B1 3D ED 67 02 18 65 65"));
    assert_eq!(header_length([frame[0], frame[1], frame[2], frame[3]]), 8);
    assert_eq!(send.iv(), [0xDD, 0x30, 0xA1, 0x2A]);
    assert_eq!(client_open(&rules, SEND_IV, &frame), plain);

    let end = seal(&mut send, &hex("0A 00 FF"));
    assert_eq!(end, hex("0D D5 0E D5 27 BD FB"));
    assert_eq!(send.iv(), [0xC1, 0x3A, 0x9B, 0xF7]);
}

#[test]
fn v2_shanda_layer_matches() {
    let mut d = hex("00 00 04 00 00 00 00 00");
    shanda::encrypt(&mut d);
    assert_eq!(d, hex("F5 5A F5 3F 56 1A 26 F0"));
}

const V3_PLAIN: &str =
    "01 00 05 00 61 64 6D 69 6E 05 00 61 64 6D 69 6E 00 11 22 33 44 55 66 77 88 99 \
    AA BB CC DD EE FF 00 00 00 00 00 00 00 00 00 00 00";
const V3_FRAME: &str =
    "29 42 02 42 D3 76 F0 29 4D 1D 75 3F B9 D5 4D 70 D2 A5 AD 41 6C DD 0E D2 40 \
    95 50 8D A3 D6 A6 11 EA 40 33 79 A4 5A A8 E7 5A D6 6E EA AA 10 74";

#[test]
fn v3_client_login_frame_is_decoded_by_the_server() {
    let rules = Rules::gms83();
    let frame = hex(V3_FRAME);
    assert_eq!(header_length([frame[0], frame[1], frame[2], frame[3]]), 43);
    let mut dec = FrameDecoder::new(RecvCipher::new(&rules, RECV_IV));
    let packet = dec
        .decode(&mut BytesMut::from(&frame[..]))
        .unwrap()
        .unwrap();
    assert_eq!(packet.as_bytes(), hex(V3_PLAIN));
    assert_eq!(packet.opcode(), Some(0x0001));
    assert_eq!(dec.cipher().iv(), [0xEE, 0xA8, 0xD4, 0x1D]);
}

#[test]
fn v3_client_side_encryption_reproduces_the_frame() {
    let rules = Rules::gms83();
    let mut client = SendCipher::with_header_version(&rules, RECV_IV, 83);
    assert_eq!(seal(&mut client, &hex(V3_PLAIN)), hex(V3_FRAME));
}

#[test]
fn v4_chunking_of_a_3000_byte_body() {
    let rules = Rules::gms83();
    let plain: Vec<u8> = (0..3000u32).map(|i| (i & 0xFF) as u8).collect();
    let frame = seal(&mut SendCipher::new(&rules, SEND_IV), &plain);
    assert_eq!(frame[..4], hex("D4 9E 6C 95"));
    let ct = &frame[4..];
    assert_eq!(ct[0..8], hex("E7 F1 1B 38 70 18 E1 D1"));
    assert_eq!(ct[1456..1464], hex("F7 44 30 2E 99 B5 57 E5"));
    assert_eq!(ct[2916..2924], hex("B3 BA D3 B6 78 BD EC F5"));
    assert_eq!(client_open(&rules, SEND_IV, &frame), plain);
}

#[test]
fn v4_keystream_restarts_at_each_chunk() {
    let mut zeros = vec![0u8; 3000];
    aes_ofb::AesOfb::new(Rules::gms83().iv_expansion).apply(SEND_IV, &mut zeros);
    assert_eq!(zeros[0..16], zeros[1456..1472]);
    assert_eq!(zeros[0..16], zeros[2916..2932]);
    assert_ne!(zeros[0..16], zeros[16..32]);
}

#[test]
fn v5_jms_hello_and_frame_without_shanda() {
    let rules = rules(Region::Jms, 185);
    assert!(!rules.shanda);
    let h = hello(&rules, RECV_IV, SEND_IV);
    assert_eq!(
        &h[..],
        hex("0E 00 B9 00 01 00 31 46 72 7A 42 52 30 78 61 03")
    );
    let frame = seal(&mut SendCipher::new(&rules, SEND_IV), &hex("00 00 04 00"));
    assert_eq!(frame, hex("3E 9E 3A 9E 44 67 1C 58"));
}

#[test]
fn v6_gms12_hello_and_frame_with_fill_iv() {
    let rules = rules(Region::Gms, 12);
    let h = hello(&rules, RECV_IV, SEND_IV);
    assert_eq!(
        &h[..],
        hex("0E 00 0C 00 01 00 31 46 72 7A 42 52 30 78 61 08")
    );
    let frame = seal(
        &mut SendCipher::new(&rules, SEND_IV),
        &hex("01 04 00 00 00 00 00"),
    );
    assert_eq!(frame, hex("8B 9E 8C 9E 78 FF E7 C7 BC 54 25"));
}

#[test]
fn v7_shuffle_chain() {
    let mut iv = SEND_IV;
    for expected in ["DD 30 A1 2A", "C1 3A 9B F7", "43 9F 92 5F", "27 56 89 82"] {
        iv = shuffle_iv(iv);
        assert_eq!(iv.to_vec(), hex(expected));
    }
    assert_eq!(shuffle_iv([0; 4]).to_vec(), hex("11 BB 64 C7"));
    assert_eq!(shuffle_iv([0xFF; 4]).to_vec(), hex("2D 95 C5 76"));
}

#[test]
fn header_check_accepts_the_right_version_only() {
    let h = build_header(RECV_IV, 83, 43);
    assert!(check_header(h, RECV_IV, 83));
    assert!(!check_header(h, RECV_IV, 84));
    assert!(!check_header(h, SEND_IV, 83));
}
