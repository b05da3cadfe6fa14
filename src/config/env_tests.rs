//! Tests of `config/env.rs`.

use super::*;

const DEFAULT_ENV: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.env"));
const ID: &str = "7acb6545-97f0-4438-8be3-8a6e52c4097c";

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn env(pairs: &[(&str, &str)]) -> Result<Env, ConfigError> {
    let mut all = vars(&[("SERVICE_ID", ID)]);
    all.extend(vars(pairs));
    Env::from_vars(all)
}

/// `NAME` of a line `NAME=value` or `# NAME=value`, if the line is one.
fn documented_name(line: &str) -> Option<&str> {
    let (name, _) = line.trim_start_matches('#').trim().split_once('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(name)
}

/// The uncommented `NAME=value` lines of default.env.
fn default_env_values() -> Vec<(String, String)> {
    let lines = DEFAULT_ENV
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    lines
        .map(|line| {
            let (name, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not NAME=value: {line}"));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn default_env_documents_exactly_the_known_variables() {
    let mut documented: Vec<&str> = DEFAULT_ENV
        .lines()
        .filter_map(documented_name)
        .filter(|n| !n.starts_with(KAFKA_PREFIX))
        .collect();
    documented.sort_unstable();
    let mut known = KNOWN_VARS.to_vec();
    known.sort_unstable();
    assert_eq!(documented, known);
}

#[test]
fn default_env_puts_a_comment_above_each_variable() {
    let lines: Vec<&str> = DEFAULT_ENV.lines().collect();
    for (i, line) in lines.iter().enumerate().skip(1) {
        if documented_name(line).is_some_and(|n| KNOWN_VARS.contains(&n)) {
            let above = lines[i - 1];
            assert!(
                above.starts_with('#') && documented_name(above).is_none(),
                "no comment above {line}"
            );
        }
    }
}

#[test]
fn default_env_values_are_the_code_defaults() {
    let values = default_env_values();
    assert!(
        values.iter().all(|(n, _)| KNOWN_VARS.contains(&n.as_str())),
        "{values:?}"
    );
    assert!(
        values.iter().all(|(n, _)| n != "SERVICE_ID"),
        "SERVICE_ID has no default"
    );
    let mut with_file = values.clone();
    with_file.push(("SERVICE_ID".into(), ID.into()));
    assert_eq!(Env::from_vars(with_file).unwrap(), env(&[]).unwrap());
    assert_eq!(
        SimEnv::from_vars(values.clone()).unwrap(),
        SimEnv::from_vars(vec![]).unwrap()
    );
    // The one documented exception: ATLAS_SIM_ADDRESS's value there is the embedded
    // simulator's default, and the atlas-sim binary's own is 127.0.0.1:8080.
    let atlas_sim = AtlasSimEnv::from_vars(values.clone()).unwrap();
    assert_eq!(
        atlas_sim.atlas_sim_address,
        "127.0.0.1:0".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(
        AtlasSimEnv {
            atlas_sim_address: "127.0.0.1:8080".parse().unwrap(),
            ..atlas_sim
        },
        AtlasSimEnv::from_vars(vec![]).unwrap()
    );
    let mut commented: Vec<&str> = KNOWN_VARS
        .iter()
        .copied()
        .filter(|k| values.iter().all(|(n, _)| n != k))
        .collect();
    commented.sort_unstable();
    assert_eq!(
        commented,
        [
            "ACCOUNTS_SERVICE_URL",
            "BASE_SERVICE_URL",
            "BOOTSTRAP_SERVERS",
            "CHANNELS_SERVICE_URL",
            "CHARACTERS_SERVICE_URL",
            "CHARACTER_FACTORY_SERVICE_URL",
            "CONFIGURATIONS_SERVICE_URL",
            "GUILDS_SERVICE_URL",
            "INVENTORY_SERVICE_URL",
            "JAEGER_HOST_PORT",
            "LOG_LEVEL",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "RUST_LOG",
            "SERVICE_CONFIG",
            "SERVICE_ID",
            "WORLDS_SERVICE_URL"
        ],
        "only the variables without a default value are commented"
    );
}

#[test]
fn defaults_apply_when_only_service_id_is_set() {
    let env = env(&[]).unwrap();
    assert_eq!(env.bootstrap_servers, None);
    assert_eq!(env.service_config, None);
    assert_eq!(env.gateway_bind_address, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(env.gateway_max_line_bytes, 8192);
    assert_eq!(env.gateway_max_bad_requests, 10);
    assert_eq!(
        env.admin_address,
        "127.0.0.1:9464".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(env.max_sessions, 100_000);
    assert_eq!(env.max_sessions_per_ip, 1024);
    assert_eq!(env.login_max_failures, 5);
    assert_eq!(env.login_failure_window_ms, 600_000);
    assert_eq!(env.duplicate_login, DuplicateLogin::Reject);
    assert_eq!(env.login_timeout_ms, 10_000);
    assert_eq!(env.shutdown_step_timeout_ms, 5_000);
    assert!(env.embedded_account_sim);
    assert_eq!(env.accounts_file, PathBuf::from("config/accounts.json"));
    assert_eq!(env.endpoints, Endpoints::default());
    assert_eq!(env.endpoints.missing(), Domain::ALL);
    assert_eq!(env.rest_timeout_ms, 2_000);
    assert!(env.embedded_atlas_sim);
    assert_eq!(env.atlas_sim_file, PathBuf::from("config/atlas-sim.json"));
    assert_eq!(
        env.atlas_sim_address,
        "127.0.0.1:0".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(env.log_format, LogFormat::Text);
    assert_eq!(env.log_filter, "info");
    assert_eq!(env.otlp_endpoint, None);
    assert_eq!(env.kafka, KafkaProperties::default());
}

#[test]
fn missing_service_id_names_the_variable() {
    let err = Env::from_vars(vars(&[("PATH", "/bin")])).unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingVar { name: "SERVICE_ID" }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "SERVICE_ID is required but not set");
}

#[test]
fn blank_service_id_counts_as_missing() {
    let err = Env::from_vars(vars(&[("SERVICE_ID", "  ")])).unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingVar { name: "SERVICE_ID" }),
        "{err:?}"
    );
}

#[test]
fn invalid_service_id_names_the_variable() {
    let err = Env::from_vars(vars(&[("SERVICE_ID", "abc")])).unwrap_err();
    assert_eq!(err.to_string(), "SERVICE_ID must be a UUID, got \"abc\"");
}

#[test]
fn a_bad_number_names_the_variable() {
    let err = env(&[("LOGIN_TIMEOUT_MS", "abc")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LOGIN_TIMEOUT_MS must be a whole number, got \"abc\""
    );
    let err = env(&[("GATEWAY_MAX_LINE_BYTES", "-1")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GATEWAY_MAX_LINE_BYTES must be a whole number, got \"-1\""
    );
}

#[test]
fn numbers_below_their_minimum_are_rejected() {
    for (name, value, min) in [
        ("GATEWAY_MAX_LINE_BYTES", "63", 64),
        ("GATEWAY_MAX_BAD_REQUESTS", "0", 1),
        ("LOGIN_TIMEOUT_MS", "0", 1),
        ("SHUTDOWN_STEP_TIMEOUT_MS", "0", 1),
        ("REST_TIMEOUT_MS", "0", 1),
        ("MAX_SESSIONS", "0", 1),
        ("LOGIN_FAILURE_WINDOW_MS", "0", 1),
    ] {
        let err = env(&[(name, value)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{name} must be at least {min}, got {value}")
        );
    }
    assert_eq!(
        env(&[("GATEWAY_MAX_LINE_BYTES", "64")])
            .unwrap()
            .gateway_max_line_bytes,
        64
    );
}

#[test]
fn numbers_too_large_for_their_field_are_rejected() {
    let err = env(&[("GATEWAY_MAX_BAD_REQUESTS", "4294967296")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GATEWAY_MAX_BAD_REQUESTS must be at most 4294967295, got 4294967296"
    );
}

#[test]
fn session_and_login_limits_can_be_overridden() {
    let env = env(&[
        ("MAX_SESSIONS", "1"),
        ("MAX_SESSIONS_PER_IP", " 4 "),
        ("LOGIN_MAX_FAILURES", "3"),
        ("LOGIN_FAILURE_WINDOW_MS", "60000"),
    ])
    .unwrap();
    assert_eq!(
        (
            env.max_sessions,
            env.max_sessions_per_ip,
            env.login_max_failures,
            env.login_failure_window_ms
        ),
        (1, 4, 3, 60_000)
    );
}

#[test]
fn zero_means_no_limit_for_sessions_per_ip_and_login_failures() {
    let env = env(&[("MAX_SESSIONS_PER_IP", "0"), ("LOGIN_MAX_FAILURES", "0")]).unwrap();
    assert_eq!((env.max_sessions_per_ip, env.login_max_failures), (0, 0));
}

#[test]
fn bad_session_and_login_limits_name_the_variable() {
    for (name, value, message) in [
        (
            "MAX_SESSIONS",
            "0",
            "MAX_SESSIONS must be at least 1, got 0",
        ),
        (
            "MAX_SESSIONS",
            "4294967296",
            "MAX_SESSIONS must be at most 4294967295, got 4294967296",
        ),
        (
            "MAX_SESSIONS_PER_IP",
            "many",
            "MAX_SESSIONS_PER_IP must be a whole number, got \"many\"",
        ),
        (
            "MAX_SESSIONS_PER_IP",
            "-1",
            "MAX_SESSIONS_PER_IP must be a whole number, got \"-1\"",
        ),
        (
            "LOGIN_MAX_FAILURES",
            "4294967296",
            "LOGIN_MAX_FAILURES must be at most 4294967295, got 4294967296",
        ),
        (
            "LOGIN_FAILURE_WINDOW_MS",
            "0",
            "LOGIN_FAILURE_WINDOW_MS must be at least 1, got 0",
        ),
        (
            "LOGIN_FAILURE_WINDOW_MS",
            "10m",
            "LOGIN_FAILURE_WINDOW_MS must be a whole number, got \"10m\"",
        ),
    ] {
        let err = env(&[(name, value)]).unwrap_err();
        assert_eq!(err.to_string(), message, "{name}={value}");
    }
}

#[test]
fn admin_address_can_be_overridden() {
    for value in ["0.0.0.0:9464", "127.0.0.1:0", "[::1]:9100", " [::]:9464 "] {
        let env = env(&[("ADMIN_ADDRESS", value)]).unwrap();
        assert_eq!(
            env.admin_address,
            value.trim().parse::<SocketAddr>().unwrap(),
            "{value:?}"
        );
    }
}

#[test]
fn an_invalid_admin_address_names_the_variable() {
    for value in ["localhost:9464", "127.0.0.1", ":9464", "127.0.0.1:65536"] {
        let err = env(&[("ADMIN_ADDRESS", value)]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidVar {
                    name: "ADMIN_ADDRESS",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "ADMIN_ADDRESS must be an IP address and port such as 127.0.0.1:9464, \
                 got {value:?}"
            )
        );
    }
}

fn env_with_otlp(pairs: &[(&str, &str)]) -> Option<String> {
    env(pairs).unwrap().otlp_endpoint
}

#[test]
fn otlp_endpoint_is_taken_as_given() {
    assert_eq!(
        env_with_otlp(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " https://otel.example:4318 ")]).as_deref(),
        Some("https://otel.example:4318")
    );
    assert_eq!(
        env_with_otlp(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).as_deref(),
        Some("collector:4318")
    );
}

#[test]
fn jaeger_host_port_is_the_otlp_endpoint_with_a_scheme() {
    assert_eq!(
        env_with_otlp(&[("JAEGER_HOST_PORT", "jaeger:4318")]).as_deref(),
        Some("http://jaeger:4318")
    );
    assert_eq!(
        env_with_otlp(&[("JAEGER_HOST_PORT", "https://jaeger:4318")]).as_deref(),
        Some("https://jaeger:4318")
    );
}

#[test]
fn otel_exporter_otlp_endpoint_wins_over_jaeger_host_port() {
    assert_eq!(
        env_with_otlp(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"),
            ("JAEGER_HOST_PORT", "jaeger:4318"),
        ])
        .as_deref(),
        Some("http://otel:4318")
    );
    assert_eq!(
        env_with_otlp(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", " "),
            ("JAEGER_HOST_PORT", "jaeger:4318"),
        ])
        .as_deref(),
        Some("http://jaeger:4318")
    );
    assert_eq!(
        env_with_otlp(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            ("JAEGER_HOST_PORT", ""),
        ]),
        None
    );
}

#[test]
fn duplicate_login_is_reject_or_replace_in_any_case() {
    for (value, expected) in [
        ("reject", DuplicateLogin::Reject),
        ("REJECT", DuplicateLogin::Reject),
        ("replace", DuplicateLogin::Replace),
        (" Replace ", DuplicateLogin::Replace),
        ("", DuplicateLogin::Reject),
    ] {
        let env = env(&[("DUPLICATE_LOGIN", value)]).unwrap();
        assert_eq!(env.duplicate_login, expected, "{value:?}");
    }
}

#[test]
fn an_invalid_duplicate_login_names_the_variable() {
    for value in ["kick", "allow", "true"] {
        let err = env(&[("DUPLICATE_LOGIN", value)]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidVar {
                    name: "DUPLICATE_LOGIN",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("DUPLICATE_LOGIN must be reject or replace, got {value:?}")
        );
    }
}

#[test]
fn values_are_trimmed_and_overrides_apply() {
    let env = env(&[
        ("BOOTSTRAP_SERVERS", " kafka-1:9092,kafka-2:9092 "),
        ("SERVICE_CONFIG", "/etc/login/service.json"),
        ("GATEWAY_BIND_ADDRESS", "::"),
        ("GATEWAY_MAX_LINE_BYTES", "1024"),
        ("GATEWAY_MAX_BAD_REQUESTS", "3"),
        ("LOGIN_TIMEOUT_MS", " 2500"),
        ("SHUTDOWN_STEP_TIMEOUT_MS", "100"),
    ])
    .unwrap();
    assert_eq!(
        env.bootstrap_servers.as_deref(),
        Some("kafka-1:9092,kafka-2:9092")
    );
    assert_eq!(
        env.service_config,
        Some(PathBuf::from("/etc/login/service.json"))
    );
    assert_eq!(env.gateway_bind_address, "::".parse::<IpAddr>().unwrap());
    assert_eq!(
        (
            env.gateway_max_line_bytes,
            env.gateway_max_bad_requests,
            env.login_timeout_ms,
            env.shutdown_step_timeout_ms
        ),
        (1024, 3, 2500, 100)
    );
}

#[test]
fn empty_values_count_as_unset() {
    let env = env(&[
        ("BOOTSTRAP_SERVERS", ""),
        ("LOGIN_TIMEOUT_MS", ""),
        ("EVENT_TOPIC_SEED_STATUS", " "),
    ])
    .unwrap();
    assert_eq!(env.bootstrap_servers, None);
    assert_eq!(env.login_timeout_ms, 10_000);
    assert_eq!(env.topics.event_seed_status, "EVENT_TOPIC_SEED_STATUS");
}

#[test]
fn an_invalid_bind_address_names_the_variable() {
    let err = env(&[("GATEWAY_BIND_ADDRESS", "localhost")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "GATEWAY_BIND_ADDRESS must be an IP address, got \"localhost\""
    );
}

#[test]
fn topics_default_to_their_variable_names() {
    let topics = env(&[]).unwrap().topics;
    assert_eq!(
        topics.command_account_session,
        "COMMAND_TOPIC_ACCOUNT_SESSION"
    );
    assert_eq!(topics.event_session_status, "EVENT_TOPIC_SESSION_STATUS");
    assert_eq!(topics.event_account_status, "EVENT_TOPIC_ACCOUNT_STATUS");
    assert_eq!(
        topics.event_account_session_status,
        "EVENT_TOPIC_ACCOUNT_SESSION_STATUS"
    );
    assert_eq!(topics.event_seed_status, "EVENT_TOPIC_SEED_STATUS");
}

#[test]
fn topics_can_be_overridden() {
    let topics = env(&[
        ("COMMAND_TOPIC_ACCOUNT_SESSION", "t1"),
        ("EVENT_TOPIC_SESSION_STATUS", "t2"),
        ("EVENT_TOPIC_ACCOUNT_STATUS", "t3"),
        ("EVENT_TOPIC_ACCOUNT_SESSION_STATUS", "t4"),
        ("EVENT_TOPIC_SEED_STATUS", "t5"),
    ])
    .unwrap()
    .topics;
    let names = [
        topics.command_account_session,
        topics.event_session_status,
        topics.event_account_status,
        topics.event_account_session_status,
        topics.event_seed_status,
    ];
    assert_eq!(names, ["t1", "t2", "t3", "t4", "t5"]);
}

#[test]
fn unknown_and_wrongly_cased_variables_are_ignored() {
    let env = env(&[
        ("PATH", "/usr/bin"),
        ("login_timeout_ms", "abc"),
        ("kafka_foo", "bar"),
    ])
    .unwrap();
    assert_eq!(env.login_timeout_ms, 10_000);
    assert_eq!(env.kafka, KafkaProperties::default());
}

#[test]
fn kafka_variables_pass_through_as_sorted_properties() {
    let env = env(&[
        ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
        ("KAFKA_SASL_MECHANISMS", "SCRAM-SHA-512"),
        ("KAFKA_SASL_PASSWORD", " p@ss "),
        ("KAFKA_SSL_CA_LOCATION", ""),
    ])
    .unwrap();
    let expected = vars(&[
        ("sasl.mechanisms", "SCRAM-SHA-512"),
        ("sasl.password", " p@ss "),
        ("security.protocol", "SASL_SSL"),
    ]);
    assert_eq!(env.kafka.common, expected);
    assert!(env.kafka.producer.is_empty() && env.kafka.consumer.is_empty());
}

#[test]
fn scoped_kafka_variables_go_to_one_client_only() {
    let env = env(&[
        ("KAFKA_PRODUCER_LINGER_MS", "3"),
        ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "6000"),
        ("KAFKA_CLIENT_ID", "login"),
    ])
    .unwrap();
    assert_eq!(env.kafka.producer, vars(&[("linger.ms", "3")]));
    assert_eq!(env.kafka.consumer, vars(&[("session.timeout.ms", "6000")]));
    assert_eq!(env.kafka.common, vars(&[("client.id", "login")]));
    for bare in ["KAFKA_PRODUCER_", "KAFKA_CONSUMER_"] {
        let err = Env::from_vars(vars(&[("SERVICE_ID", ID), (bare, "x")])).unwrap_err();
        assert!(matches!(err, ConfigError::EmptyKafkaProperty), "{err:?}");
    }
}

#[test]
fn a_bare_kafka_prefix_is_an_error() {
    let err = env(&[("KAFKA_", "x")]).unwrap_err();
    assert!(matches!(err, ConfigError::EmptyKafkaProperty), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("KAFKA_ (and KAFKA_PRODUCER_, KAFKA_CONSUMER_) must be followed"),
        "{err}"
    );
}

#[test]
fn debug_redacts_secret_kafka_values() {
    let env = env(&[
        ("KAFKA_SASL_USERNAME", "login"),
        ("KAFKA_SASL_PASSWORD", "hunter2"),
        ("KAFKA_SSL_KEY_PASSWORD", "swordfish"),
        ("KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET", "s3cr3t"),
        ("KAFKA_SSL_KEY_PEM", "-----BEGIN"),
        ("KAFKA_CONSUMER_SSL_KEY_PASSWORD", "c0nsumer"),
        ("KAFKA_PRODUCER_SASL_PASSWORD", "pr0ducer"),
    ])
    .unwrap();
    let debug = format!("{env:?}");
    for secret in [
        "hunter2",
        "swordfish",
        "s3cr3t",
        "BEGIN",
        "c0nsumer",
        "pr0ducer",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(
        debug.contains(r#"("sasl.password", <redacted>)"#),
        "{debug}"
    );
    assert!(debug.contains(r#"("sasl.username", "login")"#), "{debug}");
    assert!(debug.contains(ID), "{debug}");
}

#[test]
fn group_id_is_login_service_and_the_lowercase_hyphenated_id() {
    let env = Env::from_vars(vars(&[("SERVICE_ID", "7ACB654597F044388BE38A6E52C4097C")])).unwrap();
    assert_eq!(
        env.group_id(),
        "Login Service - 7acb6545-97f0-4438-8be3-8a6e52c4097c"
    );
}

#[test]
fn only_known_and_kafka_variables_are_read() {
    assert!(is_read("SERVICE_ID") && is_read("KAFKA_SASL_PASSWORD"));
    assert!(!is_read("PATH") && !is_read("service_id"));
}

#[test]
fn embedded_account_sim_accepts_true_false_1_and_0_in_any_case() {
    for (value, expected) in [
        ("true", true),
        ("TRUE", true),
        ("True", true),
        ("1", true),
        ("false", false),
        ("FALSE", false),
        (" False ", false),
        ("0", false),
    ] {
        let env = env(&[("EMBEDDED_ACCOUNT_SIM", value)]).unwrap();
        assert_eq!(env.embedded_account_sim, expected, "{value:?}");
    }
    assert!(
        env(&[("EMBEDDED_ACCOUNT_SIM", "")])
            .unwrap()
            .embedded_account_sim
    );
}

#[test]
fn an_invalid_embedded_account_sim_names_the_variable() {
    for value in ["yes", "2", "on"] {
        let err = env(&[("EMBEDDED_ACCOUNT_SIM", value)]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidVar {
                    name: "EMBEDDED_ACCOUNT_SIM",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("EMBEDDED_ACCOUNT_SIM must be true or false, got {value:?}")
        );
    }
}

#[test]
fn accounts_file_can_be_overridden() {
    let env = env(&[("ACCOUNTS_FILE", " /etc/login/accounts.json ")]).unwrap();
    assert_eq!(env.accounts_file, PathBuf::from("/etc/login/accounts.json"));
}

#[test]
fn log_format_is_text_or_json_in_any_case() {
    for (value, expected) in [
        ("text", LogFormat::Text),
        ("TEXT", LogFormat::Text),
        ("json", LogFormat::Json),
        ("Json", LogFormat::Json),
    ] {
        assert_eq!(env(&[("LOG_FORMAT", value)]).unwrap().log_format, expected);
    }
    let err = env(&[("LOG_FORMAT", "xml")]).unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InvalidVar {
                name: "LOG_FORMAT",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "LOG_FORMAT must be text or json, got \"xml\""
    );
}

#[test]
fn rust_log_wins_over_log_level() {
    let filter = |pairs: &[(&str, &str)]| env(pairs).unwrap().log_filter;
    assert_eq!(
        filter(&[
            ("RUST_LOG", "info,login_orchestrator=debug"),
            ("LOG_LEVEL", "WARN")
        ]),
        "info,login_orchestrator=debug"
    );
    assert_eq!(filter(&[("LOG_LEVEL", "DEBUG")]), "debug");
    assert_eq!(
        filter(&[("RUST_LOG", " "), ("LOG_LEVEL", "Trace")]),
        "trace"
    );
    assert_eq!(filter(&[("RUST_LOG", ""), ("LOG_LEVEL", "")]), "info");
}

#[test]
fn rust_log_is_kept_as_written() {
    let env = env(&[("RUST_LOG", "login_orchestrator::session=TRACE")]).unwrap();
    assert_eq!(env.log_filter, "login_orchestrator::session=TRACE");
}

#[test]
fn sim_env_needs_no_service_id_and_takes_the_defaults() {
    let sim = SimEnv::from_vars(vars(&[("PATH", "/bin")])).unwrap();
    let env = env(&[]).unwrap();
    assert_eq!(sim.bootstrap_servers, None);
    assert_eq!(sim.topics, env.topics);
    assert_eq!(sim.accounts_file, PathBuf::from("config/accounts.json"));
    assert_eq!(sim.log_format, LogFormat::Text);
    assert_eq!(sim.log_filter, "info");
    assert_eq!(sim.kafka, KafkaProperties::default());
}

#[test]
fn sim_env_reads_its_variables_as_env_does() {
    let pairs = [
        ("BOOTSTRAP_SERVERS", " kafka-1:9092 "),
        ("EVENT_TOPIC_ACCOUNT_STATUS", "accounts"),
        ("ACCOUNTS_FILE", "/tmp/accounts.json"),
        ("LOG_FORMAT", "JSON"),
        ("LOG_LEVEL", "Debug"),
        ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
    ];
    let sim = SimEnv::from_vars(vars(&pairs)).unwrap();
    let env = env(&pairs).unwrap();
    let expected = SimEnv {
        bootstrap_servers: env.bootstrap_servers,
        topics: env.topics,
        accounts_file: env.accounts_file,
        kafka: env.kafka,
        log_format: env.log_format,
        log_filter: env.log_filter,
    };
    assert_eq!(sim, expected);
    assert_eq!(sim.bootstrap_servers.as_deref(), Some("kafka-1:9092"));
    assert_eq!(sim.topics.event_account_status, "accounts");
    assert_eq!(sim.log_format, LogFormat::Json);
    assert_eq!(sim.log_filter, "debug");
    assert_eq!(sim.kafka.common, vars(&[("security.protocol", "SASL_SSL")]));
}

#[test]
fn sim_env_ignores_the_service_variables() {
    let sim = SimEnv::from_vars(vars(&[
        ("SERVICE_ID", "abc"),
        ("GATEWAY_MAX_LINE_BYTES", "1"),
        ("EMBEDDED_ACCOUNT_SIM", "maybe"),
        ("ADMIN_ADDRESS", "nowhere"),
        ("MAX_SESSIONS", "0"),
        ("MAX_SESSIONS_PER_IP", "x"),
        ("LOGIN_MAX_FAILURES", "x"),
        ("LOGIN_FAILURE_WINDOW_MS", "0"),
        ("DUPLICATE_LOGIN", "kick"),
        ("BASE_SERVICE_URL", "nowhere"),
        ("WORLDS_SERVICE_URL", "https://tls/"),
        ("REST_TIMEOUT_MS", "0"),
        ("EMBEDDED_ATLAS_SIM", "maybe"),
        ("ATLAS_SIM_ADDRESS", "nowhere"),
    ]));
    assert!(sim.is_ok(), "{sim:?}");
}

#[test]
fn sim_env_errors_name_the_variable() {
    let err = SimEnv::from_vars(vars(&[("LOG_FORMAT", "xml")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LOG_FORMAT must be text or json, got \"xml\""
    );
    let err = SimEnv::from_vars(vars(&[("KAFKA_", "x")])).unwrap_err();
    assert!(matches!(err, ConfigError::EmptyKafkaProperty), "{err:?}");
}

#[test]
fn sim_env_debug_redacts_secret_kafka_values() {
    let sim = SimEnv::from_vars(vars(&[
        ("KAFKA_SASL_USERNAME", "sim"),
        ("KAFKA_SASL_PASSWORD", "hunter2"),
    ]))
    .unwrap();
    let debug = format!("{sim:?}");
    assert!(!debug.contains("hunter2"), "leaked: {debug}");
    assert!(
        debug.contains(r#"("sasl.password", <redacted>)"#),
        "{debug}"
    );
    assert!(debug.contains(r#"("sasl.username", "sim")"#), "{debug}");
    assert!(debug.contains("config/accounts.json"), "{debug}");
}

#[test]
fn env_debug_shows_the_new_fields() {
    let debug = format!("{:?}", env(&[("LOG_FORMAT", "json")]).unwrap());
    for part in [
        "embedded_account_sim: true",
        "accounts_file: \"config/accounts.json\"",
        "log_format: Json",
        "log_filter: \"info\"",
        "admin_address: 127.0.0.1:9464",
        "max_sessions: 100000",
        "max_sessions_per_ip: 1024",
        "login_max_failures: 5",
        "login_failure_window_ms: 600000",
        "duplicate_login: Reject",
        "otlp_endpoint: None",
        "rest_timeout_ms: 2000",
        "embedded_atlas_sim: true",
        "atlas_sim_file: \"config/atlas-sim.json\"",
        "atlas_sim_address: 127.0.0.1:0",
        "endpoints: Endpoints",
    ] {
        assert!(debug.contains(part), "{part} missing: {debug}");
    }
}

#[test]
fn logging_and_simulator_variables_are_read() {
    for name in [
        "EMBEDDED_ACCOUNT_SIM",
        "ACCOUNTS_FILE",
        "LOG_FORMAT",
        "RUST_LOG",
        "LOG_LEVEL",
        "ADMIN_ADDRESS",
        "MAX_SESSIONS",
        "MAX_SESSIONS_PER_IP",
        "LOGIN_MAX_FAILURES",
        "LOGIN_FAILURE_WINDOW_MS",
        "DUPLICATE_LOGIN",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "JAEGER_HOST_PORT",
        "BASE_SERVICE_URL",
        "REST_TIMEOUT_MS",
        "EMBEDDED_ATLAS_SIM",
        "ATLAS_SIM_FILE",
        "ATLAS_SIM_ADDRESS",
    ] {
        assert!(is_read(name), "{name}");
    }
    for domain in Domain::ALL {
        assert!(is_read(domain.env_name()), "{domain}");
    }
}

// ---- Atlas REST services and the REST simulator -------------------------------------------

#[test]
fn service_urls_are_the_base_and_per_domain_overrides_with_a_slash_added() {
    let env = env(&[
        (
            "BASE_SERVICE_URL",
            " http://atlas-ingress.atlas-main.svc.cluster.local:80/api ",
        ),
        ("CHARACTER_FACTORY_SERVICE_URL", "http://factory:8080/api/"),
    ])
    .unwrap();
    let e = &env.endpoints;
    assert_eq!(
        e.url(Domain::Accounts, "accounts/1").as_deref(),
        Some("http://atlas-ingress.atlas-main.svc.cluster.local:80/api/accounts/1")
    );
    assert_eq!(
        e.url(Domain::CharacterFactory, "characters/seed")
            .as_deref(),
        Some("http://factory:8080/api/characters/seed")
    );
    assert!(e.missing().is_empty());
}

#[test]
fn each_domain_variable_sets_its_own_domain_only() {
    for domain in Domain::ALL {
        let env = env(&[(domain.env_name(), "http://one:1/api/")]).unwrap();
        assert_eq!(
            env.endpoints.root(domain),
            Some("http://one:1/api/"),
            "{domain}"
        );
        let missing = env.endpoints.missing();
        assert_eq!(missing.len(), Domain::ALL.len() - 1, "{domain}");
        assert!(!missing.contains(&domain), "{domain}");
    }
}

#[test]
fn empty_service_urls_count_as_unset() {
    let env = env(&[("BASE_SERVICE_URL", ""), ("GUILDS_SERVICE_URL", "  ")]).unwrap();
    assert_eq!(env.endpoints, Endpoints::default());
}

#[test]
fn a_bad_service_url_is_an_error_naming_its_variable() {
    use crate::rest::EndpointError;
    for (name, value, reason) in [
        (
            "BASE_SERVICE_URL",
            "atlas-ingress/api/",
            "not an absolute url",
        ),
        ("WORLDS_SERVICE_URL", "https://worlds/api/", "only http"),
        ("ACCOUNTS_SERVICE_URL", "http://accounts/api/?x=1", "query"),
        ("CONFIGURATIONS_SERVICE_URL", "http:///api/", "no host"),
    ] {
        let err = env(&[(name, value)]).unwrap_err();
        assert!(
            matches!(err, ConfigError::ServiceUrl(EndpointError::Invalid { var, .. }) if var == name),
            "{name}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.starts_with(&format!("{name} ")), "{text}");
        assert!(text.contains(reason), "{text}");
    }
}

#[test]
fn a_service_url_with_credentials_is_refused_without_showing_them() {
    let err = env(&[("GUILDS_SERVICE_URL", "http://login:s3cret@guilds/api/")]).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("GUILDS_SERVICE_URL "), "{text}");
    assert!(!text.contains("s3cret"), "leaked: {text}");
    assert!(!format!("{err:?}").contains("s3cret"), "leaked: {err:?}");
}

#[test]
fn rest_timeout_can_be_overridden_and_must_be_a_number() {
    assert_eq!(
        env(&[("REST_TIMEOUT_MS", " 250 ")])
            .unwrap()
            .rest_timeout_ms,
        250
    );
    assert_eq!(
        env(&[("REST_TIMEOUT_MS", "soon")]).unwrap_err().to_string(),
        "REST_TIMEOUT_MS must be a whole number, got \"soon\""
    );
}

#[test]
fn the_rest_client_settings_take_rest_timeout_ms() {
    let env = env(&[
        ("REST_TIMEOUT_MS", "750"),
        ("BASE_SERVICE_URL", "http://b/"),
    ])
    .unwrap();
    let settings = crate::rest::ClientConfig::from_env(&env);
    assert_eq!(settings.timeout, std::time::Duration::from_millis(750));
    let client = crate::rest::RestClient::from_env(&env).unwrap();
    assert_eq!(client.endpoints(), &env.endpoints);
}

#[test]
fn embedded_atlas_sim_is_a_bool_naming_its_variable_when_bad() {
    for (value, expected) in [("false", false), ("0", false), ("TRUE", true), ("1", true)] {
        let env = env(&[("EMBEDDED_ATLAS_SIM", value)]).unwrap();
        assert_eq!(env.embedded_atlas_sim, expected, "{value:?}");
    }
    let err = env(&[("EMBEDDED_ATLAS_SIM", "yes")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "EMBEDDED_ATLAS_SIM must be true or false, got \"yes\""
    );
}

#[test]
fn atlas_sim_file_and_address_can_be_overridden() {
    let env = env(&[
        ("ATLAS_SIM_FILE", " /etc/login/atlas-sim.json "),
        ("ATLAS_SIM_ADDRESS", "0.0.0.0:9000"),
    ])
    .unwrap();
    assert_eq!(
        env.atlas_sim_file,
        PathBuf::from("/etc/login/atlas-sim.json")
    );
    assert_eq!(
        env.atlas_sim_address,
        "0.0.0.0:9000".parse::<SocketAddr>().unwrap()
    );
}

#[test]
fn an_invalid_atlas_sim_address_names_the_variable() {
    for value in ["localhost:8080", "127.0.0.1", "8080"] {
        let err = env(&[("ATLAS_SIM_ADDRESS", value)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "ATLAS_SIM_ADDRESS must be an IP address and port such as 127.0.0.1:8080, got {value:?}"
            )
        );
        let err = AtlasSimEnv::from_vars(vars(&[("ATLAS_SIM_ADDRESS", value)])).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidVar {
                    name: "ATLAS_SIM_ADDRESS",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn atlas_sim_env_needs_no_service_id_and_listens_on_8080_by_default() {
    let sim = AtlasSimEnv::from_vars(vars(&[("PATH", "/bin")])).unwrap();
    assert_eq!(sim.bootstrap_servers, None);
    assert_eq!(sim.event_seed_status, "EVENT_TOPIC_SEED_STATUS");
    assert_eq!(sim.atlas_sim_file, PathBuf::from("config/atlas-sim.json"));
    assert_eq!(
        sim.atlas_sim_address,
        "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(sim.log_format, LogFormat::Text);
    assert_eq!(sim.log_filter, "info");
    assert_eq!(sim.kafka, KafkaProperties::default());
}

#[test]
fn atlas_sim_env_reads_its_variables_as_env_does() {
    let pairs = [
        ("BOOTSTRAP_SERVERS", " kafka-1:9092 "),
        ("EVENT_TOPIC_SEED_STATUS", "seeds"),
        ("ATLAS_SIM_FILE", "/tmp/atlas-sim.json"),
        ("ATLAS_SIM_ADDRESS", "0.0.0.0:8081"),
        ("LOG_FORMAT", "JSON"),
        ("LOG_LEVEL", "Debug"),
        ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"),
    ];
    let sim = AtlasSimEnv::from_vars(vars(&pairs)).unwrap();
    let env = env(&pairs).unwrap();
    let expected = AtlasSimEnv {
        bootstrap_servers: env.bootstrap_servers,
        event_seed_status: env.topics.event_seed_status,
        atlas_sim_file: env.atlas_sim_file,
        atlas_sim_address: env.atlas_sim_address,
        kafka: env.kafka,
        log_format: env.log_format,
        log_filter: env.log_filter,
    };
    assert_eq!(sim, expected);
    assert_eq!(sim.bootstrap_servers.as_deref(), Some("kafka-1:9092"));
    assert_eq!(sim.event_seed_status, "seeds");
    assert_eq!(sim.log_filter, "debug");
    assert_eq!(sim.kafka.common, vars(&[("security.protocol", "SASL_SSL")]));
}

#[test]
fn atlas_sim_env_ignores_the_service_variables() {
    let sim = AtlasSimEnv::from_vars(vars(&[
        ("SERVICE_ID", "abc"),
        ("EMBEDDED_ACCOUNT_SIM", "maybe"),
        ("EMBEDDED_ATLAS_SIM", "maybe"),
        ("BASE_SERVICE_URL", "nowhere"),
        ("ACCOUNTS_SERVICE_URL", "https://tls/"),
        ("REST_TIMEOUT_MS", "0"),
        ("ADMIN_ADDRESS", "nowhere"),
        ("MAX_SESSIONS", "0"),
    ]));
    assert!(sim.is_ok(), "{sim:?}");
}

#[test]
fn atlas_sim_env_errors_name_the_variable_and_debug_redacts_secrets() {
    let err = AtlasSimEnv::from_vars(vars(&[("LOG_FORMAT", "xml")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LOG_FORMAT must be text or json, got \"xml\""
    );
    let err = AtlasSimEnv::from_vars(vars(&[("KAFKA_", "x")])).unwrap_err();
    assert!(matches!(err, ConfigError::EmptyKafkaProperty), "{err:?}");
    let sim = AtlasSimEnv::from_vars(vars(&[("KAFKA_SASL_PASSWORD", "hunter2")])).unwrap();
    let debug = format!("{sim:?}");
    assert!(!debug.contains("hunter2"), "leaked: {debug}");
    assert!(
        debug.contains(r#"("sasl.password", <redacted>)"#),
        "{debug}"
    );
}
