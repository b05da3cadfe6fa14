//! The `login-probe` binary against a scripted fake server: output, exit status, no secrets.

mod common;

use std::process::{Command, Output};

use common::server_packets as sp;
use common::{serve_greeted, Peer};
use maple_client::Version;

const PASSWORD: &str = "hunter2pw";
const PIC: &str = "9876";
const HWID: &str = "0123456789abcdef0123456789abcdef";

fn v83() -> Version {
    Version::new("GMS", 83, 1)
}

/// Runs the binary with `args` (the password through the environment) off the test runtime.
async fn probe(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_login-probe"))
            .args(&args)
            .env("LOGIN_PROBE_PASSWORD", PASSWORD)
            .env("LOGIN_PROBE_PIC", PIC)
            .output()
            .expect("run login-probe")
    })
    .await
    .expect("join")
}

fn base_args(addr: std::net::SocketAddr, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--addr",
        &addr.to_string(),
        "--version",
        "GMS/83/1",
        "--user",
        "admin",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(["--hwid", HWID, "--timeout-ms", "3000"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn assert_no_secrets(out: &Output) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [PASSWORD, PIC, HWID, "0123456789ABCDEF"] {
        assert!(!all.contains(secret), "output leaks {secret}: {all}");
    }
}

#[tokio::test]
async fn a_full_run_reports_every_step_and_exits_zero() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
        peer.send(0x00, &sp::auth_success(7, "admin", 1)).await;
        assert_eq!(peer.recv().await.0, 0x0B);
        peer.send(0x0A, &sp::world_entry(0, "Scania", 2)).await;
        peer.send(0x0A, &[0xFF]).await;
        peer.send(0x1A, &[0, 0, 0, 0]).await;
        peer.send(0x1B, &[0]).await;
        assert_eq!(peer.recv().await, (0x06, vec![0, 0]));
        peer.send(0x03, &[0, 0]).await;
        assert_eq!(peer.recv().await.0, 0x05);
        peer.send(0x0B, &sp::character_list(&[3, 4], 1)).await;
        let (op, sel) = peer.recv().await;
        assert_eq!(
            (op, &sel[2..6], &sel[6..10]),
            (0x1E, PIC.as_bytes(), &[3u8, 0, 0, 0][..])
        );
        peer.send(0x0C, &sp::server_ip([127, 0, 0, 1], 7575, 3))
            .await;
    })
    .await;
    let out = probe(base_args(addr, &["--select", "first", "--json"])).await;
    server.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<&str> = stdout.lines().collect();
    assert_eq!(steps.len(), 7, "{stdout}");
    for (line, step) in steps.iter().zip([
        "connect",
        "login",
        "worlds",
        "status",
        "characters",
        "select",
        "done",
    ]) {
        assert!(
            line.starts_with(&format!("{{\"step\":\"{step}\",\"ok\":true,\"ms\":")),
            "{line}"
        );
    }
    assert!(steps[5].contains("channel 127.0.0.1:7575"), "{}", steps[5]);
    assert_no_secrets(&out);
}

#[tokio::test]
async fn a_wrong_password_exits_one_with_the_code() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
        peer.send(0x00, &[4, 0, 0, 0, 0, 0]).await;
        peer
    })
    .await;
    let out = probe(base_args(addr, &[])).await;
    drop(server.await.unwrap());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INCORRECT_PASSWORD"), "{stderr}");
    assert_no_secrets(&out);
}

#[tokio::test]
async fn a_bad_header_exits_three() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
        peer.write(&[0xDE, 0xAD, 0xBE, 0xEF]).await;
        peer
    })
    .await;
    let out = probe(base_args(addr, &[])).await;
    drop(server.await.unwrap());
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad header"));
}

#[tokio::test]
async fn help_and_usage_errors() {
    let out = probe(vec!["--help".into()]).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("LOGIN_PROBE_PASSWORD"));
    let out = probe(vec!["--addr".into()]).await;
    assert_eq!(out.status.code(), Some(2));
}
