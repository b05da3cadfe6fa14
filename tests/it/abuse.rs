//! Hostile input: poison messages on every consumed topic, abusive gateway clients (random
//! bytes, invalid UTF-8, huge lines, half lines, clients that never read, connection storms),
//! and the admission and login limits. Nothing crashes, every skipped message is counted, every
//! session ends exactly once.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::helpers::*;
use crate::world::World;

// ---- Poison messages ----------------------------------------------------------------------

const MIB: usize = 1 << 20;

/// Every kind of poison for one topic: (what, headers, payload, expected outcome label).
type Poison = (
    &'static str,
    Vec<(String, Option<Vec<u8>>)>,
    Vec<u8>,
    &'static str,
);

fn h(headers: Vec<(String, Vec<u8>)>) -> Vec<(String, Option<Vec<u8>>)> {
    headers.into_iter().map(|(k, v)| (k, Some(v))).collect()
}

/// Header variants that must be skipped as `no_tenant` or `other_tenant`, with a payload that
/// would otherwise be acted on.
fn bad_headers(valid: &[u8]) -> Vec<Poison> {
    let mut short_id = gms();
    short_id[0].1.pop(); // 35 bytes
    let mut one_byte_major = gms();
    one_byte_major[2].1 = vec![83];
    let mut three_byte_minor = gms();
    three_byte_minor[3].1 = vec![0, 0, 1];
    let mut no_region = gms();
    no_region.remove(1);
    let mut null_id: Vec<(String, Option<Vec<u8>>)> = h(gms());
    null_id[0].1 = None;
    let mut upper_id = gms();
    upper_id[0].1 = TENANT.to_uppercase().into_bytes();
    vec![
        ("no headers", vec![], valid.to_vec(), "no_tenant"),
        (
            "35-byte TENANT_ID",
            h(short_id),
            valid.to_vec(),
            "no_tenant",
        ),
        (
            "1-byte MAJOR_VERSION",
            h(one_byte_major),
            valid.to_vec(),
            "no_tenant",
        ),
        (
            "3-byte MINOR_VERSION",
            h(three_byte_minor),
            valid.to_vec(),
            "no_tenant",
        ),
        ("no REGION", h(no_region), valid.to_vec(), "no_tenant"),
        (
            "TENANT_ID without value",
            null_id,
            valid.to_vec(),
            "no_tenant",
        ),
        (
            "another tenant",
            h(tenant_headers(
                "11111111-c47c-42a6-9585-76492795d123",
                "GMS",
                83,
                1,
            )),
            valid.to_vec(),
            "other_tenant",
        ),
        (
            "uppercase TENANT_ID",
            h(upper_id),
            valid.to_vec(),
            "other_tenant",
        ),
        (
            "another region",
            h(tenant_headers(TENANT, "EMS", 83, 1)),
            valid.to_vec(),
            "other_tenant",
        ),
    ]
}

/// A value of more than 1 MiB that is valid JSON up to a point, then cut.
fn huge_truncated(prefix: &str) -> Vec<u8> {
    let mut v = prefix.as_bytes().to_vec();
    v.extend(std::iter::repeat(b'x').take(MIB));
    v
}

/// A valid JSON value of more than 1 MiB.
fn huge_valid(prefix: &str, suffix: &str) -> Vec<u8> {
    let mut v = prefix.as_bytes().to_vec();
    v.extend(std::iter::repeat(b'x').take(MIB));
    v.extend_from_slice(suffix.as_bytes());
    v
}

async fn inject_all(inj: &Injector, topic: &str, key: u32, poisons: &[Poison]) {
    for (_, headers, payload, _) in poisons {
        let hs: Vec<(&str, Option<&[u8]>)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref()))
            .collect();
        inj.send_raw_headers(topic, key, &hs, payload).await;
    }
}

/// Expected counts of each outcome label.
fn tally(poisons: &[Poison]) -> HashMap<&'static str, f64> {
    let mut t = HashMap::new();
    for (_, _, _, outcome) in poisons {
        *t.entry(*outcome).or_insert(0.0) += 1.0;
    }
    t
}

async fn assert_counted(admin: SocketAddr, topic: &str, expected: &HashMap<&'static str, f64>) {
    let body = wait_metrics(admin, DEADLINE, "the poison counts", |body| {
        expected.iter().all(|(o, n)| {
            metric(
                body,
                "login_events_consumed_total",
                &[("topic", topic), ("outcome", o)],
            ) >= *n
        })
    })
    .await;
    for (outcome, n) in expected {
        assert_eq!(
            metric(
                &body,
                "login_events_consumed_total",
                &[("topic", topic), ("outcome", outcome)]
            ),
            *n,
            "{topic} {outcome}"
        );
    }
}

#[actix_rt::test]
async fn poison_on_every_consumed_topic_is_skipped_counted_and_the_next_event_handled() {
    let mut w = World::start(false, &service_json(None), &[]).await;
    let admin = w.app.as_ref().unwrap().admin;
    let inj = Injector::new_with(&bootstrap(), 4 * MIB);
    let mut c = w.client().await;
    let sid = c.session_id;
    c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
        .await;
    let cmd = w.topics.command.clone();
    w.observer
        .wait_until("the CREATE", |seen| seen.iter().any(|r| r.topic == cmd))
        .await;

    // --- account session status: poison, then the CREATED that logs the client in.
    let topic = w.topics.account_session_status.clone();
    let created =
        json!({"sessionId":sid,"accountId":1,"accountName":"admin","type":"CREATED","body":{}})
            .to_string();
    let s = sid.to_string();
    let mut poisons: Vec<Poison> = vec![
        (
            "not json",
            h(gms()),
            b"this is not json".to_vec(),
            "undecodable",
        ),
        ("empty value", h(gms()), Vec::new(), "undecodable"),
        (
            "invalid utf-8",
            h(gms()),
            b"{\"sessionId\":\"\xff\xfe\"}".to_vec(),
            "undecodable",
        ),
        (
            "sessionId a number",
            h(gms()),
            br#"{"sessionId":42,"type":"CREATED"}"#.to_vec(),
            "undecodable",
        ),
        (
            "a JSON array",
            h(gms()),
            br#"[1,2,3]"#.to_vec(),
            "undecodable",
        ),
        (
            "accountId a string",
            h(gms()),
            format!(r#"{{"sessionId":"{s}","accountId":"1","type":"CREATED"}}"#).into_bytes(),
            "undecodable",
        ),
        (
            "accountId negative",
            h(gms()),
            format!(r#"{{"sessionId":"{s}","accountId":-1,"type":"CREATED"}}"#).into_bytes(),
            "undecodable",
        ),
        (
            "ERROR body with a numeric code",
            h(gms()),
            format!(r#"{{"sessionId":"{s}","accountId":1,"type":"ERROR","body":{{"code":5}}}}"#)
                .into_bytes(),
            "undecodable",
        ),
        (
            "1 MiB cut JSON",
            h(gms()),
            huge_truncated(&format!(
                r#"{{"sessionId":"{s}","accountId":1,"type":"CREATED","pad":""#
            )),
            "undecodable",
        ),
        (
            "1 MiB unknown type",
            h(gms()),
            huge_valid(
                &format!(r#"{{"sessionId":"{s}","accountId":1,"type":"EXPLODED","pad":""#),
                "\"}",
            ),
            "ignored",
        ),
        (
            "unknown type",
            h(gms()),
            format!(r#"{{"sessionId":"{s}","accountId":1,"type":"EXPLODED","body":{{}}}}"#)
                .into_bytes(),
            "ignored",
        ),
    ];
    poisons.extend(bad_headers(created.as_bytes()));
    inject_all(&inj, &topic, 1, &poisons).await;
    inj.send(&topic, 1, &gms(), created.as_bytes()).await;
    assert_eq!(
        c.recv().await,
        json!({"event":"login_ok","accountId":1,"accountName":"admin"}),
        "none of the poison reached the session, the valid CREATED did"
    );
    assert_counted(admin, &topic, &tally(&poisons)).await;

    // --- account status: poison, then LOGGED_OUT must be seen (select is refused), then
    // LOGGED_IN (select is accepted).
    let topic = w.topics.account_status.clone();
    let logged_out = br#"{"account_id":1,"name":"admin","status":"LOGGED_OUT"}"#;
    let mut poisons: Vec<Poison> = vec![
        ("not json", h(gms()), b"LOGGED_IN".to_vec(), "undecodable"),
        (
            "account_id a string",
            h(gms()),
            br#"{"account_id":"1","status":"LOGGED_OUT"}"#.to_vec(),
            "undecodable",
        ),
        (
            "account_id fractional",
            h(gms()),
            br#"{"account_id":1.5,"status":"LOGGED_OUT"}"#.to_vec(),
            "undecodable",
        ),
        (
            "status a number",
            h(gms()),
            br#"{"account_id":1,"status":7}"#.to_vec(),
            "undecodable",
        ),
        (
            "1 MiB cut JSON",
            h(gms()),
            huge_truncated(r#"{"account_id":1,"status":"LOGGED_OUT","pad":""#),
            "undecodable",
        ),
        (
            "1 MiB other status",
            h(gms()),
            huge_valid(r#"{"account_id":1,"status":"DELETED","pad":""#, "\"}"),
            "ignored",
        ),
        (
            "unknown status",
            h(gms()),
            br#"{"account_id":1,"name":"admin","status":"EXPLODED"}"#.to_vec(),
            "ignored",
        ),
    ];
    poisons.extend(bad_headers(logged_out));
    inject_all(&inj, &topic, 1, &poisons).await;
    // None of the poison recorded LOGGED_OUT: the account still counts as logged in.
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    w.observer
        .wait_until("PROGRESS_STATE", |seen| {
            seen.iter()
                .any(|r| r.topic == cmd && r.json()["type"] == "PROGRESS_STATE")
        })
        .await;
    assert_counted(admin, &topic, &tally(&poisons)).await;
    inj.send(&topic, 1, &gms(), logged_out).await;
    let body = wait_metrics(admin, DEADLINE, "LOGGED_OUT recorded", |b| {
        metric(
            b,
            "login_events_consumed_total",
            &[("topic", &topic), ("outcome", "recorded")],
        ) >= 1.0
    })
    .await;
    assert_eq!(
        metric(
            &body,
            "login_events_consumed_total",
            &[("topic", &topic), ("outcome", "recorded")]
        ),
        1.0
    );
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(c.expect("error").await["code"], "NOT_LOGGED_IN");

    // --- seed status: poison, then a valid CREATED reaches the session.
    let topic = w.topics.seed_status.clone();
    let seed_created = br#"{"accountId":1,"type":"CREATED","body":{"characterId":5}}"#;
    let mut poisons: Vec<Poison> = vec![
        (
            "not json",
            h(gms()),
            b"\x00\x01\x02".to_vec(),
            "undecodable",
        ),
        (
            "accountId a string",
            h(gms()),
            br#"{"accountId":"1","type":"CREATED","body":{"characterId":5}}"#.to_vec(),
            "undecodable",
        ),
        (
            "characterId a string",
            h(gms()),
            br#"{"accountId":1,"type":"CREATED","body":{"characterId":"5"}}"#.to_vec(),
            "undecodable",
        ),
        (
            "FAILED reason a number",
            h(gms()),
            br#"{"accountId":1,"type":"FAILED","body":{"reason":5}}"#.to_vec(),
            "undecodable",
        ),
        (
            "1 MiB cut JSON",
            h(gms()),
            huge_truncated(r#"{"accountId":1,"type":"CREATED","body":{"characterId":5},"pad":""#),
            "undecodable",
        ),
        (
            "1 MiB unknown type",
            h(gms()),
            huge_valid(r#"{"accountId":1,"type":"EXPLODED","pad":""#, "\"}"),
            "ignored",
        ),
        (
            "unknown type",
            h(gms()),
            br#"{"accountId":1,"type":"EXPLODED","body":{}}"#.to_vec(),
            "ignored",
        ),
    ];
    poisons.extend(bad_headers(seed_created));
    inject_all(&inj, &topic, 1, &poisons).await;
    inj.send(&topic, 1, &gms(), seed_created).await;
    assert_eq!(
        c.recv().await,
        json!({"event":"character_created","characterId":5}),
        "none of the poison reached the session"
    );
    assert_counted(admin, &topic, &tally(&poisons)).await;

    // Still alive and serving.
    assert_eq!(admin_get(admin, "/healthz").await.0, 200);
    assert_eq!(admin_get(admin, "/readyz").await.0, 200);
    c.send(json!({"op":"ping"})).await;
    c.expect("pong").await;
    w.shutdown().await;
}

// ---- Abusive clients ----------------------------------------------------------------------

/// How a connection's server side ended, as the client saw it.
#[derive(Debug, PartialEq)]
enum Ending {
    Eof,
    Reset(String),
    Timeout,
}

/// A raw gateway connection: the hello read, then free-form bytes.
struct Raw {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    session_id: Uuid,
}

impl Raw {
    async fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Raw::from_stream(stream).await
    }

    async fn from_stream(stream: TcpStream) -> Raw {
        let (read, writer) = stream.into_split();
        let mut raw = Raw {
            reader: BufReader::new(read),
            writer,
            session_id: Uuid::nil(),
        };
        let (lines, _) = raw.read_lines(1).await;
        assert_eq!(lines.len(), 1, "a hello");
        assert_eq!(lines[0]["event"], "hello", "{}", lines[0]);
        raw.session_id = lines[0]["sessionId"].as_str().unwrap().parse().unwrap();
        raw
    }

    /// Writes, tolerating a connection the server already closed.
    async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes).await
    }

    /// Reads up to `max` lines (or to EOF, a reset, or the deadline).
    async fn read_lines(&mut self, max: usize) -> (Vec<Value>, Ending) {
        let end = Instant::now() + DEADLINE;
        let mut out = Vec::new();
        while out.len() < max {
            let mut line = String::new();
            let left = end.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.reader.read_line(&mut line)).await {
                Err(_) => return (out, Ending::Timeout),
                Ok(Err(e)) => return (out, Ending::Reset(e.to_string())),
                Ok(Ok(0)) => return (out, Ending::Eof),
                Ok(Ok(_)) => out.push(
                    serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("server line {line:?}: {e}")),
                ),
            }
        }
        (out, Ending::Timeout)
    }

    /// Reads to the end of a connection the server ends after a protocol violation: the lines
    /// must be `expected` (error codes, then `bye` `protocol_violation`), or a prefix of them
    /// when unread input made the close a reset (see the ignored test below).
    async fn read_ended(&mut self, codes: &[&str], what: &str) {
        let (lines, ending) = self.read_lines(usize::MAX).await;
        let mut expected: Vec<Value> = codes.iter().map(|c| json!({"code": c})).collect();
        expected.push(bye("protocol_violation"));
        assert!(lines.len() <= expected.len(), "{what}: {lines:?}");
        for (got, want) in lines.iter().zip(&expected) {
            if want["event"] == "bye" {
                assert_eq!(got, want, "{what}");
            } else {
                assert_eq!(got["event"], "error", "{what}: {got}");
                assert_eq!(got["code"], want["code"], "{what}: {lines:?}");
            }
        }
        match ending {
            Ending::Eof => assert_eq!(lines.len(), expected.len(), "{what}: {lines:?}"),
            Ending::Reset(_) => {}
            Ending::Timeout => panic!("{what}: the server did not close: {lines:?}"),
        }
    }

    /// Every line to the end of the connection, which must be a clean EOF.
    async fn read_to_eof(&mut self) -> Vec<Value> {
        let (lines, ending) = self.read_lines(usize::MAX).await;
        assert_eq!(
            ending,
            Ending::Eof,
            "the server closes cleanly; lines before: {lines:?}"
        );
        lines
    }
}

fn bye(reason: &str) -> Value {
    json!({"event":"bye","reason":reason})
}

#[actix_rt::test]
async fn invalid_utf8_lines_get_bad_request_and_the_session_goes_on() {
    let mut w = World::default().await;
    let mut c = Raw::connect(w.addr()).await;
    let bad: [&[u8]; 9] = [
        b"\xff\xfe\n",
        b"{\"op\":\"ping\",\"x\":\"\xc3\x28\"}\n",
        b"{\"op\":\"ping\",\"x\":\"\xc0\xaf\"}\n", // overlong '/'
        b"{\"op\":\"ping\",\"x\":\"\xed\xa0\x80\"}\n", // a UTF-16 surrogate encoded in UTF-8
        b"{\"op\":\"ping\",\"x\":\"\xf4\x90\x80\x80\"}\n", // beyond U+10FFFF
        b"{\"op\":\"login\",\"accountName\":\"\\ud800\",\"password\":\"x\"}\n", // a lone surrogate escape
        b"{\"op\":\"pi\xe2\x82\"}\n", // a truncated sequence
        b"\x00\x00\x00\x00\n",
        b"{\"op\":\"ping\"\x00}\n",
    ];
    for line in bad {
        c.write(line).await.unwrap();
        let (answer, _) = c.read_lines(1).await;
        assert_eq!(answer[0]["event"], "error", "{line:?}: {answer:?}");
        assert_eq!(answer[0]["code"], "BAD_REQUEST", "{line:?}");
        // A well-formed request between bad ones resets the count of bad requests in a row.
        c.write(b"{\"op\":\"ping\"}\n").await.unwrap();
        assert_eq!(c.read_lines(1).await.0, vec![json!({"event":"pong"})]);
    }
    // Valid UTF-8 beyond ASCII is fine, and the session still logs in.
    c.write("{\"op\":\"ping\",\"x\":\"é☃😀\"}\n".as_bytes())
        .await
        .unwrap();
    assert_eq!(c.read_lines(1).await.0, vec![json!({"event":"pong"})]);
    c.write(b"{\"op\":\"login\",\"accountName\":\"admin\",\"password\":\"admin\"}\n")
        .await
        .unwrap();
    assert_eq!(c.read_lines(1).await.0[0]["event"], "login_ok");
    c.write(b"{\"op\":\"logout\"}\n").await.unwrap();
    assert_eq!(c.read_to_eof().await, vec![bye("logout")]);
    w.assert_ended_once(c.session_id, 1).await;
    w.shutdown().await;
}

/// What the gateway must answer to `bytes` (default limits: 8192-byte lines, 10 bad requests
/// in a row): the error codes in order, and whether the session ends with a protocol violation.
fn expected_answers(bytes: &[u8]) -> (Vec<&'static str>, bool) {
    let mut codes = Vec::new();
    let mut bad = 0;
    let mut rest = bytes;
    loop {
        let Some(at) = rest.iter().position(|b| *b == b'\n') else {
            if rest.len() > 8192 {
                codes.push("LINE_TOO_LONG");
                return (codes, true);
            }
            return (codes, false); // an unfinished line waits for more
        };
        if at > 8192 {
            codes.push("LINE_TOO_LONG");
            return (codes, true);
        }
        let line = &rest[..at];
        rest = &rest[at + 1..];
        assert!(
            serde_json::from_slice::<Value>(line).is_err(),
            "random bytes that are JSON"
        );
        codes.push("BAD_REQUEST");
        bad += 1;
        if bad > 10 {
            return (codes, true);
        }
    }
}

#[actix_rt::test]
async fn random_bytes_get_bad_requests_and_end_the_session_once_when_too_many() {
    let mut w = World::default().await;
    let mut rng = XorShift(0x5eed_1234_abcd_0001);
    let mut ids = Vec::new();
    let mut ended = 0;
    for size in [300usize, 1000, 4096, 16 * 1024, 64 * 1024] {
        let mut c = Raw::connect(w.addr()).await;
        ids.push(c.session_id);
        let mut bytes = rng.bytes(size);
        bytes.push(b'\n');
        let (codes, ends) = expected_answers(&bytes);
        // The server may stop reading once it has seen enough: a failed write is fine.
        let _ = tokio::time::timeout(Duration::from_secs(5), c.write(&bytes)).await;
        if ends {
            ended += 1;
            c.read_ended(&codes, &format!("{size} random bytes")).await;
        } else {
            c.write(b"{\"op\":\"logout\"}\n").await.unwrap();
            assert_eq!(c.read_to_eof().await, vec![bye("logout")], "{size} bytes");
        }
    }
    assert!(ended >= 2, "the larger inputs end their sessions");
    for id in ids {
        w.assert_ended_once(id, 0).await;
    }
    // The service goes on.
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    w.shutdown().await;
}

/// The `bye` is the last line before the server closes: a client whose input is still arriving
/// when it is ended (here: 11 bad lines, then 1 MiB more) must still receive it, then an EOF.
#[actix_rt::test]
#[ignore = "bug: the server closes with unread input, the kernel resets the connection and the bye is lost (no lingering close)"]
async fn a_protocol_violation_is_told_with_a_bye_even_while_input_is_still_arriving() {
    let mut w = World::default().await;
    let mut ids = Vec::new();
    for round in 0..5 {
        let c = Raw::connect(w.addr()).await;
        ids.push(c.session_id);
        let Raw {
            mut reader,
            mut writer,
            ..
        } = c;
        let mut input = b"nonsense\n".repeat(11);
        input.extend(std::iter::repeat(b'x').take(MIB));
        let writing = actix_rt::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(10), writer.write_all(&input)).await;
            writer
        });
        let mut got = Vec::new();
        let mut ending = String::new();
        let end = Instant::now() + DEADLINE;
        loop {
            let mut line = String::new();
            match tokio::time::timeout(
                end.saturating_duration_since(Instant::now()),
                reader.read_line(&mut line),
            )
            .await
            {
                Ok(Ok(0)) => break,
                Ok(Ok(_)) => got.push(serde_json::from_str::<Value>(&line).unwrap()),
                Ok(Err(e)) => {
                    ending = e.to_string();
                    break;
                }
                Err(_) => panic!("round {round}: no end in time: {got:?}"),
            }
        }
        let _ = writing.await;
        assert_eq!(
            got.len(),
            12,
            "round {round}: 11 errors and a bye, got {got:?}, ended by {ending:?}"
        );
        assert_eq!(got[11], bye("protocol_violation"), "round {round}");
        assert_eq!(ending, "", "round {round}: a clean EOF");
    }
    for id in ids {
        w.assert_ended_once(id, 0).await;
    }
    w.shutdown().await;
}

#[actix_rt::test]
async fn a_64_kib_line_is_refused_as_too_long_and_a_line_at_the_limit_is_not() {
    let mut w = World::default().await;
    // At the limit (8192 bytes without the newline): served.
    let mut c = Raw::connect(w.addr()).await;
    let prefix = "{\"op\":\"ping\",\"pad\":\"";
    let at_limit = format!("{prefix}{}\"}}", "p".repeat(8192 - prefix.len() - 2));
    assert_eq!(at_limit.len(), 8192);
    c.write(format!("{at_limit}\n").as_bytes()).await.unwrap();
    assert_eq!(c.read_lines(1).await.0, vec![json!({"event":"pong"})]);
    c.write(b"{\"op\":\"logout\"}\n").await.unwrap();
    assert_eq!(c.read_to_eof().await, vec![bye("logout")]);
    let mut ids = vec![c.session_id];

    // 64 KiB: of garbage, of valid JSON, without a newline at all.
    let json_line = format!("{prefix}{}\"}}\n", "p".repeat(64 * 1024));
    let cases: [Vec<u8>; 3] = [
        [vec![b'a'; 64 * 1024], vec![b'\n']].concat(),
        json_line.into_bytes(),
        vec![b'{'; 64 * 1024],
    ];
    for bytes in cases {
        let mut c = Raw::connect(w.addr()).await;
        ids.push(c.session_id);
        let _ = tokio::time::timeout(Duration::from_secs(5), c.write(&bytes)).await;
        c.read_ended(&["LINE_TOO_LONG"], "a 64 KiB line").await;
    }
    for id in ids {
        w.assert_ended_once(id, 0).await;
    }
    w.shutdown().await;
}

/// Writes pings without ever reading until the session's LOGOUT and DESTROYED are on their
/// topics; bounded in bytes and time. Returns the bytes written.
async fn flood_until_ended(w: &mut World, c: &mut Raw) -> usize {
    let chunk = b"{\"op\":\"ping\"}\n".repeat(4096);
    let (cmd, status, sid) = (
        w.topics.command.clone(),
        w.topics.session_status.clone(),
        c.session_id,
    );
    let ended = |seen: &[Record]| {
        let has = |topic: &str, kind: &str| {
            seen.iter().any(|r| {
                r.topic == topic
                    && r.json()["sessionId"] == sid.to_string()
                    && r.json()["type"] == kind
            })
        };
        has(&cmd, "LOGOUT") && has(&status, "DESTROYED")
    };
    let end = Instant::now() + Duration::from_secs(60);
    let mut written = 0;
    for _ in 0..20_000 {
        // At most ~1.1 GB: far beyond any socket buffer.
        if let Ok(Ok(())) = tokio::time::timeout(Duration::from_millis(500), c.write(&chunk)).await
        {
            written += chunk.len();
        }
        w.observer.settle(Duration::from_millis(1)).await;
        if ended(&w.observer.seen) || Instant::now() > end {
            break;
        }
    }
    w.observer
        .wait_until("the stalled session's LOGOUT and DESTROYED", ended)
        .await;
    written
}

#[actix_rt::test]
async fn a_client_that_never_reads_is_ended_once_when_its_queue_is_full() {
    let tenant = Uuid::new_v4().to_string();
    let mut w = World::start(true, &service_json_for(&tenant, None), &[]).await;
    let admin = w.app.as_ref().unwrap().admin;
    let mut c = Raw::connect(w.addr()).await;
    c.write(b"{\"op\":\"login\",\"accountName\":\"admin\",\"password\":\"admin\"}\n")
        .await
        .unwrap();
    assert_eq!(c.read_lines(1).await.0[0]["event"], "login_ok");
    let sid = c.session_id;
    let written = flood_until_ended(&mut w, &mut c).await;
    w.assert_ended_once(sid, 1).await;
    let body = wait_metrics(admin, DEADLINE, "the stalled end counted", |b| {
        metric(
            b,
            "login_sessions_ended_total",
            &[("tenant", &tenant), ("reason", "client_stalled")],
        ) >= 1.0
    })
    .await;
    assert_eq!(
        metric(&body, "login_sessions_active", &[("tenant", &tenant)]),
        0.0
    );
    // Reading now: only pongs, no bye (the client was not reading), then the server's EOF.
    // (A reset is as good as an EOF: the client wrote pings nobody will read.)
    let (lines, ending) = c.read_lines(usize::MAX).await;
    assert!(
        matches!(ending, Ending::Eof | Ending::Reset(_)),
        "the stalled connection is closed once drained: {ending:?} after {} lines ({written} bytes of pings)",
        lines.len()
    );
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| *l == json!({"event":"pong"})),
        "only pongs"
    );
    // The account was released: it logs in again.
    let mut d = w.client().await;
    let mut answer = d.login("admin", "admin").await;
    for _ in 0..50 {
        if answer["code"] != "ALREADY_LOGGED_IN" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        answer = d.login("admin", "admin").await;
    }
    assert_eq!(answer["event"], "login_ok");
    w.shutdown().await;
}

#[actix_rt::test]
async fn a_half_written_line_left_idle_ends_at_the_idle_timeout() {
    let mut w = World::start(true, &service_json(Some((100, 1500))), &[]).await;
    // Logged in, then half a request, then silence.
    let mut half = Raw::connect(w.addr()).await;
    half.write(b"{\"op\":\"login\",\"accountName\":\"alice\",\"password\":\"alice\"}\n")
        .await
        .unwrap();
    assert_eq!(half.read_lines(1).await.0[0]["event"], "login_ok");
    half.write(b"{\"op\":\"pi").await.unwrap();
    // A slow writer: one byte of a never-ending line every 200 ms does not keep it alive.
    let slow = Raw::connect(w.addr()).await;
    let slow_id = slow.session_id;
    let Raw {
        reader: mut slow_reader,
        writer: mut slow_writer,
        ..
    } = slow;
    let trickle = actix_rt::spawn(async move {
        for _ in 0..100 {
            if slow_writer.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    // Half a line, then the client goes away.
    let mut gone = Raw::connect(w.addr()).await;
    gone.write(b"{\"op\":\"logout\"").await.unwrap();
    let gone_id = gone.session_id;
    drop(gone);

    assert_eq!(half.read_to_eof().await, vec![bye("idle_timeout")]);
    let mut line = String::new();
    let n = tokio::time::timeout(DEADLINE, slow_reader.read_line(&mut line))
        .await
        .expect("the slow writer is ended in time")
        .unwrap();
    assert!(n > 0);
    assert_eq!(
        serde_json::from_str::<Value>(&line).unwrap(),
        bye("idle_timeout")
    );
    trickle.abort();
    w.assert_ended_once(half.session_id, 5).await;
    w.assert_ended_once(slow_id, 0).await;
    w.assert_ended_once(gone_id, 0).await;
    w.shutdown().await;
}

/// One connection of a storm, opened and dropped in one of several rude ways.
async fn rude_connection(addr: SocketAddr, i: usize) -> std::io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    match i % 6 {
        0 => drop(stream), // closed before the hello is read
        1 => {
            let mut s = stream;
            let mut buf = [0u8; 128];
            let _ = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await;
        }
        2 => {
            let mut s = stream;
            s.write_all(b"{\"op\":\"log").await?;
        }
        3 => {
            stream.set_linger(Some(Duration::ZERO))?; // reset, not closed
            drop(stream);
        }
        4 => {
            let mut s = stream;
            s.write_all(b"{\"op\":\"logout\"}\n").await?;
        }
        _ => {
            let mut s = stream;
            s.write_all(b"\xff\xff\xff\n{\"op\":\"ping\"}\n").await?;
            s.set_linger(Some(Duration::ZERO))?;
        }
    }
    Ok(())
}

/// Opens `n` connections, `parallel` at a time, each dropped at once.
async fn storm(addr: SocketAddr, n: usize, parallel: usize) -> usize {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ok = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..parallel {
        let (next, ok) = (next.clone(), ok.clone());
        tasks.push(actix_rt::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return;
                }
                if let Ok(Ok(())) =
                    tokio::time::timeout(Duration::from_secs(10), rude_connection(addr, i)).await
                {
                    ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    ok.load(std::sync::atomic::Ordering::Relaxed)
}

/// Every session id seen on the produced topics has exactly one LOGOUT and one DESTROYED;
/// returns how many sessions there were.
fn ended_once_each(seen: &[Record], cmd: &str, status: &str) -> usize {
    let mut logouts: HashMap<String, usize> = HashMap::new();
    let mut destroyed: HashMap<String, usize> = HashMap::new();
    for r in seen {
        let v = r.json();
        let id = v["sessionId"].as_str().unwrap().to_owned();
        if r.topic == cmd && v["type"] == "LOGOUT" {
            *logouts.entry(id).or_default() += 1;
        } else if r.topic == status && v["type"] == "DESTROYED" {
            *destroyed.entry(id).or_default() += 1;
        }
    }
    let twice: Vec<_> = logouts.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "sessions with more than one LOGOUT: {twice:?}"
    );
    let twice: Vec<_> = destroyed.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        twice.is_empty(),
        "sessions with more than one DESTROYED: {twice:?}"
    );
    let mut a: Vec<_> = logouts.keys().collect();
    let mut b: Vec<_> = destroyed.keys().collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same sessions have a LOGOUT and a DESTROYED");
    a.len()
}

fn total(body: &str, name: &str, tenant: &str) -> f64 {
    body.lines()
        .filter(|l| {
            l.starts_with(&format!("{name}{{")) && l.contains(&format!("tenant=\"{tenant}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[actix_rt::test]
async fn connections_opened_and_dropped_in_bulk_each_end_once() {
    let tenant = Uuid::new_v4().to_string();
    let mut w = World::start(
        true,
        &service_json_for(&tenant, None),
        &[("MAX_SESSIONS_PER_IP", "0")],
    )
    .await;
    let admin = w.app.as_ref().unwrap().admin;
    let n = 600;
    let opened = storm(w.addr(), n, 50).await;
    assert_eq!(opened, n, "every connection was accepted");
    let body = wait_metrics(
        admin,
        Duration::from_secs(60),
        "every storm session ended",
        |b| {
            total(b, "login_sessions_ended_total", &tenant) >= n as f64
                && metric(b, "login_sessions_active", &[("tenant", &tenant)]) == 0.0
        },
    )
    .await;
    assert_eq!(
        total(&body, "login_sessions_ended_total", &tenant),
        n as f64,
        "{body}"
    );
    assert_eq!(total(&body, "login_sessions_refused_total", &tenant), 0.0);
    let (cmd, status) = (w.topics.command.clone(), w.topics.session_status.clone());
    w.observer
        .wait_until_within(
            Duration::from_secs(60),
            "every LOGOUT and DESTROYED",
            |seen| seen.len() >= 2 * n,
        )
        .await;
    w.observer.settle(Duration::from_millis(500)).await;
    assert_eq!(ended_once_each(&w.observer.seen, &cmd, &status), n);
    // Still serving.
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    w.shutdown().await;
}
