//! Simulated atlas-configurations REST: `GET configurations/services/{id}` and
//! `GET configurations/tenants/{id}`, served as written in the data file (no tenant headers
//! needed: login calls these at start-up).

use std::sync::Arc;

use hyper::{Method, StatusCode};

use super::encode;
use super::http::{json_response, SimRequest, SimResponse};
use super::router::{not_allowed, not_found};
use super::Shared;
use crate::rest::{SERVICES, TENANTS};

pub(crate) fn handle(shared: &Arc<Shared>, req: &SimRequest, rest: &[&str]) -> SimResponse {
    if req.method != Method::GET {
        return not_allowed();
    }
    let (kind, table, id) = match rest {
        ["services", id] => (SERVICES, &shared.services, id.to_ascii_lowercase()),
        ["tenants", id] => (TENANTS, &shared.tenant_configs, id.to_ascii_lowercase()),
        _ => return not_found("configuration"),
    };
    match table.get(&id) {
        Some(attributes) => json_response(StatusCode::OK, &encode::raw(kind, &id, attributes)),
        None => not_found("configuration"),
    }
}
