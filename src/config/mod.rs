//! Configuration box: read once at start-up from the environment ([`env`]) and the service file it
//! names ([`service`]); the only place in the crate that reads environment variables.

pub mod env;
pub mod service;

use std::path::PathBuf;

pub use env::{
    AtlasSimEnv, DuplicateLogin, Env, KafkaProperties, LogFormat, SimEnv, Topics, KNOWN_VARS,
};
pub use service::{ChannelConfig, ProtocolKind, ServiceConfig, Task, TenantConfig};

/// Everything the service is configured with.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub env: Env,
    pub service: ServiceConfig,
}

impl Config {
    /// Reads the process environment (the only place in the crate that reads env vars) and the
    /// service file it names.
    ///
    /// Variables the crate does not read are skipped without looking at their values, so a
    /// non-UTF-8 `PATH` does no harm; a non-UTF-8 value of a variable it does read is an error.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(process_vars()?)
    }

    /// Same from an explicit list of variables (tests).
    pub fn from_vars<I: IntoIterator<Item = (String, String)>>(
        vars: I,
    ) -> Result<Config, ConfigError> {
        let env = Env::from_vars(vars)?;
        let service = ServiceConfig::load(&env.service_config)?;
        Ok(Config { env, service })
    }
}

/// The `account-sim` binary's configuration, read from the process environment as
/// [`Config::from_env`] reads it (no SERVICE_ID, no service file).
pub fn sim_from_env() -> Result<SimEnv, ConfigError> {
    SimEnv::from_vars(process_vars()?)
}

/// The `atlas-sim` binary's configuration, read from the process environment as
/// [`Config::from_env`] reads it (no SERVICE_ID, no service file).
pub fn atlas_sim_from_env() -> Result<AtlasSimEnv, ConfigError> {
    AtlasSimEnv::from_vars(process_vars()?)
}

/// The process environment's variables that the crate reads (known ones and KAFKA_*). Others
/// are skipped without looking at their values, so a non-UTF-8 `PATH` does no harm; a
/// non-UTF-8 value of a variable it does read is an error.
fn process_vars() -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if !env::is_read(name) {
            continue;
        }
        let value = value.into_string().map_err(|_| ConfigError::NotUnicode {
            name: name.to_owned(),
        })?;
        vars.push((name.to_owned(), value));
    }
    Ok(vars)
}

/// Why the configuration could not be read; each message names the variable or the file and the
/// place in it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is unset or empty.
    #[error("{name} is required but not set")]
    MissingVar { name: &'static str },

    /// A variable's value does not parse as the type it configures.
    #[error("{name} must be {expected}, got {value:?}")]
    InvalidVar {
        name: &'static str,
        expected: &'static str,
        value: String,
    },

    /// A number is below the variable's minimum.
    #[error("{name} must be at least {min}, got {value}")]
    TooSmall {
        name: &'static str,
        min: u64,
        value: u64,
    },

    /// A number does not fit the type the variable configures.
    #[error("{name} must be at most {max}, got {value}")]
    TooLarge {
        name: &'static str,
        max: u64,
        value: u64,
    },

    /// A variable the crate reads holds bytes that are not UTF-8.
    #[error("{name} is not valid UTF-8")]
    NotUnicode { name: String },

    /// A variable named just `KAFKA_` (or `KAFKA_PRODUCER_`, `KAFKA_CONSUMER_`), with no
    /// librdkafka property after the prefix.
    #[error(
        "KAFKA_ (and KAFKA_PRODUCER_, KAFKA_CONSUMER_) must be followed by a librdkafka property \
         name, as in KAFKA_SECURITY_PROTOCOL"
    )]
    EmptyKafkaProperty,

    /// BASE_SERVICE_URL or a `<DOMAIN>_SERVICE_URL` is not an absolute `http://` root (with a
    /// host, and no query, fragment or credentials); the message names the variable.
    #[error(transparent)]
    ServiceUrl(#[from] crate::rest::EndpointError),

    /// envy rejected the variables (not expected: every field of its struct is an optional string).
    #[error("environment: {0}")]
    Envy(#[from] envy::Error),

    /// The service file could not be read.
    #[error("{}: cannot read the service file (see SERVICE_CONFIG): {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// The service file is not JSON of the expected shape (including an unknown task type).
    #[error("{origin}: line {line} column {column}: {message}")]
    Json {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// The service file configures no tenant at all.
    #[error("{origin}: tenants: no tenants configured, at least one is required")]
    NoTenants { origin: String },

    /// Two tenants share an id.
    #[error("{origin}: tenants[{index}]: duplicate tenant id {id} (also tenants[{first}])")]
    DuplicateTenantId {
        origin: String,
        index: usize,
        first: usize,
        id: uuid::Uuid,
    },

    /// Two tenants listen on the same non-zero port.
    #[error("{origin}: tenants[{index}]: duplicate tenant port {port} (also tenants[{first}])")]
    DuplicateTenantPort {
        origin: String,
        index: usize,
        first: usize,
        port: u16,
    },

    /// A region is empty, not ASCII, or longer than 16 bytes.
    #[error("{origin}: tenants[{index}]: region must be 1 to 16 ASCII characters, got {region:?}")]
    InvalidRegion {
        origin: String,
        index: usize,
        region: String,
    },

    /// Two channels of one tenant share a (worldId, channelId) pair.
    #[error(
        "{origin}: tenants[{tenant}].channels[{index}]: duplicate world {world_id} channel {channel_id} \
         (also channels[{first}])"
    )]
    DuplicateChannel {
        origin: String,
        tenant: usize,
        index: usize,
        first: usize,
        world_id: u8,
        channel_id: u8,
    },

    /// A timeout task with a zero interval or duration.
    #[error("{origin}: tasks[{index}]: timeout {field} must be greater than 0")]
    ZeroTaskTiming {
        origin: String,
        index: usize,
        field: &'static str,
    },

    /// More than one timeout task.
    #[error("{origin}: tasks[{index}]: more than one timeout task (also tasks[{first}])")]
    DuplicateTimeoutTask {
        origin: String,
        index: usize,
        first: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE_SERVICE_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/service.json");

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn from_vars_loads_the_service_file_named_by_service_config() {
        let config = Config::from_vars(vars(&[
            ("SERVICE_ID", "7acb6545-97f0-4438-8be3-8a6e52c4097c"),
            ("SERVICE_CONFIG", EXAMPLE_SERVICE_FILE),
        ]))
        .unwrap();
        assert_eq!(
            config.env.service_config,
            PathBuf::from(EXAMPLE_SERVICE_FILE)
        );
        assert_eq!(config.service.tenants.len(), 2);
        assert_eq!(config.service.tenants[0].region, "GMS");
    }

    #[test]
    fn a_missing_service_file_names_its_path() {
        let err = Config::from_vars(vars(&[
            ("SERVICE_ID", "7acb6545-97f0-4438-8be3-8a6e52c4097c"),
            ("SERVICE_CONFIG", "/nonexistent/service.json"),
        ]))
        .unwrap_err();
        assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("/nonexistent/service.json: cannot read the service file"),
            "{err}"
        );
    }

    #[test]
    fn the_simulator_config_is_reexported_and_needs_no_service_id() {
        let sim: SimEnv = SimEnv::from_vars(vars(&[("LOG_FORMAT", "json")])).unwrap();
        assert_eq!(sim.log_format, LogFormat::Json);
        assert_eq!(sim.accounts_file, PathBuf::from("config/accounts.json"));
    }

    #[test]
    fn environment_errors_come_before_the_service_file_is_read() {
        let err = Config::from_vars(vars(&[("SERVICE_CONFIG", "/nonexistent/service.json")]))
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::MissingVar { name: "SERVICE_ID" }),
            "{err:?}"
        );
    }
}
