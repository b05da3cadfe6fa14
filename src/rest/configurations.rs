//! The `configurations` domain (atlas-configurations): the login service's own configuration
//! (tasks, tenant ports) and each tenant's configuration. Talks to
//! `CONFIGURATIONS_SERVICE_URL`; called at start-up, typically with [`Context::startup`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::fields::Fields;
use super::jsonapi::Resource;

/// JSON:API type of a service configuration.
pub const SERVICES: &str = "services";
/// JSON:API type of a tenant configuration.
pub const TENANTS: &str = "tenants";

/// `configurations/services/{id}`: the tasks and the tenants (with their ports) of a service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceConfig {
    pub id: String,
    pub tasks: Vec<TaskConfig>,
    pub tenants: Vec<ServiceTenant>,
}

/// A periodic task, e.g. `{"type":"timeout","interval":5000,"duration":3600000}` (ms).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskConfig {
    #[serde(rename = "type")]
    pub kind: String,
    pub interval: u64,
    pub duration: u64,
}

/// A tenant this service listens for, and its TCP port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceTenant {
    pub id: Uuid,
    pub port: u16,
    /// The entry's other members, as sent (Atlas defines none; the REST simulator's data may
    /// give the embedded mode's JSON-lines tenant a `protocol` and `channels`).
    pub extra: Map<String, Value>,
}

/// `configurations/tenants/{id}`: the tenant's version and socket tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantConfig {
    pub id: Uuid,
    pub region: String,
    pub major_version: u16,
    pub minor_version: u16,
    pub uses_pin: bool,
    /// `{handlers:[…], writers:[…]}` exactly as sent, for the socket layer to parse;
    /// `None` when absent. Other attributes (characters, npcs, worlds) are ignored.
    pub socket: Option<Value>,
}

impl ServiceConfig {
    /// Decodes a `services` resource. Tasks are read as tolerantly as Go reads them (a missing
    /// member is the zero value); a tenant entry needs its `id` (a uuid) and its `port`. Errors
    /// name the entry: `tenants[1].port`.
    pub(crate) fn decode(resource: &Resource) -> Result<ServiceConfig, RestError> {
        let kind = resource.kind.as_str();
        let tasks = list(resource, "tasks")?
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let place = format!("tasks[{index}]");
                let f = Fields::new(kind, object(kind, &place, entry)?);
                within(&place, || {
                    Ok(TaskConfig {
                        kind: f.get("type")?,
                        interval: f.get("interval")?,
                        duration: f.get("duration")?,
                    })
                })
            })
            .collect::<Result<_, _>>()?;
        let tenants = list(resource, "tenants")?
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let place = format!("tenants[{index}]");
                let map = object(kind, &place, entry)?;
                let f = Fields::new(kind, map);
                within(&place, || {
                    let id: String = f.required("id")?;
                    let id = Uuid::parse_str(&id)
                        .map_err(|_| RestError::decode(kind, "id", "not a uuid"))?;
                    let port = f.required("port")?;
                    let mut extra = map.clone();
                    extra.remove("id");
                    extra.remove("port");
                    Ok(ServiceTenant { id, port, extra })
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ServiceConfig {
            id: resource.id.clone(),
            tasks,
            tenants,
        })
    }
}

impl TenantConfig {
    /// Decodes a `tenants` resource. `region`, `majorVersion` and `minorVersion` must be
    /// present (Go would take zero values, a tenant no client could match); the rest is read
    /// as tolerantly as Go reads it.
    pub(crate) fn decode(resource: &Resource) -> Result<TenantConfig, RestError> {
        let f = resource.fields();
        let id = Uuid::parse_str(&resource.id)
            .map_err(|_| RestError::decode(&resource.kind, "id", "not a uuid"))?;
        Ok(TenantConfig {
            id,
            region: f.required("region")?,
            major_version: f.required("majorVersion")?,
            minor_version: f.required("minorVersion")?,
            uses_pin: f.get("usesPin")?,
            socket: f.raw("socket"),
        })
    }
}

/// A list attribute (missing or `null`: empty).
fn list<'a>(resource: &'a Resource, name: &str) -> Result<&'a [Value], RestError> {
    match resource.attributes.get(name) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(RestError::decode(&resource.kind, name, "expected a list")),
    }
}

/// An entry of a list attribute, which must be an object.
fn object<'a>(
    kind: &str,
    place: &str,
    entry: &'a Value,
) -> Result<&'a Map<String, Value>, RestError> {
    entry
        .as_object()
        .ok_or_else(|| RestError::decode(kind, place, "expected an object"))
}

/// Runs `decode`, naming its errors' fields after `place` (`tenants[1]` + `port`).
fn within<T>(place: &str, decode: impl FnOnce() -> Result<T, RestError>) -> Result<T, RestError> {
    decode().map_err(|error| match error {
        RestError::Decode {
            resource,
            field,
            reason,
        } => RestError::Decode {
            resource,
            field: format!("{place}.{field}"),
            reason,
        },
        other => other,
    })
}

impl RestClient {
    /// GET `configurations/services/{serviceId}`.
    pub async fn service_config(
        &self,
        ctx: &Context,
        service_id: Uuid,
    ) -> Result<ServiceConfig, RestError> {
        let path = format!("configurations/services/{service_id}");
        let doc = self
            .get(ctx, Domain::Configurations, &path, SERVICES)
            .await?;
        ServiceConfig::decode(doc.one(SERVICES)?)
    }

    /// GET `configurations/tenants/{tenantId}`.
    pub async fn tenant_config(
        &self,
        ctx: &Context,
        tenant_id: Uuid,
    ) -> Result<TenantConfig, RestError> {
        let path = format!("configurations/tenants/{tenant_id}");
        let doc = self
            .get(ctx, Domain::Configurations, &path, TENANTS)
            .await?;
        TenantConfig::decode(doc.one(TENANTS)?)
    }
}
