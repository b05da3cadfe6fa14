//! The `configurations` domain (atlas-configurations): the login service's own configuration
//! (tasks, tenant ports) and each tenant's configuration. Talks to
//! `CONFIGURATIONS_SERVICE_URL`; called at start-up, typically with [`Context::startup`].

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceTenant {
    pub id: Uuid,
    pub port: u16,
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
    pub(crate) fn decode(resource: &Resource) -> Result<ServiceConfig, RestError> {
        let f = resource.fields();
        Ok(ServiceConfig {
            id: resource.id.clone(),
            tasks: f.get("tasks")?,
            tenants: f.get("tenants")?,
        })
    }
}

impl TenantConfig {
    pub(crate) fn decode(resource: &Resource) -> Result<TenantConfig, RestError> {
        let f = resource.fields();
        let id = Uuid::parse_str(&resource.id)
            .map_err(|_| RestError::decode(&resource.kind, "id", "not a uuid"))?;
        Ok(TenantConfig {
            id,
            region: f.get("region")?,
            major_version: f.get("majorVersion")?,
            minor_version: f.get("minorVersion")?,
            uses_pin: f.get("usesPin")?,
            socket: f.raw("socket"),
        })
    }
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
