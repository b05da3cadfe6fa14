//! Environment variables: a flat envy struct of raw strings, parsed and checked into [`Env`]
//! (the service), [`SimEnv`] (the `account-sim` binary) or [`AtlasSimEnv`] (the `atlas-sim`
//! binary); `config/default.env` documents each one and a test keeps it in step with the
//! defaults here.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

use serde::Deserialize;
use uuid::Uuid;

use super::ConfigError;
use crate::rest::{Domain, Endpoints};

/// Every variable this crate reads (besides KAFKA_*), for docs/tests.
pub const KNOWN_VARS: &[&str] = &[
    "BOOTSTRAP_SERVERS",
    "SERVICE_ID",
    "SERVICE_CONFIG",
    "COMMAND_TOPIC_ACCOUNT_SESSION",
    "EVENT_TOPIC_SESSION_STATUS",
    "EVENT_TOPIC_ACCOUNT_STATUS",
    "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
    "EVENT_TOPIC_SEED_STATUS",
    "GATEWAY_BIND_ADDRESS",
    "GATEWAY_MAX_LINE_BYTES",
    "GATEWAY_MAX_BAD_REQUESTS",
    "ADMIN_ADDRESS",
    "SESSION_LEDGER_TOPIC_PREFIX",
    "MAX_SESSIONS",
    "MAX_SESSIONS_PER_IP",
    "LOGIN_MAX_FAILURES",
    "LOGIN_FAILURE_WINDOW_MS",
    "DUPLICATE_LOGIN",
    "LOGIN_TIMEOUT_MS",
    "SHUTDOWN_STEP_TIMEOUT_MS",
    "DRAIN_DEADLINE_MS",
    "EMBEDDED_ACCOUNT_SIM",
    "ACCOUNTS_FILE",
    "BASE_SERVICE_URL",
    "ACCOUNTS_SERVICE_URL",
    "WORLDS_SERVICE_URL",
    "CHANNELS_SERVICE_URL",
    "CHARACTERS_SERVICE_URL",
    "INVENTORY_SERVICE_URL",
    "GUILDS_SERVICE_URL",
    "CHARACTER_FACTORY_SERVICE_URL",
    "CONFIGURATIONS_SERVICE_URL",
    "REST_TIMEOUT_MS",
    "EMBEDDED_ATLAS_SIM",
    "ATLAS_SIM_FILE",
    "ATLAS_SIM_ADDRESS",
    "LOG_FORMAT",
    "RUST_LOG",
    "LOG_LEVEL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "JAEGER_HOST_PORT",
];

/// Variables starting with this are librdkafka properties, passed through.
const KAFKA_PREFIX: &str = "KAFKA_";
/// After [`KAFKA_PREFIX`]: a property for the producer only, or the consumer only.
const PRODUCER_SCOPE: &str = "PRODUCER_";
const CONSUMER_SCOPE: &str = "CONSUMER_";
/// Kafka properties whose names contain one of these hold secrets; `Debug` hides their values.
const SECRET_WORDS: &[&str] = &["password", "secret", "key"];

/// The service file read when SERVICE_CONFIG is unset and no configuration service is known.
pub const DEFAULT_SERVICE_CONFIG: &str = "config/service.json";
const DEFAULT_GATEWAY_BIND_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const DEFAULT_SESSION_LEDGER_PREFIX: &str = "login-sessions-";
const DEFAULT_ADMIN_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9464));
const DEFAULT_DUPLICATE_LOGIN: DuplicateLogin = DuplicateLogin::Reject;
const DEFAULT_EMBEDDED_ACCOUNT_SIM: bool = true;
const DEFAULT_ACCOUNTS_FILE: &str = "config/accounts.json";
const DEFAULT_EMBEDDED_ATLAS_SIM: bool = true;
const DEFAULT_ATLAS_SIM_FILE: &str = "config/atlas-sim.json";
/// The in-process simulator's listen address: a free loopback port.
const DEFAULT_ATLAS_SIM_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0));
/// The `atlas-sim` binary's listen address: a fixed port, so a service can be pointed at it.
const DEFAULT_ATLAS_SIM_BINARY_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
const DEFAULT_LOG_FORMAT: LogFormat = LogFormat::Text;
const DEFAULT_LOG_FILTER: &str = "info";

const GATEWAY_MAX_LINE_BYTES: NumberVar = NumberVar {
    name: "GATEWAY_MAX_LINE_BYTES",
    default: 8192,
    min: 64,
    max: usize::MAX as u64,
};
const GATEWAY_MAX_BAD_REQUESTS: NumberVar = NumberVar {
    name: "GATEWAY_MAX_BAD_REQUESTS",
    default: 10,
    min: 1,
    max: u32::MAX as u64,
};
const MAX_SESSIONS: NumberVar = NumberVar {
    name: "MAX_SESSIONS",
    default: 100_000,
    min: 1,
    max: u32::MAX as u64,
};
/// 0 means no limit.
const MAX_SESSIONS_PER_IP: NumberVar = NumberVar {
    name: "MAX_SESSIONS_PER_IP",
    default: 1024,
    min: 0,
    max: u32::MAX as u64,
};
/// 0 means no limit.
const LOGIN_MAX_FAILURES: NumberVar = NumberVar {
    name: "LOGIN_MAX_FAILURES",
    default: 5,
    min: 0,
    max: u32::MAX as u64,
};
const LOGIN_FAILURE_WINDOW_MS: NumberVar = NumberVar {
    name: "LOGIN_FAILURE_WINDOW_MS",
    default: 600_000,
    min: 1,
    max: u64::MAX,
};
const LOGIN_TIMEOUT_MS: NumberVar = NumberVar {
    name: "LOGIN_TIMEOUT_MS",
    default: 10_000,
    min: 1,
    max: u64::MAX,
};
/// Atlas's calls have no timeout at all; ours stop waiting after this.
const REST_TIMEOUT_MS: NumberVar = NumberVar {
    name: "REST_TIMEOUT_MS",
    default: 2_000,
    min: 1,
    max: u64::MAX,
};
const SHUTDOWN_STEP_TIMEOUT_MS: NumberVar = NumberVar {
    name: "SHUTDOWN_STEP_TIMEOUT_MS",
    default: 5_000,
    min: 1,
    max: u64::MAX,
};
/// The newest Atlas's drain: a rolling deploy waits at most this long for logins and channel
/// hand-offs in flight.
const DRAIN_DEADLINE_MS: NumberVar = NumberVar {
    name: "DRAIN_DEADLINE_MS",
    default: 2_000,
    min: 0,
    max: 5_000,
};

/// The variables, typed and checked. `Debug` hides secret Kafka values.
#[derive(Clone, PartialEq, Eq)]
pub struct Env {
    /// BOOTSTRAP_SERVERS: one address or a comma-separated list; `None` when unset or empty
    /// (an embedded broker will be used).
    pub bootstrap_servers: Option<String>,
    /// SERVICE_ID: this instance's own id; names its consumer group.
    pub service_id: Uuid,
    pub topics: Topics,
    /// SERVICE_CONFIG: the service file; `None` when unset. Unset, the configuration comes
    /// from Atlas's configuration service when one is known (CONFIGURATIONS_SERVICE_URL or
    /// BASE_SERVICE_URL), from the embedded REST simulator in the embedded mode, and from
    /// [`DEFAULT_SERVICE_CONFIG`] otherwise (see [`crate::config::ServiceSource`]).
    pub service_config: Option<PathBuf>,
    /// GATEWAY_BIND_ADDRESS: where the tenants' listeners bind, 127.0.0.1 by default.
    pub gateway_bind_address: IpAddr,
    /// GATEWAY_MAX_LINE_BYTES: the longest request line accepted, 8192 by default, at least 64.
    pub gateway_max_line_bytes: usize,
    /// GATEWAY_MAX_BAD_REQUESTS: bad requests tolerated before a connection is closed, 10 by default.
    pub gateway_max_bad_requests: u32,
    /// ADMIN_ADDRESS: where the admin HTTP listener (/healthz, /readyz, /metrics) binds,
    /// 127.0.0.1:9464 (loopback) by default. Port 0 picks a free port; two instances on one host
    /// need different addresses.
    pub admin_address: SocketAddr,
    /// SESSION_LEDGER_TOPIC_PREFIX: the compacted topic that records this instance's live
    /// sessions is this prefix followed by SERVICE_ID (`login-sessions-` by default).
    pub session_ledger_prefix: String,
    /// MAX_SESSIONS: live sessions this instance holds at most, 100000 by default, at least 1;
    /// a connection beyond it gets `error` `UNAVAILABLE` and is closed.
    pub max_sessions: u32,
    /// MAX_SESSIONS_PER_IP: live sessions per client IP address, 1024 by default, 0 for no limit;
    /// a connection beyond it gets `error` `UNAVAILABLE` and is closed. A game edge that opens
    /// one connection per player from one address needs a higher value or 0.
    pub max_sessions_per_ip: u32,
    /// LOGIN_MAX_FAILURES: failed logins one session may have within LOGIN_FAILURE_WINDOW_MS,
    /// 5 by default, 0 for no limit; the next login gets `login_failed` `TOO_MANY_ATTEMPTS` and
    /// the session ends (the Atlas account service's own attempt limiter is a stub).
    pub login_max_failures: u32,
    /// LOGIN_FAILURE_WINDOW_MS: the window LOGIN_MAX_FAILURES counts failures in, 600000 (ten
    /// minutes) by default, at least 1.
    pub login_failure_window_ms: u64,
    /// DUPLICATE_LOGIN: what a login for an account that is already logged in does, `reject`
    /// by default.
    pub duplicate_login: DuplicateLogin,
    /// LOGIN_TIMEOUT_MS: how long a login waits for the account service, 10000 by default.
    pub login_timeout_ms: u64,
    /// SHUTDOWN_STEP_TIMEOUT_MS: bound on each step of the graceful shutdown, 5000 by default.
    pub shutdown_step_timeout_ms: u64,
    /// DRAIN_DEADLINE_MS: at shutdown, how long sessions with a login or a channel hand-off in
    /// flight may finish it before every session is ended; 2000 by default, at most 5000.
    pub drain_deadline_ms: u64,
    /// EMBEDDED_ACCOUNT_SIM: when BOOTSTRAP_SERVERS is unset (embedded broker mode), also run the
    /// account-service simulator inside the process, so logins get answers with no Atlas back
    /// end; ignored when BOOTSTRAP_SERVERS is set. `true` by default.
    pub embedded_account_sim: bool,
    /// ACCOUNTS_FILE: the account simulator's accounts (used by the embedded simulator and by the
    /// `account-sim` binary), `config/accounts.json` by default.
    pub accounts_file: PathBuf,
    /// BASE_SERVICE_URL and the per-domain `<DOMAIN>_SERVICE_URL` overrides (Atlas's names):
    /// where each Atlas REST service lives. A domain's own variable wins over the base; a root
    /// without a trailing `/` gets one (paths are appended without a separator); none set is
    /// allowed (a call to an unconfigured domain fails naming both variables).
    pub endpoints: Endpoints,
    /// REST_TIMEOUT_MS: bound on every REST call, from connecting until the whole answer is
    /// read, 2000 by default, at least 1 (Atlas's calls have none).
    pub rest_timeout_ms: u64,
    /// EMBEDDED_ATLAS_SIM: when BOOTSTRAP_SERVERS is unset (embedded broker mode), also run the
    /// Atlas REST simulator inside the process, and send it the calls of every domain for which
    /// neither its own variable nor BASE_SERVICE_URL is set ([`Endpoints::or_base`]); ignored
    /// when BOOTSTRAP_SERVERS is set. `true` by default.
    pub embedded_atlas_sim: bool,
    /// ATLAS_SIM_FILE: the REST simulator's data (used by the embedded simulator and by the
    /// `atlas-sim` binary), `config/atlas-sim.json` by default.
    pub atlas_sim_file: PathBuf,
    /// ATLAS_SIM_ADDRESS: where the embedded REST simulator listens, 127.0.0.1:0 (a free
    /// loopback port) by default. (The `atlas-sim` binary's default is 127.0.0.1:8080.)
    pub atlas_sim_address: SocketAddr,
    /// LOG_FORMAT: how log lines are written, text by default.
    pub log_format: LogFormat,
    /// RUST_LOG (a tracing `EnvFilter` directive) when set, else Atlas's LOG_LEVEL lowercased,
    /// else `info`.
    pub log_filter: String,
    /// OTEL_EXPORTER_OTLP_ENDPOINT as given when set, else Atlas's JAEGER_HOST_PORT with
    /// `http://` in front when it has no scheme (`jaeger:4318` becomes `http://jaeger:4318`),
    /// else `None`. Spans are exported over OTLP/HTTP (protobuf) to this endpoint (usually port
    /// 4318); `None`: nothing is exported and tracing costs nothing extra.
    pub otlp_endpoint: Option<String>,
    /// Every KAFKA_* variable as a librdkafka property: KAFKA_SECURITY_PROTOCOL=SASL_SSL becomes
    /// ("security.protocol", "SASL_SSL"); KAFKA_PRODUCER_* and KAFKA_CONSUMER_* for one client.
    pub kafka: KafkaProperties,
}

/// The librdkafka properties of the KAFKA_* variables, each list sorted by property name.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct KafkaProperties {
    /// KAFKA_<PROPERTY>: for both clients (each takes only what librdkafka says is its own).
    pub common: Vec<(String, String)>,
    /// KAFKA_PRODUCER_<PROPERTY>: for the producer only.
    pub producer: Vec<(String, String)>,
    /// KAFKA_CONSUMER_<PROPERTY>: for the consumer only (and the admin calls beside it).
    pub consumer: Vec<(String, String)>,
}

impl fmt::Debug for KafkaProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KafkaProperties")
            .field("common", &RedactedKafka(&self.common))
            .field("producer", &RedactedKafka(&self.producer))
            .field("consumer", &RedactedKafka(&self.consumer))
            .finish()
    }
}

/// What the `account-sim` binary reads: the broker, the topics, the accounts file, logging,
/// KAFKA_*. It needs no SERVICE_ID and ignores the service's other variables. Each field is
/// read exactly as the [`Env`] field of the same name. `Debug` hides secret Kafka values.
#[derive(Clone, PartialEq, Eq)]
pub struct SimEnv {
    /// BOOTSTRAP_SERVERS; `None` when unset or empty.
    pub bootstrap_servers: Option<String>,
    pub topics: Topics,
    /// ACCOUNTS_FILE, `config/accounts.json` by default.
    pub accounts_file: PathBuf,
    /// Every KAFKA_* variable as a librdkafka property, as [`Env::kafka`].
    pub kafka: KafkaProperties,
    /// LOG_FORMAT, text by default.
    pub log_format: LogFormat,
    /// RUST_LOG, else LOG_LEVEL lowercased, else `info`.
    pub log_filter: String,
}

/// What the `atlas-sim` binary reads: the broker and the seed status topic its character
/// factory reports on, its data file and listen address, logging, KAFKA_*. It needs no
/// SERVICE_ID and ignores the service's other variables. Each field is read exactly as the
/// [`Env`] field of the same name, except that ATLAS_SIM_ADDRESS defaults to 127.0.0.1:8080.
/// `Debug` hides secret Kafka values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtlasSimEnv {
    /// BOOTSTRAP_SERVERS; `None` when unset or empty.
    pub bootstrap_servers: Option<String>,
    /// EVENT_TOPIC_SEED_STATUS: where seed CREATED and FAILED events are produced.
    pub event_seed_status: String,
    /// ATLAS_SIM_FILE, `config/atlas-sim.json` by default.
    pub atlas_sim_file: PathBuf,
    /// ATLAS_SIM_ADDRESS, 127.0.0.1:8080 by default.
    pub atlas_sim_address: SocketAddr,
    /// Every KAFKA_* variable as a librdkafka property, as [`Env::kafka`].
    pub kafka: KafkaProperties,
    /// LOG_FORMAT, text by default.
    pub log_format: LogFormat,
    /// RUST_LOG, else LOG_LEVEL lowercased, else `info`.
    pub log_filter: String,
}

/// Log line format (LOG_FORMAT): `text` or `json`, case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What a login for an account that is already logged in does (DUPLICATE_LOGIN): `reject` or
/// `replace`, case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateLogin {
    /// As Atlas: the account service answers `ALREADY_LOGGED_IN`.
    Reject,
    /// A login for an account another session of this instance holds ends that session
    /// (`bye` `replaced`) and logs in the new one.
    Replace,
}

/// Topic names; each defaults to its variable's own name, as in Atlas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topics {
    /// COMMAND_TOPIC_ACCOUNT_SESSION (produced).
    pub command_account_session: String,
    /// EVENT_TOPIC_SESSION_STATUS (produced).
    pub event_session_status: String,
    /// EVENT_TOPIC_ACCOUNT_STATUS (consumed).
    pub event_account_status: String,
    /// EVENT_TOPIC_ACCOUNT_SESSION_STATUS (consumed).
    pub event_account_session_status: String,
    /// EVENT_TOPIC_SEED_STATUS (consumed).
    pub event_seed_status: String,
}

/// The known variables as envy reads them: field `x` is variable `X`. Blank values never get
/// here, so `None` means unset or empty.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEnv {
    bootstrap_servers: Option<String>,
    service_id: Option<String>,
    service_config: Option<String>,
    command_topic_account_session: Option<String>,
    event_topic_session_status: Option<String>,
    event_topic_account_status: Option<String>,
    event_topic_account_session_status: Option<String>,
    event_topic_seed_status: Option<String>,
    gateway_bind_address: Option<String>,
    gateway_max_line_bytes: Option<String>,
    gateway_max_bad_requests: Option<String>,
    admin_address: Option<String>,
    session_ledger_topic_prefix: Option<String>,
    max_sessions: Option<String>,
    max_sessions_per_ip: Option<String>,
    login_max_failures: Option<String>,
    login_failure_window_ms: Option<String>,
    duplicate_login: Option<String>,
    login_timeout_ms: Option<String>,
    shutdown_step_timeout_ms: Option<String>,
    drain_deadline_ms: Option<String>,
    embedded_account_sim: Option<String>,
    accounts_file: Option<String>,
    base_service_url: Option<String>,
    accounts_service_url: Option<String>,
    worlds_service_url: Option<String>,
    channels_service_url: Option<String>,
    characters_service_url: Option<String>,
    inventory_service_url: Option<String>,
    guilds_service_url: Option<String>,
    character_factory_service_url: Option<String>,
    configurations_service_url: Option<String>,
    rest_timeout_ms: Option<String>,
    embedded_atlas_sim: Option<String>,
    atlas_sim_file: Option<String>,
    atlas_sim_address: Option<String>,
    log_format: Option<String>,
    rust_log: Option<String>,
    log_level: Option<String>,
    otel_exporter_otlp_endpoint: Option<String>,
    jaeger_host_port: Option<String>,
}

impl Env {
    /// Builds the configuration from `(name, value)` pairs. Unknown names are ignored, values of
    /// known variables are trimmed and an empty one counts as unset; a repeated name keeps its
    /// last value.
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Env, ConfigError> {
        let (raw, kafka) = RawEnv::gather(vars)?;
        Env::from_raw(raw, kafka)
    }

    /// The compacted topic of this instance's live sessions (crash recovery).
    pub fn session_ledger_topic(&self) -> String {
        format!(
            "{}{}",
            self.session_ledger_prefix,
            self.service_id.hyphenated()
        )
    }

    /// The Kafka consumer group of this instance: `Login Service - {service_id}`.
    pub fn group_id(&self) -> String {
        format!("Login Service - {}", self.service_id.hyphenated())
    }

    fn from_raw(mut raw: RawEnv, kafka: KafkaProperties) -> Result<Env, ConfigError> {
        let SimEnv {
            bootstrap_servers,
            topics,
            accounts_file,
            kafka,
            log_format,
            log_filter,
        } = SimEnv::take(&mut raw, kafka)?;
        let service_id = raw
            .service_id
            .take()
            .ok_or(ConfigError::MissingVar { name: "SERVICE_ID" })?;
        let service_id = Uuid::parse_str(&service_id)
            .map_err(|_| invalid("SERVICE_ID", "a UUID", service_id))?;
        let gateway_bind_address = match raw.gateway_bind_address.take() {
            None => DEFAULT_GATEWAY_BIND_ADDRESS,
            Some(text) => text
                .parse()
                .map_err(|_| invalid("GATEWAY_BIND_ADDRESS", "an IP address", text))?,
        };
        let admin_address = match raw.admin_address.take() {
            None => DEFAULT_ADMIN_ADDRESS,
            Some(text) => text.parse().map_err(|_| {
                invalid(
                    "ADMIN_ADDRESS",
                    "an IP address and port such as 127.0.0.1:9464",
                    text,
                )
            })?,
        };
        let endpoints = raw.take_endpoints()?;
        let atlas_sim_file = raw.take_atlas_sim_file();
        let atlas_sim_address = raw.take_atlas_sim_address(DEFAULT_ATLAS_SIM_ADDRESS)?;
        let otlp_endpoint = otlp_endpoint(raw.otel_exporter_otlp_endpoint, raw.jaeger_host_port);
        Ok(Env {
            bootstrap_servers,
            service_id,
            topics,
            service_config: raw.service_config.map(PathBuf::from),
            gateway_bind_address,
            gateway_max_line_bytes: GATEWAY_MAX_LINE_BYTES.parse(raw.gateway_max_line_bytes)?,
            gateway_max_bad_requests: GATEWAY_MAX_BAD_REQUESTS
                .parse(raw.gateway_max_bad_requests)?,
            admin_address,
            session_ledger_prefix: raw
                .session_ledger_topic_prefix
                .unwrap_or_else(|| DEFAULT_SESSION_LEDGER_PREFIX.to_owned()),
            max_sessions: MAX_SESSIONS.parse(raw.max_sessions)?,
            max_sessions_per_ip: MAX_SESSIONS_PER_IP.parse(raw.max_sessions_per_ip)?,
            login_max_failures: LOGIN_MAX_FAILURES.parse(raw.login_max_failures)?,
            login_failure_window_ms: LOGIN_FAILURE_WINDOW_MS.parse(raw.login_failure_window_ms)?,
            duplicate_login: DuplicateLogin::parse(raw.duplicate_login)?,
            login_timeout_ms: LOGIN_TIMEOUT_MS.parse(raw.login_timeout_ms)?,
            shutdown_step_timeout_ms: SHUTDOWN_STEP_TIMEOUT_MS
                .parse(raw.shutdown_step_timeout_ms)?,
            drain_deadline_ms: DRAIN_DEADLINE_MS.parse(raw.drain_deadline_ms)?,
            embedded_account_sim: parse_bool(
                "EMBEDDED_ACCOUNT_SIM",
                raw.embedded_account_sim,
                DEFAULT_EMBEDDED_ACCOUNT_SIM,
            )?,
            accounts_file,
            endpoints,
            rest_timeout_ms: REST_TIMEOUT_MS.parse(raw.rest_timeout_ms)?,
            embedded_atlas_sim: parse_bool(
                "EMBEDDED_ATLAS_SIM",
                raw.embedded_atlas_sim,
                DEFAULT_EMBEDDED_ATLAS_SIM,
            )?,
            atlas_sim_file,
            atlas_sim_address,
            log_format,
            log_filter,
            otlp_endpoint,
            kafka,
        })
    }
}

impl SimEnv {
    /// Builds the simulator's configuration from `(name, value)` pairs, read as
    /// [`Env::from_vars`] reads them; the service's own variables (SERVICE_ID, GATEWAY_*, ...)
    /// are not looked at.
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<SimEnv, ConfigError> {
        let (mut raw, kafka) = RawEnv::gather(vars)?;
        SimEnv::take(&mut raw, kafka)
    }

    /// Parses the variables both binaries read, taking them out of `raw`.
    fn take(raw: &mut RawEnv, kafka: KafkaProperties) -> Result<SimEnv, ConfigError> {
        Ok(SimEnv {
            bootstrap_servers: raw.bootstrap_servers.take(),
            topics: raw.take_topics(),
            accounts_file: raw
                .accounts_file
                .take()
                .unwrap_or_else(|| DEFAULT_ACCOUNTS_FILE.to_owned())
                .into(),
            kafka,
            log_format: LogFormat::parse(raw.log_format.take())?,
            log_filter: raw.take_log_filter(),
        })
    }
}

impl AtlasSimEnv {
    /// Builds the `atlas-sim` binary's configuration from `(name, value)` pairs, read as
    /// [`Env::from_vars`] reads them; the service's own variables are not looked at.
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<AtlasSimEnv, ConfigError> {
        let (mut raw, kafka) = RawEnv::gather(vars)?;
        Ok(AtlasSimEnv {
            bootstrap_servers: raw.bootstrap_servers.take(),
            event_seed_status: raw.take_topics().event_seed_status,
            atlas_sim_file: raw.take_atlas_sim_file(),
            atlas_sim_address: raw.take_atlas_sim_address(DEFAULT_ATLAS_SIM_BINARY_ADDRESS)?,
            kafka,
            log_format: LogFormat::parse(raw.log_format.take())?,
            log_filter: raw.take_log_filter(),
        })
    }
}

impl LogFormat {
    /// Parses LOG_FORMAT, or takes the default when unset.
    fn parse(value: Option<String>) -> Result<LogFormat, ConfigError> {
        let Some(text) = value else {
            return Ok(DEFAULT_LOG_FORMAT);
        };
        match text.to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(invalid("LOG_FORMAT", "text or json", text)),
        }
    }
}

impl DuplicateLogin {
    /// Parses DUPLICATE_LOGIN, or takes the default when unset.
    fn parse(value: Option<String>) -> Result<DuplicateLogin, ConfigError> {
        let Some(text) = value else {
            return Ok(DEFAULT_DUPLICATE_LOGIN);
        };
        match text.to_ascii_lowercase().as_str() {
            "reject" => Ok(DuplicateLogin::Reject),
            "replace" => Ok(DuplicateLogin::Replace),
            _ => Err(invalid("DUPLICATE_LOGIN", "reject or replace", text)),
        }
    }
}

impl RawEnv {
    /// Gathers the known variables (trimmed, blank ones dropped) and the KAFKA_* properties
    /// (sorted by property name) from `(name, value)` pairs; a repeated name keeps its last value.
    fn gather<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<(RawEnv, KafkaProperties), ConfigError> {
        let mut known = BTreeMap::new();
        let mut kafka = KafkaProperties::default();
        for (name, value) in vars.into_iter().collect::<BTreeMap<_, _>>() {
            if let Some(property) = name.strip_prefix(KAFKA_PREFIX) {
                let (list, property) = if let Some(p) = property.strip_prefix(PRODUCER_SCOPE) {
                    (&mut kafka.producer, p)
                } else if let Some(p) = property.strip_prefix(CONSUMER_SCOPE) {
                    (&mut kafka.consumer, p)
                } else {
                    (&mut kafka.common, property)
                };
                if property.is_empty() {
                    return Err(ConfigError::EmptyKafkaProperty);
                }
                if !value.is_empty() {
                    list.push((property.to_lowercase().replace('_', "."), value));
                }
            } else if KNOWN_VARS.contains(&name.as_str()) && !value.trim().is_empty() {
                known.insert(name, value.trim().to_owned());
            }
        }
        for list in [&mut kafka.common, &mut kafka.producer, &mut kafka.consumer] {
            list.sort();
        }
        let raw: RawEnv = envy::from_iter(known)?;
        Ok((raw, kafka))
    }

    /// The log filter: RUST_LOG, else LOG_LEVEL lowercased, else `info`.
    fn take_log_filter(&mut self) -> String {
        match (self.rust_log.take(), self.log_level.take()) {
            (Some(directive), _) => directive,
            (None, Some(level)) => level.to_lowercase(),
            (None, None) => DEFAULT_LOG_FILTER.to_owned(),
        }
    }

    /// BASE_SERVICE_URL and the `<DOMAIN>_SERVICE_URL` overrides, checked by
    /// [`Endpoints::new`]; a bad one is an error naming its variable.
    fn take_endpoints(&mut self) -> Result<Endpoints, ConfigError> {
        let overrides = [
            (Domain::Accounts, self.accounts_service_url.take()),
            (Domain::Worlds, self.worlds_service_url.take()),
            (Domain::Channels, self.channels_service_url.take()),
            (Domain::Characters, self.characters_service_url.take()),
            (Domain::Inventory, self.inventory_service_url.take()),
            (Domain::Guilds, self.guilds_service_url.take()),
            (
                Domain::CharacterFactory,
                self.character_factory_service_url.take(),
            ),
            (
                Domain::Configurations,
                self.configurations_service_url.take(),
            ),
        ];
        let overrides = overrides
            .into_iter()
            .filter_map(|(domain, url)| url.map(|url| (domain, url)))
            .collect();
        Ok(Endpoints::new(self.base_service_url.take(), overrides)?)
    }

    /// ATLAS_SIM_FILE, `config/atlas-sim.json` when unset.
    fn take_atlas_sim_file(&mut self) -> PathBuf {
        self.atlas_sim_file
            .take()
            .unwrap_or_else(|| DEFAULT_ATLAS_SIM_FILE.to_owned())
            .into()
    }

    /// ATLAS_SIM_ADDRESS, `default` when unset.
    fn take_atlas_sim_address(&mut self, default: SocketAddr) -> Result<SocketAddr, ConfigError> {
        match self.atlas_sim_address.take() {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                invalid(
                    "ATLAS_SIM_ADDRESS",
                    "an IP address and port such as 127.0.0.1:8080",
                    text,
                )
            }),
        }
    }

    /// The topic names, each its variable's own name when unset.
    fn take_topics(&mut self) -> Topics {
        let topic = |value: &mut Option<String>, name: &str| {
            value.take().unwrap_or_else(|| name.to_owned())
        };
        Topics {
            command_account_session: topic(
                &mut self.command_topic_account_session,
                "COMMAND_TOPIC_ACCOUNT_SESSION",
            ),
            event_session_status: topic(
                &mut self.event_topic_session_status,
                "EVENT_TOPIC_SESSION_STATUS",
            ),
            event_account_status: topic(
                &mut self.event_topic_account_status,
                "EVENT_TOPIC_ACCOUNT_STATUS",
            ),
            event_account_session_status: topic(
                &mut self.event_topic_account_session_status,
                "EVENT_TOPIC_ACCOUNT_SESSION_STATUS",
            ),
            event_seed_status: topic(&mut self.event_topic_seed_status, "EVENT_TOPIC_SEED_STATUS"),
        }
    }
}

/// Whether the crate reads the variable `name` (a known one or a KAFKA_* pass-through).
pub(super) fn is_read(name: &str) -> bool {
    name.starts_with(KAFKA_PREFIX) || KNOWN_VARS.contains(&name)
}

/// The OTLP endpoint: OTEL_EXPORTER_OTLP_ENDPOINT as given, else Atlas's JAEGER_HOST_PORT with
/// `http://` in front when it has no scheme, else `None`.
fn otlp_endpoint(otel: Option<String>, jaeger: Option<String>) -> Option<String> {
    otel.or_else(|| {
        jaeger.map(|host_port| {
            if host_port.contains("://") {
                host_port
            } else {
                format!("http://{host_port}")
            }
        })
    })
}

fn invalid(name: &'static str, expected: &'static str, value: String) -> ConfigError {
    ConfigError::InvalidVar {
        name,
        expected,
        value,
    }
}

/// Parses a boolean variable (`true`, `false`, `1` or `0`, case-insensitive), or takes the
/// default when unset.
fn parse_bool(
    name: &'static str,
    value: Option<String>,
    default: bool,
) -> Result<bool, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(name, "true or false", text)),
    }
}

/// A whole-number variable: its name, default and bounds.
struct NumberVar {
    name: &'static str,
    default: u64,
    min: u64,
    /// The largest value of the field's type.
    max: u64,
}

impl NumberVar {
    /// Parses the variable's value, or takes the default when unset, and checks the bounds.
    fn parse<T: TryFrom<u64>>(&self, value: Option<String>) -> Result<T, ConfigError> {
        let NumberVar { name, min, max, .. } = *self;
        let value = match value {
            None => self.default,
            Some(text) => text
                .parse()
                .map_err(|_| invalid(name, "a whole number", text))?,
        };
        if value < min {
            return Err(ConfigError::TooSmall { name, min, value });
        }
        T::try_from(value).map_err(|_| ConfigError::TooLarge { name, max, value })
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("service_id", &self.service_id)
            .field("topics", &self.topics)
            .field("service_config", &self.service_config)
            .field("gateway_bind_address", &self.gateway_bind_address)
            .field("gateway_max_line_bytes", &self.gateway_max_line_bytes)
            .field("gateway_max_bad_requests", &self.gateway_max_bad_requests)
            .field("admin_address", &self.admin_address)
            .field("session_ledger_prefix", &self.session_ledger_prefix)
            .field("max_sessions", &self.max_sessions)
            .field("max_sessions_per_ip", &self.max_sessions_per_ip)
            .field("login_max_failures", &self.login_max_failures)
            .field("login_failure_window_ms", &self.login_failure_window_ms)
            .field("duplicate_login", &self.duplicate_login)
            .field("login_timeout_ms", &self.login_timeout_ms)
            .field("shutdown_step_timeout_ms", &self.shutdown_step_timeout_ms)
            .field("drain_deadline_ms", &self.drain_deadline_ms)
            .field("embedded_account_sim", &self.embedded_account_sim)
            .field("accounts_file", &self.accounts_file)
            .field("endpoints", &self.endpoints)
            .field("rest_timeout_ms", &self.rest_timeout_ms)
            .field("embedded_atlas_sim", &self.embedded_atlas_sim)
            .field("atlas_sim_file", &self.atlas_sim_file)
            .field("atlas_sim_address", &self.atlas_sim_address)
            .field("log_format", &self.log_format)
            .field("log_filter", &self.log_filter)
            .field("otlp_endpoint", &self.otlp_endpoint)
            .field("kafka", &self.kafka)
            .finish()
    }
}

impl fmt::Debug for SimEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimEnv")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("topics", &self.topics)
            .field("accounts_file", &self.accounts_file)
            .field("kafka", &self.kafka)
            .field("log_format", &self.log_format)
            .field("log_filter", &self.log_filter)
            .finish()
    }
}

/// Kafka properties for `Debug`, with the values of secret ones replaced.
struct RedactedKafka<'a>(&'a [(String, String)]);

impl fmt::Debug for RedactedKafka<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in self.0 {
            if SECRET_WORDS.iter().any(|word| name.contains(word)) {
                list.entry(&(name, format_args!("<redacted>")));
            } else {
                list.entry(&(name, value));
            }
        }
        list.finish()
    }
}

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
