//! A broker outage under login traffic. The test starts its own tansu on a free port, puts a
//! TCP proxy of its own in front of it (the broker advertises the proxy's address, so every
//! client, the service's included, goes through it), and cuts the proxy for 10 s: every
//! proxied connection is closed and new ones are refused. Then two outages the chaos test
//! (`chaos.rs`) found mishandled: a start while the broker is away, and a recovery after a cut
//! that made the broker report a ledger end below its records. Opt-in: `LONG_TESTS=1`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::chaos::ServiceEnv;
use crate::helpers::*;
use crate::world::start_sim_at;

const CUT: Duration = Duration::from_secs(10);
const LOGIN_TIMEOUT_MS: u64 = 15000;

/// Accounts the outage test logs in: u1 … u40, ids 101 …, licence accepted.
fn accounts() -> String {
    let list: Vec<String> = (1..=40)
        .map(|i| {
            format!(
                r#"{{"id":{},"name":"u{i}","password":"p{i}","licenseAccepted":true}}"#,
                100 + i
            )
        })
        .collect();
    format!(
        r#"{{"autoRegister":false,"accounts":[{}]}}"#,
        list.join(",")
    )
}

/// Logs `u{i}` in on a fresh connection and waits for the answer.
async fn login(addr: SocketAddr, i: u32) -> (Client, Value) {
    let mut c = Client::connect(addr).await;
    c.send(json!({"op":"login","accountName":format!("u{i}"),"password":format!("p{i}")}))
        .await;
    // Every login is answered within LOGIN_TIMEOUT_MS, well inside `recv`'s deadline.
    let answer = c.recv().await;
    (c, answer)
}

/// The committed offsets of `group` on `topic`, and each partition's high watermark.
fn committed(bootstrap: &str, group: &str, topic: &str) -> Vec<(i32, String, i64)> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in 0..4 {
        tpl.add_partition(topic, p);
    }
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .map(|t| {
            t.elements()
                .iter()
                .map(|e| {
                    let high = consumer
                        .fetch_watermarks(topic, e.partition(), Duration::from_secs(5))
                        .map(|w| w.1)
                        .unwrap_or(-1);
                    (e.partition(), format!("{:?}", e.offset()), high)
                })
                .collect()
        })
        .unwrap_or_default();
    got
}

fn of<'a>(seen: &'a [Record], topic: &str, sid: Uuid, kind: &str) -> Vec<&'a Record> {
    seen.iter()
        .filter(|r| r.topic == topic)
        .filter(|r| {
            let v = r.json();
            v["sessionId"] == sid.to_string() && v["type"] == kind
        })
        .collect()
}

#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn a_broker_outage_under_login_traffic_is_survived() {
    outage(false).await;
}

/// The same outage; the consumer group's membership is lost during it (10 s > the 6 s session
/// timeout), so the consumer rejoins after it. Answers the peer produced meanwhile must still be
/// handled.
#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn login_answers_produced_while_the_consumer_rejoins_after_an_outage_are_not_lost() {
    outage(true).await;
}

/// Cuts the broker for 10 s under login traffic and checks everything the service promises
/// across it. `answers_kept`: also require that no peer answer is lost across the consumer's
/// rejoin (a timed-out login whose answer comes later must be released, and its account must
/// log in again).
async fn outage(answers_kept: bool) {
    let started = Instant::now();
    let (broker_port, proxy_port) = (free_port(), free_port());
    let proxy = Proxy::start(proxy_port, broker_port);
    let _broker = Tansu::start(broker_port, proxy.port);
    let bootstrap = format!("127.0.0.1:{proxy_port}");
    let end = Instant::now() + DEADLINE;
    while TcpStream::connect(("127.0.0.1", broker_port))
        .await
        .is_err()
    {
        assert!(Instant::now() < end, "the second tansu did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let topics = Topics::create_at(&bootstrap).await;
    let _sim = start_sim_at(&bootstrap, &topics, &accounts());
    let tenant = Uuid::new_v4().to_string();
    let timeout = LOGIN_TIMEOUT_MS.to_string();
    let service_id = Uuid::new_v4().to_string();
    let group = format!("Login Service - {service_id}");
    let app = start(config(
        &topics,
        &service_json_for(&tenant, None),
        &[
            ("SERVICE_ID", service_id.as_str()),
            ("BOOTSTRAP_SERVERS", bootstrap.as_str()),
            ("LOGIN_TIMEOUT_MS", timeout.as_str()),
        ],
    ))
    .await;
    let (admin, addr) = (app.admin, app.gateway[0]);
    let (cmd, status, answers) = (
        topics.command.clone(),
        topics.session_status.clone(),
        topics.account_session_status.clone(),
    );
    let mut obs = Observer::new_at(&bootstrap, &[&cmd, &status, &answers]);

    // Before: four sessions logged in (u1 … u4).
    let mut before = Vec::new();
    for i in 1..=4 {
        let (c, answer) = login(addr, i).await;
        assert_eq!(
            answer["event"], "login_ok",
            "u{i} before the outage: {answer}"
        );
        before.push(c);
    }
    assert_eq!(admin_get(admin, "/readyz").await.0, 200);

    // The cut.
    let cut_at = Instant::now();
    proxy.cut();
    eprintln!("outage: cut at {:?}", started.elapsed());
    // Sessions end during it: logout, client close, protocol violation.
    let mut c1 = before.remove(0);
    c1.send(json!({"op":"logout"})).await;
    assert_eq!(c1.recv().await, json!({"event":"bye","reason":"logout"}));
    let c2 = before.remove(0);
    let c2_id = c2.session_id;
    drop(c2);
    let mut c3 = before.remove(0);
    c3.send_raw(&[b'x'; 9000]).await;
    assert_eq!(c3.expect("error").await["code"], "LINE_TOO_LONG");
    assert_eq!(
        c3.recv().await,
        json!({"event":"bye","reason":"protocol_violation"})
    );
    let mut c4 = before.remove(0);
    let ended_in_cut = [(c1.session_id, 101u32), (c2_id, 102), (c3.session_id, 103)];

    // Logins arrive throughout the cut (u10 …), each waiting for its answer.
    let mut waiting = Vec::new();
    for (k, at_ms) in [300u64, 2000, 4000, 6000, 8000, 9500]
        .into_iter()
        .enumerate()
    {
        let i = 10 + k as u32;
        waiting.push(actix_rt::spawn(async move {
            tokio::time::sleep_until((cut_at + Duration::from_millis(at_ms)).into()).await;
            let (c, answer) = login(addr, i).await;
            (i, c, answer)
        }));
    }
    // The service stays up, and says it is not ready.
    let mut not_ready = None;
    while cut_at.elapsed() < CUT {
        assert_eq!(admin_get(admin, "/healthz").await.0, 200);
        let (code, body) = admin_get(admin, "/readyz").await;
        if code == 503 && not_ready.is_none() {
            not_ready = Some((cut_at.elapsed(), body));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The gateway still accepts clients; one is greeted once its start is on the ledger, that
    // is once the broker is back (a hello promises that a crash cannot lose the session's end).
    let during = actix_rt::spawn(async move { Client::connect(addr).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    proxy.restore();
    let restored_at = Instant::now();
    let mut during = during.await.expect("greeted after the cut");
    during.send(json!({"op":"ping"})).await;
    during.expect("pong").await;
    eprintln!(
        "outage: restored at {:?}; /readyz went 503 after {:?}",
        started.elapsed(),
        not_ready.as_ref().map(|n| n.0)
    );
    let (_, body) = not_ready.expect("/readyz said not ready during the outage");
    assert!(body.contains("broker unreachable"), "{body}");

    // Ready again.
    let end = Instant::now() + Duration::from_secs(90);
    loop {
        let (code, body) = admin_get(admin, "/readyz").await;
        if code == 200 {
            break;
        }
        assert!(
            Instant::now() < end,
            "not ready again after the outage: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "outage: ready again {:?} after the restore",
        restored_at.elapsed()
    );

    // Logins work again: fresh accounts u30 …, until one is answered login_ok.
    let mut fresh = Vec::new();
    let end = Instant::now() + Duration::from_secs(60);
    for i in 30..=40 {
        let (c, answer) = login(addr, i).await;
        let ok = answer["event"] == "login_ok";
        fresh.push((i, c, answer.clone()));
        if ok {
            break;
        }
        assert_eq!(
            answer,
            json!({"event":"login_failed","code":"SYSTEM_ERROR"}),
            "u{i}"
        );
        assert!(Instant::now() < end, "no login succeeded after the outage");
    }
    let last = &fresh.last().unwrap().2;
    assert_eq!(
        last["event"],
        "login_ok",
        "logins work again: {fresh:?}",
        fresh = fresh.iter().map(|f| &f.2).collect::<Vec<_>>()
    );
    eprintln!(
        "outage: a fresh login succeeded {:?} after the restore ({} attempts)",
        restored_at.elapsed(),
        fresh.len()
    );

    // The logins made during the cut: answered, or SYSTEM_ERROR at their timeout.
    let mut during_cut = Vec::new();
    for t in waiting {
        let (i, c, answer) = t.await.unwrap();
        assert!(
            answer["event"] == "login_ok"
                || answer == json!({"event":"login_failed","code":"SYSTEM_ERROR"}),
            "u{i}: {answer}"
        );
        during_cut.push((i, c, answer));
    }
    eprintln!(
        "outage: logins during the cut: {:?}",
        during_cut
            .iter()
            .map(|(i, _, a)| (i, a["event"].clone(), a["code"].clone()))
            .collect::<Vec<_>>()
    );

    // Sessions that ended in the cut: one LOGOUT and one DESTROYED each, after it.
    let ended = ended_in_cut;
    obs.wait_until_within(
        Duration::from_secs(60),
        "LOGOUT and DESTROYED of the sessions ended in the cut",
        |seen| {
            ended.iter().all(|(sid, _)| {
                !of(seen, &cmd, *sid, "LOGOUT").is_empty()
                    && !of(seen, &status, *sid, "DESTROYED").is_empty()
            })
        },
    )
    .await;
    // A timed-out login whose CREATE reached the peer is released with a LOGOUT of its account.
    let timed_out: Vec<(Uuid, u32)> = during_cut
        .iter()
        .chain(fresh.iter())
        .filter(|(_, _, a)| a["code"] == "SYSTEM_ERROR")
        .map(|(i, c, _)| (c.session_id, 100 + i))
        .collect();
    obs.wait_until_within(
        Duration::from_secs(60),
        "the CREATE of every login made in the cut",
        |seen| {
            during_cut
                .iter()
                .all(|(_, c, _)| !of(seen, &cmd, c.session_id, "CREATE").is_empty())
        },
    )
    .await;
    // (Polled by hand to say which login was lost.)
    let unreleased = |seen: &[Record]| -> Vec<String> {
        timed_out
            .iter()
            .filter(|(sid, account)| {
                let answered = of(seen, &answers, *sid, "CREATED")
                    .iter()
                    .any(|r| r.json()["accountId"] == *account);
                answered
                    && !of(seen, &cmd, *sid, "LOGOUT")
                        .iter()
                        .any(|r| r.json()["accountId"] == *account)
            })
            .map(|(sid, account)| format!("session {sid} account {account}"))
            .collect()
    };
    let wait = if answers_kept { 60 } else { 15 };
    let end = Instant::now() + Duration::from_secs(wait);
    while !unreleased(&obs.seen).is_empty() && Instant::now() < end {
        obs.settle(Duration::from_millis(200)).await;
    }
    let lost = unreleased(&obs.seen);
    if !lost.is_empty() && !answers_kept {
        eprintln!(
            "outage: {} peer answers lost across the rejoin (see the ignored test); committed offsets: {:?}",
            lost.len(),
            committed(&bootstrap, &group, &answers)
        );
    }
    assert!(
        lost.is_empty() || !answers_kept,
        "logins answered by the peer after the outage, but neither answered to the client \
         (they got SYSTEM_ERROR) nor released with a LOGOUT: the service never saw the \
         answer: {lost:#?}\ncommitted offsets of the service's group: {:?}",
        committed(&bootstrap, &group, &answers)
    );

    // The accounts of timed-out logins are usable again (the peer released them).
    let mut again = Vec::new();
    if answers_kept {
        for (_, account) in &timed_out {
            let i = account - 100;
            let end = Instant::now() + Duration::from_secs(30);
            loop {
                let (mut c, answer) = login(addr, i).await;
                if answer["event"] == "login_ok" {
                    again.push((c, *account));
                    break;
                }
                assert_eq!(answer["code"], "ALREADY_LOGGED_IN", "u{i}: {answer}");
                assert!(Instant::now() < end, "u{i} stays logged in at the peer");
                c.send(json!({"op":"logout"})).await;
                c.expect("bye").await;
                again.push((c, 0));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }

    // End everything still open, then count.
    c4.send(json!({"op":"logout"})).await;
    c4.expect("bye").await;
    let mut still: Vec<(Uuid, u32)> = vec![(c4.session_id, 104)];
    for (mut c, account) in again {
        if account != 0 {
            c.send(json!({"op":"logout"})).await;
            c.expect("bye").await;
        }
        still.push((c.session_id, account));
    }
    for (i, mut c, answer) in during_cut.into_iter().chain(fresh) {
        c.send(json!({"op":"logout"})).await;
        assert_eq!(c.recv().await, json!({"event":"bye","reason":"logout"}));
        still.push((
            c.session_id,
            if answer["event"] == "login_ok" {
                100 + i
            } else {
                0
            },
        ));
    }
    let mut all: Vec<(Uuid, u32)> = ended.to_vec();
    all.extend(still);
    obs.wait_until_within(
        Duration::from_secs(60),
        "every session's LOGOUT and DESTROYED",
        |seen| {
            all.iter().all(|(sid, _)| {
                !of(seen, &cmd, *sid, "LOGOUT").is_empty()
                    && !of(seen, &status, *sid, "DESTROYED").is_empty()
            })
        },
    )
    .await;
    obs.settle(Duration::from_secs(2)).await;
    // Each session ended once, with its account. A LOGOUT of that account may come again: the
    // consumer rejoins after the cut from its last commit, and a login answer it had handled
    // before is released again (harmless: the peer ignores a LOGOUT from a session that does
    // not hold the account; see the README's "Sessions end exactly once").
    let mut repeated = 0;
    for (sid, account) in &all {
        let logouts: Vec<_> = of(&obs.seen, &cmd, *sid, "LOGOUT")
            .into_iter()
            .filter(|r| r.json()["accountId"] == *account)
            .collect();
        assert!(
            !logouts.is_empty(),
            "a LOGOUT of {sid} with account {account}"
        );
        repeated += logouts.len() - 1;
        let destroyed = of(&obs.seen, &status, *sid, "DESTROYED");
        assert_eq!(destroyed.len(), 1, "one DESTROYED of {sid}");
        assert_eq!(destroyed[0].json()["accountId"], *account, "{sid}");
    }
    eprintln!("outage: {repeated} LOGOUTs repeated by the release of a replayed answer");
    // Exactly once: no other produced message is on its topic twice.
    let mut copies: HashMap<(&str, &[u8]), usize> = HashMap::new();
    for r in obs
        .seen
        .iter()
        .filter(|r| r.topic == cmd || r.topic == status)
        .filter(|r| r.json()["type"] != "LOGOUT")
    {
        *copies
            .entry((r.topic.as_str(), r.payload.as_slice()))
            .or_default() += 1;
    }
    let dups: Vec<String> = copies
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((t, p), n)| format!("{n}x {t} {}", String::from_utf8_lossy(p)))
        .collect();
    assert!(
        dups.is_empty(),
        "messages produced more than once: {dups:#?}"
    );
    let body = admin_get(admin, "/metrics").await.1;
    eprintln!(
        "outage: produce errors: {} (cmd) {} (status); total {:?}",
        metric(
            &body,
            "login_messages_produced_total",
            &[("topic", &cmd), ("result", "error")]
        ),
        metric(
            &body,
            "login_messages_produced_total",
            &[("topic", &status), ("result", "error")]
        ),
        started.elapsed()
    );
    tokio::time::timeout(Duration::from_secs(30), app.shutdown())
        .await
        .expect("shutdown in time");
}

/// Found by the chaos test: a restart while the broker could not be reached exited with status
/// 1 once a start-up metadata request ran out (10 s), leaving the restart to the orchestrator's
/// back-off. It now waits for the broker (not ready meanwhile), then starts, recovers and opens.
#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn a_service_started_while_its_broker_is_away_waits_for_it_then_starts() {
    let (broker_port, proxy_port) = (free_port(), free_port());
    let proxy = Proxy::start(proxy_port, broker_port);
    let _broker = Tansu::start(broker_port, proxy.port);
    Tansu::wait_listening(broker_port).await;
    let bootstrap = format!("127.0.0.1:{proxy_port}");
    let topics = Topics::create_at(&bootstrap).await;
    let logs = std::env::temp_dir().join(format!("lo-away-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&logs).unwrap();
    let (gateway_port, admin_port) = (free_port(), free_port());
    let service_file = logs.join("service.json");
    std::fs::write(
        &service_file,
        service_json(None).replace("\"port\":0,", &format!("\"port\":{gateway_port},")),
    )
    .unwrap();
    let mut vars = topics.env();
    for (k, v) in [
        ("BOOTSTRAP_SERVERS", bootstrap.clone()),
        ("SERVICE_ID", Uuid::new_v4().to_string()),
        ("SERVICE_CONFIG", service_file.display().to_string()),
        ("ADMIN_ADDRESS", format!("127.0.0.1:{admin_port}")),
        (
            "SESSION_LEDGER_TOPIC_PREFIX",
            format!("away-ledger-{}-", Uuid::new_v4().simple()),
        ),
        ("LOG_LEVEL", "info".to_owned()),
        ("NO_COLOR", "1".to_owned()),
    ] {
        vars.push((k.to_owned(), v));
    }
    let env = ServiceEnv {
        vars,
        logs: logs.clone(),
        gateway: format!("127.0.0.1:{gateway_port}").parse().unwrap(),
        admin: format!("127.0.0.1:{admin_port}").parse().unwrap(),
    };
    proxy.cut();
    let mut service = env.spawn(0);
    // Longer than a metadata request's 10 s: the first start-up step has run out at least once.
    tokio::time::sleep(Duration::from_secs(14)).await;
    let exited = service.child().try_wait().unwrap();
    assert!(
        exited.is_none(),
        "the service exited while its broker was away: {exited:?}; log {}",
        env.log(0).display()
    );
    assert!(
        TcpStream::connect(env.gateway).await.is_err(),
        "no gateway before the sessions of a previous run could be recovered"
    );
    assert!(!env.ready().await, "not ready without a broker");
    proxy.restore();
    let end = Instant::now() + Duration::from_secs(60);
    while !env.ready().await {
        assert!(
            Instant::now() < end,
            "not ready after the broker came back; log {}",
            env.log(0).display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut client = Client::connect(env.gateway).await;
    client.send(json!({"op":"ping"})).await;
    client.expect("pong").await;
    drop(client);
    let mut child = service.take();
    // SAFETY: a plain signal to a child process of this test.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

/// Found by the chaos test: after a producer's connection is cut with records queued, the test
/// broker reports (ListOffsets) an end below records it has acknowledged and serves, for a
/// while. Recovery read the ledger only to that end, so it missed the last records of the
/// sessions a crashed run left: one whose end had begun was ended again (a second DESTROYED),
/// one bound to an account was ended with account 0, one that started last was not ended at
/// all. Here a ledger is written across such a cut; recovery must end every session once, with
/// the account of its last record.
#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn recovery_reads_the_ledger_past_an_end_the_broker_reports_too_low() {
    const WRITER: &str = "ledger-writer";
    let (broker_port, proxy_port) = (free_port(), free_port());
    let proxy = Proxy::start_cutting_only(proxy_port, broker_port, WRITER);
    let _broker = Tansu::start(broker_port, proxy.port);
    Tansu::wait_listening(broker_port).await;
    let bootstrap = format!("127.0.0.1:{proxy_port}");
    let topics = Topics::create_at(&bootstrap).await;
    let service_id = Uuid::new_v4();
    let prefix = format!("low-end-ledger-{}-", Uuid::new_v4().simple());
    let ledger = format!("{prefix}{service_id}");
    let admin: rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext> =
        ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .create()
            .unwrap();
    let new = rdkafka::admin::NewTopic::new(&ledger, 1, rdkafka::admin::TopicReplication::Fixed(1))
        .set("cleanup.policy", "compact");
    admin
        .create_topics(&[new], &rdkafka::admin::AdminOptions::new())
        .await
        .unwrap();
    // The crashed run's producer, idempotent like the service's.
    let writer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("client.id", WRITER)
        .set("reconnect.backoff.max.ms", "1000")
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "0")
        .create()
        .unwrap();
    let record = |account: u32| {
        format!(
            r#"{{"tenantId":"{TENANT}","region":"GMS","majorVersion":83,"minorVersion":1,"accountId":{account}}}"#
        )
    };
    let send = |id: Uuid, payload: String| {
        let key = id.to_string();
        writer
            .send_result(FutureRecord::to(&ledger).key(&key).payload(&payload))
            .map_err(|(e, _)| e)
            .expect("enqueued")
    };
    // Sessions 0..10 start (account 0) before the cut; during it they are bound (account
    // 201..), and sessions 10..20 start and are bound; after it, one more starts.
    let sessions: Vec<Uuid> = (0..21).map(|_| Uuid::new_v4()).collect();
    let mut expected: HashMap<Uuid, u32> = HashMap::new();
    let mut pending = Vec::new();
    for id in sessions.iter().take(10) {
        for _ in 0..5 {
            pending.push(send(*id, record(0)));
        }
        expected.insert(*id, 0);
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    proxy.cut();
    for (i, id) in sessions.iter().take(20).enumerate() {
        let account = 201 + i as u32;
        for _ in 0..3 {
            pending.push(send(*id, record(account)));
        }
        expected.insert(*id, account);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    proxy.restore();
    pending.push(send(sessions[20], record(301)));
    expected.insert(sessions[20], 301);
    let written = pending.len() as i64;
    for delivery in pending {
        delivery.await.unwrap().expect("delivered");
    }
    let probe: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .unwrap();
    let (_, reported) = probe
        .fetch_watermarks(&ledger, 0, Duration::from_secs(10))
        .unwrap();
    eprintln!(
        "low end: {written} ledger records acknowledged; the broker reports an end of {reported}{}",
        if reported < written {
            " (below them: the case this test is for)"
        } else {
            " (this time it did not under-report: the test still checks recovery)"
        }
    );
    drop(writer);

    // The restart: recovery ends all 21, once, with the account of each one's last record.
    let service_id = service_id.to_string();
    let app = start(config(
        &topics,
        &service_json(None),
        &[
            ("SERVICE_ID", service_id.as_str()),
            ("SESSION_LEDGER_TOPIC_PREFIX", prefix.as_str()),
            ("BOOTSTRAP_SERVERS", bootstrap.as_str()),
        ],
    ))
    .await;
    let (cmd, status) = (topics.command.clone(), topics.session_status.clone());
    let mut obs = Observer::new_at(&bootstrap, &[&cmd, &status]);
    let ids: Vec<String> = sessions.iter().map(Uuid::to_string).collect();
    obs.wait_until_within(
        Duration::from_secs(60),
        "a DESTROYED for every session of the ledger",
        |seen| {
            ids.iter().all(|id| {
                seen.iter()
                    .any(|r| r.topic == status && r.json()["sessionId"] == *id)
            })
        },
    )
    .await;
    obs.settle(Duration::from_secs(2)).await;
    for (id, account) in &expected {
        let destroyed = obs.of(&status, *id, "DESTROYED");
        let logouts = obs.of(&cmd, *id, "LOGOUT");
        assert_eq!(
            (destroyed.len(), logouts.len()),
            (1, 1),
            "session {id}: one DESTROYED and one LOGOUT"
        );
        assert_eq!(destroyed[0].json()["accountId"], *account, "session {id}");
        assert_eq!(logouts[0].json()["accountId"], *account, "session {id}");
    }
    tokio::time::timeout(Duration::from_secs(30), app.shutdown())
        .await
        .expect("shutdown in time");
}
