//! The service's configuration from Atlas's configuration service, read at start-up as
//! atlas-login reads it: `GET configurations/services/{SERVICE_ID}` (the tasks, and the tenants
//! with their ports), then `GET configurations/tenants/{id}` for each tenant (region, versions,
//! `usesPin`, `socket`).
//!
//! [`load`] retries a service that cannot be reached (a connect error, a timeout, a 5xx, 408 or
//! 429) with a back-off ([`Backoff`]: 0.5 s doubling to 10 s), for as long as it takes (the
//! shutdown signal cancels start-up), and reports why it waits; any other answer that is no
//! usable configuration (a 404, a malformed document or field) is a [`ConfigError`] naming
//! the URL and the field. [`map`], pure, turns the answers into a [`ServiceConfig`], which then
//! passes the same [`ServiceConfig::validate`] as a service file.

use std::future::Future;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::warn;
use uuid::Uuid;

use super::service::{
    region_is_valid, ChannelConfig, ProtocolKind, ServiceConfig, Task, TenantConfig,
};
use super::ConfigError;
use crate::rest::{self, Context, Domain, RestClient, RestError};

/// How a configuration service that cannot be reached is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub first: Duration,
    /// The longest wait: each failure doubles the wait, up to this.
    pub max: Duration,
}

impl Backoff {
    /// The wait after `wait`: doubled, at most [`Backoff::max`].
    pub fn next(&self, wait: Duration) -> Duration {
        wait.saturating_mul(2).min(self.max)
    }
}

impl Default for Backoff {
    /// 0.5 s, doubling to 10 s.
    fn default() -> Backoff {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(10),
        }
    }
}

/// Who answers the configuration calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// Atlas's configuration service (or anything standing in for it at a configured URL):
    /// every tenant is the game socket of its version.
    Atlas,
    /// The embedded REST simulator of `make run`: a tenant entry of its service configuration
    /// may also carry `protocol` (`"maple"` or `"json-lines"`) and `channels` (the JSON-lines
    /// gateway's, as in the service file), attributes Atlas does not have.
    EmbeddedSimulator,
}

/// A configuration read from the configuration service.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub service: ServiceConfig,
    /// `…/configurations/services/{SERVICE_ID}`.
    pub url: String,
    /// What was ignored, for the log.
    pub warnings: Vec<String>,
}

/// Reads the configuration of service `service_id` from the client's configurations root.
///
/// `report` is told why the service is not ready yet (`Some`: loading, or waiting for an
/// unreachable configuration service and why) and, once the configuration is read, `None`.
pub async fn load(
    client: &RestClient,
    service_id: Uuid,
    server: Server,
    backoff: Backoff,
    report: &(dyn Fn(Option<String>) + Sync),
) -> Result<Loaded, ConfigError> {
    let ctx = Context::startup();
    let service_url = url(client, &format!("configurations/services/{service_id}"))?;
    report(Some(format!(
        "loading the configuration from the configuration service at {service_url}"
    )));
    let service = retrying(&service_url, backoff, report, || {
        client.service_config(&ctx, service_id)
    })
    .await
    .map_err(|e| {
        let hint = match server {
            Server::Atlas => "",
            Server::EmbeddedSimulator => {
                "; the embedded REST simulator serves ATLAS_SIM_FILE's configurations: give it a \
                 \"default\" service, or set SERVICE_CONFIG"
            }
        };
        let what = format!("service {service_id} (SERVICE_ID){hint}");
        fatal(&service_url, e, &what)
    })?;
    let mut tenants = Vec::with_capacity(service.tenants.len());
    for (index, entry) in service.tenants.iter().enumerate() {
        let tenant_url = url(client, &format!("configurations/tenants/{}", entry.id))?;
        let tenant = retrying(&tenant_url, backoff, report, || {
            client.tenant_config(&ctx, entry.id)
        })
        .await
        .map_err(|e| {
            let what = format!("tenant {} (tenants[{index}] of {service_url})", entry.id);
            fatal(&tenant_url, e, &what)
        })?;
        tenants.push((tenant_url, tenant));
    }
    let (service, warnings) = map(&service_url, &service, &tenants, server)?;
    report(None);
    Ok(Loaded {
        service,
        url: service_url,
        warnings,
    })
}

/// The configuration of a service answer and its tenants' answers (`tenants[i]` is the URL
/// and answer of `service.tenants[i]`), checked; and what was ignored.
///
/// Each tenant gets its port from the service's entry and everything else from its own
/// configuration; it is the game socket (`maple`) unless the embedded simulator says
/// otherwise. A port of 0, a tenant configuration of another id, a region that is not 1 to 16
/// ASCII characters or an unknown task type is an error naming the URL and the field; then
/// [`ServiceConfig::validate`] runs with the service's URL as the origin.
pub fn map(
    service_url: &str,
    service: &rest::ServiceConfig,
    tenants: &[(String, rest::TenantConfig)],
    server: Server,
) -> Result<(ServiceConfig, Vec<String>), ConfigError> {
    let tasks = service
        .tasks
        .iter()
        .enumerate()
        .map(|(index, task)| match task.kind.as_str() {
            "timeout" => Ok(Task::Timeout {
                interval_ms: task.interval,
                duration_ms: task.duration,
            }),
            other => Err(field(
                service_url,
                format!("tasks[{index}].type"),
                format!("unknown task type {other:?}"),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if tenants.len() != service.tenants.len() {
        return Err(ConfigError::Remote {
            url: service_url.to_owned(),
            reason: format!(
                "{} tenants listed, {} tenant configurations read",
                service.tenants.len(),
                tenants.len()
            ),
        });
    }
    let mut warnings = Vec::new();
    let mut out = Vec::with_capacity(tenants.len());
    for (index, (entry, (tenant_url, tenant))) in service.tenants.iter().zip(tenants).enumerate() {
        if entry.port == 0 {
            return Err(field(
                service_url,
                format!("tenants[{index}].port"),
                "must be 1 to 65535, got 0".into(),
            ));
        }
        if tenant.id != entry.id {
            return Err(field(
                tenant_url,
                "id".into(),
                format!("the answer is tenant {}'s, not {}'s", tenant.id, entry.id),
            ));
        }
        if !region_is_valid(&tenant.region) {
            return Err(field(
                tenant_url,
                "region".into(),
                format!("must be 1 to 16 ASCII characters, got {:?}", tenant.region),
            ));
        }
        let (protocol, channels) = match server {
            Server::Atlas => {
                let extra: Vec<&str> = ["protocol", "channels"]
                    .into_iter()
                    .filter(|name| entry.extra.contains_key(*name))
                    .collect();
                if !extra.is_empty() {
                    warnings.push(format!(
                        "{service_url}: tenants[{index}]: {} ignored: a tenant from Atlas's \
                         configuration service is the game socket of its version",
                        extra.join(" and ")
                    ));
                }
                (ProtocolKind::Maple, Vec::new())
            }
            Server::EmbeddedSimulator => (
                member(service_url, index, entry, "protocol")?.unwrap_or_default(),
                member::<Vec<ChannelConfig>>(service_url, index, entry, "channels")?
                    .unwrap_or_default(),
            ),
        };
        out.push(TenantConfig {
            id: tenant.id,
            region: tenant.region.clone(),
            major_version: tenant.major_version,
            minor_version: tenant.minor_version,
            port: entry.port,
            protocol,
            channels,
            socket: tenant.socket.clone(),
            uses_pin: tenant.uses_pin,
        });
    }
    let config = ServiceConfig {
        tasks,
        tenants: out,
    };
    config.validate(service_url)?;
    Ok((config, warnings))
}

/// A member of a service's tenant entry that Atlas does not define, decoded.
fn member<T: DeserializeOwned>(
    url: &str,
    index: usize,
    entry: &rest::ServiceTenant,
    name: &str,
) -> Result<Option<T>, ConfigError> {
    match entry.extra.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| field(url, format!("tenants[{index}].{name}"), e.to_string())),
    }
}

fn field(url: &str, field: String, reason: String) -> ConfigError {
    ConfigError::RemoteField {
        url: url.to_owned(),
        field,
        reason,
    }
}

/// The full URL of a configurations path.
fn url(client: &RestClient, path: &str) -> Result<String, ConfigError> {
    client
        .endpoints()
        .url(Domain::Configurations, path)
        .ok_or(ConfigError::NoConfigurationService)
}

/// Calls until the answer is not a failure to reach the service; each such failure is logged
/// and reported, then waited out with the back-off.
async fn retrying<T, F, Fut>(
    url: &str,
    backoff: Backoff,
    report: &(dyn Fn(Option<String>) + Sync),
    mut call: F,
) -> Result<T, RestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RestError>>,
{
    let mut wait = backoff.first;
    let mut attempt: u32 = 1;
    loop {
        match call().await {
            Err(error) if unreachable(&error) => {
                let why = unreachable_reason(&error, url);
                warn!(
                    url,
                    attempt,
                    retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    error = %why,
                    "The configuration service cannot be reached; start-up waits for it."
                );
                report(Some(format!(
                    "waiting for the configuration service at {url}: {why}"
                )));
                tokio::time::sleep(wait).await;
                wait = backoff.next(wait);
                attempt = attempt.saturating_add(1);
            }
            answer => return answer,
        }
    }
}

/// A failure to reach the service, worth retrying: no connection, no answer in time, or a
/// status that says "later" (5xx, 408, 429).
fn unreachable(error: &RestError) -> bool {
    match error {
        RestError::Timeout { .. } | RestError::Transport { .. } => true,
        RestError::Status { status, .. } => *status >= 500 || matches!(*status, 408 | 429),
        _ => false,
    }
}

/// Why `url` could not be reached, without the URL again.
fn unreachable_reason(error: &RestError, url: &str) -> String {
    match error {
        RestError::Timeout { timeout, .. } => format!(
            "no answer within {} ms (REST_TIMEOUT_MS)",
            timeout.as_millis()
        ),
        RestError::Transport { reason, .. } => {
            let repeated = format!("error sending request for url ({url}): ");
            reason.strip_prefix(&repeated).unwrap_or(reason).to_owned()
        }
        RestError::Status { status, .. } => format!("status {status}"),
        other => other.to_string(),
    }
}

/// An answer that is no usable configuration of `what`, as the error that stops start-up.
fn fatal(url: &str, error: RestError, what: &str) -> ConfigError {
    let remote = |reason: String| ConfigError::Remote {
        url: url.to_owned(),
        reason,
    };
    match error {
        RestError::NotFound { .. } => remote(format!(
            "not found (404): the configuration service has no configuration for {what}"
        )),
        RestError::BadRequest { .. } => remote("bad request (400)".into()),
        RestError::Status { status, .. } => remote(format!("unexpected status {status}")),
        RestError::Decode { field, reason, .. } => ConfigError::RemoteField {
            url: url.to_owned(),
            field,
            reason,
        },
        RestError::NotConfigured { .. } => ConfigError::NoConfigurationService,
        other => remote(other.to_string()),
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
