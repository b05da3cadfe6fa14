//! Forced failures and delays, over HTTP and through the handle.

use std::time::{Duration, Instant};

use super::{client_for, gms83, start};
use crate::rest::{Account, RestError, SeedRequest};
use crate::sim::atlas::Fault;

#[tokio::test]
async fn a_fault_posted_over_http_fails_the_path_until_cleared() {
    let h = start().await;
    let admin = reqwest::Client::new();
    let url = format!("{}sim/faults", h.sim.base_url());
    let posted = admin
        .post(&url)
        .body(r#"{"path":"characters/seed","status":500}"#)
        .send()
        .await;
    assert_eq!(posted.expect("post fault").status().as_u16(), 204);
    let seed = SeedRequest::new(6, 0, "Downtime");
    let err = h
        .client
        .seed_character(&gms83(), &seed)
        .await
        .expect_err("forced");
    assert!(
        matches!(err, RestError::Status { status: 500, .. }),
        "{err}"
    );
    assert!(
        h.client.worlds(&gms83()).await.is_ok(),
        "other paths unaffected"
    );
    assert_eq!(
        admin
            .delete(&url)
            .send()
            .await
            .expect("clear")
            .status()
            .as_u16(),
        204
    );
    assert!(h.client.seed_character(&gms83(), &seed).await.is_ok());
}

#[tokio::test]
async fn a_slow_service_times_the_client_out_and_a_patient_client_waits() {
    let h = start().await;
    h.sim
        .faults()
        .add(Fault::delay("worlds", Duration::from_millis(400)));
    let impatient = client_for(&h.sim, Duration::from_millis(150));
    let started = Instant::now();
    let err = impatient.worlds(&gms83()).await.expect_err("too slow");
    assert!(matches!(err, RestError::Timeout { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(390),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    assert_eq!(h.client.worlds(&gms83()).await.expect("patient").len(), 2);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_down_service_and_a_counted_empty_answer() {
    let h = start().await;
    h.sim
        .faults()
        .add(Fault::status("accounts/*", 503).on("GET"));
    let err = h.client.account(&gms83(), 1).await.expect_err("down");
    assert!(
        matches!(err, RestError::Status { status: 503, .. }),
        "{err}"
    );
    h.sim.faults().clear();
    h.sim.faults().add(
        Fault::status("accounts/1", 404)
            .on("PATCH")
            .empty()
            .times(1),
    );
    let account = Account {
        id: 1,
        tos: false,
        ..Account::default()
    };
    h.client
        .update_account(&gms83(), &account)
        .await
        .expect("empty 404 is success (Atlas)");
    assert!(
        h.client
            .account(&gms83(), 1)
            .await
            .expect("not patched")
            .tos,
        "the fault answered, not the service"
    );
    assert!(h.sim.faults().list().is_empty(), "counted fault expired");
}
