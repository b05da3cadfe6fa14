//! The remaining typed steps over loopback (v83): TOS, PIN, gender, name check, create, delete,
//! view-all and its three selects, plain select and a refused select — request opcodes and
//! bodies checked server-side.

mod common;

use std::time::Duration;

use common::server_packets as sp;
use common::{serve_greeted, Peer};
use maple_client::{Client, LoginOutcome, NewCharacter, PinReply, ServerIp, Version, ViewAll};

const T: Duration = Duration::from_secs(5);

fn v83() -> Version {
    Version::new("GMS", 83, 1)
}

fn new_character() -> NewCharacter {
    NewCharacter {
        name: "probe".into(),
        job: 1,
        sub_job: 0,
        face: 20000,
        hair: 30000,
        hair_color: 0,
        skin: 0,
        top: 1_040_002,
        bottom: 1_060_002,
        shoes: 1_072_001,
        weapon: 1_302_000,
        gender: 0,
        stats: [0; 4],
    }
}

async fn script(mut peer: Peer) {
    peer.recv().await;
    peer.send(0x00, &[23, 0, 0, 0, 0, 0]).await; // licence agreement
    assert_eq!(peer.recv().await, (0x07, vec![1]));
    peer.send(0x00, &sp::auth_success(7, "admin", 2)).await;
    assert_eq!(peer.recv().await, (0x09, vec![1, 1]));
    peer.send(0x06, &[1]).await; // REGISTER
    assert_eq!(
        peer.recv().await,
        (0x0A, vec![1, 4, 0, b'1', b'1', b'1', b'1'])
    );
    peer.send(0x07, &[0]).await;
    assert_eq!(peer.recv().await, (0x08, vec![1, 1]));
    peer.send(0x04, &[1, 1]).await;
    assert_eq!(peer.recv().await, (0x15, vec![3, 0, b'a', b'b', b'c']));
    peer.send(0x0D, &[3, 0, b'a', b'b', b'c', 0]).await;
    let (op, create) = peer.recv().await;
    assert_eq!((op, create.len()), (0x16, 2 + 5 + 9 * 4 + 1));
    let mut added = vec![0];
    added.extend(sp::character_entry(21, "probe"));
    peer.send(0x0E, &added).await;
    assert_eq!(
        peer.recv().await,
        (0x17, vec![4, 0, b'1', b'2', b'3', b'4', 21, 0, 0, 0])
    );
    peer.send(0x0F, &[21, 0, 0, 0, 20]).await;
    assert_eq!(peer.recv().await, (0x0D, vec![]));
    peer.send(0x08, &[1, 2, 0, 0, 0, 2, 0, 0, 0]).await;
    peer.send(0x08, &sp::view_all_world(0, 30)).await;
    peer.send(0x08, &sp::view_all_world(1, 31)).await;
    assert_eq!(peer.recv().await.0, 0x13);
    peer.send(0x0C, &[7, 0]).await; // SERVER_UNDER_INSPECTION
    assert_eq!(peer.recv().await.0, 0x1D);
    peer.send(0x0C, &sp::server_ip([10, 0, 0, 9], 7575, 30))
        .await;
    // The view-all selects: `u32 charId | u32 worldId | str mac | str macHdd` (0x0E), with
    // `u8 opt` before and `str pic` after (0x1F), or `str pic` before (0x20).
    let macs = [&[17, 0][..], b"00-00-00-00-00-00", &[8, 0], b"00000000"].concat();
    let ids = [31, 0, 0, 0, 1, 0, 0, 0];
    assert_eq!(peer.recv().await, (0x0E, [&ids[..], &macs].concat()));
    peer.send(0x0C, &[7, 0]).await;
    let pic = [4, 0, b'5', b'6', b'7', b'8'];
    assert_eq!(
        peer.recv().await,
        (0x1F, [&[1][..], &ids, &macs, &pic].concat())
    );
    peer.send(0x0C, &[4, 0]).await;
    assert_eq!(peer.recv().await, (0x20, [&pic[..], &ids, &macs].concat()));
    peer.send(0x0C, &sp::server_ip([10, 0, 0, 9], 7675, 31))
        .await;
}

#[tokio::test]
async fn every_step_sends_its_opcode_and_parses_its_answer() {
    let (addr, server) = serve_greeted(v83(), |peer: Peer| script(peer)).await;
    let (mut c, _) = Client::connect(addr, v83(), T).await.unwrap();
    assert_eq!(
        c.login("admin", "x", [0; 16]).await.unwrap(),
        LoginOutcome::Failed { code: 23 }
    );
    let Some(LoginOutcome::Success(auth)) = c.accept_tos(true).await.unwrap() else {
        panic!("no AuthSuccess after TOS");
    };
    assert_eq!((auth.account_id, c.account_id()), (7, 7));
    assert_eq!(c.after_login(1, 1, None).await.unwrap(), 1);
    assert_eq!(
        c.register_pin(Some("1111")).await.unwrap(),
        Some(PinReply::Update(0))
    );
    assert!(c.set_gender(true, 1).await.unwrap().success);
    assert!(c.check_name("abc").await.unwrap().available());
    let created = c.create_character(&new_character()).await.unwrap();
    assert_eq!(
        created.entry.map(|e| e.stats.name),
        Some("probe".to_string())
    );
    let deleted = c.delete_character("1234", 21).await.unwrap();
    assert_eq!((deleted.character_id, deleted.code), (21, 20));
    let ViewAll::Characters {
        character_count,
        worlds,
    } = c.view_all().await.unwrap()
    else {
        panic!("view-all failed");
    };
    assert_eq!(
        (character_count, worlds.len(), worlds[1].world_id),
        (2, 2, 1)
    );
    assert_eq!(
        (worlds[1].characters[0].stats.id, worlds[1].login_opt),
        (31, Some(1))
    );
    let refused = c.select_character(30).await.unwrap();
    assert_eq!(refused, ServerIp::Refused { code: 7, mode: 0 });
    let ServerIp::Channel { port, .. } = c.register_pic(30, "1234").await.unwrap() else {
        panic!("refused");
    };
    assert_eq!(port, 7575);
    let plain = c.view_all_select(31, 1).await.unwrap();
    assert_eq!(plain, ServerIp::Refused { code: 7, mode: 0 });
    let registering = c.view_all_register_pic(31, 1, "5678").await.unwrap();
    assert_eq!(registering, ServerIp::Refused { code: 4, mode: 0 });
    let ServerIp::Channel {
        port, character_id, ..
    } = c.view_all_select_with_pic(31, 1, "5678").await.unwrap()
    else {
        panic!("refused");
    };
    assert_eq!((port, character_id), (7675, 31));
    server.await.unwrap();
}
