//! Accounts: reads, PATCH persistence, PIN/PIC attempt limits.

use super::{gms83, start, start_with};
use crate::rest::{AccountChange, Attempt, RestError};
use crate::sim::atlas::SimData;

fn attempt(success: bool) -> Attempt {
    Attempt {
        success,
        ip_address: "127.0.0.1".into(),
        hwid: "00112233445566778899aabbccddeeff".into(),
    }
}

#[tokio::test]
async fn accounts_are_served_as_in_the_demo_data() {
    let h = start().await;
    let all = h.client.accounts(&gms83()).await.expect("accounts");
    let names: Vec<(u32, &str)> = all.iter().map(|a| (a.id, a.name.as_str())).collect();
    assert_eq!(
        names,
        [
            (1, "admin"),
            (2, "newbie"),
            (3, "banned"),
            (4, "exiled"),
            (5, "alice"),
            (6, "bob")
        ]
    );
    let newbie = h.client.account(&gms83(), 2).await.expect("newbie");
    assert_eq!(
        (newbie.tos, newbie.gender, newbie.password.as_str()),
        (false, 10, "newbie")
    );
    assert!(h.client.account(&gms83(), 3).await.expect("banned").banned);
    assert!(matches!(
        h.client.account(&gms83(), 99).await,
        Err(RestError::NotFound { .. })
    ));
}

#[tokio::test]
async fn patched_changes_persist_and_the_password_survives_the_empty_patch() {
    let h = start().await;
    let ctx = gms83();
    let newbie = h.client.account(&ctx, 2).await.expect("newbie");
    let newbie = h
        .client
        .change_account(&ctx, &newbie, AccountChange::Tos(true))
        .await
        .expect("tos");
    let newbie = h
        .client
        .change_account(&ctx, &newbie, AccountChange::Gender(1))
        .await
        .expect("gender");
    let newbie = h
        .client
        .change_account(&ctx, &newbie, AccountChange::Pin("4321".into()))
        .await
        .expect("pin");
    h.client
        .change_account(&ctx, &newbie, AccountChange::Pic("987654".into()))
        .await
        .expect("pic");
    let stored = h.client.account(&ctx, 2).await.expect("refetch");
    assert_eq!((stored.tos, stored.gender), (true, 1));
    assert_eq!(
        (
            stored.pin.as_str(),
            stored.pic.as_str(),
            stored.password.as_str()
        ),
        ("4321", "987654", "newbie")
    );
}

#[tokio::test]
async fn pin_failures_reach_the_limit_and_a_success_resets() {
    let h = start().await;
    let ctx = gms83();
    for n in 1..=4 {
        let r = h
            .client
            .record_pin_attempt(&ctx, 5, &attempt(false))
            .await
            .expect("attempt");
        assert_eq!((r.attempts, r.limit_reached), (n, false));
    }
    let fifth = h
        .client
        .record_pin_attempt(&ctx, 5, &attempt(false))
        .await
        .expect("fifth");
    assert_eq!((fifth.attempts, fifth.limit_reached), (5, true));
    assert_eq!(
        h.client.account(&ctx, 5).await.expect("alice").pin_attempts,
        5
    );
    let ok = h
        .client
        .record_pin_attempt(&ctx, 5, &attempt(true))
        .await
        .expect("success");
    assert_eq!((ok.attempts, ok.limit_reached), (0, false));
    let pic = h
        .client
        .record_pic_attempt(&ctx, 5, &attempt(false))
        .await
        .expect("pic");
    assert_eq!(pic.attempts, 1, "pic counts on its own");
}

#[tokio::test]
async fn the_attempt_limit_is_configurable_and_unknown_accounts_are_404() {
    let mut data = SimData::demo().expect("demo");
    data.attempt_limit = 2;
    let h = start_with(data).await;
    let ctx = gms83();
    assert!(
        !h.client
            .record_pic_attempt(&ctx, 1, &attempt(false))
            .await
            .expect("1")
            .limit_reached
    );
    assert!(
        h.client
            .record_pic_attempt(&ctx, 1, &attempt(false))
            .await
            .expect("2")
            .limit_reached
    );
    let err = h
        .client
        .record_pic_attempt(&ctx, 42, &attempt(true))
        .await
        .expect_err("unknown");
    assert!(matches!(err, RestError::NotFound { .. }), "{err}");
}
