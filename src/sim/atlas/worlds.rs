//! Simulated atlas-world REST: `GET worlds[?include=channels]`, `GET worlds/{id}`,
//! `GET worlds/{w}/channels` and `GET worlds/{w}/channels/{c}`.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::encode;
use super::http::{json_response, SimRequest, SimResponse};
use super::router::{bad_request, id, not_allowed, not_found};
use super::{Shared, SimTenant};
use crate::rest::jsonapi::document;
use crate::rest::World;

pub(crate) fn handle(
    shared: &Arc<Shared>,
    tenant: &SimTenant,
    req: &SimRequest,
    rest: &[&str],
) -> SimResponse {
    if req.method != Method::GET {
        return not_allowed();
    }
    let include = req
        .param("include")
        .is_some_and(|v| v.split(',').any(|p| p == "channels"));
    match rest {
        [] => ok(shared.with_tenant(tenant.id, |t| {
            let worlds: Vec<&World> = t.worlds.values().collect();
            let data: Vec<Value> = worlds.iter().map(|w| encode::world(w)).collect();
            encode::worlds_document(json!(data), &worlds, include)
        })),
        [world] => in_world(shared, tenant, world, |w| {
            Some(encode::worlds_document(encode::world(w), &[w], include))
        }),
        [world, "channels"] => in_world(shared, tenant, world, |w| {
            let data: Vec<Value> = w.channels.iter().map(encode::channel).collect();
            Some(document(json!(data)))
        }),
        [world, "channels", channel] => match id::<u8>(channel) {
            Ok(c) => in_world(shared, tenant, world, |w| {
                let found = w.channels.iter().find(|ch| ch.channel_id == c);
                found.map(|ch| document(encode::channel(ch)))
            }),
            Err(detail) => bad_request(&detail),
        },
        _ => not_found("resource"),
    }
}

/// Answers `f(world)` for the world named by a path id; 404 when it (or `f`) finds nothing.
fn in_world(
    shared: &Shared,
    tenant: &SimTenant,
    world: &str,
    f: impl FnOnce(&World) -> Option<Value>,
) -> SimResponse {
    match id::<u8>(world) {
        Ok(world) => shared
            .with_tenant(tenant.id, |t| t.worlds.get(&world).and_then(f))
            .map_or_else(|| not_found("world or channel"), ok),
        Err(detail) => bad_request(&detail),
    }
}

fn ok(body: Value) -> SimResponse {
    json_response(StatusCode::OK, &body)
}
