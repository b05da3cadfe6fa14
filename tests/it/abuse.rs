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
    v.extend(std::iter::repeat_n(b'x', MIB));
    v
}

/// A valid JSON value of more than 1 MiB.
fn huge_valid(prefix: &str, suffix: &str) -> Vec<u8> {
    let mut v = prefix.as_bytes().to_vec();
    v.extend(std::iter::repeat_n(b'x', MIB));
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
    w.login_until_create(&mut c).await;
    let cmd = w.topics.command.clone();

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
    /// EOF in the middle of a line: what came of it.
    Cut(String),
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
                Ok(Ok(_)) if !line.ends_with('\n') => return (out, Ending::Cut(line)),
                Ok(Ok(_)) => out.push(
                    serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("server line {line:?}: {e}")),
                ),
            }
        }
        (out, Ending::Timeout)
    }

    /// Reads to the end of a connection the server ends after a protocol violation: the lines
    /// must be `expected` (error codes, then `bye` `protocol_violation`), then a clean EOF (the
    /// server drains unread input before closing, so no reset destroys the bye).
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
            Ending::Cut(tail) => panic!("{what}: a cut line {tail:?} after {lines:?}"),
            Ending::Reset(e) => panic!("{what}: reset ({e}) after {lines:?}"),
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
            let (lines, _) = c.read_lines(codes.len()).await;
            let got: Vec<&str> = lines
                .iter()
                .map(|l| l["code"].as_str().unwrap_or("?"))
                .collect();
            assert_eq!(got, codes, "{size} random bytes: {lines:?}");
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
        input.extend(std::iter::repeat_n(b'x', MIB));
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
    let mut c = Raw::from_stream(small_window(w.addr()).await).await;
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
    // (A reset is as good as an EOF: the client wrote pings nobody will read. The server drops
    // what it still had queued for a client that does not read, so the last pong may be cut.)
    let (lines, ending) = c.read_lines(usize::MAX).await;
    let pong = "{\"event\":\"pong\"}\n";
    assert!(
        match &ending {
            Ending::Eof | Ending::Reset(_) => true,
            Ending::Cut(tail) => pong.starts_with(tail.as_str()),
            Ending::Timeout => false,
        },
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
    let answer = d.login_when_released("admin", "admin").await;
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
// `set_linger` is deprecated because a lingering close blocks the thread on drop; a zero linger
// does not block (the drop resets the connection at once), which is what is wanted here.
#[allow(deprecated)]
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

// ---- Limits -------------------------------------------------------------------------------

/// Connects from `source` (any 127.0.0.0/8 address) to `addr`.
async fn connect_from(source: &str, addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket
        .bind(format!("{source}:0").parse().unwrap())
        .expect("bind a loopback source address");
    socket.connect(addr).await.expect("connect")
}

/// A connection over a limit: one `error` `UNAVAILABLE` line, then EOF, and no hello.
async fn assert_refused(stream: TcpStream, what: &str) {
    let mut reader = BufReader::new(stream);
    let mut text = String::new();
    tokio::time::timeout(DEADLINE, reader.read_to_string(&mut text))
        .await
        .unwrap_or_else(|_| panic!("{what}: the refused connection is closed in time"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{what}: {lines:?}");
    assert_eq!(lines[0]["event"], "error", "{what}");
    assert_eq!(lines[0]["code"], "UNAVAILABLE", "{what}");
    assert!(lines[0]["message"].is_string(), "{what}");
}

/// Connects from `source` until a session is admitted (a limit frees up asynchronously).
async fn admitted_from(source: &str, addr: SocketAddr) -> (Raw, usize) {
    let end = Instant::now() + DEADLINE;
    let mut refused = 0;
    loop {
        let stream = connect_from(source, addr).await;
        let mut first = String::new();
        let mut reader = BufReader::new(stream);
        tokio::time::timeout(DEADLINE, reader.read_line(&mut first))
            .await
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(&first).unwrap();
        if v["event"] == "hello" {
            let (read, writer) = reader.into_inner().into_split();
            let raw = Raw {
                reader: BufReader::new(read),
                writer,
                session_id: v["sessionId"].as_str().unwrap().parse().unwrap(),
            };
            return (raw, refused);
        }
        assert_eq!(v["code"], "UNAVAILABLE");
        refused += 1;
        assert!(Instant::now() < end, "no session admitted from {source}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_rt::test]
async fn max_sessions_refuses_excess_connections_until_a_session_ends() {
    let tenant = Uuid::new_v4().to_string();
    let mut w = World::start(
        true,
        &service_json_for(&tenant, None),
        &[("MAX_SESSIONS", "2")],
    )
    .await;
    let admin = w.app.as_ref().unwrap().admin;
    let mut a = Raw::connect(w.addr()).await;
    let mut b = Raw::connect(w.addr()).await;
    assert_refused(TcpStream::connect(w.addr()).await.unwrap(), "third").await;
    assert_refused(
        connect_from("127.0.0.2", w.addr()).await,
        "fourth, from elsewhere",
    )
    .await;
    // The admitted sessions are unaffected.
    b.write(b"{\"op\":\"login\",\"accountName\":\"admin\",\"password\":\"admin\"}\n")
        .await
        .unwrap();
    assert_eq!(b.read_lines(1).await.0[0]["event"], "login_ok");
    // One ends: a new connection is admitted again.
    a.write(b"{\"op\":\"logout\"}\n").await.unwrap();
    assert_eq!(a.read_to_eof().await, vec![bye("logout")]);
    let (mut c, refused_while_ending) = admitted_from("127.0.0.1", w.addr()).await;
    c.write(b"{\"op\":\"ping\"}\n").await.unwrap();
    assert_eq!(c.read_lines(1).await.0, vec![json!({"event":"pong"})]);
    let expected = 2.0 + refused_while_ending as f64;
    let body = wait_metrics(admin, DEADLINE, "the refusals counted", |b| {
        metric(
            b,
            "login_sessions_refused_total",
            &[("tenant", &tenant), ("limit", "max_sessions")],
        ) >= expected
    })
    .await;
    assert_eq!(
        metric(
            &body,
            "login_sessions_refused_total",
            &[("tenant", &tenant), ("limit", "max_sessions")]
        ),
        expected
    );
    assert_eq!(
        metric(&body, "login_sessions_active", &[("tenant", &tenant)]),
        2.0
    );
    // Refused connections never were sessions: only `a` ended.
    w.assert_ended_once(a.session_id, 0).await;
    let cmd = w.topics.command.clone();
    let logouts = w
        .observer
        .seen
        .iter()
        .filter(|r| r.topic == cmd && r.json()["type"] == "LOGOUT")
        .count();
    assert_eq!(logouts, 1, "{:#?}", w.observer.summary());
    w.shutdown().await;
}

#[actix_rt::test]
async fn max_sessions_per_ip_refuses_a_third_connection_from_one_address_only() {
    let tenant = Uuid::new_v4().to_string();
    let mut w = World::start(
        true,
        &service_json_for(&tenant, None),
        &[("MAX_SESSIONS_PER_IP", "2")],
    )
    .await;
    let admin = w.app.as_ref().unwrap().admin;
    let addr = w.addr();
    let mut one = Raw::from_stream(connect_from("127.0.0.1", addr).await).await;
    let _two = Raw::from_stream(connect_from("127.0.0.1", addr).await).await;
    assert_refused(
        connect_from("127.0.0.1", addr).await,
        "third from 127.0.0.1",
    )
    .await;
    // Another address has its own allowance.
    let mut other = Raw::from_stream(connect_from("127.0.0.2", addr).await).await;
    let _other2 = Raw::from_stream(connect_from("127.0.0.2", addr).await).await;
    assert_refused(
        connect_from("127.0.0.2", addr).await,
        "third from 127.0.0.2",
    )
    .await;
    // The CREATE carries the client's own address.
    other
        .write(b"{\"op\":\"login\",\"accountName\":\"alice\",\"password\":\"alice\"}\n")
        .await
        .unwrap();
    assert_eq!(other.read_lines(1).await.0[0]["event"], "login_ok");
    let cmd = w.topics.command.clone();
    let sid = other.session_id;
    w.observer
        .wait_until("the CREATE from 127.0.0.2", |seen| {
            !seen.is_empty()
                && seen
                    .iter()
                    .any(|r| r.topic == cmd && r.json()["sessionId"] == sid.to_string())
        })
        .await;
    let create = w.observer.of(&cmd, sid, "CREATE")[0].json();
    assert_eq!(create["body"]["ipAddress"], "127.0.0.2");
    // One from 127.0.0.1 leaves: 127.0.0.1 may connect again.
    let one_id = one.session_id;
    one.writer.shutdown().await.unwrap();
    let (rest, _) = one.read_lines(usize::MAX).await;
    assert!(rest.is_empty());
    drop(one);
    let (_again, refused_while_ending) = admitted_from("127.0.0.1", addr).await;
    let expected = 2.0 + refused_while_ending as f64;
    let body = wait_metrics(admin, DEADLINE, "the refusals counted", |b| {
        metric(
            b,
            "login_sessions_refused_total",
            &[("tenant", &tenant), ("limit", "max_sessions_per_ip")],
        ) >= expected
    })
    .await;
    assert_eq!(
        metric(
            &body,
            "login_sessions_refused_total",
            &[("tenant", &tenant), ("limit", "max_sessions_per_ip")]
        ),
        expected
    );
    assert_eq!(
        metric(
            &body,
            "login_sessions_refused_total",
            &[("tenant", &tenant), ("limit", "max_sessions")]
        ),
        0.0
    );
    w.assert_ended_once(one_id, 0).await;
    w.shutdown().await;
}

#[actix_rt::test]
async fn too_many_failed_logins_end_the_session_with_too_many_attempts() {
    let mut w = World::start(
        true,
        &service_json(None),
        &[
            ("LOGIN_MAX_FAILURES", "3"),
            ("LOGIN_FAILURE_WINDOW_MS", "600000"),
        ],
    )
    .await;
    let mut c = w.client().await;
    let sid = c.session_id;
    wrong_password(&mut c).await;
    assert_eq!(c.login("nobody", "x").await["code"], "NOT_REGISTERED");
    wrong_password(&mut c).await;
    // The fourth login, even with the right password, is refused without asking the peer.
    assert_eq!(
        c.login("admin", "admin").await,
        json!({"event":"login_failed","code":"TOO_MANY_ATTEMPTS"})
    );
    assert_eq!(
        c.recv().await,
        json!({"event":"bye","reason":"protocol_violation"})
    );
    assert!(c.closed().await);
    w.assert_ended_once(sid, 0).await;
    let cmd = w.topics.command.clone();
    assert_eq!(
        w.observer.of(&cmd, sid, "CREATE").len(),
        3,
        "no CREATE for the refused login"
    );

    // Other failures do not count: two wrong passwords and two bans, then a login works.
    let mut d = w.client().await;
    wrong_password(&mut d).await;
    assert_eq!(d.login("banned", "banned").await["event"], "banned");
    wrong_password(&mut d).await;
    assert_eq!(d.login("exiled", "exiled").await["event"], "banned");
    assert_eq!(d.login("alice", "alice").await["event"], "login_ok");
    // Failures are per session: a fresh session logs in as admin at once.
    let mut e = w.client().await;
    assert_eq!(e.login("admin", "admin").await["event"], "login_ok");
    w.shutdown().await;
}

#[actix_rt::test]
async fn failed_logins_older_than_the_window_no_longer_count() {
    let mut w = World::start(
        true,
        &service_json(None),
        &[
            ("LOGIN_MAX_FAILURES", "2"),
            ("LOGIN_FAILURE_WINDOW_MS", "1500"),
        ],
    )
    .await;
    let mut c = w.client().await;
    wrong_password(&mut c).await;
    wrong_password(&mut c).await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    w.assert_ended_once(c.session_id, 1).await;
    w.shutdown().await;
}

// ---- The service as a child process: memory and descriptors ------------------------------

/// The service binary as a child process on the test broker, with the simulator in the test;
/// SIGTERM and wait when dropped.
struct ChildService {
    child: std::process::Child,
    gateway: SocketAddr,
    admin: SocketAddr,
    topics: Topics,
    observer: Observer,
    dir: std::path::PathBuf,
    _sim: tokio::sync::oneshot::Sender<()>,
}

impl ChildService {
    async fn start(extra: &[(&str, &str)]) -> ChildService {
        let topics = Topics::create().await;
        let sim = crate::world::start_sim(&topics);
        let dir = std::env::temp_dir().join(format!("lo-abuse-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let (gateway_port, admin_port) = (free_port(), free_port());
        let service = service_json(Some((100, 3000)))
            .replace("\"port\":0,", &format!("\"port\":{gateway_port},"));
        std::fs::write(dir.join("service.json"), service).unwrap();
        let log = std::fs::File::create(dir.join("service.log")).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_login-orchestrator"));
        cmd.env("BOOTSTRAP_SERVERS", bootstrap())
            .env("SERVICE_ID", Uuid::new_v4().to_string())
            .env("SERVICE_CONFIG", dir.join("service.json"))
            .env("ADMIN_ADDRESS", format!("127.0.0.1:{admin_port}"))
            .env("KAFKA_SESSION_TIMEOUT_MS", "6000")
            .env("KAFKA_HEARTBEAT_INTERVAL_MS", "1000")
            .env("RUST_LOG", "warn")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("JAEGER_HOST_PORT")
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in topics.env() {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the service binary");
        let gateway: SocketAddr = format!("127.0.0.1:{gateway_port}").parse().unwrap();
        let admin: SocketAddr = format!("127.0.0.1:{admin_port}").parse().unwrap();
        let end = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(gateway).await.is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(dir.join("service.log")).unwrap_or_default();
                panic!("the service exited ({status}) before opening its gateway:\n{log}");
            }
            assert!(
                Instant::now() < end,
                "the service did not open its gateway; see {}",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // That probe was a session too; let it end.
        let observer = Observer::new(&[&topics.command, &topics.session_status]);
        ChildService {
            child,
            gateway,
            admin,
            topics,
            observer,
            dir,
            _sim: sim,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// The client connections of the gateway the service holds open: its sockets (by inode,
    /// from `/proc/<pid>/fd`) that are TCP connections (not the listener) on the gateway's
    /// port, from the kernel's table of this network namespace. Unlike the whole count of open
    /// files, this does not move with the Kafka client's connections.
    fn gateway_connections(&self) -> usize {
        let held: std::collections::HashSet<String> =
            std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
                .unwrap()
                .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    let inode = link.strip_prefix("socket:[")?.strip_suffix(']')?;
                    Some(inode.to_string())
                })
                .collect();
        let table = std::fs::read_to_string(format!("/proc/{}/net/tcp", self.pid())).unwrap();
        let port = format!(":{:04X}", self.gateway.port());
        table
            .lines()
            .skip(1)
            .filter(|row| {
                let cols: Vec<&str> = row.split_whitespace().collect();
                // local_address, state (0A is LISTEN), inode
                cols.len() > 9
                    && cols[1].ends_with(&port)
                    && cols[3] != "0A"
                    && held.contains(cols[9])
            })
            .count()
    }

    async fn metrics(&self) -> String {
        admin_get(self.admin, "/metrics").await.1
    }

    /// Waits until every session ended (`sessions` of them in all) and none is live.
    async fn wait_all_ended(&self, sessions: usize, within: Duration) -> String {
        wait_metrics(self.admin, within, "every session ended", |b| {
            total(b, "login_sessions_ended_total", TENANT) >= sessions as f64
                && metric(b, "login_sessions_active", &[("tenant", TENANT)]) == 0.0
        })
        .await
    }

    /// [`ChildService::gateway_connections`] once it is 0, or after 10 s.
    async fn gateway_connections_settled(&self) -> u64 {
        self.settle_below(Duration::from_secs(10), 0, |s| {
            s.gateway_connections() as u64
        })
        .await
    }

    /// Polls `value` until it is at most `bound`; returns the last value.
    async fn settle_below(
        &self,
        within: Duration,
        bound: u64,
        value: impl Fn(&Self) -> u64,
    ) -> u64 {
        let end = Instant::now() + within;
        loop {
            let v = value(self);
            if v <= bound || Instant::now() > end {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for ChildService {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connection whose client advertises a small receive window, so that a client that does not
/// read fills the server's buffers sooner.
async fn small_window(addr: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(addr).await.expect("connect")
}

/// A client that logs in (as `name`, optional) then writes pings and never reads, until its
/// session's DESTROYED is on the topic (bounded in bytes and time). The connection is
/// returned open, still unread.
async fn never_reader(s: &mut ChildService, name: Option<&str>) -> (TcpStream, Uuid) {
    let mut stream = small_window(s.gateway).await;
    let mut hello = Vec::new();
    // Read exactly the hello line, byte by byte, so nothing else is consumed.
    let mut byte = [0u8; 1];
    while byte[0] != b'\n' {
        tokio::time::timeout(DEADLINE, stream.read_exact(&mut byte))
            .await
            .unwrap()
            .unwrap();
        hello.push(byte[0]);
    }
    let hello: Value = serde_json::from_slice(&hello).unwrap();
    let sid: Uuid = hello["sessionId"].as_str().unwrap().parse().unwrap();
    if let Some(name) = name {
        let login =
            format!("{{\"op\":\"login\",\"accountName\":\"{name}\",\"password\":\"{name}\"}}\n");
        stream.write_all(login.as_bytes()).await.unwrap();
    }
    let chunk = b"{\"op\":\"ping\"}\n".repeat(4096);
    let status = s.topics.session_status.clone();
    let id = sid.to_string();
    // Cheap on thousands of records: match bytes before parsing.
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let ended = |seen: &[Record]| {
        seen.iter().rev().any(|r| {
            r.topic == status
                && contains(&r.payload, id.as_bytes())
                && r.json()["sessionId"] == id
                && r.json()["type"] == "DESTROYED"
        })
    };
    let begin = Instant::now();
    let end = begin + Duration::from_secs(120);
    let mut chunks = 0;
    for _ in 0..20_000 {
        if let Ok(Err(_)) =
            tokio::time::timeout(Duration::from_millis(500), stream.write_all(&chunk)).await
        {
            break;
        }
        chunks += 1;
        s.observer.drain();
        tokio::time::sleep(Duration::from_millis(1)).await;
        if ended(&s.observer.seen) || Instant::now() > end {
            break;
        }
    }
    eprintln!("never_reader: {chunks} chunks in {:?}", begin.elapsed());
    s.observer
        .wait_until_within(
            Duration::from_secs(60),
            "the stalled session's DESTROYED",
            ended,
        )
        .await;
    (stream, sid)
}

#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn a_storm_of_abusive_clients_leaves_memory_near_baseline_and_ends_every_session_once() {
    let started = Instant::now();
    let mut s = ChildService::start(&[("MAX_SESSIONS_PER_IP", "0")]).await;
    let addr = s.gateway;
    let mut sessions = 1; // the readiness probe
                          // Warm up: logins, logouts, a few requests.
    for i in 0..20 {
        let mut c = Client::connect(addr).await;
        let name = ["admin", "alice", "bob"][i % 3];
        let answer = c.login_when_released(name, name).await;
        assert_eq!(answer["event"], "login_ok", "warm-up {i}: {answer}");
        c.send(json!({"op":"ping"})).await;
        c.expect("pong").await;
        c.send(json!({"op":"logout"})).await;
        c.expect("bye").await;
        sessions += 1;
    }
    s.wait_all_ended(sessions, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss0, fds0) = (s.rss_kib(), s.fds());
    eprintln!("storm: baseline RSS {} KiB, {} fds", rss0, fds0);

    // 5,000 connections opened and dropped as fast as possible.
    let t = Instant::now();
    let n = 5000;
    assert_eq!(storm(addr, n, 100).await, n, "every connection accepted");
    sessions += n;
    eprintln!(
        "storm: {n} connections in {:?}; RSS {} KiB",
        t.elapsed(),
        s.rss_kib()
    );
    // Huge lines, random bytes, half lines left idle, clients that never read.
    let mut tasks = Vec::new();
    for i in 0..50u64 {
        tasks.push(actix_rt::spawn(async move {
            let mut c = Raw::connect(addr).await;
            let bytes = match i % 3 {
                0 => [vec![b'a'; 64 * 1024], vec![b'\n']].concat(),
                1 => XorShift(0xabad_1dea ^ i).bytes(16 * 1024),
                _ => b"{\"op\":\"log".to_vec(),
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), c.write(&bytes)).await;
            let _ = c.read_lines(usize::MAX).await; // to the end: violation or idle timeout
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    sessions += 50;
    let mut stalled = Vec::new();
    for i in 0..5 {
        let name = ["admin", "alice", "bob"].get(i).copied();
        stalled.push(never_reader(&mut s, name).await);
    }
    sessions += 5;
    eprintln!(
        "storm: all abuse sent after {:?}; RSS {} KiB, peak {:?}",
        started.elapsed(),
        s.rss_kib(),
        std::fs::read_to_string(format!("/proc/{}/status", s.pid()))
            .unwrap()
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .map(str::to_owned)
    );
    // A storm connection reset while still in the accept queue may never become a session:
    // every other one must, and every session must end.
    let resets = (0..n).filter(|i| i % 6 == 3 || i % 6 == 5).count();
    let at_least = sessions - resets;
    let body = wait_metrics(
        s.admin,
        Duration::from_secs(180),
        "every session ended",
        |b| {
            total(b, "login_sessions_ended_total", TENANT) >= at_least as f64
                && metric(b, "login_sessions_active", &[("tenant", TENANT)]) == 0.0
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let body2 = s.metrics().await;
    let ended = total(&body2, "login_sessions_ended_total", TENANT);
    assert_eq!(
        ended,
        total(&body, "login_sessions_ended_total", TENANT),
        "no more sessions"
    );
    assert!(ended <= sessions as f64);
    assert_eq!(
        metric(&body2, "login_sessions_active", &[("tenant", TENANT)]),
        0.0
    );
    let log = std::fs::read_to_string(s.dir.join("service.log")).unwrap_or_default();
    eprintln!(
        "storm: {ended} sessions of {sessions} connections ({resets} reset by the client); {} accept failures logged",
        log.matches("Accept failed").count()
    );
    let ended = ended as usize;
    assert_eq!(total(&body, "login_sessions_refused_total", TENANT), 0.0);
    assert_eq!(
        metric(
            &body,
            "login_sessions_ended_total",
            &[("tenant", TENANT), ("reason", "client_stalled")]
        ),
        5.0,
        "{body}"
    );
    drop(stalled); // their connections are released below in any case (see the next test)

    // Every session ended exactly once on Kafka.
    let (cmd, status) = (s.topics.command.clone(), s.topics.session_status.clone());
    s.observer
        .wait_until_within(
            Duration::from_secs(180),
            "every LOGOUT and DESTROYED",
            |seen| {
                seen.iter()
                    .filter(|r| r.json()["type"] == "DESTROYED")
                    .count()
                    >= ended
            },
        )
        .await;
    s.observer.settle(Duration::from_secs(1)).await;
    assert_eq!(ended_once_each(&s.observer.seen, &cmd, &status), ended);

    // Memory and descriptors back near the baseline.
    let rss = s
        .settle_below(Duration::from_secs(30), rss0 + 50 * 1024, |s| s.rss_kib())
        .await;
    let fds = s
        .settle_below(Duration::from_secs(30), fds0 as u64 + 20, |s| {
            s.fds() as u64
        })
        .await;
    eprintln!(
        "storm: after: RSS {rss} KiB (baseline {rss0}), {fds} fds (baseline {fds0}); {:?} in all",
        started.elapsed()
    );
    assert!(
        rss <= rss0 + 50 * 1024,
        "RSS {rss} KiB, baseline {rss0} KiB"
    );
    assert!(fds <= fds0 as u64 + 20, "{fds} fds, baseline {fds0}");
    // And it still serves.
    let mut c = Client::connect(addr).await;
    assert_eq!(c.login("banned", "banned").await["event"], "banned");
    let _ = s.metrics().await;
}

/// A session ended because its client does not read must not keep the connection (a socket,
/// kernel buffers and a task) for as long as that client likes: otherwise ended sessions free
/// their MAX_SESSIONS slots while their connections pile up.
#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn connections_of_sessions_ended_for_not_reading_are_closed() {
    let mut s = ChildService::start(&[]).await;
    s.wait_all_ended(1, Duration::from_secs(30)).await;
    assert_eq!(
        s.gateway_connections_settled().await,
        0,
        "the readiness probe's connection is still held"
    );
    // The count sees a live session's connection (so that its 0 below means something).
    let live = Client::connect(s.gateway).await;
    assert_eq!(s.gateway_connections(), 1, "a live session's connection");
    drop(live);
    let mut stalled = Vec::new();
    for _ in 0..8 {
        stalled.push(never_reader(&mut s, None).await);
    }
    let body = s.wait_all_ended(10, Duration::from_secs(60)).await;
    let ended = |reason| {
        metric(
            &body,
            "login_sessions_ended_total",
            &[("tenant", TENANT), ("reason", reason)],
        )
    };
    let reasons: Vec<&str> = body
        .lines()
        .filter(|l| l.starts_with("login_sessions_ended_total"))
        .collect();
    assert_eq!(ended("client_stalled"), 8.0, "ended sessions: {reasons:#?}");
    // The clients stay connected and keep not reading; the server must have let go of every
    // one of their connections.
    assert_eq!(
        s.gateway_connections_settled().await,
        0,
        "connections held with 8 ended sessions' clients still connected"
    );
    drop(stalled);
}

/// A login as `admin` with a wrong password, answered `INCORRECT_PASSWORD`.
async fn wrong_password(c: &mut Client) {
    assert_eq!(
        c.login("admin", "wrong").await["code"],
        "INCORRECT_PASSWORD"
    );
}
