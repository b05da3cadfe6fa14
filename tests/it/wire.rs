//! The Kafka side byte for byte: every produced message read back by an independent consumer
//! (key, headers, exact JSON), and consumed messages skipped or routed as the contract says.

use serde_json::json;

use crate::helpers::*;
use crate::world::World;

fn assert_tenant_headers(r: &Record) {
    assert_eq!(r.header("TENANT_ID"), Some(TENANT.as_bytes()));
    assert_eq!(r.header("REGION"), Some(&b"GMS"[..]));
    assert_eq!(r.header("MAJOR_VERSION"), Some(&[0x00, 0x53][..]));
    assert_eq!(r.header("MINOR_VERSION"), Some(&[0x00, 0x01][..]));
    let tp = std::str::from_utf8(r.header("traceparent").expect("traceparent")).unwrap();
    let parts: Vec<&str> = tp.split('-').collect();
    assert_eq!(parts.len(), 4, "{tp}");
    assert_eq!(
        (parts[0], parts[1].len(), parts[2].len(), parts[3].len()),
        ("00", 32, 16, 2),
        "{tp}"
    );
}

fn trace_id(r: &Record) -> String {
    std::str::from_utf8(r.header("traceparent").unwrap())
        .unwrap()
        .split('-')
        .nth(1)
        .unwrap()
        .to_owned()
}

#[actix_rt::test]
async fn every_produced_message_is_byte_exact() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    let sid = c.session_id;
    c.send(json!({"op":"login","accountName":"admin","password":"admin","hwid":"00112233445566778899AABBCCDDEEFF"})).await;
    c.expect("login_ok").await;
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    c.expect("server_ip").await;
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    w.assert_ended_once(sid, 1).await;

    let (cmd, status) = (w.topics.command.clone(), w.topics.session_status.clone());
    let o = &w.observer;
    let create = o.of(&cmd, sid, "CREATE")[0];
    assert_eq!(create.key, [0u8; 8]);
    assert_eq!(
        String::from_utf8_lossy(&create.payload),
        format!(
            r#"{{"sessionId":"{sid}","accountId":0,"author":"LOGIN","type":"CREATE","body":{{"accountName":"admin","password":"admin","ipAddress":"127.0.0.1","hwid":"00112233445566778899aabbccddeeff"}}}}"#
        )
    );
    let created = o.of(&status, sid, "CREATED")[0];
    assert_eq!(created.key, [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        String::from_utf8_lossy(&created.payload),
        format!(
            r#"{{"sessionId":"{sid}","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"CREATED"}}"#
        )
    );
    let progress = o.of(&cmd, sid, "PROGRESS_STATE")[0];
    assert_eq!(progress.key, [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        String::from_utf8_lossy(&progress.payload),
        format!(
            r#"{{"sessionId":"{sid}","accountId":1,"author":"LOGIN","type":"PROGRESS_STATE","body":{{"state":2,"params":{{"ipAddress":"10.0.0.5","port":7575,"characterId":1}}}}}}"#
        )
    );
    let logout = o.of(&cmd, sid, "LOGOUT")[0];
    assert_eq!(
        String::from_utf8_lossy(&logout.payload),
        format!(
            r#"{{"sessionId":"{sid}","accountId":1,"author":"LOGIN","type":"LOGOUT","body":{{}}}}"#
        )
    );
    let destroyed = o.of(&status, sid, "DESTROYED")[0];
    assert_eq!(destroyed.key, [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        String::from_utf8_lossy(&destroyed.payload),
        format!(
            r#"{{"sessionId":"{sid}","accountId":1,"characterId":0,"worldId":0,"channelId":0,"issuer":"LOGIN","type":"DESTROYED"}}"#
        )
    );
    for r in [create, created, progress, logout, destroyed] {
        assert_tenant_headers(r);
    }
    // The session CREATED was produced in reaction to the peer's CREATED, itself a child of
    // the CREATE: one trace from the client's login to the session status.
    assert_eq!(trace_id(created), trace_id(create));
    w.shutdown().await;
}

/// A late peer answer produced by the test with its own traceparent: the reaction carries it.
#[actix_rt::test]
async fn a_reaction_carries_the_trace_id_of_its_cause() {
    let mut w = World::start(false, &service_json(None), &[]).await;
    let mut c = w.client().await;
    let sid = c.session_id;
    c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
        .await;
    let cause = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let mut headers = gms();
    headers.push(("traceparent".into(), cause.as_bytes().to_vec()));
    let created = json!({"sessionId":sid,"accountId":1,"accountName":"admin","type":"CREATED","body":{"ipAddress":"127.0.0.1","hwid":""}});
    Injector::new()
        .send(
            &w.topics.account_session_status,
            1,
            &headers,
            created.to_string().as_bytes(),
        )
        .await;
    c.expect("login_ok").await;
    let status = w.topics.session_status.clone();
    w.observer
        .wait_until("session CREATED", |seen| {
            seen.iter().any(|r| r.topic == status)
        })
        .await;
    let r = w.observer.of(&status, sid, "CREATED")[0].clone();
    assert_eq!(trace_id(&r), "0af7651916cd43dd8448eb211c80319c");
    w.shutdown().await;
}

#[actix_rt::test]
async fn other_tenants_bad_headers_and_poison_are_skipped_without_stopping() {
    let mut w = World::start(false, &service_json(None), &[]).await;
    let mut c = w.client().await;
    let sid = c.session_id;
    c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
        .await;
    let topic = w.topics.account_session_status.clone();
    let created =
        json!({"sessionId":sid,"accountId":1,"accountName":"admin","type":"CREATED","body":{}})
            .to_string();
    let inj = Injector::new();
    // Another tenant, a 35-byte TENANT_ID, decimal-text versions, no headers, non-JSON.
    inj.send(
        &topic,
        1,
        &tenant_headers("11111111-c47c-42a6-9585-76492795d123", "GMS", 83, 1),
        created.as_bytes(),
    )
    .await;
    inj.send(
        &topic,
        1,
        &tenant_headers(&TENANT[..35], "GMS", 83, 1),
        created.as_bytes(),
    )
    .await;
    inj.send(
        &topic,
        1,
        &tenant_headers(TENANT, "GMS", 83, 2),
        created.as_bytes(),
    )
    .await;
    let mut text_versions = tenant_headers(TENANT, "GMS", 83, 1);
    text_versions[2].1 = b"83".to_vec();
    inj.send(&topic, 1, &text_versions, created.as_bytes())
        .await;
    inj.send(&topic, 1, &[], created.as_bytes()).await;
    inj.send(&topic, 1, &gms(), b"this is not json").await;
    inj.send(&topic, 1, &gms(), br#"{"sessionId":42}"#).await;
    // None of those logged the client in; a valid one does.
    inj.send(&topic, 1, &gms(), created.as_bytes()).await;
    let ok = c.expect("login_ok").await;
    assert_eq!(ok["accountId"], 1);
    w.shutdown().await;
}

#[actix_rt::test]
async fn seed_events_reach_the_session_of_their_account() {
    let mut w = World::default().await;
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    let mut other = w.client().await;
    assert_eq!(other.login("alice", "alice").await["event"], "login_ok");
    let inj = Injector::new();
    let seed = w.topics.seed_status.clone();
    inj.send(
        &seed,
        1,
        &gms(),
        br#"{"accountId":1,"type":"CREATED","body":{"characterId":5}}"#,
    )
    .await;
    assert_eq!(c.expect("character_created").await["characterId"], 5);
    inj.send(
        &seed,
        1,
        &gms(),
        br#"{"accountId":1,"type":"FAILED","body":{"reason":"name taken"}}"#,
    )
    .await;
    assert_eq!(
        c.expect("character_creation_failed").await["reason"],
        "name taken"
    );
    // alice's session got neither: its next line is the pong.
    other.send(json!({"op":"ping"})).await;
    other.expect("pong").await;
    w.shutdown().await;
}
