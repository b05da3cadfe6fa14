//! Decoder tests: round trips through a client-side sender, split input, bad input.

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use super::*;
use crate::gateway::maple::crypto::SendCipher;
use crate::gateway::maple::rules::Rules;
use crate::gateway::maple::test_util::Prng;
use crate::gateway::maple::version::{Region, Version};

const IV: [u8; 4] = [0x46, 0x72, 0x7A, 0x42];

/// A client-side sender (header version = major) and the server decoder it talks to.
fn pair(rules: &Rules, max: usize) -> (SendCipher, FrameDecoder) {
    let client = SendCipher::with_header_version(rules, IV, rules.version.major);
    let server = FrameDecoder::with_max_body_len(RecvCipher::new(rules, IV), max);
    (client, server)
}

fn frame(client: &mut SendCipher, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    client
        .write_packet(&mut out, |w| {
            w.bytes(body);
        })
        .unwrap();
    out
}

#[test]
fn bodies_of_every_chunk_boundary_round_trip() {
    for rules in [
        Rules::gms83(),
        Rules::for_version(Version::new(Region::Jms, 185, 1)).unwrap(),
    ] {
        let (mut client, mut server) = pair(&rules, 0xFFFF);
        let mut rng = Prng(7);
        for len in [0usize, 1, 1456, 1457, 2916, 3000, 65535] {
            let body = rng.bytes(len);
            let mut buf = BytesMut::from(&frame(&mut client, &body)[..]);
            let packet = server.decode(&mut buf).unwrap().unwrap();
            assert_eq!(packet.as_bytes(), &body[..], "len {len}");
            assert!(buf.is_empty());
        }
        assert_eq!(server.cipher().iv(), client.iv());
    }
}

#[test]
fn a_frame_fed_in_pieces_yields_exactly_one_packet() {
    let rules = Rules::gms83();
    let (mut client, mut server) = pair(&rules, 0xFFFF);
    let bytes = frame(&mut client, &[0x01, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]);
    let mut buf = BytesMut::new();
    let mut packets = Vec::new();
    for piece in bytes.chunks(3) {
        buf.extend_from_slice(piece);
        if let Some(p) = server.decode(&mut buf).unwrap() {
            packets.push(p);
        }
    }
    assert_eq!(packets.len(), 1);
    assert_eq!(packets[0].opcode(), Some(1));
    assert_eq!(packets[0].body(), &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(server.decode(&mut buf).unwrap(), None);
}

#[test]
fn two_frames_in_one_buffer_come_out_in_order() {
    let rules = Rules::gms83();
    let (mut client, mut server) = pair(&rules, 0xFFFF);
    let mut bytes = frame(&mut client, &[0x18, 0x00]);
    bytes.extend(frame(&mut client, &[0x23, 0x00]));
    let mut buf = BytesMut::from(&bytes[..]);
    assert_eq!(
        server.decode(&mut buf).unwrap().unwrap().opcode(),
        Some(0x18)
    );
    assert_eq!(
        server.decode(&mut buf).unwrap().unwrap().opcode(),
        Some(0x23)
    );
}

#[test]
fn a_header_with_the_wrong_version_is_an_error() {
    let rules = Rules::gms83();
    let mut wrong = SendCipher::with_header_version(&rules, IV, 84);
    let (_, mut server) = pair(&rules, 0xFFFF);
    let mut buf = BytesMut::from(&frame(&mut wrong, &[1, 0])[..]);
    assert!(matches!(
        server.decode(&mut buf),
        Err(FrameError::BadHeader { .. })
    ));
}

#[test]
fn a_body_over_the_maximum_is_an_error_before_it_arrives() {
    let rules = Rules::gms83();
    let (mut client, mut server) = pair(&rules, 100);
    let bytes = frame(&mut client, &[0; 101]);
    let mut buf = BytesMut::from(&bytes[..4]);
    let err = server.decode(&mut buf).unwrap_err();
    assert!(matches!(err, FrameError::TooLong { len: 101, max: 100 }));
    assert_eq!(
        err.to_string(),
        "packet body of 101 bytes exceeds the maximum of 100"
    );
}

#[test]
fn random_garbage_gives_errors_never_panics() {
    let rules = Rules::gms83();
    let mut rng = Prng(0x5EED);
    let (mut headers, mut errors) = (0, 0);
    for _ in 0..2000 {
        let (_, mut server) = pair(&rules, 4096);
        let len = (rng.next_u64() % 64) as usize;
        let mut buf = BytesMut::from(&rng.bytes(len)[..]);
        headers += usize::from(len >= 4);
        if server.decode(&mut buf).is_err() {
            errors += 1;
        }
    }
    // A random header passes the version check with probability 1/65536.
    assert!(
        errors + 2 >= headers,
        "{errors} errors for {headers} headers"
    );
}

#[test]
fn garbage_after_a_valid_header_never_panics() {
    let rules = Rules::gms83();
    let mut rng = Prng(99);
    for _ in 0..500 {
        let (mut client, mut server) = pair(&rules, 0xFFFF);
        let len = (rng.next_u64() % 300) as usize;
        let mut bytes = frame(&mut client, &rng.bytes(len));
        let cut = (rng.next_u64() as usize) % (bytes.len() + 1);
        bytes.truncate(cut);
        bytes.extend(rng.bytes(8));
        let mut buf = BytesMut::from(&bytes[..]);
        while let Ok(Some(_)) = server.decode(&mut buf) {}
    }
}

#[test]
fn packet_debug_shows_no_body_bytes() {
    let p = Packet::new(
        bytes::Bytes::from_static(b"\x01\x00secret"),
        OpcodeWidth::U16,
    );
    let debug = format!("{p:?}");
    assert_eq!(debug, "Packet { opcode: Some(1), len: 8, .. }");
    assert!(!format!(
        "{:?}",
        crate::gateway::maple::packet::Reader::new(b"secret")
    )
    .contains("115"));
}

#[test]
fn short_bodies_have_no_opcode_and_an_empty_payload() {
    let one = Packet::new(bytes::Bytes::from_static(&[7]), OpcodeWidth::U16);
    assert_eq!(one.opcode(), None);
    assert!(one.body().is_empty());
    let narrow = Packet::new(bytes::Bytes::from_static(&[7, 9]), OpcodeWidth::U8);
    assert_eq!((narrow.opcode(), narrow.body()), (Some(7), &[9u8][..]));
}

#[test]
fn write_packet_refuses_bodies_over_65535_and_leaves_state_untouched() {
    let rules = Rules::gms83();
    let mut send = SendCipher::new(&rules, IV);
    let mut out = vec![0xAA];
    let err = send.write_packet(&mut out, |w| {
        w.zeros(65536);
    });
    assert_eq!(
        err,
        Err(crate::gateway::maple::crypto::PacketTooLong { len: 65536 })
    );
    assert_eq!(out, vec![0xAA]);
    assert_eq!(send.iv(), IV);
}
