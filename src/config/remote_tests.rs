//! Tests of `config/remote.rs`: the mapping and its errors (pure), and the start-up load
//! against the in-process REST simulator (answers, 404, malformed fields, retries).

use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::rest::{ClientConfig, Endpoints, ServiceTenant, TaskConfig};
use crate::sim::atlas::{AtlasSim, Fault, NoSeeds, RunningSim, SimData};

const GMS: &str = "083839c6-c47c-42a6-9585-76492795d123";
const LINES: &str = "cee1d8b3-eb44-4808-8795-dfc6ef909ff1";
const SERVICE_ID: &str = "7acb6545-97f0-4438-8be3-8a6e52c4097c";
const SERVICE_URL: &str = "http://atlas/api/configurations/services/7acb6545";

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("uuid")
}

fn entry(id: &str, port: u16, extra: Value) -> ServiceTenant {
    let Value::Object(extra) = extra else {
        panic!("an object")
    };
    ServiceTenant {
        id: uuid(id),
        port,
        extra,
    }
}

fn gms83(id: &str) -> rest::TenantConfig {
    rest::TenantConfig {
        id: uuid(id),
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        uses_pin: false,
        socket: None,
    }
}

fn tenant_url(id: &str) -> String {
    format!("http://atlas/api/configurations/tenants/{id}")
}

/// A service answer with a timeout task and `entries`, and a GMS 83.1 answer for each.
fn answers(
    entries: Vec<ServiceTenant>,
) -> (rest::ServiceConfig, Vec<(String, rest::TenantConfig)>) {
    let tenants = entries
        .iter()
        .map(|e| (tenant_url(&e.id.to_string()), gms83(&e.id.to_string())))
        .collect();
    let service = rest::ServiceConfig {
        id: SERVICE_ID.into(),
        tasks: vec![TaskConfig {
            kind: "timeout".into(),
            interval: 5000,
            duration: 3_600_000,
        }],
        tenants: entries,
    };
    (service, tenants)
}

fn error_text(result: Result<(ServiceConfig, Vec<String>), ConfigError>) -> String {
    result.expect_err("an error").to_string()
}

#[test]
fn a_tenant_gets_its_port_from_the_service_and_the_rest_from_its_configuration() {
    let (service, mut tenants) = answers(vec![entry(GMS, 8300, json!({}))]);
    tenants[0].1.uses_pin = true;
    tenants[0].1.socket = Some(json!({"handlers": [], "writers": []}));
    let (config, warnings) = map(SERVICE_URL, &service, &tenants, Server::Atlas).expect("maps");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        config,
        ServiceConfig {
            tasks: vec![Task::Timeout {
                interval_ms: 5000,
                duration_ms: 3_600_000
            }],
            tenants: vec![TenantConfig {
                id: uuid(GMS),
                region: "GMS".into(),
                major_version: 83,
                minor_version: 1,
                port: 8300,
                protocol: ProtocolKind::Maple,
                channels: Vec::new(),
                socket: Some(json!({"handlers": [], "writers": []})),
                uses_pin: true,
            }],
        }
    );
}

#[test]
fn from_atlas_a_tenant_is_the_game_socket_whatever_its_entry_says() {
    let extra = json!({"protocol": "json-lines", "channels": [], "weight": 3});
    let (service, tenants) = answers(vec![entry(LINES, 8484, extra)]);
    let (config, warnings) = map(SERVICE_URL, &service, &tenants, Server::Atlas).expect("maps");
    assert_eq!(config.tenants[0].protocol, ProtocolKind::Maple);
    assert_eq!(
        warnings,
        [format!(
            "{SERVICE_URL}: tenants[0]: protocol and channels ignored: a tenant from Atlas's \
             configuration service is the game socket of its version"
        )]
    );
}

#[test]
fn the_embedded_simulator_may_declare_a_json_lines_tenant_with_its_channels() {
    let channel = json!({"worldId": 0, "channelId": 0, "ipAddress": "127.0.0.1", "port": 7575});
    let extra = json!({"protocol": "json-lines", "channels": [channel]});
    let (service, tenants) = answers(vec![entry(GMS, 8300, json!({})), entry(LINES, 8484, extra)]);
    let (config, warnings) =
        map(SERVICE_URL, &service, &tenants, Server::EmbeddedSimulator).expect("maps");
    assert!(warnings.is_empty());
    assert_eq!(config.tenants[0].protocol, ProtocolKind::Maple);
    assert_eq!(config.tenants[1].protocol, ProtocolKind::JsonLines);
    assert_eq!(config.channel(1, 0, 0).map(|c| c.port), Some(7575));

    let (service, tenants) = answers(vec![entry(LINES, 8484, json!({"protocol": "lines"}))]);
    assert_eq!(
        error_text(map(
            SERVICE_URL,
            &service,
            &tenants,
            Server::EmbeddedSimulator
        )),
        format!(
            "{SERVICE_URL}: tenants[0].protocol: unknown variant `lines`, expected `maple` or \
             `json-lines`"
        )
    );
}

#[test]
fn errors_name_the_url_and_the_field() {
    // A port of 0 (any free port, for tests) is no port a client can be sent to.
    let (service, tenants) = answers(vec![
        entry(GMS, 8300, json!({})),
        entry(LINES, 0, json!({})),
    ]);
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!("{SERVICE_URL}: tenants[1].port: must be 1 to 65535, got 0")
    );

    let (mut service, tenants) = answers(vec![entry(GMS, 8300, json!({}))]);
    service.tasks[0].kind = "cleanup".into();
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!("{SERVICE_URL}: tasks[0].type: unknown task type \"cleanup\"")
    );

    for region in ["", "GMSGMSGMSGMSGMSGMS", "GMŚ"] {
        let (service, mut tenants) = answers(vec![entry(GMS, 8300, json!({}))]);
        tenants[0].1.region = region.into();
        assert_eq!(
            error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
            format!(
                "{}: region: must be 1 to 16 ASCII characters, got {region:?}",
                tenant_url(GMS)
            )
        );
    }

    let (service, mut tenants) = answers(vec![entry(GMS, 8300, json!({}))]);
    tenants[0].1.id = uuid(LINES);
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!(
            "{}: id: the answer is tenant {LINES}'s, not {GMS}'s",
            tenant_url(GMS)
        )
    );
}

#[test]
fn the_service_files_checks_apply_with_the_url_as_origin() {
    let (service, tenants) = answers(vec![
        entry(GMS, 8300, json!({})),
        entry(LINES, 8300, json!({})),
    ]);
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!("{SERVICE_URL}: tenants[1]: duplicate tenant port 8300 (also tenants[0])")
    );

    let (service, tenants) = answers(Vec::new());
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!("{SERVICE_URL}: tenants: no tenants configured, at least one is required")
    );

    let (mut service, tenants) = answers(vec![entry(GMS, 8300, json!({}))]);
    service.tasks[0].interval = 0;
    assert_eq!(
        error_text(map(SERVICE_URL, &service, &tenants, Server::Atlas)),
        format!("{SERVICE_URL}: tasks[0]: timeout interval must be greater than 0")
    );
}

// ---- The load, against the in-process simulator -------------------------------------------

/// A simulator serving `services` and `tenants` as its configurations.
async fn start_sim(services: Value, tenants: Value) -> RunningSim {
    let data = json!({"configurations": {"services": services, "tenants": tenants}});
    let data = SimData::from_json(&data.to_string()).expect("sim data");
    AtlasSim::start(
        "127.0.0.1:0".parse().expect("addr"),
        data,
        Box::new(NoSeeds),
    )
    .await
    .expect("simulator")
}

/// A client of `root` (`/api/` appended) with a short timeout.
fn client(root: &str) -> RestClient {
    let root = format!("{root}api/");
    let endpoints = Endpoints::new(None, vec![(Domain::Configurations, root)]).expect("endpoints");
    RestClient::new(
        endpoints,
        ClientConfig::with_timeout(Duration::from_millis(500)),
    )
    .expect("client")
}

const QUICK: Backoff = Backoff {
    first: Duration::from_millis(5),
    max: Duration::from_millis(20),
};

fn service(tenants: Value) -> Value {
    json!([{"id": SERVICE_ID, "tasks": [{"type": "timeout", "interval": 5000, "duration": 3_600_000}],
            "tenants": tenants}])
}

fn gms83_json(id: &str) -> Value {
    json!({"id": id, "region": "GMS", "majorVersion": 83, "minorVersion": 1, "usesPin": false,
           "socket": {"handlers": [{"opCode": "0x01", "validator": "NoOpValidator", "handler": "LoginHandle"}]}})
}

/// Every report, in order.
#[derive(Default)]
struct Reports(Mutex<Vec<Option<String>>>);

impl Reports {
    fn push(&self, why: Option<String>) {
        self.0.lock().expect("lock").push(why);
    }
    fn all(&self) -> Vec<Option<String>> {
        self.0.lock().expect("lock").clone()
    }
}

#[tokio::test]
async fn the_load_reads_the_service_then_each_tenant() {
    let sim = start_sim(
        service(json!([{"id": GMS, "port": 8300}, {"id": LINES, "port": 8484}])),
        json!([gms83_json(GMS), gms83_json(LINES)]),
    )
    .await;
    let reports = Reports::default();
    let loaded = load(
        &client(&sim.base_url()),
        uuid(SERVICE_ID),
        Server::Atlas,
        QUICK,
        &|why| reports.push(why),
    )
    .await
    .expect("loaded");
    let url = format!("{}api/configurations/services/{SERVICE_ID}", sim.base_url());
    assert_eq!(loaded.url, url);
    let ports: Vec<u16> = loaded.service.tenants.iter().map(|t| t.port).collect();
    assert_eq!(ports, [8300, 8484]);
    let socket = loaded.service.tenants[0].socket.as_ref().expect("socket");
    assert_eq!(socket["handlers"][0]["handler"], "LoginHandle");
    assert_eq!(
        loaded.service.idle_timeout().map(|(i, _)| i.as_millis()),
        Some(5000)
    );
    assert_eq!(
        reports.all(),
        [
            Some(format!(
                "loading the configuration from the configuration service at {url}"
            )),
            None
        ]
    );
}

#[tokio::test]
async fn a_missing_configuration_stops_the_load_naming_the_url() {
    let sim = start_sim(service(json!([{"id": GMS, "port": 8300}])), json!([])).await;
    let client = client(&sim.base_url());
    let other = Uuid::new_v4();
    let error = load(&client, other, Server::Atlas, QUICK, &|_| {})
        .await
        .expect_err("no such service")
        .to_string();
    assert_eq!(
        error,
        format!(
            "{}api/configurations/services/{other}: not found (404): the configuration service \
             has no configuration for service {other} (SERVICE_ID)",
            sim.base_url()
        )
    );
    let error = load(&client, other, Server::EmbeddedSimulator, QUICK, &|_| {})
        .await
        .expect_err("no such service")
        .to_string();
    assert!(
        error.ends_with(
            "(SERVICE_ID); the embedded REST simulator serves ATLAS_SIM_FILE's configurations: \
             give it a \"default\" service, or set SERVICE_CONFIG"
        ),
        "{error}"
    );
    let error = load(&client, uuid(SERVICE_ID), Server::Atlas, QUICK, &|_| {})
        .await
        .expect_err("no such tenant")
        .to_string();
    let root = format!("{}api/configurations/", sim.base_url());
    assert_eq!(
        error,
        format!(
            "{root}tenants/{GMS}: not found (404): the configuration service has no \
             configuration for tenant {GMS} (tenants[0] of {root}services/{SERVICE_ID})"
        )
    );
}

#[tokio::test]
async fn a_malformed_tenant_stops_the_load_naming_the_url_and_the_field() {
    let mut bad = gms83_json(GMS);
    bad["majorVersion"] = json!("83");
    let sim = start_sim(service(json!([{"id": GMS, "port": 8300}])), json!([bad])).await;
    let error = load(
        &client(&sim.base_url()),
        uuid(SERVICE_ID),
        Server::Atlas,
        QUICK,
        &|_| {},
    )
    .await
    .expect_err("malformed")
    .to_string();
    assert_eq!(
        error,
        format!(
            "{}api/configurations/tenants/{GMS}: majorVersion: invalid type: string \"83\", \
             expected u16",
            sim.base_url()
        )
    );

    let mut no_region = gms83_json(GMS);
    no_region.as_object_mut().expect("object").remove("region");
    let sim = start_sim(
        service(json!([{"id": GMS, "port": 8300}])),
        json!([no_region]),
    )
    .await;
    let error = load(
        &client(&sim.base_url()),
        uuid(SERVICE_ID),
        Server::Atlas,
        QUICK,
        &|_| {},
    )
    .await
    .expect_err("no region")
    .to_string();
    assert_eq!(
        error,
        format!(
            "{}api/configurations/tenants/{GMS}: region: missing",
            sim.base_url()
        )
    );

    let sim = start_sim(
        service(json!([{"id": GMS, "port": 99_999}])),
        json!([gms83_json(GMS)]),
    )
    .await;
    let error = load(
        &client(&sim.base_url()),
        uuid(SERVICE_ID),
        Server::Atlas,
        QUICK,
        &|_| {},
    )
    .await
    .expect_err("bad port")
    .to_string();
    assert_eq!(
        error,
        format!(
            "{}api/configurations/services/{SERVICE_ID}: tenants[0].port: invalid value: integer \
             `99999`, expected u16",
            sim.base_url()
        )
    );
}

#[tokio::test]
async fn a_5xx_is_retried_and_reported_until_the_service_answers() {
    let sim = start_sim(
        service(json!([{"id": GMS, "port": 8300}])),
        json!([gms83_json(GMS)]),
    )
    .await;
    sim.faults()
        .add(Fault::status("configurations/services/*", 503).times(2));
    sim.faults()
        .add(Fault::status("configurations/tenants/*", 502).times(1));
    let reports = Reports::default();
    let loaded = load(
        &client(&sim.base_url()),
        uuid(SERVICE_ID),
        Server::Atlas,
        QUICK,
        &|why| reports.push(why),
    )
    .await
    .expect("loaded after retries");
    assert_eq!(loaded.service.tenants.len(), 1);
    let root = format!("{}api/configurations/", sim.base_url());
    let waiting = |path: &str, status: u16| {
        Some(format!(
            "waiting for the configuration service at {root}{path}: status {status}"
        ))
    };
    let service_path = format!("services/{SERVICE_ID}");
    let tenant_path = format!("tenants/{GMS}");
    assert_eq!(
        reports.all(),
        [
            Some(format!(
                "loading the configuration from the configuration service at {root}{service_path}"
            )),
            waiting(&service_path, 503),
            waiting(&service_path, 503),
            waiting(&tenant_path, 502),
            None
        ]
    );
}

#[tokio::test]
async fn an_unreachable_service_is_retried_until_the_load_is_cancelled() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let root = format!("http://{}/", closed.local_addr().expect("addr"));
    drop(closed);
    let reports = Reports::default();
    let client = client(&root);
    let report = |why| reports.push(why);
    let load = load(&client, uuid(SERVICE_ID), Server::Atlas, QUICK, &report);
    let outcome = tokio::time::timeout(Duration::from_millis(300), load).await;
    assert!(outcome.is_err(), "still retrying: {outcome:?}");
    let all = reports.all();
    assert!(all.len() >= 3, "{all:?}");
    let prefix = format!(
        "waiting for the configuration service at {root}api/configurations/services/{SERVICE_ID}: "
    );
    for why in &all[1..] {
        let why = why.as_deref().expect("a reason");
        assert!(why.starts_with(&prefix), "{why}");
        assert!(why.to_ascii_lowercase().contains("connect"), "{why}");
        assert_eq!(
            why.matches("/configurations/").count(),
            1,
            "the URL once: {why}"
        );
    }
}

#[test]
fn the_back_off_starts_at_half_a_second_and_doubles_to_ten() {
    assert_eq!(
        Backoff::default(),
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(10)
        }
    );
    let backoff = Backoff::default();
    let mut wait = backoff.first;
    let mut waits = Vec::new();
    for _ in 0..7 {
        waits.push(wait.as_millis());
        wait = backoff.next(wait);
    }
    assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
}
