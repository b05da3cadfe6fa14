//! Tenants, configurations, headers, prefixes and stopping.

use uuid::Uuid;

use super::{client_for, gms83, start, GMS83};
use crate::rest::{AccountChange, ClientConfig, Context, Endpoints, RestClient, RestError};

#[tokio::test]
async fn an_unknown_tenant_gets_its_own_copy_of_default() {
    let h = start().await;
    let other = Context::new(Uuid::new_v4(), "GMS", 87, 1);
    let third = Context::new(Uuid::new_v4(), "JMS", 185, 1);
    assert_eq!(h.client.accounts(&other).await.expect("accounts").len(), 6);
    // The demo's default is the demo tenant's world: every version's tenant of `make run` has
    // characters to select.
    let worlds = h.client.worlds(&other).await.expect("worlds");
    assert_eq!((worlds.len(), worlds[0].channels.len()), (2, 3));
    assert_eq!(
        h.client
            .characters_of(&other, 1, 0)
            .await
            .expect("admin's")
            .len(),
        3
    );
    let admin = h.client.account(&other, 1).await.expect("admin");
    h.client
        .change_account(&other, &admin, AccountChange::Tos(false))
        .await
        .expect("patch");
    assert!(!h.client.account(&other, 1).await.expect("changed").tos);
    assert!(
        h.client.account(&third, 1).await.expect("third").tos,
        "no leak between tenants"
    );
    assert!(
        h.client.account(&gms83(), 1).await.expect("gms83").tos,
        "no leak into a real section"
    );
}

#[tokio::test]
async fn requests_without_tenant_headers_are_400() {
    let h = start().await;
    let url = format!("{}accounts/1", h.sim.base_url());
    let plain = reqwest::Client::new().get(&url).send().await.expect("send");
    assert_eq!(plain.status().as_u16(), 400);
    let kafka_style = reqwest::Client::new()
        .get(&url)
        .header("TENANT_ID", GMS83)
        .header("REGION", "GMS")
        .header("MAJOR_VERSION", "0x53")
        .header("MINOR_VERSION", "1")
        .send()
        .await
        .expect("send");
    assert_eq!(
        kafka_style.status().as_u16(),
        400,
        "versions must be decimal text"
    );
}

#[tokio::test]
async fn configurations_are_served_from_the_data_file() {
    let h = start().await;
    let ctx = Context::startup();
    let service = Uuid::parse_str("4a6b5e2c-9d1f-4e8a-b7c3-2f0d1e6a9b54").expect("uuid");
    let config = h
        .client
        .service_config(&ctx, service)
        .await
        .expect("service");
    assert_eq!(
        (
            config.tasks[0].kind.as_str(),
            config.tasks[0].interval,
            config.tasks[0].duration
        ),
        ("timeout", 5000, 3_600_000)
    );
    assert_eq!(
        (config.tenants[0].id.to_string(), config.tenants[0].port),
        (GMS83.to_string(), 8300)
    );
    let tenant = h
        .client
        .tenant_config(&ctx, Uuid::parse_str(GMS83).expect("uuid"))
        .await
        .expect("tenant");
    assert_eq!(
        (
            tenant.region.as_str(),
            tenant.major_version,
            tenant.minor_version
        ),
        ("GMS", 83, 1)
    );
    assert_eq!((tenant.uses_pin, tenant.socket), (false, None));
    let missing = h
        .client
        .tenant_config(&ctx, Uuid::new_v4())
        .await
        .expect_err("unknown");
    assert!(matches!(missing, RestError::NotFound { .. }), "{missing}");
}

#[tokio::test]
async fn the_api_prefix_is_served_too() {
    let h = start().await;
    let root = format!("{}api", h.sim.base_url());
    let endpoints = Endpoints::new(Some(root), vec![]).expect("endpoints");
    let client = RestClient::new(endpoints, ClientConfig::default()).expect("client");
    assert_eq!(
        client.account(&gms83(), 1).await.expect("via /api/").name,
        "admin"
    );
}

#[tokio::test]
async fn a_stopped_or_dropped_sim_refuses_calls() {
    let h = start().await;
    let client = client_for(&h.sim, std::time::Duration::from_secs(1));
    assert!(client.account(&gms83(), 1).await.is_ok());
    h.sim.stop().await;
    let err = client.account(&gms83(), 1).await.expect_err("stopped");
    assert!(matches!(err, RestError::Transport { .. }), "{err}");
    let dropped = start().await;
    let client = client_for(&dropped.sim, std::time::Duration::from_secs(1));
    drop(dropped);
    tokio::task::yield_now().await;
    assert!(client.worlds(&gms83()).await.is_err());
}
