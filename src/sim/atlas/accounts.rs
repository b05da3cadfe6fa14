//! Simulated atlas-account REST: `GET accounts`, `GET`/`PATCH accounts/{id}`, and
//! `POST accounts/{id}/pin-attempts|pic-attempts` with failure counting.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::json;

use super::encode;
use super::http::{empty, error, json_response, SimRequest, SimResponse};
use super::router::{bad_request, id, not_allowed, not_found};
use super::{Shared, SimTenant};
use crate::rest::jsonapi::{document, resource, Document};
use crate::rest::{Account, Attempt, AttemptKind, ACCOUNTS};

pub(crate) fn handle(
    shared: &Arc<Shared>,
    tenant: &SimTenant,
    req: &SimRequest,
    rest: &[&str],
) -> SimResponse {
    match (&req.method, rest) {
        (&Method::GET, []) => list(shared, tenant),
        (&Method::GET, [account]) => with_id(account, |id| one(shared, tenant, id)),
        (&Method::PATCH, [account]) => with_id(account, |id| patch(shared, tenant, req, id)),
        (&Method::POST, [account, "pin-attempts"]) => with_id(account, |id| {
            attempt(shared, tenant, req, id, AttemptKind::Pin)
        }),
        (&Method::POST, [account, "pic-attempts"]) => with_id(account, |id| {
            attempt(shared, tenant, req, id, AttemptKind::Pic)
        }),
        (_, [] | [_] | [_, "pin-attempts" | "pic-attempts"]) => not_allowed(),
        _ => not_found("resource"),
    }
}

fn with_id(text: &str, f: impl FnOnce(u32) -> SimResponse) -> SimResponse {
    match id(text) {
        Ok(id) => f(id),
        Err(detail) => bad_request(&detail),
    }
}

fn list(shared: &Shared, tenant: &SimTenant) -> SimResponse {
    let data = shared.with_tenant(tenant.id, |t| {
        t.accounts.values().map(encode::account).collect::<Vec<_>>()
    });
    json_response(StatusCode::OK, &document(json!(data)))
}

fn one(shared: &Shared, tenant: &SimTenant, id: u32) -> SimResponse {
    match shared.with_tenant(tenant.id, |t| t.accounts.get(&id).map(encode::account)) {
        Some(data) => json_response(StatusCode::OK, &document(data)),
        None => not_found("account"),
    }
}

/// The full account resource comes back; login's changes (tos, gender, pin, pic) apply.
fn patch(shared: &Shared, tenant: &SimTenant, req: &SimRequest, id: u32) -> SimResponse {
    let input = Document::parse(ACCOUNTS, &req.body)
        .and_then(|doc| doc.one(ACCOUNTS).cloned())
        .and_then(|mut resource| {
            resource.id = id.to_string();
            Account::decode(&resource)
        });
    let input = match input {
        Ok(input) => input,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match shared.with_tenant(tenant.id, |t| t.patch_account(id, &input).is_some()) {
        true => empty(StatusCode::NO_CONTENT),
        false => not_found("account"),
    }
}

fn attempt(
    shared: &Shared,
    tenant: &SimTenant,
    req: &SimRequest,
    id: u32,
    kind: AttemptKind,
) -> SimResponse {
    let kind_name = kind.resource_type();
    let input = Document::parse(kind_name, &req.body)
        .and_then(|doc| doc.one(kind_name).and_then(Attempt::decode));
    let input = match input {
        Ok(input) => input,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let limit = shared.attempt_limit;
    let result = shared.with_tenant(tenant.id, |t| t.attempt(id, kind, input.success, limit));
    match result {
        Some(result) => {
            let body = document(resource(kind_name, &id.to_string(), &result));
            json_response(StatusCode::OK, &body)
        }
        None => not_found("account"),
    }
}
