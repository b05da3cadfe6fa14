//! The configuration from Atlas's configuration service (SERVICE_CONFIG unset): the tenants
//! and their ports read from the REST simulator standing in for atlas-configurations, a game
//! client served on the port it gives; a configuration service that starts late (`/readyz`
//! says why the service waits, then it starts); a malformed tenant that stops the binary with
//! the URL and the field; and `make run`'s embedded mode, whose tenants come from its own
//! simulator.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use login_orchestrator::app;
use login_orchestrator::config::{Config, ServiceSource};
use login_orchestrator::sim::atlas::{AtlasSim, NoSeeds, RunningSim, SimData};
use maple_client::{Client as GameClient, LoginOutcome, Version};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;
use crate::world::start_sim;

/// The demo data (`config/atlas-sim.json`: accounts, worlds, characters of the GMS 83.1
/// tenant) with `services` as the service configurations and `tenants` as the tenant ones.
fn sim_data(services: Value, tenants: Value) -> SimData {
    let text = include_str!("../../config/atlas-sim.json");
    let mut data: Value = serde_json::from_str(text).expect("demo data");
    data["configurations"] = json!({"services": services, "tenants": tenants});
    SimData::from_json(&data.to_string()).expect("sim data")
}

/// A service configuration of `service_id`: a timeout task and `tenants` (`[{id, port}]`).
fn service(service_id: Uuid, tenants: Value) -> Value {
    json!([{"id": service_id.to_string(),
            "tasks": [{"type": "timeout", "interval": 5000, "duration": 3_600_000}],
            "tenants": tenants}])
}

fn gms83(id: &str) -> Value {
    json!({"id": id, "region": "GMS", "majorVersion": 83, "minorVersion": 1, "usesPin": false})
}

async fn start_atlas(addr: SocketAddr, data: SimData) -> RunningSim {
    AtlasSim::start(addr, data, Box::new(NoSeeds))
        .await
        .expect("REST simulator")
}

/// The service's variables on the test broker and `topics`, with SERVICE_CONFIG unset.
fn vars(topics: &Topics, service_id: Uuid, extra: &[(&str, String)]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = topics.env().into_iter().collect();
    for (k, v) in [
        ("BOOTSTRAP_SERVERS", bootstrap()),
        ("SERVICE_ID", service_id.to_string()),
        ("KAFKA_SESSION_TIMEOUT_MS", "6000".into()),
        ("KAFKA_HEARTBEAT_INTERVAL_MS", "1000".into()),
        ("ADMIN_ADDRESS", "127.0.0.1:0".into()),
        ("REST_TIMEOUT_MS", "2000".into()),
    ] {
        vars.insert(k.into(), v);
    }
    for (k, v) in extra {
        vars.insert((*k).into(), v.clone());
    }
    vars
}

fn gms83_version() -> Version {
    "GMS/83/1".parse().expect("version")
}

/// Connects a game client and checks its hello (GMS 83.1).
async fn hello(addr: SocketAddr) -> GameClient {
    let (client, hello) = GameClient::connect(addr, gms83_version(), Duration::from_secs(10))
        .await
        .unwrap_or_else(|e| panic!("a game client's hello from {addr}: {e}"));
    assert_eq!((hello.major, hello.minor.as_str()), (83, "1"), "{hello:?}");
    client
}

/// Polls `/readyz` until `done(status, body)`; the last answer (panics after `within`).
async fn readyz_until(
    admin: SocketAddr,
    within: Duration,
    what: &str,
    done: impl Fn(u16, &str) -> bool,
) -> (u16, String) {
    let end = Instant::now() + within;
    loop {
        if let Ok(answer) = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(admin),
        )
        .await
        {
            if answer.is_ok() {
                let (code, body) = admin_get(admin, "/readyz").await;
                if done(code, &body) {
                    return (code, body);
                }
                assert!(Instant::now() < end, "{what}: last /readyz {code} {body}");
            }
        }
        assert!(
            Instant::now() < end,
            "{what}: the admin listener never answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_rt::test]
async fn a_game_client_logs_in_on_the_port_the_configuration_service_gives() {
    let topics = Topics::create().await;
    let _peer = start_sim(&topics);
    let service_id = Uuid::new_v4();
    let port = free_port();
    let data = sim_data(
        service(service_id, json!([{"id": TENANT, "port": port}])),
        json!([gms83(TENANT)]),
    );
    let atlas = start_atlas("127.0.0.1:0".parse().unwrap(), data).await;
    // The configurations at their own root; every other domain at the base.
    let config = Config::from_vars(vars(
        &topics,
        service_id,
        &[
            (
                "CONFIGURATIONS_SERVICE_URL",
                format!("{}api/", atlas.base_url()),
            ),
            ("BASE_SERVICE_URL", atlas.base_url()),
        ],
    ))
    .expect("config");
    assert_eq!(config.service, ServiceSource::ConfigurationService);
    let app = start(config).await;
    assert_eq!(app.gateway.len(), 1);
    assert_eq!(
        app.gateway[0].port(),
        port,
        "the port the service configuration gives"
    );

    let mut client = hello(app.gateway[0]).await;
    match client
        .login("admin", "admin", [0; 16])
        .await
        .expect("login")
    {
        LoginOutcome::Success(auth) => assert_eq!(auth.account_id, 1),
        other => panic!("login refused: {other:?}"),
    }
    let worlds = client.server_list().await.expect("server list");
    assert!(!worlds.worlds.is_empty(), "{worlds:?}");
    drop(client);
    app.shutdown().await;
    atlas.stop().await;
}

#[actix_rt::test]
async fn a_late_configuration_service_keeps_the_service_unready_saying_why_then_it_starts() {
    let topics = Topics::create().await;
    let service_id = Uuid::new_v4();
    let (gateway, admin_port, atlas_port) = (free_port(), free_port(), free_port());
    let root = format!("http://127.0.0.1:{atlas_port}/api/");
    let admin: SocketAddr = format!("127.0.0.1:{admin_port}").parse().unwrap();
    let config = Config::from_vars(vars(
        &topics,
        service_id,
        &[
            ("CONFIGURATIONS_SERVICE_URL", root.clone()),
            ("ADMIN_ADDRESS", admin.to_string()),
        ],
    ))
    .expect("config");
    init_logs();
    let starting = actix_rt::spawn(app::start(config));

    let reason = format!(
        "not ready: waiting for the configuration service at \
         {root}configurations/services/{service_id}: "
    );
    let (code, body) = readyz_until(admin, DEADLINE, "the wait for the service", |_, body| {
        body.starts_with(&reason)
    })
    .await;
    assert_eq!(code, 503, "{body}");
    assert!(body.to_ascii_lowercase().contains("connect"), "{body}");
    assert_eq!(admin_get(admin, "/healthz").await.0, 200, "alive meanwhile");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !starting.is_finished(),
        "start-up waits for the configuration"
    );
    let (code, body) = admin_get(admin, "/readyz").await;
    assert!(code == 503 && body.starts_with(&reason), "{code} {body}");

    let data = sim_data(
        service(service_id, json!([{"id": TENANT, "port": gateway}])),
        json!([gms83(TENANT)]),
    );
    let atlas = start_atlas(format!("127.0.0.1:{atlas_port}").parse().unwrap(), data).await;
    let app = tokio::time::timeout(Duration::from_secs(30), starting)
        .await
        .expect("started once the configuration service answers")
        .expect("start-up task")
        .expect("service started");
    let (code, body) = readyz_until(admin, DEADLINE, "readiness", |code, _| code == 200).await;
    assert_eq!((code, body.as_str()), (200, "ready\n"));
    assert_eq!(app.gateway[0].port(), gateway);
    drop(hello(app.gateway[0]).await);
    app.shutdown().await;
    atlas.stop().await;
}

#[actix_rt::test]
async fn a_malformed_tenant_configuration_stops_the_binary_naming_the_url_and_the_field() {
    let topics = Topics::create().await;
    let service_id = Uuid::new_v4();
    let mut wrong_type = gms83(TENANT);
    wrong_type["majorVersion"] = json!("83");
    let mut no_region = gms83(TENANT);
    no_region.as_object_mut().unwrap().remove("region");
    let cases = [
        (
            wrong_type,
            "majorVersion: invalid type: string \"83\", expected u16",
        ),
        (no_region, "region: missing"),
    ];
    for (tenant, field) in cases {
        let data = sim_data(
            service(service_id, json!([{"id": TENANT, "port": free_port()}])),
            json!([tenant]),
        );
        let atlas = start_atlas("127.0.0.1:0".parse().unwrap(), data).await;
        let root = atlas.base_url();
        let mut command = Command::new(env!("CARGO_BIN_EXE_login-orchestrator"));
        command
            .env_remove("SERVICE_CONFIG")
            .env_remove("BASE_SERVICE_URL")
            .envs(vars(
                &topics,
                service_id,
                &[("CONFIGURATIONS_SERVICE_URL", root.clone())],
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = command.spawn().expect("start the service binary");
        let output = tokio::time::timeout(
            Duration::from_secs(30),
            tokio::task::spawn_blocking(move || child.wait_with_output()),
        )
        .await
        .expect("the binary stops by itself")
        .expect("wait task")
        .expect("output");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        let expected = format!(
            "login-orchestrator: configuration error: {root}configurations/tenants/{TENANT}: {field}"
        );
        assert!(
            stderr.lines().any(|line| line == expected),
            "expected {expected:?} in:\n{stderr}"
        );
        atlas.stop().await;
    }
}

#[actix_rt::test]
async fn the_embedded_mode_reads_its_tenants_from_its_own_simulator() {
    let (game, lines) = (free_port(), free_port());
    let channel = json!({"worldId": 0, "channelId": 0, "ipAddress": "10.0.0.5", "port": 7575});
    let text = include_str!("../../config/atlas-sim.json");
    let mut data: Value = serde_json::from_str(text).expect("demo data");
    let tenants = &mut data["configurations"]["services"][0]["tenants"];
    // The GMS 83 game tenant and the JSON-lines one (the other versions' tenants would take
    // their fixed ports).
    let json_lines = tenants
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["protocol"] == "json-lines")
        .cloned()
        .expect("the JSON-lines demo tenant");
    *tenants = json!([tenants[0].clone(), json_lines]);
    tenants[0]["port"] = json!(game);
    tenants[1]["port"] = json!(lines);
    tenants[1]["channels"] = json!([channel]);
    let dir = std::env::temp_dir().join(format!("lo-config-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("atlas-sim.json");
    std::fs::write(&file, data.to_string()).unwrap();

    let accounts = concat!(env!("CARGO_MANIFEST_DIR"), "/config/accounts.json");
    let vars: HashMap<String, String> = [
        ("SERVICE_ID", Uuid::new_v4().to_string()),
        ("ATLAS_SIM_FILE", file.display().to_string()),
        ("ACCOUNTS_FILE", accounts.to_owned()),
        ("KAFKA_SESSION_TIMEOUT_MS", "6000".to_owned()),
        ("ADMIN_ADDRESS", "127.0.0.1:0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(vars).unwrap();
    assert_eq!(config.service, ServiceSource::EmbeddedSimulator);
    let app = start(config).await;
    let ports: Vec<u16> = app.gateway.iter().map(|a| a.port()).collect();
    assert_eq!(ports, [game, lines]);

    let mut client = hello(app.gateway[0]).await;
    match client
        .login("admin", "admin", [0; 16])
        .await
        .expect("login")
    {
        LoginOutcome::Success(auth) => assert_eq!(auth.account_id, 1),
        other => panic!("login refused: {other:?}"),
    }
    drop(client);
    let mut c = Client::connect(app.gateway[1]).await;
    assert_eq!(
        c.login_when_released("admin", "admin").await,
        json!({"event":"login_ok","accountId":1,"accountName":"admin"})
    );
    c.send(json!({"op":"select_character","characterId":1,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(
        c.recv().await,
        json!({"event":"server_ip","ipAddress":"10.0.0.5","port":7575,"characterId":1})
    );
    app.shutdown().await;
}
