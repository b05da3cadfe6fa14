//! The service binary as a process, in its embedded mode (no broker needed): spans exported
//! over OTLP/HTTP to a collector, JSON logs, no secret in any log line at the most verbose
//! level, across logins that fail and succeed, and no librdkafka CONFWARN on a normal start.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::helpers::*;

const PASSWORD: &str = "S3cr3t-Passw0rd!";
const WRONG: &str = "Wr0ng-Passw0rd?";
const HWID: &str = "00112233445566778899aabbccddeeff";

/// A stand-in OTLP/HTTP collector: answers 200 to every request, reports request lines.
async fn collector() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    actix_rt::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let tx = tx.clone();
            actix_rt::spawn(async move {
                let mut buf = vec![0u8; 1 << 20];
                let mut got = Vec::new();
                // Read the head, then as much body as Content-Length says.
                loop {
                    let Ok(n) = s.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if got.len() - head.len() - 4 >= len {
                            let _ = tx.send(format!(
                                "{} {}",
                                head.lines().next().unwrap_or(""),
                                body.len()
                            ));
                            let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n").await;
                            got.clear();
                        }
                    }
                }
            });
        }
    });
    (port, rx)
}

#[actix_rt::test]
async fn the_binary_exports_spans_logs_json_and_never_a_secret() {
    let dir = std::env::temp_dir().join(format!("lo-proc-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let gateway = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let service = service_json(None).replace("\"port\":0,", &format!("\"port\":{gateway},"));
    std::fs::write(dir.join("service.json"), service).unwrap();
    let accounts = format!(
        r#"{{"accounts":[{{"id":7,"name":"carol","password":"{PASSWORD}","licenseAccepted":true}}]}}"#
    );
    std::fs::write(dir.join("accounts.json"), accounts).unwrap();
    let (otlp_port, mut exported) = collector().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_login-orchestrator"))
        .env_remove("BOOTSTRAP_SERVERS")
        .env("SERVICE_ID", Uuid::new_v4().to_string())
        .env("SERVICE_CONFIG", dir.join("service.json"))
        .env("ACCOUNTS_FILE", dir.join("accounts.json"))
        .env("ADMIN_ADDRESS", "127.0.0.1:0")
        .env(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{otlp_port}"),
        )
        .env("RUST_LOG", "trace")
        .env("LOG_FORMAT", "json")
        // One property of each client through the common prefix: neither warns the other.
        .env("KAFKA_SESSION_TIMEOUT_MS", "6000")
        .env("KAFKA_LINGER_MS", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the service binary");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{gateway}").parse().unwrap();
    let end = Instant::now() + DEADLINE;
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < end, "the service did not open its gateway");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut c = Client::connect(addr).await;
    c.send(json!({"op":"login","accountName":"carol","password":WRONG,"hwid":HWID.to_uppercase()}))
        .await;
    assert_eq!(c.recv().await["code"], "INCORRECT_PASSWORD");
    c.send(json!({"op":"login","accountName":"carol","password":PASSWORD,"hwid":HWID}))
        .await;
    assert_eq!(c.recv().await["event"], "login_ok");
    c.send(json!({"op":"login","password":PASSWORD})).await; // a bad request quoting a secret
    assert_eq!(c.expect("error").await["code"], "BAD_REQUEST");
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    c.expect("server_ip").await;
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        let mut err = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (child.wait().unwrap(), out, err)
    });
    let (code, stdout, stderr) = tokio::time::timeout(Duration::from_secs(30), exit)
        .await
        .unwrap()
        .unwrap();
    assert!(code.success(), "exit 0 after SIGTERM: {code:?}\n{stderr}");

    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.len() > 20,
        "verbose logs expected, got {} lines",
        lines.len()
    );
    for line in &lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(
            v.get("level").is_some() && v.get("timestamp").is_some(),
            "{line}"
        );
    }
    assert!(stdout.contains("Session ended."), "lifecycle logged");
    let all = format!("{stdout}{stderr}");
    assert!(
        !all.contains("CONFWARN"),
        "a KAFKA_* property reached the other client"
    );
    for secret in [PASSWORD, WRONG, HWID, &HWID.to_uppercase()] {
        assert!(!all.contains(secret), "a secret reached the logs: {secret}");
    }

    let first = tokio::time::timeout(Duration::from_secs(10), exported.recv())
        .await
        .expect("spans exported")
        .unwrap();
    assert!(first.starts_with("POST /v1/traces HTTP/1.1"), "{first}");
}
