//! The client's I/O plumbing against a scripted fake server on 127.0.0.1: a full v83 flow,
//! split reads, timeouts, bad hellos and headers, EOF handling.

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use common::server_packets as sp;
use common::{serve, serve_greeted, Peer};
use maple_client::{Client, Error, Hello, LoginOutcome, ServerIp, Version};
use tokio::io::AsyncReadExt;

const T: Duration = Duration::from_secs(5);
const SHORT: Duration = Duration::from_millis(100);

fn v83() -> Version {
    Version::new("GMS", 83, 1)
}

#[tokio::test]
async fn full_v83_flow_login_list_characters_select() {
    let ids: Vec<u32> = (1..=12).collect();
    let list = sp::character_list(&ids, 1);
    assert!(list.len() > 1460, "list spans more than one AES chunk");
    let (addr, server) = serve_greeted(v83(), move |mut peer: Peer| async move {
        let (op, login) = peer.recv().await;
        assert_eq!(op, 0x01);
        assert_eq!(&login[..7], &[5, 0, b'a', b'd', b'm', b'i', b'n']);
        peer.send(0x00, &sp::auth_success(7, "admin", 1)).await;
        assert_eq!(peer.recv().await, (0x0B, vec![]));
        peer.send(0x0A, &sp::world_entry(0, "Scania", 2)).await;
        peer.send(0x11, &[]).await; // a Ping in the middle of the burst
        peer.send(0x0A, &sp::world_entry(1, "Bera", 1)).await;
        peer.send(0x0A, &[0xFF]).await;
        peer.send(0x1A, &[0, 0, 0, 0]).await;
        peer.send(0x1B, &[0]).await;
        assert_eq!(peer.recv().await, (0x18, vec![]), "auto pong");
        let (op, req) = peer.recv().await;
        assert_eq!(
            (op, &req[..3]),
            (0x05, &[0u8, 1, 0][..]),
            "gameStartMode, world 1, channel 0"
        );
        assert_eq!(&req[3..], &[127, 0, 0, 1], "socketAddr");
        peer.send(0x0B, &list).await;
        let (op, sel) = peer.recv().await;
        assert_eq!(
            (op, &sel[..6]),
            (0x1E, &[4u8, 0, b'1', b'2', b'3', b'4'][..])
        );
        peer.send(0x0C, &sp::server_ip([127, 0, 0, 1], 7575, 12))
            .await;
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    client.set_auto_pong(true);
    let LoginOutcome::Success(auth) = client.login("admin", "secret", [0; 16]).await.unwrap()
    else {
        panic!("login failed");
    };
    assert_eq!((auth.account_id, auth.login_opt), (7, Some(1)));
    let worlds = client.server_list().await.unwrap();
    assert_eq!(worlds.worlds.len(), 2);
    assert_eq!(worlds.worlds[0].channels[1].name, "Scania - 2");
    assert_eq!((worlds.selected_world, client.pings_seen()), (Some(0), 1));
    let chars = client.character_list(1, 0).await.unwrap();
    assert_eq!(chars.characters.len(), 12);
    assert_eq!(chars.characters[11].stats.name, "char12");
    assert_eq!(chars.characters[11].look.equips.len(), 3);
    assert_eq!((chars.login_opt, chars.slots), (Some(1), Some(6)));
    let ip = client.select_character_with_pic(12, "1234").await.unwrap();
    assert_eq!(
        ip,
        ServerIp::Channel {
            ip: Ipv4Addr::LOCALHOST,
            port: 7575,
            character_id: 12,
            authen_code: 0,
            premium: Some(0)
        }
    );
    server.await.unwrap();
}

#[tokio::test]
async fn frames_written_byte_by_byte_are_reassembled() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        let frame = peer.seal(0x03, &[1, 0]);
        for b in frame {
            peer.write(&[b]).await;
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        peer
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    let p = client.recv().await.unwrap();
    assert_eq!((p.opcode, p.body), (0x03, vec![1, 0]));
    drop(server.await.unwrap());
}

#[tokio::test]
async fn a_timeout_mid_frame_loses_nothing() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        let frame = peer.seal(0x03, &[2, 0]);
        peer.write(&frame[..5]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        peer.write(&frame[5..]).await;
        peer
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    let err = client
        .recv_timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    let p = client.recv_timeout(T).await.unwrap();
    assert_eq!((p.opcode, p.body), (0x03, vec![2, 0]));
    drop(server.await.unwrap());
}

#[tokio::test]
async fn a_header_with_the_client_version_is_rejected() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        let iv = peer.send.iv();
        let mut wrong = v83().cipher(iv, 83); // C→S version word on an S→C packet
        let frame = wrong.seal(&[0x03, 0x00, 0x00, 0x00]).unwrap();
        peer.write(&frame).await;
        peer
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    match client.recv().await {
        Err(Error::BadHeader {
            got: 83,
            expected: 0xFFAC,
            ..
        }) => {}
        other => panic!("expected BadHeader, got {other:?}"),
    }
    drop(server.await.unwrap());
}

async fn connect_with_hello(hello: Hello) -> Error {
    let (addr, server) =
        serve(move |stream| async move { Peer::greet(stream, &v83(), &hello).await }).await;
    let err = Client::connect(addr, v83(), T)
        .await
        .err()
        .expect("hello accepted");
    drop(server.await.unwrap());
    err
}

#[tokio::test]
async fn hellos_of_another_version_or_locale_are_rejected() {
    let other = Hello::for_version(&Version::new("GMS", 87, 1), [1; 4], [2; 4]);
    let err = connect_with_hello(other).await;
    assert!(
        matches!(err, Error::BadHello { field: "major", .. }),
        "{err}"
    );
    let mut jms_locale = Hello::for_version(&v83(), [1; 4], [2; 4]);
    jms_locale.locale = 3;
    let err = connect_with_hello(jms_locale).await;
    assert!(
        matches!(
            err,
            Error::BadHello {
                field: "locale",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_waiting_for_the_hello() {
    let (addr, server) = serve(|stream| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stream
    })
    .await;
    let err = Client::connect(addr, v83(), SHORT)
        .await
        .err()
        .expect("no hello");
    assert!(err.to_string().contains("waiting for hello"), "{err}");
    drop(server.await.unwrap());
}

#[tokio::test]
async fn closed_within_sees_eof_and_idle_servers() {
    let (addr, server) = serve_greeted(v83(), |peer: Peer| async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(peer);
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    assert!(!client
        .closed_within(Duration::from_millis(20))
        .await
        .unwrap());
    assert!(client.closed_within(T).await.unwrap());
    server.await.unwrap();
}

#[tokio::test]
async fn eof_while_waiting_is_a_closed_error() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    let err = client.login("admin", "x", [0; 16]).await.unwrap_err();
    assert!(matches!(err, Error::Closed { .. }), "{err}");
    server.await.unwrap();
}

#[tokio::test]
async fn recv_until_skips_other_packets_and_names_what_it_waited_for() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.send(0x11, &[]).await;
        peer.send(0x03, &[0, 0]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        peer
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    client.set_timeout(SHORT);
    let err = client.recv_until(0x0B).await.unwrap_err();
    assert!(err.to_string().contains("opcode 0x0B"), "{err}");
    assert_eq!((client.pings_seen(), client.skipped_packets()), (1, 2));
    drop(server.await.unwrap());
}

#[tokio::test]
async fn raw_bytes_go_out_untouched_and_malformed_answers_are_errors() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        let mut garbage = [0u8; 3];
        peer.stream.read_exact(&mut garbage).await.unwrap();
        let (op, _) = peer.recv().await;
        assert_eq!(op, 0x01);
        peer.send(0x00, &[0, 0, 0, 0]).await; // AuthSuccess cut after 4 bytes
        garbage
    })
    .await;
    let (mut client, _) = Client::connect(addr, v83(), T).await.unwrap();
    client.send_raw_bytes(&[0xDE, 0xAD, 0x01]).await.unwrap();
    let err = client.login("admin", "x", [0; 16]).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Malformed {
                packet: "LoginStatus",
                offset: 2,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.await.unwrap(), [0xDE, 0xAD, 0x01]);
}

#[tokio::test]
async fn jms_reads_the_pushed_burst_without_asking() {
    let jms = Version::new("JMS", 185, 1);
    let (addr, server) = serve_greeted(jms.clone(), |mut peer: Peer| async move {
        peer.recv().await;
        let mut auth = vec![0, 0, 3, 0, 0, 0, 0, 0, 0];
        for _ in 0..2 {
            auth.extend(sp::s("taro"));
        }
        auth.extend_from_slice(&[0; 14]);
        auth.extend(sp::s("taro"));
        peer.send(0x00, &auth).await;
        peer.send(0x02, &[0xFF]).await;
        peer.send(0x16, &[0, 0, 0, 0]).await;
        peer.send(0x17, &[0]).await;
        // the next client packet must be the list request, not a server-list request
        peer.recv().await.0
    })
    .await;
    let (mut client, _) = Client::connect(addr, jms, T).await.unwrap();
    assert!(matches!(
        client.login("taro", "x", [0; 16]).await.unwrap(),
        LoginOutcome::Success(_)
    ));
    let list = client.server_list().await.unwrap();
    assert_eq!((list.worlds.len(), list.selected_world), (0, Some(0)));
    assert!(matches!(
        client.server_status(0).await,
        Err(Error::Unsupported { .. })
    ));
    client.set_timeout(SHORT);
    let _ = client.character_list(0, 0).await;
    assert_eq!(server.await.unwrap(), 0x04);
}
