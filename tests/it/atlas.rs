//! The Atlas REST simulator with its Kafka seed sink, driven by the REST client as the service
//! will drive it: a character seed answered 202, then the seed status event read back from the
//! real broker by an independent consumer (exact JSON, tenant headers, trace context, key);
//! in-process, and as the `atlas-sim` binary.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use login_orchestrator::config::{Env, KafkaProperties};
use login_orchestrator::rest::{
    AccountChange, ClientConfig, Context, Endpoints, RestClient, SeedRequest,
};
use login_orchestrator::sim::atlas::{AtlasSim, KafkaSeeds, RunningSim, SimData};
use uuid::Uuid;

use crate::helpers::*;

/// The trace the client's calls belong to, and the vendor state it carries.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";
const TRACESTATE: &str = "congo=t61rcWkgMzE";

/// A simulator with the demo data whose seeds go to `topic` on the test broker, and a client
/// built as the embedded mode will build it (no service URL set, so the simulator serves all).
struct Harness {
    sim: RunningSim,
    seeds: KafkaSeeds,
    client: RestClient,
}

impl Harness {
    async fn start(topic: &str) -> Harness {
        init_logs();
        let seeds = KafkaSeeds::new(&bootstrap(), &KafkaProperties::default(), topic)
            .expect("seed producer");
        let data = SimData::demo().expect("demo data");
        let addr = "127.0.0.1:0".parse().expect("address");
        let sim = AtlasSim::start(addr, data, Box::new(seeds.clone()))
            .await
            .expect("simulator");
        let env = Env::from_vars([
            ("SERVICE_ID".to_owned(), Uuid::new_v4().to_string()),
            ("REST_TIMEOUT_MS".to_owned(), "5000".to_owned()),
        ])
        .expect("env");
        assert!(env
            .endpoints
            .root(login_orchestrator::rest::Domain::CharacterFactory)
            .is_none());
        let endpoints = env
            .endpoints
            .clone()
            .or_base(&sim.base_url())
            .expect("endpoints");
        let client = RestClient::new(endpoints, ClientConfig::from_env(&env)).expect("client");
        Harness { sim, seeds, client }
    }

    async fn stop(self) {
        self.sim.stop().await;
        let seeds = self.seeds;
        tokio::task::spawn_blocking(move || seeds.flush(Duration::from_secs(5)))
            .await
            .expect("flush task")
            .expect("flushed");
    }
}

/// The test tenant (GMS 83.1) inside the trace above.
fn context() -> Context {
    let tenant = Uuid::parse_str(TENANT).expect("tenant id");
    Context::new(tenant, "GMS", 83, 1).with_trace(
        format!("00-{TRACE_ID}-{PARENT_SPAN}-01"),
        Some(TRACESTATE.to_owned()),
    )
}

fn seed(account_id: u32, name: &str) -> SeedRequest {
    let mut seed = SeedRequest::new(account_id, 0, name);
    (seed.job_index, seed.face, seed.hair, seed.hair_color) = (1, 20000, 30000, 0);
    (seed.top, seed.bottom, seed.shoes, seed.weapon) = (1_040_002, 1_060_002, 1_072_001, 1_302_000);
    seed
}

/// Waits for the one record of the seed topic, then checks that no second one follows.
async fn the_one_record(observer: &mut Observer) -> Record {
    observer
        .wait_until("a seed status event", |seen| !seen.is_empty())
        .await;
    observer.settle(Duration::from_millis(300)).await;
    assert_eq!(observer.seen.len(), 1, "{:#?}", observer.summary());
    observer.seen.remove(0)
}

/// Tenant headers of GMS 83.1 with versions as 2 big-endian bytes, and a child of the
/// client's trace: same trace id, a new span id, the tracestate unchanged; nothing else.
fn assert_headers(r: &Record) {
    let names: BTreeSet<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "MAJOR_VERSION",
            "MINOR_VERSION",
            "REGION",
            "TENANT_ID",
            "traceparent",
            "tracestate"
        ]),
        "{:?}",
        r.headers
    );
    assert_eq!(r.headers.len(), 6, "no header twice: {:?}", r.headers);
    assert_eq!(r.header("TENANT_ID"), Some(TENANT.as_bytes()));
    assert_eq!(r.header("REGION"), Some(&b"GMS"[..]));
    assert_eq!(r.header("MAJOR_VERSION"), Some(&[0x00, 0x53][..]));
    assert_eq!(r.header("MINOR_VERSION"), Some(&[0x00, 0x01][..]));
    let tp = std::str::from_utf8(r.header("traceparent").expect("traceparent")).unwrap();
    let parts: Vec<&str> = tp.split('-').collect();
    assert_eq!(parts.len(), 4, "{tp}");
    assert_eq!(
        (parts[0], parts[1], parts[3]),
        ("00", TRACE_ID, "01"),
        "{tp}"
    );
    assert_eq!(parts[2].len(), 16, "{tp}");
    assert_ne!(parts[2], PARENT_SPAN, "a child span: {tp}");
    assert_eq!(r.header("tracestate"), Some(TRACESTATE.as_bytes()));
}

#[actix_rt::test]
async fn a_seed_is_reported_created_on_the_seed_topic_as_the_factory_does() {
    let topics = Topics::create().await;
    let mut observer = Observer::new(&[&topics.seed_status]);
    let h = Harness::start(&topics.seed_status).await;
    let ctx = context();

    let transaction = h
        .client
        .seed_character(&ctx, &seed(6, "Bobby"))
        .await
        .expect("seed accepted");
    assert!(
        transaction.is_some_and(|tx| !tx.is_nil()),
        "a transaction id"
    );

    let record = the_one_record(&mut observer).await;
    assert_eq!(record.topic, topics.seed_status);
    assert_eq!(
        String::from_utf8_lossy(&record.payload),
        r#"{"accountId":6,"type":"CREATED","body":{"characterId":6}}"#,
        "the demo data's five characters come first"
    );
    assert_eq!(record.key, [6, 0, 0, 0, 0, 0, 0, 0]);
    assert_headers(&record);

    let created = h
        .client
        .character(&ctx, 6)
        .await
        .expect("the reported character exists");
    assert_eq!(
        (created.name.as_str(), created.account_id, created.world_id),
        ("Bobby", 6, 0)
    );
    h.stop().await;
}

#[actix_rt::test]
async fn a_seed_with_a_taken_name_is_accepted_then_reported_failed() {
    let topics = Topics::create().await;
    let mut observer = Observer::new(&[&topics.seed_status]);
    let h = Harness::start(&topics.seed_status).await;
    let ctx = context();

    let transaction = h
        .client
        .seed_character(&ctx, &seed(6, "Alice"))
        .await
        .expect("seed accepted: the name is checked while creating");
    assert!(transaction.is_some(), "a transaction id");

    let record = the_one_record(&mut observer).await;
    assert_eq!(
        String::from_utf8_lossy(&record.payload),
        r#"{"accountId":6,"type":"FAILED","body":{"reason":"name Alice is taken"}}"#
    );
    assert_eq!(record.key, [6, 0, 0, 0, 0, 0, 0, 0]);
    assert_headers(&record);

    let named = h
        .client
        .characters_named(&ctx, "Alice")
        .await
        .expect("look-up");
    assert_eq!(named.len(), 1, "no second Alice was created");
    h.stop().await;
}

/// A PIN long enough that it cannot turn up in a log line by chance.
const SECRET_PIN: &str = "86429753";

/// Reads a child's pipe to its end on a thread of its own, so a chatty child never blocks.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

#[actix_rt::test]
async fn the_atlas_sim_binary_serves_reports_seeds_and_stops_on_sigterm() {
    let topics = Topics::create().await;
    let mut observer = Observer::new(&[&topics.seed_status]);
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-sim"))
        .env("BOOTSTRAP_SERVERS", bootstrap())
        .env("EVENT_TOPIC_SEED_STATUS", &topics.seed_status)
        .env(
            "ATLAS_SIM_FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/atlas-sim.json"),
        )
        .env("ATLAS_SIM_ADDRESS", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "trace")
        .env("LOG_FORMAT", "text")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start atlas-sim");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let end = Instant::now() + DEADLINE;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < end, "atlas-sim did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Under /api/, as an Atlas ingress root is written.
    let root = format!("http://127.0.0.1:{port}/api/");
    let endpoints = Endpoints::new(Some(root), vec![]).expect("endpoints");
    let client = RestClient::new(
        endpoints,
        ClientConfig::with_timeout(Duration::from_secs(5)),
    )
    .expect("client");
    let ctx = context();
    let account = client.account(&ctx, 6).await.expect("account 6");
    let changed = client
        .change_account(&ctx, &account, AccountChange::Pin(SECRET_PIN.into()))
        .await
        .expect("PIN set");
    assert_eq!(
        client.account(&ctx, 6).await.expect("again").pin,
        changed.pin
    );
    client
        .seed_character(&ctx, &seed(6, "Bobby"))
        .await
        .expect("seed accepted");
    let record = the_one_record(&mut observer).await;
    assert_eq!(
        String::from_utf8_lossy(&record.payload),
        r#"{"accountId":6,"type":"CREATED","body":{"characterId":6}}"#
    );
    assert_eq!(record.key, [6, 0, 0, 0, 0, 0, 0, 0]);
    assert_headers(&record);

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().expect("wait"));
    let code = tokio::time::timeout(Duration::from_secs(30), exit)
        .await
        .expect("atlas-sim exited in time")
        .expect("wait task");
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(code.success(), "exit 0 after SIGTERM: {code:?}\n{stderr}");
    let listening = stdout
        .lines()
        .find(|line| line.contains("Atlas REST simulator listening."))
        .unwrap_or_else(|| panic!("no listening line:\n{stdout}"));
    assert!(
        listening.contains(&format!("127.0.0.1:{port}")),
        "{listening}"
    );
    assert!(stdout.contains("SIGTERM received."), "{stdout}");
    assert!(
        stdout.contains("PATCH") && stdout.contains("accounts/6"),
        "trace logs name the calls: {stdout}"
    );
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(!text.contains(SECRET_PIN), "the PIN leaked to {name}");
    }
}
