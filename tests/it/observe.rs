//! Observability: metrics after a scripted flow, readiness around start-up and shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;
use crate::world::World;

#[actix_rt::test]
async fn metrics_count_a_scripted_flow() {
    let tenant = Uuid::new_v4().to_string();
    let mut w = World::start(true, &service_json_for(&tenant, None), &[]).await;
    let mut c = w.client().await;
    assert_eq!(
        c.login("admin", "wrong").await["code"],
        "INCORRECT_PASSWORD"
    );
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    let admin = w.app.as_ref().unwrap().admin;
    let t = tenant.as_str();
    let (cmd, status, session_events) = (
        w.topics.command.clone(),
        w.topics.session_status.clone(),
        w.topics.account_session_status.clone(),
    );
    // The end is counted once its LOGOUT and DESTROYED were sent: poll until then.
    let mut body = String::new();
    for _ in 0..200 {
        let (code, text) = admin_get(admin, "/metrics").await;
        assert_eq!(code, 200);
        body = text;
        if sample(
            &body,
            "login_messages_produced_total",
            &[("topic", &status), ("result", "ok")],
        ) == Some(2.0)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        sample(
            &body,
            "login_logins_total",
            &[("tenant", t), ("outcome", "ok")]
        ),
        Some(1.0),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            "login_logins_total",
            &[("tenant", t), ("outcome", "incorrect_password")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            "login_sessions_ended_total",
            &[("tenant", t), ("reason", "logout")]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, "login_sessions_active", &[("tenant", t)]),
        Some(0.0)
    );
    assert_eq!(
        sample(
            &body,
            "login_events_consumed_total",
            &[("topic", &session_events), ("outcome", "routed")]
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &body,
            "login_messages_produced_total",
            &[("topic", &cmd), ("result", "ok")]
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &body,
            "login_messages_produced_total",
            &[("topic", &status), ("result", "ok")]
        ),
        Some(2.0)
    );
    assert!(
        sample(
            &body,
            "login_login_duration_seconds_count",
            &[("tenant", t)]
        ) == Some(2.0),
        "{body}"
    );
    assert!(body.contains("login_produce_duration_seconds_bucket"));
    assert!(
        !body.contains(&c.session_id.to_string()),
        "no session ids as labels"
    );
    w.shutdown().await;
}

#[actix_rt::test]
async fn readiness_is_false_before_assignment_and_during_shutdown() {
    let topics = Topics::create().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let admin: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let address = admin.to_string();
    let config = config(&topics, &service_json(None), &[("ADMIN_ADDRESS", &address)]);
    let starting = actix_rt::spawn(start(config));
    // The group join takes seconds on the test broker: readiness must say no meanwhile.
    let mut not_ready = None;
    for _ in 0..100 {
        if let Ok(stream) = tokio::net::TcpStream::connect(admin).await {
            drop(stream);
            let (code, body) = admin_get(admin, "/readyz").await;
            if code == 503 {
                not_ready = Some(body);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(not_ready.unwrap().contains("no partitions"));
    assert_eq!(admin_get(admin, "/healthz").await.0, 200);
    let app = starting.await.unwrap();
    assert_eq!(
        admin_get(admin, "/readyz").await,
        (200, "ready\n".to_owned())
    );
    app.shutdown().await;
    let (code, body) = admin_get(admin, "/readyz").await;
    assert_eq!((code, body.as_str()), (503, "not ready: shutting down\n"));
    assert_eq!(admin_get(admin, "/nothing").await.0, 404);
}
