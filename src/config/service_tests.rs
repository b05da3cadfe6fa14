//! Tests of `config/service.rs`.

use super::*;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/service.json"));
const ORIGIN: &str = "config/service.json";
const GMS: &str = "083839c6-c47c-42a6-9585-76492795d123";
const JMS: &str = "7acb6545-97f0-4438-8be3-8a6e52c4097c";

fn tenant(id: &str, port: u16) -> Value {
    json!({"id": id, "region": "GMS", "majorVersion": 83, "minorVersion": 1, "port": port, "channels": []})
}

fn channel(world_id: u8, channel_id: u8) -> Value {
    json!({"worldId": world_id, "channelId": channel_id, "ipAddress": "127.0.0.1", "port": 7575})
}

fn parse(file: Value) -> Result<ServiceConfig, ConfigError> {
    ServiceConfig::parse(&file.to_string(), ORIGIN)
}

fn error(file: Value) -> String {
    parse(file).unwrap_err().to_string()
}

#[test]
fn the_example_file_parses() {
    let config = ServiceConfig::parse(EXAMPLE, ORIGIN).unwrap();
    assert_eq!(
        config.tasks,
        [Task::Timeout {
            interval_ms: 5000,
            duration_ms: 3_600_000
        }]
    );
    let game = TenantConfig {
        id: GMS.parse().unwrap(),
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        port: 8300,
        protocol: ProtocolKind::Maple,
        ..TenantConfig::default()
    };
    let gateway = TenantConfig {
        id: "cee1d8b3-eb44-4808-8795-dfc6ef909ff1".parse().unwrap(),
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        port: 8484,
        protocol: ProtocolKind::JsonLines,
        channels: vec![ChannelConfig {
            world_id: 0,
            channel_id: 0,
            ip_address: "127.0.0.1".into(),
            port: 7575,
        }],
        ..TenantConfig::default()
    };
    // A game socket per client version Atlas ships, then the JSON-lines demo tenant.
    let versions: Vec<(&str, u16, u16, ProtocolKind)> = config
        .tenants
        .iter()
        .map(|t| (t.region.as_str(), t.major_version, t.port, t.protocol))
        .collect();
    assert_eq!(
        versions,
        [
            ("GMS", 83, 8300, ProtocolKind::Maple),
            ("GMS", 12, 1200, ProtocolKind::Maple),
            ("GMS", 87, 8700, ProtocolKind::Maple),
            ("GMS", 92, 9200, ProtocolKind::Maple),
            ("GMS", 95, 9500, ProtocolKind::Maple),
            ("JMS", 185, 18500, ProtocolKind::Maple),
            ("GMS", 83, 8484, ProtocolKind::JsonLines),
        ]
    );
    assert_eq!(config.tenants[0], game);
    assert_eq!(config.tenants[6], gateway);
}

#[test]
fn a_tenant_speaks_the_game_socket_unless_it_says_json_lines() {
    let mut gateway = tenant(GMS, 1);
    gateway["protocol"] = json!("json-lines");
    let mut game = tenant(JMS, 2);
    game["socket"] = json!({"handlers": [], "writers": []});
    game["usesPin"] = json!(true);
    let config = parse(
        json!({"tenants": [tenant("00000000-0000-4000-8000-000000000001", 0), gateway, game]}),
    )
    .unwrap();
    let kinds: Vec<ProtocolKind> = config.tenants.iter().map(|t| t.protocol).collect();
    assert_eq!(
        kinds,
        [
            ProtocolKind::Maple,
            ProtocolKind::JsonLines,
            ProtocolKind::Maple
        ]
    );
    assert!(config.tenants[2].uses_pin && config.tenants[2].socket.is_some());
    let mut odd = tenant(GMS, 3);
    odd["protocol"] = json!("telnet");
    assert!(error(json!({"tenants": [odd]})).contains("unknown variant `telnet`"));
}

#[test]
fn load_reads_the_file_and_names_it_in_errors() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config/service.json"));
    assert_eq!(
        ServiceConfig::load(path).unwrap(),
        ServiceConfig::parse(EXAMPLE, ORIGIN).unwrap()
    );
    let err = ServiceConfig::load(Path::new("/nonexistent/service.json")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("/nonexistent/service.json: "),
        "{err}"
    );
}

#[test]
fn idle_timeout_comes_from_the_timeout_task() {
    let config = ServiceConfig::parse(EXAMPLE, ORIGIN).unwrap();
    assert_eq!(
        config.idle_timeout(),
        Some((Duration::from_secs(5), Duration::from_secs(3600)))
    );
    let config = parse(json!({"tenants": [tenant(GMS, 0)]})).unwrap();
    assert_eq!(config.idle_timeout(), None);
}

#[test]
fn channel_finds_a_tenants_world_and_channel() {
    let mut first = tenant(GMS, 0);
    first["channels"] = json!([channel(0, 0), channel(0, 1), channel(1, 0)]);
    let config = parse(json!({"tenants": [first, tenant(JMS, 0)]})).unwrap();
    assert_eq!(
        config.channel(0, 0, 1),
        Some(&config.tenants[0].channels[1])
    );
    assert_eq!(
        config.channel(0, 1, 0),
        Some(&config.tenants[0].channels[2])
    );
    assert_eq!(config.channel(0, 1, 1), None);
    assert_eq!(config.channel(1, 0, 0), None);
    assert_eq!(config.channel(2, 0, 0), None);
}

#[test]
fn unknown_fields_are_ignored() {
    let mut t = tenant(GMS, 0);
    t["usesPin"] = json!(true);
    t["channels"] =
        json!([{"worldId": 0, "channelId": 0, "ipAddress": "10.0.0.1", "port": 7575, "extra": 1}]);
    let task = json!({"type": "timeout", "interval": 1, "duration": 2, "note": "x"});
    assert!(parse(json!({"tasks": [task], "tenants": [t], "worlds": []})).is_ok());
}

#[test]
fn malformed_json_has_line_and_column() {
    let err = ServiceConfig::parse("{\n  \"tenants\": [\n    {,\n", ORIGIN).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Json {
                line: 3,
                column: 6,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("config/service.json: line 3 column 6: "),
        "{err}"
    );
}

#[test]
fn a_wrong_field_type_has_line_and_column() {
    let text = "{\"tenants\": [{\"id\": \"083839c6-c47c-42a6-9585-76492795d123\", \"region\": \"GMS\",\n\"majorVersion\": 83, \"minorVersion\": 1, \"port\": 70000}]}";
    let err = ServiceConfig::parse(text, ORIGIN).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("config/service.json: line 2 column "),
        "{err}"
    );
    assert!(err.to_string().contains("70000"), "{err}");
}

#[test]
fn an_unknown_task_type_has_line_and_column() {
    let text = "{\n  \"tasks\": [\n    {\"type\": \"foo\", \"interval\": 1, \"duration\": 1}\n  ],\n  \"tenants\": []\n}";
    let err = ServiceConfig::parse(text, ORIGIN).unwrap_err();
    assert_eq!(
        err.to_string(),
        "config/service.json: line 3 column 18: unknown task type \"foo\""
    );
}

#[test]
fn no_tenants_is_an_error() {
    let expected = "config/service.json: tenants: no tenants configured, at least one is required";
    assert_eq!(error(json!({"tenants": []})), expected);
    assert_eq!(error(json!({"tasks": []})), expected);
}

#[test]
fn a_duplicate_tenant_id_is_an_error() {
    let err = error(json!({"tenants": [tenant(GMS, 1), tenant(JMS, 2), tenant(GMS, 3)]}));
    assert_eq!(
        err,
        format!("config/service.json: tenants[2]: duplicate tenant id {GMS} (also tenants[0])")
    );
}

#[test]
fn a_duplicate_tenant_port_is_an_error() {
    let err = error(json!({"tenants": [tenant(GMS, 8484), tenant(JMS, 8484)]}));
    assert_eq!(
        err,
        "config/service.json: tenants[1]: duplicate tenant port 8484 (also tenants[0])"
    );
}

#[test]
fn port_zero_may_repeat() {
    assert!(parse(json!({"tenants": [tenant(GMS, 0), tenant(JMS, 0)]})).is_ok());
}

#[test]
fn a_region_must_be_short_non_empty_ascii() {
    for region in ["", "GMSé", "ABCDEFGHIJKLMNOPQ"] {
        let mut t = tenant(GMS, 0);
        t["region"] = json!(region);
        let err = error(json!({"tenants": [t]}));
        let expected = format!("config/service.json: tenants[0]: region must be 1 to 16 ASCII characters, got {region:?}");
        assert_eq!(err, expected);
    }
    let mut t = tenant(GMS, 0);
    t["region"] = json!("ABCDEFGHIJKLMNOP");
    assert!(parse(json!({"tenants": [t]})).is_ok());
}

#[test]
fn a_duplicate_channel_within_a_tenant_is_an_error() {
    let mut second = tenant(JMS, 0);
    second["channels"] = json!([channel(0, 0), channel(1, 2), channel(0, 1), channel(1, 2)]);
    let mut first = tenant(GMS, 0);
    first["channels"] = json!([channel(1, 2)]);
    let err = error(json!({"tenants": [first, second]}));
    assert_eq!(err, "config/service.json: tenants[1].channels[3]: duplicate world 1 channel 2 (also channels[1])");
}

#[test]
fn a_timeout_task_needs_a_non_zero_interval_and_duration() {
    for (field, interval, duration) in [("interval", 0, 1), ("duration", 1, 0)] {
        let tasks = json!([{"type": "timeout", "interval": 1, "duration": 1}, {"type": "timeout", "interval": interval, "duration": duration}]);
        let err = error(json!({"tasks": tasks, "tenants": [tenant(GMS, 0)]}));
        assert_eq!(
            err,
            format!("config/service.json: tasks[1]: timeout {field} must be greater than 0")
        );
    }
}

#[test]
fn more_than_one_timeout_task_is_an_error() {
    let task = json!({"type": "timeout", "interval": 1, "duration": 1});
    let err = error(json!({"tasks": [task.clone(), task], "tenants": [tenant(GMS, 0)]}));
    assert_eq!(
        err,
        "config/service.json: tasks[1]: more than one timeout task (also tasks[0])"
    );
}

#[test]
fn a_timeout_task_without_interval_is_an_error() {
    let task = json!({"type": "timeout", "duration": 1});
    let err = error(json!({"tasks": [task], "tenants": [tenant(GMS, 0)]}));
    assert!(err.contains("missing field `interval`"), "{err}");
}
