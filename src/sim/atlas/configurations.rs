//! Simulated atlas-configurations REST: `GET configurations/services/{id}` and
//! `GET configurations/tenants/{id}`, served as written in the data file (no tenant headers
//! needed: login calls these at start-up). A service id without an entry of its own gets the
//! `default` service entry when there is one (the embedded mode's SERVICE_ID is new on every
//! `make run`), served under the id asked for.

use std::sync::Arc;

use hyper::{Method, StatusCode};

use super::encode;
use super::http::{json_response, SimRequest, SimResponse};
use super::router::{not_allowed, not_found};
use super::Shared;
use crate::rest::{SERVICES, TENANTS};

/// The id of the service entry served for a service id without one of its own.
const DEFAULT_SERVICE: &str = "default";

pub(crate) fn handle(shared: &Arc<Shared>, req: &SimRequest, rest: &[&str]) -> SimResponse {
    if req.method != Method::GET {
        return not_allowed();
    }
    let (kind, table, id) = match rest {
        ["services", id] => (SERVICES, &shared.services, id.to_ascii_lowercase()),
        ["tenants", id] => (TENANTS, &shared.tenant_configs, id.to_ascii_lowercase()),
        _ => return not_found("configuration"),
    };
    let found = table.get(&id).or_else(|| match kind {
        SERVICES => table.get(DEFAULT_SERVICE),
        _ => None,
    });
    match found {
        Some(attributes) => json_response(StatusCode::OK, &encode::raw(kind, &id, attributes)),
        None => not_found("configuration"),
    }
}
