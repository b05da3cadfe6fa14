//! Chaos: login traffic from many clients for a few minutes while the service's broker
//! connection is cut, the account service stalls and catches up, and the service is killed
//! with `-9` and restarted with the same SERVICE_ID, at random moments. At the end, with every
//! client gone, the promise of the README must hold: no account logged in at the account
//! service, and exactly one DESTROYED for every session that said hello. Opt-in:
//! `LONG_TESTS=1` (`cargo test --test it -- --ignored chaos`).
//!
//! - The service is a process of its own (the binary), so it can be killed with SIGKILL.
//! - It has a tansu of its own, behind a proxy that cuts the service's connections only (found
//!   by their `client.id`): the account simulator and the observers, in the test process, keep
//!   the broker through every cut, as when the network between the service and the broker
//!   fails while the account service goes on answering. The answers then wait on their topic
//!   for the service, which is the harder case (late answers to logins that timed out). The
//!   account service's own failure is the other fault: a stall (its consumption paused; it
//!   works off its backlog afterwards, as a real one does).
//! - Faults come from a seeded generator (`CHAOS_SEED` replays a schedule; `CHAOS_SECONDS`
//!   sets the length of the traffic, 150 s by default). The verdict depends on no timing:
//!   every wait at the end is for a condition, with a generous deadline.
//! - The producer keeps librdkafka's `message.timeout.ms` (5 min): a cut of 10 s never makes
//!   it give a message up, so the test sees the guarantees as deployed, not a variant.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use login_orchestrator::internals::SessionIds;
use login_orchestrator::sim::book::{AccountsFile, Book, Held};
use login_orchestrator::sim::runner::{Sim, SimControl, SimTopics};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::helpers::*;
use crate::recovery::Service;

/// The service's Kafka `client.id`: the proxy cuts these connections only.
const SERVICE_CLIENT_ID: &str = "login-orchestrator-chaos";
const CLIENTS: usize = 16;
const ACCOUNTS: u32 = 40;
/// Accounts from here on must accept the licence (REQUEST_LICENSE_AGREEMENT).
const LICENCE_FROM: u32 = 37;
const LOGIN_TIMEOUT_MS: u64 = 5000;
const DEFAULT_SECONDS: u64 = 150;

/// `u1` … `u40`, ids 101 …; the last four must accept the licence.
fn accounts_file() -> String {
    let list: Vec<String> = (1..=ACCOUNTS)
        .map(|i| {
            format!(
                r#"{{"id":{},"name":"u{i}","password":"p{i}","licenseAccepted":{}}}"#,
                100 + i,
                i < LICENCE_FROM
            )
        })
        .collect();
    format!(
        r#"{{"autoRegister":false,"accounts":[{}]}}"#,
        list.join(",")
    )
}

/// Something a client just did, for the faults that strike at such a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    LoginSent,
    LoggedIn,
    Ended,
}

/// What the clients saw, shared by all of them.
#[derive(Default)]
struct Journal {
    sessions: HashMap<Uuid, SessionLog>,
    counts: BTreeMap<&'static str, u64>,
    login_answers: BTreeMap<String, u64>,
    faults: Vec<String>,
}

struct SessionLog {
    client: usize,
    /// The account the client was told it is logged in with (login_ok or license_agreement).
    account: Option<u32>,
    lines: Vec<String>,
}

#[derive(Clone)]
struct Shared {
    t0: Instant,
    journal: Arc<Mutex<Journal>>,
    moments: broadcast::Sender<Moment>,
}

impl Shared {
    fn at(&self) -> String {
        format!("{:8.3}s", self.t0.elapsed().as_secs_f64())
    }

    fn count(&self, what: &'static str) {
        *self.journal.lock().unwrap().counts.entry(what).or_default() += 1;
    }

    fn fault(&self, what: String) {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let line = format!("{} (wall {wall}) {what}", self.at());
        eprintln!("chaos: {line}");
        self.journal.lock().unwrap().faults.push(line);
    }

    fn note(&self, sid: Uuid, what: String) {
        let line = format!("{} {what}", self.at());
        if let Some(s) = self.journal.lock().unwrap().sessions.get_mut(&sid) {
            s.lines.push(line);
        }
    }

    fn moment(&self, m: Moment) {
        let _ = self.moments.send(m);
    }
}

/// One client's line reader and writer.
struct Conn {
    lines: tokio::io::Lines<BufReader<tokio::net::tcp::OwnedReadHalf>>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    async fn send(&mut self, line: Value) -> bool {
        let bytes = format!("{line}\n");
        tokio::time::timeout(
            Duration::from_secs(5),
            self.writer.write_all(bytes.as_bytes()),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    }

    /// The next line as JSON; `None` on EOF, an error or after `wait`.
    async fn recv(&mut self, wait: Duration) -> Option<Value> {
        let line = tokio::time::timeout(wait, self.lines.next_line())
            .await
            .ok()?
            .ok()??;
        serde_json::from_str(&line).ok()
    }

    /// Lines until one whose event is among `events` (returned), logging each; `None` on EOF,
    /// an error or after `wait`.
    async fn until(
        &mut self,
        shared: &Shared,
        sid: Uuid,
        events: &[&str],
        wait: Duration,
    ) -> Option<Value> {
        let end = tokio::time::Instant::now() + wait;
        loop {
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            let Some(v) = self.recv(left).await else {
                shared.note(sid, "no answer (EOF, error or client timeout)".into());
                return None;
            };
            shared.note(sid, format!("<- {v}"));
            let event = v["event"].as_str().unwrap_or_default();
            if events.contains(&event) {
                return Some(v);
            }
        }
    }
}

fn pick(rng: &mut XorShift, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

fn chance(rng: &mut XorShift, percent: u64) -> bool {
    pick(rng, 100) < percent
}

fn millis(rng: &mut XorShift, from: u64, to: u64) -> Duration {
    Duration::from_millis(from + pick(rng, to - from + 1))
}

/// Client `i`: connects, logs in, perhaps selects a character, logs out or drops, again and
/// again. Tolerates every error.
async fn client(i: usize, addr: SocketAddr, shared: Shared, seed: u64) {
    let mut rng = XorShift(seed | 1);
    loop {
        let stream =
            match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
                Ok(Ok(s)) => s,
                _ => {
                    shared.count("connect refused or timed out");
                    tokio::time::sleep(millis(&mut rng, 100, 400)).await;
                    continue;
                }
            };
        shared.count("connections");
        let (read, writer) = stream.into_split();
        let mut conn = Conn {
            lines: BufReader::new(read).lines(),
            writer,
        };
        // The hello waits for the session's start on the ledger (up to LOGIN_TIMEOUT_MS).
        let hello = conn.recv(Duration::from_secs(30)).await;
        let sid = match hello {
            Some(v) if v["event"] == "hello" => {
                v["sessionId"].as_str().and_then(|s| s.parse().ok())
            }
            Some(v) if v["event"] == "error" => {
                shared.count("no hello: error");
                None
            }
            _ => {
                shared.count("no hello: closed or silent");
                None
            }
        };
        let Some(sid) = sid else {
            tokio::time::sleep(millis(&mut rng, 50, 300)).await;
            continue;
        };
        shared.journal.lock().unwrap().sessions.insert(
            sid,
            SessionLog {
                client: i,
                account: None,
                lines: vec![format!("{} <- hello (client {i})", shared.at())],
            },
        );
        session(i, &mut conn, sid, &shared, &mut rng).await;
        drop(conn);
        tokio::time::sleep(millis(&mut rng, 0, 500)).await;
    }
}

/// One session after its hello. Returns when the client is done with it (the caller drops
/// the connection).
async fn session(i: usize, conn: &mut Conn, sid: Uuid, shared: &Shared, rng: &mut XorShift) {
    // Mostly the client's own two accounts; sometimes one of the shared ones.
    let account = if chance(rng, 25) {
        33 + pick(rng, u64::from(ACCOUNTS - 32)) as u32
    } else {
        2 * i as u32 + 1 + pick(rng, 2) as u32
    };
    if chance(rng, 10) {
        let _ = conn.send(json!({"op":"ping"})).await;
        shared.note(sid, "-> ping".into());
    }
    for attempt in 0..2 {
        let login = json!({"op":"login","accountName":format!("u{account}"),"password":format!("p{account}")});
        if !conn.send(login).await {
            return;
        }
        shared.count("logins sent");
        shared.note(sid, format!("-> login u{account} (attempt {attempt})"));
        shared.moment(Moment::LoginSent);
        if chance(rng, 4) {
            // Changes its mind at once: logs out with the login in flight.
            shared.count("logouts with the login in flight");
            shared.note(sid, "-> logout (login in flight)".into());
            if conn.send(json!({"op":"logout"})).await {
                let _ = conn
                    .until(shared, sid, &["bye"], Duration::from_secs(5))
                    .await;
            }
            shared.moment(Moment::Ended);
            return;
        }
        if chance(rng, 8) {
            // Gives up at once: drops the connection with the login in flight.
            tokio::time::sleep(millis(rng, 0, 50)).await;
            shared.count("dropped with the login in flight");
            shared.note(sid, "drops the connection (login in flight)".into());
            return;
        }
        // The client's own patience: sometimes less than LOGIN_TIMEOUT_MS.
        let patience = millis(rng, 2000, 12000);
        let events = [
            "login_ok",
            "license_agreement",
            "login_failed",
            "banned",
            "bye",
        ];
        let Some(answer) = conn.until(shared, sid, &events, patience).await else {
            shared.count("no login answer in the client's patience");
            return;
        };
        let event = answer["event"].as_str().unwrap_or_default().to_owned();
        let label = match event.as_str() {
            "login_failed" => format!("login_failed {}", answer["code"].as_str().unwrap_or("?")),
            other => other.to_owned(),
        };
        *shared
            .journal
            .lock()
            .unwrap()
            .login_answers
            .entry(label)
            .or_default() += 1;
        match event.as_str() {
            "login_ok" | "license_agreement" => {
                let id = answer["accountId"].as_u64().unwrap_or(0) as u32;
                if let Some(s) = shared.journal.lock().unwrap().sessions.get_mut(&sid) {
                    s.account = Some(id);
                }
                shared.moment(Moment::LoggedIn);
                if event == "license_agreement" {
                    let accepted = chance(rng, 75);
                    if !conn
                        .send(json!({"op":"accept_license","accepted":accepted}))
                        .await
                    {
                        return;
                    }
                    shared.note(sid, format!("-> accept_license {accepted}"));
                    let wait = Duration::from_secs(5);
                    let Some(v) = conn.until(shared, sid, &["login_ok", "bye"], wait).await else {
                        return;
                    };
                    if v["event"] == "bye" {
                        return;
                    }
                }
                logged_in(conn, sid, shared, rng).await;
                return;
            }
            "login_failed" if chance(rng, 40) => {
                tokio::time::sleep(millis(rng, 100, 1000)).await;
                continue; // tries again on the same session
            }
            _ => break,
        }
    }
    end(conn, sid, shared, rng).await;
}

/// Logged in: perhaps a character and a channel, a pause, then the end.
async fn logged_in(conn: &mut Conn, sid: Uuid, shared: &Shared, rng: &mut XorShift) {
    if chance(rng, 50) {
        let select = json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0});
        if !conn.send(select).await {
            return;
        }
        shared.count("select_character sent");
        shared.note(sid, "-> select_character".into());
        let wait = Duration::from_secs(8);
        if let Some(v) = conn.until(shared, sid, &["server_ip", "error"], wait).await {
            if v["event"] == "server_ip" {
                shared.count("server_ip received");
            }
        }
    }
    tokio::time::sleep(millis(rng, 0, 3000)).await;
    end(conn, sid, shared, rng).await;
}

/// Logs out (and waits for the bye) or just drops the connection.
async fn end(conn: &mut Conn, sid: Uuid, shared: &Shared, rng: &mut XorShift) {
    if chance(rng, 55) {
        if conn.send(json!({"op":"logout"})).await {
            shared.count("logouts sent");
            shared.note(sid, "-> logout".into());
            let _ = conn
                .until(shared, sid, &["bye"], Duration::from_secs(5))
                .await;
        }
    } else {
        shared.count("connections dropped");
        shared.note(sid, "drops the connection".into());
    }
    shared.moment(Moment::Ended);
}

/// Everything a service process needs to start, the same for every incarnation.
pub struct ServiceEnv {
    pub vars: Vec<(String, String)>,
    /// Where each incarnation's log goes (`service-<n>.log`).
    pub logs: PathBuf,
    pub gateway: SocketAddr,
    pub admin: SocketAddr,
}

impl ServiceEnv {
    /// Starts incarnation `incarnation`, its output to its log.
    pub fn spawn(&self, incarnation: usize) -> Service {
        let log = self.log(incarnation);
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_login-orchestrator"));
        cmd.env_remove("RUST_LOG")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("JAEGER_HOST_PORT");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map(|child| Service(Some(child)))
            .expect("start the service binary")
    }

    pub fn log(&self, incarnation: usize) -> PathBuf {
        self.logs.join(format!("service-{incarnation}.log"))
    }

    /// Whether `/readyz` answers 200.
    pub async fn ready(&self) -> bool {
        let probe = async {
            let mut s = TcpStream::connect(self.admin).await.ok()?;
            let req = format!(
                "GET /readyz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.admin
            );
            s.write_all(req.as_bytes()).await.ok()?;
            let mut response = String::new();
            tokio::io::AsyncReadExt::read_to_string(&mut s, &mut response)
                .await
                .ok()?;
            Some(response.starts_with("HTTP/1.1 200"))
        };
        tokio::time::timeout(Duration::from_secs(3), probe)
            .await
            .ok()
            .flatten()
            .unwrap_or(false)
    }
}

/// The service process across its incarnations.
struct Keeper {
    env: ServiceEnv,
    service: Service,
    incarnation: usize,
    kills: u32,
    unexpected_exits: Vec<String>,
}

impl Keeper {
    /// Whether the process has exited (on its own); if so, records it and starts another.
    fn check(&mut self, shared: &Shared) -> bool {
        let Ok(Some(status)) = self.service.child().try_wait() else {
            return false;
        };
        let what = format!(
            "incarnation {} exited on its own: {status} (log {})",
            self.incarnation,
            self.env.log(self.incarnation).display()
        );
        shared.fault(format!("{what}; starting another"));
        self.unexpected_exits.push(what);
        let _ = self.service.take().wait(); // reaped already: returns its status
        self.incarnation += 1;
        self.service = self.env.spawn(self.incarnation);
        true
    }

    /// SIGKILL, then a restart after `pause`.
    async fn kill_and_restart(&mut self, shared: &Shared, why: &str, pause: Duration) {
        self.check(shared);
        let mut child = self.service.take();
        let _ = child.kill();
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
        self.kills += 1;
        shared.fault(format!(
            "kill -9 #{} of incarnation {} ({why}); restart in {:?}",
            self.kills, self.incarnation, pause
        ));
        tokio::time::sleep(pause).await;
        self.incarnation += 1;
        self.service = self.env.spawn(self.incarnation);
    }

    /// Sleeps for `d`, restarting a process that exits on its own meanwhile.
    async fn sleep(&mut self, shared: &Shared, d: Duration) {
        let end = tokio::time::Instant::now() + d;
        while tokio::time::Instant::now() < end {
            self.check(shared);
            let left = end.saturating_duration_since(tokio::time::Instant::now());
            tokio::time::sleep(left.min(Duration::from_millis(100))).await;
        }
    }

    /// Waits until the service is ready (restarting it if it exits), up to `within`.
    async fn wait_ready(&mut self, shared: &Shared, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            self.check(shared);
            if self.env.ready().await {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }
}

/// Kills the service with SIGKILL and restarts it, at random moments, until `until`.
async fn killer(mut keeper: Keeper, shared: Shared, seed: u64, until: Instant) -> Keeper {
    let mut rng = XorShift(seed | 1);
    let mut moments = shared.moments.subscribe();
    keeper.wait_ready(&shared, Duration::from_secs(60)).await;
    keeper.sleep(&shared, millis(&mut rng, 5000, 12000)).await;
    while Instant::now() < until {
        let mode = pick(&mut rng, 4);
        let why = match mode {
            0 => "at a random moment".to_owned(),
            1..=3 => {
                let wanted =
                    [Moment::LoginSent, Moment::LoggedIn, Moment::Ended][mode as usize - 1];
                // Drop what was seen before: the moment must be fresh.
                while !matches!(
                    moments.try_recv(),
                    Err(broadcast::error::TryRecvError::Empty
                        | broadcast::error::TryRecvError::Closed)
                ) {}
                let found = tokio::time::timeout(Duration::from_secs(10), async {
                    loop {
                        match moments.recv().await {
                            Ok(m) if m == wanted => return true,
                            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                            Err(_) => return false,
                        }
                    }
                })
                .await
                .unwrap_or(false);
                let after = millis(&mut rng, 0, 40);
                tokio::time::sleep(after).await;
                if found {
                    format!("{after:?} after {wanted:?}")
                } else {
                    format!("no {wanted:?} within 10 s")
                }
            }
            _ => unreachable!(),
        };
        let pause = millis(&mut rng, 0, 2000);
        keeper.kill_and_restart(&shared, &why, pause).await;
        if chance(&mut rng, 25) {
            // Again, while it recovers or waits for its partitions.
            keeper.sleep(&shared, millis(&mut rng, 300, 4000)).await;
            keeper
                .kill_and_restart(&shared, "during start-up", millis(&mut rng, 0, 1000))
                .await;
        }
        keeper.wait_ready(&shared, Duration::from_secs(60)).await;
        keeper.sleep(&shared, millis(&mut rng, 6000, 18000)).await;
    }
    keeper
}

/// Cuts the service's broker connections for 4–10 s at random moments until `until`.
async fn cutter(proxy: Arc<Proxy>, shared: Shared, seed: u64, until: Instant) -> (u32, Duration) {
    let mut rng = XorShift(seed | 1);
    let (mut cuts, mut total) = (0, Duration::ZERO);
    tokio::time::sleep(millis(&mut rng, 3000, 15000)).await;
    while Instant::now() < until {
        let length = millis(&mut rng, 4000, 10000);
        cuts += 1;
        total += length;
        shared.fault(format!("cut #{cuts} for {length:?}"));
        proxy.cut();
        tokio::time::sleep(length).await;
        proxy.restore();
        shared.fault(format!("cut #{cuts} restored"));
        tokio::time::sleep(millis(&mut rng, 5000, 20000)).await;
    }
    (cuts, total)
}

/// Stalls the account simulator for 4–8 s at random moments until `until`.
async fn staller(sim: SimControl, shared: Shared, seed: u64, until: Instant) -> (u32, Duration) {
    let mut rng = XorShift(seed | 1);
    let (mut stalls, mut total) = (0, Duration::ZERO);
    tokio::time::sleep(millis(&mut rng, 3000, 15000)).await;
    while Instant::now() < until {
        let length = millis(&mut rng, 4000, 8000);
        stalls += 1;
        total += length;
        shared.fault(format!("account service stall #{stalls} for {length:?}"));
        sim.pause();
        tokio::time::sleep(length).await;
        sim.resume();
        shared.fault(format!(
            "account service stall #{stalls} over: it works off its backlog"
        ));
        tokio::time::sleep(millis(&mut rng, 5000, 20000)).await;
    }
    (stalls, total)
}

/// Reads `topics` (names and partition counts) from the beginning, continuously, on a thread
/// of its own, until finished. The ends of partitions are what it has read, never what the
/// broker's ListOffsets says: the test broker reports ends below records it holds for a while
/// after a producer's connection was cut (see `recovery::read_topic`).
struct Tally {
    seen: Arc<Mutex<TallyState>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct TallyState {
    records: Vec<Record>,
    /// Per topic and partition, the offset after the last record read.
    next: HashMap<(String, i32), i64>,
    last_record: Option<Instant>,
}

impl Tally {
    fn start(bootstrap: &str, topics: &[(String, i32)]) -> Tally {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("group.id", format!("chaos-tally-{}", Uuid::new_v4()))
            .set("enable.auto.commit", "false")
            .set("fetch.wait.max.ms", "10")
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for (topic, partitions) in topics {
            for p in 0..*partitions {
                tpl.add_partition_offset(topic, p, Offset::Beginning)
                    .unwrap();
            }
        }
        consumer.assign(&tpl).unwrap();
        let seen: Arc<Mutex<TallyState>> = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (into, stopped) = (Arc::clone(&seen), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) else {
                    continue;
                };
                let headers = m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|x| (x.key.to_owned(), x.value.unwrap_or_default().to_vec()))
                            .collect()
                    })
                    .unwrap_or_default();
                let mut state = into.lock().unwrap();
                state
                    .next
                    .insert((m.topic().to_owned(), m.partition()), m.offset() + 1);
                state.last_record = Some(Instant::now());
                state.records.push(Record::of(&m, headers));
            }
        });
        Tally {
            seen,
            stop,
            thread: Some(thread),
        }
    }

    /// Per partition of `topic`, the offset after the last record read.
    fn next(&self, topic: &str) -> BTreeMap<i32, i64> {
        let state = self.seen.lock().unwrap();
        state
            .next
            .iter()
            .filter(|((t, _), _)| t == topic)
            .map(|((_, p), n)| (*p, *n))
            .collect()
    }

    /// How long since the last record came.
    fn quiet_for(&self) -> Duration {
        let state = self.seen.lock().unwrap();
        state.last_record.map_or(Duration::MAX, |at| at.elapsed())
    }

    /// Stops reading; everything read.
    fn finish(mut self) -> Vec<Record> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        std::mem::take(&mut self.seen.lock().unwrap().records)
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Per partition of `topic`, the offset `group` committed (partitions without one left out).
async fn committed(bootstrap: String, group: String, topic: String) -> BTreeMap<i32, i64> {
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", &group)
            .create()
            .unwrap();
        let mut tpl = TopicPartitionList::new();
        for p in 0..4 {
            tpl.add_partition(&topic, p);
        }
        let Ok(committed) = consumer.committed_offsets(tpl, Duration::from_secs(10)) else {
            return BTreeMap::new();
        };
        committed
            .elements()
            .iter()
            .filter_map(|e| match e.offset() {
                Offset::Offset(n) => Some((e.partition(), n)),
                _ => None,
            })
            .collect()
    })
    .await
    .unwrap()
}

/// Whether `done` reached `read` on every partition that has records.
fn caught_up(done: &BTreeMap<i32, i64>, read: &BTreeMap<i32, i64>) -> bool {
    read.iter()
        .all(|(p, next)| done.get(p).is_some_and(|d| d >= next))
}

/// One line per record of a session's history.
fn describe(r: &Record) -> String {
    let payload = if r.payload.is_empty() {
        "<tombstone>".to_owned()
    } else {
        String::from_utf8_lossy(&r.payload).into_owned()
    };
    format!(
        "{} {}[{}]@{} {}",
        r.timestamp, r.topic, r.partition, r.offset, payload
    )
}

/// An incarnation's log, without terminal colours.
fn read_log(logs: &Path, incarnation: usize) -> Option<String> {
    let text = std::fs::read_to_string(logs.join(format!("service-{incarnation}.log"))).ok()?;
    Some(without_ansi(&text))
}

/// The service's log lines mentioning `needle`, from every incarnation's log.
fn log_lines(logs: &Path, incarnations: usize, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for n in 0..=incarnations {
        let Some(text) = read_log(logs, n) else {
            continue;
        };
        found.extend(
            text.lines()
                .filter(|l| l.contains(needle))
                .map(|l| format!("[incarnation {n}] {l}")),
        );
    }
    found
}

/// How many sessions recovery ended (and found already destroyed), from the logs.
fn recovered_counts(logs: &Path, incarnations: usize) -> (u64, u64) {
    let field = |line: &str, name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.trim_end_matches(',').parse().ok())
            .unwrap_or(0)
    };
    let (mut ended, mut already) = (0, 0);
    for n in 0..=incarnations {
        let Some(text) = read_log(logs, n) else {
            continue;
        };
        for line in text
            .lines()
            .filter(|l| l.contains("Sessions of a previous run ended"))
        {
            ended += field(line, "ended");
            already += field(line, "already_destroyed");
        }
    }
    (ended, already)
}

#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn chaos_every_session_ends_once_and_no_account_stays_logged_in() {
    let seed: u64 = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Uuid::new_v4().as_u64_pair().0);
    let seconds: u64 = std::env::var("CHAOS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    eprintln!(
        "chaos: seed {seed} (CHAOS_SEED={seed} replays the schedule), {seconds} s of traffic"
    );
    let started = Instant::now();

    // The broker, behind a proxy that cuts the service alone.
    let (broker_port, proxy_port) = (free_port(), free_port());
    let proxy = Arc::new(Proxy::start_cutting_only(
        proxy_port,
        broker_port,
        SERVICE_CLIENT_ID,
    ));
    let _broker = Tansu::start(broker_port, proxy.port);
    Tansu::wait_listening(broker_port).await;
    let bootstrap = format!("127.0.0.1:{proxy_port}");
    let topics = Topics::create_at(&bootstrap).await;

    // The account simulator, in this process (to pause it and ask what it holds).
    let file: AccountsFile = serde_json::from_str(&accounts_file()).unwrap();
    let sim = Sim::connect(
        &bootstrap,
        &Default::default(),
        SimTopics {
            command: topics.command.clone(),
            account_status: topics.account_status.clone(),
            account_session_status: topics.account_session_status.clone(),
        },
        Book::new(file),
    )
    .expect("simulator connects");
    let sim_control = sim.control();
    let (sim_stop, sim_stopped) = tokio::sync::oneshot::channel::<()>();
    actix_rt::spawn(sim.run(async move {
        let _ = sim_stopped.await;
    }));

    // The service's settings, the same for every incarnation.
    let tenant = Uuid::new_v4();
    let service_id = Uuid::new_v4();
    let group = format!("Login Service - {service_id}");
    let prefix = format!("chaos-ledger-{}-", Uuid::new_v4().simple());
    let ledger_topic = format!("{prefix}{service_id}");
    let logs = std::env::temp_dir().join(format!("lo-chaos-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&logs).unwrap();
    let (gateway_port, admin_port) = (free_port(), free_port());
    let service_file = logs.join("service.json");
    std::fs::write(
        &service_file,
        service_json_for(&tenant.to_string(), None)
            .replace("\"port\":0,", &format!("\"port\":{gateway_port},")),
    )
    .unwrap();
    let mut vars = topics.env();
    for (k, v) in [
        ("BOOTSTRAP_SERVERS", bootstrap.clone()),
        ("SERVICE_ID", service_id.to_string()),
        ("SERVICE_CONFIG", service_file.display().to_string()),
        ("ADMIN_ADDRESS", format!("127.0.0.1:{admin_port}")),
        ("SESSION_LEDGER_TOPIC_PREFIX", prefix.clone()),
        ("LOGIN_TIMEOUT_MS", LOGIN_TIMEOUT_MS.to_string()),
        ("KAFKA_CLIENT_ID", SERVICE_CLIENT_ID.to_owned()),
        ("KAFKA_SESSION_TIMEOUT_MS", "6000".to_owned()),
        ("KAFKA_HEARTBEAT_INTERVAL_MS", "1000".to_owned()),
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
    eprintln!("chaos: service logs in {}", logs.display());
    let service = env.spawn(0);
    let gateway = env.gateway;
    let mut keeper = Keeper {
        env,
        service,
        incarnation: 0,
        kills: 0,
        unexpected_exits: Vec::new(),
    };
    let shared = Shared {
        t0: Instant::now(),
        journal: Arc::default(),
        moments: broadcast::channel(1024).0,
    };
    assert!(
        keeper.wait_ready(&shared, Duration::from_secs(60)).await,
        "the service did not get ready"
    );
    let tally = Tally::start(
        &bootstrap,
        &[
            (topics.command.clone(), 4),
            (topics.session_status.clone(), 4),
            (topics.account_session_status.clone(), 4),
            (topics.account_status.clone(), 4),
            (ledger_topic.clone(), 1),
        ],
    );

    // Traffic and faults.
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut seeds = XorShift(seed | 1);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| actix_rt::spawn(client(i, gateway, shared.clone(), seeds.next_u64())))
        .collect();
    let killing = actix_rt::spawn(killer(keeper, shared.clone(), seeds.next_u64(), until));
    let cutting = actix_rt::spawn(cutter(
        Arc::clone(&proxy),
        shared.clone(),
        seeds.next_u64(),
        until,
    ));
    let stalling = actix_rt::spawn(staller(
        sim_control.clone(),
        shared.clone(),
        seeds.next_u64(),
        until,
    ));
    tokio::time::sleep_until(until.into()).await;
    // Every client goes (their connections close), then the faults end.
    for c in &clients {
        c.abort();
    }
    let traffic_over = Instant::now();
    shared.fault("traffic over: every client gone".into());
    let (cuts, cut_time) = cutting.await.unwrap();
    let (stalls, stall_time) = stalling.await.unwrap();
    let mut keeper = killing.await.unwrap();
    proxy.restore();
    sim_control.resume();
    shared.fault("faults over: broker and account service restored".into());

    // Settle: ready, the simulator has read every command, the service every answer and
    // account event (its committed offsets are where the tally's reading ends), and nothing
    // new for a while (longer than a restarted consumer's wait for its partitions).
    assert!(
        keeper.wait_ready(&shared, Duration::from_secs(120)).await,
        "the service is not ready after the faults"
    );
    let consumed = [
        topics.account_session_status.clone(),
        topics.account_status.clone(),
    ];
    let settle_deadline = Instant::now() + Duration::from_secs(240);
    loop {
        assert!(
            Instant::now() < settle_deadline,
            "the topics did not settle after the faults"
        );
        keeper.check(&shared);
        let sim_done = sim_control
            .progress()
            .await
            .is_some_and(|p| caught_up(&p.next, &tally.next(&topics.command)));
        let mut service_done = true;
        for topic in &consumed {
            let done = committed(bootstrap.clone(), group.clone(), topic.clone()).await;
            service_done &= caught_up(&done, &tally.next(topic));
        }
        if sim_done
            && service_done
            && tally.quiet_for() > Duration::from_secs(10)
            && traffic_over.elapsed() > Duration::from_secs(10)
        {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    shared.fault("settled; SIGTERM".into());
    let mut last_one = keeper.service.take();
    let pid = last_one.id() as i32;
    // SAFETY: a plain signal to a child process of this test.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let exit = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || last_one.wait()),
    )
    .await;
    let exit = match exit {
        Ok(Ok(Ok(status))) => status.to_string(),
        other => format!("did not exit in time: {other:?}"),
    };
    shared.fault(format!("the last incarnation exited: {exit}"));

    // What the shutdown sent reaches the simulator too, and transitions expire.
    let settle_deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let sim_done = sim_control
            .progress()
            .await
            .is_some_and(|p| caught_up(&p.next, &tally.next(&topics.command)));
        if sim_done && tally.quiet_for() > Duration::from_secs(3) {
            break;
        }
        assert!(
            Instant::now() < settle_deadline,
            "the simulator did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    let held: Vec<Held> = sim_control.held(tenant).await.expect("the simulator runs");
    let seen = tally.finish();
    drop(sim_stop);
    let dump: String = seen.iter().map(|r| describe(r) + "\n").collect();
    std::fs::write(logs.join("topics.txt"), dump).unwrap();

    // The verdict.
    let journal = shared.journal.lock().unwrap();
    let verdict = Verdict::new(
        &journal,
        &seen,
        &topics,
        &ledger_topic,
        SessionIds::new(service_id),
    );
    let (recovered, already) = recovered_counts(&logs, keeper.incarnation);
    let mut report = String::new();
    let _ = writeln!(
        report,
        "chaos: seed {seed}; {seconds} s of traffic; {CLIENTS} clients, {ACCOUNTS} accounts"
    );
    let _ = writeln!(report, "chaos: faults: {} kill -9 + restart, {} incarnations, {} exits on its own; {cuts} cuts ({cut_time:?} in all); {stalls} stalls ({stall_time:?} in all)", keeper.kills, keeper.incarnation + 1, keeper.unexpected_exits.len());
    let _ = writeln!(report, "chaos: recovery ended {recovered} sessions and found {already} already destroyed; the last incarnation's exit: {exit}");
    let _ = writeln!(report, "chaos: clients: {:?}", journal.counts);
    let _ = writeln!(report, "chaos: login answers: {:?}", journal.login_answers);
    verdict.summary(&mut report);
    let _ = writeln!(
        report,
        "chaos: accounts logged in at the simulator at the end: {}",
        held.len()
    );
    let _ = writeln!(report, "chaos: run took {:?}", started.elapsed());
    let failures = verdict.failures(&exit, &held);
    if !failures.is_empty() {
        let _ = writeln!(
            report,
            "chaos: FAILED ({} findings); every record in {}; faults:",
            failures.len(),
            logs.join("topics.txt").display()
        );
        for f in &journal.faults {
            let _ = writeln!(report, "  {f}");
        }
        for exit in &keeper.unexpected_exits {
            let _ = writeln!(report, "  unexpected exit: {exit}");
        }
        for (what, sessions) in failures.iter().take(12) {
            let _ = writeln!(report, "--- {what}");
            for sid in sessions.iter().take(3) {
                verdict.history(&mut report, *sid, &journal);
                for line in log_lines(&logs, keeper.incarnation, &sid.to_string()) {
                    let _ = writeln!(report, "    log {line}");
                }
            }
        }
    } else {
        let _ = writeln!(report, "chaos: PASSED");
    }
    // Straight to the process's stderr, past the test harness's capture: the counts show in
    // every run's output (`make test` with LONG_TESTS=1), a passing one too.
    {
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "{report}");
    }
    assert!(
        failures.is_empty(),
        "chaos (seed {seed}): {} findings: {:?}",
        failures.len(),
        failures.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
}

/// What the topics say about each session, checked against what the clients saw.
struct Verdict<'a> {
    ids: SessionIds,
    /// Per session: its records on the command, status, answer and ledger topics.
    by_session: HashMap<Uuid, Vec<&'a Record>>,
    destroyed: HashMap<Uuid, Vec<u32>>,
    logouts: HashMap<Uuid, Vec<u32>>,
    creates: HashSet<Uuid>,
    /// Accounts the peer logged in for a session (CREATED or REQUEST_LICENSE_AGREEMENT).
    answered: HashMap<Uuid, HashSet<u32>>,
    helloed: HashSet<Uuid>,
    told: HashMap<Uuid, u32>,
    connections_without_hello: u64,
}

impl<'a> Verdict<'a> {
    fn new(
        journal: &Journal,
        seen: &'a [Record],
        topics: &Topics,
        ledger: &str,
        ids: SessionIds,
    ) -> Verdict<'a> {
        let mut v = Verdict {
            ids,
            by_session: HashMap::new(),
            destroyed: HashMap::new(),
            logouts: HashMap::new(),
            creates: HashSet::new(),
            answered: HashMap::new(),
            helloed: journal.sessions.keys().copied().collect(),
            told: journal
                .sessions
                .iter()
                .filter_map(|(s, l)| l.account.map(|a| (*s, a)))
                .collect(),
            connections_without_hello: journal.counts.get("connections").copied().unwrap_or(0)
                - journal.sessions.len() as u64,
        };
        for r in seen {
            let sid = if r.topic == ledger {
                std::str::from_utf8(&r.key)
                    .ok()
                    .and_then(|k| k.parse().ok())
            } else {
                serde_json::from_slice::<Value>(&r.payload)
                    .ok()
                    .and_then(|j| j["sessionId"].as_str().and_then(|s| s.parse().ok()))
            };
            let Some(sid) = sid else { continue };
            v.by_session.entry(sid).or_default().push(r);
            if r.topic == ledger {
                continue;
            }
            let j = r.json();
            let (kind, account) = (
                j["type"].as_str().unwrap_or_default(),
                j["accountId"].as_u64().unwrap_or(0) as u32,
            );
            if r.topic == topics.session_status && kind == "DESTROYED" {
                v.destroyed.entry(sid).or_default().push(account);
            } else if r.topic == topics.command && kind == "LOGOUT" {
                v.logouts.entry(sid).or_default().push(account);
            } else if r.topic == topics.command && kind == "CREATE" {
                v.creates.insert(sid);
            } else if r.topic == topics.account_session_status
                && matches!(kind, "CREATED" | "REQUEST_LICENSE_AGREEMENT")
            {
                v.answered.entry(sid).or_default().insert(account);
            }
        }
        v
    }

    fn summary(&self, out: &mut String) {
        let mut per_session: BTreeMap<usize, u64> = BTreeMap::new();
        for sid in &self.helloed {
            *per_session
                .entry(self.destroyed.get(sid).map_or(0, Vec::len))
                .or_default() += 1;
        }
        let unhelloed: Vec<&Uuid> = self
            .destroyed
            .keys()
            .filter(|s| !self.helloed.contains(s))
            .collect();
        let (mut ends, mut releases, mut repeated) = (0u64, 0u64, 0u64);
        for (sid, logouts) in &self.logouts {
            let ended_with = self.destroyed.get(sid).and_then(|d| d.first()).copied();
            let mut first_end = true;
            for account in logouts {
                if Some(*account) == ended_with && first_end {
                    ends += 1;
                    first_end = false;
                } else if Some(*account) == ended_with {
                    repeated += 1;
                } else {
                    releases += 1;
                }
            }
        }
        let bound = self.told.values().filter(|a| **a != 0).count();
        let _ = writeln!(
            out,
            "chaos: sessions that said hello: {} ({} logged in); connections without a hello: {}",
            self.helloed.len(),
            bound,
            self.connections_without_hello
        );
        let _ = writeln!(
            out,
            "chaos: DESTROYED per session that said hello (count: sessions): {per_session:?}; DESTROYED of sessions without a hello: {}",
            unhelloed.len()
        );
        let _ = writeln!(
            out,
            "chaos: LOGOUTs: {} ending sessions, {releases} releasing another account, {repeated} repeating the end's account (a re-end or the release of a replayed answer)",
            ends
        );
    }

    /// Every broken promise, with the sessions concerned.
    fn failures(&self, exit: &str, held: &[Held]) -> Vec<(String, Vec<Uuid>)> {
        let mut found: Vec<(String, Vec<Uuid>)> = Vec::new();
        let mut add = |what: String, sessions: Vec<Uuid>| {
            if !sessions.is_empty() || what.starts_with("service") {
                found.push((what, sessions));
            }
        };
        if exit != "exit status: 0" {
            add(
                format!("service: the last incarnation's SIGTERM exit: {exit}"),
                Vec::new(),
            );
        }
        // (a) No account stays logged in at the account service.
        let holders: Vec<Uuid> = held.iter().map(|h| h.session_id).collect();
        add(
            format!(
                "accounts logged in at the simulator at the end: {:?}",
                held.iter()
                    .map(|h| (h.account_id, h.session_id, h.in_transition))
                    .collect::<Vec<_>>()
            ),
            holders,
        );
        // (b) Exactly one DESTROYED for every session that said hello.
        let mut missing: Vec<Uuid> = Vec::new();
        let mut doubled: Vec<Uuid> = Vec::new();
        for sid in &self.helloed {
            match self.destroyed.get(sid).map_or(0, Vec::len) {
                0 => missing.push(*sid),
                1 => {}
                _ => doubled.push(*sid),
            }
        }
        add(
            format!(
                "{} sessions that said hello were never destroyed",
                missing.len()
            ),
            missing,
        );
        add(
            format!("{} sessions were destroyed more than once", doubled.len()),
            doubled,
        );
        // (c) A DESTROYED of a session that never said hello: only one of this instance's that
        // was refused or cut off before its hello, so never logged in; never more than once.
        let strange: Vec<Uuid> = self
            .destroyed
            .iter()
            .filter(|(s, d)| {
                !self.helloed.contains(s)
                    && (!self.ids.is_ours(s)
                        || d.len() != 1
                        || d[0] != 0
                        || self.creates.contains(s))
            })
            .map(|(s, _)| *s)
            .collect();
        add(
            format!("{} DESTROYED of sessions that never said hello are not of a session that could not have logged in", strange.len()),
            strange,
        );
        let unhelloed = self
            .destroyed
            .keys()
            .filter(|s| !self.helloed.contains(s))
            .count() as u64;
        if unhelloed > self.connections_without_hello {
            add(
                format!("service: {unhelloed} sessions without a hello destroyed, but only {} connections went without one", self.connections_without_hello),
                Vec::new(),
            );
        }
        // (d) The DESTROYED names the account the client was told it is logged in with.
        let wrong: Vec<Uuid> = self
            .told
            .iter()
            .filter(|(s, a)| {
                self.destroyed
                    .get(s)
                    .is_some_and(|d| d.iter().any(|got| got != *a))
            })
            .map(|(s, _)| *s)
            .collect();
        add(
            format!(
                "{} DESTROYED carry another account than the one the client was told (README: not yet \
                 guaranteed after a crash right after login_ok, when the binding's ledger record \
                 was not confirmed yet)",
                wrong.len()
            ),
            wrong,
        );
        // (e) Every account the peer logged in for a session gets a LOGOUT of that session, and
        // no LOGOUT names an account the peer did not log in for it.
        let mut unreleased = Vec::new();
        let mut unfounded = Vec::new();
        for (sid, accounts) in &self.answered {
            if !self.ids.is_ours(sid) {
                continue;
            }
            let logouts = self.logouts.get(sid).cloned().unwrap_or_default();
            if accounts.iter().any(|a| !logouts.contains(a)) {
                unreleased.push(*sid);
            }
        }
        for (sid, logouts) in &self.logouts {
            let answered = self.answered.get(sid);
            if logouts
                .iter()
                .any(|a| *a != 0 && !answered.is_some_and(|x| x.contains(a)))
            {
                unfounded.push(*sid);
            }
        }
        add(
            format!(
                "{} sessions whose logged-in account never got a LOGOUT of that session",
                unreleased.len()
            ),
            unreleased,
        );
        add(
            format!(
                "{} sessions with a LOGOUT of an account the peer never logged in for them",
                unfounded.len()
            ),
            unfounded,
        );
        found
    }

    fn history(&self, out: &mut String, sid: Uuid, journal: &Journal) {
        let _ = writeln!(
            out,
            "  session {sid} (said hello: {}):",
            self.helloed.contains(&sid)
        );
        if let Some(log) = journal.sessions.get(&sid) {
            let _ = writeln!(
                out,
                "    client {} told account {:?}:",
                log.client, log.account
            );
            for line in &log.lines {
                let _ = writeln!(out, "    client {line}");
            }
        }
        let mut records = self.by_session.get(&sid).cloned().unwrap_or_default();
        records.sort_by_key(|r| (r.timestamp, r.offset));
        for r in records {
            let _ = writeln!(out, "    topic {}", describe(r));
        }
    }
}
