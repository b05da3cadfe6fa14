//! The game socket (GMS 83) end to end: the service in-process with a `maple` tenant, the
//! account simulator (Kafka) as the peer, the Atlas REST simulator in-process (its character
//! factory reporting on the test's seed topic), all driven by the independent client
//! `maple_client` (`tests/probe`), with an observer of what reached Kafka.
//!
//! One file per behaviour: `login` (answers, bans, licence), `worlds` (server list, status,
//! character lists), `select` (PIC register/check, channel hand-off), `race` (LOGGED_IN vs
//! CREATED order), `created` (creation through the client and its seed events), `characters`
//! (name check, deletion), `pin` (PIN dialogs on a `usesPin` tenant), `gender`, `view_all`
//! (the view of every world and its selects), `secrets` (no PIN or PIC in the binary's logs),
//! `keepalive`, `robust` (bad frames, dropped packets, REST faults), `ends` (shutdown, limits).

mod characters;
mod created;
mod ends;
mod gender;
mod keepalive;
mod login;
mod pin;
mod race;
mod robust;
mod secrets;
mod select;
mod versions;
mod view_all;
mod worlds;

use std::time::Duration;

use login_orchestrator::app::Running;
use login_orchestrator::config::KafkaProperties;
use login_orchestrator::rest::{ClientConfig, Context, Endpoints, RestClient};
use login_orchestrator::sim::atlas::{AtlasSim, Fault, KafkaSeeds, RunningSim, SimData};
use maple_client::{AuthSuccess, Client, LoginOutcome};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::helpers::*;
use crate::world::start_sim_at;

/// The client version every test speaks.
pub const VERSION: &str = "GMS/83/1";

/// The machine id the client sends, and the hwid the CREATE must carry for it.
pub const HWID: [u8; 16] = [
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF,
];
pub const HWID_HEX: &str = "00112233445566778899aabbccddeeff";

/// The accounts of the account simulator: `tests/it/world.rs`'s, and `crowd` (ten characters),
/// `carol` (a PIC) and `dana` (no gender chosen yet) of the REST data below.
pub const ACCOUNTS: &str = r#"{"autoRegister":false,"accounts":[
  {"id":1,"name":"admin","password":"admin","licenseAccepted":true},
  {"id":2,"name":"newbie","password":"newbie","licenseAccepted":false},
  {"id":3,"name":"banned","password":"banned","ban":{"reason":1,"until":133500000000000000}},
  {"id":4,"name":"exiled","password":"exiled","ban":{"reason":2,"until":0}},
  {"id":5,"name":"alice","password":"alice","licenseAccepted":true},
  {"id":6,"name":"bob","password":"bob","licenseAccepted":true},
  {"id":7,"name":"crowd","password":"crowd","licenseAccepted":true},
  {"id":8,"name":"carol","password":"carol","licenseAccepted":true},
  {"id":9,"name":"dana","password":"dana","licenseAccepted":true}]}"#;

/// The gender of an account that has not chosen one (the client opens its gender dialog).
pub const GENDER_UNCHOSEN: u8 = 10;

/// Where world 0's channel 1 listens in the test data (the demo data's channels are all on
/// 127.0.0.1, which would not tell one channel from another).
pub const CHANNEL_IP: [u8; 4] = [192, 0, 2, 7];
pub const CHANNEL_PORT: u16 = 7777;
/// World 0's channel 2 in the test data: a host name, no IPv4 address.
pub const CHANNEL_HOST: &str = "channel-2.scania.local";

/// The REST simulator's data: the demo tenant's section of `config/atlas-sim.json` as every
/// tenant's (`default`), with world 0's channel 1 moved to [`CHANNEL_IP`] and channel 2 to
/// [`CHANNEL_HOST`], a full world 2,
/// `crowd` (account 7) with ten characters in world 0 (a character list longer than one
/// 1456-byte AES chunk), `carol` (account 8, PIC `2468`) with one, and `dana` (account 9,
/// gender 10: the client asks her for one) with none. The demo data's guild `Atlas` is led by
/// `Admin` (character 1); `Brawler` (3) and `Alice` (5) are its members.
pub fn test_data() -> Value {
    let demo: Value =
        serde_json::from_str(include_str!("../../../config/atlas-sim.json")).expect("demo data");
    let mut section = demo["tenants"][TENANT].clone();
    let channel = &mut section["worlds"][0]["channels"][1];
    channel["ipAddress"] = json!(CHANNEL_IP
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join("."));
    channel["port"] = json!(CHANNEL_PORT);
    // Channel 2 is known by a host name only (a v83 ServerIP carries four address bytes).
    section["worlds"][0]["channels"][2]["ipAddress"] = json!(CHANNEL_HOST);
    let worlds = section["worlds"].as_array_mut().expect("worlds");
    worlds.push(
        json!({"id": 2, "name": "Khaini", "state": 3, "eventMessage": "", "recommendedMessage": "",
        "capacityStatus": 2, "channels": [{"channelId": 0, "ipAddress": "127.0.0.1", "port": 7875,
        "currentCapacity": 100, "maxCapacity": 100}]}),
    );
    let accounts = section["accounts"].as_array_mut().expect("accounts");
    for (id, name, pic, gender, slots) in [
        (7, "crowd", "", 0, 12),
        (8, "carol", "2468", 0, 3),
        (9, "dana", "", GENDER_UNCHOSEN, 3),
    ] {
        accounts.push(
            json!({"id": id, "name": name, "password": name, "pin": "", "pic": pic,
            "gender": gender, "banned": false, "tos": true, "characterSlots": slots}),
        );
    }
    let characters = section["characters"].as_array_mut().expect("characters");
    for i in 0..10u32 {
        characters.push(json!({"id": 100 + i, "accountId": 7, "worldId": 0,
            "name": format!("Crowd{i:02}"), "level": 10 + i, "jobId": 100, "strength": 20,
            "dexterity": 5, "intelligence": 4, "luck": 4, "hp": 300, "maxHp": 300, "mp": 100,
            "maxMp": 100, "sp": "3", "mapId": 100000000, "hair": 30000, "face": 20000, "gm": 0,
            "equipped": [{"slot": -1, "templateId": 1002004}, {"slot": -5, "templateId": 1040002},
                         {"slot": -6, "templateId": 1060002}, {"slot": -7, "templateId": 1072001},
                         {"slot": -11, "templateId": 1302007}]}));
    }
    characters.push(
        json!({"id": 120, "accountId": 8, "worldId": 0, "name": "Carol", "level": 30,
        "jobId": 200, "hp": 500, "maxHp": 500, "mp": 300, "maxMp": 300, "sp": "1",
        "mapId": 100000000, "hair": 31000, "face": 21000, "gm": 0}),
    );
    json!({"attemptLimit": 5, "seedDelayMs": 20, "tenants": {"default": section}})
}

/// What a test changes of the standard set-up.
pub struct Setup {
    /// The tenant id (metrics are process-wide and labelled by tenant: tests that read them
    /// use a tenant of their own).
    pub tenant: String,
    pub account_sim: bool,
    pub data: Value,
    pub timeout_task: Option<(u64, u64)>,
    pub env: Vec<(String, String)>,
    /// The tenant's `usesPin`.
    pub uses_pin: bool,
    /// The tenant's client version: region and major (minor 1).
    pub version: (&'static str, u16),
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            tenant: TENANT.to_owned(),
            account_sim: true,
            data: test_data(),
            timeout_task: None,
            env: Vec::new(),
            uses_pin: false,
            version: ("GMS", 83),
        }
    }
}

impl Setup {
    /// A tenant of this test's own.
    pub fn own_tenant(mut self) -> Setup {
        self.tenant = Uuid::new_v4().to_string();
        self
    }

    /// No account simulator: the test answers the CREATEs itself.
    pub fn without_account_sim(mut self) -> Setup {
        self.account_sim = false;
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Setup {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A tenant with `usesPin`: the client is asked for its PIN after login.
    pub fn uses_pin(mut self) -> Setup {
        self.uses_pin = true;
        self
    }

    /// Other REST data than [`test_data`].
    pub fn with_data(mut self, data: Value) -> Setup {
        self.data = data;
        self
    }

    pub fn timeout_task(mut self, interval_ms: u64, duration_ms: u64) -> Setup {
        self.timeout_task = Some((interval_ms, duration_ms));
        self
    }

    /// A tenant of another client version (minor 1).
    pub fn version(mut self, region: &'static str, major: u16) -> Setup {
        self.version = (region, major);
        self
    }

    pub async fn start(self) -> Game {
        Game::start(self).await
    }
}

/// A service file with one `maple` tenant of `version` (region, major; minor 1) on a free port.
pub fn maple_service_json_of(
    tenant: &str,
    (region, major): (&str, u16),
    timeout_task: Option<(u64, u64)>,
    uses_pin: bool,
) -> String {
    let tasks = match timeout_task {
        Some((interval, duration)) => {
            json!([{"type": "timeout", "interval": interval, "duration": duration}])
        }
        None => json!([]),
    };
    json!({"tasks": tasks, "tenants": [{"id": tenant, "region": region, "majorVersion": major,
        "minorVersion": 1, "port": 0, "protocol": "maple", "usesPin": uses_pin}]})
    .to_string()
}

/// One test's world: topics, simulators, the service, an observer and an injector.
pub struct Game {
    pub tenant: Uuid,
    /// The tenant's client version: region and major (minor 1).
    pub version: (&'static str, u16),
    pub topics: Topics,
    pub app: Option<Running>,
    /// Reads the command, session status, account-session status, seed status and account
    /// status topics.
    pub observer: Observer,
    pub injector: Injector,
    /// The REST simulator (its `faults()` are the test's knobs).
    pub sim: RunningSim,
    seeds: KafkaSeeds,
    /// A REST client of the simulator, to read and change its state as the services would.
    pub rest: RestClient,
    _account_sim: Option<oneshot::Sender<()>>,
}

impl Game {
    /// The standard set-up.
    pub async fn default() -> Game {
        Setup::default().start().await
    }

    async fn start(setup: Setup) -> Game {
        init_logs();
        let topics = Topics::create().await;
        let account_sim = setup
            .account_sim
            .then(|| start_sim_at(&bootstrap(), &topics, ACCOUNTS));
        let seeds = KafkaSeeds::new(
            &bootstrap(),
            &KafkaProperties::default(),
            &topics.seed_status,
        )
        .expect("seed producer");
        let data = SimData::from_json(&setup.data.to_string()).expect("test data");
        let sim = AtlasSim::start(
            "127.0.0.1:0".parse().expect("address"),
            data,
            Box::new(seeds.clone()),
        )
        .await
        .expect("REST simulator");
        let base = sim.base_url();
        let mut extra: Vec<(&str, &str)> = vec![("BASE_SERVICE_URL", &base)];
        extra.extend(setup.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let service = maple_service_json_of(
            &setup.tenant,
            setup.version,
            setup.timeout_task,
            setup.uses_pin,
        );
        let app = start(config(&topics, &service, &extra)).await;
        let observer = Observer::new(&[
            &topics.command,
            &topics.session_status,
            &topics.account_session_status,
            &topics.seed_status,
            &topics.account_status,
        ]);
        let endpoints = Endpoints::new(Some(base), vec![]).expect("endpoints");
        let rest = RestClient::new(
            endpoints,
            ClientConfig::with_timeout(Duration::from_secs(5)),
        )
        .expect("REST client");
        Game {
            tenant: setup.tenant.parse().expect("tenant id"),
            version: setup.version,
            topics,
            app: Some(app),
            observer,
            injector: Injector::new(),
            sim,
            seeds,
            rest,
            _account_sim: account_sim,
        }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.app.as_ref().expect("running").gateway[0]
    }

    pub fn admin(&self) -> std::net::SocketAddr {
        self.app.as_ref().expect("running").admin
    }

    /// A connected game client (hello checked), with Kafka-backed answers awaited for up to
    /// the test deadline.
    pub async fn connect(&self) -> Client {
        let (region, major) = self.version;
        let version = format!("{region}/{major}/1").parse().expect("version");
        let (mut client, hello) = Client::connect(self.addr(), version, Duration::from_secs(10))
            .await
            .expect("connect and hello");
        assert_eq!(
            (hello.major, hello.minor.as_str()),
            (major, "1"),
            "{hello:?}"
        );
        client.set_reply_timeout(DEADLINE);
        client
    }

    /// Connects and logs in; panics unless the answer is AuthSuccess.
    pub async fn logged_in(&mut self, name: &str, password: &str) -> (Client, AuthSuccess, Uuid) {
        let mut client = self.connect().await;
        let outcome = client.login(name, password, HWID).await.expect("login");
        let LoginOutcome::Success(auth) = outcome else {
            panic!("{name}: {outcome:?}");
        };
        let session = self.session_of(name).await;
        (client, auth, session)
    }

    /// The session of the (first) CREATE for `account_name`, once it is on the command topic.
    pub async fn session_of(&mut self, account_name: &str) -> Uuid {
        let cmd = self.topics.command.clone();
        let name = account_name.to_owned();
        let is_create = move |r: &Record| {
            let v = r.json();
            r.topic == cmd && v["type"] == "CREATE" && v["body"]["accountName"] == name.as_str()
        };
        let check = is_create.clone();
        self.observer
            .wait_until("the CREATE", move |seen| seen.iter().any(&check))
            .await;
        let record = self.observer.seen.iter().find(|r| is_create(r)).unwrap();
        record.json()["sessionId"]
            .as_str()
            .expect("sessionId")
            .parse()
            .expect("uuid")
    }

    /// Waits until the account service has logged `account_id` out `n` times in all (its
    /// LOGGED_OUT account status, sent once it processed the LOGOUT): a login sent after it is
    /// not refused as already logged in.
    pub async fn wait_logged_out(&mut self, account_id: u32, n: usize) {
        let topic = self.topics.account_status.clone();
        self.observer
            .wait_until("the account's LOGGED_OUT", |seen| {
                seen.iter()
                    .filter(|r| {
                        let v = r.json();
                        r.topic == topic
                            && v["status"] == "LOGGED_OUT"
                            && v["account_id"] == account_id
                    })
                    .count()
                    >= n
            })
            .await;
    }

    /// The session's LOGOUT-only path: waits for its `n`th LOGOUT (with `account_id`) and the
    /// account service's LOGGED_OUT, then checks the session was not destroyed.
    pub async fn assert_signed_out(&mut self, session: Uuid, account_id: u32, n: usize) {
        let cmd = self.topics.command.clone();
        self.observer
            .wait_until("the session's LOGOUT", |seen| {
                seen.iter()
                    .filter(|r| {
                        r.topic == cmd
                            && r.json()["sessionId"] == session.to_string()
                            && r.json()["type"] == "LOGOUT"
                    })
                    .count()
                    >= n
            })
            .await;
        self.wait_logged_out(account_id, n).await;
        self.observer.settle(Duration::from_millis(300)).await;
        let summary = self.observer.summary();
        let logouts = self.records(&cmd, session, "LOGOUT");
        assert_eq!(logouts.len(), n, "{summary:#?}");
        assert_eq!(logouts[n - 1]["accountId"], account_id, "{summary:#?}");
        let status = self.topics.session_status.clone();
        assert!(
            self.records(&status, session, "DESTROYED").is_empty(),
            "LOGOUT only, no DESTROYED: {summary:#?}"
        );
    }

    /// The records of `topic` for `session` with JSON `type` = `kind`, as JSON.
    pub fn records(&self, topic: &str, session: Uuid, kind: &str) -> Vec<Value> {
        self.observer
            .of(topic, session, kind)
            .into_iter()
            .map(Record::json)
            .collect()
    }

    /// Checks the session's CREATE (the client's IP, the hwid in lowercase hex, unbound) and
    /// its one session CREATED (bound to `account_id`).
    pub async fn assert_created(&mut self, session: Uuid, account_name: &str, account_id: u32) {
        let status = self.topics.session_status.clone();
        self.observer
            .wait_until("the session CREATED", |seen| {
                seen.iter().any(|r| {
                    r.topic == status
                        && r.json()["sessionId"] == session.to_string()
                        && r.json()["type"] == "CREATED"
                })
            })
            .await;
        let creates = self.observer.of(&self.topics.command, session, "CREATE");
        let create = creates.last().expect("a CREATE");
        assert_eq!(create.key, [0; 8], "an unbound session's key");
        let v = create.json();
        assert_eq!(v["accountId"], 0);
        assert_eq!(v["author"], "LOGIN");
        assert_eq!(v["body"]["accountName"], account_name);
        assert_eq!(v["body"]["ipAddress"], "127.0.0.1");
        assert_eq!(v["body"]["hwid"], HWID_HEX);
        assert!(v["body"]["password"].is_string());
        let created = self.records(&status, session, "CREATED");
        assert_eq!(
            created,
            [
                json!({"sessionId": session.to_string(), "accountId": account_id, "characterId": 0,
                "worldId": 0, "channelId": 0, "issuer": "LOGIN", "type": "CREATED"})
            ]
        );
    }

    /// Waits for the session's LOGOUT and DESTROYED, then checks there is exactly one of each,
    /// both with `account_id` and its key (the observer reads two topics, so it cannot see which
    /// came first).
    pub async fn assert_ended_once(&mut self, session: Uuid, account_id: u32) {
        self.assert_ended_with(session, &[account_id], account_id)
            .await;
    }

    /// The same where the session also released an account (a LOGOUT before its end's):
    /// `logouts` are the LOGOUTs' account ids in order, `account_id` the DESTROYED's.
    pub async fn assert_ended_with(&mut self, session: Uuid, logouts: &[u32], account_id: u32) {
        let (cmd, status) = (
            self.topics.command.clone(),
            self.topics.session_status.clone(),
        );
        let wanted = logouts.len();
        self.observer
            .wait_until("the session's LOGOUT and DESTROYED", |seen| {
                let count = |topic: &str, kind: &str| {
                    seen.iter()
                        .filter(|r| {
                            r.topic == topic
                                && r.json()["sessionId"] == session.to_string()
                                && r.json()["type"] == kind
                        })
                        .count()
                };
                count(&cmd, "LOGOUT") >= wanted && count(&status, "DESTROYED") >= 1
            })
            .await;
        self.observer.settle(Duration::from_millis(300)).await;
        let summary = self.observer.summary();
        let out = self.observer.of(&cmd, session, "LOGOUT");
        let ids: Vec<u64> = out
            .iter()
            .map(|r| r.json()["accountId"].as_u64().unwrap())
            .collect();
        let want: Vec<u64> = logouts.iter().map(|&a| u64::from(a)).collect();
        assert_eq!(ids, want, "the session's LOGOUTs: {summary:#?}");
        for (r, &a) in out.iter().zip(logouts) {
            assert_eq!(r.key, login_orchestrator::kafka::keys::account_key(a));
            assert_eq!(r.json()["body"], json!({}));
        }
        let destroyed = self.observer.of(&status, session, "DESTROYED");
        assert_eq!(destroyed.len(), 1, "exactly one DESTROYED: {summary:#?}");
        assert_eq!(destroyed[0].json()["accountId"], account_id);
        assert_eq!(
            destroyed[0].key,
            login_orchestrator::kafka::keys::account_key(account_id)
        );
    }

    /// The number of records of `topic` with JSON `type` = `kind`, any session.
    pub fn count(&self, topic: &str, kind: &str) -> usize {
        self.observer
            .seen
            .iter()
            .filter(|r| r.topic == topic && r.json()["type"] == kind)
            .count()
    }

    /// Waits until `n` sessions have ended (LOGOUT and DESTROYED each), then checks that no
    /// more follow and each ended once, unbound: for sessions the test never learnt the id of
    /// (no login, no CREATE).
    pub async fn assert_unbound_ends(&mut self, n: usize) -> Vec<Uuid> {
        self.assert_unbound_ends_among(n, &[]).await
    }

    /// The same, for the sessions other than `known`.
    pub async fn assert_unbound_ends_among(&mut self, n: usize, known: &[Uuid]) -> Vec<Uuid> {
        let status = self.topics.session_status.clone();
        let known: Vec<String> = known.iter().map(Uuid::to_string).collect();
        let unknown = |r: &Record| {
            r.topic == status
                && r.json()["type"] == "DESTROYED"
                && !known.iter().any(|k| r.json()["sessionId"] == k.as_str())
        };
        self.observer
            .wait_until("the sessions' ends", |seen| {
                seen.iter().filter(|r| unknown(r)).count() >= n
            })
            .await;
        self.observer.settle(Duration::from_millis(300)).await;
        let sessions: Vec<Uuid> = self
            .observer
            .seen
            .iter()
            .filter(|r| unknown(r))
            .map(|r| r.json()["sessionId"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(sessions.len(), n, "{:#?}", self.observer.summary());
        for &s in &sessions {
            self.assert_ended_once(s, 0).await;
        }
        sessions
    }

    /// The REST context of the test's tenant.
    pub fn ctx(&self) -> Context {
        Context::new(self.tenant, self.version.0, self.version.1, 1)
    }

    /// The tenant headers of consumed events.
    pub fn headers(&self) -> Vec<(String, Vec<u8>)> {
        tenant_headers(&self.tenant.to_string(), self.version.0, self.version.1, 1)
    }

    /// Injects an account-session event for `session` as the account service would send it.
    pub async fn inject_session_event(
        &self,
        session: Uuid,
        account_id: u32,
        name: &str,
        kind: &str,
        body: Value,
    ) {
        let event = json!({"sessionId": session.to_string(), "accountId": account_id,
            "accountName": name, "type": kind, "body": body});
        self.injector
            .send(
                &self.topics.account_session_status,
                account_id,
                &self.headers(),
                event.to_string().as_bytes(),
            )
            .await;
    }

    /// Injects an account status event (`LOGGED_IN`, `LOGGED_OUT`).
    pub async fn inject_account_status(&self, account_id: u32, name: &str, status: &str) {
        let event = json!({"account_id": account_id, "name": name, "status": status});
        self.injector
            .send(
                &self.topics.account_status,
                account_id,
                &self.headers(),
                event.to_string().as_bytes(),
            )
            .await;
    }

    /// Injects a seed status event as the character factory would send it.
    pub async fn inject_seed(&self, event: Value) {
        let account = event["accountId"].as_u64().unwrap_or(0) as u32;
        self.injector
            .send(
                &self.topics.seed_status,
                account,
                &self.headers(),
                event.to_string().as_bytes(),
            )
            .await;
    }

    /// Adds a REST fault.
    pub fn fault(&self, fault: Fault) {
        self.sim.faults().add(fault);
    }

    /// The admin listener's `/metrics`.
    pub async fn metrics(&self) -> String {
        let (code, body) = admin_get(self.admin(), "/metrics").await;
        assert_eq!(code, 200);
        body
    }

    /// The value of a counter of this test's tenant.
    pub async fn tenant_metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let tenant = self.tenant.to_string();
        let mut all = vec![("tenant", tenant.as_str())];
        all.extend_from_slice(labels);
        metric(&self.metrics().await, name, &all)
    }

    /// Waits until a counter of this test's tenant reaches `value`.
    /// Waits until `n` requests were dropped for want of a logged-in account.
    pub async fn wait_not_logged_in_drops(&self, n: f64) {
        self.wait_tenant_metric(
            "login_requests_dropped_total",
            &[("reason", "not_logged_in")],
            n,
        )
        .await;
    }

    pub async fn wait_tenant_metric(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        let tenant = self.tenant.to_string();
        let mut all = vec![("tenant", tenant.as_str())];
        all.extend_from_slice(labels);
        wait_metrics(self.admin(), DEADLINE, name, |body| {
            metric(body, name, &all) >= value
        })
        .await;
    }

    /// Waits until `n` events of `topic` were consumed with `outcome` (`routed`, `recorded`,
    /// `not_ours`, ...; topics are the test's own, so the count is too).
    pub async fn wait_consumed(&self, topic: &str, outcome: &str, n: f64) {
        wait_metrics(self.admin(), DEADLINE, "the event consumed", |body| {
            metric(
                body,
                "login_events_consumed_total",
                &[("topic", topic), ("outcome", outcome)],
            ) >= n
        })
        .await;
    }

    /// Stops the service (the shutdown order), then the simulators.
    pub async fn shutdown(&mut self) {
        if let Some(app) = self.app.take() {
            tokio::time::timeout(Duration::from_secs(30), app.shutdown())
                .await
                .expect("shutdown in time");
        }
        let seeds = self.seeds.clone();
        tokio::task::spawn_blocking(move || seeds.flush(Duration::from_secs(5)))
            .await
            .expect("flush task")
            .expect("flushed");
    }
}

/// Logs in again on a connection whose account was signed out (once the account service
/// logged it out: [`Game::assert_signed_out`]); panics unless the answer is AuthSuccess.
pub async fn login_again(c: &mut Client, name: &str, password: &str) -> AuthSuccess {
    let outcome = c.login(name, password, HWID).await.expect("login");
    let LoginOutcome::Success(auth) = outcome else {
        panic!("{name} again: {outcome:?}");
    };
    auth
}

/// The opcodes of the v83 client and server (`maple_client`'s tables).
pub fn opcodes() -> &'static maple_client::Profile {
    let version: maple_client::Version = VERSION.parse().expect("version");
    version.profile().expect("profile")
}
