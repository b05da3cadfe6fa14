//! The `login-probe` binary against a scripted fake server: output, exit status, no secrets.

mod common;

use std::process::{Command, Output};

use common::server_packets as sp;
use common::{serve_greeted, Peer};
use maple_client::Version;

const PASSWORD: &str = "hunter2pw";
const PIC: &str = "9876";
const PIN: &str = "2580";
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
            .env("LOGIN_PROBE_PIN", PIN)
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
    for secret in [PASSWORD, PIC, PIN, HWID, "0123456789ABCDEF"] {
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

/// The server list burst of one world, after its request.
async fn serve_worlds(peer: &mut Peer) {
    assert_eq!(peer.recv().await.0, 0x0B);
    peer.send(0x0A, &sp::world_entry(0, "Scania", 2)).await;
    peer.send(0x0A, &[0xFF]).await;
    peer.send(0x1A, &[0, 0, 0, 0]).await;
    peer.send(0x1B, &[0]).await;
    assert_eq!(peer.recv().await, (0x06, vec![0, 0]));
    peer.send(0x03, &[0, 0]).await;
}

/// `str` as the client writes it.
fn string(text: &str) -> Vec<u8> {
    sp::s(text)
}

/// Every new step in one run: the gender chosen, the PIN registered (the account signed out,
/// logged in again, the PIN entered), a name checked, a character created and deleted with
/// the PIC, the view of every world, and a select from it with the PIC.
#[tokio::test]
async fn the_account_and_character_steps_run_in_order_and_exit_zero() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        assert_eq!(peer.recv().await.0, 0x01);
        peer.send(0x00, &sp::auth_success_with(7, "probe", 10, 0, 1))
            .await;
        assert_eq!(peer.recv().await, (0x08, vec![1, 1]), "SetGender female");
        peer.send(0x04, &[1, 1]).await;
        assert_eq!(peer.recv().await, (0x09, vec![1, 1]), "AfterLogin: which?");
        peer.send(0x06, &[1]).await; // REGISTER
        assert_eq!(peer.recv().await, (0x0A, [&[1][..], &string(PIN)].concat()));
        peer.send(0x07, &[0]).await;
        assert_eq!(peer.recv().await.0, 0x01, "logged in again");
        peer.send(0x00, &sp::auth_success_with(7, "probe", 1, 0, 1))
            .await;
        assert_eq!(peer.recv().await, (0x09, vec![1, 1]));
        peer.send(0x06, &[4]).await; // ENTER_PIN
        assert_eq!(
            peer.recv().await,
            (0x09, [&[1, 0][..], &string(PIN)].concat())
        );
        peer.send(0x06, &[0]).await;
        serve_worlds(&mut peer).await;
        assert_eq!(peer.recv().await.0, 0x05);
        peer.send(0x0B, &sp::character_list(&[3], 1)).await;
        assert_eq!(peer.recv().await, (0x15, string("Probe")));
        peer.send(0x0D, &[string("Probe"), vec![0]].concat()).await;
        let (op, create) = peer.recv().await;
        assert_eq!((op, &create[..7]), (0x16, &string("Probe")[..]));
        assert_eq!(create.last(), Some(&1), "the female look");
        let mut added = vec![0];
        added.extend(sp::character_entry(21, "Probe"));
        peer.send(0x0E, &added).await;
        let delete = [string(PIC), 21u32.to_le_bytes().to_vec()].concat();
        assert_eq!(peer.recv().await, (0x17, delete));
        peer.send(0x0F, &[21, 0, 0, 0, 0]).await;
        assert_eq!(peer.recv().await, (0x0D, vec![]));
        peer.send(0x08, &[1, 1, 0, 0, 0, 1, 0, 0, 0]).await;
        peer.send(0x08, &sp::view_all_world(1, 3)).await;
        let (op, select) = peer.recv().await;
        let ids = [3, 0, 0, 0, 1, 0, 0, 0];
        assert_eq!(
            (op, &select[..6], &select[6..14]),
            (0x20, &string(PIC)[..], &ids[..])
        );
        peer.send(0x0C, &sp::server_ip([127, 0, 0, 1], 7675, 3))
            .await;
    })
    .await;
    let extra = [
        "--gender",
        "female",
        "--check-name",
        "Probe",
        "--create",
        "Probe",
        "--delete",
        "created",
        "--view-all",
        "--select",
        "first",
    ];
    let out = probe(base_args(addr, &extra)).await;
    server.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "connect",
            "login",
            "gender",
            "pin",
            "login",
            "pin",
            "worlds",
            "status",
            "characters",
            "name",
            "create",
            "delete",
            "view-all",
            "select",
            "done"
        ],
        "{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[2].contains("gender female (1) recorded"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("registered (PinUpdate 0)"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains("again on this connection: AuthSuccess account 7"),
        "{}",
        lines[4]
    );
    assert!(lines[5].contains("PIN entered: accepted"), "{}", lines[5]);
    assert!(lines[10].contains("21 \"Probe\" lv 30"), "{}", lines[10]);
    assert!(lines[11].contains("character 21 deleted"), "{}", lines[11]);
    assert!(
        lines[12].contains("1 characters in 1 worlds: world 1 [3 \"va\""),
        "{}",
        lines[12]
    );
    assert!(
        lines[13].contains(
            "character 3 (world 1, from the view of every world) -> channel 127.0.0.1:7675"
        ),
        "{}",
        lines[13]
    );
    assert!(lines[14].contains("14 steps"), "{}", lines[14]);
    assert_no_secrets(&out);
}

#[tokio::test]
async fn a_wrong_pin_or_a_refused_deletion_exits_one_with_the_mode() {
    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
        peer.send(0x00, &sp::auth_success_with(7, "probe", 0, 0, 1))
            .await;
        assert_eq!(peer.recv().await, (0x09, vec![1, 1]));
        peer.send(0x06, &[4]).await;
        peer.recv().await;
        peer.send(0x06, &[2]).await; // INVALID
        peer
    })
    .await;
    let out = probe(base_args(addr, &["--json"])).await;
    drop(server.await.unwrap());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pin failed: PIN refused: PinOperation 2 (INVALID)"),
        "{stderr}"
    );
    assert_no_secrets(&out);

    let (addr, server) = serve_greeted(v83(), |mut peer: Peer| async move {
        peer.recv().await;
        peer.send(0x00, &sp::auth_success(7, "probe", 1)).await;
        serve_worlds(&mut peer).await;
        peer.recv().await;
        peer.send(0x0B, &sp::character_list(&[3], 1)).await;
        assert_eq!(peer.recv().await.0, 0x17);
        peer.send(0x0F, &[3, 0, 0, 0, 20]).await;
        peer
    })
    .await;
    let out = probe(base_args(addr, &["--delete", "3"])).await;
    drop(server.await.unwrap());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("character 3 not deleted: code 20 (SECONDARY_PIN_DOES_NOT_MATCH)"),
        "{stdout}"
    );
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
