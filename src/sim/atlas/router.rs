//! Dispatch of simulator requests: the admin fault endpoint, forced faults and delays, the
//! tenant headers, then the simulated service owning the path.

use std::sync::Arc;
use std::time::Duration;

use hyper::{Method, StatusCode};
use uuid::Uuid;

use super::http::{empty, error, json_response, SimRequest, SimResponse};
use super::{accounts, characters, configurations, seed, worlds, Fault, Shared, SimTenant};

pub(crate) async fn handle(shared: Arc<Shared>, req: SimRequest) -> SimResponse {
    if req.path == "sim/faults" {
        return admin(&shared, &req);
    }
    if let Some(fault) = shared.faults.take(req.method.as_str(), &req.path) {
        if fault.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
        }
        if let Some(status) = fault.status {
            return forced(status, fault.empty_body);
        }
    }
    route(&shared, &req)
}

fn route(shared: &Arc<Shared>, req: &SimRequest) -> SimResponse {
    let segments = req.segments();
    let Some((&first, rest)) = segments.split_first() else {
        return error(StatusCode::NOT_FOUND, "no resource at the root");
    };
    if first == "configurations" {
        return configurations::handle(shared, req, rest);
    }
    let tenant = match tenant_of(req) {
        Ok(tenant) => tenant,
        Err(detail) => return error(StatusCode::BAD_REQUEST, &detail),
    };
    match (first, rest) {
        ("accounts", _) => accounts::handle(shared, &tenant, req, rest),
        ("worlds", _) => worlds::handle(shared, &tenant, req, rest),
        ("characters", ["seed"]) => seed::handle(shared, &tenant, req),
        ("characters", _) => characters::handle(shared, &tenant, req, rest),
        ("guilds", []) => characters::guilds(shared, &tenant, req),
        _ => error(StatusCode::NOT_FOUND, "no such resource"),
    }
}

/// `POST /sim/faults` adds a [`Fault`] (JSON body), `DELETE` clears, `GET` lists.
fn admin(shared: &Shared, req: &SimRequest) -> SimResponse {
    match req.method {
        Method::POST => match serde_json::from_slice::<Fault>(&req.body) {
            Ok(fault) => {
                shared.faults.add(fault);
                empty(StatusCode::NO_CONTENT)
            }
            Err(e) => error(StatusCode::BAD_REQUEST, &format!("not a fault: {e}")),
        },
        Method::DELETE => {
            shared.faults.clear();
            empty(StatusCode::NO_CONTENT)
        }
        Method::GET => json_response(StatusCode::OK, &serde_json::json!(shared.faults.list())),
        _ => not_allowed(),
    }
}

fn forced(status: u16, empty_body: bool) -> SimResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if empty_body {
        empty(status)
    } else {
        error(status, "fault injected by the simulator")
    }
}

/// The tenant of a request; every header must be present and well-formed.
pub(crate) fn tenant_of(req: &SimRequest) -> Result<SimTenant, String> {
    let header = |name: &str| req.header(name).ok_or(format!("missing {name} header"));
    let id = header("TENANT_ID")?;
    let id = Uuid::try_parse(id)
        .ok()
        .filter(|_| id.len() == 36)
        .ok_or("TENANT_ID is not a 36-character uuid")?;
    let version = |name: &str| {
        header(name)?
            .parse::<u16>()
            .map_err(|_| format!("{name} is not a decimal u16"))
    };
    Ok(SimTenant {
        id,
        region: header("REGION")?.to_string(),
        major: version("MAJOR_VERSION")?,
        minor: version("MINOR_VERSION")?,
    })
}

pub(crate) fn not_allowed() -> SimResponse {
    error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here")
}

pub(crate) fn not_found(what: &str) -> SimResponse {
    error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

/// A path or query id; the error is the detail of a 400 answer.
pub(crate) fn id<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("{text:?} is not an id"))
}

pub(crate) fn bad_request(detail: &str) -> SimResponse {
    error(StatusCode::BAD_REQUEST, detail)
}
