//! Ends from outside the protocol: a shutdown with game sessions live, and the per-IP limit
//! refusing a game connection (closed before its hello).

use std::time::Duration;

use maple_client::{Client, Error};

use super::*;

#[actix_rt::test]
async fn a_shutdown_ends_every_live_game_session_once() {
    let mut g = Game::default().await;
    let (mut admin, _, admin_session) = g.logged_in("admin", "admin").await;
    admin.character_list(0, 0).await.expect("admin's list");
    let (mut alice, _, alice_session) = g.logged_in("alice", "alice").await;
    let mut stranger = g.connect().await;
    g.shutdown().await;
    for (name, c) in [
        ("admin", &mut admin),
        ("alice", &mut alice),
        ("stranger", &mut stranger),
    ] {
        assert!(
            c.closed_within(Duration::from_secs(5)).await.expect("read"),
            "{name}'s connection closed"
        );
    }
    g.assert_ended_once(admin_session, 1).await;
    g.assert_ended_once(alice_session, 5).await;
    // The stranger never logged in: the third end, with account 0.
    g.assert_unbound_ends_among(1, &[admin_session, alice_session])
        .await;
}

#[actix_rt::test]
async fn the_per_ip_limit_closes_a_further_game_connection_before_its_hello() {
    let mut g = Setup::default()
        .own_tenant()
        .env("MAX_SESSIONS_PER_IP", "2")
        .start()
        .await;
    let (first, _, first_session) = g.logged_in("admin", "admin").await;
    let second = g.connect().await;
    let version = VERSION.parse().expect("version");
    let refused = Client::connect(g.addr(), version, Duration::from_secs(5)).await;
    assert!(
        matches!(refused, Err(Error::Closed { .. })),
        "just closed, no hello: {:?}",
        refused.as_ref().map(|_| "a hello")
    );
    g.wait_tenant_metric(
        "login_sessions_refused_total",
        &[("limit", "max_sessions_per_ip")],
        1.0,
    )
    .await;
    // The refused connection was never a session.
    let status = g.topics.session_status.clone();
    g.observer.settle(Duration::from_millis(300)).await;
    assert_eq!(
        g.count(&status, "DESTROYED"),
        0,
        "{:#?}",
        g.observer.summary()
    );
    // A freed place admits the next one.
    drop(first);
    g.assert_ended_once(first_session, 1).await;
    let (mut third, _, third_session) = g.logged_in("bob", "bob").await;
    assert_eq!(third.server_list().await.expect("served").worlds.len(), 3);
    drop((second, third));
    g.assert_ended_once(third_session, 6).await;
    g.assert_unbound_ends_among(1, &[first_session, third_session])
        .await;
}
