//! Simulated atlas-character, atlas-inventory and atlas-guild REST: character queries, one
//! character, its deletion, its inventory, and `GET guilds?filter[members.id]=`.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::encode;
use super::http::{empty, json_response, SimRequest, SimResponse};
use super::router::{bad_request, id, not_allowed, not_found};
use super::store::new_inventory;
use super::{Shared, SimTenant};
use crate::rest::jsonapi::document;

pub(crate) fn handle(
    shared: &Arc<Shared>,
    tenant: &SimTenant,
    req: &SimRequest,
    rest: &[&str],
) -> SimResponse {
    let character = |text: &str| id::<u32>(text);
    match (&req.method, rest) {
        (&Method::GET, []) => query(shared, tenant, req).unwrap_or_else(|d| bad_request(&d)),
        (&Method::GET, [c]) => {
            character(c).map_or_else(|d| bad_request(&d), |c| one(shared, tenant, c))
        }
        (&Method::DELETE, [c]) => {
            character(c).map_or_else(|d| bad_request(&d), |c| delete(shared, tenant, c))
        }
        (&Method::GET, [c, "inventory"]) => {
            character(c).map_or_else(|d| bad_request(&d), |c| inventory(shared, tenant, c))
        }
        (_, [] | [_] | [_, "inventory"]) => not_allowed(),
        _ => not_found("resource"),
    }
}

/// `?accountId=&worldId=` (either optional; no match → 404, as §7 implies) or `?name=`
/// (no match → an empty list: login's name check must see "free").
fn query(shared: &Shared, tenant: &SimTenant, req: &SimRequest) -> Result<SimResponse, String> {
    let account = req.param("accountId").map(id::<u32>).transpose()?;
    let world = req.param("worldId").map(id::<u8>).transpose()?;
    let name = req.param("name");
    let found: Vec<Value> = shared.with_tenant(tenant.id, |t| match name {
        Some(name) => t
            .characters_named(name)
            .into_iter()
            .map(encode::character)
            .collect(),
        None => t
            .characters_where(account, world)
            .into_iter()
            .map(encode::character)
            .collect(),
    });
    if found.is_empty() && account.is_some() {
        return Ok(not_found("characters"));
    }
    Ok(json_response(StatusCode::OK, &document(json!(found))))
}

fn one(shared: &Shared, tenant: &SimTenant, id: u32) -> SimResponse {
    match shared.with_tenant(tenant.id, |t| t.characters.get(&id).map(encode::character)) {
        Some(data) => json_response(StatusCode::OK, &document(data)),
        None => not_found("character"),
    }
}

fn delete(shared: &Shared, tenant: &SimTenant, id: u32) -> SimResponse {
    match shared.with_tenant(tenant.id, |t| t.delete_character(id)) {
        true => empty(StatusCode::NO_CONTENT),
        false => not_found("character"),
    }
}

/// A character without a stored inventory gets the five empty compartments.
fn inventory(shared: &Shared, tenant: &SimTenant, id: u32) -> SimResponse {
    let body = shared.with_tenant(tenant.id, |t| {
        t.characters.get(&id)?;
        let inventory = t
            .inventories
            .entry(id)
            .or_insert_with(|| new_inventory(id, Vec::new()));
        Some(encode::inventory_document(inventory))
    });
    match body {
        Some(body) => json_response(StatusCode::OK, &body),
        None => not_found("character"),
    }
}

/// `GET guilds?filter[members.id]={id}`: the guilds listing that member (an empty list when
/// none); without the filter, every guild.
pub(crate) fn guilds(shared: &Arc<Shared>, tenant: &SimTenant, req: &SimRequest) -> SimResponse {
    if req.method != Method::GET {
        return not_allowed();
    }
    let member = match req.param("filter[members.id]").map(id::<u32>).transpose() {
        Ok(member) => member,
        Err(detail) => return bad_request(&detail),
    };
    let found: Vec<Value> = shared.with_tenant(tenant.id, |t| match member {
        Some(member) => t
            .guilds_with_member(member)
            .into_iter()
            .map(encode::guild)
            .collect(),
        None => t.guilds.values().map(encode::guild).collect(),
    });
    json_response(StatusCode::OK, &document(json!(found)))
}
