//! Environment variables: a flat envy struct of raw strings, parsed and checked into [`Env`]
//! (the service) or [`SimEnv`] (the `account-sim` binary); `config/default.env` documents each
//! one and a test keeps it in step with the defaults here.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

use serde::Deserialize;
use uuid::Uuid;

use super::ConfigError;

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
    "EMBEDDED_ACCOUNT_SIM",
    "ACCOUNTS_FILE",
    "LOG_FORMAT",
    "RUST_LOG",
    "LOG_LEVEL",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "JAEGER_HOST_PORT",
];

/// Variables starting with this are librdkafka properties, passed through.
const KAFKA_PREFIX: &str = "KAFKA_";
/// Kafka properties whose names contain one of these hold secrets; `Debug` hides their values.
const SECRET_WORDS: &[&str] = &["password", "secret", "key"];

const DEFAULT_SERVICE_CONFIG: &str = "config/service.json";
const DEFAULT_GATEWAY_BIND_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const DEFAULT_SESSION_LEDGER_PREFIX: &str = "login-sessions-";
const DEFAULT_ADMIN_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 9464));
const DEFAULT_DUPLICATE_LOGIN: DuplicateLogin = DuplicateLogin::Reject;
const DEFAULT_EMBEDDED_ACCOUNT_SIM: bool = true;
const DEFAULT_ACCOUNTS_FILE: &str = "config/accounts.json";
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
const SHUTDOWN_STEP_TIMEOUT_MS: NumberVar = NumberVar {
    name: "SHUTDOWN_STEP_TIMEOUT_MS",
    default: 5_000,
    min: 1,
    max: u64::MAX,
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
    /// SERVICE_CONFIG: the service file, `config/service.json` by default.
    pub service_config: PathBuf,
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
    /// EMBEDDED_ACCOUNT_SIM: when BOOTSTRAP_SERVERS is unset (embedded broker mode), also run the
    /// account-service simulator inside the process, so logins get answers with no Atlas back
    /// end; ignored when BOOTSTRAP_SERVERS is set. `true` by default.
    pub embedded_account_sim: bool,
    /// ACCOUNTS_FILE: the account simulator's accounts (used by the embedded simulator and by the
    /// `account-sim` binary), `config/accounts.json` by default.
    pub accounts_file: PathBuf,
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
    /// ("security.protocol", "SASL_SSL"). Sorted by property name.
    pub kafka: Vec<(String, String)>,
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
    /// Every KAFKA_* variable as a librdkafka property, sorted by property name.
    pub kafka: Vec<(String, String)>,
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
    embedded_account_sim: Option<String>,
    accounts_file: Option<String>,
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

    fn from_raw(mut raw: RawEnv, kafka: Vec<(String, String)>) -> Result<Env, ConfigError> {
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
            .ok_or(ConfigError::MissingVar { name: "SERVICE_ID" })?;
        let service_id = Uuid::parse_str(&service_id)
            .map_err(|_| invalid("SERVICE_ID", "a UUID", service_id))?;
        let gateway_bind_address = match raw.gateway_bind_address {
            None => DEFAULT_GATEWAY_BIND_ADDRESS,
            Some(text) => text
                .parse()
                .map_err(|_| invalid("GATEWAY_BIND_ADDRESS", "an IP address", text))?,
        };
        let admin_address = match raw.admin_address {
            None => DEFAULT_ADMIN_ADDRESS,
            Some(text) => text.parse().map_err(|_| {
                invalid(
                    "ADMIN_ADDRESS",
                    "an IP address and port such as 127.0.0.1:9464",
                    text,
                )
            })?,
        };
        let otlp_endpoint = otlp_endpoint(raw.otel_exporter_otlp_endpoint, raw.jaeger_host_port);
        Ok(Env {
            bootstrap_servers,
            service_id,
            topics,
            service_config: raw
                .service_config
                .unwrap_or_else(|| DEFAULT_SERVICE_CONFIG.to_owned())
                .into(),
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
            embedded_account_sim: parse_bool(
                "EMBEDDED_ACCOUNT_SIM",
                raw.embedded_account_sim,
                DEFAULT_EMBEDDED_ACCOUNT_SIM,
            )?,
            accounts_file,
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
    fn take(raw: &mut RawEnv, kafka: Vec<(String, String)>) -> Result<SimEnv, ConfigError> {
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
    ) -> Result<(RawEnv, Vec<(String, String)>), ConfigError> {
        let mut known = BTreeMap::new();
        let mut kafka = BTreeMap::new();
        for (name, value) in vars.into_iter().collect::<BTreeMap<_, _>>() {
            if let Some(property) = name.strip_prefix(KAFKA_PREFIX) {
                if property.is_empty() {
                    return Err(ConfigError::EmptyKafkaProperty);
                }
                if !value.is_empty() {
                    kafka.insert(property.to_lowercase().replace('_', "."), value);
                }
            } else if KNOWN_VARS.contains(&name.as_str()) && !value.trim().is_empty() {
                known.insert(name, value.trim().to_owned());
            }
        }
        let raw: RawEnv = envy::from_iter(known)?;
        Ok((raw, kafka.into_iter().collect()))
    }

    /// The log filter: RUST_LOG, else LOG_LEVEL lowercased, else `info`.
    fn take_log_filter(&mut self) -> String {
        match (self.rust_log.take(), self.log_level.take()) {
            (Some(directive), _) => directive,
            (None, Some(level)) => level.to_lowercase(),
            (None, None) => DEFAULT_LOG_FILTER.to_owned(),
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
            .field("embedded_account_sim", &self.embedded_account_sim)
            .field("accounts_file", &self.accounts_file)
            .field("log_format", &self.log_format)
            .field("log_filter", &self.log_filter)
            .field("otlp_endpoint", &self.otlp_endpoint)
            .field("kafka", &RedactedKafka(&self.kafka))
            .finish()
    }
}

impl fmt::Debug for SimEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimEnv")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("topics", &self.topics)
            .field("accounts_file", &self.accounts_file)
            .field("kafka", &RedactedKafka(&self.kafka))
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
mod tests {
    use super::*;

    const DEFAULT_ENV: &str =
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.env"));
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
        let mut commented: Vec<&str> = KNOWN_VARS
            .iter()
            .copied()
            .filter(|k| values.iter().all(|(n, _)| n != k))
            .collect();
        commented.sort_unstable();
        assert_eq!(
            commented,
            [
                "BOOTSTRAP_SERVERS",
                "JAEGER_HOST_PORT",
                "LOG_LEVEL",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "RUST_LOG",
                "SERVICE_ID"
            ],
            "only the variables without a default value are commented"
        );
    }

    #[test]
    fn defaults_apply_when_only_service_id_is_set() {
        let env = env(&[]).unwrap();
        assert_eq!(env.bootstrap_servers, None);
        assert_eq!(env.service_config, PathBuf::from("config/service.json"));
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
        assert_eq!(env.log_format, LogFormat::Text);
        assert_eq!(env.log_filter, "info");
        assert_eq!(env.otlp_endpoint, None);
        assert!(env.kafka.is_empty());
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
            env_with_otlp(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " https://otel.example:4318 ")])
                .as_deref(),
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
        assert_eq!(env.service_config, PathBuf::from("/etc/login/service.json"));
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
        assert!(env.kafka.is_empty());
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
        assert_eq!(env.kafka, expected);
    }

    #[test]
    fn a_bare_kafka_prefix_is_an_error() {
        let err = env(&[("KAFKA_", "x")]).unwrap_err();
        assert!(matches!(err, ConfigError::EmptyKafkaProperty), "{err:?}");
        assert!(
            err.to_string().starts_with("KAFKA_ must be followed"),
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
        ])
        .unwrap();
        let debug = format!("{env:?}");
        for secret in ["hunter2", "swordfish", "s3cr3t", "BEGIN"] {
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
        let env =
            Env::from_vars(vars(&[("SERVICE_ID", "7ACB654597F044388BE38A6E52C4097C")])).unwrap();
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
        assert!(sim.kafka.is_empty());
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
        assert_eq!(sim.kafka, vars(&[("security.protocol", "SASL_SSL")]));
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
        ] {
            assert!(is_read(name), "{name}");
        }
    }
}
