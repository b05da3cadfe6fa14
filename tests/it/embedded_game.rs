//! Issue 13's game flows on `make run`'s embedded mode: no BOOTSTRAP_SERVERS, so the service
//! starts its in-process broker, the account simulator (`config/accounts.json`) and the REST
//! simulator of Atlas with a copy of `config/atlas-sim.json`, and reads its tenants from that
//! simulator's configuration service. The copy differs only where `make run` itself would
//! change it (every tenant's port moved to a free one, as `tests/tools/run.sh` does when a
//! default port is taken); its GMS 83 tenant with `usesPin` (port 8301) serves the PIN dialog.
//! A GMS 83 client (`maple_client`) checks names, creates a character and sees it after
//! the seed event, registers a PIC from the view of every world, deletes with the PIC (a wrong
//! one refused and counted, the fifth ending the session), selects from the view to ServerIP,
//! registers and enters a PIN with its attempt limit, and chooses a gender.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use login_orchestrator::app::Running;
use login_orchestrator::config::{Config, ServiceSource};
use login_orchestrator::rest::{Account, ClientConfig, Context, Endpoints, RestClient};
use maple_client::{
    AuthSuccess, Client as GameClient, Error, LoginOutcome, NewCharacter, PinReply, ServerIp,
};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

/// make run's tenant for the PIN dialog (GMS 83.1, `usesPin`, on 8301).
const PIN_TENANT: &str = "5e1f0c2a-7b3d-4c8e-9f10-a2b3c4d5e6f7";
/// The demo data's login option bytes and codes (v83 template).
const REGISTER_PIC: u8 = 0;
const ASK_PIC: u8 = 1;
const NOT_ALLOWED: u8 = 2;
const WRONG_PIC: u8 = 20;
const PIN_REGISTER: u8 = 1;
const PIN_INVALID: u8 = 2;
const PIN_ENTER: u8 = 4;
const LICENSE_AGREEMENT: u8 = 23;
const ALREADY_LOGGED_IN: u8 = 7;

/// The service as `make run` starts it, and a REST client of its simulator.
struct MakeRun {
    app: Running,
    rest: RestClient,
    gms83: SocketAddr,
    pin: SocketAddr,
}

/// What `make run` starts with `data` (its REST simulator's data file) once every tenant's
/// port is moved to a free one; the tenants' ports and the simulator's address.
fn make_run_config(data: &mut Value) -> (Config, HashMap<String, u16>, String) {
    let mut ports = HashMap::new();
    for tenant in data["configurations"]["services"][0]["tenants"]
        .as_array_mut()
        .unwrap()
    {
        let port = free_port();
        tenant["port"] = json!(port);
        ports.insert(tenant["id"].as_str().unwrap().to_owned(), port);
    }
    let dir = std::env::temp_dir().join(format!("lo-make-run-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("atlas-sim.json");
    std::fs::write(&file, data.to_string()).unwrap();
    let sim = format!("127.0.0.1:{}", free_port());
    // What `make run` sets (SERVICE_ID; the moved ports' data file and admin address);
    // ATLAS_SIM_ADDRESS only to read the simulator's state (make run takes a free port).
    let vars: HashMap<String, String> = [
        ("SERVICE_ID", Uuid::new_v4().to_string()),
        ("ATLAS_SIM_FILE", file.display().to_string()),
        ("ATLAS_SIM_ADDRESS", sim.clone()),
        ("ADMIN_ADDRESS", "127.0.0.1:0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(vars).expect("config");
    assert_eq!(config.env.bootstrap_servers, None);
    assert_eq!(config.service, ServiceSource::EmbeddedSimulator);
    (config, ports, sim)
}

impl MakeRun {
    async fn start() -> MakeRun {
        let text = include_str!("../../config/atlas-sim.json");
        let mut data: Value = serde_json::from_str(text).expect("demo data");
        let config = &mut data["configurations"];
        let pin = config["tenants"]
            .as_array()
            .expect("tenants")
            .iter()
            .find(|t| t["id"] == PIN_TENANT)
            .expect("make run's PIN tenant");
        assert_eq!(
            (&pin["region"], &pin["majorVersion"], &pin["usesPin"]),
            (&json!("GMS"), &json!(83), &json!(true))
        );
        // Fresh ports for each try: one probed free may be taken before the service binds it.
        let mut tries = 0;
        let (app, ports, sim) = loop {
            let (config, ports, sim) = make_run_config(&mut data);
            if let Some(app) = start_unless_taken(config).await {
                break (app, ports, sim);
            }
            tries += 1;
            assert!(tries < 5, "a port probed free was taken {tries} times");
        };
        let at = |tenant: &str| {
            let port = ports[tenant];
            *app.gateway
                .iter()
                .find(|a| a.port() == port)
                .unwrap_or_else(|| panic!("tenant {tenant} on {port}: {:?}", app.gateway))
        };
        let (gms83, pin) = (at(TENANT), at(PIN_TENANT));
        let endpoints = Endpoints::new(Some(format!("http://{sim}/")), vec![]).expect("endpoints");
        let rest = RestClient::new(
            endpoints,
            ClientConfig::with_timeout(Duration::from_secs(5)),
        )
        .expect("REST client");
        MakeRun {
            app,
            rest,
            gms83,
            pin,
        }
    }

    async fn account(&self, tenant: &str, id: u32) -> Account {
        let ctx = Context::new(tenant.parse().unwrap(), "GMS", 83, 1);
        self.rest.account(&ctx, id).await.expect("account")
    }

    /// Whether the character service still has the character (GMS 83 tenant).
    async fn exists(&self, id: u32) -> bool {
        let ctx = Context::new(TENANT.parse().unwrap(), "GMS", 83, 1);
        match self.rest.character(&ctx, id).await {
            Ok(_) => true,
            Err(e) if e.is_not_found() => false,
            Err(e) => panic!("character {id}: {e}"),
        }
    }

    async fn seed_events_routed(&self) -> f64 {
        let (code, body) = admin_get(self.app.admin, "/metrics").await;
        assert_eq!(code, 200);
        let labels = [("topic", "EVENT_TOPIC_SEED_STATUS"), ("outcome", "routed")];
        metric(&body, "login_events_consumed_total", &labels)
    }
}

async fn connect(addr: SocketAddr) -> GameClient {
    let version = "GMS/83/1".parse().expect("version");
    let (mut client, hello) = GameClient::connect(addr, version, Duration::from_secs(10))
        .await
        .expect("connect and hello");
    assert_eq!((hello.major, hello.minor.as_str()), (83, "1"));
    client.set_reply_timeout(DEADLINE);
    client
}

/// Logs `name` (password = name) in, accepting the licence if asked, on a new connection;
/// while the account is still held (a session that went to a channel holds it 5 s at the
/// account simulator), tries again.
async fn logged_in(addr: SocketAddr, name: &str) -> (GameClient, AuthSuccess) {
    logged_in_asking(addr, name, true).await
}

/// As [`logged_in`]; without `licence`, a login asked for the licence fails the test.
async fn logged_in_asking(
    addr: SocketAddr,
    name: &str,
    licence: bool,
) -> (GameClient, AuthSuccess) {
    let end = Instant::now() + DEADLINE;
    loop {
        let mut c = connect(addr).await;
        let mut outcome = c.login(name, name, [7; 16]).await.expect("login");
        if licence
            && outcome
                == (LoginOutcome::Failed {
                    code: LICENSE_AGREEMENT,
                })
        {
            outcome = c
                .accept_tos(true)
                .await
                .expect("AcceptTos")
                .expect("answer");
        }
        match outcome {
            LoginOutcome::Success(auth) => return (c, auth),
            LoginOutcome::Failed {
                code: ALREADY_LOGGED_IN,
            } if Instant::now() < end => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// A v83 Adventurer as the creation screen sends it.
fn new_character(name: &str) -> NewCharacter {
    NewCharacter {
        name: name.to_owned(),
        job: 1,
        sub_job: 0,
        face: 20000,
        hair: 30000,
        hair_color: 0,
        skin: 0,
        top: 1_040_002,
        bottom: 1_060_002,
        shoes: 1_072_001,
        weapon: 1_302_000,
        gender: 0,
        stats: [0; 4],
    }
}

fn ids(list: &maple_client::CharacterList) -> Vec<u32> {
    list.characters.iter().map(|c| c.stats.id).collect()
}

/// The view's worlds with their characters' ids and login options.
fn view_of(view: &maple_client::ViewAll) -> Vec<(u8, Vec<u32>, Option<u8>)> {
    let maple_client::ViewAll::Characters { worlds, .. } = view else {
        panic!("no view: {view:?}");
    };
    worlds
        .iter()
        .map(|w| {
            let ids = w.characters.iter().map(|c| c.stats.id).collect();
            (w.world_id, ids, w.login_opt)
        })
        .collect()
}

fn channel(ip: ServerIp) -> (String, u16, u32) {
    match ip {
        ServerIp::Channel {
            ip,
            port,
            character_id,
            ..
        } => (ip.to_string(), port, character_id),
        refused => panic!("{refused:?}"),
    }
}

#[actix_rt::test]
async fn on_make_run_a_character_is_checked_created_deleted_with_its_pic_and_selected_from_the_view(
) {
    let run = MakeRun::start().await;
    const PIC: &str = "1357";
    // admin: three characters in Scania, one in Bera, no PIC yet.
    let (mut c, auth) = logged_in(run.gms83, "admin").await;
    assert_eq!((auth.account_id, auth.pin_flag), (1, Some(1)));
    assert_eq!(c.server_list().await.expect("worlds").worlds.len(), 2);
    let list = c.character_list(0, 0).await.expect("list");
    assert_eq!(
        (ids(&list), list.login_opt),
        (vec![1, 2, 3], Some(REGISTER_PIC))
    );
    // The name check: taken, against the rule, free.
    assert_eq!(
        c.check_name("Nova").await.expect("answer").code,
        NOT_ALLOWED
    );
    assert_eq!(
        c.check_name("No va").await.expect("answer").code,
        NOT_ALLOWED
    );
    assert!(c.check_name("Probe83").await.expect("answer").available());
    // The creation is answered once the factory's seed event came through the broker.
    let seeds = run.seed_events_routed().await;
    let created = c
        .create_character(&new_character("Probe83"))
        .await
        .expect("AddCharacterEntry");
    let entry = created.entry.expect("the new character");
    assert_eq!((created.code, entry.stats.name.as_str()), (0, "Probe83"));
    let id = entry.stats.id;
    assert!(run.seed_events_routed().await > seeds, "no seed event");
    assert!(run.exists(id).await);
    assert!(!c.check_name("Probe83").await.expect("answer").available());
    // The view of every world, and a select from it that registers the PIC.
    let view = c.view_all().await.expect("view all");
    let opt = Some(REGISTER_PIC);
    assert_eq!(
        view_of(&view),
        [(0, vec![1, 2, 3, id], opt), (1, vec![4], opt)]
    );
    let ip = c.view_all_register_pic(4, 1, PIC).await.expect("ServerIP");
    assert_eq!(
        channel(ip),
        ("127.0.0.1".into(), 7675, 4),
        "Bera's first channel"
    );
    assert_eq!(run.account(TENANT, 1).await.pic, PIC);
    drop(c);

    // A new login: the PIC is asked for; a wrong one is refused and counted.
    let (mut c, _) = logged_in(run.gms83, "admin").await;
    let list = c.character_list(0, 0).await.expect("list");
    assert_eq!(
        (ids(&list), list.login_opt),
        (vec![1, 2, 3, id], Some(ASK_PIC))
    );
    let answer = c.delete_character("0000", id).await.expect("answer");
    assert_eq!((answer.character_id, answer.code), (id, WRONG_PIC));
    assert_eq!(run.account(TENANT, 1).await.pic_attempts, 1);
    assert!(run.exists(id).await, "not deleted with a wrong PIC");
    let answer = c.delete_character(PIC, id).await.expect("answer");
    assert_eq!((answer.character_id, answer.code), (id, 0));
    assert!(!run.exists(id).await, "deleted");
    assert_eq!(run.account(TENANT, 1).await.pic_attempts, 0);
    // From the view (the deleted one gone) to the least loaded channel of Scania.
    let view = c.view_all().await.expect("view all");
    let opt = Some(ASK_PIC);
    assert_eq!(view_of(&view), [(0, vec![1, 2, 3], opt), (1, vec![4], opt)]);
    let wrong = c
        .view_all_select_with_pic(2, 0, "0000")
        .await
        .expect("ServerIP");
    assert_eq!(wrong, ServerIp::Refused { code: 4, mode: 0 });
    assert_eq!(run.account(TENANT, 1).await.pic_attempts, 1);
    let ip = c
        .view_all_select_with_pic(2, 0, PIC)
        .await
        .expect("ServerIP");
    assert_eq!(
        channel(ip),
        ("127.0.0.1".into(), 7577, 2),
        "channel 2, load 0"
    );
    drop(c);

    // The attempt limit: the fifth wrong PIC ends the session, nothing deleted.
    let (mut c, _) = logged_in(run.gms83, "admin").await;
    c.character_list(0, 0).await.expect("list");
    for attempt in 1..=4 {
        let answer = c.delete_character("0000", 3).await.expect("answer");
        assert_eq!(answer.code, WRONG_PIC, "attempt {attempt}");
    }
    let fifth = c.delete_character("0000", 3).await;
    assert!(matches!(fifth, Err(Error::Closed { .. })), "{fifth:?}");
    assert_eq!(run.account(TENANT, 1).await.pic_attempts, 5);
    assert!(run.exists(3).await);
    run.app.shutdown().await;
}

#[actix_rt::test]
async fn on_make_run_a_pin_tenant_registers_then_asks_the_pin_with_its_attempt_limit() {
    let run = MakeRun::start().await;
    const PIN: &str = "2580";
    let (mut c, auth) = logged_in(run.pin, "admin").await;
    assert_eq!(
        auth.pin_flag,
        Some(0),
        "usesPin: the client opens the dialog"
    );
    assert_eq!(
        c.after_login(1, 1, None).await.expect("answer"),
        PIN_REGISTER
    );
    let registered = c.register_pin(Some(PIN)).await.expect("answer");
    assert_eq!(registered, Some(PinReply::Update(0)));
    assert_eq!(run.account(PIN_TENANT, 1).await.pin, PIN);
    assert_eq!(
        run.account(TENANT, 1).await.pin,
        "",
        "the other tenant's account"
    );
    // Signed out: the client logs in again on the same connection and enters the PIN.
    let again = c.login("admin", "admin", [7; 16]).await.expect("login");
    let LoginOutcome::Success(auth) = again else {
        panic!("again: {again:?}");
    };
    assert_eq!(auth.pin_flag, Some(0));
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), PIN_ENTER);
    let wrong = c.after_login(1, 0, Some("0000")).await.expect("answer");
    assert_eq!(wrong, PIN_INVALID);
    assert_eq!(run.account(PIN_TENANT, 1).await.pin_attempts, 1);
    assert_eq!(c.after_login(1, 0, Some(PIN)).await.expect("answer"), 0);
    assert_eq!(run.account(PIN_TENANT, 1).await.pin_attempts, 0);
    assert_eq!(c.server_list().await.expect("worlds").worlds.len(), 2);
    drop(c);

    let (mut c, _) = logged_in(run.pin, "admin").await;
    assert_eq!(c.after_login(1, 1, None).await.expect("answer"), PIN_ENTER);
    for attempt in 1..=4 {
        let answer = c.after_login(1, 0, Some("1111")).await.expect("answer");
        assert_eq!(answer, PIN_INVALID, "attempt {attempt}");
    }
    let fifth = c.after_login(1, 0, Some("1111")).await;
    assert!(matches!(fifth, Err(Error::Closed { .. })), "{fifth:?}");
    assert_eq!(run.account(PIN_TENANT, 1).await.pin_attempts, 5);
    run.app.shutdown().await;
}

#[actix_rt::test]
async fn on_make_run_a_new_account_accepts_the_licence_and_chooses_its_gender_once_each() {
    let run = MakeRun::start().await;
    let (mut c, auth) = logged_in(run.gms83, "newbie").await;
    assert_eq!((auth.account_id, auth.gender), (2, 10), "the gender dialog");
    let set = c.set_gender(true, 1).await.expect("SetAccountResult");
    assert_eq!((set.gender, set.success), (1, true));
    assert_eq!(run.account(TENANT, 2).await.gender, 1, "recorded");
    assert_eq!(c.server_list().await.expect("worlds").worlds.len(), 2);
    assert_eq!(c.skipped_packets(), 0);
    drop(c);
    // Neither the licence (recorded at the REST simulator, which the embedded account
    // simulator reads) nor the gender is asked again.
    let (_c, auth) = logged_in_asking(run.gms83, "newbie", false).await;
    assert_eq!(auth.gender, 1, "not asked again");
    run.app.shutdown().await;
}
