//! §3.8 golden vectors seen from the client side: the client's own hello parser, send path and
//! receive path against the exact bytes of V1–V7.

mod common;

use std::time::Duration;

use common::{h, serve, Peer};
use maple_client::crypto::{self, FrameCipher, IvExpansion};
use maple_client::{Client, Hello, LoginOutcome, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const T: Duration = Duration::from_secs(5);

const V1_HELLO: &str = "0E 00 53 00 01 00 31 46 72 7A 42 52 30 78 61 08";
const V2_FRAME: &str = "D4 9E DC 9E B1 3D ED 67 02 18 65 65";
const V2_END_FRAME: &str = "0D D5 0E D5 27 BD FB";
const V3_FRAME: &str = "29 42 02 42 D3 76 F0 29 4D 1D 75 3F B9 D5 4D 70 D2 A5 AD 41 6C DD 0E D2 \
                        40 95 50 8D A3 D6 A6 11 EA 40 33 79 A4 5A A8 E7 5A D6 6E EA AA 10 74";
const HWID: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
];

fn v83() -> Version {
    Version::new("GMS", 83, 1)
}

#[test]
fn v1_hello_parses_to_the_crossed_ivs() {
    let hello = Hello::parse(&h(V1_HELLO)).unwrap();
    assert_eq!(hello.send_iv, [0x46, 0x72, 0x7A, 0x42]); // bytes 7..10: the client encrypts with it
    assert_eq!(hello.recv_iv, [0x52, 0x30, 0x78, 0x61]); // bytes 11..14: the client decrypts with it
    assert_eq!(
        (hello.major, hello.minor.as_str(), hello.locale),
        (83, "1", 8)
    );
    hello.check(&v83()).unwrap();
    assert_eq!(
        Hello::for_version(&v83(), hello.send_iv, hello.recv_iv).encode(),
        h(V1_HELLO)
    );
}

#[tokio::test]
async fn v3_is_sent_and_v2_then_server_list_end_are_received() {
    let (addr, server) = serve(|mut stream| async move {
        stream.write_all(&h(V1_HELLO)).await.unwrap();
        let mut frame = vec![0u8; 47];
        stream.read_exact(&mut frame).await.unwrap();
        stream.write_all(&h(V2_FRAME)).await.unwrap();
        stream.write_all(&h(V2_END_FRAME)).await.unwrap();
        frame
    })
    .await;
    let (mut client, hello) = Client::connect(addr, v83(), T).await.unwrap();
    assert_eq!(hello.send_iv, [0x46, 0x72, 0x7A, 0x42]);
    let outcome = client.login("admin", "admin", HWID).await.unwrap();
    assert_eq!(server.await.unwrap(), h(V3_FRAME), "V3 frame");
    assert_eq!(outcome, LoginOutcome::Failed { code: 4 }, "V2 decrypted");
    let end = client.recv().await.unwrap();
    assert_eq!((end.opcode, end.body), (0x0A, vec![0xFF]));
    // V3 "next recv IV" on the server = the client's next send IV; V2's chain on the receive side
    assert_eq!(
        client.ivs(),
        ([0xEE, 0xA8, 0xD4, 0x1D], [0xC1, 0x3A, 0x9B, 0xF7])
    );
}

fn v4_body() -> Vec<u8> {
    (0..3000).map(|i| (i & 0xFF) as u8).collect()
}

fn assert_v4_excerpts(ciphertext: &[u8]) {
    assert_eq!(&ciphertext[0..8], h("E7 F1 1B 38 70 18 E1 D1").as_slice());
    assert_eq!(
        &ciphertext[1456..1464],
        h("F7 44 30 2E 99 B5 57 E5").as_slice()
    );
    assert_eq!(
        &ciphertext[2916..2924],
        h("B3 BA D3 B6 78 BD EC F5").as_slice()
    );
}

#[test]
fn v4_chunks_restart_the_keystream() {
    let mut server_send =
        FrameCipher::new([0x52, 0x30, 0x78, 0x61], 0xFFAC, IvExpansion::Repeat4, true);
    let frame = server_send.seal(&v4_body()).unwrap();
    assert_eq!(&frame[..4], h("D4 9E 6C 95").as_slice());
    assert_v4_excerpts(&frame[4..]);
}

#[tokio::test]
async fn v4_through_the_client_send_and_receive_paths() {
    let iv = [0x52, 0x30, 0x78, 0x61];
    let (addr, server) = serve(move |stream| async move {
        let hello = Hello::for_version(&v83(), iv, iv);
        let mut peer = Peer::greet(stream, &v83(), &hello).await;
        let frame = peer.send.seal(&v4_body()).unwrap();
        for part in frame.chunks(1000) {
            peer.write(part).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        peer
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    let body = v4_body();
    // client send path: opcode 0x0100 (bytes 00 01) + the remaining 2998 bytes
    let sent = client.seal_only(0x0100, &body[2..]).unwrap();
    assert_eq!(&sent[..4], crypto::build_header(iv, 83, 3000).as_slice());
    assert_v4_excerpts(&sent[4..]);
    // client receive path, frame arriving in three TCP writes
    let packet = client.recv().await.unwrap();
    assert_eq!(packet.opcode, 0x0100);
    assert_eq!(packet.body, &body[2..]);
    drop(server.await.unwrap());
}

/// A client of `version` receiving `hello` then, after its login, `frame`.
async fn login_answer(version: Version, hello: &'static str, frame: &'static str) -> LoginOutcome {
    let (addr, server) = serve(move |mut stream| async move {
        stream.write_all(&h(hello)).await.unwrap();
        let mut header = [0u8; 4];
        stream.read_exact(&mut header).await.unwrap();
        let len = crypto::body_len(header);
        let mut body = vec![0u8; usize::from(len)];
        stream.read_exact(&mut body).await.unwrap();
        stream.write_all(&h(frame)).await.unwrap();
        stream
    })
    .await;
    let (mut client, _) = Client::connect(addr, version, T).await.unwrap();
    let outcome = client.login("admin", "admin", HWID).await.unwrap();
    drop(server.await.unwrap());
    outcome
}

#[tokio::test]
async fn v5_jms_frame_decrypts_without_shanda() {
    let out = login_answer(
        Version::new("JMS", 185, 1),
        "0E 00 B9 00 01 00 31 46 72 7A 42 52 30 78 61 03",
        "3E 9E 3A 9E 44 67 1C 58",
    )
    .await;
    assert_eq!(out, LoginOutcome::Failed { code: 4 });
}

#[tokio::test]
async fn v6_gms12_frame_decrypts_with_the_fill_iv() {
    let out = login_answer(
        Version::new("GMS", 12, 1),
        "0E 00 0C 00 01 00 31 46 72 7A 42 52 30 78 61 08",
        "8B 9E 8C 9E 78 FF E7 C7 BC 54 25",
    )
    .await;
    assert_eq!(out, LoginOutcome::Failed { code: 4 });
}

#[test]
fn v7_shuffle_chain() {
    let mut iv = [0x52, 0x30, 0x78, 0x61];
    let mut chain = Vec::new();
    for _ in 0..4 {
        iv = crypto::shuffle(iv);
        chain.push(iv);
    }
    let want = ["DD 30 A1 2A", "C1 3A 9B F7", "43 9F 92 5F", "27 56 89 82"].map(h);
    assert_eq!(chain.iter().map(|c| c.to_vec()).collect::<Vec<_>>(), want);
    assert_eq!(crypto::shuffle([0; 4]), [0x11, 0xBB, 0x64, 0xC7]);
    assert_eq!(crypto::shuffle([0xFF; 4]), [0x2D, 0x95, 0xC5, 0x76]);
}
