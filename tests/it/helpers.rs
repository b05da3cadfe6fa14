//! Shared test plumbing: the real broker's address, unique topics per test, the service started
//! in-process, a gateway client, and an independent observer of the produced topics.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use login_orchestrator::app::{self, Running};
use login_orchestrator::config::Config;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use uuid::Uuid;

pub const TENANT: &str = "083839c6-c47c-42a6-9585-76492795d123";
pub const DEADLINE: Duration = Duration::from_secs(20);

pub fn bootstrap() -> String {
    std::env::var("TEST_BOOTSTRAP_SERVERS").unwrap_or_else(|_| "127.0.0.1:19092".into())
}

pub fn init_logs() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into());
    let _ = login_orchestrator::telemetry::init(
        &filter,
        login_orchestrator::config::LogFormat::Text,
        None,
    );
}

/// The five topics of one test, with unique names.
#[derive(Debug, Clone)]
pub struct Topics {
    pub command: String,
    pub session_status: String,
    pub account_status: String,
    pub account_session_status: String,
    pub seed_status: String,
}

impl Topics {
    pub async fn create() -> Topics {
        Topics::create_at(&bootstrap()).await
    }

    pub fn all(&self) -> [String; 5] {
        [
            self.command.clone(),
            self.session_status.clone(),
            self.account_status.clone(),
            self.account_session_status.clone(),
            self.seed_status.clone(),
        ]
    }

    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("COMMAND_TOPIC_ACCOUNT_SESSION".into(), self.command.clone()),
            (
                "EVENT_TOPIC_SESSION_STATUS".into(),
                self.session_status.clone(),
            ),
            (
                "EVENT_TOPIC_ACCOUNT_STATUS".into(),
                self.account_status.clone(),
            ),
            (
                "EVENT_TOPIC_ACCOUNT_SESSION_STATUS".into(),
                self.account_session_status.clone(),
            ),
            ("EVENT_TOPIC_SEED_STATUS".into(), self.seed_status.clone()),
        ]
    }
}

/// A service file with one tenant (GMS 83.1) on a free port, world 0 channel 0 at 10.0.0.5:7575.
pub fn service_json(timeout_task: Option<(u64, u64)>) -> String {
    service_json_for(TENANT, timeout_task)
}

/// The same for another tenant id.
pub fn service_json_for(tenant: &str, timeout_task: Option<(u64, u64)>) -> String {
    let tasks = match timeout_task {
        Some((interval, duration)) => {
            format!(r#"[{{"type":"timeout","interval":{interval},"duration":{duration}}}]"#)
        }
        None => "[]".into(),
    };
    format!(
        r#"{{"tasks":{tasks},"tenants":[{{"id":"{tenant}","region":"GMS","majorVersion":83,"minorVersion":1,"port":0,"protocol":"json-lines",
        "channels":[{{"worldId":0,"channelId":0,"ipAddress":"10.0.0.5","port":7575}},{{"worldId":1,"channelId":2,"ipAddress":"10.0.1.2","port":7600}}]}}]}}"#
    )
}

/// Configuration for a service instance on the test broker and `topics`.
pub fn config(topics: &Topics, service_json: &str, extra: &[(&str, &str)]) -> Config {
    let dir = std::env::temp_dir().join(format!("lo-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("service.json");
    std::fs::write(&path, service_json).unwrap();
    let mut vars: HashMap<String, String> = topics.env().into_iter().collect();
    vars.insert("BOOTSTRAP_SERVERS".into(), bootstrap());
    vars.insert("SERVICE_ID".into(), Uuid::new_v4().to_string());
    vars.insert("SERVICE_CONFIG".into(), path.display().to_string());
    vars.insert("KAFKA_SESSION_TIMEOUT_MS".into(), "6000".into());
    vars.insert("KAFKA_HEARTBEAT_INTERVAL_MS".into(), "1000".into());
    vars.insert("SHUTDOWN_STEP_TIMEOUT_MS".into(), "5000".into());
    vars.insert("ADMIN_ADDRESS".into(), "127.0.0.1:0".into());
    for (k, v) in extra {
        vars.insert((*k).into(), (*v).into());
    }
    Config::from_vars(vars).expect("test config")
}

pub async fn start(config: Config) -> Running {
    init_logs();
    tokio::time::timeout(Duration::from_secs(30), app::start(config))
        .await
        .expect("service started in time")
        .expect("service started")
}

/// As [`start`] on ports taken with [`free_port`]: `None` when one of them was taken between
/// its probe and the service's bind (by another test, or as an outgoing connection's local
/// port), for the caller to try again on fresh ones.
pub async fn start_unless_taken(config: Config) -> Option<Running> {
    use login_orchestrator::sim::atlas::SimError;
    use std::io::ErrorKind::AddrInUse;
    init_logs();
    let started = tokio::time::timeout(Duration::from_secs(30), app::start(config))
        .await
        .expect("service started in time");
    match started {
        Ok(running) => Some(running),
        Err(app::StartError::Listen(e)) if e.kind() == AddrInUse => None,
        Err(app::StartError::AtlasSim(SimError::Bind { source, .. }))
            if source.kind() == AddrInUse =>
        {
            None
        }
        Err(e) => panic!("service started: {e:?}"),
    }
}

/// A gateway client speaking the line protocol.
pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    pub session_id: Uuid,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr)
            .await
            .expect("connect to the gateway");
        let (read, writer) = stream.into_split();
        let mut client = Client {
            reader: BufReader::new(read),
            writer,
            session_id: Uuid::nil(),
        };
        let hello = client.recv().await;
        assert_eq!(hello["event"], "hello", "{hello}");
        assert_eq!(hello["protocol"], 1);
        client.session_id = hello["sessionId"].as_str().unwrap().parse().unwrap();
        client
    }

    pub async fn send(&mut self, line: Value) {
        self.send_raw(format!("{line}\n").as_bytes()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer
            .write_all(bytes)
            .await
            .expect("write to the gateway");
    }

    /// The next line from the server, as JSON (panics after the deadline or at EOF).
    pub async fn recv(&mut self) -> Value {
        let mut line = String::new();
        let n = tokio::time::timeout(DEADLINE, self.reader.read_line(&mut line))
            .await
            .expect("a line from the server in time")
            .expect("read from the gateway");
        assert!(n > 0, "the server closed the connection");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("server line {line:?}: {e}"))
    }

    /// Reads lines until one has `event` = `name`; returns it.
    pub async fn expect(&mut self, name: &str) -> Value {
        let v = self.recv().await;
        assert_eq!(v["event"], name, "expected {name}, got {v}");
        v
    }

    /// True once the server closed the connection (EOF) within the deadline.
    pub async fn closed(&mut self) -> bool {
        let mut line = String::new();
        matches!(
            tokio::time::timeout(DEADLINE, self.reader.read_line(&mut line)).await,
            Ok(Ok(0))
        )
    }

    /// Logs in, again while the peer answers `ALREADY_LOGGED_IN` (it has not yet handled the
    /// LOGOUT of an earlier session of the account: LOGOUT and the next CREATE travel on
    /// different partitions), for up to 5 s; the last answer.
    pub async fn login_when_released(&mut self, name: &str, password: &str) -> Value {
        let mut answer = self.login(name, password).await;
        for _ in 0..50 {
            if answer["code"] != "ALREADY_LOGGED_IN" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            answer = self.login(name, password).await;
        }
        answer
    }

    pub async fn login(&mut self, name: &str, password: &str) -> Value {
        self.send(serde_json::json!({"op":"login","accountName":name,"password":password}))
            .await;
        self.recv().await
    }
}

/// One record read back from a topic.
#[derive(Debug, Clone)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// The producer's timestamp (ms since the epoch; 0 when the broker gave none).
    pub timestamp: i64,
    pub key: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub payload: Vec<u8>,
}

impl Record {
    /// The record of a consumed message, with its headers as read.
    pub fn of<M: Message>(m: &M, headers: Vec<(String, Vec<u8>)>) -> Record {
        Record {
            topic: m.topic().to_owned(),
            partition: m.partition(),
            offset: m.offset(),
            timestamp: m.timestamp().to_millis().unwrap_or(0),
            key: m.key().unwrap_or_default().to_vec(),
            headers,
            payload: m.payload().unwrap_or_default().to_vec(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).unwrap()
    }
    pub fn header(&self, key: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
}

/// Reads every message of some topics from the beginning, with no consumer group.
pub struct Observer {
    consumer: BaseConsumer,
    pub seen: Vec<Record>,
}

impl Observer {
    pub fn new(topics: &[&str]) -> Observer {
        Observer::new_at(&bootstrap(), topics)
    }

    fn poll_some(&mut self, wait: Duration) {
        if let Some(Ok(m)) = self.consumer.poll(wait) {
            let headers = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|x| (x.key.to_owned(), x.value.unwrap_or_default().to_vec()))
                        .collect()
                })
                .unwrap_or_default();
            self.seen.push(Record::of(&m, headers));
        }
    }

    /// Polls until `done(seen)` holds; panics after the deadline.
    pub async fn wait_until(&mut self, what: &str, done: impl Fn(&[Record]) -> bool) {
        let end = Instant::now() + DEADLINE;
        while !done(&self.seen) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; seen: {:#?}",
                self.summary()
            );
            self.poll_some(Duration::from_millis(0));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Keeps polling for `quiet`, to see that nothing more arrives.
    pub async fn settle(&mut self, quiet: Duration) {
        let end = Instant::now() + quiet;
        while Instant::now() < end {
            self.poll_some(Duration::from_millis(0));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Records of `topic` for session `id` with JSON `type` = `kind`.
    pub fn of(&self, topic: &str, id: Uuid, kind: &str) -> Vec<&Record> {
        self.seen
            .iter()
            .filter(|r| r.topic == topic)
            .filter(|r| {
                let v = r.json();
                v["sessionId"] == id.to_string() && v["type"] == kind
            })
            .collect()
    }

    pub fn summary(&self) -> Vec<String> {
        self.seen
            .iter()
            .map(|r| format!("{} {}", r.topic, String::from_utf8_lossy(&r.payload)))
            .collect()
    }
}

/// Produces raw messages with the GMS 83.1 tenant headers (or others) for consumed-side tests.
pub struct Injector {
    producer: FutureProducer,
}

pub fn tenant_headers(
    tenant: &str,
    region: &str,
    major: u16,
    minor: u16,
) -> Vec<(String, Vec<u8>)> {
    vec![
        ("TENANT_ID".into(), tenant.as_bytes().to_vec()),
        ("REGION".into(), region.as_bytes().to_vec()),
        ("MAJOR_VERSION".into(), major.to_be_bytes().to_vec()),
        ("MINOR_VERSION".into(), minor.to_be_bytes().to_vec()),
    ]
}

pub fn gms() -> Vec<(String, Vec<u8>)> {
    tenant_headers(TENANT, "GMS", 83, 1)
}

impl Injector {
    pub fn new() -> Injector {
        // librdkafka's own default for message.max.bytes.
        Injector::new_with(&bootstrap(), 1_000_000)
    }

    pub async fn send(&self, topic: &str, key: u32, headers: &[(String, Vec<u8>)], payload: &[u8]) {
        let raw: Vec<(&str, Option<&[u8]>)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), Some(v.as_slice())))
            .collect();
        self.send_raw_headers(topic, key, &raw, payload).await;
    }
}

// ---- Ports, and the reliability tests' helpers (outage.rs, abuse.rs) ---------------------

/// A port on 127.0.0.1 that nothing listens on, for a service under test to listen on (also
/// later and again: a gateway across restarts, say). It is below the ephemeral range, so that
/// no outgoing connection's local end takes it meanwhile (the storm and chaos tests open
/// thousands), and no port is handed out twice in one test run.
pub fn free_port() -> u16 {
    use std::sync::Mutex;
    static GIVEN: Mutex<Option<(XorShift, std::collections::HashSet<u16>)>> = Mutex::new(None);
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let from = 10000.min(low / 2);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let (rng, taken) = given.get_or_insert_with(|| {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()) << 32;
        (XorShift(seed | 1), Default::default())
    });
    loop {
        let port = from + (rng.next_u64() % u64::from(low - from)) as u16;
        if !taken.contains(&port) && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            taken.insert(port);
            return port;
        }
    }
}

impl Topics {
    /// [`Topics::create`] on another broker.
    pub async fn create_at(bootstrap: &str) -> Topics {
        let tag = Uuid::new_v4().simple().to_string();
        let t = Topics {
            command: format!("cmd-account-session-{tag}"),
            session_status: format!("ev-session-status-{tag}"),
            account_status: format!("ev-account-status-{tag}"),
            account_session_status: format!("ev-account-session-status-{tag}"),
            seed_status: format!("ev-seed-status-{tag}"),
        };
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .expect("admin client");
        let names = t.all();
        let new: Vec<NewTopic> = names
            .iter()
            .map(|n| NewTopic::new(n, 4, TopicReplication::Fixed(1)))
            .collect();
        let options = AdminOptions::new().request_timeout(Some(Duration::from_secs(20)));
        for r in admin
            .create_topics(&new, &options)
            .await
            .expect("create topics")
        {
            if let Err((name, code)) = r {
                assert_eq!(
                    code,
                    rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists,
                    "create {name}"
                );
            }
        }
        t
    }
}

impl Observer {
    /// [`Observer::new`] on another broker.
    pub fn new_at(bootstrap: &str, topics: &[&str]) -> Observer {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", format!("observer-{}", Uuid::new_v4()))
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", "10")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for t in topics {
            for p in 0..4 {
                tpl.add_partition_offset(t, p, Offset::Beginning).unwrap();
            }
        }
        consumer.assign(&tpl).unwrap();
        Observer {
            consumer,
            seen: Vec::new(),
        }
    }

    /// Like [`Observer::wait_until`] with a deadline of `within`.
    pub async fn wait_until_within(
        &mut self,
        within: Duration,
        what: &str,
        done: impl Fn(&[Record]) -> bool,
    ) {
        let end = Instant::now() + within;
        while !done(&self.seen) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}; seen {} records",
                self.seen.len()
            );
            for _ in 0..1000 {
                let before = self.seen.len();
                self.poll_some(Duration::from_millis(0));
                if self.seen.len() == before {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Injector {
    /// An injector on `bootstrap` whose producer accepts messages of up to `max_bytes`.
    pub fn new_with(bootstrap: &str, max_bytes: usize) -> Injector {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("linger.ms", "0")
            .set("message.max.bytes", max_bytes.to_string())
            .create()
            .unwrap();
        Injector { producer }
    }

    /// Produces `payload` under a raw `key`, without headers (a ledger record, say).
    pub async fn send_keyed(&self, topic: &str, key: &[u8], payload: &[u8]) {
        self.producer
            .send(
                FutureRecord::to(topic).key(key).payload(payload),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .expect("inject a message");
    }

    /// Produces with raw headers: `None` values are headers without a value.
    pub async fn send_raw_headers(
        &self,
        topic: &str,
        key: u32,
        headers: &[(&str, Option<&[u8]>)],
        payload: &[u8],
    ) {
        let mut h = rdkafka::message::OwnedHeaders::new();
        for (k, v) in headers {
            h = h.insert(rdkafka::message::Header { key: k, value: *v });
        }
        let key = login_orchestrator::kafka::keys::account_key(key);
        self.producer
            .send(
                FutureRecord::to(topic)
                    .key(&key[..])
                    .headers(h)
                    .payload(payload),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(e, _)| e)
            .expect("inject a message");
    }
}

/// A GET of the admin listener over a fresh connection: status code and body.
pub async fn admin_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let mut s = TcpStream::connect(addr).await.expect("admin listener");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(DEADLINE, s.read_to_string(&mut response))
        .await
        .expect("admin answer in time")
        .unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("an HTTP status");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The value of the Prometheus sample `name` with every label given (0 when absent).
pub fn metric(metrics: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(metrics, name, labels).unwrap_or(0.0)
}

/// The value of the sample named `name` (with or without labels) that has every label given.
pub fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Polls `/metrics` until `done(body)` holds; panics with the last body after `within`.
pub async fn wait_metrics(
    admin: SocketAddr,
    within: Duration,
    what: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let end = Instant::now() + within;
    loop {
        let (code, body) = admin_get(admin, "/metrics").await;
        assert_eq!(code, 200);
        if done(&body) {
            return body;
        }
        assert!(
            Instant::now() < end,
            "timed out waiting for {what}:\n{body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A deterministic xorshift64* generator for random test bytes.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

impl Observer {
    /// Reads everything already available, without waiting (at most 100,000 records).
    pub fn drain(&mut self) {
        for _ in 0..100_000 {
            let before = self.seen.len();
            self.poll_some(Duration::from_millis(0));
            if self.seen.len() == before {
                break;
            }
        }
    }
}

// ---- A broker of the test's own behind a cuttable proxy (outage.rs, chaos.rs) --------------

/// A second tansu, on its own port, advertising another address; killed when dropped.
pub struct Tansu(std::process::Child);

impl Tansu {
    pub fn start(port: u16, advertised: u16) -> Tansu {
        use std::process::{Command, Stdio};
        let bin = concat!(env!("CARGO_MANIFEST_DIR"), "/.cache/tansu/tansu");
        assert!(
            std::path::Path::new(bin).exists(),
            "{bin} is missing: run `tests/tools/broker.sh fetch` (make test does)"
        );
        let child = Command::new(bin)
            .arg("broker")
            .arg("--listener-url")
            .arg(format!("tcp://127.0.0.1:{port}"))
            .arg("--advertised-listener-url")
            .arg(format!("tcp://127.0.0.1:{advertised}"))
            .arg("--storage-engine")
            .arg("memory://tansu/")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a second tansu");
        Tansu(child)
    }

    /// Waits until it accepts connections on `port`.
    pub async fn wait_listening(port: u16) {
        let end = Instant::now() + DEADLINE;
        while TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < end, "the second tansu did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TCP proxy from `127.0.0.1:port` to `127.0.0.1:upstream` that can be cut. By default a cut
/// closes every proxied connection and the listening socket (new connections are refused) until
/// it is restored. [`Proxy::start_cutting_only`] cuts the connections of one Kafka client only
/// (the service's, by its `client.id`): the others, the account simulator and the observers in
/// the test process, keep their broker through every cut, as when only the network between the
/// service and the broker fails.
pub struct Proxy {
    pub port: u16,
    up: tokio::sync::watch::Sender<bool>,
}

impl Proxy {
    pub fn start(port: u16, upstream: u16) -> Proxy {
        Proxy::start_with(port, upstream, None)
    }

    /// A proxy whose cuts concern the Kafka clients whose `client.id` is `client_id` alone (read
    /// from the header of the first request on each connection). During a cut, such a client's
    /// connections are closed, and a new one is closed as soon as its first request shows who
    /// it is.
    pub fn start_cutting_only(port: u16, upstream: u16, client_id: &str) -> Proxy {
        Proxy::start_with(port, upstream, Some(client_id.into()))
    }

    fn start_with(port: u16, upstream: u16, only: Option<std::sync::Arc<str>>) -> Proxy {
        let (up, rx) = tokio::sync::watch::channel(true);
        // Bound before this returns, so that a client started next finds it.
        let listener = Self::bind(port);
        // Its own thread and runtime: the test's thread makes blocking librdkafka calls.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(Self::serve(listener, port, upstream, rx, only));
        });
        Proxy { port, up }
    }

    fn bind(port: u16) -> std::net::TcpListener {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket
            .bind(format!("127.0.0.1:{port}").parse().unwrap())
            .unwrap_or_else(|e| panic!("proxy bind {port}: {e}"));
        let listener = socket.listen(1024).unwrap();
        listener.into_std().unwrap()
    }

    async fn serve(
        first: std::net::TcpListener,
        port: u16,
        upstream: u16,
        mut up: tokio::sync::watch::Receiver<bool>,
        only: Option<std::sync::Arc<str>>,
    ) {
        let mut bound = Some(first);
        loop {
            if only.is_none() && up.wait_for(|u| *u).await.is_err() {
                return;
            }
            let std_listener = bound.take().unwrap_or_else(|| Self::bind(port));
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            loop {
                tokio::select! {
                    changed = up.changed() => {
                        if changed.is_err() { return; }
                        // A cut of every client: drop the listener.
                        if only.is_none() && !*up.borrow() { break; }
                    }
                    accepted = listener.accept() => {
                        let Ok((client, _)) = accepted else { continue };
                        tokio::spawn(Self::pipe(client, upstream, up.clone(), only.clone()));
                    }
                }
            }
        }
    }

    /// Carries one connection until it ends, or until a cut if it is one that cuts concern.
    async fn pipe(
        mut client: TcpStream,
        upstream: u16,
        mut up: tokio::sync::watch::Receiver<bool>,
        only: Option<std::sync::Arc<str>>,
    ) {
        let mut first = Vec::new();
        let cuttable = match &only {
            None => true,
            Some(id) => {
                let read = kafka_client_id(&mut client, &mut first);
                match tokio::time::timeout(Duration::from_secs(10), read).await {
                    Ok(Some(found)) => found == **id,
                    _ => return,
                }
            }
        };
        if cuttable && !*up.borrow() {
            return; // cut: closed at once
        }
        let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
            return;
        };
        if server.write_all(&first).await.is_err() {
            return;
        }
        if cuttable {
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                _ = up.wait_for(|u| !*u) => {}
            }
        } else {
            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
        }
    }

    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// Reads the header of the first Kafka request on a connection (size, api key, api version,
/// correlation id, then `client_id` as an int16-length string in every header version) into
/// `read`, and returns the client id.
async fn kafka_client_id(stream: &mut TcpStream, read: &mut Vec<u8>) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; 14];
    stream.read_exact(&mut head).await.ok()?;
    read.extend_from_slice(&head);
    let len = i16::from_be_bytes([head[12], head[13]]);
    if len <= 0 {
        return Some(String::new());
    }
    let mut id = vec![0u8; len as usize];
    stream.read_exact(&mut id).await.ok()?;
    read.extend_from_slice(&id);
    Some(String::from_utf8_lossy(&id).into_owned())
}

/// The text without its ANSI colour sequences (the text format colours fields).
pub fn without_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
