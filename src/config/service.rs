//! The service's configuration: the tenants this login serves with their ports and channels,
//! and the idle-timeout task. Read from the service file (`config/service.json`, shaped like
//! Atlas's service configuration) here, or from Atlas's configuration service
//! ([`super::remote`]); both go through [`ServiceConfig::validate`].

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::Duration;

use serde::{de, Deserialize, Deserializer};
use uuid::Uuid;

use super::ConfigError;

/// The longest region accepted, in bytes; Atlas regions are short codes such as `GMS`.
const MAX_REGION_LEN: usize = 16;

/// The parsed and checked service file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ServiceConfig {
    #[serde(default)]
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub tenants: Vec<TenantConfig>,
}

/// A periodic task; json `{"type":"timeout","interval":5000,"duration":3600000}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "RawTask")]
pub enum Task {
    /// Every `interval_ms`, end the sessions idle for longer than `duration_ms`.
    Timeout { interval_ms: u64, duration_ms: u64 },
}

/// One tenant: a game version in a region, served on its own port.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantConfig {
    pub id: Uuid,
    pub region: String,
    pub major_version: u16,
    pub minor_version: u16,
    /// The gateway port; 0 means any free port (tests).
    pub port: u16,
    /// What the port speaks: the MapleStory game socket of the tenant's version (the default,
    /// as every Atlas tenant) or the JSON-lines gateway.
    #[serde(default)]
    pub protocol: ProtocolKind,
    /// The JSON-lines gateway's channels (the game socket reads them from Atlas's services).
    #[serde(default)]
    pub channels: Vec<ChannelConfig>,
    /// Atlas's `socket` section (handlers and writers with their opcodes and code maps); the
    /// built-in tables of the tenant's version when absent.
    #[serde(default)]
    pub socket: Option<serde_json::Value>,
    /// Atlas's `usesPin`: the game client asks for a PIN after login.
    #[serde(default)]
    pub uses_pin: bool,
}

/// The client protocol of a tenant's port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum ProtocolKind {
    /// The MapleStory game socket (`maple-protocol.md`).
    #[default]
    #[serde(rename = "maple")]
    Maple,
    /// The JSON-lines gateway (`gateway-protocol.md`).
    #[serde(rename = "json-lines")]
    JsonLines,
}

/// Where a channel of a world listens, handed to the client after login.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelConfig {
    pub world_id: u8,
    pub channel_id: u8,
    pub ip_address: String,
    pub port: u16,
}

/// A task as written in the file.
#[derive(Deserialize)]
struct RawTask {
    #[serde(rename = "type")]
    kind: TaskKind,
    interval: u64,
    duration: u64,
}

/// The task types this service knows.
enum TaskKind {
    Timeout,
}

impl<'de> Deserialize<'de> for TaskKind {
    /// By hand, so that an unknown type reads "unknown task type \"foo\"" at its line and column.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        match name.as_str() {
            "timeout" => Ok(TaskKind::Timeout),
            other => Err(de::Error::custom(format_args!(
                "unknown task type {other:?}"
            ))),
        }
    }
}

impl From<RawTask> for Task {
    fn from(raw: RawTask) -> Task {
        match raw.kind {
            TaskKind::Timeout => Task::Timeout {
                interval_ms: raw.interval,
                duration_ms: raw.duration,
            },
        }
    }
}

impl ServiceConfig {
    /// Reads and checks the service file at `path`.
    pub fn load(path: &Path) -> Result<ServiceConfig, ConfigError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        ServiceConfig::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a service file's text; `origin` is the path shown in messages.
    pub fn parse(text: &str, origin: &str) -> Result<ServiceConfig, ConfigError> {
        let config: ServiceConfig =
            serde_json::from_str(text).map_err(|error| json_error(origin, &error))?;
        config.validate(origin)?;
        Ok(config)
    }

    /// The checks every configuration passes, whatever its source: at least one tenant, no
    /// tenant id or non-zero port twice, regions of 1 to 16 ASCII characters, no channel
    /// twice, at most one timeout task and none with a zero timing. `origin` (a path or a
    /// URL) starts each message.
    pub fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        validate_tasks(&self.tasks, origin)?;
        validate_tenants(&self.tenants, origin)
    }

    /// The idle timeout's check interval and idle duration, from the timeout task if present.
    pub fn idle_timeout(&self) -> Option<(Duration, Duration)> {
        let mut timeouts = self.tasks.iter().map(|task| match *task {
            Task::Timeout {
                interval_ms,
                duration_ms,
            } => (interval_ms, duration_ms),
        });
        let (interval_ms, duration_ms) = timeouts.next()?;
        Some((
            Duration::from_millis(interval_ms),
            Duration::from_millis(duration_ms),
        ))
    }

    /// The channel `(world_id, channel_id)` of the tenant at index `tenant`.
    pub fn channel(&self, tenant: usize, world_id: u8, channel_id: u8) -> Option<&ChannelConfig> {
        let channels = &self.tenants.get(tenant)?.channels;
        channels
            .iter()
            .find(|c| c.world_id == world_id && c.channel_id == channel_id)
    }
}

/// serde_json's error as "origin: line L column C: message".
fn json_error(origin: &str, error: &serde_json::Error) -> ConfigError {
    let (line, column) = (error.line(), error.column());
    let text = error.to_string();
    let position = format!(" at line {line} column {column}");
    let message = text.strip_suffix(&position).unwrap_or(&text).to_owned();
    ConfigError::Json {
        origin: origin.to_owned(),
        line,
        column,
        message,
    }
}

fn validate_tasks(tasks: &[Task], origin: &str) -> Result<(), ConfigError> {
    let mut timeout = None;
    for (index, task) in tasks.iter().enumerate() {
        match *task {
            Task::Timeout {
                interval_ms,
                duration_ms,
            } => {
                for (field, value) in [("interval", interval_ms), ("duration", duration_ms)] {
                    if value == 0 {
                        return Err(ConfigError::ZeroTaskTiming {
                            origin: origin.to_owned(),
                            index,
                            field,
                        });
                    }
                }
                if let Some(first) = timeout {
                    return Err(ConfigError::DuplicateTimeoutTask {
                        origin: origin.to_owned(),
                        index,
                        first,
                    });
                }
                timeout = Some(index);
            }
        }
    }
    Ok(())
}

fn validate_tenants(tenants: &[TenantConfig], origin: &str) -> Result<(), ConfigError> {
    if tenants.is_empty() {
        return Err(ConfigError::NoTenants {
            origin: origin.to_owned(),
        });
    }
    let mut ids = HashMap::new();
    let mut ports = HashMap::new();
    for (index, tenant) in tenants.iter().enumerate() {
        let origin = || origin.to_owned();
        if let Some(&first) = ids.get(&tenant.id) {
            return Err(ConfigError::DuplicateTenantId {
                origin: origin(),
                index,
                first,
                id: tenant.id,
            });
        }
        ids.insert(tenant.id, index);
        if tenant.port != 0 {
            if let Some(&first) = ports.get(&tenant.port) {
                return Err(ConfigError::DuplicateTenantPort {
                    origin: origin(),
                    index,
                    first,
                    port: tenant.port,
                });
            }
            ports.insert(tenant.port, index);
        }
        let region = &tenant.region;
        if !region_is_valid(region) {
            return Err(ConfigError::InvalidRegion {
                origin: origin(),
                index,
                region: region.clone(),
            });
        }
        validate_channels(&tenant.channels, origin(), index)?;
    }
    Ok(())
}

/// A region is 1 to 16 ASCII characters (Atlas's are short codes such as `GMS`).
pub(crate) fn region_is_valid(region: &str) -> bool {
    !region.is_empty() && region.is_ascii() && region.len() <= MAX_REGION_LEN
}

fn validate_channels(
    channels: &[ChannelConfig],
    origin: String,
    tenant: usize,
) -> Result<(), ConfigError> {
    let mut seen = HashMap::new();
    for (index, channel) in channels.iter().enumerate() {
        let key = (channel.world_id, channel.channel_id);
        if let Some(&first) = seen.get(&key) {
            let (world_id, channel_id) = key;
            return Err(ConfigError::DuplicateChannel {
                origin,
                tenant,
                index,
                first,
                world_id,
                channel_id,
            });
        }
        seen.insert(key, index);
    }
    Ok(())
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
