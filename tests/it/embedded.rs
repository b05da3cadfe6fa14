//! The embedded mode of `make run`: no BOOTSTRAP_SERVERS, an in-process broker and simulator.

use std::collections::HashMap;

use login_orchestrator::config::Config;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

#[actix_rt::test]
async fn without_bootstrap_servers_a_full_login_works_on_the_embedded_broker() {
    let dir = std::env::temp_dir().join(format!("lo-embedded-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let service = dir.join("service.json");
    std::fs::write(&service, service_json(None)).unwrap();
    let accounts = concat!(env!("CARGO_MANIFEST_DIR"), "/config/accounts.json");
    let vars: HashMap<String, String> = [
        ("SERVICE_ID", Uuid::new_v4().to_string()),
        ("SERVICE_CONFIG", service.display().to_string()),
        ("ACCOUNTS_FILE", accounts.to_owned()),
        ("KAFKA_SESSION_TIMEOUT_MS", "6000".to_owned()),
        ("ADMIN_ADDRESS", "127.0.0.1:0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = Config::from_vars(vars).unwrap();
    assert_eq!(config.env.bootstrap_servers, None);
    let app = start(config).await;
    let mut c = Client::connect(app.gateway[0]).await;
    assert_eq!(
        c.login("newbie", "newbie").await,
        json!({"event":"license_agreement","accountId":2})
    );
    c.send(json!({"op":"accept_license","accepted":true})).await;
    assert_eq!(
        c.recv().await,
        json!({"event":"login_ok","accountId":2,"accountName":"newbie"})
    );
    c.send(json!({"op":"select_character","characterId":3,"worldId":0,"channelId":0}))
        .await;
    assert_eq!(
        c.recv().await,
        json!({"event":"server_ip","ipAddress":"10.0.0.5","port":7575,"characterId":3})
    );
    let mut d = Client::connect(app.gateway[0]).await;
    assert_eq!(d.login("banned", "banned").await["event"], "banned");
    c.send(json!({"op":"logout"})).await;
    assert_eq!(c.recv().await, json!({"event":"bye","reason":"logout"}));
    app.shutdown().await;
    assert_eq!(d.recv().await, json!({"event":"bye","reason":"shutdown"}));
}
