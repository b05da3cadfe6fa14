//! Every client version Atlas ships (GMS 12, 83, 87, 92, 95 and JMS 185) end to end: a tenant of
//! that version, the client of that version, from the hello through the login, the server list
//! (JMS: sent with the login answer), a world's characters and a select with the version's PIC
//! rule, to PROGRESS_STATE and ServerIP, and one end on Kafka.

use std::net::Ipv4Addr;

use maple_client::ServerIp;

use super::*;

/// Logs `admin` in on a tenant of `region`/`major`, selects its first character of world 0
/// channel 0 and checks the hand-off; `pic`: whether the version selects with a PIC.
async fn login_to_server_ip(region: &'static str, major: u16, pic: bool) {
    let mut g = Setup::default()
        .own_tenant()
        .version(region, major)
        .start()
        .await;
    let (mut c, auth, session) = g.logged_in("admin", "admin").await;
    assert_eq!(auth.account_id, 1);
    g.assert_created(session, "admin", 1).await;
    let list = c.server_list().await.expect("server list");
    assert_eq!(
        list.worlds.iter().map(|w| w.id).collect::<Vec<_>>(),
        [0, 1, 2],
        "{region} {major}"
    );
    let characters = c.character_list(0, 0).await.expect("characters");
    let ids: Vec<u32> = characters.characters.iter().map(|e| e.stats.id).collect();
    assert_eq!(ids, [1, 2, 3], "{region} {major}: admin's characters");
    let expected_opt = match (region, major) {
        ("GMS", 12) => None,
        ("JMS", _) => Some(2),
        _ => Some(0),
    };
    assert_eq!(characters.login_opt, expected_opt, "{region} {major}");
    let id = ids[0];
    let server_ip = if pic {
        c.register_pic(id, "1357").await
    } else {
        c.select_character(id).await
    }
    .expect("ServerIP");
    let ServerIp::Channel {
        ip,
        port,
        character_id,
        premium,
        ..
    } = server_ip
    else {
        panic!("{region} {major}: {server_ip:?}");
    };
    assert_eq!(
        (ip, port, character_id),
        (Ipv4Addr::LOCALHOST, 7575, id),
        "world 0 channel 0 of the test data"
    );
    assert_eq!(premium.is_none(), major == 12, "GMS 12 has no premium int");
    let cmd = g.topics.command.clone();
    g.observer
        .wait_until("the PROGRESS_STATE", |seen| {
            seen.iter()
                .any(|r| r.topic == cmd && r.json()["type"] == "PROGRESS_STATE")
        })
        .await;
    let progress = g.records(&cmd, session, "PROGRESS_STATE");
    assert_eq!(progress.len(), 1, "{progress:?}");
    assert_eq!(progress[0]["body"]["state"], 2);
    assert_eq!(progress[0]["body"]["params"]["characterId"], id);
    if pic {
        let account = g.rest.account(&g.ctx(), 1).await.expect("admin");
        assert_eq!(account.pic, "1357", "the PIC registered with the select");
    }
    drop(c);
    g.assert_ended_once(session, 1).await;
}

#[actix_rt::test]
async fn gms_12() {
    login_to_server_ip("GMS", 12, false).await;
}

#[actix_rt::test]
async fn gms_83() {
    login_to_server_ip("GMS", 83, true).await;
}

#[actix_rt::test]
async fn gms_87() {
    login_to_server_ip("GMS", 87, true).await;
}

#[actix_rt::test]
async fn gms_92() {
    login_to_server_ip("GMS", 92, true).await;
}

#[actix_rt::test]
async fn gms_95() {
    login_to_server_ip("GMS", 95, true).await;
}

#[actix_rt::test]
async fn jms_185() {
    login_to_server_ip("JMS", 185, false).await;
}
