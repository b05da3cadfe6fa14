//! # REST client of Atlas's services
//!
//! What the login socket calls over HTTP (maple-protocol.md §7): accounts, worlds, channels,
//! characters, inventory, guilds, the character factory and configurations. Plain HTTP only
//! (`reqwest` without TLS features: the services are reached inside the cluster).
//!
//! # Layout
//! - `endpoints`: `<DOMAIN>_SERVICE_URL` / `BASE_SERVICE_URL` roots, URL escaping.
//! - `context`: tenant headers (versions as decimal text) and W3C trace context per call.
//! - `client`: the pooled `reqwest::Client`, timeouts, Atlas's status rules.
//! - `jsonapi`: documents, `included` hydration, body encoding.
//! - `fields`: Go-tolerant attribute reading (zero values, range errors naming the field).
//! - `error`: [`RestError`], the one error of this boundary.
//! - one file per domain: `accounts`, `worlds` (+ channels), `characters`, `inventory`,
//!   `guilds`, `factory`, `configurations` — each its models and its `impl RestClient` calls.

mod accounts;
mod characters;
mod client;
mod configurations;
mod context;
mod endpoints;
mod error;
mod factory;
mod fields;
mod guilds;
mod inventory;
pub(crate) mod jsonapi;
mod worlds;

#[cfg(test)]
mod tests;

pub use accounts::{Account, AccountChange, Attempt, AttemptKind, AttemptResult, ACCOUNTS};
pub use characters::{parse_sp, Character, CHARACTERS};
pub use client::{ClientConfig, RestClient};
pub use configurations::{
    ServiceConfig, ServiceTenant, TaskConfig, TenantConfig, SERVICES, TENANTS,
};
pub use context::{new_traceparent, Context};
pub use endpoints::{escape, Domain, EndpointError, Endpoints, BASE_ENV};
pub use error::RestError;
pub use factory::SeedRequest;
pub use guilds::{Guild, GuildMember, GUILDS};
pub use inventory::{Asset, Compartment, Inventory, ASSETS, COMPARTMENTS, EQUIP, INVENTORIES};
pub use worlds::{Channel, World, CHANNELS, WORLDS};
