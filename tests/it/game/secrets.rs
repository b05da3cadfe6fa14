//! No PIN or PIC in any log line: the service binary at `RUST_LOG=trace`, on the test broker
//! with the account simulator and the REST simulator of this process, serves a PIN tenant's
//! game client through every packet that carries a PIN or a PIC (entered wrong and right,
//! registered, with a select, a deletion and a select from the view of every world), and its
//! whole output is searched for each of them, as text and as bytes.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use login_orchestrator::sim::atlas::{AtlasSim, NoSeeds, SimData};
use maple_client::{Client, LoginOutcome, PinReply, ServerIp};
use serde_json::json;
use uuid::Uuid;

use super::{test_data, ACCOUNTS, HWID, VERSION};
use crate::helpers::*;
use crate::world::start_sim_at;

/// alice's PIN and PIC in this test's data, entered right.
const ALICE_PIN: &str = "Zq7X";
const ALICE_PIC: &str = "Pic-Kx93-Wv";
/// Entered wrong: a PIN, and a PIC with a select, a deletion and a select from the view.
const WRONG_PIN: &str = "Wv3K";
const WRONG_SELECT_PIC: &str = "Bad-Pic-551x";
const WRONG_DELETE_PIC: &str = "Del-Pic-88qz";
const WRONG_VIEW_PIC: &str = "Vw-Pic-40ty";
/// Registered by admin, then entered.
const NEW_PIN: &str = "Jx5R";
const NEW_PIC: &str = "Reg-Pic-73jw";

const SECRETS: [&str; 8] = [
    ALICE_PIN,
    ALICE_PIC,
    WRONG_PIN,
    WRONG_SELECT_PIC,
    WRONG_DELETE_PIC,
    WRONG_VIEW_PIC,
    NEW_PIN,
    NEW_PIC,
];

/// The service process, killed when dropped (a failing test leaves no process behind).
struct Service(Option<Child>);

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads a child's pipe to its end on a thread of its own, so a chatty child never blocks.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// The ways a secret could be written: as text, and its bytes in hex (spaced, and contiguous
/// for secrets long enough not to turn up inside an id by chance) or as a Rust byte list.
fn forms(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let hex = |sep: &str, upper: bool| {
        bytes
            .iter()
            .map(|b| {
                if upper {
                    format!("{b:02X}")
                } else {
                    format!("{b:02x}")
                }
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    let mut forms = vec![
        secret.to_owned(),
        hex(" ", false),
        hex(" ", true),
        format!("{bytes:?}"),
    ];
    if bytes.len() >= 8 {
        forms.extend([hex("", false), hex("", true)]);
    }
    forms
}

async fn logged_in(addr: std::net::SocketAddr, name: &str) -> Client {
    let version = VERSION.parse().expect("version");
    let (mut c, _) = Client::connect(addr, version, Duration::from_secs(10))
        .await
        .expect("connect");
    c.set_reply_timeout(DEADLINE);
    let outcome = c.login(name, name, HWID).await.expect("login");
    assert!(matches!(outcome, LoginOutcome::Success(_)), "{outcome:?}");
    c
}

fn is_channel(ip: &ServerIp) -> bool {
    matches!(ip, ServerIp::Channel { .. })
}

#[actix_rt::test]
async fn no_pin_or_pic_reaches_the_services_log_lines_at_trace() {
    init_logs();
    let topics = Topics::create().await;
    let _account_sim = start_sim_at(&bootstrap(), &topics, ACCOUNTS);
    let mut data = test_data();
    let accounts = data["tenants"]["default"]["accounts"]
        .as_array_mut()
        .expect("accounts");
    let alice = accounts.iter_mut().find(|a| a["id"] == 5).expect("alice");
    (alice["pin"], alice["pic"]) = (json!(ALICE_PIN), json!(ALICE_PIC));
    let data = SimData::from_json(&data.to_string()).expect("test data");
    let rest = AtlasSim::start("127.0.0.1:0".parse().unwrap(), data, Box::new(NoSeeds))
        .await
        .expect("REST simulator");
    let mut observer = Observer::new(&[&topics.command, &topics.account_status]);

    let dir = std::env::temp_dir().join(format!("lo-secrets-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let service = json!({"tasks": [], "tenants": [{"id": TENANT, "region": "GMS",
        "majorVersion": 83, "minorVersion": 1, "port": port, "protocol": "maple",
        "usesPin": true}]});
    std::fs::write(dir.join("service.json"), service.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_login-orchestrator"));
    for (k, v) in topics.env() {
        cmd.env(k, v);
    }
    let mut child = cmd
        .env("BOOTSTRAP_SERVERS", bootstrap())
        .env("SERVICE_ID", Uuid::new_v4().to_string())
        .env("SERVICE_CONFIG", dir.join("service.json"))
        .env("BASE_SERVICE_URL", rest.base_url())
        .env("ADMIN_ADDRESS", "127.0.0.1:0")
        .env("KAFKA_SESSION_TIMEOUT_MS", "6000")
        .env("KAFKA_HEARTBEAT_INTERVAL_MS", "1000")
        .env("RUST_LOG", "trace")
        .env("LOG_FORMAT", "text")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the service binary");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let pid = child.id();
    let mut service = Service(Some(child));
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < end, "the service did not open its gateway");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // alice: her PIN wrong, then right; her PIC wrong with a select, a deletion and a select
    // from the view, then right.
    let mut c = logged_in(addr, "alice").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("ENTER_PIN"), 4);
    assert_eq!(
        c.after_login(1, 0, Some(WRONG_PIN)).await.expect("INVALID"),
        2
    );
    assert_eq!(c.after_login(1, 0, Some(ALICE_PIN)).await.expect("OK"), 0);
    c.character_list(0, 0).await.expect("alice's list");
    let wrong = c.select_character_with_pic(5, WRONG_SELECT_PIC).await;
    assert_eq!(
        wrong.expect("ServerIP"),
        ServerIp::Refused { code: 4, mode: 0 }
    );
    let deleted = c
        .delete_character(WRONG_DELETE_PIC, 5)
        .await
        .expect("answer");
    assert_eq!(deleted.code, 20);
    c.view_all().await.expect("CharacterViewAll");
    let wrong = c.view_all_select_with_pic(5, 0, WRONG_VIEW_PIC).await;
    assert_eq!(
        wrong.expect("ServerIP"),
        ServerIp::Refused { code: 4, mode: 0 }
    );
    let ip = c.select_character_with_pic(5, ALICE_PIC).await;
    assert!(is_channel(&ip.expect("ServerIP")));
    drop(c);

    // admin: registers a PIN (signed out), logs in again and enters it, registers a PIC.
    let mut c = logged_in(addr, "admin").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("REGISTER"), 1);
    let registered = c.register_pin(Some(NEW_PIN)).await.expect("PinUpdate");
    assert_eq!(registered, Some(PinReply::Update(0)));
    let status = topics.account_status.clone();
    observer
        .wait_until("admin's LOGGED_OUT", |seen| {
            seen.iter().any(|r| {
                r.topic == status
                    && r.json()["status"] == "LOGGED_OUT"
                    && r.json()["account_id"] == 1
            })
        })
        .await;
    let again = c.login("admin", "admin", HWID).await.expect("login");
    assert!(matches!(again, LoginOutcome::Success(_)), "{again:?}");
    assert_eq!(c.after_login(1, 0, Some(NEW_PIN)).await.expect("OK"), 0);
    c.character_list(0, 0).await.expect("admin's list");
    let ip = c.register_pic(1, NEW_PIC).await;
    assert!(is_channel(&ip.expect("ServerIP")));
    drop(c);
    let cmd = topics.command.clone();
    observer
        .wait_until("both sessions' ends", |seen| {
            let logouts = |account: u32| {
                seen.iter()
                    .filter(|r| {
                        let v = r.json();
                        r.topic == cmd && v["type"] == "LOGOUT" && v["accountId"] == account
                    })
                    .count()
            };
            logouts(5) >= 1 && logouts(1) >= 2
        })
        .await;

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    let mut child = service.0.take().expect("running");
    let exit = tokio::task::spawn_blocking(move || child.wait().expect("wait"));
    let code = tokio::time::timeout(Duration::from_secs(30), exit)
        .await
        .expect("exited in time")
        .expect("wait task");
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(code.success(), "exit 0 after SIGTERM: {code:?}\n{stderr}");
    let all = without_ansi(&format!("{stdout}{stderr}"));
    assert!(
        all.lines().count() > 100,
        "trace logs expected, got {} lines",
        all.lines().count()
    );
    // The sessions were logged, in their request spans.
    assert!(all.matches("Session ended.").count() >= 3, "{all}");
    assert!(all.contains("request{op=\"register_pin\"}"), "{all}");
    for secret in SECRETS {
        for form in forms(secret) {
            let line = all.lines().find(|l| l.contains(&form));
            assert!(
                line.is_none(),
                "{secret:?} as {form:?} in a log line: {line:?}"
            );
        }
    }
}
