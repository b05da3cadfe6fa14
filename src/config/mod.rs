//! Configuration box: read once at start-up from the environment ([`env`]) and the service
//! configuration ([`service`]): the file SERVICE_CONFIG names, or Atlas's configuration service
//! ([`remote`]); the only place in the crate that reads environment variables.

pub mod env;
pub mod remote;
pub mod service;

use std::path::PathBuf;

pub use env::{
    AtlasSimEnv, DuplicateLogin, Env, KafkaProperties, LogFormat, SimEnv, Topics,
    DEFAULT_SERVICE_CONFIG, KNOWN_VARS,
};
pub use service::{ChannelConfig, ProtocolKind, ServiceConfig, Task, TenantConfig};

use crate::rest::Domain;

/// Everything the service is configured with.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub env: Env,
    /// Where the tenants and tasks come from (a file already read, or a service to ask).
    pub service: ServiceSource,
}

/// Where the tenants and tasks come from, in this order: SERVICE_CONFIG when set; else
/// Atlas's configuration service when its root is known (CONFIGURATIONS_SERVICE_URL or
/// BASE_SERVICE_URL); else, in the embedded mode (BOOTSTRAP_SERVERS unset, EMBEDDED_ATLAS_SIM
/// true), the embedded REST simulator; else [`DEFAULT_SERVICE_CONFIG`].
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceSource {
    /// A service file, read and checked by [`Config::from_vars`].
    File {
        path: PathBuf,
        service: ServiceConfig,
    },
    /// Atlas's configuration service, read by `app::start` once the admin listener is up
    /// (retried while it is unreachable): [`remote::load`].
    ConfigurationService,
    /// The embedded REST simulator's configurations, read by `app::start` once the simulator
    /// runs, over HTTP as from Atlas; only this source may declare JSON-lines tenants.
    EmbeddedSimulator,
}

impl ServiceSource {
    /// Decides the source for `env`, reading the file when it is one.
    fn of(env: &Env) -> Result<ServiceSource, ConfigError> {
        let path = match &env.service_config {
            Some(path) => path.clone(),
            None if env.endpoints.root(Domain::Configurations).is_some() => {
                return Ok(ServiceSource::ConfigurationService)
            }
            // The embedded mode starts the REST simulator for every domain without a root,
            // configurations among them (`app::broker`).
            None if env.bootstrap_servers.is_none() && env.embedded_atlas_sim => {
                return Ok(ServiceSource::EmbeddedSimulator)
            }
            None => PathBuf::from(DEFAULT_SERVICE_CONFIG),
        };
        let service = ServiceConfig::load(&path)?;
        Ok(ServiceSource::File { path, service })
    }
}

impl Config {
    /// Reads the process environment (the only place in the crate that reads env vars) and the
    /// service file it names, if it names one (see [`ServiceSource`]).
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
        let service = ServiceSource::of(&env)?;
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

    /// Atlas's configuration service answered something that is no configuration: a 404,
    /// another status it should not send, a body that is no JSON:API document.
    #[error("{url}: {reason}")]
    Remote { url: String, reason: String },

    /// A field of the configuration service's answer is missing or malformed (a wrong type, a
    /// bad port, a tenant without its region or versions, an unknown task type).
    #[error("{url}: {field}: {reason}")]
    RemoteField {
        url: String,
        field: String,
        reason: String,
    },

    /// The configuration was to come from a configuration service, but none has a root.
    #[error(
        "no configuration service: set SERVICE_CONFIG, or CONFIGURATIONS_SERVICE_URL or \
         BASE_SERVICE_URL"
    )]
    NoConfigurationService,
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
            Some(PathBuf::from(EXAMPLE_SERVICE_FILE))
        );
        let ServiceSource::File { path, service } = config.service else {
            panic!("a file: {:?}", config.service);
        };
        assert_eq!(path, PathBuf::from(EXAMPLE_SERVICE_FILE));
        assert_eq!(service.tenants.len(), 7);
        assert_eq!(service.tenants[0].region, "GMS");
    }

    #[test]
    fn the_service_file_wins_then_the_configuration_service_then_the_simulator_then_the_default_file(
    ) {
        let id = ("SERVICE_ID", "7acb6545-97f0-4438-8be3-8a6e52c4097c");
        let file = ("SERVICE_CONFIG", EXAMPLE_SERVICE_FILE);
        let broker = ("BOOTSTRAP_SERVERS", "kafka:9092");
        let base = ("BASE_SERVICE_URL", "http://atlas/api/");
        let configurations = ("CONFIGURATIONS_SERVICE_URL", "http://configurations/api/");
        let accounts = ("ACCOUNTS_SERVICE_URL", "http://accounts/api/");
        let no_sim = ("EMBEDDED_ATLAS_SIM", "false");
        let source = |pairs: &[(&str, &str)]| Config::from_vars(vars(pairs)).unwrap().service;
        for pairs in [
            &[id, file, base][..],
            &[id, file, configurations, broker],
            &[id, file],
        ] {
            assert!(
                matches!(source(pairs), ServiceSource::File { path, .. } if path == std::path::Path::new(EXAMPLE_SERVICE_FILE)),
                "{pairs:?}"
            );
        }
        for pairs in [
            &[id, base][..],
            &[id, configurations],
            &[id, configurations, broker],
            &[id, base, no_sim],
        ] {
            assert_eq!(
                source(pairs),
                ServiceSource::ConfigurationService,
                "{pairs:?}"
            );
        }
        for pairs in [&[id][..], &[id, accounts]] {
            assert_eq!(source(pairs), ServiceSource::EmbeddedSimulator, "{pairs:?}");
        }
        // No configuration service known and no embedded simulator: config/service.json, as
        // before (relative to the working directory: the crate's root under cargo test).
        for pairs in [&[id, broker][..], &[id, no_sim], &[id, accounts, broker]] {
            assert!(
                matches!(source(pairs), ServiceSource::File { path, .. } if path == std::path::Path::new(DEFAULT_SERVICE_CONFIG)),
                "{pairs:?}"
            );
        }
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
