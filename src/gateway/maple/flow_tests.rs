//! One connection end to end through the public API, as the integrator wires it: hello, client
//! login frame, decode, dispatch, read, answer in place, client-side decrypt.

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use super::requests::{read_request, Request};
use super::test_util::hex;
use super::*;

#[test]
fn login_refused_round_trip() {
    let rules = Rules::for_version(Version::from_tenant("GMS", 83, 1).unwrap()).unwrap();
    let (recv_iv, send_iv) = ([0x46, 0x72, 0x7A, 0x42], [0x52, 0x30, 0x78, 0x61]);
    let hello = hello(&rules, recv_iv, send_iv);
    let table = OpcodeTable::builtin(rules.version).unwrap();
    let mut decoder = FrameDecoder::new(RecvCipher::new(&rules, recv_iv));
    let mut send = SendCipher::new(&rules, send_iv);

    // The client encrypts with hello[7..11] and version `major`.
    let client_iv = [hello[7], hello[8], hello[9], hello[10]];
    let mut client = SendCipher::with_header_version(&rules, client_iv, rules.version.major);
    let mut wire = Vec::new();
    client
        .write_packet(&mut wire, |w| {
            w.opcode(0x01).str("admin").str("admin").bytes(&[0x11; 16]);
            w.u32(0).u8(0).u8(0).u8(0).u32(0);
        })
        .unwrap();

    let packet = decoder
        .decode(&mut BytesMut::from(&wire[..]))
        .unwrap()
        .unwrap();
    let entry = table.handler(packet.opcode().unwrap()).unwrap();
    assert_eq!(
        (entry.handler, entry.validator),
        (Handler::Login, Validator::NoOp)
    );
    let Request::Login(login) = read_request(entry.handler, &rules, packet.body()).unwrap() else {
        panic!("not a login");
    };
    assert_eq!(login.name_lossy(), "admin");

    let op = table.opcode(WriterKind::AuthLoginFailed).unwrap();
    let code = table.login_failed_code("INCORRECT_PASSWORD").unwrap();
    let mut out = Vec::new();
    send.write_packet(&mut out, |w| {
        w.opcode(op);
        responses::auth_login_failed(w, &rules, code);
    })
    .unwrap();
    assert_eq!(out, hex("D4 9E DC 9E B1 3D ED 67 02 18 65 65"));

    // The client decrypts with hello[11..15] and version 0xFFFF - major.
    let client_recv = RecvCipher::with_header_version(&rules, send_iv, 0xFFFF - 83);
    let reply = FrameDecoder::new(client_recv)
        .decode(&mut BytesMut::from(&out[..]))
        .unwrap()
        .unwrap();
    assert_eq!(reply.as_bytes(), hex("00 00 04 00 00 00 00 00"));
}
